//! One walker for every diff between two snapshots (tree ↔ tree, tree ↔ index): it
//! merges two sorted directory listings and skips any directory whose id is the same on
//! both sides, so its cost follows the change, not the size of the repository.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::ops::Range;
use std::rc::Rc;

use git2::ObjectType;

use super::Repo;
use super::error::{Context, GitError, ReadError};
use super::id::Id;
use super::index_file::{IndexEntry, IndexFile, NodeAt};
use super::recent::{ALLOCATION, Recent, SLOT, Weight};

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
    /// The listing; `like` is the other side's version of the directory, when it is a
    /// tree object already read.
    fn list(
        &self,
        repo: &Repo,
        prefix: &[u8],
        like: Option<&Tree>,
    ) -> Result<Self::Listing, GitError>;
    /// The listing's tree object, when it is one.
    fn tree(_listing: &Self::Listing) -> Option<&Tree> {
        None
    }
    /// The entries, leaving out `skip.0` at the front and `skip.1` at the back.
    fn entries<'l>(
        &'l self,
        listing: &'l Self::Listing,
        skip: (usize, usize),
    ) -> impl Iterator<Item = Entry<'l, Self>>;
}

/// The bytes of a tree object as git stores them: `<octal mode> <name>\0<20-byte id>`
/// entries in git's order. Reading them straight from the object database skips
/// libgit2's tree object and its per-entry allocations.
pub(super) fn read_tree(repo: &Repo, id: Id, prefix: &[u8]) -> Result<Rc<[u8]>, GitError> {
    read_tree_as(repo, id, prefix, |data| {
        tree_is_valid(&data).then_some(data)
    })
}

/// The tree object `id`, found at `prefix` (for messages), as `parse` makes it: `None`
/// from `parse` is a malformed tree.
fn read_tree_as<T>(
    repo: &Repo,
    id: Id,
    prefix: &[u8],
    parse: impl FnOnce(Rc<[u8]>) -> Option<T>,
) -> Result<T, GitError> {
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
    parse(data)
        .ok_or_else(|| ReadError::damaged("malformed tree object"))
        .context(context)
}

/// A tree object checked and split into its entries once: listing it again, or finding
/// what it shares with another version of the directory, parses nothing.
#[derive(Debug, Clone)]
pub(super) struct Tree {
    data: Rc<[u8]>,
    entries: Rc<[Slot]>,
}

/// Where one entry of a [`Tree`] keeps its name (`data[name..nul]`, its id after the
/// NUL), and its mode as libgit2 reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slot {
    name: u32,
    nul: u32,
    mode: u32,
}

/// Bytes of an object id in a tree entry.
const ID: usize = 20;

impl Tree {
    /// The tree object `id`, found at `prefix` (for messages). `like` is another version
    /// of the directory, parsed already: what the two share is not parsed again.
    pub fn read(repo: &Repo, id: Id, prefix: &[u8], like: Option<&Tree>) -> Result<Tree, GitError> {
        read_tree_as(repo, id, prefix, |data| Tree::parse(data, like))
    }

    /// `None` unless `data` parses as a whole into tree entries (as [`tree_is_valid`]
    /// checks) and is smaller than 4 GiB, as any tree is. The entries `data` shares
    /// with `like` at its start and at its end take `like`'s slots: the same bytes,
    /// from where an entry starts in both, are the same valid entries.
    fn parse(data: Rc<[u8]>, like: Option<&Tree>) -> Option<Tree> {
        u32::try_from(data.len()).ok()?;
        SLOTS.with_borrow_mut(|entries| {
            entries.clear();
            Tree::parse_into(&data, like, entries)?;
            let entries = Rc::from(&entries[..]);
            Some(Tree { data, entries })
        })
    }

    /// Adds the slots of `data`'s entries to `entries`.
    fn parse_into(data: &[u8], like: Option<&Tree>, entries: &mut Vec<Slot>) -> Option<()> {
        let (mut at, mut tail) = (0, data.len());
        if let Some(like) = like {
            let front = like.ended_by(common_prefix(&like.data, data));
            entries.extend_from_slice(&like.entries[..front]);
            at = like.start(front);
            tail -= common_suffix(&like.data[at..], &data[at..]);
        }
        while at < data.len() {
            // Where `at` is in `like`, when both end with the same bytes from there.
            let there = like
                .filter(|_| at >= tail)
                .and_then(|like| Some((like, like.at_entry(at + like.data.len() - data.len())?)));
            if let Some((like, first)) = there {
                let shift = |offset: u32| (offset as usize + data.len() - like.data.len()) as u32;
                entries.extend(like.entries[first..].iter().map(|slot| Slot {
                    name: shift(slot.name),
                    nul: shift(slot.nul),
                    mode: slot.mode,
                }));
                break;
            }
            let entry = raw_entry(&data[at..])?;
            let nul = at + entry.len - ID - 1;
            entries.push(Slot {
                name: (nul - entry.name.len()) as u32,
                nul: nul as u32,
                mode: normalize_mode(entry.mode),
            });
            at += entry.len;
        }
        Some(())
    }

    /// The tree object's bytes, as git stores them.
    pub fn bytes(&self) -> &Rc<[u8]> {
        &self.data
    }

    /// How many entries the tree holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Where entry `i` starts: where the one before ends.
    fn start(&self, i: usize) -> usize {
        i.checked_sub(1)
            .map_or(0, |before| self.entries[before].nul as usize + 1 + ID)
    }

    /// How many entries end at or before byte `at`.
    fn ended_by(&self, at: usize) -> usize {
        self.entries
            .partition_point(|slot| slot.nul as usize + 1 + ID <= at)
    }

