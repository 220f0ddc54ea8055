//! The commits `git log --since` lists from a head, oldest first: from the commit-graph
//! where git would read one, else with the own commit reader, each commit once, its
//! parents and committer time only. The order is the one libgit2's revwalk gives with
//! `TOPOLOGICAL | REVERSE` (its reports are compared byte for byte with those of
//! earlier releases), and the times let an audit skip commits outside its window
//! without reading them again.
//!
//! With a window, the walk is git's (`get_revision_1` in revision.c, without
//! `--topo-order`): a commit dated before the window is not listed and its parents are
//! not followed from it, so a commit is listed exactly when a path of commits dated in
//! the window leads to it from the head. The listing reads the history down to the
//! window's first day, not all of it; a commit an ancestor dated wrongly hides (clock
//! skew) is left out, as `git log --since` leaves it out. The dates compared are local
//! committer times, as the audit's days are; the graph has UTC times only, so a
//! commit it dates within a zone offset of an edge is read for its zone.

use std::collections::{HashMap, HashSet};
use std::sync::{Condvar, Mutex, PoisonError};

use git2::Oid;

use super::Repo;
use super::commit_graph::Position;
use super::commit_object::{CommitHeader, MAX_ZONE_OFFSET};
use super::error::GitError;
use super::id::Id;
use super::recent::FastHash;

/// A commit as the listing read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Listed {
    pub(super) id: Oid,
    pub time: ListedTime,
    /// Its root tree.
    pub tree: Id,
    /// How many parents it has.
    pub parent_count: usize,
    /// The latest local time `--since` may name and still list this commit: the
    /// earliest committer time on the latest-dated path to it from the head. Exact on
    /// which side of the [`Edges`] it falls, approximate (UTC) elsewhere.
    pub reached: i64,
    /// The root tree of its first parent, when that is listed too: the workers need
    /// not read the parent for it.
    pub parent_tree: Option<Id>,
}

/// A listed commit's committer time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ListedTime {
    /// Shifted into the committer's time zone, read from the commit.
    Local(i64),
    /// Seconds since the epoch, from the commit-graph, which has no zones: further
    /// than any zone offset from every edge of the listing.
    Utc(i64),
}

impl ListedTime {
    /// The local time, or the UTC one on the same side of every edge.
    fn on_edges(self) -> i64 {
        match self {
            ListedTime::Local(time) | ListedTime::Utc(time) => time,
        }
    }
}

/// The local committer times a listing tells commits apart by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Edges {
    /// Commits dated before it are not listed, and end the walk.
    pub not_before: Option<i64>,
    /// A later edge the caller compares [`Listed::reached`] with.
    pub split: Option<i64>,
}

impl Edges {
    /// Whether a commit the graph dates `utc` may be on either side of an edge,
    /// depending on its zone.
    fn near(self, utc: i64) -> bool {
        [self.not_before, self.split]
            .into_iter()
            .flatten()
            .any(|edge| utc.abs_diff(edge) <= MAX_ZONE_OFFSET.unsigned_abs())
    }

