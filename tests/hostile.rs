//! Hostile repositories: layouts and contents real users have that a fresh `git init`
//! does not — linked worktrees, submodules, huge commits, odd file names, symlinks,
//! CRLF configs, no commits at all, corrupt objects. Every read-only command must give
//! a clear result (0/1, or an exit-2 message) and leave the repository byte-identical.
//!
//! Covered elsewhere and not repeated here: shallow clones with and without the
//! merge-base and bare-repository check modes (`check_errors.rs`), the index lock for
//! `check` (`read_only.rs`).

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use support::{API_RULES, Repo, stdout_json as json};

/// Runs a read-only lockstep command in `dir` and asserts it exited with `code`, did not
/// panic and left `repo` untouched; returns its output for the caller's expectations.
fn read_only(repo: &Repo, dir: &Path, args: &[&str], code: i32) -> Output {
    let before = repo.state();
    // A hang (as libgit2 did on a truncated object) fails the test instead of the run.
    let output = repo
        .lockstep_in(dir)
        .args(args)
        .timeout(Duration::from_secs(300))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked"),
        "lockstep {args:?} panicked: {stderr}"
    );
    assert_eq!(
        output.status.code(),
        Some(code),
        "lockstep {args:?}: {stderr}"
    );
    assert!(
        repo.state() == before,
        "lockstep {args:?} changed the repository"
    );
    output
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The `triggered_by` paths of every finding in a `check --format json` report.
fn triggered_paths(report: &serde_json::Value) -> Vec<String> {
    let mut paths = Vec::new();
    for finding in report["findings"].as_array().expect("findings") {
        for trigger in finding["triggered_by"].as_array().expect("triggered_by") {
            paths.push(trigger["path"].as_str().expect("path").to_owned());
        }
    }
    paths
}

fn api_repo() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", API_RULES)
        .write("services/payments/api/a.proto", "service A {}\n")
        .write("docs/payments/api.md", "# API\n");
    repo.commit("initial");
    repo
}

// ---------------------------------------------------------------------------------
// Bare repositories (check modes are in check_errors.rs)

#[test]
fn bare_repository_range_check_and_audit_work_and_worktree_mode_is_a_clear_error() {
    let origin = api_repo();
    origin.write(
        "services/payments/api/a.proto",
        "service A { rpc B(C) returns (D); }\n",
    );
    origin.commit("api without docs");
    let bare = Repo::empty();
    let url = format!("file://{}", origin.path().display());
    bare.git(&["clone", "-q", "--bare", &url, "."]);

    read_only(&bare, bare.path(), &["check", "--range", "main~1..main"], 1);
    // No flag means "the work tree", which a bare repository does not have.
    let output = read_only(&bare, bare.path(), &["check"], 2);
    assert!(stderr(&output).contains("bare"), "{}", stderr(&output));
    // The audit reads the rule set from HEAD when there is no work tree.
    let output = read_only(&bare, bare.path(), &["audit", "--format", "json"], 0);
    let report = json(&output);
    assert_eq!(report["range"]["units"], 2, "{report}");
    // No SDK ever existed: the root's case is not applicable, the second misses docs.
    assert_eq!(report["rules"][0]["missed"], 1, "{report}");
    assert_eq!(report["rules"][0]["not_applicable"], 1, "{report}");

    // No hook lockstep installs runs in a bare repository, and init needs files to read.
    let output = read_only(&bare, bare.path(), &["install"], 2);
    assert!(
        stderr(&output).contains("pre-commit hook needs a work tree"),
        "{}",
        stderr(&output)
    );
    assert!(!bare.path().join("hooks/pre-commit").exists());
    let output = read_only(&bare, bare.path(), &["init"], 2);
    assert!(
        stderr(&output).contains("`lockstep init` needs a work tree"),
        "{}",
        stderr(&output)
    );
}

// ---------------------------------------------------------------------------------
// Linked worktrees and nested working directories