    /// How many entries start before byte `at`.
    fn entries_before(&self, at: usize) -> usize {
        let ended = self.ended_by(at);
        ended + usize::from(ended < self.len() && self.start(ended) < at)
    }

    /// The entry that starts at byte `at`, if one does.
    fn at_entry(&self, at: usize) -> Option<usize> {
        let ended = self.ended_by(at);
        (ended < self.len() && self.start(ended) == at).then_some(ended)
    }

    /// Entries `range`, with `dir` making a subdirectory's [`Dir`] from its id.
    pub fn entries<'l, D>(
        &'l self,
        range: Range<usize>,
        dir: impl Fn(Id) -> D + 'l,
    ) -> impl Iterator<Item = Entry<'l, D>> {
        self.entries[range].iter().filter_map(move |slot| {
            let (name, nul) = (slot.name as usize, slot.nul as usize);
            let id = Id::from_slice(self.data.get(nul + 1..nul + 1 + ID)?)?;
            let name = &self.data[name..nul];
            Some(match slot.mode {
                TREE_MODE => Entry::Dir { name, dir: dir(id) },
                mode => Entry::File {
                    name,
                    blob: Blob { id, mode },
                },
            })
        })
    }

    /// The entries `skip` leaves: `skip.0` out at the front, `skip.1` at the back.
    pub fn kept(&self, skip: (usize, usize)) -> Range<usize> {
        skip.0..self.len() - skip.1
    }

    /// How many entries this tree and `other` share at the front and at the back, byte
    /// for byte: most entries of a changed directory did not change, and a walk skips
    /// them unread, so the directory costs what changed in it, not its size.
    fn shared(&self, other: &Tree) -> (usize, usize) {
        let (a, b) = (&self.data[..], &other.data[..]);
        // The same bytes from the start parse into the same entries on both sides.
        let front = self.ended_by(common_prefix(a, b));
        let kept = self.start(front);
        let same = common_suffix(&a[kept..], &b[kept..]);
        // From the end, the same bytes are the same entries where an entry of each side
        // starts at them: a name or id may hold bytes that look like an entry.
        let mut first = self.entries_before(a.len() - same);
        while first < self.len()
            && other
                .at_entry(b.len() + self.start(first) - a.len())
                .is_none()
        {
            first += 1;
        }
        (front, self.len() - first)
    }
}

thread_local! {
    /// The slots of the tree parsed last: a parse allocates only its result.
    static SLOTS: std::cell::RefCell<Vec<Slot>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Weight for Tree {
    /// The object's bytes and its slots, each in an allocation of its own.
    fn weight(&self) -> usize {
        self.data.len() + std::mem::size_of_val(&*self.entries) + 2 * ALLOCATION + SLOT
    }
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

/// Bytes of parsed trees a repository's [`Trees`] holds at most: a unit reads mostly
/// what the unit before it read, and more costs memory for no CPU (benches/README.md).
const TREE_CACHE: usize = 1 << 20;

/// The tree objects a repository read lately, parsed: an audit worker's walk, the area
/// check after it, and a check's diff read them here. A unit's old side is mostly trees
/// an earlier unit read as its new side, or as its old side when they had not changed
/// for a while, and the area check lists the trees the walk read, so each tree is read
/// from the pack and parsed about once.
pub(super) struct Trees(RefCell<Recent<Id, Tree>>);

impl Default for Trees {
    fn default() -> Trees {
        Trees(RefCell::new(Recent::new(TREE_CACHE)))
    }
}

impl Trees {
    /// The tree `id` (at `prefix`, for messages), from the trees read lately if there;
    /// `like` as for [`Tree::read`].
    pub fn listing(
        &self,
        repo: &Repo,
        id: Id,
        prefix: &[u8],
        like: Option<&Tree>,
    ) -> Result<Tree, GitError> {
        if let Some(tree) = self.0.borrow_mut().get(id) {
            return Ok(tree);
        }
        let tree = Tree::read(repo, id, prefix, like)?;
        self.0.borrow_mut().insert(id, tree.clone());
        Ok(tree)
    }
}

/// A directory of a tree object, read through the repository's [`Trees`].
pub(super) struct TreeDir(pub Id);

impl Dir for TreeDir {
    type Listing = Tree;

    fn id(&self) -> Option<Id> {
        Some(self.0)
    }

    fn list(&self, repo: &Repo, prefix: &[u8], like: Option<&Tree>) -> Result<Tree, GitError> {
        repo.trees.listing(repo, self.0, prefix, like)
    }

    fn tree(listing: &Tree) -> Option<&Tree> {
        Some(listing)
    }

    fn entries<'l>(
        &'l self,
        listing: &'l Tree,
        skip: (usize, usize),
    ) -> impl Iterator<Item = Entry<'l, Self>> {
        listing.entries(listing.kept(skip), TreeDir)
    }
}

/// A directory of the index: a run of entries under one prefix, and its cache-tree node.
#[derive(Clone, Copy)]
pub(super) struct IndexDir<'a> {
    pub index: &'a IndexFile,
    pub entries: &'a [IndexEntry],
    pub node: Option<NodeAt>,
}

impl<'a> Dir for IndexDir<'a> {
    type Listing = Vec<Entry<'a, IndexDir<'a>>>;

    fn id(&self) -> Option<Id> {
        self.node.and_then(|n| self.index.tree_node(n).id)
    }

