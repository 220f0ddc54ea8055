//! The paths a commit tracks, for commands that look at the repository as a whole
//! (`validate`, `init`).

use git2::{ObjectType, TreeWalkMode, TreeWalkResult};

use super::Repo;
use super::error::{Context, GitError};

impl Repo {
    /// Every file path in HEAD's tree, sorted; empty on an unborn branch. Submodules
    /// count as paths; trees do not.
    pub fn tracked_paths(&self) -> Result<Vec<String>, GitError> {
        let Some(head) = self.head()? else {
            return Ok(Vec::new());
        };
        let tree = self
            .repo
            .find_commit(head)
            .and_then(|commit| commit.tree())
            .context(|| format!("cannot read the tree of {head}"))?;
        let mut paths = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() != Some(ObjectType::Tree)
                && let Some(name) = entry.name()
            {
                paths.push(format!("{dir}{name}"));
            }
            TreeWalkResult::Ok
        })
        .context(|| format!("cannot list the files of {head}"))?;
        paths.sort_unstable();
        Ok(paths)
    }
}
