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

use std::rc::Rc;

use lockstep::change::{Change, Content, Contents, Status};
use lockstep::rules::RuleSet;
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

/// The rules of `builtin:PACK` that editing `path` from `old` to `new` triggers, judged
/// in memory as `check` judges it, each with the line its finding shows.
pub fn fired(pack: &str, path: &str, old: &str, new: &str) -> Vec<(String, Option<u32>)> {
    let rules = RuleSet::from_toml(&format!("version = 1\nextends = [\"builtin:{pack}\"]\n"))
        .expect("the pack compiles");
    let blob = |id: u8| Content::Object {
        id: [id; 20],
        mode: 0o100644,
    };
    let mut change = Change::new(path, Status::Modified);
    change.old = Some(blob(1));
    change.new = Some(blob(2));
    change.lines =
        Some(lockstep::git::diff_lines(path, old.as_bytes(), new.as_bytes(), false).expect("diff"));
    change.contents = Some(Contents {
        old: Rc::from(old.as_bytes()),
        new: Rc::from(new.as_bytes()),
    });
    let changes = [change];
    let findings = rules.evaluate(&rules.candidates(&changes), &changes);
    findings
        .into_iter()
        .map(|f| (f.rule, f.triggered_by[0].line))
        .collect()
}

/// Whether the edit triggers a rule of `builtin:PACK`: `Some(line)` names the line the
/// first finding would show.
pub fn triggers(pack: &str, path: &str, old: &str, new: &str) -> Option<Option<u32>> {
    fired(pack, path, old, new)
        .into_iter()
        .next()
        .map(|(_, line)| line)
}

/// Runs each edit (`from` → `to` in `base`, at its first occurrence) of `path` through
/// [`fired`]; `must` says whether it triggers `rule` of `builtin:PACK`. Returns the
/// failures.
pub fn judge_edits(pack: &str, rule: &str, path: &str, base: &str, edits: &[Edit]) -> Vec<String> {
    edits
        .iter()
        .filter_map(|edit| {
            assert!(
                base.contains(edit.from),
                "not in the fixture: {}",
                edit.from
            );
            let new = base.replacen(edit.from, edit.to, 1);
            let fired = fired(pack, path, base, &new);
            let hit = fired.iter().find(|(id, _)| id == rule);
            (hit.is_some() != edit.must).then(|| {
                format!(
                    "{}: {:?} -> {:?} (fired {fired:?})",
                    verb(edit.must),
                    edit.from,
                    edit.to
                )
            })
        })
        .collect()
}

/// Edits `old` to `new` at each path; `must` says whether that triggers `rule` of
/// `builtin:PACK` there. Returns the failures.
pub fn judge_paths(
    pack: &str,
    rule: &str,
    (old, new): (&str, &str),
    paths: &[(&str, bool)],
) -> Vec<String> {
    paths
        .iter()
        .filter_map(|&(path, must)| {
            let fired = fired(pack, path, old, new);
            let hit = fired.iter().any(|(id, _)| id == rule);
            (hit != must).then(|| format!("{}: {path} (fired {fired:?})", verb(must)))
        })
        .collect()
}

fn verb(must: bool) -> &'static str {
    if must {
        "must trigger"
    } else {
        "must not trigger"
    }
}

/// One realistic edit of a fixture file.
pub struct Edit {
    pub from: &'static str,
    pub to: &'static str,
    pub must: bool,
}

/// An edit that must trigger the pack.
pub const fn must(from: &'static str, to: &'static str) -> Edit {
    Edit {
        from,
        to,
        must: true,
    }
}

/// An edit that must not trigger the pack.
pub const fn must_not(from: &'static str, to: &'static str) -> Edit {
    Edit {
        from,
        to,
        must: false,
    }
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
