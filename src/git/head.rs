//! HEAD as git's files backend stores it, read without libgit2: `HEAD` names a commit
//! (detached) or a branch, whose commit is in its loose file or in `packed-refs`.
//! Anything else — a branch outside `refs/heads/`, a name git would reject, a file
//! that does not parse — is left to libgit2.

use std::io::ErrorKind;
use std::path::Path;

use super::id::Id;
use super::packed_refs;

/// Symbolic refs followed in a row before leaving the rest to libgit2.
const MAX_SYMBOLIC: usize = 5;

/// What HEAD names.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Head {
    /// A commit, or what libgit2 peels to one when it is not.
    Object(Id),
    /// A branch that does not exist yet.
    Unborn,
}

/// HEAD of the git directory `git_dir`, whose branches are in `common_dir`; `None` when
/// it is libgit2's to read.
pub(super) fn read(git_dir: &Path, common_dir: &Path) -> Option<Head> {
    let mut text = std::fs::read(git_dir.join("HEAD")).ok()?;
    for _ in 0..MAX_SYMBOLIC {
        let line = text.strip_suffix(b"\n").unwrap_or(&text);
        let Some(name) = line.strip_prefix(b"ref: ") else {
            return Id::from_hex(line).map(Head::Object);
        };
        let name = std::str::from_utf8(name).ok().filter(|n| is_branch(n))?;
        text = match std::fs::read(common_dir.join(name)) {
            Ok(text) => text,
            Err(e) if e.kind() == ErrorKind::NotFound => return packed(common_dir, name),
            Err(_) => return None,
        };
    }
    None
}

/// A branch name as git writes them: under `refs/heads/`, no empty, `.`-led or
/// `.lock` component, nothing git would quote.
fn is_branch(name: &str) -> bool {
    let Some(branch) = name.strip_prefix("refs/heads/") else {
        return false;
    };
    let plain = |part: &str| {
        !part.is_empty()
            && !part.starts_with('.')
            && !part.ends_with(".lock")
            && part
                .bytes()
                .all(|b| b > b' ' && !b"\\~^:?*[\x7f".contains(&b))
    };
    !name.contains("..") && !name.contains("@{") && branch.split('/').all(plain)
}

/// The branch `name` in `packed-refs`: its commit, else unborn.
fn packed(common_dir: &Path, name: &str) -> Option<Head> {
    match packed_refs::first_from(common_dir, name.as_bytes()).ok()? {
        Some(first) if first.name == name.as_bytes() => Id::from_hex(&first.id).map(Head::Object),
        _ => Some(Head::Unborn),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_git::git;
    use super::*;

    fn commit(dir: &Path, message: &str) -> Id {
        let who = ["-c", "user.name=T", "-c", "user.email=t@example.com"];
        git(
            dir,
            &[&who[..], &["commit", "-q", "--allow-empty", "-m", message]].concat(),
        );
        rev(dir, "HEAD")
    }

    fn rev(dir: &Path, spec: &str) -> Id {
        let out = git(dir, &["rev-parse", spec]);
        Id::from_hex(out.trim_ascii_end()).expect("an id")
    }

    fn head(dir: &Path) -> Option<Head> {
        let git_dir = dir.join(".git");
        read(&git_dir, &git_dir)
    }

    #[test]
    fn head_reads_as_git_resolves_it_on_a_branch_loose_packed_detached_and_unborn() {
        let dir = tempfile::tempdir().expect("temp");
        let dir = dir.path();
        git(dir, &["init", "-q", "-b", "main", "."]);
        assert_eq!(head(dir), Some(Head::Unborn), "unborn, no packed-refs");
        let first = commit(dir, "one");
        assert_eq!(head(dir), Some(Head::Object(first)), "loose branch");
        git(dir, &["pack-refs", "--all"]);
        assert!(!dir.join(".git/refs/heads/main").exists(), "packed");
        assert_eq!(head(dir), Some(Head::Object(first)), "packed branch");
        git(dir, &["branch", "other"]);
        let second = commit(dir, "two");
        assert_eq!(head(dir), Some(Head::Object(second)), "loose over packed");
        git(dir, &["checkout", "-q", "--detach", "other"]);
        assert_eq!(head(dir), Some(Head::Object(first)), "detached");
        git(dir, &["checkout", "-q", "--orphan", "fresh"]);
        assert_eq!(head(dir), Some(Head::Unborn), "unborn beside packed-refs");
        git(
            dir,
            &["symbolic-ref", "refs/heads/alias", "refs/heads/main"],
        );
        git(dir, &["symbolic-ref", "HEAD", "refs/heads/alias"]);
        assert_eq!(
            head(dir),
            Some(Head::Object(second)),
            "through a symbolic ref"
        );
        assert_eq!(rev(dir, "HEAD"), second);
    }

    #[test]
    fn unusual_heads_are_left_to_libgit2() {
        let dir = tempfile::tempdir().expect("temp");
        let dir = dir.path();
        git(dir, &["init", "-q", "-b", "main", "."]);
        commit(dir, "one");
        git(dir, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
        git(dir, &["branch", "dir/inside"]);
        for target in [
            "refs/remotes/origin/main",
            "refs/heads/a..b",
            "refs/heads/x.lock",
        ] {
            std::fs::write(dir.join(".git/HEAD"), format!("ref: {target}\n")).expect("HEAD");
            assert_eq!(head(dir), None, "{target}");
        }
        // A branch whose name is a directory of branches.
        std::fs::write(dir.join(".git/HEAD"), "ref: refs/heads/dir\n").expect("HEAD");
        assert_eq!(head(dir), None, "a directory");
        std::fs::write(dir.join(".git/HEAD"), "not a head\n").expect("HEAD");
        assert_eq!(head(dir), None, "garbage");
    }
}
