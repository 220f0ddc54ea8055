//! A pack's `.idx` file (version 2): which objects the pack holds, and where. Only
//! its fan-out table is read up front. An id's place among the ids sharing its first
//! byte is predicted from its next bytes (SHA-1 ids are uniform), so the first lookup
//! among them reads a few kilobytes around that place; the second reads them all and
//! keeps them. A check that reads a few objects of a large pack reads little of its
//! index, and an audit that reads many keeps it whole.

use std::fs::File;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{read_at, read_exact_at};

/// The first four bytes of a version 2 index.
const MAGIC: [u8; 4] = [0xff, b't', b'O', b'c'];
const HEADER: usize = 8;
const FANOUT: usize = 256 * 4;
const ID: usize = 20;
/// An offset with this bit set indexes the table of 8-byte offsets instead.
const LARGE: u32 = 0x8000_0000;
/// Ids read around an id's predicted place at its bucket's first lookup. An id's
/// place among `n` uniform ids is off its prediction by `sqrt(n) / 2` at most (one
/// standard deviation): 128 ids hold it but once in thousands of lookups in buckets
/// of 1,000 ids (packs of 250,000 objects), 19 times in 20 at 4,000; a miss reads
/// the next window.
const WINDOW: usize = 128;
/// Windows read at a bucket's first lookup before it is read whole: ids far from
/// their predicted place are not uniform, and a window at a time would read slowly.
const WINDOWS: usize = 3;

pub(super) struct Index {
    file: File,
    /// Objects whose id's first byte is at most `i`, for each `i`.
    fanout: [usize; 256],
    /// The checksum of the pack this index was made for, which ends that pack.
    pack_checksum: [u8; ID],
    /// The ids and offsets of each first byte's objects, once read whole (`None` when
    /// the file could not be read). Boxed: the 256 slots take 4 KiB where buckets held
    /// in place took 43 KiB, written and copied at every open of an index, and faulted
    /// in page by page, though a check reads a few of them (benches/README.md).
    buckets: [OnceLock<Option<Box<Bucket>>>; 256],
    /// Whether each first byte was looked up once: the next lookup reads it whole.
    looked_up: [AtomicBool; 256],
}

/// The objects whose ids start with one byte, each id beside its offset, so a lookup
/// reads one place in memory, not an id in one table and an offset in another.
struct Bucket {
    records: Vec<Record>,
    /// Where the records of each of the bucket's [`PARTS`] start (by the high bits of
    /// their second byte), and where the last ends: small enough to stay in cache,
    /// where a table by the whole second byte cost a cache miss a lookup.
    starts: [u32; PARTS + 1],
}

/// The bits of an id's second byte that pick its part of a bucket.
const PART_BITS: u32 = 5;
const PARTS: usize = 1 << PART_BITS;

/// One object of a bucket: its id, and its offset as the index stores it (4 bytes; the
/// [`LARGE`] bit set: a position in the table of 8-byte offsets).
struct Record {
    id: [u8; ID],
    offset: u32,
}

/// What a few windows of ids read from the file tell of an id.
#[derive(Debug, PartialEq, Eq)]
enum Search {
    /// Its position among all the index's ids.
    At(usize),
    Absent,
    /// Not within the windows read: the bucket is read whole.
    Undecided,
}

impl Bucket {
    /// The bucket of `ids` (sorted, [`ID`] bytes each, sharing their first byte) and
    /// their `offsets` (4 bytes each); `None` when the two do not pair up.
    fn new(ids: &[u8], offsets: &[u8]) -> Option<Bucket> {
        let (ids, []) = ids.as_chunks::<ID>() else {
            return None;
        };
        let (offsets, []) = offsets.as_chunks::<4>() else {
            return None;
        };
        if ids.len() != offsets.len() || u32::try_from(ids.len()).is_err() {
            return None;
        }
        let records: Vec<Record> = ids
            .iter()
            .zip(offsets)
            .map(|(&id, &offset)| Record {
                id,
                offset: u32::from_be_bytes(offset),
            })
            .collect();
        let mut starts = [0; PARTS + 1];
        for record in &records {
            starts[part(&record.id) + 1] += 1;
        }
        for part in 1..starts.len() {
            starts[part] += starts[part - 1];
        }
        Some(Bucket { records, starts })
    }