    /// Whether a commit dated `time` is before the window: the walk ends at it.
    fn before(self, time: ListedTime) -> bool {
        self.not_before.is_some_and(|edge| time.on_edges() < edge)
    }
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
    by_id: HashMap<Oid, usize, FastHash>,
    /// The commits read and dated before the window.
    stopped: HashSet<Key>,
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
    /// The commits `git log --since` lists from `head` (along first parents only, if
    /// `first_parent`), oldest first, with `edges.not_before` for the date. Without a
    /// commit-graph, `threads` threads read the commits.
    pub(super) fn topo_order(
        &self,
        head: Oid,
        first_parent: bool,
        edges: Edges,
        threads: usize,
    ) -> Result<Vec<Listed>, GitError> {
        let graph = self.commit_graph();
        let mut found = Found {
            nodes: Vec::new(),
            at: vec![u32::MAX; graph.map_or(0, |g| g.len() as usize)],
            by_id: HashMap::default(),
            stopped: HashSet::new(),
        };
        if graph.is_none() && threads > 1 {
            let read = self.read_reachable(head, first_parent, edges, threads)?;
            found.nodes.reserve(read.len());
            found.by_id.reserve(read.len());
            for (id, header) in read {
                let time = ListedTime::Local(header.local_time);
                let listed = listed(id, time, header.tree, &header.parents);
                let parents = header.parents.into_iter().map(Key::Id).collect();
                found.insert(Key::Id(id), Node { listed, parents });
            }
            return Ok(found.sorted(first_parent));
        }
        let key = |id: Oid| {
            graph
                .and_then(|g| g.position(id))
                .map_or(Key::Id(id), Key::At)
        };
        let mut next = vec![key(head)];
        let mut positions = Vec::new();
        while let Some(at) = next.pop() {
            if found.node(at).is_some() || found.stopped.contains(&at) {
                continue;
            }
            let (listed, parents) = match (at, graph) {
                (Key::At(position), Some(graph)) => {
                    let id = graph.id(position);
                    let utc = graph.time(position);
                    let time = if edges.near(utc) {
                        ListedTime::Local(self.read_commit_header(id)?.local_time)
                    } else {
                        ListedTime::Utc(utc)
                    };
                    graph.parents(position, &mut positions);
                    let parents: Vec<Key> = positions.iter().map(|&p| Key::At(p)).collect();
                    (listed(id, time, graph.tree(position), &parents), parents)
                }
                (Key::At(_), None) => continue,
                (Key::Id(id), _) => {
                    let header = self.read_commit_header(id)?;
                    let time = ListedTime::Local(header.local_time);
                    let listed = listed(id, time, header.tree, &header.parents);
                    let parents = header.parents.into_iter().map(key).collect();
                    (listed, parents)
                }
            };
            if edges.before(listed.time) {
                found.stopped.insert(at);
                continue;
            }
            next.extend(
                followed(&parents, first_parent)
                    .iter()
                    .filter(|&&p| found.node(p).is_none()),
            );
            found.insert(at, Node { listed, parents });
        }
        Ok(found.sorted(first_parent))
    }

