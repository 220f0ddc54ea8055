//! Rendering an audit: one file per output format behind [`render`].

mod csv;
mod html;
mod json;
mod markdown;
mod table;

use std::io::{self, Write};

use super::Audit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditFormat {
    Table,
    Markdown,
    Json,
    Csv,
    Html,
}

/// Writes `audit` in `format`; `color` only affects the table.
pub fn render(
    audit: &Audit,
    format: AuditFormat,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        AuditFormat::Table => table::render(audit, color, out),
        AuditFormat::Markdown => markdown::render(audit, out),
        AuditFormat::Json => json::render(audit, out),
        AuditFormat::Csv => csv::render(audit, out),
        AuditFormat::Html => html::render(audit, out),
    }
}

/// A ratio as a percentage with one decimal, as people read them in reports.
fn percent(ratio: f64) -> String {
    format!("{:.1}%", ratio * 100.0)
}

/// `{cmd=build, lang=go}`, or nothing for a rule without captures.
fn bindings(bindings: &crate::rules::Bindings) -> String {
    bindings
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `docs: docs/api.md; sdk: sdk/go/** or sdk/ts/**`.
fn missing(missing: &[crate::finding::Missing]) -> String {
    missing
        .iter()
        .map(|m| format!("{}: {}", m.kind, m.paths.join(" or ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `1 unit`, `3 units`.
fn units(count: usize) -> String {
    if count == 1 {
        "1 unit".to_owned()
    } else {
        format!("{count} units")
    }
}
