//! Walking up from commits with the own reader: the `REV~N` and `REV^N` steps of a
//! revision, and the merge-base of a pull request, as git computes them. libgit2 walks
//! the same commits once for each (and once more to list the range); here each step
//! reads a commit once, from the commit-graph where there is one.

use std::cmp::Reverse;
use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap, VecDeque};

use git2::Oid;

use super::Repo;
use super::error::GitError;
use super::topo_order::{Parents, sorted};

/// One step up from a commit, as a revision's suffix writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// `~N`: the first parent, `N` times.
    Ancestor(u32),
    /// `^N`: the `N`th parent (`^0` is the commit itself).
    Parent(u32),
}

/// `spec` as the name it starts with and the `~N`/`^N` steps after it, in order; `None`
/// when it has no such steps, or when its steps may mean something else: after a
/// `:` (`:/text~1` searches for that text) or with a number too large to read.
pub(super) fn split(spec: &str) -> Option<(&str, Vec<Step>)> {
    if spec.contains(':') {
        return None;
    }
    let mut steps = Vec::new();
    let mut rest = spec;
    loop {
        let digits = rest.len() - rest.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (head, number) = rest.split_at(rest.len() - digits);
        let step: fn(u32) -> Step = match head.chars().next_back() {
            Some('~') => Step::Ancestor,
            Some('^') => Step::Parent,
            _ => break,
        };
        let count = if number.is_empty() {
            1
        } else {
            number.parse().ok()?
        };
        steps.push(step(count));
        rest = &head[..head.len() - 1];
    }
    steps.reverse();
    (!steps.is_empty() && !rest.is_empty()).then_some((rest, steps))
}

/// What a merge-base search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum MergeBases {
    None,
    One(Oid),
    /// More than one candidate: git then drops those below another, which is left to
    /// the caller's other reader.
    Several,
}

/// Bits git paints commits with while searching for merge-bases (commit-reach.c).
const PARENT1: u8 = 1;
const PARENT2: u8 = 2;
const STALE: u8 = 4;
const RESULT: u8 = 8;

/// A commit's parents and committer time, as the search reads them.
struct Read {
    parents: Vec<Oid>,
    time: i64,
}

impl Repo {
    /// The commit `steps` lead to from `start`; `None` where a parent is missing
    /// (`HEAD~5` of a history of three commits).
    pub(super) fn follow(&self, start: Oid, steps: &[Step]) -> Result<Option<Oid>, GitError> {
        let mut at = start;
        for &step in steps {
            let (parent, times) = match step {
                Step::Ancestor(n) => (1, n),
                Step::Parent(0) => continue,
                Step::Parent(n) => (n, 1),
            };
            for _ in 0..times {
                let parents = self.parents_and_time(at)?.parents;
                match parents.get(parent as usize - 1) {
                    Some(&next) => at = next,
                    None => return Ok(None),
                }
            }
        }
        Ok(Some(at))
    }

    /// The merge-bases of `one` and `two` as git's `paint_down_to_common` finds them,
    /// commits taken newest first by committer time (ties in the order they were met),
    /// each read once.
    pub(super) fn merge_bases(&self, one: Oid, two: Oid) -> Result<MergeBases, GitError> {
        let mut flags: HashMap<Oid, u8> = HashMap::from([(one, PARENT1)]);
        *flags.entry(two).or_default() |= PARENT2;
        let mut read: HashMap<Oid, Read> = HashMap::new();
        let mut queue = BinaryHeap::new();
        let mut order = 0_u64;
        for id in [one, two] {
            let time = self.read_once(&mut read, id)?.time;
            queue.push((time, Reverse(order), id));
            order += 1;
        }
        let mut found = Vec::new();
        while queue
            .iter()
            .any(|&(_, _, id)| flags.get(&id).is_none_or(|f| f & STALE == 0))
        {
            let Some((_, _, id)) = queue.pop() else {
                break;
            };
            let mut painted =
                flags.get(&id).copied().unwrap_or_default() & (PARENT1 | PARENT2 | STALE);
            if painted == PARENT1 | PARENT2 {
                if let Some(f) = flags.get_mut(&id)
                    && *f & RESULT == 0
                {
                    *f |= RESULT;
                    found.push(id);
                }
                painted |= STALE;
            }
            let parents = self.read_once(&mut read, id)?.parents.clone();
            for parent in parents {
                let time = self.read_once(&mut read, parent)?.time;
                let f = flags.entry(parent).or_default();
                if *f & painted == painted {
                    continue;
                }
                *f |= painted;
                queue.push((time, Reverse(order), parent));
                order += 1;
            }
        }
        let mut left = found.into_iter().filter(|id| flags[id] & STALE == 0);
        Ok(match (left.next(), left.next()) {
            (None, _) => MergeBases::None,
            (Some(id), None) => MergeBases::One(id),
            (Some(_), Some(_)) => MergeBases::Several,
        })
    }

