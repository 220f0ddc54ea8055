//! A finding as a [`Diagnostic`], in plain-text sentences every format shares, so they
//! all say the same thing.

use crate::config::Severity;
use crate::diagnostic::{Code, Diagnostic, Documentation, Location};
use crate::finding::{Excerpt, Finding, FindingStatus, Trigger};
use crate::waiver::Waiver;

/// The finding as every format but the JSON of SPEC section 5 shows it, with the text
/// of the line it points at (its first triggering file's) when there is one.
pub fn diagnostic(finding: &Finding) -> Diagnostic {
    let code = match finding.problem {
        Some(kind) => Code::Annotation(kind),
        None => Code::Rule(finding.rule.clone()),
    };
    let snippet = finding
        .origin
        .as_ref()
        .filter(|o| !o.span.is_empty())
        .map(|origin| (origin.clone(), label(finding)));
    let mut help = fix_lines(finding);
    help.extend(finding.problem.map(|kind| kind.help().to_owned()));
    Diagnostic {
        code,
        severity: finding.severity,
        location: place(finding).map(located),
        message: headline(finding),
        excerpt: finding
            .triggered_by
            .first()
            .and_then(|t| t.excerpt.as_ref())
            .and_then(shown),
        help,
        snippet,
        subject: Some(rule_name(finding)),
        related: finding
            .triggered_by
            .iter()
            .skip(1)
            .cloned()
            .map(located)
            .collect(),
        waived: (finding.status == FindingStatus::Waived).then(|| waived(finding)),
        identity: Some(identity(finding)),
        // An annotation problem's code says what is wrong; the help says what to do.
        documentation: finding.problem.is_none().then(|| documentation(finding)),
    }
}

fn located(trigger: Trigger) -> Location {
    Location {
        path: trigger.path,
        line: trigger.line,
    }
}

/// At most this many characters of a triggering line are shown.
const EXCERPT_WIDTH: usize = 100;

/// `+ rpc Refund(RefundRequest) returns (Refund);`: the line trimmed, cut at
/// [`EXCERPT_WIDTH`] characters; nothing for a blank line.
fn shown(excerpt: &Excerpt) -> Option<String> {
    let text = excerpt.text.trim();
    if text.is_empty() {
        return None;
    }
    let mut cut: String = text.chars().take(EXCERPT_WIDTH).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    Some(format!("{} {cut}", excerpt.sign))
}

/// What the snippet of the rule set says.
fn label(finding: &Finding) -> String {
    match (&finding.description, finding.status) {
        (_, FindingStatus::TooLarge) => "the limit is set here".to_owned(),
        (Some(description), _) => format!("rule defined here: {description}"),
        (None, _) => "rule defined here".to_owned(),
    }
}

/// What makes a finding the same finding in the next run: its rule and bindings, the
/// first file that triggered it, the commit in `--per-commit` mode, and what it asks
/// for. Line numbers and the status are left out, so an edit above the trigger or a
/// waiver does not make a tracker report a resolved finding and a new one.
fn identity(finding: &Finding) -> String {
    let mut parts = vec![rule_name(finding)];
    parts.extend(finding.triggered_by.first().map(|t| t.path.clone()));
    parts.extend(finding.commit.clone());
    parts.extend(
        finding
            .missing
            .iter()
            .map(|m| format!("{}={}", m.kind, m.paths.join("|"))),
    );
    if finding.missing.is_empty() {
        parts.extend(statement(finding));
    }
    parts.join("\0")
}

/// The rule's description, what it asks, its message and how to waive it.
fn documentation(finding: &Finding) -> Documentation {
    let short = finding
        .description
        .clone()
        .unwrap_or_else(|| format!("Companions of the `{}` rule", finding.rule));
    let mut full = vec![format!(
        "{short}. When a file matching this rule changes, each of its companions must change in the same change."
    )];
    full.extend(finding.message.clone());
    if finding.skippable {
        full.push(format!(
            "To waive it, add a `Lockstep-Skip: {} -- reason` trailer to a commit message.",
            finding.rule
        ));
    }
    Documentation {
        short,
        full: full.join("\n\n"),
    }
}

/// `payments-api`, `man-pages [cmd = build]`, and in `--per-commit` mode the commit
/// judged: `payments-api (commit 1a2b3c4d5e)`.
pub fn rule_name(finding: &Finding) -> String {
    let mut name = finding.rule.clone();
    if !finding.bindings.is_empty() {
        let bindings: Vec<String> = finding
            .bindings
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        name.push_str(&format!(" [{}]", bindings.join(", ")));
    }
    if let Some(commit) = &finding.commit {
        name.push_str(&format!(" (commit {})", commit.get(..10).unwrap_or(commit)));
    }
    name
}

