//! The files git tracks, for commands that look at the repository as a whole
//! (`validate`, `init`, the annotation scan). Untracked and ignored files are never
//! listed, so a scan never walks `target/` or `node_modules/`.

use git2::Oid;

use super::Repo;
use super::error::{Context, GitError};
use super::git_cli;
use super::id::Id;
use super::index_file::{IndexFile, Unreadable};
use super::quote::path_text;
use crate::change::Content;

const MODE_TYPE: u32 = 0o170000;
const MODE_REGULAR: u32 = 0o100000;

/// One tracked regular file and where to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedFile {
    /// `/`-separated; a name that is not UTF-8 carries git's `core.quotePath` escapes.
    pub path: String,
    pub content: Content,
}

impl Repo {
    /// Every path in HEAD's tree, sorted; empty on an unborn branch. Submodules and
    /// symlinks count as paths; directories do not.
    pub fn tracked_paths(&self) -> Result<Vec<String>, GitError> {
        let entries = self.tree_entries(self.head()?)?;
        let mut paths: Vec<String> = entries.into_iter().map(|(path, _)| path).collect();
        paths.sort_unstable();
        Ok(paths)
    }

    /// Every tracked regular file (no submodules, no symlinks): from the index, read
    /// from the work tree, when there is one; else from HEAD's tree.
    pub fn tracked_files(&self) -> Result<Vec<TrackedFile>, GitError> {
        match self.workdir() {
            Some(root) => Ok(regular(self.index_entries(root)?)),
            None => self.files_at_commit(self.head()?),
        }
    }

    /// Every path of the index (submodules and symlinks included) when there is a work
    /// tree; else every path of HEAD's tree.
    pub(super) fn index_paths(&self) -> Result<Vec<String>, GitError> {
        match self.workdir() {
            Some(root) => Ok(self
                .index_entries(root)?
                .into_iter()
                .map(|(path, _)| path)
                .collect()),
            None => self.tracked_paths(),
        }
    }

    /// Every regular file (no submodules, no symlinks) of a commit's tree, to be read
    /// from the object store; none for `None` (an unborn branch).
    pub fn files_at_commit(&self, commit: Option<Oid>) -> Result<Vec<TrackedFile>, GitError> {
        Ok(regular(self.tree_entries(commit)?))
    }

    /// The index's stage-0 paths, to be read from the work tree, or from the index
    /// where a sparse checkout leaves them out of it.
    fn index_entries(&self, root: &std::path::Path) -> Result<Vec<(String, Content)>, GitError> {
        let path = self.index_path(None);
        let data = match std::fs::read(&path) {
            Ok(data) => data,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(e).context(|| format!("cannot read the index at `{}`", path.display()));
            }
        };
        match IndexFile::parse(data) {
            Ok(index) => Ok(index
                .entries
                .iter()
                .filter(|e| !e.conflicted)
                .map(|e| {
                    let content = entry_content(e.mode, e.id, e.skip_worktree);
                    (path_text(index.path(e)), content)
                })
                .collect()),
            Err(Unreadable::Unsupported(why)) => git_cli::index_entries(root, &path, why),
            Err(Unreadable::Corrupt(reason)) => Err(GitError::Index {
                path: path.display().to_string(),
                reason,
            }),
        }
    }

    /// Every non-directory entry of a commit's tree, read as git reads it (replaced
    /// trees as their replacements).
    fn tree_entries(&self, commit: Option<Oid>) -> Result<Vec<(String, Content)>, GitError> {
        let changes = self.tree_changes(None, self.tree_of(commit)?)?;
        Ok(changes
            .into_iter()
            .filter_map(|change| Some((change.path, change.new?)))
            .collect())
    }
}

/// Where an index entry's content is: the work tree, unless the entry is outside a
/// sparse checkout (skip-worktree), whose content git reads from the index.
pub(super) fn entry_content(mode: u32, id: Id, skip_worktree: bool) -> Content {
    if skip_worktree {
        Content::Object { id: id.0, mode }
    } else {
        Content::WorkTree { mode }
    }
}

/// The regular files (no submodules, no symlinks) among `entries`.
fn regular(entries: Vec<(String, Content)>) -> Vec<TrackedFile> {
    entries
        .into_iter()
        .filter(|(_, content)| content.mode() & MODE_TYPE == MODE_REGULAR)
        .map(|(path, content)| TrackedFile { path, content })
        .collect()
}