    /// The commits reachable from `to` and not from `from` (along first parents, if
    /// `first_parent`), oldest first, exactly as libgit2's revwalk lists them with
    /// `hide(from)` and `TOPOLOGICAL | REVERSE`: its `limit_list` (commits taken
    /// newest first, the walk ending five uninteresting commits after the last
    /// interesting one) and its topological sort, ported, over the own reader; the
    /// commits read are kept for their messages.
    pub(super) fn range_in_libgit2_order(
        &self,
        to: Oid,
        from: Oid,
        first_parent: bool,
    ) -> Result<Vec<Oid>, GitError> {
        let mut walk = Limit {
            repo: self,
            nodes: HashMap::new(),
        };
        // libgit2 keeps what was pushed last first: `from`, then `to`.
        walk.node(from).uninteresting = true;
        let mut list = VecDeque::new();
        for id in [from, to] {
            walk.parse(id)?;
            if walk.node(id).uninteresting {
                walk.mark_parents_uninteresting(id);
            }
            if !std::mem::replace(&mut walk.node(id).seen, true) {
                list.push_back(id);
            }
        }
        let listed = walk.limit(list, first_parent)?;
        let at: HashMap<Oid, usize> = listed.iter().enumerate().map(|(i, &id)| (id, i)).collect();
        let mut parents = Parents::with_capacity(listed.len());
        for id in &listed {
            let ids = walk.nodes[id].parents.as_deref().unwrap_or_default();
            parents.push(ids.iter().filter_map(|p| at.get(p).copied()));
        }
        let mut range: Vec<Oid> = sorted(&parents)
            .into_iter()
            .map(|i| listed[i])
            .filter(|id| !walk.nodes[id].uninteresting)
            .collect();
        range.reverse();
        Ok(range)
    }

    fn read_once<'a>(
        &self,
        read: &'a mut HashMap<Oid, Read>,
        id: Oid,
    ) -> Result<&'a Read, GitError> {
        Ok(match read.entry(id) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(self.parents_and_time(id)?),
        })
    }

    /// A commit's parents and committer time: from the commit-graph when it lists the
    /// commit, else from the commit itself (a shallow clone's boundary has none).
    fn parents_and_time(&self, id: Oid) -> Result<Read, GitError> {
        if let Some(graph) = self.commit_graph()
            && let Some(at) = graph.position(id)
        {
            let mut positions = Vec::new();
            graph.parents(at, &mut positions);
            return Ok(Read {
                parents: positions.into_iter().map(|p| graph.id(p)).collect(),
                time: graph.time(at),
            });
        }
        let header = self.walk_commit(id)?;
        Ok(Read {
            parents: header.parents,
            time: header.time,
        })
    }
}

/// Commits at least five uninteresting ones after the last interesting one, as
/// libgit2's `SLOP`.
const SLOP: usize = 5;

/// libgit2's revwalk limiting a range: its nodes, each read at most once.
struct Limit<'r> {
    repo: &'r Repo,
    nodes: HashMap<Oid, Node>,
}

#[derive(Default)]
struct Node {
    time: i64,
    /// `None` until the commit is read.
    parents: Option<Vec<Oid>>,
    uninteresting: bool,
    seen: bool,
    added: bool,
}

