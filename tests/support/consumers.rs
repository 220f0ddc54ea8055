//! The consumers' own validators of lockstep's reports: Microsoft's SARIF validator and
//! the GitLab Code Quality schema (with Python's `jsonschema`).

use std::path::PathBuf;
use std::process::Command;

use super::Repo;

pub fn sarif_multitool() -> Option<PathBuf> {
    super::tool(
        "sarif-multitool",
        Some("SARIF_MULTITOOL"),
        "npm install @microsoft/sarif-multitool, then set SARIF_MULTITOOL",
    )
}

/// Runs Microsoft's validator on `sarif`: no error or warning may remain.
pub fn sarif_validates(repo: &Repo, sarif: &std::path::Path) {
    let Some(validator) = sarif_multitool() else {
        return;
    };
    let log = repo.path().join(".git/validation.sarif");
    let output = Command::new(validator)
        .arg("validate")
        .arg(sarif)
        .arg("--output")
        .arg(&log)
        .args(["--log", "ForceOverwrite"])
        .output()
        .expect("run sarif-multitool");
    let printed = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{printed}");
    let validation: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&log).expect("validation log"))
            .expect("validation json");
    let problems: Vec<String> = validation["runs"][0]["results"]
        .as_array()
        .expect("validation results")
        .iter()
        // SARIF2005 asks for an informationUri; lockstep has no published home yet.
        .filter(|r| r["ruleId"] != "SARIF2005" && r["level"] != "note")
        .map(|r| format!("{} {}: {}", r["level"], r["ruleId"], r["message"]))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}\n{printed}");
}

/// `python3` with the `jsonschema` package (`.ci/run` installs it from PyPI). Missing,
/// the test fails in CI and is skipped with a note elsewhere.
pub fn python_jsonschema() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 with jsonschema is missing: .ci/run must `pip install jsonschema`"
        );
        eprintln!("note: python3 -c 'import jsonschema' failed; skipping schema validation");
    }
    found
}

/// Validates `instance` against the GitLab Code Quality schema in tests/schemas; the
/// validator's complaints, or `None`.
pub fn gitlab_schema_errors(instance: &str) -> Option<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("report.json");
    std::fs::write(&path, instance).expect("write");
    let schema = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/schemas/gitlab-code-quality.json"
    );
    let output = Command::new("python3")
        .args([
            "-c",
            "import json, sys, jsonschema\nschema = json.load(open(sys.argv[1]))\njsonschema.Draft7Validator.check_schema(schema)\nerrors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(json.load(open(sys.argv[2])))]\nprint('\\n'.join(errors))\nsys.exit(1 if errors else 0)",
            schema,
        ])
        .arg(&path)
        .output()
        .expect("python3");
    (!output.status.success()).then(|| {
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr)
    })
}
