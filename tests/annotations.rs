//! In-file `LINT.IfChange` / `LINT.ThenChange` blocks through the real binary, on real
//! repositories: every diff source, JSON lines, waivers and the on/off setting.

mod support;

use support::{Repo, json_report};

const RULES: &str = "version = 1\n";
const RETRY: &str = "fn a() {}\n// LINT.IfChange(retry)\nconst MAX: u32 = 5;\n// LINT.ThenChange(//docs/retries.md:retry, client.py)\nfn b() {}\n";
const DOC: &str = "# Retries\n<!-- LINT.IfChange(retry) -->\nFive retries.\n<!-- LINT.ThenChange(//src/retry.rs:retry) -->\nMore prose.\n";

fn annotated_repo(rules: &str) -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", rules)
        .write("src/retry.rs", RETRY)
        .write("src/client.py", "MAX = 5\n")
        .write("docs/retries.md", DOC);
    repo.commit("initial");
    repo
}

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

#[test]
fn staged_block_change_without_targets_fails_with_the_line() {
    let repo = annotated_repo(RULES);
    repo.write("src/retry.rs", RETRY.replace("= 5", "= 6"));
    repo.git(&["add", "-A"]);
    let before = repo.state();
    let assert = repo.lockstep().args(["check", "--staged"]).assert().code(1);
    let text = stdout(&assert);
    assert!(text.contains("lockstep::annotation"), "{text}");
    assert!(text.contains("src/retry.rs:2"), "{text}");
    assert!(text.contains("docs/retries.md:retry"), "{text}");
    assert!(text.contains("src/client.py"), "{text}");
    assert_eq!(repo.state(), before, "check must not write anything");
}

#[test]
fn staged_block_change_with_every_target_passes() {
    let repo = annotated_repo(RULES);
    repo.write("src/retry.rs", RETRY.replace("= 5", "= 6"))
        .write("docs/retries.md", DOC.replace("Five", "Six"))
        .write("src/client.py", "MAX = 6\n");
    repo.git(&["add", "-A"]);
    repo.lockstep().args(["check", "--staged"]).assert().code(0);
}

#[test]
fn labelled_target_changed_outside_its_block_still_fails() {
    let repo = annotated_repo(RULES);
    repo.write("src/retry.rs", RETRY.replace("= 5", "= 6"))
        .write("docs/retries.md", DOC.replace("More", "Less"))
        .write("src/client.py", "MAX = 6\n");
    repo.git(&["add", "-A"]);
    let report = json_report(&repo, &["check", "--staged"], 1);
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(
        findings[0]["missing"][0]["paths"][0],
        "docs/retries.md:retry"
    );
}

#[test]
fn json_findings_name_the_annotation_rule_and_line() {
    let repo = annotated_repo(RULES);
    repo.write("src/retry.rs", RETRY.replace("= 5", "= 6"))
        .write("src/client.py", "MAX = 6\n");
    repo.git(&["add", "-A"]);
    let report = json_report(&repo, &["check", "--staged"], 1);
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "annotation");
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["status"], "missing");
    assert_eq!(finding["triggered_by"][0]["path"], "src/retry.rs");
    assert_eq!(finding["triggered_by"][0]["line"], 2);
    assert_eq!(finding["missing"][0]["kind"], "annotation-target");
    assert_eq!(finding["missing"][0]["paths"][0], "docs/retries.md:retry");
    assert_eq!(report["summary"]["errors"], 1);
}

#[test]
fn range_checks_fire_and_no_ifttt_waives() {
    let repo = annotated_repo(RULES);
    let base = repo.rev("HEAD");
    repo.write("src/retry.rs", RETRY.replace("= 5", "= 6"));
    repo.commit("Raise the retry limit");
    let range = format!("{base}..HEAD");
    repo.lockstep()
        .args(["check", "--range", &range])
        .assert()
        .code(1);

    repo.write("src/retry.rs", RETRY.replace("= 5", "= 7"));
    repo.commit("Raise it again\n\nNO_IFTTT=the docs follow in the next release");
    let report = json_report(&repo, &["check", "--range", &range], 0);
    assert_eq!(report["findings"][0]["rule"], "annotation");
    assert_eq!(report["findings"][0]["status"], "waived");
}

