//! `lockstep audit merge`: the JSON audits of several repositories as one audit, each
//! rule keyed by its repository, totals summed.

use std::collections::{BTreeMap, HashMap};

use super::format::json::{Json, Miss, Waiver};
use super::{
    Audit, Case, CommitInfo, Counts, Fix, KindRow, MonthRow, Outcome, Period, RuleRow, Scope,
};

/// One audit read back: the repository it names (or its file's name) and its report.
pub struct Part {
    pub repository: String,
    pub json: Json,
}

/// `rust-lang/cargo` for `https://github.com/rust-lang/cargo.git` or
/// `git@github.com:rust-lang/cargo.git`; a directory name stays as it is.
pub fn short_name(repository: &str) -> String {
    let trimmed = repository.trim_end_matches('/');
    let trimmed = trimmed.strip_suffix(".git").unwrap_or(trimmed);
    let segments: Vec<&str> = trimmed
        .split(['/', ':'])
        .filter(|s| !s.is_empty())
        .collect();
    match segments.as_slice() {
        [.., owner, name] if trimmed.contains(['/', ':']) => format!("{owner}/{name}"),
        _ => trimmed.to_owned(),
    }
}

/// Combines `parts` in the order given.
pub fn merge(parts: Vec<Part>) -> Audit {
    let mut merged = Merged::default();
    for part in parts {
        merged.add(part);
    }
    merged.finish()
}

#[derive(Default)]
struct Merged {
    scope: Scope,
    sinces: Vec<Option<String>>,
    untils: Vec<Option<String>>,
    previous: Vec<Option<Period>>,
    rules: Vec<RuleRow>,
    kinds: Vec<KindRow>,
    months: BTreeMap<String, MonthRow>,
    commits: Vec<CommitInfo>,
    /// (repository, commit id) → index into `commits`.
    commit_index: HashMap<(String, String), usize>,
    cases: Vec<Case>,
}

impl Merged {
    fn add(&mut self, part: Part) {
        let key = short_name(&part.repository);
        let json = part.json;
        let range = &json.range;
        self.scope.units += range.units;
        self.scope.too_large += range.too_large;
        self.scope.ignored += range.ignored;
        self.scope.shallow |= range.shallow;
        self.scope.first_parent =
            range.first_parent && (self.scope.repositories.is_empty() || self.scope.first_parent);
        self.scope.repositories.push(key.clone());
        self.sinces.push(range.since.clone());
        self.untils.push(range.until.clone());
        self.previous
            .push(json.previous.as_ref().map(|p| p.period()));
        for rule in &json.rules {
            self.rules.push(RuleRow {
                rule: format!("{key}:{}", rule.rule),
                description: None,
                owners: rule.owners.clone(),
                counts: rule.counts.counts(),
                months: rule
                    .months
                    .iter()
                    .map(|m| (m.month.clone(), m.counts.counts()))
                    .collect(),
                kinds: rule
                    .kinds
                    .iter()
                    .map(|k| KindRow {
                        kind: k.kind.clone(),
                        required: k.required,
                        missed: k.missed,
                    })
                    .collect(),
            });
        }
        for kind in &json.kinds {
            match self.kinds.iter_mut().find(|k| k.kind == kind.kind) {
                Some(row) => {
                    row.required += kind.required;
                    row.missed += kind.missed;
                }
                None => self.kinds.push(KindRow {
                    kind: kind.kind.clone(),
                    required: kind.required,
                    missed: kind.missed,
                }),
            }
        }
        for month in &json.months {
            let row = self
                .months
                .entry(month.month.clone())
                .or_insert_with(|| MonthRow {
                    month: month.month.clone(),
                    units: 0,
                    counts: Counts::default(),
                });
            row.units += month.units;
            row.counts.sum(&month.counts.counts());
        }
        for miss in json.misses {
            self.miss(&key, miss);
        }
        for waiver in json.waivers {
            self.waiver(&key, waiver);
        }
    }

    fn commit(&mut self, key: &str, info: CommitInfo) -> usize {
        let slot = (key.to_owned(), info.id.clone());
        if let Some(&index) = self.commit_index.get(&slot) {
            return index;
        }
        self.commits.push(info);
        self.commit_index.insert(slot, self.commits.len() - 1);
        self.commits.len() - 1
    }

    fn miss(&mut self, key: &str, miss: Miss) {
        let commit = self.commit(
            key,
            CommitInfo {
                id: miss.commit,
                date: miss.date,
                author: miss.author,
                subject: miss.subject,
            },
        );
        self.cases.push(Case {
            commit,
            rule: format!("{key}:{}", miss.rule),
            bindings: miss.bindings,
            outcome: Outcome::Missed,
            triggered_by: miss.triggered_by,
            missing: miss.missing,
            owners: miss.owners,
            reason: None,
            fix: miss.fixed_by.map(|fix| Fix {
                commit: fix.commit,
                date: fix.date,
                days: fix.days,
            }),
        });
    }

    fn waiver(&mut self, key: &str, waiver: Waiver) {
        let commit = self.commit(
            key,
            CommitInfo {
                id: waiver.commit,
                date: waiver.date,
                author: waiver.author,
                subject: waiver.subject,
            },
        );
        self.cases.push(Case {
            commit,
            rule: format!("{key}:{}", waiver.rule),
            bindings: waiver.bindings,
            outcome: Outcome::Waived,
            triggered_by: Vec::new(),
            missing: Vec::new(),
            owners: Vec::new(),
            reason: waiver.reason,
            fix: None,
        });
    }

    fn finish(mut self) -> Audit {
        // A bound is shown only when every audit had one: the earliest start, the
        // latest end.
        self.scope.since = all(self.sinces).and_then(|s| s.into_iter().min());
        self.scope.until = all(self.untils).and_then(|u| u.into_iter().max());
        let mut total = Counts::default();
        for rule in &self.rules {
            total.sum(&rule.counts);
        }
        let previous = all(self.previous).and_then(previous);
        Audit {
            scope: self.scope,
            total,
            rules: self.rules,
            kinds: self.kinds,
            months: super::every_month(self.months),
            previous,
            commits: self.commits,
            cases: self.cases,
        }
    }
}

fn all<T>(values: Vec<Option<T>>) -> Option<Vec<T>> {
    values.into_iter().collect()
}

/// The previous periods of every audit as one: the earliest start, the latest end,
/// counts summed. `None` when there is none.
fn previous(periods: Vec<Period>) -> Option<Period> {
    let mut periods = periods.into_iter();
    let mut merged = periods.next()?;
    for period in periods {
        merged.since = merged.since.min(period.since);
        merged.until = merged.until.max(period.until);
        merged.units += period.units;
        merged.total.sum(&period.total);
    }
    Some(merged)
}

#[cfg(test)]
mod tests {
    use super::short_name;

    #[test]
    fn repositories_are_named_by_owner_and_name() {
        for (url, name) in [
            ("https://github.com/rust-lang/cargo.git", "rust-lang/cargo"),
            ("https://github.com/rust-lang/cargo", "rust-lang/cargo"),
            ("git@github.com:rust-lang/cargo.git", "rust-lang/cargo"),
            ("ssh://git@gitlab.com/group/sub/app.git/", "sub/app"),
            ("cargo", "cargo"),
        ] {
            assert_eq!(short_name(url), name, "{url}");
        }
    }
}
