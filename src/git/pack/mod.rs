//! Reading objects from pack files ourselves: the `.idx` says where an object starts,
//! the pack is read in small windows the threads share, each thread inflates an
//! object's data in one call (libdeflate) where its bytes lie in one piece, and deltas
//! are resolved over a cache of the bases resolved lately. libgit2 reads packs
//! behind a lock with an allocation or two per object; a [`Pack`] per thread lets an
//! audit's workers read in parallel.

mod delta;
mod index;
mod window;

pub(super) use delta::apply as apply_delta;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use flate2::{Decompress, FlushDecompress, Status};
use git2::ObjectType;

use super::error::ReadError;
use super::recent::Recent;
use index::Index;
use window::{SharedWindows, Windows};

/// Bytes of resolved delta bases a thread's cache of a pack holds at most: more costs
/// memory for little CPU (benches/README.md).
pub(in crate::git) const BASE_CACHE: usize = 8 << 20;
/// Deflate's best ratio: a size larger than this many times the bytes left in the pack
/// is corrupt, and must not be allocated.
pub(super) const MAX_RATIO: u64 = 1032;
/// Bytes reserved for an object before its data shows it is larger: a damaged size
/// must not allocate what the data never fills. Larger objects inflate as their data
/// comes, a window at a time.
const TRUSTED_SIZE: usize = 16 << 20;
/// Room past an object's end when it inflates a window at a time: zlib inflates on
/// its fast path only with 258 bytes of room, and reads the stream's end once the data
/// is out only with a byte of it.
const ROOM: usize = 258;
/// Room past an object's end when it inflates in one call: libdeflate inflates on its
/// fast path only while this much is left of the buffer, and a small object would
/// inflate half on its slow one (benches/README.md).
const FAST_ROOM: usize = 299;
/// Bytes of buffer capacity worth keeping between objects.
const KEPT_BUFFER: usize = 1 << 20;
/// git's own limit on the length of a delta chain is far below this.
const MAX_CHAIN: usize = 10_000;

/// An object's kind and bytes.
pub(super) type Object = (ObjectType, Rc<[u8]>);

/// A pack and its index, shared by every thread that reads them.
pub(super) struct PackFile {
    path: PathBuf,
    index: Index,
    data: Arc<SharedWindows>,
}

impl PackFile {
    /// Opens the pack of the index at `idx` once both pass git's checks: a pack header
    /// counting the objects its index lists, and the pack's checksum at its end the one
    /// the index was made for. `Ok(None)` when there is no such pack, or its index is
    /// of a version this reader leaves to libgit2; an error names what is damaged.
    pub fn open(idx: &Path) -> Result<Option<PackFile>, ReadError> {
        let path = idx.with_extension("pack");
        let mut pack = match File::open(&path) {
            Ok(pack) => pack,
            // git skips an index without its pack.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(unreadable(&path, &e)),
        };
        let index = File::open(idx).map_err(|e| unreadable(idx, &e))?;
        let index = match Index::open(index) {
            Ok(Some(index)) => index,
            Ok(None) => return Ok(None),
            Err(what) => return Err(damaged(&path, &format!("its index {what}"))),
        };
        let Some((header, checksum)) = ends(&mut pack).map_err(|e| unreadable(&path, &e))? else {
            return Err(damaged(&path, "is truncated: too short to be a pack"));
        };
        if let Some(what) = mismatch(&header, &checksum, &index) {
            return Err(damaged(&path, &what));
        }
        let data = SharedWindows::new(pack).map_err(|e| unreadable(&path, &e))?;
        Ok(Some(PackFile {
            path,
            index,
            data: Arc::new(data),
        }))
    }
}

/// Bytes of a pack's header: signature, version, object count.
const PACK_HEADER: usize = 12;
/// Bytes of the checksum that ends a pack.
const CHECKSUM: usize = 20;

/// A pack's header and the checksum that ends it; `None` when the file is too short
/// to hold both.
fn ends(pack: &mut File) -> std::io::Result<Option<([u8; PACK_HEADER], [u8; CHECKSUM])>> {
    let len = pack.metadata()?.len();
    if len < (PACK_HEADER + CHECKSUM) as u64 {
        return Ok(None);
    }
    let mut header = [0; PACK_HEADER];
    pack.read_exact(&mut header)?;
    let mut checksum = [0; CHECKSUM];
    pack.seek(SeekFrom::Start(len - CHECKSUM as u64))?;
    pack.read_exact(&mut checksum)?;
    Ok(Some((header, checksum)))
}

