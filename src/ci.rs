//! Continuous-integration detection: which diff a `check` with no diff flag should judge,
//! read from the variables GitHub Actions, GitLab CI and pre-commit set.
//!
//! The variables are captured once, by the CLI, into a [`CiEnv`]; this module never
//! reads the process environment itself.

use std::path::PathBuf;

use miette::Diagnostic;
use serde::Deserialize;
use thiserror::Error;

use crate::git::DiffSpec;

/// The CI variables lockstep reads. Empty variables count as unset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CiEnv {
    /// `CI`: set (to anything but `false`/`0`) by every CI service.
    pub ci: bool,
    pub github_actions: bool,
    pub github_event_name: Option<String>,
    pub github_event_path: Option<PathBuf>,
    pub github_base_ref: Option<String>,
    pub github_sha: Option<String>,
    /// `GITHUB_STEP_SUMMARY`: a file the `github` format appends its Markdown summary to.
    pub github_step_summary: Option<PathBuf>,
    pub gitlab_ci: bool,
    pub gitlab_merge_request_diff_base_sha: Option<String>,
    pub gitlab_merge_request_target_branch: Option<String>,
    pub gitlab_commit_before_sha: Option<String>,
    pub gitlab_commit_sha: Option<String>,
    pub gitlab_default_branch: Option<String>,
    pub pre_commit_from_ref: Option<String>,
    pub pre_commit_to_ref: Option<String>,
    /// `AGENT_TEMPDIRECTORY`: Azure Pipelines' per-job scratch directory, where the
    /// `azure` format writes the summary it attaches to the run.
    pub agent_temp_directory: Option<PathBuf>,
}

impl CiEnv {
    /// Builds the snapshot from a lookup of variable values (the CLI passes the process
    /// environment; tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> CiEnv {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let flag = |name: &str| get(name).is_some_and(|v| !matches!(v.as_str(), "false" | "0"));
        CiEnv {
            ci: flag("CI"),
            github_actions: flag("GITHUB_ACTIONS"),
            github_event_name: get("GITHUB_EVENT_NAME"),
            github_event_path: get("GITHUB_EVENT_PATH").map(PathBuf::from),
            github_base_ref: get("GITHUB_BASE_REF"),
            github_sha: get("GITHUB_SHA"),
            github_step_summary: get("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            gitlab_ci: flag("GITLAB_CI"),
            gitlab_merge_request_diff_base_sha: get("CI_MERGE_REQUEST_DIFF_BASE_SHA"),
            gitlab_merge_request_target_branch: get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"),
            gitlab_commit_before_sha: get("CI_COMMIT_BEFORE_SHA"),
            gitlab_commit_sha: get("CI_COMMIT_SHA"),
            gitlab_default_branch: get("CI_DEFAULT_BRANCH"),
            pre_commit_from_ref: get("PRE_COMMIT_FROM_REF"),
            pre_commit_to_ref: get("PRE_COMMIT_TO_REF"),
            agent_temp_directory: get("AGENT_TEMPDIRECTORY").map(PathBuf::from),
        }
    }

    /// pre-commit's (or prek's) range: set in the pre-push stage and by
    /// `pre-commit run --from-ref A --to-ref B`.
    pub fn pre_commit_range(&self) -> Option<DiffSpec> {
        let (from, to) = (
            self.pre_commit_from_ref.as_ref()?,
            self.pre_commit_to_ref.as_ref()?,
        );
        // pre-commit itself diffs `from...to`.
        Some(DiffSpec::Range(format!("{from}...{to}")))
    }
}

/// The diff a CI run should check, and where that came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub spec: DiffSpec,
    /// For messages: `GitHub Actions pull_request`, `GitLab merge request`, ...
    pub source: String,
}

#[derive(Debug, Error, Diagnostic)]
pub enum CiError {
    #[error("running in CI, but lockstep cannot tell which changes to check")]
    #[diagnostic(
        code(lockstep::ci::undetected),
        help(
            "{reason}; pass the pull request's base explicitly: `lockstep check --base origin/main` (or `--range A..B`, `--commit REV`)"
        )
    )]
    Undetected { reason: String },

    #[error("cannot read the GitHub event payload `{path}`: {reason}")]
    #[diagnostic(
        code(lockstep::ci::event_payload),
        help(
            "GITHUB_EVENT_PATH must name the JSON event file GitHub Actions writes; unset it or pass `--base REF`"
        )
    )]
    Payload { path: String, reason: String },
}

/// The all-zero id git and CI services use for "no commit" (a new branch).
fn is_null_sha(sha: &str) -> bool {
    !sha.is_empty() && sha.bytes().all(|b| b == b'0')
}

