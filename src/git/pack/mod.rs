//! Reading objects from pack files ourselves: the `.idx` says where an object starts,
//! the pack is read in small windows the threads share, one inflater per thread serves
//! every object, and deltas are resolved over a cache of the bases resolved lately. libgit2 reads packs
//! behind a lock with an allocation or two per object; a [`Pack`] per thread lets an
//! audit's workers read in parallel.

mod delta;
mod index;
mod window;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex, PoisonError};

use flate2::{Decompress, FlushDecompress, Status};
use git2::ObjectType;

use super::recent::Recent;
use index::Index;
use window::{SharedWindows, Windows};

/// Bytes of resolved delta bases one generation of a pack's cache holds.
const BASE_CACHE_GENERATION: usize = 8 << 20;
/// Deflate's best ratio: a size larger than this many times the bytes left in the pack
/// is corrupt, and must not be allocated.
const MAX_RATIO: u64 = 1032;
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
    /// Opens the pack of the index at `idx`; `Ok(None)` when the index is of a version
    /// this reader leaves to libgit2.
    pub fn open(idx: &Path) -> std::io::Result<Option<PackFile>> {
        let Some(index) = Index::open(File::open(idx)?)? else {
            return Ok(None);
        };
        let path = idx.with_extension("pack");
        let data = Arc::new(SharedWindows::new(File::open(&path)?)?);
        Ok(Some(PackFile { path, index, data }))
    }
}

/// One thread's reader of a pack: the windows it is reading, its inflater and its cache
/// of delta bases.
pub(super) struct Pack {
    file: Arc<PackFile>,
    windows: Windows,
    inflater: Decompress,
    bases: Recent<u64, Object>,
    /// The data of the entry inflated last, and the object its delta built: kept, so
    /// reading an object allocates only its own bytes.
    inflated: Vec<u8>,
    built: Vec<u8>,
}

/// How an entry is stored: whole, or as a delta against a base entry found by its
/// distance back in the pack or by its id.
enum Stored {
    Whole(ObjectType),
    OffsetDelta(u64),
    RefDelta([u8; 20]),
}

/// An entry's header: how it is stored, its inflated size, where its data starts.
struct Header {
    stored: Stored,
    size: usize,
    data: u64,
}

impl Pack {
    pub fn new(file: Arc<PackFile>) -> Pack {
        Pack {
            windows: Windows::new(Arc::clone(&file.data)),
            file,
            inflater: Decompress::new(false),
            bases: Recent::new(BASE_CACHE_GENERATION),
            inflated: Vec::new(),
            built: Vec::new(),
        }
    }

    /// Where the pack holds `id`, if it does.
    pub fn offset(&self, id: &[u8]) -> Option<u64> {
        self.file.index.offset(id)
    }

    /// The object stored at `offset`, with its deltas resolved.
    pub fn object(&mut self, offset: u64) -> Result<Object, git2::Error> {
        let mut deltas = Vec::new();
        let mut at = offset;
        let (kind, mut bytes) = loop {
            if let Some(base) = self.bases.get(at) {
                break base;
            }
            let header = self.header(at)?;
            let base = match header.stored {
                Stored::Whole(kind) => {
                    self.inflate(&header)?;
                    break (kind, Rc::from(&self.inflated[..]));
                }
                Stored::OffsetDelta(distance) => at
                    .checked_sub(distance)
                    .filter(|_| distance > 0)
                    .ok_or_else(|| self.corrupt(at, "a delta against an entry outside the pack"))?,
                Stored::RefDelta(id) => self
                    .offset(&id)
                    .ok_or_else(|| self.corrupt(at, "a delta against an object it lacks"))?,
            };
            if deltas.len() == MAX_CHAIN {
                return Err(self.corrupt(offset, "a delta chain too long"));
            }
            deltas.push((at, header));
            at = base;
        };
        while let Some((at, header)) = deltas.pop() {
            self.inflate(&header)?;
            delta::apply(&bytes, &self.inflated, &mut self.built)
                .ok_or_else(|| self.corrupt(at, "a delta that does not fit its base"))?;
            bytes = Rc::from(&self.built[..]);
            self.bases.insert(at, (kind, Rc::clone(&bytes)));
        }
        // A large object's buffers are not worth keeping.
        for buffer in [&mut self.inflated, &mut self.built] {
            if buffer.capacity() > KEPT_BUFFER {
                *buffer = Vec::new();
            }
        }
        Ok((kind, bytes))
    }