/// `path:12` or `path`.
pub fn location(trigger: &Trigger) -> String {
    let path = match &trigger.renamed_from {
        Some(old) => format!("{old} → {}", trigger.path),
        None => trigger.path.clone(),
    };
    match trigger.line {
        Some(line) => format!("{path}:{line}"),
        None => path,
    }
}

/// Where a finding is shown: the first file that triggered it, else the place in the
/// rule set it comes from (a too-large change points at `settings.max_files`).
pub fn place(finding: &Finding) -> Option<Trigger> {
    if let Some(first) = finding.triggered_by.first() {
        return Some(first.clone());
    }
    finding
        .origin
        .as_ref()
        .map(|origin| Trigger::at(&origin.source.name, origin.line()))
}

/// One sentence: `a.proto and b.proto changed without docs and sdk`.
pub fn headline(finding: &Finding) -> String {
    if finding.status == FindingStatus::TooLarge || finding.triggered_by.is_empty() {
        return finding
            .message
            .clone()
            .unwrap_or_else(|| "change too large to judge".to_owned());
    }
    let triggers: Vec<String> = finding.triggered_by.iter().map(location).collect();
    let kinds: Vec<&str> = finding.missing.iter().map(|m| m.kind.as_str()).collect();
    // Findings about the change itself (a malformed annotation block) have no
    // companions; their message says what is wrong.
    if let (true, Some(message)) = (kinds.is_empty(), statement(finding)) {
        return format!("{}: {message}", list(&triggers, 3));
    }
    let renamed = finding
        .triggered_by
        .iter()
        .all(|t| t.renamed_from.is_some());
    format!(
        "{} {} without {}",
        list(&triggers, 3),
        if renamed { "renamed" } else { "changed" },
        list(&kinds, usize::MAX)
    )
}

/// The finding's message, and for an annotation problem its code:
/// `unknown directive `LINT.Frobnicate` [unknown-directive]`.
pub fn statement(finding: &Finding) -> Option<String> {
    let message = finding.message.clone()?;
    Some(match finding.problem {
        Some(kind) => format!("{message} [{}]", kind.code()),
        None => message,
    })
}

/// What to do, one line each: the missing companions, owners, the rule's message, and
/// whether the finding is waived.
pub fn fix_lines(finding: &Finding) -> Vec<String> {
    let mut lines: Vec<String> = finding
        .missing
        .iter()
        .map(|m| format!("update {}: {}", m.kind, m.paths.join(" or ")))
        .collect();
    if !finding.owners.is_empty() {
        lines.push(format!("owners: {}", finding.owners.join(", ")));
    }
    if !finding.missing.is_empty() {
        lines.extend(finding.message.clone());
    }
    if finding.status == FindingStatus::Waived {
        lines.push(waived(finding));
    }
    lines
}

/// `waived by pull request label `lockstep-skip:docs`: docs follow in #12`.
pub fn waived(finding: &Finding) -> String {
    match &finding.waiver {
        Some(Waiver {
            by,
            reason: Some(reason),
        }) => format!("waived by {by}: {reason}"),
        Some(Waiver { by, reason: None }) => format!("waived by {by} (no reason given)"),
        None => "waived".to_owned(),
    }
}

/// The severity a finding is shown with: waived and too-large findings are notes.
pub fn level(finding: &Finding) -> Severity {
    if finding.status == FindingStatus::Missing {
        finding.severity
    } else {
        Severity::Info
    }
}

/// `a`, `a and b`, `a, b and 3 more` (at most `shown` names).
pub fn list<T: AsRef<str>>(items: &[T], shown: usize) -> String {
    let names: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] if names.len() <= shown => format!("{} and {last}", init.join(", ")),
        _ => format!(
            "{} and {} more",
            names[..shown - 1].join(", "),
            names.len() - (shown - 1)
        ),
    }
}

