//! Every commit reachable from a head, oldest first: from the commit-graph where git
//! would read one, else with the own commit reader, each commit once, its parents and
//! committer time only. The order is the one libgit2's revwalk gives with
//! `TOPOLOGICAL | REVERSE` (its reports are compared byte for byte with those of
//! earlier releases), and the times let an audit skip commits outside its window
//! without reading them again.
//!
//! With corrected committer dates (the graph's GDA2), the walk stops below the window:
//! a commit's corrected date is no earlier than the committer time of any of its
//! ancestors, so once it is before the window (by more than any zone offset), so is
//! all it reaches. The commits left out are ancestors of such a commit, dated before
//! the window; the order of the others is the one the whole walk gives, since a commit
//! is ready for the sort once its children are out, and no child of a listed commit
//! inside the window is left out.

use std::collections::{HashMap, HashSet};
use std::sync::{Condvar, Mutex, PoisonError};

use git2::Oid;

use super::Repo;
use super::commit_graph::Position;
use super::commit_object::{CommitHeader, MAX_ZONE_OFFSET};
use super::error::GitError;

/// A commit as the listing read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Listed {
    pub(super) id: Oid,
    pub time: ListedTime,
    pub merge: bool,
}

/// A listed commit's committer time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ListedTime {
    /// Shifted into the committer's time zone, read from the commit.
    Local(i64),
    /// Seconds since the epoch, from the commit-graph, which has no zones.
    Utc(i64),
}

/// A commit found on the walk: where the graph has it, else its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    At(Position),
    Id(Oid),
}

/// A commit of the graph being sorted.
struct Node {
    listed: Listed,
    parents: Vec<Key>,
}

/// The commits found so far, each once.
struct Found {
    nodes: Vec<Node>,
    /// Node of each graph position, or `u32::MAX`.
    at: Vec<u32>,
    by_id: HashMap<Oid, usize>,
}

impl Found {
    fn node(&self, key: Key) -> Option<usize> {
        match key {
            Key::At(at) => Some(self.at[at as usize])
                .filter(|&n| n != u32::MAX)
                .map(|n| n as usize),
            Key::Id(id) => self.by_id.get(&id).copied(),
        }
    }

    fn insert(&mut self, key: Key, node: Node) {
        let index = self.nodes.len();
        match key {
            Key::At(at) => self.at[at as usize] = u32::try_from(index).unwrap_or(u32::MAX),
            Key::Id(id) => {
                self.by_id.insert(id, index);
            }
        }
        self.nodes.push(node);
    }
}

