//! `lockstep explain PATH…`: what a (possibly planned) path triggers and satisfies.

mod support;

use support::{Exits, Repo};

const RULES: &str = r#"version = 1
extends = ["builtin:changelog"]

[[rule]]
id = "payments-api"
description = "Payments API changes reach docs and SDKs"
when = ["services/payments/api/**/*.proto"]
unless = ["**/testdata/**"]
matching = 'rpc\s+\w+'
owners = ["@acme/payments-docs"]
then = [{ kind = "docs", paths = ["docs/payments/api.md"] }, { kind = "sdk", paths = ["sdk/go/payments/**", "sdk/ts/src/payments/**"] }]

[[rule]]
id = "man-pages"
severity = "warning"
when = ["doc/man/cargo-{cmd}.md"]
then = ["etc/man/cargo-{cmd}.1", { kind = "notes", paths = ["notes/{cmd}/*.md"], change = "added" }]
"#;

fn repo() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", RULES)
        .write("README.md", "# x\n");
    repo.commit("initial");
    repo
}

fn stdout(repo: &Repo, args: &[&str]) -> String {
    let out = repo.lockstep().args(args).exits(0).stdout;
    String::from_utf8_lossy(&out).into_owned()
}

const PATHS: [&str; 6] = [
    "services/payments/api/v2/refund.proto",
    "services/payments/api/testdata/fake.proto",
    "doc/man/cargo-build.md",
    "etc/man/cargo-run.1",
    "src/lib.rs",
    "README.md",
];

#[test]
fn explains_triggers_companions_and_exclusions() {
    let repo = repo();
    let mut args = vec!["explain"];
    args.extend(PATHS);
    insta::assert_snapshot!("human", stdout(&repo, &args));
}

#[test]
fn json_output_has_bindings_and_bound_companions() {
    let repo = repo();
    let mut args = vec!["explain", "--format", "json"];
    args.extend(PATHS);
    let text = stdout(&repo, &args);
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(value["version"], 1);
    assert_eq!(value["paths"][2]["triggers"][0]["bindings"]["cmd"], "build");
    assert_eq!(
        value["paths"][2]["triggers"][0]["needs"][0]["paths"][0],
        "etc/man/cargo-build.1"
    );
    assert_eq!(
        value["paths"][3]["companion_in"][0]["when"][0],
        "doc/man/cargo-run.md"
    );
    insta::assert_snapshot!("json", text);
}

#[test]
fn paths_are_relative_to_the_current_directory() {
    let repo = repo();
    std::fs::create_dir_all(repo.path().join("doc/man")).expect("mkdir");
    let out = repo
        .lockstep_in(&repo.path().join("doc/man"))
        .args(["explain", "cargo-check.md"])
        .exits(0)
        .stdout;
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("doc/man/cargo-check.md\n"), "{text}");
    assert!(text.contains("needs file: etc/man/cargo-check.1"), "{text}");
}

#[test]
fn absolute_paths_inside_the_work_tree_are_made_relative() {
    let repo = repo();
    let root = repo.path().canonicalize().expect("canonical");
    let path = root.join("doc/man/cargo-fmt.md");
    let out = repo.lockstep().arg("explain").arg(&path).exits(0).stdout;
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("doc/man/cargo-fmt.md\n"), "{text}");
}

#[test]
fn a_path_is_required() {
    repo().lockstep().arg("explain").assert().code(2);
}

#[test]
fn a_keys_rule_says_which_keys_trigger_it() {
    let repo = Repo::new();
    repo.write(
        "lockstep.toml",
        "version = 1\nextends = [\"builtin:rust\"]\n",
    );
    repo.commit("initial");
    let text = stdout(&repo, &["explain", "crates/a/Cargo.toml"]);
    assert!(
        text.contains(
            "only when the value under one of these keys changes: dependencies, dev-dependencies"
        ),
        "{text}"
    );
    let json = stdout(&repo, &["explain", "--format", "json", "Cargo.toml"]);
    assert!(json.contains("\"keys\": [\n"), "{json}");
}