    fn list(&self, _: &Repo, prefix: &[u8], _: Option<&Tree>) -> Result<Self::Listing, GitError> {
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
            let len = run_under(rest, |e| {
                self.index.path(e)[prefix.len()..].starts_with(name)
            });
            let name = &name[..slash];
            let node = self.node.and_then(|n| self.index.tree_child(n, name));
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
        skip: (usize, usize),
    ) -> impl Iterator<Item = Entry<'l, Self>> {
        listing[skip.0..listing.len() - skip.1]
            .iter()
            .map(|entry| match entry {
                Entry::File { name, blob } => Entry::File { name, blob: *blob },
                Entry::Dir { name, dir } => Entry::Dir { name, dir: *dir },
            })
    }
}

/// How many of `entries` lie under the directory the first lies under, which `under`
/// tells: in the index's order (by path bytes) they are a run at the start. Sought by
/// doubling steps, then by halves, so a directory costs about twice the logarithm of
/// its entries rather than a look at each: a walk lists each directory on the way to a
/// change, and a directory's entries would otherwise be looked at once for each of
/// those above it too.
fn run_under<T>(entries: &[T], under: impl Fn(&T) -> bool) -> usize {
    let mut known = 1;
    let mut step = 1;
    while let Some(entry) = entries.get(known + step - 1) {
        if !under(entry) {
            break;
        }
        known += step;
        step *= 2;
    }
    let bound = entries.len().min(known + step - 1);
    known + entries[known..bound].partition_point(under)
}

/// The part of a tree a diff looks at: what lies under some directories, and some
/// files elsewhere. Directories on the way to them are listed, the other files directly
/// in those are not, and the rest of the tree is not read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    /// Each directory with a `/` at its end, sorted; none lies under another.
    dirs: Vec<Vec<u8>>,
    /// Files under none of `dirs`, sorted.
    files: Vec<Vec<u8>>,
}

/// Where a directory lies with respect to an [`Area`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// In one of its directories: everything under it is in the area.
    Inside,
    /// On the way to one of its directories or files.
    Above,
    Outside,
}

impl Area {
    /// The area of `dirs` and `files` (paths relative to the root, directories
    /// without a `/` at their end); `None` when a directory is the root (`""`): the
    /// whole tree.
    pub fn new<'p>(
        dirs: impl IntoIterator<Item = &'p str>,
        files: impl IntoIterator<Item = &'p str>,
    ) -> Option<Area> {
        let mut dirs: Vec<Vec<u8>> = dirs
            .into_iter()
            .map(|dir| (!dir.is_empty()).then(|| format!("{dir}/").into_bytes()))
            .collect::<Option<_>>()?;
        dirs.sort_unstable();
        dirs.dedup();
        // Sorted, a directory comes right after the one it lies under, or after
        // another that lies under it too.
        let mut kept: Vec<Vec<u8>> = Vec::with_capacity(dirs.len());
        for dir in dirs {
            if !kept.last().is_some_and(|last| dir.starts_with(last)) {
                kept.push(dir);
            }
        }
        let mut files: Vec<Vec<u8>> = files
            .into_iter()
            .map(|file| file.as_bytes().to_vec())
            .filter(|file| !kept.iter().any(|dir| file.starts_with(dir)))
            .collect();
        files.sort_unstable();
        files.dedup();
        Some(Area { dirs: kept, files })
    }

    /// Where the directory `prefix` (with a `/` at its end) lies.
    fn place(&self, prefix: &[u8]) -> Place {
        if self.dirs.iter().any(|dir| prefix.starts_with(dir)) {
            Place::Inside
        } else if self
            .dirs
            .iter()
            .chain(&self.files)
            .any(|path| path.starts_with(prefix))
        {
            Place::Above
        } else {
            Place::Outside
        }
    }

    /// Whether the file `path`, in a directory [`Place::Above`] the area, is in it.
    fn holds(&self, path: &[u8]) -> bool {
        self.files
            .binary_search_by(|file| file[..].cmp(path))
            .is_ok()
    }
}

/// Where a walk hands the changes it finds.
pub(super) trait Found {
    /// Whether the walk goes outside its area too, handing what changed there to
    /// [`Found::outside`]; otherwise it only says it left a change out.
    const OUTSIDE: bool = false;
    /// A change at `path`, within the walk's area (anywhere, without one).
    fn inside(&mut self, path: &[u8], old: Option<Blob>, new: Option<Blob>);
    /// A change at `path`, outside the walk's area, when [`Found::OUTSIDE`].
    fn outside(&mut self, _path: &[u8], _old: Option<Blob>, _new: Option<Blob>) {}
}

impl Found for Vec<RawChange> {
    fn inside(&mut self, path: &[u8], old: Option<Blob>, new: Option<Blob>) {
        self.push(RawChange {
            path: path.to_vec(),
            old,
            new,
        });
    }
}

/// Where a directory a walk reaches lies with respect to its area.
#[derive(Debug, Clone, Copy)]
enum Scope<'a> {
    /// In the area, or anywhere when there is none: every change in it counts.
    Inside,
    /// On the way to the area.
    Above(&'a Area),
    /// Outside the area, walked only when [`Found::OUTSIDE`].
    Outside,
}

/// Diffs two root directories into `out`, in path order: within `area`, when given.
/// Whether a change lay outside the area: when none did, `out` was handed every change.
pub(super) fn walk<A: Dir, B: Dir, F: Found>(
    repo: &Repo,
    sides: (Option<A>, Option<B>),
    area: Option<&Area>,
    out: &mut F,
) -> Result<bool, GitError> {
    let scope = area.map_or(Scope::Inside, Scope::Above);
    PREFIX.with_borrow_mut(|prefix| {
        prefix.clear();
        walk_in(repo, prefix, sides, scope, out)
    })
}

