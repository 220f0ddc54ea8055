//! `lockstep check` with no diff flag in CI: the real variables of GitHub Actions,
//! GitLab CI and pre-commit, with event payload files, on real fixture repositories.

mod support;

use support::{API_RULES, Exits, PROTO, Repo, api_repo};

const ZERO: &str = "0000000000000000000000000000000000000000";

/// `main` with the rules, and a `feature` branch (checked out) with an API change that
/// lacks its companions. Returns (repo, base sha, head sha).
fn pull_request_repo() -> (Repo, String, String) {
    let repo = api_repo();
    let base = repo.rev("HEAD");
    repo.git(&["update-ref", "refs/remotes/origin/main", &base]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(
        PROTO,
        "service Refunds {\n  rpc Refund(R) returns (S2);\n}\n",
    );
    let head = repo.commit("Change refunds");
    (repo, base, head)
}

/// Writes a GitHub event payload into the repository's `.git` (outside the work tree).
fn payload(repo: &Repo, json: &str) -> String {
    let path = repo.path().join(".git/event.json");
    std::fs::write(&path, json).expect("payload");
    path.display().to_string()
}

/// lockstep in GitHub Actions, for the event `name` with the `json` payload.
fn github_event(repo: &Repo, name: &str, json: &str) -> assert_cmd::Command {
    let event = payload(repo, json);
    let mut command = repo.lockstep();
    command
        .env("CI", "true")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", name)
        .env("GITHUB_EVENT_PATH", event);
    command
}

fn github_pr(repo: &Repo, base: &str, head: &str) -> assert_cmd::Command {
    let json = format!(
        r#"{{"action": "opened", "number": 7, "pull_request": {{"base": {{"ref": "main", "sha": "{base}"}}, "head": {{"ref": "feature", "sha": "{head}"}}}}}}"#
    );
    let mut command = github_event(repo, "pull_request", &json);
    command.env("GITHUB_BASE_REF", "main").arg("check");
    command
}

fn text(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

#[test]
fn github_pull_request_is_checked_from_its_base() {
    let (repo, base, head) = pull_request_repo();
    let output = github_pr(&repo, &base, &head).exits(1);
    let text = text(&output);
    assert!(text.contains("payments-api"), "{text}");
    assert!(text.contains("GitHub Actions pull_request"), "{text}");
    assert!(
        text.contains(&format!("{}..{}", &base[..12], &head[..12])),
        "{text}"
    );
}

#[test]
fn a_pull_request_that_removes_the_rule_it_breaks_still_fails() {
    let (repo, base, _) = pull_request_repo();
    let weakened = API_RULES.replace("services/payments/api/**/*.proto", "nothing/**");
    repo.write("lockstep.toml", weakened);
    let head = repo.commit("Relax the payments rule");
    let output = github_pr(&repo, &base, &head).exits(1);
    let text = text(&output);
    assert!(text.contains("payments-api"), "{text}");
    assert!(
        text.contains("edits the rule set (lockstep.toml)"),
        "{text}"
    );
    assert!(text.contains("apply after merge"), "{text}");
    // The same check against the head's rules passes: the base's rules made it fail.
    github_pr(&repo, &base, &head)
        .args(["--config-from", "head"])
        .assert()
        .code(0);
}

#[test]
fn a_pull_request_that_deletes_the_rule_set_still_fails() {
    let (repo, base, _) = pull_request_repo();
    repo.remove("lockstep.toml");
    let head = repo.commit("Drop lockstep");
    github_pr(&repo, &base, &head).assert().code(1);
}

#[test]
fn a_pull_request_with_an_invalid_rule_set_is_an_error_now() {
    let (repo, base, _) = pull_request_repo();
    repo.write(
        "lockstep.toml",
        API_RULES.replace("version = 1", "version = 9"),
    );
    let head = repo.commit("Break the rules");
    let output = github_pr(&repo, &base, &head).exits(2);
    let text = text(&output);
    assert!(text.contains("edited rule set is invalid"), "{text}");
}

#[test]
fn a_pull_request_that_introduces_lockstep_is_checked_by_its_own_rules() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    let base = repo.commit("initial");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("lockstep.toml", API_RULES)
        .write(PROTO, "service Refunds {}\n");
    let head = repo.commit("Adopt lockstep");
    let output = github_pr(&repo, &base, &head).exits(1);
    assert!(text(&output).contains("payments-api"), "{}", text(&output));
}

#[test]
fn github_push_checks_before_to_after() {
    let (repo, base, head) = pull_request_repo();
    let output = github_event(&repo, "push", &format!(
            r#"{{"ref": "refs/heads/feature", "before": "{base}", "after": "{head}", "repository": {{"default_branch": "main"}}}}"#
        ))
        .env("GITHUB_SHA", &head)
        .arg("check")
        .exits(1);
    assert!(
        text(&output).contains("GitHub Actions push"),
        "{}",
        text(&output)
    );
}

#[test]
fn github_push_of_a_new_branch_is_checked_against_the_default_branch() {
    let (repo, _, head) = pull_request_repo();
    let output = github_event(&repo, "push", &format!(
            r#"{{"ref": "refs/heads/feature", "before": "{ZERO}", "after": "{head}", "created": true, "repository": {{"default_branch": "main"}}}}"#
        ))
        .args(["check", "--format", "json"])
        .exits(1);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(json["diff"]["kind"], "range");
    assert_eq!(json["diff"]["head"], head.as_str());
    assert_eq!(json["diff"]["files_changed"], 1);
}

#[test]
fn an_event_without_a_range_asks_for_base() {
    let (repo, _, _) = pull_request_repo();
    let output = github_event(&repo, "workflow_dispatch", r#"{"inputs": {}}"#)
        .arg("check")
        .exits(2);
    let text = text(&output);
    assert!(text.contains("workflow_dispatch"), "{text}");
    assert!(text.contains("--base origin/main"), "{text}");
}

#[test]
fn an_unknown_ci_asks_for_base() {
    let (repo, _, _) = pull_request_repo();
    let output = repo.lockstep().env("CI", "true").arg("check").exits(2);
    assert!(text(&output).contains("--base"), "{}", text(&output));
    // An explicit diff flag needs no detection.
    repo.lockstep()
        .env("CI", "true")
        .args(["check", "--base", "main"])
        .assert()
        .code(1);
}

#[test]
fn a_malformed_payload_is_an_error_naming_the_file() {
    let (repo, _, _) = pull_request_repo();
    let output = github_event(&repo, "pull_request", "{not json")
        .arg("check")
        .exits(2);
    assert!(text(&output).contains("event.json"), "{}", text(&output));
}

#[test]
fn gitlab_merge_request_and_push_pipelines() {
    let (repo, base, head) = pull_request_repo();
    let gitlab = |vars: &[(&str, &str)]| {
        let mut command = repo.lockstep();
        command
            .env("CI", "true")
            .env("GITLAB_CI", "true")
            .env("CI_COMMIT_SHA", &head);
        for (k, v) in vars {
            command.env(k, v);
        }
        command.arg("check");
        command
    };
    let output = gitlab(&[("CI_MERGE_REQUEST_DIFF_BASE_SHA", &base)]).exits(1);
    assert!(
        text(&output).contains("GitLab merge request"),
        "{}",
        text(&output)
    );
    gitlab(&[("CI_COMMIT_BEFORE_SHA", &base)]).assert().code(1);
    // A push whose range holds no API change passes.
    gitlab(&[("CI_COMMIT_BEFORE_SHA", &head)]).assert().code(0);
}

#[test]
fn pre_commit_refs_select_the_range_even_outside_ci() {
    let (repo, base, head) = pull_request_repo();
    let output = repo
        .lockstep()
        .env("PRE_COMMIT_FROM_REF", &base)
        .env("PRE_COMMIT_TO_REF", &head)
        .args(["check", "--hook"])
        .exits(1);
    assert!(text(&output).contains("payments-api"), "{}", text(&output));
    // Without them, `--hook` is the staged check: nothing is staged.
    repo.lockstep().args(["check", "--hook"]).assert().code(0);
}

#[test]
fn a_shallow_clone_names_the_fix() {
    let (origin, base, head) = pull_request_repo();
    let clone = origin.shallow_clone(1, &["--branch", "feature"]);
    let output = github_pr(&clone, &base, &head).exits(2);
    let text = text(&output);
    assert!(text.contains("fetch-depth: 0"), "{text}");
    assert!(text.contains("git fetch --unshallow"), "{text}");
}

#[test]
fn github_format_annotates_and_writes_the_step_summary() {
    let (repo, base, head) = pull_request_repo();
    let summary = repo.path().join(".git/step-summary.md");
    std::fs::write(&summary, "previous step\n").expect("summary");
    let output = github_pr(&repo, &base, &head)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["--format", "github"])
        .exits(1);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!(
            "::error file={PROTO},line=2,title=lockstep payments-api::"
        )),
        "{stdout}"
    );
    let written = std::fs::read_to_string(&summary).expect("read summary");
    assert!(
        written.starts_with("previous step\n### lockstep"),
        "{written}"
    );
    assert!(
        written.contains("| ❌ error | `payments-api` |"),
        "{written}"
    );
}

