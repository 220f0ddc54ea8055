//! git's commit-graph (`objects/info/commit-graph`, or the chain of split files under
//! `objects/info/commit-graphs/`), as `gitformat-commit-graph` describes it: each
//! commit's parents, root tree and committer time, read without inflating the commit. It is a cache of what the commits say, so a file
//! that is missing, of another version or hash, or malformed anywhere (its checksum
//! included) is left unread and the commits are read instead; of a chain, the layers
//! up to the first such file are read, as git reads them.

use std::path::Path;
use std::sync::Arc;

use git2::Oid;
use sha1::{Digest, Sha1};

use super::Repo;
use super::id::Id;

const SIGNATURE: &[u8; 4] = b"CGPH";
/// Bytes of a SHA-1 id, the only hash lockstep reads.
const HASH: usize = 20;
/// Header, then the table of contents: an id and an offset per chunk and its end.
const HEADER: usize = 8;
const TOC_ENTRY: usize = 12;
/// A commit's row in CDAT: root tree, two parents, generation and time.
const ROW: usize = HASH + 16;
/// A parent slot that names no parent.
const NO_PARENT: u32 = 0x7000_0000;
/// In the second parent slot: the rest is where the parents' list starts in EDGE. In
/// EDGE: the last parent of the list.
const HIGH_BIT: u32 = 0x8000_0000;

/// A position in the graph: layers' commits numbered in order, base layer first.
pub(super) type Position = u32;

/// The commit-graph of an object directory, all its layers loaded and checked.
#[derive(Debug)]
pub(super) struct CommitGraph {
    /// Base layer first.
    layers: Vec<Layer>,
}

/// One file of the graph: its bytes and where its chunks are in them.
#[derive(Debug)]
struct Layer {
    bytes: Vec<u8>,
    /// Commits in the layers below it.
    base: u32,
    count: u32,
    fanout: usize,
    ids: usize,
    rows: usize,
    edges: std::ops::Range<usize>,
}

impl CommitGraph {
    /// The graph git would read in `object_dir`: the single file, else the chain; `None`
    /// when there is none that reads.
    pub fn open(object_dir: &Path) -> Option<CommitGraph> {
        let info = object_dir.join("info");
        if let Some(layer) = std::fs::read(info.join("commit-graph"))
            .ok()
            .and_then(|bytes| Layer::parse(bytes, &[]))
        {
            return CommitGraph::of(vec![layer]);
        }
        let dir = info.join("commit-graphs");
        let chain = std::fs::read_to_string(dir.join("commit-graph-chain")).ok()?;
        let mut layers = Vec::new();
        let mut names: Vec<Id> = Vec::new();
        for line in chain.lines() {
            let Some(name) = Id::from_hex(line.trim().as_bytes()) else {
                break;
            };
            let Some(mut layer) = std::fs::read(dir.join(format!("graph-{name}.graph")))
                .ok()
                .and_then(|bytes| Layer::parse(bytes, &names))
            else {
                break;
            };
            if layer.checksum() != name.0 {
                break;
            }
            layer.base = layers
                .last()
                .map_or(Some(0), |below: &Layer| below.base.checked_add(below.count))?;
            names.push(name);
            layers.push(layer);
        }
        CommitGraph::of(layers)
    }

    /// The graph of `layers`, if they are a graph: every parent a commit of it.
    fn of(layers: Vec<Layer>) -> Option<CommitGraph> {
        let last = layers.last()?;
        let len = last.base.checked_add(last.count)?;
        let graph = CommitGraph { layers };
        graph
            .layers
            .iter()
            .all(|layer| layer.rows_are_sound(len))
            .then_some(graph)
    }

    /// Commits in the graph.
    pub fn len(&self) -> u32 {
        self.layers
            .last()
            .map_or(0, |layer| layer.base + layer.count)
    }

    /// Where commit `id` is, if the graph has it.
    pub fn position(&self, id: Oid) -> Option<Position> {
        let id = id.as_bytes();
        self.layers
            .iter()
            .find_map(|layer| layer.find(id).map(|at| layer.base + at))
    }

