//! Reading loose objects ourselves. libgit2 1.9 loops forever on a truncated loose
//! object (its inflate loop takes zlib's "need more input" for progress), so a loose
//! object is inflated here, where a truncated stream is an error naming the object.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use git2::ObjectType;

use super::id::Id;
use super::pack::Object;

/// The loose object's kind and content, or `None` when `objects` (a repository's
/// objects directory) does not hold it loose.
pub(super) fn read(objects: &Path, id: Id) -> Result<Option<Object>, git2::Error> {
    let Ok(compressed) = std::fs::read(path(objects, id)) else {
        return Ok(None);
    };
    let corrupt = |what: &str| {
        git2::Error::from_str(&format!(
            "loose object {id} is {what}; run `git fsck` to find damaged objects"
        ))
    };
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&compressed[..])
        .read_to_end(&mut raw)
        .map_err(|_| corrupt("truncated or corrupt"))?;
    let nul = memchr::memchr(0, &raw).ok_or_else(|| corrupt("missing its header"))?;
    let header = std::str::from_utf8(&raw[..nul]).map_err(|_| corrupt("missing its header"))?;
    let (kind, size) = header
        .split_once(' ')
        .ok_or_else(|| corrupt("missing its header"))?;
    let kind = ObjectType::from_str(kind).ok_or_else(|| corrupt("of an unknown type"))?;
    let data = &raw[nul + 1..];
    if size.parse::<usize>().ok() != Some(data.len()) {
        return Err(corrupt("truncated"));
    }
    Ok(Some((kind, Rc::from(data))))
}

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
        assert!(error.message().contains(&id.to_string()), "{error}");
    }

    #[test]
    fn objects_not_stored_loose_are_none() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(read(dir.path(), Id::ZERO).expect("read").is_none());
    }
}