#[test]
fn staged_check_in_a_linked_worktree() {
    let repo = api_repo();
    // Inside the main work tree, so `repo.state()` covers both work trees.
    repo.git(&["worktree", "add", "-q", "-b", "feature", "linked"]);
    let linked = repo.path().join("linked");
    std::fs::write(
        linked.join("services/payments/api/b.proto"),
        "service B {}\n",
    )
    .expect("write");
    let status = repo
        .git_command(&["add", "services/payments/api/b.proto"])
        .current_dir(&linked)
        .status()
        .expect("git add");
    assert!(status.success());

    let output = read_only(
        &repo,
        &linked,
        &["check", "--staged", "--format", "json"],
        1,
    );
    assert_eq!(
        triggered_paths(&json(&output)),
        ["services/payments/api/b.proto"]
    );
    // The main work tree's index is its own: nothing staged there.
    read_only(&repo, repo.path(), &["check", "--staged"], 0);
    read_only(&repo, &linked, &["check"], 1);
}

#[test]
fn commands_run_from_a_nested_subdirectory() {
    let repo = api_repo();
    repo.write("services/payments/api/b.proto", "service B {}\n");
    repo.git(&["add", "-A"]);
    let nested = repo.path().join("services/payments/api");
    let output = read_only(
        &repo,
        &nested,
        &["check", "--staged", "--format", "json"],
        1,
    );
    assert_eq!(
        triggered_paths(&json(&output)),
        ["services/payments/api/b.proto"]
    );
    // The staged proto lacks its companions, so only `check` finds something.
    for (args, code) in [
        (&["validate"][..], 0),
        (&["audit"], 0),
        (&["graph"], 0),
        (&["check"], 1),
    ] {
        read_only(&repo, &nested, args, code);
    }
}

// ---------------------------------------------------------------------------------
// Submodules

const VENDOR_RULES: &str = r#"version = 1

[[rule]]
id = "vendor"
when = ["vendor/**"]
then = ["docs/vendor.md"]

[[rule]]
id = "vendor-lines"
when = ["vendor/**"]
matching = "anything"
then = ["docs/vendor.md"]
"#;

fn submodule_git(repo: &Repo, args: &[&str]) {
    let mut full = vec!["-c", "protocol.file.allow=always"];
    full.extend_from_slice(args);
    repo.git(&full);
}

#[test]
fn submodule_add_update_and_remove_trigger_on_the_gitlink_path() {
    let lib = Repo::new();
    lib.write("lib.rs", "pub fn lib() {}\n");
    lib.commit("lib 1");
    let repo = Repo::new();
    repo.write("lockstep.toml", VENDOR_RULES)
        .write("docs/vendor.md", "# Vendored\n");
    repo.commit("initial");

    let url = lib.path().display().to_string();
    submodule_git(&repo, &["submodule", "add", "-q", &url, "vendor/lib"]);
    let output = read_only(
        &repo,
        repo.path(),
        &["check", "--staged", "--format", "json"],
        1,
    );
    let report = json(&output);
    assert!(
        triggered_paths(&report).contains(&"vendor/lib".to_owned()),
        "{report}"
    );
    repo.write("docs/vendor.md", "# Vendored: lib\n");
    repo.commit("add lib");

    // Update: a new commit in the submodule, recorded in the superproject.
    lib.write("lib.rs", "pub fn lib() { 2 }\n");
    lib.commit("lib 2");
    let sub = repo.path().join("vendor/lib");
    let status = repo
        .git_command(&["-c", "protocol.file.allow=always", "pull", "-q"])
        .current_dir(&sub)
        .stdout(Stdio::null())
        .status()
        .expect("pull");
    assert!(status.success());
    read_only(&repo, repo.path(), &["check"], 1);
    repo.git(&["add", "vendor/lib"]);
    read_only(&repo, repo.path(), &["check", "--staged"], 1);
    repo.commit("update lib");
    read_only(&repo, repo.path(), &["check", "--commit", "HEAD"], 1);

    // Remove.
    repo.git(&["rm", "-q", "vendor/lib"]);
    read_only(&repo, repo.path(), &["check", "--staged"], 1);
    repo.commit("remove lib");
    let output = read_only(&repo, repo.path(), &["audit", "--format", "json"], 0);
    let report = json(&output);
    assert_eq!(report["range"]["units"], 4, "{report}");
}

