//! Where the files a diff leaves as they were live, so the engine can ask whether a
//! path the diff does not touch exists on its head side (an annotation target that
//! names a file that never existed is an error, not a companion left unchanged).

use std::collections::HashMap;
use std::rc::Rc;

use git2::Oid;

use super::Repo;
use super::error::GitError;
use super::id::Id;
use super::tree_walk::{Blob, Entry, read_tree, tree_entries};

/// The snapshot holding every path a diff does not touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unchanged {
    /// A commit's tree (`None`: the empty tree of an unborn branch). A range or a commit
    /// leads to its head commit; staged and work-tree changes are against HEAD, so what
    /// they leave untouched is HEAD's.
    Tree(Option<Oid>),
    /// The index of the work tree: a patch applies to the work tree's files.
    Index,
}

/// What a path names in a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PathEntry {
    /// A blob, symlink or submodule.
    File(Blob),
    Dir(Id),
}

/// Trees read while looking paths up, by id: the lookups of one diff share directories.
#[derive(Default)]
pub(super) struct Trees(HashMap<Id, Rc<[u8]>>);

impl Repo {
    /// A lookup of the paths in `unchanged`.
    pub fn lookup(&self, unchanged: Unchanged) -> Lookup<'_> {
        Lookup {
            repo: self,
            unchanged,
            tree: None,
            trees: Trees::default(),
            index: None,
        }
    }

    /// What the `/`-separated `path` names in the tree `root`, read as git reads it
    /// (a replaced tree as its replacement); `None` when nothing is there. `list`
    /// reads a tree (its path given for errors), from whatever cache the caller keeps.
    pub(super) fn path_entry(
        &self,
        root: Id,
        path: &str,
        mut list: impl FnMut(Id, &[u8]) -> Result<Rc<[u8]>, GitError>,
    ) -> Result<Option<PathEntry>, GitError> {
        let mut at = PathEntry::Dir(root);
        let mut prefix = Vec::new();
        for name in path.split('/').filter(|name| !name.is_empty()) {
            let PathEntry::Dir(id) = at else {
                return Ok(None);
            };
            let listing = list(id, &prefix)?;
            let found = tree_entries(&listing, |id| id).find_map(|entry| match entry {
                Entry::File { name: n, blob } if n == name.as_bytes() => {
                    Some(PathEntry::File(blob))
                }
                Entry::Dir { name: n, dir } if n == name.as_bytes() => Some(PathEntry::Dir(dir)),
                _ => None,
            });
            let Some(found) = found else {
                return Ok(None);
            };
            at = found;
            prefix.extend_from_slice(name.as_bytes());
            prefix.push(b'/');
        }
        Ok(Some(at))
    }
}

impl Trees {
    /// The tree `id` (at `prefix`, for errors), read from the repository once.
    pub(super) fn listing(
        &mut self,
        repo: &Repo,
        id: Id,
        prefix: &[u8],
    ) -> Result<Rc<[u8]>, GitError> {
        if let Some(listing) = self.0.get(&id) {
            return Ok(Rc::clone(listing));
        }
        let listing = read_tree(repo, id, prefix)?;
        self.0.insert(id, Rc::clone(&listing));
        Ok(listing)
    }
}

/// Answers "does this path exist?" for paths a diff does not touch, reading the
/// snapshot once and only when first asked.
pub struct Lookup<'r> {
    repo: &'r Repo,
    unchanged: Unchanged,
    /// The root tree of [`Unchanged::Tree`], once read (`None` inside: no tree).
    tree: Option<Option<Id>>,
    trees: Trees,
    /// Sorted paths of the index, for [`Unchanged::Index`].
    index: Option<Vec<String>>,
}

impl Lookup<'_> {
    /// Whether `path` (repository-relative; ending in `/` for a directory, which
    /// exists when something is tracked under it) exists in the snapshot. A file path
    /// naming a directory does not exist as a file.
    pub fn exists(&mut self, path: &str) -> Result<bool, GitError> {
        match self.unchanged {
            Unchanged::Tree(commit) => self.in_tree(commit, path),
            Unchanged::Index => self.in_index(path),
        }
    }

    fn in_tree(&mut self, commit: Option<Oid>, path: &str) -> Result<bool, GitError> {
        let root = match self.tree {
            Some(root) => root,
            None => *self.tree.insert(self.repo.tree_of(commit)?),
        };
        let Some(root) = root else {
            return Ok(false);
        };
        let directory = path.ends_with('/');
        let name = path.trim_end_matches('/');
        if name.is_empty() {
            return Ok(false);
        }
        Ok(
            match self.repo.path_entry(root, name, |id, prefix| {
                self.trees.listing(self.repo, id, prefix)
            })? {
                Some(PathEntry::Dir(_)) => directory,
                Some(PathEntry::File(_)) => !directory,
                None => false,
            },
        )
    }

    fn in_index(&mut self, path: &str) -> Result<bool, GitError> {
        if self.index.is_none() {
            let mut paths = self.repo.index_paths()?;
            paths.sort_unstable();
            self.index = Some(paths);
        }
        let paths = self.index.as_deref().unwrap_or_default();
        if path.ends_with('/') {
            let from = paths.partition_point(|p| p.as_str() < path);
            return Ok(paths.get(from).is_some_and(|p| p.starts_with(path)));
        }
        Ok(paths.binary_search_by(|p| p.as_str().cmp(path)).is_ok())
    }
}
