//! `lockstep check --diff PATH|-`: a unified diff judged against the work tree's rule
//! set, with the same findings as the range it was made from.

mod support;

use support::{Exits, PROTO, Repo, write_api};

/// `main` at the base, `feature` with a change that lacks its companions: an API edit, a
/// rename with spaces, a binary file, a file without a final newline, and an edit inside
/// a `LINT.IfChange` block whose target does not change. Returns (repo, base, head).
fn repo() -> (Repo, String, String) {
    let repo = Repo::new();
    write_api(&repo)
        .write("notes/old name.md", "one\ntwo\nthree\n")
        .write("assets/logo.bin", b"\x00\x01\x02binary\n")
        .write("config/no-newline.txt", "a\nb")
        .write(
            "src/retry.rs",
            "// LINT.IfChange\nconst MAX_RETRIES: u32 = 5;\n// LINT.ThenChange(//docs/retries.md)\n",
        )
        .write("docs/retries.md", "Five retries.\n");
    let base = repo.commit("initial");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(
        PROTO,
        "service Refunds {\n  rpc Refund(R) returns (S2);\n}\n",
    )
    .remove("notes/old name.md")
    .write("notes/new name.md", "one\ntwo\nthree\nfour\n")
    .write("assets/logo.bin", b"\x00\x01\x02binary v2\n")
    .write("config/no-newline.txt", "a\nc")
    .write(
        "src/retry.rs",
        "// LINT.IfChange\nconst MAX_RETRIES: u32 = 7;\n// LINT.ThenChange(//docs/retries.md)\n",
    );
    let head = repo.commit("Change refunds\n\nLockstep-Skip: nothing-real");
    (repo, base, head)
}

/// Runs `lockstep check --diff - --format json` with `patch` on standard input.
fn check_stdin(repo: &Repo, dir: &std::path::Path, patch: &[u8], code: i32) -> serde_json::Value {
    let output = repo
        .lockstep_in(dir)
        .args(["check", "--diff", "-", "--format", "json"])
        .write_stdin(patch)
        .exits(code);
    serde_json::from_slice(&output.stdout).expect("json")
}

fn range(repo: &Repo, base: &str, head: &str) -> serde_json::Value {
    let output = repo
        .lockstep()
        .args([
            "check",
            "--range",
            &format!("{base}..{head}"),
            "--format",
            "json",
        ])
        .exits(1);
    serde_json::from_slice(&output.stdout).expect("json")
}

fn rules(json: &serde_json::Value) -> Vec<&str> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule"))
        .collect()
}

#[test]
fn a_patch_from_stdin_gives_the_findings_of_its_range() {
    let (repo, base, head) = repo();
    let expected = range(&repo, &base, &head);
    assert_eq!(rules(&expected), ["payments-api", "annotation"]);
    let renames = repo.git(&["diff", "-M", "--name-status", &base, &head]);
    assert!(renames.contains("notes/old name.md"), "{renames}");
    for args in [
        vec!["diff", &base, &head],
        vec!["diff", "--binary", "-M", &base, &head],
        vec!["format-patch", "--stdout", &format!("{base}..{head}")],
    ] {
        let patch = repo.git_command(&args).output().expect("git").stdout;
        let json = check_stdin(&repo, repo.path(), &patch, 1);
        assert_eq!(json["findings"], expected["findings"], "git {args:?}");
        assert_eq!(json["summary"], expected["summary"], "git {args:?}");
        assert_eq!(json["diff"]["kind"], "patch");
        // An edited rename counts as a deletion and an addition, as in the range.
        assert_eq!(
            json["diff"]["files_changed"],
            expected["diff"]["files_changed"]
        );
    }
}

#[test]
fn a_patch_whose_blobs_are_elsewhere_is_judged_from_its_hunks() {
    let (origin, base, head) = repo();
    let patch = origin.git(&["diff", &base, &head]);
    // A clone of `main` alone: the new side's blobs are not in it.
    let clone = Repo::empty();
    let url = format!("file://{}", origin.path().display());
    clone.git(&[
        "clone",
        "-q",
        "--single-branch",
        "--branch",
        "main",
        &url,
        ".",
    ]);
    assert!(
        clone
            .git_command(&["cat-file", "-e", &format!("{head}:{PROTO}")])
            .output()
            .expect("git")
            .status
            .code()
            != Some(0)
    );
    let json = check_stdin(&clone, clone.path(), patch.as_bytes(), 1);
    let expected = range(&origin, &base, &head);
    // Rules are judged from the hunks; annotation blocks need the file's content.
    assert_eq!(rules(&json), ["payments-api"]);
    assert_eq!(json["findings"][0], expected["findings"][0]);
}

#[test]
fn trailers_of_a_format_patch_series_waive_rules() {
    let (repo, base, _) = repo();
    repo.write("docs/payments/api.md", "# API\n\nRefunds.\n");
    let head =
        repo.commit("Document refunds\n\nLockstep-Skip: payments-api -- SDK ships next week");
    let patch = repo.git(&["format-patch", "--stdout", &format!("{base}..{head}")]);
    let json = check_stdin(&repo, repo.path(), patch.as_bytes(), 1);
    let finding = &json["findings"][0];
    assert_eq!(finding["rule"], "payments-api");
    assert_eq!(finding["status"], "waived");
    assert_eq!(
        finding["waiver"]["by"],
        format!(
            "trailer `Lockstep-Skip: payments-api -- SDK ships next week` in commit {}",
            &head[..12]
        )
    );
}

#[test]
fn a_malformed_patch_is_an_error_naming_the_line() {
    let (repo, base, head) = repo();
    let patch = repo.git(&["diff", &base, &head]);
    // Drop the first line of the first hunk: the hunk header now counts one too many.
    let mut lines: Vec<&str> = patch.lines().collect();
    let hunk = lines
        .iter()
        .position(|l| l.starts_with("@@"))
        .expect("hunk");
    lines.remove(hunk + 1);
    let broken = lines.join("\n") + "\n";
    repo.write(".git/broken.patch", &broken);
    let output = repo
        .lockstep()
        .args(["check", "--diff", ".git/broken.patch"])
        .exits(2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot read the patch `.git/broken.patch` at line"),
        "{stderr}"
    );
    let missing = repo
        .lockstep()
        .args(["check", "--diff", "no-such.patch"])
        .exits(2);
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("cannot read the patch `no-such.patch`")
    );
}

#[test]
fn diff_takes_no_other_diff_source() {
    let (repo, _, _) = repo();
    repo.lockstep()
        .args(["check", "--diff", "-", "--staged"])
        .assert()
        .code(2);
    repo.lockstep()
        .args(["check", "--diff", "-", "--per-commit"])
        .assert()
        .code(2);
}
