//! One shape for everything lockstep reports about a repository — a rule's finding, an
//! in-file annotation problem, a `validate` issue: a code, a severity, where, what, and
//! what to do. The codes lockstep defines itself are registered once, in
//! [`Code::registered`]; rule ids are the user's.

use std::fmt;

use miette::{LabeledSpan, NamedSource, SourceCode};

use crate::annotations::{Problem, ProblemKind};
use crate::config::{Origin, Severity};
use crate::validate::IssueKind;

/// What a diagnostic is about, as a stable kebab-case name in one of three namespaces.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// A rule of the rule set, by id (`payments-api`); `annotation` for in-file blocks,
    /// `max-files` for a change too large to judge.
    Rule(String),
    /// A malformed directive or a target that does not exist.
    Annotation(ProblemKind),
    /// A problem of the rule set that only the repository reveals.
    Validate(IssueKind),
}

impl Code {
    /// The name users grep for: `payments-api`, `unknown-directive`, `stale-glob`.
    pub fn name(&self) -> &str {
        match self {
            Code::Rule(id) => id,
            Code::Annotation(kind) => kind.code(),
            Code::Validate(kind) => kind.code(),
        }
    }

    /// The code in one flat namespace, for formats with a single list of rule ids
    /// (SARIF, GitLab, Azure, JUnit): `payments-api`, `annotation/unknown-directive`,
    /// `validate/stale-glob`.
    pub fn id(&self) -> String {
        match self {
            Code::Rule(id) => id.clone(),
            Code::Annotation(kind) => format!("annotation/{}", kind.code()),
            Code::Validate(kind) => format!("validate/{}", kind.code()),
        }
    }

    /// Every code lockstep defines, in its namespace: the registry the uniqueness test
    /// and the documentation read.
    pub fn registered() -> Vec<Code> {
        crate::rules::RESERVED_IDS
            .map(|id| Code::Rule(id.to_owned()))
            .into_iter()
            .chain(ProblemKind::ALL.map(Code::Annotation))
            .chain(IssueKind::ALL.map(Code::Validate))
            .collect()
    }
}

/// `lockstep::payments-api`, `lockstep::annotation::unknown-directive`,
/// `lockstep::validate::stale-glob`.
impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Code::Rule(id) => write!(f, "lockstep::{id}"),
            Code::Annotation(kind) => write!(f, "lockstep::annotation::{}", kind.code()),
            Code::Validate(kind) => write!(f, "lockstep::validate::{}", kind.code()),
        }
    }
}

/// A file of the repository (or of the rule set), and a 1-based line in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub path: String,
    pub line: Option<u32>,
}

/// `path:12` or `path`.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.path),
            None => f.write_str(&self.path),
        }
    }
}

/// One thing lockstep reports.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub location: Option<Location>,
    pub message: String,
    /// The line of the file it points at, as the diff has it (`+ rpc Refund(…);`):
    /// the human format shows it under the title.
    pub excerpt: Option<String>,
    /// What to do, one line each.
    pub help: Vec<String>,
    /// A labelled place in the rule set, shown as a snippet where a format can.
    pub snippet: Option<(Origin, String)>,
    /// What a rule's finding is about beyond its code: the rule with its bindings, and
    /// the commit in `--per-commit` mode (`man-pages [cmd = build]`).
    pub subject: Option<String>,
    /// Further places it concerns: the other files that triggered a rule.
    pub related: Vec<Location>,
    /// What waived it, and why: it is reported, but fails nothing.
    pub waived: Option<String>,
    /// What makes a finding the same finding in a later run (see [`Diagnostic::identity`]).
    pub identity: Option<String>,
    /// What the code asks for, for formats that describe each code once (SARIF).
    pub documentation: Option<Documentation>,
}

/// A code's description: one line, and the full text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Documentation {
    pub short: String,
    pub full: String,
}

impl Diagnostic {
    pub fn new(code: Code, severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            location: None,
            message: message.into(),
            excerpt: None,
            help: Vec::new(),
            snippet: None,
            subject: None,
            related: Vec::new(),
            waived: None,
            identity: None,
            documentation: None,
        }
    }

    /// Located at `origin` in the rule set, shown with a snippet labelled `label`.
    pub fn at(mut self, origin: Origin, label: impl Into<String>) -> Self {
        self.location = Some(Location {
            path: origin.source.name.clone(),
            line: origin.line(),
        });
        self.snippet = Some((origin, label.into()));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    /// Whether it fails a command, given `--deny warnings`.
    pub fn fails(&self, deny_warnings: bool) -> bool {
        if self.waived.is_some() {
            return false;
        }
        match self.severity {
            Severity::Error => true,
            Severity::Warning => deny_warnings,
            Severity::Info => false,
        }
    }

    /// What makes it the same diagnostic in a later run, for the formats that track
    /// diagnostics across runs: no line numbers, so an edit above it changes nothing.
    /// By default its code, file and message.
    pub fn identity(&self) -> String {
        self.identity.clone().unwrap_or_else(|| {
            let path = self.location.as_ref().map_or("", |l| l.path.as_str());
            format!("{}\0{path}\0{}", self.code.id(), self.message)
        })
    }

    /// The severity it is shown with: a waived diagnostic is a note.
    pub fn level(&self) -> Severity {
        match self.waived {
            Some(_) => Severity::Info,
            None => self.severity,
        }
    }

    /// The diagnostic in one line: a finding names its rule (its message names the
    /// files); anything else without a snippet to show where names its location.
    pub fn title(&self) -> String {
        match (&self.subject, &self.location, &self.snippet) {
            (Some(subject), _, _) => format!("{subject}: {}", self.message),
            (None, Some(location), None) => format!("{location}: {}", self.message),
            _ => self.message.clone(),
        }
    }
}

