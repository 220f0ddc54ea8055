//! A pack's `.idx` file (version 2): which objects the pack holds, and where. Only
//! its fan-out table is read up front; the ids and offsets of the objects starting
//! with one byte are read at the first lookup among them, so a check that reads a
//! few objects of a large pack reads a few kilobytes of its index.

use std::fs::File;
use std::sync::OnceLock;

use super::read_at;

/// The first four bytes of a version 2 index.
const MAGIC: [u8; 4] = [0xff, b't', b'O', b'c'];
const HEADER: usize = 8;
const FANOUT: usize = 256 * 4;
const ID: usize = 20;
/// An offset with this bit set indexes the table of 8-byte offsets instead.
const LARGE: u32 = 0x8000_0000;

pub(super) struct Index {
    file: File,
    /// Objects whose id's first byte is at most `i`, for each `i`.
    fanout: [usize; 256],
    /// The checksum of the pack this index was made for, which ends that pack.
    pack_checksum: [u8; ID],
    /// The ids and offsets of each first byte's objects, once read (`None` when
    /// the file could not be read).
    buckets: [OnceLock<Option<Bucket>>; 256],
}

/// The objects whose ids start with one byte, each id beside its offset, so a lookup
/// reads one place in memory, not an id in one table and an offset in another.
struct Bucket {
    records: Vec<Record>,
    /// Where the records whose id's second byte is `b` start, for each `b`, and where
    /// the last of them ends: a lookup searches the few records of its two first bytes.
    starts: Box<[u32; 257]>,
}

/// One object of a bucket: its id, and its offset as the index stores it (4 bytes; the
/// [`LARGE`] bit set: a position in the table of 8-byte offsets).
struct Record {
    id: [u8; ID],
    offset: u32,
}

impl Bucket {
    /// The bucket of `ids` (sorted, [`ID`] bytes each, sharing their first byte) and
    /// their `offsets` (4 bytes each); `None` when the two do not pair up.
    fn new(ids: &[u8], offsets: &[u8]) -> Option<Bucket> {
        if ids.len() * 4 != offsets.len() * ID {
            return None;
        }
        let records: Vec<Record> = ids
            .chunks_exact(ID)
            .zip(offsets.chunks_exact(4))
            .map(|(id, offset)| {
                Some(Record {
                    id: id.try_into().ok()?,
                    offset: be32(offset, 0)?,
                })
            })
            .collect::<Option<_>>()?;
        u32::try_from(records.len()).ok()?;
        let mut starts = Box::new([0; 257]);
        for record in &records {
            starts[usize::from(record.id[1]) + 1] += 1;
        }
        for second in 1..starts.len() {
            starts[second] += starts[second - 1];
        }
        Some(Bucket { records, starts })
    }

    /// The stored offset of `id`, if the bucket holds it.
    fn find(&self, id: &[u8]) -> Option<u32> {
        let second = usize::from(*id.get(1)?);
        let (start, end) = (self.starts[second], self.starts[second + 1]);
        let records = self.records.get(start as usize..end as usize)?;
        // The first eight bytes almost always decide, in one compare.
        let id: &[u8; ID] = id.try_into().ok()?;
        let wanted = (prefix(id), id);
        let at = records
            .binary_search_by(|record| (prefix(&record.id), &record.id).cmp(&wanted))
            .ok()?;
        Some(records[at].offset)
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
        let buckets = std::array::from_fn(|_| OnceLock::new());
        Ok(Some(Index {
            file,
            fanout,
            pack_checksum,
            buckets,
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
        let first = usize::from(*id.first()?);
        let start = first.checked_sub(1).map_or(0, |before| self.fanout[before]);
        let bucket = self.buckets[first]
            .get_or_init(|| self.read_bucket(start, self.fanout[first]))
            .as_ref()?;
        self.offset_of(bucket.find(id)?)
    }

    fn read_bucket(&self, start: usize, end: usize) -> Option<Bucket> {
        let count = self.fanout[255];
        let ids = read_at(
            &self.file,
            (HEADER + FANOUT + start * ID) as u64,
            (end - start) * ID,
        );
        let offsets = HEADER + FANOUT + count * (ID + 4) + start * 4;
        let offsets = read_at(&self.file, offsets as u64, (end - start) * 4);
        Bucket::new(&ids.ok()?, &offsets.ok()?)
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
    use super::*;

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

    proptest::proptest! {
        /// Every id of a bucket is found where it is, and others are not, however
        /// evenly the ids are spread.
        #[test]
        fn ids_are_found_where_they_are(
            mut ids: Vec<[u8; 20]>,
            mut absent: [u8; 20],
            bunched in proptest::prop_oneof![proptest::strategy::Just(0xff_u8), 0x01_u8..0x10],
        ) {
            for id in ids.iter_mut().chain([&mut absent]) {
                id[0] = 7;
                id[1] &= bunched;
            }
            ids.sort_unstable();
            ids.dedup();
            let offsets: Vec<u8> = (0..ids.len() as u32).flat_map(u32::to_be_bytes).collect();
            let bucket = Bucket::new(&ids.concat(), &offsets).expect("paired");
            for (at, id) in ids.iter().enumerate() {
                proptest::prop_assert_eq!(bucket.find(id), Some(at as u32));
            }
            let absent_at = ids.iter().position(|id| *id == absent).map(|at| at as u32);
            proptest::prop_assert_eq!(bucket.find(&absent), absent_at);
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