/// What in a pack's `header` and `checksum` does not fit its index, if anything.
fn mismatch(
    header: &[u8; PACK_HEADER],
    checksum: &[u8; CHECKSUM],
    index: &Index,
) -> Option<String> {
    let word = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    if header[..4] != *b"PACK" {
        return Some("does not start as a pack does".to_owned());
    }
    let version = word(4);
    if !matches!(version, 2 | 3) {
        return Some(format!("is of version {version}, which git never writes"));
    }
    let count = word(8);
    if count as usize != index.count() {
        return Some(format!(
            "holds {count} objects by its header, where its index lists {}",
            index.count()
        ));
    }
    (checksum != index.pack_checksum())
        .then(|| "does not end with the checksum its index names: truncated or damaged".to_owned())
}

/// One thread's reader of a pack: the windows it is reading, its inflaters and its cache
/// of delta bases.
pub(super) struct Pack {
    file: Arc<PackFile>,
    windows: Windows,
    /// The inflater of an entry's data in one piece (most entries), and the one that
    /// inflates it a window at a time; each made at its first use (their states, about
    /// 11 and 7 KiB, are zeroed): a check reads a few objects, mostly of one pack.
    whole_inflater: Option<libdeflater::Decompressor>,
    inflater: Option<Decompress>,
    bases: Recent<u64, Object>,
    /// The data of the entry inflated last, the object resolved last and the chain of
    /// deltas read last: kept, so reading an object allocates only its own bytes.
    inflated: Vec<u8>,
    resolved: Vec<u8>,
    chain: Vec<(u64, Header)>,
    /// The data of an entry that crosses the end of a window, read at once.
    gathered: Vec<u8>,
}

/// How an entry is stored: whole, or as a delta against a base entry found by its
/// distance back in the pack or by its id.
enum Stored {
    Whole(ObjectType),
    OffsetDelta(u64),
    RefDelta([u8; 20]),
}

/// An entry as a link of a delta chain: a whole object ends it, a delta leads on to the
/// entry at an offset.
enum Link {
    Whole(ObjectType),
    Delta(u64),
}

/// An entry's header: how it is stored, its inflated size, where its data starts.
struct Header {
    stored: Stored,
    size: usize,
    data: u64,
}

impl Pack {
    /// A reader of `file` whose cache of delta bases holds at most `base_cache` bytes.
    pub fn new(file: Arc<PackFile>, base_cache: usize) -> Pack {
        Pack {
            windows: Windows::new(Arc::clone(&file.data)),
            file,
            whole_inflater: None,
            inflater: None,
            bases: Recent::new(base_cache),
            inflated: Vec::new(),
            resolved: Vec::new(),
            chain: Vec::new(),
            gathered: Vec::new(),
        }
    }

    /// Where the pack holds `id`, if it does.
    pub fn offset(&self, id: &[u8]) -> Option<u64> {
        self.file.index.offset(id)
    }

    /// The object stored at `offset`, with its deltas resolved.
    pub fn object(&mut self, offset: u64) -> Result<Object, ReadError> {
        // The cache keeps bases for the deltas read later; the object asked for is its
        // reader's to keep (a walk keeps its trees parsed).
        if let Some(object) = self.bases.take(offset) {
            return Ok(object);
        }
        let mut bytes = std::mem::take(&mut self.resolved);
        let kind = self.resolve(offset, &mut bytes)?;
        // Copied out of the buffer every object is resolved into.
        let object = (kind, Rc::from(&bytes[..]));
        self.resolved = kept(bytes);
        Ok(object)
    }

    /// The object stored at `offset`, with its deltas resolved, written over `out`: a
    /// reader that is done with an object's bytes before it reads the next reads each
    /// into the same buffer, and allocates nothing per object. Its kind.
    pub fn object_into(&mut self, offset: u64, out: &mut Vec<u8>) -> Result<ObjectType, ReadError> {
        if let Some((kind, bytes)) = self.bases.get(offset) {
            out.clear();
            out.extend_from_slice(&bytes);
            return Ok(kind);
        }
        self.resolve(offset, out)
    }

