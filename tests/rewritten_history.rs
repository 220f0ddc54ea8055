//! Histories that replace refs (`git replace`) and grafts (`info/grafts`) rewrite, each
//! built with the real git CLI, and lockstep's reading of them compared with git's own:
//! the paths and first changed lines of `check --base`, `check --range A..B` and
//! `A...B` with `git diff`, the merge-base with `git merge-base`, and the units and
//! changed paths of `audit`, `audit --range` and `audit --first-parent` with `git log`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::Stdio;

mod support;

use support::{Exits, Repo, stdout_json as json};

/// `a.txt` with line `n` changed to `text` for each `(n, text)` of `edits`.
fn a_txt(edits: &[(usize, &str)]) -> String {
    (1..=10)
        .map(|n| {
            let edited = edits.iter().find(|(at, _)| *at == n);
            format!(
                "{}\n",
                edited.map_or(format!("line {n}"), |(_, t)| (*t).to_owned())
            )
        })
        .collect()
}

/// The history every case rewrites, its commits by name. `main`: one, two, three,
/// four, merge (of `side`), six; `side` branches from two; `topic`, never merged,
/// from three. Rewriting four's parent to two takes three out of `main`'s history and
/// moves the merge-base of `topic` and `main` from three to two.
fn history() -> (Repo, BTreeMap<&'static str, String>) {
    let repo = Repo::new();
    let mut ids = BTreeMap::new();
    repo.write("lockstep.toml", support::EVERY_PATH_RULES)
        .write("witness.md", "w\n")
        .write("a.txt", a_txt(&[]))
        .write("dir/x.txt", "x\n");
    ids.insert("one", repo.commit("one"));
    ids.insert("two", repo.write("b.txt", "b\n").commit("two"));
    repo.git(&["branch", "side"]);
    repo.git(&["tag", "two"]);
    ids.insert(
        "three",
        repo.write("a.txt", a_txt(&[(3, "three")])).commit("three"),
    );
    repo.git(&["checkout", "-q", "-b", "topic"]);
    ids.insert("topic", repo.write("t.txt", "t\n").commit("topic"));
    repo.git(&["checkout", "-q", "side"]);
    ids.insert("side", repo.write("side.txt", "s\n").commit("side"));
    repo.git(&["checkout", "-q", "main"]);
    ids.insert("four", repo.write("dir/x.txt", "x4\n").commit("four"));
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge", "side"]);
    ids.insert("merge", repo.rev("HEAD"));
    let six = a_txt(&[(3, "three"), (7, "six")]);
    ids.insert(
        "six",
        repo.write("a.txt", six).write("d.txt", "d\n").commit("six"),
    );
    (repo, ids)
}

/// Runs git with `input` on its standard input; its output, trimmed.
fn git_with_input(repo: &Repo, args: &[&str], input: &str) -> String {
    let mut child = repo
        .git_command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("git runs");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input.as_bytes()).expect("write");
    drop(stdin);
    let output = child.wait_with_output().expect("git ends");
    assert!(output.status.success(), "git {args:?}");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn blob(repo: &Repo, text: &str) -> String {
    git_with_input(repo, &["hash-object", "-w", "--stdin"], text)
}

