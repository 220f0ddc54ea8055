//! Reading a unified diff (`git diff`, `git format-patch`, `jj diff --git`, `diff -u`)
//! into plain file changes, for `check --diff`. Nothing here touches the repository:
//! the blob ids a patch names are handed on for the git layer to look up.

use miette::Diagnostic;
use thiserror::Error;

use crate::change::{Change, Content, Line, LineDiff, Status};

/// One file of a patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePatch {
    /// The new path; for a deletion, the old path.
    pub path: String,
    /// The path before a rename.
    pub old_path: Option<String>,
    pub status: Status,
    /// The abbreviated blob ids of the `index` line (old, new), when given.
    pub ids: Option<(String, String)>,
    pub old_mode: Option<u32>,
    pub new_mode: Option<u32>,
    /// Added and removed lines from the hunks; `binary` for binary files.
    pub lines: LineDiff,
}

/// A whole patch: its files, and the commit messages of a `format-patch` series.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Patch {
    pub files: Vec<FilePatch>,
    /// `(commit id, message)` for each mail of a `git format-patch` series.
    pub messages: Vec<(String, String)>,
}

#[derive(Debug, Error, Diagnostic, PartialEq, Eq)]
#[error("cannot read the patch `{name}` at line {line}: {reason}")]
#[diagnostic(
    code(lockstep::patch::malformed),
    help(
        "pass a unified diff as `git diff`, `git format-patch` or `jj diff --git` write it; the line was: {text}"
    )
)]
pub struct PatchError {
    pub name: String,
    pub line: usize,
    pub reason: String,
    pub text: String,
}

const MODE_FILE: u32 = 0o100644;

impl FilePatch {
    /// This file as changes. With both of its blobs found by `blob` (the repository
    /// has them, as for `git diff` of its own commits), the changes read them like any
    /// other diff, annotation blocks included, and a rename with edits is a deletion and
    /// an addition, as lockstep pairs only exact renames. Otherwise its lines come from
    /// the hunks, and its sides are unknown, so its annotation blocks cannot be read.
    pub fn into_changes(self, blob: impl Fn(&str) -> Option<[u8; 20]>) -> Vec<Change> {
        let side = |id: Option<&str>, mode: Option<u32>| {
            id.and_then(&blob).map(|id| Content::Object {
                id,
                mode: mode.unwrap_or(MODE_FILE),
            })
        };
        let (old_id, new_id) = self.ids.as_ref().map_or((None, None), |(old, new)| {
            (Some(old.as_str()), Some(new.as_str()))
        });
        let old = side(old_id, self.old_mode).filter(|_| self.status != Status::Added);
        let new = side(new_id, self.new_mode).filter(|_| self.status != Status::Deleted);
        let complete = (old.is_some() || self.status == Status::Added)
            && (new.is_some() || self.status == Status::Deleted);
        match (complete, self.old_path) {
            (true, Some(old_path)) => {
                let mut deleted = Change::new(old_path, Status::Deleted);
                deleted.old = old;
                let mut added = Change::new(self.path, Status::Added);
                added.new = new;
                vec![deleted, added]
            }
            (true, None) => {
                let mut change = Change::new(self.path, self.status);
                change.old = old;
                change.new = new;
                vec![change]
            }
            (false, old_path) => {
                let mut change = Change::new(self.path, self.status);
                change.old_path = old_path;
                change.lines = Some(self.lines);
                vec![change]
            }
        }
    }
}

/// Drops whitespace-only edits from the lines read out of a patch's hunks, as the line
/// diffs of a repository drop them (`settings.whitespace = false`).
pub fn ignore_whitespace(changes: &mut [Change]) {
    for change in changes {
        if let Some(lines) = change.lines.take() {
            change.lines = Some(without_whitespace_edits(lines));
        }
    }
}

/// The lines of a diff that ignores whitespace: blank lines dropped, and a removed
/// line cancelled by an added one that differs from it only in whitespace.
fn without_whitespace_edits(mut lines: LineDiff) -> LineDiff {
    let visible = |text: &str| text.split_whitespace().collect::<String>();
    lines.added.retain(|l| !l.text.trim().is_empty());
    lines.removed.retain(|l| !l.text.trim().is_empty());
    let mut added: Vec<Option<String>> =
        lines.added.iter().map(|l| Some(visible(&l.text))).collect();
    let mut keep_removed = Vec::with_capacity(lines.removed.len());
    for line in lines.removed {
        let text = visible(&line.text);
        match added
            .iter_mut()
            .find(|a| a.as_deref() == Some(text.as_str()))
        {
            Some(slot) => *slot = None,
            None => keep_removed.push(line),
        }
    }
    lines.removed = keep_removed;
    let mut kept = added.into_iter();
    lines.added.retain(|_| kept.next().flatten().is_some());
    lines
}

