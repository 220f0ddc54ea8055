//! `--format json`: a check's report in the shape fixed by SPEC section 5, and any
//! other diagnostics in the shape of [`render_listing`].

use std::io::{self, Write};

use serde::Serialize;

use super::{Counts, Listing, Report};
use crate::config::Severity;
use crate::diagnostic::{Diagnostic, Location};
use crate::finding::Finding;

#[derive(Serialize)]
struct Json<'a> {
    version: u32,
    diff: Diff<'a>,
    findings: &'a [Finding],
    summary: Summary,
}

#[derive(Serialize)]
struct Summary {
    #[serde(flatten)]
    counts: Counts,
    rules_checked: usize,
}

#[derive(Serialize)]
struct Diff<'a> {
    kind: &'a str,
    base: Option<&'a str>,
    head: Option<&'a str>,
    files_changed: usize,
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let json = Json {
        version: 1,
        diff: Diff {
            kind: report.diff.kind,
            base: report.diff.base.as_deref(),
            head: report.diff.head.as_deref(),
            files_changed: report.diff.files_changed,
        },
        findings: &report.findings,
        summary: Summary {
            counts: report.listing().counts(),
            rules_checked: report.rules_checked,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)
}

/// `{"version": 1, "diagnostics": [{"code", "severity", "location": {"path", "line"},
/// "message", "help": [...]}], "summary": {"errors", "warnings", "infos", "waived"}}`;
/// `related` and `waived` only when there are.
pub fn render_listing(listing: &Listing, out: &mut dyn Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Document {
        version: u32,
        diagnostics: Vec<Entry>,
        summary: Counts,
    }
    let document = Document {
        version: 1,
        diagnostics: listing.diagnostics.iter().map(Entry::new).collect(),
        summary: listing.counts(),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

#[derive(Serialize)]
struct Entry {
    code: String,
    severity: Severity,
    location: Option<Place>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<Place>,
    message: String,
    help: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    waived: Option<String>,
}

#[derive(Serialize)]
struct Place {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
}

impl Entry {
    fn new(diagnostic: &Diagnostic) -> Entry {
        let place = |l: &Location| Place {
            path: l.path.clone(),
            line: l.line,
        };
        Entry {
            code: diagnostic.code.id(),
            severity: diagnostic.severity,
            location: diagnostic.location.as_ref().map(place),
            related: diagnostic.related.iter().map(place).collect(),
            message: diagnostic.message.clone(),
            help: diagnostic.help.clone(),
            waived: diagnostic.waived.clone(),
        }
    }
}