/// lockstep with only `vars` set (plus what every test sets), running `check`.
fn ci_check(repo: &Repo, vars: &[(&str, &str)]) -> assert_cmd::Command {
    let mut command = repo.lockstep();
    for (name, value) in vars {
        command.env(name, value);
    }
    command.arg("check");
    command
}

/// Each service's documented pull-request variables, for the target branch `target`
/// and the head commit `head`.
fn pull_request_vars<'a>(ci: &str, target: &'a str, head: &'a str) -> Vec<(&'static str, &'a str)> {
    match ci {
        "Azure Pipelines" => vec![
            ("TF_BUILD", "True"),
            ("BUILD_REASON", "PullRequest"),
            ("SYSTEM_PULLREQUEST_TARGETBRANCH", target),
            ("BUILD_SOURCEVERSION", head),
        ],
        "Bitbucket Pipelines" => vec![
            ("CI", "true"),
            ("BITBUCKET_BUILD_NUMBER", "12"),
            ("BITBUCKET_PR_ID", "3"),
            ("BITBUCKET_PR_DESTINATION_BRANCH", target),
            ("BITBUCKET_COMMIT", head),
        ],
        "Buildkite" => vec![
            ("CI", "true"),
            ("BUILDKITE", "true"),
            ("BUILDKITE_PULL_REQUEST", "3"),
            ("BUILDKITE_PULL_REQUEST_BASE_BRANCH", target),
            ("BUILDKITE_COMMIT", head),
        ],
        // Jenkins sets no CI variable.
        "Jenkins" => vec![
            ("JENKINS_URL", "https://jenkins.example.com/"),
            ("BUILD_NUMBER", "12"),
            ("CHANGE_ID", "3"),
            ("CHANGE_TARGET", target),
            ("GIT_COMMIT", head),
        ],
        other => panic!("no variables for {other}"),
    }
}