// ---------------------------------------------------------------------------------
// A 100k-file commit

#[test]
fn a_hundred_thousand_file_commit_is_reported_as_too_large() {
    let repo = Repo::new();
    repo.write(
        "lockstep.toml",
        "version = 1\n[[rule]]\nid = \"src\"\nwhen = [\"src/**\"]\nthen = [\"docs/src.md\"]\n",
    );
    repo.commit("initial");
    let mut stream = String::from("blob\nmark :1\ndata 2\nx\n");
    stream.push_str(
        "commit refs/heads/main\nmark :2\ncommitter Ada <ada@example.com> 1767225700 +0000\ndata 5\nhuge\nfrom refs/heads/main^0\n",
    );
    for i in 0..100_000 {
        stream.push_str(&format!("M 100644 :1 src/d{}/f{i}.rs\n", i / 1000));
    }
    stream.push('\n');
    let mut child = repo
        .git_command(&["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("fast-import");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stream.as_bytes())
        .expect("feed");
    assert!(child.wait().expect("fast-import").success());

    let output = read_only(
        &repo,
        repo.path(),
        &["check", "--commit", "HEAD", "--format", "json"],
        0,
    );
    let report = json(&output);
    assert_eq!(report["diff"]["files_changed"], 100_000);
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["rule"], "max-files");
    assert_eq!(findings[0]["severity"], "info");

    let output = read_only(&repo, repo.path(), &["audit", "--format", "json"], 0);
    let report = json(&output);
    assert_eq!(report["range"]["units"], 2, "{report}");
    assert_eq!(report["rules"][0]["triggered"], 0, "{report}");
}

// ---------------------------------------------------------------------------------
// Odd file names, symlinks, case-only renames

#[test]
fn file_names_with_spaces_newlines_and_non_utf8_bytes() {
    let repo = api_repo();
    let api = repo.path().join("services/payments/api");
    std::fs::write(api.join("with space.proto"), "service S {}\n").expect("write");
    std::fs::write(api.join("new\nline.proto"), "service N {}\n").expect("write");
    {
        // Two names that differ only in a byte that is not UTF-8.
        use std::os::unix::ffi::OsStrExt;
        for name in [&b"latin1-\xe9.proto"[..], b"latin1-\xe8.proto"] {
            let name = std::ffi::OsStr::from_bytes(name);
            std::fs::write(api.join(name), "service L {}\n").expect("write");
        }
    }
    repo.git(&["add", "-A"]);
    // git quotes them (core.quotePath); lockstep writes the same escapes, without the
    // quotes (so globs match): still two names.
    let quoted = repo.git(&[
        "-c",
        "core.quotePath=true",
        "diff",
        "--cached",
        "--name-only",
    ]);
    let quoted: Vec<&str> = quoted
        .lines()
        .filter(|l| l.contains("latin1"))
        .map(|l| l.trim_matches('"'))
        .collect();
    assert_eq!(quoted.len(), 2, "{quoted:?}");

    let output = read_only(
        &repo,
        repo.path(),
        &["check", "--staged", "--format", "json"],
        1,
    );
    let mut paths = triggered_paths(&json(&output));
    paths.sort();
    assert_eq!(paths.len(), 4, "{paths:?}");
    assert!(paths.contains(&"services/payments/api/with space.proto".to_owned()));
    assert!(paths.contains(&"services/payments/api/new\nline.proto".to_owned()));
    let latin1: Vec<&str> = paths
        .iter()
        .map(String::as_str)
        .filter(|p| p.contains("latin1"))
        .collect();
    assert_eq!(latin1, quoted);
    read_only(&repo, repo.path(), &["check"], 1);
    repo.commit("odd names");
    let output = read_only(
        &repo,
        repo.path(),
        &["check", "--commit", "HEAD", "--format", "json"],
        1,
    );
    assert_eq!(triggered_paths(&json(&output)).len(), 4);
    let output = read_only(&repo, repo.path(), &["check", "--commit", "HEAD"], 1);
    assert!(String::from_utf8_lossy(&output.stdout).contains(quoted[0]));
    read_only(&repo, repo.path(), &["audit", "--format", "csv"], 0);
}

#[test]
fn changing_a_symlink_target_triggers_on_the_link_path() {
    let repo = Repo::new();
    repo.write(
        "lockstep.toml",
        "version = 1\n[[rule]]\nid = \"current\"\nwhen = [\"config/current\"]\nthen = [\"docs/config.md\"]\n",
    )
    .write("config/v1.toml", "a = 1\n")
    .write("config/v2.toml", "a = 2\n");
    std::os::unix::fs::symlink("v1.toml", repo.path().join("config/current")).expect("link");
    repo.commit("initial");

    std::fs::remove_file(repo.path().join("config/current")).expect("unlink");
    std::os::unix::fs::symlink("v2.toml", repo.path().join("config/current")).expect("link");
    let output = read_only(&repo, repo.path(), &["check", "--format", "json"], 1);
    assert_eq!(triggered_paths(&json(&output)), ["config/current"]);
    repo.git(&["add", "-A"]);
    let output = read_only(
        &repo,
        repo.path(),
        &["check", "--staged", "--format", "json"],
        1,
    );
    assert_eq!(triggered_paths(&json(&output)), ["config/current"]);

    // Editing the file the link points at is not a change of the link.
    repo.commit("switch to v2");
    repo.write("config/v2.toml", "a = 3\n");
    read_only(&repo, repo.path(), &["check"], 0);
}

#[test]
fn case_only_renames() {
    let repo = Repo::new();
    repo.write(
        "lockstep.toml",
        "version = 1\n[[rule]]\nid = \"guide\"\nwhen = [\"src/Main.rs\"]\nthen = [\"docs/Guide.md\"]\n",
    )
    .write("src/main.rs", "fn main() {}\n")
    .write("docs/guide.md", "# Guide\n");
    repo.commit("initial");

    // The trigger appears through the new side of a case-only rename...
    repo.git(&["mv", "src/main.rs", "src/Main.rs"]);
    let output = read_only(
        &repo,
        repo.path(),
        &["check", "--staged", "--format", "json"],
        1,
    );
    assert_eq!(triggered_paths(&json(&output)), ["src/Main.rs"]);
    // ...and the companion is satisfied by a case-only rename onto its path.
    repo.git(&["mv", "docs/guide.md", "docs/Guide.md"]);
    read_only(&repo, repo.path(), &["check", "--staged"], 0);
    repo.commit("rename");
    read_only(&repo, repo.path(), &["check", "--commit", "HEAD"], 0);
}

// ---------------------------------------------------------------------------------
// Config files and unusual repository states

#[test]
fn a_crlf_config_file_loads() {
    let repo = Repo::new();
    repo.write("lockstep.toml", API_RULES.replace('\n', "\r\n"))
        .write("docs/payments/api.md", "# API\n");
    repo.commit("initial");
    repo.write("services/payments/api/a.proto", "service A {}\n");
    repo.git(&["add", "-A"]);
    let output = read_only(
        &repo,
        repo.path(),
        &["check", "--staged", "--format", "json"],
        1,
    );
    let report = json(&output);
    assert_eq!(report["findings"][0]["rule"], "payments-api");
    // A multi-line message keeps no stray carriage returns.
    assert_eq!(report["findings"][0]["message"], "Run `make sdk`.");
    read_only(&repo, repo.path(), &["validate"], 0);
    read_only(&repo, repo.path(), &["check", "--config-from", "head"], 1);
}

#[test]
fn an_empty_repository_gives_clear_results() {
    let repo = Repo::new();
    repo.write("lockstep.toml", API_RULES);
    read_only(&repo, repo.path(), &["check"], 0);
    read_only(&repo, repo.path(), &["check", "--staged"], 0);
    read_only(&repo, repo.path(), &["validate"], 0);
    let output = read_only(&repo, repo.path(), &["audit", "--format", "json"], 0);
    assert_eq!(json(&output)["range"]["units"], 0);
    // A commit to check does not exist yet: say so, not "unknown revision".
    for args in [
        &["check", "--commit", "HEAD"][..],
        &["check", "--range", "HEAD~1..HEAD"],
    ] {
        let output = read_only(&repo, repo.path(), args, 2);
        let stderr = stderr(&output);
        assert!(stderr.contains("lockstep::git::empty"), "{stderr}");
        assert!(stderr.contains("has no commits yet"), "{stderr}");
    }

    // Staging into an unborn branch compares against the empty tree.
    repo.write("services/payments/api/a.proto", "service A {}\n");
    repo.git(&["add", "-A"]);
    read_only(&repo, repo.path(), &["check", "--staged"], 1);
}

// ---------------------------------------------------------------------------------
// Confined inputs: nothing outside the repository is read, and nothing not TOML echoed

/// What a file outside the repository holds; no error message may show it.
const SECRET: &str = "password = hunter2 # SECRET";

/// A repository whose rule set extends `target`; a file outside it holds [`SECRET`].
fn extending(target: &str) -> Repo {
    let repo = Repo::new();
    std::fs::write(repo.home().join("outside.toml"), SECRET).expect("write");
    repo.write(
        "lockstep.toml",
        format!("version = 1\nextends = [{target:?}]\n"),
    )
    .write("README.md", SECRET);
    repo.commit("initial");
    repo
}

/// `validate` refuses the rule set with `message`, without echoing the secret.
fn refused(repo: &Repo, message: &str) {
    for args in [&["validate"][..], &["check", "--config-from", "head"]] {
        let output = read_only(repo, repo.path(), args, 2);
        let stderr = stderr(&output);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("hunter2"),
            "{args:?} echoed the file: {stderr}"
        );
    }
}

