//! CI services that name a pull request by its target branch and head commit: Azure
//! Pipelines, Bitbucket Pipelines, Buildkite and Jenkins multibranch. A pull request is
//! checked from where it left its target branch; any other build checks its commit.

use super::{CiEnv, CiError, Detected, RefExists, target_ref};
use crate::git::DiffSpec;

/// One build, as its CI's variables describe it.
pub(super) struct Build<'a> {
    ci: &'static str,
    /// The pull request's target branch, with the variable that named it.
    target: Option<(&'static str, &'a str)>,
    /// Set when the build is a pull request whose target branch is not named.
    untargeted: Option<&'static str>,
    head: (&'static str, Option<&'a str>),
    remedy: &'static str,
}

/// The build of the first service whose marker variable is set.
pub(super) fn build(env: &CiEnv) -> Option<Build<'_>> {
    fn named<'a>(var: &'static str, value: &'a Option<String>) -> Option<(&'static str, &'a str)> {
        value.as_deref().map(|v| (var, v))
    }
    if env.azure {
        let pull_request = env.azure_build_reason.as_deref() == Some("PullRequest");
        let target = named(
            "SYSTEM_PULLREQUEST_TARGETBRANCH",
            &env.azure_pull_request_target_branch,
        )
        .filter(|_| pull_request);
        return Some(Build {
            ci: "Azure Pipelines",
            untargeted: (pull_request && target.is_none())
                .then_some("SYSTEM_PULLREQUEST_TARGETBRANCH"),
            target,
            head: ("BUILD_SOURCEVERSION", env.azure_source_version.as_deref()),
            remedy: "in Azure Pipelines set `fetchDepth: 0` on the `checkout` step",
        });
    }
    if env.bitbucket {
        return Some(Build {
            ci: "Bitbucket Pipelines",
            target: named(
                "BITBUCKET_PR_DESTINATION_BRANCH",
                &env.bitbucket_pr_destination_branch,
            ),
            untargeted: None,
            head: ("BITBUCKET_COMMIT", env.bitbucket_commit.as_deref()),
            remedy: "in Bitbucket Pipelines set `clone: depth: full`",
        });
    }
    if env.buildkite {
        return Some(Build {
            ci: "Buildkite",
            target: named(
                "BUILDKITE_PULL_REQUEST_BASE_BRANCH",
                &env.buildkite_pull_request_base_branch,
            ),
            untargeted: None,
            head: ("BUILDKITE_COMMIT", env.buildkite_commit.as_deref()),
            remedy: "in Buildkite clone without `--depth` (BUILDKITE_GIT_CLONE_FLAGS, BUILDKITE_GIT_FETCH_FLAGS)",
        });
    }
    if env.jenkins {
        return Some(Build {
            ci: "Jenkins",
            target: named("CHANGE_TARGET", &env.jenkins_change_target),
            untargeted: None,
            head: ("GIT_COMMIT", env.jenkins_git_commit.as_deref()),
            remedy: "in Jenkins turn off the shallow clone (Advanced clone behaviours, `shallow: false`)",
        });
    }
    None
}

impl Build<'_> {
    pub(super) fn detect(&self, exists: RefExists<'_>) -> Result<Detected, CiError> {
        if let Some(var) = self.untargeted {
            return Err(CiError::Undetected {
                reason: format!("{} builds a pull request but {var} is not set", self.ci),
            });
        }
        let (head_var, head) = self.head;
        let detected = |spec, source: String| Detected {
            spec,
            source,
            remedy: self.remedy,
        };
        match self.target {
            Some((var, branch)) => Ok(detected(
                DiffSpec::Base {
                    base: target_ref(self.ci, branch, self.remedy, exists)?,
                    head: head.map(str::to_owned),
                },
                format!("{} pull request ({var}={branch})", self.ci),
            )),
            None => Ok(detected(
                DiffSpec::Commit(head.unwrap_or("HEAD").to_owned()),
                format!("{} build of one commit ({head_var})", self.ci),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{base, env, spec};
    use super::super::{CiError, detect};
    use crate::git::DiffSpec;

    #[test]
    fn azure_pull_requests_and_other_builds() {
        let pr = [
            ("TF_BUILD", "True"),
            ("BUILD_REASON", "PullRequest"),
            ("SYSTEM_PULLREQUEST_TARGETBRANCH", "refs/heads/main"),
            ("BUILD_SOURCEVERSION", "h"),
        ];
        assert_eq!(spec(&pr), base("origin/main", Some("h")));
        let ci = [
            ("TF_BUILD", "True"),
            ("BUILD_REASON", "IndividualCI"),
            ("SYSTEM_PULLREQUEST_TARGETBRANCH", "refs/heads/main"),
            ("BUILD_SOURCEVERSION", "h"),
        ];
        assert_eq!(spec(&ci), DiffSpec::Commit("h".to_owned()));
        let untargeted = env(&[("TF_BUILD", "True"), ("BUILD_REASON", "PullRequest")]);
        let error = detect(&untargeted, &|_| true).expect_err("no target");
        assert!(matches!(error, CiError::Undetected { .. }));
    }

    #[test]
    fn bitbucket_buildkite_and_jenkins() {
        let bitbucket = [
            ("CI", "true"),
            ("BITBUCKET_BUILD_NUMBER", "7"),
            ("BITBUCKET_PR_DESTINATION_BRANCH", "main"),
            ("BITBUCKET_COMMIT", "h"),
        ];
        assert_eq!(spec(&bitbucket), base("origin/main", Some("h")));
        let buildkite = [
            ("CI", "true"),
            ("BUILDKITE", "true"),
            ("BUILDKITE_PULL_REQUEST", "false"),
            ("BUILDKITE_PULL_REQUEST_BASE_BRANCH", ""),
            ("BUILDKITE_COMMIT", "h"),
        ];
        assert_eq!(spec(&buildkite), DiffSpec::Commit("h".to_owned()));
        // Jenkins does not set CI; JENKINS_URL is enough.
        let jenkins = [
            ("JENKINS_URL", "https://ci.example.com/"),
            ("CHANGE_ID", "12"),
            ("CHANGE_TARGET", "main"),
            ("GIT_COMMIT", "h"),
        ];
        assert_eq!(spec(&jenkins), base("origin/main", Some("h")));
    }
}
