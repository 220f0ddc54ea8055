//! `lockstep validate`: loader errors, and the checks against the repository's files.

mod support;

use support::Repo;

fn output(repo: &Repo, args: &[&str], code: i32) -> String {
    let out = repo
        .lockstep()
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .clone();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

fn repo_with(rules: &str) -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", rules)
        .write("services/payments/api/refund.proto", "service Refunds {}\n")
        .write("docs/payments/api.md", "# API\n")
        .write("sdk/go/payments/client.go", "package payments\n")
        .write("doc/man/build.md", "# build\n")
        .write("etc/man/build.1", ".TH build\n");
    repo.commit("initial");
    repo
}

const CLEAN: &str = r#"version = 1

[[rule]]
id = "payments-api"
when = ["services/payments/api/**/*.proto"]
then = [{ kind = "docs", paths = ["docs/payments/api.md"] }, { kind = "sdk", paths = ["sdk/go/payments/**"] }]

[[rule]]
id = "man-pages"
when = ["doc/man/{cmd}.md"]
then = ["etc/man/{cmd}.1"]
"#;

#[test]
fn a_clean_rule_set_passes_with_exit_0() {
    let repo = repo_with(CLEAN);
    let state = repo.state();
    let text = output(&repo, &["validate"], 0);
    assert_eq!(
        text,
        "lockstep: 0 errors, 0 warnings (2 rules checked against 6 tracked files)\n"
    );
    assert_eq!(repo.state(), state, "validate never writes");
}

#[test]
fn stale_globs_are_warnings_that_fail_only_with_deny_warnings() {
    let repo = repo_with(&CLEAN.replace(
        "\"services/payments/api/**/*.proto\"]",
        "\"services/payments/api/**/*.proto\", \"services/billing/**\"]",
    ));
    let text = output(&repo, &["validate"], 0);
    insta::assert_snapshot!("stale_glob", text);
    output(&repo, &["validate", "--deny", "warnings"], 1);
}

const BROKEN: &str = r#"version = 1

[[rule]]
id = "self-docs"
when = ["docs/**"]
then = ["docs/payments/api.md"]

[[rule]]
id = "shadowed-sdk"
when = ["sdk/**"]
unless = ["sdk/go/**"]
then = ["docs/payments/api.md"]

[[rule]]
id = "rpc-lines"
when = ["services/**/*.proto"]
matching = 'rpc\s+\w+\n'
then = ["docs/payments/api.md"]

[[rule]]
id = "anchored"
when = ["services/**/*.proto"]
matching = '}$\s*service'
then = ["sdk/go/payments/**"]

[[rule]]
id = "pending-companion"
when = ["doc/man/{cmd}.md"]
then = ["etc/man/{cmd}.1", { kind = "html", paths = ["site/man/{cmd}.html"] }]
"#;

#[test]
fn rules_that_cannot_work_are_errors_with_spans() {
    let repo = repo_with(BROKEN);
    let text = output(&repo, &["validate"], 1);
    insta::assert_snapshot!("broken_rules", text);
}

#[test]
fn a_companion_that_only_new_files_satisfy_need_not_exist() {
    let repo = repo_with(&CLEAN.replace(
        "then = [\"etc/man/{cmd}.1\"]",
        "then = [\"etc/man/{cmd}.1\", { kind = \"note\", paths = [\"notes/{cmd}/*.md\"], change = \"added\" }]",
    ));
    output(&repo, &["validate", "--deny", "warnings"], 0);
}

#[test]
fn a_broken_rule_set_is_exit_2_like_check() {
    let repo =
        repo_with("version = 1\n[[rule]]\nid = \"Bad Id\"\nwhen = [\"src/[\"]\nthen = [\"x\"]\n");
    let text = output(&repo, &["validate"], 2);
    assert!(text.contains("lockstep::config::invalid-id"), "{text}");
    assert!(text.contains("lockstep::config::glob"), "{text}");
}

#[test]
fn packs_are_not_held_to_this_repositorys_layout() {
    let repo = repo_with("version = 1\nextends = [\"builtin:node\", \"builtin:terraform\"]\n");
    output(&repo, &["validate", "--deny", "warnings"], 0);
}

#[test]
fn disabling_an_unknown_rule_is_a_config_error() {
    let repo = repo_with(
        "version = 1\nextends = [\"builtin:rust\"]\n[settings]\ndisable = [\"rust-lock\"]\n",
    );
    let text = output(&repo, &["validate"], 2);
    assert!(text.contains("lockstep::config::unknown-rule"), "{text}");
    assert!(
        text.contains("`settings.disable` names no rule `rust-lock`"),
        "{text}"
    );
}

#[test]
fn an_unborn_branch_makes_every_glob_stale() {
    let repo = Repo::new();
    repo.write("lockstep.toml", CLEAN);
    let text = output(&repo, &["validate"], 0);
    assert!(text.contains("0 errors, 5 warnings"), "{text}");
}

#[test]
fn broken_annotation_blocks_and_dead_targets_are_errors() {
    let repo = repo_with("version = 1\n");
    repo.write(
        "src/a.py",
        "# LINT.IfChange(x)\na = 1\n# LINT.ThenChange(//docs/missing.md)\n",
    )
    .write("src/b.rs", "// LINT.IfChange\n");
    repo.commit("blocks");
    let text = output(&repo, &["validate"], 1);
    assert!(text.contains("missing-target-file"), "{text}");
    assert!(text.contains("src/a.py:3"), "{text}");
    assert!(text.contains("unclosed-if-change"), "{text}");
    repo.write(
        "lockstep.toml",
        "version = 1\n[settings]\nannotations = false\n",
    );
    output(&repo, &["validate"], 0);
}

