//! `--format markdown`: tables to paste into a planning document or a wiki.

use std::io::{self, Write};

use crate::audit::{Audit, Case, Counts, Outcome};

pub fn render(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    let scope = &audit.scope;
    writeln!(out, "# lockstep audit\n")?;
    let what = super::scope_line(scope, |range| format!("`{}`", code(range)));
    let total = &audit.total;
    writeln!(
        out,
        "{what}. **Compliance {}**: {}.",
        super::percent(total.compliance()),
        super::cases(total)
    )?;
    for note in super::unjudged(scope) {
        writeln!(out, "\n{}.", cell(&note))?;
    }
    if let Some(note) = scope.shallow_note() {
        writeln!(out, "\n> **Warning:** {}", cell(note))?;
    }
    writeln!(out, "\n## Rules\n")?;
    count_header(out, &["Rule"], &["Owners"])?;
    for row in &audit.rules {
        let leading = [format!("`{}`", code(&row.rule))];
        count_row(out, &leading, &row.counts, &[cell(&row.owners.join(" "))])?;
    }
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
    count_header(out, &["Month", "Units"], &[])?;
    for month in &audit.months {
        let leading = [month.month.clone(), month.units.to_string()];
        count_row(out, &leading, &month.counts, &[])?;
    }
    writeln!(out, "\n## Misses\n")?;
    if audit.total.missed == 0 {
        writeln!(out, "None.")?;
    } else {
        writeln!(
            out,
            "| Commit | Date | Author | Subject | Rule | Triggered by | Missing | Status |"
        )?;
        writeln!(out, "| --- | --- | --- | --- | --- | --- | --- | --- |")?;
        for case in audit.misses() {
            let commit = audit.commit(case);
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                commit_cell(audit, &commit.id),
                commit.date,
                cell(&commit.author),
                cell(&commit.subject),
                rule(case),
                cell(&case.triggered_by.join(", ")),
                cell(&super::missing(&case.missing)),
                cell(&super::miss_status(case))
            )?;
        }
    }
    waivers(audit, out)
}

/// Who waived each waived case (its commit and author) and why.
fn waivers(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    if audit.total.waived == 0 {
        return Ok(());
    }
    writeln!(out, "\n## Waivers\n")?;
    writeln!(out, "| Commit | Date | Author | Rule | Reason |")?;
    writeln!(out, "| --- | --- | --- | --- | --- |")?;
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

fn count_header(out: &mut dyn Write, leading: &[&str], trailing: &[&str]) -> io::Result<()> {
    let names: Vec<&str> = leading
        .iter()
        .copied()
        .chain(super::COUNT_COLUMNS)
        .chain(["Compliance"])
        .chain(trailing.iter().copied())
        .collect();
    let numeric = |i: usize| i >= leading.len() && i < names.len() - trailing.len();
    let rule: Vec<&str> = (0..names.len())
        .map(|i| {
            if numeric(i) || (i > 0 && i < leading.len()) {
                "---:"
            } else {
                "---"
            }
        })
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
        .chain([super::percent(counts.compliance())])
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
