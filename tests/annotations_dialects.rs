//! The directive forms of slnc/ifchange and simonepri/ifttt-lint, through the real
//! binary on real repositories: quoted labels and targets, `LINT.Label` … `LINT.EndLabel`
//! regions as targets, `path#label` and `#label`, bracketed lists over several lines,
//! and root-relative `/path`.

mod support;

use support::{Repo, json_report};

/// ifchange's README example: the deploy config guards the code that reads it.
const APP: &str = "# deploy/app.yml\n# LINT.IfChange(\"env\")\nenv:\n  DATABASE_URL: postgres://prod:5432/myapp\n# LINT.ThenChange(/src/config.py#env)\n";
const CONFIG: &str = "import os\n# LINT.Label('env')\nDATABASE_URL = os.environ[\"DATABASE_URL\"]\n# LINT.EndLabel\nDEBUG = False\n";

fn repo() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", "version = 1\n")
        .write("deploy/app.yml", APP)
        .write("src/config.py", CONFIG)
        .write("docs/env.md", "# Environment\n");
    repo.commit("initial");
    repo
}

/// `(path, line, missing targets, message)` of each finding of `ARGS --format json`,
/// which must exit with `code`; a problem's code follows its message in brackets.
fn findings(repo: &Repo, args: &[&str], code: i32) -> Vec<(String, u64, Vec<String>, String)> {
    let report = json_report(repo, args, code);
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let trigger = &f["triggered_by"][0];
            let missing = f["missing"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|m| m["paths"].as_array().cloned().unwrap_or_default())
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect();
            (
                trigger["path"].as_str().unwrap_or_default().to_owned(),
                trigger["line"].as_u64().unwrap_or_default(),
                missing,
                match f["code"].as_str() {
                    Some(code) => format!("{} [{code}]", f["message"].as_str().unwrap_or_default()),
                    None => f["message"].as_str().unwrap_or_default().to_owned(),
                },
            )
        })
        .collect()
}

#[test]
fn a_label_region_is_satisfied_only_by_a_change_inside_it() {
    let repo = repo();
    repo.write("deploy/app.yml", APP.replace("5432", "6543"));
    repo.git(&["add", "-A"]);
    let found = findings(&repo, &["check", "--staged"], 1);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1, found[0].2.clone()),
        ("deploy/app.yml", 2, vec!["src/config.py:env".to_owned()])
    );
    // A change outside the region does not count.
    repo.write("src/config.py", CONFIG.replace("False", "True"));
    repo.git(&["add", "-A"]);
    let found = findings(&repo, &["check", "--staged"], 1);
    assert!(
        found[0].3.contains("not inside its `env` block"),
        "{found:?}"
    );
    // Inside it does.
    repo.write(
        "src/config.py",
        CONFIG.replace("environ[\"DATABASE_URL\"]", "environ.get(\"DATABASE_URL\")"),
    );
    repo.git(&["add", "-A"]);
    findings(&repo, &["check", "--staged"], 0);
    repo.git(&["commit", "-qm", "both"]);
    repo.lockstep().arg("validate").assert().code(0);
}

#[test]
fn bracketed_quoted_lists_over_several_lines_and_self_references() {
    let repo = repo();
    let source = "// LINT.IfChange('limits')\nconst LIMIT = 1;\n// LINT.ThenChange([\n//   \"../docs/env.md\",\n//   '/src/config.py#env',\n//   \"#table\",\n// ])\n// LINT.Label(\"table\")\nconst TABLE = [1];\n// LINT.EndLabel\n";
    repo.write("web/limits.ts", source);
    repo.commit("limits");
    repo.write("web/limits.ts", source.replace("= 1;", "= 2;"));
    repo.git(&["add", "-A"]);
    let found = findings(&repo, &["check", "--staged"], 1);
    assert_eq!(
        found[0].2,
        ["docs/env.md", "src/config.py:env", "web/limits.ts:table"]
    );
    repo.write(
        "web/limits.ts",
        source.replace("= 1;", "= 2;").replace("[1]", "[2]"),
    )
    .write("docs/env.md", "# Environment\n\nLIMIT is 2.\n")
    .write("src/config.py", CONFIG.replace("os.environ", "environ"));
    repo.git(&["add", "-A"]);
    findings(&repo, &["check", "--staged"], 0);
}

#[test]
fn removing_a_label_region_others_name_is_a_broken_reference() {
    let repo = repo();
    repo.write(
        "src/config.py",
        CONFIG
            .replace("# LINT.Label('env')\n", "")
            .replace("# LINT.EndLabel\n", ""),
    );
    repo.git(&["add", "-A"]);
    let found = findings(&repo, &["check", "--staged"], 1);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0.as_str(), found[0].1), ("deploy/app.yml", 5));
    assert!(found[0].3.ends_with("[broken-reference]"), "{found:?}");
}

#[test]
fn validate_reports_dead_labels_and_unbalanced_regions() {
    let repo = repo();
    repo.write(
        "web/a.ts",
        "// LINT.IfChange\nx();\n// LINT.ThenChange(\"/src/config.py#nope\")\n// LINT.Label(open)\ny();\n",
    )
    .write("web/b.ts", "z();\n// LINT.EndLabel\n");
    repo.commit("broken");
    let output = repo.lockstep().arg("validate").assert().code(1);
    let text = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
    for expected in [
        "web/a.ts:3",
        "has no LINT.IfChange(nope) or LINT.Label(nope)",
        "web/a.ts:4",
        "unclosed-label",
        "web/b.ts:2",
        "end-label-without-label",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
}

#[test]
fn a_hash_before_a_dotted_tail_is_part_of_the_file_name() {
    let repo = repo();
    let block =
        "# LINT.IfChange\nx = 1\n# LINT.ThenChange(/docs/notes#v2.md, /src/config.py#env)\n";
    repo.write("src/notes.py", block)
        .write("docs/notes#v2.md", "Notes.\n");
    repo.commit("notes");
    repo.lockstep().arg("validate").assert().code(0);
    repo.write("src/notes.py", block.replace("= 1", "= 2"));
    repo.git(&["add", "-A"]);
    let found = findings(&repo, &["check", "--staged"], 1);
    assert_eq!(
        found[0].2,
        ["docs/notes#v2.md", "src/config.py:env"],
        "{found:?}"
    );
    repo.write("docs/notes#v2.md", "Notes, again.\n").write(
        "src/config.py",
        CONFIG.replace("DATABASE_URL\"]", "DATABASE_URL\"].strip()"),
    );
    repo.git(&["add", "-A"]);
    findings(&repo, &["check", "--staged"], 0);
}
