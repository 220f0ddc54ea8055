//! git's on-disk formats as lockstep parses them, from bytes: the entry points of the
//! fuzz targets (`fuzz/`), which reach nothing else of the git layer.

use super::commit_object;
use super::id::Id;
use super::index_file::IndexFile;
use super::pack::apply_delta;
use super::tree_walk::{Entry, tree_entries, tree_is_valid};

/// A commit object's body: its committer time in its time zone, `None` when malformed.
pub fn commit(bytes: &[u8]) -> Option<i64> {
    commit_object::parse(bytes).map(|commit| commit.local_time())
}

/// A tree object's body: how many entries name a directory and how many a file, `None`
/// when malformed.
pub fn tree(bytes: &[u8]) -> Option<(usize, usize)> {
    if !tree_is_valid(bytes) {
        return None;
    }
    Some(
        tree_entries(bytes, |id: Id| id).fold((0, 0), |(dirs, files), entry| match entry {
            Entry::Dir { .. } => (dirs + 1, files),
            Entry::File { .. } => (dirs, files + 1),
        }),
    )
}

/// An index file: every entry's path length, `None` when git would not read it here
/// either (damaged, or a format left to libgit2).
pub fn index(bytes: &[u8]) -> Option<Vec<usize>> {
    let index = IndexFile::parse(bytes.to_vec()).ok()?;
    Some(index.entries.iter().map(|e| index.path(e).len()).collect())
}

/// The object a delta builds from `base`, `None` when the delta does not fit it.
pub fn delta(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
    let mut result = Vec::new();
    apply_delta(base, delta, &mut result).map(|()| result)
}
