//! The ordinary repository found without asking git: a work tree whose `.git` is a
//! directory, or a bare repository entered at its top, owned by whoever runs lockstep,
//! with nothing in git's environment or in its config that moves the git directory or
//! the work tree. This is where a pre-commit hook, a CI job or a server runs, and asking
//! `git rev-parse` there costs a second process, about as much time as a small check
//! itself. Anything else — a linked worktree, a subdirectory of a bare repository,
//! `GIT_DIR`, `core.worktree`, an extension, a file-system boundary, another owner, a
//! `safe.bareRepository` other than `all` — is left to git, which
//! [`Layout::resolve`](super::repo::Layout::resolve) asks instead: this finds nothing
//! rather than guess.

use std::ffi::OsString;
use std::fs::Metadata;
use std::path::{Component, Path, PathBuf};

use git2::Config;

use super::repo::Layout;
use super::settings::mentions_any;

/// Variables that change where git finds the repository or what it reads there.
const MOVING_VARIABLES: [&str; 9] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    // `git -c core.worktree=...` and `GIT_CONFIG_KEY_0`.
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    // git then judges every repository another user's.
    "GIT_TEST_ASSUME_DIFFERENT_OWNER",
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
    let owner = current_user()?;
    // git looks for `.git` in a directory before asking whether it is one itself.
    if !start.join(".git").try_exists().ok()? && start.join("HEAD").exists() {
        return bare_layout(start, owner, &var);
    }
    let device = device(&std::fs::metadata(&start).ok()?)?;
    let top = work_tree_top(&start, device)?;
    let git_dir = top.join(".git");
    for path in [&top, &git_dir] {
        if !owned_by(path, owner) {
            return None;
        }
    }
    if !is_plain_git_dir(&git_dir) || !plain_config(&git_dir.join("config"), false)? {
        return None;
    }
    own_layout(git_dir, Some(top), &var)
}

/// A bare repository lockstep starts in (`-C repo.git`, a server's hook, a CI mirror),
/// as git resolves it: the directory itself, no work tree. Not with `core.bare` false (a
/// `.git` directory entered directly is git's to answer), and only where git allows a
/// bare repository it finds without `GIT_DIR` ([`implicit_bare_allowed`]).
fn bare_layout(
    git_dir: PathBuf,
    owner: u32,
    var: &impl Fn(&str) -> Option<OsString>,
) -> Option<Layout> {
    if !owned_by(&git_dir, owner)
        || !is_plain_git_dir(&git_dir)
        || !plain_config(&git_dir.join("config"), true)?
        || !implicit_bare_allowed(var)
    {
        return None;
    }
    own_layout(git_dir, None, var)
}

/// The layout of a repository whose git directory is its own (not a linked worktree's)
/// and holds its objects: `GIT_INDEX_FILE` relative to the work tree, or to the git
/// directory of a bare repository, as git reads it.
fn own_layout(
    git_dir: PathBuf,
    work_tree: Option<PathBuf>,
    var: &impl Fn(&str) -> Option<OsString>,
) -> Option<Layout> {
    let index_file = match var("GIT_INDEX_FILE") {
        None => git_dir.join("index"),
        Some(file) => index_file_at(work_tree.as_ref().unwrap_or(&git_dir), Path::new(&file))?,
    };
    Some(Layout {
        object_dir: git_dir.join("objects"),
        index_file,
        common_dir: git_dir.clone(),
        git_dir,
        work_tree,
        alternates: Vec::new(),
    })
}

fn owned_by(path: &Path, owner: u32) -> bool {
    std::fs::metadata(path).ok().and_then(|m| owner_of(&m)) == Some(owner)
}

/// Whether git accepts a bare repository it finds without `GIT_DIR`: only where
/// `safe.bareRepository` is `all` (or unset, which means `all` in git 2.x; git built
/// with its 3.0 defaults means `explicit` then, and refuses) in every file of the
/// configuration only the user controls — the system and global files, as
/// `GIT_CONFIG_NOSYSTEM`, `GIT_CONFIG_SYSTEM`, `GIT_CONFIG_GLOBAL`, `XDG_CONFIG_HOME` and
/// `HOME` choose them; the command line's is a moving variable. A file that includes
/// another is git's to read.
fn implicit_bare_allowed(var: &impl Fn(&str) -> Option<OsString>) -> bool {
    protected_config_files(var).is_some_and(|files| {
        files
            .iter()
            .all(|file| allows_implicit_bare(file) == Some(true))
    })
}

