//! GitLab CI: merge-request pipelines name their diff base; push pipelines the commit
//! before the push.

use super::{
    CiEnv, CiError, Detected, PullRequestText, RefExists, is_null_sha, new_branch, target_ref,
};
use crate::git::DiffSpec;
use crate::waiver::Label;

const REMEDY: &str = "in GitLab CI set the variable `GIT_DEPTH: 0`";

/// A merge request's labels (`CI_MERGE_REQUEST_LABELS`, comma-separated) and
/// description (`CI_MERGE_REQUEST_DESCRIPTION`).
pub(super) fn merge_request(env: &CiEnv) -> Option<PullRequestText> {
    if env.gitlab_merge_request_labels.is_none() && env.gitlab_merge_request_description.is_none() {
        return None;
    }
    let labels = env
        .gitlab_merge_request_labels
        .iter()
        .flat_map(|list| list.split(','))
        .filter(|name| !name.trim().is_empty())
        .map(|name| Label {
            name: name.trim().to_owned(),
            description: None,
        })
        .collect();
    Some(PullRequestText {
        labels,
        description: env
            .gitlab_merge_request_description
            .clone()
            .unwrap_or_default(),
    })
}

pub(super) fn detect(env: &CiEnv, exists: RefExists<'_>) -> Result<Detected, CiError> {
    let head = env.gitlab_commit_sha.clone();
    let detected = |spec, source: &str| Detected {
        spec,
        source: source.to_owned(),
        remedy: REMEDY,
    };
    if let Some(base) = &env.gitlab_merge_request_diff_base_sha {
        let spec = DiffSpec::Base {
            base: base.clone(),
            head,
        };
        return Ok(detected(
            spec,
            "GitLab merge request (CI_MERGE_REQUEST_DIFF_BASE_SHA)",
        ));
    }
    if let Some(target) = &env.gitlab_merge_request_target_branch {
        let spec = DiffSpec::Base {
            base: target_ref("GitLab CI", target, REMEDY, exists)?,
            head,
        };
        return Ok(detected(
            spec,
            "GitLab merge request (CI_MERGE_REQUEST_TARGET_BRANCH_NAME)",
        ));
    }
    let after = head.unwrap_or_else(|| "HEAD".to_owned());
    match &env.gitlab_commit_before_sha {
        Some(before) if !is_null_sha(before) => Ok(detected(
            DiffSpec::Range(format!("{before}...{after}")),
            "GitLab push (CI_COMMIT_BEFORE_SHA)",
        )),
        Some(_) => Ok(detected(
            new_branch(env.gitlab_default_branch.as_deref(), after, exists),
            "GitLab push of a new branch",
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
    use super::super::tests::{base, spec};
    use crate::git::DiffSpec;

    #[test]
    fn gitlab_merge_request_and_push() {
        let mr = [
            ("CI", "true"),
            ("GITLAB_CI", "true"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", "b"),
            ("CI_COMMIT_SHA", "h"),
        ];
        assert_eq!(spec(&mr), base("b", Some("h")));
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
        assert_eq!(spec(&new_branch), base("origin/main", Some("h")));
    }
}