impl Repo {
    /// The commits reachable from `head` (along first parents only, if `first_parent`),
    /// oldest first. Commits whose local committer time is before `not_before` may be
    /// left out, with all they reach. Without a commit-graph, `threads` threads read
    /// the commits.
    pub(super) fn topo_order(
        &self,
        head: Oid,
        first_parent: bool,
        not_before: Option<i64>,
        threads: usize,
    ) -> Result<Vec<Listed>, GitError> {
        let graph = self.commit_graph();
        if graph.is_none() && threads > 1 {
            let read = self.read_reachable(head, first_parent, threads)?;
            let mut found = Found {
                nodes: Vec::with_capacity(read.len()),
                at: Vec::new(),
                by_id: HashMap::with_capacity(read.len()),
            };
            for (id, header) in read {
                let listed = Listed {
                    id,
                    time: ListedTime::Local(header.local_time),
                    merge: header.parents.len() > 1,
                };
                let parents = header.parents.into_iter().map(Key::Id).collect();
                found.insert(Key::Id(id), Node { listed, parents });
            }
            return Ok(found.sorted());
        }
        let key = |id: Oid| {
            graph
                .and_then(|g| g.position(id))
                .map_or(Key::Id(id), Key::At)
        };
        // Below this corrected date, a commit and its ancestors are before the window.
        let limit = not_before.map(|t| t.saturating_sub(MAX_ZONE_OFFSET));
        let mut found = Found {
            nodes: Vec::new(),
            at: vec![u32::MAX; graph.map_or(0, |g| g.len() as usize)],
            by_id: HashMap::new(),
        };
        let mut next = vec![key(head)];
        let mut positions = Vec::new();
        while let Some(at) = next.pop() {
            if found.node(at).is_some() {
                continue;
            }
            let (listed, parents) = match at {
                Key::At(position) => {
                    let Some(graph) = graph else { continue };
                    let before = limit
                        .zip(graph.corrected_date(position))
                        .is_some_and(|(limit, date)| date < limit);
                    if before {
                        continue;
                    }
                    graph.parents(position, &mut positions);
                    let listed = Listed {
                        id: graph.id(position),
                        time: ListedTime::Utc(graph.time(position)),
                        merge: positions.len() > 1,
                    };
                    (listed, positions.iter().map(|&p| Key::At(p)).collect())
                }
                Key::Id(id) => {
                    let header = self.read_commit_header(id)?;
                    let listed = Listed {
                        id,
                        time: ListedTime::Local(header.local_time),
                        merge: header.parents.len() > 1,
                    };
                    (
                        listed,
                        header.parents.into_iter().map(key).collect::<Vec<_>>(),
                    )
                }
            };
            let followed = if first_parent {
                &parents[..parents.len().min(1)]
            } else {
                &parents[..]
            };
            next.extend(followed.iter().filter(|&&p| found.node(p).is_none()));
            found.insert(at, Node { listed, parents });
        }
        Ok(found.sorted())
    }

    /// The commits reachable from `head` (along first parents only, if
    /// `first_parent`), each read once by one of `threads` threads, this one among
    /// them; `head` first, the others in the order they were read.
    fn read_reachable(
        &self,
        head: Oid,
        first_parent: bool,
        threads: usize,
    ) -> Result<Vec<(Oid, CommitHeader)>, GitError> {
        let frontier = Frontier {
            state: Mutex::new(FrontierState {
                next: vec![head],
                seen: HashSet::from([head]),
                busy: 0,
                failed: false,
            }),
            ready: Condvar::new(),
        };
        let read = |repo: &Repo| -> Result<Vec<(Oid, CommitHeader)>, GitError> {
            let mut read = Vec::new();
            while let Some(claimed) = frontier.claim() {
                let header = repo.read_commit_header(claimed.id)?;
                let followed = if first_parent {
                    &header.parents[..header.parents.len().min(1)]
                } else {
                    &header.parents[..]
                };
                read.push((claimed.done(followed), header));
            }
            Ok(read)
        };
        let opener = self.opener();
        let mut read = std::thread::scope(|scope| {
            let others: Vec<_> = (1..threads)
                .map(|_| scope.spawn(|| read(&opener.open()?)))
                .collect();
            let mut all = read(self)?;
            for other in others {
                let theirs = other
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                all.extend(theirs?);
            }
            Ok::<_, GitError>(all)
        })?;
        if let Some(at) = read.iter().position(|(id, _)| *id == head) {
            read.swap(0, at);
        }
        Ok(read)
    }
}

/// The commits found and not read yet, shared by the threads reading them.
struct Frontier {
    state: Mutex<FrontierState>,
    /// Signalled when a commit is read: it may have added commits, or been the last.
    ready: Condvar,
}

struct FrontierState {
    next: Vec<Oid>,
    /// Every commit ever added to `next`.
    seen: HashSet<Oid>,
    /// Threads reading a commit, which may add more.
    busy: usize,
    failed: bool,
}

