//! `lockstep install` / `uninstall` on real repositories, and the hooks they write run
//! by a real `git commit` / `git push`.

mod support;

use std::path::Path;

use support::{Exits, PROTO, Repo, api_repo};

/// Stages an API change without its companions.
fn stage_violation(repo: &Repo) {
    repo.write(
        PROTO,
        "service Refunds {\n  rpc Refund(R) returns (S2);\n}\n",
    );
    repo.git(&["add", "-A"]);
}

fn stage_companions(repo: &Repo) {
    repo.write("docs/payments/api.md", "# API v2\n")
        .write("sdk/go/payments/client.go", "package payments // v2\n");
    repo.git(&["add", "-A"]);
}

/// `git commit`, returning (success, stderr).
fn commit(repo: &Repo, message: &str) -> (bool, String) {
    let output = repo
        .git_command(&["commit", "-q", "-m", message])
        .output()
        .expect("run git commit");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    )
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn installed_pre_commit_hook_refuses_a_commit_without_companions() {
    let repo = api_repo();
    repo.lockstep().arg("install").assert().code(0);
    let hook = repo.read(".git/hooks/pre-commit");
    assert!(hook.contains("lockstep-managed hook"), "{hook}");

    stage_violation(&repo);
    let (ok, output) = commit(&repo, "Change refunds");
    assert!(!ok, "the commit must be refused");
    assert!(output.contains("payments-api"), "{output}");
    assert!(
        output.contains("update docs: docs/payments/api.md"),
        "{output}"
    );
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "1");

    stage_companions(&repo);
    let (ok, output) = commit(&repo, "Change refunds with docs and SDK");
    assert!(ok, "{output}");
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "2");
}

#[test]
fn installed_commit_msg_hook_honours_the_trailer_being_written() {
    let repo = api_repo();
    repo.lockstep()
        .args(["install", "--hook", "commit-msg"])
        .assert()
        .code(0);
    stage_violation(&repo);
    let (ok, output) = commit(&repo, "Change refunds");
    assert!(!ok && output.contains("payments-api"), "{output}");
    let (ok, output) = commit(
        &repo,
        "Change refunds\n\nLockstep-Skip: payments-api -- docs follow in #12",
    );
    assert!(ok, "{output}");
    assert!(output.contains("waived"), "{output}");
}

#[test]
fn installed_pre_push_hook_checks_the_pushed_commits() {
    let remote = Repo::empty();
    remote.git(&["init", "-q", "--bare", "."]);
    let repo = api_repo();
    let url = remote.path().display().to_string();
    repo.git(&["remote", "add", "origin", &url]);
    repo.git(&["push", "-q", "origin", "main"]);
    repo.lockstep()
        .args(["install", "--hook", "pre-push"])
        .assert()
        .code(0);

    stage_violation(&repo);
    repo.git(&["commit", "-q", "-m", "Change refunds"]);
    let output = repo
        .git_command(&["push", "-q", "origin", "main"])
        .output()
        .expect("push");
    assert!(!output.status.success(), "the push must be refused");
    let text = String::from_utf8_lossy(&output.stdout).into_owned() + &stderr(&output);
    assert!(text.contains("payments-api"), "{text}");

    // A new branch is checked from where it left the remote's history.
    let output = repo
        .git_command(&["push", "-q", "origin", "main:feature"])
        .output()
        .expect("push");
    assert!(!output.status.success(), "{}", stderr(&output));

    stage_companions(&repo);
    repo.git(&["commit", "-q", "-m", "Docs and SDK"]);
    let output = repo
        .git_command(&["push", "-q", "origin", "main"])
        .output()
        .expect("push");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
}