/// git run with `env` (and, with grafts, without its deprecation hint).
fn git_env(repo: &Repo, env: &[(&str, &str)], args: &[&str]) -> String {
    let quiet = ["-c", "advice.graftFileDeprecated=false"];
    let output = repo
        .git_command(&[&quiet[..], args].concat())
        .envs(env.iter().copied())
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Each file `git diff RANGE` changes: its status letter and the first line of its new
/// side the diff adds or changes (from `-U0` hunks; 0 for none).
fn git_diff(repo: &Repo, env: &[(&str, &str)], range: &str) -> BTreeMap<String, (char, u64)> {
    let status = ["diff", "--name-status", "--no-renames", range];
    let mut files: BTreeMap<String, (char, u64)> = git_env(repo, env, &status)
        .lines()
        .map(|line| {
            let (letter, path) = line.split_once('\t').expect("status and path");
            (
                path.to_owned(),
                (letter.chars().next().expect("a letter"), 0),
            )
        })
        .collect();
    let args = ["diff", "-U0", "--no-color", "--no-renames", range];
    let mut path = String::new();
    for line in git_env(repo, env, &args).lines() {
        if let Some(name) = line
            .strip_prefix("--- a/")
            .or_else(|| line.strip_prefix("+++ b/"))
        {
            path = name.to_owned();
        } else if let Some(hunk) = line.strip_prefix("@@ -") {
            let new = hunk.split(' ').nth(1).expect("new side");
            let start = new
                .trim_start_matches('+')
                .split(',')
                .next()
                .expect("start");
            let (_, first) = files.get_mut(&path).expect("a file before its hunks");
            if *first == 0 {
                *first = start.parse().expect("a number");
            }
        }
    }
    files
}

/// lockstep's `check ARGS`, as `git diff RANGE` reads the same: the paths every-path
/// names are git's, and a modified file's first changed line is git's. Returns the
/// commit lockstep compared from.
fn assert_check_as_git_diff(
    repo: &Repo,
    env: &[(&str, &str)],
    args: &[&str],
    range: &str,
    case: &str,
) -> String {
    let output = repo
        .lockstep()
        .envs(env.iter().copied())
        .args([&["check", "--format", "json"], args].concat())
        .output()
        .expect("runs");
    let report = json(&output);
    let context = format!("{case}, check {args:?}: {report}");
    let expected = git_diff(repo, env, range);
    let mut named = BTreeMap::new();
    for finding in report["findings"].as_array().expect("findings") {
        for trigger in finding["triggered_by"].as_array().expect("triggered_by") {
            let path = trigger["path"].as_str().expect("path").to_owned();
            named.insert(path, trigger["line"].as_u64());
        }
    }
    let paths: BTreeSet<&String> = named.keys().collect();
    assert_eq!(paths, expected.keys().collect(), "{context}");
    for (path, (status, first)) in &expected {
        if *status == 'M' {
            assert_eq!(named[path], Some(*first), "{path}: {context}");
        }
    }
    report["diff"]["base"].as_str().expect("base").to_owned()
}

/// Each commit `git log LOG_ARGS` lists and the paths it changes; lockstep's `audit
/// AUDIT_ARGS` must count as many units and miss exactly those without `witness.md`.
fn assert_audit_as_git_log(
    repo: &Repo,
    env: &[(&str, &str)],
    audit_args: &[&str],
    log_args: &[&str],
    case: &str,
) {
    let format = ["log", "--no-renames", "--name-only", "--format=@%H"];
    let log = git_env(repo, env, &[&format[..], log_args].concat());
    let mut expected = BTreeMap::new();
    for entry in log.split('@').filter(|e| !e.is_empty()) {
        let (id, paths) = entry.split_once('\n').expect("id line");
        let paths: Vec<String> = paths
            .lines()
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        expected.insert(id.to_owned(), paths);
    }
    let output = repo
        .lockstep()
        .envs(env.iter().copied())
        .args([&["audit", "--format", "json"], audit_args].concat())
        .output()
        .expect("runs");
    let report = json(&output);
    let context = format!("{case}, audit {audit_args:?}: {report}");
    let units = if audit_args.contains(&"--first-parent") {
        expected.len()
    } else {
        let revs = git_env(repo, env, &[&["rev-list"][..], log_args].concat());
        revs.lines().count()
    };
    assert_eq!(report["range"]["units"], units, "{context}");
    let mut missed = BTreeMap::new();
    for miss in report["misses"].as_array().expect("misses") {
        let paths: Vec<String> = miss["triggered_by"]
            .as_array()
            .expect("triggered_by")
            .iter()
            .map(|p| p.as_str().expect("path").to_owned())
            .collect();
        missed.insert(miss["commit"].as_str().expect("commit").to_owned(), paths);
    }
    expected.retain(|_, paths| !paths.iter().any(|p| p == "witness.md"));
    assert_eq!(missed, expected, "{context}");
}

/// Every command compared with git, in `repo` as `env` sets it up for both.
fn assert_reads_as_git(repo: &Repo, env: &[(&str, &str)], case: &str) {
    let base = assert_check_as_git_diff(repo, env, &["--base", "topic"], "topic...HEAD", case);
    let merge_base = git_env(repo, env, &["merge-base", "topic", "HEAD"]);
    assert_eq!(base, merge_base.trim(), "{case}: the merge-base");
    for range in ["two..HEAD", "topic...HEAD"] {
        assert_check_as_git_diff(repo, env, &["--range", range], range, case);
    }
    assert_check_as_git_diff(repo, env, &["--commit", "HEAD~2"], "HEAD~3..HEAD~2", case);
    let no_merges = ["--no-merges"];
    assert_audit_as_git_log(repo, env, &[], &[&no_merges[..], &["HEAD"]].concat(), case);
    let range = ["--range", "topic...HEAD"];
    let merge_base = merge_base.trim();
    let log_range = format!("{merge_base}..HEAD");
    assert_audit_as_git_log(
        repo,
        env,
        &range,
        &[&no_merges[..], &[&log_range]].concat(),
        case,
    );
    let first_parent = ["--first-parent", "--diff-merges=first-parent", "HEAD"];
    assert_audit_as_git_log(repo, env, &["--first-parent"], &first_parent, case);
}

#[test]
fn a_replaced_commit_with_other_parents_reads_as_git_reads_it() {
    let (repo, ids) = history();
    repo.git(&["replace", "--graft", &ids["four"], &ids["two"]]);
    assert_reads_as_git(&repo, &[], "replaced commit");
    // Three leaves main's history, and the merge-base of topic moves to two.
    let merge_base = git_env(&repo, &[], &["merge-base", "topic", "HEAD"]);
    assert_eq!(merge_base.trim(), ids["two"]);
    // Read as stored, as git does, where replace refs are off.
    assert_reads_as_git(
        &repo,
        &[("GIT_NO_REPLACE_OBJECTS", "1")],
        "GIT_NO_REPLACE_OBJECTS",
    );
    repo.git(&["config", "core.useReplaceRefs", "false"]);
    assert_reads_as_git(&repo, &[], "core.useReplaceRefs = false");
}

/// Packs every ref, and removes the directory of loose refs `dir` it emptied, so that
/// only `packed-refs` names them.
fn pack_refs(repo: &Repo, dir: &str) {
    repo.git(&["pack-refs", "--all"]);
    let loose = repo.path().join(".git").join(dir);
    if loose.exists() {
        std::fs::remove_dir(&loose).expect("no loose ref left");
    }
}

#[test]
fn a_packed_replace_ref_reads_as_a_loose_one() {
    let (repo, ids) = history();
    repo.git(&["replace", "--graft", &ids["four"], &ids["two"]]);
    pack_refs(&repo, "refs/replace");
    assert_reads_as_git(&repo, &[], "packed replace ref");
    // Under another base, packed too.
    let target = repo.rev(&format!("refs/replace/{}", ids["four"]));
    repo.git(&[
        "update-ref",
        &format!("refs/moved/{}", ids["four"]),
        &target,
    ]);
    repo.git(&["update-ref", "-d", &format!("refs/replace/{}", ids["four"])]);
    pack_refs(&repo, "refs/moved");
    let base = [("GIT_REPLACE_REF_BASE", "refs/moved/")];
    assert_reads_as_git(&repo, &base, "GIT_REPLACE_REF_BASE, packed");
}

#[test]
fn a_replace_ref_packed_among_many_reads_as_git_reads_it_sorted_or_not() {
    let (repo, ids) = history();
    repo.git(&["replace", "--graft", &ids["four"], &ids["two"]]);
    // 3,000 refs around it, sorting before and after: `packed-refs` spans many blocks.
    let head = format!("{}\n", repo.rev("HEAD"));
    for i in 0..3000 {
        let name = ["heads/many", "pull", "tags/t", "zzz/late"][i % 4];
        let file = repo.path().join(format!(".git/refs/{name}-{i}"));
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(file, &head).expect("write");
    }
    pack_refs(&repo, "refs/replace");
    let packed = repo.path().join(".git/packed-refs");
    let text = std::fs::read_to_string(&packed).expect("packed-refs");
    assert!(text.starts_with("# pack-refs with:") && text.len() > 100_000);
    assert_eq!(repo.git(&["replace", "-l"]).trim(), ids["four"]);
    assert_reads_as_git(&repo, &[], "packed among many, sorted");
    // The same records in reverse order, under a header without `sorted`.
    let mut records: Vec<&str> = text.lines().skip(1).collect();
    assert!(records.iter().all(|line| !line.starts_with('^')));
    records.reverse();
    std::fs::write(
        &packed,
        format!(
            "# pack-refs with: peeled fully-peeled \n{}\n",
            records.join("\n")
        ),
    )
    .expect("write");
    assert_eq!(repo.git(&["replace", "-l"]).trim(), ids["four"]);
    assert_reads_as_git(&repo, &[], "packed among many, unsorted");
}

#[test]
fn a_chain_of_replacements_is_followed_as_git_follows_it_under_any_ref_base() {
    let (repo, ids) = history();
    // four → a copy with parent two → a copy of that with parent one.
    repo.git(&["replace", "--graft", &ids["four"], &ids["two"]]);
    let first = repo.rev(&format!("refs/replace/{}", ids["four"]));
    repo.git(&["replace", "--graft", &first, &ids["one"]]);
    assert_reads_as_git(&repo, &[], "chain of replacements");
    // The same refs under another base, which only GIT_REPLACE_REF_BASE names.
    for id in [&ids["four"], &first] {
        let target = repo.rev(&format!("refs/replace/{id}"));
        repo.git(&["update-ref", &format!("refs/moved/{id}"), &target]);
        repo.git(&["update-ref", "-d", &format!("refs/replace/{id}")]);
    }
    assert_reads_as_git(&repo, &[], "replace refs moved away");
    let base = [("GIT_REPLACE_REF_BASE", "refs/moved/")];
    assert_reads_as_git(&repo, &base, "GIT_REPLACE_REF_BASE");
}

#[test]
fn a_replace_loop_is_an_error_naming_it_as_git_refuses_it() {
    let (repo, ids) = history();
    // update-ref writes what `git replace` would refuse: four → three → four.
    let (four, three) = (&ids["four"], &ids["three"]);
    repo.git(&["update-ref", &format!("refs/replace/{four}"), three]);
    repo.git(&["update-ref", &format!("refs/replace/{three}"), four]);
    let git = repo
        .git_command(&["log", "-1", four])
        .output()
        .expect("git");
    assert!(String::from_utf8_lossy(&git.stderr).contains("replace depth too high"));
    // Read by lockstep's own reader (the history walk), the error names the object.
    let output = repo.lockstep().args(["audit"]).exits(2);
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(
        text.contains("lockstep::git::replace_depth") && text.contains(four.as_str()),
        "{text}"
    );
    // Where git resolves the revision, git's own reason.
    let output = repo.lockstep().args(["check", "--commit", four]).exits(2);
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("replace depth too high"), "{text}");
}