#[test]
fn a_bad_key_path_is_a_config_error_at_its_span() {
    let repo = repo_with(&CLEAN.replace(
        "id = \"man-pages\"",
        "id = \"man-pages\"\nkeys = [\"dependencies\", \"target..dependencies\", \"a.**\"]",
    ));
    let text = output(&repo, &["validate"], 2);
    assert!(text.contains("invalid key path in `keys`"), "{text}");
    assert!(text.contains("target..dependencies"), "{text}");
    assert!(text.contains("an empty key"), "{text}");
    assert!(text.contains("`**` is not a key"), "{text}");
}

#[test]
fn a_binding_whose_companion_is_missing_is_a_warning_naming_both() {
    let repo = repo_with(CLEAN);
    repo.write("doc/man/generate_lockfile.md", "# generate\n");
    repo.commit("a page without its generated twin");
    let text = output(&repo, &["validate"], 0);
    assert!(
        text.contains("`doc/man/generate_lockfile.md` triggers rule `man-pages`, but its `file`"),
        "{text}"
    );
    assert!(
        text.contains("generate_lockfile.1` names no tracked file"),
        "{text}"
    );
    assert!(text.contains("with cmd = generate_lockfile"), "{text}");
    assert!(!text.contains("doc/man/build.md` triggers"), "{text}");
    output(&repo, &["validate", "--deny", "warnings"], 1);
    repo.write(
        "lockstep.toml",
        CLEAN.replace(
            "[\"etc/man/{cmd}.1\"]",
            "[\"etc/man/{cmd}.1\"]\nunless = [\"doc/man/generate_lockfile.md\"]",
        ),
    );
    output(&repo, &["validate", "--deny", "warnings"], 0);
}

/// Issue 14, "config errors, all of them": every misspelled key, a misspelled pack and a
/// misspelled rule id to disable, each at its line with the name meant, in one run.
#[test]
fn every_misspelling_is_reported_at_once_with_the_name_meant() {
    let repo = repo_with(
        r#"version = 1
extends = ["builtin:rsut"]
colour = "red"

[settings]
disable = ["payments-ap"]
anotations = false

[[rule]]
id = "payments-api"
when = ["services/payments/api/**/*.proto"]
mesage = "Run `make sdk`."
then = ["docs/payments/api.md"]

[[rule]]
id = "man-pages"
wehn = ["doc/man/{cmd}.md"]

[[rule.then]]
kind = "docs"
pahts = ["etc/man/{cmd}.1"]
"#,
    );
    let text = output(&repo, &["validate"], 2);
    assert!(text.contains("the rule set has 7 problems"), "{text}");
    for (line, meant) in [
        ("2", "did you mean `builtin:rust`?"),
        ("6", "did you mean `payments-api`?"),
        ("7", "did you mean `annotations`?"),
        ("12", "did you mean `message`?"),
        ("17", "did you mean `when`?"),
        ("21", "did you mean `paths`?"),
    ] {
        assert!(
            text.contains(meant) && text.contains(&format!("lockstep.toml:{line}:")),
            "line {line}, {meant}: {text}"
        );
    }
    // No close key: the help lists the keys there are.
    assert!(
        text.contains("unknown key `colour` in the rule set"),
        "{text}"
    );
    assert!(
        text.contains("keys of the rule set: `version`, `extends`"),
        "{text}"
    );
    // `when` was misspelled, not forgotten: its absence is not a second error.
    assert!(!text.contains("missing field `when`"), "{text}");
}

#[test]
fn an_unclosed_table_header_is_one_error_at_its_line() {
    let repo = repo_with("version = 1\n[[rule]\nid = \"a\"\nwhen = [\"x\"]\nthen = [\"y\"]\n");
    let text = output(&repo, &["validate"], 2);
    assert_eq!(text.matches('×').count(), 1, "{text}");
    assert!(text.contains("lockstep.toml:2:8"), "{text}");
    assert!(text.contains("unclosed array table"), "{text}");
}

/// `validate --config FILE` outside any repository checks what needs no files: syntax,
/// keys, globs and regexes, with files it extends read from the current directory.
#[test]
fn a_rule_set_validates_outside_a_repository() {
    let dir = Repo::empty();
    dir.write("base.toml", "version = 1\n[settings]\ndefault_severity = \"warning\"\n")
        .write(
            "rules.toml",
            "version = 1\nextends = [\"base.toml\"]\n[[rule]]\nid = \"a\"\nwhen = [\"src/**\"]\nthen = [\"docs/never-there.md\"]\n",
        )
        .write(
            "broken.toml",
            "version = 1\n[[rule]]\nid = \"a\"\nwhen = [\"src/**\"]\nthen = [\"docs/x.md\"]\nmatching = \"(\"\n",
        );
    let state = dir.state();
    let text = output(&dir, &["validate", "--config", "rules.toml"], 0);
    assert_eq!(
        text,
        "not checked outside a git repository: globs and companions against tracked files, \
         and LINT blocks\nlockstep: 0 errors, 0 warnings (1 rule checked)\n"
    );
    let text = output(&dir, &["validate", "--config", "broken.toml"], 2);
    assert!(text.contains("invalid regex in `matching`"), "{text}");
    assert!(text.contains("broken.toml:6:12"), "{text}");
    // Without `--config` there is nothing to validate but a repository's rule set.
    let text = output(&dir, &["validate"], 2);
    assert!(text.contains("is not inside a git repository"), "{text}");
    assert_eq!(dir.state(), state, "validate never writes");
}
