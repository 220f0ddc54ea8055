//! In-file `LINT.IfChange` / `LINT.ThenChange` blocks (SPEC section 4): the directive
//! parser, the diff checker that [`crate::check::judge`] runs beside the rule set, and
//! the whole-tree scan behind `lockstep validate`.

mod check;
mod history;
mod parse;
mod references;
mod scan;
mod strings;

use std::fmt;
use std::sync::LazyLock;

use crate::config::Severity;

pub use check::{Annotated, TARGET_KIND, check, read};
pub use history::{HeadBlocks, HeadFiles, Reads, Rename, renames};
pub use parse::{Parsed, parse};
pub use references::broken_references;
pub use scan::{External, ScanReport, scan};

/// The bytes every directive contains (in any case); a file without them is never
/// parsed.
pub const MARKER: &[u8] = b"LINT.";

/// Where `LINT.`, in any case, first occurs in `bytes`.
pub fn find_marker(bytes: &[u8]) -> Option<usize> {
    static FINDER: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
        regex::bytes::Regex::new(r"(?i-u)lint\.").unwrap_or_else(|e| unreachable!("{e}"))
    });
    FINDER.find(bytes).map(|m| m.start())
}

/// One `LINT.IfChange … LINT.ThenChange(…)` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub label: Option<String>,
    /// 1-based line of `LINT.IfChange`.
    pub if_line: u32,
    /// 1-based line of `LINT.ThenChange`; only lines strictly between the two count.
    pub then_line: u32,
    /// Targets inside the repository: the block requires each of them.
    pub targets: Vec<Target>,
    /// Targets outside it (`settings.annotation_external`, `scheme://`), as written;
    /// never required.
    pub external: Vec<String>,
}

impl Block {
    /// Whether `line` lies strictly between the directives.
    pub fn contains(&self, line: u32) -> bool {
        self.if_line < line && line < self.then_line
    }
}

/// One entry of a `LINT.ThenChange(…)` list, resolved against the annotated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Repository-relative, `/`-separated; ending in `/` for a directory.
    pub path: String,
    pub label: Option<String>,
}

impl Target {
    /// A directory target (written with a trailing `/`) is satisfied by any change under
    /// it.
    pub fn is_directory(&self) -> bool {
        self.path.ends_with('/')
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.label {
            Some(label) => write!(f, "{}:{label}", self.path),
            None => f.write_str(&self.path),
        }
    }
}

/// What is wrong with a directive or a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    NestedIfChange,
    UnclosedIfChange,
    UnopenedThenChange,
    UnclosedLabel,
    UnopenedEndLabel,
    EmptyTargetList,
    DuplicateLabel,
    UnknownDirective,
    MalformedDirective,
    BadTarget,
    MissingTargetFile,
    MissingTargetLabel,
    BrokenReference,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 13] = [
        ProblemKind::NestedIfChange,
        ProblemKind::UnclosedIfChange,
        ProblemKind::UnopenedThenChange,
        ProblemKind::UnclosedLabel,
        ProblemKind::UnopenedEndLabel,
        ProblemKind::EmptyTargetList,
        ProblemKind::DuplicateLabel,
        ProblemKind::UnknownDirective,
        ProblemKind::MalformedDirective,
        ProblemKind::BadTarget,
        ProblemKind::MissingTargetFile,
        ProblemKind::MissingTargetLabel,
        ProblemKind::BrokenReference,
    ];

    /// A stable kebab-case code, part of diagnostics users may grep for.
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::NestedIfChange => "nested-if-change",
            ProblemKind::UnclosedIfChange => "unclosed-if-change",
            ProblemKind::UnopenedThenChange => "then-change-without-if-change",
            ProblemKind::UnclosedLabel => "unclosed-label",
            ProblemKind::UnopenedEndLabel => "end-label-without-label",
            ProblemKind::EmptyTargetList => "empty-target-list",
            ProblemKind::DuplicateLabel => "duplicate-label",
            ProblemKind::UnknownDirective => "unknown-directive",
            ProblemKind::MalformedDirective => "malformed-directive",
            ProblemKind::BadTarget => "bad-target",
            ProblemKind::MissingTargetFile => "missing-target-file",
            ProblemKind::MissingTargetLabel => "missing-target-label",
            ProblemKind::BrokenReference => "broken-reference",
        }
    }

    /// A `ThenChange()` with no target left (export tools strip them) requires nothing:
    /// `validate` warns, `check` says nothing. Everything else is an error.
    pub fn severity(self) -> Severity {
        match self {
            ProblemKind::EmptyTargetList => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// What to do about it.
    pub fn help(self) -> &'static str {
        match self {
            ProblemKind::NestedIfChange => {
                "blocks cannot nest: close the outer block with LINT.ThenChange(...) first"
            }
            ProblemKind::UnclosedIfChange => {
                "end the block with LINT.ThenChange(<targets>) or remove the LINT.IfChange"
            }
            ProblemKind::UnopenedThenChange => {
                "start the block with LINT.IfChange above it, or remove this LINT.ThenChange"
            }
            ProblemKind::UnclosedLabel => {
                "end the region with LINT.EndLabel or remove the LINT.Label"
            }
            ProblemKind::UnopenedEndLabel => {
                "start the region with LINT.Label(label) above it, or remove this LINT.EndLabel"
            }
            ProblemKind::EmptyTargetList => {
                "name a target (LINT.ThenChange(//path/from/root, relative/path, :label)), label the block if it exists only to be a target, or remove it"
            }
            ProblemKind::DuplicateLabel => {
                "give each LINT.IfChange(label) and LINT.Label(label) in a file its own label"
            }
            ProblemKind::UnknownDirective => {
                "the directives are LINT.IfChange, LINT.ThenChange, LINT.Label and LINT.EndLabel"
            }
            ProblemKind::MalformedDirective => {
                "write LINT.IfChange, LINT.IfChange(label), LINT.ThenChange(target, ...) or LINT.Label(label)"
            }
            ProblemKind::BadTarget => {
                "targets are //path/from/root, /path/from/root, a path relative to this file, path:label (or path#label), :label (or #label), dir/"
            }
            ProblemKind::MissingTargetFile => {
                "point the target at a file that exists (paths starting with // are from the repository root); list targets outside this repository in settings.annotation_external, map an exported prefix with settings.annotation_prefixes"
            }
            ProblemKind::MissingTargetLabel => {
                "add LINT.IfChange(label) or LINT.Label(label) to the target file, or fix the label"
            }
            ProblemKind::BrokenReference => {
                "point the LINT.ThenChange target at the new path or label, or remove it"
            }
        }
    }
}

/// A diagnostic about one line of one file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub path: String,
    pub line: u32,
    pub kind: ProblemKind,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.message)
    }
}

impl std::error::Error for Problem {}

/// `{"path", "line", "code", "message"}`, for JSON reports of a scan.
impl serde::Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("Problem", 4)?;
        out.serialize_field("path", &self.path)?;
        out.serialize_field("line", &self.line)?;
        out.serialize_field("code", self.kind.code())?;
        out.serialize_field("message", &self.message)?;
        out.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_codes_are_unique_kebab_case() {
        let mut codes: Vec<&str> = ProblemKind::ALL.iter().map(|k| k.code()).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'))
        );
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ProblemKind::ALL.len());
    }
}
