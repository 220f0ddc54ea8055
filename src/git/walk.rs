//! History walks for audits: list the units of a history (each commit against its
//! parent, or each first-parent change), then diff them on every core at once, one
//! `Repository` per thread, handing results back in history order.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;

use git2::Oid;

use super::commit_object::MAX_ZONE_OFFSET;
use super::error::GitError;
use super::id::Id;
use super::topo_order::{Edges, Listed, ListedTime};
use super::tree_walk::Area;
use super::unchanged::Unchanged;
use super::{Commit, Repo};
use crate::change::Change;

/// Units handed to one worker at a time: a share of those left (long runs keep each
/// worker's caches warm, as its units' parents are its own previous units; shorter
/// ones towards the end let the workers finish together), within these bounds. The
/// upper one bounds the results a worker holds before handing them over.
const MIN_CHUNK: usize = 64;
const MAX_CHUNK: usize = 1024;

/// The units `[start, end)` to claim next, out of `len`, for `threads` workers.
fn chunk(start: usize, len: usize, threads: usize) -> usize {
    let share = (len - start) / (2 * threads);
    (start + share.clamp(MIN_CHUNK, MAX_CHUNK)).min(len)
}

/// Which history an audit walks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistorySpec {
    /// `A..B` or `A...B`; `None` walks everything reachable from HEAD.
    pub range: Option<String>,
    /// Walk the first-parent chain and judge each merge against its first parent.
    pub first_parent: bool,
    /// A local committer time (seconds) before which no unit is walked. Without a
    /// range, the listing ends at every commit dated before it, as `git log --since`
    /// does: it leaves out such commits and those only they lead to.
    pub not_before: Option<i64>,
    /// A later local time the caller compares [`Unit::reached`] with (where the
    /// current period starts, when an audit judges the one before it too).
    pub split: Option<i64>,
    /// Threads that read the commits to list them where there is no commit-graph;
    /// 0 or 1: the caller's alone.
    pub threads: usize,
}

/// The commits of a history, oldest first: ids (and, when the listing read them, times),
/// so long histories stay small. Workers leave out merges (unless first-parent) and
/// commits their filter rejects, reading each commit once, or not at all when the
/// listing tells them it is left out.
#[derive(Debug, Clone, Default)]
pub struct Units {
    list: Vec<Oid>,
    /// For each unit, what the listing read of it; empty when it read no commits.
    listed: Vec<Listed>,
    first_parent: bool,
    /// The commit the history ends at: the range's end, else HEAD.
    head: Option<Oid>,
    /// [`HistorySpec::not_before`].
    not_before: Option<i64>,
}

impl Units {
    /// The commit the history ends at; `None` on an unborn branch.
    pub fn head(&self) -> Option<Oid> {
        self.head
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// [`Unit::reached`] of unit `index`, dated `local_time`.
    fn reached(&self, index: usize, local_time: i64) -> i64 {
        self.listed
            .get(index)
            .map_or(local_time, |listed| listed.reached.min(local_time))
    }

    /// The tree of unit `index`'s first parent, where the listing read it.
    fn parent_tree(&self, index: usize) -> Option<Id> {
        self.listed.get(index).and_then(|listed| listed.parent_tree)
    }

    /// What the listing read of unit `index` when it is all the walk needs: its tree,
    /// its first parent's (`None` for a root) and its local time.
    fn known(&self, index: usize) -> Option<(Id, Option<Id>, i64)> {
        let listed = self.listed.get(index)?;
        let ListedTime::Local(time) = listed.time else {
            return None;
        };
        match (listed.parent_count, listed.parent_tree) {
            (0, _) => Some((listed.tree, None, time)),
            (_, Some(parent)) => Some((listed.tree, Some(parent), time)),
            (_, None) => None,
        }
    }

    /// Whether the listing read unit `index` and knows it is left out.
    fn left_out(&self, index: usize, keep: impl Fn(i64) -> bool) -> bool {
        self.listed.get(index).is_some_and(|unit| {
            (!self.first_parent && unit.parent_count > 1)
                || match unit.time {
                    ListedTime::Local(time) => !keep(time),
                    ListedTime::Utc(time) => self
                        .not_before
                        .is_some_and(|limit| time.saturating_add(MAX_ZONE_OFFSET) < limit),
                }
        })
    }
}

/// A unit as the judge sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Position in history order, oldest first.
    pub index: usize,
    /// The commit's id, in hex.
    pub id: String,
    /// Committer time shifted into the committer's time zone, so dates read as
    /// `git log --date=short` shows them.
    pub local_time: i64,
    /// The latest local time `git log --since` may name and list this unit from the
    /// history's head: `local_time`, or earlier where an ancestor dated before it
    /// leads to it. Exact on which side of [`HistorySpec::not_before`] and
    /// [`HistorySpec::split`] it is; a range's units have their own time.
    pub reached: i64,
    /// The commit's tree and its first parent's, as the walk read them.
    pub(super) trees: (Id, Option<Id>),
    /// The walk diffed the trees within an [`Area`] only...
    pub within_area: bool,
    /// ...and left out some change outside it.
    pub left_out: bool,
    oid: Oid,
    /// The commit's author and message, read when first asked for: most units of an
    /// audit trigger no rule and need neither, and the listing read the rest.
    commit: OnceCell<Commit>,
}