impl Frontier {
    /// A commit to read; `None` once every commit is read or a read failed.
    fn claim(&self) -> Option<Claimed<'_>> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if state.failed {
                return None;
            }
            if let Some(id) = state.next.pop() {
                state.busy += 1;
                return Some(Claimed {
                    id,
                    frontier: self,
                    read: false,
                });
            }
            if state.busy == 0 {
                return None;
            }
            state = self
                .ready
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// A claimed commit is read, and `parents` are found; or its read `failed`, and the
    /// other threads stop.
    fn finish(&self, parents: &[Oid], failed: bool) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.busy -= 1;
        state.failed |= failed;
        for &parent in parents {
            if state.seen.insert(parent) {
                state.next.push(parent);
            }
        }
        drop(state);
        self.ready.notify_all();
    }
}

/// A commit one thread reads; dropped unread (its read failed), it stops the others.
struct Claimed<'f> {
    id: Oid,
    frontier: &'f Frontier,
    read: bool,
}

impl Claimed<'_> {
    /// Read, with `parents` to follow; its id.
    fn done(mut self, parents: &[Oid]) -> Oid {
        self.read = true;
        self.frontier.finish(parents, false);
        self.id
    }
}

impl Drop for Claimed<'_> {
    fn drop(&mut self) {
        if !self.read {
            self.frontier.finish(&[], true);
        }
    }
}

impl Found {
    /// The commits found, oldest first, in the order [`sorted`] gives; node 0 is the
    /// head.
    fn sorted(&self) -> Vec<Listed> {
        let parents: Vec<Vec<usize>> = self
            .nodes
            .iter()
            .map(|node| node.parents.iter().filter_map(|&p| self.node(p)).collect())
            .collect();
        sorted(&parents)
            .into_iter()
            .rev()
            .map(|at| self.nodes[at].listed)
            .collect()
    }
}

