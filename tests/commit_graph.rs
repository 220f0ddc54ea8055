//! Audits read the commit-graph where git reads it (single file or split chain, with
//! or without changed-path filters) and report exactly what they report without it;
//! where git does not read it (`core.commitGraph = false`, grafts, replace refs, a
//! shallow clone) or it is damaged, neither does lockstep.

mod support;

use std::path::PathBuf;

use sha1::{Digest, Sha1};
use support::Repo;

const RULES: &str = r#"version = 1

[[rule]]
id = "api"
when = ["api/**"]
then = ["docs/api.md"]
"#;

/// Commits on `branch` (created from HEAD when new), each editing the API alone: a
/// miss each, so the misses list shows the audit's order.
fn edits(repo: &Repo, branch: &str, names: &[&str]) {
    repo.git(&["checkout", "-q", "-B", branch]);
    for name in names {
        repo.write(&format!("api/{branch}"), format!("{name}\n"));
        repo.commit(name);
    }
}

/// Branches, a merge and an octopus merge (three parents: the graph's EDGE list);
/// `between` runs halfway through.
fn history(between: impl Fn(&Repo)) -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", RULES)
        .write("docs/api.md", "# API\n");
    repo.commit("root");
    for branch in ["a", "b", "c"] {
        repo.git(&["checkout", "-q", "main"]);
        edits(
            &repo,
            branch,
            &[&format!("{branch} 1"), &format!("{branch} 2")],
        );
    }
    repo.git(&["checkout", "-q", "main"]);
    edits(&repo, "main", &["main 1"]);
    repo.git(&["merge", "-q", "--no-ff", "-m", "octopus", "a", "b", "c"]);
    between(&repo);
    edits(&repo, "d", &["d 1", "d 2"]);
    repo.git(&["checkout", "-q", "main"]);
    edits(&repo, "main", &["main 2"]);
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge d", "d"]);
    edits(&repo, "main", &["main 3"]);
    repo
}

fn audit(repo: &Repo, args: &[&str]) -> String {
    let output = repo
        .lockstep()
        .args(["audit", "--format", "json"])
        .args(args)
        .output()
        .expect("run lockstep");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// What the audits of a few windows say.
fn audits(repo: &Repo) -> Vec<String> {
    [
        &[][..],
        &["--first-parent"],
        &["--since", "2026-01-01", "--until", "2026-01-01"],
        &["--range", "main~2..main"],
        &["-j", "1"],
    ]
    .iter()
    .map(|args| audit(repo, args))
    .collect()
}

fn units(json: &str) -> u64 {
    let json: serde_json::Value = serde_json::from_str(json).expect("JSON");
    json["range"]["units"].as_u64().expect("units")
}

fn info(repo: &Repo) -> PathBuf {
    repo.path().join(".git/objects/info")
}

fn remove_graphs(repo: &Repo) {
    let info = info(repo);
    let _ = std::fs::remove_file(info.join("commit-graph"));
    let _ = std::fs::remove_dir_all(info.join("commit-graphs"));
}

#[test]
fn every_kind_of_commit_graph_gives_the_audit_it_reads_without_one() {
    let repo = history(|_| {});
    let without = audits(&repo);
    let log = repo.git(&["log", "--no-merges", "--format=%H"]);
    assert_eq!(units(&without[0]), log.lines().count() as u64);
    for options in [&[][..], &["--changed-paths"]] {
        remove_graphs(&repo);
        let mut write = vec!["commit-graph", "write", "--reachable"];
        write.extend_from_slice(options);
        repo.git(&write);
        assert!(info(&repo).join("commit-graph").is_file());
        assert_eq!(audits(&repo), without, "{options:?}");
    }
}

#[test]
fn a_split_commit_graph_chain_reads_as_one() {
    let written = |repo: &Repo| {
        repo.git(&["commit-graph", "write", "--reachable", "--split"]);
    };
    let repo = history(written);
    let without = {
        let info = info(&repo);
        let chain = info.join("commit-graphs");
        std::fs::rename(&chain, info.join("aside")).expect("set aside");
        let without = audits(&repo);
        std::fs::rename(info.join("aside"), &chain).expect("put back");
        without
    };
    // A second layer, not merged into the first: its parents are in the base.
    repo.git(&[
        "commit-graph",
        "write",
        "--reachable",
        "--split=no-merge",
        "--changed-paths",
    ]);
    let chain = std::fs::read_to_string(info(&repo).join("commit-graphs/commit-graph-chain"))
        .expect("a chain");
    assert_eq!(chain.lines().count(), 2, "{chain}");
    assert_eq!(audits(&repo), without);
}

/// The offsets of the chunks `ids` in a commit-graph file.
fn chunk(bytes: &[u8], id: &[u8; 4]) -> usize {
    let count = usize::from(bytes[6]);
    (0..count)
        .map(|i| 8 + 12 * i)
        .find(|&at| &bytes[at..at + 4] == id)
        .map(|at| {
            let offset: [u8; 8] = bytes[at + 4..at + 12].try_into().expect("8 bytes");
            usize::try_from(u64::from_be_bytes(offset)).expect("an offset")
        })
        .expect("the chunk")
}

/// Rewrites the single commit-graph file so that it records `commit` as a root (its
/// checksum made to match): a graph that disagrees with the commits, to show who reads
/// which.
fn record_as_root(repo: &Repo, commit: &str) {
    let path = info(repo).join("commit-graph");
    let mut bytes = std::fs::read(&path).expect("a commit-graph");
    let id: Vec<u8> = (0..20)
        .map(|i| u8::from_str_radix(&commit[2 * i..2 * i + 2], 16).expect("hex"))
        .collect();
    let (ids, rows) = (chunk(&bytes, b"OIDL"), chunk(&bytes, b"CDAT"));
    let row = (0..)
        .find(|row| bytes[ids + 20 * row..ids + 20 * row + 20] == id[..])
        .expect("the commit is in the graph");
    let parents = rows + 36 * row + 20;
    bytes[parents..parents + 8].copy_from_slice(&[0x70, 0, 0, 0, 0x70, 0, 0, 0]);
    let end = bytes.len() - 20;
    let sum = Sha1::digest(&bytes[..end]);
    bytes[end..].copy_from_slice(&sum);
    std::fs::remove_file(&path).expect("remove");
    std::fs::write(&path, bytes).expect("write");
}

/// A straight history of five edits, the graph saying the third is the root.
fn recorded_as_root() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", RULES)
        .write("docs/api.md", "# API\n");
    repo.commit("root");
    edits(&repo, "main", &["1", "2", "3", "4"]);
    repo.git(&["commit-graph", "write", "--reachable"]);
    record_as_root(&repo, &repo.rev("HEAD~2"));
    repo
}