#[test]
fn extends_reads_only_toml_files_inside_the_repository() {
    let repo = Repo::new();
    let absolute = repo.home().join("outside.toml");
    refused(
        &extending(&absolute.display().to_string()),
        "is outside the repository",
    );
    refused(&extending("../outside.toml"), "is outside the repository");
    refused(
        &extending("docs/../../outside.toml"),
        "is outside the repository",
    );
    refused(&extending("README.md"), "is not a `.toml` file");
}

#[test]
fn extends_follows_symlinks_only_inside_the_repository() {
    let repo = extending("rules/shared.toml");
    std::fs::create_dir(repo.path().join("rules")).expect("mkdir");
    let outside = repo.home().join("outside.toml");
    std::os::unix::fs::symlink(&outside, repo.path().join("rules/shared.toml")).expect("link");
    repo.commit("link out by absolute path");
    refused(&repo, "outside the repository");

    std::fs::remove_file(repo.path().join("rules/shared.toml")).expect("unlink");
    // Both temporary directories share a parent.
    let home = repo.home().file_name().expect("name").to_string_lossy();
    let relative = format!("../../{home}/outside.toml");
    std::os::unix::fs::symlink(&relative, repo.path().join("rules/shared.toml")).expect("link");
    repo.commit("link out by a relative path");
    refused(&repo, "outside the repository");

    // A link that stays inside is followed, in the work tree and in a revision.
    repo.write("base.toml", "version = 1\n[settings]\nmax_files = 7\n");
    std::fs::remove_file(repo.path().join("rules/shared.toml")).expect("unlink");
    std::os::unix::fs::symlink("../base.toml", repo.path().join("rules/shared.toml"))
        .expect("link");
    repo.commit("link inside");
    read_only(&repo, repo.path(), &["validate"], 0);
    read_only(&repo, repo.path(), &["check", "--config-from", "head"], 0);
}