    /// The layer holding `at` and the row there.
    fn locate(&self, at: Position) -> (&Layer, usize) {
        let layer = self
            .layers
            .iter()
            .rev()
            .find(|layer| layer.base <= at)
            .unwrap_or(&self.layers[0]);
        (layer, (at - layer.base) as usize)
    }

    pub fn id(&self, at: Position) -> Oid {
        let (layer, row) = self.locate(at);
        let start = layer.ids + row * HASH;
        Oid::from_bytes(&layer.bytes[start..start + HASH]).unwrap_or_else(|_| Oid::zero())
    }

    pub fn tree(&self, at: Position) -> Id {
        let (layer, row) = self.locate(at);
        let start = layer.rows + row * ROW;
        let mut id = [0; HASH];
        id.copy_from_slice(&layer.bytes[start..start + HASH]);
        Id(id)
    }

    /// The parents of the commit at `at`, in order, into `parents` (cleared first).
    pub fn parents(&self, at: Position, parents: &mut Vec<Position>) {
        let (layer, row) = self.locate(at);
        parents.clear();
        layer.parents(row, |parent| parents.push(parent));
    }

    /// Committer time, seconds since the epoch (git's reading of the committer line).
    pub fn time(&self, at: Position) -> i64 {
        let (layer, row) = self.locate(at);
        layer.time(row)
    }
}

impl Layer {
    /// A commit-graph file of `bases.len()` bases named `bases`, if it reads as one.
    fn parse(bytes: Vec<u8>, bases: &[Id]) -> Option<Layer> {
        let (body, checksum) = bytes.split_at_checked(bytes.len().checked_sub(HASH)?)?;
        if bytes.get(..4)? != SIGNATURE
            || bytes[4] != 1
            || bytes[5] != 1
            || usize::from(bytes[7]) != bases.len()
            || Sha1::digest(body)[..] != *checksum
        {
            return None;
        }
        let chunks = Chunks::read(body, bytes[6])?;
        let fanout = chunks.find(b"OIDF").filter(|c| c.len() == 256 * 4)?;
        let count = be32(&bytes, fanout.end - 4)?;
        let counts = (0..256).map(|i| be32(&bytes, fanout.start + 4 * i));
        let mut previous = 0;
        for count in counts {
            let count = count?;
            if count < previous {
                return None;
            }
            previous = count;
        }
        let n = count as usize;
        let ids = chunks.find(b"OIDL").filter(|c| c.len() == n * HASH)?;
        let rows = chunks.find(b"CDAT").filter(|c| c.len() == n * ROW)?;
        let edges = chunks.find(b"EDGE").unwrap_or(0..0);
        let base_names = chunks.find(b"BASE").unwrap_or(0..0);
        let named = bases
            .iter()
            .flat_map(|id| id.0)
            .eq(bytes[base_names].iter().copied());
        (named && edges.len() % 4 == 0).then_some(Layer {
            base: 0,
            count,
            fanout: fanout.start,
            ids: ids.start,
            rows: rows.start,
            edges,
            bytes,
        })
    }

    /// The checksum the file ends with, which names a layer of a chain.
    fn checksum(&self) -> [u8; HASH] {
        let mut sum = [0; HASH];
        sum.copy_from_slice(&self.bytes[self.bytes.len() - HASH..]);
        sum
    }

    /// Whether every row names parents among the graph's `len` commits (in EDGE lists
    /// that end inside it).
    fn rows_are_sound(&self, len: u32) -> bool {
        (0..self.count as usize).all(|row| {
            let mut sound = true;
            let ends = self.parents(row, |parent| sound &= parent < len);
            sound && ends
        })
    }

    /// Calls `each` with the parents of `row` in order; false when an EDGE list runs
    /// past the chunk.
    fn parents(&self, row: usize, mut each: impl FnMut(Position)) -> bool {
        let at = self.rows + row * ROW + HASH;
        let (first, second) = (self.word(at), self.word(at + 4));
        if first == NO_PARENT {
            return true;
        }
        each(first);
        if second == NO_PARENT {
            return true;
        }
        if second & HIGH_BIT == 0 {
            each(second);
            return true;
        }
        let mut at = self.edges.start + 4 * (second & !HIGH_BIT) as usize;
        while at + 4 <= self.edges.end {
            let parent = self.word(at);
            each(parent & !HIGH_BIT);
            if parent & HIGH_BIT != 0 {
                return true;
            }
            at += 4;
        }
        false
    }