    fn header(&mut self, at: u64) -> Result<Header, git2::Error> {
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
    /// `self.inflated`.
    fn inflate(&mut self, header: &Header) -> Result<(), git2::Error> {
        let left = self.windows.len().saturating_sub(header.data);
        if header.size as u64 > left.saturating_mul(MAX_RATIO) + MAX_RATIO {
            return Err(self.corrupt(header.data, "a size its data cannot hold"));
        }
        let stream = self
            .windows
            .at(header.data)
            .map_err(|e| unreadable(&self.file.path, &e))?;
        if !zlib_header(stream) {
            return Err(self.corrupt(header.data, "data that is not a zlib stream"));
        }
        // The deflate data after the zlib header; its checksum after it is left unread,
        // as the object ids that would catch more are not checked either (see
        // `Repo::discover`).
        let deflate = header.data + ZLIB_HEADER;
        // One byte to spare lets zlib read the stream's end once the data is out.
        let out = &mut self.inflated;
        out.clear();
        out.reserve(header.size + 1);
        self.inflater.reset(false);
        loop {
            let read = self.inflater.total_in();
            let input = self
                .windows
                .at(deflate + read)
                .map_err(|e| unreadable(&self.file.path, &e))?;
            let status = self
                .inflater
                .decompress_vec(input, out, FlushDecompress::None);
            let progress = self.inflater.total_in() > read;
            match status {
                Ok(Status::StreamEnd) if out.len() == header.size => return Ok(()),
                Ok(Status::Ok) if progress && out.len() <= header.size => {}
                _ => return Err(self.corrupt(header.data, "data that does not inflate")),
            }
        }
    }

    fn corrupt(&self, at: u64, what: &str) -> git2::Error {
        git2::Error::from_str(&format!(
            "{} has {what} at offset {at}; run `git fsck` to find damaged objects",
            self.file.path.display()
        ))
    }
}

/// Bytes of a zlib header: method and window size, then flags.
const ZLIB_HEADER: u64 = 2;

/// Whether `stream` starts with the header of a zlib stream of deflate data with no
/// preset dictionary, as git writes them.
fn zlib_header(stream: &[u8]) -> bool {
    match stream {
        [method, flags, ..] => {
            let check = u16::from(*method) << 8 | u16::from(*flags);
            method & 0x0f == 8 && method >> 4 <= 7 && flags & 0x20 == 0 && check % 31 == 0
        }
        _ => false,
    }
}

/// `len` bytes of `file` from `at`; an error where the file ends sooner. The lock
/// keeps threads from moving each other's position.
fn read_at(file: &Mutex<File>, at: u64, len: usize) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(len);
    let mut file = file.lock().unwrap_or_else(PoisonError::into_inner);
    file.seek(SeekFrom::Start(at))?;
    (&mut *file).take(len as u64).read_to_end(&mut bytes)?;
    if bytes.len() != len {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(bytes)
}

fn unreadable(path: &Path, error: &std::io::Error) -> git2::Error {
    git2::Error::from_str(&format!("cannot read {}: {error}", path.display()))
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

    /// A pack of `body` after a pack header, indexed with one object at `offset`.
    fn packed(body: &[u8], offset: u64) -> (tempfile::TempDir, Pack) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut data = b"PACK\0\0\0\x02\0\0\0\x01".to_vec();
        data.extend(body);
        std::fs::write(dir.path().join("p.pack"), data).expect("pack");
        let idx = dir.path().join("p.idx");
        std::fs::write(&idx, index::index_bytes(&[([7; 20], offset)])).expect("idx");
        let file = PackFile::open(&idx).expect("readable").expect("version 2");
        (dir, Pack::new(Arc::new(file)))
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
