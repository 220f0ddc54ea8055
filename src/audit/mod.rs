//! Audits: every unit of a history judged by the same engine as `check`, tallied per
//! rule, per companion kind and per month, with the list of misses.

pub mod format;

use std::collections::BTreeMap;

pub use crate::day::Day;
pub use format::{AuditFormat, render};

use crate::check::Judgement;
use crate::finding::{FindingStatus, Missing, Trigger};
use crate::git::Unit;
use crate::rules::{Bindings, RuleSet};

/// How one (unit, rule, binding) case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Satisfied,
    Waived,
    Missed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Satisfied => "satisfied",
            Outcome::Waived => "waived",
            Outcome::Missed => "missed",
        }
    }
}

/// Counts of cases by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub triggered: usize,
    pub satisfied: usize,
    pub waived: usize,
    pub missed: usize,
}

impl Counts {
    fn add(&mut self, outcome: Outcome) {
        self.triggered += 1;
        match outcome {
            Outcome::Satisfied => self.satisfied += 1,
            Outcome::Waived => self.waived += 1,
            Outcome::Missed => self.missed += 1,
        }
    }

    /// satisfied / (triggered − waived); 1.0 when nothing was left to judge.
    pub fn compliance(&self) -> f64 {
        let judged = self.triggered - self.waived;
        if judged == 0 {
            1.0
        } else {
            self.satisfied as f64 / judged as f64
        }
    }
}

/// A companion kind: how many times one was required, and how many times it was not
/// updated (in cases that were not waived).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindRow {
    pub kind: String,
    pub required: usize,
    pub missed: usize,
}

impl KindRow {
    /// The share of requirements met, 1.0 when none was required.
    pub fn compliance(&self) -> f64 {
        if self.required == 0 {
            1.0
        } else {
            1.0 - self.missed as f64 / self.required as f64
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleRow {
    pub rule: String,
    pub description: Option<String>,
    pub owners: Vec<String>,
    pub counts: Counts,
    pub kinds: Vec<KindRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    pub units: usize,
    pub counts: Counts,
}

/// The commit a case was judged in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: String,
    /// `YYYY-MM-DD` in the committer's time zone.
    pub date: String,
    pub author: String,
    pub subject: String,
}

/// One judged (unit, rule, binding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Index into [`Audit::commits`].
    pub commit: usize,
    pub rule: String,
    pub bindings: Bindings,
    pub outcome: Outcome,
    pub triggered_by: Vec<String>,
    pub missing: Vec<Missing>,
    pub owners: Vec<String>,
}

/// What the audit looked at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub since: Option<String>,
    pub until: Option<String>,
    pub range: Option<String>,
    pub first_parent: bool,
    pub units: usize,
    /// Units with more changed files than `settings.max_files`, not judged.
    pub too_large: usize,
    /// The repository is a shallow clone: history before its boundary is missing.
    pub shallow: bool,
}

impl Scope {
    /// A warning for the reader when the audit cannot see the whole history.
    pub fn shallow_note(&self) -> Option<&'static str> {
        self.shallow.then_some(
            "this clone is shallow: older history is missing (run `git fetch --unshallow`)",
        )
    }
}

/// A finished audit, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    pub scope: Scope,
    pub total: Counts,
    pub rules: Vec<RuleRow>,
    /// Every companion kind across all rules.
    pub kinds: Vec<KindRow>,
    pub months: Vec<MonthRow>,
    /// Commits that have at least one case, in history order.
    pub commits: Vec<CommitInfo>,
    /// Every case, in history order.
    pub cases: Vec<Case>,
}

impl Audit {
    pub fn misses(&self) -> impl Iterator<Item = &Case> {
        self.cases.iter().filter(|c| c.outcome == Outcome::Missed)
    }

    pub fn commit(&self, case: &Case) -> &CommitInfo {
        &self.commits[case.commit]
    }
}

/// The part of a unit an audit keeps, computed on the worker thread.
#[derive(Debug, Clone)]
pub struct Judged {
    pub commit: CommitInfo,
    pub day: Day,
    pub judgement: Judgement,
}

impl Judged {
    pub fn new(unit: &Unit, judgement: Judgement) -> Judged {
        let day = Day::of_time(unit.local_time);
        Judged {
            commit: CommitInfo {
                id: unit.commit.id.clone(),
                date: day.to_date(),
                author: unit.commit.author.clone(),
                subject: unit.commit.summary().to_owned(),
            },
            day,
            judgement,
        }
    }
}

#[derive(Debug, Default)]
struct RuleTally {
    counts: Counts,
    /// kind → (required, missed), in first-seen order.
    kinds: Vec<(String, usize, usize)>,
}

impl RuleTally {
    fn kind(&mut self, kind: &str) -> &mut (String, usize, usize) {
        let at = match self.kinds.iter().position(|k| k.0 == kind) {
            Some(at) => at,
            None => {
                self.kinds.push((kind.to_owned(), 0, 0));
                self.kinds.len() - 1
            }
        };
        &mut self.kinds[at]
    }
}

/// Builds an [`Audit`] one judged unit at a time, in history order.
pub struct Auditor<'a> {
    rules: &'a RuleSet,
    /// The rules asked about (`--rule`), in rule-set order; others found are added.
    order: Vec<String>,
    tallies: BTreeMap<String, RuleTally>,
    months: BTreeMap<String, MonthRow>,
    commits: Vec<CommitInfo>,
    cases: Vec<Case>,
    units: usize,
    too_large: usize,
}

