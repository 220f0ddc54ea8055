//! The changes one commit made: the seam history-wide analyses (`suggest`) walk through.

use git2::Oid;

use super::Repo;
use super::commit_object::Commit;
use super::error::{Context, GitError};
use crate::change::Change;

impl Repo {
    /// The changes `commit` made against its parent (a root commit against the empty
    /// tree), paths only: no line diffs are loaded. `None` for a merge commit, which has
    /// no single change of its own, and for the oldest commit of a shallow clone, whose
    /// parent is missing.
    pub fn commit_changes(&self, commit: &Commit) -> Result<Option<Vec<Change>>, GitError> {
        let id = Oid::from_str(&commit.id).context(|| format!("bad commit id {}", commit.id))?;
        // A shallow clone's oldest commits look like roots: their diff would be the
        // whole tree.
        if self.shallow_boundary().contains(&id) {
            return Ok(None);
        }
        let found = self.read_commit(id)?;
        if found.parent_count > 1 {
            return Ok(None);
        }
        let parent_tree = self.tree_of(found.first_parent)?;
        self.tree_changes(parent_tree, Some(found.tree)).map(Some)
    }
}
