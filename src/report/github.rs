//! `--format github`: GitHub Actions workflow commands, so a pull request shows each
//! finding as an annotation at the file that triggered it. GitHub shows only ten
//! annotations of each level per step: the most important are printed and the rest
//! counted. The CLI also appends the Markdown summary, which lists every finding, to
//! `$GITHUB_STEP_SUMMARY`.

use std::cmp::Reverse;
use std::io::{self, Write};

use super::Report;
use super::describe::{counts, fix_lines, headline, level, list, place, plural, rule_name};
use crate::config::Severity;
use crate::finding::{Finding, FindingStatus};

/// GitHub drops annotations beyond this many of one level in one step.
const ANNOTATIONS_PER_LEVEL: usize = 10;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut findings: Vec<&Finding> = report.findings.iter().collect();
    findings.sort_by_key(|f| importance(f));
    let mut hidden: Vec<(Severity, usize)> = Vec::new();
    for (level, group) in findings
        .chunk_by(|a, b| level(a) == level(b))
        .map(|g| (level(g[0]), g))
    {
        for finding in group.iter().take(ANNOTATIONS_PER_LEVEL) {
            writeln!(out, "{}", command(finding))?;
        }
        if group.len() > ANNOTATIONS_PER_LEVEL {
            hidden.push((level, group.len() - ANNOTATIONS_PER_LEVEL));
        }
    }
    writeln!(out, "lockstep: {}", counts(report))?;
    if !hidden.is_empty() {
        let counts: Vec<String> = hidden
            .iter()
            .map(|&(level, count)| plural(count, &format!("more {}", command_name(level))))
            .collect();
        writeln!(
            out,
            "lockstep: {} not annotated (GitHub shows {ANNOTATIONS_PER_LEVEL} of each level); the job summary lists every finding",
            list(&counts, usize::MAX)
        )?;
    }
    Ok(())
}

/// Errors, then warnings, then notices; within a level, failing findings before
/// too-large changes before waived ones (the sort is stable: otherwise report order).
fn importance(finding: &Finding) -> (Reverse<Severity>, u8) {
    let status = match finding.status {
        FindingStatus::Missing => 0,
        FindingStatus::TooLarge => 1,
        FindingStatus::Waived => 2,
    };
    (Reverse(level(finding)), status)
}

/// The workflow command of a level: `error`, `warning` or `notice`.
fn command_name(level: Severity) -> &'static str {
    match level {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// `::error file=…,line=…,title=…::message`.
fn command(finding: &Finding) -> String {
    let name = command_name(level(finding));
    let mut properties = Vec::new();
    if let Some(trigger) = place(finding) {
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
    fn ten_annotations_per_level_the_most_important_first() {
        let text = fixtures::rendered(&fixtures::crowded(12), render);
        let lines: Vec<&str> = text.lines().collect();
        let count = |prefix: &str| lines.iter().filter(|l| l.starts_with(prefix)).count();
        assert_eq!(count("::error "), 10);
        assert_eq!(count("::warning "), 10);
        assert_eq!(count("::notice "), 10);
        // Errors first; among notices the too-large change (last in the report) comes
        // before the waived findings.
        assert!(lines[0].starts_with("::error "), "{text}");
        assert!(
            lines[20].starts_with("::notice file=lockstep.toml,line=4,title=lockstep max-files::"),
            "{text}"
        );
        assert_eq!(
            lines.last().copied(),
            Some(
                "lockstep: 2 more errors, 2 more warnings and 3 more notices not annotated (GitHub shows 10 of each level); the job summary lists every finding"
            )
        );
    }

    #[test]
    fn escapes_follow_the_actions_toolkit() {
        assert_eq!(escape_data("50% a\r\nb:c,d"), "50%25 a%0D%0Ab:c,d");
        assert_eq!(escape_property("50% a\nb:c,d"), "50%25 a%0Ab%3Ac%2Cd");
    }
}