/// The system and global configuration files git would read, missing ones included;
/// `None` where git's choice is not certain.
fn protected_config_files(var: &impl Fn(&str) -> Option<OsString>) -> Option<Vec<PathBuf>> {
    let absolute = |value: OsString| {
        let path = PathBuf::from(value);
        path.is_absolute().then_some(path)
    };
    let mut files = Vec::new();
    if !env_bool(var("GIT_CONFIG_NOSYSTEM"))? {
        match var("GIT_CONFIG_SYSTEM") {
            Some(file) => files.push(absolute(file)?),
            None => files.extend(system_config_files(var)?),
        }
    }
    if let Some(file) = var("GIT_CONFIG_GLOBAL") {
        files.push(absolute(file)?);
        return Some(files);
    }
    // Without HOME git reads no global file.
    let home = match var("HOME") {
        None => None,
        Some(home) => Some(absolute(home)?),
    };
    match var("XDG_CONFIG_HOME").filter(|dir| !dir.is_empty()) {
        Some(dir) => files.push(absolute(dir)?.join("git/config")),
        None => files.extend(home.as_ref().map(|h| h.join(".config/git/config"))),
    }
    files.extend(home.map(|h| h.join(".gitconfig")));
    Some(files)
}

/// git's system file is `$(sysconfdir)/gitconfig`: `/etc` for a git installed under
/// `/usr`, else its prefix's `etc`. Both are read for the `git` first on `PATH`, the one
/// lockstep would ask; `None` without one.
fn system_config_files(var: &impl Fn(&str) -> Option<OsString>) -> Option<Vec<PathBuf>> {
    let path = var("PATH")?;
    let bin = std::env::split_paths(&path)
        .find(|dir| std::fs::metadata(dir.join("git")).is_ok_and(|meta| is_executable(&meta)))?;
    let prefix = bin.parent().filter(|_| bin.is_absolute())?;
    let mut files = vec![PathBuf::from("/etc/gitconfig")];
    if prefix != Path::new("/usr") && prefix != Path::new("/") {
        files.push(prefix.join("etc/gitconfig"));
    }
    Some(files)
}

/// A boolean variable as git reads it; `None` for a value this does not read as git.
fn env_bool(value: Option<OsString>) -> Option<bool> {
    let Some(value) = value else {
        return Some(false);
    };
    match value.to_str()?.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" | "" => Some(false),
        _ => None,
    }
}

/// Whether one configuration file leaves bare repositories allowed: missing, or no
/// `safe.bareRepository` but `all` in it. `None` when it cannot be read or includes
/// another file. Variable and section names cannot be escaped, so a file whose text
/// names neither is not parsed.
fn allows_implicit_bare(file: &Path) -> Option<bool> {
    let text = match std::fs::read(file) {
        Ok(text) => text.to_ascii_lowercase(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(true),
        Err(_) => return None,
    };
    let mentions = |word: &[u8]| text.windows(word.len()).any(|w| w == word);
    if mentions(b"include") {
        return None;
    }
    if !mentions(b"barerepository") {
        return Some(true);
    }
    let config = Config::open(file).ok()?;
    let mut values = config.multivar("safe.barerepository", None).ok()?;
    let mut all = true;
    while let Some(entry) = values.next() {
        all &= entry.ok()?.value() == Some("all");
    }
    Some(all)
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

/// Whether the repository's config leaves the work tree where `.git` is (or, `bare`,
/// leaves none) and reads as SHA-1 with files for refs: no `core.worktree`, `core.bare`
/// as `bare` says or unset, format version 0 or 1, and only extensions that change
/// neither. A missing file is all of that (a mirror may have none). `None` when it does
/// not parse. A file as `git init` and `git clone` write it is read here
/// ([`CoreValues::read`]); any other, by libgit2.
fn plain_config(path: &Path, bare: bool) -> Option<bool> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(true),
        Err(_) => return None,
    };
    match CoreValues::read(&text) {
        Some(core) => Some(core.plain(bare)),
        None => plain_config_by_libgit2(path, bare),
    }
}

