//! A read-only parser for git's index file (versions 2–4) and its cache-tree extension.
//!
//! libgit2 does not expose the cache-tree, and without it a staged diff reads every
//! tree of HEAD. With it, a directory whose cached tree id equals HEAD's is skipped
//! whole, as `git diff --cached` does: the work grows with the change, not the
//! repository. See git's `Documentation/gitformat-index.txt`.

use std::cell::RefCell;
use std::io::Read;
use std::ops::Range;
use std::path::Path;

use super::id::Id;

const HASH_LEN: usize = 20;
const STAGE_MASK: u16 = 0x3000;
const EXTENDED: u16 = 0x4000;
const NAME_MASK: u16 = 0x0fff;
const INTENT_TO_ADD: u16 = 0x2000;
const SKIP_WORKTREE: u16 = 0x4000;

/// One path of the index at stage 0, or a conflicted path (any stage) once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    /// Where [`IndexFile::path`] finds the path: 32-bit offsets keep an entry at 36
    /// bytes rather than 48, and the index's one large allocation a quarter smaller.
    path: Range<u32>,
    pub mode: u32,
    pub id: Id,
    pub conflicted: bool,
    /// Outside a sparse checkout (the skip-worktree bit): git takes the entry's
    /// content from the index, never from the work tree, where it is absent.
    pub skip_worktree: bool,
}

impl IndexEntry {
    /// Where the path is in [`IndexFile`]'s paths.
    fn span(&self) -> Range<usize> {
        span(&self.path)
    }
}

/// A cache-tree node: a directory whose tree id is known while `id` is `Some`. The
/// nodes are one list in pre-order; a node's subtree runs up to `end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeNode {
    /// Where the name is in [`IndexFile`]'s tree names.
    name: Range<usize>,
    pub id: Option<Id>,
    /// The position after the node's last descendant.
    end: usize,
}

/// Which cache-tree node: a position in the pre-order list.
pub type NodeAt = usize;

#[derive(Debug, Default)]
pub struct IndexFile {
    pub entries: Vec<IndexEntry>,
    /// Where entries' paths point: the file itself for versions 2 and 3, whose paths are
    /// stored whole; the paths rebuilt from prefix compression for version 4.
    paths: Vec<u8>,
    /// The cache-tree's nodes in pre-order (empty without one), and their names.
    tree: Vec<TreeNode>,
    tree_names: Vec<u8>,
    /// The children of the node asked about last ([`IndexFile::tree_child`]).
    children: RefCell<Option<(NodeAt, Vec<NodeAt>)>>,
}

/// Why an index cannot be read here.
#[derive(Debug, PartialEq, Eq)]
pub enum Unreadable {
    /// Valid, but a feature this parser leaves to libgit2 (split or sparse index, SHA-256).
    Unsupported(&'static str),
    Corrupt(String),
}

impl IndexFile {
    pub fn path(&self, entry: &IndexEntry) -> &[u8] {
        &self.paths[entry.span()]
    }

    /// The cache-tree's root, if the index has a cache-tree.
    pub fn tree_root(&self) -> Option<NodeAt> {
        (!self.tree.is_empty()).then_some(0)
    }

    pub fn tree_node(&self, at: NodeAt) -> &TreeNode {
        &self.tree[at]
    }

    /// The child of the cache-tree node `at` named `name` (the first, should two share
    /// it). A walk asks a directory's node for each of its subdirectories in turn: the
    /// node's children are listed at the first question, in git's order (by length,
    /// then by name), and looked up by halves until another node is asked about.
    pub fn tree_child(&self, at: NodeAt, name: &[u8]) -> Option<NodeAt> {
        let mut listed = self.children.borrow_mut();
        if listed.as_ref().is_none_or(|(node, _)| *node != at) {
            *listed = Some((at, self.children_in_order(at)));
        }
        let children = listed.as_ref().map_or(&[][..], |(_, children)| children);
        let key = |child: NodeAt| {
            let name = self.tree_name(child);
            (name.len(), name)
        };
        let first = children.partition_point(|&child| key(child) < (name.len(), name));
        children
            .get(first)
            .copied()
            .filter(|&child| self.tree_name(child) == name)
    }

