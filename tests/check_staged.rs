//! `lockstep check --staged`: the pre-commit view, on real repositories.

mod support;

use support::{API_RULES, Exits, PROTO, Repo, api_repo};

#[test]
fn missing_companions_fail_with_exit_1_and_name_each_one() {
    let repo = api_repo();
    repo.write(
        PROTO,
        "service Refunds {\n  rpc Refund(R) returns (S);\n  rpc Void(R) returns (S);\n}\n",
    );
    repo.git(&["add", "-A"]);
    let output = repo.lockstep().args(["check", "--staged"]).exits(1).stdout;
    let text = String::from_utf8_lossy(&output);
    assert!(text.contains("payments-api"), "{text}");
    assert!(text.contains("update docs: docs/payments/api.md"), "{text}");
    assert!(
        text.contains("update sdk: sdk/go/payments/** or sdk/ts/src/payments/**"),
        "{text}"
    );
    assert!(text.contains("@acme/payments-docs"), "{text}");
}

#[test]
fn staged_companions_pass_with_exit_0() {
    let repo = api_repo();
    repo.write(
        PROTO,
        "service Refunds {\n  rpc Refund(R) returns (S2);\n}\n",
    )
    .write("docs/payments/api.md", "# API v2\n")
    .write("sdk/ts/src/payments/index.ts", "export {}\n");
    repo.git(&["add", "-A"]);
    repo.lockstep().args(["check", "--staged"]).assert().code(0);
}

#[test]
fn unstaged_companions_do_not_count_for_the_staged_check() {
    let repo = api_repo();
    repo.write(
        PROTO,
        "service Refunds {\n  rpc Refund(R) returns (S2);\n}\n",
    );
    repo.git(&["add", "-A"]);
    repo.write("docs/payments/api.md", "# API v2\n")
        .write("sdk/go/payments/client.go", "package payments // v2\n");
    repo.lockstep().args(["check", "--staged"]).assert().code(1);
    repo.lockstep().arg("check").assert().code(0);
}

fn violating_repo() -> Repo {
    let repo = api_repo();
    repo.write(
        PROTO,
        "service Refunds {\n  rpc Refund(R) returns (S);\n  rpc Void(R) returns (S);\n}\n",
    )
    .write("sdk/go/payments/client.go", "package payments // void\n");
    repo.git(&["add", "-A"]);
    repo
}

