//! Repository layouts users have, each built with the real git CLI, and lockstep's
//! reading of them compared with git's own: where git finds the repository from its
//! environment, objects only the environment names (a pre-receive quarantine), shallow
//! clones with linked worktrees, sparse checkouts, split and sparse indexes, and the
//! formats lockstep refuses by name.

use std::collections::BTreeMap;

mod support;

use support::{API_RULES, Exits, PROTO, Repo, stdout_json as json, write_api};

/// The files `lockstep check --format json` reports as triggering, sorted.
fn triggered(report: &serde_json::Value) -> Vec<String> {
    let mut paths: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .flat_map(|f| f["triggered_by"].as_array().expect("triggered_by").clone())
        .map(|t| t["path"].as_str().expect("path").to_owned())
        .collect();
    paths.sort();
    paths
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The `n`th change to the API without its companions, committed.
fn api_change(repo: &Repo, n: usize) -> String {
    repo.write(
        PROTO,
        format!("service Refunds {{\n  rpc Refund{n}(R) returns (T);\n}}\n"),
    );
    repo.commit("api without docs")
}

#[test]
fn git_dir_and_work_tree_from_outside_as_vcsh_and_yadm_use_them() {
    let home = Repo::empty();
    home.git(&["init", "-q", "--bare", "repo.git"]);
    std::fs::create_dir(home.path().join("files")).expect("mkdir");
    let git_dir = home.path().join("repo.git");
    let work_tree = home.path().join("files");
    let env = [("GIT_DIR", &git_dir), ("GIT_WORK_TREE", &work_tree)];
    let git = |args: &[&str]| {
        let mut command = home.git_command(args);
        command.envs(env);
        let output = command.output().expect("git");
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    for (path, text) in [
        ("lockstep.toml", API_RULES),
        (PROTO, "service Refunds {}\n"),
        ("docs/payments/api.md", "# API\n"),
    ] {
        let full = work_tree.join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
    git(&["add", "-A"]);
    git(&["commit", "-qm", "initial"]);
    std::fs::write(
        work_tree.join(PROTO),
        "service Refunds { rpc X(Y) returns (Z); }\n",
    )
    .expect("write");
    // From a third directory, as a user's shell in $HOME runs it.
    let output = home
        .lockstep_in(home.path())
        .envs(env)
        .args(["check", "--format", "json"])
        .exits(1);
    let report = json(&output);
    let changed = git(&["diff", "--name-only", "HEAD"]);
    assert_eq!(triggered(&report), changed.lines().collect::<Vec<_>>());
    assert_eq!(report["diff"]["base"], git(&["rev-parse", "HEAD"]).trim());
}

#[test]
fn git_dir_set_inside_another_repository_reads_the_one_git_dir_names() {
    let named = support::api_repo();
    let head = api_change(&named, 0);
    let other = Repo::new();
    other.write("unrelated.txt", "x\n");
    other.commit("other");
    let git_dir = named.path().join(".git");
    // git takes the current directory as the work tree, which has no rule set.
    let output = other
        .lockstep()
        .env("GIT_DIR", &git_dir)
        .args([
            "check",
            "--commit",
            "HEAD",
            "--config-from",
            "head",
            "--format",
            "json",
        ])
        .exits(1);
    let report = json(&output);
    assert_eq!(report["diff"]["head"], head);
    let mut git = other.git_command(&["diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD"]);
    let listed = git.env("GIT_DIR", &git_dir).output().expect("git");
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert_eq!(triggered(&report), listed.lines().collect::<Vec<_>>());
}

/// A bare repository whose pre-receive hook runs `lockstep ARGS`, writing what it
/// printed into the repository's `hook.out` / `hook.err`, and a clone pushing to it.
fn pre_receive(args: &str) -> (Repo, Repo) {
    let origin = support::api_repo();
    let server = Repo::empty();
    let url = format!("file://{}", origin.path().display());
    server.git(&["clone", "-q", "--bare", &url, "."]);
    let binary = assert_cmd::cargo::cargo_bin("lockstep");
    let hook = format!(
        "#!/bin/sh\nread old new ref\n'{}' {args} >hook.out 2>hook.err\necho $? >hook.code\nexit 0\n",
        binary.display()
    );
    let path = server.path().join("hooks/pre-receive");
    std::fs::write(&path, hook).expect("hook");
    let mut permissions = std::fs::metadata(&path).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&path, permissions).expect("chmod");
    let server_url = format!("file://{}", server.path().display());
    origin.git(&["remote", "add", "server", &server_url]);
    (origin, server)
}

#[test]
fn a_pre_receive_hook_reads_the_quarantined_objects_in_check_and_audit_workers() {
    for (args, code) in [
        ("check --range \"$old..$new\" --format json", 1),
        ("audit --range \"$old..$new\" --format json", 0),
    ] {
        let (clone, server) = pre_receive(args);
        for i in 0..3 {
            clone.write(
                PROTO,
                format!("service Refunds {{ rpc R{i}(A) returns (B); }}\n"),
            );
            clone.commit(&format!("api change {i}"));
        }
        clone.git(&["push", "-q", "server", "main"]);
        let read = |name: &str| std::fs::read_to_string(server.path().join(name)).expect(name);
        assert_eq!(
            read("hook.code").trim(),
            code.to_string(),
            "{args}: {}",
            read("hook.err")
        );
        let report: serde_json::Value = serde_json::from_str(&read("hook.out")).expect("json");
        if args.starts_with("audit") {
            // Three commits pushed, each missing the docs: what git would list.
            assert_eq!(report["range"]["units"], 3, "{report}");
            assert_eq!(report["rules"][0]["missed"], 3, "{report}");
        } else {
            assert_eq!(triggered(&report), [PROTO], "{report}");
        }
    }
}

#[test]
fn a_bare_clone_reads_as_with_git_dir_named_and_safe_bare_repository_is_honoured() {
    let origin = support::api_repo();
    for n in 0..3 {
        api_change(&origin, n);
    }
    let server = Repo::empty();
    let url = format!("file://{}", origin.path().display());
    server.git(&["clone", "-q", "--bare", &url, "."]);
    let audit = ["audit", "--format", "json"];
    let found = server.lockstep().args(audit).exits(0);
    // Named by GIT_DIR, the repository is git's answer.
    let named = server
        .lockstep()
        .env("GIT_DIR", server.path())
        .args(audit)
        .exits(0);
    assert_eq!(found.stdout, named.stdout);
    assert_eq!(json(&found)["range"]["units"], 4, "{}", stderr(&found));
    // git then refuses a bare repository it was not told of, and so does lockstep.
    let config = "[safe]\n\tbareRepository = explicit\n";
    std::fs::write(server.home().join(".gitconfig"), config).expect("config");
    let output = server.lockstep().args(audit).exits(2);
    assert!(
        stderr(&output).contains("safe.bareRepository"),
        "{}",
        stderr(&output)
    );
    let told = server
        .lockstep()
        .env("GIT_DIR", server.path())
        .args(audit)
        .exits(0);
    assert_eq!(found.stdout, told.stdout);
}

#[test]
fn a_shallow_clone_with_a_linked_worktree_reads_the_shared_shallow_file() {
    let origin = support::api_repo();
    for n in 0..4 {
        api_change(&origin, n);
    }
    let clone = Repo::empty();
    let url = format!("file://{}", origin.path().display());
    clone.git(&["clone", "-q", "--depth", "3", &url, "main"]);
    let main = clone.path().join("main");
    let worktree = clone.path().join("linked");
    let mut add = clone.git_command(&["-C", "main", "worktree", "add", "-q", "--detach"]);
    assert!(add.arg(&worktree).status().expect("git").success());

    // A commit inside the boundary reads as in the main work tree.
    for dir in [&main, &worktree] {
        let output = clone
            .lockstep_in(dir)
            .args(["check", "--commit", "HEAD", "--format", "json"])
            .exits(1);
        assert_eq!(triggered(&json(&output)), [PROTO]);
    }
    // The boundary commit's parent is missing: a shallow-clone error, not "not found".
    let output = clone
        .lockstep_in(&worktree)
        .args(["check", "--commit", "HEAD~2"])
        .exits(2);
    assert!(
        stderr(&output).contains("lockstep::git::shallow"),
        "{}",
        stderr(&output)
    );
    // The audit leaves the boundary commit out, in both.
    for dir in [&main, &worktree] {
        let output = clone
            .lockstep_in(dir)
            .args(["audit", "--format", "json"])
            .exits(0);
        assert_eq!(json(&output)["range"]["units"], 2, "{}", stderr(&output));
    }
}

#[test]
fn the_shallow_remedy_works_when_pasted() {
    let origin = support::api_repo();
    origin.git(&["checkout", "-q", "-b", "feature"]);
    api_change(&origin, 0);
    origin.git(&["checkout", "-q", "main"]);
    for i in 0..3 {
        origin.write("docs/payments/api.md", format!("# API {i}\n"));
        origin.commit("docs");
    }
    let clone = origin.shallow_clone(1, &["--no-single-branch"]);
    let args = ["check", "--base", "origin/main", "--head", "origin/feature"];
    let output = clone.lockstep().args(args).exits(2);
    let text = stderr(&output)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let command = text
        .split('`')
        .find(|part| part.starts_with("git fetch --deepen"))
        .unwrap_or_else(|| panic!("no deepen command: {text}"));
    let words: Vec<&str> = command.split(' ').skip(1).collect();
    clone.git(&words);
    clone.lockstep().args(args).exits(1);
}

#[test]
fn sha256_and_reftable_repositories_are_refused_by_name() {
    for (flag, format, code) in [
        (
            "--object-format=sha256",
            "sha256",
            "lockstep::git::object_format",
        ),
        (
            "--ref-format=reftable",
            "reftable",
            "lockstep::git::ref_format",
        ),
    ] {
        let repo = Repo::empty();
        repo.git(&["init", "-q", flag, "."]);
        write_api(&repo);
        repo.commit("initial");
        let output = repo.lockstep().args(["check", "--commit", "HEAD"]).exits(2);
        let stderr = stderr(&output);
        assert!(stderr.contains(code) && stderr.contains(format), "{stderr}");
        // git reads it, and says which format it is.
        let git_says = repo.git(&["config", "--get-regexp", "^extensions\\."]);
        assert!(git_says.contains(format), "{git_says}");
        assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
    }
}

#[test]
fn outside_any_repository_git_s_reason_is_given() {
    let dir = tempfile::tempdir().expect("temp");
    let repo = Repo::empty();
    let output = repo.lockstep_in(dir.path()).args(["check"]).exits(2);
    assert!(
        stderr(&output).contains("not a git repository"),
        "{}",
        stderr(&output)
    );
}

/// A repository whose second commit adds one file `depth` directories deep, written by
/// `git fast-import` (a work tree that deep would pass PATH_MAX).
fn deep_tree(depth: usize) -> (Repo, String) {
    let repo = support::api_repo();
    let path = format!("{}f.proto", "d/".repeat(depth));
    let stream = format!(
        "commit refs/heads/main\ncommitter A <a@example.com> 1767225700 +0000\ndata 5\ndeep\nfrom refs/heads/main^0\nM 100644 inline {path}\ndata 2\nx\n\n"
    );
    let mut import = repo.git_command(&["fast-import", "--quiet"]);
    let mut child = import
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("fast-import");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), stream.as_bytes())
        .expect("stream");
    assert!(child.wait().expect("fast-import").success());
    (repo, path)
}

