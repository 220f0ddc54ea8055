//! Where the files a diff leaves as they were live, so the engine can ask whether a
//! path the diff does not touch exists on its head side (an annotation target that
//! names a file that never existed is an error, not a companion left unchanged).

use std::path::Path;

use git2::{ObjectType, Oid, Tree};

use super::Repo;
use super::error::{Context, GitError};

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

/// Answers "does this path exist?" for paths a diff does not touch, reading the
/// snapshot once and only when first asked.
pub struct Lookup<'r> {
    repo: &'r Repo,
    unchanged: Unchanged,
    tree: Option<Option<Tree<'r>>>,
    /// Sorted paths of the index, for [`Unchanged::Index`].
    index: Option<Vec<String>>,
}

impl Repo {
    /// A lookup of the paths in `unchanged`.
    pub fn lookup(&self, unchanged: Unchanged) -> Lookup<'_> {
        Lookup {
            repo: self,
            unchanged,
            tree: None,
            index: None,
        }
    }
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
        if self.tree.is_none() {
            let tree = match self.repo.tree_of(commit)? {
                Some(id) => Some(
                    self.repo
                        .repo
                        .find_tree(id.oid())
                        .context(|| format!("cannot read the tree {}", id.oid()))?,
                ),
                None => None,
            };
            self.tree = Some(tree);
        }
        let Some(Some(tree)) = &self.tree else {
            return Ok(false);
        };
        let directory = path.ends_with('/');
        let entry = match tree.get_path(Path::new(path.trim_end_matches('/'))) {
            Ok(entry) => entry,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(false),
            Err(e) => return Err(e).context(|| format!("cannot look up `{path}`")),
        };
        Ok((entry.kind() == Some(ObjectType::Tree)) == directory)
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
