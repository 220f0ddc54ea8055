//! `lockstep audit` on a real history: merges, renames, a root commit, waivers,
//! date edges and captures, through the real binary.

mod support;

use serde_json::Value;
use support::{Exits, Repo};

const RULES: &str = r#"version = 1

[[rule]]
id = "payments-api"
description = "Payments API changes reach docs and SDKs"
when = ["services/payments/api/**/*.proto"]
owners = ["@acme/payments-docs"]

[[rule.then]]
kind = "docs"
paths = ["docs/payments/api.md"]

[[rule.then]]
kind = "sdk"
paths = ["sdk/go/payments/**"]

[[rule]]
id = "man-pages"
when = ["doc/man/cargo-{cmd}.md"]
then = ["etc/man/cargo-{cmd}.1"]
"#;

const PROTO: &str = "services/payments/api/refund.proto";

/// The history every test audits; its outcomes are spelled out per commit.
fn history() -> Repo {
    let repo = Repo::new();
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://github.com/acme/payments.git",
    ]);
    // Root commit, judged against the empty tree: both rules satisfied.
    repo.write("lockstep.toml", RULES)
        .write(
            PROTO,
            "service Refunds {\n  rpc Refund(R) returns (S);\n}\n",
        )
        .write("docs/payments/api.md", "# API\n")
        .write("sdk/go/payments/client.go", "package payments\n")
        .write("doc/man/cargo-build.md", "# build\n")
        .write("etc/man/cargo-build.1", ".TH build\n");
    repo.commit_at("Initial import", "2026-01-05T10:00:00+0000");
    // payments-api missed: docs and sdk.
    repo.write(
        PROTO,
        "service Refunds {\n  rpc Refund(R) returns (S);\n  rpc Void(R) returns (S);\n}\n",
    );
    repo.commit_at("Add Void rpc", "2026-01-20T10:00:00+0000");
    // Two bindings in one unit: man-pages[build] satisfied, man-pages[run] missed.
    repo.write("doc/man/cargo-build.md", "# build\nmore\n")
        .write("etc/man/cargo-build.1", ".TH build\nmore\n")
        .write("doc/man/cargo-run.md", "# run\n");
    repo.commit_at("Document build and run", "2026-02-03T10:00:00+0000");
    // payments-api waived by a trailer.
    repo.write(
        PROTO,
        "service Refunds {\n  rpc Refund(R) returns (S);\n  rpc Void(R) returns (T);\n}\n",
    );
    repo.commit_at(
        "Hotfix Void\n\nLockstep-Skip: payments-api -- docs follow next week",
        "2026-02-10T00:00:00+0000",
    );
    // A pull request: its first commit misses docs and sdk, its second adds them; the
    // merge as a whole (--first-parent) is satisfied.
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(PROTO, "service Refunds {\n  rpc Refund(R) returns (S);\n  rpc Void(R) returns (T);\n  rpc List(L) returns (M);\n}\n");
    repo.commit_at("Add List rpc", "2026-02-15T10:00:00+0000");
    repo.write("docs/payments/api.md", "# API\nList\n")
        .write("sdk/go/payments/client.go", "package payments // List\n");
    repo.commit_at("Document List", "2026-02-16T10:00:00+0000");
    repo.git(&["checkout", "-q", "main"]);
    let merge = repo
        .git_command(&["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"])
        .env("GIT_AUTHOR_DATE", "2026-02-20T10:00:00+0000")
        .env("GIT_COMMITTER_DATE", "2026-02-20T10:00:00+0000")
        .output()
        .expect("merge");
    assert!(
        merge.status.success(),
        "{}",
        String::from_utf8_lossy(&merge.stderr)
    );
    // The proto moves and changes, so it triggers; the exact move of the docs
    // satisfies docs; sdk is missed.
    // 23:30 at UTC-5 is 2026-03-02 in UTC but 2026-03-01 for the committer.
    for (from, to) in [
        (PROTO, "services/payments/api/v2/refund.proto"),
        ("docs/payments/api.md", "docs/payments/api-v1.md"),
    ] {
        let text = repo.read(from);
        repo.remove(from).write(to, text);
    }
    repo.write(
        "services/payments/api/v2/refund.proto",
        format!(
            "{}// v2\n",
            repo.read("services/payments/api/v2/refund.proto")
        ),
    );
    repo.commit_at("Move the API to v2", "2026-03-01T23:30:00-0500");
    repo.write("README.md", "# readme\n");
    repo.commit_at("Readme", "2026-03-31T10:00:00+0000");
    repo
}

fn audit(repo: &Repo, args: &[&str]) -> (i32, String) {
    let output = repo
        .lockstep()
        .arg("audit")
        .args(args)
        .output()
        .expect("run lockstep");
    let stdout = String::from_utf8(output.stdout).expect("utf-8 output");
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(1),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), stdout)
}

