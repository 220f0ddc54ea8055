//! Blocks read the way the field reads them, through the real binary: references a
//! change breaks, new pairs, directory and root targets, and the byte-order mark.

mod support;

use support::{Repo, json_report};

const SOURCE: &str = "// LINT.IfChange(retry)\nconst MAX: u32 = 5;\n// LINT.ThenChange(//docs/retries.md:retry, //docs/limits.md)\n";
const DOC: &str = "# Retries\n<!-- LINT.IfChange(retry) -->\nFive.\n<!-- LINT.ThenChange(//src/retry.rs:retry) -->\n";

fn repo() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", "version = 1\n")
        .write("src/retry.rs", SOURCE)
        .write("docs/retries.md", DOC)
        .write("docs/limits.md", "limits\n");
    repo.commit("initial");
    repo
}

/// `(path, line, message)` of each finding of `lockstep ARGS --format json`, which must
/// exit with `code`; a problem's code follows its message in brackets.
fn findings(repo: &Repo, args: &[&str], code: i32) -> Vec<(String, u64, String)> {
    let report = json_report(repo, args, code);
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let trigger = &f["triggered_by"][0];
            (
                trigger["path"].as_str().unwrap_or_default().to_owned(),
                trigger["line"].as_u64().unwrap_or_default(),
                match f["code"].as_str() {
                    Some(code) => format!("{} [{code}]", f["message"].as_str().unwrap_or_default()),
                    None => f["message"].as_str().unwrap_or_default().to_owned(),
                },
            )
        })
        .collect()
}

#[test]
fn deleting_a_target_file_is_a_broken_reference() {
    let repo = repo();
    repo.remove("docs/limits.md");
    repo.git(&["add", "-A"]);
    let found = findings(&repo, &["check", "--staged"], 1);
    assert_eq!(found.len(), 1, "{found:?}");
    let (path, line, message) = &found[0];
    assert_eq!((path.as_str(), *line), ("src/retry.rs", 3));
    assert!(
        message.contains("`docs/limits.md` names a file this change deletes"),
        "{message}"
    );
    assert!(message.ends_with("[broken-reference]"), "{message}");
}

#[test]
fn renaming_a_target_file_in_a_range_is_a_broken_reference() {
    let repo = repo();
    repo.git(&["mv", "docs/limits.md", "docs/quotas.md"]);
    repo.commit("rename");
    let found = findings(&repo, &["check", "--range", "HEAD~1..HEAD"], 1);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].2.contains("renames to `docs/quotas.md`"),
        "{found:?}"
    );
    // Pointing the block at the new name in the same change repairs it.
    repo.write("src/retry.rs", SOURCE.replace("limits.md", "quotas.md"));
    repo.commit("repoint");
    findings(&repo, &["check", "--range", "HEAD~2..HEAD"], 0);
}

#[test]
fn removing_a_label_others_name_is_a_broken_reference() {
    let repo = repo();
    repo.write(
        "docs/retries.md",
        DOC.replace("IfChange(retry)", "IfChange(retries)"),
    );
    repo.git(&["add", "-A"]);
    let found = findings(&repo, &["check", "--staged"], 1);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .2
            .contains("`docs/retries.md:retry` names a label this change removes"),
        "{found:?}"
    );
    // A waiver excuses companions, not the reference the change breaks.
    let message = repo.path().join("MSG");
    std::fs::write(&message, "Rename\n\nNO_IFTTT=follow-up\n").expect("message");
    let found = findings(&repo, &["check", "--staged", "--commit-msg-file", "MSG"], 1);
    assert!(found[0].2.ends_with("[broken-reference]"), "{found:?}");
}

#[test]
fn regression_no_ifttt_does_not_waive_a_deleted_target() {
    let repo = repo();
    repo.remove("docs/limits.md");
    repo.commit("Drop the limits page\n\nNO_IFTTT=intentional removal");
    let report = json_report(&repo, &["check", "--range", "HEAD~1..HEAD"], 1);
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["code"], "broken-reference");
    assert_eq!(findings[0]["status"], "missing");
    // The same waiver still excuses a companion left unchanged.
    repo.write(
        "src/retry.rs",
        SOURCE.replace("5", "6").replace(", //docs/limits.md", ""),
    );
    repo.commit("Raise it\n\nNO_IFTTT=the docs follow");
    let report = json_report(&repo, &["check", "--range", "HEAD~1..HEAD"], 0);
    assert_eq!(report["findings"][0]["status"], "waived", "{report}");
}

#[test]
fn a_new_pair_fires_nothing_and_the_next_edit_does() {
    let repo = repo();
    let block = "# LINT.IfChange\nx = 1\n# LINT.ThenChange(//docs/limits.md)\n";
    repo.write("src/new.py", block);
    repo.git(&["add", "-A"]);
    findings(&repo, &["check", "--staged"], 0);
    repo.git(&["commit", "-qm", "new pair"]);
    repo.write("src/new.py", block.replace("= 1", "= 2"));
    repo.git(&["add", "-A"]);
    let found = findings(&repo, &["check", "--staged"], 1);
    assert_eq!(found[0].0, "src/new.py");
}

