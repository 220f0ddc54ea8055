//! Reading loose objects ourselves. libgit2 1.9 loops forever on a truncated loose
//! object (its inflate loop takes zlib's "need more input" for progress), so a loose
//! object is inflated here, where a truncated stream is an error naming the object.

use std::path::PathBuf;

use git2::{ObjectType, Oid, Repository};

/// The loose object's kind and content, or `None` when it is not stored loose (packed,
/// or in an alternate), for libgit2 to read.
pub(super) fn read(
    repo: &Repository,
    id: Oid,
) -> Result<Option<(ObjectType, Vec<u8>)>, git2::Error> {
    let Ok(compressed) = std::fs::read(path(repo, id)) else {
        return Ok(None);
    };
    let corrupt = |what: &str| {
        git2::Error::from_str(&format!(
            "loose object {id} is {what}; run `git fsck` to find damaged objects"
        ))
    };
    let raw = miniz_oxide::inflate::decompress_to_vec_zlib(&compressed)
        .map_err(|_| corrupt("truncated or corrupt"))?;
    let nul = memchr::memchr(0, &raw).ok_or_else(|| corrupt("missing its header"))?;
    let header = std::str::from_utf8(&raw[..nul]).map_err(|_| corrupt("missing its header"))?;
    let (kind, size) = header
        .split_once(' ')
        .ok_or_else(|| corrupt("missing its header"))?;
    let kind = ObjectType::from_str(kind).ok_or_else(|| corrupt("of an unknown type"))?;
    let data = raw[nul + 1..].to_vec();
    if size.parse::<usize>().ok() != Some(data.len()) {
        return Err(corrupt("truncated"));
    }
    Ok(Some((kind, data)))
}

fn path(repo: &Repository, id: Oid) -> PathBuf {
    let hex = id.to_string();
    repo.commondir()
        .join("objects")
        .join(&hex[..2])
        .join(&hex[2..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_loose_blob_and_rejects_it_truncated() {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repository::init(dir.path()).expect("init");
        let id = repo.blob(b"hello\n").expect("blob");
        let (kind, data) = read(&repo, id).expect("read").expect("loose");
        assert_eq!(kind, ObjectType::Blob);
        assert_eq!(data, b"hello\n");
        let file = path(&repo, id);
        let bytes = std::fs::read(&file).expect("object");
        let mut permissions = std::fs::metadata(&file).expect("meta").permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(&file, permissions).expect("chmod");
        std::fs::write(&file, &bytes[..bytes.len() / 2]).expect("truncate");
        let error = read(&repo, id).expect_err("truncated");
        assert!(error.message().contains(&id.to_string()), "{error}");
    }

    #[test]
    fn objects_not_stored_loose_are_left_to_libgit2() {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repository::init(dir.path()).expect("init");
        assert!(read(&repo, Oid::zero()).expect("read").is_none());
    }
}