    /// Resolves the object at `offset`, which the cache does not hold, into `out`: a
    /// whole entry inflates there, a delta is applied there to its base.
    fn resolve(&mut self, offset: u64, out: &mut Vec<u8>) -> Result<ObjectType, ReadError> {
        let header = self.header(offset)?;
        let base = match self.link(offset, &header)? {
            Link::Whole(kind) => {
                self.inflate(&header, out)?;
                return Ok(kind);
            }
            Link::Delta(base) => base,
        };
        let (kind, base) = self.base(base, offset)?;
        let mut delta = std::mem::take(&mut self.inflated);
        self.inflate(&header, &mut delta)?;
        delta::apply(&base, &delta, out)
            .ok_or_else(|| self.corrupt(offset, "a delta that does not fit its base"))?;
        self.inflated = kept(delta);
        Ok(kind)
    }

    /// The object at `offset`, the base of the delta at `top`, with its deltas
    /// resolved. It and each object its chain resolves on the way are kept in the cache,
    /// as git keeps them: other deltas share bases.
    fn base(&mut self, offset: u64, top: u64) -> Result<Object, ReadError> {
        let mut deltas = std::mem::take(&mut self.chain);
        deltas.clear();
        let mut at = offset;
        let mut scratch = std::mem::take(&mut self.inflated);
        let (kind, mut bytes) = loop {
            if let Some(base) = self.bases.get(at) {
                break base;
            }
            let header = self.header(at)?;
            let base = match self.link(at, &header)? {
                Link::Whole(kind) => {
                    self.inflate(&header, &mut scratch)?;
                    let whole = (kind, Rc::from(&scratch[..]));
                    self.bases.insert(at, whole.clone());
                    break whole;
                }
                Link::Delta(base) => base,
            };
            if deltas.len() == MAX_CHAIN {
                return Err(self.corrupt(top, "a delta chain too long"));
            }
            deltas.push((at, header));
            at = base;
        };
        let mut result = std::mem::take(&mut self.resolved);
        while let Some((at, header)) = deltas.pop() {
            self.inflate(&header, &mut scratch)?;
            delta::apply(&bytes, &scratch, &mut result)
                .ok_or_else(|| self.corrupt(at, "a delta that does not fit its base"))?;
            bytes = Rc::from(&result[..]);
            self.bases.insert(at, (kind, Rc::clone(&bytes)));
        }
        self.chain = deltas;
        self.inflated = kept(scratch);
        self.resolved = kept(result);
        Ok((kind, bytes))
    }

    /// What the entry at `at` with `header` is: a whole object, or a delta against the
    /// entry at an offset of this pack.
    fn link(&self, at: u64, header: &Header) -> Result<Link, ReadError> {
        match header.stored {
            Stored::Whole(kind) => Ok(Link::Whole(kind)),
            Stored::OffsetDelta(distance) => at
                .checked_sub(distance)
                .filter(|_| distance > 0)
                .map(Link::Delta)
                .ok_or_else(|| self.corrupt(at, "a delta against an entry outside the pack")),
            Stored::RefDelta(id) => self
                .offset(&id)
                .map(Link::Delta)
                .ok_or_else(|| self.corrupt(at, "a delta against an object it lacks")),
        }
    }

    fn header(&mut self, at: u64) -> Result<Header, ReadError> {
        let entries = PACK_HEADER as u64..self.windows.len().saturating_sub(CHECKSUM as u64);
        if !entries.contains(&at) {
            return Err(self.corrupt(at, "an entry outside its entries"));
        }
        let input = self
            .windows
            .at(at)
            .map_err(|e| unreadable(&self.file.path, &e))?;
        let (stored, size, len) =
            parse_header(input).ok_or_else(|| self.corrupt(at, "an unreadable entry header"))?;
        Ok(Header {
            stored,
            size,
            data: at + len as u64,
        })
    }

    /// Inflates the data of an entry, exactly `header.size` bytes of it, into
    /// `out`, and checks the zlib stream's checksum.
    fn inflate(&mut self, header: &Header, out: &mut Vec<u8>) -> Result<(), ReadError> {
        if header.size as u64 > self.left(header).saturating_mul(MAX_RATIO) + MAX_RATIO {
            return Err(self.corrupt(header.data, "a size its data cannot hold"));
        }
        if header.size <= TRUSTED_SIZE && self.inflate_at_once(header, out)? {
            return Ok(());
        }
        self.inflate_streaming(header, out)
    }

    /// Bytes from an entry's data to the end of the last entry's, where the pack's
    /// checksum starts.
    fn left(&self, header: &Header) -> u64 {
        self.windows
            .len()
            .saturating_sub(header.data + CHECKSUM as u64)
    }

