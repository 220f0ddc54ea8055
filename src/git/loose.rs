//! Reading loose objects ourselves. libgit2 1.9 loops forever on a truncated loose
//! object (its inflate loop takes zlib's "need more input" for progress), so a loose
//! object is inflated here, where a truncated stream is an error naming the object.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use git2::ObjectType;

use super::error::ReadError;
use super::id::Id;
use super::pack::MAX_RATIO;
use super::pack::Object;

/// The loose object's kind and content, or `None` when `objects` (a repository's
/// objects directory) does not hold it loose. The size its header declares must fit
/// what the file can hold and be exactly what it inflates to, and the zlib stream's
/// checksum must match.
pub(super) fn read(objects: &Path, id: Id) -> Result<Option<Object>, ReadError> {
    let Ok(compressed) = std::fs::read(path(objects, id)) else {
        return Ok(None);
    };
    let corrupt = |what: &str| ReadError::damaged(format!("loose object {id} is {what}"));
    let mut stream = flate2::read::ZlibDecoder::new(&compressed[..]);
    // The header, and the first bytes of the content after it.
    let mut start = Vec::new();
    (&mut stream)
        .take(MAX_HEADER)
        .read_to_end(&mut start)
        .map_err(|_| corrupt("truncated or corrupt"))?;
    let nul = memchr::memchr(0, &start).ok_or_else(|| corrupt("missing its header"))?;
    let header = std::str::from_utf8(&start[..nul]).map_err(|_| corrupt("missing its header"))?;
    let (kind, size) = header
        .split_once(' ')
        .ok_or_else(|| corrupt("missing its header"))?;
    let kind = ObjectType::from_str(kind).ok_or_else(|| corrupt("of an unknown type"))?;
    let size = size
        .parse::<u64>()
        .ok()
        .filter(|&size| size <= compressed.len() as u64 * MAX_RATIO)
        .ok_or_else(|| corrupt("declaring a size its data cannot hold"))?;
    let mut data = Vec::with_capacity(size as usize);
    data.extend_from_slice(&start[nul + 1..]);
    // One byte more than declared, to see that there is no more.
    stream
        .take((size + 1).saturating_sub(data.len() as u64))
        .read_to_end(&mut data)
        .map_err(|_| corrupt("truncated or corrupt"))?;
    if data.len() as u64 != size {
        return Err(corrupt("not of the size its header declares"));
    }
    Ok(Some((kind, Rc::from(data))))
}

/// Bytes of an object header ("blob 1234" and its NUL), at most.
const MAX_HEADER: u64 = 32;

fn path(objects: &Path, id: Id) -> PathBuf {
    let hex = id.to_string();
    objects.join(&hex[..2]).join(&hex[2..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_loose_blob_and_rejects_it_truncated() {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = git2::Repository::init(dir.path()).expect("init");
        let id = Id::from(repo.blob(b"hello\n").expect("blob"));
        let objects = repo.path().join("objects");
        let (kind, data) = read(&objects, id).expect("read").expect("loose");
        assert_eq!(kind, ObjectType::Blob);
        assert_eq!(&data[..], b"hello\n");
        let file = path(&objects, id);
        let bytes = std::fs::read(&file).expect("object");
        let mut permissions = std::fs::metadata(&file).expect("meta").permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(&file, permissions).expect("chmod");
        std::fs::write(&file, &bytes[..bytes.len() / 2]).expect("truncate");
        let error = read(&objects, id).expect_err("truncated");
        assert!(error.to_string().contains(&id.to_string()), "{error}");
    }

    /// Writes `raw` (header and content), deflated, as the loose object `id`.
    fn write_loose(objects: &Path, id: Id, raw: &[u8]) {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), Default::default());
        std::io::Write::write_all(&mut encoder, raw).expect("deflate");
        let file = path(objects, id);
        std::fs::create_dir_all(file.parent().expect("dir")).expect("mkdir");
        std::fs::write(file, encoder.finish().expect("deflate")).expect("write");
    }

    #[test]
    fn sizes_other_than_the_content_and_damaged_checksums_are_errors() {
        let dir = tempfile::tempdir().expect("temp dir");
        let id = Id([7; 20]);
        let error = |raw: &[u8]| {
            write_loose(dir.path(), id, raw);
            read(dir.path(), id).expect_err("damaged").to_string()
        };
        assert!(error(b"blob 99999999999\0hello").contains("size its data cannot hold"));
        assert!(error(b"blob 4\0hello").contains("not of the size its header declares"));
        assert!(error(b"blob 6\0hello").contains("not of the size its header declares"));
        assert!(error(b"blob 5hello").contains("missing its header"));
        write_loose(dir.path(), id, b"blob 5\0hello");
        let (_, data) = read(dir.path(), id).expect("sound").expect("loose");
        assert_eq!(&data[..], b"hello");
        let file = path(dir.path(), id);
        let mut bytes = std::fs::read(&file).expect("object");
        *bytes.last_mut().expect("checksum") ^= 1;
        std::fs::write(&file, bytes).expect("write");
        let error = read(dir.path(), id).expect_err("checksum");
        assert!(error.to_string().contains("corrupt"), "{error}");
    }

    #[test]
    fn objects_not_stored_loose_are_none() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(read(dir.path(), Id::ZERO).expect("read").is_none());
    }
}
