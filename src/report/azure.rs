//! `--format azure`: Azure Pipelines logging commands, so a run shows each diagnostic
//! as an error or warning at its file (a finding at the file that triggered it). The CLI also writes the Markdown
//! summary to a file and attaches it to the run with [`upload_summary`].

use std::io::{self, Write};
use std::path::Path;

use super::Listing;
use crate::config::Severity;
use crate::diagnostic::Diagnostic;

pub fn render(listing: &Listing, out: &mut dyn Write) -> io::Result<()> {
    for diagnostic in &listing.diagnostics {
        writeln!(out, "{}", line(diagnostic))?;
    }
    writeln!(out, "lockstep: {}", listing.tally())
}

/// `##vso[task.logissue type=error;sourcepath=…;linenumber=…;code=…]message`. Azure
/// has no notice level: infos and waived findings are plain log lines.
fn line(diagnostic: &Diagnostic) -> String {
    let mut lines = vec![diagnostic.title()];
    lines.extend(diagnostic.help.iter().cloned());
    let kind = match diagnostic.level() {
        Severity::Error => "error",
        Severity::Warning => "warning",
        // One line, so no text of a finding can start a logging command of its own.
        Severity::Info => {
            return format!("lockstep: {}", lines.join("; ").replace(['\r', '\n'], " "));
        }
    };
    let message = escape_data(&lines.join("\n"));
    let mut properties = vec![format!("type={kind}")];
    if let Some(location) = &diagnostic.location {
        properties.push(format!("sourcepath={}", escape_property(&location.path)));
        if let Some(line) = location.line {
            properties.push(format!("linenumber={line}"));
        }
    }
    properties.push(format!(
        "code={}",
        escape_property(&format!("lockstep/{}", diagnostic.code.id()))
    ));
    format!("##vso[task.logissue {}]{message}", properties.join(";"))
}

/// `##vso[task.uploadsummary]PATH`: attaches a Markdown file to the run's summary page.
pub fn upload_summary(path: &Path) -> String {
    format!(
        "##vso[task.uploadsummary]{}",
        escape_data(&path.display().to_string())
    )
}

/// Message data as the agent unescapes it: `%` is `%AZP25`, CR and LF percent-encoded.
fn escape_data(text: &str) -> String {
    text.replace('%', "%AZP25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values also encode `;` and `]`, which end a property and the command.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(';', "%3B").replace(']', "%5D")
}

#[cfg(test)]
mod tests {
    use super::super::describe::fixtures;
    use super::*;

    #[test]
    fn findings_become_logging_commands() {
        insta::assert_snapshot!(fixtures::rendered(&fixtures::report().listing(), render));
    }

    #[test]
    fn a_clean_report_is_one_summary_line() {
        insta::assert_snapshot!(fixtures::rendered(&fixtures::clean().listing(), render));
    }

    #[test]
    fn escapes_follow_the_agent() {
        assert_eq!(escape_data("50% a\r\nb;c]"), "50%AZP25 a%0D%0Ab;c]");
        assert_eq!(escape_property("50% a\nb;c]"), "50%AZP25 a%0Ab%3Bc%5D");
        assert_eq!(
            upload_summary(Path::new("/tmp/a%b.md")),
            "##vso[task.uploadsummary]/tmp/a%AZP25b.md"
        );
    }
}
