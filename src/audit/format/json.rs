//! `--format json`: the shape fixed by SPEC section 5, plus `owners`, `kinds` and
//! `total`.

use std::io::{self, Write};

use serde::Serialize;

use crate::audit::{Audit, Counts, KindRow, Outcome};
use crate::finding::Missing;
use crate::rules::Bindings;

#[derive(Serialize)]
struct Json<'a> {
    version: u32,
    range: Range<'a>,
    total: Total,
    rules: Vec<Rule<'a>>,
    kinds: Vec<Kind<'a>>,
    months: Vec<Month<'a>>,
    misses: Vec<Miss<'a>>,
    waivers: Vec<Waiver<'a>>,
}

#[derive(Serialize)]
struct Range<'a> {
    since: Option<&'a str>,
    until: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    range: Option<&'a str>,
    first_parent: bool,
    units: usize,
    too_large: usize,
    ignored: usize,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    shallow: bool,
}

#[derive(Serialize)]
struct Total {
    triggered: usize,
    satisfied: usize,
    not_applicable: usize,
    waived: usize,
    missed: usize,
    open: usize,
    fixed_later: usize,
    compliance: f64,
}

#[derive(Serialize)]
struct Rule<'a> {
    rule: &'a str,
    #[serde(flatten)]
    counts: Total,
    kinds: Vec<Kind<'a>>,
    owners: &'a [String],
}

#[derive(Serialize)]
struct Kind<'a> {
    kind: &'a str,
    required: usize,
    missed: usize,
}

#[derive(Serialize)]
struct Month<'a> {
    month: &'a str,
    units: usize,
    #[serde(flatten)]
    counts: Total,
}

#[derive(Serialize)]
struct Miss<'a> {
    commit: &'a str,
    date: &'a str,
    author: &'a str,
    subject: &'a str,
    rule: &'a str,
    bindings: &'a Bindings,
    triggered_by: &'a [String],
    missing: &'a [Missing],
    owners: &'a [String],
    /// `open` or `fixed-later`.
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed_by: Option<FixedBy<'a>>,
}

#[derive(Serialize)]
struct FixedBy<'a> {
    commit: &'a str,
    date: &'a str,
    days: i64,
}

#[derive(Serialize)]
struct Waiver<'a> {
    commit: &'a str,
    date: &'a str,
    author: &'a str,
    subject: &'a str,
    rule: &'a str,
    bindings: &'a Bindings,
    /// The trailer's reason; `null` when it gives none.
    reason: Option<&'a str>,
}

/// Three decimals, as in SPEC's example: enough to rank, stable to compare.
fn rounded(ratio: f64) -> f64 {
    (ratio * 1000.0).round() / 1000.0
}

fn total(counts: &Counts) -> Total {
    Total {
        triggered: counts.triggered,
        satisfied: counts.satisfied,
        not_applicable: counts.not_applicable,
        waived: counts.waived,
        missed: counts.missed,
        open: counts.open(),
        fixed_later: counts.fixed_later,
        compliance: rounded(counts.compliance()),
    }
}

fn kinds(kinds: &[KindRow]) -> Vec<Kind<'_>> {
    kinds
        .iter()
        .map(|k| Kind {
            kind: &k.kind,
            required: k.required,
            missed: k.missed,
        })
        .collect()
}

pub fn render(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    let scope = &audit.scope;
    let json = Json {
        version: 1,
        range: Range {
            since: scope.since.as_deref(),
            until: scope.until.as_deref(),
            range: scope.range.as_deref(),
            first_parent: scope.first_parent,
            units: scope.units,
            too_large: scope.too_large,
            ignored: scope.ignored,
            shallow: scope.shallow,
        },
        total: total(&audit.total),
        rules: audit
            .rules
            .iter()
            .map(|r| Rule {
                rule: &r.rule,
                counts: total(&r.counts),
                kinds: kinds(&r.kinds),
                owners: &r.owners,
            })
            .collect(),
        kinds: kinds(&audit.kinds),
        months: audit
            .months
            .iter()
            .map(|m| Month {
                month: &m.month,
                units: m.units,
                counts: total(&m.counts),
            })
            .collect(),
        misses: audit
            .misses()
            .map(|case| {
                let commit = audit.commit(case);
                Miss {
                    commit: &commit.id,
                    date: &commit.date,
                    author: &commit.author,
                    subject: &commit.subject,
                    rule: &case.rule,
                    bindings: &case.bindings,
                    triggered_by: &case.triggered_by,
                    missing: &case.missing,
                    owners: &case.owners,
                    status: if case.fix.is_some() {
                        "fixed-later"
                    } else {
                        "open"
                    },
                    fixed_by: case.fix.as_ref().map(|fix| FixedBy {
                        commit: &fix.commit.id,
                        date: &fix.commit.date,
                        days: fix.days,
                    }),
                }
            })
            .collect(),
        waivers: audit
            .outcomes(Outcome::Waived)
            .map(|case| {
                let commit = audit.commit(case);
                Waiver {
                    commit: &commit.id,
                    date: &commit.date,
                    author: &commit.author,
                    subject: &commit.subject,
                    rule: &case.rule,
                    bindings: &case.bindings,
                    reason: case.reason.as_deref(),
                }
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)
}
