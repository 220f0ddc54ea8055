//! `lockstep init`: a starter rule set that validates cleanly and catches real mistakes.

mod support;

use support::{Exits, Repo};

fn validate_cleanly(repo: &Repo) {
    repo.lockstep()
        .args(["validate", "--deny", "warnings"])
        .assert()
        .code(0);
}

fn init(repo: &Repo) -> String {
    repo.lockstep().arg("init").assert().code(0);
    repo.read("lockstep.toml")
}

fn check_fails_with(repo: &Repo, rule: &str) {
    repo.git(&["add", "-A"]);
    let out = repo.lockstep().args(["check", "--staged"]).exits(1).stdout;
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains(rule), "{text}");
}

fn rust_service() -> Repo {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = \"1.0\"\n",
    )
    .write("Cargo.lock", "version = 4\n")
    .write("src/main.rs", "fn main() {}\n")
    .write("CHANGELOG.md", "# Changelog\n")
    .write("docs/api.md", "# API\n")
    .write("grafana/svc.json", "{}\n")
    .write("runbooks/oncall.md", "# On call\n");
    repo.commit("initial");
    repo
}

#[test]
fn a_rust_service_gets_rust_and_changelog_packs_and_artifact_sketches() {
    let repo = rust_service();
    let text = init(&repo);
    insta::assert_snapshot!("rust_service", text);
    validate_cleanly(&repo);
    repo.commit("add lockstep.toml");
    // Seeded violation: a dependency edit without Cargo.lock.
    repo.write("Cargo.toml", "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = \"1.0\"\ntokio = { version = \"1\", features = [\"full\"] }\n")
        .write("CHANGELOG.md", "# Changelog\n- tokio\n");
    check_fails_with(&repo, "rust-lockfile");
}

#[test]
fn a_node_monorepo_gets_the_node_pack() {
    let repo = Repo::new();
    repo.write(
        "package.json",
        "{\n  \"name\": \"root\",\n  \"private\": true,\n  \"workspaces\": [\"packages/*\"]\n}\n",
    )
    .write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n")
    .write(
        "packages/web/package.json",
        "{\n  \"name\": \"web\",\n  \"dependencies\": {\n    \"react\": \"^18.2.0\"\n  }\n}\n",
    )
    .write("packages/web/src/index.ts", "export {}\n")
    .write("packages/api/package.json", "{\n  \"name\": \"api\"\n}\n")
    .write("dashboards/web.json", "{}\n");
    repo.commit("initial");
    let text = init(&repo);
    assert!(text.contains("\"builtin:node\""), "{text}");
    assert!(text.contains("dashboards/**/*.json"), "{text}");
    assert!(!text.contains("builtin:rust"), "{text}");
    validate_cleanly(&repo);
    repo.commit("add lockstep.toml");
    repo.write(
        "packages/web/package.json",
        "{\n  \"name\": \"web\",\n  \"dependencies\": {\n    \"react\": \"^18.3.0\"\n  }\n}\n",
    );
    check_fails_with(&repo, "node-lockfile");
}

#[test]
fn a_protobuf_api_repo_gets_the_protobuf_pack() {
    let repo = Repo::new();
    repo.write(
        "proto/payments/v1/payments.proto",
        "syntax = \"proto3\";\nservice Payments {\n  rpc Pay(PayRequest) returns (PayReply);\n}\n",
    )
    .write("gen/go/payments/v1/payments.pb.go", "package payments\n")
    .write("docs/payments.md", "# Payments\n")
    .write("sdk/ts/index.ts", "export {}\n");
    repo.commit("initial");
    let text = init(&repo);
    assert!(text.contains("\"builtin:protobuf\""), "{text}");
    assert!(
        text.contains("# then = [{ kind = \"sdk\", paths = [\"sdk/**\"] }]"),
        "{text}"
    );
    validate_cleanly(&repo);
    repo.commit("add lockstep.toml");
    repo.write("proto/payments/v1/payments.proto", "syntax = \"proto3\";\nservice Payments {\n  rpc Pay(PayRequest) returns (PayReply);\n  rpc Refund(RefundRequest) returns (RefundReply);\n}\n");
    check_fails_with(&repo, "protobuf-generated");
}