/// Where the parser is inside a file section.
enum State {
    /// Between files, or in a file's extended headers before its hunks.
    Headers,
    /// Inside a hunk, with the old and new lines still to come.
    Hunk {
        old_left: u32,
        new_left: u32,
        old_next: u32,
        new_next: u32,
    },
    /// Just after a hunk's last counted line: a further hunk line means the header
    /// counted too few.
    AfterHunk,
    /// A `GIT binary patch` body: skipped up to the next file.
    Binary,
}

/// Reads `text` (named `name` in errors).
pub fn parse(name: &str, text: &str) -> Result<Patch, PatchError> {
    let mut parser = Parser {
        name,
        patch: Patch::default(),
        state: State::Headers,
        message: None,
        number: 0,
    };
    let lines: Vec<&str> = text.split('\n').collect();
    let last = lines.len() - usize::from(text.ends_with('\n'));
    for (i, line) in lines[..last].iter().enumerate() {
        parser.number = i + 1;
        parser.line(
            line.strip_suffix('\r').unwrap_or(line),
            lines.get(i + 1).copied(),
        )?;
    }
    if let State::Hunk { .. } = parser.state {
        return Err(parser.error("the patch ends inside a hunk", ""));
    }
    parser.finish_message();
    if parser.patch.files.is_empty() && !text.trim().is_empty() && parser.patch.messages.is_empty()
    {
        return Err(PatchError {
            name: name.to_owned(),
            line: 1,
            reason: "no file changes found: expected `diff --git` or `---`/`+++` headers"
                .to_owned(),
            text: text.lines().next().unwrap_or_default().to_owned(),
        });
    }
    Ok(parser.patch)
}

struct Parser<'a> {
    name: &'a str,
    patch: Patch,
    state: State,
    /// The mail being read in a `format-patch` series: its commit and message so far.
    message: Option<(String, String, bool)>,
    number: usize,
}

