//! Exit code 2 and the message for every kind of bad input: broken rule sets (with the
//! span), missing refs, shallow clones, bare repositories.

mod support;

use support::{API_RULES, Repo};

fn repo_with_config(config: &str) -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", config)
        .write("src/a.rs", "fn a() {}\n");
    repo.commit("initial");
    repo
}

fn stderr_of_failed_check(repo: &Repo, args: &[&str]) -> String {
    let output = repo
        .lockstep()
        .arg("check")
        .args(args)
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(2),
        "stdout: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(output.stdout.is_empty());
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn config_error(config: &str) -> String {
    stderr_of_failed_check(&repo_with_config(config), &[])
}

#[test]
fn toml_syntax_error() {
    insta::assert_snapshot!(config_error("version = 1\n[[rule]\nid = \"a\"\n"));
}

#[test]
fn unknown_key() {
    insta::assert_snapshot!(config_error(
        "version = 1\n[[rule]]\nid = \"a\"\nwhen = [\"src/**\"]\nthen = [\"docs/**\"]\nowner = \"@me\"\n"
    ));
}

#[test]
fn missing_and_unsupported_versions() {
    insta::assert_snapshot!(
        "version-missing",
        config_error("[[rule]]\nid = \"a\"\nwhen = [\"src/**\"]\nthen = [\"docs/**\"]\n")
    );
    insta::assert_snapshot!("version-2", config_error("version = 2\n"));
}

#[test]
fn every_semantic_problem_is_reported_in_one_run() {
    insta::assert_snapshot!(config_error(
        r#"version = 1

[[rule]]
id = "Payments API"
when = ["services/[payments/**"]
matching = 'rpc(\s+'
then = ["docs/{name}.md"]

[[rule]]
id = "docs"
when = ["docs/**"]
then = ["README.md"]

[[rule]]
id = "docs"
when = ["guides/**"]
then = ["README.md"]

[[rule]]
id = "no-companions"
when = ["x/**"]
"#
    ));
}

#[test]
fn capture_must_appear_in_every_when_glob() {
    insta::assert_snapshot!(config_error(
        "version = 1\n[[rule]]\nid = \"man\"\nwhen = [\"doc/cargo-{cmd}.md\", \"doc/extra/*.md\"]\nthen = [\"etc/cargo-{cmd}.1\"]\n"
    ));
}

#[test]
fn no_rule_set_says_how_to_create_one() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit("initial");
    let stderr = stderr_of_failed_check(&repo, &[]);
    assert!(stderr.contains("no rule set in the work tree"), "{stderr}");
    assert!(stderr.contains("lockstep init"), "{stderr}");
}

#[test]
fn alternative_config_locations_are_discovered() {
    for name in [".lockstep.toml", ".config/lockstep.toml"] {
        let repo = Repo::new();
        repo.write(name, API_RULES)
            .write("services/payments/api/a.proto", "service A {}\n");
        repo.git(&["add", "-A"]);
        repo.lockstep().args(["check", "--staged"]).assert().code(1);
    }
}

#[test]
fn explicit_config_path_and_missing_explicit_config() {
    let repo = repo_with_config(API_RULES);
    repo.write(
        "ci/strict.toml",
        "version = 1\n[[rule]]\nid = \"src\"\nwhen = [\"src/**\"]\nthen = [\"CHANGELOG.md\"]\n",
    );
    repo.write("src/a.rs", "fn a() { b() }\n");
    repo.lockstep().arg("check").assert().code(0);
    repo.lockstep()
        .args(["check", "--config", "ci/strict.toml"])
        .assert()
        .code(1);
    let stderr = stderr_of_failed_check(&repo, &["--config", "ci/missing.toml"]);
    assert!(
        stderr.contains("cannot read the rule set `ci/missing.toml`"),
        "{stderr}"
    );
}

#[test]
fn unknown_revisions_and_malformed_ranges() {
    let repo = repo_with_config(API_RULES);
    let stderr = stderr_of_failed_check(&repo, &["--base", "origin/nope"]);
    assert!(
        stderr.contains("unknown revision `origin/nope`"),
        "{stderr}"
    );
    let stderr = stderr_of_failed_check(&repo, &["--range", "HEAD"]);
    assert!(stderr.contains("`HEAD` is not a range"), "{stderr}");
    let stderr = stderr_of_failed_check(
        &repo,
        &["--commit", "0123456789abcdef0123456789abcdef01234567"],
    );
    assert!(stderr.contains("unknown revision"), "{stderr}");
}

