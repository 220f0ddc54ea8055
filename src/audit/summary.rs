//! What a report for a director opens with: the change against the previous period,
//! the rules that miss most, and the figures per owner.

use crate::day::Day;

use super::fixes::Watch;
use super::{Audit, Counts, Judged, Outcome, RuleRow};

/// How many rules the summary names as the worst.
const WORST: usize = 3;

/// The period of equal length just before the audited one (before `--since`, or
/// before a range's first unit), so the summary can say whether compliance went up or
/// down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// `YYYY-MM-DD`, both days included.
    pub since: String,
    pub until: String,
    pub units: usize,
    pub total: Counts,
}

impl Period {
    /// The days just before `since`, as many as `since..=until` holds.
    pub fn bounds_before(since: Day, until: Day) -> (Day, Day) {
        let length = until.days_since(since) + 1;
        (since.plus_days(-length), since.plus_days(-1))
    }
}

/// The previous period counted as its units are added, in history order: only what
/// the summary shows of it (its units and its totals). None of its cases is kept, so
/// nothing is left to tally or free once the walk is over.
#[derive(Default)]
pub struct PeriodTally {
    units: usize,
    total: Counts,
    /// The misses so far; the watch knows each by its number.
    misses: usize,
    watch: Watch,
}

impl PeriodTally {
    pub fn add(&mut self, judged: Judged) {
        self.units += 1;
        let fixed = self.watch.unit(judged.id, judged.day, &judged.changed);
        self.total.fixed_later += fixed.len();
        for case in judged.cases.into_iter().flat_map(|cases| cases.list) {
            if case.outcome == Outcome::Missed {
                self.watch.miss(self.misses, judged.day, &case.missing);
                self.misses += 1;
            }
            self.total.add(&case);
        }
    }

    /// The period from `bounds`' first to last day.
    pub fn period(self, bounds: (Day, Day)) -> Period {
        Period {
            since: bounds.0.to_date(),
            until: bounds.1.to_date(),
            units: self.units,
            total: self.total,
        }
    }
}

/// One owner's rules, their counts summed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerRow {
    /// `None` for the rules that name no owner.
    pub owner: Option<String>,
    pub rules: Vec<String>,
    pub counts: Counts,
}

impl Audit {
    /// Compliance now less compliance in the previous period, when both periods had
    /// cases to judge (an empty period's 100% is no baseline).
    pub fn compliance_change(&self) -> Option<f64> {
        let previous = &self.previous.as_ref()?.total;
        (previous.judged() > 0 && self.total.judged() > 0)
            .then(|| self.total.compliance() - previous.compliance())
    }

    /// The rules with misses, lowest compliance first (more misses first on a tie),
    /// at most three.
    pub fn worst_rules(&self) -> Vec<&RuleRow> {
        let mut rules: Vec<&RuleRow> = self.rules.iter().filter(|r| r.counts.missed > 0).collect();
        rules.sort_by(|a, b| {
            a.counts
                .compliance()
                .total_cmp(&b.counts.compliance())
                .then(b.counts.missed.cmp(&a.counts.missed))
        });
        rules.truncate(WORST);
        rules
    }

    /// Each owner named by a rule, with the counts of its rules summed; a rule with
    /// several owners counts for each. Owners in name order, then the rules with none.
    pub fn owners(&self) -> Vec<OwnerRow> {
        let mut rows: Vec<OwnerRow> = Vec::new();
        for rule in &self.rules {
            let owners: Vec<Option<String>> = if rule.owners.is_empty() {
                vec![None]
            } else {
                rule.owners.iter().cloned().map(Some).collect()
            };
            for owner in owners {
                let at = match rows.iter().position(|r| r.owner == owner) {
                    Some(at) => at,
                    None => {
                        rows.push(OwnerRow {
                            owner,
                            rules: Vec::new(),
                            counts: Counts::default(),
                        });
                        rows.len() - 1
                    }
                };
                rows[at].rules.push(rule.rule.clone());
                rows[at].counts.sum(&rule.counts);
            }
        }
        // `None` sorts first; the rules without an owner belong at the end.
        rows.sort_by(|a, b| (a.owner.is_none(), &a.owner).cmp(&(b.owner.is_none(), &b.owner)));
        rows
    }
}

