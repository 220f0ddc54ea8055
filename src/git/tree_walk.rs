//! One walker for every diff between two snapshots (tree ↔ tree, tree ↔ index): it
//! merges two sorted directory listings and skips any directory whose id is the same on
//! both sides, so its cost follows the change, not the size of the repository.

use std::cmp::Ordering;
use std::rc::Rc;

use git2::ObjectType;

use super::Repo;
use super::error::{Context, GitError, ReadError};
use super::id::Id;
use super::index_file::{IndexEntry, IndexFile, TreeNode};

/// One side of a changed path: its object id and file mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Blob {
    pub id: Id,
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
/// Names borrow from the listing, so a listing costs no allocation per entry.
pub(super) enum Entry<'n, D> {
    File { name: &'n [u8], blob: Blob },
    Dir { name: &'n [u8], dir: D },
}

impl<D> Entry<'_, D> {
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
fn entry_order<A, B>(a: &Entry<'_, A>, b: &Entry<'_, B>) -> Ordering {
    let common = a.name().len().min(b.name().len());
    match a.name()[..common].cmp(&b.name()[..common]) {
        Ordering::Equal => {}
        order => return order,
    }
    // Past the common part; names never hold `/`, so this rarely needs the full key.
    let slash = |dir: bool| if dir { Some(b'/') } else { None };
    let a_key = a.name()[common..].iter().copied().chain(slash(a.is_dir()));
    let b_key = b.name()[common..].iter().copied().chain(slash(b.is_dir()));
    a_key.cmp(b_key)
}

/// A directory on one side of a diff.
pub(super) trait Dir: Sized {
    /// What [`Dir::list`] reads, and the entries borrow from.
    type Listing;
    /// The directory's tree id, when known.
    fn id(&self) -> Option<Id>;
    fn list(&self, repo: &Repo, prefix: &[u8]) -> Result<Self::Listing, GitError>;
    /// The listing's tree object bytes, when it is one.
    fn raw(_listing: &Self::Listing) -> Option<&[u8]> {
        None
    }
    /// The entries, leaving out the first `skip` bytes of a [`Dir::raw`] listing.
    fn entries<'l>(
        &'l self,
        listing: &'l Self::Listing,
        skip: usize,
    ) -> impl Iterator<Item = Entry<'l, Self>>;
}

/// The bytes of a tree object as git stores them: `<octal mode> <name>\0<20-byte id>`
/// entries in git's order. Reading them straight from the object database skips
/// libgit2's tree object and its per-entry allocations.
pub(super) fn read_tree(repo: &Repo, id: Id, prefix: &[u8]) -> Result<Rc<[u8]>, GitError> {
    let context = || {
        format!(
            "cannot read tree {id} at `{}`",
            String::from_utf8_lossy(prefix)
        )
    };
    let (kind, data) = repo.read_object(id, context)?;
    if kind != ObjectType::Tree {
        return Err(ReadError::damaged("not a tree")).context(context);
    }
    if !tree_is_valid(&data) {
        return Err(ReadError::damaged("malformed tree object")).context(context);
    }
    Ok(data)
}

const TREE_MODE: u32 = 0o40000;

/// One entry of a raw tree object, as it is stored.
struct RawEntry<'b> {
    name: &'b [u8],
    id: &'b [u8],
    mode: u32,
    /// Bytes the entry takes.
    len: usize,
}

/// The entry `data` starts with. Names and modes are a few bytes long, so plain loops
/// beat `memchr` here, and the two common modes skip the octal parse.
fn raw_entry(data: &[u8]) -> Option<RawEntry<'_>> {
    const ID: usize = 20;
    let (mode, digits) = if data.starts_with(b"100644 ") {
        (0o100644, 6)
    } else if data.starts_with(b"40000 ") {
        (TREE_MODE, 5)
    } else {
        octal_mode(data)?
    };
    let rest = &data[digits + 1..];
    let nul = rest.iter().position(|&b| b == 0)?;
    Some(RawEntry {
        name: &rest[..nul],
        id: rest.get(nul + 1..nul + 1 + ID)?,
        mode,
        len: digits + 1 + nul + 1 + ID,
    })
}

