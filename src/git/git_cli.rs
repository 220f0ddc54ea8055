//! The index formats this crate does not parse (split and sparse indexes), which libgit2
//! cannot read either, are read by git itself: `git diff --cached --raw` and
//! `git ls-files --stage`.

use std::path::Path;
use std::process::Command;

use super::id::Id;

use super::error::GitError;
use super::quote::path_text;
use super::tree_walk::{Blob, RawChange};

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

/// The index's stage-0 entries as `git ls-files --stage` lists them: (path, mode).
pub(super) fn index_entries(
    workdir: &Path,
    index: &Path,
    why: &str,
) -> Result<Vec<(String, u32)>, GitError> {
    let output = run(workdir, index, why, &["ls-files", "--stage", "-z"])?;
    let mut entries = Vec::new();
    for record in output.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        // `<mode> <id> <stage>\t<path>`
        let tab = record.iter().position(|&b| b == b'\t');
        let parsed = tab.and_then(|tab| {
            let header = std::str::from_utf8(&record[..tab]).ok()?;
            let mut fields = header.split(' ');
            let mode = u32::from_str_radix(fields.next()?, 8).ok()?;
            let stage = fields.nth(1)?;
            Some((mode, stage == "0", path_text(&record[tab + 1..])))
        });
        match parsed {
            Some((mode, true, path)) => entries.push((path, mode)),
            Some(_) => {}
            None => return Err(unexpected(index, "ls-files --stage")),
        }
    }
    Ok(entries)
}

/// Runs git on the index at `index`; the output, or an error saying why git was needed.
fn run(workdir: &Path, index: &Path, why: &str, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let output = Command::new("git")
        .current_dir(workdir)
        .env("GIT_INDEX_FILE", index)
        .args(args)
        .output()
        .map_err(|e| GitError::Index {
            path: index.display().to_string(),
            reason: format!("it uses a {why}, which lockstep reads through the `git` program, and running git failed: {e}"),
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
}