    fn time(&self, row: usize) -> i64 {
        let at = self.rows + row * ROW + HASH + 8;
        (i64::from(self.word(at) & 0x3) << 32) | i64::from(self.word(at + 4))
    }

    /// The big-endian word at `at`, inside a chunk [`Layer::parse`] measured.
    fn word(&self, at: usize) -> u32 {
        be32(&self.bytes, at).unwrap_or(NO_PARENT)
    }

    /// The row of commit `id` in this layer.
    fn find(&self, id: &[u8]) -> Option<u32> {
        let first = usize::from(id[0]);
        let start = match first {
            0 => 0,
            _ => self.word(self.fanout + 4 * (first - 1)),
        };
        let end = self.word(self.fanout + 4 * first);
        let (mut low, mut high) = (start, end);
        while low < high {
            let middle = low + (high - low) / 2;
            let at = self.ids + middle as usize * HASH;
            match self.bytes[at..at + HASH].cmp(id) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(middle),
            }
        }
        None
    }
}

/// The table of contents: each chunk's id and where it lies in the file.
struct Chunks(Vec<([u8; 4], std::ops::Range<usize>)>);

impl Chunks {
    /// The `count` chunks of `body` (the file without its checksum), each inside it and
    /// after the table, in order.
    fn read(body: &[u8], count: u8) -> Option<Chunks> {
        let count = usize::from(count);
        let table_end = HEADER + (count + 1) * TOC_ENTRY;
        let offset = |i: usize| -> Option<usize> {
            let at = HEADER + i * TOC_ENTRY + 4;
            let high = u64::from(be32(body, at)?);
            let low = u64::from(be32(body, at + 4)?);
            usize::try_from((high << 32) | low).ok()
        };
        let mut chunks = Vec::with_capacity(count);
        for i in 0..count {
            let at = HEADER + i * TOC_ENTRY;
            let id: [u8; 4] = body.get(at..at + 4)?.try_into().ok()?;
            let (start, end) = (offset(i)?, offset(i + 1)?);
            if id == [0; 4] || start < table_end || start > end || end > body.len() {
                return None;
            }
            chunks.push((id, start..end));
        }
        Some(Chunks(chunks))
    }

    fn find(&self, id: &[u8; 4]) -> Option<std::ops::Range<usize>> {
        self.0
            .iter()
            .find(|(chunk, _)| chunk == id)
            .map(|(_, range)| range.clone())
    }
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

impl Repo {
    /// The commit-graph, where git would read one: not with `core.commitGraph = false`,
    /// nor where grafts, replace refs or a shallow boundary change the parents it
    /// records. The object directory's own, else an alternate's.
    pub(super) fn commit_graph(&self) -> Option<&CommitGraph> {
        self.commit_graph
            .get_or_init(|| self.load_commit_graph().map(Arc::new))
            .as_deref()
    }

    /// The commit-graph to hand the other threads of a walk.
    pub(super) fn shared_commit_graph(&self) -> Option<Arc<CommitGraph>> {
        self.commit_graph();
        self.commit_graph.get().cloned().flatten()
    }

    /// Reads `graph` as [`Repo::commit_graph`] would, when it has not yet.
    pub(super) fn share_commit_graph(&self, graph: Option<Arc<CommitGraph>>) {
        let _ = self.commit_graph.set(graph);
    }

