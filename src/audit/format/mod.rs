//! Rendering an audit: one file per output format behind [`render`].

mod csv;
mod html;
pub(crate) mod json;
mod markdown;
mod table;

use std::io::{self, Write};

use super::{Audit, Case, Counts, OwnerRow, Scope};

/// The formats of an audit; the CLI offers exactly these (`audit --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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

/// What was audited: `1830 first-parent changes of acme/app in main..HEAD, since
/// 2026-01-01`, with the range dressed for the format.
fn scope_line(scope: &Scope, range: impl Fn(&str) -> String) -> String {
    let unit = if scope.first_parent {
        "first-parent changes"
    } else {
        "commits"
    };
    let mut line = format!("{} {unit}", scope.units);
    if let Some(repository) = &scope.repository {
        line.push_str(&format!(" of {}", super::merge::short_name(repository)));
    }
    if !scope.repositories.is_empty() {
        line.push_str(&format!(
            " across {} repositories ({})",
            scope.repositories.len(),
            scope.repositories.join(", ")
        ));
    }
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

/// `104 of 116 cases satisfied, 10 not applicable, 4 waived, 12 missed (7 open, 5
/// fixed later)`.
fn cases(total: &Counts) -> String {
    format!(
        "{} of {} cases satisfied, {} not applicable, {} waived, {} missed ({} open, {} fixed later)",
        total.satisfied,
        total.judged(),
        total.not_applicable,
        total.waived,
        total.missed,
        total.open(),
        total.fixed_later
    )
}

/// The count columns every table shows, after its own leading columns, and before
/// compliance.
const COUNT_COLUMNS: [&str; 7] = [
    "Triggered",
    "Satisfied",
    "Not applicable",
    "Waived",
    "Missed",
    "Open",
    "Fixed later",
];

/// The columns of the misses, in every format that lays them out.
const MISS_COLUMNS: [&str; 9] = [
    "Commit",
    "Date",
    "Author",
    "Subject",
    "Rule",
    "Triggered by",
    "Missing",
    "Owners",
    "Status",
];

/// The columns of the waivers.
const WAIVER_COLUMNS: [&str; 5] = ["Commit", "Date", "Author", "Rule", "Reason"];

/// The leading columns of the roll-up per owner, before the counts.
const OWNER_COLUMNS: [&str; 2] = ["Owner", "Rules"];

/// An owner's name, or what stands for the rules that name none.
fn owner(row: &OwnerRow) -> &str {
    row.owner.as_deref().unwrap_or("(no owner)")
}

/// `+3.2 points`, `-1.0 points`, `no change`: compliance against the previous period.
fn change(delta: f64) -> String {
    let points = (delta * 1000.0).round() / 10.0;
    if points == 0.0 {
        "no change".to_owned()
    } else {
        format!("{points:+.1} points")
    }
}

/// How compliance compares with the period before, in a sentence without its verb:
/// `+3.2 points against 2026-01-01 to 2026-02-28 (53.9%, 12 of 13 cases satisfied)`.
fn comparison(audit: &Audit) -> String {
    let Some(previous) = &audit.previous else {
        return if audit.scope.no_previous {
            "not compared: --no-previous"
        } else {
            "no previous period to compare with (audits with --since or --range have one)"
        }
        .to_owned();
    };
    let when = format!("{} to {}", previous.since, previous.until);
    match audit.compliance_change() {
        Some(delta) => format!(
            "{} against {when} ({}, {} of {} cases satisfied)",
            change(delta),
            percent(previous.total.compliance()),
            previous.total.satisfied,
            previous.total.judged()
        ),
        None if previous.total.judged() == 0 => format!(
            "no change to show: nothing was judged in the previous period, {when} ({})",
            units(previous.units)
        ),
        None => format!("no change to show: nothing was judged in this period, unlike {when}"),
    }
}

/// `3 open, 1 fixed later`.
fn open_and_fixed(counts: &Counts) -> String {
    format!("{} open, {} fixed later", counts.open(), counts.fixed_later)
}

/// `payments-api 40.0% (3 missed, 2 open)` for each of the worst rules, or `none`.
fn worst_rules(audit: &Audit) -> Vec<String> {
    audit
        .worst_rules()
        .iter()
        .map(|r| {
            format!(
                "{} {} ({} missed, {} open)",
                r.rule,
                percent(r.counts.compliance()),
                r.counts.missed,
                r.counts.open()
            )
        })
        .collect()
}

/// One rule in one month: `75.0% (3/4)`, satisfied of judged; `–` when nothing was
/// judged.
fn rule_month(counts: Option<&Counts>) -> String {
    match counts {
        Some(c) if c.judged() > 0 => format!(
            "{} ({}/{})",
            percent(c.compliance()),
            c.satisfied,
            c.judged()
        ),
        _ => "–".to_owned(),
    }
}

/// What a cell of the trend per rule says.
const RULE_MONTH_LEGEND: &str = "Each cell: compliance (satisfied/judged cases) of the rule that month; – when nothing was judged.";

/// Compliance in a table's cell: `–` when nothing was judged, where the JSON's 1.0
/// would read as a perfect month.
fn compliance_cell(counts: &Counts) -> String {
    if counts.judged() == 0 {
        "–".to_owned()
    } else {
        percent(counts.compliance())
    }
}

/// The values of [`COUNT_COLUMNS`].
fn count_cells(counts: &Counts) -> [String; 7] {
    [
        counts.triggered,
        counts.satisfied,
        counts.not_applicable,
        counts.waived,
        counts.missed,
        counts.open(),
        counts.fixed_later,
    ]
    .map(|n| n.to_string())
}

/// `open`, or `fixed later in 1a2b3c4d5e (3 days)`.
fn miss_status(case: &Case) -> String {
    match &case.fix {
        None => "open".to_owned(),
        Some(fix) => format!("fixed later in {} ({})", short(&fix.commit), days(fix.days)),
    }
}

/// A waived case's reason, or what a reader needs to know when there is none.
fn reason(case: &Case) -> &str {
    case.reason.as_deref().unwrap_or("no reason given")
}

/// The web page of commit `id` when the audited repository's `origin` is on GitHub,
/// GitLab or Bitbucket (HTTPS, `ssh://` or `git@host:path` URLs).
fn commit_url(scope: &Scope, id: &str) -> Option<String> {
    let url = scope.repository.as_deref()?.trim_end_matches('/');
    let url = url.strip_suffix(".git").unwrap_or(url);
    let (host, path) = if let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| url.strip_prefix("ssh://"))
    {
        let (authority, path) = rest.split_once('/')?;
        let host = authority.rsplit('@').next()?;
        (host.split(':').next()?, path)
    } else {
        let (authority, path) = url.split_once(':')?;
        (authority.rsplit('@').next()?, path)
    };
    let base = format!("https://{host}/{}", path.trim_start_matches('/'));
    match host {
        "github.com" => Some(format!("{base}/commit/{id}")),
        "bitbucket.org" => Some(format!("{base}/commits/{id}")),
        _ if host.contains("gitlab") => Some(format!("{base}/-/commit/{id}")),
        _ => None,
    }
}

