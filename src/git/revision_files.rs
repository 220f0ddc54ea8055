//! Reading the rule set from a revision, so a pull request is checked against the rules
//! of its base (`--config-from base`).

use std::cell::RefCell;
use std::io;
use std::path::Path;

use super::Repo;
use super::error::GitError;
use super::id::Id;
use super::unchanged::{PathEntry, Trees};
use crate::config::{ConfigFiles, outside};
use crate::repo_path;

/// Files of one commit's tree.
pub struct RevisionFiles<'r> {
    repo: &'r Repo,
    /// The commit's root tree.
    tree: Id,
    trees: RefCell<Trees>,
    name: String,
}

impl Repo {
    /// The files of the commit `rev` names.
    pub fn files_at(&self, rev: &str) -> Result<RevisionFiles<'_>, GitError> {
        let commit = self.resolve(rev)?;
        let tree = self.read_commit(commit)?.tree;
        let short = commit.to_string()[..12].to_owned();
        Ok(RevisionFiles {
            repo: self,
            tree,
            trees: RefCell::default(),
            name: format!("revision {short}"),
        })
    }
}

const SYMLINK: u32 = 0o120000;
const GITLINK: u32 = 0o160000;

/// Symbolic links followed in a row before a file is taken as unreadable (git stops at
/// 40 when it resolves links in a tree, `get_tree_entry_follow_symlinks`).
const MAX_LINKS: usize = 40;

/// The error and what to do about it, for a message that has no room for a help line.
fn with_help(error: &GitError) -> String {
    match miette::Diagnostic::help(error) {
        Some(help) => format!("{error} ({help})"),
        None => error.to_string(),
    }
}

impl ConfigFiles for RevisionFiles<'_> {
    /// Symbolic links in the tree are followed while they stay inside it, as a checkout
    /// of the revision would resolve them.
    fn read(&self, path: &str) -> io::Result<Option<String>> {
        let mut path = path.to_owned();
        for _ in 0..MAX_LINKS {
            let mut trees = self.trees.borrow_mut();
            let found = self.repo.path_entry(self.tree, &path, |id, prefix| {
                trees.listing(self.repo, id, prefix)
            });
            let blob = match found.map_err(|e| io::Error::other(with_help(&e)))? {
                None => return Ok(None),
                Some(PathEntry::File(blob)) if blob.mode != GITLINK => blob,
                Some(_) => return Err(io::Error::other("not a file")),
            };
            // Through lockstep's reader, which fetches what a partial clone lacks.
            let context = || format!("cannot read the blob {} of `{path}`", blob.id);
            let (_, bytes) = self
                .repo
                .read_object(blob.id, context)
                .map_err(|e| io::Error::other(with_help(&e)))?;
            let text = String::from_utf8(bytes.to_vec())
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8"))?;
            if blob.mode != SYMLINK {
                return Ok(Some(text));
            }
            let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
            path = repo_path::join(dir, Path::new(&text)).ok_or_else(|| outside(&text))?;
        }
        Err(io::Error::other(format!(
            "more than {MAX_LINKS} symbolic links in a row"
        )))
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}