const BRANCH_CIS: [&str; 4] = [
    "Azure Pipelines",
    "Bitbucket Pipelines",
    "Buildkite",
    "Jenkins",
];

#[test]
fn azure_bitbucket_buildkite_and_jenkins_pull_requests() {
    let (repo, base, head) = pull_request_repo();
    for ci in BRANCH_CIS {
        // Azure Repos names the branch as a full ref.
        let target = if ci == "Azure Pipelines" {
            "refs/heads/main"
        } else {
            "main"
        };
        let output = ci_check(&repo, &pull_request_vars(ci, target, &head))
            .args(["--format", "json"])
            .exits(1);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("({ci} pull request")),
            "{ci}: {stderr}"
        );
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        assert_eq!(json["diff"]["base"], base.as_str(), "{ci}");
        assert_eq!(json["diff"]["head"], head.as_str(), "{ci}");
        assert_eq!(json["findings"][0]["rule"], "payments-api", "{ci}");
    }
}

#[test]
fn the_target_branch_may_be_a_local_branch() {
    let (repo, base, head) = pull_request_repo();
    repo.git(&["update-ref", "-d", "refs/remotes/origin/main"]);
    let output = ci_check(
        &repo,
        &pull_request_vars("Bitbucket Pipelines", "main", &head),
    )
    .args(["--format", "json"])
    .exits(1);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(json["diff"]["base"], base.as_str());
}

