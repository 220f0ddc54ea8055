//! `--format human`: one miette diagnostic per finding, pointing at the rule's
//! definition, then a one-line summary.

use std::fmt;
use std::io::{self, Write};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use super::{Report, Style};
use crate::config::Severity;
use crate::finding::{Finding, FindingStatus};

pub fn render(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    for finding in &report.findings {
        let diagnostic = FindingDiagnostic::new(finding);
        let mut text = String::new();
        handler
            .render_report(&mut text, &diagnostic)
            .map_err(|e| io::Error::other(e.to_string()))?;
        writeln!(out, "{text}")?;
    }
    writeln!(out, "{}", summary_line(report))
}

fn summary_line(report: &Report) -> String {
    let s = report.summary();
    let files = plural(report.diff.files_changed, "changed file");
    let rules = plural(s.rules_checked, "rule");
    if report.findings.is_empty() {
        return format!("lockstep: all companions present ({files}, {rules} checked)");
    }
    format!(
        "lockstep: {}, {}, {}, {} waived ({files}, {rules} checked)",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "info"),
        s.waived
    )
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// A finding as miette sees it.
struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    source: Option<NamedSource<std::sync::Arc<str>>>,
    help: String,
}

impl<'a> FindingDiagnostic<'a> {
    fn new(finding: &'a Finding) -> Self {
        let source = finding.origin.as_ref().map(|o| {
            NamedSource::new(o.source.name.clone(), o.source.text.clone()).with_language("TOML")
        });
        FindingDiagnostic {
            finding,
            source,
            help: help(finding),
        }
    }
}

/// What to do: each missing companion with its kind and paths, owners, the rule's
/// message.
fn help(finding: &Finding) -> String {
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
        lines.push("waived by a `Lockstep-Skip` trailer or LOCKSTEP_SKIP".to_owned());
    }
    lines.join("\n")
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let finding = self.finding;
        if finding.status == FindingStatus::TooLarge {
            return f.write_str(
                finding
                    .message
                    .as_deref()
                    .unwrap_or("change too large to judge"),
            );
        }
        let waived = if finding.status == FindingStatus::Waived {
            "(waived) "
        } else {
            ""
        };
        let triggers: Vec<String> = finding
            .triggered_by
            .iter()
            .map(|t| match t.line {
                Some(line) => format!("{}:{line}", t.path),
                None => t.path.clone(),
            })
            .collect();
        let bindings: Vec<String> = finding
            .bindings
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        let bound = if bindings.is_empty() {
            String::new()
        } else {
            format!(" [{}]", bindings.join(", "))
        };
        write!(f, "{waived}{}{bound}: {}", finding.rule, list(&triggers))?;
        let kinds: Vec<&str> = finding.missing.iter().map(|m| m.kind.as_str()).collect();
        match (kinds.is_empty(), &finding.message) {
            // Findings about the change itself (a malformed annotation block) have no
            // companions; their message says what is wrong.
            (true, Some(message)) => write!(f, ": {message}"),
            _ => write!(f, " changed without {}", list(&kinds)),
        }
    }
}

/// `a`, `a and b`, `a, b and 3 more`.
fn list<T: AsRef<str>>(items: &[T]) -> String {
    const SHOWN: usize = 3;
    let names: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] if names.len() <= SHOWN => format!("{} and {last}", init.join(", ")),
        _ => format!(
            "{} and {} more",
            names[..SHOWN - 1].join(", "),
            names.len() - (SHOWN - 1)
        ),
    }
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("lockstep::{}", self.finding.rule)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        if self.finding.status != FindingStatus::Missing {
            return Some(miette::Severity::Advice);
        }
        Some(match self.finding.severity {
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
        let origin = self.finding.origin.as_ref()?;
        let label = match &self.finding.description {
            Some(description) => format!("rule defined here: {description}"),
            None => "rule defined here".to_owned(),
        };
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(label), origin.span.clone()),
        )))
    }
}
