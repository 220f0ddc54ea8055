//! Audits: every unit of a history judged by the same engine as `check`, tallied per
//! rule, per companion kind and per month, with the list of misses.

mod fixes;
pub mod format;
mod ignore_revs;
pub mod merge;
mod summary;
mod unit;
mod window;

use std::collections::BTreeMap;

pub use crate::day::Day;
pub use format::{AuditFormat, render};
pub use ignore_revs::{IgnoreRevsError, IgnoredRevs};
pub use summary::{OwnerRow, Period, PeriodTally};
pub use unit::{Cases, Judged};
pub use window::{Walked, walk_since};

use crate::finding::Missing;
use crate::rules::{Bindings, RuleSet};
use fixes::Watch;
pub use fixes::Watched;

/// How one (unit, rule, binding) case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Satisfied,
    /// The rule did not apply yet: the unit is before the rule's `since`, or no file
    /// its missing companions name existed before or after the unit.
    NotApplicable,
    Waived,
    Missed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Satisfied => "satisfied",
            Outcome::NotApplicable => "not-applicable",
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
    pub not_applicable: usize,
    pub waived: usize,
    pub missed: usize,
    /// Misses whose companions a later unit of the range changed.
    pub fixed_later: usize,
}

impl Counts {
    fn add(&mut self, case: &Case) {
        self.triggered += 1;
        match case.outcome {
            Outcome::Satisfied => self.satisfied += 1,
            Outcome::NotApplicable => self.not_applicable += 1,
            Outcome::Waived => self.waived += 1,
            Outcome::Missed => self.missed += 1,
        }
        self.fixed_later += usize::from(case.fix.is_some());
    }

    pub fn sum(&mut self, other: &Counts) {
        self.triggered += other.triggered;
        self.satisfied += other.satisfied;
        self.not_applicable += other.not_applicable;
        self.waived += other.waived;
        self.missed += other.missed;
        self.fixed_later += other.fixed_later;
    }

    /// Cases the rule was held to: triggered, less those waived or not applicable.
    pub fn judged(&self) -> usize {
        self.triggered - self.waived - self.not_applicable
    }

    /// Misses no later unit of the range made up for.
    pub fn open(&self) -> usize {
        self.missed - self.fixed_later
    }

    /// satisfied / (triggered − waived − not applicable); 1.0 when nothing was left
    /// to judge.
    pub fn compliance(&self) -> f64 {
        match self.judged() {
            0 => 1.0,
            judged => self.satisfied as f64 / judged as f64,
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
    /// `YYYY-MM` → the rule's counts that month, for the months it triggered in.
    pub months: BTreeMap<String, Counts>,
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

/// A later unit that changed every companion a miss left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// The later unit's commit id.
    pub commit: String,
    /// `YYYY-MM-DD` in the committer's time zone.
    pub date: String,
    /// Days from the miss to the fix.
    pub days: i64,
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
    /// The companions not updated; for a miss, only those that could have been.
    pub missing: Vec<Missing>,
    pub owners: Vec<String>,
    /// A waived case: the reason its trailer gives, `None` when it gives none.
    pub reason: Option<String>,
    /// A missed case: the later unit that made up for it.
    pub fix: Option<Fix>,
}

/// What the audit looked at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// The `origin` remote's URL or the directory's name; `None` for a merged audit.
    pub repository: Option<String>,
    /// The repositories a merged audit combines.
    pub repositories: Vec<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub range: Option<String>,
    pub first_parent: bool,
    pub units: usize,
    /// Units with more changed files than `settings.max_files`, one of which could
    /// trigger a rule: not judged.
    pub too_large: usize,
    /// Units listed in the ignore-revs file, not judged.
    pub ignored: usize,
    /// The repository is a shallow clone: history before its boundary is missing.
    pub shallow: bool,
    /// The period before was not judged because `--no-previous` asked so (JSON
    /// shows it as an audit without a previous period).
    pub no_previous: bool,
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
    /// The period of equal length just before the audited one (with `--since` or
    /// `--range`).
    pub previous: Option<Period>,
    /// Commits that have at least one case, in history order.
    pub commits: Vec<CommitInfo>,
    /// Every case, in history order.
    pub cases: Vec<Case>,
}

impl Audit {
    pub fn misses(&self) -> impl Iterator<Item = &Case> {
        self.outcomes(Outcome::Missed)
    }

    pub fn outcomes(&self, outcome: Outcome) -> impl Iterator<Item = &Case> {
        self.cases.iter().filter(move |c| c.outcome == outcome)
    }