#[cfg(test)]
mod tests {
    use git2::Oid;

    use super::*;
    use crate::audit::{Auditor, Case, Cases, CommitInfo, Scope};
    use crate::finding::Missing;
    use crate::rules::RuleSet;

    fn day(text: &str) -> Day {
        Day::parse(text).expect("a day")
    }

    #[test]
    fn the_previous_period_is_as_long_and_ends_the_day_before() {
        let (since, until) = Period::bounds_before(day("2026-03-01"), day("2026-04-30"));
        assert_eq!(since.to_date(), "2025-12-30");
        assert_eq!(until.to_date(), "2026-02-28");
        let (since, until) = Period::bounds_before(day("2026-01-01"), day("2026-01-01"));
        assert_eq!(
            (since.to_date(), until.to_date()),
            ("2025-12-31".to_owned(), "2025-12-31".to_owned())
        );
    }

    fn unit(n: u8, date: &str, cases: &[(Outcome, &[&str])], changed: &[&str]) -> Judged {
        let id = Oid::from_bytes(&[n; 20]).expect("an id");
        let case = |&(outcome, missing): &(Outcome, &[&str])| Case {
            commit: 0,
            rule: "r".to_owned(),
            bindings: Default::default(),
            outcome,
            triggered_by: vec!["src/a.rs".to_owned()],
            missing: missing
                .iter()
                .map(|path| Missing {
                    kind: "docs".to_owned(),
                    paths: vec![(*path).to_owned()],
                })
                .collect(),
            owners: Vec::new(),
            reason: None,
            fix: None,
        };
        Judged {
            id,
            day: day(date),
            cases: (!cases.is_empty()).then(|| Cases {
                commit: CommitInfo {
                    id: id.to_string(),
                    date: date.to_owned(),
                    author: "A".to_owned(),
                    subject: "s".to_owned(),
                },
                list: cases.iter().map(case).collect(),
            }),
            too_large: n == 5,
            ignored: n == 6,
            changed: changed.iter().map(|path| (*path).to_owned()).collect(),
        }
    }

    #[test]
    fn the_previous_period_counts_what_a_whole_audit_of_it_counts() {
        let rules = RuleSet::from_toml(
            "version = 1\n[[rule]]\nid = \"r\"\nwhen = [\"src/*\"]\nthen = [\"docs/*\"]\n",
        )
        .expect("rules");
        let units = || {
            [
                unit(1, "2026-01-01", &[(Outcome::Missed, &["docs/a.md"])], &[]),
                unit(
                    2,
                    "2026-01-02",
                    &[(Outcome::Missed, &["docs/b.md", "docs/c.md"])],
                    &["docs/z.md"],
                ),
                unit(3, "2026-01-05", &[], &["docs/a.md", "docs/b.md"]),
                unit(
                    4,
                    "2026-01-09",
                    &[(Outcome::Satisfied, &[]), (Outcome::Waived, &[])],
                    &["docs/c.md"],
                ),
                unit(5, "2026-01-10", &[(Outcome::NotApplicable, &[])], &[]),
                unit(6, "2026-01-11", &[(Outcome::Missed, &["docs/d.md"])], &[]),
                unit(7, "2026-01-12", &[], &[]),
            ]
        };
        let mut auditor = Auditor::new(&rules, vec!["r".to_owned()]);
        let mut tally = PeriodTally::default();
        for (judged, again) in units().into_iter().zip(units()) {
            auditor.add(judged);
            tally.add(again);
        }
        let audit = auditor.finish(Scope::default());
        let period = tally.period((day("2026-01-01"), day("2026-01-31")));
        assert_eq!(
            (period.since.as_str(), period.until.as_str()),
            ("2026-01-01", "2026-01-31")
        );
        assert_eq!(period.units, 7);
        assert_eq!(period.units, audit.scope.units);
        assert_eq!(period.total, audit.total);
        assert_eq!(
            (
                period.total.triggered,
                period.total.missed,
                period.total.fixed_later
            ),
            (6, 3, 2)
        );
    }
}
