//! The hooks of `.pre-commit-hooks.yaml`, run by the real pre-commit and prek through a
//! real `git commit` / `git push`. The fixture's `.pre-commit-config.yaml` is a
//! `repo: local` copy of each hook with `lockstep` replaced by the built binary (a
//! `language: rust` install would rebuild this crate inside the tool's cache).
//!
//! The programs are found on PATH (`.ci/run` installs them). Missing, the tests fail in
//! CI and are skipped with a note elsewhere.

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

use support::{PROTO, Repo, isolate, write_api};

/// `name` on PATH; `None` (after a note) outside CI when it is missing.
fn program(name: &str) -> Option<PathBuf> {
    support::tool(name, None, "pip install pre-commit prek")
}

/// One hook of `.pre-commit-hooks.yaml`, as flat `key: value` lines.
struct Manifest {
    hooks: Vec<Vec<(String, String)>>,
}

impl Manifest {
    fn read() -> Manifest {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/.pre-commit-hooks.yaml"
        ))
        .expect("read .pre-commit-hooks.yaml");
        let mut hooks: Vec<Vec<(String, String)>> = Vec::new();
        for line in text.lines() {
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') || trimmed.is_empty() {
                continue;
            }
            if let Some(first) = trimmed.strip_prefix("- ") {
                hooks.push(Vec::new());
                push_pair(hooks.last_mut().expect("hook"), first);
            } else if let Some(hook) = hooks.last_mut() {
                push_pair(hook, trimmed);
            }
        }
        Manifest { hooks }
    }

    /// The hook as a `repo: local` entry running the built binary.
    fn local_hook(&self, id: &str) -> String {
        let hook = self
            .hooks
            .iter()
            .find(|h| h.iter().any(|(k, v)| k == "id" && v == id))
            .unwrap_or_else(|| panic!("no hook `{id}` in .pre-commit-hooks.yaml"));
        let mut yaml = String::new();
        for (key, value) in hook {
            let value = match key.as_str() {
                "entry" => {
                    let args = value.strip_prefix("lockstep").expect("entry runs lockstep");
                    format!("{}{args}", env!("CARGO_BIN_EXE_lockstep"))
                }
                "language" => "system".to_owned(),
                "description" => continue,
                _ => value.clone(),
            };
            let lead = if yaml.is_empty() { "  - " } else { "    " };
            yaml.push_str(&format!("{lead}{key}: {value}\n"));
        }
        yaml
    }
}

fn push_pair(hook: &mut Vec<(String, String)>, line: &str) {
    let (key, value) = line.split_once(':').expect("key: value");
    hook.push((key.trim().to_owned(), value.trim().to_owned()));
}

/// The tool's command with the fixture's isolated environment and its own cache.
fn tool(repo: &Repo, program: &PathBuf, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command.args(args).current_dir(repo.path());
    with_tool_env(&mut command, repo);
    command
}

fn with_tool_env(command: &mut Command, repo: &Repo) {
    isolate(command, repo.home());
    let cache = repo.home().join("cache");
    command
        .env("PRE_COMMIT_HOME", cache.join("pre-commit"))
        .env("PREK_HOME", cache.join("prek"))
        .env("XDG_CACHE_HOME", &cache);
}