#[test]
fn explain_refuses_paths_outside_the_repository() {
    let repo = api_repo();
    let outside = repo.home().join("x.proto");
    for path in [
        "../x.proto",
        "services/../../x.proto",
        &outside.display().to_string(),
    ] {
        let output = read_only(&repo, repo.path(), &["explain", path], 2);
        assert!(
            stderr(&output).contains("is outside the repository"),
            "{}",
            stderr(&output)
        );
    }
    let inside = repo.path().join("services/payments/api/a.proto");
    let output = read_only(
        &repo,
        repo.path(),
        &["explain", &inside.display().to_string()],
        0,
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("payments-api"));
}

#[test]
fn a_missing_directory_for_dash_c_is_named() {
    let repo = api_repo();
    let output = read_only(&repo, repo.path(), &["-C", "no/such/dir", "check"], 2);
    assert!(
        stderr(&output).contains("`-C no/such/dir`: no such directory"),
        "{}",
        stderr(&output)
    );
    let output = read_only(&repo, repo.path(), &["-C", "lockstep.toml", "validate"], 2);
    assert!(
        stderr(&output).contains("not a directory"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn audit_and_commit_checks_work_while_the_index_is_locked() {
    let repo = api_repo();
    repo.write(
        "services/payments/api/a.proto",
        "service A { rpc X(Y) returns (Z); }\n",
    );
    repo.commit("api only");
    std::fs::write(repo.path().join(".git/index.lock"), b"").expect("lock");
    read_only(&repo, repo.path(), &["check", "--commit", "HEAD"], 1);
    read_only(&repo, repo.path(), &["audit"], 0);
    read_only(&repo, repo.path(), &["validate"], 0);
    assert!(repo.path().join(".git/index.lock").exists());
}

// ---------------------------------------------------------------------------------
// Corrupt objects

/// A repository whose HEAD commit adds `services/payments/api/b.proto`, plus the id
/// and loose-object path of that file's blob; its rule set reads the lines of such
/// files, so `check` and `audit` need the blob's content.
fn repo_with_loose_blob() -> (Repo, String, std::path::PathBuf) {
    let repo = api_repo();
    repo.write(
        "services/payments/api/b.proto",
        "service B { rpc X(Y) returns (Z); }\n",
    );
    repo.commit("add b");
    repo.write(
        "lockstep.toml",
        API_RULES.replace("owners =", "matching = 'rpc'\nowners ="),
    );
    let blob = repo.rev("HEAD:services/payments/api/b.proto");
    let object = repo
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    assert!(object.exists(), "loose object {blob}");
    (repo, blob, object)
}

fn assert_names_object(output: &Output, blob: &str) {
    let message = stderr(output);
    assert!(
        message.contains(blob),
        "the message names {blob}: {message}"
    );
}

#[test]
fn a_missing_object_is_a_clear_error_naming_it() {
    let (repo, blob, object) = repo_with_loose_blob();
    std::fs::remove_file(&object).expect("delete object");
    let output = read_only(&repo, repo.path(), &["check", "--commit", "HEAD"], 2);
    assert_names_object(&output, &blob);
    let output = read_only(&repo, repo.path(), &["audit"], 2);
    assert_names_object(&output, &blob);
}

#[test]
fn regression_truncated_loose_object_hung_libgit2() {
    let (repo, blob, object) = repo_with_loose_blob();
    let bytes = std::fs::read(&object).expect("read object");
    let mut permissions = std::fs::metadata(&object).expect("meta").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&object, permissions).expect("chmod");
    std::fs::write(&object, &bytes[..bytes.len() / 2]).expect("truncate");
    let output = read_only(&repo, repo.path(), &["check", "--commit", "HEAD"], 2);
    assert_names_object(&output, &blob);
    let output = read_only(&repo, repo.path(), &["audit"], 2);
    assert_names_object(&output, &blob);
}

#[test]
fn a_damaged_pack_is_a_clear_error_naming_it() {
    let (repo, _, _) = repo_with_loose_blob();
    repo.git(&["repack", "-adq"]);
    let pack = repo.pack_file();
    // Blobs come last in a pack: damage them, and leave the trailer libgit2 checks.
    let mut bytes = std::fs::read(&pack).expect("read pack");
    let end = bytes.len() - 20;
    bytes[end * 3 / 4..end].iter_mut().for_each(|b| *b ^= 0x5a);
    std::fs::remove_file(&pack).expect("remove pack");
    std::fs::write(&pack, &bytes).expect("damage pack");
    for args in [&["check", "--commit", "HEAD"][..], &["audit"]] {
        let output = read_only(&repo, repo.path(), args, 2);
        let message = stderr(&output);
        let name = pack.file_name().expect("name").to_string_lossy();
        assert!(message.contains(&*name), "names the pack: {message}");
        assert!(message.contains("git fsck"), "says what to do: {message}");
    }
}
