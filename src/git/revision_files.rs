//! Reading the rule set from a revision, so a pull request is checked against the rules
//! of its base (`--config-from base`).

use std::io;
use std::path::Path;

use git2::{Oid, Tree};

use super::Repo;
use super::error::{Context, GitError};
use crate::config::ConfigFiles;

/// Files of one commit's tree.
pub struct RevisionFiles<'r> {
    repo: &'r git2::Repository,
    tree: Tree<'r>,
    name: String,
}

impl Repo {
    /// The files of the commit `rev` names.
    pub fn files_at(&self, rev: &str) -> Result<RevisionFiles<'_>, GitError> {
        let commit: Oid = self.resolve(rev)?;
        let commit = self
            .repo
            .find_commit(commit)
            .context(|| format!("cannot read commit {commit}"))?;
        let tree = commit
            .tree()
            .context(|| format!("cannot read the tree of {}", commit.id()))?;
        let short = commit.id().to_string()[..12].to_owned();
        Ok(RevisionFiles {
            repo: &self.repo,
            tree,
            name: format!("revision {short}"),
        })
    }
}

impl ConfigFiles for RevisionFiles<'_> {
    fn read(&self, path: &str) -> io::Result<Option<String>> {
        let Ok(entry) = self.tree.get_path(Path::new(path)) else {
            return Ok(None);
        };
        let blob = self
            .repo
            .find_blob(entry.id())
            .map_err(|e| io::Error::other(e.message().to_owned()))?;
        String::from_utf8(blob.content().to_vec())
            .map(Some)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8"))
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}