    pub fn commit(&self, case: &Case) -> &CommitInfo {
        &self.commits[case.commit]
    }
}

#[derive(Debug, Default)]
struct RuleTally {
    counts: Counts,
    months: BTreeMap<String, Counts>,
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
    watch: Watch,
    units: usize,
    too_large: usize,
    ignored: usize,
    /// The first and last day of the units added.
    span: Option<(Day, Day)>,
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
            watch: Watch::default(),
            units: 0,
            too_large: 0,
            ignored: 0,
            span: None,
        }
    }

    /// The first and last day of the units added so far.
    pub fn span(&self) -> Option<(Day, Day)> {
        self.span
    }

    pub fn add(&mut self, judged: Judged) {
        self.units += 1;
        self.too_large += usize::from(judged.too_large);
        self.ignored += usize::from(judged.ignored);
        let day = judged.day;
        self.span = Some(
            self.span
                .map_or((day, day), |(first, last)| (first.min(day), last.max(day))),
        );
        for (case, fix) in self.watch.unit(judged.id, judged.day, &judged.changed) {
            self.cases[case].fix = Some(fix);
        }
        let month = judged.day.to_month();
        self.months
            .entry(month.clone())
            .or_insert(MonthRow {
                month,
                units: 0,
                counts: Counts::default(),
            })
            .units += 1;
        let Some(cases) = judged.cases else {
            return;
        };
        let commit = self.commits.len();
        self.commits.push(cases.commit);
        for mut case in cases.list {
            case.commit = commit;
            if case.outcome == Outcome::Missed {
                self.watch.miss(self.cases.len(), judged.day, &case.missing);
            }
            self.cases.push(case);
        }
    }

    /// Counts `case` once the range is over, when its fix is known.
    fn tally(&mut self, case: &Case) {
        let month = &self.commits[case.commit].date[..7];
        if let Some(row) = self.months.get_mut(month) {
            row.counts.add(case);
        }
        let tally = self.tallies.entry(case.rule.clone()).or_default();
        tally.counts.add(case);
        tally.months.entry(month.to_owned()).or_default().add(case);
        if case.outcome == Outcome::NotApplicable {
            return;
        }
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
        scope.ignored = self.ignored;
        let cases = std::mem::take(&mut self.cases);
        for case in &cases {
            self.tally(case);
        }
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
            total.sum(&row.counts);
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
            months: every_month(self.months),
            previous: None,
            commits: self.commits,
            cases,
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
            months: tally.months,
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

/// The rows from the first month to the last, with an empty row for each month in
/// between that had no unit: a trend with holes reads as steadier than it was.
fn every_month(mut months: BTreeMap<String, MonthRow>) -> Vec<MonthRow> {
    let parse = |key: &str| -> Option<(i64, i64)> {
        let (year, month) = key.split_once('-')?;
        Some((year.parse().ok()?, month.parse().ok()?))
    };
    let first = months.keys().next().and_then(|k| parse(k));
    let last = months.keys().next_back().and_then(|k| parse(k));
    if let (Some(mut at), Some(last)) = (first, last) {
        while at < last {
            at = if at.1 == 12 {
                (at.0 + 1, 1)
            } else {
                (at.0, at.1 + 1)
            };
            let month = format!("{:04}-{:02}", at.0, at.1);
            months.entry(month.clone()).or_insert(MonthRow {
                month,
                units: 0,
                counts: Counts::default(),
            });
        }
    }
    months.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_month_between_the_first_and_the_last_has_a_row() {
        let row = |month: &str| MonthRow {
            month: month.to_owned(),
            units: 1,
            counts: Counts::default(),
        };
        let months = ["2025-11", "2026-02"]
            .into_iter()
            .map(|m| (m.to_owned(), row(m)))
            .collect();
        let filled = every_month(months);
        let names: Vec<&str> = filled.iter().map(|m| m.month.as_str()).collect();
        assert_eq!(names, ["2025-11", "2025-12", "2026-01", "2026-02"]);
        assert_eq!(filled[1].units, 0);
        assert!(every_month(BTreeMap::new()).is_empty());
    }

    #[test]
    fn compliance_leaves_waived_cases_out_and_is_full_when_nothing_triggered() {
        assert_eq!(Counts::default().compliance(), 1.0);
        let counts = Counts {
            triggered: 130,
            satisfied: 104,
            not_applicable: 10,
            waived: 4,
            missed: 12,
            fixed_later: 5,
        };
        assert!((counts.compliance() - 104.0 / 116.0).abs() < 1e-9);
        assert_eq!(counts.open(), 7);
        let all_waived = Counts {
            triggered: 2,
            waived: 2,
            ..Counts::default()
        };
        assert_eq!(all_waived.compliance(), 1.0);
    }
}
