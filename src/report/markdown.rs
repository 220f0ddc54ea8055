//! `--format markdown`: a summary ready to post as a pull-request comment (and the
//! GitHub step summary).

use std::io::{self, Write};

use super::Report;
use super::describe::{level, list, location, plural, rule_name, statement};
use crate::config::Severity;
use crate::finding::{Finding, FindingStatus};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    render_within(report, usize::MAX, out)
}

/// Room kept for the line that counts what did not fit.
const TAIL: usize = 256;

/// The summary in at most `limit` bytes (GitHub keeps a job summary under 1 MiB): the
/// findings whose rows do not fit are counted instead of shown.
pub fn render_within(report: &Report, limit: usize, out: &mut dyn Write) -> io::Result<()> {
    let s = report.summary();
    let scope = format!(
        "{}, {} checked",
        plural(report.diff.files_changed, "changed file"),
        plural(s.rules_checked, "rule")
    );
    let mut text = String::from("### lockstep\n\n");
    if report.findings.is_empty() {
        text.push_str(&format!("✅ All companions present ({scope}).\n"));
        return out.write_all(text.as_bytes());
    }
    let mark = if s.errors > 0 { "❌" } else { "⚠️" };
    text.push_str(&format!(
        "{mark} **{}**, {}, {}, {} waived ({scope}).\n\n",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "info"),
        s.waived
    ));
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
