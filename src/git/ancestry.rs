//! Walking up from commits with the own reader: the `REV~N` and `REV^N` steps of a
//! revision, and the merge-base of a pull request, as git computes them. libgit2 walks
//! the same commits once for each (and once more to list the range); here each step
//! reads a commit once, from the commit-graph where there is one.

use std::cmp::Reverse;
use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap};

use git2::Oid;

use super::Repo;
use super::error::GitError;

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

#[cfg(test)]
mod tests {
    use super::*;

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
