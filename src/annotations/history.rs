//! Which changed files the annotation pass reads. A check reads every changed file (its
//! diff is small); an audit judges history against the blocks of the audited head, so
//! it reads only the files that hold blocks there, under every name they had through
//! exact renames, and a history without blocks costs it nothing.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use super::{find_marker, parse};
use crate::change::{Change, Status};
use crate::config::AnnotationSettings;
use crate::git::{GitError, Repo, TrackedFile};
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

/// The files of a head's tree an audit looks for blocks in, shared by the threads that
/// read them: each takes the next file no other has taken.
pub struct HeadFiles<'s> {
    files: Vec<TrackedFile>,
    next: AtomicUsize,
    settings: &'s AnnotationSettings,
    /// The first file, in tree order, a thread could not read (`usize::MAX`: none)...
    first_failed: AtomicUsize,
    /// ...and why.
    failed: Mutex<Option<(usize, GitError)>>,
}

impl<'s> HeadFiles<'s> {
    /// The files of `head`'s tree (none without a head), leaving out the files
    /// `settings` leaves unread.
    pub fn at(
        repo: &Repo,
        head: Option<Oid>,
        settings: &'s AnnotationSettings,
    ) -> Result<HeadFiles<'s>, GitError> {
        let mut files = match head {
            Some(head) => repo.files_at_commit(Some(head))?,
            None => Vec::new(),
        };
        files.retain(|file| settings.unread(&file.path).is_none());
        // Every one is read: a partial clone fetches them in one go.
        repo.prefetch(files.iter().map(|file| file.content));
        Ok(HeadFiles {
            files,
            next: AtomicUsize::new(0),
            settings,
            first_failed: AtomicUsize::new(usize::MAX),
            failed: Mutex::new(None),
        })
    }

    /// Reads files no other thread took until none is left, or none before the first
    /// that could not be read: the others read those taken before it, so the error
    /// [`HeadFiles::blocks`] reports is the first in tree order, whoever met it.
    pub fn read(&self, repo: &Repo) -> HeadBlocks {
        let mut paths = HashSet::new();
        // Each file is searched as soon as it is read, then written over by the next.
        let mut bytes = Vec::new();
        loop {
            let at = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(file) = self.files.get(at) else {
                break;
            };
            if at > self.first_failed.load(Ordering::Relaxed) {
                break;
            }
            match self.annotated(repo, file, &mut bytes) {
                Ok(true) => {
                    paths.insert(file.path.clone());
                }
                Ok(false) => {}
                Err(error) => {
                    self.first_failed.fetch_min(at, Ordering::Relaxed);
                    let mut failed = self.failed.lock().unwrap_or_else(PoisonError::into_inner);
                    if failed.as_ref().is_none_or(|(first, _)| at < *first) {
                        *failed = Some((at, error));
                    }
                    break;
                }
            }
        }
        HeadBlocks { paths }
    }

    /// Whether `file` holds a block or a malformed directive; its bytes are read into
    /// `bytes`.
    fn annotated(
        &self,
        repo: &Repo,
        file: &TrackedFile,
        bytes: &mut Vec<u8>,
    ) -> Result<bool, GitError> {
        repo.read_content_into(&file.path, file.content, bytes)?;
        if find_marker(bytes).is_none() {
            return Ok(false);
        }
        let parsed = parse(&file.path, bytes, self.settings);
        Ok(!parsed.blocks.is_empty() || !parsed.problems.is_empty())
    }

    /// The blocks the threads `found`, or the error of the first file they could not
    /// read.
    pub fn blocks(self, found: Vec<HeadBlocks>) -> Result<HeadBlocks, GitError> {
        let failed = self
            .failed
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((_, error)) = failed {
            return Err(error);
        }
        let paths = found.into_iter().flat_map(|blocks| blocks.paths).collect();
        Ok(HeadBlocks { paths })
    }
}

impl HeadBlocks {
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