#[test]
fn human_report_snapshot() {
    let repo = violating_repo();
    let output = repo
        .lockstep()
        .args(["check", "--staged"])
        .output()
        .expect("runs");
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn json_report_snapshot() {
    let repo = violating_repo();
    let output = repo
        .lockstep()
        .args(["check", "--staged", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn output_file_receives_the_report() {
    let repo = violating_repo();
    let out = repo.home().join("report.json");
    let output = repo
        .lockstep()
        .args(["check", "--staged", "--format", "json", "--output"])
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out).expect("report")).expect("json");
    assert_eq!(report["summary"]["errors"], 1);
}

#[test]
fn severities_and_deny_warnings() {
    let repo = violating_repo();
    repo.write(
        "lockstep.toml",
        API_RULES.replace("message = ", "severity = \"warning\"\nmessage = "),
    );
    repo.git(&["add", "lockstep.toml"]);
    repo.lockstep().args(["check", "--staged"]).assert().code(0);
    repo.lockstep()
        .args(["check", "--staged", "--deny", "warnings"])
        .assert()
        .code(1);
    repo.write(
        "lockstep.toml",
        API_RULES.replace(
            "version = 1\n",
            "version = 1\n[settings]\ndefault_severity = \"info\"\n",
        ),
    );
    repo.lockstep()
        .args(["check", "--staged", "--deny", "warnings"])
        .assert()
        .code(0);
}

#[test]
fn lockstep_skip_waives_staged_changes_unless_the_rule_is_not_skippable() {
    let repo = violating_repo();
    let output = repo
        .lockstep()
        .args(["check", "--staged", "--format", "json"])
        .env("LOCKSTEP_SKIP", "payments-api")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["findings"][0]["status"], "waived");
    assert_eq!(report["summary"]["waived"], 1);
    repo.write(
        "lockstep.toml",
        API_RULES.replace("message = ", "skippable = false\nmessage = "),
    );
    repo.lockstep()
        .args(["check", "--staged"])
        .env("LOCKSTEP_SKIP", "all")
        .assert()
        .code(1);
}

#[test]
fn trailers_in_a_range_waive_the_whole_range() {
    let repo = api_repo();
    let base = repo.rev("HEAD");
    repo.write(PROTO, "service Refunds {}\n");
    repo.commit("drop the rpc");
    repo.write("README.md", "notes\n");
    repo.commit("notes\n\nLockstep-Skip: payments-api -- docs follow in #12");
    repo.lockstep()
        .args(["check", "--range", &format!("{base}..HEAD")])
        .assert()
        .code(0);
    repo.lockstep()
        .args(["check", "--range", &format!("{base}..HEAD"), "--per-commit"])
        .assert()
        .code(1);
}

#[test]
fn too_many_files_is_reported_as_too_large_not_judged() {
    let repo = api_repo();
    repo.write(
        "lockstep.toml",
        API_RULES.replace("version = 1\n", "version = 1\n[settings]\nmax_files = 2\n"),
    );
    for i in 0..3 {
        repo.write(
            &format!("services/payments/api/v{i}.proto"),
            "service V {}\n",
        );
    }
    repo.git(&["add", "-A"]);
    let output = repo
        .lockstep()
        .args(["check", "--staged", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["findings"][0]["rule"], "max-files");
    assert_eq!(report["findings"][0]["status"], "too-large");
    assert_eq!(report["summary"]["infos"], 1);
}

#[test]
fn rule_filter_checks_only_the_named_rules() {
    let repo = violating_repo();
    let mut rules = API_RULES.to_owned();
    rules.push_str(
        "\n[[rule]]\nid = \"sdk-changelog\"\nwhen = [\"sdk/**\"]\nthen = [\"CHANGELOG.md\"]\n",
    );
    repo.write("lockstep.toml", rules);
    repo.lockstep()
        .args(["check", "--staged", "--rule", "sdk-changelog"])
        .assert()
        .code(1);
    let output = repo
        .lockstep()
        .args([
            "check",
            "--staged",
            "--rule",
            "sdk-changelog",
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["summary"]["rules_checked"], 1);
}

/// Issue 14: a hook that runs on nothing (`pre-commit run --all-files` stages nothing)
/// says there was nothing to check, not "0 changed files" as if it had passed something.
#[test]
fn nothing_staged_says_there_was_nothing_to_check() {
    let repo = api_repo();
    let text = |args: &[&str]| {
        String::from_utf8_lossy(&repo.lockstep().args(args).exits(0).stdout).into_owned()
    };
    assert_eq!(
        text(&["check", "--hook"]),
        "lockstep: nothing to check: no staged changes (a hook run by `pre-commit run \
         --all-files` sees none; `lockstep check --base BRANCH` checks a branch); 1 rule \
         loaded\n"
    );
    assert_eq!(
        text(&["check", "--range", "HEAD..HEAD"]),
        "lockstep: nothing to check: no file changed between the base and the head; 1 rule \
         loaded\n"
    );
    // Something staged that no rule cares about is a pass, with what was checked.
    repo.write("notes.txt", "hello\n");
    repo.git(&["add", "notes.txt"]);
    assert!(text(&["check", "--hook"]).contains("(1 changed file, "));
}

/// Issue 14: a rename is reported as one, and a rule's definition is shown once however
/// many of its bindings fail.
#[test]
fn renames_say_renamed_and_a_rule_is_shown_once() {
    let repo = Repo::new();
    repo.write(
        "lockstep.toml",
        "version = 1\n[[rule]]\nid = \"man\"\nwhen = [\"src/commands/{cmd}.rs\"]\nthen = [\"doc/man/{cmd}.md\"]\n",
    )
    .write("src/commands/build.rs", "fn build() {}\n")
    .write("src/commands/run.rs", "fn run() {}\n")
    .write("doc/man/build.md", "# build\n")
    .write("doc/man/run.md", "# run\n");
    repo.commit("initial");
    repo.write("src/commands/build.rs", "fn build() {}\nfn clean() {}\n");
    repo.git(&["mv", "src/commands/run.rs", "src/commands/exec.rs"]);
    repo.git(&["add", "-A"]);
    let out = repo.lockstep().args(["check", "--staged"]).exits(1).stdout;
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("man [cmd = build]: src/commands/build.rs:2 changed without file"),
        "{text}"
    );
    assert!(
        text.contains(
            "man [cmd = run]: src/commands/run.rs → src/commands/exec.rs renamed without file"
        ),
        "{text}"
    );
    assert_eq!(text.matches("rule defined here").count(), 1, "{text}");
    assert_eq!(text.matches("lockstep::man").count(), 3, "{text}");
}

/// Issue 14: the human report says how to waive what failed, once, naming each
/// skippable rule; a rule that cannot be skipped is not offered.
#[test]
fn the_human_report_says_how_to_waive_skippable_rules() {
    let repo = Repo::new();
    repo.write(
        "lockstep.toml",
        "version = 1\n[settings]\nskip_trailer = \"Skip-Check\"\n\
         [[rule]]\nid = \"man\"\nwhen = [\"src/commands/{cmd}.rs\"]\nthen = [\"doc/man/{cmd}.md\"]\n\
         [[rule]]\nid = \"schema\"\nskippable = false\nwhen = [\"db/**\"]\nthen = [\"migrations/**\"]\n",
    )
    .write("src/commands/build.rs", "fn build() {}\n")
    .write("src/commands/run.rs", "fn run() {}\n")
    .write("db/schema.sql", "create table t();\n");
    repo.commit("initial");
    repo.write("src/commands/build.rs", "fn build2() {}\n")
        .write("src/commands/run.rs", "fn run2() {}\n")
        .write("db/schema.sql", "create table u();\n");
    repo.git(&["add", "-A"]);
    let out = repo.lockstep().args(["check", "--staged"]).exits(1).stdout;
    let text = String::from_utf8_lossy(&out);
    assert_eq!(text.matches("to waive").count(), 1, "{text}");
    assert!(
        text.contains(
            "to waive for one commit: `LOCKSTEP_SKIP=man git commit …`, or a \
             `Skip-Check: man -- <reason>` trailer in its message"
        ),
        "{text}"
    );
    repo.commit("change");
    let range = repo
        .lockstep()
        .args(["check", "--range", "HEAD~1..HEAD"])
        .exits(1);
    let text = String::from_utf8_lossy(&range.stdout);
    assert!(
        text.contains("to waive: a `Skip-Check: man -- <reason>` trailer in a commit of the range"),
        "{text}"
    );
}

#[test]
fn a_head_at_an_annotated_tag_object_is_read_as_its_commit() {
    let repo = violating_repo();
    repo.git(&["tag", "-a", "-m", "release", "v1"]);
    let tag = repo.rev("v1");
    assert_ne!(tag, repo.rev("HEAD"), "v1 is a tag object");
    let at_branch = repo.lockstep().args(["check", "--staged"]).exits(1).stdout;
    // HEAD names the tag object itself, which git peels to its commit.
    std::fs::write(repo.path().join(".git/HEAD"), format!("{tag}\n")).expect("HEAD");
    assert_eq!(
        repo.git(&["rev-parse", "HEAD^{commit}"]).trim(),
        repo.rev("main")
    );
    let at_tag = repo.lockstep().args(["check", "--staged"]).exits(1).stdout;
    assert_eq!(at_tag, at_branch);
}
