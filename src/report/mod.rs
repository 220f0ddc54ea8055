//! Rendering a check's findings: one file per output format behind [`render`].

mod azure;
mod describe;
mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod markdown;
mod sarif;

use std::io::{self, Write};

use crate::config::Severity;
use crate::finding::{Finding, FindingStatus};

/// What a check looked at, for the report header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffSummary {
    /// `staged`, `worktree`, `range` or `commit`.
    pub kind: &'static str,
    pub base: Option<String>,
    pub head: Option<String>,
    pub files_changed: usize,
}

/// Everything a reporter needs.
#[derive(Debug, Clone)]
pub struct Report {
    pub diff: DiffSummary,
    pub findings: Vec<Finding>,
    pub rules_checked: usize,
}

/// Counts by outcome, as in the JSON `summary`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub waived: usize,
    pub rules_checked: usize,
}

impl Report {
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            rules_checked: self.rules_checked,
            ..Summary::default()
        };
        for finding in &self.findings {
            match (finding.status, finding.severity) {
                (FindingStatus::Waived, _) => summary.waived += 1,
                (_, Severity::Error) => summary.errors += 1,
                (_, Severity::Warning) => summary.warnings += 1,
                (_, Severity::Info) => summary.infos += 1,
            }
        }
        summary
    }
}

pub use azure::upload_summary as azure_upload_summary;

/// The formats of `check`'s report; the CLI offers exactly these (`--format`, `--report`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics for a terminal.
    Human,
    /// The JSON shape of the README, for scripts.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// A pull-request comment.
    Markdown,
    /// JUnit XML test reports.
    Junit,
    /// A GitLab Code Quality report.
    Gitlab,
    /// Azure Pipelines logging commands.
    Azure,
}

/// Presentation choices that are not part of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    /// Terminal width for wrapping human output.
    pub width: usize,
}

/// Renders one diagnostic as miette draws it: Unicode frames, coloured only when asked,
/// wrapped at `width`. A diagnostic miette cannot draw falls back to its message.
pub fn render_diagnostic(diagnostic: &dyn miette::Diagnostic, color: bool, width: usize) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false);
    let mut text = String::new();
    if handler.render_report(&mut text, diagnostic).is_err() {
        text = format!("{diagnostic}\n");
    }
    text
}

/// GitHub keeps at most this many bytes of one step's job summary.
pub const STEP_SUMMARY_LIMIT: usize = 1024 * 1024;

/// The Markdown summary in at most `limit` bytes, for `$GITHUB_STEP_SUMMARY`: findings
/// that do not fit are counted instead of shown.
pub fn render_summary(report: &Report, limit: usize, out: &mut dyn Write) -> io::Result<()> {
    markdown::render_within(report, limit, out)
}

pub fn render(
    report: &Report,
    format: Format,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, style, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Github => github::render(report, out),
        Format::Markdown => markdown::render(report, out),
        Format::Junit => junit::render(report, out),
        Format::Gitlab => gitlab::render(report, out),
        Format::Azure => azure::render(report, out),
    }
}
