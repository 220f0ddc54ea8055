//! Every commit reachable from a head, oldest first, read with the own commit reader:
//! each commit once, its parents and committer time only. The order is the one
//! libgit2's revwalk gives with `TOPOLOGICAL | REVERSE` (its reports are compared
//! byte for byte with those of earlier releases), and the times let an audit skip
//! commits outside its window without reading them again.

use std::collections::HashMap;

use git2::Oid;

use super::Repo;
use super::error::GitError;

/// A commit as the listing read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Listed {
    pub(super) id: Oid,
    pub local_time: i64,
    pub merge: bool,
}

/// A commit of the graph being sorted.
struct Node {
    listed: Listed,
    parents: Vec<Oid>,
}

impl Repo {
    /// The commits reachable from `head` (along first parents only, if `first_parent`),
    /// oldest first.
    pub(super) fn topo_order(
        &self,
        head: Oid,
        first_parent: bool,
    ) -> Result<Vec<Listed>, GitError> {
        let mut nodes = Vec::new();
        let mut index = HashMap::new();
        let mut next = vec![head];
        while let Some(id) = next.pop() {
            if index.contains_key(&id) {
                continue;
            }
            let header = self.read_commit_header(id)?;
            let followed = if first_parent {
                &header.parents[..header.parents.len().min(1)]
            } else {
                &header.parents[..]
            };
            next.extend(followed.iter().filter(|p| !index.contains_key(*p)));
            index.insert(id, nodes.len());
            nodes.push(Node {
                listed: Listed {
                    id,
                    local_time: header.local_time,
                    merge: header.parents.len() > 1,
                },
                parents: header.parents,
            });
        }
        let parents: Vec<Vec<usize>> = nodes
            .iter()
            .map(|node| {
                node.parents
                    .iter()
                    .filter_map(|p| index.get(p).copied())
                    .collect()
            })
            .collect();
        Ok(sorted(&parents)
            .into_iter()
            .rev()
            .map(|at| nodes[at].listed)
            .collect())
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
