//! `--format table`: aligned tables for a terminal, coloured when colour is on.

use std::io::{self, Write};

use crate::audit::{Audit, Counts, KindRow, Outcome};

const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

struct Paint {
    color: bool,
}

impl Paint {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }

    fn compliance(&self, ratio: f64) -> String {
        let code = if ratio >= 0.9 {
            GREEN
        } else if ratio >= 0.7 {
            YELLOW
        } else {
            RED
        };
        self.paint(code, &super::percent(ratio))
    }
}

/// A table whose cells may carry colour codes; widths count visible characters.
struct Table {
    header: Vec<String>,
    /// Columns aligned to the right (numbers).
    right: Vec<bool>,
    rows: Vec<Vec<(String, usize)>>,
}

impl Table {
    /// `leading` columns (aligned to the left), then the count columns and compliance,
    /// then `trailing` ones.
    fn with_counts(leading: &[(&str, bool)], trailing: &[&str]) -> Table {
        let counts = super::COUNT_COLUMNS
            .iter()
            .map(|c| (c.to_uppercase().replace(' ', "-"), true))
            .chain([("COMPLIANCE".to_owned(), true)]);
        let columns: Vec<(String, bool)> = leading
            .iter()
            .map(|&(h, right)| (h.to_owned(), right))
            .chain(counts)
            .chain(trailing.iter().map(|h| ((*h).to_owned(), false)))
            .collect();
        Table {
            header: columns.iter().map(|c| c.0.clone()).collect(),
            right: columns.iter().map(|c| c.1).collect(),
            rows: Vec::new(),
        }
    }

    fn new(header: &[(&str, bool)]) -> Table {
        Table {
            header: header.iter().map(|h| h.0.to_owned()).collect(),
            right: header.iter().map(|h| h.1).collect(),
            rows: Vec::new(),
        }
    }

    /// `cells`: (text as printed, its visible width).
    fn push(&mut self, cells: Vec<(String, usize)>) {
        self.rows.push(cells);
    }

