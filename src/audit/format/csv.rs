//! `--format csv`: one row per judged (unit, rule, binding), for spreadsheets.

use std::io::{self, Write};

use crate::audit::{Audit, Outcome};

const HEADER: [&str; 15] = [
    "commit",
    "date",
    "month",
    "author",
    "subject",
    "rule",
    "bindings",
    "outcome",
    "triggered_by",
    "missing",
    "owners",
    "miss_status",
    "fixed_by",
    "fixed_after_days",
    "waiver_reason",
];

pub fn render(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    row(out, HEADER.iter().copied())?;
    for case in &audit.cases {
        let commit = audit.commit(case);
        let status = match (case.outcome, &case.fix) {
            (Outcome::Missed, None) => "open",
            (Outcome::Missed, Some(_)) => "fixed-later",
            _ => "",
        };
        let fixed_by = case.fix.as_ref().map_or("", |f| f.commit.as_str());
        let fixed_after = case
            .fix
            .as_ref()
            .map(|f| f.days.to_string())
            .unwrap_or_default();
        let reason = match case.outcome {
            Outcome::Waived => super::reason(case),
            _ => "",
        };
        let fields = [
            commit.id.as_str(),
            &commit.date,
            commit.date.get(..7).unwrap_or_default(),
            &commit.author,
            &commit.subject,
            &case.rule,
            &super::bindings(&case.bindings),
            case.outcome.as_str(),
            &case.triggered_by.join(" "),
            &super::missing(&case.missing),
            &case.owners.join(" "),
            status,
            fixed_by,
            &fixed_after,
            reason,
        ];
        row(out, fields.into_iter())?;
    }
    Ok(())
}

fn row<'a>(out: &mut dyn Write, fields: impl Iterator<Item = &'a str>) -> io::Result<()> {
    let line: Vec<String> = fields.map(field).collect();
    write!(out, "{}\r\n", line.join(","))
}

/// RFC 4180 quoting; a leading `=`, `+`, `-` or `@` is prefixed with `'` so that a
/// commit subject cannot become a spreadsheet formula.
fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_when_needed_and_never_formulas() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