#[test]
fn per_commit_judges_each_commit_and_names_it() {
    let repo = annotated_repo(RULES);
    let base = repo.rev("HEAD");
    repo.write("src/retry.rs", RETRY.replace("= 5", "= 6"))
        .write("docs/retries.md", DOC.replace("Five", "Six"))
        .write("src/client.py", "MAX = 6\n");
    repo.commit("Complete change");
    repo.write("src/retry.rs", RETRY.replace("= 5", "= 7"));
    let bad = repo.commit("Incomplete change");
    let range = format!("{base}..HEAD");
    let report = json_report(&repo, &["check", "--range", &range, "--per-commit"], 1);
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["commit"], bad.as_str());
    assert_eq!(findings[0]["triggered_by"][0]["line"], 2);
}

#[test]
fn work_tree_check_reads_annotated_files_from_disk() {
    let repo = annotated_repo(RULES);
    repo.write("docs/retries.md", DOC.replace("Five", "Six"));
    let assert = repo.lockstep().arg("check").assert().code(1);
    let text = stdout(&assert);
    assert!(text.contains("docs/retries.md:2"), "{text}");
    assert!(text.contains("src/retry.rs:retry"), "{text}");
}

#[test]
fn the_setting_turns_annotations_off() {
    let repo = annotated_repo("version = 1\n[settings]\nannotations = false\n");
    repo.write("src/retry.rs", RETRY.replace("= 5", "= 6"));
    repo.git(&["add", "-A"]);
    repo.lockstep().args(["check", "--staged"]).assert().code(0);
}

#[test]
fn lockstep_skip_annotation_waives_a_staged_check() {
    let repo = annotated_repo(RULES);
    repo.write("src/retry.rs", RETRY.replace("= 5", "= 6"));
    repo.git(&["add", "-A"]);
    repo.lockstep()
        .args(["check", "--staged"])
        .env("LOCKSTEP_SKIP", "annotation")
        .assert()
        .code(0);
}

#[test]
fn wrapping_existing_code_in_a_block_does_not_fire() {
    let repo = annotated_repo(RULES);
    repo.write("src/plain.rs", "fn a() {}\nconst X: u8 = 1;\nfn b() {}\n");
    repo.commit("plain");
    repo.write(
        "src/plain.rs",
        "fn a() {}\n// LINT.IfChange\nconst X: u8 = 1;\n// LINT.ThenChange(//docs/retries.md)\nfn b() {}\n",
    );
    repo.git(&["add", "-A"]);
    repo.lockstep().args(["check", "--staged"]).assert().code(0);
}

#[test]
fn deleting_a_block_fires_it() {
    let repo = annotated_repo(RULES);
    repo.write("src/retry.rs", "fn a() {}\nfn b() {}\n");
    repo.git(&["add", "-A"]);
    let assert = repo.lockstep().args(["check", "--staged"]).assert().code(1);
    let text = stdout(&assert);
    assert!(
        text.contains("was deleted") || text.contains("deleted"),
        "{text}"
    );
    assert!(text.contains("src/retry.rs:2"), "{text}");
}

#[test]
fn a_renamed_target_is_an_error_for_a_changed_block() {
    let repo = annotated_repo(RULES);
    repo.git(&["mv", "src/client.py", "src/api_client.py"]);
    repo.write("src/retry.rs", RETRY.replace("= 5", "= 6"))
        .write("docs/retries.md", DOC.replace("Five", "Six"));
    repo.git(&["add", "-A"]);
    let report = json_report(&repo, &["check", "--staged"], 1);
    let finding = &report["findings"][0];
    assert_eq!(finding["missing"][0]["paths"][0], "src/client.py");
    let message = finding["message"].as_str().expect("message");
    assert!(
        message.contains("renamed to `src/api_client.py`"),
        "{message}"
    );
}

#[test]
fn malformed_blocks_in_changed_files_are_errors_with_lines() {
    let repo = annotated_repo(RULES);
    repo.write("src/broken.py", "x = 1\n# LINT.IfChange\ny = 2\n");
    repo.git(&["add", "-A"]);
    let report = json_report(&repo, &["check", "--staged"], 1);
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "annotation");
    assert_eq!(finding["triggered_by"][0]["path"], "src/broken.py");
    assert_eq!(finding["triggered_by"][0]["line"], 2);
    // The code is a field of its own, not text to parse out of the message.
    assert_eq!(finding["code"], "unclosed-if-change");
    let message = finding["message"].as_str().expect("message");
    assert!(!message.contains("unclosed-if-change"), "{message}");
}

