//! What a report for a director opens with: the change against the previous period,
//! the rules that miss most, and the figures per owner.

use crate::day::Day;

use super::{Audit, Counts, RuleRow};

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
    use super::*;

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
}