/// Which diff to check in CI; `Ok(None)` when not running in CI or a pre-commit range.
pub fn detect(env: &CiEnv) -> Result<Option<Detected>, CiError> {
    if let Some(spec) = env.pre_commit_range() {
        let source = "pre-commit's PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF".to_owned();
        return Ok(Some(Detected { spec, source }));
    }
    if !env.ci {
        return Ok(None);
    }
    if env.github_actions || env.github_event_name.is_some() {
        return github(env).map(Some);
    }
    if env.gitlab_ci || env.gitlab_commit_sha.is_some() {
        return gitlab(env).map(Some);
    }
    Err(CiError::Undetected {
        reason: "CI is set, but neither GitHub Actions, GitLab CI nor pre-commit variables are"
            .to_owned(),
    })
}

/// The parts of a GitHub event payload lockstep reads.
#[derive(Debug, Default, Deserialize)]
struct Event {
    pull_request: Option<PullRequest>,
    merge_group: Option<MergeGroup>,
    before: Option<String>,
    after: Option<String>,
    repository: Option<Repository>,
}

#[derive(Debug, Deserialize)]
struct PullRequest {
    base: Sha,
    head: Sha,
}

/// A merge queue entry: the queued changes on top of the target branch.
#[derive(Debug, Deserialize)]
struct MergeGroup {
    base_sha: String,
    head_sha: String,
}

#[derive(Debug, Deserialize)]
struct Sha {
    sha: String,
}

#[derive(Debug, Deserialize)]
struct Repository {
    default_branch: Option<String>,
}

