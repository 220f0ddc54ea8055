//! An audit diffs each unit only in the directories its rules look at, and again in full
//! when that part holds a file that could trigger a rule: what it reports is what a full
//! diff of every unit gives, except that a unit too large to judge is counted only when
//! it could have triggered something. Through the real binary.

mod support;

use serde_json::Value;
use support::{Repo, json_report};

/// Rules that look under `src/api/` and `docs/api/` only; four files at most a unit.
const RULES: &str = r#"version = 1

[settings]
max_files = 4

[[rule]]
id = "api"
when = ["src/api/{name}.rs"]
then = ["docs/api/{name}.md"]
"#;

/// A rule whose `when` lies at the root: no part of a tree is out of its sight.
const ROOT_RULE: &str = r#"
[[rule]]
id = "changelog"
when = ["**/*.toml"]
then = ["CHANGELOG.md"]
"#;

/// A rule on files at the root, named in full: they are all it sees there.
const MANIFEST_RULE: &str = r#"
[[rule]]
id = "manifest"
when = ["Cargo.toml"]
then = ["CHANGELOG.md"]
"#;

/// The history every test audits, with `rules` as its rule set; commit ids, oldest
/// first. Units, one a day or so:
/// 0. the API and its docs: `api[a]` satisfied;
/// 1. five files outside the area: more than `max_files`, nothing to trigger;
/// 2. an exact move from outside the area into it: no case;
/// 3. `src/api/a.rs` without its docs: missed;
/// 4. the docs of `a` and a test: the miss is fixed later;
/// 5. `src/api/b.rs` and four files beside the directories on the way to the area:
///    too large to judge.
fn history(rules: &str) -> (Repo, Vec<String>) {
    let repo = Repo::new();
    let mut ids = Vec::new();
    repo.write("lockstep.toml", rules)
        .write("src/api/a.rs", "fn a() {}\n")
        .write("docs/api/a.md", "# a\n");
    ids.push(repo.commit_at("Initial", "2026-01-05T10:00:00+0000"));
    repo.write("src/main.rs", "fn main() {}\n")
        .write("src/apiary/bee.rs", "fn bee() {}\n")
        .write("tests/t.rs", "1\n")
        .write("legacy/b.rs", "fn b() {}\n")
        .write("README.md", "# readme\n");
    ids.push(repo.commit_at("Outside only", "2026-01-10T10:00:00+0000"));
    repo.remove("legacy/b.rs")
        .write("src/api/b.rs", "fn b() {}\n");
    ids.push(repo.commit_at("Move b into the API", "2026-01-15T10:00:00+0000"));
    repo.write("src/api/a.rs", "fn a() -> u8 { 1 }\n");
    ids.push(repo.commit_at("Change a", "2026-01-20T10:00:00+0000"));
    repo.write("docs/api/a.md", "# a\nreturns 1\n")
        .write("tests/t.rs", "3\n");
    ids.push(repo.commit_at("Document a", "2026-01-25T10:00:00+0000"));
    repo.write("src/api/b.rs", "fn b() -> u8 { 2 }\n")
        .write("src/main.rs", "fn main() { b() }\n")
        .write("src/lib.rs", "pub mod api;\n")
        .write("NOTES.md", "b\n")
        .write("README.md", "# readme\nand more\n");
    ids.push(repo.commit_at("Change b among many", "2026-01-30T10:00:00+0000"));
    (repo, ids)
}

/// The audit's JSON report with `args`: every audit here exits 0.
fn json(repo: &Repo, args: &[&str]) -> Value {
    json_report(repo, &[&["audit"], args].concat(), 0)
}

