//! The settings for repositories exported from a monorepo — `annotation_external`,
//! `annotation_unless` (and `linguist-generated` files), `annotation_prefixes` and
//! stripped `LINT.ThenChange()` lists — through `check`, `validate`, `explain` and `audit`.

mod support;

use serde_json::Value;
use support::{Repo, json_report};

/// A header exported from a monorepo: its block names a file of the monorepo, a
/// placeholder the export tool left, and a file of this repository by its exported path.
const HEADER: &str = "// LINT.IfChange(tagged)\nint tagged = 1;\n// LINT.ThenChange(//depot/google3/upb/message.go:tagged, GoogleInternalName0, github://org/repo/x.go, <ROOT_DIR>/docs/message.md)\n";
const DOC: &str = "# Message\ntagged is 1\n";
const EXPORTED: &str = "version = 1\n[settings]\nannotation_external = [\"//depot/**\", \"GoogleInternalName*\"]\nannotation_prefixes = { \"<ROOT_DIR>/\" = \"//\" }\n";

fn exported_repo(rules: &str) -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", rules)
        .write("upb/message.h", HEADER)
        .write("docs/message.md", DOC);
    repo.commit("initial");
    repo
}

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// The targets each finding of `check --staged` (which must exit with `code`) reports:
/// missing companions, and targets that do not exist (`missing-target-file`).
fn missing(repo: &Repo, code: i32) -> Vec<String> {
    let report = json_report(repo, &["check", "--staged"], code);
    let mut targets = Vec::new();
    for finding in report["findings"].as_array().expect("findings") {
        let message = finding["message"].as_str().unwrap_or_default();
        if finding["code"] == "missing-target-file" {
            targets.extend(message.split('`').nth(1).map(str::to_owned));
        }
        let missing = finding["missing"].as_array().cloned().unwrap_or_default();
        targets.extend(
            missing
                .iter()
                .flat_map(|m| m["paths"].as_array().cloned().unwrap_or_default())
                .filter_map(|p| p.as_str().map(str::to_owned)),
        );
    }
    targets
}

#[test]
fn external_targets_are_never_required_and_prefixes_point_targets_here() {
    let repo = exported_repo(EXPORTED);
    repo.write("upb/message.h", HEADER.replace("= 1", "= 2"));
    repo.git(&["add", "-A"]);
    // Only the target in this repository is required, under its rewritten path.
    assert_eq!(missing(&repo, 1), ["docs/message.md"]);
    repo.write("docs/message.md", DOC.replace("is 1", "is 2"));
    repo.git(&["add", "-A"]);
    assert_eq!(missing(&repo, 0), Vec::<String>::new());
}

#[test]
fn without_the_settings_exported_targets_are_required() {
    let repo = exported_repo("version = 1\n");
    repo.write("upb/message.h", HEADER.replace("= 1", "= 2"))
        .write("docs/message.md", DOC.replace("is 1", "is 2"));
    repo.git(&["add", "-A"]);
    assert_eq!(
        missing(&repo, 1),
        [
            "depot/google3/upb/message.go",
            "upb/GoogleInternalName0",
            "upb/<ROOT_DIR>/docs/message.md"
        ]
    );
}

#[test]
fn validate_lists_external_targets_as_not_checked() {
    let repo = exported_repo(EXPORTED);
    let text = stdout(&repo.lockstep().arg("validate").assert().code(0));
    assert!(
        text.contains(
            "not checked: 3 annotation targets outside this repository\n  upb/message.h:3: //depot/google3/upb/message.go:tagged\n  upb/message.h:3: GoogleInternalName0\n  upb/message.h:3: github://org/repo/x.go\n"
        ),
        "{text}"
    );
    assert!(text.contains("lockstep: 0 errors, 0 warnings"), "{text}");
    // Without the settings the same targets are dead.
    let repo = exported_repo("version = 1\n");
    let text = stdout(&repo.lockstep().arg("validate").assert().code(1));
    assert!(text.contains("missing-target-file"), "{text}");
    assert!(text.contains("not checked: 1 annotation target "), "{text}");
}

/// An amalgamation that holds the same block twice, as generated headers do.
const AMALGAMATION: &str = "// LINT.IfChange(s)\nint a;\n// LINT.ThenChange(//gone.h)\n// LINT.IfChange(s)\nint a;\n// LINT.ThenChange(//gone.h)\n";