#[test]
fn deep_trees_read_as_git_reads_them_and_past_git_s_depth_limit_are_refused() {
    let rules = "version = 1\n[[rule]]\nid = \"deep\"\nwhen = [\"d/**/*.proto\"]\nthen = [\"docs/payments/api.md\"]\n";
    // Deeper than an audit worker's stack holds frame by frame, within git's limit.
    let (repo, path) = deep_tree(2000);
    std::fs::write(repo.home().join("rules.toml"), rules).expect("rules");
    let config = repo.home().join("rules.toml").display().to_string();
    let listed = repo.git(&["diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD"]);
    assert_eq!(listed.trim(), path);
    let output = repo
        .lockstep()
        .args([
            "check", "--commit", "HEAD", "--format", "json", "--config", &config,
        ])
        .exits(1);
    assert_eq!(triggered(&json(&output)), [path]);
    let output = repo
        .lockstep()
        .args(["audit", "--format", "json", "--config", &config])
        .exits(0);
    assert_eq!(json(&output)["rules"][0]["missed"], 1);

    // Past core.maxTreeDepth git refuses the tree, and so does lockstep, by name.
    let (repo, _) = deep_tree(3000);
    let git = repo
        .git_command(&["diff-tree", "-r", "HEAD"])
        .output()
        .expect("git");
    assert!(String::from_utf8_lossy(&git.stderr).contains("maximum allowed tree depth"));
    for args in [&["check", "--commit", "HEAD"][..], &["audit"]] {
        let output = repo
            .lockstep()
            .args(args)
            .args(["--config", &config])
            .exits(2);
        assert!(
            stderr(&output).contains("lockstep::git::tree_depth"),
            "{}",
            stderr(&output)
        );
    }
}