/// [`plain_config`] of any file, read by libgit2's parser (includes, quotes, escapes,
/// extensions).
fn plain_config_by_libgit2(path: &Path, bare: bool) -> Option<bool> {
    let config = Config::open(path).ok()?;
    if config.get_entry("core.worktree").is_ok()
        || config.get_bool("core.bare").unwrap_or(bare) != bare
        || config
            .get_i64("core.repositoryformatversion")
            .is_ok_and(|v| !(0..=1).contains(&v))
    {
        return Some(false);
    }
    // Every entry, its name compared here: a pattern would be a regex compiled by
    // libgit2 for each process.
    let mut entries = config.entries(None).ok()?;
    while let Some(entry) = entries.next() {
        let entry = entry.ok()?;
        let name = entry.name()?.to_ascii_lowercase();
        if !name.starts_with("extensions.") {
            continue;
        }
        let plain = PLAIN_EXTENSIONS
            .iter()
            .any(|(key, value)| *key == name && value.is_none_or(|v| entry.value() == Some(v)));
        if !plain {
            return Some(false);
        }
    }
    Some(true)
}

/// What a repository's config sets of `core.bare` and `core.repositoryformatversion`,
/// in a file of the shape git writes: `[section]` and `[section "sub"]` headers, then
/// `key = value` lines (or a bare `key`), whole-line comments; values without quotes,
/// escapes, continuations or comments after them; no carriage return; and no mention
/// of a work tree, an extension or an include anywhere. libgit2's parse costs more
/// than the rest of the discovery (its files are stat-ed and checked for access, every
/// entry copied); this reads only that shape, and anything else is libgit2's.
#[derive(Debug, PartialEq, Eq)]
struct CoreValues {
    bare: Option<bool>,
    version: Option<i64>,
}

impl CoreValues {
    /// The values, or `None` where the file is not of that shape (or sets one twice).
    fn read(text: &[u8]) -> Option<CoreValues> {
        let unusual: [&[u8]; 5] = [
            b"worktree",
            b"extensions",
            b"include",
            b"\r",
            b"\xef\xbb\xbf",
        ];
        if mentions_any(text, unusual) {
            return None;
        }
        let text = text.to_ascii_lowercase();
        let mut values = CoreValues {
            bare: None,
            version: None,
        };
        // `None` before the first header, where git allows no variable.
        let mut in_core = None;
        for line in text.split(|&b| b == b'\n').map(<[u8]>::trim_ascii) {
            if line.is_empty() || line[0] == b'#' || line[0] == b';' {
                continue;
            }
            if let Some(header) = line.strip_prefix(b"[") {
                in_core = Some(section_is_core(header.strip_suffix(b"]")?)?);
                continue;
            }
            let (key, value) = match line.iter().position(|&b| b == b'=') {
                Some(at) => (line[..at].trim_ascii(), Some(line[at + 1..].trim_ascii())),
                None => (line, None),
            };
            let plain_value =
                value.is_none_or(|v| !v.iter().any(|b| matches!(b, b'"' | b'\\' | b'#' | b';')));
            if !is_variable_name(key) || !plain_value {
                return None;
            }
            if !in_core? {
                continue;
            }
            match key {
                b"bare" if values.bare.is_none() => values.bare = Some(boolean(value)?),
                b"repositoryformatversion" if values.version.is_none() => {
                    values.version = Some(decimal(value?)?);
                }
                b"bare" | b"repositoryformatversion" => return None,
                _ => {}
            }
        }
        Some(values)
    }

    /// [`plain_config`]'s verdict on these values: `core.bare` as `bare` says or unset,
    /// format version 0 or 1 (there is no `core.worktree`, no extension).
    fn plain(&self, bare: bool) -> bool {
        self.bare.unwrap_or(bare) == bare && self.version.is_none_or(|v| (0..=1).contains(&v))
    }
}

/// Whether a section header (between its brackets) is `core`'s own: `Some(false)` for
/// any other section or a subsection; `None` where it is not of the plain shape.
fn section_is_core(header: &[u8]) -> Option<bool> {
    let (name, sub) = match header.iter().position(|&b| b == b' ') {
        Some(at) => (&header[..at], Some(header[at + 1..].trim_ascii_start())),
        None => (header, None),
    };
    let name_ok = !name.is_empty() && name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-');
    let sub_ok = sub.is_none_or(|sub| {
        sub.len() >= 2
            && sub.starts_with(b"\"")
            && sub.ends_with(b"\"")
            && !sub[1..sub.len() - 1]
                .iter()
                .any(|&b| b == b'"' || b == b'\\')
    });
    (name_ok && sub_ok).then(|| name == b"core" && sub.is_none())
}