#[test]
fn a_replaced_tree_reads_as_git_reads_it() {
    let (repo, ids) = history();
    // four's `dir` becomes a tree with another x.txt and an extra file.
    let dir = repo.rev(&format!("{}:dir", ids["four"]));
    let (x, extra) = (blob(&repo, "x, replaced\n"), blob(&repo, "extra\n"));
    let listing = format!("100644 blob {extra}\textra.txt\n100644 blob {x}\tx.txt\n");
    let replacement = git_with_input(&repo, &["mktree"], &listing);
    repo.git(&["replace", &dir, &replacement]);
    let shown = git_env(&repo, &[], &["diff", "--name-only", "HEAD~3", "HEAD"]);
    assert!(
        shown.contains("dir/extra.txt"),
        "git reads the replacement: {shown}"
    );
    assert_reads_as_git(&repo, &[], "replaced tree");
    // In the work tree too: git status reads HEAD's tree through the replacement.
    repo.write("b.txt", "b, edited\n");
    let output = repo
        .lockstep()
        .args(["check", "--format", "json"])
        .output()
        .expect("runs");
    let report = json(&output);
    let mut named: Vec<&str> = report["findings"][0]["triggered_by"]
        .as_array()
        .expect("triggered_by")
        .iter()
        .map(|t| t["path"].as_str().expect("path"))
        .collect();
    named.sort_unstable();
    let git = git_env(&repo, &[], &["diff", "--name-only", "HEAD"]);
    assert_eq!(named, git.lines().collect::<Vec<_>>(), "{report}");
}