/// A repository with files inside and outside the cone `in`, annotation blocks naming
/// each other across it, and, once `layout` has run, changes of every kind: unstaged,
/// staged, untracked, deleted, and staged outside the cone.
fn sparse_repo(layout: &[&[&str]]) -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", support::EVERY_PATH_RULES)
        .write("witness.md", "w\n")
        .write("root.txt", "root\n")
        .write("in/a.txt", "a\n")
        .write(
            "in/README.md",
            "<!-- LINT.IfChange(r) -->\nr\n<!-- LINT.ThenChange(//out/guide.md:g) -->\n",
        )
        .write("out/b.txt", "b\n")
        .write("out/deep/c.txt", "c\n")
        .write(
            "out/guide.md",
            "<!-- LINT.IfChange(g) -->\ng\n<!-- LINT.ThenChange(//in/README.md:r) -->\n",
        );
    repo.commit("initial");
    for args in layout {
        repo.git(args);
    }
    repo.write("in/a.txt", "a\nmore\n")
        .write("in/untracked.txt", "u\n")
        .write("in/new.txt", "n\n")
        .remove("root.txt");
    repo.git(&["add", "in/new.txt"]);
    // A staged change outside the cone, where the work tree has no file to compare.
    let blob = repo.git(&["hash-object", "-w", "in/a.txt"]);
    let entry = format!("100644,{},out/b.txt", blob.trim());
    repo.git(&["update-index", "--cacheinfo", &entry]);
    if layout.iter().any(|args| args[0] == "sparse-checkout") {
        repo.git(&["sparse-checkout", "reapply"]);
    }
    repo
}

fn lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines.sort();
    lines.dedup();
    lines
}

/// `lockstep check ARGS` reads the same changed paths as `git diff GIT_ARGS`, and
/// `validate` reads the files outside the cone from the index.
fn assert_reads_as_git(repo: &Repo, layout: &str) {
    let mut worktree = repo.git(&["diff", "HEAD", "--name-only"]);
    worktree.push_str(&repo.git(&["ls-files", "--others", "--exclude-standard"]));
    let staged = repo.git(&["diff", "--cached", "--name-only"]);
    for (args, expected) in [(&[][..], worktree), (&["--staged"][..], staged)] {
        let mut command = repo.lockstep();
        let output = command
            .args(["check", "--format", "json"])
            .args(args)
            .output()
            .expect("runs");
        let report = json(&output);
        let expected = lines(&expected);
        let context = format!("{layout}, check {args:?}: {}", stderr(&output));
        assert_eq!(triggered(&report), expected, "{context}");
        assert_eq!(report["diff"]["files_changed"], expected.len(), "{context}");
    }
    let output = repo.lockstep().arg("validate").output().expect("runs");
    assert!(
        output.status.success(),
        "{layout}, validate: {}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
}

#[test]
fn a_cone_sparse_checkout_reads_as_git_diff_does() {
    let repo = sparse_repo(&[&["sparse-checkout", "set", "--cone", "in"]]);
    assert!(!repo.path().join("out").exists(), "out of the cone");
    assert_reads_as_git(&repo, "cone sparse checkout");
}

#[test]
fn a_sparse_index_reads_as_git_diff_does() {
    let repo = sparse_repo(&[
        &["sparse-checkout", "init", "--cone", "--sparse-index"],
        &["sparse-checkout", "set", "in"],
    ]);
    assert_reads_as_git(&repo, "sparse index");
}

#[test]
fn a_split_index_reads_as_git_diff_does() {
    let repo = sparse_repo(&[&["update-index", "--split-index"]]);
    assert_reads_as_git(&repo, "split index");
}

#[test]
fn a_split_index_in_a_sparse_checkout_reads_as_git_diff_does() {
    let repo = sparse_repo(&[
        &["sparse-checkout", "set", "--cone", "in"],
        &["update-index", "--split-index"],
    ]);
    assert_reads_as_git(&repo, "split index, cone sparse checkout");
}

/// Clones `origin` over `file://` with `options` (a partial clone's `--filter`).
fn clone_of(origin: &Repo, options: &[&str]) -> Repo {
    let clone = Repo::empty();
    let url = format!("file://{}", origin.path().display());
    clone.git(&[&["clone", "-q"], options, &[&url, "."]].concat());
    clone
}

/// The objects the clone lacks, as `git rev-list --missing=print` lists them.
fn missing_objects(clone: &Repo) -> usize {
    let listed = clone.git(&["rev-list", "--objects", "--all", "--missing=print"]);
    listed.lines().filter(|line| line.starts_with('?')).count()
}

/// What `lockstep ARGS` prints and how it exits.
fn run(repo: &Repo, args: &[&str]) -> (Option<i32>, String) {
    let output = repo.lockstep().args(args).output().expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code(), stdout)
}