thread_local! {
    /// The path a walk is at: one buffer for every walk of the thread, grown to the
    /// longest path once (a walk reads trees only: it never starts another walk).
    static PREFIX: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// [`walk`] in the directory `prefix` (with a `/` at its end; empty at the root),
/// which lies in `scope`.
fn walk_in<A: Dir, B: Dir, F: Found>(
    repo: &Repo,
    prefix: &mut Vec<u8>,
    (old, new): (Option<A>, Option<B>),
    scope: Scope<'_>,
    out: &mut F,
) -> Result<bool, GitError> {
    if let (Some(a), Some(b)) = (&old, &new)
        && a.id().is_some()
        && a.id() == b.id()
    {
        return Ok(false);
    }
    // Most entries of a changed directory did not change: in two tree objects, those
    // before the first change and after the last are parsed once and skipped here.
    let old_listing = old
        .as_ref()
        .map(|d| d.list(repo, prefix, None))
        .transpose()?;
    let old_tree = old_listing.as_ref().and_then(A::tree);
    let new_listing = new
        .as_ref()
        .map(|d| d.list(repo, prefix, old_tree))
        .transpose()?;
    let new_tree = new_listing.as_ref().and_then(B::tree);
    let skip = old_tree.zip(new_tree).map_or((0, 0), |(a, b)| a.shared(b));
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
    let mut left_out = false;
    loop {
        let order = match (old.peek(), new.peek()) {
            (None, None) => return Ok(left_out),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(a), Some(b)) => entry_order(a, b),
        };
        let (a, b) = match order {
            Ordering::Less => (old.next(), None),
            Ordering::Greater => (None, new.next()),
            Ordering::Equal => (old.next(), new.next()),
        };
        left_out |= visit(repo, prefix, (a, b), scope, out)?;
    }
}

/// How many bytes `a` and `b` share at their start.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let whole = a
        .chunks_exact(STRIDE)
        .zip(b.chunks_exact(STRIDE))
        .take_while(|(x, y)| x == y)
        .count()
        * STRIDE;
    let rest = a[whole..].iter().zip(&b[whole..]);
    whole + rest.take_while(|(x, y)| x == y).count()
}

/// How many bytes `a` and `b` share at their end.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let whole = a
        .rchunks_exact(STRIDE)
        .zip(b.rchunks_exact(STRIDE))
        .take_while(|(x, y)| x == y)
        .count()
        * STRIDE;
    let rest = a[..a.len() - whole].iter().rev();
    whole
        + rest
            .zip(b[..b.len() - whole].iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
}

/// Bytes compared at once when looking for the first difference.
const STRIDE: usize = 32;

/// Handles one name present on either or both sides, in the directory `prefix`, which
/// lies in `scope`; whether a change lay outside the area, as [`walk`] says.
fn visit<A: Dir, B: Dir, F: Found>(
    repo: &Repo,
    prefix: &mut Vec<u8>,
    (old, new): (Option<Entry<'_, A>>, Option<Entry<'_, B>>),
    scope: Scope<'_>,
    out: &mut F,
) -> Result<bool, GitError> {
    if let (Some(a), Some(b)) = (&old, &new)
        && unchanged(a, b)
    {
        return Ok(false);
    }
    let len = prefix.len();
    match (&old, &new) {
        (Some(entry), _) => prefix.extend_from_slice(entry.name()),
        (None, Some(entry)) => prefix.extend_from_slice(entry.name()),
        (None, None) => return Ok(false),
    }
    let mut left_out = false;
    let (old_blob, old_dir) = split(old);
    let (new_blob, new_dir) = split(new);
    if old_dir.is_some() || new_dir.is_some() {
        prefix.push(b'/');
        let scope = match scope {
            Scope::Above(area) => match area.place(prefix) {
                Place::Inside => Scope::Inside,
                Place::Above => scope,
                Place::Outside if F::OUTSIDE => Scope::Outside,
                Place::Outside => {
                    prefix.truncate(len);
                    return Ok(true);
                }
            },
            Scope::Inside | Scope::Outside => scope,
        };
        // Each level is at least two bytes (`d/`), so the count runs only on deep paths.
        if prefix.len() > MAX_TREE_DEPTH && depth(prefix) > MAX_TREE_DEPTH {
            return Err(GitError::TreeDepth {
                path: shortened(prefix),
                limit: MAX_TREE_DEPTH,
            });
        }
        // Deep trees recurse on a stack grown on the heap rather than overflowing the
        // thread's own (an audit worker's is 2 MiB). A shallow level cannot overflow it
        // and asks nothing: the first ask reads the thread's stack bounds (on the main
        // thread from `/proc/self/maps`).
        let walk = || walk_in(repo, prefix, (old_dir, new_dir), scope, out);
        left_out = if len < SHALLOW_PREFIX {
            walk()
        } else {
            stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, walk)
        }?;
    } else if old_blob != new_blob {
        let inside = match scope {
            Scope::Inside => true,
            Scope::Above(area) => area.holds(prefix),
            Scope::Outside => false,
        };
        if inside {
            out.inside(prefix, old_blob, new_blob);
        } else {
            left_out = true;
            out.outside(prefix, old_blob, new_blob);
        }
    }
    prefix.truncate(len);
    Ok(left_out)
}

/// git's `core.maxTreeDepth` by default: git refuses to walk trees nested deeper.
const MAX_TREE_DEPTH: usize = 2048;