    /// Inflates an entry's data in one call, from contiguous bytes into a buffer of its
    /// declared size (libdeflate: twice zlib's speed on large objects,
    /// benches/README.md), which also checks the stream's checksum. `false` when that
    /// fails: the data is damaged, or its stream is longer than zlib ever writes one,
    /// and [`Self::inflate_streaming`] tells which.
    fn inflate_at_once(&mut self, header: &Header, out: &mut Vec<u8>) -> Result<bool, ReadError> {
        let most = usize::try_from(self.left(header)).unwrap_or(usize::MAX);
        let stream = self
            .windows
            .contiguous(
                header.data,
                deflated_bound(header.size).min(most),
                &mut self.gathered,
            )
            .map_err(|e| unreadable(&self.file.path, &e))?;
        // Bytes of the last object are written over, not zeroed again.
        let room = header.size.saturating_add(FAST_ROOM);
        out.truncate(room);
        out.resize(room, 0);
        let inflater = self
            .whole_inflater
            .get_or_insert_with(libdeflater::Decompressor::new);
        let inflated = inflater.zlib_decompress(stream, out);
        out.truncate(header.size);
        if self.gathered.capacity() > KEPT_BUFFER {
            self.gathered = Vec::new();
        }
        Ok(inflated == Ok(header.size))
    }

    /// Inflates an entry's data as it comes, window by window, reserving a size past
    /// what the bytes inflated so far promise as they come.
    fn inflate_streaming(&mut self, header: &Header, out: &mut Vec<u8>) -> Result<(), ReadError> {
        out.clear();
        out.reserve(header.size.min(TRUSTED_SIZE) + ROOM);
        let inflater = self.inflater.get_or_insert_with(|| Decompress::new(true));
        inflater.reset(true);
        loop {
            let read = inflater.total_in();
            let input = self
                .windows
                .at(header.data + read)
                .map_err(|e| unreadable(&self.file.path, &e))?;
            if out.len() == out.capacity() {
                out.reserve((header.size + 1 - out.len()).min(out.len()));
            }
            let written = out.len();
            let status = inflater.decompress_vec(input, out, FlushDecompress::None);
            let progress = inflater.total_in() > read || out.len() > written;
            match status {
                Ok(Status::StreamEnd) if out.len() == header.size => return Ok(()),
                Ok(Status::Ok) if progress && out.len() <= header.size => {}
                _ => return Err(self.corrupt(header.data, "data that does not inflate")),
            }
        }
    }

    fn corrupt(&self, at: u64, what: &str) -> ReadError {
        damaged(&self.file.path, &format!("has {what} at offset {at}"))
    }
}

/// `buffer`, to be written over by the next object, unless it is too large to be
/// worth keeping.
fn kept(buffer: Vec<u8>) -> Vec<u8> {
    if buffer.capacity() > KEPT_BUFFER {
        Vec::new()
    } else {
        buffer
    }
}

/// The most bytes zlib's stream of `size` bytes takes, whatever its settings (zlib's
/// `deflateBound` for other than the default ones: every byte a 9-bit fixed code, and
/// the wrapper); the largest a stream of git's can be.
fn deflated_bound(size: usize) -> usize {
    size.saturating_add((size >> 3) + (size >> 8) + (size >> 9) + 4 + 6)
}

/// `len` bytes of `file` from `at`; an error where the file ends sooner. One
/// positioned read (`pread`): no lock, no seek, and threads share the file freely.
fn read_at(file: &File, at: u64, len: usize) -> std::io::Result<Vec<u8>> {
    let mut bytes = vec![0; len];
    read_exact_at(file, &mut bytes, at)?;
    Ok(bytes)
}

#[cfg(unix)]
fn read_exact_at(file: &File, bytes: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, at)
}

/// Windows reads at an offset too (`seek_read`), a part at a time.
#[cfg(windows)]
fn read_exact_at(file: &File, mut bytes: &mut [u8], mut at: u64) -> std::io::Result<()> {
    while !bytes.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, bytes, at)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            read => {
                bytes = &mut bytes[read..];
                at += read as u64;
            }
        }
    }
    Ok(())
}

fn damaged(pack: &Path, what: &str) -> ReadError {
    ReadError::damaged(format!("{} {what}", pack.display()))
}