/// (triggered, satisfied, not applicable, missed, fixed later) of rule `id`.
fn counts(json: &Value, id: &str) -> [u64; 5] {
    let row = json["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|row| row["rule"] == id)
        .unwrap_or_else(|| panic!("no row for {id}: {json}"));
    [
        "triggered",
        "satisfied",
        "not_applicable",
        "missed",
        "fixed_later",
    ]
    .map(|key| row[key].as_u64().expect("a count"))
}

#[test]
fn a_unit_outside_the_area_is_a_unit_with_no_case() {
    let (repo, _) = history(RULES);
    let json = json(&repo, &["--until", "2026-01-10"]);
    assert_eq!(json["range"]["units"], 2);
    assert_eq!(json["range"]["ignored"], 0);
    assert_eq!(json["months"][0]["units"], 2);
    assert_eq!(
        counts(&json, "api"),
        [1, 1, 0, 0, 0],
        "the root commit only"
    );
}

#[test]
fn a_unit_over_max_files_that_triggers_nothing_is_judged_not_counted() {
    let (repo, _) = history(RULES);
    let json = json(&repo, &["--until", "2026-01-10"]);
    assert_eq!(json["range"]["too_large"], 0, "{json}");
}

#[test]
fn a_unit_over_max_files_that_could_trigger_is_too_large_however_few_are_in_the_area() {
    let (repo, _) = history(RULES);
    let json = json(&repo, &["--since", "2026-01-30"]);
    assert_eq!(json["range"]["units"], 1);
    assert_eq!(json["range"]["too_large"], 1, "{json}");
    assert_eq!(counts(&json, "api"), [0; 5]);
}

#[test]
fn an_exact_move_into_the_area_does_not_trigger() {
    let (repo, _) = history(RULES);
    let json = json(&repo, &["--since", "2026-01-15", "--until", "2026-01-15"]);
    assert_eq!(json["range"]["units"], 1);
    assert_eq!(counts(&json, "api"), [0; 5], "{json}");
}

#[test]
fn a_companion_changed_by_a_later_unit_that_triggers_nothing_fixes_a_miss() {
    let (repo, ids) = history(RULES);
    let json = json(&repo, &[]);
    assert_eq!(json["range"]["units"], 6);
    assert_eq!(counts(&json, "api"), [2, 1, 0, 1, 1]);
    let miss = &json["misses"][0];
    assert_eq!(miss["commit"], ids[3].as_str());
    assert_eq!(miss["status"], "fixed-later");
    assert_eq!(miss["fixed_by"]["commit"], ids[4].as_str());
}

#[test]
fn rules_that_see_the_root_count_every_unit_over_max_files() {
    let (repo, _) = history(&format!("{RULES}{ROOT_RULE}"));
    let json = json(&repo, &[]);
    assert_eq!(json["range"]["too_large"], 2, "{json}");
    assert_eq!(counts(&json, "api"), [2, 1, 0, 1, 1]);
    // The root rule left out by `--rule`: only the API's directories are seen.
    let json = self::json(&repo, &["--rule", "api"]);
    assert_eq!(json["range"]["too_large"], 1, "{json}");
}

#[test]
fn files_named_in_full_at_the_root_are_seen_without_seeing_the_whole_tree() {
    let (repo, ids) = history(&format!("{RULES}{MANIFEST_RULE}"));
    repo.write("Cargo.toml", "[package]\n")
        .write("CHANGELOG.md", "# Changes\n");
    repo.commit_at("A manifest", "2026-02-01T10:00:00+0000");
    repo.write("Cargo.toml", "[package]\nname = \"x\"\n")
        .write("tests/t.rs", "5\n");
    let missed = repo.commit_at("Name the package", "2026-02-05T10:00:00+0000");
    repo.write("CHANGELOG.md", "# Changes\n- named\n")
        .write("tests/t.rs", "6\n")
        .write("tests/u.rs", "3\n")
        .write("src/main.rs", "fn main() { go() }\n")
        .write("README.md", "# readme\nnamed\n");
    let fix = repo.commit_at("Note the name", "2026-02-10T10:00:00+0000");
    let json = json(&repo, &[]);
    assert_eq!(json["range"]["units"], 9);
    assert_eq!(json["range"]["too_large"], 1, "{json}");
    assert_eq!(counts(&json, "api"), [2, 1, 0, 1, 1]);
    assert_eq!(counts(&json, "manifest"), [2, 1, 0, 1, 1]);
    let miss = &json["misses"][1];
    assert_eq!(miss["commit"], missed.as_str());
    assert_eq!(miss["fixed_by"]["commit"], fix.as_str());
    assert_eq!(json["misses"][0]["commit"], ids[3].as_str());
}

#[test]
fn an_audit_that_reads_blocks_counts_every_unit_over_max_files() {
    let (repo, _) = history(RULES);
    repo.write(
        "tests/block.rs",
        "// LINT.IfChange\nfn f() {}\n// LINT.ThenChange(//src/main.rs)\n",
    );
    repo.commit_at("A block", "2026-02-01T10:00:00+0000");
    let json = json(&repo, &["--until", "2026-01-30"]);
    assert_eq!(json["range"]["too_large"], 2, "{json}");
    assert_eq!(counts(&json, "api"), [2, 1, 0, 1, 1]);
}

/// A history whose units move files across the area's edge among changes outside it
/// (so each is diffed again in full), with contents that pair in more than one way;
/// commit ids, oldest first. After the root commit (too large):
/// 1. `src/api/x.rs` moved out to `legacy/`, a test changed: no case;
/// 2. `a/dup.rs` and `src/api/dup.rs` (the same content) deleted, `src/api/new.rs`
///    added with it: the addition takes the deletion first in path order, outside
///    the area, so `dup` is deleted, a miss;
/// 3. `src/api/a.rs` and its docs changed, two files renamed outside the area: four
///    changes with the renames paired, as many as `max_files`: satisfied;
/// 4. the same and one more file changed outside: too large;
/// 5. `o.rs` deleted, `b/z.rs` and `src/api/z.rs` added with its content: `b/z.rs`
///    comes first and takes it, so `z` is added, a miss;
/// 6. `src/api/new.rs` moved out and `legacy/x.rs` moved in, at once: no case.
fn edge_history() -> (Repo, Vec<String>) {
    let repo = Repo::new();
    let move_file = |from: &str, to: &str| {
        let text = std::fs::read(repo.path().join(from)).expect("read");
        repo.remove(from).write(to, text);
    };
    let mut ids = Vec::new();
    repo.write("lockstep.toml", RULES)
        .write("src/api/a.rs", "fn a() {}\n")
        .write("docs/api/a.md", "# a\n")
        .write("src/api/x.rs", "fn x() {}\n")
        .write("docs/api/x.md", "# x\n")
        .write("src/api/dup.rs", "dup\n")
        .write("docs/api/dup.md", "# dup\n")
        .write("a/dup.rs", "dup\n")
        .write("tests/t.rs", "1\n")
        .write("NOTES.md", "notes\n")
        .write("o.rs", "zed\n");
    ids.push(repo.commit_at("Initial", "2026-01-05T10:00:00+0000"));
    move_file("src/api/x.rs", "legacy/x.rs");
    repo.write("tests/t.rs", "2\n");
    ids.push(repo.commit_at("Move x out", "2026-01-10T10:00:00+0000"));
    repo.remove("a/dup.rs")
        .remove("src/api/dup.rs")
        .write("src/api/new.rs", "dup\n")
        .write("tests/t.rs", "3\n");
    ids.push(repo.commit_at("Replace dup", "2026-01-12T10:00:00+0000"));
    repo.write("src/api/a.rs", "fn a() -> u8 { 1 }\n")
        .write("docs/api/a.md", "# a\nreturns 1\n");
    move_file("tests/t.rs", "tests/u.rs");
    move_file("NOTES.md", "notes/NOTES.md");
    ids.push(repo.commit_at("Four files", "2026-01-14T10:00:00+0000"));
    repo.write("src/api/a.rs", "fn a() -> u8 { 2 }\n")
        .write("docs/api/a.md", "# a\nreturns 2\n")
        .write("o.rs", "zed\nzed\n");
    move_file("tests/u.rs", "tests/v.rs");
    move_file("notes/NOTES.md", "notes/N.md");
    ids.push(repo.commit_at("Five files", "2026-01-16T10:00:00+0000"));
    repo.remove("o.rs")
        .write("b/z.rs", "zed\nzed\n")
        .write("src/api/z.rs", "zed\nzed\n");
    ids.push(repo.commit_at("Add z", "2026-01-18T10:00:00+0000"));
    move_file("src/api/new.rs", "legacy/new.rs");
    move_file("legacy/x.rs", "src/api/x2.rs");
    ids.push(repo.commit_at("Swap", "2026-01-20T10:00:00+0000"));
    (repo, ids)
}

#[test]
fn a_move_out_of_the_area_or_into_it_among_other_changes_does_not_trigger() {
    let (repo, _) = edge_history();
    for day in ["2026-01-10", "2026-01-20"] {
        let json = json(&repo, &["--since", day, "--until", day]);
        assert_eq!(json["range"]["units"], 1);
        assert_eq!(counts(&json, "api"), [0; 5], "{json}");
    }
}

#[test]
fn renames_pair_as_a_full_diff_pairs_them_on_both_sides_of_the_area() {
    let (repo, ids) = edge_history();
    let json = json(&repo, &["--since", "2026-01-12"]);
    let misses: Vec<(&str, &str)> = json["misses"]
        .as_array()
        .expect("misses")
        .iter()
        .map(|miss| {
            let commit = miss["commit"].as_str().expect("a commit");
            (commit, miss["triggered_by"][0].as_str().expect("a path"))
        })
        .collect();
    assert_eq!(
        misses,
        [
            (ids[2].as_str(), "src/api/dup.rs"),
            (ids[5].as_str(), "src/api/z.rs")
        ],
        "{json}"
    );
}

#[test]
fn renames_outside_the_area_count_once_against_max_files() {
    let (repo, _) = edge_history();
    let json = json(&repo, &["--since", "2026-01-14", "--until", "2026-01-14"]);
    assert_eq!(json["range"]["too_large"], 0, "{json}");
    assert_eq!(counts(&json, "api"), [1, 1, 0, 0, 0]);
    let json = self::json(&repo, &["--since", "2026-01-16", "--until", "2026-01-16"]);
    assert_eq!(json["range"]["too_large"], 1, "{json}");
    assert_eq!(counts(&json, "api"), [0; 5]);
}
