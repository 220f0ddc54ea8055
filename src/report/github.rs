//! `--format github`: GitHub Actions workflow commands, so a pull request shows each
//! finding as an annotation at the file that triggered it. The CLI also appends the
//! Markdown summary to `$GITHUB_STEP_SUMMARY`.

use std::io::{self, Write};

use super::Report;
use super::describe::{fix_lines, headline, level, plural, rule_name};
use crate::config::Severity;
use crate::finding::Finding;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for finding in &report.findings {
        writeln!(out, "{}", command(finding))?;
    }
    let s = report.summary();
    writeln!(
        out,
        "lockstep: {}, {}, {}, {} waived ({}, {} checked)",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "info"),
        s.waived,
        plural(report.diff.files_changed, "changed file"),
        plural(s.rules_checked, "rule"),
    )
}

/// `::error file=…,line=…,title=…::message`.
fn command(finding: &Finding) -> String {
    let name = match level(finding) {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut properties = Vec::new();
    if let Some(trigger) = finding.triggered_by.first() {
        properties.push(format!("file={}", escape_property(&trigger.path)));
        if let Some(line) = trigger.line {
            properties.push(format!("line={line}"));
        }
    }
    let title = format!("lockstep {}", rule_name(finding));
    properties.push(format!("title={}", escape_property(&title)));
    let mut message = vec![headline(finding)];
    message.extend(fix_lines(finding));
    format!(
        "::{name} {}::{}",
        properties.join(","),
        escape_data(&message.join("\n"))
    )
}

/// Message data: `%`, CR and LF are percent-encoded (as in @actions/core).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values additionally encode `:` and `,`, which delimit properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::super::describe::fixtures;
    use super::*;

    #[test]
    fn findings_become_workflow_commands() {
        insta::assert_snapshot!(fixtures::rendered(&fixtures::report(), render));
    }

    #[test]
    fn a_clean_report_is_one_summary_line() {
        insta::assert_snapshot!(fixtures::rendered(&fixtures::clean(), render));
    }

    #[test]
    fn escapes_follow_the_actions_toolkit() {
        assert_eq!(escape_data("50% a\r\nb:c,d"), "50%25 a%0D%0Ab:c,d");
        assert_eq!(escape_property("50% a\nb:c,d"), "50%25 a%0Ab%3Ac%2Cd");
    }
}
