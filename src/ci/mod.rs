//! Continuous-integration detection: which diff a `check` with no diff flag should judge,
//! read from the variables GitHub Actions, GitLab CI, Azure Pipelines, Bitbucket
//! Pipelines, Buildkite, Jenkins and pre-commit set.
//!
//! The variables are captured once, by the CLI, into a [`CiEnv`]; this module never
//! reads the process environment itself, and asks the caller which refs exist.

mod branch;
mod github;
mod gitlab;

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

use crate::git::{DiffSpec, GitError};
use crate::waiver::Label;

/// The CI variables lockstep reads. Empty variables count as unset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CiEnv {
    /// Running in CI: `CI` set (to anything but `false`/`0`), or the marker variable of
    /// a service that does not set `CI` (`TF_BUILD`, `JENKINS_URL`).
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
    pub gitlab_merge_request_labels: Option<String>,
    pub gitlab_merge_request_description: Option<String>,
    /// `TF_BUILD`: Azure Pipelines.
    pub azure: bool,
    pub azure_build_reason: Option<String>,
    pub azure_pull_request_target_branch: Option<String>,
    pub azure_source_version: Option<String>,
    /// `BITBUCKET_BUILD_NUMBER`: Bitbucket Pipelines.
    pub bitbucket: bool,
    pub bitbucket_pr_destination_branch: Option<String>,
    pub bitbucket_commit: Option<String>,
    /// `BUILDKITE`: Buildkite.
    pub buildkite: bool,
    pub buildkite_pull_request_base_branch: Option<String>,
    pub buildkite_commit: Option<String>,
    /// `JENKINS_URL`: Jenkins.
    pub jenkins: bool,
    pub jenkins_change_target: Option<String>,
    pub jenkins_git_commit: Option<String>,
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
        let flag = |name: &str| {
            get(name).is_some_and(|v| !matches!(v.to_ascii_lowercase().as_str(), "false" | "0"))
        };
        let azure = flag("TF_BUILD");
        let jenkins = get("JENKINS_URL").is_some();
        CiEnv {
            ci: flag("CI") || azure || jenkins,
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
            gitlab_merge_request_labels: get("CI_MERGE_REQUEST_LABELS"),
            gitlab_merge_request_description: get("CI_MERGE_REQUEST_DESCRIPTION"),
            azure,
            azure_build_reason: get("BUILD_REASON"),
            azure_pull_request_target_branch: get("SYSTEM_PULLREQUEST_TARGETBRANCH"),
            azure_source_version: get("BUILD_SOURCEVERSION"),
            bitbucket: get("BITBUCKET_BUILD_NUMBER").is_some(),
            bitbucket_pr_destination_branch: get("BITBUCKET_PR_DESTINATION_BRANCH"),
            bitbucket_commit: get("BITBUCKET_COMMIT"),
            buildkite: flag("BUILDKITE"),
            buildkite_pull_request_base_branch: get("BUILDKITE_PULL_REQUEST_BASE_BRANCH"),
            buildkite_commit: get("BUILDKITE_COMMIT"),
            jenkins,
            jenkins_change_target: get("CHANGE_TARGET"),
            jenkins_git_commit: get("GIT_COMMIT"),
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
    /// How to give this CI's clone the history lockstep needs.
    pub remedy: &'static str,
}

impl Detected {
    /// Adds this CI's remedy to an error about missing history (a shallow clone, a
    /// revision the clone does not have); other errors pass through.
    pub fn explain(&self, error: GitError) -> miette::Report {
        match error {
            GitError::Shallow { .. } | GitError::UnknownRevision { .. } => {
                miette::Report::new(CiError::History {
                    source_name: self.source.clone(),
                    remedy: self.remedy,
                    source: error,
                })
            }
            other => miette::Report::new(other),
        }
    }
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

    #[error(
        "{ci}: the target branch `{branch}` is not in this clone (neither `origin/{branch}` nor `{branch}`)"
    )]
    #[diagnostic(
        code(lockstep::ci::target_branch),
        help(
            "fetch it before lockstep runs: `git fetch origin {branch}:refs/remotes/origin/{branch}`; {remedy}"
        )
    )]
    TargetBranch {
        ci: String,
        branch: String,
        remedy: &'static str,
    },

    #[error("{source_name}: this clone lacks the history to check the change")]
    #[diagnostic(code(lockstep::ci::history), help("{remedy}"))]
    History {
        source_name: String,
        remedy: &'static str,
        #[source]
        #[diagnostic_source]
        source: GitError,
    },
}

/// What a pull request says about itself: its labels and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequestText {
    pub labels: Vec<Label>,
    pub description: String,
}

/// The labels and description of the pull request (or merge request) a CI run builds:
/// GitHub's event payload, GitLab's merge-request variables. `None` outside CI or for
/// other builds.
pub fn pull_request(env: &CiEnv) -> Result<Option<PullRequestText>, CiError> {
    if !env.ci {
        return Ok(None);
    }
    if env.github_actions || env.github_event_name.is_some() {
        return github::pull_request(env);
    }
    Ok(gitlab::merge_request(env))
}