#[test]
fn a_target_branch_missing_from_the_clone_names_the_fetch() {
    let (repo, _, head) = pull_request_repo();
    for ci in BRANCH_CIS {
        let output = ci_check(&repo, &pull_request_vars(ci, "release", &head)).exits(2);
        let text = text(&output);
        assert!(
            text.contains("`release` is not in this clone"),
            "{ci}: {text}"
        );
        assert!(
            text.contains("git fetch origin release:refs/remotes/origin/release"),
            "{ci}: {text}"
        );
    }
}

#[test]
fn other_builds_check_their_commit() {
    let (repo, _, head) = pull_request_repo();
    let pushes: [(&str, Vec<(&str, &str)>); 4] = [
        (
            "Azure Pipelines",
            vec![
                ("TF_BUILD", "True"),
                ("BUILD_REASON", "IndividualCI"),
                ("BUILD_SOURCEVERSION", &head),
            ],
        ),
        (
            "Bitbucket Pipelines",
            vec![
                ("CI", "true"),
                ("BITBUCKET_BUILD_NUMBER", "1"),
                ("BITBUCKET_COMMIT", &head),
            ],
        ),
        (
            "Buildkite",
            vec![
                ("CI", "true"),
                ("BUILDKITE", "true"),
                ("BUILDKITE_PULL_REQUEST", "false"),
                ("BUILDKITE_PULL_REQUEST_BASE_BRANCH", ""),
                ("BUILDKITE_COMMIT", &head),
            ],
        ),
        (
            "Jenkins",
            vec![
                ("JENKINS_URL", "https://jenkins.example.com/"),
                ("GIT_COMMIT", &head),
            ],
        ),
    ];
    for (ci, vars) in pushes {
        let output = ci_check(&repo, &vars).args(["--format", "json"]).exits(1);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("({ci} build of one commit")),
            "{ci}: {stderr}"
        );
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        assert_eq!(json["diff"]["kind"], "commit", "{ci}");
        assert_eq!(json["diff"]["head"], head.as_str(), "{ci}");
    }
    // The commit before it changed nothing the rules guard.
    let initial = repo.rev("HEAD~1");
    ci_check(
        &repo,
        &[
            ("JENKINS_URL", "https://jenkins.example.com/"),
            ("GIT_COMMIT", &initial),
        ],
    )
    .assert()
    .code(0);
}

#[test]
fn a_shallow_clone_names_each_services_fix() {
    let (origin, _, head) = pull_request_repo();
    let clone = origin.shallow_clone(1, &["--branch", "feature"]);
    clone.git(&[
        "fetch",
        "-q",
        "--depth",
        "1",
        "origin",
        "main:refs/remotes/origin/main",
    ]);
    for (ci, fix) in [
        ("Azure Pipelines", "fetchDepth: 0"),
        ("Bitbucket Pipelines", "clone: depth: full"),
        ("Buildkite", "without `--depth`"),
        ("Jenkins", "shallow: false"),
    ] {
        let output = ci_check(&clone, &pull_request_vars(ci, "main", &head)).exits(2);
        // miette wraps long lines: compare the words.
        let text = text(&output).replace(['│', '╰', '─', '▶'], " ");
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains("lacks the history"), "{ci}: {text}");
        assert!(text.contains(fix), "{ci}: {text}");
        assert!(text.contains("git fetch --unshallow"), "{ci}: {text}");
    }
}

/// A GitHub pull_request event whose `pull_request` also holds `extra` (labels, body).
fn github_pr_with(repo: &Repo, base: &str, head: &str, extra: &str) -> assert_cmd::Command {
    let json = format!(
        r#"{{"action": "labeled", "number": 7, "pull_request": {{"base": {{"ref": "main", "sha": "{base}"}}, "head": {{"ref": "feature", "sha": "{head}"}}, {extra}}}}}"#
    );
    let mut command = github_event(repo, "pull_request", &json);
    command.args(["check", "--format", "json"]);
    command
}

