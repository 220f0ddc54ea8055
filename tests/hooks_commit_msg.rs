//! `lockstep check --commit-msg-file FILE`: the commit-msg stage's view, where the
//! message being written can waive rules.

mod support;

use support::{API_RULES, Exits, Repo};

const PROTO: &str = "services/payments/api/refund.proto";

fn staged_violation() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", API_RULES).write(
        PROTO,
        "service Refunds {\n  rpc Refund(R) returns (S);\n}\n",
    );
    repo.commit("initial");
    repo.write(
        PROTO,
        "service Refunds {\n  rpc Refund(R) returns (S2);\n}\n",
    );
    repo.git(&["add", "-A"]);
    repo
}

fn check_with_message(repo: &Repo, message: &str) -> assert_cmd::assert::Assert {
    repo.write(".git/COMMIT_EDITMSG", message);
    repo.lockstep()
        .args([
            "check",
            "--commit-msg-file",
            ".git/COMMIT_EDITMSG",
            "--format",
            "json",
        ])
        .assert()
}

#[test]
fn a_trailer_in_the_message_being_written_waives_the_rule() {
    let repo = staged_violation();
    check_with_message(&repo, "Change refunds\n").code(1);
    let assert = check_with_message(
        &repo,
        "Change refunds\n\nLockstep-Skip: payments-api -- docs next week\n# Please enter the commit message.\n",
    )
    .code(0);
    let json: serde_json::Value =
        serde_json::from_slice(&assert.get_output().stdout).expect("json");
    assert_eq!(json["diff"]["kind"], "staged");
    assert_eq!(json["findings"][0]["status"], "waived");
}

#[test]
fn a_trailer_in_the_verbose_diff_does_not_count() {
    let repo = staged_violation();
    let message = "Change refunds\n\n# ------------------------ >8 ------------------------\n# Do not modify or remove the line above.\ndiff --git a/x b/x\n\nLockstep-Skip: all\n";
    check_with_message(&repo, message).code(1);
}

#[test]
fn a_missing_message_file_is_a_usage_error() {
    let repo = staged_violation();
    let output = repo
        .lockstep()
        .args(["check", "--commit-msg-file", "no-such-file"])
        .exits(2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot read the commit message `no-such-file`"),
        "{stderr}"
    );
}

#[test]
fn the_message_file_cannot_be_combined_with_a_range() {
    let repo = staged_violation();
    repo.lockstep()
        .args(["check", "--range", "HEAD..HEAD", "--commit-msg-file", "m"])
        .assert()
        .code(2);
}

/// Whether `git interpret-trailers --parse` finds a `Lockstep-Skip` trailer naming
/// payments-api in `message`.
fn git_finds_the_trailer(repo: &Repo, message: &str) -> bool {
    use std::io::Write;
    let mut child = repo
        .git_command(&["interpret-trailers", "--parse"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git interpret-trailers");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(message.as_bytes())
        .expect("write");
    let output = child.wait_with_output().expect("wait");
    String::from_utf8_lossy(&output.stdout).lines().any(|line| {
        line.split_once(':').is_some_and(|(token, value)| {
            token.trim().eq_ignore_ascii_case("Lockstep-Skip") && value.contains("payments-api")
        })
    })
}

#[test]
fn trailers_are_found_where_git_finds_them() {
    let repo = staged_violation();
    let messages = [
        "Change refunds\n\nLockstep-Skip: payments-api\n",
        "Change refunds\nLockstep-Skip: payments-api\n",
        "Lockstep-Skip: payments-api\n",
        "Change refunds\n\nLockstep-Skip : payments-api\n",
        "Change refunds\n\nBody.\nLockstep-Skip: payments-api\n",
        "Change refunds\n\nLockstep-Skip: payments-api\n\nA closing paragraph.\n",
        "Change refunds\n\nLockstep-Skip: payments-api\n(cherry picked from commit 0123456789abcdef)\n",
        "Change refunds\n\nLockstep-Skip: payments-api\nprose\nSigned-off-by: A <a@b.c>\n",
        "Change refunds\n\nLockstep-Skip: payments-api\n1\n2\n3\n4\n5\n6\n7\nSigned-off-by: A <a@b.c>\n",
        "Change refunds\n\nLockstep-Skip: docs,\n  payments-api -- next week\n",
        "Change refunds\n\nprose\n  Lockstep-Skip: payments-api\n",
        "Change refunds\n\nlockstep-skip: payments-api\n# a comment\n",
    ];
    let mut waived = 0;
    for message in messages {
        let git = git_finds_the_trailer(&repo, message);
        repo.write(".git/COMMIT_EDITMSG", message);
        let output = repo
            .lockstep()
            .args(["check", "--commit-msg-file", ".git/COMMIT_EDITMSG"])
            .output()
            .expect("run lockstep");
        let ours = output.status.code() == Some(0);
        assert_eq!(ours, git, "git and lockstep disagree on {message:?}");
        waived += usize::from(git);
    }
    assert!(
        waived > 3 && waived < messages.len(),
        "both outcomes are exercised"
    );
}
