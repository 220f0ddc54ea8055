//! Line-level diffs, read only for the changes the rules ask about.

use std::io::Read;
use std::path::Path;
use std::rc::Rc;

use git2::{DiffOptions, Patch};
use sha1::{Digest, Sha1};

use super::Repo;
use super::error::{Context, GitError, ReadError};
use super::id::Id;
use crate::change::{Change, Content, Line, LineDiff};

/// git's own test: a NUL byte in the first 8000 bytes makes a file binary.
const BINARY_PROBE: usize = 8000;
const MODE_SYMLINK: u32 = 0o120000;
const MODE_REGULAR: u32 = 0o100000;

impl Repo {
    /// Fills in `lines` for the changes at `which`. With `whitespace` false, edits that
    /// only change whitespace or blank lines produce no lines.
    pub fn load_lines(
        &self,
        changes: &mut [Change],
        which: &[usize],
        whitespace: bool,
    ) -> Result<(), GitError> {
        for &i in which {
            let change = &mut changes[i];
            if change.old.is_some_and(|c| c.is_gitlink())
                || change.new.is_some_and(|c| c.is_gitlink())
            {
                continue;
            }
            let old_path = change.old_path.as_deref().unwrap_or(&change.path);
            let old = self.read_content(old_path, change.old)?;
            let new = self.read_content(&change.path, change.new)?;
            change.lines = Some(self.diff_lines(&change.path, &old, &new, whitespace)?);
        }
        Ok(())
    }

    /// Whether the two sides of `change` differ in more than whitespace. Then some line
    /// differs whitespace aside, and the change is no whitespace-only edit; `false`
    /// leaves it to a line diff (a line split in two differs there, not here).
    pub fn differs_beyond_whitespace(&self, change: &Change) -> Result<bool, GitError> {
        let old_path = change.old_path.as_deref().unwrap_or(&change.path);
        let old = self.read_content(old_path, change.old)?;
        let new = self.read_content(&change.path, change.new)?;
        Ok(differ_beyond_whitespace(&old, &new))
    }

    /// The bytes of one side of a change (`path` names it in messages and in the work
    /// tree); an absent side, or a work-tree file that has gone, is empty. Blobs are
    /// shared with the cache of blobs read lately, not copied.
    pub fn read_content(&self, path: &str, content: Option<Content>) -> Result<Rc<[u8]>, GitError> {
        match content {
            None => Ok(Rc::from(&[][..])),
            Some(Content::Object { id, .. }) => {
                let id = Id(id);
                if let Some(bytes) = self.blobs.borrow_mut().get(id) {
                    return Ok(bytes);
                }
                if let Some(bytes) = self.work_tree_copy(id).or_else(|| self.read_ahead_blob(id)) {
                    self.blobs.borrow_mut().insert(id, Rc::clone(&bytes));
                    return Ok(bytes);
                }
                let context = || format!("cannot read the blob {id} of `{path}`");
                let (kind, bytes) = self.read_object(id, context)?;
                if kind != git2::ObjectType::Blob {
                    return Err(ReadError::damaged("not a blob")).context(context);
                }
                self.blobs.borrow_mut().insert(id, Rc::clone(&bytes));
                Ok(bytes)
            }
            Some(Content::WorkTree { mode }) => {
                let root = self.require_workdir("reading the work tree")?;
                let file = root.join(path);
                // As `git diff` reads it: converted, if git converts it.
                if mode & 0o170000 == MODE_REGULAR
                    && file.is_file()
                    && let Some((_, bytes)) = self.read_converted(path)?
                {
                    return Ok(bytes);
                }
                let bytes =
                    read_work_tree(&file, mode).context(|| format!("cannot read `{path}`"))?;
                Ok(Rc::from(bytes))
            }
        }
    }
}

impl Repo {
    /// Notes where the staged sides of `changes` likely are in the work tree too (`git
    /// add` made their blobs from there), so that [`Repo::read_content`] reads them
    /// there rather than inflate them, once their bytes hash to the blob's id.
    pub(super) fn expect_in_work_tree(&self, changes: &[Change]) {
        let mut copies = self.work_tree_copies.borrow_mut();
        for change in changes {
            if let Some(Content::Object { id, mode }) = change.new
                && mode & 0o170000 == MODE_REGULAR
            {
                copies.insert(Id(id), change.path.clone());
            }
        }
    }