#[test]
fn regression_root_and_directory_targets() {
    let repo = repo();
    let block = "# LINT.IfChange\nx = 1\n# LINT.ThenChange(/docs/limits.md, //docs/api/)\n";
    repo.write("src/lib/x.py", block)
        .write("docs/api/v1.md", "v1\n");
    repo.commit("blocks");
    repo.write("src/lib/x.py", block.replace("= 1", "= 2"))
        .write("docs/limits.md", "more limits\n")
        .write("docs/api/v2/new.md", "v2\n");
    repo.git(&["add", "-A"]);
    findings(&repo, &["check", "--staged"], 0);
    repo.git(&["commit", "-qm", "all"]);
    repo.lockstep().arg("validate").assert().code(0);
}

#[test]
fn regression_directive_after_a_byte_order_mark() {
    let repo = repo();
    let block = "\u{feff}# LINT.IfChange\nx = 1\n# LINT.ThenChange(//docs/limits.md)\n";
    repo.write("src/bom.py", block);
    repo.commit("bom");
    repo.write("src/bom.py", block.replace("= 1", "= 2"));
    repo.git(&["add", "-A"]);
    let found = findings(&repo, &["check", "--staged"], 1);
    assert_eq!((found[0].0.as_str(), found[0].1), ("src/bom.py", 1));
}

#[test]
fn regression_a_target_that_never_existed_is_missing_not_unchanged() {
    let repo = repo();
    let block =
        "# LINT.IfChange\nx = 1\n# LINT.ThenChange(//docs/limits.md, //docs/typo.md, //gone/)\n";
    repo.write("src/dead.py", block);
    repo.commit("dead targets");
    repo.write("src/dead.py", block.replace("= 1", "= 2"))
        .write("docs/limits.md", "more limits\n");
    repo.git(&["add", "-A"]);
    let expected = [
        (
            "src/dead.py".to_owned(),
            3,
            "target `docs/typo.md` does not exist [missing-target-file]".to_owned(),
        ),
        (
            "src/dead.py".to_owned(),
            3,
            "target `gone/` does not exist [missing-target-file]".to_owned(),
        ),
    ];
    assert_eq!(findings(&repo, &["check", "--staged"], 1), expected);
    // A patch looks them up among the work tree's tracked files.
    let patch = repo.git(&["diff", "--cached"]);
    let out = repo
        .lockstep()
        .args(["check", "--diff", "-", "--format", "json"])
        .write_stdin(patch)
        .assert()
        .code(1);
    let report = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert_eq!(
        report.matches("\"missing-target-file\"").count(),
        2,
        "{report}"
    );
    repo.git(&["commit", "-qm", "edit"]);
    // A range looks the targets up in its head commit, as does a commit of history.
    assert_eq!(
        findings(&repo, &["check", "--range", "HEAD~1..HEAD"], 1),
        expected
    );
    // Writing a new pair with a dead target is reported too; adding the file repairs it.
    repo.write(
        "src/pair.py",
        "# LINT.IfChange\ny\n# LINT.ThenChange(//docs/new.md)\n",
    );
    repo.git(&["add", "-A"]);
    let found = findings(&repo, &["check", "--staged"], 1);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].2.contains("`docs/new.md` does not exist"),
        "{found:?}"
    );
    repo.write("docs/new.md", "new\n");
    repo.git(&["add", "-A"]);
    findings(&repo, &["check", "--staged"], 0);
    // validate names the same targets.
    let out = repo.lockstep().arg("validate").assert().code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.contains("target `docs/typo.md` does not exist"),
        "{text}"
    );
}

#[test]
fn a_label_the_changed_target_lacks_is_missing_not_unmet() {
    let repo = repo();
    let block = "# LINT.IfChange\nx = 1\n# LINT.ThenChange(//docs/retries.md:retyr)\n";
    repo.write("src/label.py", block);
    repo.commit("typo in a label");
    repo.write("src/label.py", block.replace("= 1", "= 2"))
        .write(
            "docs/retries.md",
            DOC.replace("# Retries", "# Retry policy"),
        );
    repo.git(&["add", "-A"]);
    assert_eq!(
        findings(&repo, &["check", "--staged"], 1),
        [(
            "src/label.py".to_owned(),
            3,
            "`docs/retries.md` has no LINT.IfChange(retyr) or LINT.Label(retyr) [missing-target-label]"
                .to_owned()
        )]
    );
}

#[test]
fn regression_a_block_rewritten_whole_fires_with_its_new_targets() {
    let repo = repo();
    let old = "# LINT.IfChange\nx = 1\n# LINT.ThenChange(//docs/limits.md)\n";
    repo.write("src/value.py", old);
    repo.commit("block");
    // Label, content and target rewritten at once: the block that stood here, edited.
    let new = "# LINT.IfChange('value')\nx = 2\n# LINT.ThenChange(//docs/retries.md)\n";
    repo.write("src/value.py", new);
    repo.git(&["add", "-A"]);
    let found = findings(&repo, &["check", "--staged"], 1);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0.as_str(), found[0].1), ("src/value.py", 1));
    assert!(
        found[0].2.contains("`docs/retries.md` was not changed"),
        "{found:?}"
    );
    repo.write("docs/retries.md", format!("{DOC}More.\n"));
    repo.git(&["add", "-A"]);
    findings(&repo, &["check", "--staged"], 0);
}
