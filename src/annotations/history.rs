//! Which changed files the annotation pass reads. A check reads every changed file (its
//! diff is small); an audit judges history against the blocks of the audited head, so
//! it reads only the files that hold blocks there, under every name they had through
//! exact renames, and a history without blocks costs it nothing.

use std::collections::HashSet;

use super::{find_marker, parse};
use crate::change::{Change, Status};
use crate::config::AnnotationSettings;
use crate::git::{GitError, Repo};
use git2::Oid;

/// The changed files whose blocks are read.
#[derive(Debug, Clone, Copy)]
pub enum Reads<'a> {
    /// Every changed file.
    Every,
    /// The files whose path, or path before a rename, is one of these.
    Paths(&'a HashSet<String>),
}

impl Reads<'_> {
    /// Whether no file is read.
    pub fn is_none(self) -> bool {
        matches!(self, Reads::Paths(paths) if paths.is_empty())
    }

    pub fn covers(self, change: &Change) -> bool {
        match self {
            Reads::Every => true,
            Reads::Paths(paths) => {
                paths.contains(&change.path)
                    || change
                        .old_path
                        .as_ref()
                        .is_some_and(|old| paths.contains(old))
            }
        }
    }
}

/// An exact rename one unit of history made: (old path, new path).
pub type Rename = (String, String);

/// The paths an audit reads blocks under: those holding a block or a malformed
/// directive at the audited head, and the names they had before exact renames.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeadBlocks {
    paths: HashSet<String>,
}

impl HeadBlocks {
    /// The annotated files of `head`'s tree (none without a head), leaving out the files
    /// `settings` leaves unread.
    pub fn at(
        repo: &Repo,
        head: Option<Oid>,
        settings: &AnnotationSettings,
    ) -> Result<HeadBlocks, GitError> {
        let Some(head) = head else {
            return Ok(HeadBlocks::default());
        };
        let mut files = repo.files_at_commit(Some(head))?;
        files.retain(|file| settings.unread(&file.path).is_none());
        // Every one is read: a partial clone fetches them in one go.
        repo.prefetch(files.iter().map(|file| file.content));
        let mut paths = HashSet::new();
        for file in files {
            let bytes = repo.read_content(&file.path, Some(file.content))?;
            if find_marker(&bytes).is_none() {
                continue;
            }
            let parsed = parse(&file.path, &bytes, settings);
            if !parsed.blocks.is_empty() || !parsed.problems.is_empty() {
                paths.insert(file.path);
            }
        }
        Ok(HeadBlocks { paths })
    }

    /// Whether the head holds no block: then no file is read, and renames do not matter.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    pub fn reads(&self) -> Reads<'_> {
        Reads::Paths(&self.paths)
    }

    /// Adds the names the paths had before `renames` (every exact rename of the walk,
    /// in history order); `true` when a name was added, and the walk must be read again
    /// under the new names.
    pub fn follow(&mut self, renames: &[Rename]) -> bool {
        let before = self.paths.len();
        for (old, new) in renames.iter().rev() {
            if self.paths.contains(new) {
                self.paths.insert(old.clone());
            }
        }
        self.paths.len() > before
    }
}

/// The exact renames among `changes`.
pub fn renames(changes: &[Change]) -> Vec<Rename> {
    changes
        .iter()
        .filter(|c| c.status == Status::Renamed)
        .filter_map(|c| Some((c.old_path.clone()?, c.path.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rename(old: &str, new: &str) -> Rename {
        (old.to_owned(), new.to_owned())
    }

    #[test]
    fn names_are_followed_back_through_chains_of_renames() {
        let mut blocks = HeadBlocks {
            paths: HashSet::from(["c.rs".to_owned()]),
        };
        let history = [
            rename("a.rs", "b.rs"),
            rename("x.rs", "y.rs"),
            rename("b.rs", "c.rs"),
        ];
        assert!(blocks.follow(&history));
        let mut names: Vec<&str> = blocks.paths.iter().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["a.rs", "b.rs", "c.rs"]);
        assert!(!blocks.follow(&history), "a second pass adds nothing");
    }

    #[test]
    fn a_rename_covers_the_change_through_either_name() {
        let paths = HashSet::from(["old.rs".to_owned()]);
        let mut change = Change::new("new.rs", Status::Renamed);
        assert!(!Reads::Paths(&paths).covers(&change));
        change.old_path = Some("old.rs".to_owned());
        assert!(Reads::Paths(&paths).covers(&change));
        assert!(Reads::Every.covers(&Change::new("any", Status::Added)));
    }
}