impl Parser<'_> {
    fn error(&self, reason: &str, text: &str) -> PatchError {
        PatchError {
            name: self.name.to_owned(),
            line: self.number,
            reason: reason.to_owned(),
            text: text.to_owned(),
        }
    }

    fn file(&mut self) -> Option<&mut FilePatch> {
        self.patch.files.last_mut()
    }

    fn line(&mut self, line: &str, next: Option<&str>) -> Result<(), PatchError> {
        if let State::Hunk { .. } = self.state {
            return self.hunk_line(line);
        }
        if let State::AfterHunk = self.state {
            self.state = State::Headers;
            let file_header =
                line.starts_with("--- ") && next.is_some_and(|n| n.starts_with("+++ "));
            if line.starts_with(['+', ' '])
                || line.starts_with('-') && !file_header && line != "-- "
            {
                return Err(self.error("more lines than the hunk header counts", line));
            }
        }
        if let Some(rest) = line.strip_prefix("From ")
            && rest.len() >= 40
            && rest.as_bytes()[..40].iter().all(u8::is_ascii_hexdigit)
        {
            // A `format-patch` mail starts: `From <commit> Mon Sep 17 00:00:00 2001`.
            self.finish_message();
            self.message = Some((rest[..40].to_owned(), String::new(), false));
            self.state = State::Headers;
            return Ok(());
        }
        if let Some(rest) = line.strip_prefix("diff --git ") {
            self.finish_message();
            let (old, new) = git_header_paths(rest).ok_or_else(|| {
                self.error("cannot read the paths of a `diff --git` header", line)
            })?;
            self.start(old, new);
            return Ok(());
        }
        if matches!(self.state, State::Binary) {
            return Ok(());
        }
        if self.mail_line(line) {
            return Ok(());
        }
        if let Some(old) = line.strip_prefix("--- ")
            && let Some(new) = next.and_then(|n| n.strip_prefix("+++ "))
        {
            self.file_names(old, new);
            return Ok(());
        }
        if line.starts_with("+++ ") {
            // Its `---` line came first; nothing is left to read from it.
            return Ok(());
        }
        if let Some(header) = line.strip_prefix("@@ ") {
            let hunk = hunk_header(header)
                .ok_or_else(|| self.error("cannot read the hunk header", line))?;
            if self.file().is_none() {
                return Err(self.error("a hunk before any file header", line));
            }
            self.state = hunk;
            return Ok(());
        }
        self.extended_header(line)
    }

    /// Lines of a `format-patch` mail before its diff: headers, then the message up to
    /// the `---` line that starts the diffstat. Returns whether `line` was one.
    fn mail_line(&mut self, line: &str) -> bool {
        let Some((_, message, in_body)) = self.message.as_mut() else {
            return false;
        };
        if let Some(subject) = line.strip_prefix("Subject: ").filter(|_| !*in_body) {
            // `[PATCH 1/3] Subject`: the tag is format-patch's, not the message's.
            let subject = match subject.strip_prefix('[') {
                Some(rest) => rest.split_once("] ").map_or(subject, |(_, s)| s),
                None => subject,
            };
            message.push_str(subject);
            message.push('\n');
            return true;
        }
        if !*in_body {
            if line.starts_with([' ', '\t']) && !message.is_empty() {
                // A folded header: a long subject goes on.
                message.insert_str(
                    message.len() - 1,
                    line.trim_end().trim_start_matches(['\t']),
                );
            }
            if line.is_empty() {
                // The blank line after the headers: the subject is the title paragraph.
                *in_body = true;
                message.push('\n');
            }
            return true;
        }
        if line == "---" {
            // The diffstat follows; the message is complete.
            self.finish_message();
            return true;
        }
        message.push_str(line);
        message.push('\n');
        true
    }

    fn finish_message(&mut self) {
        if let Some((id, message, _)) = self.message.take() {
            self.patch.messages.push((id, message));
        }
    }

    fn start(&mut self, old: String, new: String) {
        self.state = State::Headers;
        let renamed = old != new;
        self.patch.files.push(FilePatch {
            path: new,
            old_path: renamed.then_some(old),
            status: if renamed {
                Status::Renamed
            } else {
                Status::Modified
            },
            ids: None,
            old_mode: None,
            new_mode: None,
            lines: LineDiff::default(),
        });
    }

    /// `--- a/x` and `+++ b/x`: a plain `diff -u` file starts here; in a git patch they
    /// confirm the header's paths, and `/dev/null` marks an addition or a deletion.
    fn file_names(&mut self, old: &str, new: &str) {
        let old = name_of(old);
        let new = name_of(new);
        let in_headers = matches!(self.state, State::Headers);
        let in_git_file = in_headers
            && self
                .patch
                .files
                .last()
                .is_some_and(|f| f.lines.is_empty() && !f.lines.binary);
        if !in_git_file {
            let path = new.clone().or_else(|| old.clone()).unwrap_or_default();
            self.start(old.clone().unwrap_or_else(|| path.clone()), path);
        }
        let Some(file) = self.file() else {
            return;
        };
        match (old, new) {
            (None, Some(new)) => {
                file.status = Status::Added;
                file.path = new;
                file.old_path = None;
            }
            (Some(old), None) => {
                file.status = Status::Deleted;
                file.path = old;
                file.old_path = None;
            }
            _ => {}
        }
    }

    fn extended_header(&mut self, line: &str) -> Result<(), PatchError> {
        let Some(file) = self.patch.files.last_mut() else {
            // Text before the first file: a commit message, a cover note.
            return Ok(());
        };
        let mode = |text: &str| u32::from_str_radix(text.trim(), 8).ok();
        if let Some(m) = line.strip_prefix("new file mode ") {
            file.status = Status::Added;
            file.new_mode = mode(m);
        } else if let Some(m) = line.strip_prefix("deleted file mode ") {
            file.status = Status::Deleted;
            file.old_mode = mode(m);
            if let Some(old) = file.old_path.take() {
                file.path = old;
            }
        } else if let Some(m) = line.strip_prefix("old mode ") {
            file.old_mode = mode(m);
        } else if let Some(m) = line.strip_prefix("new mode ") {
            file.new_mode = mode(m);
        } else if let Some(from) = line.strip_prefix("rename from ") {
            file.old_path = Some(unquote(from));
            file.status = Status::Renamed;
        } else if let Some(to) = line.strip_prefix("rename to ") {
            file.path = unquote(to);
        } else if line.starts_with("copy from ") {
            // Without copy detection git reports the copy as an added file.
            file.old_path = None;
            file.status = Status::Added;
        } else if let Some(to) = line.strip_prefix("copy to ") {
            file.path = unquote(to);
        } else if let Some(index) = line.strip_prefix("index ") {
            let (ids, mode_text) = index.split_once(' ').unwrap_or((index, ""));
            if let Some((old, new)) = ids.split_once("..") {
                file.ids = Some((old.to_owned(), new.to_owned()));
            }
            if let Some(m) = mode(mode_text) {
                file.old_mode.get_or_insert(m);
                file.new_mode.get_or_insert(m);
            }
        } else if line.starts_with("Binary files ") && line.ends_with(" differ") {
            file.lines.binary = true;
        } else if line == "GIT binary patch" {
            file.lines.binary = true;
            self.state = State::Binary;
        }
        // Anything else between files (similarity lines, a format-patch signature) is
        // not a change.
        Ok(())
    }

    fn hunk_line(&mut self, line: &str) -> Result<(), PatchError> {
        let State::Hunk {
            mut old_left,
            mut new_left,
            mut old_next,
            mut new_next,
        } = self.state
        else {
            return Ok(());
        };
        let (kind, text) = match line.chars().next() {
            Some(c @ (' ' | '+' | '-')) => (c, &line[1..]),
            // An empty context line: some editors and mailers drop the lone space.
            None => (' ', ""),
            Some('\\') => return Ok(()), // `\ No newline at end of file`
            Some(_) => {
                return Err(self.error(
                    "a hunk line must start with ' ', '+', '-' or '\\' (the hunk header counts more lines)",
                    line,
                ));
            }
        };
        let line_of = |number: u32| Line {
            number,
            text: text.to_owned(),
        };
        let (old_take, new_take) = match kind {
            '+' => (0, 1),
            '-' => (1, 0),
            _ => (1, 1),
        };
        if old_left < old_take || new_left < new_take {
            return Err(self.error("more lines than the hunk header counts", line));
        }
        if let Some(file) = self.patch.files.last_mut() {
            match kind {
                '+' => file.lines.added.push(line_of(new_next)),
                '-' => file.lines.removed.push(line_of(old_next)),
                _ => {}
            }
        }
        old_left -= old_take;
        new_left -= new_take;
        old_next += old_take;
        new_next += new_take;
        self.state = if old_left == 0 && new_left == 0 {
            State::AfterHunk
        } else {
            State::Hunk {
                old_left,
                new_left,
                old_next,
                new_next,
            }
        };
        Ok(())
    }
}