/// A variable's name as git accepts one: a letter, then letters, digits and dashes.
fn is_variable_name(name: &[u8]) -> bool {
    name.first().is_some_and(u8::is_ascii_alphabetic)
        && name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A boolean as git reads one, where it is one of the usual words (lowercase here); a
/// variable without `=` is true.
fn boolean(value: Option<&[u8]>) -> Option<bool> {
    match value {
        None | Some(b"true" | b"yes" | b"on" | b"1") => Some(true),
        Some(b"false" | b"no" | b"off" | b"0" | b"") => Some(false),
        Some(_) => None,
    }
}

/// A number of a few plain digits (no sign, no unit suffix).
fn decimal(value: &[u8]) -> Option<i64> {
    if value.is_empty() || value.len() > 9 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
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

#[cfg(unix)]
fn is_executable(meta: &Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.is_file() && meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &Metadata) -> bool {
    false
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

    #[test]
    fn a_config_read_without_libgit2_gives_its_verdict_and_any_other_is_left_to_it() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("config");
        let init = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\
            \tlogallrefupdates = true\n[remote \"origin\"]\n\turl = /x\n\
            \tfetch = +refs/heads/*:refs/remotes/origin/*\n[branch \"main\"]\n\tremote = origin\n";
        // (file, whether it is read without libgit2)
        let cases = [
            (init, true),
            ("", true),
            ("[core]\n\tbare = true\n", true),
            ("[core]\n\tbare\n", true),
            (
                "[Core]\n\tBare = YES\n\tRepositoryFormatVersion = 1\n",
                true,
            ),
            ("[core]\n\trepositoryformatversion = 2\n", true),
            (
                "[core]\nbare=off\n# a comment\n; another\n\n\tbare-ish = x\n",
                true,
            ),
            ("[core]\n\tbare =\n", true),
            ("[core \"sub\"]\n\tbare = true\n", true),
            (
                "[remote \"a]b\"]\n\tbare = true\n[core]\n\tfilemode = false\n",
                true,
            ),
            ("[core]\n\tworktree = /elsewhere\n", false),
            (
                "[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectformat = sha256\n",
                false,
            ),
            (
                "[core]\n\trepositoryformatversion = 1\n[extensions]\n\tnoop = x\n",
                false,
            ),
            ("[include]\n\tpath = other\n", false),
            ("[core]\n\tbare = \"true\"\n", false),
            ("[core]\n\tbare = true # so it is\n", false),
            ("[core]\r\n\tbare = true\r\n", false),
            ("[core]\n\tbare = maybe\n", false),
            ("[core]\n\trepositoryformatversion = 1k\n", false),
            ("[core]\n\trepositoryformatversion = -1\n", false),
            ("[core]\n\tbare = false\n\tbare = true\n", false),
            ("bare = true\n[core]\n", false),
            ("[core.sub]\n\tbare = true\n", false),
            ("[core \"a\\\"b\"]\n\tbare = true\n", false),
            ("[core]\n\tbare = tr\\\nue\n", false),
            ("[core]\n\t2bare = true\n", false),
        ];
        for (text, here) in cases {
            std::fs::write(&path, text).expect("config");
            let read = CoreValues::read(text.as_bytes());
            assert_eq!(read.is_some(), here, "{text:?}: {read:?}");
            for bare in [false, true] {
                assert_eq!(
                    plain_config(&path, bare),
                    plain_config_by_libgit2(&path, bare),
                    "{text:?}, bare: {bare}"
                );
            }
        }
        std::fs::remove_file(&path).expect("remove");
        assert_eq!(plain_config(&path, false), Some(true), "no file");
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
        assert!(
            plain_layout(&repo.path().join(".git"), no_variables).is_none(),
            "a .git directory entered directly"
        );
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

    /// The variables a test gives both git and the fast path: PATH, a HOME of its own,
    /// and no system file unless `extra` says otherwise.
    fn environment(home: &Path, extra: &[(&str, &str)]) -> Vec<(String, OsString)> {
        let mut env = vec![
            (
                "PATH".to_owned(),
                std::env::var_os("PATH").unwrap_or_default(),
            ),
            ("HOME".to_owned(), home.as_os_str().to_owned()),
            ("GIT_CONFIG_NOSYSTEM".to_owned(), OsString::from("1")),
        ];
        for (name, value) in extra {
            env.retain(|(known, _)| known != name);
            env.push(((*name).to_owned(), OsString::from(value)));
        }
        env
    }

    fn lookup(env: &[(String, OsString)]) -> impl Fn(&str) -> Option<OsString> + '_ {
        |name| env.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }

    /// What `git rev-parse` resolves from `dir` in `env` alone (the queries
    /// `Layout::ask_git` makes), or git's message when it refuses.
    fn git_layout(dir: &Path, env: &[(String, OsString)]) -> Result<Layout, String> {
        let output = std::process::Command::new("git")
            .current_dir(dir)
            .env_clear()
            .envs(env.iter().map(|(n, v)| (n, v)))
            .args(["rev-parse", "--path-format=absolute", "--git-dir"])
            .args(["--git-common-dir", "--git-path", "objects", "--git-path"])
            .args(["index", "--show-toplevel"])
            .output()
            .expect("git runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let lines: Vec<PathBuf> = stdout.lines().map(PathBuf::from).collect();
        let [git_dir, common_dir, object_dir, index_file, rest @ ..] = lines.as_slice() else {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        };
        Ok(Layout {
            git_dir: git_dir.clone(),
            common_dir: common_dir.clone(),
            work_tree: rest.first().filter(|_| output.status.success()).cloned(),
            object_dir: object_dir.clone(),
            index_file: index_file.clone(),
            alternates: Vec::new(),
        })
    }

    fn bare_repository() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp");
        git(dir.path(), &["init", "-q", "--bare", "repo.git"]);
        dir
    }

    /// The layout found without git from `dir` in `env`, after checking it is the one
    /// `git rev-parse` resolves there; `case` names the case when there is none.
    fn resolved_as_git_resolves(dir: &Path, env: &[(String, OsString)], case: &str) -> Layout {
        let plain = plain_layout(dir, lookup(env)).expect(case);
        assert_same(&plain, &git_layout(dir, env).expect("git resolves it"));
        plain
    }

    #[test]
    fn a_bare_repository_entered_at_its_top_resolves_as_git_resolves_it() {
        let home = bare_repository();
        let bare = home.path().join("repo.git");
        let env = environment(home.path(), &[]);
        let plain = resolved_as_git_resolves(&bare, &env, "the plain bare case");
        assert_eq!(plain.work_tree, None);
        // Through a symbolic link and `..`: git works from the real path.
        let link = home.path().join("link");
        std::os::unix::fs::symlink(&bare, &link).expect("symlink");
        let dir = link.join("refs/..");
        resolved_as_git_resolves(&dir, &env, "the plain bare case");
        for file in ["index.lock", "/tmp/elsewhere/index"] {
            let env = environment(home.path(), &[("GIT_INDEX_FILE", file)]);
            resolved_as_git_resolves(&bare, &env, "the plain bare case");
        }
        // A mirror without a config file, or one without `core.bare`.
        git(&bare, &["config", "--unset", "core.bare"]);
        resolved_as_git_resolves(&bare, &env, "no core.bare");
        std::fs::remove_file(bare.join("config")).expect("remove");
        resolved_as_git_resolves(&bare, &env, "no config");
    }

    #[test]
    fn a_bare_repository_git_would_not_find_as_such_is_left_to_git() {
        let home = bare_repository();
        let bare = home.path().join("repo.git");
        let env = environment(home.path(), &[]);
        // Below its top git walks up to it; the fast path does not.
        let refs = bare.join("refs");
        assert!(plain_layout(&refs, lookup(&env)).is_none(), "subdirectory");
        git_layout(&refs, &env).expect("git walks up");
        let git_dir = bare.to_string_lossy().into_owned();
        for (name, value) in [
            ("GIT_DIR", git_dir.as_str()),
            ("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1"),
            ("GIT_CONFIG_COUNT", "1"),
            ("GIT_CONFIG_NOSYSTEM", "maybe"),
            ("GIT_CONFIG_GLOBAL", "relative/config"),
            ("HOME", "relative"),
        ] {
            let env = environment(home.path(), &[(name, value)]);
            assert!(
                plain_layout(&bare, lookup(&env)).is_none(),
                "{name}={value}"
            );
        }
        // Without git on PATH its system file is not known (and libgit2 answers).
        let env = environment(
            home.path(),
            &[("GIT_CONFIG_NOSYSTEM", "0"), ("PATH", "/nowhere")],
        );
        assert!(
            plain_layout(&bare, lookup(&env)).is_none(),
            "no git on PATH"
        );
        // A bare repository whose config does not say so, or moves the work tree.
        for (key, value) in [("core.bare", "false"), ("core.worktree", "/elsewhere")] {
            let home = bare_repository();
            let bare = home.path().join("repo.git");
            git(&bare, &["config", key, value]);
            let env = environment(home.path(), &[]);
            assert!(plain_layout(&bare, lookup(&env)).is_none(), "{key}");
        }
        // A `.git` beside HEAD: git reads that first.
        std::fs::create_dir(bare.join(".git")).expect("mkdir");
        assert!(plain_layout(&bare, lookup(&env)).is_none(), "a .git inside");
    }

    #[test]
    fn safe_bare_repository_in_the_user_s_configuration_is_honoured_as_git_honours_it() {
        let home = bare_repository();
        let bare = home.path().join("repo.git");
        let system = home.path().join("system");
        let global = home.path().join("global");
        let xdg = home.path().join("xdg");
        std::fs::create_dir_all(xdg.join("git")).expect("mkdir");
        let system_var = system.to_string_lossy().into_owned();
        let global_var = global.to_string_lossy().into_owned();
        let xdg_var = xdg.to_string_lossy().into_owned();
        let files = [
            (home.path().join(".gitconfig"), vec![]),
            (
                xdg.join("git/config"),
                vec![("XDG_CONFIG_HOME", xdg_var.as_str())],
            ),
            (
                global.clone(),
                vec![("GIT_CONFIG_GLOBAL", global_var.as_str())],
            ),
            (
                system.clone(),
                vec![
                    ("GIT_CONFIG_SYSTEM", system_var.as_str()),
                    ("GIT_CONFIG_NOSYSTEM", "false"),
                ],
            ),
        ];
        for (file, extra) in &files {
            let env = environment(home.path(), extra);
            for (text, fast) in [
                ("[safe]\n\tbareRepository = explicit\n", false),
                ("[Safe]\n\tBareRepository = all\n", true),
                (
                    "[safe]\nbarerepository = all\nbarerepository = explicit\n",
                    false,
                ),
                ("[user]\n\tname = A bare repository\n", true),
                ("[include]\n\tpath = other\n", false),
            ] {
                std::fs::write(file, text).expect("write");
                let plain = plain_layout(&bare, lookup(&env));
                let git = git_layout(&bare, &env);
                let context = format!("{}: {text:?}", file.display());
                assert_eq!(plain.is_some(), fast, "{context}");
                match (&plain, &git) {
                    (Some(plain), Ok(git)) => assert_same(plain, git),
                    (Some(_), Err(refused)) => panic!("git refuses: {refused} ({context})"),
                    (None, _) => {}
                }
                if text.contains("explicit") {
                    let refused = git.expect_err(&context);
                    assert!(refused.contains("safe.bareRepository"), "{refused}");
                }
            }
            std::fs::remove_file(file).expect("remove");
        }
        // Set aside by GIT_CONFIG_NOSYSTEM, a system file's setting counts for nothing.
        std::fs::write(&system, "[safe]\n\tbareRepository = explicit\n").expect("write");
        let env = environment(home.path(), &[("GIT_CONFIG_SYSTEM", system_var.as_str())]);
        resolved_as_git_resolves(&bare, &env, "the plain bare case");
    }

    #[test]
    fn a_bare_repository_owned_by_another_user_is_left_to_git() {
        let home = bare_repository();
        let bare = home.path().join("repo.git");
        // git's own stand-in for another owner, then (as root) a real one.
        let env = environment(home.path(), &[("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")]);
        assert!(plain_layout(&bare, lookup(&env)).is_none());
        let refused = git_layout(&bare, &env).expect_err("git refuses it");
        assert!(refused.contains("dubious ownership"), "{refused}");
        if current_user() == Some(0) {
            std::os::unix::fs::chown(&bare, Some(4242), None).expect("chown");
            let env = environment(home.path(), &[]);
            assert!(plain_layout(&bare, lookup(&env)).is_none());
            let refused = git_layout(&bare, &env).expect_err("git refuses it");
            assert!(refused.contains("dubious ownership"), "{refused}");
        }
    }
}
