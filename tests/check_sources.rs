//! Every diff source of `lockstep check` on real repositories: what counts as changed, and
//! how each SPEC section 1 rule applies to it.

mod support;

use serde_json::Value;
use support::{API_RULES, PROTO, Repo, api_repo};

fn json(repo: &Repo, args: &[&str]) -> Value {
    let output = repo
        .lockstep()
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let code = output.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "exit {code:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("json")
}

/// (rule, bindings, triggering paths, missing kinds) of each finding.
fn findings(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let triggers: Vec<&str> = f["triggered_by"]
                .as_array()
                .expect("triggers")
                .iter()
                .filter_map(|t| t["path"].as_str())
                .collect();
            let missing: Vec<&str> = f["missing"]
                .as_array()
                .expect("missing")
                .iter()
                .filter_map(|m| m["kind"].as_str())
                .collect();
            let bindings = f["bindings"]
                .as_object()
                .expect("bindings")
                .values()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(",");
            format!(
                "{}[{bindings}] {} -> {} ({})",
                f["rule"].as_str().unwrap_or(""),
                triggers.join(","),
                missing.join(","),
                f["status"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn edit_proto(repo: &Repo) {
    repo.write(
        PROTO,
        "service Refunds {\n  rpc Refund(R) returns (S2);\n}\n",
    );
}

#[test]
fn worktree_mode_sees_staged_unstaged_and_untracked_files() {
    let repo = api_repo();
    edit_proto(&repo);
    assert_eq!(
        findings(&json(&repo, &[])),
        ["payments-api[] services/payments/api/refund.proto -> docs,sdk (missing)"]
    );
    repo.write("docs/payments/api.md", "# API v2\n")
        .write("sdk/ts/src/payments/new.ts", "export {}\n");
    let report = json(&repo, &[]);
    assert_eq!(findings(&report), Vec::<String>::new());
    assert_eq!(report["diff"]["kind"], "worktree");
    assert_eq!(report["diff"]["files_changed"], 3);
}

#[test]
fn staged_check_on_an_unborn_head_compares_with_the_empty_tree() {
    let repo = Repo::new();
    repo.write("lockstep.toml", API_RULES)
        .write(PROTO, "service A {}\n");
    repo.git(&["add", "-A"]);
    let report = json(&repo, &["--staged"]);
    assert_eq!(report["diff"]["base"], Value::Null);
    assert_eq!(
        findings(&report),
        ["payments-api[] services/payments/api/refund.proto -> docs,sdk (missing)"]
    );
}

#[test]
fn detached_head_works_like_a_branch() {
    let repo = api_repo();
    let first = repo.rev("HEAD");
    repo.git(&["checkout", "-q", "--detach", &first]);
    edit_proto(&repo);
    repo.git(&["add", "-A"]);
    assert_eq!(findings(&json(&repo, &["--staged"])).len(), 1);
}

#[test]
fn base_mode_diffs_from_the_merge_base() {
    let repo = api_repo();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    edit_proto(&repo);
    repo.commit("change the API");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("docs/payments/api.md", "# API on main\n")
        .write("sdk/go/payments/client.go", "package payments // main\n");
    repo.commit("docs on main");
    // The docs changed on main after the branch point: they do not satisfy the branch.
    let report = json(&repo, &["--base", "main", "--head", "feature"]);
    assert_eq!(report["diff"]["kind"], "range");
    assert_eq!(report["diff"]["base"], repo.rev("main~1"));
    assert_eq!(report["diff"]["head"], repo.rev("feature"));
    assert_eq!(
        findings(&report),
        ["payments-api[] services/payments/api/refund.proto -> docs,sdk (missing)"]
    );
}

#[test]
fn two_dot_and_three_dot_ranges() {
    let repo = api_repo();
    let base = repo.rev("HEAD");
    edit_proto(&repo);
    repo.commit("api");
    repo.write("docs/payments/api.md", "# v2\n")
        .write("sdk/go/payments/client.go", "package payments // v2\n");
    repo.commit("docs and sdk");
    assert_eq!(
        findings(&json(&repo, &["--range", &format!("{base}..HEAD")])),
        Vec::<String>::new()
    );
    assert_eq!(
        findings(&json(&repo, &["--range", &format!("{base}...HEAD")])),
        Vec::<String>::new()
    );
    assert_eq!(
        findings(&json(&repo, &["--range", "HEAD~2..HEAD~1"])).len(),
        1
    );
}

#[test]
fn per_commit_judges_each_commit_alone() {
    let repo = api_repo();
    let base = repo.rev("HEAD");
    edit_proto(&repo);
    let api = repo.commit("api");
    repo.write("docs/payments/api.md", "# v2\n")
        .write("sdk/go/payments/client.go", "package payments // v2\n");
    repo.commit("docs and sdk");
    let report = json(
        &repo,
        &["--range", &format!("{base}..HEAD"), "--per-commit"],
    );
    assert_eq!(findings(&report).len(), 1);
    assert_eq!(report["findings"][0]["commit"], api);
    let short = format!("(commit {})", &api[..10]);
    for format in ["human", "sarif", "github", "markdown", "junit"] {
        let output = repo
            .lockstep()
            .args(["check", "--range", &format!("{base}..HEAD"), "--per-commit"])
            .args(["--format", format])
            .output()
            .expect("run lockstep");
        assert_eq!(output.status.code(), Some(1), "{format}");
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        assert!(text.contains(&short), "{format} names the commit: {text}");
    }
}

#[test]
fn commit_mode_and_root_commits() {
    let repo = api_repo();
    let root = repo.rev("HEAD");
    let report = json(&repo, &["--commit", &root]);
    assert_eq!(report["diff"]["kind"], "commit");
    assert_eq!(report["diff"]["base"], Value::Null);
    // The root commit added the proto together with its docs and SDK.
    assert_eq!(findings(&report), Vec::<String>::new());
    edit_proto(&repo);
    repo.commit("api only");
    assert_eq!(findings(&json(&repo, &["--commit", "HEAD"])).len(), 1);
}

#[test]
fn renames_into_and_out_of_a_trigger_glob_trigger() {
    let repo = api_repo();
    std::fs::create_dir_all(repo.path().join("attic")).expect("mkdir");
    repo.git(&["mv", PROTO, "attic/refund.proto"]);
    assert_eq!(
        findings(&json(&repo, &["--staged"])),
        ["payments-api[] attic/refund.proto -> docs,sdk (missing)"]
    );
    repo.git(&["reset", "-q", "--hard"]);
    repo.write("attic/old.proto", "service Old {}\n");
    repo.commit("attic");
    repo.git(&["mv", "attic/old.proto", "services/payments/api/old.proto"]);
    assert_eq!(findings(&json(&repo, &["--staged"])).len(), 1);
}

#[test]
fn a_renamed_companion_satisfies_through_either_path() {
    let repo = api_repo();
    edit_proto(&repo);
    repo.git(&["mv", "docs/payments/api.md", "docs/payments/reference.md"]);
    repo.git(&["mv", "sdk/go/payments/client.go", "sdk/go/payments/api.go"]);
    repo.git(&["add", "-A"]);
    assert_eq!(findings(&json(&repo, &["--staged"])), Vec::<String>::new());
}

#[test]
fn deleting_a_triggering_file_triggers_through_its_old_path() {
    let repo = api_repo();
    repo.git(&["rm", "-q", PROTO]);
    assert_eq!(findings(&json(&repo, &["--staged"])).len(), 1);
}

#[test]
fn unless_globs_never_trigger() {
    let repo = api_repo();
    repo.write(
        "services/payments/api/testdata/fixture.proto",
        "service T {}\n",
    );
    repo.git(&["add", "-A"]);
    assert_eq!(findings(&json(&repo, &["--staged"])), Vec::<String>::new());
}

#[test]
fn whitespace_only_edits_do_not_trigger() {
    let repo = api_repo();
    repo.write(
        PROTO,
        "service Refunds {\n\trpc Refund(R)   returns (S);\n\n}\n",
    );
    repo.git(&["add", "-A"]);
    assert_eq!(findings(&json(&repo, &["--staged"])), Vec::<String>::new());
    let counting = API_RULES.replace(
        "version = 1\n",
        "version = 1\n[settings]\nwhitespace = true\n",
    );
    repo.write("lockstep.toml", counting);
    assert_eq!(findings(&json(&repo, &["--staged"])).len(), 1);
}

const RPC_RULES: &str = r#"version = 1
[[rule]]
id = "rpc"
when = ["api/**"]
matching = 'rpc\s+\w+'
then = ["docs/api.md"]
"#;

#[test]
fn matching_rules_look_at_added_and_removed_lines_and_never_at_binaries() {
    let repo = Repo::new();
    repo.write("lockstep.toml", RPC_RULES)
        .write("api/a.proto", "service A {\n}\n")
        .write("api/blob.bin", b"rpc X\0\x01");
    repo.commit("initial");
    repo.write("api/a.proto", "// a comment\nservice A {\n}\n");
    repo.git(&["add", "-A"]);
    assert_eq!(findings(&json(&repo, &["--staged"])), Vec::<String>::new());
    repo.write("api/blob.bin", b"rpc Y\0\x02");
    repo.git(&["add", "-A"]);
    assert_eq!(findings(&json(&repo, &["--staged"])), Vec::<String>::new());
    repo.write(
        "api/a.proto",
        "// a comment\nservice A {\n  rpc Get(R) returns (S);\n}\n",
    );
    repo.git(&["add", "-A"]);
    let report = json(&repo, &["--staged"]);
    assert_eq!(report["findings"][0]["triggered_by"][0]["line"], 3);
    repo.git(&["commit", "-qm", "add rpc"]);
    repo.write("api/a.proto", "// a comment\nservice A {\n}\n");
    repo.git(&["add", "-A"]);
    assert_eq!(
        findings(&json(&repo, &["--staged"])).len(),
        1,
        "a removed rpc line triggers too"
    );
}

const MAN_RULES: &str = r#"version = 1
[[rule]]
id = "man-pages"
when = ["doc/man/cargo-{cmd}.md"]
then = ["etc/man/cargo-{cmd}.1"]
"#;

#[test]
fn each_capture_binding_is_judged_on_its_own() {
    let repo = Repo::new();
    repo.write("lockstep.toml", MAN_RULES)
        .write("doc/man/cargo-build.md", "build\n")
        .write("doc/man/cargo-run.md", "run\n")
        .write("etc/man/cargo-build.1", "build\n")
        .write("etc/man/cargo-run.1", "run\n");
    repo.commit("initial");
    repo.write("doc/man/cargo-build.md", "build v2\n")
        .write("doc/man/cargo-run.md", "run v2\n")
        .write("etc/man/cargo-build.1", "build v2\n");
    let report = json(&repo, &[]);
    assert_eq!(
        findings(&report),
        ["man-pages[run] doc/man/cargo-run.md -> file (missing)"]
    );
    assert_eq!(
        report["findings"][0]["missing"][0]["paths"][0],
        "etc/man/cargo-run.1"
    );
}

#[test]
fn added_only_companions_need_a_new_file() {
    let repo = Repo::new();
    repo.write(
        "lockstep.toml",
        "version = 1\n[[rule]]\nid = \"migrations\"\nwhen = [\"app/models/**\"]\n[[rule.then]]\nkind = \"migration\"\npaths = [\"db/migrate/*.sql\"]\nchange = \"added\"\n",
    )
    .write("app/models/user.rb", "class User; end\n")
    .write("db/migrate/001.sql", "create table users();\n");
    repo.commit("initial");
    repo.write("app/models/user.rb", "class User; attr :name; end\n")
        .write("db/migrate/001.sql", "create table users(name text);\n");
    assert_eq!(
        findings(&json(&repo, &[])),
        ["migrations[] app/models/user.rb -> migration (missing)"]
    );
    repo.write("db/migrate/002.sql", "alter table users add name text;\n");
    assert_eq!(findings(&json(&repo, &[])), Vec::<String>::new());
}

#[test]
fn git_index_file_is_honoured_for_commit_dash_a() {
    let repo = api_repo();
    edit_proto(&repo);
    // `git commit -a` runs hooks with GIT_INDEX_FILE pointing at a temporary index.
    let temp_index = repo.path().join(".git/tmp-index");
    std::fs::copy(repo.path().join(".git/index"), &temp_index).expect("copy index");
    let mut add = repo.git_command(&["add", "-A"]);
    add.env("GIT_INDEX_FILE", &temp_index);
    assert!(add.status().expect("git add").success());
    repo.lockstep().args(["check", "--staged"]).assert().code(0);
    repo.lockstep()
        .args(["check", "--staged"])
        .env("GIT_INDEX_FILE", &temp_index)
        .assert()
        .code(1);
}