fn git_log_count(repo: &Repo, config: &[&str]) -> u64 {
    let mut args = config.to_vec();
    args.extend_from_slice(&["log", "--no-merges", "--format=%H"]);
    repo.git(&args).lines().count() as u64
}

#[test]
fn the_listing_reads_parents_from_the_graph_as_git_log_does() {
    let repo = recorded_as_root();
    assert_eq!(git_log_count(&repo, &[]), 3, "git reads the graph");
    assert_eq!(units(&audit(&repo, &[])), 3);
}

#[test]
fn no_graph_is_read_where_git_reads_none() {
    let repo = recorded_as_root();
    let off = ["-c", "core.commitGraph=false"];
    assert_eq!(git_log_count(&repo, &off), 5);
    repo.git(&["config", "core.commitGraph", "false"]);
    assert_eq!(units(&audit(&repo, &[])), 5, "core.commitGraph = false");
    repo.git(&["config", "--unset", "core.commitGraph"]);

    // Any replace ref in effect, even of an object no commit uses.
    let blob = |text: &str| {
        repo.write("unused", text);
        let id = repo.git(&["hash-object", "-w", "unused"]);
        repo.remove("unused");
        id.trim().to_owned()
    };
    let (original, replacement) = (blob("original\n"), blob("replacement\n"));
    repo.git(&["replace", &original, &replacement]);
    assert_eq!(git_log_count(&repo, &[]), 5);
    assert_eq!(units(&audit(&repo, &[])), 5, "a replace ref");
    repo.git(&["replace", "-d", &original]);
    assert_eq!(units(&audit(&repo, &[])), 3, "the graph again");

    // Grafts: the one they name gets their parents, the others their own.
    let grafted = repo.rev("HEAD~1");
    std::fs::write(repo.path().join(".git/info/grafts"), format!("{grafted}\n")).expect("grafts");
    assert_eq!(git_log_count(&repo, &[]), 2);
    assert_eq!(units(&audit(&repo, &[])), 2, "grafts");
}

#[test]
fn a_shallow_clone_reads_no_graph() {
    let origin = recorded_as_root();
    let clone = origin.shallow_clone(2, &[]);
    let without = audit(&clone, &[]);
    let graph = info(&origin).join("commit-graph");
    std::fs::copy(graph, info(&clone).join("commit-graph")).expect("copy");
    assert_eq!(audit(&clone, &[]), without);
}

#[test]
fn a_damaged_commit_graph_is_left_unread() {
    let repo = recorded_as_root();
    let path = info(&repo).join("commit-graph");
    let bytes = std::fs::read(&path).expect("read");
    let damaged = |bytes: &[u8]| {
        std::fs::remove_file(&path).expect("remove");
        std::fs::write(&path, bytes).expect("write");
        units(&audit(&repo, &[]))
    };
    assert_eq!(damaged(&bytes), 3, "read while whole");
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 0x40;
    assert_eq!(damaged(&flipped), 5, "a checksum that does not match");
    assert_eq!(damaged(&bytes[..bytes.len() - 1]), 5, "truncated");
    assert_eq!(damaged(b"CGPH"), 5, "a header alone");
}

/// Commits on `branch` (created from `from` when given), each editing the API alone at
/// its date (git's formats).
fn dated_edits(repo: &Repo, branch: &str, from: Option<&str>, edits: &[(&str, &str)]) {
    match from {
        Some(from) => repo.git(&["checkout", "-q", "-B", branch, from]),
        None => repo.git(&["checkout", "-q", branch]),
    };
    for (name, date) in edits {
        repo.write(&format!("api/{branch}"), format!("{name}\n"));
        repo.commit_at(name, date);
    }
}