    /// The commits reachable from `head` (along first parents only, if
    /// `first_parent`) through commits not dated before `edges`, each read once by one
    /// of `threads` threads, this one among them; `head` first, the others in the
    /// order they were read.
    fn read_reachable(
        &self,
        head: Oid,
        first_parent: bool,
        edges: Edges,
        threads: usize,
    ) -> Result<Vec<(Oid, CommitHeader)>, GitError> {
        let frontier = Frontier {
            state: Mutex::new(FrontierState {
                next: vec![head],
                seen: HashSet::from_iter([head]),
                busy: 0,
                waiting: 0,
                failed: false,
            }),
            ready: Condvar::new(),
        };
        let read = |repo: &Repo| -> Result<Vec<(Oid, CommitHeader)>, GitError> {
            let mut read = Vec::new();
            while let Some(claimed) = frontier.claim() {
                let header = repo.read_commit_header(claimed.id)?;
                if edges.before(ListedTime::Local(header.local_time)) {
                    claimed.done(&[]);
                    continue;
                }
                let id = claimed.done(followed(&header.parents, first_parent));
                read.push((id, header));
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
    /// Signalled when a commit read adds commits or was the last one being read, and
    /// only when a thread waits: each signal is a system call.
    ready: Condvar,
}

struct FrontierState {
    next: Vec<Oid>,
    /// Every commit ever added to `next`.
    seen: HashSet<Oid, FastHash>,
    /// Threads reading a commit, which may add more.
    busy: usize,
    /// Threads waiting for one of them.
    waiting: usize,
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
            state.waiting += 1;
            state = self
                .ready
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            state.waiting -= 1;
        }
    }

    /// A claimed commit is read, and `parents` are found; or its read `failed`, and the
    /// other threads stop.
    fn finish(&self, parents: &[Oid], failed: bool) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.busy -= 1;
        state.failed |= failed;
        let mut added = false;
        for &parent in parents {
            if state.seen.insert(parent) {
                state.next.push(parent);
                added = true;
            }
        }
        // A failed read needs no signal of its own: the threads still reading see it
        // when they claim their next commit, and the last one out wakes those waiting.
        let wake = state.waiting > 0 && (added || state.busy == 0);
        drop(state);
        if wake {
            self.ready.notify_all();
        }
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

/// The parents a walk along first parents only, or along all, follows.
fn followed<T>(parents: &[T], first_parent: bool) -> &[T] {
    if first_parent {
        &parents[..parents.len().min(1)]
    } else {
        parents
    }
}

/// A commit dated `time` with `tree` and `parents`, before [`Found::sorted`] works out
/// where the head reaches it from.
fn listed<T>(id: Oid, time: ListedTime, tree: Id, parents: &[T]) -> Listed {
    Listed {
        id,
        time,
        tree,
        parent_count: parents.len(),
        reached: time.on_edges(),
        parent_tree: None,
    }
}

impl Found {
    /// The commits found, oldest first, in the order [`sorted`] gives, each with the
    /// time the head [reaches](Listed::reached) it from along the walk's edges and its
    /// first parent's tree; node 0 is the head.
    fn sorted(&self, first_parent: bool) -> Vec<Listed> {
        let mut parents = Parents::with_capacity(self.nodes.len());
        let mut firsts = Vec::with_capacity(self.nodes.len());
        for node in &self.nodes {
            let mut found = node.parents.iter().map(|&p| self.node(p));
            let first = found.next().flatten();
            firsts.push(first);
            parents.push(first.into_iter().chain(found.flatten()));
        }
        let order = sorted(&parents);
        // Children come first: each node's latest path from the head is known in turn.
        let mut from_children = vec![i64::MIN; self.nodes.len()];
        if let Some(head) = from_children.first_mut() {
            *head = i64::MAX;
        }
        let mut listed = Vec::with_capacity(order.len());
        for &at in &order {
            let node = &self.nodes[at];
            let reached = node.listed.reached.min(from_children[at]);
            let walked = if first_parent {
                firsts[at].as_slice()
            } else {
                parents.of(at)
            };
            for &parent in walked {
                from_children[parent] = from_children[parent].max(reached);
            }
            listed.push(Listed {
                reached,
                parent_tree: firsts[at].map(|p| self.nodes[p].listed.tree),
                ..node.listed
            });
        }
        listed.reverse();
        listed
    }
}

/// The parents of each node of a graph, in one list: node `n`'s are
/// `all[starts[n]..starts[n + 1]]`.
pub(super) struct Parents {
    starts: Vec<usize>,
    all: Vec<usize>,
}

impl Parents {
    pub(super) fn with_capacity(nodes: usize) -> Parents {
        let mut starts = Vec::with_capacity(nodes + 1);
        starts.push(0);
        Parents {
            starts,
            all: Vec::with_capacity(nodes),
        }
    }

    /// Adds the next node, with `parents`.
    pub(super) fn push(&mut self, parents: impl IntoIterator<Item = usize>) {
        self.all.extend(parents);
        self.starts.push(self.all.len());
    }

    fn len(&self) -> usize {
        self.starts.len() - 1
    }

    fn of(&self, node: usize) -> &[usize] {
        &self.all[self.starts[node]..self.starts[node + 1]]
    }
}

/// The nodes of a graph whose only tip is node 0, children before parents, as
/// libgit2's `sort_in_topological_order` emits them: a node is ready once all its
/// children are out, and the ready nodes form a stack, parents pushed in order.
pub(super) fn sorted(parents: &Parents) -> Vec<usize> {
    // One more than the children not out yet; zero once out.
    let mut in_degree = vec![1_usize; parents.len()];
    for &parent in &parents.all {
        in_degree[parent] += 1;
    }
    let mut out = Vec::with_capacity(parents.len());
    let mut ready = Vec::new();
    ready.extend((parents.len() > 0).then_some(0));
    while let Some(node) = ready.pop() {
        for &parent in parents.of(node) {
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

    fn graph(lists: &[&[usize]]) -> Parents {
        let mut parents = Parents::with_capacity(lists.len());
        for list in lists {
            parents.push(list.iter().copied());
        }
        parents
    }

    #[test]
    fn children_come_before_parents_and_the_last_parent_is_followed_first() {
        // 0 merges 1 (first parent) and 2; both come from 3, the root.
        let parents = graph(&[&[1, 2], &[3], &[3], &[]]);
        assert_eq!(sorted(&parents), [0, 2, 1, 3]);
    }

    #[test]
    fn a_parent_named_twice_waits_for_both_edges() {
        let parents = graph(&[&[1, 1], &[2], &[]]);
        assert_eq!(sorted(&parents), [0, 1, 2]);
        assert_eq!(sorted(&graph(&[])), Vec::<usize>::new());
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

    /// The commits listed from HEAD from `not_before` on, and those of them reached
    /// from `split` on, read with one thread and with two.
    fn listing(dir: &Path, not_before: Option<i64>, split: Option<i64>) -> (Vec<Oid>, Vec<Oid>) {
        let repo = Repo::discover(dir).expect("a repository");
        let head = repo.head().expect("HEAD").expect("born");
        let edges = Edges { not_before, split };
        let listed = repo.topo_order(head, false, edges, 1).expect("listed");
        assert_eq!(
            repo.topo_order(head, false, edges, 2).expect("listed"),
            listed
        );
        let ids = listed.iter().map(|unit| unit.id).collect();
        let after_split = listed
            .iter()
            .filter(|unit| split.is_none_or(|split| unit.reached >= split))
            .map(|unit| unit.id)
            .collect();
        (ids, after_split)
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

    /// The listing of `head` in the repository at `dir` by `threads` threads, on a thread
    /// of its own: a test fails, rather than hangs, when a thread waiting for commits
    /// to read is never woken.
    fn listed_in_time(
        dir: &Path,
        head: Oid,
        first_parent: bool,
        threads: usize,
    ) -> Result<Vec<Listed>, GitError> {
        let (sender, receiver) = std::sync::mpsc::channel();
        let dir = dir.to_owned();
        std::thread::spawn(move || {
            let repo = Repo::discover(&dir).expect("a repository");
            let _ = sender.send(repo.topo_order(head, first_parent, Edges::default(), threads));
        });
        receiver
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the listing ends")
    }

    #[test]
    fn threads_reading_the_commits_list_them_as_one_does() {
        let dir = tempfile::tempdir().expect("temp dir");
        let head = branchy(dir.path());
        let one = listed_in_time(dir.path(), head, false, 1).expect("listed");
        assert_eq!(one.len(), 5 + 12 + 2);
        for threads in [2, 3, 8] {
            for _ in 0..8 {
                let listed = listed_in_time(dir.path(), head, false, threads).expect("listed");
                assert_eq!(listed, one);
            }
        }
        let first_parents = listed_in_time(dir.path(), head, true, 1).expect("listed");
        assert_eq!(
            listed_in_time(dir.path(), head, true, 3).expect("listed"),
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
        for threads in [1, 2, 3] {
            let error = listed_in_time(dir.path(), head, false, threads).expect_err("missing");
            assert!(error.to_string().contains(&lost), "{error}");
        }
    }

    /// The start of `date` (`YYYY-MM-DD`) in seconds.
    fn day(date: &str) -> i64 {
        crate::day::Day::parse(date).expect("a date").start()
    }

    #[test]
    fn the_listing_stops_at_a_commit_dated_before_the_window_as_git_log_since_does() {
        let dir = tempfile::tempdir().expect("temp dir");
        let commits = history(dir.path());
        for graph in [false, true] {
            if graph {
                git(dir.path(), &["commit-graph", "write", "--reachable"]);
            }
            assert_eq!(listing(dir.path(), None, None).0, commits, "graph: {graph}");
            // The commit dated 2020 on top of the one of March 2024 hides it.
            let (listed, _) = listing(dir.path(), Some(day("2024-01-01")), None);
            assert_eq!(listed, commits[4..], "graph: {graph}");
            let (listed, after_split) =
                listing(dir.path(), Some(day("2020-02-15")), Some(day("2024-01-01")));
            assert_eq!(listed, commits[2..], "graph: {graph}");
            assert_eq!(after_split, commits[4..], "graph: {graph}");
        }
    }

    #[test]
    fn a_commit_near_the_edge_is_dated_in_its_own_zone_with_or_without_a_graph() {
        let dir = tempfile::tempdir().expect("temp dir");
        git(dir.path(), &["init", "-q", "-b", "main", "."]);
        git(dir.path(), &["config", "user.name", "T"]);
        git(dir.path(), &["config", "user.email", "t@example.com"]);
        let commits: Vec<Oid> = [
            ("old", "2020-01-01T00:00:00+0000"),
            ("2023-12-31 here, 2024 in UTC", "2023-12-31T23:00:00-0300"),
            ("in the window", "2024-02-01T00:00:00+0000"),
            ("2024-01-01 here, 2023 in UTC", "2024-01-01T02:00:00+0300"),
            ("head", "2024-03-01T00:00:00+0000"),
        ]
        .iter()
        .map(|(message, date)| commit_at(dir.path(), message, date))
        .collect();
        for graph in [false, true] {
            if graph {
                git(dir.path(), &["commit-graph", "write", "--reachable"]);
            }
            let (listed, after_split) =
                listing(dir.path(), Some(day("2024-01-01")), Some(day("2024-01-01")));
            assert_eq!(listed, commits[2..], "graph: {graph}");
            assert_eq!(after_split, commits[2..], "graph: {graph}");
            let (listed, after_split) =
                listing(dir.path(), Some(day("2019-01-01")), Some(day("2024-01-02")));
            assert_eq!(listed, commits, "graph: {graph}");
            assert_eq!(after_split, commits[4..], "graph: {graph}");
        }
    }
}
