//! The index formats this crate does not parse (split and sparse indexes), which libgit2
//! cannot read either, are diffed by git itself: `git diff --cached --raw`.

use std::path::Path;
use std::process::Command;

use git2::Oid;

use super::error::GitError;
use super::tree_walk::{Blob, RawChange};

/// The staged changes as git reports them, for the index at `index`.
pub(super) fn staged_changes(
    workdir: &Path,
    index: &Path,
    why: &str,
) -> Result<Vec<RawChange>, GitError> {
    let output = Command::new("git")
        .current_dir(workdir)
        .env("GIT_INDEX_FILE", index)
        .args(["diff", "--cached", "--raw", "-z", "--no-renames", "--no-abbrev", "--ignore-submodules=none"])
        .output()
        .map_err(|e| GitError::Index {
            path: index.display().to_string(),
            reason: format!("it uses a {why}, which lockstep reads through the `git` program, and running git failed: {e}"),
        })?;
    if !output.status.success() {
        return Err(GitError::Index {
            path: index.display().to_string(),
            reason: format!(
                "`git diff --cached` failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        });
    }
    parse_raw(&output.stdout).ok_or_else(|| GitError::Index {
        path: index.display().to_string(),
        reason: "unexpected output from `git diff --cached --raw`".to_owned(),
    })
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
            let id = Oid::from_str(id).ok()?;
            Some((mode != 0).then_some(Blob { id, mode }))
        };
        let new = if status.starts_with('U') {
            Some(Blob {
                id: Oid::zero(),
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
        assert_eq!(changes[1].new.map(|b| b.id), Some(Oid::zero()));
        assert!(parse_raw(b":garbage\0x\0").is_none());
    }
}
