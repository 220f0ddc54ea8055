//! The CI output formats from the real binary on a real repository: SARIF checked by
//! Microsoft's SARIF validator, JUnit by an XML parser, and snapshots of each.
//!
//! The validator is `$SARIF_MULTITOOL` or `sarif-multitool` on PATH (`.ci/run` installs
//! `@microsoft/sarif-multitool` from npm). Missing, the test fails in CI and is skipped
//! with a note elsewhere.

mod support;

use std::process::Command;

use support::consumers::{self, gitlab_schema_errors, python_jsonschema, sarif_validates};
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

    sarif_validates(&repo, &sarif);
}

#[test]
fn sarif_of_a_too_large_change_points_at_max_files() {
    let repo = repo();
    let rules = RULES.replace(
        "version = 1\n",
        "version = 1\n\n[settings]\nmax_files = 2\n",
    );
    repo.write("lockstep.toml", rules);
    repo.git(&["add", "-A"]);
    let sarif = repo.path().join(".git/report.sarif");
    repo.lockstep()
        .args(["check", "--staged", "--format", "sarif", "--output"])
        .arg(&sarif)
        .exits(0);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("read")).expect("json");
    let results = report["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{report}");
    assert_eq!(results[0]["ruleId"], "max-files");
    let place = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(place["artifactLocation"]["uri"], "lockstep.toml");
    assert_eq!(place["region"]["startLine"], 4, "the `max_files = 2` line");
    sarif_validates(&repo, &sarif);
}

#[test]
fn sarif_validator_catches_a_broken_file() {
    // The validator run above can fail: a file missing `tool.driver` is reported.
    let Some(validator) = consumers::sarif_multitool() else {
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

#[test]
fn github_annotates_ten_per_level_and_keeps_the_job_summary_under_one_mib() {
    let repo = Repo::new();
    repo.write(
        "lockstep.toml",
        r#"version = 1
[settings]
max_files = 20000
[[rule]]
id = "module-docs"
owners = ["@acme/payments-handlers-reviewers", "@acme/payments-documentation-writers", "@acme/platform-developer-experience"]
when = ["src/services/payments/internal/handlers/{name}_handler.rs"]
then = ["docs/services/payments/internal/handlers/{name}_handler.md"]
"#,
    );
    repo.commit("rules");
    for i in 0..3600 {
        repo.write(
            &format!("src/services/payments/internal/handlers/h{i:05}_handler.rs"),
            "\n",
        );
    }
    repo.git(&["add", "-A"]);
    let summary = repo.path().join(".git/step-summary.md");
    // What earlier commands of the step wrote counts against GitHub's limit.
    std::fs::write(&summary, "x".repeat(100_000)).expect("write summary");
    let output = repo
        .lockstep()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["check", "--staged", "--format", "github"])
        .exits(1);
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("::error ")).count(),
        10
    );
    assert!(
        stdout.contains("lockstep: 3590 more errors not annotated (GitHub shows 10 of each level)"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(&summary).expect("read summary");
    assert!(written.len() <= 1024 * 1024, "{} bytes", written.len());
    assert!(
        written.len() > 1000 * 1024,
        "the room is used: {} bytes",
        written.len()
    );
    assert!(written.contains("| ❌ error | `module-docs [name = h00000]`"));
    assert!(written.contains("more findings not shown: the summary is kept under"));
}

fn fingerprints(report: &str) -> Vec<String> {
    let issues: Vec<serde_json::Value> = serde_json::from_str(report).expect("json array");
    issues
        .iter()
        .map(|i| i["fingerprint"].as_str().expect("fingerprint").to_owned())
        .collect()
}

#[test]
fn gitlab_code_quality_matches_the_documented_shape() {
    let repo = repo();
    let report = check(&repo, "gitlab");
    let issues: Vec<serde_json::Value> = serde_json::from_str(&report).expect("json");
    let shape: Vec<(&str, &str, &str, u64)> = issues
        .iter()
        .map(|i| {
            (
                i["check_name"].as_str().expect("check_name"),
                i["severity"].as_str().expect("severity"),
                i["location"]["path"].as_str().expect("path"),
                i["location"]["lines"]["begin"].as_u64().expect("begin"),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            (
                "lockstep/payments-api",
                "major",
                "services/payments/api/refund.proto",
                2
            ),
            ("lockstep/man-pages", "minor", "doc/man/cargo-build.md", 1),
            ("lockstep/changelog", "info", "src/lib.rs", 1),
        ]
    );
    assert!(
        issues
            .iter()
            .all(|i| i["description"].as_str().is_some_and(|d| !d.is_empty()))
    );
    let mut unique = fingerprints(&report);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), issues.len(), "fingerprints are unique");

    if python_jsonschema() {
        assert_eq!(gitlab_schema_errors(&report), None);
        // The validation can fail: a report missing a fingerprint, with a made-up
        // severity, is rejected.
        let broken = r#"[{"description": "d", "check_name": "c", "severity": "fatal",
                         "location": {"path": "a", "lines": {"begin": 1}}}]"#;
        let errors = gitlab_schema_errors(broken).expect("rejected");
        assert!(
            errors.contains("fingerprint") && errors.contains("fatal"),
            "{errors}"
        );
    }
}