/// Runs an audit that must fail with exit 2, and hands back what it wrote to stderr.
fn audit_error(repo: &Repo, args: &[&str]) -> String {
    let output = repo.lockstep().arg("audit").args(args).exits(2);
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(repo: &Repo, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (_, stdout) = audit(repo, &all);
    serde_json::from_str(&stdout).expect("valid JSON")
}

/// (triggered, satisfied, waived, missed) of a rule row.
fn counts(json: &Value, rule: &str) -> (u64, u64, u64, u64) {
    let row = json["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["rule"] == rule)
        .unwrap_or_else(|| panic!("no row for {rule}: {json}"));
    let n = |k: &str| row[k].as_u64().expect("count");
    (n("triggered"), n("satisfied"), n("waived"), n("missed"))
}

#[test]
fn every_commit_is_a_unit_and_merges_are_left_out() {
    let repo = history();
    let json = json(&repo, &[]);
    assert_eq!(json["range"]["units"], 8, "9 commits, one merge");
    assert_eq!(counts(&json, "payments-api"), (5, 1, 1, 3));
    assert_eq!(counts(&json, "man-pages"), (3, 2, 0, 1));
    assert_eq!(json["rules"][0]["compliance"], 0.25);
    assert_eq!(json["rules"][1]["compliance"], 0.667);
    assert_eq!(json["total"]["compliance"], 0.429);
    let kinds = &json["rules"][0]["kinds"];
    assert_eq!(
        kinds[0],
        serde_json::json!({"kind": "docs", "required": 5, "missed": 2})
    );
    assert_eq!(
        kinds[1],
        serde_json::json!({"kind": "sdk", "required": 5, "missed": 3})
    );
}

#[test]
fn first_parent_judges_a_merged_pull_request_as_one_unit() {
    let repo = history();
    let json = json(&repo, &["--first-parent"]);
    assert_eq!(json["range"]["first_parent"], true);
    assert_eq!(json["range"]["units"], 7);
    assert_eq!(counts(&json, "payments-api"), (5, 2, 1, 2));
    let subjects: Vec<&str> = json["misses"]
        .as_array()
        .expect("misses")
        .iter()
        .map(|m| m["subject"].as_str().expect("subject"))
        .collect();
    assert!(!subjects.contains(&"Add List rpc"), "{subjects:?}");
    assert!(!subjects.contains(&"Merge feature"), "{subjects:?}");
}

#[test]
fn a_moved_and_edited_file_triggers_through_both_paths_and_a_moved_companion_counts() {
    let repo = history();
    let json = json(&repo, &["--since", "2026-03-01", "--until", "2026-03-01"]);
    assert_eq!(json["range"]["units"], 1);
    let miss = &json["misses"][0];
    assert_eq!(miss["subject"], "Move the API to v2");
    assert_eq!(
        miss["triggered_by"],
        serde_json::json!([PROTO, "services/payments/api/v2/refund.proto"])
    );
    assert_eq!(
        miss["missing"],
        serde_json::json!([{"kind": "sdk", "paths": ["sdk/go/payments/**"]}])
    );
}

#[test]
fn the_root_commit_is_judged_against_the_empty_tree() {
    let repo = history();
    let json = json(&repo, &["--until", "2026-01-05"]);
    assert_eq!(json["range"]["units"], 1);
    assert_eq!(counts(&json, "payments-api"), (1, 1, 0, 0));
    assert_eq!(counts(&json, "man-pages"), (1, 1, 0, 0));
    assert_eq!(json["total"]["compliance"], 1.0);
}

#[test]
fn waived_units_are_counted_apart_and_left_out_of_compliance() {
    let repo = history();
    let json = json(&repo, &["--since", "2026-02-10", "--until", "2026-02-10"]);
    assert_eq!(counts(&json, "payments-api"), (1, 0, 1, 0));
    assert_eq!(json["rules"][0]["compliance"], 1.0);
    assert_eq!(json["misses"], serde_json::json!([]));
}

#[test]
fn since_and_until_are_inclusive_days_in_the_committers_time_zone() {
    let repo = history();
    // 02-10 (00:00) .. 03-01 (23:30 at UTC-5): the waiver, the feature commits, the move.
    let json = json(&repo, &["--since", "2026-02-10", "--until", "2026-03-01"]);
    assert_eq!(json["range"]["units"], 4);
    let months: Vec<&str> = json["months"]
        .as_array()
        .expect("months")
        .iter()
        .map(|m| m["month"].as_str().expect("month"))
        .collect();
    assert_eq!(months, ["2026-02", "2026-03"]);
    assert_eq!(json["misses"][1]["date"], "2026-03-01");
    let json = self::json(&repo, &["--since", "2026-02-11", "--until", "2026-02-28"]);
    assert_eq!(json["range"]["units"], 2);
}

#[test]
fn whitespace_only_edits_trigger_nothing_and_a_split_line_does() {
    let repo = Repo::new();
    let proto = "service Refunds {\n  rpc Refund(R) returns (S);\n}\n";
    repo.write("lockstep.toml", RULES)
        .write(PROTO, proto)
        .write("docs/payments/api.md", "# API\n")
        .write("sdk/go/payments/client.go", "package payments\n");
    repo.commit_at("root", "2026-01-01T10:00:00Z");
    repo.write(PROTO, proto.replace("  rpc", "\trpc").replace(';', " ;\r"));
    repo.commit_at("re-indent", "2026-01-02T10:00:00Z");
    // The same characters, but one line became two: a line diff sees a change.
    repo.write(PROTO, proto.replace("(R) ", "(R)\n    "));
    repo.commit_at("split a line", "2026-01-03T10:00:00Z");
    repo.write(PROTO, proto.replace("Refund(R)", "Refund(Q)"));
    repo.commit_at("edit", "2026-01-04T10:00:00Z");
    let report = json(&repo, &[]);
    // The root is satisfied; the split and the edit miss.
    assert_eq!(counts(&report, "payments-api"), (3, 1, 0, 2), "{report}");
    let subjects: Vec<&str> = report["misses"]
        .as_array()
        .expect("misses")
        .iter()
        .filter_map(|m| m["subject"].as_str())
        .collect();
    assert_eq!(subjects, ["split a line", "edit"]);
}

#[test]
fn captures_make_one_case_per_binding() {
    let repo = history();
    let json = json(
        &repo,
        &[
            "--rule",
            "man-pages",
            "--since",
            "2026-02-03",
            "--until",
            "2026-02-03",
        ],
    );
    assert_eq!(json["rules"].as_array().expect("rules").len(), 1);
    assert_eq!(counts(&json, "man-pages"), (2, 1, 0, 1));
    assert_eq!(
        json["misses"][0]["bindings"],
        serde_json::json!({"cmd": "run"})
    );
    assert_eq!(
        json["misses"][0]["missing"][0]["paths"],
        serde_json::json!(["etc/man/cargo-run.1"])
    );
}

#[test]
fn an_empty_range_reports_nothing_and_full_compliance() {
    let repo = history();
    for args in [&["--range", "HEAD..HEAD"][..], &["--since", "2030-01-01"]] {
        let json = json(&repo, args);
        assert_eq!(json["range"]["units"], 0, "{args:?}");
        assert_eq!(counts(&json, "payments-api"), (0, 0, 0, 0));
        assert_eq!(json["total"]["compliance"], 1.0);
        assert_eq!(json["months"], serde_json::json!([]));
    }
    let (code, table) = audit(&repo, &["--range", "HEAD..HEAD", "--fail-under", "100"]);
    assert_eq!(code, 0);
    assert!(table.contains("compliance 100.0%"), "{table}");
}

#[test]
fn a_range_limits_the_units() {
    let repo = history();
    let json = json(&repo, &["--range", "HEAD~2..HEAD"]);
    assert_eq!(json["range"]["range"], "HEAD~2..HEAD");
    // HEAD~2 is the merge: only the move and the readme are left.
    assert_eq!(json["range"]["units"], 2);
    let json = self::json(&repo, &["--range", "main~3..main~2"]);
    assert_eq!(
        json["range"]["units"], 2,
        "the feature branch's two commits"
    );
}

#[test]
fn fail_under_sets_the_exit_code_only_when_given() {
    let repo = history();
    assert_eq!(audit(&repo, &[]).0, 0);
    assert_eq!(
        audit(&repo, &["--fail-under", "42"]).0,
        0,
        "42.9% is not under 42"
    );
    assert_eq!(audit(&repo, &["--fail-under", "43"]).0, 1);
}

#[test]
fn bad_input_is_a_usage_error() {
    let repo = history();
    let before = repo.state();
    for args in [
        &["--since", "2026-02-30"][..],
        &["--until", "someday"],
        &["--since", "3 fortnights ago"],
        &["--since", "2026-03-01", "--until", "2026-02-01"],
        &["--ignore-revs-file", "no-such-file"],
        &["--rule", "nope"],
        &["--range", "nope..HEAD"],
        &["--fail-under", "120"],
    ] {
        let output = repo
            .lockstep()
            .arg("audit")
            .args(args)
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!output.stderr.is_empty());
    }
    assert!(
        repo.state() == before,
        "audit must not write to the repository"
    );
}

#[test]
fn csv_has_one_row_per_judged_case() {
    let repo = history();
    let (_, csv) = audit(&repo, &["--format", "csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("commit,date,month,author,subject,rule,bindings,outcome"));
    assert_eq!(lines.len(), 1 + 8, "{csv}");
    assert_eq!(lines.iter().filter(|l| l.contains(",missed,")).count(), 4);
    assert_eq!(lines.iter().filter(|l| l.contains(",waived,")).count(), 1);
}

#[test]
fn html_is_one_balanced_document_with_the_numbers() {
    let repo = history();
    let (_, html) = audit(&repo, &["--format", "html", "--first-parent"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_balanced(&html);
    // Commit links are the only URLs: nothing is loaded from the network.
    assert!(
        !html.contains("src=\"http") && !html.contains("<link"),
        "must open offline"
    );
    assert!(
        html.contains("<span class=\"big\" id=\"compliance\">57.1%</span>"),
        "4 of 7"
    );
    assert!(html.contains("<table class=\"chart\" id=\"trend\">"));
    let misses = html
        .split("<table id=\"misses\">")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .expect("misses table");
    assert_eq!(
        misses.matches("<tr>").count(),
        1 + 3,
        "header and three misses"
    );
    assert!(misses.contains("Move the API to v2"));
    // The origin is on GitHub: each commit links to its page.
    let sha = repo.rev("HEAD~1");
    assert!(
        misses.contains(&format!(
            "<a href=\"https://github.com/acme/payments/commit/{sha}\">"
        )),
        "{misses}"
    );
}

#[test]
fn html_escapes_commit_text() {
    let repo = history();
    repo.write(PROTO, "service X {}\n");
    repo.commit_at(
        "<script>alert(1)</script> & more",
        "2026-04-01T10:00:00+0000",
    );
    let (_, html) = audit(&repo, &["--format", "html", "--since", "2026-04-01"]);
    assert_balanced(&html);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
}

/// Every element opened is closed in order; void and self-closed elements excepted.
fn assert_balanced(html: &str) {
    const VOID: [&str; 5] = ["meta", "br", "input", "!doctype", "hr"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("tag ends") + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .collect::<String>()
            .to_lowercase();
        if let Some(closing) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{closing}> closes nothing"));
            assert_eq!(open, name, "mismatched </{name}>");
        } else if !tag.ends_with('/') && !VOID.contains(&name.as_str()) {
            if name == "script" || name == "style" {
                let close = format!("</{name}>");
                let at = rest.find(&close).expect("closed");
                rest = &rest[at + close.len()..];
                continue;
            }
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

#[test]
fn markdown_snapshot() {
    let repo = history();
    let (_, markdown) = audit(&repo, &["--format", "markdown"]);
    insta::assert_snapshot!(markdown);
}

#[test]
fn json_snapshot_first_parent() {
    let repo = history();
    let (_, json) = audit(
        &repo,
        &[
            "--format",
            "json",
            "--first-parent",
            "--since",
            "2026-01-06",
            // A fixed end: without one, the period (and the one before) ends today.
            "--until",
            "2026-03-31",
        ],
    );
    insta::assert_snapshot!(json);
}

#[test]
fn table_is_the_default_and_uncoloured_off_a_terminal() {
    let repo = history();
    let (_, table) = audit(&repo, &[]);
    assert!(!table.contains('\x1b'));
    assert!(table.contains("RULE"), "{table}");
    let row = table
        .lines()
        .find(|l| l.starts_with("payments-api"))
        .expect("row");
    let cells: Vec<&str> = row.split_whitespace().collect();
    // Triggered, satisfied, not applicable, waived, missed, open, fixed later.
    assert_eq!(cells[1..9], ["5", "1", "0", "1", "3", "1", "2", "25.0%"]);
    let (_, coloured) = audit(&repo, &["--color", "always"]);
    assert!(coloured.contains("\x1b[31m25.0%\x1b[0m"), "{coloured}");
}

#[test]
fn results_keep_history_order_whatever_the_number_of_threads() {
    let repo = Repo::new();
    repo.write("lockstep.toml", RULES);
    // More commits than one worker's chunk, so several workers share the history.
    for day in 1..=80 {
        repo.write(
            PROTO,
            format!("service S {{\n  rpc Call{day}(R) returns (S);\n}}\n"),
        );
        if day % 3 == 0 {
            repo.write("docs/payments/api.md", format!("# API {day}\n"))
                .write(
                    "sdk/go/payments/client.go",
                    format!("package payments // {day}\n"),
                );
        }
        let date = format!("@{} +0000", 1_767_225_600 + day * 86_400);
        repo.commit_at(&format!("change {day}"), &date);
    }
    let one = json(&repo, &["-j", "1"]);
    let three = json(&repo, &["-j", "3"]);
    assert_eq!(one, three);
    // Days 1 and 2 come before the docs and the SDK exist: not applicable.
    assert_eq!(counts(&one, "payments-api"), (80, 26, 0, 52));
    assert_eq!(one["rules"][0]["not_applicable"], 2);
    let dates: Vec<&str> = one["misses"]
        .as_array()
        .expect("misses")
        .iter()
        .map(|m| m["date"].as_str().expect("date"))
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_unstable();
    assert_eq!(dates, sorted);
}

#[test]
fn a_shallow_clone_leaves_out_its_boundary_and_says_so() {
    let repo = history();
    let clone = repo.shallow_clone(2, &[]);
    let json = json(&clone, &[]);
    assert_eq!(json["range"]["shallow"], true);
    assert_eq!(
        json["range"]["units"], 1,
        "the boundary commit's parent is missing"
    );
    let (_, table) = audit(&clone, &[]);
    assert!(table.contains("this clone is shallow"), "{table}");
}

#[test]
fn units_over_max_files_are_counted_not_judged() {
    let repo = Repo::new();
    let rules = RULES.replace("version = 1\n", "version = 1\n[settings]\nmax_files = 2\n");
    repo.write("lockstep.toml", &rules).write(PROTO, "a\n");
    repo.commit_at("two files", "2026-01-05T10:00:00+0000");
    repo.write(PROTO, "b\n").write("x", "1").write("y", "1");
    repo.commit_at("three files", "2026-01-06T10:00:00+0000");
    let json = json(&repo, &[]);
    assert_eq!(json["range"]["units"], 2);
    assert_eq!(json["range"]["too_large"], 1);
    assert_eq!(counts(&json, "payments-api"), (1, 0, 0, 0));
    assert_eq!(json["rules"][0]["not_applicable"], 1, "no docs or SDK yet");
    let (_, table) = audit(&repo, &[]);
    assert!(
        table.contains("1 unit touching more files than settings.max_files not judged"),
        "{table}"
    );
}

#[test]
fn annotation_blocks_have_their_own_row_with_satisfied_and_missed_cases() {
    let repo = Repo::new();
    let block = |value: u32| {
        format!(
            "// LINT.IfChange\nconst MAX: u32 = {value};\n// LINT.ThenChange(//docs/retries.md)\n"
        )
    };
    repo.write("lockstep.toml", "version = 1\n")
        .write("src/retry.rs", block(1))
        .write("docs/retries.md", "one\n");
    repo.commit("initial");
    repo.write("src/retry.rs", block(2))
        .write("docs/retries.md", "two\n");
    repo.commit("block and target together");
    repo.write("src/retry.rs", block(3));
    repo.commit("block alone");
    let report = json(&repo, &[]);
    // The root commit adds the pair whole, which fires nothing (README: new pairs).
    assert_eq!(counts(&report, "annotation"), (2, 1, 0, 1));
}

const SERVICES: &str = r#"version = 1

[[rule]]
id = "service-docs"
when = ["services/{svc}/api.proto"]
then = ["docs/{svc}.md"]
"#;

/// Services whose docs directory appears late, a later fix, a pure move and a mass
/// edit; the commit ids, oldest first.
fn services() -> (Repo, Vec<String>) {
    let repo = Repo::new();
    let mut ids = Vec::new();
    // No docs directory yet: not applicable.
    repo.write("lockstep.toml", SERVICES)
        .write("services/payments/api.proto", "a\n");
    ids.push(repo.commit_at("Payments", "2026-01-05T10:00:00+0000"));
    // Satisfied.
    repo.write("services/payments/api.proto", "b\n")
        .write("docs/payments.md", "# payments\n");
    ids.push(repo.commit_at("Document payments", "2026-01-10T10:00:00+0000"));
    // A new service without its doc, where docs exist: missed; fixed five days later.
    repo.write("services/billing/api.proto", "a\n");
    ids.push(repo.commit_at("Billing", "2026-02-01T10:00:00+0000"));
    repo.write("docs/billing.md", "# billing\n");
    ids.push(repo.commit_at("Document billing", "2026-02-06T10:00:00+0000"));
    // An exact move: no trigger.
    repo.remove("services/billing/api.proto")
        .write("services/invoices/api.proto", "a\n");
    ids.push(repo.commit_at("Rename billing", "2026-03-01T10:00:00+0000"));
    // A mass edit without docs: missed unless ignored.
    repo.write("services/payments/api.proto", "c\n")
        .write("services/invoices/api.proto", "b\n");
    ids.push(repo.commit_at("Reformat", "2026-03-02T10:00:00+0000"));
    // Missed and never fixed.
    repo.write("services/payments/api.proto", "d\n");
    ids.push(repo.commit_at("Payments again", "2026-04-01T10:00:00+0000"));
    (repo, ids)
}

fn service_counts(json: &Value) -> Value {
    let row = &json["rules"][0];
    serde_json::json!([
        row["triggered"],
        row["satisfied"],
        row["not_applicable"],
        row["waived"],
        row["missed"],
        row["open"],
        row["fixed_later"],
    ])
}

fn subjects(json: &Value, list: &str) -> Vec<String> {
    json[list]
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m["subject"].as_str().expect("subject").to_owned())
        .collect()
}

#[test]
fn a_companion_whose_directory_did_not_exist_yet_is_not_applicable() {
    let (repo, _) = services();
    let json = json(&repo, &[]);
    // Payments (n/a), Document payments (satisfied), Billing (missed, fixed later),
    // Reformat (two bindings missed, invoices fixed never), Payments again (missed).
    assert_eq!(
        service_counts(&json),
        serde_json::json!([6, 1, 1, 0, 4, 3, 1])
    );
    assert_eq!(
        json["rules"][0]["compliance"], 0.2,
        "n/a is out of the denominator"
    );
    assert!(!subjects(&json, "misses").contains(&"Payments".to_owned()));
    let csv = audit(&repo, &["--format", "csv"]).1;
    assert!(
        csv.contains(",Payments,service-docs,svc=payments,not-applicable,"),
        "{csv}"
    );
    for format in ["table", "markdown", "html"] {
        let report = audit(&repo, &["--format", format]).1;
        assert!(report.contains("1 not applicable"), "{format}: {report}");
    }
}

const AREAS: &str = r#"version = 1

[[rule]]
id = "flat"
when = ["services/{svc}/api.proto"]
then = ["docs/{svc}.md"]

[[rule]]
id = "deep"
when = ["services/{svc}/api.proto"]
then = [{ kind = "guide", paths = ["guides/**"] }]
"#;

/// Companion areas that appear, disappear and come back: a flat pattern (`docs/{svc}.md`,
/// never deeper than `docs/`) beside a file it cannot match (`docs/archive/…`), and a
/// `**` pattern whose only file lies three directories down. Each unit after the first
/// changes the API alone, besides what its subject says.
fn areas() -> Repo {
    let repo = Repo::new();
    let api = "services/payments/api.proto";
    // flat: only docs/archive/, too deep to match: n/a. deep: no guides/: n/a.
    repo.write("lockstep.toml", AREAS)
        .write(api, "1\n")
        .write("docs/archive/payments.md", "old\n");
    repo.commit_at("Start", "2026-01-05T10:00:00+0000");
    repo.write("guides/deep/x/intro.md", "intro\n")
        .write("docs/billing.md", "# billing\n");
    repo.commit_at("Guides and billing docs", "2026-01-10T10:00:00+0000");
    // flat: docs/billing.md is only in the parent tree: missed. deep: missed.
    repo.write(api, "2\n").remove("docs/billing.md");
    repo.commit_at("Payments drops billing docs", "2026-01-15T10:00:00+0000");
    // flat: n/a again. deep: removing the guide changes it: satisfied.
    repo.write(api, "3\n").remove("guides/deep/x/intro.md");
    repo.commit_at("Payments drops the guide", "2026-01-20T10:00:00+0000");
    // Neither area holds a file: n/a, n/a.
    repo.write(api, "4\n");
    repo.commit_at("Payments alone", "2026-01-25T10:00:00+0000");
    // The same docs/ tree as two units ago.
    repo.write("docs/billing.md", "# billing\n");
    repo.commit_at("Billing docs back", "2026-01-30T10:00:00+0000");
    // flat: missed. deep: n/a.
    repo.write(api, "5\n");
    repo.commit_at("Payments after", "2026-02-04T10:00:00+0000");
    repo
}

#[test]
fn applicability_follows_companion_areas_created_deleted_and_recreated() {
    let repo = areas();
    let one = json(&repo, &["-j", "1"]);
    for (rule, satisfied, missed) in [
        (
            "flat",
            0,
            &["Payments drops billing docs", "Payments after"][..],
        ),
        ("deep", 1, &["Payments drops billing docs"][..]),
    ] {
        let row = one["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .find(|r| r["rule"] == rule)
            .expect("row");
        let counts = ["triggered", "satisfied", "not_applicable", "missed"].map(|k| &row[k]);
        assert_eq!(counts, [5, satisfied, 3, missed.len()], "{rule}: {row}");
        let subjects: Vec<&str> = one["misses"]
            .as_array()
            .expect("misses")
            .iter()
            .filter(|m| m["rule"] == rule)
            .map(|m| m["subject"].as_str().expect("subject"))
            .collect();
        assert_eq!(subjects, missed, "{rule}");
    }
    assert_eq!(json(&repo, &["-j", "2"]), one, "one worker or two");
}

#[test]
fn an_exact_move_does_not_trigger() {
    let (repo, _) = services();
    let json = json(&repo, &["--since", "2026-03-01", "--until", "2026-03-01"]);
    assert_eq!(json["range"]["units"], 1);
    assert_eq!(
        service_counts(&json),
        serde_json::json!([0, 0, 0, 0, 0, 0, 0])
    );
}

#[test]
fn a_miss_whose_companion_changed_later_is_fixed_later_with_its_commit_and_delay() {
    let (repo, ids) = services();
    let json = json(&repo, &[]);
    let billing = &json["misses"][0];
    assert_eq!(billing["subject"], "Billing");
    assert_eq!(billing["status"], "fixed-later");
    assert_eq!(
        billing["fixed_by"],
        serde_json::json!({"commit": ids[3], "date": "2026-02-06", "days": 5})
    );
    let open: Vec<&Value> = json["misses"]
        .as_array()
        .expect("misses")
        .iter()
        .filter(|m| m["status"] == "open")
        .collect();
    assert_eq!(open.len(), 3);
    // A fix outside the audited range does not count.
    let json = self::json(&repo, &["--until", "2026-02-05"]);
    assert_eq!(json["misses"][0]["status"], "open");
    let table = audit(&repo, &[]).1;
    assert!(
        table.contains(&format!("fixed later in {} (5 days)", &ids[3][..10])),
        "{table}"
    );
}

#[test]
fn commits_in_an_ignore_revs_file_are_left_out_and_counted() {
    let (repo, ids) = services();
    let revs = format!("# mass reformat\n{}\n", ids[5]);
    repo.write(".git-blame-ignore-revs", &revs);
    let json = json(&repo, &["--ignore-revs-file", ".git-blame-ignore-revs"]);
    assert_eq!(json["range"]["ignored"], 1);
    assert_eq!(
        service_counts(&json),
        serde_json::json!([4, 1, 1, 0, 2, 1, 1])
    );
    assert!(!subjects(&json, "misses").contains(&"Reformat".to_owned()));
    // The same file named by the settings.
    let rules = SERVICES.replace(
        "version = 1\n",
        "version = 1\n[settings]\nignore_revs_file = \".git-blame-ignore-revs\"\n",
    );
    repo.write("lockstep.toml", rules);
    let json = self::json(&repo, &[]);
    assert_eq!(json["range"]["ignored"], 1);
    let table = audit(&repo, &[]).1;
    assert!(
        table.contains("1 unit listed in the ignore-revs file not judged"),
        "{table}"
    );
    // A line that is not a commit id is an error naming the file.
    repo.write(".git-blame-ignore-revs", "HEAD~2\n");
    let stderr = audit_error(&repo, &[]);
    assert!(stderr.contains("not a full commit id"), "{stderr}");
    assert!(stderr.contains(".git-blame-ignore-revs"), "{stderr}");
}

#[test]
fn units_before_a_rules_since_are_not_applicable() {
    let (repo, _) = services();
    let rules = SERVICES.replace("then =", "since = \"2026-03-02\"\nthen =");
    repo.write("lockstep.toml", rules);
    let json = json(&repo, &[]);
    // Only Reformat (2 bindings) and Payments again are held to the rule.
    assert_eq!(
        service_counts(&json),
        serde_json::json!([6, 0, 3, 0, 3, 3, 0])
    );
    assert_eq!(
        subjects(&json, "misses"),
        ["Reformat", "Reformat", "Payments again"]
    );
    // A malformed day is a config error pointing at it.
    repo.write(
        "lockstep.toml",
        SERVICES.replace("then =", "since = \"2026-3-2\"\nthen ="),
    );
    let stderr = audit_error(&repo, &[]);
    assert!(stderr.contains("is not a date"), "{stderr}");
}

#[test]
fn since_and_until_take_git_date_forms() {
    let (repo, _) = services();
    let all = json(&repo, &["--since", "100 years ago", "--until", "today"]);
    assert_eq!(all["range"]["units"], 7);
    assert_eq!(all["range"]["since"].as_str().map(str::len), Some(10));
    let none = json(&repo, &["--since", "1 day ago"]);
    assert_eq!(none["range"]["units"], 0, "the fixture's commits are older");
    let iso = json(
        &repo,
        &["--since", "2026-03-01T00:00:00", "--until", "2026/03/02"],
    );
    assert_eq!(iso["range"]["units"], 2);
    let stderr = audit_error(&repo, &["--since", "2026-03-02", "--until", "2026-03-01"]);
    assert!(stderr.contains("is after --until"), "{stderr}");
}

#[test]
fn every_waiver_says_who_and_why_and_a_reasonless_one_says_so() {
    let (repo, _) = services();
    repo.write("services/payments/api.proto", "e\n");
    repo.commit_at(
        "Hotfix\n\nLockstep-Skip: service-docs",
        "2026-04-02T10:00:00+0000",
    );
    let json = json(&repo, &[]);
    let waiver = &json["waivers"][0];
    assert_eq!(waiver["subject"], "Hotfix");
    assert_eq!(waiver["author"], "Ada Lovelace");
    assert_eq!(waiver["reason"], Value::Null);
    for format in ["table", "markdown", "html", "csv"] {
        let report = audit(&repo, &["--format", format]).1;
        assert!(report.contains("no reason given"), "{format}: {report}");
    }
    let (repo, _) = services();
    repo.write("services/payments/api.proto", "e\n");
    repo.commit_at(
        "Hotfix\n\nLockstep-Skip: service-docs -- docs in #42",
        "2026-04-02T10:00:00+0000",
    );
    let json = self::json(&repo, &[]);
    assert_eq!(json["waivers"][0]["reason"], "docs in #42");
}

#[test]
fn merge_combines_the_audits_of_two_repositories_keyed_by_repository() {
    let payments = history();
    let (services, _) = services();
    services.git(&[
        "remote",
        "add",
        "origin",
        "git@gitlab.com:acme/services.git",
    ]);
    let out = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for (repo, name) in [(&payments, "payments.json"), (&services, "services.json")] {
        let file = out.path().join(name);
        let file_arg = file.to_str().expect("utf-8 path");
        audit(repo, &["--format", "json", "-o", file_arg]);
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
        assert!(json["repository"].as_str().is_some(), "{json}");
        files.push(file_arg.to_owned());
    }
    let merge = |format: &str| {
        let output = payments
            .lockstep()
            .args(["audit", "merge", "--format", format])
            .args(&files)
            .exits(0);
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let json: Value = serde_json::from_str(&merge("json")).expect("merged json");
    let rules: Vec<&str> = json["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["rule"].as_str().expect("rule"))
        .collect();
    assert_eq!(
        rules,
        [
            "acme/payments:payments-api",
            "acme/payments:man-pages",
            "acme/services:service-docs"
        ]
    );
    // 8 + 7 units; 5 + 3 + 6 cases; 1 + 2 + 1 satisfied of 4 + 3 + 5 judged.
    assert_eq!(json["range"]["units"], 15);
    assert_eq!(json["total"]["triggered"], 14);
    assert_eq!(json["total"]["missed"], 8);
    assert_eq!(json["total"]["compliance"], 0.333);
    let months: Vec<&str> = json["months"]
        .as_array()
        .expect("months")
        .iter()
        .map(|m| m["month"].as_str().expect("month"))
        .collect();
    assert_eq!(months, ["2026-01", "2026-02", "2026-03", "2026-04"]);
    assert_eq!(json["misses"].as_array().map(Vec::len), Some(8));
    assert_eq!(json["waivers"][0]["rule"], "acme/payments:payments-api");
    let table = merge("table");
    assert!(
        table.contains("15 commits across 2 repositories (acme/payments, acme/services)"),
        "{table}"
    );
    for format in ["markdown", "csv", "html"] {
        assert!(
            merge(format).contains("acme/services:service-docs"),
            "{format}"
        );
    }
    // Something that is not an audit is an error naming it.
    let bogus = out.path().join("bogus.json");
    std::fs::write(&bogus, "{\"findings\": []}").expect("write");
    let stderr = audit_error(&payments, &["merge", bogus.to_str().expect("utf-8 path")]);
    assert!(stderr.contains("is not a JSON audit"), "{stderr}");
}

/// A file with one block guarding `value`, naming docs/retries.md.
fn retry_block(value: u32) -> String {
    format!("// LINT.IfChange\nconst MAX: u32 = {value};\n// LINT.ThenChange(//docs/retries.md)\n")
}

#[test]
fn a_block_is_audited_under_the_names_its_file_had_before_renames() {
    let repo = Repo::new();
    repo.write("lockstep.toml", "version = 1\n")
        .write("src/retry.rs", retry_block(1))
        .write("docs/retries.md", "one\n");
    repo.commit_at("initial", "2026-01-05T10:00:00+0000");
    repo.write("src/retry.rs", retry_block(2));
    repo.commit_at("block alone, old name", "2026-01-06T10:00:00+0000");
    // Two exact renames in a row: old name → middle name → head's name.
    repo.remove("src/retry.rs")
        .write("src/net/retry.rs", retry_block(2));
    repo.commit_at("move", "2026-02-01T10:00:00+0000");
    repo.write("src/net/retry.rs", retry_block(3))
        .write("docs/retries.md", "three\n");
    repo.commit_at("block and target, middle name", "2026-02-02T10:00:00+0000");
    repo.remove("src/net/retry.rs")
        .write("src/net/policy.rs", retry_block(3));
    repo.commit_at("move again", "2026-03-01T10:00:00+0000");
    repo.write("src/net/policy.rs", retry_block(4));
    repo.commit_at("block alone, head name", "2026-03-02T10:00:00+0000");
    // Two misses and one satisfied edit under three names (the root adds the pair whole,
    // which fires nothing).
    assert_eq!(counts(&json(&repo, &[]), "annotation"), (3, 1, 0, 2));
    // The renames after the window still name the file the window's units changed.
    let window = json(&repo, &["--until", "2026-01-31"]);
    assert_eq!(counts(&window, "annotation"), (1, 0, 0, 1));
    assert_eq!(window["range"]["units"], 2);
}

#[test]
fn blocks_gone_from_the_head_are_not_audited() {
    let repo = Repo::new();
    repo.write("lockstep.toml", "version = 1\n")
        .write("src/retry.rs", retry_block(1))
        .write("docs/retries.md", "one\n");
    repo.commit_at("initial", "2026-01-05T10:00:00+0000");
    repo.write("src/retry.rs", retry_block(2));
    repo.commit_at("block alone", "2026-01-06T10:00:00+0000");
    repo.write("src/retry.rs", "const MAX: u32 = 2;\n");
    repo.commit_at("drop the block", "2026-01-07T10:00:00+0000");
    let report = json(&repo, &[]);
    let rows = report["rules"].as_array().expect("rules");
    assert!(rows.iter().all(|r| r["rule"] != "annotation"), "{report}");
    // A range ending before the block was dropped audits it.
    let range = json(&repo, &["--range", "HEAD~2..HEAD~1"]);
    assert_eq!(counts(&range, "annotation"), (1, 0, 0, 1));
}

#[test]
fn every_month_of_the_range_has_a_row_even_without_commits() {
    let repo = Repo::new();
    repo.write("lockstep.toml", SERVICES)
        .write("services/payments/api.proto", "a\n");
    repo.commit_at("January", "2026-01-05T10:00:00+0000");
    repo.write("services/payments/api.proto", "b\n");
    repo.commit_at("April", "2026-04-05T10:00:00+0000");
    let json = json(&repo, &[]);
    let months: Vec<(&str, u64)> = json["months"]
        .as_array()
        .expect("months")
        .iter()
        .map(|m| {
            (
                m["month"].as_str().expect("month"),
                m["units"].as_u64().expect("units"),
            )
        })
        .collect();
    assert_eq!(
        months,
        [
            ("2026-01", 1),
            ("2026-02", 0),
            ("2026-03", 0),
            ("2026-04", 1)
        ]
    );
    let markdown = audit(&repo, &["--format", "markdown"]).1;
    assert!(markdown.contains("| 2026-02 | 0 | 0 |"), "{markdown}");
}

#[test]
fn units_come_in_git_topological_order_and_the_window_keeps_it() {
    let repo = Repo::new();
    repo.write("lockstep.toml", RULES)
        .write("docs/payments/api.md", "# API\n")
        .write("sdk/go/payments/client.go", "package payments\n");
    let day = |n: u64| format!("@{} +0000", 1_767_225_600 + n * 86_400);
    let edit = |path: &str, n: u64| {
        repo.write(
            path,
            format!("service S {{ rpc Call{n}(R) returns (S); }}\n"),
        );
    };
    edit(PROTO, 1);
    repo.commit_at("root", &day(1));
    // A side branch older than the main line's commits: date order is not topological.
    repo.git(&["checkout", "-q", "-b", "side"]);
    for n in [2, 3] {
        edit("services/payments/api/side.proto", n);
        repo.commit_at(&format!("side {n}"), &day(n));
    }
    repo.git(&["checkout", "-q", "-"]);
    for n in [4, 5] {
        edit(PROTO, n);
        repo.commit_at(&format!("main {n}"), &day(n));
    }
    let merge = repo
        .git_command(&["merge", "-q", "--no-ff", "-m", "merge side", "side"])
        .env("GIT_AUTHOR_DATE", day(6))
        .env("GIT_COMMITTER_DATE", day(6))
        .output()
        .expect("run git");
    assert!(merge.status.success(), "{merge:?}");
    edit(PROTO, 7);
    repo.commit_at("main 7", &day(7));
    let listed = repo.git(&[
        "log",
        "--topo-order",
        "--reverse",
        "--no-merges",
        "--format=%H %s",
    ]);
    let order: Vec<(&str, &str)> = listed
        .lines()
        .filter_map(|line| line.split_once(' '))
        .collect();
    let subjects: Vec<&str> = order.iter().map(|(_, s)| *s).collect();
    assert_eq!(
        subjects,
        ["root", "main 4", "main 5", "side 2", "side 3", "main 7"],
        "git's order, which the audit keeps"
    );
    let missed = |json: &Value| -> Vec<String> {
        json["misses"]
            .as_array()
            .expect("misses")
            .iter()
            .filter(|m| m["rule"] == "payments-api")
            .map(|m| m["commit"].as_str().expect("commit").to_owned())
            .collect()
    };
    let all = json(&repo, &[]);
    let expected: Vec<&str> = order.iter().map(|(id, _)| *id).collect();
    // The root adds the docs and the SDK with the API: satisfied, not missed.
    assert_eq!(missed(&all), expected[1..]);
    // From day 3: the root and side 2 are out, the order of the rest is kept.
    let window = json(&repo, &["--since", "2026-01-04"]);
    let kept: Vec<&str> = [1, 2, 4, 5].iter().map(|&i| expected[i]).collect();
    assert_eq!(missed(&window), kept);
    assert_eq!(window["range"]["units"], 4);
}

/// Most units of a real history trigger nothing, and their commits are not read in
/// full (the listing read their dates, trees and parents). A waived unit and a missed
/// one among them keep their waiver, reason, author and subject, and the miss the
/// commit that fixed it, whichever way the walk learnt the rest of each commit: the
/// listing alone, the commit-graph (no time zones, so each commit is read), a range
/// (not listed), one thread or two.
#[test]
fn a_waiver_and_a_miss_keep_their_commit_among_units_that_trigger_nothing() {
    let repo = Repo::new();
    repo.write("lockstep.toml", SERVICES)
        .write("services/payments/api.proto", "a\n")
        .write("docs/payments.md", "# payments\n");
    let root = repo.commit_at("Payments", "2026-01-05T10:00:00+0000");
    let mut day = 5;
    let mut quiet = |repo: &Repo, count: u32| {
        for _ in 0..count {
            day += 1;
            repo.write("notes.txt", format!("{day}\n"));
            repo.commit_at(
                &format!("Note {day}\n\nLockstep-Skip: service-docs"),
                &format!("2026-02-{:02}T10:00:00+0000", day % 28 + 1),
            );
        }
    };
    let authored = |message: &str, author: &str, date: &str| {
        repo.git(&["add", "-A"]);
        repo.git_command(&["commit", "-q", "--author", author, "-m", message])
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .expect("run git");
        repo.rev("HEAD")
    };
    quiet(&repo, 6);
    repo.write("services/payments/api.proto", "b\n");
    let waived = authored(
        "Hotfix payments\n\nLockstep-Skip: service-docs -- docs in #42",
        "Grace Hopper <grace@example.com>",
        "2026-03-02T10:00:00+0000",
    );
    quiet(&repo, 6);
    repo.write("services/payments/api.proto", "c\n");
    let missed = authored(
        "Refund payments",
        "Edsger Dijkstra <ewd@example.com>",
        "2026-03-09T10:00:00+0000",
    );
    quiet(&repo, 6);
    repo.write("docs/payments.md", "# payments\nrefunds\n");
    let fixed = authored(
        "Document refunds",
        "Ada Lovelace <ada@example.com>",
        "2026-03-12T10:00:00+0000",
    );
    quiet(&repo, 6);
    let check = |json: &Value, what: &str| {
        let waiver = &json["waivers"][0];
        assert_eq!(
            (&waiver["commit"], &waiver["author"]),
            (&Value::from(waived.clone()), &Value::from("Grace Hopper")),
            "{what}: {json}"
        );
        assert_eq!(
            (&waiver["subject"], &waiver["reason"]),
            (&Value::from("Hotfix payments"), &Value::from("docs in #42")),
            "{what}"
        );
        let miss = &json["misses"][0];
        assert_eq!(
            (&miss["commit"], &miss["author"], &miss["subject"]),
            (
                &Value::from(missed.clone()),
                &Value::from("Edsger Dijkstra"),
                &Value::from("Refund payments")
            ),
            "{what}"
        );
        assert_eq!(
            miss["fixed_by"],
            serde_json::json!({"commit": fixed, "date": "2026-03-12", "days": 3}),
            "{what}"
        );
        assert_eq!(
            json["total"]["triggered"], 2,
            "{what}: the root is judged apart"
        );
    };
    let range = format!("{root}..HEAD");
    let runs: [&[&str]; 4] = [
        &["--since", "2026-01-06"],
        &["--since", "2026-01-06", "-j", "1"],
        &["--range", &range],
        &["--range", &range, "--first-parent"],
    ];
    for graph in [false, true] {
        if graph {
            repo.git(&["commit-graph", "write", "--reachable"]);
        }
        for args in runs {
            check(&json(&repo, args), &format!("graph {graph}, {args:?}"));
        }
    }
}

/// A block's missed target is made up for by a later unit that changes it, wherever it
/// lies: units hand over only the paths a rule's companion could match, and a block's
/// target can be any file.
#[test]
fn a_missed_block_target_changed_later_is_fixed_later_outside_every_companion() {
    let repo = Repo::new();
    let block = |value: u32| {
        format!(
            "// LINT.IfChange\nconst MAX: u32 = {value};\n// LINT.ThenChange(//notes/retries.md)\n"
        )
    };
    repo.write("lockstep.toml", SERVICES)
        .write("src/retry.rs", block(1))
        .write("notes/retries.md", "one\n");
    repo.commit_at("initial", "2026-01-05T10:00:00+0000");
    repo.write("src/retry.rs", block(2));
    repo.commit_at("block alone", "2026-01-06T10:00:00+0000");
    repo.write("notes/retries.md", "two\n");
    let fixed = repo.commit_at("target later", "2026-01-09T10:00:00+0000");
    let report = json(&repo, &[]);
    let miss = &report["misses"][0];
    assert_eq!(miss["rule"], "annotation", "{report}");
    assert_eq!(
        miss["fixed_by"],
        serde_json::json!({"commit": fixed, "date": "2026-01-09", "days": 3})
    );
}

/// The head's files are read for blocks by two threads once the history is listed; a
/// file that cannot be read is reported as one thread alone would: the first in tree
/// order, whichever thread met it.
#[test]
fn an_unreadable_head_file_is_named_first_in_tree_order_whatever_the_threads() {
    let repo = Repo::new();
    repo.write("lockstep.toml", SERVICES);
    for n in 0..400 {
        repo.write(&format!("src/f{n:03}.rs"), format!("const N: u32 = {n};\n"));
    }
    repo.commit_at("many files", "2026-01-05T10:00:00+0000");
    for name in ["src/f120.rs", "src/f360.rs"] {
        let id = repo.rev(&format!("HEAD:{name}"));
        let object = repo
            .path()
            .join(".git/objects")
            .join(&id[..2])
            .join(&id[2..]);
        std::fs::remove_file(object).expect("a loose blob");
    }
    for _ in 0..5 {
        let stderr = audit_error(&repo, &["-j", "2"]);
        assert!(stderr.contains("src/f120.rs"), "{stderr}");
        assert!(!stderr.contains("src/f360.rs"), "{stderr}");
    }
}
