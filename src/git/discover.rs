//! The ordinary repository found without asking git: a work tree whose `.git` is a
//! directory, owned by whoever runs lockstep, with nothing in git's environment or in
//! its config that moves the git directory or the work tree. This is where a pre-commit
//! hook or a CI job runs, and asking `git rev-parse` there costs a second process, about
//! as much time as a small check itself. Anything else — a linked worktree, a bare
//! repository, `GIT_DIR`, `core.worktree`, an extension, a file-system boundary, another
//! owner — is left to git, which [`Layout::resolve`](super::repo::Layout::resolve)
//! asks instead: this finds nothing rather than guess.

use std::ffi::OsString;
use std::fs::Metadata;
use std::path::{Component, Path, PathBuf};

use git2::Config;

use super::repo::Layout;

/// Variables that change where git finds the repository or what it reads there.
const MOVING_VARIABLES: [&str; 8] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    // `git -c core.worktree=...` and `GIT_CONFIG_KEY_0`.
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
];

/// `$GIT_INDEX_FILE` as git reads it: relative to the top of the work tree, where git
/// works (as in a `git commit` hook, `.git/index.lock`). A path git would normalise
/// (`.`, `..`, nothing) is left to git.
fn index_file_at(top: &Path, file: &Path) -> Option<PathBuf> {
    let plain = file
        .components()
        .all(|part| matches!(part, Component::Normal(_) | Component::RootDir));
    (plain && !file.as_os_str().is_empty()).then(|| top.join(file))
}

/// Repository extensions that leave the layout and the formats as they are.
const PLAIN_EXTENSIONS: [(&str, Option<&str>); 5] = [
    ("extensions.objectformat", Some("sha1")),
    ("extensions.refstorage", Some("files")),
    ("extensions.partialclone", None),
    ("extensions.preciousobjects", None),
    ("extensions.noop", None),
];

/// The layout git would resolve for `dir` when it is the ordinary case; `None` when
/// anything is not (git then answers). `var` reads the environment.
pub(super) fn plain_layout(dir: &Path, var: impl Fn(&str) -> Option<OsString>) -> Option<Layout> {
    if MOVING_VARIABLES.iter().any(|name| var(name).is_some()) {
        return None;
    }
    // git works from the real path of the directory it starts in.
    let start = std::fs::canonicalize(dir).ok()?;
    let device = device(&std::fs::metadata(&start).ok()?)?;
    let top = work_tree_top(&start, device)?;
    let git_dir = top.join(".git");
    let owner = current_user()?;
    for path in [&top, &git_dir] {
        if std::fs::metadata(path).ok().and_then(|m| owner_of(&m)) != Some(owner) {
            return None;
        }
    }
    if !is_plain_git_dir(&git_dir) || !plain_config(&git_dir.join("config"))? {
        return None;
    }
    let index_file = match var("GIT_INDEX_FILE") {
        None => git_dir.join("index"),
        Some(file) => index_file_at(&top, Path::new(&file))?,
    };
    Some(Layout {
        object_dir: git_dir.join("objects"),
        index_file,
        common_dir: git_dir.clone(),
        git_dir,
        work_tree: Some(top),
        alternates: Vec::new(),
    })
}

/// The nearest directory from `start` up holding a `.git` directory, on `device` all the
/// way. `None` at a `.git` file (a linked worktree or submodule), a directory that is a
/// git directory itself (bare, or inside `.git`), a file-system boundary, or the root.
fn work_tree_top(start: &Path, device: u64) -> Option<PathBuf> {
    for dir in start.ancestors() {
        let meta = std::fs::metadata(dir).ok()?;
        if self::device(&meta)? != device {
            return None;
        }
        match std::fs::metadata(dir.join(".git")) {
            Ok(meta) if meta.is_dir() => return Some(dir.to_path_buf()),
            Ok(_) => return None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(_) => return None,
        }
        if dir.join("HEAD").exists() {
            return None;
        }
    }
    None
}

