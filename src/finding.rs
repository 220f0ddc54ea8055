//! What a check reports: one finding per rule and binding whose companions are missing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::annotations::ProblemKind;
pub use crate::config::Origin;
use crate::config::Severity;
use crate::waiver::Waiver;

/// The rule id of findings about a change too large to judge.
pub const TOO_LARGE: &str = "max-files";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingStatus {
    /// Companions are missing and nothing waives the rule.
    Missing,
    /// Companions are missing, but a trailer or `LOCKSTEP_SKIP` waives the rule.
    Waived,
    /// The change touches more files than `settings.max_files`, so it was not judged.
    TooLarge,
}

/// A file that triggered a rule, and the first line that did (for `matching` rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trigger {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The path before a rename, for reports that say "renamed" rather than "changed"
    /// (the JSON shape of SPEC section 5 names the new path only).
    #[serde(skip)]
    pub renamed_from: Option<String>,
    /// The text of `line`, for the human format (SPEC's JSON names the line by number
    /// only).
    #[serde(skip)]
    pub excerpt: Option<Excerpt>,
}

impl Trigger {
    /// Line `line` of `path`, as an annotation or a rule set names it: no rename, no
    /// excerpt.
    pub fn at(path: impl Into<String>, line: Option<u32>) -> Trigger {
        Trigger {
            path: path.into(),
            line,
            renamed_from: None,
            excerpt: None,
        }
    }
}

/// A changed line as a finding shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// `+` for an added line, `-` for a removed one.
    pub sign: char,
    pub text: String,
}

/// A companion that no changed file satisfies, with its paths bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Missing {
    pub kind: String,
    pub paths: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub status: FindingStatus,
    pub bindings: BTreeMap<String, String>,
    pub triggered_by: Vec<Trigger>,
    pub missing: Vec<Missing>,
    pub owners: Vec<String>,
    pub message: Option<String>,
    /// The commit judged, in `--per-commit` mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// What waived the finding (status `waived`), and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Waiver>,
    /// For an annotation finding about a malformed directive or a missing target (rule
    /// `annotation`, nothing missing), what is wrong: its code in JSON.
    #[serde(
        rename = "code",
        skip_serializing_if = "Option::is_none",
        serialize_with = "problem_code"
    )]
    pub problem: Option<ProblemKind>,
    #[serde(skip)]
    pub description: Option<String>,
    #[serde(skip)]
    pub skippable: bool,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

impl Finding {
    /// Whether this finding fails the check, given `--deny warnings`.
    pub fn fails(&self, deny_warnings: bool) -> bool {
        self.status == FindingStatus::Missing
            && match self.severity {
                Severity::Error => true,
                Severity::Warning => deny_warnings,
                Severity::Info => false,
            }
    }

    /// The finding for a change with more files than `max_files`, pointing at where the
    /// limit is set (see [`crate::config::Settings::max_files_origin`]).
    pub fn too_large(files: usize, max_files: usize, origin: Option<Origin>) -> Finding {
        Finding {
            rule: TOO_LARGE.to_owned(),
            severity: Severity::Info,
            status: FindingStatus::TooLarge,
            bindings: BTreeMap::new(),
            triggered_by: Vec::new(),
            missing: Vec::new(),
            owners: Vec::new(),
            message: Some(format!(
                "this change touches {files} files, more than settings.max_files = {max_files}; it was not judged"
            )),
            commit: None,
            waiver: None,
            problem: None,
            description: None,
            skippable: false,
            origin,
        }
    }
}

fn problem_code<S: serde::Serializer>(
    kind: &Option<ProblemKind>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(kind.map_or("", ProblemKind::code))
}