impl Unit {
    /// The unit's commit, read from the repository the first time.
    pub fn commit(&self, repo: &Repo) -> Result<&Commit, GitError> {
        if let Some(commit) = self.commit.get() {
            return Ok(commit);
        }
        let commit = repo.read_commit(self.oid)?.into_commit(self.oid);
        Ok(self.commit.get_or_init(|| commit))
    }

    /// The unit's commit.
    pub fn oid(&self) -> Oid {
        self.oid
    }

    /// Where the paths the unit's own diff leaves untouched are looked up: its tree.
    pub fn unchanged(&self) -> Unchanged {
        Unchanged::Tree(Some(self.oid))
    }
}

impl Repo {
    /// The commits of `spec`, oldest first. Commits at a shallow clone's boundary are
    /// left out: their parents are unknown.
    pub fn units(&self, spec: &HistorySpec) -> Result<Units, GitError> {
        match &spec.range {
            Some(range) => {
                let (from, to) = self.range_ends(range)?;
                self.range_units(to, from, spec.first_parent)
            }
            None => match self.head()? {
                Some(head) => self.units_from(head, spec),
                None => Ok(Units::default()),
            },
        }
    }

    /// The history behind `spec`'s range: the commits reachable from its start (the
    /// merge-base for `A...B`), oldest first, walked as `spec` says. Empty without a
    /// range, since HEAD's history has nothing behind it.
    pub fn units_behind(&self, spec: &HistorySpec) -> Result<Units, GitError> {
        match &spec.range {
            Some(range) => {
                let (from, _) = self.range_ends(range)?;
                self.units_from(from, spec)
            }
            None => Ok(Units::default()),
        }
    }

    /// The commits `git log --since` lists from `head`, oldest first.
    fn units_from(&self, head: Oid, spec: &HistorySpec) -> Result<Units, GitError> {
        let boundary = self.shallow_boundary();
        let edges = Edges {
            not_before: spec.not_before,
            split: spec.split,
        };
        let listed: Vec<Listed> = self
            .topo_order(head, spec.first_parent, edges, spec.threads)?
            .into_iter()
            .filter(|unit| !boundary.contains(&unit.id))
            .collect();
        Ok(Units {
            list: listed.iter().map(|unit| unit.id).collect(),
            listed,
            first_parent: spec.first_parent,
            head: Some(head),
            not_before: spec.not_before,
        })
    }

    /// The commits reachable from `to` and not from `from`, oldest first.
    fn range_units(&self, to: Oid, from: Oid, first_parent: bool) -> Result<Units, GitError> {
        let boundary = self.shallow_boundary();
        let mut list = self.range_list(to, Some(from), first_parent)?;
        list.retain(|id| !boundary.contains(id));
        Ok(Units {
            list,
            listed: Vec::new(),
            first_parent,
            head: Some(to),
            not_before: None,
        })
    }