#[test]
fn never_overwrites_without_force() {
    let repo = rust_service();
    repo.write(".lockstep.toml", "version = 1\n");
    let state = repo.state();
    let out = repo
        .lockstep()
        .arg("init")
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("a rule set already exists: `.lockstep.toml`"),
        "{text}"
    );
    assert!(text.contains("--force"), "{text}");
    assert_eq!(repo.state(), state, "nothing written");
    repo.lockstep().args(["init", "--force"]).assert().code(0);
    assert!(repo.read(".lockstep.toml").contains("builtin:rust"));
}

#[test]
fn an_empty_repository_gets_a_valid_skeleton() {
    let repo = Repo::new();
    let text = init(&repo);
    assert!(text.contains("extends = []"), "{text}");
    validate_cleanly(&repo);
}

/// Uncomments every rule sketch (`# [[rule]]` up to the next blank line).
fn uncomment_sketches(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        inside = (inside || line == "# [[rule]]") && !line.is_empty();
        let line = if inside {
            line.strip_prefix("# ").unwrap_or(line)
        } else {
            line
        };
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn sketches_pair_artifacts_named_after_services_and_work_once_uncommented() {
    let repo = Repo::new();
    repo.write("services/payments/main.go", "package main\n")
        .write("services/billing/main.go", "package main\n")
        .write("dashboards/payments.json", "{}\n")
        .write("dashboards/billing.json", "{}\n")
        .write("docs/index.md", "# Docs\n");
    repo.commit("initial");
    let text = init(&repo);
    assert!(text.contains("# when = [\"services/{name}/**\"]"), "{text}");
    assert!(
        text.contains("paths = [\"dashboards/{name}.json\"]"),
        "{text}"
    );
    validate_cleanly(&repo);
    repo.write("lockstep.toml", uncomment_sketches(&text));
    validate_cleanly(&repo);
    repo.commit("adopt the sketches");
    repo.write("services/payments/main.go", "package main // v2\n")
        .write("dashboards/billing.json", "{\"v\": 2}\n")
        .write("docs/index.md", "# Docs v2\n");
    let report = repo.check_all_staged(1);
    assert!(
        report.contains("dashboards/payments.json"),
        "the binding picks the payments dashboard: {report}"
    );
    assert!(!report.contains("dashboards/billing.json"), "{report}");
}

#[test]
fn the_rust_service_sketches_validate_once_uncommented() {
    let repo = rust_service();
    let text = init(&repo);
    repo.write("lockstep.toml", uncomment_sketches(&text));
    validate_cleanly(&repo);
}

/// The rust service with three more commits: dependency edits that come with
/// Cargo.lock, and source edits that never touch CHANGELOG.md.
fn rust_service_with_history() -> Repo {
    let repo = rust_service();
    for (version, lock) in [("1.1", "a"), ("1.2", "b"), ("1.3", "c")] {
        repo.write(
            "Cargo.toml",
            format!("[package]\nname = \"svc\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = \"{version}\"\n"),
        )
        .write("Cargo.lock", format!("version = 4\n# {lock}\n"))
        .write("src/main.rs", format!("fn main() {{ /* {version} */ }}\n"));
        repo.commit(&format!("bump serde to {version}"));
    }
    repo
}

fn init_with_stderr(repo: &Repo) -> (String, String) {
    let out = repo
        .lockstep()
        .arg("init")
        .assert()
        .code(0)
        .get_output()
        .clone();
    (
        repo.read("lockstep.toml"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_pack_whose_companions_follow_its_triggers_is_enabled_with_its_figure() {
    let repo = rust_service_with_history();
    let (text, stderr) = init_with_stderr(&repo);
    assert!(text.contains("\n  \"builtin:rust\","), "{text}");
    assert!(
        text.contains(
            "#   its companions changed with its triggers in 4 of 4 cases since 2025-01-01 (100%)\n"
        ),
        "{text}"
    );
    assert!(
        stderr.contains(
            "builtin:rust enabled: its companions changed with its triggers in 4 of 4 cases"
        ),
        "{stderr}"
    );
    validate_cleanly(&repo);
}

#[test]
fn a_pack_below_the_threshold_is_left_out_and_says_why() {
    let repo = rust_service_with_history();
    let (text, stderr) = init_with_stderr(&repo);
    assert!(!text.contains("\n  \"builtin:changelog\","), "{text}");
    assert!(
        text.contains("# \"builtin:changelog\",   # source changes need a CHANGELOG entry; found CHANGELOG.md\n"),
        "{text}"
    );
    assert!(
        text.contains("in 1 of 4 cases since 2025-01-01 (25%), under the 50% threshold"),
        "{text}"
    );
    assert!(
        stderr.contains(
            "builtin:changelog left out: its companions changed with its triggers in 1 of 4 cases"
        ),
        "{stderr}"
    );
    validate_cleanly(&repo);
}

#[test]
fn a_clone_without_history_picks_packs_from_the_files_alone_and_says_so() {
    // A depth-1 clone (as CI checks out) has no commit to judge: its only commit is the
    // shallow boundary, whose parent is missing.
    let clone = rust_service_with_history().shallow_clone(1, &[]);
    let (text, stderr) = init_with_stderr(&clone);
    assert!(
        text.contains(
            "# This clone is shallow: older history is missing (`git fetch --unshallow`).\n\
             # No commit to read: packs are picked from the tracked files alone.\n"
        ),
        "{text}"
    );
    assert!(text.contains("\n  \"builtin:rust\","), "{text}");
    assert!(text.contains("\n  \"builtin:changelog\","), "{text}");
    assert!(
        stderr.contains(
            "builtin:changelog enabled: no commit to read: enabled on the tracked files alone"
        ),
        "{stderr}"
    );
    assert!(!text.contains("Candidates"), "{text}");
    validate_cleanly(&clone);
}

#[test]
fn candidates_from_history_are_appended_commented_out_with_their_evidence() {
    let repo = Repo::new();
    repo.write("src/main.rs", "fn main() {}\n");
    repo.commit("initial");
    for n in 0..6 {
        repo.write("schema/tables.sql", format!("-- v{n}\n"))
            .write("docs/schema.md", format!("# Schema v{n}\n"));
        repo.commit(&format!("schema v{n}"));
    }
    let (text, stderr) = init_with_stderr(&repo);
    assert!(
        text.contains(
            "# 6 of 6 changes to schema/* also changed docs/schema.md (100%);\n\
             # last together 2026-01-01 in "
        ),
        "{text}"
    );
    assert!(text.contains("# when = [\"schema/*\"]\n"), "{text}");
    assert!(
        !text.contains("\n[[rule]]"),
        "candidates stay commented out: {text}"
    );
    assert!(
        stderr.contains("1 candidate rule from history appended, commented out"),
        "{stderr}"
    );
    validate_cleanly(&repo);
    // Uncommented, the candidate is a rule that works.
    repo.write("lockstep.toml", uncomment_sketches(&text));
    validate_cleanly(&repo);
    repo.commit("adopt the candidate");
    repo.write("schema/tables.sql", "-- v7\n");
    let report = repo.check_all_staged(1);
    assert!(report.contains("docs/schema.md"), "{report}");
}

#[test]
fn candidates_leave_out_what_an_enabled_pack_already_requires() {
    let repo = rust_service();
    for n in 0..6 {
        repo.write(
            "Cargo.toml",
            format!("[package]\nname = \"svc\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = \"1.{n}\"\n"),
        )
        .write("Cargo.lock", format!("version = 4\n# {n}\n"));
        repo.commit(&format!("use serde 1.{n}"));
        repo.write("schema/tables.sql", format!("-- v{n}\n"))
            .write("docs/schema.md", format!("# Schema v{n}\n"));
        repo.commit(&format!("schema v{n}"));
    }
    // Mined without a rule set, the history has the pair.
    let out = repo.lockstep().arg("suggest").exits(0).stdout;
    let mined = String::from_utf8_lossy(&out);
    assert!(mined.contains("paths = [\"Cargo.lock\"]"), "{mined}");
    let (text, _) = init_with_stderr(&repo);
    assert!(text.contains("\n  \"builtin:rust\","), "{text}");
    assert!(text.contains("# when = [\"schema/*\"]\n"), "{text}");
    let candidates = &text[text.find("Candidates").expect("candidates")..];
    assert!(
        !candidates.contains("Cargo.lock"),
        "builtin:rust requires Cargo.lock already: {candidates}"
    );
}
