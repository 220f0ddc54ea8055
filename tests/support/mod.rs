//! Fixture repositories for the CLI tests: real git, an isolated configuration, pinned
//! dates (so commit ids are stable), and the real `lockstep` binary run with a cleared
//! environment.
#![allow(dead_code)] // each test binary uses part of this module

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

pub mod consumers;

/// Every changed path triggers `every-path`, unless `witness.md` changes too: a finding
/// lists the paths lockstep sees changed (all but the witness itself).
pub const EVERY_PATH_RULES: &str = r#"version = 1

[[rule]]
id = "every-path"
when = ["**"]
unless = ["witness.md"]

[[rule.then]]
kind = "docs"
paths = ["witness.md"]
"#;

/// A command's standard output read as JSON; its output and errors shown when it is not.
pub fn stdout_json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// A git repository in a temporary directory.
pub struct Repo {
    dir: TempDir,
    home: TempDir,
    clock: Cell<u64>,
}

/// 2026-01-01T00:00:00Z; each commit is a minute later than the one before.
const EPOCH: u64 = 1_767_225_600;

impl Repo {
    pub fn new() -> Repo {
        let repo = Repo::empty();
        repo.git(&["init", "-q", "-b", "main", "."]);
        repo
    }

    /// A directory with no repository yet (for `git clone`, bare repositories...).
    pub fn empty() -> Repo {
        Repo {
            dir: tempfile::tempdir().expect("temp dir"),
            home: tempfile::tempdir().expect("temp home"),
            clock: Cell::new(EPOCH),
        }
    }

    /// A shallow clone of this repository (`git clone --depth DEPTH OPTIONS… file://…`).
    pub fn shallow_clone(&self, depth: u32, options: &[&str]) -> Repo {
        let clone = Repo::empty();
        let url = format!("file://{}", self.path().display());
        let depth = depth.to_string();
        let mut args = vec!["clone", "-q", "--depth", &depth];
        args.extend_from_slice(options);
        args.extend_from_slice(&[&url, "."]);
        clone.git(&args);
        clone
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Writes a file, creating its directories.
    pub fn write(&self, path: &str, contents: impl AsRef<[u8]>) -> &Repo {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, contents).expect("write");
        self
    }

    pub fn remove(&self, path: &str) -> &Repo {
        std::fs::remove_file(self.path().join(path)).expect("remove");
        self
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.path().join(path)).expect("read")
    }

    /// A git command with an isolated configuration and the fixture's clock.
    pub fn git_command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("git");
        command.args(args).current_dir(self.path());
        isolate(&mut command, self.home());
        let date = format!("@{} +0000", self.clock.get());
        command
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date);
        command
    }

    /// Runs git and returns its standard output; panics when git fails.
    pub fn git(&self, args: &[&str]) -> String {
        let output = self.git_command(args).output().expect("run git");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Stages everything and commits; returns the new commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.clock.set(self.clock.get() + 60);
        self.rev("HEAD")
    }

    /// Commits everything with both dates set to `date` (git's date formats); returns
    /// the new commit id.
    pub fn commit_at(&self, message: &str, date: &str) -> String {
        self.git(&["add", "-A"]);
        let output = self
            .git_command(&["commit", "-q", "--allow-empty", "-m", message])
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .expect("run git");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        self.rev("HEAD")
    }

    pub fn rev(&self, spec: &str) -> String {
        self.git(&["rev-parse", spec]).trim().to_owned()
    }

    /// The repository's (first) pack file, after a `git repack -a`.
    pub fn pack_file(&self) -> PathBuf {
        std::fs::read_dir(self.path().join(".git/objects/pack"))
            .expect("pack dir")
            .map(|entry| entry.expect("entry").path())
            .find(|path| path.extension().is_some_and(|e| e == "pack"))
            .expect("a pack")
    }

    /// The real binary, in this repository, with nothing inherited from the environment
    /// (CI runs with `CI=true`, which lockstep reads).
    pub fn lockstep(&self) -> assert_cmd::Command {
        self.lockstep_in(self.path())
    }

    pub fn lockstep_in(&self, dir: &Path) -> assert_cmd::Command {
        let mut command = assert_cmd::Command::cargo_bin("lockstep").expect("binary");
        command.current_dir(dir).env_clear();
        command.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        // TMPDIR too: what lockstep writes to the system's temporary directory (an
        // Azure Pipelines summary outside a pipeline) stays in the test's own.
        command
            .env("HOME", self.home())
            .env("TMPDIR", self.home())
            .env("GIT_CONFIG_NOSYSTEM", "1");
        command
    }

    /// Stages every change and runs `lockstep check --staged --deny warnings`, which must
    /// exit `code`: the report it printed.
    pub fn check_all_staged(&self, code: i32) -> String {
        self.git(&["add", "-A"]);
        let output = self
            .lockstep()
            .args(["check", "--staged", "--deny", "warnings"])
            .exits(code);
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Every byte lockstep must never change: the index, HEAD, refs, and the work tree.
    pub fn state(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut state = BTreeMap::new();
        collect(self.path(), self.path(), &mut state);
        state
    }
}