#[test]
fn a_replaced_blob_reads_as_git_reads_it() {
    let (repo, ids) = history();
    // six's a.txt reads with line 5 changed too: git's first changed line moves up.
    let stored = repo.rev(&format!("{}:a.txt", ids["six"]));
    let replacement = blob(&repo, &a_txt(&[(3, "three"), (5, "five"), (7, "six")]));
    repo.git(&["replace", &stored, &replacement]);
    let first = git_diff(&repo, &[], "HEAD~1..HEAD");
    assert_eq!(first["a.txt"], ('M', 5), "git reads the replacement");
    assert_reads_as_git(&repo, &[], "replaced blob");
    // The rule set of a revision is read through replacements too.
    let rules = repo.rev(&format!("{}:lockstep.toml", ids["six"]));
    let replaced_rules = blob(
        &repo,
        &support::EVERY_PATH_RULES.replace("[\"**\"]", "[\"none/**\"]"),
    );
    repo.git(&["replace", &rules, &replaced_rules]);
    let output = repo
        .lockstep()
        .args([
            "check",
            "--format",
            "json",
            "--commit",
            "HEAD",
            "--config-from",
            "head",
        ])
        .output()
        .expect("runs");
    let report = json(&output);
    assert_eq!(
        report["findings"].as_array().map(Vec::len),
        Some(0),
        "{report}"
    );
}

#[test]
fn grafts_read_as_git_reads_them() {
    let (repo, ids) = history();
    repo.write(
        ".git/info/grafts",
        format!("{} {}\n", ids["four"], ids["two"]),
    );
    assert_reads_as_git(&repo, &[], "info/grafts");
    let merge_base = git_env(&repo, &[], &["merge-base", "topic", "HEAD"]);
    assert_eq!(
        merge_base.trim(),
        ids["two"],
        "the graft moves the merge-base"
    );
    // A graft file elsewhere, named by GIT_GRAFT_FILE.
    let elsewhere = repo.home().join("grafts");
    std::fs::rename(repo.path().join(".git/info/grafts"), &elsewhere).expect("move");
    let env = [("GIT_GRAFT_FILE", elsewhere.to_str().expect("UTF-8 path"))];
    assert_reads_as_git(&repo, &env, "GIT_GRAFT_FILE");
}
