//! What libgit2 cannot read is read by git itself: split and sparse indexes (for the
//! staged changes, `git diff --cached --raw`; for the index's files, `git ls-files`);
//! in work-tree mode, those indexes, sparse checkouts and replaced trees and blobs
//! (`git status`); and revisions and merge-bases where replace refs or grafts rewrite
//! history (`git rev-parse`, `git merge-base`).

use std::path::Path;
use std::process::Command;

use git2::Oid;

use super::id::Id;

use super::error::GitError;
use super::quote::path_text;
use super::repo::{Layout, git_message};
use super::tracked::entry_content;
use super::tree_walk::{Blob, RawChange};
use crate::change::Content;

/// The staged changes as git reports them, for the index at `index`.
pub(super) fn staged_changes(
    workdir: &Path,
    index: &Path,
    why: &str,
) -> Result<Vec<RawChange>, GitError> {
    let args = [
        "diff",
        "--cached",
        "--raw",
        "-z",
        "--no-renames",
        "--no-abbrev",
        "--ignore-submodules=none",
    ];
    let output = run(workdir, index, why, &args)?;
    parse_raw(&output).ok_or_else(|| unexpected(index, "diff --cached --raw"))
}

/// What `git diff HEAD` shows, plus untracked files, as `git status` reports them for
/// the index at `index`. A new side with a zero id is read from the work tree; any
/// other is the object the index holds (a file outside a sparse checkout, or one the
/// work tree leaves as staged). `--no-optional-locks` keeps git from refreshing the
/// user's index, which lockstep never writes.
pub(super) fn work_tree_changes(
    workdir: &Path,
    index: &Path,
    why: &str,
) -> Result<Vec<RawChange>, GitError> {
    let args = [
        "--no-optional-locks",
        "status",
        "--porcelain=v2",
        "-z",
        "--untracked-files=all",
        "--no-renames",
        "--ignore-submodules=none",
    ];
    let output = run(workdir, index, why, &args)?;
    let mut changes = Vec::new();
    for record in output.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let change = status_record(workdir, record)
            .ok_or_else(|| unexpected(index, "status --porcelain=v2"))?;
        changes.extend(change);
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(changes)
}

/// One `git status --porcelain=v2` record: `1 XY sub mH mI mW hH hI path`,
/// `u XY sub m1 m2 m3 mW h1 h2 h3 path` (a conflict, against "ours") or `? path`.
/// `None` when it is none of these; `Some(None)` when both sides are absent.
fn status_record(workdir: &Path, record: &[u8]) -> Option<Option<RawChange>> {
    if let Some(path) = record.strip_prefix(b"? ") {
        let mode = work_tree_mode(&workdir.join(String::from_utf8_lossy(path).as_ref()));
        let new = Some(Blob { id: Id::ZERO, mode });
        let path = path.to_vec();
        return Some(Some(RawChange {
            path,
            old: None,
            new,
        }));
    }
    let (kind, fields) = match record.first()? {
        b'1' => (b'1', 7),
        b'u' => (b'u', 9),
        _ => return None,
    };
    let mut parts = record[2..].splitn(fields + 1, |&b| b == b' ');
    let fields: Vec<&str> = parts
        .by_ref()
        .take(fields)
        .map(|f| std::str::from_utf8(f).ok())
        .collect::<Option<_>>()?;
    let path = parts.next()?.to_vec();
    let blob = |mode: &str, id: &str| -> Option<Option<Blob>> {
        let mode = u32::from_str_radix(mode, 8).ok()?;
        let id = Id::from_hex(id.as_bytes())?;
        Some((mode != 0).then_some(Blob { id, mode }))
    };
    let work_tree = |mode: &str| blob(mode, &"0".repeat(40));
    let (old, new) = match (kind, fields.as_slice()) {
        (b'1', [xy, _, m_head, m_index, m_work, h_head, h_index]) => {
            let old = blob(m_head, h_head)?;
            let new = match xy.as_bytes() {
                [_, b'.'] => blob(m_index, h_index)?,
                [_, b'D'] => None,
                // Staged, then edited back: status compares the work tree with the
                // index, `git diff HEAD` with HEAD.
                [b'M', _] if m_head == m_work && same_content(workdir, &path, old) => {
                    return Some(None);
                }
                _ => work_tree(m_work)?,
            };
            (old, new)
        }
        (b'u', [_, _, _, m_ours, _, m_work, _, h_ours, _]) => {
            (blob(m_ours, h_ours)?, work_tree(m_work)?)
        }
        _ => return None,
    };
    Some((old.is_some() || new.is_some()).then_some(RawChange { path, old, new }))
}