/// Stack left when a level grows a new segment, and the size of each segment.
const STACK_RED_ZONE: usize = 64 * 1024;
const STACK_GROWTH: usize = 1024 * 1024;
/// Bytes of a prefix under which levels recurse on the thread's stack unchecked: each
/// level is at least two bytes (`d/`), so at most 64 levels, a small part of any
/// thread's stack (an audit worker's 2 MiB would allow 32 KiB a level).
const SHALLOW_PREFIX: usize = 128;

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
    use super::super::test_git::git;
    use super::*;
    use proptest::prelude::*;

    /// Commits the work tree of `dir` and returns the commit's root tree.
    fn commit_tree(dir: &std::path::Path, message: &str) -> Id {
        git(dir, &["add", "-A"]);
        let who = ["-c", "user.name=T", "-c", "user.email=t@example.com"];
        git(dir, &[&who[..], &["commit", "-qm", message]].concat());
        let out = git(dir, &["rev-parse", "HEAD^{tree}"]);
        let hex = String::from_utf8_lossy(&out).trim().to_owned();
        Id::from(git2::Oid::from_str(&hex).expect("a tree id"))
    }

    /// Writes `text` to `file` under `dir`, creating its directories.
    fn write_file(dir: &std::path::Path, file: &str, text: &str) {
        let file = dir.join(file);
        std::fs::create_dir_all(file.parent().expect("a parent")).expect("dirs");
        std::fs::write(file, text).expect("write");
    }

    /// `git diff-tree` between two trees, as `status path` lines.
    fn git_changes(dir: &std::path::Path, old: Id, new: Id) -> Vec<String> {
        let (old, new) = (old.to_string(), new.to_string());
        let args = [
            "diff-tree",
            "-r",
            "--no-renames",
            "--name-status",
            &old,
            &new,
        ];
        String::from_utf8_lossy(&git(dir, &args))
            .lines()
            .map(|line| line.replace('\t', " "))
            .collect()
    }

    /// The walk's changes between two trees, as [`git_changes`] prints them.
    fn changes(repo: &Repo, old: Id, new: Id) -> Vec<String> {
        changes_within(repo, old, new, None)
    }

    /// [`changes`] within `area`, when given.
    fn changes_within(repo: &Repo, old: Id, new: Id, area: Option<&Area>) -> Vec<String> {
        left_out_within(repo, old, new, area).0
    }

    /// [`changes_within`], and whether the walk left a change out.
    fn left_out_within(repo: &Repo, old: Id, new: Id, area: Option<&Area>) -> (Vec<String>, bool) {
        let mut raw = Vec::new();
        let sides = (Some(TreeDir(old)), Some(TreeDir(new)));
        let left_out = walk(repo, sides, area, &mut raw).expect("a diff");
        (printed(&raw), left_out)
    }

    /// `changes` as `status path` lines.
    fn printed(changes: &[RawChange]) -> Vec<String> {
        changes
            .iter()
            .map(|change| {
                let status = match (change.old, change.new) {
                    (None, _) => 'A',
                    (_, None) => 'D',
                    _ => 'M',
                };
                format!("{status} {}", String::from_utf8_lossy(&change.path))
            })
            .collect()
    }

    /// The same subtree (one tree id) added under several paths of one diff, then
    /// deleted from several, is listed at each path: the repository's tree cache hands
    /// out the tree read for the first path at the others.
    #[test]
    fn a_subtree_under_several_paths_of_one_diff_is_listed_at_each() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path();
        git(path, &["init", "-q", "."]);
        let write = |file: &str, text: &str| write_file(path, file, text);
        write("keep.txt", "kept\n");
        write("fixture/Cargo.toml", "[package]\n");
        write("fixture/src/lib.rs", "fn f() {}\n");
        let first = commit_tree(path, "one");
        for copy in ["a/fixture", "b/c/fixture", "d"] {
            write(&format!("{copy}/Cargo.toml"), "[package]\n");
            write(&format!("{copy}/src/lib.rs"), "fn f() {}\n");
        }
        let second = commit_tree(path, "copies");
        std::fs::remove_dir_all(path.join("fixture")).expect("remove");
        std::fs::remove_dir_all(path.join("b")).expect("remove");
        let third = commit_tree(path, "fewer");
        let repo = Repo::discover(path).expect("a repository");
        for (old, new) in [
            (first, second),
            (second, third),
            (first, third),
            (third, first),
        ] {
            let expected = git_changes(path, old, new);
            assert!(expected.len() >= 4, "{expected:?}");
            assert_eq!(changes(&repo, old, new), expected);
            // Again, every tree now from the cache.
            assert_eq!(changes(&repo, old, new), expected);
        }
    }

    #[test]
    fn an_area_is_its_outermost_directories_and_none_holds_the_root() {
        let dirs = ["src/doc/src/commands", "crates", "src/doc", "crates"];
        let files = [
            "src/doc/x.md",
            "CHANGELOG.md",
            "src/main.rs",
            "CHANGELOG.md",
        ];
        let area = Area::new(dirs, files).expect("an area");
        assert_eq!(area.dirs, [&b"crates/"[..], b"src/doc/"]);
        assert_eq!(area.files, [&b"CHANGELOG.md"[..], b"src/main.rs"]);
        let root = Area::new(["src/doc", ""], ["CHANGELOG.md"]);
        assert_eq!(root, None, "the root is everything");
        let area = Area::new(["src/api"], ["tests/fixtures/api.json"]).expect("an area");
        assert_eq!(area.place(b"src/api/"), Place::Inside);
        assert_eq!(area.place(b"tests/"), Place::Above);
        assert_eq!(area.place(b"tests/fixtures/"), Place::Above);
        assert_eq!(area.place(b"tests/unit/"), Place::Outside);
        assert!(area.holds(b"tests/fixtures/api.json"));
        assert!(!area.holds(b"tests/fixtures/api.jso"));
        assert_eq!(area.place(b"src/api/v2/"), Place::Inside);
        assert_eq!(area.place(b"src/"), Place::Above);
        assert_eq!(area.place(b""), Place::Above);
        assert_eq!(area.place(b"src/apiary/"), Place::Outside);
        assert_eq!(area.place(b"docs/"), Place::Outside);
    }

    /// Within an area, the walk finds what `git diff-tree` finds limited to its
    /// directories and files: other files beside them on the way, and directories off
    /// the way (even one whose name starts like an area directory's), are left out.
    #[test]
    fn a_walk_within_an_area_finds_what_git_finds_under_its_directories() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path();
        git(path, &["init", "-q", "."]);
        let write = |file: &str, text: &str| write_file(path, file, text);
        let files = [
            "README.md",
            "src/main.rs",
            "src/api/a.rs",
            "src/api/v2/b.rs",
            "src/apiary/c.rs",
            "docs/api/a.md",
            "docs/guide.md",
            "tests/t.rs",
        ];
        for file in files {
            write(file, "one\n");
        }
        let first = commit_tree(path, "one");
        for file in files {
            write(file, "two\n");
        }
        write("src/api/new.rs", "new\n");
        std::fs::remove_file(path.join("docs/api/a.md")).expect("remove");
        let second = commit_tree(path, "two");
        write("docs/api/a.md", "three\n");
        let only_outside = ["README.md", "src/main.rs", "src/apiary/c.rs", "tests/t.rs"];
        for file in only_outside {
            write(file, "three\n");
        }
        let third = commit_tree(path, "outside");
        let repo = Repo::discover(path).expect("a repository");
        let files = ["README.md", "src/apiary/c.rs"];
        let area = Area::new(["src/api", "docs/api"], files).expect("an area");
        let seen = [" src/api/", " docs/api/", " README.md", " src/apiary/c.rs"];
        for (old, new) in [(first, second), (second, first), (second, third)] {
            let mut expected = git_changes(path, old, new);
            expected.retain(|line| seen.iter().any(|start| line.contains(start)));
            assert!(!expected.is_empty());
            let left_out = expected.len() < git_changes(path, old, new).len();
            let found = left_out_within(&repo, old, new, Some(&area));
            assert_eq!(found, (expected, left_out));
        }
        // A diff of the area alone leaves nothing out.
        write("docs/api/a.md", "four\n");
        write("src/apiary/c.rs", "four\n");
        let fourth = commit_tree(path, "area only");
        let expected = git_changes(path, third, fourth);
        let found = left_out_within(&repo, third, fourth, Some(&area));
        assert_eq!(found, (expected.clone(), false));
        let nothing = Area::new([], ["x"]).expect("an area");
        let found = left_out_within(&repo, third, fourth, Some(&nothing));
        assert_eq!(found, (Vec::new(), true));
        // A file beside the way is left out, as a directory off it is.
        write("docs/api/a.md", "five\n");
        write("src/main.rs", "five\n");
        let fifth = commit_tree(path, "beside the way");
        let found = left_out_within(&repo, fourth, fifth, Some(&area));
        assert_eq!(found, (vec!["M docs/api/a.md".to_owned()], true));
        let elsewhere = Area::new(["tests/none"], ["src/none.rs"]).expect("an area");
        assert_eq!(
            changes_within(&repo, second, third, Some(&elsewhere)),
            [""; 0]
        );
        let whole = changes_within(&repo, first, second, None);
        assert_eq!(whole, git_changes(path, first, second));
        // No tree off the way to the area is read: one missing changes nothing.
        let mut expected = git_changes(path, second, third);
        expected.retain(|line| seen.iter().any(|start| line.contains(start)));
        let tests = git(path, &["rev-parse", &format!("{third}:tests")]);
        let tests = String::from_utf8_lossy(&tests).trim().to_owned();
        let loose = path
            .join(".git/objects")
            .join(&tests[..2])
            .join(&tests[2..]);
        std::fs::remove_file(loose).expect("a loose tree");
        let repo = Repo::discover(path).expect("a repository");
        assert_eq!(changes_within(&repo, second, third, Some(&area)), expected);
        let mut raw = Vec::new();
        let sides = (Some(TreeDir(second)), Some(TreeDir(third)));
        assert!(walk(&repo, sides, None, &mut raw).is_err());
    }

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

    fn parsed(entries: &[(&str, u8)]) -> Tree {
        Tree::parse(Rc::from(tree(entries)), None).expect("a valid tree")
    }

    #[test]
    fn a_cached_tree_weighs_its_bytes_its_slots_and_what_keeping_them_costs() {
        let tree = parsed(&[("a", 1), ("b", 2), ("c", 3)]);
        let held = tree.data.len() + 3 * size_of::<Slot>();
        assert_eq!(tree.weight(), held + 2 * ALLOCATION + SLOT);
        // A cache whose generations each hold less than the tree weighs keeps it out.
        let mut cache = super::super::recent::Recent::<Id, Tree>::new(4 * held);
        cache.insert(Id([1; 20]), tree);
        assert!(cache.get(Id([1; 20])).is_none());
    }

    #[test]
    fn only_whole_entries_that_are_the_same_bytes_are_shared() {
        let old = parsed(&[("a", 1), ("b", 2), ("c", 3)]);
        // `b` changed its id: its name and mode are the same bytes, yet not shared.
        assert_eq!(old.shared(&parsed(&[("a", 1), ("b", 9), ("c", 3)])), (1, 1));
        assert_eq!(old.shared(&parsed(&[("a", 1), ("bb", 2)])), (1, 0));
        assert_eq!(old.shared(&parsed(&[("a", 1), ("b", 2)])), (2, 0));
        assert_eq!(old.shared(&parsed(&[("b", 2), ("c", 3)])), (0, 2));
        assert_eq!(old.shared(&parsed(&[("a", 1), ("c", 3)])), (1, 1));
        assert_eq!(old.shared(&parsed(&[("0", 1), ("c", 3)])), (0, 1));
        assert_eq!(old.shared(&old), (3, 0));
        assert_eq!(old.shared(&parsed(&[("0", 1)])), (0, 0));
        assert_eq!(old.shared(&parsed(&[])), (0, 0));
        assert_eq!(parsed(&[]).shared(&old), (0, 0));
    }

    #[test]
    fn bytes_shared_at_the_end_are_entries_only_where_both_sides_start_one() {
        // The new side's last name ends in the old side's whole entry, up to its id.
        let (old, new) = (parsed(&[("x", 1)]), parsed(&[("z100644 x", 1)]));
        assert_eq!(&old.data[..], &new.data[new.data.len() - old.data.len()..]);
        assert_eq!(old.shared(&new), (0, 0));
        assert_eq!(new.shared(&old), (0, 0));
        for (tree, like) in [(&old, &new), (&new, &old)] {
            let beside = Tree::parse(Rc::clone(&tree.data), Some(like)).expect("valid");
            assert_eq!(beside.entries, tree.entries);
        }
    }

    /// What a plain merge of two listings' entries finds changed: name, old, new.
    type Found = Vec<(Vec<u8>, Option<(u32, Id)>, Option<(u32, Id)>)>;

    fn merged(old: &Tree, new: &Tree, skip: (usize, usize)) -> Found {
        let side = |entry: &Entry<'_, Id>| match entry {
            Entry::File { blob, .. } => (blob.mode, blob.id),
            Entry::Dir { dir, .. } => (TREE_MODE, *dir),
        };
        let mut old = old.entries(old.kept(skip), |id| id).peekable();
        let mut new = new.entries(new.kept(skip), |id| id).peekable();
        let mut found = Vec::new();
        loop {
            let order = match (old.peek(), new.peek()) {
                (None, None) => return found,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(a), Some(b)) => entry_order(a, b),
            };
            let (a, b) = match order {
                Ordering::Less => (old.next(), None),
                Ordering::Greater => (None, new.next()),
                Ordering::Equal => (old.next(), new.next()),
            };
            let name = a.as_ref().or(b.as_ref()).map(|e| e.name().to_vec());
            let (a, b) = (a.as_ref().map(side), b.as_ref().map(side));
            if a != b {
                found.push((name.unwrap_or_default(), a, b));
            }
        }
    }

    /// Entries (name, directory or not, id byte) in git's order, as a tree's bytes.
    fn sorted_tree(entries: &std::collections::BTreeMap<String, (bool, u8)>) -> Tree {
        let mut sorted: Vec<_> = entries.iter().collect();
        let key = |name: &str, dir: bool| format!("{name}{}", if dir { "/" } else { "" });
        sorted.sort_by_key(|(name, (dir, _))| key(name, *dir));
        let mut data = Vec::new();
        for (name, (dir, id)) in sorted {
            let mode = if *dir { TREE_MODE } else { 0o100644 };
            data.extend(encode(mode, name.as_bytes(), [*id; 20]));
        }
        Tree::parse(Rc::from(data), None).expect("a valid tree")
    }

    prop_compose! {
        /// Two versions of a directory: the second with some entries removed, changed
        /// or turned from file to directory, and some added.
        fn versions()(
            old in proptest::collection::btree_map("[a-c.]{1,3}", (any::<bool>(), 0u8..4), 0..12),
            edits in proptest::collection::vec((0usize..12, 0u8..3), 0..4),
            added in proptest::collection::btree_map("[a-c.]{1,3}", (any::<bool>(), 0u8..4), 0..3),
        ) -> (Tree, Tree) {
            let mut new = old.clone();
            let names: Vec<String> = old.keys().cloned().collect();
            for (at, edit) in edits {
                let Some(name) = names.get(at) else { continue };
                match edit {
                    0 => { new.remove(name); }
                    1 => { new.entry(name.clone()).and_modify(|e| e.1 = e.1.wrapping_add(1)); }
                    _ => { new.entry(name.clone()).and_modify(|e| e.0 = !e.0); }
                }
            }
            new.extend(added);
            (sorted_tree(&old), sorted_tree(&new))
        }
    }

    proptest! {
        /// Skipping what two versions of a directory share at both ends finds what a
        /// merge of every entry finds.
        #[test]
        fn skipping_shared_ends_finds_what_a_full_merge_finds((old, new) in versions()) {
            let skip = old.shared(&new);
            prop_assert_eq!(merged(&old, &new, skip), merged(&old, &new, (0, 0)));
            prop_assert!(skip.0 + skip.1 <= old.len().min(new.len()));
        }

        /// A tree parsed beside another version reads as when parsed alone, and is
        /// malformed exactly when it is alone, wherever the damage.
        #[test]
        fn parsing_beside_another_version_reads_as_parsing_alone(
            (old, new) in versions(),
            flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 0..3),
        ) {
            let mut data = new.data.to_vec();
            for (at, bits) in flips {
                if !data.is_empty() {
                    let at = at.index(data.len());
                    data[at] ^= bits;
                }
            }
            let data: Rc<[u8]> = Rc::from(data);
            let alone = Tree::parse(Rc::clone(&data), None).map(|tree| tree.entries);
            let beside = Tree::parse(data, Some(&old)).map(|tree| tree.entries);
            prop_assert_eq!(beside, alone);
        }
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

    proptest! {
        #[test]
        fn a_run_under_a_directory_is_found_as_a_look_at_each_entry_finds_it(
            under in 1..200usize,
            after in 0..50usize,
        ) {
            let entries: Vec<bool> = (0..under + after).map(|at| at < under).collect();
            let looked_at = entries.iter().position(|e| !e).unwrap_or(entries.len());
            prop_assert_eq!(run_under(&entries, |e| *e), looked_at);
        }
    }

    /// An index's directories, listed to the bottom, as `path` lines for files and
    /// `path/ cached` or `path/ -` for directories (whether a cache-tree id is known).
    fn listed(repo: &Repo, dir: IndexDir<'_>, prefix: &mut Vec<u8>, out: &mut Vec<String>) {
        let listing = dir.list(repo, prefix, None).expect("a listing");
        for entry in dir.entries(&listing, (0, 0)) {
            let len = prefix.len();
            match entry {
                Entry::File { name, .. } => {
                    prefix.extend_from_slice(name);
                    out.push(String::from_utf8_lossy(prefix).into_owned());
                }
                Entry::Dir { name, dir } => {
                    prefix.extend_from_slice(name);
                    prefix.push(b'/');
                    let cached = if dir.id().is_some() { "cached" } else { "-" };
                    out.push(format!("{} {cached}", String::from_utf8_lossy(prefix)));
                    listed(repo, dir, prefix, out);
                }
            }
            prefix.truncate(len);
        }
    }

    /// The index's directories split where git's order puts them (`a-b` and `a.txt`
    /// before `a/`, `a0` after it), nested and wide, with and without a cache-tree, and
    /// with its nodes on the way to staged changes invalidated: the listing holds each
    /// entry once under its directory, and a staged diff finds what git finds.
    #[test]
    fn index_directories_are_the_runs_of_entries_under_them() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path();
        git(path, &["init", "-q", "."]);
        let write = |file: &str, text: &str| write_file(path, file, text);
        let mut files = vec![
            "a-b".to_owned(),
            "a.txt".to_owned(),
            "a/x".to_owned(),
            "a/b-c/d".to_owned(),
            "a/b/c".to_owned(),
            "a/b/d/e".to_owned(),
            "a/b0".to_owned(),
            "a0".to_owned(),
            "b/f".to_owned(),
            "c".to_owned(),
        ];
        for wide in 0..12 {
            files.extend((0..wide).map(|file| format!("w/d{wide:02}/f{file}")));
        }
        for file in &files {
            write(file, &format!("{file}\n"));
        }
        let index_of = || {
            let file = path.join(".git/index");
            IndexFile::read_file(&file)
                .expect("an index file")
                .expect("a readable index")
        };
        let repo = Repo::discover(path).expect("a repository");
        let all_listed = |index: &IndexFile| {
            let root = IndexDir {
                index,
                entries: &index.entries,
                node: index.tree_root(),
            };
            let mut out = Vec::new();
            listed(&repo, root, &mut Vec::new(), &mut out);
            out
        };

        git(path, &["add", "-A"]);
        let index = index_of();
        assert_eq!(index.tree_root(), None, "git add writes no cache-tree");
        let uncached = all_listed(&index);
        let mut sorted = files.clone();
        sorted.sort();
        let only_files: Vec<&String> = uncached.iter().filter(|l| !l.contains(' ')).collect();
        assert_eq!(only_files, sorted.iter().collect::<Vec<_>>());
        for expected in ["a/ -", "a/b/ -", "a/b/d/ -", "a/b-c/ -", "w/d11/ -"] {
            assert!(uncached.iter().any(|l| l == expected), "{expected}");
        }
        let order = |line: &str| uncached.iter().position(|l| l == line).expect(line);
        assert!(order("a-b") < order("a.txt") && order("a.txt") < order("a/ -"));
        assert!(order("a/b0") < order("a0") && order("a/b-c/d") < order("a/b/ -"));

        let head = commit_tree(path, "first");
        let committed = all_listed(&index_of());
        let cached = |l: &String| l.replace(" -", " cached");
        assert_eq!(committed, uncached.iter().map(cached).collect::<Vec<_>>());

        write("a/b/d/e", "changed\n");
        write("a/b-c/new", "new\n");
        write("w/d07/f6", "new\n");
        // Named paths, not `add -A`, which invalidates every node.
        git(path, &["add", "a/b/d/e", "a/b-c/new", "w/d07/f6"]);
        git(path, &["rm", "-q", "w/d11/f3", "a0"]);
        let index = index_of();
        let staged = all_listed(&index);
        for invalid in ["a/ -", "a/b/ -", "a/b/d/ -", "a/b-c/ -", "w/ -", "w/d07/ -"] {
            assert!(staged.iter().any(|l| l == invalid), "{invalid}");
        }
        for valid in [
            "b/ cached",
            "w/d06/ cached",
            "w/d08/ cached",
            "w/d10/ cached",
        ] {
            assert!(staged.iter().any(|l| l == valid), "{valid} in {staged:?}");
        }
        let root = IndexDir {
            index: &index,
            entries: &index.entries,
            node: index.tree_root(),
        };
        let mut raw = Vec::new();
        let sides = (Some(TreeDir(head)), Some(root));
        walk(&repo, sides, None, &mut raw).expect("a diff");
        let args = ["diff", "--cached", "--no-renames", "--name-status"];
        let expected: Vec<String> = String::from_utf8_lossy(&git(path, &args))
            .lines()
            .map(|line| line.replace('\t', " "))
            .collect();
        assert_eq!(printed(&raw), expected);
        assert_eq!(expected.len(), 5);
    }
}