fn collect(root: &Path, dir: &Path, state: &mut BTreeMap<PathBuf, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let relative = path.strip_prefix(root).expect("inside root").to_path_buf();
        // Objects are immutable and content-addressed; the rest of .git is what matters.
        if relative.starts_with(".git/objects") || relative.starts_with(".git/logs") {
            continue;
        }
        let meta = std::fs::symlink_metadata(&path).expect("metadata");
        if meta.is_dir() {
            collect(root, &path, state);
        } else if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).expect("link");
            state.insert(relative, target.to_string_lossy().as_bytes().to_vec());
        } else {
            state.insert(relative, std::fs::read(&path).expect("read"));
        }
    }
}

/// Isolates a git (or lockstep) process from the machine's configuration.
pub fn isolate(command: &mut Command, home: &Path) {
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada Lovelace")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Lovelace")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("LANG", "C");
}

/// [`isolate`] for pre-commit and prek (and the git commands that run them): their caches
/// under `home`, so every test installs its hooks afresh.
pub fn isolate_hook_tool(command: &mut Command, home: &Path) {
    isolate(command, home);
    let cache = home.join("cache");
    command
        .env("PRE_COMMIT_HOME", cache.join("pre-commit"))
        .env("PREK_HOME", cache.join("prek"))
        .env("XDG_CACHE_HOME", &cache);
}

/// The rule set used by most tests: an API with docs and SDK companions.
pub const API_RULES: &str = r#"version = 1

[[rule]]
id = "payments-api"
description = "Payments API changes reach docs and SDKs"
when = ["services/payments/api/**/*.proto"]
unless = ["**/testdata/**"]
owners = ["@acme/payments-docs"]
message = "Run `make sdk`."

[[rule.then]]
kind = "docs"
paths = ["docs/payments/api.md"]

[[rule.then]]
kind = "sdk"
paths = ["sdk/go/payments/**", "sdk/ts/src/payments/**"]
"#;

/// The API file `API_RULES` guards.
pub const PROTO: &str = "services/payments/api/refund.proto";

/// Writes the payments service (`API_RULES`, the proto, its docs and SDK) into `repo`,
/// uncommitted, so a test can add files of its own before the first commit.
pub fn write_api(repo: &Repo) -> &Repo {
    repo.write("lockstep.toml", API_RULES)
        .write(
            PROTO,
            "service Refunds {\n  rpc Refund(R) returns (S);\n}\n",
        )
        .write("docs/payments/api.md", "# API\n")
        .write("sdk/go/payments/client.go", "package payments\n")
}

/// A repository whose first commit is the payments service with all its companions.
pub fn api_repo() -> Repo {
    let repo = Repo::new();
    write_api(&repo);
    repo.commit("initial");
    repo
}

/// An external program a test drives (pre-commit, prek, the SARIF validator, Graphviz):
/// `$env_var` when it names a file, else `name` on PATH. Missing, the test fails under
/// CI, where `.ci/run` installs it (`install` says how); elsewhere it is skipped with a
/// note naming the tool, never passed in silence.
pub fn tool(name: &str, env_var: Option<&str>, install: &str) -> Option<PathBuf> {
    let from_env = env_var
        .and_then(std::env::var_os)
        .map(PathBuf::from)
        .filter(|path| path.is_file());
    let found = from_env.or_else(|| {
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file())
        })
    });
    if found.is_none() {
        assert!(
            !in_ci(),
            "`{name}` is missing and CI is set: .ci/run must install it ({install})"
        );
        eprintln!("note: `{name}` is not installed ({install}); this test is skipped");
    }
    found
}

/// Whether the tests run in CI (`CI` set to anything but empty or `false`), where every
/// tool they need must be present.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|value| !value.is_empty() && value != "false")
}

/// The JSON report of `lockstep ARGS --format json`, which must exit with `code`.
pub fn json_report(repo: &Repo, args: &[&str], code: i32) -> serde_json::Value {
    let output = repo
        .lockstep()
        .args(args)
        .args(["--format", "json"])
        .exits(code);
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

/// Runs a command that must exit with `code`, and hands back what it printed.
pub trait Exits {
    fn exits(&mut self, code: i32) -> std::process::Output;
}

impl Exits for assert_cmd::Command {
    fn exits(&mut self, code: i32) -> std::process::Output {
        self.assert().code(code).get_output().clone()
    }
}
