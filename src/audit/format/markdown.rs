//! `--format markdown`: tables to paste into a planning document or a wiki.

use std::io::{self, Write};

use crate::audit::Audit;

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
    if scope.too_large > 0 {
        writeln!(
            out,
            "\n{} touching more files than `settings.max_files` not judged.",
            super::units(scope.too_large)
        )?;
    }
    if let Some(note) = scope.shallow_note() {
        writeln!(out, "\n> **Warning:** {}", cell(note))?;
    }
    writeln!(out, "\n## Rules\n")?;
    writeln!(
        out,
        "| Rule | Triggered | Satisfied | Waived | Missed | Compliance | Owners |"
    )?;
    writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | --- |")?;
    for row in &audit.rules {
        let c = &row.counts;
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            code(&row.rule),
            c.triggered,
            c.satisfied,
            c.waived,
            c.missed,
            super::percent(c.compliance()),
            cell(&row.owners.join(" "))
        )?;
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
    writeln!(
        out,
        "| Month | Units | Triggered | Waived | Missed | Compliance |"
    )?;
    writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: |")?;
    for month in &audit.months {
        let c = &month.counts;
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            month.month,
            month.units,
            c.triggered,
            c.waived,
            c.missed,
            super::percent(c.compliance())
        )?;
    }
    writeln!(out, "\n## Misses\n")?;
    if audit.total.missed == 0 {
        return writeln!(out, "None.");
    }
    writeln!(
        out,
        "| Commit | Date | Author | Subject | Rule | Triggered by | Missing |"
    )?;
    writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |")?;
    for case in audit.misses() {
        let commit = audit.commit(case);
        let rule = match super::bindings(&case.bindings) {
            b if b.is_empty() => format!("`{}`", code(&case.rule)),
            b => format!("`{}` ({})", code(&case.rule), cell(&b)),
        };
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            commit.id.get(..10).unwrap_or(&commit.id),
            commit.date,
            cell(&commit.author),
            cell(&commit.subject),
            rule,
            cell(&case.triggered_by.join(", ")),
            cell(&super::missing(&case.missing))
        )?;
    }
    Ok(())
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