    /// The blob `id` as its work-tree copy holds it, if the file noted for it hashes
    /// to `id`: then its bytes are the blob's, whatever the file's stat, filters or
    /// line endings. Replace refs may give the blob other bytes: then it is read.
    fn work_tree_copy(&self, id: Id) -> Option<Rc<[u8]>> {
        let file = self
            .workdir()?
            .join(self.work_tree_copies.borrow().get(&id)?);
        if !self.replaced().is_empty() {
            return None;
        }
        let bytes = read_shared(&file).ok()?;
        (blob_id(&bytes) == id).then_some(bytes)
    }
}

/// A file's bytes read straight into the shared buffer the caches hold: read into a
/// `Vec` first, they would be copied into a second allocation as large. A file that
/// changes size meanwhile reads as an error or as its first bytes, which the caller's
/// hash then refuses.
fn read_shared(path: &Path) -> std::io::Result<Rc<[u8]>> {
    let mut file = std::fs::File::open(path)?;
    let len =
        usize::try_from(file.metadata()?.len()).map_err(|_| std::io::ErrorKind::OutOfMemory)?;
    let mut bytes: Rc<[u8]> = std::iter::repeat_n(0, len).collect();
    let buffer = Rc::get_mut(&mut bytes).ok_or(std::io::ErrorKind::Other)?;
    file.read_exact(buffer)?;
    Ok(bytes)
}

/// The id git gives a blob holding `bytes`.
fn blob_id(bytes: &[u8]) -> Id {
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()));
    hasher.update(bytes);
    Id(hasher.finalize().into())
}

/// A work-tree file's bytes (a symlink's target for mode 120000); a missing file is
/// empty. Free of any repository handle, so scans can call it from many threads.
pub fn read_work_tree(path: &Path, mode: u32) -> std::io::Result<Vec<u8>> {
    let read = if mode == MODE_SYMLINK {
        std::fs::read_link(path).map(|target| target.to_string_lossy().into_owned().into_bytes())
    } else {
        std::fs::read(path)
    };
    match read {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        other => other,
    }
}

impl Repo {
    /// The line diff of two contents already read (see [`Repo::load_lines`]), as `git
    /// diff` gives it in this repository; `path` names the file in errors.
    pub fn diff_lines(
        &self,
        path: &str,
        old: &[u8],
        new: &[u8],
        whitespace: bool,
    ) -> Result<LineDiff, GitError> {
        named_diff(path, old, new, whitespace, self.indent_heuristic())
    }

    /// `diff.indentHeuristic`: on unless configured off, as in git. Where an added or
    /// removed group of lines could sit at several places, it picks the one git reports.
    fn indent_heuristic(&self) -> bool {
        *self.indent_heuristic.get_or_init(|| {
            self.config()
                .and_then(|config| config.get_bool("diff.indentHeuristic").ok())
                .unwrap_or(true)
        })
    }
}

/// The line diff of two contents with git's default options, outside any repository
/// (a rule judged in memory); `path` names the file in errors.
pub fn diff_lines(
    path: &str,
    old: &[u8],
    new: &[u8],
    whitespace: bool,
) -> Result<LineDiff, GitError> {
    named_diff(path, old, new, whitespace, true)
}

fn named_diff(
    path: &str,
    old: &[u8],
    new: &[u8],
    whitespace: bool,
    indent_heuristic: bool,
) -> Result<LineDiff, GitError> {
    let options = LineOptions {
        whitespace,
        indent_heuristic,
    };
    line_diff(old, new, options).context(|| format!("cannot diff `{path}`"))
}

/// How lines are compared.
#[derive(Debug, Clone, Copy)]
struct LineOptions {
    /// Whether whitespace and blank lines count (else as `git diff -w --ignore-blank-lines`).
    whitespace: bool,
    indent_heuristic: bool,
}

