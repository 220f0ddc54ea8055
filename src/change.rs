//! Plain values describing a diff: what the git layer hands to the rule engine.

use std::fmt;
use std::rc::Rc;

/// How a path changed between the two sides of a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Added,
    Modified,
    Deleted,
    Renamed,
    /// A path with merge conflicts in the index.
    Unmerged,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Modified => "modified",
            Status::Deleted => "deleted",
            Status::Renamed => "renamed",
            Status::Unmerged => "unmerged",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where one side of a change keeps its content, so lines are read only on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// An object in the repository (a blob, or a commit for a submodule entry).
    Object { id: [u8; 20], mode: u32 },
    /// The file as it is in the work tree.
    WorkTree { mode: u32 },
}

impl Content {
    pub fn mode(&self) -> u32 {
        match *self {
            Content::Object { mode, .. } | Content::WorkTree { mode } => mode,
        }
    }

    /// Submodule entries have no lines of their own.
    pub fn is_gitlink(&self) -> bool {
        self.mode() == 0o160000
    }
}

/// One added or removed line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number on its own side (new side for added, old side for removed).
    pub number: u32,
    pub text: String,
}

/// The line-level diff of one file, loaded only for files that need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineDiff {
    /// Either side looks binary (a NUL byte near the start), so no lines were compared.
    pub binary: bool,
    pub added: Vec<Line>,
    pub removed: Vec<Line>,
}

impl LineDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }

    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        self.added.iter().chain(&self.removed)
    }

    /// The same lines with their sign: `+` for an added line, `-` for a removed one.
    pub fn signed(&self) -> impl Iterator<Item = (char, &Line)> + Clone {
        let added = self.added.iter().map(|l| ('+', l));
        added.chain(self.removed.iter().map(|l| ('-', l)))
    }
}

/// One changed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The new path; for a deletion, the old path. Always `/`-separated; a name that is
    /// not UTF-8 carries git's `core.quotePath` escapes.
    pub path: String,
    /// The path before a rename.
    pub old_path: Option<String>,
    pub status: Status,
    pub old: Option<Content>,
    pub new: Option<Content>,
    /// Filled in by the git layer for the changes the rules ask about.
    pub lines: Option<LineDiff>,
    /// Both sides' bytes, read for the changes a rule's `keys` compare.
    pub contents: Option<Contents>,
}

/// The bytes of both sides of a change; an absent side is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    pub old: Rc<[u8]>,
    pub new: Rc<[u8]>,
}

impl Change {
    pub fn new(path: impl Into<String>, status: Status) -> Self {
        Change {
            path: path.into(),
            old_path: None,
            status,
            old: None,
            new: None,
            lines: None,
            contents: None,
        }
    }

    /// Every path this change touches: the path and, for a rename, the old one.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.path.as_str()).chain(self.old_path.as_deref())
    }
}