/// Whether the work-tree file at `path` holds exactly the regular file `blob`.
fn same_content(workdir: &Path, path: &[u8], blob: Option<Blob>) -> bool {
    let Some(blob) = blob.filter(|b| b.mode & 0o170000 == 0o100000) else {
        return false;
    };
    let file = workdir.join(String::from_utf8_lossy(path).as_ref());
    git2::Oid::hash_file(git2::ObjectType::Blob, file).is_ok_and(|id| Id::from(id) == blob.id)
}

/// The mode git would give an untracked file: a symlink, an executable or a file.
fn work_tree_mode(path: &Path) -> u32 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0o100644;
    };
    if meta.file_type().is_symlink() {
        return 0o120000;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o111 != 0 {
            return 0o100755;
        }
    }
    0o100644
}

/// The index's stage-0 entries as `git ls-files -t --stage` lists them, with where
/// their content is (see [`entry_content`]).
pub(super) fn index_entries(
    workdir: &Path,
    index: &Path,
    why: &str,
) -> Result<Vec<(String, Content)>, GitError> {
    let output = run(workdir, index, why, &["ls-files", "-t", "--stage", "-z"])?;
    let mut entries = Vec::new();
    for record in output.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        // `<tag> <mode> <id> <stage>\t<path>`; tag `S` marks a skip-worktree entry.
        let tab = record.iter().position(|&b| b == b'\t');
        let parsed = tab.and_then(|tab| {
            let header = std::str::from_utf8(&record[..tab]).ok()?;
            let [tag, mode, id, stage] = header.split(' ').collect::<Vec<_>>()[..] else {
                return None;
            };
            let mode = u32::from_str_radix(mode, 8).ok()?;
            let id = Id::from_hex(id.as_bytes())?;
            let content = entry_content(mode, id, tag == "S");
            Some((stage == "0", path_text(&record[tab + 1..]), content))
        });
        match parsed {
            Some((true, path, content)) => entries.push((path, content)),
            Some(_) => {}
            None => return Err(unexpected(index, "ls-files -t --stage")),
        }
    }
    Ok(entries)
}

/// The commit `spec` names, as `git rev-parse` reads it; `None` when it names none.
pub(super) fn resolve(layout: &Layout, spec: &str) -> Result<Option<Oid>, GitError> {
    let peeled = format!("{spec}^{{commit}}");
    let args = [
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        &peeled,
    ];
    ask(layout, &args)
}

/// The merge-base `git merge-base` prints for `a` and `b`; `None` when they have none.
pub(super) fn merge_base(layout: &Layout, a: Oid, b: Oid) -> Result<Option<Oid>, GitError> {
    ask(layout, &["merge-base", &a.to_string(), &b.to_string()])
}

/// The commit id git prints for `args` in the repository `layout` resolved; `None`
/// when git exits with 1, its "no such commit".
fn ask(layout: &Layout, args: &[&str]) -> Result<Option<Oid>, GitError> {
    let failed = |reason: String| GitError::History {
        command: args.join(" "),
        reason,
    };
    let output = Command::new("git")
        .env("GIT_DIR", &layout.git_dir)
        .env("GIT_COMMON_DIR", &layout.common_dir)
        .env("GIT_OBJECT_DIRECTORY", &layout.object_dir)
        .env(
            "GIT_ALTERNATE_OBJECT_DIRECTORIES",
            std::env::join_paths(&layout.alternates).unwrap_or_default(),
        )
        .args(args)
        .output()
        .map_err(|e| failed(format!("could not run: {e}")))?;
    match output.status.code() {
        Some(0) => {}
        Some(1) if output.stderr.is_empty() => return Ok(None),
        _ => return Err(failed(format!("failed: {}", git_message(&output.stderr)))),
    }
    let text = String::from_utf8_lossy(&output.stdout);
    match Id::from_hex(text.trim().as_bytes()) {
        Some(id) => Ok(Some(id.oid())),
        None => Err(failed(format!("printed `{}`", text.trim()))),
    }
}