/// Runs `check` on each commit and on the whole range, and `audit`, in both clones.
fn assert_same_output(full: &Repo, partial: &Repo) {
    let commits = full.git(&["rev-list", "HEAD"]);
    let root = commits.lines().last().expect("a root commit");
    let mut runs: Vec<Vec<&str>> = commits
        .lines()
        .map(|id| vec!["check", "--format", "json", "--commit", id])
        .collect();
    let range = format!("{root}..HEAD");
    // First, while the root's blobs are still missing.
    runs.insert(0, vec!["check", "--range", &range, "--config-from", "base"]);
    runs.push(vec!["check", "--range", &range]);
    runs.push(vec!["audit", "--format", "json"]);
    runs.push(vec!["audit"]);
    for args in runs {
        let expected = run(full, &args);
        assert!(matches!(expected.0, Some(0 | 1)), "{args:?}: {expected:?}");
        assert_eq!(run(partial, &args), expected, "{args:?}");
    }
}

#[test]
fn a_partial_clone_reads_as_a_full_clone_fetching_what_it_lacks_as_git_does() {
    let origin = support::api_repo();
    origin.git(&["config", "uploadpack.allowFilter", "true"]);
    // The root's rule set is one the partial clone lacks (`--config-from base`).
    origin.write(
        "lockstep.toml",
        format!("{}# revised\n", support::API_RULES),
    );
    for n in 0..3 {
        api_change(&origin, n);
    }
    origin.write("docs/payments/api.md", "# API\n\nRefund2.\n");
    api_change(&origin, 3);
    api_change(&origin, 4);
    let full = clone_of(&origin, &[]);
    let partial = clone_of(&origin, &["--filter=blob:none"]);
    let offline = clone_of(&origin, &["--filter=blob:none"]);
    let lacking = missing_objects(&partial);
    assert!(lacking >= 4, "{lacking} blobs missing");
    assert_same_output(&full, &partial);
    assert!(missing_objects(&partial) < lacking, "blobs were fetched");

    // With the remote out of reach: exit 2 naming the object, the layout and the remedy.
    let away = origin.path().with_extension("away");
    std::fs::rename(origin.path(), &away).expect("move the remote away");
    let blobs = [
        full.rev(&format!("HEAD~1:{PROTO}")),
        full.rev(&format!("HEAD~2:{PROTO}")),
    ];
    let output = offline.lockstep().args(["audit"]).exits(2);
    assert!(stderr(&output).contains("lockstep::git::unfetched"));
    let output = offline
        .lockstep()
        .args(["check", "--commit", "HEAD~1"])
        .exits(2);
    let text = stderr(&output)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("lockstep::git::unfetched")
            && text.contains("this partial clone lacks it")
            && blobs.iter().any(|id| text.contains(id.as_str())),
        "{text}"
    );
    let remedy = text
        .split('`')
        .find(|part| part.starts_with("git fetch --refetch"))
        .unwrap_or_else(|| panic!("no remedy: {text}"));
    // The remedy, pasted while the remote is reachable, makes the clone whole.
    std::fs::rename(&away, origin.path()).expect("bring the remote back");
    let words: Vec<&str> = remedy.split(' ').skip(1).collect();
    offline.git(&words);
    assert_eq!(missing_objects(&offline), 0);
    std::fs::rename(origin.path(), &away).expect("move the remote away");
    assert_same_output(&full, &offline);
    std::fs::rename(&away, origin.path()).expect("bring the remote back");
}

/// Each file `git diff ARGS` lists, with the lines of its new side the diff adds or
/// changes (from `-U0` hunks).
fn git_diff_lines(repo: &Repo, args: &[&str]) -> BTreeMap<String, Vec<u64>> {
    let diff = repo.git(&[&["diff", "-U0", "--no-color", "--no-renames"], args].concat());
    let mut changed: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut path = String::new();
    for line in diff.lines() {
        if let Some(name) = line.strip_prefix("+++ b/") {
            path = name.to_owned();
            changed.entry(path.clone()).or_default();
        } else if let Some(hunk) = line.strip_prefix("@@ -") {
            let new = hunk.split(' ').nth(1).expect("new side");
            let mut range = new.trim_start_matches('+').split(',');
            let start: u64 = range.next().expect("start").parse().expect("a number");
            let count: u64 = range.next().map_or(1, |c| c.parse().expect("a number"));
            let lines = changed.get_mut(&path).expect("a file before its hunks");
            lines.extend(start..start + count);
        }
    }
    changed
}

/// The first line of each `LINT.IfChange` block of HEAD's `path` that holds one of
/// `changed` (the lines stay where they are in these tests).
fn blocks_holding(repo: &Repo, path: &str, changed: &[u64]) -> Vec<u64> {
    let text = repo.git(&["show", &format!("HEAD:{path}")]);
    let mut fired = Vec::new();
    let mut start = None;
    for (number, line) in (1..).zip(text.lines()) {
        if line.contains("LINT.IfChange") {
            start = Some(number);
        } else if line.contains("LINT.ThenChange")
            && let Some(first) = start.take()
            && changed.iter().any(|c| (first..=number).contains(c))
        {
            fired.push(first);
        }
    }
    fired
}

/// Each finding's rule and the `(path, line)` it names, sorted.
fn findings(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    let mut found: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .flat_map(|f| {
            let rule = f["rule"].as_str().expect("rule").to_owned();
            let by = f["triggered_by"].as_array().expect("triggered_by").clone();
            by.into_iter().map(move |t| {
                let path = t["path"].as_str().expect("path").to_owned();
                (rule.clone(), path, t["line"].as_u64().unwrap_or(0))
            })
        })
        .collect();
    found.sort();
    found
}