impl<'a> Auditor<'a> {
    /// `rule_ids`: the rules to show even when nothing triggered them.
    pub fn new(rules: &'a RuleSet, rule_ids: Vec<String>) -> Auditor<'a> {
        Auditor {
            rules,
            order: rule_ids,
            tallies: BTreeMap::new(),
            months: BTreeMap::new(),
            commits: Vec::new(),
            cases: Vec::new(),
            units: 0,
            too_large: 0,
        }
    }

    pub fn add(&mut self, judged: Judged) {
        self.units += 1;
        let cases = self.cases_of(judged.judgement);
        let month = judged.day.to_month();
        let row = self.months.entry(month.clone()).or_insert(MonthRow {
            month,
            units: 0,
            counts: Counts::default(),
        });
        row.units += 1;
        for case in &cases {
            row.counts.add(case.outcome);
        }
        if cases.is_empty() {
            return;
        }
        for case in &cases {
            self.tally(case);
        }
        self.commits.push(judged.commit);
        self.cases.extend(cases);
    }

    /// The unit's cases, in (rule, binding) order, pointing at the next commit slot.
    fn cases_of(&mut self, judgement: Judgement) -> Vec<Case> {
        let commit = self.commits.len();
        let Judgement {
            findings,
            satisfied,
        } = judgement;
        let mut cases: Vec<Case> = satisfied
            .into_iter()
            .map(|s| Case {
                commit,
                owners: self.owners(&s.rule),
                rule: s.rule,
                bindings: s.bindings,
                outcome: Outcome::Satisfied,
                triggered_by: paths(s.triggered_by),
                missing: Vec::new(),
            })
            .collect();
        for finding in findings {
            let outcome = match finding.status {
                FindingStatus::TooLarge => {
                    self.too_large += 1;
                    continue;
                }
                FindingStatus::Waived => Outcome::Waived,
                FindingStatus::Missing => Outcome::Missed,
            };
            cases.push(Case {
                commit,
                rule: finding.rule,
                bindings: finding.bindings,
                outcome,
                triggered_by: paths(finding.triggered_by),
                missing: finding.missing,
                owners: finding.owners,
            });
        }
        cases.sort_by(|a, b| (&a.rule, &a.bindings).cmp(&(&b.rule, &b.bindings)));
        cases
    }

    fn owners(&self, rule: &str) -> Vec<String> {
        self.rules
            .rules
            .iter()
            .find(|r| r.id == rule)
            .map(|r| r.owners.clone())
            .unwrap_or_default()
    }

    fn tally(&mut self, case: &Case) {
        let tally = self.tallies.entry(case.rule.clone()).or_default();
        tally.counts.add(case.outcome);
        let required: Vec<&str> = match self.rules.rules.iter().find(|r| r.id == case.rule) {
            Some(rule) => rule.companions.iter().map(|c| c.kind.as_str()).collect(),
            None => case.missing.iter().map(|m| m.kind.as_str()).collect(),
        };
        for kind in required {
            tally.kind(kind).1 += 1;
        }
        if case.outcome == Outcome::Missed {
            for missing in &case.missing {
                tally.kind(&missing.kind).2 += 1;
            }
        }
    }

    pub fn finish(mut self, mut scope: Scope) -> Audit {
        scope.units = self.units;
        scope.too_large = self.too_large;
        let mut order = std::mem::take(&mut self.order);
        order.extend(
            self.tallies
                .keys()
                .filter(|id| !order.contains(id))
                .cloned()
                .collect::<Vec<_>>(),
        );
        let rules: Vec<RuleRow> = order.into_iter().map(|id| self.row(id)).collect();
        let mut total = Counts::default();
        let mut kinds: Vec<KindRow> = Vec::new();
        for row in &rules {
            total.triggered += row.counts.triggered;
            total.satisfied += row.counts.satisfied;
            total.waived += row.counts.waived;
            total.missed += row.counts.missed;
            for kind in &row.kinds {
                match kinds.iter_mut().find(|k| k.kind == kind.kind) {
                    Some(k) => {
                        k.required += kind.required;
                        k.missed += kind.missed;
                    }
                    None => kinds.push(kind.clone()),
                }
            }
        }
        Audit {
            scope,
            total,
            rules,
            kinds,
            months: self.months.into_values().collect(),
            commits: self.commits,
            cases: self.cases,
        }
    }

    fn row(&mut self, id: String) -> RuleRow {
        let rule = self.rules.rules.iter().find(|r| r.id == id);
        let mut tally = self.tallies.remove(&id).unwrap_or_default();
        // Kinds a rule requires are listed even when it never triggered.
        if let Some(rule) = rule {
            for companion in &rule.companions {
                tally.kind(&companion.kind);
            }
        }
        RuleRow {
            description: rule.and_then(|r| r.description.clone()),
            owners: rule.map(|r| r.owners.clone()).unwrap_or_default(),
            counts: tally.counts,
            kinds: tally
                .kinds
                .into_iter()
                .map(|(kind, required, missed)| KindRow {
                    kind,
                    required,
                    missed,
                })
                .collect(),
            rule: id,
        }
    }
}

fn paths(triggers: Vec<Trigger>) -> Vec<String> {
    triggers.into_iter().map(|t| t.path).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compliance_leaves_waived_cases_out_and_is_full_when_nothing_triggered() {
        assert_eq!(Counts::default().compliance(), 1.0);
        let counts = Counts {
            triggered: 120,
            satisfied: 104,
            waived: 4,
            missed: 12,
        };
        assert!((counts.compliance() - 104.0 / 116.0).abs() < 1e-9);
        let all_waived = Counts {
            triggered: 2,
            waived: 2,
            ..Counts::default()
        };
        assert_eq!(all_waived.compliance(), 1.0);
    }
}