    /// The children of the node `at` by length, then by name, as git writes them; a
    /// stable sort puts them so otherwise, equal names in the file's order.
    fn children_in_order(&self, at: NodeAt) -> Vec<NodeAt> {
        let mut children = Vec::new();
        let mut child = at + 1;
        while child < self.tree[at].end {
            children.push(child);
            child = self.tree[child].end;
        }
        let key = |child: &NodeAt| {
            let name = self.tree_name(*child);
            (name.len(), name)
        };
        if !children.is_sorted_by_key(key) {
            children.sort_by_key(key);
        }
        children
    }

    fn tree_name(&self, at: NodeAt) -> &[u8] {
        &self.tree_names[self.tree[at].name.clone()]
    }

    /// Reads the index file at `path` in blocks ([`BLOCK`]), never holding the whole
    /// file: its entries' paths are copied out as they are parsed. An error from the file
    /// system (a missing file is `NotFound`) is the outer one.
    pub fn read_file(path: &Path) -> std::io::Result<Result<IndexFile, Unreadable>> {
        let file = std::fs::File::open(path)?;
        let size = file.metadata()?.len();
        IndexFile::read(file, usize::try_from(size).unwrap_or(usize::MAX), BLOCK)
    }

    /// An index file's bytes, held whole by the caller.
    pub fn parse(data: Vec<u8>) -> Result<IndexFile, Unreadable> {
        // A slice gives no read error.
        IndexFile::read(&data[..], data.len(), BLOCK)
            .unwrap_or_else(|e| Err(Unreadable::Corrupt(e.to_string())))
    }

    /// Parses the index `file` holds (`size` bytes, as far as it is known), read `block`
    /// bytes at a time. As git reads
    /// an index outside `git fsck` (read-cache.c, `verify_hdr`: `verify_index_checksum`
    /// is set by fsck alone), the trailing checksum is not verified; damaged entries or
    /// extensions are refused by the parse itself.
    fn read(
        file: impl Read,
        size: usize,
        block: usize,
    ) -> std::io::Result<Result<IndexFile, Unreadable>> {
        let mut blocks = Blocks::new(file, block);
        let parsed = parse_blocks(&mut blocks, size);
        match blocks.error {
            Some(e) => Err(e),
            None => Ok(parsed),
        }
    }
}

fn parse_blocks(reader: &mut Blocks<impl Read>, size: usize) -> Result<IndexFile, Unreadable> {
    if reader.take(4)? != b"DIRC" {
        return Err(Unreadable::Corrupt(
            "not an index file (no DIRC signature)".into(),
        ));
    }
    let version = reader.u32()?;
    if !(2..=4).contains(&version) {
        return Err(Unreadable::Corrupt(format!(
            "unknown index version {version}"
        )));
    }
    let count = reader.u32()? as usize;
    let mut entries = Vec::with_capacity(count.min(size / 62));
    // At most what the file holds past the entries' fixed parts: grown once, not copied
    // as it grows (pages of it not written are never touched).
    let mut paths = Vec::with_capacity(size.saturating_sub(12 + 62 * entries.capacity()));
    let mut previous: Range<u32> = 0..0;
    for _ in 0..count {
        let entry = reader.entry(version, &mut paths, previous.clone())?;
        previous = entry.path.clone();
        keep(&mut entries, entry, &paths);
    }
    let (mut tree, mut tree_names) = (Vec::new(), Vec::new());
    // Extensions (a signature and a size, then the body) up to the trailing checksum.
    while reader.fill(8 + HASH_LEN) {
        let signature: [u8; 4] = reader.take(4)?.try_into().map_err(|_| truncated())?;
        let size = reader.u32()? as usize;
        match &signature {
            b"TREE" => (tree, tree_names) = parse_tree(reader.take(size)?)?,
            b"link" => return Err(Unreadable::Unsupported("split index")),
            b"sdir" => return Err(Unreadable::Unsupported("sparse index")),
            _ => reader.skip(size)?,
        }
    }
    if !reader.fill(HASH_LEN) {
        return Err(truncated());
    }
    Ok(IndexFile {
        entries,
        paths,
        tree,
        tree_names,
        children: RefCell::default(),
    })
}

/// Adds `entry` (its path in `paths`) to `entries`, keeping one entry per conflicted
/// path and dropping intent-to-add entries, which a staged diff does not show.
fn keep(entries: &mut Vec<IndexEntry>, entry: Parsed, paths: &[u8]) {
    if entry.intent_to_add {
        return;
    }
    let conflicted = entry.stage != 0;
    if conflicted
        && let Some(last) = entries.last()
        && paths[last.span()] == paths[span(&entry.path)]
    {
        return;
    }
    entries.push(IndexEntry {
        path: entry.path,
        mode: entry.mode,
        id: if conflicted { Id::ZERO } else { entry.id },
        conflicted,
        skip_worktree: entry.skip_worktree,
    });
}

/// A path's place in the paths, from its 32-bit offsets.
fn span(path: &Range<u32>) -> Range<usize> {
    path.start as usize..path.end as usize
}

fn truncated() -> Unreadable {
    Unreadable::Corrupt("the index file is truncated".into())
}

struct Parsed {
    path: Range<u32>,
    mode: u32,
    id: Id,
    stage: u16,
    intent_to_add: bool,
    skip_worktree: bool,
}

/// Bytes read from an index file at a time.
const BLOCK: usize = 64 << 10;

/// An index file's bytes as the parser takes them: read in blocks into one buffer, which
/// holds only what is being parsed (an extension's body whole).
struct Blocks<R> {
    file: R,
    /// Bytes read at a time, at least.
    block: usize,
    buffer: Vec<u8>,
    /// Where the bytes not yet taken start in `buffer`.
    next: usize,
    /// Bytes taken since the file's start.
    at: usize,
    /// The first read error: the parser sees the file end there, its caller the error.
    error: Option<std::io::Error>,
}

impl<R: Read> Blocks<R> {
    fn new(file: R, block: usize) -> Blocks<R> {
        Blocks {
            file,
            block,
            buffer: Vec::new(),
            next: 0,
            at: 0,
            error: None,
        }
    }