/// `-12,3 +12,4 @@ fn name`: the hunk's starting lines and counts.
fn hunk_header(header: &str) -> Option<State> {
    let (ranges, _) = header.split_once(" @@")?;
    let (old, new) = ranges.split_once(' ')?;
    let range = |text: &str, sign: char| -> Option<(u32, u32)> {
        let text = text.strip_prefix(sign)?;
        let (start, count) = match text.split_once(',') {
            Some((start, count)) => (start.parse().ok()?, count.parse().ok()?),
            None => (text.parse().ok()?, 1),
        };
        Some((start, count))
    };
    let (old_start, old_left) = range(old, '-')?;
    let (new_start, new_left) = range(new, '+')?;
    if old_left == 0 && new_left == 0 {
        return None;
    }
    Some(State::Hunk {
        old_left,
        new_left,
        old_next: old_start.max(1),
        new_next: new_start.max(1),
    })
}

/// The two paths of `diff --git a/x b/y`: quoted, or split where both halves are the
/// same path (the only reading git itself trusts for unquoted names with spaces).
fn git_header_paths(rest: &str) -> Option<(String, String)> {
    if rest.starts_with('"') {
        let (old, tail) = split_quoted(rest)?;
        let tail = tail.strip_prefix(' ')?;
        let new = if tail.starts_with('"') {
            split_quoted(tail)?.0
        } else {
            tail.to_owned()
        };
        return Some((strip_prefix(&old), strip_prefix(&new)));
    }
    if let Some(index) = rest.find(" \"") {
        let new = split_quoted(&rest[index + 1..])?.0;
        return Some((strip_prefix(&rest[..index]), strip_prefix(&new)));
    }
    // Same path both sides: `a/<p> b/<p>`, so the halves are equal after the prefixes.
    let bytes = rest.len();
    if bytes % 2 == 1 {
        let half = bytes / 2;
        let (old, new) = (&rest[..half], &rest[half + 1..]);
        if strip_prefix(old) == strip_prefix(new) {
            return Some((strip_prefix(old), strip_prefix(new)));
        }
    }
    // A rename with spaces is ambiguous here; its `rename from`/`rename to` lines say.
    let (old, new) = rest.split_once(' ')?;
    Some((strip_prefix(old), strip_prefix(new)))
}

