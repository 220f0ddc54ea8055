//! An audit of the recent history, for callers that weigh a rule set or mine the history
//! before anyone adopts it: `suggest` (rules that history contradicts) and `init` (the
//! packs a repository's history follows) walk the window once, with the walker and the
//! tally of `lockstep audit`.

use std::collections::HashSet;

use super::{Audit, Auditor, Judged, Scope, Watched};
use crate::annotations::Reads;
use crate::change::Change;
use crate::day::Day;
use crate::git::{GitError, HistorySpec, Repo, Unit};
use crate::rules::RuleSet;

/// One walk of a window: the audit of the rules given, and what `each` made of every
/// unit, in history order.
#[derive(Debug)]
pub struct Walked<T> {
    /// `None` when no rule set was given.
    pub audit: Option<Audit>,
    pub units: Vec<T>,
}

/// Walks every unit of HEAD's history committed on or after `since` (merges and a
/// shallow clone's boundary left out), on every core. With `rules`, judges each unit
/// as `lockstep audit --since` does (without an ignore-revs file and without reading
/// `LINT` blocks: the rules weighed are the rule set's own). `each` sees every unit
/// with its changes too, on the walker's threads, with the repository they read.
pub fn walk_since<T: Send>(
    repo: &Repo,
    rules: Option<&RuleSet>,
    since: Day,
    each: impl Fn(&Repo, &Unit, &[Change]) -> Result<T, GitError> + Sync,
) -> Result<Walked<T>, GitError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let units = repo.units(&HistorySpec {
        not_before: Some(since.start()),
        threads,
        ..HistorySpec::default()
    })?;
    let mut auditor = rules.map(|rules| {
        let ids = rules.rules.iter().map(|r| r.id.clone()).collect();
        Auditor::new(rules, ids)
    });
    let mut walked = Vec::new();
    let no_blocks = HashSet::new();
    let reads = Reads::Paths(&no_blocks);
    let watched = rules.map(|rules| Watched::new(rules, reads));
    repo.walk_units(
        &units,
        threads,
        None,
        |time| Day::of_time(time) >= since,
        |repo, unit, changes| {
            let mine = each(repo, unit, &changes)?;
            let judged = rules
                .zip(watched.as_ref())
                .map(|(rules, watched)| {
                    Judged::judge(repo, rules, unit, changes, (reads, None), watched)
                })
                .transpose()?;
            Ok::<_, GitError>((mine, judged))
        },
        |unit| {
            if let Some((mine, judged)) = unit {
                walked.push(mine);
                if let (Some(auditor), Some(judged)) = (auditor.as_mut(), judged) {
                    auditor.add(judged);
                }
            }
            Ok(())
        },
    )?;
    let scope = Scope {
        repository: Some(repo.name()),
        since: Some(since.to_date()),
        shallow: repo.is_shallow(),
        ..Scope::default()
    };
    Ok(Walked {
        audit: auditor.map(|auditor| auditor.finish(scope)),
        units: walked,
    })
}