impl Limit<'_> {
    fn node(&mut self, id: Oid) -> &mut Node {
        self.nodes.entry(id).or_default()
    }

    fn parse(&mut self, id: Oid) -> Result<(), GitError> {
        if self.node(id).parents.is_none() {
            let read = self.repo.parents_and_time(id)?;
            let node = self.node(id);
            node.time = read.time;
            node.parents = Some(read.parents);
        }
        Ok(())
    }

    fn parents(&self, id: Oid) -> Vec<Oid> {
        self.nodes
            .get(&id)
            .and_then(|n| n.parents.clone())
            .unwrap_or_default()
    }

    /// libgit2's `limit_list`: the commits taken as interesting, in the order taken.
    fn limit(&mut self, mut list: VecDeque<Oid>, first_parent: bool) -> Result<Vec<Oid>, GitError> {
        let (mut slop, mut time) = (SLOP, i64::MAX);
        let mut listed = Vec::new();
        while let Some(id) = list.pop_front() {
            self.add_parents(id, &mut list, first_parent)?;
            if self.nodes[&id].uninteresting {
                self.mark_parents_uninteresting(id);
                slop = self.still_interesting(&list, time, slop);
                if slop == 0 {
                    break;
                }
                continue;
            }
            time = self.nodes[&id].time;
            listed.push(id);
        }
        Ok(listed)
    }

    fn add_parents(
        &mut self,
        id: Oid,
        list: &mut VecDeque<Oid>,
        first_parent: bool,
    ) -> Result<(), GitError> {
        if std::mem::replace(&mut self.node(id).added, true) {
            return Ok(());
        }
        let uninteresting = self.nodes[&id].uninteresting;
        for parent in self.parents(id) {
            if uninteresting {
                self.node(parent).uninteresting = true;
                self.parse(parent)?;
                self.mark_parents_uninteresting(parent);
                self.node(parent).seen = true;
                self.insert_by_date(parent, list);
                continue;
            }
            self.parse(parent)?;
            if !std::mem::replace(&mut self.node(parent).seen, true) {
                self.insert_by_date(parent, list);
            }
            if first_parent {
                break;
            }
        }
        Ok(())
    }

    /// Before the first commit older than `id`: newest first, ties in the order met.
    fn insert_by_date(&self, id: Oid, list: &mut VecDeque<Oid>) {
        let time = self.nodes[&id].time;
        let at = list
            .iter()
            .position(|other| self.nodes[other].time < time)
            .unwrap_or(list.len());
        list.insert(at, id);
    }

    /// Marks the ancestors of `id` uninteresting, as far as they are read, in
    /// libgit2's order (a stack: the last parent first).
    fn mark_parents_uninteresting(&mut self, id: Oid) {
        let mut parents: Vec<Oid> = self.parents(id);
        while let Some(first) = parents.pop() {
            let mut at = Some(first);
            while let Some(id) = at {
                let node = self.node(id);
                if node.uninteresting {
                    break;
                }
                node.uninteresting = true;
                let Some(next) = node.parents.clone() else {
                    break;
                };
                parents.extend(&next);
                at = next.first().copied();
            }
        }
    }

    /// libgit2's `still_interesting`: the slop left.
    fn still_interesting(&self, list: &VecDeque<Oid>, time: i64, slop: usize) -> usize {
        let Some(first) = list.front() else {
            return 0;
        };
        if time <= self.nodes[first].time {
            return SLOP;
        }
        let interesting = list.iter().any(|id| {
            let node = &self.nodes[id];
            !node.uninteresting || node.time > time
        });
        if interesting { SLOP } else { slop - 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::test_git::{git, git_with};

    /// A commit of the empty tree made with `git commit-tree`, with `parents`, dated
    /// `time` (seconds since the epoch).
    fn commit(dir: &std::path::Path, parents: &[Oid], time: i64) -> Oid {
        let tree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
        let mut args = vec![
            "commit-tree".to_owned(),
            tree.to_owned(),
            "-m".to_owned(),
            "c".to_owned(),
        ];
        for parent in parents {
            args.extend(["-p".to_owned(), parent.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let date = format!("{time} +0000");
        let env = [
            ("GIT_COMMITTER_DATE", date.as_str()),
            ("GIT_AUTHOR_DATE", date.as_str()),
            ("GIT_AUTHOR_NAME", "a"),
            ("GIT_AUTHOR_EMAIL", "a@example.com"),
            ("GIT_COMMITTER_NAME", "a"),
            ("GIT_COMMITTER_EMAIL", "a@example.com"),
        ];
        let id = git_with(dir, &args, &env);
        Oid::from_str(String::from_utf8_lossy(&id).trim()).expect("id")
    }

    /// A repository (with the empty tree written) whose `main` is `head`.
    fn init(dir: &std::path::Path) {
        git(dir, &["init", "-q", "."]);
        git(dir, &["write-tree"]);
    }

    /// A history of `count` commits: each has a parent among the last few commits and,
    /// one time in three, a second; three in a row share a date, and one in five is
    /// dated ten days before the others.
    /// Its commits, oldest first.
    fn random_history(dir: &std::path::Path, seed: u64, count: usize) -> Vec<Oid> {
        let mut state = seed;
        let mut next = |below: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % below.max(1)
        };
        init(dir);
        let mut commits: Vec<Oid> = Vec::new();
        for n in 0..count {
            let mut parents = Vec::new();
            if !commits.is_empty() {
                let first = commits.len() - 1 - next(commits.len().min(6));
                parents.push(commits[first]);
                let second = commits.len() - 1 - next(commits.len().min(12));
                if next(3) == 0 && second != first {
                    parents.push(commits[second]);
                }
            }
            let skew = if next(5) == 0 { 10 * 86_400 } else { 0 };
            commits.push(commit(
                dir,
                &parents,
                1_700_000_000 + (n / 3) as i64 * 60 - skew,
            ));
        }
        commits
    }

    /// `from` reaches a commit of `to`'s history only through `chain` commits dated
    /// before it: libgit2 stops looking a few commits after the last interesting one,
    /// so with a long chain it lists commits `from` reaches. `(to, from)`.
    fn skewed_chain(dir: &std::path::Path, chain: usize) -> (Oid, Oid) {
        const T: i64 = 1_700_000_000;
        init(dir);
        let base = commit(dir, &[], T + 1_000);
        let shared = commit(dir, &[base], T + 2_000);
        let to = commit(dir, &[shared], T + 9_000);
        let mut below = shared;
        for n in 0..chain {
            below = commit(dir, &[below], T + 500 - n as i64);
        }
        (to, commit(dir, &[below], T + 10_000))
    }

    fn libgit2_range(dir: &std::path::Path, to: Oid, from: Oid, first_parent: bool) -> Vec<Oid> {
        let repo = git2::Repository::open(dir).expect("opens");
        let mut walk = repo.revwalk().expect("revwalk");
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
            .expect("sorting");
        walk.push(to).expect("push");
        walk.hide(from).expect("hide");
        if first_parent {
            walk.simplify_first_parent().expect("first parent");
        }
        walk.collect::<Result<_, _>>().expect("walks")
    }

    #[test]
    fn ranges_list_as_libgit2_lists_them_past_skewed_chains() {
        for chain in [1, 5, 6, 7, 9] {
            let dir = tempfile::tempdir().expect("temp dir");
            let (to, from) = skewed_chain(dir.path(), chain);
            let repo = Repo::discover(dir.path()).expect("opens");
            let libgit2 = libgit2_range(dir.path(), to, from, false);
            assert_eq!(
                repo.range_in_libgit2_order(to, from, false).expect("lists"),
                libgit2,
                "a chain of {chain}"
            );
            // The point of the case: past six, libgit2 lists commits `from` reaches.
            assert_eq!(
                libgit2.len() > 1,
                chain > 6,
                "a chain of {chain}: {libgit2:?}"
            );
        }
    }

    #[test]
    fn ranges_list_as_libgit2_lists_them_with_merges_and_skewed_dates() {
        for seed in 1..=3 {
            let dir = tempfile::tempdir().expect("temp dir");
            let commits = random_history(dir.path(), seed, 40);
            for graph in [false, true] {
                if graph {
                    git(dir.path(), &["commit-graph", "write", "--reachable"]);
                }
                let repo = Repo::discover(dir.path()).expect("opens");
                for (i, &to) in commits.iter().enumerate().skip(5).step_by(4) {
                    for &from in commits[..i].iter().step_by(3).chain([&to]) {
                        for first_parent in [false, true] {
                            assert_eq!(
                                repo.range_in_libgit2_order(to, from, first_parent)
                                    .expect("lists"),
                                libgit2_range(dir.path(), to, from, first_parent),
                                "seed {seed}, graph {graph}, {from}..{to}, first parent {first_parent}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn splits_the_steps_off_a_revision() {
        use Step::{Ancestor, Parent};
        assert_eq!(split("HEAD~300"), Some(("HEAD", vec![Ancestor(300)])));
        assert_eq!(
            split("main~3^2~"),
            Some(("main", vec![Ancestor(3), Parent(2), Ancestor(1)]))
        );
        assert_eq!(split("v1.0^^"), Some(("v1.0", vec![Parent(1), Parent(1)])));
        assert_eq!(split("@{u}~2"), Some(("@{u}", vec![Ancestor(2)])));
        assert_eq!(
            split("HEAD^{commit}^0"),
            Some(("HEAD^{commit}", vec![Parent(0)]))
        );
        assert_eq!(split("HEAD"), None);
        assert_eq!(split("HEAD^{tree}"), None);
        assert_eq!(split("~1"), None);
        assert_eq!(split(":/fix~1"), None);
        assert_eq!(split("HEAD:src~1"), None);
        assert_eq!(split("HEAD~99999999999"), None);
    }
}