    /// Whether `len` bytes are at hand, read if they were not; `false` when the file
    /// ends sooner.
    #[inline]
    fn fill(&mut self, len: usize) -> bool {
        self.buffer.len() - self.next >= len || self.read_more(len)
    }

    #[cold]
    fn read_more(&mut self, len: usize) -> bool {
        while self.buffer.len() - self.next < len {
            if self.error.is_some() {
                return false;
            }
            self.buffer.drain(..self.next);
            self.next = 0;
            let want = len.max(self.block) - self.buffer.len();
            self.buffer.reserve(want.min(self.block));
            match (&mut self.file)
                .take(want as u64)
                .read_to_end(&mut self.buffer)
            {
                Ok(0) => return false,
                Ok(_) => {}
                Err(e) => self.error = Some(e),
            }
        }
        true
    }

    #[inline]
    fn take(&mut self, len: usize) -> Result<&[u8], Unreadable> {
        if !self.fill(len) {
            return Err(truncated());
        }
        let start = self.next;
        self.next += len;
        self.at += len;
        Ok(&self.buffer[start..start + len])
    }

    /// Passes over `len` bytes, holding no more of them than a block.
    fn skip(&mut self, mut len: usize) -> Result<(), Unreadable> {
        loop {
            let here = (self.buffer.len() - self.next).min(len);
            self.next += here;
            self.at += here;
            len -= here;
            if len == 0 {
                return Ok(());
            }
            if !self.fill(1) {
                return Err(truncated());
            }
        }
    }

