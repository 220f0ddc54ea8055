//! GitHub Actions: the event payload at `GITHUB_EVENT_PATH` names the pull request, the
//! merge-queue entry or the pushed range.

use serde::Deserialize;

use super::{
    CiEnv, CiError, Detected, PullRequestText, RefExists, is_null_sha, new_branch, target_ref,
};
use crate::git::DiffSpec;
use crate::waiver::Label;

const REMEDY: &str = "in GitHub Actions set `fetch-depth: 0` on actions/checkout";

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
    #[serde(default)]
    labels: Vec<PayloadLabel>,
    body: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PayloadLabel {
    name: String,
    description: Option<String>,
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

/// The labels and description of the event's pull request, if it has one.
pub(super) fn pull_request(env: &CiEnv) -> Result<Option<PullRequestText>, CiError> {
    let Some(pr) = read_event(env)?.pull_request else {
        return Ok(None);
    };
    Ok(Some(PullRequestText {
        labels: pr
            .labels
            .into_iter()
            .map(|l| Label {
                name: l.name,
                description: l.description,
            })
            .collect(),
        description: pr.body.unwrap_or_default(),
    }))
}

pub(super) fn detect(env: &CiEnv, exists: RefExists<'_>) -> Result<Detected, CiError> {
    let event_name = env.github_event_name.as_deref().unwrap_or("");
    let event = read_event(env)?;
    let detected = |spec, what: &str| Detected {
        spec,
        source: format!("GitHub Actions {event_name} event{what}"),
        remedy: REMEDY,
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
            base: target_ref("GitHub Actions", base_ref, REMEDY, exists)?,
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
        let spec = new_branch(default_branch.as_deref(), after, exists);
        return Ok(detected(spec, ", new branch"));
    }
    Err(CiError::Undetected {
        reason: format!(
            "the GitHub Actions `{event_name}` event has no pull request and no pushed range"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{base, spec};
    use super::*;

    #[test]
    fn github_base_ref_without_payload() {
        let vars = [
            ("CI", "true"),
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_BASE_REF", "main"),
        ];
        assert_eq!(spec(&vars), base("origin/main", None));
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
        assert_eq!(
            event(r#"{"pull_request": {"base": {"sha": "b"}, "head": {"sha": "h"}}}"#),
            base("b", Some("h"))
        );
        assert_eq!(
            event(
                r#"{"pull_request": {"base": {"sha": "b"}, "head": {"sha": "h"}, "body": null, "labels": [{"name": "x", "description": null}]}}"#
            ),
            base("b", Some("h"))
        );
        assert_eq!(
            event(r#"{"merge_group": {"base_sha": "b", "head_sha": "h"}}"#),
            base("b", Some("h"))
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
        assert_eq!(
            event(&format!(
                r#"{{"before": "{zero}", "after": "h", "repository": {{"default_branch": "main"}}}}"#
            )),
            base("origin/main", Some("h"))
        );
    }
}
