//! `--format markdown`: a summary ready to post as a pull-request comment (and the
//! GitHub step summary): a check's findings with their companions and owners, or any
//! other diagnostics with their code, place and help.

use std::io::{self, Write};

use super::describe::{level, list, location, plural, rule_name, statement};
use super::{Counts, Listing, Report};
use crate::config::Severity;
use crate::diagnostic::Diagnostic;
use crate::finding::{Finding, FindingStatus};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    render_within(report, usize::MAX, out)
}

/// Diagnostics as a table: level, code, place, and the message with its help.
pub fn render_listing(listing: &Listing, out: &mut dyn Write) -> io::Result<()> {
    let (_, clean) = listing.clean;
    let mut text = heading(
        listing.counts(),
        &listing.scope,
        clean,
        listing.diagnostics.is_empty(),
    );
    if !listing.diagnostics.is_empty() {
        text.push_str("| | Code | Where | Message |\n| --- | --- | --- | --- |\n");
        for diagnostic in &listing.diagnostics {
            text.push_str(&diagnostic_row(diagnostic));
            text.push('\n');
        }
    }
    out.write_all(text.as_bytes())
}

fn diagnostic_row(diagnostic: &Diagnostic) -> String {
    let status = match (&diagnostic.waived, diagnostic.level()) {
        (Some(_), _) => "💤 waived",
        (None, Severity::Error) => "❌ error",
        (None, Severity::Warning) => "⚠️ warning",
        (None, Severity::Info) => "ℹ️ info",
    };
    let place = diagnostic
        .location
        .as_ref()
        .map(|l| code(&l.to_string()))
        .unwrap_or_default();
    let mut message = vec![cell(&diagnostic.message)];
    message.extend(diagnostic.help.iter().map(|h| cell(h)));
    format!(
        "| {status} | {} | {place} | {} |",
        code(&diagnostic.code.id()),
        message.join("<br>")
    )
}

/// `### lockstep` and the counts (or, with nothing to report, the `clean` sentence).
fn heading(counts: Counts, scope: &str, clean: &str, empty: bool) -> String {
    let mut text = String::from("### lockstep\n\n");
    if empty {
        let mut chars = clean.chars();
        let first = chars.next().map(|c| c.to_uppercase().to_string());
        text.push_str(&format!(
            "✅ {}{} ({scope}).\n",
            first.unwrap_or_default(),
            chars.as_str()
        ));
        return text;
    }
    let mark = if counts.errors > 0 { "❌" } else { "⚠️" };
    text.push_str(&format!(
        "{mark} **{}**, {}, {}, {} waived ({scope}).\n\n",
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(counts.infos, "info"),
        counts.waived
    ));
    text
}

/// Room kept for the line that counts what did not fit.
const TAIL: usize = 256;

/// The summary in at most `limit` bytes (GitHub keeps a job summary under 1 MiB): the
/// findings whose rows do not fit are counted instead of shown.
pub fn render_within(report: &Report, limit: usize, out: &mut dyn Write) -> io::Result<()> {
    let listing = report.listing();
    let (_, clean) = listing.clean;
    let empty = report.findings.is_empty();
    let mut text = heading(listing.counts(), &listing.scope, clean, empty);
    if empty {
        return out.write_all(text.as_bytes());
    }
    text.push_str(
        "| | Rule | Changed | Missing companions | Owners |\n| --- | --- | --- | --- | --- |\n",
    );
    let room = limit.saturating_sub(TAIL);
    let mut cut = Vec::new();
    let mut notes = notes(&report.findings);
    if text.len() + notes.len() > room {
        notes.clear();
        cut.push("the rules' messages".to_owned());
    }
    let mut shown = 0;
    for finding in &report.findings {
        let row = row(finding) + "\n";
        if text.len() + row.len() + notes.len() > room {
            break;
        }
        text.push_str(&row);
        shown += 1;
    }
    text.push_str(&notes);
    let hidden = report.findings.len() - shown;
    if hidden > 0 {
        cut.insert(0, plural(hidden, "more finding"));
    }
    if !cut.is_empty() {
        text.push_str(&format!(
            "\n_{} not shown: the summary is kept under {} KiB. `lockstep check --format json` lists every finding._\n",
            list(&cut, usize::MAX),
            limit / 1024
        ));
    }
    out.write_all(text.as_bytes())
}

