//! `--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`), the
//! subset of the Code Climate issue format GitLab reads: a JSON array of issues with
//! `description`, `check_name`, `fingerprint`, `severity` and `location`.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::Listing;
use crate::config::Severity;
use crate::diagnostic::Diagnostic;

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

pub fn render(listing: &Listing, out: &mut dyn Write) -> io::Result<()> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let issues: Vec<Issue> = listing
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let key = diagnostic.identity();
            let occurrence = seen.entry(key.clone()).or_default();
            *occurrence += 1;
            issue(diagnostic, &key, *occurrence)
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

fn issue(diagnostic: &Diagnostic, identity: &str, occurrence: usize) -> Issue {
    let location = diagnostic.location.as_ref();
    let mut description = vec![diagnostic.title()];
    description.extend(diagnostic.help.iter().cloned());
    Issue {
        description: description.join("; "),
        check_name: format!("lockstep/{}", diagnostic.code.id()),
        fingerprint: fingerprint(identity, occurrence),
        severity: severity(diagnostic.level()),
        location: Location {
            // GitLab needs a path: without one, the repository root is where it applies.
            path: location.map_or_else(|| ".".to_owned(), |l| l.path.clone()),
            lines: Lines {
                begin: location.and_then(|l| l.line).unwrap_or(1),
            },
        },
    }
}

/// GitLab's scale is info, minor, major, critical, blocker: an error blocks nothing by
/// itself in the widget, so errors are `major` and warnings `minor`.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// 32 hex digits of FNV-1a (128-bit) over the identity and its occurrence: stable across
/// runs and platforms, and unique within a report because GitLab shows only the first
/// issue of a fingerprint.
fn fingerprint(identity: &str, occurrence: usize) -> String {
    format!(
        "{:032x}",
        fnv1a(format!("{identity}\0{occurrence}").as_bytes())
    )
}

fn fnv1a(bytes: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    bytes.iter().fold(OFFSET, |hash, &byte| {
        (hash ^ u128::from(byte)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::super::describe::fixtures;
    use super::*;

    #[test]
    fn findings_become_code_quality_issues() {
        insta::assert_snapshot!(fixtures::rendered(&fixtures::report().listing(), render));
    }

    #[test]
    fn a_clean_report_is_an_empty_array() {
        assert_eq!(
            fixtures::rendered(&fixtures::clean().listing(), render),
            "[]\n"
        );
    }

    #[test]
    fn fingerprints_are_fnv_1a_and_differ_by_occurrence() {
        // The published FNV-1a 128-bit test vectors.
        assert_eq!(fnv1a(b""), 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d);
        assert_eq!(fnv1a(b"a"), 0xd228_cb69_6f1a_8caf_7891_2b70_4e4a_8964);
        assert_eq!(fingerprint("a", 1).len(), 32);
        assert_ne!(fingerprint("a", 1), fingerprint("a", 2));
        assert_eq!(fingerprint("a", 1), fingerprint("a", 1));
    }

    #[test]
    fn identical_findings_get_distinct_fingerprints() {
        let mut report = fixtures::report();
        report.findings.push(report.findings[0].clone());
        let text = fixtures::rendered(&report.listing(), render);
        let issues: Vec<serde_json::Value> = serde_json::from_str(&text).expect("json");
        let mut prints: Vec<&str> = issues
            .iter()
            .map(|i| i["fingerprint"].as_str().expect("fingerprint"))
            .collect();
        prints.sort_unstable();
        prints.dedup();
        assert_eq!(prints.len(), issues.len());
    }
}
