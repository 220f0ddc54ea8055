//! The command line itself: help texts (snapshots, so a flag change is a visible diff),
//! version, colour, and usage errors.

mod support;

use support::{API_RULES, Repo};

fn help(args: &[&str]) -> String {
    let repo = Repo::new();
    let output = repo
        .lockstep()
        .args(args)
        .arg("--help")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn top_level_help() {
    insta::assert_snapshot!(help(&[]));
}

#[test]
fn every_subcommand_help() {
    for command in [
        "check",
        "audit",
        "suggest",
        "validate",
        "explain",
        "graph",
        "init",
        "install",
        "uninstall",
        "completions",
        "man",
    ] {
        insta::assert_snapshot!(format!("{command}-help"), help(&[command]));
    }
}

#[test]
fn version_names_the_package_version() {
    let repo = Repo::new();
    let output = repo.lockstep().arg("--version").output().expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("lockstep {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn unknown_subcommands_and_flags_are_usage_errors() {
    let repo = Repo::new();
    repo.lockstep().arg("frobnicate").assert().code(2);
    repo.lockstep()
        .args(["check", "--no-such-flag"])
        .assert()
        .code(2);
}

fn violating_repo() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", API_RULES)
        .write("services/payments/api/a.proto", "service A {}\n");
    repo.git(&["add", "-A"]);
    repo
}

#[test]
fn colour_only_when_asked_or_on_a_terminal_without_no_color() {
    let repo = violating_repo();
    let plain = repo
        .lockstep()
        .args(["check", "--staged"])
        .output()
        .expect("runs");
    assert!(
        !plain.stdout.contains(&0x1b),
        "no escape codes when stdout is not a terminal"
    );
    let coloured = repo
        .lockstep()
        .args(["check", "--staged", "--color", "always"])
        .output()
        .expect("runs");
    assert!(coloured.stdout.contains(&0x1b), "--color always colours");
    let never = repo
        .lockstep()
        .args(["check", "--staged", "--color", "never"])
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert!(!never.stdout.contains(&0x1b));
}