/// The nodes of a graph whose only tip is node 0, children before parents, as
/// libgit2's `sort_in_topological_order` emits them: a node is ready once all its
/// children are out, and the ready nodes form a stack, parents pushed in order.
fn sorted(parents: &[Vec<usize>]) -> Vec<usize> {
    // One more than the children not out yet; zero once out.
    let mut in_degree = vec![1_usize; parents.len()];
    for &parent in parents.iter().flatten() {
        in_degree[parent] += 1;
    }
    let mut out = Vec::with_capacity(parents.len());
    let mut ready = Vec::new();
    ready.extend((!parents.is_empty()).then_some(0));
    while let Some(node) = ready.pop() {
        for &parent in &parents[node] {
            if in_degree[parent] == 0 {
                continue;
            }
            in_degree[parent] -= 1;
            if in_degree[parent] == 1 {
                ready.push(parent);
            }
        }
        in_degree[node] = 0;
        out.push(node);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_come_before_parents_and_the_last_parent_is_followed_first() {
        // 0 merges 1 (first parent) and 2; both come from 3, the root.
        let parents = [vec![1, 2], vec![3], vec![3], vec![]];
        assert_eq!(sorted(&parents), [0, 2, 1, 3]);
    }

    #[test]
    fn a_parent_named_twice_waits_for_both_edges() {
        let parents = [vec![1, 1], vec![2], vec![]];
        assert_eq!(sorted(&parents), [0, 1, 2]);
        assert_eq!(sorted(&[]), Vec::<usize>::new());
    }
}

#[cfg(test)]
mod listing_tests {
    use std::path::Path;

    use super::*;
    use crate::git::test_git::{git, git_with};

    /// Commits an empty change dated `date` (committer and author); its id.
    fn commit_at(dir: &Path, message: &str, date: &str) -> Oid {
        let env = [("GIT_AUTHOR_DATE", date), ("GIT_COMMITTER_DATE", date)];
        git_with(dir, &["commit", "-q", "--allow-empty", "-m", message], &env);
        let id = git(dir, &["rev-parse", "HEAD"]);
        Oid::from_str(String::from_utf8_lossy(&id).trim()).expect("an id")
    }

    /// Two old commits, one in the window, one dated long before it on top, and one
    /// in the window again: the clock of one committer was wrong.
    fn history(dir: &Path) -> Vec<Oid> {
        git(dir, &["init", "-q", "-b", "main", "."]);
        git(dir, &["config", "user.name", "T"]);
        git(dir, &["config", "user.email", "t@example.com"]);
        [
            ("old 1", "2020-01-01T00:00:00+0000"),
            ("old 2", "2020-02-01T00:00:00+0000"),
            ("in the window", "2024-03-01T00:00:00+0000"),
            ("dated before the window", "2020-03-01T00:00:00+0000"),
            ("in the window again", "2024-04-01T00:00:00+0000"),
        ]
        .iter()
        .map(|(message, date)| commit_at(dir, message, date))
        .collect()
    }

    fn listed(dir: &Path, not_before: Option<i64>) -> Vec<Oid> {
        let repo = Repo::discover(dir).expect("a repository");
        let head = repo.head().expect("HEAD").expect("born");
        let listed = repo.topo_order(head, false, not_before, 1).expect("listed");
        listed.iter().map(|unit| unit.id).collect()
    }

    /// Branches merged one by one and by an octopus: work for several threads.
    fn branchy(dir: &Path) -> Oid {
        history(dir);
        for branch in ["a", "b", "c", "d"] {
            git(dir, &["checkout", "-q", "-b", branch, "main~3"]);
            for n in 0..3 {
                commit_at(dir, &format!("{branch} {n}"), "2024-05-01T00:00:00+0000");
            }
        }
        git(dir, &["checkout", "-q", "main"]);
        git(dir, &["merge", "-q", "-m", "octopus", "a", "b", "c"]);
        git(dir, &["merge", "-q", "-m", "d", "d"]);
        let id = git(dir, &["rev-parse", "HEAD"]);
        Oid::from_str(String::from_utf8_lossy(&id).trim()).expect("an id")
    }

    #[test]
    fn threads_reading_the_commits_list_them_as_one_does() {
        let dir = tempfile::tempdir().expect("temp dir");
        let head = branchy(dir.path());
        let repo = Repo::discover(dir.path()).expect("a repository");
        let one = repo.topo_order(head, false, None, 1).expect("listed");
        assert_eq!(one.len(), 5 + 12 + 2);
        for threads in [2, 3, 8] {
            assert_eq!(
                repo.topo_order(head, false, None, threads).expect("listed"),
                one
            );
        }
        let first_parents = repo.topo_order(head, true, None, 1).expect("listed");
        assert_eq!(
            repo.topo_order(head, true, None, 3).expect("listed"),
            first_parents
        );
    }

    #[test]
    fn a_commit_that_cannot_be_read_stops_every_thread() {
        let dir = tempfile::tempdir().expect("temp dir");
        let head = branchy(dir.path());
        let lost = String::from_utf8_lossy(&git(dir.path(), &["rev-parse", "a~1"]))
            .trim()
            .to_owned();
        std::fs::remove_file(dir.path().join(format!(
            ".git/objects/{}/{}",
            &lost[..2],
            &lost[2..]
        )))
        .expect("a loose commit");
        let repo = Repo::discover(dir.path()).expect("a repository");
        for threads in [1, 2, 3] {
            let error = repo
                .topo_order(head, false, None, threads)
                .expect_err("missing");
            assert!(error.to_string().contains(&lost), "{error}");
        }
    }

    #[test]
    fn corrected_dates_stop_the_listing_below_the_window_and_keep_what_is_inside() {
        let dir = tempfile::tempdir().expect("temp dir");
        let commits = history(dir.path());
        // 2024-01-01, in the committers' zone.
        let window = Some(1_704_067_200);
        assert_eq!(
            listed(dir.path(), window),
            commits,
            "no graph: every commit"
        );
        git(dir.path(), &["commit-graph", "write", "--reachable"]);
        assert_eq!(listed(dir.path(), None), commits);
        // The commit dated 2020 has a corrected date after its parent's, in 2024.
        assert_eq!(listed(dir.path(), window), commits[2..]);
    }
}
