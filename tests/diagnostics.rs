//! One diagnostic model: rule findings, annotation problems and `validate` issues render
//! in every format, each with its code in the place the format keeps codes.

mod support;

use support::consumers::{gitlab_schema_errors, python_jsonschema, sarif_validates};
use support::{Exits, Repo};

/// Every `--format`, as `check` and `validate` accept them.
const FORMATS: [&str; 8] = [
    "human", "json", "sarif", "github", "markdown", "junit", "gitlab", "azure",
];

/// A rule set with a stale `when` glob (a warning) and a file whose block is never
/// closed (an error).
fn repo() -> Repo {
    let repo = Repo::new();
    repo.write(
        "lockstep.toml",
        "version = 1\n\n[[rule]]\nid = \"docs\"\nwhen = [\"gone/**\"]\nthen = [\"README.md\"]\n",
    )
    .write("README.md", "# r\n")
    .write("src/a.py", "x = 1\n");
    repo.commit("initial");
    repo.write("src/a.py", "x = 1\n# LINT.IfChange\ny = 2\n");
    repo.git(&["add", "-A"]);
    repo.commit("an unclosed block");
    repo
}

fn run(repo: &Repo, args: &[&str], code: i32) -> String {
    let output = repo.lockstep().args(args).exits(code);
    String::from_utf8(output.stdout).expect("utf-8")
}

/// Where each format keeps a code, for the codes `validate/stale-glob` and
/// `annotation/unclosed-if-change`.
fn code_marks(format: &str, id: &str) -> String {
    match format {
        "human" => format!("lockstep::{}", id.replace('/', "::")),
        "json" => format!("\"code\": \"{id}\""),
        "sarif" => format!("\"ruleId\": \"{id}\""),
        "github" => format!("title=lockstep {id}::"),
        "markdown" => format!("| `{id}` |"),
        "junit" => format!("classname=\"lockstep.{}\"", id.replace('/', ".")),
        "gitlab" => format!("\"check_name\": \"lockstep/{id}\""),
        "azure" => format!("code=lockstep/{id}]"),
        _ => unreachable!("{format}"),
    }
}

#[test]
fn validate_renders_every_format_with_each_problems_code() {
    let repo = repo();
    for format in FORMATS {
        let text = run(&repo, &["validate", "--format", format], 1);
        for id in ["validate/stale-glob", "annotation/unclosed-if-change"] {
            let mark = code_marks(format, id);
            assert!(text.contains(&mark), "{format}: no `{mark}` in\n{text}");
        }
        assert!(
            text.contains("src/a.py"),
            "{format}: no location in\n{text}"
        );
    }
}

#[test]
fn validate_json_lists_diagnostics_with_code_location_and_help() {
    let repo = repo();
    let text = run(&repo, &["validate", "--format", "json"], 1);
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let diagnostics = json["diagnostics"].as_array().expect("diagnostics");
    let find = |code: &str| {
        let found = diagnostics.iter().find(|d| d["code"] == code);
        found.unwrap_or_else(|| panic!("no {code} in {diagnostics:#?}"))
    };
    let block = find("annotation/unclosed-if-change");
    assert_eq!(block["severity"], "error");
    assert_eq!(block["location"]["path"], "src/a.py");
    assert_eq!(block["location"]["line"], 2);
    assert!(!block["message"].as_str().expect("message").contains('['));
    assert!(!block["help"][0].as_str().expect("help").is_empty());
    let glob = find("validate/stale-glob");
    assert_eq!(glob["severity"], "warning");
    assert_eq!(glob["location"]["path"], "lockstep.toml");
    assert_eq!(glob["location"]["line"], 5);
    assert_eq!(
        json["summary"],
        serde_json::json!({"errors": 1, "warnings": 1, "infos": 0, "waived": 0})
    );
}

#[test]
fn validate_exit_status_does_not_depend_on_the_format() {
    let repo = Repo::new();
    repo.write(
        "lockstep.toml",
        "version = 1\n\n[[rule]]\nid = \"docs\"\nwhen = [\"gone/**\"]\nthen = [\"README.md\"]\n",
    )
    .write("README.md", "# r\n");
    repo.commit("initial");
    for format in FORMATS {
        run(&repo, &["validate", "--format", format], 0);
        run(
            &repo,
            &["validate", "--deny", "warnings", "--format", format],
            1,
        );
    }
}

#[test]
fn validate_sarif_and_gitlab_pass_their_consumers_validators() {
    let repo = repo();
    let sarif = repo.path().join(".git/validate.sarif");
    std::fs::write(&sarif, run(&repo, &["validate", "--format", "sarif"], 1)).expect("write");
    sarif_validates(&repo, &sarif);
    if python_jsonschema() {
        let gitlab = run(&repo, &["validate", "--format", "gitlab"], 1);
        assert_eq!(gitlab_schema_errors(&gitlab), None);
    }
}

#[test]
fn check_renders_an_annotation_problem_with_its_code_in_every_format() {
    let repo = repo();
    for format in FORMATS {
        let text = run(&repo, &["check", "--commit", "HEAD", "--format", format], 1);
        let mark = match format {
            // The JSON of SPEC section 5 names the rule, `annotation`, and the code apart.
            "json" => "\"code\": \"unclosed-if-change\"".to_owned(),
            // The Markdown table's columns are a finding's; the code ends the message.
            "markdown" => "[unclosed-if-change]".to_owned(),
            // GitHub's title names the rule; the message ends in the code.
            "github" => "[unclosed-if-change]".to_owned(),
            _ => code_marks(format, "annotation/unclosed-if-change"),
        };
        assert!(text.contains(&mark), "{format}: no `{mark}` in\n{text}");
    }
}

#[test]
fn validate_github_counts_what_it_does_not_annotate_without_naming_a_job_summary() {
    let repo = Repo::new();
    let globs: Vec<String> = (0..12).map(|i| format!("\"gone{i}/**\"")).collect();
    repo.write(
        "lockstep.toml",
        format!(
            "version = 1\n\n[[rule]]\nid = \"docs\"\nwhen = [{}]\nthen = [\"README.md\"]\n",
            globs.join(", ")
        ),
    )
    .write("README.md", "# r\n");
    repo.commit("initial");
    let text = run(&repo, &["validate", "--format", "github"], 0);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("::warning ")).count(),
        10
    );
    assert!(
        text.contains(
            "lockstep: 2 more warnings not annotated (GitHub shows 10 of each level); `lockstep validate` lists every problem"
        ),
        "{text}"
    );
}