/// A history where one commit was made with a clock years behind, on top of commits
/// of 2024, and a branch that leads to some of them around it.
fn skewed() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", RULES)
        .write("docs/api.md", "# API\n");
    repo.commit_at("root", "2023-06-01T00:00:00+0000");
    dated_edits(
        &repo,
        "main",
        None,
        &[
            ("January", "2024-01-10T00:00:00+0000"),
            ("February", "2024-02-05T00:00:00+0000"),
            ("March, hidden", "2024-03-05T00:00:00+0000"),
            ("wrong clock", "2023-01-01T00:00:00+0000"),
            ("March", "2024-03-10T00:00:00+0000"),
        ],
    );
    dated_edits(
        &repo,
        "x",
        Some("main~3"),
        &[("from February", "2024-03-15T00:00:00+0000")],
    );
    repo.git(&["checkout", "-q", "main"]);
    let merged = repo
        .git_command(&["merge", "-q", "--no-ff", "-m", "merge x", "x"])
        .env("GIT_AUTHOR_DATE", "2024-03-20T00:00:00+0000")
        .env("GIT_COMMITTER_DATE", "2024-03-20T00:00:00+0000")
        .status()
        .expect("run git");
    assert!(merged.success());
    dated_edits(
        &repo,
        "main",
        None,
        &[("late March", "2024-03-25T00:00:00+0000")],
    );
    repo
}

/// The subjects `git log` lists with `args`, `--since` and `--until` given as days.
fn git_log_subjects(
    repo: &Repo,
    args: &[&str],
    since: Option<&str>,
    until: Option<&str>,
) -> Vec<String> {
    let mut log = vec!["log".to_owned(), "--format=%s".to_owned()];
    log.extend(args.iter().map(|&a| a.to_owned()));
    log.extend(since.map(|day| format!("--since={day} 00:00:00 +0000")));
    log.extend(until.map(|day| format!("--until={day} 23:59:59 +0000")));
    let log: Vec<&str> = log.iter().map(String::as_str).collect();
    let mut subjects: Vec<String> = repo.git(&log).lines().map(str::to_owned).collect();
    subjects.sort();
    subjects
}

/// The subjects of the misses of an audit.
fn missed_subjects(json: &serde_json::Value) -> Vec<String> {
    let mut subjects: Vec<String> = json["misses"]
        .as_array()
        .expect("misses")
        .iter()
        .map(|m| m["subject"].as_str().expect("a subject").to_owned())
        .collect();
    subjects.sort();
    subjects
}

/// An audit's options and the `git log` options that list its units.
struct Window<'a> {
    audit: &'a [&'a str],
    log: &'a [&'a str],
    since: Option<&'a str>,
    until: Option<&'a str>,
}

#[test]
fn an_audit_judges_the_commits_git_log_since_lists_past_a_wrong_clock() {
    let repo = skewed();
    let window = |since, until| Window {
        audit: &[],
        log: &["--no-merges"],
        since,
        until,
    };
    let windows = [
        window(None, None),
        window(Some("2024-03-01"), None),
        window(Some("2024-01-01"), Some("2024-03-09")),
        window(Some("2024-03-01"), Some("2024-03-31")),
        Window {
            audit: &["--first-parent"],
            log: &["--first-parent"],
            since: Some("2024-03-01"),
            until: None,
        },
    ];
    let mut without_graph = Vec::new();
    for graph in [false, true] {
        if graph {
            repo.git(&["commit-graph", "write", "--reachable"]);
        }
        for (at, window) in windows.iter().enumerate() {
            let mut args = window.audit.to_vec();
            args.extend(window.since.iter().flat_map(|day| ["--since", day]));
            args.extend(window.until.iter().flat_map(|day| ["--until", day]));
            let json: serde_json::Value = serde_json::from_str(&audit(&repo, &args)).expect("JSON");
            let listed = git_log_subjects(&repo, window.log, window.since, window.until);
            // The root commit edits no API: every other commit misses.
            let editing: Vec<String> = listed.iter().filter(|s| *s != "root").cloned().collect();
            assert_eq!(missed_subjects(&json), editing, "{args:?}, graph: {graph}");
            assert_eq!(json["range"]["units"], listed.len(), "{args:?}");
            if window.since.is_some() {
                let previous = &json["previous"];
                let [since, until] =
                    ["since", "until"].map(|key| previous[key].as_str().expect("a day"));
                let before = git_log_subjects(&repo, window.log, Some(since), Some(until));
                assert_eq!(previous["units"], before.len(), "{args:?}, graph: {graph}");
            }
            if graph {
                assert_eq!(json, without_graph[at], "{args:?}");
            } else {
                without_graph.push(json);
            }
        }
    }
    let hidden = git_log_subjects(&repo, &[], Some("2024-03-01"), None);
    assert!(!hidden.contains(&"March, hidden".to_owned()), "{hidden:?}");
}
