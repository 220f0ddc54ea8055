//! `lockstep suggest` on real repositories with planted couplings.

mod support;

use std::cell::Cell;

use lockstep::config::{ConfigSource, WorkTreeFiles, load};
use lockstep::rules::RuleSet;
use serde_json::Value;
use support::{Exits, Repo};

/// A repository whose commits change files together on purpose.
struct History {
    repo: Repo,
    edits: Cell<u32>,
}

impl History {
    fn new() -> History {
        History {
            repo: Repo::new(),
            edits: Cell::new(0),
        }
    }

    /// One commit editing every file in `paths`.
    fn change(&self, paths: &[&str], message: &str) -> String {
        for path in paths {
            self.edits.set(self.edits.get() + 1);
            self.repo
                .write(path, format!("edit {}\n", self.edits.get()));
        }
        self.repo.commit(message)
    }

    /// `lockstep suggest ARGS` must succeed; returns its standard output.
    fn suggest(&self, args: &[&str]) -> String {
        let output = self
            .repo
            .lockstep()
            .arg("suggest")
            .args(args)
            .exits(0)
            .stdout;
        String::from_utf8(output).expect("UTF-8 output")
    }

    fn suggest_json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.suggest(&all)).expect("valid JSON")
    }
}

/// Planted: every `api/{name}.rs` changes with its `docs/api/{name}.md`; the payments
/// service changes with its API doc (8 of 9 times); `lib/util` changes on its own; and
/// six commits of 40 files each change `lib/vendor` and `docs/vendor` together.
fn planted() -> History {
    let h = History::new();
    let vendor = |i: usize| -> Vec<String> {
        (0..20)
            .flat_map(|f| {
                [
                    format!("lib/vendor/m{f}.rs"),
                    format!("docs/vendor/m{f}.md"),
                ]
            })
            .chain(std::iter::once(format!("lib/vendor/round{i}.rs")))
            .take(40)
            .collect()
    };
    for name in ["users", "orders", "carts", "items"] {
        h.change(
            &[&format!("api/{name}.rs"), &format!("docs/api/{name}.md")],
            &format!("Add {name} API"),
        );
    }
    for round in 0..8 {
        h.change(
            &["services/payments/handler.rs", "docs/payments/api.md"],
            &format!("Payments change {round}"),
        );
        h.change(&["lib/util/strings.rs"], &format!("Tidy strings {round}"));
        if round < 6 {
            let files = vendor(round);
            let files: Vec<&str> = files.iter().map(String::as_str).collect();
            h.change(&files, &format!("Re-vendor {round}"));
        }
        if round % 2 == 0 {
            let name = ["users", "orders", "carts", "items"][round / 2];
            h.change(
                &[&format!("api/{name}.rs"), &format!("docs/api/{name}.md")],
                &format!("Change {name} API"),
            );
        }
    }
    h.change(
        &["services/payments/handler.rs", "lib/util/strings.rs"],
        "Refactor payments",
    );
    h
}

fn rules_of(json: &Value) -> Vec<(String, String)> {
    json["suggestions"]
        .as_array()
        .expect("suggestions")
        .iter()
        .map(|s| {
            let when: Vec<&str> = s["when"]
                .as_array()
                .expect("when")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let then: Vec<&str> = s["then"]
                .as_array()
                .expect("companions")
                .iter()
                .flat_map(|c| c["paths"].as_array().expect("paths"))
                .filter_map(Value::as_str)
                .collect();
            (when.join(","), then.join(","))
        })
        .collect()
}

#[test]
fn planted_couplings_come_out_on_top_and_the_noisy_large_commits_do_not() {
    let h = planted();
    let json = h.suggest_json(&[]);
    let rules = rules_of(&json);
    assert_eq!(
        rules[..2],
        [
            ("api/{name}.rs".to_owned(), "docs/api/{name}.md".to_owned()),
            (
                "services/payments/**".to_owned(),
                "docs/payments/api.md".to_owned()
            ),
        ],
        "{json:#}"
    );
    assert!(
        !rules
            .iter()
            .any(|(w, t)| w.contains("vendor") || t.contains("vendor")),
        "{rules:?}"
    );
    assert!(
        !rules.iter().any(|(w, _)| w.contains("docs/")),
        "docs never trigger code: {rules:?}"
    );
    let top = &json["suggestions"][0]["then"][0];
    assert_eq!(top["evidence"]["support"], 8);
    assert_eq!(top["evidence"]["revisions"], 8);
    assert_eq!(top["evidence"]["names"], 4);
    assert_eq!(top["kind"], "docs");
    let payments = &json["suggestions"][1]["then"][0]["evidence"];
    assert_eq!(
        (payments["support"].as_u64(), payments["revisions"].as_u64()),
        (Some(8), Some(9))
    );
    assert_eq!(json["window"]["skipped_large"], 6);

    // The same history without the changeset limit: the vendoring noise now couples.
    let noisy = rules_of(&h.suggest_json(&["--max-changeset", "100"]));
    assert!(
        noisy
            .iter()
            .any(|(w, t)| w.contains("lib/vendor") && t.contains("docs/vendor")),
        "{noisy:?}"
    );
}

