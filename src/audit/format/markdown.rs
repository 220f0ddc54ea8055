//! `--format markdown`: tables to paste into a planning document or a wiki.

use std::io::{self, Write};

use crate::audit::{Audit, Case, Counts, Outcome};

pub fn render(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    let scope = &audit.scope;
    writeln!(out, "# lockstep audit\n")?;
    let what = super::scope_line(scope, |range| format!("`{}`", code(range)));
    writeln!(out, "{what}.")?;
    summary(audit, out)?;
    for note in super::unjudged(scope) {
        writeln!(out, "\n{}.", cell(&note))?;
    }
    if let Some(note) = scope.shallow_note() {
        writeln!(out, "\n> **Warning:** {}", cell(note))?;
    }
    writeln!(out, "\n## Rules\n")?;
    count_header(out, &[("Rule", false)], &["Owners"])?;
    for row in &audit.rules {
        let leading = [format!("`{}`", code(&row.rule))];
        count_row(out, &leading, &row.counts, &[cell(&row.owners.join(" "))])?;
    }
    owners(audit, out)?;
    writeln!(out, "\n## Companion kinds\n")?;
    writeln!(out, "| Kind | Required | Missed | Compliance |")?;
    writeln!(out, "| --- | ---: | ---: | ---: |")?;
    for kind in &audit.kinds {
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(&kind.kind),
            kind.required,
            kind.missed,
            super::percent(kind.compliance())
        )?;
    }
    writeln!(out, "\n## Trend\n")?;
    count_header(out, &[("Month", false), ("Units", true)], &[])?;
    for month in &audit.months {
        let leading = [month.month.clone(), month.units.to_string()];
        count_row(out, &leading, &month.counts, &[])?;
    }
    rule_trend(audit, out)?;
    misses(audit, out)?;
    waivers(audit, out)
}

/// The figures a reader needs first: compliance and its change, the misses, the
/// rules that miss most.
fn summary(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    let total = &audit.total;
    writeln!(out, "\n## Summary\n")?;
    writeln!(
        out,
        "- **Compliance {}**: {}.",
        super::percent(total.compliance()),
        cell(&super::comparison(audit))
    )?;
    writeln!(
        out,
        "- **Misses {}**: {}.",
        total.missed,
        super::open_and_fixed(total)
    )?;
    let worst = super::worst_rules(audit);
    if !worst.is_empty() {
        let worst: Vec<String> = worst.iter().map(|w| cell(w)).collect();
        writeln!(out, "- **Worst rules**: {}.", worst.join("; "))?;
    }
    writeln!(out, "- Cases: {}.", super::cases(total))
}

/// The rules' counts summed per owner.
fn owners(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n## Owners\n")?;
    count_header(out, &super::OWNER_COLUMNS.map(|c| (c, false)), &[])?;
    for row in audit.owners() {
        let rules: Vec<String> = row.rules.iter().map(|r| format!("`{}`", code(r))).collect();
        let leading = [cell(super::owner(&row)), rules.join(", ")];
        count_row(out, &leading, &row.counts, &[])?;
    }
    Ok(())
}

/// One row per month, one column per rule.
fn rule_trend(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    if audit.rules.is_empty() || audit.months.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n## Trend per rule\n")?;
    let names: Vec<String> = audit
        .rules
        .iter()
        .map(|r| format!("`{}`", code(&r.rule)))
        .collect();
    writeln!(out, "| Month | {} |", names.join(" | "))?;
    writeln!(out, "| --- |{}", " ---: |".repeat(names.len()))?;
    for month in &audit.months {
        let cells: Vec<String> = audit
            .rules
            .iter()
            .map(|r| super::rule_month(r.months.get(&month.month)))
            .collect();
        writeln!(out, "| {} | {} |", month.month, cells.join(" | "))?;
    }
    writeln!(out, "\n{}", super::RULE_MONTH_LEGEND)
}

fn misses(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n## Misses\n")?;
    if audit.total.missed == 0 {
        return writeln!(out, "None.");
    }
    header(out, &super::MISS_COLUMNS)?;
    for case in audit.misses() {
        let commit = audit.commit(case);
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            commit_cell(audit, &commit.id),
            commit.date,
            cell(&commit.author),
            cell(&commit.subject),
            rule(case),
            cell(&case.triggered_by.join(", ")),
            cell(&super::missing(&case.missing)),
            cell(&case.owners.join(" ")),
            cell(&super::miss_status(case))
        )?;
    }
    Ok(())
}

/// Who waived each waived case (its commit and author) and why.
fn waivers(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    if audit.total.waived == 0 {
        return Ok(());
    }
    writeln!(out, "\n## Waivers\n")?;
    header(out, &super::WAIVER_COLUMNS)?;
    for case in audit.outcomes(Outcome::Waived) {
        let commit = audit.commit(case);
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            commit_cell(audit, &commit.id),
            commit.date,
            cell(&commit.author),
            rule(case),
            cell(super::reason(case))
        )?;
    }
    Ok(())
}

/// A header of text columns.
fn header(out: &mut dyn Write, names: &[&str]) -> io::Result<()> {
    writeln!(out, "| {} |", names.join(" | "))?;
    writeln!(out, "|{}", " --- |".repeat(names.len()))
}

/// A commit's short id, linked to its page on the origin's forge when there is one.
fn commit_cell(audit: &Audit, id: &str) -> String {
    let code = format!("`{}`", super::short(id));
    match super::commit_url(&audit.scope, id) {
        Some(url) => format!("[{code}]({url})"),
        None => code,
    }
}

fn rule(case: &Case) -> String {
    match super::bindings(&case.bindings) {
        b if b.is_empty() => format!("`{}`", code(&case.rule)),
        b => format!("`{}` ({})", code(&case.rule), cell(&b)),
    }
}

/// `leading`: (name, numeric) columns before the counts; `trailing`: text columns after.
fn count_header(
    out: &mut dyn Write,
    leading: &[(&str, bool)],
    trailing: &[&str],
) -> io::Result<()> {
    let columns: Vec<(&str, bool)> = leading
        .iter()
        .copied()
        .chain(super::COUNT_COLUMNS.map(|c| (c, true)))
        .chain([("Compliance", true)])
        .chain(trailing.iter().map(|&c| (c, false)))
        .collect();
    let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
    let rule: Vec<&str> = columns
        .iter()
        .map(|&(_, numeric)| if numeric { "---:" } else { "---" })
        .collect();
    writeln!(out, "| {} |", names.join(" | "))?;
    writeln!(out, "| {} |", rule.join(" | "))
}

fn count_row(
    out: &mut dyn Write,
    leading: &[String],
    counts: &Counts,
    trailing: &[String],
) -> io::Result<()> {
    let cells: Vec<String> = leading
        .iter()
        .cloned()
        .chain(super::count_cells(counts))
        .chain([super::compliance_cell(counts)])
        .chain(trailing.iter().cloned())
        .collect();
    writeln!(out, "| {} |", cells.join(" | "))
}

/// Text in a table cell: pipes and markup characters escaped, one line.
fn cell(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' => {
                escaped.push('\\');
                escaped.push(c);
            }
            '\n' | '\r' => escaped.push(' '),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// Text inside a code span: backticks cannot be escaped there, so they are dropped,
/// and a pipe still ends a table cell.
fn code(text: &str) -> String {
    text.replace('`', "'").replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_cannot_break_the_table_or_inject_markup() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
        assert_eq!(cell("<script>"), "\\<script\\>");
    }
}