/// An annotation problem: its kind gives the code, severity and help.
impl From<Problem> for Diagnostic {
    fn from(problem: Problem) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(
            Code::Annotation(problem.kind),
            problem.kind.severity(),
            problem.message,
        )
        .help(problem.kind.help());
        diagnostic.location = Some(Location {
            path: problem.path,
            line: Some(problem.line),
        });
        diagnostic
    }
}

/// How miette draws it for a terminal, with a snippet of the rule set.
pub struct Drawn<'a> {
    diagnostic: &'a Diagnostic,
    title: String,
    help: String,
    source: Option<NamedSource<std::sync::Arc<str>>>,
}

impl<'a> Drawn<'a> {
    /// Without its snippet of the rule set: for a finding of a rule whose definition an
    /// earlier finding already showed.
    pub fn without_snippet(diagnostic: &'a Diagnostic) -> Self {
        Drawn {
            source: None,
            ..Drawn::new(diagnostic)
        }
    }

    pub fn new(diagnostic: &'a Diagnostic) -> Self {
        let source = diagnostic.snippet.as_ref().map(|(origin, _)| {
            NamedSource::new(origin.source.name.clone(), origin.source.text.clone())
        });
        let mut title = diagnostic.title();
        if let Some(excerpt) = &diagnostic.excerpt {
            title = format!("{title}\n{excerpt}");
        }
        Drawn {
            diagnostic,
            title,
            help: diagnostic.help.join("\n"),
            source,
        }
    }
}

impl fmt::Display for Drawn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.diagnostic.waived.is_some() {
            f.write_str("(waived) ")?;
        }
        f.write_str(&self.title)
    }
}

impl fmt::Debug for Drawn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Drawn<'_> {}

impl miette::Diagnostic for Drawn<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.level() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        (!self.help.is_empty()).then(|| Box::new(&self.help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let (origin, label) = self.diagnostic.snippet.as_ref()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(label.clone()), origin.span.clone()),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigSource;

    #[test]
    fn registered_codes_are_unique_kebab_case() {
        let codes = Code::registered();
        assert!(codes.iter().all(|c| {
            c.name()
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch == '-')
        }));
        let mut qualified: Vec<String> = codes.iter().map(Code::to_string).collect();
        qualified.sort_unstable();
        qualified.dedup();
        assert_eq!(qualified.len(), codes.len());
        // Names alone are unique too, so formats without namespaces (SARIF rule ids,
        // GitLab check names) cannot mix two codes up.
        let mut names: Vec<&str> = codes.iter().map(Code::name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), codes.len());
    }

    #[test]
    fn a_waived_diagnostic_is_a_note_that_fails_nothing() {
        let mut diagnostic = Diagnostic::new(Code::Rule("docs".to_owned()), Severity::Error, "x");
        assert!(diagnostic.fails(false));
        diagnostic.waived = Some("waived by `LOCKSTEP_SKIP=docs`".to_owned());
        assert_eq!(diagnostic.level(), Severity::Info);
        assert!(!diagnostic.fails(true));
    }

    #[test]
    fn the_title_names_the_subject_or_else_an_unshown_location() {
        let source = ConfigSource::new("lockstep.toml", "version = 1\n");
        let mut diagnostic = Diagnostic::new(
            Code::Validate(IssueKind::StaleGlob),
            Severity::Warning,
            "stale",
        );
        assert_eq!(diagnostic.title(), "stale");
        diagnostic.location = Some(Location {
            path: "a.rs".to_owned(),
            line: Some(3),
        });
        assert_eq!(diagnostic.title(), "a.rs:3: stale");
        diagnostic = diagnostic.at(Origin { source, span: 0..7 }, "here");
        // The snippet shows where; the location is the rule set's line.
        assert_eq!(diagnostic.title(), "stale");
        assert_eq!(
            diagnostic
                .location
                .as_ref()
                .map(Location::to_string)
                .as_deref(),
            Some("lockstep.toml:1")
        );
        diagnostic.subject = Some("docs [cmd = build]".to_owned());
        assert_eq!(diagnostic.title(), "docs [cmd = build]: stale");
        // Identities leave lines out.
        assert_eq!(
            diagnostic.identity(),
            "validate/stale-glob\0lockstep.toml\0stale"
        );
    }

    #[test]
    fn a_problem_keeps_its_code_as_a_field() {
        let problem = Problem {
            path: "src/a.rs".to_owned(),
            line: 4,
            kind: ProblemKind::UnknownDirective,
            message: "unknown directive `LINT.Frobnicate`".to_owned(),
        };
        let diagnostic = Diagnostic::from(problem);
        assert_eq!(
            diagnostic.code,
            Code::Annotation(ProblemKind::UnknownDirective)
        );
        assert_eq!(
            diagnostic.code.to_string(),
            "lockstep::annotation::unknown-directive"
        );
        assert_eq!(
            diagnostic.title(),
            "src/a.rs:4: unknown directive `LINT.Frobnicate`"
        );
    }
}