    /// The stored offset of `id`, if the bucket holds it: searched from where its
    /// bytes predict it among the records of its part, in steps doubling away from
    /// there (ids are uniform: it is a record or two away).
    fn find(&self, id: &[u8; ID]) -> Option<u32> {
        let part = part(id);
        let (start, end) = (self.starts[part] as usize, self.starts[part + 1] as usize);
        let records = self.records.get(start..end)?;
        // The first eight bytes almost always decide, in one compare.
        let wanted = (prefix(id), id);
        let key = |record: &Record| (prefix(&record.id), &record.id).cmp(&wanted);
        if records.is_empty() {
            return None;
        }
        let guess = predicted(id, 8 + PART_BITS, 0, records.len());
        let (low, high) = match key(&records[guess]) {
            std::cmp::Ordering::Equal => return Some(records[guess].offset),
            std::cmp::Ordering::Less => {
                let mut step = 1;
                while guess + step < records.len() && key(&records[guess + step]).is_lt() {
                    step *= 2;
                }
                (guess + step / 2 + 1, (guess + step + 1).min(records.len()))
            }
            std::cmp::Ordering::Greater => {
                let mut step = 1;
                while step <= guess && key(&records[guess - step]).is_gt() {
                    step *= 2;
                }
                (guess.saturating_sub(step), guess - step / 2)
            }
        };
        let at = records[low..high].binary_search_by(key).ok()?;
        Some(records[low + at].offset)
    }
}

impl Index {
    /// `Ok(None)` when `file` is not a version 2 index (libgit2 reads the others); an
    /// error says what is wrong with a damaged one. Its fan-out table must be sorted
    /// and its size fit the objects it counts, as git checks before using an index.
    pub fn open(file: File) -> Result<Option<Index>, String> {
        let unreadable = |e: std::io::Error| format!("cannot be read: {e}");
        let len = file.metadata().map_err(unreadable)?.len();
        if len < (HEADER + FANOUT + 2 * ID) as u64 {
            return Err(format!("is truncated ({len} bytes)"));
        }
        let header = read_at(&file, 0, HEADER + FANOUT).map_err(unreadable)?;
        if header.get(..4) != Some(&MAGIC[..]) || be32(&header, 4) != Some(2) {
            return Ok(None);
        }
        let mut fanout = [0; 256];
        for (byte, count) in fanout.iter_mut().enumerate() {
            *count = be32(&header, HEADER + byte * 4).unwrap_or(0) as usize;
        }
        if !fanout.is_sorted() {
            return Err("has a fan-out table out of order".to_owned());
        }
        let count = fanout[255] as u64;
        // Ids, CRCs and offsets, then the two trailing checksums; offsets past 2 GiB
        // take eight bytes more, in a table after the others.
        let minimum = (HEADER + FANOUT + 2 * ID) as u64 + count * (ID + 4 + 4) as u64;
        let maximum = minimum + count.saturating_sub(1) * 8;
        if !(minimum..=maximum).contains(&len) {
            return Err(format!(
                "is {len} bytes, where its {count} objects take {minimum} to {maximum}: truncated or damaged"
            ));
        }
        let trailer = read_at(&file, len - 2 * ID as u64, ID).map_err(unreadable)?;
        let pack_checksum = trailer
            .try_into()
            .map_err(|_| "cannot be read".to_owned())?;
        Ok(Some(Index {
            file,
            fanout,
            pack_checksum,
            buckets: std::array::from_fn(|_| OnceLock::new()),
            looked_up: std::array::from_fn(|_| AtomicBool::new(false)),
        }))
    }

