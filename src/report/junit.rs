//! `--format junit`: JUnit XML for GitLab, Jenkins and Azure Pipelines test reports, one
//! test case per rule and binding found. Errors are failures, waived findings skipped,
//! warnings and infos pass with their text in `system-out`.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::Report;
use super::describe::{fix_lines, headline, plural, rule_name};
use crate::config::Severity;
use crate::finding::{Finding, FindingStatus};
use crate::markup::escape;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = report.summary();
    let (tests, failures) = if report.findings.is_empty() {
        (1, 0)
    } else {
        (report.findings.len(), s.errors)
    };
    let suite = format!(
        "tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{}\"",
        s.waived
    );
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(xml, "<testsuites name=\"lockstep\" {suite}>");
    let _ = writeln!(xml, "  <testsuite name=\"lockstep\" {suite}>");
    if report.findings.is_empty() {
        let _ = writeln!(
            xml,
            "    <testcase name=\"companions\" classname=\"lockstep\">\n      <system-out>{}</system-out>\n    </testcase>",
            escape(&format!(
                "all companions present ({}, {} checked)",
                plural(report.diff.files_changed, "changed file"),
                plural(s.rules_checked, "rule")
            ))
        );
    }
    for finding in &report.findings {
        testcase(&mut xml, finding);
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    out.write_all(xml.as_bytes())
}

fn testcase(xml: &mut String, finding: &Finding) {
    let file = finding
        .triggered_by
        .first()
        .map(|t| format!(" file=\"{}\"", escape(&t.path)))
        .unwrap_or_default();
    let _ = writeln!(
        xml,
        "    <testcase name=\"{}\" classname=\"lockstep.{}\"{file}>",
        escape(&rule_name(finding)),
        escape(&finding.rule)
    );
    let summary = headline(finding);
    let details = {
        let mut lines = vec![summary.clone()];
        lines.extend(fix_lines(finding));
        lines.join("\n")
    };
    let body = match (finding.status, finding.severity) {
        (FindingStatus::Waived, _) => {
            format!("<skipped message=\"waived: {}\"/>", escape(&summary))
        }
        (FindingStatus::Missing, Severity::Error) => format!(
            "<failure message=\"{}\" type=\"error\">{}</failure>",
            escape(&summary),
            escape(&details)
        ),
        _ => format!("<system-out>{}</system-out>", escape(&details)),
    };
    let _ = writeln!(xml, "      {body}\n    </testcase>");
}

#[cfg(test)]
mod tests {
    use super::super::describe::fixtures;
    use super::*;

    #[test]
    fn one_testcase_per_finding() {
        insta::assert_snapshot!(fixtures::rendered(&fixtures::report(), render));
    }

    #[test]
    fn a_clean_report_is_one_passing_testcase() {
        insta::assert_snapshot!(fixtures::rendered(&fixtures::clean(), render));
    }
}
