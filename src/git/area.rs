//! Whether part of the repository existed around a unit: an audit asks before it
//! counts a companion as missed, since a file in a directory that did not exist yet
//! could not have been updated.

use std::path::Path;

use git2::{ObjectType, Oid, Tree, TreeWalkMode, TreeWalkResult};

use super::Repo;
use super::error::{Context, GitError};

impl Repo {
    /// Whether the tree of commit `id`, or of its first parent, holds a file under the
    /// directory `dir` (`""` for the root) whose path passes `matches`.
    pub fn unit_has_file(
        &self,
        id: &str,
        dir: &str,
        matches: impl Fn(&str) -> bool,
    ) -> Result<bool, GitError> {
        let context = || format!("cannot read the trees of commit {id}");
        let oid = Oid::from_str(id).context(context)?;
        let commit = self.repo.find_commit(oid).context(context)?;
        let mut trees = vec![commit.tree().context(context)?];
        if commit.parent_count() > 0 {
            trees.push(commit.parent(0).and_then(|p| p.tree()).context(context)?);
        }
        for tree in &trees {
            if self.tree_has_file(tree, dir, &matches)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn tree_has_file(
        &self,
        tree: &Tree<'_>,
        dir: &str,
        matches: &impl Fn(&str) -> bool,
    ) -> Result<bool, GitError> {
        let context = || format!("cannot list `{dir}` in tree {}", tree.id());
        let subtree = if dir.is_empty() {
            tree.clone()
        } else {
            match tree.get_path(Path::new(dir)) {
                Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
                    self.repo.find_tree(entry.id()).context(context)?
                }
                _ => return Ok(false),
            }
        };
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut found = false;
        subtree
            .walk(TreeWalkMode::PreOrder, |root, entry| {
                if entry.kind() == Some(ObjectType::Tree) {
                    return TreeWalkResult::Ok;
                }
                let path = format!(
                    "{prefix}{root}{}",
                    String::from_utf8_lossy(entry.name_bytes())
                );
                if matches(&path) {
                    found = true;
                    TreeWalkResult::Abort
                } else {
                    TreeWalkResult::Ok
                }
            })
            .or_else(|e| if found { Ok(()) } else { Err(e) })
            .context(context)?;
        Ok(found)
    }
}