#[test]
fn unknown_rule_ids_are_usage_errors() {
    let repo = repo_with_config(API_RULES);
    let stderr = stderr_of_failed_check(&repo, &["--rule", "nope"]);
    assert!(stderr.contains("unknown rule id nope"), "{stderr}");
    assert!(stderr.contains("payments-api"), "{stderr}");
}

#[test]
fn conflicting_diff_flags_are_usage_errors() {
    let repo = repo_with_config(API_RULES);
    let output = repo
        .lockstep()
        .args(["check", "--staged", "--commit", "HEAD"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let output = repo
        .lockstep()
        .args(["check", "--head", "HEAD"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn outside_a_repository() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = Repo::new();
    let output = repo
        .lockstep_in(dir.path())
        .arg("check")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not inside a git repository"));
}

fn history() -> Repo {
    let repo = repo_with_config(API_RULES);
    for i in 0..3 {
        repo.write("src/a.rs", format!("fn a() {{ {i} }}\n"));
        repo.commit(&format!("main {i}"));
    }
    repo.git(&["checkout", "-q", "-b", "feature", "HEAD~2"]);
    for i in 0..3 {
        repo.write(
            "services/payments/api/a.proto",
            format!("service A{i} {{}}\n"),
        );
        repo.commit(&format!("feature {i}"));
    }
    repo
}

#[test]
fn shallow_clone_without_the_merge_base_says_how_to_fetch_more() {
    let origin = history();
    let clone = origin.shallow_clone(1, &["--no-single-branch"]);
    let stderr = stderr_of_failed_check(
        &clone,
        &["--base", "origin/main", "--head", "origin/feature"],
    );
    // The help wraps: compare its words.
    let stderr = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(stderr.contains("shallow clone"), "{stderr}");
    assert!(stderr.contains("git fetch --unshallow"), "{stderr}");
    assert!(
        stderr.contains("git fetch --deepen=200 origin main"),
        "{stderr}"
    );
    assert!(stderr.contains("fetch-depth: 0"), "{stderr}");
    // The boundary commit's parent is missing too.
    let stderr = stderr_of_failed_check(&clone, &["--commit", "HEAD"]);
    assert!(stderr.contains("shallow clone"), "{stderr}");
}

#[test]
fn shallow_clone_with_the_merge_base_works() {
    let origin = history();
    let clone = origin.shallow_clone(5, &["--no-single-branch"]);
    clone
        .lockstep()
        .args(["check", "--base", "origin/main", "--head", "origin/feature"])
        .assert()
        .code(1);
}

#[test]
fn bare_repositories_check_commits_but_not_work_trees() {
    let origin = history();
    let bare = Repo::empty();
    let url = format!("file://{}", origin.path().display());
    bare.git(&["clone", "-q", "--bare", &url, "."]);
    bare.lockstep()
        .args(["check", "--base", "main", "--head", "feature"])
        .assert()
        .code(1);
    bare.lockstep()
        .args(["check", "--commit", "main"])
        .assert()
        .code(0);
    let stderr = stderr_of_failed_check(&bare, &["--staged"]);
    assert!(stderr.contains("this repository is bare"), "{stderr}");
    assert!(stderr.contains("--range"), "{stderr}");
}

#[test]
fn a_damaged_index_is_named_with_what_is_wrong() {
    let repo = repo_with_config(API_RULES);
    repo.write("src/a.rs", "fn a() { 1 }\n");
    repo.git(&["add", "src/a.rs"]);
    let index = repo.path().join(".git/index");
    let bytes = std::fs::read(&index).expect("index");
    for (damaged, reason) in [
        (
            bytes[..bytes.len() - 1].to_vec(),
            "the index file is truncated",
        ),
        (bytes[..40].to_vec(), "the index file is truncated"),
        (b"JUNK".repeat(20), "not an index file"),
    ] {
        std::fs::write(&index, damaged).expect("write");
        let stderr = stderr_of_failed_check(&repo, &["--staged"]);
        assert!(stderr.contains("cannot read the index"), "{stderr}");
        assert!(stderr.contains(reason), "{reason}: {stderr}");
    }
}
