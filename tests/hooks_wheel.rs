//! The prebuilt path: the `lockstep-lint` wheel (`pip wheel .`, see pyproject.toml)
//! installed in a fresh virtual environment, and the `language: python` hooks of
//! `hook-repository/` installed from it by the real pre-commit and prek, which then refuse
//! a violating commit.
//!
//! Building the wheel compiles a release binary, so the tests do not build it: they read
//! the directory holding it from `LOCKSTEP_WHEEL_DIR` (`.ci/run` builds it once with
//! `pip wheel --no-deps -w DIR .`). Missing, the tests fail in CI and are skipped with a
//! note elsewhere, as are pre-commit and prek (`.ci/run` installs them, and uv for prek).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use support::{PROTO, Repo, in_ci, isolate, isolate_hook_tool, tool, write_api};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const HOOK_REPOSITORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/hook-repository");

/// The directory holding this version's wheel; `None` (after a note) outside CI.
fn wheel_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("LOCKSTEP_WHEEL_DIR").map(PathBuf::from);
    let prefix = format!("lockstep_lint-{VERSION}-");
    let has_wheel = |dir: &Path| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with(&prefix) && name.ends_with(".whl")
            })
        })
    };
    match dir {
        Some(dir) if has_wheel(&dir) => Some(dir),
        _ => {
            let why = format!(
                "LOCKSTEP_WHEEL_DIR must name a directory holding {prefix}*.whl, built with `pip wheel --no-deps -w DIR .`"
            );
            assert!(!in_ci(), "{why} (.ci/run does)");
            eprintln!("note: {why}; skipping");
            None
        }
    }
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

fn run(command: &mut Command) -> Output {
    let output = command.output().expect("run");
    assert!(output.status.success(), "{command:?}: {}", text(&output));
    output
}

#[test]
fn the_wheel_installs_a_working_lockstep_in_a_fresh_venv() {
    let Some(wheels) = wheel_dir() else { return };
    let repo = Repo::new();
    let venv = repo.home().join("venv");
    run(isolate_in(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        &repo,
    ));
    run(isolate_in(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--no-index", "--find-links"])
            .arg(&wheels)
            .arg("lockstep-lint"),
        &repo,
    ));
    let lockstep = venv.join("bin/lockstep");
    let output = run(isolate_in(Command::new(&lockstep).arg("--version"), &repo));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("lockstep {VERSION}\n")
    );

    write_api(&repo);
    repo.commit("initial");
    stage_violation(&repo);
    let output = isolate_in(Command::new(&lockstep).args(["check", "--staged"]), &repo)
        .output()
        .expect("run lockstep");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("payments-api"), "{}", text(&output));
}

fn isolate_in<'a>(command: &'a mut Command, repo: &Repo) -> &'a mut Command {
    isolate(command, repo.home());
    command.current_dir(repo.path())
}

#[test]
fn the_prebuilt_hooks_are_the_source_hooks_in_python() {
    let strip = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .map(|l| l.replace("language: python", "language: rust"))
            .collect()
    };
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.pre-commit-hooks.yaml"
    ))
    .expect("read .pre-commit-hooks.yaml");
    let prebuilt = std::fs::read_to_string(format!("{HOOK_REPOSITORY}/.pre-commit-hooks.yaml"))
        .expect("read hook-repository/.pre-commit-hooks.yaml");
    assert!(prebuilt.contains("language: python"));
    assert_eq!(strip(&prebuilt), strip(&source));
}

#[test]
fn the_hook_repository_pins_this_version() {
    let pyproject = std::fs::read_to_string(format!("{HOOK_REPOSITORY}/pyproject.toml"))
        .expect("read hook-repository/pyproject.toml");
    let pyproject: toml::Table = toml::from_str(&pyproject).expect("toml");
    let project = &pyproject["project"];
    assert_eq!(project["version"].as_str(), Some(VERSION));
    let pin = format!("lockstep-lint=={VERSION}");
    assert_eq!(
        project["dependencies"].as_array().map(|d| d.len()),
        Some(1),
        "{project:?}"
    );
    assert_eq!(project["dependencies"][0].as_str(), Some(pin.as_str()));
}