/// `lockstep check --format json ARGS` with the `every-path` rules and `whitespace` as
/// given (the rule set outside the repository): the report and the standard error.
fn check_with(repo: &Repo, whitespace: bool, args: &[&str]) -> (serde_json::Value, String) {
    let rules = repo.home().join(format!("rules-{whitespace}.toml"));
    let settings = format!("\n\n[settings]\nwhitespace = {whitespace}\n");
    std::fs::write(
        &rules,
        support::EVERY_PATH_RULES.replacen('\n', &settings, 1),
    )
    .expect("rules");
    let output = repo
        .lockstep()
        .args(["check", "--format", "json", "--config"])
        .arg(&rules)
        .args(args)
        .output()
        .expect("runs");
    (json(&output), stderr(&output))
}

/// In the work tree, lockstep reads what `git diff HEAD` reads for the layout `repo`'s
/// configuration makes: the same changed files, their first changed lines (with
/// whitespace ignored, lockstep's default), and the annotation blocks holding the lines
/// git changes fire, and only those, with whitespace counting or not.
fn assert_work_tree_as_git_diff(repo: &Repo, layout: &str) {
    let changed = git_diff_lines(repo, &["HEAD"]);
    assert!(!changed.is_empty(), "{layout}: git sees a change");
    for whitespace in [false, true] {
        let (report, stderr) = check_with(repo, whitespace, &[]);
        let mut expected = Vec::new();
        for (path, lines) in &changed {
            let first = if whitespace { 0 } else { lines[0] };
            expected.push(("every-path".to_owned(), path.clone(), first));
            if path.ends_with(".md") {
                let blocks = blocks_holding(repo, path, lines);
                let annotations = blocks
                    .into_iter()
                    .map(|b| ("annotation".to_owned(), path.clone(), b));
                expected.extend(annotations);
            }
        }
        expected.sort();
        let context = format!("{layout}, whitespace = {whitespace}: {stderr}");
        let mut found = findings(&report);
        if whitespace {
            // Counting whitespace, lockstep diffs lines only where it needs them (the
            // annotated file here); where it has, the first is git's.
            for (rule, path, line) in &mut found {
                if rule == "every-path" && *line != 0 {
                    assert_eq!(*line, changed[path.as_str()][0], "{context}");
                    *line = 0;
                }
            }
        }
        assert_eq!(found, expected, "{context}");
        assert_eq!(report["diff"]["files_changed"], changed.len(), "{context}");
    }
}