/// The octal mode before the first space, and its number of digits.
fn octal_mode(data: &[u8]) -> Option<(u32, usize)> {
    let mut mode = 0u32;
    let mut digits = 0;
    loop {
        let byte = *data.get(digits)?;
        if byte == b' ' && digits > 0 {
            return Some((mode, digits));
        }
        let digit = byte.wrapping_sub(b'0');
        if digit > 7 || mode > u32::MAX >> 3 {
            return None;
        }
        mode = mode << 3 | u32::from(digit);
        digits += 1;
    }
}

/// The mode libgit2 reports for a raw tree entry mode (`100664` is a plain blob).
fn normalize_mode(mode: u32) -> u32 {
    const TYPE: u32 = 0o170000;
    match mode & TYPE {
        TREE_MODE => TREE_MODE,
        _ if mode & 0o100 != 0 => 0o100755,
        0o160000 => 0o160000,
        0o120000 => 0o120000,
        _ => 0o100644,
    }
}

/// Whether `data` parses as a whole into tree entries; [`tree_entries`] relies on it.
pub(super) fn tree_is_valid(mut data: &[u8]) -> bool {
    while !data.is_empty() {
        match raw_entry(data) {
            Some(entry) => data = &data[entry.len..],
            None => return false,
        }
    }
    true
}

/// The entries of a tree checked by [`tree_is_valid`], with `dir` making a
/// subdirectory's [`Dir`] from its id.
pub(super) fn tree_entries<'l, D>(
    mut data: &'l [u8],
    dir: impl Fn(Id) -> D + 'l,
) -> impl Iterator<Item = Entry<'l, D>> {
    std::iter::from_fn(move || {
        let entry = raw_entry(data)?;
        data = &data[entry.len..];
        let id = Id::from_slice(entry.id)?;
        let name = entry.name;
        Some(match normalize_mode(entry.mode) {
            TREE_MODE => Entry::Dir { name, dir: dir(id) },
            mode => Entry::File {
                name,
                blob: Blob { id, mode },
            },
        })
    })
}

/// A directory of a tree object.
pub(super) struct TreeDir(pub Id);

impl Dir for TreeDir {
    type Listing = Rc<[u8]>;

    fn id(&self) -> Option<Id> {
        Some(self.0)
    }

    fn list(&self, repo: &Repo, prefix: &[u8]) -> Result<Rc<[u8]>, GitError> {
        read_tree(repo, self.0, prefix)
    }

    fn raw(listing: &Rc<[u8]>) -> Option<&[u8]> {
        Some(listing)
    }

    fn entries<'l>(
        &'l self,
        listing: &'l Rc<[u8]>,
        skip: usize,
    ) -> impl Iterator<Item = Entry<'l, Self>> {
        tree_entries(&listing[skip..], TreeDir)
    }
}

/// A directory of the index: a run of entries under one prefix, and its cache-tree node.
#[derive(Clone, Copy)]
pub(super) struct IndexDir<'a> {
    pub index: &'a IndexFile,
    pub entries: &'a [IndexEntry],
    pub node: Option<&'a TreeNode>,
}

impl<'a> Dir for IndexDir<'a> {
    type Listing = Vec<Entry<'a, IndexDir<'a>>>;

    fn id(&self) -> Option<Id> {
        self.node.and_then(|n| n.id)
    }

    fn list(&self, _: &Repo, prefix: &[u8]) -> Result<Self::Listing, GitError> {
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
                    name: relative,
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
            let name = &name[..slash];
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

    fn entries<'l>(
        &'l self,
        listing: &'l Self::Listing,
        _: usize,
    ) -> impl Iterator<Item = Entry<'l, Self>> {
        listing.iter().map(|entry| match entry {
            Entry::File { name, blob } => Entry::File { name, blob: *blob },
            Entry::Dir { name, dir } => Entry::Dir { name, dir: *dir },
        })
    }
}