/// Whether `old` and `new` differ once the whitespace git's `-w` ignores (C's
/// `isspace`) is removed. If so, a line diff ignoring whitespace and blank lines has
/// lines: had it none, the lines (hence the whole texts) would match whitespace aside.
fn differ_beyond_whitespace(old: &[u8], new: &[u8]) -> bool {
    let visible = |bytes: &[u8]| {
        let is_space = |b: &&u8| matches!(**b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
        bytes
            .iter()
            .filter(|b| !is_space(b))
            .copied()
            .collect::<Vec<u8>>()
    };
    visible(old) != visible(new)
}

/// Whether content looks binary, as git decides: a NUL byte near the start.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(BINARY_PROBE)].contains(&0)
}

fn line_diff(old: &[u8], new: &[u8], options: LineOptions) -> Result<LineDiff, git2::Error> {
    let LineOptions {
        whitespace,
        indent_heuristic,
    } = options;
    if is_binary(old) || is_binary(new) {
        return Ok(LineDiff {
            binary: true,
            ..LineDiff::default()
        });
    }
    let mut options = DiffOptions::new();
    options
        .context_lines(0)
        .indent_heuristic(indent_heuristic)
        .skip_binary_check(true)
        .ignore_whitespace(!whitespace)
        .ignore_blank_lines(!whitespace);
    let patch = Patch::from_buffers(old, None, new, None, Some(&mut options))?;
    let mut diff = LineDiff::default();
    for hunk in 0..patch.num_hunks() {
        for index in 0..patch.num_lines_in_hunk(hunk)? {
            let line = patch.line_in_hunk(hunk, index)?;
            let text = String::from_utf8_lossy(line.content())
                .trim_end_matches(['\n', '\r'])
                .to_owned();
            match (line.origin(), line.new_lineno(), line.old_lineno()) {
                ('+', Some(number), _) => diff.added.push(Line { number, text }),
                ('-', _, Some(number)) => diff.removed.push(Line { number, text }),
                _ => {}
            }
        }
    }
    Ok(diff)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// git's defaults, with whitespace counting or not.
    fn plain(whitespace: bool) -> LineOptions {
        LineOptions {
            whitespace,
            indent_heuristic: true,
        }
    }

    fn numbers(lines: &[Line]) -> Vec<u32> {
        lines.iter().map(|l| l.number).collect()
    }

    proptest::proptest! {
        #[test]
        fn texts_differing_beyond_whitespace_have_changed_lines(
            old in "[ab \t\n\x0b\x0c\r]{0,12}",
            new in "[ab \t\n\x0b\x0c\r]{0,12}",
        ) {
            let (old, new) = (old.as_bytes(), new.as_bytes());
            if differ_beyond_whitespace(old, new) {
                proptest::prop_assert!(!line_diff(old, new, plain(false)).expect("diffs").is_empty());
            }
        }
    }

    #[test]
    fn only_whitespace_changes_leave_the_texts_alike() {
        assert!(!differ_beyond_whitespace(
            b"a b\n\nc\n",
            b"a\tb\r\nc \x0b\n"
        ));
        assert!(differ_beyond_whitespace(b"a b\n", b"a c\n"));
        // Alike here, yet a line diff sees the split line: callers diff these.
        assert!(!differ_beyond_whitespace(b"ab\n", b"a\nb\n"));
        assert!(
            !line_diff(b"ab\n", b"a\nb\n", plain(false))
                .expect("diffs")
                .is_empty()
        );
    }

    #[test]
    fn reports_added_and_removed_lines_with_their_numbers() {
        let diff = line_diff(b"a\nb\nc\n", b"a\nB\nc\nd\n", plain(false)).expect("diffs");
        assert_eq!(numbers(&diff.added), [2, 4]);
        assert_eq!(numbers(&diff.removed), [2]);
        assert_eq!(diff.added[0].text, "B");
    }

    #[test]
    fn whitespace_only_edits_produce_no_lines_unless_asked() {
        let old = b"fn a() {\n    x();\n}\n";
        let new = b"fn a() {\n\tx();\n\n}\n";
        assert!(line_diff(old, new, plain(false)).expect("diffs").is_empty());
        assert!(!line_diff(old, new, plain(true)).expect("diffs").is_empty());
    }

    #[test]
    fn nul_bytes_mark_binary_content() {
        let diff = line_diff(b"text\n", b"bin\0ary", plain(false)).expect("diffs");
        assert!(diff.binary && diff.is_empty());
    }
}