#[test]
fn a_foreign_hook_is_kept_unless_forced_and_restored_by_uninstall() {
    let repo = api_repo();
    repo.write(".git/hooks/pre-commit", "#!/bin/sh\necho team hook\n");
    let before = repo.state();
    let output = repo.lockstep().arg("install").exits(2);
    let text = stderr(&output);
    assert!(text.contains("lockstep did not write"), "{text}");
    assert!(text.contains("--force"), "{text}");
    assert_eq!(repo.state(), before, "a refused install changes nothing");

    repo.lockstep()
        .args(["install", "--force"])
        .assert()
        .code(0);
    assert_eq!(
        repo.read(".git/hooks/pre-commit.lockstep-backup"),
        "#!/bin/sh\necho team hook\n"
    );
    assert!(
        repo.read(".git/hooks/pre-commit")
            .contains("lockstep-managed hook")
    );

    repo.lockstep().arg("uninstall").assert().code(0);
    assert_eq!(
        repo.read(".git/hooks/pre-commit"),
        "#!/bin/sh\necho team hook\n"
    );
    assert!(
        !repo
            .path()
            .join(".git/hooks/pre-commit.lockstep-backup")
            .exists()
    );

    // The team's hook is not lockstep's to remove.
    let output = repo.lockstep().arg("uninstall").exits(0);
    assert!(stderr(&output).contains("left"), "{}", stderr(&output));
    assert_eq!(
        repo.read(".git/hooks/pre-commit"),
        "#!/bin/sh\necho team hook\n"
    );
}

#[test]
fn uninstall_removes_only_what_it_wrote() {
    let repo = api_repo();
    repo.write(".git/hooks/post-commit", "#!/bin/sh\n");
    repo.lockstep()
        .args(["install", "--hook", "pre-commit"])
        .assert()
        .code(0);
    repo.lockstep()
        .args(["install", "--hook", "commit-msg"])
        .assert()
        .code(0);
    repo.lockstep().arg("uninstall").assert().code(0);
    let hooks = repo.path().join(".git/hooks");
    assert!(!hooks.join("pre-commit").exists());
    assert!(!hooks.join("commit-msg").exists());
    assert!(hooks.join("post-commit").exists());
}

#[test]
fn core_hooks_path_is_respected() {
    let repo = api_repo();
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    repo.lockstep().arg("install").assert().code(0);
    assert!(
        repo.read(".githooks/pre-commit")
            .contains("lockstep-managed hook")
    );
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());
    // git runs it from there.
    stage_violation(&repo);
    let (ok, output) = commit(&repo, "Change refunds");
    assert!(!ok && output.contains("payments-api"), "{output}");
}

#[test]
fn a_linked_worktree_installs_into_the_common_hooks_directory() {
    let repo = api_repo();
    let linked = tempfile::tempdir().expect("tempdir");
    let linked_path = linked.path().join("wt");
    let linked_str = linked_path.display().to_string();
    repo.git(&["worktree", "add", "-q", "-b", "feature", &linked_str]);
    repo.lockstep_in(&linked_path)
        .arg("install")
        .assert()
        .code(0);
    assert!(
        repo.read(".git/hooks/pre-commit")
            .contains("lockstep-managed hook")
    );
    assert!(!Path::new(&linked_path).join(".git/hooks").exists());
    repo.lockstep_in(&linked_path)
        .arg("uninstall")
        .assert()
        .code(0);
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());
}

/// Issue 14: with both hooks installed, the pre-commit hook defers to the commit-msg
/// hook, so a trailer in the message being written waives rules (the pre-commit hook
/// alone would refuse the commit before the message exists).
#[test]
fn with_both_hooks_the_pre_commit_hook_defers_so_trailers_work() {
    let repo = api_repo();
    for hook in ["pre-commit", "commit-msg"] {
        repo.lockstep()
            .args(["install", "--hook", hook])
            .assert()
            .code(0);
    }
    stage_violation(&repo);
    let (ok, output) = commit(&repo, "Change refunds");
    assert!(
        !ok && output.contains("payments-api"),
        "refused once: {output}"
    );
    assert_eq!(
        output.matches("lockstep: 1 error").count(),
        1,
        "one report: {output}"
    );
    let (ok, output) = commit(
        &repo,
        "Change refunds\n\nLockstep-Skip: payments-api -- docs follow in #12",
    );
    assert!(ok, "{output}");
    assert!(output.contains("waived"), "{output}");

    // Without the commit-msg hook, the pre-commit hook checks again.
    repo.lockstep()
        .args(["uninstall", "--hook", "commit-msg"])
        .assert()
        .code(0);
    stage_violation(&repo);
    repo.write(
        PROTO,
        "service Refunds {\n  rpc Refund(R) returns (S3);\n}\n",
    );
    repo.git(&["add", "-A"]);
    let (ok, output) = commit(
        &repo,
        "Change refunds again\n\nLockstep-Skip: payments-api -- too late for a trailer",
    );
    assert!(!ok && output.contains("payments-api"), "{output}");
}