/// Diffs two directories into `out`, in path order.
pub(super) fn walk<A: Dir, B: Dir>(
    repo: &Repo,
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
    let old_listing = old.as_ref().map(|d| d.list(repo, prefix)).transpose()?;
    let new_listing = new.as_ref().map(|d| d.list(repo, prefix)).transpose()?;
    // Most entries of a changed directory did not change, and in two tree objects those
    // before the first change are the same bytes: they are skipped unparsed.
    let old_raw = old_listing.as_ref().and_then(A::raw);
    let new_raw = new_listing.as_ref().and_then(B::raw);
    let skip = old_raw
        .zip(new_raw)
        .map_or(0, |(a, b)| shared_entries(a, b));
    let mut old = old
        .iter()
        .zip(&old_listing)
        .flat_map(|(d, listing)| d.entries(listing, skip))
        .peekable();
    let mut new = new
        .iter()
        .zip(&new_listing)
        .flat_map(|(d, listing)| d.entries(listing, skip))
        .peekable();
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

/// The bytes of the leading entries two tree objects share.
fn shared_entries(a: &[u8], b: &[u8]) -> usize {
    const STRIDE: usize = 16;
    let len = a.len().min(b.len());
    let mut same = 0;
    while same + STRIDE <= len && a[same..same + STRIDE] == b[same..same + STRIDE] {
        same += STRIDE;
    }
    while same < len && a[same] == b[same] {
        same += 1;
    }
    let mut shared = 0;
    while let Some(entry) = raw_entry(&a[shared..]).filter(|e| shared + e.len <= same) {
        shared += entry.len;
    }
    shared
}

/// Handles one name present on either or both sides.
fn visit<A: Dir, B: Dir>(
    repo: &Repo,
    prefix: &mut Vec<u8>,
    old: Option<Entry<'_, A>>,
    new: Option<Entry<'_, B>>,
    out: &mut Vec<RawChange>,
) -> Result<(), GitError> {
    if let (Some(a), Some(b)) = (&old, &new)
        && unchanged(a, b)
    {
        return Ok(());
    }
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
        // Each level is at least two bytes (`d/`), so the count runs only on deep paths.
        if prefix.len() > MAX_TREE_DEPTH && depth(prefix) > MAX_TREE_DEPTH {
            return Err(GitError::TreeDepth {
                path: shortened(prefix),
                limit: MAX_TREE_DEPTH,
            });
        }
        // Deep trees recurse on a stack grown on the heap rather than overflowing the
        // thread's own (an audit worker's is 2 MiB).
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            walk(repo, prefix, old_dir, new_dir, out)
        })?;
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

/// git's `core.maxTreeDepth` by default: git refuses to walk trees nested deeper.
const MAX_TREE_DEPTH: usize = 2048;

/// Stack left when a level grows a new segment, and the size of each segment.
const STACK_RED_ZONE: usize = 64 * 1024;
const STACK_GROWTH: usize = 1024 * 1024;

/// Directories in a walk prefix (`a/b/` is two).
fn depth(prefix: &[u8]) -> usize {
    prefix.iter().filter(|&&b| b == b'/').count()
}

/// The start of a very long path, for a message.
fn shortened(path: &[u8]) -> String {
    const SHOWN: usize = 60;
    let text = String::from_utf8_lossy(&path[..path.len().min(SHOWN)]).into_owned();
    if path.len() > SHOWN {
        text + "…"
    } else {
        text
    }
}

/// Same name, same kind, same content: most entries of a changed directory.
fn unchanged<A: Dir, B: Dir>(a: &Entry<'_, A>, b: &Entry<'_, B>) -> bool {
    match (a, b) {
        (Entry::File { blob: x, .. }, Entry::File { blob: y, .. }) => x == y,
        (Entry::Dir { dir: x, .. }, Entry::Dir { dir: y, .. }) => {
            x.id().is_some() && x.id() == y.id()
        }
        _ => false,
    }
}