    fn write(&self, paint: &Paint, out: &mut dyn Write) -> io::Result<()> {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.len()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.1);
            }
        }
        let header: Vec<(String, usize)> = self
            .header
            .iter()
            .map(|h| (paint.paint(BOLD, h), h.len()))
            .collect();
        for row in std::iter::once(&header).chain(&self.rows) {
            let mut line = String::new();
            for (i, (text, width)) in row.iter().enumerate() {
                let pad = " ".repeat(widths[i].saturating_sub(*width));
                if i > 0 {
                    line.push_str("  ");
                }
                if self.right[i] {
                    line.push_str(&pad);
                    line.push_str(text);
                } else {
                    line.push_str(text);
                    if i + 1 < row.len() {
                        line.push_str(&pad);
                    }
                }
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

fn plain(text: impl Into<String>) -> (String, usize) {
    let text = text.into();
    let width = text.chars().count();
    (text, width)
}

fn ratio(paint: &Paint, ratio: f64) -> (String, usize) {
    (paint.compliance(ratio), super::percent(ratio).len())
}

fn counts(paint: &Paint, counts: &Counts) -> Vec<(String, usize)> {
    super::count_cells(counts)
        .into_iter()
        .map(plain)
        .chain([if counts.judged() == 0 {
            plain(super::compliance_cell(counts))
        } else {
            ratio(paint, counts.compliance())
        }])
        .collect()
}

pub fn render(audit: &Audit, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let paint = Paint { color };
    header(audit, &paint, out)?;
    if audit.rules.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let mut rules = Table::with_counts(&[("RULE", false)], &["OWNERS"]);
    for row in &audit.rules {
        let mut cells = vec![plain(row.rule.clone())];
        cells.extend(counts(&paint, &row.counts));
        cells.push(plain(row.owners.join(" ")));
        rules.push(cells);
    }
    rules.write(&paint, out)?;
    writeln!(out)?;
    owners(audit, &paint, out)?;
    if !audit.kinds.is_empty() {
        writeln!(out)?;
        kinds(&audit.kinds, &paint, out)?;
    }
    if !audit.months.is_empty() {
        writeln!(out)?;
        let mut months = Table::with_counts(&[("MONTH", false), ("UNITS", true)], &[]);
        for month in &audit.months {
            let mut cells = vec![plain(month.month.clone()), plain(month.units.to_string())];
            cells.extend(counts(&paint, &month.counts));
            months.push(cells);
        }
        months.write(&paint, out)?;
        writeln!(out)?;
        rule_trend(audit, &paint, out)?;
    }
    misses(audit, &paint, out)?;
    waivers(audit, &paint, out)
}

fn header(audit: &Audit, paint: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let scope = &audit.scope;
    let what = super::scope_line(scope, str::to_owned);
    writeln!(out, "{} {what}", paint.paint(BOLD, "lockstep audit:"))?;
    let total = &audit.total;
    writeln!(
        out,
        "compliance {}: {}",
        paint.compliance(total.compliance()),
        super::comparison(audit)
    )?;
    writeln!(
        out,
        "misses {}: {}",
        total.missed,
        super::open_and_fixed(total)
    )?;
    let worst = super::worst_rules(audit);
    if !worst.is_empty() {
        writeln!(out, "worst rules: {}", worst.join("; "))?;
    }
    writeln!(out, "cases: {}", super::cases(total))?;
    for note in super::unjudged(scope) {
        writeln!(out, "{note}")?;
    }
    if let Some(note) = scope.shallow_note() {
        writeln!(out, "{}: {note}", paint.paint(YELLOW, "warning"))?;
    }
    Ok(())
}

/// The rules' counts summed per owner.
fn owners(audit: &Audit, paint: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let leading = super::OWNER_COLUMNS.map(|c| (c.to_uppercase(), false));
    let leading: Vec<(&str, bool)> = leading.iter().map(|(c, r)| (c.as_str(), *r)).collect();
    let mut table = Table::with_counts(&leading, &[]);
    for row in audit.owners() {
        let mut cells = vec![plain(super::owner(&row)), plain(row.rules.join(", "))];
        cells.extend(counts(paint, &row.counts));
        table.push(cells);
    }
    table.write(paint, out)
}

/// One row per month, one column per rule.
fn rule_trend(audit: &Audit, paint: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let header: Vec<(&str, bool)> = std::iter::once(("MONTH", false))
        .chain(audit.rules.iter().map(|r| (r.rule.as_str(), true)))
        .collect();
    let mut table = Table::new(&header);
    for month in &audit.months {
        let cells = std::iter::once(plain(month.month.clone()))
            .chain(
                audit
                    .rules
                    .iter()
                    .map(|r| plain(super::rule_month(r.months.get(&month.month)))),
            )
            .collect();
        table.push(cells);
    }
    table.write(paint, out)?;
    writeln!(out, "{}", super::RULE_MONTH_LEGEND)
}

fn kinds(kinds: &[KindRow], paint: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let mut table = Table::new(&[
        ("KIND", false),
        ("REQUIRED", true),
        ("MISSED", true),
        ("COMPLIANCE", true),
    ]);
    for kind in kinds {
        table.push(vec![
            plain(kind.kind.clone()),
            plain(kind.required.to_string()),
            plain(kind.missed.to_string()),
            ratio(paint, kind.compliance()),
        ]);
    }
    table.write(paint, out)
}

fn misses(audit: &Audit, paint: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let mut any = false;
    for case in audit.misses() {
        if !any {
            writeln!(out, "\n{}", paint.paint(BOLD, "MISSES"))?;
            any = true;
        }
        let commit = audit.commit(case);
        let rule = rule_label(case);
        writeln!(
            out,
            "{} {}  {}  {}  {}",
            paint.paint(YELLOW, super::short(&commit.id)),
            commit.date,
            paint.paint(RED, &rule),
            commit.author,
            commit.subject
        )?;
        writeln!(
            out,
            "    {} {}",
            paint.paint(DIM, "triggered by"),
            shortened(&case.triggered_by)
        )?;
        if !case.owners.is_empty() {
            writeln!(
                out,
                "    {} {}",
                paint.paint(DIM, "owners"),
                case.owners.join(" ")
            )?;
        }
        writeln!(
            out,
            "    {} {}",
            paint.paint(DIM, "status"),
            super::miss_status(case)
        )?;
        for missing in &case.missing {
            writeln!(
                out,
                "    {} {}: {}",
                paint.paint(DIM, "missing"),
                missing.kind,
                missing.paths.join(" or ")
            )?;
        }
    }
    Ok(())
}

/// Each waived case: its commit (who) and its trailer's reason (why).
fn waivers(audit: &Audit, paint: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let header = super::WAIVER_COLUMNS.map(|c| (c.to_uppercase(), false));
    let header: Vec<(&str, bool)> = header.iter().map(|(c, r)| (c.as_str(), *r)).collect();
    let mut table = Table::new(&header);
    for case in audit.outcomes(Outcome::Waived) {
        let commit = audit.commit(case);
        table.push(vec![
            plain(super::short(&commit.id)),
            plain(commit.date.clone()),
            plain(commit.author.clone()),
            plain(rule_label(case)),
            plain(super::reason(case)),
        ]);
    }
    if table.rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{}", paint.paint(BOLD, "WAIVERS"))?;
    table.write(paint, out)
}

/// `rule` or `rule [name=value]`.
fn rule_label(case: &crate::audit::Case) -> String {
    match super::bindings(&case.bindings) {
        b if b.is_empty() => case.rule.clone(),
        b => format!("{} [{b}]", case.rule),
    }
}

/// At most a few paths: a terminal line, not a listing (json and csv have them all).
fn shortened(paths: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = paths
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > SHOWN {
        text.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    text
}
