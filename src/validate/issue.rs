//! The kinds of problem `validate` finds in a rule set, each with a stable code.

/// What is wrong with a rule, as the repository shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IssueKind {
    /// A `when` or companion glob matches no tracked file.
    StaleGlob,
    /// A tracked file binds captures whose companion names no tracked file.
    MissingCompanion,
    /// `unless` excludes every tracked file `when` matches.
    Shadowed,
    /// A companion path also triggers the rule.
    SelfCompanion,
    /// A `matching` regex that can never match a line.
    ImpossibleRegex,
}

impl IssueKind {
    pub const ALL: [IssueKind; 5] = [
        IssueKind::StaleGlob,
        IssueKind::MissingCompanion,
        IssueKind::Shadowed,
        IssueKind::SelfCompanion,
        IssueKind::ImpossibleRegex,
    ];

    /// A stable kebab-case code, part of diagnostics users may grep for.
    pub fn code(self) -> &'static str {
        match self {
            IssueKind::StaleGlob => "stale-glob",
            IssueKind::MissingCompanion => "missing-companion",
            IssueKind::Shadowed => "shadowed",
            IssueKind::SelfCompanion => "self-companion",
            IssueKind::ImpossibleRegex => "impossible-regex",
        }
    }
}
