//! The staged check reads git's index file itself (with its cache-tree) for speed. These
//! tests hold it to git's own answer, `git diff --cached --name-only --no-renames`, over
//! every index shape git writes.

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::Repo;

/// Every changed path triggers this rule once, bound to its path.
const EVERY_PATH: &str = r#"version = 1
[settings]
whitespace = true
[[rule]]
id = "every-path"
when = ["{path:**}"]
then = ["never/{path:**}"]
"#;

fn repo_with_tree() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", EVERY_PATH);
    for dir in ["a", "a/b", "a/b/c", "d", "d/e", "f-g", "f.g"] {
        for file in ["one.txt", "two.rs"] {
            repo.write(&format!("{dir}/{file}"), format!("{dir}/{file}\n"));
        }
    }
    repo.write("top.txt", "top\n");
    repo.commit("tree");
    repo
}

fn lockstep_paths(repo: &Repo) -> BTreeSet<String> {
    let output = repo
        .lockstep()
        .args(["check", "--staged", "--format", "json"])
        .output()
        .expect("runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("json");
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["bindings"]["path"].as_str().map(str::to_owned))
        .collect()
}

fn git_paths(repo: &Repo) -> BTreeSet<String> {
    let output = repo
        .git_command(&["diff", "--cached", "--name-only", "--no-renames", "-z"])
        .output()
        .expect("git diff");
    String::from_utf8_lossy(&output.stdout)
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn assert_agrees(repo: &Repo) {
    let ours = lockstep_paths(repo);
    let theirs = git_paths(repo);
    assert!(!theirs.is_empty(), "the scenario must change something");
    assert_eq!(ours, theirs);
}

fn edit_everywhere(repo: &Repo) {
    repo.write("a/b/c/one.txt", "changed\n")
        .write("d/new.txt", "new\n")
        .write("f.g/two.rs", "changed\n")
        .remove("d/e/two.rs")
        .write("top.txt", "changed\n");
    repo.git(&["add", "-A"]);
}

#[test]
fn version_2_index_with_a_partly_invalid_cache_tree() {
    let repo = repo_with_tree();
    edit_everywhere(&repo);
    assert_agrees(&repo);
}

#[test]
fn version_4_index_with_prefix_compressed_paths() {
    let repo = repo_with_tree();
    repo.git(&["update-index", "--index-version", "4"]);
    edit_everywhere(&repo);
    assert_agrees(&repo);
}

#[test]
fn intent_to_add_entries_are_not_staged() {
    let repo = repo_with_tree();
    repo.write("a/intent.txt", "later\n");
    repo.git(&["add", "-N", "a/intent.txt"]);
    repo.write("d/one.txt", "changed\n");
    repo.git(&["add", "d/one.txt"]);
    assert_agrees(&repo);
}

#[test]
fn split_index_falls_back_to_libgit2() {
    let repo = repo_with_tree();
    repo.git(&["update-index", "--split-index"]);
    edit_everywhere(&repo);
    assert_agrees(&repo);
}

#[test]
fn a_file_replaced_by_a_directory_and_back() {
    let repo = repo_with_tree();
    repo.remove("top.txt").write("top.txt/inner.txt", "inner\n");
    repo.git(&["rm", "-q", "-r", "--cached", "d"]);
    std::fs::remove_dir_all(repo.path().join("d")).expect("rm d");
    repo.write("d", "now a file\n");
    repo.git(&["add", "-A"]);
    assert_agrees(&repo);
}

#[test]
fn symlinks_modes_and_submodule_entries() {
    let repo = repo_with_tree();
    std::os::unix::fs::symlink("a/one.txt", repo.path().join("link")).expect("symlink");
    repo.git(&["update-index", "--chmod=+x", "a/two.rs"]);
    let commit = repo.rev("HEAD");
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{commit},vendor/sub"),
    ]);
    repo.git(&["add", "link"]);
    assert_agrees(&repo);
}

#[test]
fn unmerged_paths_count_as_changed() {
    let repo = repo_with_tree();
    repo.git(&["checkout", "-q", "-b", "other"]);
    repo.write("a/one.txt", "theirs\n");
    repo.commit("theirs");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("a/one.txt", "ours\n");
    repo.commit("ours");
    let merge = repo
        .git_command(&["merge", "-q", "other"])
        .output()
        .expect("merge");
    assert!(!merge.status.success(), "the merge conflicts");
    repo.write("d/one.txt", "resolved elsewhere\n");
    repo.git(&["add", "d/one.txt"]);
    assert_eq!(
        lockstep_paths(&repo),
        BTreeSet::from(["a/one.txt".to_owned(), "d/one.txt".to_owned()])
    );
}

#[test]
fn non_utf8_file_names_are_reported_with_git_s_escapes() {
    let repo = repo_with_tree();
    let name = std::ffi::OsStr::from_encoded_bytes_unchecked_safe(b"caf\xe9.txt");
    std::fs::write(repo.path().join(name), "x\n").expect("write");
    repo.git(&["add", "-A"]);
    // git writes `"caf\351.txt"` (core.quotePath); lockstep the same, without quotes.
    let git = repo.git(&[
        "-c",
        "core.quotePath=true",
        "diff",
        "--cached",
        "--name-only",
    ]);
    assert_eq!(git.trim(), "\"caf\\351.txt\"");
    assert_eq!(
        lockstep_paths(&repo),
        BTreeSet::from([git.trim().trim_matches('"').to_owned()])
    );
}

#[test]
fn an_emptied_index_deletes_everything() {
    let repo = repo_with_tree();
    repo.git(&["rm", "-q", "-r", "--cached", "a"]);
    assert_agrees(&repo);
}

/// `OsStr::from_encoded_bytes_unchecked` is unsafe; on Unix `OsStrExt` is the safe way.
trait FromBytes {
    fn from_encoded_bytes_unchecked_safe(bytes: &[u8]) -> &std::ffi::OsStr;
}

impl FromBytes for std::ffi::OsStr {
    fn from_encoded_bytes_unchecked_safe(bytes: &[u8]) -> &std::ffi::OsStr {
        std::os::unix::ffi::OsStrExt::from_bytes(bytes)
    }
}
