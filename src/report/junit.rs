//! `--format junit`: JUnit XML for GitLab, Jenkins and Azure Pipelines test reports, one
//! test case per diagnostic (per rule and binding found). Errors are failures, waived
//! findings skipped, warnings and infos pass with their text in `system-out`.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::Listing;
use crate::config::Severity;
use crate::diagnostic::Diagnostic;
use crate::markup::escape;

pub fn render(listing: &Listing, out: &mut dyn Write) -> io::Result<()> {
    let s = listing.counts();
    let (tests, failures) = if listing.diagnostics.is_empty() {
        (1, 0)
    } else {
        (listing.diagnostics.len(), s.errors)
    };
    let suite = format!(
        "tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{}\"",
        s.waived
    );
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(xml, "<testsuites name=\"lockstep\" {suite}>");
    let _ = writeln!(xml, "  <testsuite name=\"lockstep\" {suite}>");
    if listing.diagnostics.is_empty() {
        let (name, sentence) = listing.clean;
        let _ = writeln!(
            xml,
            "    <testcase name=\"{}\" classname=\"lockstep\">\n      <system-out>{}</system-out>\n    </testcase>",
            escape(name),
            escape(&format!("{sentence} ({})", listing.scope))
        );
    }
    for diagnostic in &listing.diagnostics {
        testcase(&mut xml, diagnostic);
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    out.write_all(xml.as_bytes())
}

fn testcase(xml: &mut String, diagnostic: &Diagnostic) {
    let file = diagnostic
        .location
        .as_ref()
        .map(|l| format!(" file=\"{}\"", escape(&l.path)))
        .unwrap_or_default();
    let id = diagnostic.code.id();
    let _ = writeln!(
        xml,
        "    <testcase name=\"{}\" classname=\"lockstep.{}\"{file}>",
        escape(diagnostic.subject.as_deref().unwrap_or(&id)),
        escape(&id.replace('/', "."))
    );
    let summary = &diagnostic.message;
    let details = {
        let mut lines = vec![summary.clone()];
        lines.extend(diagnostic.help.iter().cloned());
        lines.join("\n")
    };
    let body = match (&diagnostic.waived, diagnostic.severity) {
        (Some(_), _) => {
            format!("<skipped message=\"waived: {}\"/>", escape(summary))
        }
        (None, Severity::Error) => format!(
            "<failure message=\"{}\" type=\"error\">{}</failure>",
            escape(summary),
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
        insta::assert_snapshot!(fixtures::rendered(&fixtures::report().listing(), render));
    }

    #[test]
    fn a_clean_report_is_one_passing_testcase() {
        insta::assert_snapshot!(fixtures::rendered(&fixtures::clean().listing(), render));
    }
}