#[test]
fn the_hook_manifest_is_valid_for_pre_commit() {
    let Some(pre_commit) = tool("pre-commit", None, "pip install pre-commit") else {
        return;
    };
    let output = Command::new(pre_commit)
        .args(["validate-manifest", ".pre-commit-hooks.yaml"])
        .current_dir(HOOK_REPOSITORY)
        .output()
        .expect("run pre-commit");
    assert!(output.status.success(), "{}", text(&output));
}

/// `hook-repository/` as the published repository: its files committed and tagged.
fn hook_repository() -> Repo {
    let repo = Repo::new();
    for name in [".pre-commit-hooks.yaml", "pyproject.toml", "README.md"] {
        let contents = std::fs::read(format!("{HOOK_REPOSITORY}/{name}")).expect("read");
        repo.write(name, contents);
    }
    repo.commit("lockstep hooks");
    repo.git(&["tag", &format!("v{VERSION}")]);
    repo
}

fn stage_violation(repo: &Repo) {
    repo.write(
        PROTO,
        "service Refunds {\n  rpc Refund(R) returns (S2);\n}\n",
    );
    repo.git(&["add", "-A"]);
}

/// A git command run as the hook tools see it: their caches in the fixture's home, the
/// wheel found in `wheels` by pip (pre-commit) and uv (prek).
fn hook_git(repo: &Repo, wheels: &Path, args: &[&str]) -> Output {
    let mut command = repo.git_command(args);
    hook_env(&mut command, repo, wheels);
    command.output().expect("run git")
}

fn hook_env(command: &mut Command, repo: &Repo, wheels: &Path) {
    isolate_hook_tool(command, repo.home());
    command
        .env("PIP_FIND_LINKS", wheels)
        .env("UV_FIND_LINKS", wheels)
        // uv trusts its own root certificates unless told to use the system's, as pip does.
        .env("UV_NATIVE_TLS", "1")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
}

fn installs_the_wheel_and_refuses_a_violating_commit(name: &str) {
    let Some(program) = tool(name, None, "pip install pre-commit prek uv") else {
        return;
    };
    let Some(wheels) = wheel_dir() else { return };
    let hooks = hook_repository();
    let repo = Repo::new();
    let config = format!(
        "repos:\n- repo: {}\n  rev: v{VERSION}\n  hooks:\n  - id: lockstep\n",
        hooks.path().display()
    );
    write_api(&repo).write(".pre-commit-config.yaml", config);
    repo.commit("initial");
    let mut install = Command::new(&program);
    install.arg("install").current_dir(repo.path());
    hook_env(&mut install, &repo, &wheels);
    run(&mut install);

    stage_violation(&repo);
    // The first commit installs the hook's environment (the wheel) and runs it.
    let started = Instant::now();
    let output = hook_git(&repo, &wheels, &["commit", "-m", "Change refunds"]);
    let took = started.elapsed();
    let out = text(&output);
    assert!(
        !output.status.success(),
        "the commit must be refused: {out}"
    );
    assert!(out.contains("update docs: docs/payments/api.md"), "{out}");
    eprintln!("{name}: installing the prebuilt hook and the first run took {took:.1?}");

    repo.write("docs/payments/api.md", "# API v2\n")
        .write("sdk/go/payments/client.go", "package payments // v2\n");
    repo.git(&["add", "-A"]);
    let output = hook_git(
        &repo,
        &wheels,
        &["commit", "-m", "Change refunds with docs and SDK"],
    );
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn pre_commit_installs_the_wheel_and_refuses_a_violating_commit() {
    installs_the_wheel_and_refuses_a_violating_commit("pre-commit");
}

#[test]
fn prek_installs_the_wheel_and_refuses_a_violating_commit() {
    installs_the_wheel_and_refuses_a_violating_commit("prek");
}
