//! Whether part of the repository existed around a unit: an audit asks before it
//! counts a companion as missed, since a file in a directory that did not exist yet
//! could not have been updated.

use git2::Oid;

use super::Repo;
use super::error::{Context, GitError};
use super::id::Id;
use super::tree_walk::{Entry, read_tree, tree_entries};

impl Repo {
    /// Whether the tree of commit `id`, or of its first parent, holds a file under the
    /// directory `dir` (`""` for the root) whose path passes `matches`.
    pub fn unit_has_file(
        &self,
        id: &str,
        dir: &str,
        matches: impl Fn(&str) -> bool,
    ) -> Result<bool, GitError> {
        let oid = Oid::from_str(id).context(|| format!("cannot read the trees of commit {id}"))?;
        let commit = self.read_commit(oid)?;
        for tree in [Some(commit.tree), self.tree_of(commit.first_parent)?]
            .into_iter()
            .flatten()
        {
            if self.tree_has_file(tree, dir, &matches)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether `tree` holds a file under `dir` whose path passes `matches`; the trees
    /// are read with the own reader, and the search stops at the first match.
    fn tree_has_file(
        &self,
        tree: Id,
        dir: &str,
        matches: &impl Fn(&str) -> bool,
    ) -> Result<bool, GitError> {
        let mut at = (tree, Vec::new());
        for name in dir.split('/').filter(|name| !name.is_empty()) {
            let listing = read_tree(self, at.0, &at.1)?;
            let found = tree_entries(&listing, |id| id).find_map(|entry| match entry {
                Entry::Dir { name: found, dir } if found == name.as_bytes() => Some(dir),
                _ => None,
            });
            let Some(found) = found else {
                return Ok(false);
            };
            at.0 = found;
            at.1.extend_from_slice(name.as_bytes());
            at.1.push(b'/');
        }
        // Directories still to list, with their paths; no recursion, however deep.
        let mut pending = vec![at];
        while let Some((id, prefix)) = pending.pop() {
            let listing = read_tree(self, id, &prefix)?;
            for entry in tree_entries(&listing, |id| id) {
                let (name, dir) = match entry {
                    Entry::File { name, .. } => (name, None),
                    Entry::Dir { name, dir } => (name, Some(dir)),
                };
                let mut path = prefix.clone();
                path.extend_from_slice(name);
                match dir {
                    None if matches(&String::from_utf8_lossy(&path)) => return Ok(true),
                    None => {}
                    Some(dir) => {
                        path.push(b'/');
                        pending.push((dir, path));
                    }
                }
            }
        }
        Ok(false)
    }
}