/// The first ten characters of a commit id.
fn short(id: &str) -> &str {
    id.get(..10).unwrap_or(id)
}

fn days(count: i64) -> String {
    if count == 1 {
        "1 day".to_owned()
    } else {
        format!("{count} days")
    }
}

/// Notes on units left unjudged: too large, ignored.
fn unjudged(scope: &Scope) -> Vec<String> {
    let mut notes = Vec::new();
    if scope.too_large > 0 {
        notes.push(format!(
            "{} touching more files than settings.max_files not judged",
            units(scope.too_large)
        ));
    }
    if scope.ignored > 0 {
        notes.push(format!(
            "{} listed in the ignore-revs file not judged",
            units(scope.ignored)
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_links_follow_the_origins_forge() {
        let link = |origin: &str| {
            let scope = Scope {
                repository: Some(origin.to_owned()),
                ..Scope::default()
            };
            commit_url(&scope, "abc")
        };
        for (origin, url) in [
            (
                "https://github.com/acme/app.git",
                "https://github.com/acme/app/commit/abc",
            ),
            (
                "git@github.com:acme/app.git",
                "https://github.com/acme/app/commit/abc",
            ),
            (
                "ssh://git@gitlab.com:2222/g/sub/app.git",
                "https://gitlab.com/g/sub/app/-/commit/abc",
            ),
            (
                "https://gitlab.example.com/g/app",
                "https://gitlab.example.com/g/app/-/commit/abc",
            ),
            (
                "https://user@bitbucket.org/team/app.git",
                "https://bitbucket.org/team/app/commits/abc",
            ),
        ] {
            assert_eq!(link(origin).as_deref(), Some(url), "{origin}");
        }
        assert_eq!(link("/srv/git/app"), None);
        assert_eq!(link("app"), None);
        assert_eq!(commit_url(&Scope::default(), "abc"), None);
    }
}
