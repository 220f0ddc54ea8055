//! Rendering diagnostics: one file per output format. Every format renders a
//! [`Listing`] of [`Diagnostic`]s ([`render_listing`]); a check's report is one (its
//! findings become diagnostics), except in JSON, whose shape SPEC section 5 fixes, and
//! in Markdown, whose table has the findings' columns ([`render`]).

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
use crate::diagnostic::Diagnostic;
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
    /// The trailer token that waives rules (`settings.skip_trailer`), for the human
    /// report's hint on how to waive what failed.
    pub skip_trailer: String,
}

impl Report {
    /// The findings as diagnostics, with what the check looked at.
    pub fn listing(&self) -> Listing {
        let mut listing = Listing {
            diagnostics: self.findings.iter().map(describe::diagnostic).collect(),
            scope: format!(
                "{}, {} checked",
                plural(self.diff.files_changed, "changed file"),
                plural(self.rules_checked, "rule")
            ),
            clean: ("companions", "all companions present"),
            everything: "the job summary lists every finding",
            notes: self.waiver_hint(),
            summary: String::new(),
        };
        listing.summary = match (listing.diagnostics.is_empty(), self.diff.files_changed) {
            (true, 0) => self.nothing_to_check(),
            (true, _) => format!("{} ({})", listing.clean.1, listing.scope),
            (false, _) => listing.tally(),
        };
        listing
    }

    /// How to waive the skippable rules that failed, if any did, in the way this kind of
    /// check reads waivers.
    fn waiver_hint(&self) -> String {
        let mut ids: Vec<&str> = Vec::new();
        for finding in &self.findings {
            let waivable = finding.status == FindingStatus::Missing && finding.skippable;
            if waivable && !ids.contains(&finding.rule.as_str()) {
                ids.push(&finding.rule);
            }
        }
        if ids.is_empty() {
            return String::new();
        }
        let ids = ids.join(",");
        let trailer = format!("`{}: {ids} -- <reason>`", self.skip_trailer);
        match self.diff.kind {
            "staged" | "worktree" => format!(
                "to waive for one commit: `LOCKSTEP_SKIP={ids} git commit …`, or a {trailer} \
                 trailer in its message (read by the commit-msg hook)\n"
            ),
            _ => format!(
                "to waive: a {trailer} trailer in a commit of the range, or the pull request \
                 label `lockstep-skip:RULE`\n"
            ),
        }
    }

    /// The summary of a diff that changes no file: what was looked at, not a pass.
    fn nothing_to_check(&self) -> String {
        let what = match self.diff.kind {
            "staged" => {
                "no staged changes (a hook run by `pre-commit run --all-files` sees none; \
                 `lockstep check --base BRANCH` checks a branch)"
            }
            "worktree" => "no changes in the work tree",
            "commit" => "the commit changes no files",
            _ => "no file changed between the base and the head",
        };
        format!(
            "nothing to check: {what}; {} loaded",
            plural(self.rules_checked, "rule")
        )
    }
}

/// What every format renders: the diagnostics of one run, and what it looked at.
#[derive(Debug, Clone)]
pub struct Listing {
    pub diagnostics: Vec<Diagnostic>,
    /// What was looked at: `4 changed files, 5 rules checked`.
    pub scope: String,
    /// What a run without diagnostics found, as a JUnit test case name and a sentence:
    /// `("companions", "all companions present")`.
    pub clean: (&'static str, &'static str),
    /// Where to read them all when a format shows only some (GitHub annotations).
    pub everything: &'static str,
    /// Lines the human format prints before its summary (what was left unchecked).
    pub notes: String,
    /// The human format's last line: `all companions present (…)`, or the counts.
    pub summary: String,
}

/// Diagnostics by outcome, as in the JSON `summary`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub waived: usize,
}

impl Listing {
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for diagnostic in &self.diagnostics {
            match (&diagnostic.waived, diagnostic.severity) {
                (Some(_), _) => counts.waived += 1,
                (None, Severity::Error) => counts.errors += 1,
                (None, Severity::Warning) => counts.warnings += 1,
                (None, Severity::Info) => counts.infos += 1,
            }
        }
        counts
    }

    /// `1 error, 0 warnings, 0 infos, 1 waived (4 changed files, 5 rules checked)`.
    pub fn tally(&self) -> String {
        let c = self.counts();
        format!(
            "{}, {}, {}, {} waived ({})",
            plural(c.errors, "error"),
            plural(c.warnings, "warning"),
            plural(c.infos, "info"),
            c.waived,
            self.scope
        )
    }
}

pub use azure::upload_summary as azure_upload_summary;
use describe::plural;

/// The formats of `check` and `validate`; the CLI offers exactly these (`--format`,
/// `--report`).
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
/// wrapped at `width` between words, never inside one at a hyphen, so a path or an id
/// (`pack-0a1b….pack`, `payments-api.md`) stays whole for copying. A diagnostic miette
/// cannot draw falls back to its message.
pub fn render_diagnostic(diagnostic: &dyn miette::Diagnostic, color: bool, width: usize) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
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

/// A check's report in `format`.
pub fn render(
    report: &Report,
    format: Format,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Json => json::render(report, out),
        Format::Markdown => markdown::render(report, out),
        _ => render_listing(&report.listing(), format, style, out),
    }
}

/// Diagnostics in `format`; JSON and Markdown in their generic shape (a check's
/// report has its own, see [`render`]).
pub fn render_listing(
    listing: &Listing,
    format: Format,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(listing, style, out),
        Format::Json => json::render_listing(listing, out),
        Format::Sarif => sarif::render(listing, out),
        Format::Github => github::render(listing, out),
        Format::Markdown => markdown::render_listing(listing, out),
        Format::Junit => junit::render(listing, out),
        Format::Gitlab => gitlab::render(listing, out),
        Format::Azure => azure::render(listing, out),
    }
}
