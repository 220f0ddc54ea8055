//! History walks for audits: list the units of a history (each commit against its
//! parent, or each first-parent change), then diff them on every core at once, one
//! `Repository` per thread, handing results back in history order.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;

use git2::{Oid, Repository, Sort};

use super::error::{Context, GitError};
use super::{Commit, Repo};
use crate::change::Change;

/// Units handed to one worker at a time: large enough to keep the channel quiet, small
/// enough that a slow unit holds back few results.
const CHUNK: usize = 32;

/// Which history an audit walks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistorySpec {
    /// `A..B` or `A...B`; `None` walks everything reachable from HEAD.
    pub range: Option<String>,
    /// Walk the first-parent chain and judge each merge against its first parent.
    pub first_parent: bool,
}

/// One unit of history: a commit and the parent it is judged against (`None` for a
/// root commit, judged against the empty tree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct UnitRef {
    id: Oid,
    parent: Option<Oid>,
}

/// The units of a history, oldest first: ids only, so long histories stay small.
#[derive(Debug, Clone, Default)]
pub struct Units {
    list: Vec<UnitRef>,
}

impl Units {
    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// A unit as the judge sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Position in history order, oldest first.
    pub index: usize,
    pub commit: Commit,
    /// Committer time shifted into the committer's time zone, so dates read as
    /// `git log --date=short` shows them.
    pub local_time: i64,
}

impl Repo {
    /// The units of `spec` whose local committer time passes `keep`, oldest first.
    /// Commits at a shallow clone's boundary are left out: their parents are unknown.
    pub fn units(&self, spec: &HistorySpec, keep: impl Fn(i64) -> bool) -> Result<Units, GitError> {
        let context = || "cannot walk the history".to_owned();
        let mut walk = self.repo.revwalk().context(context)?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
            .context(context)?;
        match &spec.range {
            Some(range) => {
                let (from, to) = self.range_ends(range)?;
                walk.push(to).context(context)?;
                walk.hide(from).context(context)?;
            }
            None => match self.head()? {
                Some(head) => walk.push(head).context(context)?,
                None => return Ok(Units::default()),
            },
        }
        if spec.first_parent {
            walk.simplify_first_parent().context(context)?;
        }
        let boundary = self.shallow_boundary();
        let mut list = Vec::new();
        for id in walk {
            let id = id.context(context)?;
            let commit = self
                .repo
                .find_commit(id)
                .context(|| format!("cannot read commit {id}"))?;
            if (!spec.first_parent && commit.parent_count() > 1)
                || boundary.contains(&id)
                || !keep(local_time(&commit))
            {
                continue;
            }
            list.push(UnitRef {
                id,
                parent: commit.parent_id(0).ok(),
            });
        }
        Ok(Units { list })
    }

    fn shallow_boundary(&self) -> HashSet<Oid> {
        if !self.is_shallow() {
            return HashSet::new();
        }
        std::fs::read_to_string(self.repo.path().join("shallow"))
            .unwrap_or_default()
            .lines()
            .filter_map(|line| Oid::from_str(line.trim()).ok())
            .collect()
    }

    /// Diffs every unit on `threads` threads and calls `judge` there with the unit and
    /// its changes; `collect` receives the results in history order. Only a few
    /// chunks of results are in flight at once, never the changes of the history.
    pub fn walk_units<T, E>(
        &self,
        units: &Units,
        threads: usize,
        judge: impl Fn(&Repo, &Unit, Vec<Change>) -> Result<T, E> + Sync,
        mut collect: impl FnMut(T) -> Result<(), E>,
    ) -> Result<(), E>
    where
        T: Send,
        E: From<GitError> + Send,
    {
        let threads = threads.clamp(1, units.len().div_ceil(CHUNK).max(1));
        let next_chunk = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let git_dir = self.repo.path().to_path_buf();
        std::thread::scope(|scope| {
            let (sender, receiver) = sync_channel::<(usize, Result<Vec<T>, E>)>(threads * 2);
            for _ in 0..threads {
                let sender = sender.clone();
                let (next_chunk, stop, judge, git_dir) = (&next_chunk, &stop, &judge, &git_dir);
                scope.spawn(move || {
                    let repo = match Repository::open(git_dir) {
                        Ok(repo) => Repo { repo },
                        Err(source) => {
                            let error = GitError::Git {
                                context: "cannot open the repository again for a worker".to_owned(),
                                source,
                            };
                            let _ = sender.send((0, Err(error.into())));
                            return;
                        }
                    };
                    while !stop.load(Ordering::Relaxed) {
                        let chunk = next_chunk.fetch_add(1, Ordering::Relaxed);
                        let start = chunk * CHUNK;
                        if start >= units.list.len() {
                            return;
                        }
                        let end = (start + CHUNK).min(units.list.len());
                        let results = (start..end)
                            .map(|index| {
                                let (unit, changes) =
                                    repo.unit_changes(index, units.list[index])?;
                                judge(&repo, &unit, changes)
                            })
                            .collect::<Result<Vec<T>, E>>();
                        let failed = results.is_err();
                        if sender.send((chunk, results)).is_err() || failed {
                            return;
                        }
                    }
                });
            }
            drop(sender);
            let mut pending = BTreeMap::new();
            let mut expected = 0;
            let result = (|| {
                for (chunk, results) in &receiver {
                    pending.insert(chunk, results?);
                    while let Some(results) = pending.remove(&expected) {
                        results.into_iter().try_for_each(&mut collect)?;
                        expected += 1;
                    }
                }
                Ok(())
            })();
            if result.is_err() {
                stop.store(true, Ordering::Relaxed);
            }
            // Dropping the receiver unblocks workers waiting to send.
            drop(receiver);
            result
        })
    }

    fn unit_changes(&self, index: usize, unit: UnitRef) -> Result<(Unit, Vec<Change>), GitError> {
        let commit = self
            .repo
            .find_commit(unit.id)
            .context(|| format!("cannot read commit {}", unit.id))?;
        let changes = self.tree_changes(self.tree_of(unit.parent)?, Some(commit.tree_id()))?;
        let unit = Unit {
            index,
            local_time: local_time(&commit),
            commit: Commit {
                id: unit.id.to_string(),
                message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
                author: String::from_utf8_lossy(commit.author().name_bytes()).into_owned(),
                time: commit.time().seconds(),
            },
        };
        Ok((unit, changes))
    }
}

fn local_time(commit: &git2::Commit<'_>) -> i64 {
    let time = commit.committer().when();
    time.seconds() + i64::from(time.offset_minutes()) * 60
}