/// How many `git fetch` processes ran while `command` ran with git's trace2 events
/// written to a file (a lazy fetch of a partial clone is one too).
fn fetches(home: &std::path::Path, command: &mut std::process::Command) -> usize {
    let trace = home.join("trace2.json");
    let _ = std::fs::remove_file(&trace);
    let output = command
        .env("GIT_TRACE2_EVENT", &trace)
        .output()
        .expect("runs");
    // lockstep exits 1 for findings.
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    let events = std::fs::read_to_string(&trace).unwrap_or_default();
    events
        .lines()
        .filter(|e| e.contains(r#""event":"start""#) && e.contains(r#","fetch","#))
        .count()
}

/// A repository of three versions of three files, which partial clones of it lack
/// but for the last.
fn three_versions() -> Repo {
    let origin = Repo::new();
    origin.git(&["config", "uploadpack.allowFilter", "true"]);
    origin
        .write("lockstep.toml", support::EVERY_PATH_RULES)
        .write("witness.md", "w\n");
    for version in 1..=3 {
        for file in ["a.txt", "b.txt", "c.txt"] {
            origin.write(file, format!("version {version}\n"));
        }
        origin.commit(&format!("version {version}"));
    }
    origin
}

/// `check --range HEAD~2..HEAD~1` in `partial` fetches the six blobs it lacks in one
/// `git fetch`, and reports what it reports in `full`.
fn assert_one_fetch(full: &Repo, partial: &Repo, case: &str) {
    let args = ["check", "--format", "json", "--range", "HEAD~2..HEAD~1"];
    let mut check = std::process::Command::new(env!("CARGO_BIN_EXE_lockstep"));
    check.current_dir(partial.path()).args(args);
    support::isolate(&mut check, partial.home());
    assert_eq!(fetches(partial.home(), &mut check), 1, "{case}: one fetch");
    assert_eq!(run(partial, &args), run(full, &args), "{case}");
}

#[test]
fn a_partial_clone_fetches_a_diff_s_blobs_in_one_go_as_git_diff_does() {
    let origin = three_versions();
    let full = clone_of(&origin, &[]);
    // HEAD~2 and HEAD~1's blobs are missing (the checkout fetched HEAD's): six of them.
    let git_clone = clone_of(&origin, &["--filter=blob:none"]);
    let mut git_diff = git_clone.git_command(&["diff", "HEAD~2", "HEAD~1"]);
    assert_eq!(
        fetches(git_clone.home(), &mut git_diff),
        1,
        "git diff: one fetch"
    );
    let partial = clone_of(&origin, &["--filter=blob:none"]);
    assert_one_fetch(&full, &partial, "the clone's own configuration");
}

#[test]
fn a_promisor_remote_named_outside_the_repository_s_own_configuration_is_fetched_from() {
    let origin = three_versions();
    let full = clone_of(&origin, &[]);
    // git takes `remote.<name>.promisor` from any file of its configuration (the
    // variable's name in any case), and an included file as part of the one including
    // it; a name only in such a file still makes a promisor remote.
    let named = "[remote \"origin\"]\n\tPromisor = true\n";
    for case in ["the user's file", "an included file"] {
        let clone = || {
            let clone = clone_of(&origin, &["--filter=blob:none"]);
            for variable in ["remote.origin.promisor", "remote.origin.partialclonefilter"] {
                clone.git(&["config", "--unset", variable]);
            }
            let file = match case {
                "the user's file" => clone.home().join(".gitconfig"),
                _ => clone.home().join("extra.config"),
            };
            std::fs::write(&file, named).expect("config file");
            if case == "an included file" {
                clone.git(&["config", "include.path", &file.display().to_string()]);
            }
            clone
        };
        let git_clone = clone();
        let mut git_diff = git_clone.git_command(&["diff", "HEAD~2", "HEAD~1"]);
        assert_eq!(fetches(git_clone.home(), &mut git_diff), 1, "{case}: git");
        assert_one_fetch(&full, &clone(), case);
    }
}

/// Two annotation blocks, each naming a file of its own.
const BLOCKS: &str = "<!-- LINT.IfChange(a) -->\nalpha\n<!-- LINT.ThenChange(//a.md) -->\n\
    <!-- LINT.IfChange(b) -->\nbeta\n<!-- LINT.ThenChange(//b.md) -->\n";

/// A repository with `files`, `BLOCKS` in `doc.md` and the files it names, committed
/// after `setup` ran (its configuration and `.gitattributes` in place), then checked
/// out again so the work tree holds each file as git writes it there.
fn converting_repo(setup: &[&[&str]], attributes: &str, files: &[(&str, &[u8])]) -> Repo {
    let repo = Repo::new();
    for args in setup {
        repo.git(args);
    }
    repo.write("witness.md", "w\n")
        .write("a.md", "a\n")
        .write("b.md", "b\n")
        .write(".gitattributes", attributes);
    for (path, bytes) in files {
        repo.write(path, bytes);
    }
    repo.commit("initial");
    for (path, _) in files {
        repo.remove(path);
    }
    repo.git(&["checkout", "--", "."]);
    repo
}

#[test]
fn core_autocrlf_line_endings_are_compared_as_git_diff_compares_them() {
    let lf: &[u8] = b"one\ntwo\nthree\n";
    let files = [
        ("edited.txt", lf),
        ("touched.txt", lf),
        ("doc.md", BLOCKS.as_bytes()),
        ("binary.dat", b"\0a\r\n"),
    ];
    let repo = converting_repo(&[&["config", "core.autocrlf", "true"]], "", &files);
    assert_eq!(
        repo.read("edited.txt"),
        "one\r\ntwo\r\nthree\r\n",
        "checked out CRLF"
    );
    repo.write("edited.txt", "one\r\nTWO\r\nthree\r\n");
    // Rewritten as it was: a new modification time, the same content.
    repo.write("touched.txt", "one\r\ntwo\r\nthree\r\n");
    repo.write(
        "doc.md",
        BLOCKS.replace("beta", "BETA").replace('\n', "\r\n"),
    );
    assert_work_tree_as_git_diff(&repo, "core.autocrlf = true");
    // Without git to convert them, files are compared as they are on disk: no error.
    let rules = repo.home().join("rules-false.toml");
    let mut without_git = repo.lockstep();
    without_git
        .env("PATH", "")
        .arg("check")
        .arg("--config")
        .arg(&rules);
    without_git.exits(1);
}

#[test]
fn text_and_eol_attributes_are_compared_as_git_diff_compares_them() {
    let lf: &[u8] = b"one\ntwo\nthree\n";
    let files = [
        ("crlf.txt", lf),
        ("auto.txt", lf),
        ("kept.bin", lf),
        ("doc.md", BLOCKS.as_bytes()),
    ];
    let attributes =
        "*.txt text eol=crlf\nauto.txt text=auto eol=crlf\nkept.bin -text\ndoc.md eol=crlf\n";
    let repo = converting_repo(&[], attributes, &files);
    repo.write("crlf.txt", "one\r\ntwo\r\nTHREE\r\n")
        .write("auto.txt", "one\r\ntwo\r\nthree\r\n")
        // Not text: its CR is kept.
        .write("kept.bin", "one\ntwo\nTHREE\r\n")
        .write(
            "doc.md",
            BLOCKS.replace("beta", "BETA").replace('\n', "\r\n"),
        );
    assert_work_tree_as_git_diff(&repo, "text, eol attributes");
}

/// `text` as UTF-16 with a byte-order mark, little-endian.
fn utf16(text: &str) -> Vec<u8> {
    let units = text.encode_utf16().flat_map(u16::to_le_bytes);
    [0xff, 0xfe].into_iter().chain(units).collect()
}

#[test]
fn working_tree_encoding_is_compared_as_git_diff_compares_it() {
    let attributes = "*.txt working-tree-encoding=UTF-16\ndoc.md working-tree-encoding=UTF-16\n";
    let text = utf16("one\ntwo\nthree\n");
    let blocks = utf16(BLOCKS);
    let files = [
        ("wide.txt", &text[..]),
        ("same.txt", &text),
        ("doc.md", &blocks),
    ];
    let repo = converting_repo(&[], attributes, &files);
    let stored = repo.git(&["show", "HEAD:wide.txt"]);
    assert_eq!(stored, "one\ntwo\nthree\n", "stored as UTF-8");
    repo.write("wide.txt", utf16("one\ntwo\nTHREE\n"))
        .write("same.txt", utf16("one\ntwo\nthree\n"))
        .write("doc.md", utf16(&BLOCKS.replace("beta", "BETA")));
    assert_work_tree_as_git_diff(&repo, "working-tree-encoding");
}

#[test]
fn validate_reads_annotations_in_utf16_files_as_git_converts_them() {
    let attributes = "doc.md working-tree-encoding=UTF-16\n";
    let blocks = utf16("<!-- LINT.IfChange -->\nx\n<!-- LINT.ThenChange(//missing.md) -->\n");
    let repo = converting_repo(&[], attributes, &[("doc.md", &blocks)]);
    repo.write("lockstep.toml", "version = 1\n");
    let output = repo.lockstep().arg("validate").exits(1);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("missing-target-file") && text.contains("doc.md:3"),
        "{text}"
    );
}

#[test]
fn clean_filters_are_applied_as_git_diff_applies_them() {
    let setup: [&[&str]; 2] = [
        &["config", "filter.strip.clean", "sed 's/[ ]*$//'"],
        &["config", "filter.strip.smudge", "cat"],
    ];
    let text: &[u8] = b"one\ntwo\nthree\n";
    let files = [
        ("a.src", text),
        ("b.src", text),
        ("doc.md", BLOCKS.as_bytes()),
    ];
    let repo = converting_repo(&setup, "*.src filter=strip\ndoc.md filter=strip\n", &files);
    // Trailing blanks the filter removes: no change to git.
    repo.write("a.src", "one   \ntwo\nthree \n")
        .write("b.src", "one\ntwo  \nTHREE\n")
        .write(
            "doc.md",
            BLOCKS.replace("alpha", "alpha  ").replace("beta", "BETA"),
        );
    assert_work_tree_as_git_diff(&repo, "clean filter");
}

/// The changes `git add -A` would stage, as `git diff --cached -M100%` lists them (exact
/// renames, the pairs lockstep makes), staged into a copy of the index: each path (a
/// rename's new one) and the number of changes.
fn changes_once_added(repo: &Repo) -> (Vec<String>, usize) {
    let index = repo.home().join("index-copy");
    std::fs::copy(repo.path().join(".git/index"), &index).expect("copy the index");
    let run = |args: &[&str]| {
        let output = repo
            .git_command(args)
            .env("GIT_INDEX_FILE", &index)
            .output()
            .expect("git runs");
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    run(&["add", "-A"]);
    let listed = run(&["diff", "--cached", "-M100%", "--name-status"]);
    let mut paths: Vec<String> = listed
        .lines()
        .map(|line| line.rsplit('\t').next().expect("a path").to_owned())
        .collect();
    paths.sort();
    let count = paths.len();
    (paths, count)
}

/// A tracked file deleted and an untracked copy of it: lockstep pairs them as a rename
/// where git, once the copy is added, would (the copy as git converts it is the deleted
/// blob), and reads them as a deletion and an addition where it would not.
fn assert_copy_pairs_as_git_pairs_it(
    setup: &[&[&str]],
    attributes: &str,
    copy: &[u8],
    pairs: bool,
    layout: &str,
) {
    let text: &[u8] = b"one\ntwo\nthree\n";
    let repo = converting_repo(setup, attributes, &[("doc.txt", text)]);
    repo.remove("doc.txt").write("copy.txt", copy);
    let (paths, count) = changes_once_added(&repo);
    assert_eq!(
        count,
        if pairs { 1 } else { 2 },
        "{layout}: git pairs them: {pairs}"
    );
    let (report, stderr) = check_with(&repo, false, &[]);
    let mut triggered: Vec<String> = findings(&report)
        .into_iter()
        .map(|(_, path, _)| path)
        .collect();
    triggered.sort();
    assert_eq!(triggered, paths, "{layout}: {stderr}");
    assert_eq!(report["diff"]["files_changed"], count, "{layout}: {report}");
}

#[test]
fn an_untracked_copy_of_a_deleted_file_pairs_as_a_rename_where_git_pairs_it() {
    let lf: &[u8] = b"one\ntwo\nthree\n";
    let crlf: &[u8] = b"one\r\ntwo\r\nthree\r\n";
    let strip: [&[&str]; 2] = [
        &["config", "filter.strip.clean", "sed 's/[ ]*$//'"],
        &["config", "filter.strip.smudge", "cat"],
    ];
    let autocrlf: [&[&str]; 1] = [&["config", "core.autocrlf", "true"]];
    assert_copy_pairs_as_git_pairs_it(&[], "", lf, true, "an exact copy");
    assert_copy_pairs_as_git_pairs_it(&[], "", crlf, false, "CRLF, not converted");
    assert_copy_pairs_as_git_pairs_it(&autocrlf, "", crlf, true, "CRLF, core.autocrlf");
    let trailing = b"one  \ntwo\nthree \n";
    assert_copy_pairs_as_git_pairs_it(
        &strip,
        "*.txt filter=strip\n",
        trailing,
        true,
        "clean filter",
    );
    assert_copy_pairs_as_git_pairs_it(&[], "", trailing, false, "trailing blanks, no filter");
}

#[test]
fn the_first_changed_line_is_git_diff_s_with_its_indent_heuristic() {
    let repo = Repo::new();
    repo.write("witness.md", "w\n")
        .write("moved.txt", "1\n2\na\n\nb\n3\n4\n");
    repo.commit("initial");
    // The added lines could be reported from line 5 or line 6: git's default
    // heuristic (`diff.indentHeuristic`) picks 5, a plain diff 6.
    repo.write("moved.txt", "1\n2\na\n\nb\na\n\nb\n3\n4\n");
    let plain = git_diff_lines(&repo, &["--no-indent-heuristic", "HEAD"]);
    assert_eq!(
        plain["moved.txt"][0], 6,
        "a layout where the heuristic matters"
    );
    // lockstep names a first line where it diffs lines: with whitespace ignored (its
    // default), which is `git diff -w --ignore-blank-lines`.
    let ignoring = ["-w", "--ignore-blank-lines"];
    for (args, range) in [
        (&[][..], &["HEAD"][..]),
        (&["--commit", "HEAD"], &["HEAD~1", "HEAD"]),
    ] {
        if !args.is_empty() {
            repo.commit("more");
        }
        let expected = git_diff_lines(&repo, &[&ignoring[..], range].concat());
        let first = expected["moved.txt"][0];
        let expected = [("every-path".to_owned(), "moved.txt".to_owned(), first)];
        let (report, stderr) = check_with(&repo, false, args);
        assert_eq!(findings(&report), expected, "{args:?}: {stderr}");
    }
}

/// Where `diff.indentHeuristic = false` is set: the repository's config, the user's
/// (`$HOME/.gitconfig`), a file the repository's config includes, and one it includes
/// on a condition naming the repository (read through the repository, not alone).
#[derive(Debug, Clone, Copy)]
enum Level {
    Repository,
    Global,
    Include,
    IncludeIf,
}

#[test]
fn with_diff_indent_heuristic_off_the_first_changed_line_is_git_diff_s_without_it() {
    for level in [
        Level::Repository,
        Level::Global,
        Level::Include,
        Level::IncludeIf,
    ] {
        let repo = Repo::new();
        repo.write("witness.md", "w\n")
            .write("moved.txt", "1\n2\na\n\nb\n3\n4\n");
        repo.commit("initial");
        repo.write("moved.txt", "1\n2\na\n\nb\na\n\nb\n3\n4\n");
        let off = ["config", "diff.indentHeuristic", "false"];
        let included = repo.home().join("included.gitconfig");
        let included_arg = included.to_string_lossy().into_owned();
        let file = [
            "config",
            "--file",
            &included_arg,
            "diff.indentHeuristic",
            "false",
        ];
        let git_dir = format!("includeIf.gitdir:{}/.git.path", repo.path().display());
        match level {
            Level::Repository => drop(repo.git(&off)),
            Level::Global => drop(repo.git(&[&off[..1], &["--global"], &off[1..]].concat())),
            Level::Include => {
                repo.git(&file);
                repo.git(&["config", "include.path", &included_arg]);
            }
            Level::IncludeIf => {
                repo.git(&file);
                repo.git(&["config", &git_dir, &included_arg]);
            }
        }
        // git reads its configuration: the plain diff's line, even ignoring whitespace.
        let ignoring = ["-w", "--ignore-blank-lines"];
        let expected = git_diff_lines(&repo, &[&ignoring[..], &["HEAD"]].concat());
        assert_eq!(
            expected["moved.txt"][0], 6,
            "{level:?}: git's first line without the heuristic"
        );
        let (report, stderr) = check_with(&repo, false, &[]);
        let expected = [("every-path".to_owned(), "moved.txt".to_owned(), 6)];
        assert_eq!(
            findings(&report),
            expected,
            "{level:?}, work tree: {stderr}"
        );
        repo.git(&["add", "moved.txt"]);
        let (report, stderr) = check_with(&repo, false, &["--staged"]);
        assert_eq!(findings(&report), expected, "{level:?}, staged: {stderr}");
        repo.commit("more");
        let (report, stderr) = check_with(&repo, false, &["--commit", "HEAD"]);
        assert_eq!(findings(&report), expected, "{level:?}, --commit: {stderr}");
    }
}

/// `GIT_CONFIG_GLOBAL`, `GIT_CONFIG_SYSTEM` and `GIT_CONFIG_NOSYSTEM` choose the files
/// the configuration is read from, for lockstep as for git: `~/.gitconfig` turns the
/// indent heuristic off, another file turns it on.
#[test]
fn the_config_variables_choose_the_files_lockstep_reads_as_git_s_do() {
    let repo = Repo::new();
    repo.write("witness.md", "w\n")
        .write("moved.txt", "1\n2\na\n\nb\n3\n4\n");
    repo.commit("initial");
    repo.write("moved.txt", "1\n2\na\n\nb\na\n\nb\n3\n4\n");
    let with = |on: bool| format!("[diff]\n\tindentHeuristic = {on}\n");
    std::fs::write(repo.home().join(".gitconfig"), with(false)).expect("write");
    let on = repo.home().join("on.gitconfig");
    std::fs::write(&on, with(true)).expect("write");
    let off = repo.home().join("off.gitconfig");
    std::fs::write(&off, with(false)).expect("write");
    let (on, off) = (on.to_string_lossy(), off.to_string_lossy());
    let rules = repo.home().join("rules.toml");
    std::fs::write(&rules, support::EVERY_PATH_RULES).expect("rules");
    // The first changed line git finds without GIT_CONFIG_NOSYSTEM, and with it.
    for (env, firsts) in [
        (vec![("GIT_CONFIG_GLOBAL", &*on)], [5, 5]),
        (vec![("GIT_CONFIG_GLOBAL", "/dev/null")], [5, 5]),
        (
            vec![
                ("GIT_CONFIG_GLOBAL", "/dev/null"),
                ("GIT_CONFIG_SYSTEM", &*off),
            ],
            [6, 5],
        ),
        (
            vec![("GIT_CONFIG_GLOBAL", &*on), ("GIT_CONFIG_SYSTEM", &*off)],
            [5, 5],
        ),
        (vec![("GIT_CONFIG_SYSTEM", &*on)], [6, 6]),
    ] {
        for (nosystem, first) in [false, true].into_iter().zip(firsts) {
            let mut git = repo.git_command(&["diff", "-U0", "-w", "--ignore-blank-lines", "HEAD"]);
            let mut lockstep = repo.lockstep();
            lockstep
                .args(["check", "--format", "json", "--config"])
                .arg(&rules);
            for (name, value) in &env {
                git.env(name, value);
                lockstep.env(name, value);
            }
            if !nosystem {
                git.env_remove("GIT_CONFIG_NOSYSTEM");
                lockstep.env_remove("GIT_CONFIG_NOSYSTEM");
            }
            let diff = String::from_utf8(git.output().expect("git runs").stdout).expect("utf-8");
            let hunk = diff.lines().find(|l| l.starts_with("@@")).expect("a hunk");
            let git_first: u64 = hunk
                .split(['+', ',', ' '])
                .nth(4)
                .expect("start")
                .parse()
                .expect("a number");
            assert_eq!(git_first, first, "{env:?}, nosystem {nosystem}: git");
            let output = lockstep.output().expect("runs");
            let expected = [("every-path".to_owned(), "moved.txt".to_owned(), git_first)];
            assert_eq!(
                findings(&json(&output)),
                expected,
                "{env:?}, nosystem {nosystem}: {}",
                stderr(&output)
            );
        }
    }
}