/// What git's own test of a git directory asks: `objects` and `refs` directories and a
/// HEAD that names a ref or a commit. git would pass over a directory failing it.
fn is_plain_git_dir(git_dir: &Path) -> bool {
    let dirs = ["objects", "refs"].iter().all(|d| git_dir.join(d).is_dir());
    let head = std::fs::read(git_dir.join("HEAD")).unwrap_or_default();
    let head = head.strip_suffix(b"\n").unwrap_or(&head);
    let names_a_ref = head.starts_with(b"ref: refs/");
    let names_a_commit = head.len() == 40 && head.iter().all(u8::is_ascii_hexdigit);
    dirs && (names_a_ref || names_a_commit) && !git_dir.join("commondir").exists()
}

/// Whether the repository's config leaves the work tree where `.git` is and reads as
/// SHA-1 with files for refs: no `core.worktree`, not `core.bare`, format version 0 or 1,
/// and only extensions that change neither. `None` when it does not parse.
fn plain_config(path: &Path) -> Option<bool> {
    let config = Config::open(path).ok()?;
    if config.get_entry("core.worktree").is_ok()
        || config.get_bool("core.bare").unwrap_or(false)
        || config
            .get_i64("core.repositoryformatversion")
            .is_ok_and(|v| !(0..=1).contains(&v))
    {
        return Some(false);
    }
    let mut entries = config.entries(Some("extensions\\..*")).ok()?;
    while let Some(entry) = entries.next() {
        let entry = entry.ok()?;
        let name = entry.name()?.to_ascii_lowercase();
        let plain = PLAIN_EXTENSIONS
            .iter()
            .any(|(key, value)| *key == name && value.is_none_or(|v| entry.value() == Some(v)));
        if !plain {
            return Some(false);
        }
    }
    Some(true)
}

#[cfg(unix)]
fn device(meta: &Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(meta.dev())
}

#[cfg(unix)]
fn owner_of(meta: &Metadata) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    Some(meta.uid())
}

/// The effective user, as the owner of this process's `/proc` entry; `None` where there
/// is no `/proc`, and git then judges ownership (and `safe.directory`) itself.
#[cfg(unix)]
fn current_user() -> Option<u32> {
    owner_of(&std::fs::metadata("/proc/self").ok()?)
}

#[cfg(not(unix))]
fn device(_: &Metadata) -> Option<u64> {
    None
}

#[cfg(not(unix))]
fn owner_of(_: &Metadata) -> Option<u32> {
    None
}

