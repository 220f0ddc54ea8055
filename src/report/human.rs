//! `--format human`: one miette diagnostic per finding, pointing at the rule's
//! definition, then a one-line summary.

use std::fmt;
use std::io::{self, Write};

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use super::describe::{fix_lines, headline, plural, rule_name};
use super::{Report, Style, render_diagnostic};
use crate::config::Severity;
use crate::finding::{Finding, FindingStatus};

pub fn render(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    for finding in &report.findings {
        let diagnostic = FindingDiagnostic::new(finding);
        writeln!(
            out,
            "{}",
            render_diagnostic(&diagnostic, style.color, style.width)
        )?;
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
            help: fix_lines(finding).join("\n"),
        }
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let finding = self.finding;
        let waived = if finding.status == FindingStatus::Waived {
            "(waived) "
        } else {
            ""
        };
        write!(f, "{waived}{}: {}", rule_name(finding), headline(finding))
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
        let origin = self
            .finding
            .origin
            .as_ref()
            .filter(|o| !o.span.is_empty())?;
        let label = match (&self.finding.description, self.finding.status) {
            (_, FindingStatus::TooLarge) => "the limit is set here".to_owned(),
            (Some(description), _) => format!("rule defined here: {description}"),
            (None, _) => "rule defined here".to_owned(),
        };
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(label), origin.span.clone()),
        )))
    }
}
