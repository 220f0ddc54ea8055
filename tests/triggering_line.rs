//! The human format shows the changed line that triggered a finding under its title:
//! with its sign (`+` added, `-` removed), trimmed, once per finding. Other formats keep
//! their shape (SPEC section 5 names the line by number only).

mod support;

use support::{Exits, Repo, json_report};

const RULES: &str = "version = 1\n\n[[rule]]\nid = \"rpc-docs\"\nwhen = [\"api/*.proto\"]\nmatching = '^\\s*rpc\\s'\nthen = [\"docs/api.md\"]\n";

const PROTO: &str =
    "service Refunds {\n  rpc Refund(R) returns (S);\n  rpc Void(R) returns (S);\n}\n";

fn repo() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", RULES)
        .write("api/refunds.proto", PROTO)
        .write(
            "api/users.proto",
            "service Users {\n  rpc Get(R) returns (S);\n}\n",
        )
        .write("docs/api.md", "# API\n");
    repo.commit("initial");
    repo
}

fn human(repo: &Repo, args: &[&str]) -> String {
    let output = repo.lockstep().args(args).exits(1).stdout;
    String::from_utf8_lossy(&output).into_owned()
}

#[test]
fn a_removed_line_is_shown_with_its_sign_not_the_added_line_of_that_number() {
    let repo = repo();
    // Line 2 is replaced: the rule matches the removed `rpc` line, not the comment
    // that now has its number.
    repo.write(
        "api/refunds.proto",
        PROTO.replace(
            "  rpc Refund(R) returns (S);",
            "  // Refunds are voids now.",
        ),
    );
    repo.git(&["add", "-A"]);
    let text = human(&repo, &["check", "--staged"]);
    assert!(
        text.contains(
            "api/refunds.proto:2 changed without file\n  │ - rpc Refund(R) returns (S);\n"
        ),
        "{text}"
    );
    assert!(!text.contains("Refunds are voids"), "{text}");
}

#[test]
fn the_first_triggering_line_is_shown_once_per_finding_and_json_keeps_its_shape() {
    let repo = repo();
    repo.write(
        "api/refunds.proto",
        PROTO.replace("}\n", "  rpc   Cancel(R) returns (S);   \n}\n"),
    )
    .write(
        "api/users.proto",
        "service Users {\n  rpc Get(R) returns (S);\n  rpc List(R) returns (S);\n}\n",
    );
    repo.git(&["add", "-A"]);
    let text = human(&repo, &["check", "--staged"]);
    assert_eq!(
        text.matches("│ + rpc   Cancel(R) returns (S);\n").count(),
        1,
        "trimmed at both ends, shown once: {text}"
    );
    assert!(
        !text.contains("List(R)"),
        "only the first file's line: {text}"
    );
    let report = json_report(&repo, &["check", "--staged"], 1);
    assert_eq!(
        report["findings"][0]["triggered_by"],
        serde_json::json!([
            {"path": "api/refunds.proto", "line": 4},
            {"path": "api/users.proto", "line": 3},
        ])
    );
    for format in ["sarif", "github", "markdown", "junit", "gitlab", "azure"] {
        let output = repo
            .lockstep()
            .args(["check", "--staged", "--format", format])
            .exits(1)
            .stdout;
        let text = String::from_utf8_lossy(&output);
        assert!(!text.contains("Cancel"), "{format}: {text}");
    }
}

#[test]
fn each_commit_of_a_per_commit_check_shows_its_own_line() {
    let repo = repo();
    let base = repo.rev("HEAD");
    repo.write(
        "api/refunds.proto",
        PROTO.replace("Refund(R)", "RefundV2(R)"),
    );
    repo.commit("v2");
    repo.write(
        "api/refunds.proto",
        PROTO.replace("Refund(R)", "RefundV3(R)"),
    );
    repo.commit("v3");
    let range = format!("{base}..HEAD");
    let text = human(&repo, &["check", "--range", &range, "--per-commit"]);
    let v2 = text.find("│ + rpc RefundV2(R) returns (S);").expect(&text);
    let v3 = text.find("│ + rpc RefundV3(R) returns (S);").expect(&text);
    assert!(v2 < v3, "{text}");
}

#[test]
fn a_file_that_triggers_without_a_line_shows_none() {
    let repo = repo();
    repo.write(
        "lockstep.toml",
        RULES.replace("matching = '^\\s*rpc\\s'\n", ""),
    )
    .commit("any edit");
    repo.remove("api/users.proto");
    repo.git(&["add", "-A"]);
    let text = human(&repo, &["check", "--staged"]);
    assert!(
        text.contains("api/users.proto changed without file\n"),
        "{text}"
    );
    assert!(!text.contains("│ -"), "{text}");
}