    fn u32(&mut self) -> Result<u32, Unreadable> {
        let bytes = self.take(4)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn u16(&mut self) -> Result<u16, Unreadable> {
        let bytes = self.take(2)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    /// Reads one entry, its path added to `paths`: rebuilt from the `previous` one's for
    /// version 4, whose paths are prefix-compressed, else as stored.
    fn entry(
        &mut self,
        version: u32,
        paths: &mut Vec<u8>,
        previous: Range<u32>,
    ) -> Result<Parsed, Unreadable> {
        let start = self.at;
        // Stat data (40 bytes, the mode among them), the object id, the flags.
        let fixed = self.take(40 + HASH_LEN + 2)?;
        let mode = u32::from_be_bytes([fixed[24], fixed[25], fixed[26], fixed[27]]);
        let id = Id::from_slice(&fixed[40..40 + HASH_LEN])
            .ok_or_else(|| Unreadable::Corrupt("short object id".to_owned()))?;
        let flags = u16::from_be_bytes([fixed[40 + HASH_LEN], fixed[41 + HASH_LEN]]);
        let extended = if version >= 3 && flags & EXTENDED != 0 {
            self.u16()?
        } else {
            0
        };
        let path_start = paths.len();
        if version == 4 {
            let strip = self.varint()?;
            let previous = span(&previous);
            let keep = previous
                .len()
                .checked_sub(strip)
                .ok_or_else(|| Unreadable::Corrupt("bad path compression".into()))?;
            paths.extend_from_within(previous.start..previous.start + keep);
            paths.extend_from_slice(self.until(0)?);
        } else {
            let name_len = usize::from(flags & NAME_MASK);
            paths.extend_from_slice(if name_len < usize::from(NAME_MASK) {
                self.take(name_len)?
            } else {
                self.until(0)?
            });
            // Entries are NUL-padded to a multiple of eight bytes.
            let padded = (self.at - start + 8) & !7;
            self.skip(
                (start + padded)
                    .checked_sub(self.at)
                    .ok_or_else(truncated)?,
            )?;
        }
        // 32-bit offsets: paths past 4 GiB (millions of long, prefix-compressed ones)
        // are left to git.
        let offset =
            |at: usize| u32::try_from(at).map_err(|_| Unreadable::Unsupported("paths past 4 GiB"));
        Ok(Parsed {
            path: offset(path_start)?..offset(paths.len())?,
            mode,
            id,
            stage: (flags & STAGE_MASK) >> 12,
            intent_to_add: extended & INTENT_TO_ADD != 0,
            skip_worktree: extended & SKIP_WORKTREE != 0,
        })
    }

    /// The bytes up to the next `end`, which is passed over too.
    fn until(&mut self, end: u8) -> Result<&[u8], Unreadable> {
        let mut searched = 0;
        loop {
            let rest = &self.buffer[self.next + searched..];
            if let Some(found) = rest.iter().position(|&b| b == end) {
                let len = searched + found;
                let start = self.next;
                self.next += len + 1;
                self.at += len + 1;
                return Ok(&self.buffer[start..start + len]);
            }
            searched += rest.len();
            if !self.fill(searched + 1) {
                return Err(truncated());
            }
        }
    }

    /// git's offset varint (varint.c): big-endian groups of seven bits, each
    /// continuation adding one.
    fn varint(&mut self) -> Result<usize, Unreadable> {
        let mut byte = self.take(1)?[0];
        let mut value = usize::from(byte & 0x7f);
        while byte & 0x80 != 0 {
            byte = self.take(1)?[0];
            value = value
                .checked_add(1)
                .and_then(|v| v.checked_mul(128))
                .ok_or_else(|| Unreadable::Corrupt("varint overflow".into()))?
                + usize::from(byte & 0x7f);
        }
        Ok(value)
    }
}

/// The cache-tree: nodes in pre-order, each `name NUL count SP subtrees LF [id]`, where
/// a count of -1 marks a directory whose tree id is unknown. Its nodes, and their names.
/// Read from the extension's body in place: a node is a few bytes, and a cursor over
/// the slice parses one in a few dozen instructions.
fn parse_tree(body: &[u8]) -> Result<(Vec<TreeNode>, Vec<u8>), Unreadable> {
    let mut reader = Cursor(body);
    // Sized once, from the body: a node with an id takes 25 bytes and its name's, one
    // without 6; names take less than the body. A node past the guess grows the list.
    let mut nodes = Vec::with_capacity(body.len() / NODE_GUESS);
    let mut names = Vec::with_capacity(body.len());
    if !body.is_empty() {
        tree_node(&mut reader, 0, &mut nodes, &mut names)?;
    }
    Ok((nodes, names))
}

/// Bytes of a cache-tree body a node takes, about: an id, counts, a short name.
const NODE_GUESS: usize = 32;

/// What is left of a cache-tree body.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    /// The bytes up to the next `end`, which is passed over too.
    fn until(&mut self, end: u8) -> Result<&'a [u8], Unreadable> {
        let at = self
            .0
            .iter()
            .position(|&b| b == end)
            .ok_or_else(truncated)?;
        let (found, rest) = self.0.split_at(at);
        self.0 = &rest[1..];
        Ok(found)
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], Unreadable> {
        let (found, rest) = self.0.split_at_checked(len).ok_or_else(truncated)?;
        self.0 = rest;
        Ok(found)
    }
}

fn tree_node(
    reader: &mut Cursor<'_>,
    depth: usize,
    nodes: &mut Vec<TreeNode>,
    names: &mut Vec<u8>,
) -> Result<(), Unreadable> {
    if depth > 4096 {
        return Err(Unreadable::Corrupt("cache-tree nests too deep".into()));
    }
    let start = names.len();
    names.extend_from_slice(reader.until(0)?);
    let count = number(reader.until(b' ')?)?;
    let subtrees = number(reader.until(b'\n')?)?;
    let id = if count >= 0 {
        Some(
            Id::from_slice(reader.take(HASH_LEN)?)
                .ok_or_else(|| Unreadable::Corrupt("short object id".to_owned()))?,
        )
    } else {
        None
    };
    let subtrees = usize::try_from(subtrees)
        .map_err(|_| Unreadable::Corrupt("negative subtree count".into()))?;
    let at = nodes.len();
    nodes.push(TreeNode {
        name: start..names.len(),
        id,
        end: at + 1,
    });
    for _ in 0..subtrees {
        tree_node(reader, depth + 1, nodes, names)?;
    }
    nodes[at].end = nodes.len();
    Ok(())
}

/// A decimal number with an optional sign (as `str::parse` reads one).
fn number(text: &[u8]) -> Result<i64, Unreadable> {
    let (sign, digits) = match text.split_first() {
        Some((b'-', digits)) => (-1, digits),
        Some((b'+', digits)) => (1, digits),
        _ => (1, text),
    };
    let value = (!digits.is_empty()).then_some(digits).and_then(|digits| {
        digits.iter().try_fold(0i64, |value, &digit| {
            let digit = i64::from(digit.checked_sub(b'0').filter(|d| *d < 10)?);
            value.checked_mul(10)?.checked_add(digit)
        })
    });
    value
        .map(|value| sign * value)
        .ok_or_else(|| Unreadable::Corrupt("bad number in the cache-tree".into()))
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::OnceLock;

    use super::*;
    use proptest::prelude::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        String::from_utf8_lossy(&super::super::test_git::git(dir, args)).into_owned()
    }

