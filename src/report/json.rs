//! `--format json`: the shape fixed by SPEC section 5.

use std::io::{self, Write};

use serde::Serialize;

use super::{Report, Summary};
use crate::finding::Finding;

#[derive(Serialize)]
struct Json<'a> {
    version: u32,
    diff: Diff<'a>,
    findings: &'a [Finding],
    summary: Summary,
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
        summary: report.summary(),
    };
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)
}