/// `a/x`, `b/x` → `x`; `/dev/null` → `None` (in `---`/`+++` lines).
fn name_of(text: &str) -> Option<String> {
    // `diff -u` appends a tab and a timestamp.
    let text = text.split_once('\t').map_or(text, |(name, _)| name);
    if text == "/dev/null" {
        return None;
    }
    Some(strip_prefix(&unquote(text)))
}

fn strip_prefix(path: &str) -> String {
    let path = path
        .strip_prefix("a/")
        .or_else(|| path.strip_prefix("b/"))
        .unwrap_or(path);
    path.to_owned()
}

/// A path as git writes it: C-quoted when it holds special bytes.
fn unquote(text: &str) -> String {
    match split_quoted(text) {
        Some((path, _)) => path,
        None => text.to_owned(),
    }
}

/// `"a\tb" rest` → (`a<TAB>b`, ` rest`), with git's C escapes (octal bytes too).
fn split_quoted(text: &str) -> Option<(String, &str)> {
    let mut bytes = Vec::new();
    let mut chars = text.strip_prefix('"')?.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let rest = &text[i + 2..];
                return Some((String::from_utf8_lossy(&bytes).into_owned(), rest));
            }
            '\\' => {
                let (_, escaped) = chars.next()?;
                match escaped {
                    'n' => bytes.push(b'\n'),
                    't' => bytes.push(b'\t'),
                    'r' => bytes.push(b'\r'),
                    'a' => bytes.push(0x07),
                    'b' => bytes.push(0x08),
                    'f' => bytes.push(0x0c),
                    'v' => bytes.push(0x0b),
                    '0'..='7' => {
                        let mut value = escaped.to_digit(8)?;
                        for _ in 0..2 {
                            let (_, digit) = chars.next()?;
                            value = value * 8 + digit.to_digit(8)?;
                        }
                        bytes.push(u8::try_from(value).ok()?);
                    }
                    other => {
                        let mut buffer = [0; 4];
                        bytes.extend_from_slice(other.encode_utf8(&mut buffer).as_bytes());
                    }
                }
            }
            other => {
                let mut buffer = [0; 4];
                bytes.extend_from_slice(other.encode_utf8(&mut buffer).as_bytes());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(text: &str) -> Vec<FilePatch> {
        parse("test.patch", text).expect("parses").files
    }

    fn numbers(lines: &[Line]) -> Vec<(u32, &str)> {
        lines.iter().map(|l| (l.number, l.text.as_str())).collect()
    }

    #[test]
    fn hunks_give_numbered_added_and_removed_lines() {
        let patch = "diff --git a/src/a.rs b/src/a.rs\nindex 1234567..89abcde 100644\n--- a/src/a.rs\n+++ b/src/a.rs\n@@ -1,3 +1,3 @@ fn main\n one\n-two\n+deux\n three\n@@ -10 +10,2 @@\n ten\n+eleven\n\\ No newline at end of file\n";
        let [file] = files(patch).try_into().expect("one file");
        assert_eq!(file.path, "src/a.rs");
        assert_eq!(file.status, Status::Modified);
        assert_eq!(file.ids, Some(("1234567".to_owned(), "89abcde".to_owned())));
        assert_eq!(file.new_mode, Some(0o100644));
        assert_eq!(numbers(&file.lines.added), [(2, "deux"), (11, "eleven")]);
        assert_eq!(numbers(&file.lines.removed), [(2, "two")]);
    }

    #[test]
    fn renames_additions_deletions_binaries_and_quoted_paths() {
        let patch = "diff --git a/old name.md b/new name.md\nsimilarity index 90%\nrename from old name.md\nrename to new name.md\n\
diff --git a/img.png b/img.png\nnew file mode 100644\nindex 0000000..1234567\nBinary files /dev/null and b/img.png differ\n\
diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\nindex 1234567..0000000\n--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n\
diff --git \"a/tab\\there\" \"b/tab\\there\"\nindex 1111111..2222222 100755\n--- \"a/tab\\there\"\n+++ \"b/tab\\there\"\n@@ -1 +1 @@\n-a\n+b\n\
diff --git a/blob.bin b/blob.bin\nindex 1111111..2222222 100644\nGIT binary patch\nliteral 3\nKcmZ?wfB*mh0RR91\n\nliteral 0\nKcmV+b0RR6000031\n\n";
        let files = files(patch);
        let summary: Vec<(&str, Option<&str>, Status, bool)> = files
            .iter()
            .map(|f| {
                (
                    f.path.as_str(),
                    f.old_path.as_deref(),
                    f.status,
                    f.lines.binary,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("new name.md", Some("old name.md"), Status::Renamed, false),
                ("img.png", None, Status::Added, true),
                ("gone.txt", None, Status::Deleted, false),
                ("tab\there", None, Status::Modified, false),
                ("blob.bin", None, Status::Modified, true),
            ]
        );
        assert_eq!(numbers(&files[2].lines.removed), [(1, "bye")]);
        assert_eq!(files[3].old_mode, Some(0o100755));
    }

    #[test]
    fn format_patch_mails_keep_their_messages() {
        let patch = "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\nFrom: Ada <ada@example.com>\nDate: Thu, 1 Jan 2026 00:00:00 +0000\nSubject: [PATCH 1/2] Change refunds\n and more\n\nBody.\n\nLockstep-Skip: docs -- later\n---\n a.txt | 2 +-\n 1 file changed\n\ndiff --git a/a.txt b/a.txt\nindex 1234567..89abcde 100644\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+b\n-- \n2.43.0\n\n";
        let patch = parse("series.mbox", patch).expect("parses");
        assert_eq!(patch.files.len(), 1);
        let [(id, message)] = patch.messages.try_into().expect("one mail");
        assert_eq!(id, "0123456789abcdef0123456789abcdef01234567");
        assert_eq!(
            message,
            "Change refunds and more\n\nBody.\n\nLockstep-Skip: docs -- later\n"
        );
    }

    #[test]
    fn plain_unified_diffs_are_read_too() {
        let patch = "--- a/x.txt\t2026-01-01 00:00:00\n+++ b/x.txt\t2026-01-01 00:00:01\n@@ -1 +1 @@\n-a\n+b\n";
        let [file] = files(patch).try_into().expect("one file");
        assert_eq!(
            (file.path.as_str(), file.status),
            ("x.txt", Status::Modified)
        );
    }

    #[test]
    fn malformed_patches_name_the_line() {
        let error = |text: &str| parse("p", text).expect_err("malformed");
        let header = "diff --git a/x b/x\n--- a/x\n+++ b/x\n";
        let bad = error(&format!("{header}@@ -1 +1 @@\n-a\n+b\n+c\n"));
        assert_eq!((bad.line, bad.text.as_str()), (7, "+c"));
        let bad = error(&format!("{header}@@ -1,2 +1,2 @@\n-a\n*b\n"));
        assert_eq!((bad.line, bad.text.as_str()), (6, "*b"));
        let bad = error(&format!("{header}@@ one @@\n"));
        assert!(bad.reason.contains("hunk header"), "{bad}");
        let bad = error(&format!("{header}@@ -1,3 +1,3 @@\n a\n"));
        assert!(bad.reason.contains("ends inside a hunk"), "{bad}");
        let bad = error("hello\nworld\n");
        assert!(bad.reason.contains("no file changes"), "{bad}");
        assert_eq!(parse("p", "").expect("empty").files, []);
    }

    #[test]
    fn whitespace_only_edits_cancel_out() {
        let line = |number, text: &str| Line {
            number,
            text: text.to_owned(),
        };
        let lines = LineDiff {
            binary: false,
            added: vec![line(1, "  a  b"), line(2, ""), line(3, "c")],
            removed: vec![line(1, "a b"), line(2, "d")],
        };
        let kept = without_whitespace_edits(lines);
        assert_eq!(numbers(&kept.added), [(3, "c")]);
        assert_eq!(numbers(&kept.removed), [(2, "d")]);
    }
}
