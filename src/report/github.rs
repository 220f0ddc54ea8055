//! `--format github`: GitHub Actions workflow commands, so a pull request shows each
//! diagnostic as an annotation at its file (a finding at the file that triggered it). GitHub shows only ten
//! annotations of each level per step: the most important are printed and the rest
//! counted. The CLI also appends the Markdown summary, which lists every finding, to
//! `$GITHUB_STEP_SUMMARY`.

use std::cmp::Reverse;
use std::io::{self, Write};

use super::Listing;
use super::describe::{list, plural};
use crate::config::Severity;
use crate::diagnostic::{Code, Diagnostic};

/// GitHub drops annotations beyond this many of one level in one step.
const ANNOTATIONS_PER_LEVEL: usize = 10;

pub fn render(listing: &Listing, out: &mut dyn Write) -> io::Result<()> {
    let mut diagnostics: Vec<&Diagnostic> = listing.diagnostics.iter().collect();
    diagnostics.sort_by_key(|d| importance(d));
    let mut hidden: Vec<(Severity, usize)> = Vec::new();
    for (level, group) in diagnostics
        .chunk_by(|a, b| a.level() == b.level())
        .map(|g| (g[0].level(), g))
    {
        for diagnostic in group.iter().take(ANNOTATIONS_PER_LEVEL) {
            writeln!(out, "{}", command(diagnostic))?;
        }
        if group.len() > ANNOTATIONS_PER_LEVEL {
            hidden.push((level, group.len() - ANNOTATIONS_PER_LEVEL));
        }
    }
    writeln!(out, "lockstep: {}", listing.tally())?;
    if !hidden.is_empty() {
        let counts: Vec<String> = hidden
            .iter()
            .map(|&(level, count)| plural(count, &format!("more {}", command_name(level))))
            .collect();
        writeln!(
            out,
            "lockstep: {} not annotated (GitHub shows {ANNOTATIONS_PER_LEVEL} of each level); {}",
            list(&counts, usize::MAX),
            listing.everything
        )?;
    }
    Ok(())
}

/// Errors, then warnings, then notices; within a level, failing findings before
/// too-large changes before waived ones (the sort is stable: otherwise report order).
fn importance(diagnostic: &Diagnostic) -> (Reverse<Severity>, u8) {
    let too_large = diagnostic.code == Code::Rule(crate::finding::TOO_LARGE.to_owned());
    let rank = match (&diagnostic.waived, too_large) {
        (Some(_), _) => 2,
        (None, true) => 1,
        (None, false) => 0,
    };
    (Reverse(diagnostic.level()), rank)
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
fn command(diagnostic: &Diagnostic) -> String {
    let name = command_name(diagnostic.level());
    let mut properties = Vec::new();
    if let Some(location) = &diagnostic.location {
        properties.push(format!("file={}", escape_property(&location.path)));
        if let Some(line) = location.line {
            properties.push(format!("line={line}"));
        }
    }
    let about = diagnostic
        .subject
        .clone()
        .unwrap_or_else(|| diagnostic.code.id());
    let title = format!("lockstep {about}");
    properties.push(format!("title={}", escape_property(&title)));
    let mut message = vec![diagnostic.message.clone()];
    message.extend(diagnostic.help.iter().cloned());
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
        insta::assert_snapshot!(fixtures::rendered(&fixtures::report().listing(), render));
    }

    #[test]
    fn a_clean_report_is_one_summary_line() {
        insta::assert_snapshot!(fixtures::rendered(&fixtures::clean().listing(), render));
    }

    #[test]
    fn ten_annotations_per_level_the_most_important_first() {
        let text = fixtures::rendered(&fixtures::crowded(12).listing(), render);
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
