//! `check --staged` reads a staged file from the work tree when the file hashes to the
//! staged blob, and inflates the blob otherwise. Each case stages an edit, leaves the
//! work tree holding other bytes (an edit made right after `git add`, within the same
//! second and at the same size; a clean filter; CRLF line endings; a symlink; an
//! intent-to-add file) and checks that the report is the one read from the blobs
//! alone, with the work-tree files gone.

mod support;

use support::Repo;

const RULES: &str = "version = 1\n";
const RETRY: &str = "fn a() {}\n// LINT.IfChange\nconst MAX: u32 = 5;\n// LINT.ThenChange(//docs/retries.md)\nfn b() {}\n";

fn repo_with(setup: &[(&str, &str)]) -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", RULES)
        .write("docs/retries.md", "Five retries.\n");
    for (path, text) in setup {
        repo.write(path, text);
    }
    repo.write("src/retry.rs", RETRY);
    repo.commit("initial");
    repo
}

/// `check --staged --format json`'s exit code and report.
fn staged_report(repo: &Repo) -> (i32, serde_json::Value) {
    let output = repo
        .lockstep()
        .args(["check", "--staged", "--format", "json"])
        .output()
        .expect("lockstep runs");
    let code = output.status.code().expect("exit code");
    assert!(code <= 1, "{}", String::from_utf8_lossy(&output.stderr));
    (code, support::stdout_json(&output))
}

/// The staged check's report, which must equal the one read once `paths` are gone from
/// the work tree (so every staged side comes from its blob), and fail as `code` says.
fn report_is_the_blobs(repo: &Repo, paths: &[&str], code: i32) -> serde_json::Value {
    let (read, report) = staged_report(repo);
    for path in paths {
        repo.remove(path);
    }
    assert_eq!(staged_report(repo), (read, report.clone()));
    assert_eq!(read, code, "{report}");
    report
}

#[test]
fn a_file_edited_after_git_add_at_the_same_size_reads_as_staged() {
    let repo = repo_with(&[]);
    // Staged: the block changed. Then, within the same second, the work tree goes back
    // to the committed text: same size, and a stat git may call racily clean.
    repo.write("src/retry.rs", RETRY.replace("= 5", "= 6"));
    repo.git(&["add", "src/retry.rs"]);
    repo.write("src/retry.rs", RETRY);
    let report = report_is_the_blobs(&repo, &["src/retry.rs"], 1);
    let trigger = &report["findings"][0]["triggered_by"][0];
    assert_eq!(trigger["path"], "src/retry.rs", "{report}");
}

#[test]
fn a_block_edited_after_git_add_does_not_count() {
    let repo = repo_with(&[]);
    repo.write("src/retry.rs", RETRY.replace("fn b", "fn c"));
    repo.git(&["add", "src/retry.rs"]);
    repo.write(
        "src/retry.rs",
        RETRY.replace("= 5", "= 6").replace("fn b", "fn c"),
    );
    report_is_the_blobs(&repo, &["src/retry.rs"], 0);
}

#[test]
fn a_file_under_a_clean_filter_reads_as_the_filter_stored_it() {
    // The filter stores `= 6` for the work tree's `= 5`: only the blob changed the block.
    let repo = repo_with(&[(".gitattributes", "*.rs filter=bump\n")]);
    repo.git(&["config", "filter.bump.clean", "sed s/=\\ 5/=\\ 6/"]);
    repo.write("src/retry.rs", RETRY.replace("fn b", "fn c"));
    repo.git(&["add", "src/retry.rs"]);
    assert!(repo.git(&["show", ":src/retry.rs"]).contains("= 6"));
    report_is_the_blobs(&repo, &["src/retry.rs"], 1);
}

#[test]
fn crlf_work_tree_files_read_as_their_lf_blobs() {
    let repo = repo_with(&[]);
    repo.git(&["config", "core.autocrlf", "true"]);
    let crlf = RETRY.replace("= 5", "= 6").replace('\n', "\r\n");
    repo.write("src/retry.rs", crlf);
    repo.git(&["add", "src/retry.rs"]);
    assert!(!repo.git(&["show", ":src/retry.rs"]).contains('\r'));
    report_is_the_blobs(&repo, &["src/retry.rs"], 1);
}

#[cfg(unix)]
#[test]
fn a_staged_symlink_and_an_intent_to_add_file_read_as_the_index_has_them() {
    let repo = repo_with(&[]);
    repo.write("src/retry.rs", RETRY.replace("= 5", "= 6"));
    std::os::unix::fs::symlink("retry.rs", repo.path().join("src/link.rs")).expect("symlink");
    repo.git(&["add", "src/retry.rs", "src/link.rs"]);
    repo.write("src/new.rs", RETRY);
    repo.git(&["add", "-N", "src/new.rs"]);
    let report = report_is_the_blobs(&repo, &["src/retry.rs", "src/link.rs", "src/new.rs"], 1);
    assert_eq!(report["diff"]["files_changed"], 2, "{report}");
}
