//! `--format markdown`: a summary ready to post as a pull-request comment (and the
//! GitHub step summary).

use std::io::{self, Write};

use super::Report;
use super::describe::{level, list, location, plural, rule_name};
use crate::config::Severity;
use crate::finding::{Finding, FindingStatus};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = report.summary();
    let scope = format!(
        "{}, {} checked",
        plural(report.diff.files_changed, "changed file"),
        plural(s.rules_checked, "rule")
    );
    writeln!(out, "### lockstep\n")?;
    if report.findings.is_empty() {
        writeln!(out, "✅ All companions present ({scope}).")?;
        return Ok(());
    }
    let mark = if s.errors > 0 { "❌" } else { "⚠️" };
    writeln!(
        out,
        "{mark} **{}**, {}, {}, {} waived ({scope}).\n",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "info"),
        s.waived
    )?;
    writeln!(
        out,
        "| | Rule | Changed | Missing companions | Owners |\n| --- | --- | --- | --- | --- |"
    )?;
    for finding in &report.findings {
        writeln!(out, "{}", row(finding))?;
    }
    let notes: Vec<String> = report
        .findings
        .iter()
        .filter_map(|f| {
            let message = f.message.as_deref()?;
            (f.status != FindingStatus::TooLarge)
                .then(|| format!("- {}: {}", code(&f.rule), cell(message)))
        })
        .collect();
    if !notes.is_empty() {
        writeln!(out, "\n{}", notes.join("\n"))?;
    }
    Ok(())
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
    fn cells_escape_pipes_and_backticks() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("`x`"), "`` `x` ``");
    }
}
