//! Each built-in rule pack on a fixture repository shaped the way the pack assumes, plus
//! how a user overrides and disables a pack's rules. One module per pack
//! (`rules/NAME.toml` ↔ `NAME.rs`).

#[path = "../support/mod.rs"]
mod support;

mod changelog;
mod migrations;
mod node;
mod openapi;
mod protobuf;
mod rust;
mod terraform;

use support::Repo;

/// A repository using `builtin:PACK` with `files` committed.
pub fn pack_repo(pack: &str, files: &[(&str, &str)]) -> Repo {
    let repo = Repo::new();
    repo.write(
        "lockstep.toml",
        format!("version = 1\nextends = [\"builtin:{pack}\"]\n"),
    );
    for (path, text) in files {
        repo.write(path, text);
    }
    repo.commit("initial");
    repo
}

/// Stages `files` and runs `check --staged`; returns (exit code, report).
pub fn check(repo: &Repo, files: &[(&str, &str)]) -> (i32, String) {
    for (path, text) in files {
        repo.write(path, text);
    }
    repo.git(&["add", "-A"]);
    let out = repo
        .lockstep()
        .args(["check", "--staged", "--deny", "warnings"])
        .output()
        .expect("runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

/// The pack validates cleanly on its own fixture.
pub fn validates(repo: &Repo) {
    repo.lockstep()
        .args(["validate", "--deny", "warnings"])
        .assert()
        .code(0);
}

const CARGO: &str =
    "[package]\nname = \"a\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = \"1.0\"\n";

#[test]
fn redefining_a_pack_rule_by_id_replaces_it() {
    let repo = pack_repo(
        "rust",
        &[("Cargo.toml", CARGO), ("Cargo.lock", "version = 4\n")],
    );
    repo.write(
        "lockstep.toml",
        "version = 1\nextends = [\"builtin:rust\"]\n\n[[rule]]\nid = \"rust-lockfile\"\nwhen = [\"Cargo.toml\"]\nseverity = \"info\"\nthen = [\"Cargo.lock\"]\n",
    );
    repo.commit("override");
    let (code, text) = check(
        &repo,
        &[(
            "Cargo.toml",
            &CARGO.replace("[package]", "[package]\ndescription = \"x\""),
        )],
    );
    assert_eq!(code, 0, "info does not fail: {text}");
    assert!(
        text.contains("rust-lockfile"),
        "the override (no `matching`) triggers on any edit: {text}"
    );
}

#[test]
fn settings_disable_turns_a_pack_rule_off() {
    let repo = pack_repo(
        "rust",
        &[("Cargo.toml", CARGO), ("Cargo.lock", "version = 4\n")],
    );
    let edit = CARGO.replace("serde = \"1.0\"", "serde = \"1.1\"");
    let (code, _) = check(&repo, &[("Cargo.toml", &edit)]);
    assert_eq!(code, 1, "on by default");
    repo.git(&["reset", "-q", "--hard"]);
    repo.write(
        "lockstep.toml",
        "version = 1\nextends = [\"builtin:rust\"]\n\n[settings]\ndisable = [\"rust-lockfile\"]\n",
    );
    repo.commit("disable");
    let (code, text) = check(&repo, &[("Cargo.toml", &edit)]);
    assert_eq!(code, 0, "{text}");
    repo.lockstep()
        .args(["explain", "Cargo.toml"])
        .assert()
        .code(0)
        .stdout("Cargo.toml\n  no rule mentions this path\n");
}
