//! Whether part of the repository existed around a unit: an audit asks before it
//! counts a companion as missed, since a file in a directory that did not exist yet
//! could not have been updated. The answer depends only on the tree of the directory
//! the files lie under, which most units leave unchanged, so each repository remembers
//! it by that tree.

use std::collections::HashMap;
use std::rc::Rc;

use super::error::GitError;
use super::id::Id;
use super::recent::{Recent, Weight};
use super::tree_walk::{Entry, tree_entries};
use super::unchanged::PathEntry;
use super::{Repo, Unit};

/// Bytes of answers each of a repository's memories of areas holds at most.
const AREA_CACHE: usize = 2 << 20;

/// The files an audit looks for around a unit.
pub struct Wanted<'a, M> {
    /// Names the search: answers are remembered by key and tree, so a key must always
    /// come with the same `dir`, `depth` and `matches`.
    pub key: &'a str,
    /// The directory every wanted file lies under (`""` for the root).
    pub dir: &'a str,
    /// The most `/`-separated segments a wanted file's path has, when bounded:
    /// directories deeper than that are not listed.
    pub depth: Option<usize>,
    pub matches: M,
}

/// What a repository remembers of the areas asked about: by key, whether the tree of
/// the key's directory holds a wanted file. The trees read on the way (a unit's trees,
/// which its walk has just read) come from the repository's tree cache.
#[derive(Default)]
pub(super) struct Areas {
    answers: HashMap<String, Recent<Id, Found>>,
}

#[derive(Clone, Copy)]
struct Found(bool);

impl Weight for Found {
    fn weight(&self) -> usize {
        size_of::<(Id, Found)>()
    }
}

impl Repo {
    /// Whether the tree of `unit`, or of its first parent, holds a file `wanted`
    /// describes.
    pub fn unit_has_file<M: Fn(&str) -> bool>(
        &self,
        unit: &Unit,
        wanted: &Wanted<'_, M>,
    ) -> Result<bool, GitError> {
        let (tree, parent) = unit.trees;
        if self.tree_has_file(tree, wanted)? {
            return Ok(true);
        }
        match parent {
            Some(parent) => self.tree_has_file(parent, wanted),
            None => Ok(false),
        }
    }

    /// Whether the root tree `root` holds a file `wanted` describes.
    fn tree_has_file<M: Fn(&str) -> bool>(
        &self,
        root: Id,
        wanted: &Wanted<'_, M>,
    ) -> Result<bool, GitError> {
        let Some(dir) = self.subtree(root, wanted.dir)? else {
            return Ok(false);
        };
        let known = self
            .areas
            .borrow_mut()
            .answers
            .get_mut(wanted.key)
            .and_then(|answers| answers.get(dir));
        if let Some(Found(found)) = known {
            return Ok(found);
        }
        let found = self.dir_has_file(dir, wanted)?;
        let mut areas = self.areas.borrow_mut();
        if !areas.answers.contains_key(wanted.key) {
            let answers = Recent::new(AREA_CACHE);
            areas.answers.insert(wanted.key.to_owned(), answers);
        }
        if let Some(answers) = areas.answers.get_mut(wanted.key) {
            answers.insert(dir, Found(found));
        }
        Ok(found)
    }

    /// The tree at `dir` (`""` for `root` itself), `None` when there is none.
    fn subtree(&self, root: Id, dir: &str) -> Result<Option<Id>, GitError> {
        let list = |id, prefix: &[u8]| self.remembered_tree(id, prefix);
        Ok(match self.path_entry(root, dir, list)? {
            Some(PathEntry::Dir(id)) => Some(id),
            _ => None,
        })
    }

    fn remembered_tree(&self, id: Id, prefix: &[u8]) -> Result<Rc<[u8]>, GitError> {
        let tree = self.trees.listing(self, id, prefix, None)?;
        Ok(Rc::clone(tree.bytes()))
    }

    /// Whether the tree `dir`, at `wanted.dir`, holds a wanted file; the search stops at
    /// the first, and lists no directory deeper than a wanted file can lie.
    fn dir_has_file<M: Fn(&str) -> bool>(
        &self,
        dir: Id,
        wanted: &Wanted<'_, M>,
    ) -> Result<bool, GitError> {
        let within = |segments: usize| wanted.depth.is_none_or(|depth| segments <= depth);
        // Every directory's path, one after another: `pending` holds where each is.
        let mut prefixes = wanted.dir.as_bytes().to_vec();
        if !prefixes.is_empty() {
            prefixes.push(b'/');
        }
        let segments = wanted.dir.split('/').filter(|s| !s.is_empty()).count();
        // Directories still to list, with their paths and depths; no recursion.
        let mut pending = vec![(dir, 0..prefixes.len(), segments)];
        let mut path = Vec::new();
        while let Some((id, at, segments)) = pending.pop() {
            let listing = self.remembered_tree(id, &prefixes[at.clone()])?;
            for entry in tree_entries(&listing, |id| id) {
                match entry {
                    Entry::File { name, .. } if within(segments + 1) => {
                        path.clear();
                        path.extend_from_slice(&prefixes[at.clone()]);
                        path.extend_from_slice(name);
                        if path_matches(&path, &wanted.matches) {
                            return Ok(true);
                        }
                    }
                    Entry::File { .. } => {}
                    // A file below it has at least two more segments.
                    Entry::Dir { name, dir } if within(segments + 2) => {
                        let start = prefixes.len();
                        prefixes.extend_from_within(at.clone());
                        prefixes.extend_from_slice(name);
                        prefixes.push(b'/');
                        pending.push((dir, start..prefixes.len(), segments + 1));
                    }
                    Entry::Dir { .. } => {}
                }
            }
        }
        Ok(false)
    }
}

/// A path that is not UTF-8 is matched as it reads with its bad bytes replaced.
fn path_matches(path: &[u8], matches: impl Fn(&str) -> bool) -> bool {
    match std::str::from_utf8(path) {
        Ok(path) => matches(path),
        Err(_) => matches(&String::from_utf8_lossy(path)),
    }
}
