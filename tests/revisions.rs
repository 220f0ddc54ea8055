//! Revisions with `~N` and `^N` steps, and merge-bases, on generated histories with
//! merges (criss-cross ones and commits dated before their parents among them):
//! lockstep's answers compared with `git rev-parse` and `git merge-base`.

mod support;

use support::{Exits, Repo};

/// Rules no change of these histories triggers: every check exits 0.
const QUIET_RULES: &str = r#"version = 1

[[rule]]
id = "never"
when = ["never/**"]
then = [{ kind = "docs", paths = ["never.md"] }]
"#;

/// `main` (checked out) with two merges (one of them of a branch that merged `main` in between), a
/// branch `cross` whose merge with `main` is criss-cross, an annotated tag, a branch
/// tracking `main` as its upstream, and commits dated before their parents.
fn history() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", QUIET_RULES);
    repo.commit("root");
    for n in 1..=3 {
        repo.write("main.txt", format!("{n}\n"))
            .commit(&format!("main {n}"));
    }
    repo.git(&["branch", "side"]);
    repo.git(&["branch", "cross"]);
    repo.write("main.txt", "4\n").commit("main 4");
    repo.git(&["checkout", "-q", "side"]);
    repo.write("side.txt", "1\n").commit("side 1");
    // Older than its parent: a clock set wrong.
    repo.write("side.txt", "2\n")
        .commit_at("side 2, skewed", "2025-06-01T00:00:00Z");
    repo.git(&["merge", "-q", "--no-ff", "-m", "main into side", "main"]);
    repo.write("side.txt", "3\n").commit("side 3");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "-m", "side into main", "side"]);
    repo.git(&["tag", "-a", "-m", "v1", "v1"]);
    repo.write("main.txt", "5\n").commit("main 5");
    // Criss-cross: `cross` and `main` each merge the other's earlier head.
    repo.git(&["checkout", "-q", "cross"]);
    repo.write("cross.txt", "1\n").commit("cross 1");
    let cross_one = repo.rev("HEAD");
    repo.git(&["checkout", "-q", "main"]);
    let main_five = repo.rev("HEAD");
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "cross into main",
        &cross_one,
    ]);
    repo.write("main.txt", "6\n").commit("main 6");
    repo.git(&["checkout", "-q", "cross"]);
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "main into cross",
        &main_five,
    ]);
    repo.write("cross.txt", "2\n").commit("cross 2");
    repo.git(&["checkout", "-q", "-b", "follower", "main"]);
    repo.git(&["branch", "-q", "--set-upstream-to=main"]);
    repo.write("follower.txt", "1\n").commit("follower 1");
    repo.git(&["checkout", "-q", "main"]);
    repo
}

/// What `check --commit SPEC` took SPEC to name, or its exit code when it failed.
fn lockstep_commit(repo: &Repo, spec: &str) -> Result<String, i32> {
    let output = repo
        .lockstep()
        .args(["check", "--format", "json", "--commit", spec])
        .output()
        .expect("lockstep runs");
    match output.status.code() {
        Some(0) => {
            let report = support::stdout_json(&output);
            Ok(report["diff"]["head"].as_str().expect("head").to_owned())
        }
        code => Err(code.unwrap_or(-1)),
    }
}

fn git_rev_parse(repo: &Repo, spec: &str) -> Option<String> {
    let output = repo
        .git_command(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{spec}^{{commit}}"),
        ])
        .output()
        .expect("git runs");
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Runs `check` on the history, then again once a commit-graph describes it.
fn with_and_without_a_commit_graph(check: impl Fn(&Repo)) {
    let repo = history();
    check(&repo);
    repo.git(&["commit-graph", "write", "--reachable"]);
    check(&repo);
}

#[test]
fn steps_after_a_name_reach_the_commits_git_names() {
    with_and_without_a_commit_graph(steps_reach_what_git_names);
}

fn steps_reach_what_git_names(repo: &Repo) {
    let specs = [
        "HEAD~0",
        "HEAD~",
        "HEAD~1",
        "HEAD~2",
        "HEAD~5",
        "HEAD^",
        "HEAD^0",
        "HEAD^1",
        "HEAD^^2",
        "HEAD~1^2",
        "HEAD~3^2",
        "HEAD~3^2~1",
        "HEAD~3^2~1^2",
        "main~1^2~2",
        "main~01",
        "side~1^2~1",
        "cross~1^2",
        "v1^2",
        "v1~1",
        "v1^0",
        "follower@{u}~1",
        "follower@{u}^^2",
        "follower@{upstream}~2",
        "HEAD~1^{commit}~1",
    ];
    for spec in specs {
        let git = git_rev_parse(repo, spec).unwrap_or_else(|| panic!("git resolves {spec}"));
        assert_eq!(lockstep_commit(repo, spec), Ok(git), "{spec}");
    }
}

#[test]
fn steps_past_the_root_or_the_parents_fail_as_in_git() {
    let repo = history();
    for spec in ["HEAD~40", "HEAD^3", "main~1^3", "HEAD~2^2~30"] {
        assert_eq!(git_rev_parse(&repo, spec), None, "{spec}");
        assert_eq!(lockstep_commit(&repo, spec), Err(2), "{spec}");
    }
}

#[test]
fn merge_bases_are_the_ones_git_prints() {
    with_and_without_a_commit_graph(merge_bases_are_gits);
}

fn merge_bases_are_gits(repo: &Repo) {
    let names = [
        "main", "side", "cross", "follower", "v1", "HEAD~3", "side~2", "cross~1",
    ];
    for base in names {
        for head in names {
            let git = repo.git(&["merge-base", base, head]).trim().to_owned();
            let output = repo
                .lockstep()
                .args(["check", "--format", "json", "--base", base, "--head", head])
                .exits(0);
            let report = support::stdout_json(&output);
            assert_eq!(
                report["diff"]["base"],
                git.as_str(),
                "--base {base} --head {head}"
            );
        }
    }
}