    /// Diffs every unit whose local committer time passes `keep` on `threads` threads,
    /// within `area` when given, and calls `judge` there with the unit and its changes. `collect` receives one
    /// item per commit of `units`, in history order: `None` for a commit left out.
    /// Only a few chunks of results are in flight at once, never the history's changes.
    pub fn walk_units<T, E>(
        &self,
        units: &Units,
        threads: usize,
        area: Option<&Area>,
        keep: impl Fn(i64) -> bool + Sync,
        judge: impl Fn(&Repo, &Unit, Vec<Change>) -> Result<T, E> + Sync,
        mut collect: impl FnMut(Option<T>) -> Result<(), E>,
    ) -> Result<(), E>
    where
        T: Send,
        E: From<GitError> + Send,
    {
        // Each worker's repository keeps the trees it needs in its own tree cache;
        // libgit2's object cache would keep every commit and small tree of the history
        // until the end, and take as long to free as to fill.
        git2::opts::enable_caching(false);
        let len = units.list.len();
        let threads = threads.clamp(1, len.div_ceil(MIN_CHUNK).max(1));
        let next_start = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let opener = self.opener();
        std::thread::scope(|scope| {
            let (sender, receiver) =
                sync_channel::<(usize, Result<Vec<Option<T>>, E>)>(threads * 2);
            for _ in 0..threads {
                let sender = sender.clone();
                let (next_start, stop, judge, keep, opener) =
                    (&next_start, &stop, &judge, &keep, &opener);
                scope.spawn(move || {
                    let repo = match opener.open() {
                        Ok(repo) => repo,
                        Err(error) => {
                            let _ = sender.send((0, Err(error.into())));
                            return;
                        }
                    };
                    let mut last = None;
                    while !stop.load(Ordering::Relaxed) {
                        let claimed = next_start.fetch_update(
                            Ordering::Relaxed,
                            Ordering::Relaxed,
                            |start| (start < len).then(|| chunk(start, len, threads)),
                        );
                        let Ok(start) = claimed else {
                            return;
                        };
                        let end = chunk(start, len, threads);
                        let results = (start..end)
                            .map(|index| {
                                let walked =
                                    repo.unit_changes(index, units, area, &keep, &mut last)?;
                                walked
                                    .map(|(unit, changes)| judge(&repo, &unit, changes))
                                    .transpose()
                            })
                            .collect::<Result<Vec<Option<T>>, E>>();
                        let failed = results.is_err();
                        if sender.send((start, results)).is_err() || failed {
                            return;
                        }
                    }
                });
            }
            drop(sender);
            // Runs of results by their first unit, until the run before them is in.
            let mut pending = BTreeMap::new();
            let mut expected = 0;
            let result = (|| {
                for (start, results) in &receiver {
                    pending.insert(start, results?);
                    while let Some(results) = pending.remove(&expected) {
                        expected += results.len();
                        results.into_iter().try_for_each(&mut collect)?;
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

    /// The unit at `index` and its changes (within `area`, when given), or `None` when
    /// it is left out. `last` is the (commit, tree) this worker read before: usually
    /// the parent.
    fn unit_changes(
        &self,
        index: usize,
        units: &Units,
        area: Option<&Area>,
        keep: &impl Fn(i64) -> bool,
        last: &mut Option<(Oid, Id)>,
    ) -> Result<Option<(Unit, Vec<Change>)>, GitError> {
        if units.left_out(index, keep) {
            return Ok(None);
        }
        let id = units.list[index];
        // Without what the listing read (a range, a commit-graph's UTC time, a parent
        // not listed), the commit is read here, author and message with the rest.
        let (tree, parent_tree, local_time, commit) = match units.known(index) {
            Some((tree, parent_tree, local_time)) => (tree, parent_tree, local_time, None),
            None => {
                let commit = self.read_commit(id)?;
                let parent_tree = match (*last, commit.first_parent) {
                    (Some((last_id, tree)), Some(parent)) if last_id == parent => Some(tree),
                    _ => match units.parent_tree(index) {
                        Some(tree) => Some(tree),
                        None => self.tree_of(commit.first_parent)?,
                    },
                };
                *last = Some((id, commit.tree));
                if !units.first_parent && commit.parent_count > 1 {
                    return Ok(None);
                }
                let (tree, local_time) = (commit.tree, commit.local_time());
                (tree, parent_tree, local_time, Some(commit.into_commit(id)))
            }
        };
        *last = Some((id, tree));
        if !keep(local_time) {
            return Ok(None);
        }
        let (changes, left_out) = self.tree_changes_within(parent_tree, Some(tree), area)?;
        let unit = Unit {
            index,
            id: id.to_string(),
            local_time,
            reached: units.reached(index, local_time),
            trees: (tree, parent_tree),
            within_area: area.is_some(),
            left_out,
            oid: id,
            commit: commit.map(OnceCell::from).unwrap_or_default(),
        };
        Ok(Some((unit, changes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_units_in_shrinking_runs_within_bounds() {
        let (len, threads) = (10_000, 2);
        let mut starts = vec![0];
        while let Some(&start) = starts.last().filter(|&&s| s < len) {
            starts.push(chunk(start, len, threads));
        }
        let sizes: Vec<usize> = starts.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(sizes.iter().sum::<usize>(), len);
        assert_eq!(sizes[0], MAX_CHUNK);
        assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
        assert!(sizes[..sizes.len() - 1].iter().all(|&s| s >= MIN_CHUNK));
        assert_eq!(chunk(0, 10, 4), 10, "a short history is one run");
    }
}