    /// Index files git wrote, versions 2, 3 (an intent-to-add entry) and 4, each with a
    /// cache tree and a conflict-free stage 0, and what `git ls-files --stage` lists.
    fn indexes() -> &'static [(Vec<u8>, String)] {
        static INDEXES: OnceLock<Vec<(Vec<u8>, String)>> = OnceLock::new();
        INDEXES.get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let root = dir.path();
            git(root, &["init", "-q", "."]);
            for (path, text) in [
                ("a.txt", "a"),
                ("src/lib.rs", "l"),
                ("src/deep/x.md", "x"),
                ("z", "z"),
            ] {
                let file = root.join(path);
                std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
                std::fs::write(file, text).expect("write");
            }
            git(root, &["add", "."]);
            git(root, &["write-tree"]);
            let mut indexes = Vec::new();
            for version in ["2", "3", "4"] {
                if version == "3" {
                    std::fs::write(root.join("later.txt"), "n").expect("write");
                    git(root, &["add", "-N", "later.txt"]);
                }
                git(root, &["update-index", "--index-version", version]);
                let listed = git(root, &["ls-files", "--stage"]);
                indexes.push((
                    std::fs::read(root.join(".git/index")).expect("index"),
                    listed,
                ));
            }
            indexes
        })
    }

    #[test]
    fn indexes_git_writes_read_as_git_lists_them() {
        for (data, listed) in indexes() {
            let index = IndexFile::parse(data.clone()).expect("parses");
            let read = listing(&index);
            // `git ls-files` lists intent-to-add entries, which a staged diff leaves out.
            let expected: Vec<&str> = listed
                .lines()
                .filter(|l| !l.ends_with("later.txt"))
                .collect();
            assert_eq!(read, expected);
            assert!(index.tree_root().is_some(), "a cache tree");
        }
    }

    /// A version-2 index of 1,500 paths (over 100 KiB, with a cache-tree of 300
    /// directories) as git wrote it, and what `git ls-files --stage` lists.
    fn large_index() -> &'static (Vec<u8>, String) {
        static INDEX: OnceLock<(Vec<u8>, String)> = OnceLock::new();
        INDEX.get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let root = dir.path();
            git(root, &["init", "-q", "."]);
            for i in 0..1500 {
                let file = root.join(format!(
                    "directory-with-a-long-name-{}/file-{i}-{}.txt",
                    i % 300,
                    "x".repeat(i % 90)
                ));
                std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
                std::fs::write(file, i.to_string()).expect("write");
            }
            git(root, &["add", "."]);
            git(root, &["write-tree"]);
            let listed = git(root, &["ls-files", "--stage"]);
            let data = std::fs::read(root.join(".git/index")).expect("index");
            assert!(data.len() > 2 * BLOCK, "the index spans blocks");
            (data, listed)
        })
    }

    fn listing(index: &IndexFile) -> Vec<String> {
        index
            .entries
            .iter()
            .map(|e| {
                format!(
                    "{:o} {} 0\t{}",
                    e.mode,
                    e.id,
                    String::from_utf8_lossy(index.path(e))
                )
            })
            .collect()
    }

    #[test]
    fn an_index_over_many_blocks_reads_as_git_lists_it() {
        let (data, listed) = large_index();
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("index");
        std::fs::write(&path, data).expect("write");
        let index = IndexFile::read_file(&path)
            .expect("readable")
            .expect("parses");
        assert_eq!(listing(&index), listed.lines().collect::<Vec<_>>());
        assert_eq!(index.tree.len(), 301, "the root and 300 directories");
    }

    #[test]
    fn any_block_size_reads_the_same_index() {
        for (data, _) in indexes() {
            let whole = IndexFile::parse(data.clone()).expect("parses");
            for block in 1..=80 {
                let read = IndexFile::read(&data[..], data.len(), block)
                    .expect("a slice reads")
                    .expect("parses");
                assert_eq!(listing(&read), listing(&whole), "block of {block}");
                assert_eq!(
                    (&read.tree, &read.tree_names),
                    (&whole.tree, &whole.tree_names)
                );
            }
        }
    }

    #[test]
    fn an_index_cut_anywhere_is_refused_as_truncated() {
        let (data, _) = large_index();
        for len in [
            13,
            100,
            BLOCK - 1,
            BLOCK,
            BLOCK + 7,
            data.len() / 2,
            data.len() - 21,
            data.len() - 1,
        ] {
            assert_eq!(
                IndexFile::parse(data[..len].to_vec()).map(|_| ()),
                Err(truncated()),
                "cut at {len}"
            );
        }
    }

    proptest! {
        /// Damaged indexes (bytes changed, or cut short) are read or refused, never a panic.
        #[test]
        fn damaged_indexes_are_read_or_refused_without_panicking(
            which in 0_usize..3,
            changes in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
            cut in any::<prop::sample::Index>(),
            truncate in any::<bool>(),
        ) {
            let mut data = indexes()[which].0.clone();
            for (at, byte) in &changes {
                let at = at.index(data.len());
                data[at] = *byte;
            }
            if truncate {
                data.truncate(cut.index(data.len()));
            }
            let _ = IndexFile::parse(data);
        }
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        assert!(matches!(
            IndexFile::parse(Vec::new()),
            Err(Unreadable::Corrupt(_))
        ));
        assert!(matches!(
            IndexFile::parse(b"DIRC\0\0\0\x09\0\0\0\0".to_vec()),
            Err(Unreadable::Corrupt(_))
        ));
        assert!(matches!(
            IndexFile::parse(b"DIRC\0\0\0\x02\0\0\0\x05abc".to_vec()),
            Err(Unreadable::Corrupt(_))
        ));
    }

    #[test]
    fn cache_tree_numbers_read_as_decimal_with_a_sign() {
        let read = |text: &[u8]| number(Cursor(text).until(b' ')?);
        assert_eq!(read(b"0 "), Ok(0));
        assert_eq!(read(b"3072 "), Ok(3072));
        assert_eq!(read(b"-1 "), Ok(-1));
        assert_eq!(read(b"+5 "), Ok(5));
        assert_eq!(read(b"9223372036854775807 "), Ok(i64::MAX));
        for bad in [
            &b" "[..],
            b"- ",
            b"-+1 ",
            b"1a ",
            b"99999999999999999999 ",
            b"12",
        ] {
            assert!(read(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn varint_matches_git() {
        // git encodes 128 as 0x80 0x00 and 16511 as 0xff 0x7f.
        let mut reader = Blocks::new(&[0x80, 0x00, 0xff, 0x7f, 0x05][..], 1);
        assert_eq!(reader.varint(), Ok(128));
        assert_eq!(reader.varint(), Ok(16511));
        assert_eq!(reader.varint(), Ok(5));
    }

    /// An index holding only the cache-tree extension whose body is `body`.
    fn with_cache_tree(body: &[u8]) -> IndexFile {
        let (tree, tree_names) = parse_tree(body).expect("parses");
        IndexFile {
            tree,
            tree_names,
            ..IndexFile::default()
        }
    }

    #[test]
    fn cache_tree_nodes_nest_in_pre_order() {
        let mut body = b"\x002 2\n".to_vec();
        body.extend_from_slice(&[1; 20]);
        body.extend_from_slice(b"src\0-1 1\n");
        body.extend_from_slice(b"deep\0-1 0\n");
        body.extend_from_slice(b"z\x001 0\n");
        body.extend_from_slice(&[2; 20]);
        let index = with_cache_tree(&body);
        let root = index.tree_root().expect("present");
        assert!(index.tree_node(root).id.is_some());
        let src = index.tree_child(root, b"src").expect("src");
        assert_eq!(index.tree_node(src).id, None);
        let deep = index.tree_child(src, b"deep").expect("src/deep");
        assert_eq!(index.tree_child(root, b"deep"), None);
        let z = index
            .tree_child(root, b"z")
            .expect("z, after src's subtree");
        assert_eq!(index.tree_node(z).id, Some(Id([2; 20])));
        assert_eq!(index.tree_child(deep, b"z"), None);
    }

    #[test]
    fn cache_tree_children_are_found_in_git_s_order_the_first_of_a_name_first() {
        // git writes subtrees by name length, then by name; a damaged one may repeat one.
        let mut body = b"\0-1 5\n".to_vec();
        for (name, byte) in [("a", 1), ("c", 2), ("bb", 3), ("c", 4), ("ab", 5)] {
            body.extend_from_slice(format!("{name}\x001 0\n").as_bytes());
            body.extend_from_slice(&[byte; 20]);
        }
        let index = with_cache_tree(&body);
        let root = index.tree_root().expect("present");
        let id = |name: &[u8]| {
            let child = index.tree_child(root, name)?;
            index.tree_node(child).id
        };
        for (name, byte) in [(&b"a"[..], 1), (b"bb", 3), (b"c", 2), (b"ab", 5), (b"a", 1)] {
            assert_eq!(id(name), Some(Id([byte; 20])), "{name:?}");
        }
        for absent in [&b""[..], b"b", b"aa", b"cc", b"d"] {
            assert_eq!(index.tree_child(root, absent), None, "{absent:?}");
        }
    }
}
