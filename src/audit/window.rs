//! An audit of the recent history, for callers that weigh a rule set before anyone
//! adopts it (`init` keeps only the packs a repository's history follows).

use std::collections::HashSet;

use super::{Audit, Auditor, Judged, Scope};
use crate::annotations::Reads;
use crate::day::Day;
use crate::git::{GitError, HistorySpec, Repo};
use crate::rules::RuleSet;

/// Judges every unit of HEAD's history committed on or after `since` against `rules`,
/// as `lockstep audit --since` does (without an ignore-revs file and without reading
/// `LINT` blocks: the rules weighed are the rule set's own).
pub fn audit_since(repo: &Repo, rules: &RuleSet, since: Day) -> Result<Audit, GitError> {
    let units = repo.units(&HistorySpec::default())?;
    let ids = rules.rules.iter().map(|r| r.id.clone()).collect();
    let mut auditor = Auditor::new(rules, ids);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let no_blocks = HashSet::new();
    repo.walk_units(
        &units,
        threads,
        |time| Day::of_time(time) >= since,
        |repo, unit, changes| Judged::judge(repo, rules, unit, changes, Reads::Paths(&no_blocks)),
        |judged| {
            if let Some(judged) = judged {
                auditor.add(judged);
            }
            Ok::<_, GitError>(())
        },
    )?;
    Ok(auditor.finish(Scope {
        repository: Some(repo.name()),
        since: Some(since.to_date()),
        shallow: repo.is_shallow(),
        ..Scope::default()
    }))
}
