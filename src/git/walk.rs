//! History walks for audits: list the units of a history (each commit against its
//! parent, or each first-parent change), then diff them on every core at once, one
//! `Repository` per thread, handing results back in history order.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;

use git2::{ObjectType, Oid, Repository, Sort};

use super::changes::{NewSide, into_changes};
use super::error::{Context, GitError};
use super::tree_walk::{Blob, Dir, Entry, walk};
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

/// The commits of a history, oldest first: ids only, so long histories stay small.
/// Workers read each commit once, and leave out merges (unless first-parent) and
/// commits their filter rejects.
#[derive(Debug, Clone, Default)]
pub struct Units {
    list: Vec<Oid>,
    first_parent: bool,
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
    /// The commits of `spec`, oldest first. Commits at a shallow clone's boundary are
    /// left out: their parents are unknown.
    pub fn units(&self, spec: &HistorySpec) -> Result<Units, GitError> {
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
        let list = walk
            .filter(|id| id.as_ref().map_or(true, |id| !boundary.contains(id)))
            .collect::<Result<Vec<Oid>, git2::Error>>()
            .context(context)?;
        Ok(Units {
            list,
            first_parent: spec.first_parent,
        })
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

    /// Diffs every unit whose local committer time passes `keep` on `threads` threads
    /// and calls `judge` there with the unit and its changes. `collect` receives one
    /// item per commit of `units`, in history order: `None` for a commit left out.
    /// Only a few chunks of results are in flight at once, never the history's changes.
    pub fn walk_units<T, E>(
        &self,
        units: &Units,
        threads: usize,
        keep: impl Fn(i64) -> bool + Sync,
        judge: impl Fn(&Repo, &Unit, Vec<Change>) -> Result<T, E> + Sync,
        mut collect: impl FnMut(Option<T>) -> Result<(), E>,
    ) -> Result<(), E>
    where
        T: Send,
        E: From<GitError> + Send,
    {
        // Each worker keeps the trees it needs in its own TreeCache; libgit2's object
        // cache would keep every commit and small tree of the history until the end,
        // and take as long to free as to fill.
        git2::opts::enable_caching(false);
        let threads = threads.clamp(1, units.len().div_ceil(CHUNK).max(1));
        let next_chunk = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let git_dir = self.repo.path().to_path_buf();
        std::thread::scope(|scope| {
            let (sender, receiver) =
                sync_channel::<(usize, Result<Vec<Option<T>>, E>)>(threads * 2);
            for _ in 0..threads {
                let sender = sender.clone();
                let (next_chunk, stop, judge, keep, git_dir) =
                    (&next_chunk, &stop, &judge, &keep, &git_dir);
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
                    let cache = TreeCache::default();
                    let mut last = None;
                    while !stop.load(Ordering::Relaxed) {
                        let chunk = next_chunk.fetch_add(1, Ordering::Relaxed);
                        let start = chunk * CHUNK;
                        if start >= units.list.len() {
                            return;
                        }
                        let end = (start + CHUNK).min(units.list.len());
                        let results = (start..end)
                            .map(|index| {
                                let walked =
                                    repo.unit_changes(index, units, &keep, (&cache, &mut last))?;
                                walked
                                    .map(|(unit, changes)| judge(&repo, &unit, changes))
                                    .transpose()
                            })
                            .collect::<Result<Vec<Option<T>>, E>>();
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

    /// The unit at `index` and its changes, or `None` when it is left out. `last` is
    /// the (commit, tree) this worker read before: usually the parent.
    fn unit_changes(
        &self,
        index: usize,
        units: &Units,
        keep: &impl Fn(i64) -> bool,
        (cache, last): (&TreeCache, &mut Option<(Oid, Oid)>),
    ) -> Result<Option<(Unit, Vec<Change>)>, GitError> {
        let id = units.list[index];
        let commit = self
            .repo
            .find_commit(id)
            .context(|| format!("cannot read commit {id}"))?;
        let parent = commit.parent_id(0).ok();
        let parent_tree = match (*last, parent) {
            (Some((last_id, tree)), Some(parent)) if last_id == parent => Some(tree),
            _ => self.tree_of(parent)?,
        };
        *last = Some((id, commit.tree_id()));
        let local_time = local_time(&commit);
        if (!units.first_parent && commit.parent_count() > 1) || !keep(local_time) {
            return Ok(None);
        }
        cache.next_generation();
        let dir = |id| CachedTree { id, cache };
        let mut raw = Vec::new();
        walk(
            &self.repo,
            &mut Vec::new(),
            parent_tree.map(dir),
            Some(dir(commit.tree_id())),
            &mut raw,
        )?;
        let changes = into_changes(raw, NewSide::Objects);
        let unit = Unit {
            index,
            local_time,
            commit: Commit {
                id: id.to_string(),
                message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
                author: String::from_utf8_lossy(commit.author().name_bytes()).into_owned(),
                time: commit.time().seconds(),
            },
        };
        Ok(Some((unit, changes)))
    }
}

fn local_time(commit: &git2::Commit<'_>) -> i64 {
    let time = commit.committer().when();
    time.seconds() + i64::from(time.offset_minutes()) * 60
}

/// One entry of a tree: (name, id, mode, is a directory).
type ListingEntry = (Vec<u8>, Oid, u32, bool);

/// A tree listing, shared between the units that read it.
type Listing = Rc<Vec<ListingEntry>>;

/// The tree listings a worker read for the previous unit and the current one. The
/// old side of a unit is usually the new side of the one before, so each tree on a
/// changed path is read once instead of twice, and the cache never outgrows two units.
#[derive(Default)]
struct TreeCache {
    previous: RefCell<HashMap<Oid, Listing>>,
    current: RefCell<HashMap<Oid, Listing>>,
}

impl TreeCache {
    fn next_generation(&self) {
        let current = self.current.take();
        self.previous.replace(current);
    }

    fn listing(&self, repo: &Repository, id: Oid, prefix: &[u8]) -> Result<Listing, GitError> {
        if let Some(listing) = self.current.borrow().get(&id) {
            return Ok(Rc::clone(listing));
        }
        let listing = match self.previous.borrow_mut().remove(&id) {
            Some(listing) => listing,
            None => Rc::new(read_listing(repo, id, prefix)?),
        };
        self.current.borrow_mut().insert(id, Rc::clone(&listing));
        Ok(listing)
    }
}

/// Parses a tree object straight from the object database: one allocation for the
/// listing instead of libgit2's tree object and its entries.
fn read_listing(repo: &Repository, id: Oid, prefix: &[u8]) -> Result<Vec<ListingEntry>, GitError> {
    let context = || {
        format!(
            "cannot read tree {id} at `{}`",
            String::from_utf8_lossy(prefix)
        )
    };
    let loose = super::loose::read(repo, id).context(context)?;
    let (odb, odb_object);
    let (kind, data) = match &loose {
        Some((kind, data)) => (*kind, data.as_slice()),
        None => {
            odb = repo.odb().context(context)?;
            odb_object = odb.read(id).context(context)?;
            (odb_object.kind(), odb_object.data())
        }
    };
    if kind != ObjectType::Tree {
        return Err(git2::Error::from_str("not a tree")).context(context);
    }
    parse_tree(data)
        .ok_or_else(|| git2::Error::from_str("malformed tree object"))
        .context(context)
}

/// `<octal mode> <name>\0<20-byte id>` entries, in git's order.
fn parse_tree(mut data: &[u8]) -> Option<Vec<ListingEntry>> {
    const ID: usize = 20;
    const DIR: u32 = 0o40000;
    let mut entries = Vec::new();
    while !data.is_empty() {
        let space = data.iter().position(|&b| b == b' ')?;
        let mode = std::str::from_utf8(&data[..space]).ok()?;
        let mode = u32::from_str_radix(mode, 8).ok()?;
        let rest = &data[space + 1..];
        let nul = rest.iter().position(|&b| b == 0)?;
        let name = rest[..nul].to_vec();
        let id = Oid::from_bytes(rest.get(nul + 1..nul + 1 + ID)?).ok()?;
        entries.push((name, id, mode, mode == DIR));
        data = &rest[nul + 1 + ID..];
    }
    Some(entries)
}

/// A tree read through a worker's [`TreeCache`].
struct CachedTree<'c> {
    id: Oid,
    cache: &'c TreeCache,
}

impl Dir for CachedTree<'_> {
    fn id(&self) -> Option<Oid> {
        Some(self.id)
    }

    fn entries(&self, repo: &Repository, prefix: &[u8]) -> Result<Vec<Entry<Self>>, GitError> {
        let listing = self.cache.listing(repo, self.id, prefix)?;
        Ok(listing
            .iter()
            .map(|(name, id, mode, is_dir)| {
                let name = name.clone();
                if *is_dir {
                    Entry::Dir {
                        name,
                        dir: CachedTree {
                            id: *id,
                            cache: self.cache,
                        },
                    }
                } else {
                    Entry::File {
                        name,
                        blob: Blob {
                            id: *id,
                            mode: *mode,
                        },
                    }
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_trees_parse_into_listings() {
        let mut data = b"100644 a.md\0".to_vec();
        data.extend([1; 20]);
        data.extend(b"40000 src\0");
        data.extend([2; 20]);
        let listing = parse_tree(&data).expect("parses");
        assert_eq!(listing.len(), 2);
        assert_eq!(listing[0].0, b"a.md");
        assert_eq!((listing[0].2, listing[0].3), (0o100644, false));
        assert_eq!((listing[1].2, listing[1].3), (0o40000, true));
        assert_eq!(listing[1].1, Oid::from_bytes(&[2; 20]).expect("id"));
        assert_eq!(parse_tree(&data[..data.len() - 1]), None, "a truncated id");
        assert_eq!(parse_tree(b"100644 no-nul"), None);
    }
}
