//! lockstep never writes the index, the work tree or refs: every byte is the same after
//! each read-only mode, even while another git process holds the index lock.

mod support;

use support::{API_RULES, Repo};

fn busy_repo() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", API_RULES)
        .write("services/payments/api/a.proto", "service A {}\n")
        .write("docs/payments/api.md", "# API\n");
    repo.commit("initial");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(
        "services/payments/api/a.proto",
        "service A { rpc X(Y) returns (Z); }\n",
    );
    repo.commit("feature");
    // Staged, unstaged and untracked changes, so every mode has something to read.
    repo.write("services/payments/api/b.proto", "service B {}\n");
    repo.git(&["add", "-A"]);
    repo.write("docs/payments/api.md", "# API (draft)\n")
        .write("notes.txt", "untracked\n");
    repo
}

#[test]
fn every_check_mode_leaves_the_repository_byte_identical() {
    let repo = busy_repo();
    let before = repo.state();
    let modes: [&[&str]; 7] = [
        &[],
        &["--staged"],
        &["--base", "main"],
        &["--range", "main..feature"],
        &["--range", "main...feature", "--per-commit"],
        &["--commit", "HEAD"],
        &["--staged", "--format", "json", "--config-from", "head"],
    ];
    for mode in modes {
        let output = repo
            .lockstep()
            .arg("check")
            .args(mode)
            .output()
            .expect("runs");
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{mode:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            repo.state() == before,
            "check {mode:?} changed the repository"
        );
    }
}

#[test]
fn reads_work_while_another_process_holds_the_index_lock() {
    let repo = busy_repo();
    std::fs::write(repo.path().join(".git/index.lock"), b"").expect("lock");
    let before = repo.state();
    repo.lockstep().args(["check", "--staged"]).assert().code(1);
    repo.lockstep().arg("check").assert().code(1);
    assert!(repo.state() == before);
}