/// Each rule's message once, as a list after the table (empty when no rule has one).
fn notes(findings: &[Finding]) -> String {
    let mut notes: Vec<String> = Vec::new();
    for finding in findings {
        if let (Some(message), false) = (
            statement(finding),
            finding.status == FindingStatus::TooLarge,
        ) {
            let note = format!("- {}: {}", code(&finding.rule), cell(&message));
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }
    if notes.is_empty() {
        return String::new();
    }
    format!("\n{}\n", notes.join("\n"))
}

fn row(finding: &Finding) -> String {
    let status = match (finding.status, level(finding)) {
        (FindingStatus::Waived, _) => "💤 waived",
        (FindingStatus::TooLarge, _) => "ℹ️ too large",
        (_, Severity::Error) => "❌ error",
        (_, Severity::Warning) => "⚠️ warning",
        (_, Severity::Info) => "ℹ️ info",
    };
    let triggers: Vec<String> = finding
        .triggered_by
        .iter()
        .map(|t| code(&location(t)))
        .collect();
    let changed = if triggers.is_empty() {
        cell(finding.message.as_deref().unwrap_or_default())
    } else {
        list(&triggers, 5)
    };
    let missing: Vec<String> = finding
        .missing
        .iter()
        .map(|m| {
            let paths: Vec<String> = m.paths.iter().map(|p| code(p)).collect();
            format!("**{}**: {}", cell(&m.kind), paths.join(" or "))
        })
        .collect();
    format!(
        "| {status} | {} | {changed} | {} | {} |",
        code(&rule_name(finding)),
        missing.join("<br>"),
        cell(&finding.owners.join(", "))
    )
}

/// Text in a table cell: pipes and line breaks would end the cell or the row, and `<`
/// would start an HTML tag.
fn cell(text: &str) -> String {
    one_line(text).replace('<', "&lt;")
}

fn one_line(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// A code span that survives a table cell, whatever backticks the text holds.
fn code(text: &str) -> String {
    let fence = if text.contains('`') { "``" } else { "`" };
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", one_line(text))
}

#[cfg(test)]
mod tests {
    use super::super::describe::fixtures;
    use super::*;

    #[test]
    fn findings_become_a_table() {
        insta::assert_snapshot!(fixtures::rendered(&fixtures::report(), render));
    }

    #[test]
    fn a_clean_report_says_so() {
        insta::assert_snapshot!(fixtures::rendered(&fixtures::clean(), render));
    }

    #[test]
    fn a_summary_within_a_limit_counts_the_findings_that_do_not_fit() {
        let report = fixtures::crowded(400);
        let whole = fixtures::rendered(&report, render);
        assert!(whole.len() > 64 * 1024, "{}", whole.len());
        let limited = fixtures::rendered(&report, |r, out| render_within(r, 64 * 1024, out));
        assert!(limited.len() <= 64 * 1024, "{}", limited.len());
        // Table lines less the header and its separator.
        let rows = limited.lines().filter(|l| l.starts_with("| ")).count() - 2;
        let hidden = report.findings.len() - rows;
        assert!(rows > 100 && hidden > 100, "{rows} shown, {hidden} hidden");
        assert!(limited.ends_with(&format!(
            "_{hidden} more findings not shown: the summary is kept under 64 KiB. `lockstep check --format json` lists every finding._\n"
        )), "{}", limited.lines().last().unwrap_or_default());
        assert_eq!(
            fixtures::rendered(&fixtures::report(), |r, out| render_within(
                r,
                64 * 1024,
                out
            )),
            fixtures::rendered(&fixtures::report(), render),
            "a summary that fits is complete"
        );
    }

    #[test]
    fn cells_escape_pipes_and_backticks() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("`x`"), "`` `x` ``");
    }
}