/// `1 error`, `2 errors`.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excerpt(sign: char, text: &str) -> Excerpt {
        let text = text.to_owned();
        Excerpt { sign, text }
    }

    #[test]
    fn a_triggering_line_is_trimmed_cut_and_signed() {
        let rpc = excerpt('-', "\t  rpc Refund(R) returns (S);  ");
        assert_eq!(shown(&rpc).as_deref(), Some("- rpc Refund(R) returns (S);"));
        assert_eq!(shown(&excerpt('+', "   ")), None);
        let long = excerpt('+', &format!("  {}", "é".repeat(EXCERPT_WIDTH + 1)));
        let cut = shown(&long).expect("shown");
        assert_eq!(cut, format!("+ {}…", "é".repeat(EXCERPT_WIDTH)));
        let exact = excerpt('+', &"x".repeat(EXCERPT_WIDTH));
        assert!(!shown(&exact).expect("shown").ends_with('…'));
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Findings for the format snapshots: every status, a binding, a line, escapes.

    use std::collections::BTreeMap;

    use super::super::{DiffSummary, Report};
    use crate::config::{ConfigSource, Origin, Severity};
    use crate::finding::{Excerpt, Finding, FindingStatus, Missing, Trigger};

    fn finding(rule: &str, severity: Severity, status: FindingStatus) -> Finding {
        Finding {
            rule: rule.to_owned(),
            severity,
            status,
            bindings: BTreeMap::new(),
            triggered_by: Vec::new(),
            missing: Vec::new(),
            owners: Vec::new(),
            message: None,
            commit: None,
            waiver: None,
            problem: None,
            description: None,
            skippable: true,
            origin: None,
        }
    }

    pub fn report() -> Report {
        let mut api = finding("payments-api", Severity::Error, FindingStatus::Missing);
        api.description = Some("Payments API changes reach docs & SDKs".to_owned());
        api.triggered_by = vec![
            Trigger {
                excerpt: Some(Excerpt {
                    sign: '+',
                    text: "  rpc Refund(RefundRequest) returns (Refund);".to_owned(),
                }),
                ..Trigger::at("services/payments/api/refund.proto", Some(12))
            },
            Trigger::at("services/payments/api/void, 100%.proto", None),
        ];
        api.missing = vec![
            Missing {
                kind: "docs".to_owned(),
                paths: vec!["docs/payments/api.md".to_owned()],
            },
            Missing {
                kind: "sdk".to_owned(),
                paths: vec![
                    "sdk/go/payments/**".to_owned(),
                    "sdk/ts/src/payments/**".to_owned(),
                ],
            },
        ];
        api.owners = vec!["@acme/payments-docs".to_owned()];
        api.message = Some("Run `make sdk` | then <commit>.".to_owned());

        let mut man = finding("man-pages", Severity::Warning, FindingStatus::Missing);
        man.bindings = BTreeMap::from([("cmd".to_owned(), "build".to_owned())]);
        man.triggered_by = vec![Trigger::at("doc/man/cargo-build.md", None)];
        man.missing = vec![Missing {
            kind: "file".to_owned(),
            paths: vec!["etc/man/cargo-build.1".to_owned()],
        }];

        let mut waived = finding("changelog", Severity::Error, FindingStatus::Waived);
        waived.waiver = Some(crate::waiver::Waiver {
            by: "trailer `Lockstep-Skip: changelog -- internal` in commit 222222222222".to_owned(),
            reason: Some("internal".to_owned()),
        });
        waived.triggered_by = vec![Trigger::at("src/lib.rs", Some(3))];
        waived.missing = vec![Missing {
            kind: "changelog".to_owned(),
            paths: vec!["CHANGELOG.md".to_owned()],
        }];

        Report {
            diff: DiffSummary {
                kind: "range",
                base: Some("1111111111111111111111111111111111111111".to_owned()),
                head: Some("2222222222222222222222222222222222222222".to_owned()),
                files_changed: 4,
            },
            findings: vec![api, man, waived],
            rules_checked: 5,
            skip_trailer: "Lockstep-Skip".to_owned(),
        }
    }

    /// `report()`'s three findings `times` times each, then a too-large finding whose
    /// limit is set on line 4 of `lockstep.toml`.
    pub fn crowded(times: usize) -> Report {
        let mut report = report();
        let mut findings: Vec<Finding> = report
            .findings
            .iter()
            .cycle()
            .take(report.findings.len() * times)
            .cloned()
            .collect();
        findings.push(too_large(true));
        report.findings = findings;
        report
    }

    /// A too-large finding pointing at `max_files = 2` on line 4 of `lockstep.toml`
    /// (`set`), or at the file as a whole (the default limit).
    pub fn too_large(set: bool) -> Finding {
        let text = "version = 1\n\n[settings]\nmax_files = 2\n";
        let at = text.len() - 2;
        let span = if set { at..at + 1 } else { 0..0 };
        Finding::too_large(
            3,
            2,
            Some(Origin {
                source: ConfigSource::new("lockstep.toml", text),
                span,
            }),
        )
    }

    pub fn clean() -> Report {
        Report {
            diff: DiffSummary {
                kind: "staged",
                base: Some("1111111111111111111111111111111111111111".to_owned()),
                head: None,
                files_changed: 2,
            },
            findings: Vec::new(),
            rules_checked: 3,
            skip_trailer: "Lockstep-Skip".to_owned(),
        }
    }

    /// Renders with `render` into a string.
    pub fn rendered<T>(
        value: &T,
        render: impl FnOnce(&T, &mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> String {
        let mut out = Vec::new();
        render(value, &mut out).expect("render");
        String::from_utf8(out).expect("utf-8")
    }
}