#[test]
fn rule_findings_and_annotation_findings_come_from_one_check() {
    let rules = "version = 1\n[[rule]]\nid = \"client\"\nwhen = [\"src/*.py\"]\nthen = [\"CHANGELOG.md\"]\n";
    let repo = annotated_repo(rules);
    repo.write("src/retry.rs", RETRY.replace("= 5", "= 6"))
        .write("src/client.py", "MAX = 6\n");
    repo.git(&["add", "-A"]);
    let report = json_report(&repo, &["check", "--staged"], 1);
    let mut rules: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    rules.sort_unstable();
    assert_eq!(rules, ["annotation", "client"]);
}

#[test]
fn human_and_json_reports_of_an_annotation_finding() {
    let repo = annotated_repo(RULES);
    repo.write("src/retry.rs", RETRY.replace("= 5", "= 6"))
        .write("src/client.py", "MAX = 6\n")
        .write("src/broken.py", "# LINT.IfChange\nx = 1\n");
    repo.git(&["add", "-A"]);
    let human = repo.lockstep().args(["check", "--staged"]).assert().code(1);
    insta::assert_snapshot!("human", stdout(&human));
    let json = repo
        .lockstep()
        .args(["check", "--staged", "--format", "json"])
        .assert()
        .code(1);
    insta::assert_snapshot!("json", stdout(&json));
}

#[test]
fn rule_filter_selects_or_leaves_out_annotation_findings() {
    let repo = annotated_repo(&format!(
        "{RULES}[[rule]]\nid = \"py\"\nwhen = [\"src/*.py\"]\nthen = [\"docs/py.md\"]\n"
    ));
    repo.write("src/retry.rs", RETRY.replace("= 5", "= 6"));
    repo.git(&["add", "-A"]);
    let report = json_report(&repo, &["check", "--staged", "--rule", "annotation"], 1);
    assert_eq!(report["findings"][0]["rule"], "annotation");
    repo.lockstep()
        .args(["check", "--staged", "--rule", "py"])
        .assert()
        .code(0);
}

#[test]
fn malformed_blocks_read_as_a_sentence_in_human_output() {
    let repo = annotated_repo(RULES);
    repo.write("src/broken.rs", "// LINT.IfChange\nfn x() {}\n");
    repo.git(&["add", "-A"]);
    let text = stdout(&repo.lockstep().args(["check", "--staged"]).assert().code(1));
    assert!(text.contains("annotation: src/broken.rs:1: "), "{text}");
    assert!(!text.contains("changed without"), "{text}");
}

#[test]
fn a_range_of_many_packed_files_fires_every_block_and_a_deleted_one() {
    // More blobs than a check reads on one thread: a second one reads them too.
    let file = |i: usize, limit: u32| {
        format!(
            "fn f{i}() {{}}\n// LINT.IfChange\nconst LIMIT: u32 = {limit};\n// LINT.ThenChange(//docs/f{i}.md)\n"
        )
    };
    let repo = Repo::new();
    repo.write("lockstep.toml", RULES);
    for i in 0..120 {
        repo.write(&format!("src/f{i:03}.rs"), file(i, 5))
            .write(&format!("docs/f{i}.md"), "docs\n");
    }
    let base = repo.commit("blocks");
    for i in 1..120 {
        repo.write(&format!("src/f{i:03}.rs"), file(i, 6));
    }
    repo.write("src/f000.rs", "fn f0() {}\n");
    repo.commit("edits");
    repo.git(&["gc", "-q"]);
    let range = format!("{base}..HEAD");
    let report = json_report(&repo, &["check", "--range", &range], 1);
    // Each finding names its block's first line (the deleted block's, before the
    // change) and the block's own target.
    let triggers: Vec<(String, u64, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let by = &f["triggered_by"][0];
            (
                by["path"].as_str().expect("path").to_owned(),
                by["line"].as_u64().unwrap_or(0),
                f["missing"][0]["paths"][0]
                    .as_str()
                    .expect("target")
                    .to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, u64, String)> = (0..120)
        .map(|i| (format!("src/f{i:03}.rs"), 2, format!("docs/f{i}.md")))
        .collect();
    assert_eq!(triggers, expected, "{report}");
}