/// The waiver of the first finding, which must be waived.
fn first_waiver(output: &std::process::Output) -> serde_json::Value {
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let finding = &json["findings"][0];
    assert_eq!(finding["status"], "waived", "{json:#}");
    finding["waiver"].clone()
}

#[test]
fn github_pull_request_labels_waive_rules_and_say_so() {
    let (repo, base, head) = pull_request_repo();
    let labelled = |labels: &str| {
        github_pr_with(
            &repo,
            &base,
            &head,
            &format!(r#""body": null, "labels": {labels}"#),
        )
    };
    let output = labelled(
        r#"[{"name": "bug", "description": null}, {"name": "lockstep-skip:payments-api", "description": "docs land in #12"}]"#,
    )
    .exits(0);
    assert_eq!(
        first_waiver(&output),
        serde_json::json!({"by": "pull request label `lockstep-skip:payments-api`", "reason": "docs land in #12"})
    );
    let output = labelled(r#"[{"name": "lockstep-skip"}]"#).exits(0);
    assert_eq!(
        first_waiver(&output)["by"],
        "pull request label `lockstep-skip`"
    );
    // A label for another rule waives nothing.
    labelled(r#"[{"name": "lockstep-skip:docs"}]"#)
        .assert()
        .code(1);
}

#[test]
fn github_pull_request_description_lines_waive_rules() {
    let (repo, base, head) = pull_request_repo();
    let body =
        "Refunds.\\r\\n\\r\\nLockstep-Skip: payments-api -- SDK is regenerated nightly\\r\\n";
    let output = github_pr_with(
        &repo,
        &base,
        &head,
        &format!(r#""body": "{body}", "labels": []"#),
    )
    .exits(0);
    assert_eq!(
        first_waiver(&output),
        serde_json::json!({
            "by": "pull request description line `Lockstep-Skip: payments-api -- SDK is regenerated nightly`",
            "reason": "SDK is regenerated nightly"
        })
    );
    // The human report says it too.
    github_pr_with(
        &repo,
        &base,
        &head,
        &format!(r#""body": "{body}", "labels": []"#),
    )
    .args(["--report", "human=.git/human.txt"])
    .assert()
    .code(0);
    let human = std::fs::read_to_string(repo.path().join(".git/human.txt")).expect("human");
    assert!(human.contains("(waived) payments-api"), "{human}");
    assert!(human.contains("SDK is regenerated nightly"), "{human}");
}

#[test]
fn gitlab_merge_request_labels_and_description_waive_rules() {
    let (repo, base, head) = pull_request_repo();
    let gitlab = |vars: &[(&str, &str)]| {
        let mut command = ci_check(
            &repo,
            &[
                ("CI", "true"),
                ("GITLAB_CI", "true"),
                ("CI_COMMIT_SHA", &head),
                ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &base),
            ],
        );
        for (k, v) in vars {
            command.env(k, v);
        }
        command.args(["--format", "json"]);
        command
    };
    let output = gitlab(&[(
        "CI_MERGE_REQUEST_LABELS",
        "backend,lockstep-skip:payments-api",
    )])
    .exits(0);
    assert_eq!(
        first_waiver(&output),
        serde_json::json!({"by": "pull request label `lockstep-skip:payments-api`"})
    );
    let output = gitlab(&[(
        "CI_MERGE_REQUEST_DESCRIPTION",
        "Refunds\n\nlockstep-skip: all -- release branch sync\n",
    )])
    .exits(0);
    assert_eq!(first_waiver(&output)["reason"], "release branch sync");
    gitlab(&[("CI_MERGE_REQUEST_LABELS", "backend")])
        .assert()
        .code(1);
}

#[test]
fn pull_request_waivers_never_waive_unskippable_rules() {
    let (repo, base, _) = pull_request_repo();
    repo.write(
        "lockstep.toml",
        API_RULES.replace("message = ", "skippable = false\nmessage = "),
    );
    let head = repo.commit("Make the rule unskippable");
    let output = github_pr_with(
        &repo,
        &base,
        &head,
        r#""body": "Lockstep-Skip: all", "labels": [{"name": "lockstep-skip"}]"#,
    )
    .args(["--config-from", "head"])
    .exits(1);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(json["findings"][0]["status"], "missing");
}
