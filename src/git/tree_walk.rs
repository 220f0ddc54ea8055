//! One walker for every diff between two snapshots (tree ↔ tree, tree ↔ index): it
//! merges two sorted directory listings and skips any directory whose id is the same on
//! both sides, so its cost follows the change, not the size of the repository.

use std::cmp::Ordering;

use git2::{ObjectType, Oid, Repository};

use super::error::{Context, GitError};
use super::index_file::{IndexEntry, IndexFile, TreeNode};

/// One side of a changed path: its object id and file mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Blob {
    pub id: Oid,
    pub mode: u32,
}

/// A changed path as the walker finds it; `None` on the side where it does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RawChange {
    pub path: Vec<u8>,
    pub old: Option<Blob>,
    pub new: Option<Blob>,
}

/// A directory listing entry: a file (blob, symlink or submodule commit) or a directory.
pub(super) enum Entry<D> {
    File { name: Vec<u8>, blob: Blob },
    Dir { name: Vec<u8>, dir: D },
}

impl<D> Entry<D> {
    fn name(&self) -> &[u8] {
        match self {
            Entry::File { name, .. } | Entry::Dir { name, .. } => name,
        }
    }

    fn is_dir(&self) -> bool {
        matches!(self, Entry::Dir { .. })
    }
}

/// Git orders entries as if a directory's name ended in `/`.
fn entry_order<A, B>(a: &Entry<A>, b: &Entry<B>) -> Ordering {
    let slash = |dir: bool| if dir { Some(b'/') } else { None };
    let a_key = a.name().iter().copied().chain(slash(a.is_dir()));
    let b_key = b.name().iter().copied().chain(slash(b.is_dir()));
    a_key.cmp(b_key)
}

/// A directory on one side of a diff.
pub(super) trait Dir: Sized {
    /// The directory's tree id, when known.
    fn id(&self) -> Option<Oid>;
    fn entries(&self, repo: &Repository, prefix: &[u8]) -> Result<Vec<Entry<Self>>, GitError>;
}

/// A directory of a tree object.
pub(super) struct TreeDir(pub Oid);

impl Dir for TreeDir {
    fn id(&self) -> Option<Oid> {
        Some(self.0)
    }

    fn entries(&self, repo: &Repository, prefix: &[u8]) -> Result<Vec<Entry<Self>>, GitError> {
        let context = || {
            format!(
                "cannot read tree {} at `{}`",
                self.0,
                String::from_utf8_lossy(prefix)
            )
        };
        super::loose::verify(repo, self.0).context(context)?;
        let tree = repo.find_tree(self.0).context(context)?;
        Ok(tree
            .iter()
            .map(|entry| {
                let name = entry.name_bytes().to_vec();
                let mode = u32::try_from(entry.filemode()).unwrap_or_default();
                if entry.kind() == Some(ObjectType::Tree) {
                    Entry::Dir {
                        name,
                        dir: TreeDir(entry.id()),
                    }
                } else {
                    Entry::File {
                        name,
                        blob: Blob {
                            id: entry.id(),
                            mode,
                        },
                    }
                }
            })
            .collect())
    }
}

/// A directory of the index: a run of entries under one prefix, and its cache-tree node.
pub(super) struct IndexDir<'a> {
    pub index: &'a IndexFile,
    pub entries: &'a [IndexEntry],
    pub node: Option<&'a TreeNode>,
}

impl Dir for IndexDir<'_> {
    fn id(&self) -> Option<Oid> {
        self.node.and_then(|n| n.id)
    }

    fn entries(&self, _: &Repository, prefix: &[u8]) -> Result<Vec<Entry<Self>>, GitError> {
        let mut listing = Vec::new();
        let mut rest = self.entries;
        while let Some(first) = rest.first() {
            let relative = &self.index.path(first)[prefix.len()..];
            let Some(slash) = relative.iter().position(|&b| b == b'/') else {
                let blob = Blob {
                    id: first.id,
                    mode: first.mode,
                };
                listing.push(Entry::File {
                    name: relative.to_vec(),
                    blob,
                });
                rest = &rest[1..];
                continue;
            };
            let name = &relative[..=slash];
            let len = rest
                .iter()
                .position(|e| !self.index.path(e)[prefix.len()..].starts_with(name))
                .unwrap_or(rest.len());
            let name = name[..slash].to_vec();
            let node = self
                .node
                .and_then(|n| n.children.iter().find(|c| c.name == name));
            let dir = IndexDir {
                index: self.index,
                entries: &rest[..len],
                node,
            };
            listing.push(Entry::Dir { name, dir });
            rest = &rest[len..];
        }
        Ok(listing)
    }
}

/// Diffs two directories into `out`, in path order.
pub(super) fn walk<A: Dir, B: Dir>(
    repo: &Repository,
    prefix: &mut Vec<u8>,
    old: Option<A>,
    new: Option<B>,
    out: &mut Vec<RawChange>,
) -> Result<(), GitError> {
    if let (Some(a), Some(b)) = (&old, &new)
        && a.id().is_some()
        && a.id() == b.id()
    {
        return Ok(());
    }
    let old = old
        .map(|d| d.entries(repo, prefix))
        .transpose()?
        .unwrap_or_default();
    let new = new
        .map(|d| d.entries(repo, prefix))
        .transpose()?
        .unwrap_or_default();
    let mut old = old.into_iter().peekable();
    let mut new = new.into_iter().peekable();
    loop {
        let order = match (old.peek(), new.peek()) {
            (None, None) => return Ok(()),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(a), Some(b)) => entry_order(a, b),
        };
        let (a, b) = match order {
            Ordering::Less => (old.next(), None),
            Ordering::Greater => (None, new.next()),
            Ordering::Equal => (old.next(), new.next()),
        };
        visit(repo, prefix, a, b, out)?;
    }
}

/// Handles one name present on either or both sides.
fn visit<A: Dir, B: Dir>(
    repo: &Repository,
    prefix: &mut Vec<u8>,
    old: Option<Entry<A>>,
    new: Option<Entry<B>>,
    out: &mut Vec<RawChange>,
) -> Result<(), GitError> {
    let len = prefix.len();
    match (&old, &new) {
        (Some(entry), _) => prefix.extend_from_slice(entry.name()),
        (None, Some(entry)) => prefix.extend_from_slice(entry.name()),
        (None, None) => return Ok(()),
    }
    let (old_blob, old_dir) = split(old);
    let (new_blob, new_dir) = split(new);
    if old_dir.is_some() || new_dir.is_some() {
        prefix.push(b'/');
        walk(repo, prefix, old_dir, new_dir, out)?;
    } else if old_blob != new_blob {
        out.push(RawChange {
            path: prefix.clone(),
            old: old_blob,
            new: new_blob,
        });
    }
    prefix.truncate(len);
    Ok(())
}

fn split<D>(entry: Option<Entry<D>>) -> (Option<Blob>, Option<D>) {
    match entry {
        None => (None, None),
        Some(Entry::File { blob, .. }) => (Some(blob), None),
        Some(Entry::Dir { dir, .. }) => (None, Some(dir)),
    }
}