fn git(repo: &Repo, args: &[&str]) -> Output {
    let mut command = repo.git_command(args);
    with_tool_env(&mut command, repo);
    command.output().expect("run git")
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

/// A repository whose `.pre-commit-config.yaml` runs `hook`, installed by `program`.
fn fixture(program: &PathBuf, hook: &str, hook_types: &[&str]) -> Repo {
    let repo = Repo::new();
    let config = format!(
        "repos:\n- repo: local\n  hooks:\n{}",
        Manifest::read().local_hook(hook)
    );
    write_api(&repo).write(".pre-commit-config.yaml", config);
    repo.commit("initial");
    let mut args = vec!["install"];
    for hook_type in hook_types {
        args.extend(["--hook-type", hook_type]);
    }
    let output = tool(&repo, program, &args).output().expect("install hooks");
    assert!(output.status.success(), "{}", text(&output));
    repo
}

fn stage_violation(repo: &Repo) {
    repo.write(
        PROTO,
        "service Refunds {\n  rpc Refund(R) returns (S2);\n}\n",
    );
    repo.git(&["add", "-A"]);
}

fn commits(repo: &Repo) -> usize {
    repo.git(&["rev-list", "--count", "HEAD"])
        .trim()
        .parse()
        .expect("count")
}

fn refuses_then_accepts_with_companions(name: &str) {
    let Some(program) = program(name) else { return };
    let repo = fixture(&program, "lockstep", &["pre-commit"]);
    stage_violation(&repo);
    let output = git(&repo, &["commit", "-m", "Change refunds"]);
    let out = text(&output);
    assert!(
        !output.status.success(),
        "the commit must be refused: {out}"
    );
    assert!(out.contains("payments-api"), "{out}");
    assert!(out.contains("update docs: docs/payments/api.md"), "{out}");
    assert_eq!(commits(&repo), 1);

    repo.write("docs/payments/api.md", "# API v2\n")
        .write("sdk/go/payments/client.go", "package payments // v2\n");
    repo.git(&["add", "-A"]);
    let output = git(&repo, &["commit", "-m", "Change refunds with docs and SDK"]);
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(commits(&repo), 2);
}

fn commit_msg_trailer_waives(name: &str) {
    let Some(program) = program(name) else { return };
    let repo = fixture(&program, "lockstep-commit-msg", &["commit-msg"]);
    stage_violation(&repo);
    let output = git(&repo, &["commit", "-m", "Change refunds"]);
    assert!(!output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("payments-api"), "{}", text(&output));
    let message = "Change refunds\n\nLockstep-Skip: payments-api -- docs follow in #12";
    let output = git(&repo, &["commit", "-m", message]);
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(commits(&repo), 2);
}

fn pre_push_checks_the_pushed_range(name: &str) {
    let Some(program) = program(name) else { return };
    let repo = fixture(&program, "lockstep", &["pre-push"]);
    let remote = Repo::empty();
    remote.git(&["init", "-q", "--bare", "."]);
    let url = remote.path().display().to_string();
    repo.git(&["remote", "add", "origin", &url]);
    repo.git(&["push", "-q", "origin", "main"]);
    stage_violation(&repo);
    repo.git(&["commit", "-q", "-m", "Change refunds"]);
    let output = git(&repo, &["push", "origin", "main"]);
    assert!(
        !output.status.success(),
        "the push must be refused: {}",
        text(&output)
    );
    assert!(text(&output).contains("payments-api"), "{}", text(&output));
    repo.write("docs/payments/api.md", "# API v2\n")
        .write("sdk/go/payments/client.go", "package payments // v2\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "-m", "Docs and SDK"]);
    let output = git(&repo, &["push", "origin", "main"]);
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn the_manifest_is_valid_for_pre_commit() {
    let Some(program) = program("pre-commit") else {
        return;
    };
    let output = Command::new(program)
        .args(["validate-manifest", ".pre-commit-hooks.yaml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run pre-commit");
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn pre_commit_refuses_a_commit_without_companions() {
    refuses_then_accepts_with_companions("pre-commit");
}

#[test]
fn pre_commit_commit_msg_hook_honours_the_trailer() {
    commit_msg_trailer_waives("pre-commit");
}

#[test]
fn pre_commit_pre_push_checks_the_pushed_range() {
    pre_push_checks_the_pushed_range("pre-commit");
}

#[test]
fn prek_refuses_a_commit_without_companions() {
    refuses_then_accepts_with_companions("prek");
}

#[test]
fn prek_commit_msg_hook_honours_the_trailer() {
    commit_msg_trailer_waives("prek");
}

#[test]
fn prek_pre_push_checks_the_pushed_range() {
    pre_push_checks_the_pushed_range("prek");
}