#[test]
fn the_snippet_compiles_with_the_real_loader_and_then_covers_its_own_pairs() {
    let h = planted();
    let state = h.repo.state();
    let snippet = h.suggest(&[]);
    assert_eq!(h.repo.state(), state, "suggest is read-only");
    assert!(snippet.starts_with("# lockstep suggest: "), "{snippet}");
    assert!(
        snippet.contains("\nversion = 1\n"),
        "no rule set: a whole file"
    );
    assert!(snippet.contains("# 8 of 8 changes to api/{name}.rs also changed docs/api/{name}.md of the same name (100%, 4 names);"), "{snippet}");
    assert!(
        snippet.contains(
            "# 8 of 9 changes to services/payments/** also changed docs/payments/api.md (89%);"
        ),
        "{snippet}"
    );
    let last_payments = h.repo.rev("HEAD~1");
    assert!(
        snippet.contains(&format!(
            "in {} \"Payments change 7\"",
            &last_payments[..12]
        )) || snippet.contains("\"Payments change 7\""),
        "{snippet}"
    );
    let config = load(
        &WorkTreeFiles(h.repo.path().to_path_buf()),
        Some(ConfigSource::new("suggested.toml", snippet.clone())),
    )
    .expect("the snippet loads");
    let compiled = RuleSet::compile(config).expect("the snippet compiles");
    assert_eq!(compiled.rules.len(), rules_of(&h.suggest_json(&[])).len());

    h.repo.write("lockstep.toml", &snippet);
    let again = h.suggest_json(&[]);
    assert_eq!(again["has_rule_set"], true);
    let rules = rules_of(&again);
    assert!(
        !rules
            .iter()
            .any(|(w, _)| w == "api/{name}.rs" || w == "services/payments/**"),
        "covered pairs drop: {rules:?}"
    );
}

#[test]
fn a_snippet_for_an_existing_rule_set_pastes_into_it() {
    let h = planted();
    let existing = "version = 1\n\n[[rule]]\nid = \"api-docs\"\nwhen = [\"lib/util/*.rs\"]\nthen = [\"docs/util.md\"]\n";
    h.repo.write("lockstep.toml", existing);
    let snippet = h.suggest(&[]);
    assert!(!snippet.contains("version = 1"), "{snippet}");
    let pasted = format!("{existing}\n{snippet}");
    let config = load(
        &WorkTreeFiles(h.repo.path().to_path_buf()),
        Some(ConfigSource::new("lockstep.toml", pasted)),
    )
    .expect("the pasted file loads");
    RuleSet::compile(config).expect("ids stay unique and globs compile");
}

#[test]
fn rules_that_history_contradicts_are_reported() {
    let h = planted();
    h.change(
        &["services/payments/handler.rs"],
        "Hotfix\n\nLockstep-Skip: payments-util -- urgent",
    );
    h.repo.write(
        "lockstep.toml",
        "version = 1\n\n[[rule]]\nid = \"payments-util\"\nwhen = [\"services/payments/**\"]\nthen = [\"lib/util/strings.rs\"]\n\n[[rule]]\nid = \"api-docs\"\nwhen = [\"api/{n}.rs\"]\nthen = [\"docs/api/{n}.md\"]\n",
    );
    let json = h.suggest_json(&[]);
    let contradicted = json["contradicted"].as_array().expect("contradicted");
    assert_eq!(contradicted.len(), 1, "{json:#}");
    assert_eq!(contradicted[0]["rule"], "payments-util");
    assert_eq!(
        (
            contradicted[0]["triggered"].as_u64(),
            contradicted[0]["missed"].as_u64()
        ),
        (Some(10), Some(7))
    );
    assert_eq!(contradicted[0]["waived"], 1);
    assert_eq!(
        contradicted[0]["not_applicable"], 1,
        "the first payments change came before lib/util/strings.rs existed, as `audit` counts it"
    );
    let text = h.suggest(&[]);
    assert!(
        text.contains(
            "#   payments-util: missed in 7 of 8 cases (1 waived, 1 not applicable), compliance 12%"
        ),
        "{text}"
    );
}

