//! Rendering an audit: one file per output format behind [`render`].

mod csv;
mod html;
mod json;
mod markdown;
mod table;

use std::io::{self, Write};

use super::{Audit, Counts, Scope};

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

/// What was audited: `1830 first-parent changes in main..HEAD, since 2026-01-01`, with
/// the range dressed for the format.
fn scope_line(scope: &Scope, range: impl Fn(&str) -> String) -> String {
    let unit = if scope.first_parent {
        "first-parent changes"
    } else {
        "commits"
    };
    let mut line = format!("{} {unit}", scope.units);
    if let Some(spec) = &scope.range {
        line.push_str(&format!(" in {}", range(spec)));
    }
    if let Some(since) = &scope.since {
        line.push_str(&format!(", since {since}"));
    }
    if let Some(until) = &scope.until {
        line.push_str(&format!(", until {until}"));
    }
    line
}

/// `104 of 116 cases satisfied, 4 waived, 12 missed`.
fn cases(total: &Counts) -> String {
    format!(
        "{} of {} cases satisfied, {} waived, {} missed",
        total.satisfied,
        total.triggered - total.waived,
        total.waived,
        total.missed
    )
}