fn unreadable(path: &Path, error: &std::io::Error) -> ReadError {
    ReadError::damaged(format!("cannot read {}: {error}", path.display()))
}

/// How the entry `input` starts with is stored, its inflated size, and the length of
/// its header.
fn parse_header(input: &[u8]) -> Option<(Stored, usize, usize)> {
    let mut bytes = input.iter();
    let mut byte = *bytes.next()?;
    let kind = (byte >> 4) & 7;
    let mut size = u64::from(byte & 15);
    let mut shift = 4;
    while byte & 0x80 != 0 {
        byte = *bytes.next()?;
        size |= u64::from(byte & 0x7f).checked_shl(shift)?;
        shift += 7;
    }
    let stored = match kind {
        1 => Stored::Whole(ObjectType::Commit),
        2 => Stored::Whole(ObjectType::Tree),
        3 => Stored::Whole(ObjectType::Blob),
        4 => Stored::Whole(ObjectType::Tag),
        6 => {
            byte = *bytes.next()?;
            let mut distance = u64::from(byte & 0x7f);
            while byte & 0x80 != 0 {
                byte = *bytes.next()?;
                distance = distance.checked_add(1)?.checked_mul(128)? | u64::from(byte & 0x7f);
            }
            Stored::OffsetDelta(distance)
        }
        7 => {
            let rest = bytes.as_slice();
            let id = rest.get(..20)?.try_into().ok()?;
            bytes = rest[20..].iter();
            Stored::RefDelta(id)
        }
        _ => return None,
    };
    let len = input.len() - bytes.as_slice().len();
    Some((stored, usize::try_from(size).ok()?, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pack of `body` between a pack header and a checksum of zeros, indexed with one
    /// object at `offset`.
    fn packed(body: &[u8], offset: u64) -> (tempfile::TempDir, Pack) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut data = b"PACK\0\0\0\x02\0\0\0\x01".to_vec();
        data.extend(body);
        data.extend([0; CHECKSUM]);
        std::fs::write(dir.path().join("p.pack"), data).expect("pack");
        let idx = dir.path().join("p.idx");
        std::fs::write(&idx, index::index_bytes(&[([7; 20], offset)])).expect("idx");
        let file = PackFile::open(&idx).expect("readable").expect("version 2");
        (dir, Pack::new(Arc::new(file), BASE_CACHE))
    }

    fn deflate(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = flate2::write::ZlibEncoder::new(&mut out, Default::default());
        std::io::Write::write_all(&mut encoder, bytes).expect("deflate");
        encoder.finish().expect("deflate");
        out
    }

    /// A pack body holding the blob "hello, world" at offset 12, then a delta against it
    /// (copy 7 bytes, insert "lock") by offset, then the same delta naming its base by
    /// id; and the offsets of the two deltas.
    fn sample() -> (Vec<u8>, u64, u64) {
        let delta = [12, 11, 0x91, 0, 7, 4, b'l', b'o', b'c', b'k'];
        let mut body = vec![0x30 | 12];
        body.extend(deflate(b"hello, world"));
        let by_offset = 12 + body.len() as u64;
        body.extend([0x60 | 10, (by_offset - 12) as u8]);
        body.extend(deflate(&delta));
        let by_id = 12 + body.len() as u64;
        body.push(0x70 | 10);
        body.extend([7; 20]);
        body.extend(deflate(&delta));
        (body, by_offset, by_id)
    }

    #[test]
    fn a_whole_object_and_deltas_by_offset_and_by_id_read_back() {
        let (body, by_offset, by_id) = sample();
        let (_dir, mut pack) = packed(&body, 12);
        let (kind, bytes) = pack.object(12).expect("whole");
        assert_eq!((kind, &bytes[..]), (ObjectType::Blob, &b"hello, world"[..]));
        for at in [by_offset, by_id] {
            let (kind, bytes) = pack.object(at).expect("delta");
            assert_eq!((kind, &bytes[..]), (ObjectType::Blob, &b"hello, lock"[..]));
        }
    }

    #[test]
    fn the_cache_keeps_the_bases_of_deltas_read_and_hands_out_the_objects_asked_for() {
        let (body, by_offset, _) = sample();
        let (_dir, mut pack) = packed(&body, 12);
        pack.object(by_offset).expect("delta");
        assert!(
            pack.bases.get(by_offset).is_none(),
            "the delta's object is the reader's"
        );
        let (_, base) = pack.object(12).expect("whole");
        assert_eq!(&base[..], b"hello, world");
        assert!(pack.bases.get(12).is_none(), "handed out, not kept twice");
        pack.object(by_offset).expect("delta");
        assert!(
            pack.bases.get(12).is_some(),
            "read again as a base, and kept"
        );
    }

    #[test]
    fn a_damaged_zlib_checksum_is_an_error() {
        let (mut body, by_offset, _) = sample();
        // The last byte of the blob's stream, which ends where the first delta starts.
        body[(by_offset - 12) as usize - 1] ^= 1;
        let (_dir, mut pack) = packed(&body, 12);
        let error = pack.object(12).expect_err("damaged");
        assert!(error.to_string().contains("does not inflate"), "{error}");
    }

    /// A pack body of blobs, each a zlib stream after an entry header declaring its
    /// size (`streams`: size and stream); and the offset of each entry.
    fn blobs(streams: &[(usize, Vec<u8>)]) -> (Vec<u8>, Vec<u64>) {
        let mut body = Vec::new();
        let mut offsets = Vec::new();
        for (size, stream) in streams {
            offsets.push(PACK_HEADER as u64 + body.len() as u64);
            let mut rest = size >> 4;
            let mut byte = 0x30 | (size & 15) as u8;
            while rest != 0 {
                body.push(byte | 0x80);
                byte = (rest & 0x7f) as u8;
                rest >>= 7;
            }
            body.push(byte);
            body.extend(stream);
        }
        (body, offsets)
    }

    /// Bytes that do not compress: zlib stores them in stored blocks.
    fn noise(len: usize, seed: u32) -> Vec<u8> {
        let mut state = seed | 1;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state as u8
            })
            .collect()
    }

    #[test]
    fn objects_across_the_ends_of_windows_read_back() {
        // Streams starting just before the end of the first window, larger than a
        // window, and inside one: stored and compressed.
        let large = noise(3 * window::WINDOW as usize, 1);
        let text = b"a line of text, again and again\n".repeat(2000);
        let filler = noise(window::WINDOW as usize - 40, 2);
        let objects = [filler, b"crosses".repeat(30), large, text, b"last".to_vec()];
        let streams: Vec<_> = objects.iter().map(|o| (o.len(), deflate(o))).collect();
        let (body, offsets) = blobs(&streams);
        assert!(
            offsets[1] < window::WINDOW && offsets[2] > window::WINDOW,
            "{offsets:?}"
        );
        let (_dir, mut pack) = packed(&body, offsets[0]);
        for (at, object) in offsets.iter().zip(&objects).rev() {
            assert!(at_once(&mut pack, *at), "inflated in one call");
            let (kind, bytes) = pack.object(*at).expect("sound");
            assert_eq!((kind, &bytes[..]), (ObjectType::Blob, &object[..]));
        }
    }

    /// Whether the entry at `at` inflates in one call.
    fn at_once(pack: &mut Pack, at: u64) -> bool {
        let header = pack.header(at).expect("a header");
        pack.inflate_at_once(&header, &mut Vec::new())
            .expect("readable")
    }

    #[test]
    fn a_stream_in_stored_blocks_reads_back() {
        let object = b"stored, not compressed".repeat(4000);
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::none());
        std::io::Write::write_all(&mut encoder, &object).expect("deflate");
        let stream = encoder.finish().expect("deflate");
        assert_eq!(stream[2] & 6, 0, "a stored block");
        let (body, offsets) = blobs(&[(object.len(), stream)]);
        let (_dir, mut pack) = packed(&body, offsets[0]);
        assert!(at_once(&mut pack, offsets[0]));
        assert_eq!(&pack.object(offsets[0]).expect("sound").1[..], &object[..]);
    }

    #[test]
    fn a_small_object_inflating_to_other_than_its_size_is_an_error() {
        // Short of the room past its end that it inflates into at once, or past it.
        let object = b"a small object, inflated at once\n".repeat(3);
        let stream = deflate(&object);
        let len = object.len();
        for size in [len - 1, len + 1, 1, len + FAST_ROOM] {
            let (body, offsets) = blobs(&[(size, stream.clone())]);
            let (_dir, mut pack) = packed(&body, offsets[0]);
            assert!(!at_once(&mut pack, offsets[0]), "{size}");
            let message = pack
                .object(offsets[0])
                .expect_err("misdeclared")
                .to_string();
            assert!(message.contains("does not inflate"), "{message}");
        }
        let (body, offsets) = blobs(&[(len, stream)]);
        let (_dir, mut pack) = packed(&body, offsets[0]);
        assert!(at_once(&mut pack, offsets[0]));
        assert_eq!(&pack.object(offsets[0]).expect("sound").1[..], &object[..]);
    }

    #[test]
    fn a_stream_longer_than_zlib_writes_reads_back() {
        // Each flush adds an empty stored block: valid, and longer than any bound. It
        // starts near a window's end, and ends past the bytes read for it at once.
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), Default::default());
        for _ in 0..50 {
            std::io::Write::write_all(&mut encoder, b"x").expect("deflate");
            std::io::Write::flush(&mut encoder).expect("flush");
        }
        let stream = encoder.finish().expect("deflate");
        assert!(
            stream.len() > 2 * window::MIN_SLICE as usize,
            "{}",
            stream.len()
        );
        let filler = noise(window::WINDOW as usize - 40, 4);
        let streams = [
            (filler.len(), deflate(&filler)),
            (50, stream),
            (1, deflate(b"y")),
        ];
        let (body, offsets) = blobs(&streams);
        assert!(
            (window::WINDOW - 20..window::WINDOW).contains(&offsets[1]),
            "{offsets:?}"
        );
        let (_dir, mut pack) = packed(&body, offsets[0]);
        assert!(
            !at_once(&mut pack, offsets[1]),
            "left to the streaming inflater"
        );
        assert_eq!(&pack.object(offsets[1]).expect("sound").1[..], &[b'x'; 50]);
    }

    #[test]
    fn truncated_and_misdeclared_streams_are_errors() {
        let object = noise(3 * window::WINDOW as usize, 3);
        let stream = deflate(&object);
        let error = |size: usize, stream: &[u8]| {
            let (body, offsets) = blobs(&[(size, stream.to_vec())]);
            let (_dir, mut pack) = packed(&body, offsets[0]);
            assert!(!at_once(&mut pack, offsets[0]), "damaged");
            pack.object(offsets[0]).expect_err("damaged").to_string()
        };
        let len = object.len();
        for (size, cut) in [(len, 1), (len, 100), (len, stream.len() / 2)] {
            let message = error(size, &stream[..stream.len() - cut]);
            assert!(message.contains("does not inflate"), "{message}");
        }
        for size in [len - 1, len + 1] {
            let message = error(size, &stream);
            assert!(message.contains("does not inflate"), "{message}");
        }
        let mut wrong_sum = stream.clone();
        *wrong_sum.last_mut().expect("adler32") ^= 0x10;
        let message = error(len, &wrong_sum);
        assert!(message.contains("does not inflate"), "{message}");
    }

    #[test]
    fn packs_that_do_not_fit_their_index_are_named() {
        let (body, ..) = sample();
        let damaged = |at: usize, byte: u8| {
            let (dir, _) = packed(&body, 12);
            let path = dir.path().join("p.pack");
            let mut data = std::fs::read(&path).expect("pack");
            let at = at.min(data.len() - 1);
            data[at] = byte;
            std::fs::write(&path, data).expect("pack");
            let error = PackFile::open(&dir.path().join("p.idx")).err();
            error.map(|e| e.to_string()).unwrap_or_default()
        };
        assert!(damaged(0, b'X').contains("does not start as a pack does"));
        assert!(damaged(7, 4).contains("version 4"));
        assert!(damaged(11, 2).contains("holds 2 objects by its header, where its index lists 1"));
        assert!(damaged(usize::MAX, 1).contains("does not end with the checksum its index names"));
        assert!(damaged(0, b'P').is_empty(), "sound");
    }

    proptest::proptest! {
        #[test]
        fn any_pack_bytes_read_as_an_object_or_an_error(
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..600),
            at in 0u64..700,
        ) {
            let (_dir, mut pack) = packed(&body, at);
            let _ = pack.object(at);
        }

        #[test]
        fn damaged_objects_read_as_an_object_or_an_error(
            flips in proptest::collection::vec((0usize..200, 1u8..=255), 1..4),
        ) {
            let (mut body, by_offset, by_id) = sample();
            for (at, bits) in flips {
                let at = at % body.len();
                body[at] ^= bits;
            }
            let (_dir, mut pack) = packed(&body, 12);
            for at in [12, by_offset, by_id] {
                let _ = pack.object(at);
            }
        }
    }
}