/// Runs git on the index at `index`; the output, or an error saying why git was needed
/// (`why`: "split index", "replace refs"…).
fn run(workdir: &Path, index: &Path, why: &str, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let output = Command::new("git")
        .current_dir(workdir)
        .env("GIT_INDEX_FILE", index)
        .args(args)
        .output()
        .map_err(|e| GitError::Index {
            path: index.display().to_string(),
            reason: format!("lockstep reads it through the `git` program here ({why}), and running git failed: {e}"),
        })?;
    if !output.status.success() {
        return Err(GitError::Index {
            path: index.display().to_string(),
            reason: format!(
                "`git {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        });
    }
    Ok(output.stdout)
}

fn unexpected(index: &Path, command: &str) -> GitError {
    GitError::Index {
        path: index.display().to_string(),
        reason: format!("unexpected output from `git {command}`"),
    }
}

/// `:<old mode> <new mode> <old id> <new id> <status>\0<path>\0`, repeated.
fn parse_raw(output: &[u8]) -> Option<Vec<RawChange>> {
    let mut fields = output.split(|&b| b == 0).filter(|f| !f.is_empty());
    let mut changes = Vec::new();
    while let Some(header) = fields.next() {
        let header = std::str::from_utf8(header.strip_prefix(b":")?).ok()?;
        let path = fields.next()?.to_vec();
        let parts: Vec<&str> = header.split(' ').collect();
        let [old_mode, new_mode, old_id, new_id, status] = parts.as_slice() else {
            return None;
        };
        let side = |mode: &str, id: &str| -> Option<Option<Blob>> {
            let mode = u32::from_str_radix(mode, 8).ok()?;
            let id = Id::from_hex(id.as_bytes())?;
            Some((mode != 0).then_some(Blob { id, mode }))
        };
        let new = if status.starts_with('U') {
            Some(Blob {
                id: Id::ZERO,
                mode: 0o100644,
            })
        } else {
            side(new_mode, new_id)?
        };
        changes.push(RawChange {
            path,
            old: side(old_mode, old_id)?,
            new,
        });
    }
    Some(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_raw_records() {
        let zero = "0".repeat(40);
        let one = "1".repeat(40);
        let raw = format!(
            ":000000 100644 {zero} {one} A\0new.txt\0:100644 100644 {one} {zero} U\0conflict\0"
        );
        let changes = parse_raw(raw.as_bytes()).expect("parses");
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].old, None);
        assert_eq!(changes[1].new.map(|b| b.id), Some(Id::ZERO));
        assert!(parse_raw(b":garbage\0x\0").is_none());
    }

    #[test]
    fn parses_status_records() {
        let (zero, one, two) = ("0".repeat(40), "1".repeat(40), "2".repeat(40));
        let dir = Path::new("/nonexistent");
        let record = |text: String| status_record(dir, text.as_bytes());
        // Staged outside a sparse checkout: the index's object.
        let staged = record(format!(
            "1 M. N... 100644 100644 000000 {one} {two} out/b.txt"
        ))
        .flatten()
        .expect("a change");
        assert_eq!(staged.path, b"out/b.txt");
        assert_eq!(
            staged.new.map(|b| b.id),
            Some(Id::from_hex(two.as_bytes()).expect("id"))
        );
        // Edited in the work tree: a zero id, read there.
        let edited = record(format!(
            "1 .M N... 100644 100644 100644 {one} {one} a b.txt"
        ))
        .flatten()
        .expect("a change");
        assert_eq!(
            (edited.path.as_slice(), edited.new.map(|b| b.id)),
            (&b"a b.txt"[..], Some(Id::ZERO))
        );
        let deleted = record(format!("1 .D N... 100644 100644 000000 {one} {one} gone"));
        assert_eq!(deleted.flatten().map(|c| c.new), Some(None));
        let added_then_removed = record(format!("1 AD N... 000000 100644 000000 {zero} {one} x"));
        assert_eq!(added_then_removed, Some(None));
        let conflict = record(format!(
            "u UU N... 100644 100644 100644 100644 {one} {two} {one} both"
        ))
        .flatten()
        .expect("a change");
        assert_eq!(
            conflict.old.map(|b| b.id),
            Some(Id::from_hex(two.as_bytes()).expect("id"))
        );
        let untracked = record("? new.txt".to_owned()).flatten().expect("a change");
        assert_eq!(
            (untracked.old, untracked.new.map(|b| b.mode)),
            (None, Some(0o100644))
        );
        assert_eq!(record("2 R. N... garbage".to_owned()), None);
    }
}