fn read_event(env: &CiEnv) -> Result<Event, CiError> {
    let Some(path) = &env.github_event_path else {
        return Ok(Event::default());
    };
    let payload = |reason: String| CiError::Payload {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| payload(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| payload(e.to_string()))
}

fn github(env: &CiEnv) -> Result<Detected, CiError> {
    let event_name = env.github_event_name.as_deref().unwrap_or("");
    let event = read_event(env)?;
    let detected = |spec, what: &str| Detected {
        spec,
        source: format!("GitHub Actions {event_name} event{what}"),
    };
    if let Some(pr) = event.pull_request {
        let spec = DiffSpec::Base {
            base: pr.base.sha,
            head: Some(pr.head.sha),
        };
        return Ok(detected(spec, ""));
    }
    if let Some(group) = event.merge_group {
        let spec = DiffSpec::Base {
            base: group.base_sha,
            head: Some(group.head_sha),
        };
        return Ok(detected(spec, ""));
    }
    if let Some(base_ref) = &env.github_base_ref {
        // A pull request without its payload: the base branch as actions/checkout fetches it.
        let spec = DiffSpec::Base {
            base: format!("origin/{base_ref}"),
            head: None,
        };
        return Ok(detected(spec, " (GITHUB_BASE_REF)"));
    }
    if let Some(before) = event.before {
        let after = event
            .after
            .or_else(|| env.github_sha.clone())
            .unwrap_or_else(|| "HEAD".to_owned());
        if !is_null_sha(&before) {
            // Three dots: after a force-push, `before` is not an ancestor of `after`.
            return Ok(detected(DiffSpec::Range(format!("{before}...{after}")), ""));
        }
        let default_branch = event.repository.and_then(|r| r.default_branch);
        return Ok(new_branch(
            default_branch.as_deref(),
            after,
            detected(DiffSpec::WorkTree, ", new branch"),
        ));
    }
    Err(CiError::Undetected {
        reason: format!(
            "the GitHub Actions `{event_name}` event has no pull request and no pushed range"
        ),
    })
}

/// A newly pushed branch: its commits since it left the default branch, or just its
/// head commit when the default branch is unknown or is the branch pushed.
fn new_branch(default_branch: Option<&str>, after: String, mut detected: Detected) -> Detected {
    detected.spec = match default_branch {
        Some(branch) => DiffSpec::Base {
            base: format!("origin/{branch}"),
            head: Some(after),
        },
        None => DiffSpec::Commit(after),
    };
    detected
}

fn gitlab(env: &CiEnv) -> Result<Detected, CiError> {
    let head = env.gitlab_commit_sha.clone();
    if let Some(base) = &env.gitlab_merge_request_diff_base_sha {
        return Ok(Detected {
            spec: DiffSpec::Base {
                base: base.clone(),
                head,
            },
            source: "GitLab merge request (CI_MERGE_REQUEST_DIFF_BASE_SHA)".to_owned(),
        });
    }
    if let Some(target) = &env.gitlab_merge_request_target_branch {
        return Ok(Detected {
            spec: DiffSpec::Base {
                base: format!("origin/{target}"),
                head,
            },
            source: "GitLab merge request (CI_MERGE_REQUEST_TARGET_BRANCH_NAME)".to_owned(),
        });
    }
    let after = head.unwrap_or_else(|| "HEAD".to_owned());
    match &env.gitlab_commit_before_sha {
        Some(before) if !is_null_sha(before) => Ok(Detected {
            spec: DiffSpec::Range(format!("{before}...{after}")),
            source: "GitLab push (CI_COMMIT_BEFORE_SHA)".to_owned(),
        }),
        Some(_) => Ok(new_branch(
            env.gitlab_default_branch.as_deref(),
            after,
            Detected {
                spec: DiffSpec::WorkTree,
                source: "GitLab push of a new branch".to_owned(),
            },
        )),
        None => Err(CiError::Undetected {
            reason:
                "GitLab CI sets neither CI_MERGE_REQUEST_DIFF_BASE_SHA nor CI_COMMIT_BEFORE_SHA"
                    .to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(vars: &[(&str, &str)]) -> CiEnv {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        CiEnv::from_lookup(|name| map.get(name).cloned())
    }

    fn spec(vars: &[(&str, &str)]) -> DiffSpec {
        detect(&env(vars)).expect("detected").expect("in CI").spec
    }

    #[test]
    fn outside_ci_nothing_is_detected() {
        assert_eq!(detect(&env(&[("GITHUB_ACTIONS", "true")])).ok(), Some(None));
        assert_eq!(detect(&env(&[("CI", "false")])).ok(), Some(None));
    }

    #[test]
    fn pre_commit_range_wins_even_outside_ci() {
        let vars = [("PRE_COMMIT_FROM_REF", "abc"), ("PRE_COMMIT_TO_REF", "def")];
        assert_eq!(spec(&vars), DiffSpec::Range("abc...def".to_owned()));
    }

    #[test]
    fn unknown_ci_asks_for_base() {
        let error = detect(&env(&[("CI", "true")])).expect_err("undetected");
        assert!(matches!(error, CiError::Undetected { .. }));
    }

    #[test]
    fn github_base_ref_without_payload() {
        let vars = [
            ("CI", "true"),
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_BASE_REF", "main"),
        ];
        assert_eq!(
            spec(&vars),
            DiffSpec::Base {
                base: "origin/main".to_owned(),
                head: None
            }
        );
    }

    #[test]
    fn github_payloads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let event = |json: &str| {
            let path = dir.path().join("event.json");
            std::fs::write(&path, json).expect("write");
            let path = path.display().to_string();
            spec(&[
                ("CI", "true"),
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_EVENT_NAME", "x"),
                ("GITHUB_EVENT_PATH", &path),
            ])
        };
        let base = |base: &str, head: &str| DiffSpec::Base {
            base: base.to_owned(),
            head: Some(head.to_owned()),
        };
        assert_eq!(
            event(r#"{"pull_request": {"base": {"sha": "b"}, "head": {"sha": "h"}}}"#),
            base("b", "h")
        );
        assert_eq!(
            event(r#"{"merge_group": {"base_sha": "b", "head_sha": "h"}}"#),
            base("b", "h")
        );
        assert_eq!(
            event(r#"{"before": "a", "after": "h"}"#),
            DiffSpec::Range("a...h".to_owned())
        );
        let zero = "0000000000000000000000000000000000000000";
        assert_eq!(
            event(&format!(r#"{{"before": "{zero}", "after": "h"}}"#)),
            DiffSpec::Commit("h".to_owned())
        );
    }

    #[test]
    fn gitlab_merge_request_and_push() {
        let mr = [
            ("CI", "true"),
            ("GITLAB_CI", "true"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", "b"),
            ("CI_COMMIT_SHA", "h"),
        ];
        assert_eq!(
            spec(&mr),
            DiffSpec::Base {
                base: "b".to_owned(),
                head: Some("h".to_owned())
            }
        );
        let push = [
            ("CI", "true"),
            ("GITLAB_CI", "true"),
            ("CI_COMMIT_BEFORE_SHA", "a"),
            ("CI_COMMIT_SHA", "h"),
        ];
        assert_eq!(spec(&push), DiffSpec::Range("a...h".to_owned()));
        let new_branch = [
            ("CI", "true"),
            ("GITLAB_CI", "true"),
            (
                "CI_COMMIT_BEFORE_SHA",
                "0000000000000000000000000000000000000000",
            ),
            ("CI_COMMIT_SHA", "h"),
            ("CI_DEFAULT_BRANCH", "main"),
        ];
        assert_eq!(
            spec(&new_branch),
            DiffSpec::Base {
                base: "origin/main".to_owned(),
                head: Some("h".to_owned())
            }
        );
    }
}