#[test]
fn since_and_thresholds_narrow_the_window_and_the_rules() {
    let h = planted();
    let late = h.suggest_json(&["--since", "2026-01-02"]);
    assert_eq!(late["window"]["commits"], 0);
    assert_eq!(late["suggestions"].as_array().map(Vec::len), Some(0));
    assert!(
        h.suggest(&["--since", "2026-01-02"])
            .contains("# No pair of paths changed together often enough")
    );
    let strict = rules_of(&h.suggest_json(&["--min-confidence", "0.95"]));
    assert!(strict.contains(&("api/{name}.rs".to_owned(), "docs/api/{name}.md".to_owned())));
    assert!(
        !strict.iter().any(|(w, _)| w == "services/payments/**"),
        "8 of 9 is below 0.95: {strict:?}"
    );
    let coarse = rules_of(&h.suggest_json(&["--depth", "1", "--min-support", "9"]));
    assert!(
        coarse.iter().all(|(w, _)| !w.contains("payments/")),
        "{coarse:?}"
    );
}

#[test]
fn bad_input_is_an_exit_2_error_that_says_what_to_do() {
    let h = planted();
    for (args, needle) in [
        (&["--since", "someday"][..], "YYYY-MM-DD"),
        (&["--min-confidence", "1.5"][..], "between 0 and 1"),
        (&["--depth", "0"][..], "--depth"),
    ] {
        let output = h
            .repo
            .lockstep()
            .arg("suggest")
            .args(args)
            .assert()
            .code(2)
            .get_output()
            .stderr
            .clone();
        let stderr = String::from_utf8_lossy(&output);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    h.repo.write("lockstep.toml", "version = 2\n");
    h.repo.lockstep().arg("suggest").assert().code(2);
    let outside = tempfile::tempdir().expect("temp dir");
    h.repo
        .lockstep_in(outside.path())
        .arg("suggest")
        .assert()
        .code(2);
}

#[test]
fn an_unborn_repository_has_nothing_to_suggest() {
    let repo = Repo::new();
    let output = repo.lockstep().arg("suggest").exits(0).stdout;
    assert!(String::from_utf8_lossy(&output).contains("0 rules mined from 0 commits"));
}

#[test]
fn toml_output_snapshot() {
    let h = planted();
    insta::assert_snapshot!(h.suggest(&["--limit", "3"]));
}

#[test]
fn a_shallow_clone_mines_only_commits_whose_parent_it_has() {
    let h = planted();
    let clone = Repo::empty();
    let url = format!("file://{}", h.repo.path().display());
    clone.git(&["clone", "-q", "--depth", "10", &url, "."]);
    let output = clone
        .lockstep()
        .args(["suggest", "--format", "json"])
        .exits(0)
        .stdout;
    let json: Value = serde_json::from_slice(&output).expect("valid JSON");
    let window = &json["window"];
    let (units, large) = (window["commits"].as_u64(), window["skipped_large"].as_u64());
    assert_eq!(
        units.zip(large).map(|(u, l)| u + l),
        Some(9),
        "the boundary is left out, not counted as a whole-tree change: {json:#}"
    );
}

#[test]
fn a_bare_repository_reads_the_rule_set_from_head() {
    let h = planted();
    let bare = Repo::empty();
    let url = format!("file://{}", h.repo.path().display());
    bare.git(&["clone", "-q", "--bare", &url, "."]);
    let json = |repo: &Repo| -> Value {
        let output = repo
            .lockstep()
            .args(["suggest", "--format", "json"])
            .exits(0)
            .stdout;
        serde_json::from_slice(&output).expect("valid JSON")
    };
    let before = json(&bare);
    assert_eq!(before["has_rule_set"], false);
    assert!(rules_of(&before).iter().any(|(w, _)| w == "api/{name}.rs"));

    h.repo.write(
        "lockstep.toml",
        "version = 1\n[[rule]]\nid = \"api\"\nwhen = [\"api/{n}.rs\"]\nthen = [\"docs/api/{n}.md\"]\n",
    );
    h.repo.commit("Add a rule set");
    bare.git(&["fetch", "-q", &url, "+main:main"]);
    let after = json(&bare);
    assert_eq!(after["has_rule_set"], true, "{after:#}");
    assert!(
        !rules_of(&after).iter().any(|(w, _)| w == "api/{name}.rs"),
        "{after:#}"
    );
}

#[test]
fn one_when_is_one_rule_with_every_companion_and_it_compiles() {
    let h = History::new();
    for round in 0..2 {
        for name in ["cargo-build", "cargo-clean", "cargo-doc"] {
            h.change(
                &[
                    &format!("doc/man/{name}.md"),
                    &format!("doc/man/generated_txt/{name}.txt"),
                    &format!("etc/man/{name}.1"),
                ],
                &format!("docs: reword {name} ({round})"),
            );
        }
    }
    let json = h.suggest_json(&[]);
    let rules = json["suggestions"].as_array().expect("suggestions");
    assert_eq!(rules.len(), 1, "{json:#}");
    assert_eq!(rules[0]["when"][0], "doc/man/{name}.md");
    let companions: Vec<&str> = rules[0]["then"]
        .as_array()
        .expect("companions")
        .iter()
        .filter_map(|c| c["paths"][0].as_str())
        .collect();
    assert_eq!(
        companions,
        ["doc/man/generated_txt/{name}.txt", "etc/man/{name}.1"]
    );
    assert_eq!(rules[0]["then"][1]["evidence"]["support"], 6);
    let snippet = h.suggest(&[]);
    assert_eq!(snippet.matches("[[rule]]").count(), 1, "{snippet}");
    assert!(
        snippet.contains(
            "then = [\n    { kind = \"generated\", paths = [\"doc/man/generated_txt/{name}.txt\"] },\n    { kind = \"generated\", paths = [\"etc/man/{name}.1\"] },\n]\n"
        ),
        "{snippet}"
    );
    let config = load(
        &WorkTreeFiles(h.repo.path().to_path_buf()),
        Some(ConfigSource::new("suggested.toml", snippet)),
    )
    .expect("the snippet loads");
    let compiled = RuleSet::compile(config).expect("the snippet compiles");
    assert_eq!(compiled.rules[0].companions.len(), 2);
}

#[test]
fn version_bumps_are_left_out_unless_asked_for() {
    let h = History::new();
    let crates = ["crates/a/Cargo.toml", "crates/b/Cargo.toml", "Cargo.lock"];
    for round in 0..6 {
        h.change(&crates, &format!("chore: Bump versions ({round})"));
        for krate in ["a", "b"] {
            h.change(
                &[&format!("src/{krate}.rs")],
                &format!("fix({krate}): round {round}"),
            );
        }
    }
    let json = h.suggest_json(&[]);
    assert_eq!(json["window"]["skipped_bumps"], 6, "{json:#}");
    assert_eq!(json["window"]["commits"], 12, "{json:#}");
    assert_eq!(rules_of(&json), [], "{json:#}");
    let text = h.suggest(&[]);
    assert!(
        text.contains("and 6 version bumps (--include-bumps);"),
        "{text}"
    );
    let bumps = h.suggest_json(&["--include-bumps"]);
    assert_eq!(bumps["window"]["skipped_bumps"], 0);
    assert!(
        rules_of(&bumps)
            .iter()
            .any(|(w, t)| w.contains("crates/") && t.contains("Cargo.lock")),
        "{bumps:#}"
    );
}

#[test]
fn a_name_in_another_case_style_is_captured_with_a_transform_that_check_applies() {
    let h = History::new();
    // A command without a man page: the rule leaves it out, so it validates cleanly.
    h.change(&["src/bin/cargo/commands/mod.rs"], "feat: commands");
    for round in 0..2 {
        for name in ["generate_lockfile", "locate_project", "build"] {
            h.change(
                &[
                    &format!("src/bin/cargo/commands/{name}.rs"),
                    &format!("doc/man/cargo-{}.md", name.replace('_', "-")),
                ],
                &format!("feat({name}): round {round}"),
            );
        }
    }
    let snippet = h.suggest(&[]);
    assert!(
        snippet.contains(
            "when = [\"src/bin/cargo/commands/{name}.rs\"]\nunless = [\n    \"src/bin/cargo/commands/mod.rs\",\n]\nseverity = \"warning\"\nthen = [{ kind = \"man\", paths = [\"doc/man/cargo-{name|kebab}.md\"] }]\n"
        ),
        "{snippet}"
    );
    h.repo.write("lockstep.toml", &snippet);
    h.repo.commit("adopt the suggestions");
    h.repo
        .lockstep()
        .args(["validate", "--deny", "warnings"])
        .exits(0);
    h.repo
        .write("src/bin/cargo/commands/generate_lockfile.rs", "changed\n");
    let report = h.repo.check_all_staged(1);
    assert!(
        report.contains("doc/man/cargo-generate-lockfile.md"),
        "{report}"
    );
}