    /// How many objects the index lists.
    pub fn count(&self) -> usize {
        self.fanout[255]
    }

    /// The checksum the pack this index was made for ends with.
    pub fn pack_checksum(&self) -> &[u8; ID] {
        &self.pack_checksum
    }

    /// Where the object `id` starts in the pack.
    pub fn offset(&self, id: &[u8]) -> Option<u64> {
        let id: &[u8; ID] = id.try_into().ok()?;
        let first = usize::from(id[0]);
        let small = match self.buckets[first].get() {
            Some(bucket) => bucket.as_ref()?.find(id)?,
            None if !self.looked_up[first].swap(true, Ordering::Relaxed) => {
                match self.search_file(id, &mut [[0; ID]; WINDOW]) {
                    Search::At(position) => self.stored_offset(position)?,
                    Search::Absent => return None,
                    Search::Undecided => self.bucket(first)?.find(id)?,
                }
            }
            None => self.bucket(first)?.find(id)?,
        };
        self.offset_of(small)
    }

    /// The positions of the ids starting with `first`.
    fn range(&self, first: usize) -> (usize, usize) {
        let start = first.checked_sub(1).map_or(0, |before| self.fanout[before]);
        (start, self.fanout[first])
    }

    /// The ids and offsets starting with `first`, read whole at the first call.
    fn bucket(&self, first: usize) -> Option<&Bucket> {
        self.buckets[first]
            .get_or_init(|| {
                let (start, end) = self.range(first);
                let count = self.fanout[255];
                let ids = read_at(
                    &self.file,
                    (HEADER + FANOUT + start * ID) as u64,
                    (end - start) * ID,
                );
                let offsets = HEADER + FANOUT + count * (ID + 4) + start * 4;
                let offsets = read_at(&self.file, offsets as u64, (end - start) * 4);
                Bucket::new(&ids.ok()?, &offsets.ok()?).map(Box::new)
            })
            .as_deref()
    }

    /// Where `id` is among the index's ids, found in windows of ids read from the file
    /// into `window`: the first around the place its bytes predict, the next beside
    /// the last on the side `id` sorts to, up to [`WINDOWS`] of them.
    fn search_file(&self, id: &[u8; ID], window: &mut [[u8; ID]]) -> Search {
        let (mut low, mut high) = self.range(usize::from(id[0]));
        let mut around = predicted(id, 8, low, high);
        for _ in 0..WINDOWS {
            let size = window.len().min(high - low);
            let from = around.saturating_sub(size / 2).clamp(low, high - size);
            let ids = &mut window[..size];
            let at = (HEADER + FANOUT + from * ID) as u64;
            if size == 0 || read_exact_at(&self.file, ids.as_flattened_mut(), at).is_err() {
                return Search::Absent;
            }
            match ids.binary_search(id) {
                Ok(found) => return Search::At(from + found),
                Err(0) if from > low => (high, around) = (from, from - 1),
                Err(after) if after == size && from + size < high => {
                    (low, around) = (from + size, from + size);
                }
                Err(_) => return Search::Absent,
            }
        }
        Search::Undecided
    }

    /// The offset the index stores for the id at `position`, as [`Record::offset`].
    fn stored_offset(&self, position: usize) -> Option<u32> {
        let at = HEADER + FANOUT + self.fanout[255] * (ID + 4) + position * 4;
        let mut bytes = [0; 4];
        read_exact_at(&self.file, &mut bytes, at as u64).ok()?;
        Some(u32::from_be_bytes(bytes))
    }

    /// The offset a bucket's record stores: itself, or where the table of 8-byte
    /// offsets holds it.
    fn offset_of(&self, small: u32) -> Option<u64> {
        if small & LARGE == 0 {
            return Some(u64::from(small));
        }
        let count = self.fanout[255];
        let large = HEADER + FANOUT + count * (ID + 4 + 4) + (small & !LARGE) as usize * 8;
        let bytes = read_at(&self.file, large as u64, 8).ok()?;
        Some(u64::from_be_bytes(bytes.try_into().ok()?))
    }
}

