//! `lockstep check --staged`: the pre-commit view, on real repositories.

mod support;

use support::{API_RULES, Repo};

fn api_repo() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", API_RULES)
        .write("services/payments/api/refund.proto", "service Refunds {\n  rpc Refund(R) returns (S);\n}\n")
        .write("docs/payments/api.md", "# API\n")
        .write("sdk/go/payments/client.go", "package payments\n");
    repo.commit("initial");
    repo
}

#[test]
fn missing_companions_fail_with_exit_1_and_name_each_one() {
    let repo = api_repo();
    repo.write("services/payments/api/refund.proto", "service Refunds {\n  rpc Refund(R) returns (S);\n  rpc Void(R) returns (S);\n}\n");
    repo.git(&["add", "-A"]);
    let output = repo.lockstep().args(["check", "--staged"]).assert().code(1).get_output().stdout.clone();
    let text = String::from_utf8_lossy(&output);
    assert!(text.contains("payments-api"), "{text}");
    assert!(text.contains("update docs: docs/payments/api.md"), "{text}");
    assert!(text.contains("update sdk: sdk/go/payments/** or sdk/ts/src/payments/**"), "{text}");
    assert!(text.contains("@acme/payments-docs"), "{text}");
}

#[test]
fn staged_companions_pass_with_exit_0() {
    let repo = api_repo();
    repo.write("services/payments/api/refund.proto", "service Refunds {\n  rpc Refund(R) returns (S2);\n}\n")
        .write("docs/payments/api.md", "# API v2\n")
        .write("sdk/ts/src/payments/index.ts", "export {}\n");
    repo.git(&["add", "-A"]);
    repo.lockstep().args(["check", "--staged"]).assert().code(0);
}

#[test]
fn unstaged_companions_do_not_count_for_the_staged_check() {
    let repo = api_repo();
    repo.write("services/payments/api/refund.proto", "service Refunds {\n  rpc Refund(R) returns (S2);\n}\n");
    repo.git(&["add", "-A"]);
    repo.write("docs/payments/api.md", "# API v2\n").write("sdk/go/payments/client.go", "package payments // v2\n");
    repo.lockstep().args(["check", "--staged"]).assert().code(1);
    repo.lockstep().arg("check").assert().code(0);
}
