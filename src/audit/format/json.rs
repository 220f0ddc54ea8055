//! `--format json`: the shape fixed by SPEC section 5, plus `repository`, `owners`,
//! `kinds`, `total`, `previous`, each rule's `months` and `waivers`. `audit merge` reads it back, so one set of types
//! serves both directions.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::audit::{Audit, Counts, KindRow, Outcome, Period};
use crate::finding::Missing;
use crate::rules::Bindings;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Json {
    pub version: u32,
    /// The `origin` remote's URL, or the repository's directory name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    pub range: Range,
    pub total: Total,
    /// The period of equal length before the audited one (with `--since` or `--range`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Previous>,
    pub rules: Vec<Rule>,
    pub kinds: Vec<Kind>,
    pub months: Vec<Month>,
    pub misses: Vec<Miss>,
    #[serde(default)]
    pub waivers: Vec<Waiver>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub since: Option<String>,
    pub until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    pub first_parent: bool,
    pub units: usize,
    pub too_large: usize,
    #[serde(default)]
    pub ignored: usize,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shallow: bool,
}

/// Counts as written; `open` and `compliance` follow from the others. (Flattened into
/// rules and months, so unknown keys cannot be refused here.)
#[derive(Serialize, Deserialize)]
pub struct Total {
    pub triggered: usize,
    pub satisfied: usize,
    #[serde(default)]
    pub not_applicable: usize,
    pub waived: usize,
    pub missed: usize,
    #[serde(default)]
    pub open: usize,
    #[serde(default)]
    pub fixed_later: usize,
    pub compliance: f64,
}

#[derive(Serialize, Deserialize)]
pub struct Rule {
    pub rule: String,
    #[serde(flatten)]
    pub counts: Total,
    pub kinds: Vec<Kind>,
    #[serde(default)]
    pub owners: Vec<String>,
    /// The months the rule triggered in.
    #[serde(default)]
    pub months: Vec<RuleMonth>,
}

#[derive(Serialize, Deserialize)]
pub struct RuleMonth {
    pub month: String,
    #[serde(flatten)]
    pub counts: Total,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Previous {
    pub since: String,
    pub until: String,
    pub units: usize,
    pub total: Total,
}

impl Previous {
    pub fn period(&self) -> Period {
        Period {
            since: self.since.clone(),
            until: self.until.clone(),
            units: self.units,
            total: self.total.counts(),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kind {
    pub kind: String,
    pub required: usize,
    pub missed: usize,
}

#[derive(Serialize, Deserialize)]
pub struct Month {
    pub month: String,
    pub units: usize,
    #[serde(flatten)]
    pub counts: Total,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Miss {
    pub commit: String,
    pub date: String,
    pub author: String,
    pub subject: String,
    pub rule: String,
    pub bindings: Bindings,
    pub triggered_by: Vec<String>,
    pub missing: Vec<Missing>,
    #[serde(default)]
    pub owners: Vec<String>,
    /// `open` or `fixed-later`.
    #[serde(default = "open")]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_by: Option<FixedBy>,
}

fn open() -> String {
    "open".to_owned()
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedBy {
    pub commit: String,
    pub date: String,
    pub days: i64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub commit: String,
    pub date: String,
    pub author: String,
    pub subject: String,
    pub rule: String,
    pub bindings: Bindings,
    /// The trailer's reason; `null` when it gives none.
    pub reason: Option<String>,
}

/// Three decimals, as in SPEC's example: enough to rank, stable to compare.
fn rounded(ratio: f64) -> f64 {
    (ratio * 1000.0).round() / 1000.0
}

impl Total {
    fn of(counts: &Counts) -> Total {
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

    pub fn counts(&self) -> Counts {
        Counts {
            triggered: self.triggered,
            satisfied: self.satisfied,
            not_applicable: self.not_applicable,
            waived: self.waived,
            missed: self.missed,
            fixed_later: self.fixed_later,
        }
    }
}

fn kinds(kinds: &[KindRow]) -> Vec<Kind> {
    kinds
        .iter()
        .map(|k| Kind {
            kind: k.kind.clone(),
            required: k.required,
            missed: k.missed,
        })
        .collect()
}

impl Json {
    pub fn of(audit: &Audit) -> Json {
        let scope = &audit.scope;
        Json {
            version: 1,
            repository: scope.repository.clone(),
            range: Range {
                since: scope.since.clone(),
                until: scope.until.clone(),
                range: scope.range.clone(),
                first_parent: scope.first_parent,
                units: scope.units,
                too_large: scope.too_large,
                ignored: scope.ignored,
                shallow: scope.shallow,
            },
            total: Total::of(&audit.total),
            previous: audit.previous.as_ref().map(|p| Previous {
                since: p.since.clone(),
                until: p.until.clone(),
                units: p.units,
                total: Total::of(&p.total),
            }),
            rules: audit
                .rules
                .iter()
                .map(|r| Rule {
                    rule: r.rule.clone(),
                    counts: Total::of(&r.counts),
                    kinds: kinds(&r.kinds),
                    owners: r.owners.clone(),
                    months: r
                        .months
                        .iter()
                        .map(|(month, counts)| RuleMonth {
                            month: month.clone(),
                            counts: Total::of(counts),
                        })
                        .collect(),
                })
                .collect(),
            kinds: kinds(&audit.kinds),
            months: audit
                .months
                .iter()
                .map(|m| Month {
                    month: m.month.clone(),
                    units: m.units,
                    counts: Total::of(&m.counts),
                })
                .collect(),
            misses: audit.misses().map(|case| miss(audit, case)).collect(),
            waivers: audit
                .outcomes(Outcome::Waived)
                .map(|case| {
                    let commit = audit.commit(case);
                    Waiver {
                        commit: commit.id.clone(),
                        date: commit.date.clone(),
                        author: commit.author.clone(),
                        subject: commit.subject.clone(),
                        rule: case.rule.clone(),
                        bindings: case.bindings.clone(),
                        reason: case.reason.clone(),
                    }
                })
                .collect(),
        }
    }
}

fn miss(audit: &Audit, case: &crate::audit::Case) -> Miss {
    let commit = audit.commit(case);
    Miss {
        commit: commit.id.clone(),
        date: commit.date.clone(),
        author: commit.author.clone(),
        subject: commit.subject.clone(),
        rule: case.rule.clone(),
        bindings: case.bindings.clone(),
        triggered_by: case.triggered_by.clone(),
        missing: case.missing.clone(),
        owners: case.owners.clone(),
        status: if case.fix.is_some() {
            "fixed-later"
        } else {
            "open"
        }
        .to_owned(),
        fixed_by: case.fix.as_ref().map(|fix| FixedBy {
            commit: fix.commit.clone(),
            date: fix.date.clone(),
            days: fix.days,
        }),
    }
}

pub fn render(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &Json::of(audit))?;
    writeln!(out)
}