/// Which part of its bucket `id` is in.
fn part(id: &[u8; ID]) -> usize {
    usize::from(id[1] >> (8 - PART_BITS))
}

/// Where among the ids from `low` to `high`, which share `id`'s first `known` bits,
/// `id` would be, were they spread evenly: where its next 64 bits sit in their range.
fn predicted(id: &[u8; ID], known: u32, low: usize, high: usize) -> usize {
    let [a, b, c, d, e, f, g, h, i, ..] = *id;
    let bits = u128::from_be_bytes([a, b, c, d, e, f, g, h, i, 0, 0, 0, 0, 0, 0, 0]);
    let fraction = (bits << known) >> 64;
    let ahead = (fraction * (high - low) as u128) >> 64;
    low + ahead as usize
}

fn prefix(id: &[u8; ID]) -> u64 {
    let [a, b, c, d, e, f, g, h, ..] = *id;
    u64::from_be_bytes([a, b, c, d, e, f, g, h])
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let bytes = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

/// A version 2 index of `objects` (id, offset), sorted by id; offsets past 2 GiB go to
/// the table of 8-byte offsets.
#[cfg(test)]
pub(super) fn index_bytes(objects: &[([u8; ID], u64)]) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend(2u32.to_be_bytes());
    for byte in 0..=255u8 {
        let count = objects.iter().filter(|(id, _)| id[0] <= byte).count() as u32;
        bytes.extend(count.to_be_bytes());
    }
    objects.iter().for_each(|(id, _)| bytes.extend(id));
    objects.iter().for_each(|_| bytes.extend([0; 4]));
    let mut large = Vec::new();
    for &(_, offset) in objects {
        match u32::try_from(offset).ok().filter(|o| o & LARGE == 0) {
            Some(small) => bytes.extend(small.to_be_bytes()),
            None => {
                bytes.extend((LARGE | (large.len() as u32 / 8)).to_be_bytes());
                large.extend(offset.to_be_bytes());
            }
        }
    }
    bytes.extend(large);
    bytes.extend([0; 2 * ID]);
    bytes
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::git::test_git::git;

    /// An index of `ids` (sorted) at offsets 100, 200, …; the last one past 4 GiB.
    fn index(ids: &[[u8; 20]]) -> Vec<u8> {
        let offsets = (1..ids.len() as u64).map(|i| 100 * i).chain([5 << 30]);
        let objects: Vec<([u8; 20], u64)> = ids.iter().copied().zip(offsets).collect();
        index_bytes(&objects)
    }

    fn open(bytes: &[u8]) -> Result<Option<Index>, String> {
        let mut file = tempfile::tempfile().expect("temp file");
        std::io::Write::write_all(&mut file, bytes).expect("write");
        Index::open(file)
    }

    #[test]
    fn finds_small_and_large_offsets_and_misses_others() {
        let ids = [[0x10; 20], [0x10 | 1; 20], [0xfe; 20]];
        let index = open(&index(&ids)).expect("sound").expect("version 2");
        assert_eq!(index.offset(&ids[0]), Some(100));
        assert_eq!(index.offset(&ids[1]), Some(200));
        assert_eq!(index.offset(&ids[2]), Some(5 << 30));
        assert_eq!(index.offset(&[0x10; 19]), None, "short id");
        assert_eq!(index.offset(&[0x12; 20]), None);
        assert_eq!(index.offset(&[0xff; 20]), None);
    }

    #[test]
    fn rejects_damaged_indexes_and_leaves_other_versions_to_libgit2() {
        let bytes = index_bytes(&[([1; 20], 12), ([2; 20], 100)]);
        assert!(matches!(open(&bytes), Ok(Some(_))));
        assert!(open(&bytes[..bytes.len() - 1]).is_err(), "short");
        // One 8-byte offset at most, as the first object is never past 2 GiB.
        assert!(matches!(open(&[&bytes[..], &[0; 8]].concat()), Ok(Some(_))));
        assert!(open(&[&bytes[..], &[0; 9]].concat()).is_err(), "long");
        assert!(open(&bytes[..HEADER]).is_err(), "no fan-out");
        let mut unsorted = bytes.clone();
        unsorted[HEADER] = 9;
        assert!(open(&unsorted).is_err(), "fan-out out of order");
        let mut version_1 = bytes.clone();
        version_1[..4].copy_from_slice(&[0, 0, 0, 9]);
        assert!(matches!(open(&version_1), Ok(None)), "version 1");
        let mut version_3 = bytes;
        version_3[7] = 3;
        assert!(matches!(open(&version_3), Ok(None)), "version 3");
    }

    /// The objects of the pack beside `idx` as git lists them (id, offset), by id.
    fn listed_by_git(idx: &Path) -> Vec<([u8; ID], u64)> {
        let dir = idx.parent().expect("a directory");
        let name = idx.to_str().expect("a UTF-8 path");
        let out = git(dir, &["verify-pack", "-v", name]);
        let mut objects: Vec<([u8; ID], u64)> = String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let id = crate::git::id::Id::from_hex(fields.first()?.as_bytes())?;
                Some((id.0, fields.get(4)?.parse().ok()?))
            })
            .collect();
        objects.sort_unstable();
        objects
    }

    /// Ids beside those of `objects` that the index does not hold, and the two ends.
    fn absent_ids(objects: &[([u8; ID], u64)]) -> Vec<[u8; ID]> {
        let mut absent: Vec<[u8; ID]> = objects
            .iter()
            .flat_map(|(id, _)| {
                let (mut before, mut after) = (*id, *id);
                before[ID - 1] = before[ID - 1].wrapping_sub(1);
                after[ID - 1] = after[ID - 1].wrapping_add(1);
                [before, after]
            })
            .chain([[0; ID], [0xff; ID]])
            .collect();
        absent.retain(|id| objects.binary_search_by(|(held, _)| held.cmp(id)).is_err());
        absent
    }

    /// Every id of `objects` is found in `idx` where git lists it, through windows of
    /// every size (a small one that does not reach it says so, and the bucket is read
    /// whole); every other id is not.
    fn lookups_agree_with_git(idx: &Path, objects: &[([u8; ID], u64)]) {
        let open = || {
            Index::open(File::open(idx).expect("idx"))
                .expect("sound")
                .expect("version 2")
        };
        let index = open();
        let absent = absent_ids(objects);
        for size in [1, 2, 5, WINDOW] {
            let mut window = vec![[0; ID]; size];
            for (position, (id, offset)) in objects.iter().enumerate() {
                match index.search_file(id, &mut window) {
                    Search::At(found) => {
                        assert_eq!(found, position, "{id:x?}");
                        let stored = index.stored_offset(found).expect("readable");
                        assert_eq!(index.offset_of(stored), Some(*offset));
                    }
                    other => assert!(size < WINDOW && other == Search::Undecided, "{other:?}"),
                }
            }
            for id in &absent {
                let found = index.search_file(id, &mut window);
                assert!(found == Search::Absent || size < WINDOW && found == Search::Undecided);
            }
        }
        // As a walk looks them up: each bucket's first lookup reads a window, the
        // next reads the bucket whole; the absent ones first, then last.
        for index in [open(), open()] {
            for (id, offset) in objects {
                assert_eq!(index.offset(id), Some(*offset), "{id:x?}");
            }
            for id in &absent {
                assert_eq!(index.offset(id), None, "{id:x?}");
            }
            let index = open();
            for id in &absent {
                assert_eq!(index.offset(id), None, "{id:x?}");
            }
        }
    }

    /// A pack of `count` small blobs, as git would write it uncompressed.
    fn pack_of_blobs(count: u32) -> Vec<u8> {
        let mut pack = b"PACK\0\0\0\x02".to_vec();
        pack.extend(count.to_be_bytes());
        for i in 0..count {
            let blob = format!("{i}\n");
            // A blob's type and size (under 16 bytes) in one byte, then its deflated bytes.
            pack.push(0x30 | blob.len() as u8);
            let mut encoder = flate2::write::ZlibEncoder::new(&mut pack, Default::default());
            std::io::Write::write_all(&mut encoder, blob.as_bytes()).expect("deflate");
            encoder.finish().expect("deflate");
        }
        let checksum: [u8; ID] = <sha1::Sha1 as sha1::Digest>::digest(&pack).into();
        pack.extend(checksum);
        pack
    }

    #[test]
    fn finds_what_git_lists_in_indexes_git_wrote() {
        let dir = tempfile::tempdir().expect("temp dir");
        // 3,000 objects: buckets of some 12 ids, the first and last of each looked up.
        std::fs::write(dir.path().join("small.pack"), pack_of_blobs(3000)).expect("pack");
        std::fs::copy(dir.path().join("small.pack"), dir.path().join("large.pack")).expect("copy");
        git(dir.path(), &["index-pack", "small.pack"]);
        // Every offset past 4 KiB in the table of 8-byte offsets.
        git(
            dir.path(),
            &["index-pack", "--index-version=2,0x1000", "large.pack"],
        );
        for name in ["small.idx", "large.idx"] {
            let idx = dir.path().join(name);
            let objects = listed_by_git(&idx);
            assert_eq!(objects.len(), 3000, "{name}");
            lookups_agree_with_git(&idx, &objects);
        }
        let size = |name: &str| std::fs::metadata(dir.path().join(name)).expect("idx").len();
        assert!(
            size("large.idx") > size("small.idx") + 8 * 2000,
            "8-byte offsets"
        );
    }

    proptest::proptest! {
        /// Every id of a bucket is found where it is, and others are not, however
        /// evenly the ids are spread: in the bucket read whole, and in windows of the
        /// file, whatever their size.
        #[test]
        fn ids_are_found_where_they_are(
            mut ids: Vec<[u8; 20]>,
            mut absent: [u8; 20],
            bunched in proptest::prop_oneof![proptest::strategy::Just(0xff_u8), 0x01_u8..0x10],
            size in 1..8_usize,
        ) {
            for id in ids.iter_mut().chain([&mut absent]) {
                id[0] = 7;
                id[1] &= bunched;
            }
            ids.sort_unstable();
            ids.dedup();
            let offsets: Vec<u8> = (0..ids.len() as u32).flat_map(u32::to_be_bytes).collect();
            let bucket = Bucket::new(&ids.concat(), &offsets).expect("paired");
            let objects: Vec<([u8; 20], u64)> = ids.iter().copied().zip((1..).map(|i| i * 100)).collect();
            let file = open(&index_bytes(&objects)).expect("sound").expect("version 2");
            let mut window = vec![[0; ID]; size];
            for (at, id) in ids.iter().enumerate() {
                proptest::prop_assert_eq!(bucket.find(id), Some(at as u32));
                let found = file.search_file(id, &mut window);
                proptest::prop_assert!(found == Search::At(at) || found == Search::Undecided);
            }
            let absent_at = ids.iter().position(|id| *id == absent);
            proptest::prop_assert_eq!(bucket.find(&absent), absent_at.map(|at| at as u32));
            let found = file.search_file(&absent, &mut window);
            let expected = absent_at.map_or(Search::Absent, Search::At);
            proptest::prop_assert!(found == expected || found == Search::Undecided);
        }

        #[test]
        fn lookups_in_any_bytes_never_panic(mut bytes: Vec<u8>, id: [u8; 20]) {
            bytes.splice(0..0, MAGIC.iter().copied().chain(2u32.to_be_bytes()));
            if let Ok(Some(index)) = open(&bytes) {
                let _ = index.offset(&id);
            }
        }
    }
}