    fn load_commit_graph(&self) -> Option<CommitGraph> {
        let off = self
            .config()
            .is_some_and(|config| config.get_bool("core.commitGraph").is_ok_and(|on| !on));
        if off || self.is_shallow() || !self.grafts().is_empty() || !self.replaced().is_empty() {
            return None;
        }
        std::iter::once(&self.layout.object_dir)
            .chain(&self.layout.alternates)
            .find_map(|dir| CommitGraph::open(dir))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::test_git::git;

    /// Branches merged by an octopus (an EDGE list), with `between` run halfway.
    fn history(dir: &Path, between: impl Fn(&Path)) {
        git(dir, &["init", "-q", "-b", "main", "."]);
        git(dir, &["config", "user.name", "T"]);
        git(dir, &["config", "user.email", "t@example.com"]);
        let commit = |message: &str| {
            git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
        };
        commit("root");
        for branch in ["a", "b", "c"] {
            git(dir, &["checkout", "-q", "-b", branch, "main"]);
            commit(branch);
        }
        git(dir, &["checkout", "-q", "main"]);
        git(dir, &["merge", "-q", "-m", "octopus", "a", "b", "c"]);
        between(dir);
        commit("after");
        git(dir, &["merge", "-q", "--no-ff", "-m", "merge a", "a"]);
    }

    /// Whether the graph says what `git log` says of every commit: parents, tree, time.
    fn agrees_with_git_log(dir: &Path, graph: &CommitGraph) {
        let log = git(dir, &["log", "--all", "--format=%H %T %ct %P"]);
        let log = String::from_utf8_lossy(&log);
        let mut parents = Vec::new();
        for line in log.lines() {
            let mut fields = line.split(' ');
            let mut next = || Oid::from_str(fields.next().expect("a field")).expect("an id");
            let (id, tree) = (next(), next());
            let time: i64 = line
                .split(' ')
                .nth(2)
                .expect("time")
                .parse()
                .expect("a time");
            let at = graph.position(id).expect("every commit is in the graph");
            assert_eq!(graph.id(at), id);
            assert_eq!(graph.tree(at).oid(), tree);
            assert_eq!(graph.time(at), time);
            graph.parents(at, &mut parents);
            let named: Vec<Oid> = parents.iter().map(|&p| graph.id(p)).collect();
            let expected: Vec<Oid> = line
                .split(' ')
                .skip(3)
                .filter(|p| !p.is_empty())
                .map(|p| Oid::from_str(p).expect("an id"))
                .collect();
            assert_eq!(named, expected, "{line}");
        }
        assert_eq!(graph.len() as usize, log.lines().count());
        assert_eq!(graph.position(Oid::zero()), None);
    }

    #[test]
    fn a_single_file_reads_as_git_log_reads_the_commits() {
        let dir = tempfile::tempdir().expect("temp dir");
        history(dir.path(), |_| {});
        git(
            dir.path(),
            &["commit-graph", "write", "--reachable", "--changed-paths"],
        );
        let graph = CommitGraph::open(&dir.path().join(".git/objects")).expect("a graph");
        assert_eq!(graph.layers.len(), 1);
        agrees_with_git_log(dir.path(), &graph);
    }

    #[test]
    fn a_chain_reads_as_git_log_reads_the_commits() {
        let dir = tempfile::tempdir().expect("temp dir");
        history(dir.path(), |dir| {
            git(dir, &["commit-graph", "write", "--reachable", "--split"]);
        });
        git(
            dir.path(),
            &["commit-graph", "write", "--reachable", "--split=no-merge"],
        );
        let graph = CommitGraph::open(&dir.path().join(".git/objects")).expect("a graph");
        assert_eq!(graph.layers.len(), 2);
        agrees_with_git_log(dir.path(), &graph);
    }

    /// Every single-byte change of a graph, its checksum made to match, reads or is
    /// refused without a panic, whatever is asked of it.
    #[test]
    fn any_damage_behind_a_matching_checksum_reads_without_panicking() {
        let dir = tempfile::tempdir().expect("temp dir");
        history(dir.path(), |_| {});
        git(dir.path(), &["commit-graph", "write", "--reachable"]);
        let bytes = std::fs::read(dir.path().join(".git/objects/info/commit-graph")).expect("read");
        let mut parents = Vec::new();
        for at in 0..bytes.len() - HASH {
            for flip in [0x01, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[at] ^= flip;
                let end = damaged.len() - HASH;
                let sum = Sha1::digest(&damaged[..end]);
                damaged[end..].copy_from_slice(&sum);
                let Some(graph) = Layer::parse(damaged, &[]).and_then(|l| CommitGraph::of(vec![l]))
                else {
                    continue;
                };
                for position in 0..graph.len() {
                    let id = graph.id(position);
                    let _ = (
                        graph.position(id),
                        graph.tree(position),
                        graph.time(position),
                    );
                    graph.parents(position, &mut parents);
                }
            }
        }
    }
}
