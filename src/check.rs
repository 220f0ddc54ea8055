//! The engine shared by every command: judge a list of changes against a rule set.

use crate::change::Change;
use crate::finding::Finding;
use crate::git::{GitError, Repo};
use crate::rules::{RuleSet, Satisfied};
use crate::waiver::Waivers;

/// Every case a change was judged on: the findings (missing, waived, too large) and
/// the (rule, binding) cases whose companions all changed.
#[derive(Debug, Clone, Default)]
pub struct Judgement {
    pub findings: Vec<Finding>,
    pub satisfied: Vec<Satisfied>,
}

/// Judges `changes`, reading line diffs only for the files the rules ask about.
pub fn judge(
    repo: &Repo,
    rules: &RuleSet,
    changes: Vec<Change>,
    waivers: &Waivers,
) -> Result<Vec<Finding>, GitError> {
    judge_all(repo, rules, changes, waivers).map(|judgement| judgement.findings)
}

/// Like [`judge`], keeping the satisfied cases too (audits count them). Every check
/// of a change belongs here, so `check` and `audit` judge alike.
pub fn judge_all(
    repo: &Repo,
    rules: &RuleSet,
    mut changes: Vec<Change>,
    waivers: &Waivers,
) -> Result<Judgement, GitError> {
    let max_files = rules.settings.max_files;
    if changes.len() > max_files {
        return Ok(Judgement {
            findings: vec![Finding::too_large(changes.len(), max_files)],
            satisfied: Vec::new(),
        });
    }
    let candidates = rules.candidates(&changes);
    let needed = rules.needs_lines(&candidates, &changes);
    repo.load_lines(&mut changes, &needed, rules.settings.whitespace)?;
    let (mut findings, satisfied) = rules.evaluate_all(&candidates, &changes);
    waivers.apply(&mut findings);
    Ok(Judgement {
        findings,
        satisfied,
    })
}