#[test]
fn gitlab_fingerprints_survive_line_moves_and_reruns() {
    let repo = repo();
    let before = fingerprints(&check(&repo, "gitlab"));
    assert_eq!(before, fingerprints(&check(&repo, "gitlab")));
    // Lines added above the trigger move it; GitLab must still see the same issue.
    repo.write(
        "services/payments/api/refund.proto",
        "// Refunds.\n\nservice Refunds {\n  rpc Refund(R) returns (S);\n}\n",
    );
    repo.git(&["add", "-A"]);
    let moved = check(&repo, "gitlab");
    assert!(moved.contains("\"begin\": 4"), "{moved}");
    assert_eq!(before, fingerprints(&moved));
}

#[test]
fn azure_logging_commands_and_the_uploaded_summary() {
    let repo = repo();
    let agent_temp = tempfile::tempdir().expect("agent temp");
    let state = repo.state();
    let output = repo
        .lockstep()
        .env("LOCKSTEP_SKIP", "changelog")
        .env("AGENT_TEMPDIRECTORY", agent_temp.path())
        .args(["check", "--staged", "--format", "azure"])
        .exits(1);
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    let lines: Vec<&str> = stdout.lines().collect();
    // The documented shape: `##vso[task.logissue type=error|warning;sourcepath=…;
    // linenumber=…]message` (properties `key=value;` in any order).
    let shape = regex::Regex::new(
        r"^##vso\[task\.logissue type=(error|warning)(;[a-z]+=[^;\]]*)*\][^\r\n]+$",
    )
    .expect("regex");
    let command = |line: &str| shape.is_match(line);
    assert!(command(lines[0]), "{stdout}");
    assert!(
        lines[0].starts_with(
            "##vso[task.logissue type=error;sourcepath=services/payments/api/refund.proto;linenumber=2;code=lockstep/payments-api]payments-api: "
        ),
        "{stdout}"
    );
    assert!(command(lines[1]), "{stdout}");
    assert!(lines[1].starts_with("##vso[task.logissue type=warning;sourcepath=doc/man/cargo-build.md;linenumber=1;code=lockstep/man-pages]"), "{stdout}");
    assert!(
        lines[2].starts_with("lockstep: changelog: src/lib.rs"),
        "{stdout}"
    );
    assert_eq!(
        lines[3],
        "lockstep: 1 error, 1 warning, 0 infos, 1 waived (3 changed files, 3 rules checked)"
    );
    let summary = lines[4]
        .strip_prefix("##vso[task.uploadsummary]")
        .expect("summary command");
    let summary = std::path::Path::new(summary);
    assert!(summary.starts_with(agent_temp.path()), "{stdout}");
    let markdown = std::fs::read_to_string(summary).expect("summary file");
    assert!(
        markdown.contains("| ❌ error | `payments-api` |"),
        "{markdown}"
    );
    // Outside a pipeline's agent, the summary goes to the system's temporary directory.
    let system_temp = tempfile::tempdir().expect("system temp");
    let output = repo
        .lockstep()
        .env("LOCKSTEP_SKIP", "changelog")
        .env("TMPDIR", system_temp.path())
        .args(["check", "--staged", "--format", "azure"])
        .exits(1);
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    let summary = stdout
        .lines()
        .find_map(|line| line.strip_prefix("##vso[task.uploadsummary]"))
        .expect("summary command");
    assert!(
        std::path::Path::new(summary).starts_with(system_temp.path()),
        "{stdout}"
    );
    assert_eq!(repo.state(), state, "the work tree is untouched");
}

#[test]
fn several_reports_in_one_run_match_their_single_runs() {
    let repo = repo();
    let output = repo
        .lockstep()
        .env("LOCKSTEP_SKIP", "changelog")
        .args(["check", "--staged", "--format", "human"])
        .args(["--report", "sarif=.git/lockstep.sarif"])
        .args(["--report", "junit=.git/lockstep.xml"])
        .args(["--report", "GitLab=.git/code-quality.json"])
        .exits(1);
    let human = String::from_utf8(output.stdout).expect("utf-8");
    assert!(human.contains("lockstep: 1 error, 1 warning"), "{human}");
    for (format, file) in [
        ("sarif", "lockstep.sarif"),
        ("junit", "lockstep.xml"),
        ("gitlab", "code-quality.json"),
    ] {
        let written = std::fs::read_to_string(repo.path().join(".git").join(file)).expect(file);
        assert_eq!(written, check(&repo, format), "{format}");
    }
}

#[test]
fn bad_report_arguments_are_usage_errors() {
    let repo = repo();
    let stderr = |args: &[&str]| {
        let output = repo
            .lockstep()
            .args(["check", "--staged"])
            .args(args)
            .exits(2);
        assert!(output.stdout.is_empty(), "nothing is reported");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let unknown = stderr(&["--report", "yaml=out.yaml"]);
    assert!(unknown.contains("unknown format `yaml`"), "{unknown}");
    assert!(
        unknown.contains("sarif, github, markdown, junit, gitlab, azure"),
        "{unknown}"
    );
    let no_path = stderr(&["--report", "sarif"]);
    assert!(no_path.contains("expected FORMAT=PATH"), "{no_path}");
    let unwritable = stderr(&["--report", "sarif=no/such/dir/out.sarif"]);
    assert!(
        unwritable.contains("cannot write the report to `no/such/dir/out.sarif`"),
        "{unwritable}"
    );
    let twice = stderr(&["-o", ".git/a", "--report", "json=.git/a"]);
    assert!(twice.contains("named by more than one report"), "{twice}");
}