#[cfg(not(unix))]
fn current_user() -> Option<u32> {
    None
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::git::test_git::git;

    fn no_variables(_: &str) -> Option<OsString> {
        None
    }

    /// What the fast path resolves, next to what git resolves, for comparison.
    fn both(dir: &Path) -> (Option<Layout>, Layout) {
        let asked = Layout::ask_git(dir).expect("git resolves it");
        (plain_layout(dir, no_variables), asked)
    }

    fn assert_same(plain: &Layout, git: &Layout) {
        assert_eq!(plain.git_dir, git.git_dir);
        assert_eq!(plain.common_dir, git.common_dir);
        assert_eq!(plain.work_tree, git.work_tree);
        assert_eq!(plain.object_dir, git.object_dir);
        assert_eq!(plain.index_file, git.index_file);
    }

    fn repository() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp");
        git(dir.path(), &["init", "-q", "."]);
        std::fs::create_dir_all(dir.path().join("a/b")).expect("mkdir");
        dir
    }

    #[test]
    fn the_ordinary_work_tree_resolves_as_git_resolves_it_from_its_top_and_below() {
        let repo = repository();
        for dir in [repo.path().to_path_buf(), repo.path().join("a/b")] {
            let (plain, git) = both(&dir);
            assert_same(&plain.expect("the ordinary case"), &git);
        }
        // A path through `..` and a symbolic link: git works from the real path.
        let link = tempfile::tempdir().expect("temp");
        let through = link.path().join("repo");
        std::os::unix::fs::symlink(repo.path(), &through).expect("symlink");
        let dir = through.join("a/b/..");
        let (plain, git) = both(&dir);
        assert_same(&plain.expect("the ordinary case"), &git);
    }

    /// The index file `git rev-parse` resolves from `dir` with `GIT_INDEX_FILE=file`.
    fn git_index_file(dir: &Path, file: &str) -> PathBuf {
        let output = std::process::Command::new("git")
            .current_dir(dir)
            .env("GIT_INDEX_FILE", file)
            .args(["rev-parse", "--path-format=absolute", "--git-path", "index"])
            .output()
            .expect("git runs");
        PathBuf::from(String::from_utf8_lossy(&output.stdout).trim_end())
    }

    #[test]
    fn an_index_file_from_the_environment_resolves_as_git_resolves_it() {
        let repo = repository();
        let top = std::fs::canonicalize(repo.path()).expect("real path");
        for dir in [top.clone(), top.join("a/b")] {
            for file in [".git/index.lock", "other-index", "/tmp/elsewhere/index"] {
                let var = |name: &str| (name == "GIT_INDEX_FILE").then(|| OsString::from(file));
                let plain = plain_layout(&dir, var).expect("the ordinary case");
                assert_eq!(plain.index_file, git_index_file(&dir, file), "{file}");
            }
            for file in ["../index", "./index", "a/../index", ""] {
                let var = |name: &str| (name == "GIT_INDEX_FILE").then(|| OsString::from(file));
                assert!(
                    plain_layout(&dir, var).is_none(),
                    "{file:?} is git's to resolve"
                );
            }
        }
    }

    #[test]
    fn a_variable_that_moves_git_s_search_leaves_the_answer_to_git() {
        let repo = repository();
        for name in MOVING_VARIABLES {
            let var = |asked: &str| (asked == name).then(|| OsString::from("x"));
            assert!(plain_layout(repo.path(), var).is_none(), "{name}");
        }
    }

    #[test]
    fn layouts_other_than_the_ordinary_one_are_left_to_git() {
        let repo = repository();
        let who = ["-c", "user.name=t", "-c", "user.email=t@t"];
        git(
            repo.path(),
            &[&who[..], &["commit", "-q", "--allow-empty", "-m", "one"]].concat(),
        );
        let linked = repo.path().join("linked");
        git(repo.path(), &["worktree", "add", "-q", "linked"]);
        assert!(
            plain_layout(&linked, no_variables).is_none(),
            "linked worktree"
        );
        let inside = repo.path().join(".git/refs");
        assert!(plain_layout(&inside, no_variables).is_none(), "inside .git");
        let bare = tempfile::tempdir().expect("temp");
        git(bare.path(), &["init", "-q", "--bare", "."]);
        assert!(plain_layout(bare.path(), no_variables).is_none(), "bare");
        let outside = tempfile::tempdir().expect("temp");
        assert!(
            plain_layout(outside.path(), no_variables).is_none(),
            "no repository"
        );
        for (key, value) in [
            ("core.worktree", "/elsewhere"),
            ("core.bare", "true"),
            ("extensions.worktreeConfig", "true"),
            ("extensions.objectFormat", "sha256"),
        ] {
            let repo = repository();
            git(repo.path(), &["config", key, value]);
            assert!(plain_layout(repo.path(), no_variables).is_none(), "{key}");
        }
    }

    #[test]
    fn extensions_that_change_nothing_keep_the_ordinary_case() {
        let repo = repository();
        git(
            repo.path(),
            &["config", "core.repositoryformatversion", "1"],
        );
        git(
            repo.path(),
            &["config", "extensions.partialClone", "origin"],
        );
        git(repo.path(), &["config", "extensions.objectFormat", "sha1"]);
        let (plain, git) = both(repo.path());
        assert_same(&plain.expect("the ordinary case"), &git);
    }
}