/// Which refs exist, asked of the repository by the caller.
pub type RefExists<'a> = &'a dyn Fn(&str) -> bool;

/// The all-zero id git and CI services use for "no commit" (a new branch).
fn is_null_sha(sha: &str) -> bool {
    !sha.is_empty() && sha.bytes().all(|b| b == b'0')
}

/// Which diff to check in CI; `Ok(None)` when not running in CI or a pre-commit range.
pub fn detect(env: &CiEnv, exists: RefExists<'_>) -> Result<Option<Detected>, CiError> {
    if let Some(spec) = env.pre_commit_range() {
        let source = "pre-commit's PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF".to_owned();
        return Ok(Some(Detected {
            spec,
            source,
            remedy: "fetch the pushed commits' history (`git fetch --unshallow`)",
        }));
    }
    if !env.ci {
        return Ok(None);
    }
    if env.github_actions || env.github_event_name.is_some() {
        return github::detect(env, exists).map(Some);
    }
    if env.gitlab_ci || env.gitlab_commit_sha.is_some() {
        return gitlab::detect(env, exists).map(Some);
    }
    if let Some(build) = branch::build(env) {
        return build.detect(exists).map(Some);
    }
    Err(CiError::Undetected {
        reason: "CI is set, but no variables of GitHub Actions, GitLab CI, Azure Pipelines, Bitbucket Pipelines, Buildkite, Jenkins or pre-commit are"
            .to_owned(),
    })
}

/// A branch a CI names (`main`, or Azure's `refs/heads/main`) as the ref that holds it
/// in the clone: `origin/<branch>` as CI checkouts fetch it, else a local branch.
fn target_ref(
    ci: &str,
    branch: &str,
    remedy: &'static str,
    exists: RefExists<'_>,
) -> Result<String, CiError> {
    let branch = branch.strip_prefix("refs/heads/").unwrap_or(branch);
    let remote = format!("origin/{branch}");
    if exists(&remote) {
        return Ok(remote);
    }
    if exists(branch) {
        return Ok(branch.to_owned());
    }
    Err(CiError::TargetBranch {
        ci: ci.to_owned(),
        branch: branch.to_owned(),
        remedy,
    })
}

/// A newly pushed branch: its commits since it left the default branch, or just its
/// head commit when the default branch is unknown, is not in the clone, or is the
/// branch pushed.
fn new_branch(default_branch: Option<&str>, after: String, exists: RefExists<'_>) -> DiffSpec {
    match default_branch.and_then(|b| target_ref("", b, "", exists).ok()) {
        Some(base) => DiffSpec::Base {
            base,
            head: Some(after),
        },
        None => DiffSpec::Commit(after),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    pub(super) fn env(vars: &[(&str, &str)]) -> CiEnv {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        CiEnv::from_lookup(|name| map.get(name).cloned())
    }

    /// Detection in a clone that has `origin/main` (and no other branch).
    pub(super) fn spec(vars: &[(&str, &str)]) -> DiffSpec {
        let exists = |name: &str| name == "origin/main";
        detect(&env(vars), &exists)
            .expect("detected")
            .expect("in CI")
            .spec
    }

    pub(super) fn base(base: &str, head: Option<&str>) -> DiffSpec {
        DiffSpec::Base {
            base: base.to_owned(),
            head: head.map(str::to_owned),
        }
    }

    #[test]
    fn outside_ci_nothing_is_detected() {
        let none = |_: &str| false;
        assert_eq!(
            detect(&env(&[("GITHUB_ACTIONS", "true")]), &none).ok(),
            Some(None)
        );
        assert_eq!(detect(&env(&[("CI", "false")]), &none).ok(), Some(None));
    }

    #[test]
    fn pre_commit_range_wins_even_outside_ci() {
        let vars = [("PRE_COMMIT_FROM_REF", "abc"), ("PRE_COMMIT_TO_REF", "def")];
        assert_eq!(spec(&vars), DiffSpec::Range("abc...def".to_owned()));
    }

    #[test]
    fn unknown_ci_asks_for_base() {
        let error = detect(&env(&[("CI", "true")]), &|_| false).expect_err("undetected");
        assert!(matches!(error, CiError::Undetected { .. }));
    }

    #[test]
    fn target_branches_prefer_the_remote_ref_then_a_local_branch() {
        let both = |name: &str| matches!(name, "origin/main" | "main");
        let local = |name: &str| name == "main";
        assert_eq!(
            target_ref("x", "refs/heads/main", "", &both)
                .ok()
                .as_deref(),
            Some("origin/main")
        );
        assert_eq!(
            target_ref("x", "main", "", &local).ok().as_deref(),
            Some("main")
        );
        let missing = target_ref("Buildkite", "dev", "r", &local).expect_err("missing");
        assert!(
            missing.to_string().contains("`dev` is not in this clone"),
            "{missing}"
        );
    }
}