#[test]
fn unless_leaves_the_blocks_of_matching_files_unread() {
    let rules = "version = 1\n[settings]\nannotation_unless = [\"php/**/*-upb.h\"]\n";
    let repo = exported_repo(rules);
    repo.write("php/ext/php-upb.h", AMALGAMATION);
    repo.commit("amalgamation");
    repo.write("php/ext/php-upb.h", AMALGAMATION.replace("int", "long"));
    repo.git(&["add", "-A"]);
    assert_eq!(missing(&repo, 0), Vec::<String>::new());
    repo.git(&["commit", "-qm", "edit"]);
    let text = stdout(&repo.lockstep().arg("validate").assert().code(1));
    assert!(
        text.contains("not read: the LINT blocks of 1 file\n  php/ext/php-upb.h: `settings.annotation_unless` matches `php/**/*-upb.h`\n"),
        "{text}"
    );
    // The header's own dead targets still count.
    assert!(!text.contains("duplicate-label"), "{text}");
    let text = stdout(
        &repo
            .lockstep()
            .args(["explain", "php/ext/php-upb.h"])
            .assert()
            .code(0),
    );
    assert!(text.contains("its LINT blocks are not read"), "{text}");
}

#[test]
fn linguist_generated_files_are_unread_unless_the_option_reads_them() {
    let repo = exported_repo("version = 1\n");
    repo.write(".gitattributes", "*-upb.h linguist-generated\n")
        .write("ruby/ruby-upb.h", AMALGAMATION);
    repo.commit("generated");
    repo.write("ruby/ruby-upb.h", AMALGAMATION.replace("int", "long"));
    repo.git(&["add", "-A"]);
    assert_eq!(missing(&repo, 0), Vec::<String>::new());
    repo.write(
        "lockstep.toml",
        "version = 1\n[settings]\nannotation_generated = true\n",
    );
    repo.git(&["add", "-A"]);
    assert_eq!(missing(&repo, 1), ["gone.h", "gone.h"]);
}

#[test]
fn a_stripped_then_change_fires_nothing_and_validate_warns() {
    let stripped = "// LINT.IfChange\nint a = 1;\n// LINT.ThenChange()\n// LINT.IfChange(only_a_target)\nint b = 1;\n// LINT.ThenChange()\n";
    let repo = exported_repo(EXPORTED);
    repo.write("upb/wire.h", stripped);
    repo.commit("stripped");
    repo.write("upb/wire.h", stripped.replace("= 1", "= 2"));
    repo.git(&["add", "-A"]);
    assert_eq!(missing(&repo, 0), Vec::<String>::new());
    let text = stdout(&repo.lockstep().args(["check", "--staged"]).assert().code(0));
    assert!(!text.contains("empty-target-list"), "{text}");
    repo.git(&["commit", "-qm", "edit"]);
    let text = stdout(&repo.lockstep().arg("validate").assert().code(0));
    // Only the unlabelled block warns: a labelled one may exist only to be a target.
    assert_eq!(text.matches("empty-target-list").count(), 1, "{text}");
    assert!(text.contains("upb/wire.h:3"), "{text}");
    assert!(text.contains("lockstep: 0 errors, 1 warning"), "{text}");
    repo.lockstep()
        .args(["validate", "--deny", "warnings"])
        .assert()
        .code(1);
}

#[test]
fn audit_counts_only_blocks_with_targets_here() {
    let repo = exported_repo(EXPORTED);
    repo.write("upb/message.h", HEADER.replace("= 1", "= 2"));
    repo.commit("header alone");
    repo.write("upb/message.h", HEADER.replace("= 1", "= 3"))
        .write("docs/message.md", DOC.replace("is 1", "is 3"));
    repo.commit("header and doc");
    let assert = repo
        .lockstep()
        .args(["audit", "--format", "json"])
        .assert()
        .code(0);
    let report: Value = serde_json::from_slice(&assert.get_output().stdout).expect("JSON");
    let rule = &report["rules"][0];
    assert_eq!(rule["rule"], "annotation");
    // The initial commit adds the pair whole, which fires nothing; of the two edits,
    // the first misses the target here and the second has it.
    assert_eq!(
        (&rule["triggered"], &rule["missed"]),
        (&2.into(), &1.into())
    );
    assert_eq!(
        report["misses"][0]["missing"][0]["paths"][0],
        "docs/message.md"
    );
}

#[test]
fn bad_settings_point_at_themselves() {
    let repo = exported_repo(
        "version = 1\n[settings]\nannotation_external = [\"a[\"]\nannotation_prefixes = { \"\" = \"//\" }\n",
    );
    let assert = repo.lockstep().args(["check", "--staged"]).assert().code(2);
    let text = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        text.contains("invalid glob in `annotation_external`"),
        "{text}"
    );
    assert!(
        text.contains("`annotation_prefixes` has an empty key"),
        "{text}"
    );
}
