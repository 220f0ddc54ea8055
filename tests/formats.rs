//! The CI output formats from the real binary on a real repository: SARIF checked by
//! Microsoft's SARIF validator, JUnit by an XML parser, and snapshots of each.
//!
//! The validator is `$SARIF_MULTITOOL` or `sarif-multitool` on PATH (`.ci/run` installs
//! `@microsoft/sarif-multitool` from npm). Missing, the test fails in CI and is skipped
//! with a note elsewhere.

mod support;

use std::path::PathBuf;
use std::process::Command;

use support::{Exits, Repo};

const RULES: &str = r#"version = 1

[[rule]]
id = "payments-api"
description = "Payments API changes reach docs and SDKs"
when = ["services/payments/api/**/*.proto"]
matching = 'rpc\s+\w+'
owners = ["@acme/payments-docs"]
message = "Run `make sdk`."
then = [
  { kind = "docs", paths = ["docs/payments/api.md"] },
  { kind = "sdk", paths = ["sdk/go/payments/**"] },
]

[[rule]]
id = "man-pages"
description = "Man pages are regenerated"
when = ["doc/man/cargo-{cmd}.md"]
severity = "warning"
then = ["etc/man/cargo-{cmd}.1"]

[[rule]]
id = "changelog"
when = ["src/**"]
then = [{ kind = "changelog", paths = ["CHANGELOG.md"] }]
"#;

/// Staged: an API change (error), a man page (warning, with a binding), and a source
/// change waived by LOCKSTEP_SKIP.
fn repo() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", RULES)
        .write(
            "services/payments/api/refund.proto",
            "service Refunds {\n}\n",
        )
        .write("doc/man/cargo-build.md", "# build\n")
        .write("src/lib.rs", "\n");
    repo.commit("initial");
    repo.write(
        "services/payments/api/refund.proto",
        "service Refunds {\n  rpc Refund(R) returns (S);\n}\n",
    )
    .write("doc/man/cargo-build.md", "# cargo build\n")
    .write("src/lib.rs", "pub fn f() {}\n");
    repo.git(&["add", "-A"]);
    repo
}

fn check(repo: &Repo, format: &str) -> String {
    let output = repo
        .lockstep()
        .env("LOCKSTEP_SKIP", "changelog")
        .args(["check", "--staged", "--format", format])
        .exits(1);
    String::from_utf8(output.stdout).expect("utf-8")
}

fn sarif_multitool() -> Option<PathBuf> {
    support::tool(
        "sarif-multitool",
        Some("SARIF_MULTITOOL"),
        "npm install @microsoft/sarif-multitool, then set SARIF_MULTITOOL",
    )
}

#[test]
fn sarif_passes_microsofts_validator() {
    let repo = repo();
    let sarif = repo.path().join(".git/report.sarif");
    repo.lockstep()
        .env("LOCKSTEP_SKIP", "changelog")
        .args(["check", "--staged", "--format", "sarif", "--output"])
        .arg(&sarif)
        .assert()
        .code(1);

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("read")).expect("json");
    let run = &report["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(rules, ["payments-api", "man-pages", "changelog"]);
    let first = &run["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        first["artifactLocation"]["uri"],
        "services/payments/api/refund.proto"
    );
    assert_eq!(first["region"]["startLine"], 2);
    assert_eq!(run["results"][2]["suppressions"][0]["kind"], "external");

    let Some(validator) = sarif_multitool() else {
        return;
    };
    let log = repo.path().join(".git/validation.sarif");
    let output = Command::new(validator)
        .arg("validate")
        .arg(&sarif)
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

#[test]
fn sarif_validator_catches_a_broken_file() {
    // The validator run above can fail: a file missing `tool.driver` is reported.
    let Some(validator) = sarif_multitool() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("broken.sarif");
    std::fs::write(&broken, r#"{"version": "2.1.0", "runs": [{"tool": {}}]}"#).expect("write");
    let log = dir.path().join("log.sarif");
    Command::new(validator)
        .arg("validate")
        .arg(&broken)
        .arg("--output")
        .arg(&log)
        .args(["--log", "ForceOverwrite"])
        .output()
        .expect("run sarif-multitool");
    let validation = std::fs::read_to_string(&log).expect("log");
    assert!(validation.contains("\"level\": \"error\""), "{validation}");
}

#[test]
fn junit_is_well_formed_xml() {
    let repo = repo();
    let xml = check(&repo, "junit");
    insta::assert_snapshot!(xml);
    let path = repo.path().join(".git/junit.xml");
    std::fs::write(&path, &xml).expect("write");
    let output = Command::new("python3")
        .args([
            "-c",
            "import sys, xml.etree.ElementTree as E\nr = E.parse(sys.argv[1]).getroot()\nprint(len(r.findall('.//testcase')), len(r.findall('.//failure')), len(r.findall('.//skipped')))",
        ])
        .arg(&path)
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "3 1 1");
}

#[test]
fn github_markdown_and_sarif_snapshots() {
    let repo = repo();
    insta::assert_snapshot!("github", check(&repo, "github"));
    insta::assert_snapshot!("markdown", check(&repo, "markdown"));
    let sarif = check(&repo, "sarif").replace(env!("CARGO_PKG_VERSION"), "[VERSION]");
    insta::assert_snapshot!("sarif", sarif);
}