fn split<D>(entry: Option<Entry<'_, D>>) -> (Option<Blob>, Option<D>) {
    match entry {
        None => (None, None),
        Some(Entry::File { blob, .. }) => (Some(blob), None),
        Some(Entry::Dir { dir, .. }) => (None, Some(dir)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A tree entry as git writes it: `<octal mode> <name>\0<id>`.
    fn encode(mode: u32, name: &[u8], id: [u8; 20]) -> Vec<u8> {
        let mut bytes = format!("{mode:o} ").into_bytes();
        bytes.extend_from_slice(name);
        bytes.push(0);
        bytes.extend_from_slice(&id);
        bytes
    }

    proptest! {
        #[test]
        fn any_bytes_are_valid_or_not_without_panicking(
            bytes in proptest::collection::vec(any::<u8>(), 0..200),
        ) {
            if tree_is_valid(&bytes) {
                let _ = tree_entries(&bytes, |id| id).count();
            }
        }

        /// Entries as git writes them (the modes git writes, and the old `100664`)
        /// read back, a byte short of the end is invalid.
        #[test]
        fn trees_as_git_writes_them_read_back(
            entries in proptest::collection::vec(
                (
                    prop::sample::select(vec![0o100644_u32, 0o100755, 0o120000, 0o160000, TREE_MODE, 0o100664]),
                    "[^/\u{0}]{1,12}",
                    any::<[u8; 20]>(),
                ),
                1..8,
            ),
        ) {
            let data: Vec<u8> = entries
                .iter()
                .flat_map(|(mode, name, id)| encode(*mode, name.as_bytes(), *id))
                .collect();
            prop_assert!(tree_is_valid(&data));
            prop_assert!(!tree_is_valid(&data[..data.len() - 1]));
            let read: Vec<(Vec<u8>, u32, Id)> = tree_entries(&data, |id| id)
                .map(|entry| match entry {
                    Entry::File { name, blob } => (name.to_vec(), blob.mode, blob.id),
                    Entry::Dir { name, dir } => (name.to_vec(), TREE_MODE, dir),
                })
                .collect();
            let expected: Vec<(Vec<u8>, u32, Id)> = entries
                .iter()
                .map(|(mode, name, id)| {
                    let mode = if *mode == 0o100664 { 0o100644 } else { *mode };
                    (name.as_bytes().to_vec(), mode, Id(*id))
                })
                .collect();
            prop_assert_eq!(read, expected);
        }
    }

    #[test]
    fn raw_trees_parse_into_entries() {
        let mut data = b"100644 a.md\0".to_vec();
        data.extend([1; 20]);
        data.extend(b"40000 src\0");
        data.extend([2; 20]);
        data.extend(b"100664 old-mode\0");
        data.extend([3; 20]);
        assert!(tree_is_valid(&data));
        let entries: Vec<_> = tree_entries(&data, |id| id)
            .map(|entry| match entry {
                Entry::File { name, blob } => (name, blob.id, blob.mode),
                Entry::Dir { name, dir } => (name, dir, TREE_MODE),
            })
            .collect();
        let id = |byte| Id([byte; 20]);
        assert_eq!(
            entries,
            [
                (&b"a.md"[..], id(1), 0o100644),
                (&b"src"[..], id(2), TREE_MODE),
                (&b"old-mode"[..], id(3), 0o100644),
            ]
        );
        assert!(!tree_is_valid(&data[..data.len() - 1]), "a truncated id");
        assert!(!tree_is_valid(b"100644 no-nul"));
        assert!(
            !tree_is_valid(b"10x644 a\0aaaaaaaaaaaaaaaaaaaa"),
            "a bad mode"
        );
    }

    fn tree(entries: &[(&str, u8)]) -> Vec<u8> {
        let mut data = Vec::new();
        for (name, id) in entries {
            data.extend(format!("100644 {name}\0").bytes());
            data.extend([*id; 20]);
        }
        data
    }

    #[test]
    fn only_whole_entries_that_are_the_same_bytes_are_shared() {
        let entry = tree(&[("a", 1)]).len();
        let old = tree(&[("a", 1), ("b", 2), ("c", 3)]);
        // `b` changed its id: its name and mode are the same bytes, yet not shared.
        assert_eq!(
            shared_entries(&old, &tree(&[("a", 1), ("b", 9), ("c", 3)])),
            entry
        );
        assert_eq!(shared_entries(&old, &tree(&[("a", 1), ("bb", 2)])), entry);
        assert_eq!(
            shared_entries(&old, &tree(&[("a", 1), ("b", 2)])),
            2 * entry
        );
        assert_eq!(shared_entries(&old, &old), old.len());
        assert_eq!(shared_entries(&old, &tree(&[("0", 1)])), 0);
        assert_eq!(shared_entries(&old, &[]), 0);
    }

    #[test]
    fn directories_sort_as_if_their_names_ended_in_a_slash() {
        let file = |name: &'static [u8]| -> Entry<'static, ()> {
            Entry::File {
                name,
                blob: Blob {
                    id: Id::ZERO,
                    mode: 0o100644,
                },
            }
        };
        let dir = |name: &'static [u8]| Entry::Dir { name, dir: () };
        assert_eq!(entry_order(&file(b"a.b"), &dir(b"a")), Ordering::Less);
        assert_eq!(entry_order(&file(b"a0"), &dir(b"a")), Ordering::Greater);
        assert_eq!(entry_order(&file(b"a"), &dir(b"a")), Ordering::Less);
        assert_eq!(entry_order(&dir(b"a"), &dir(b"a")), Ordering::Equal);
        assert_eq!(entry_order(&file(b"ab"), &file(b"abc")), Ordering::Less);
    }
}
