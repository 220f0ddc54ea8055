//! The engine shared by every command: judge a list of changes against a rule set.

use crate::change::Change;
use crate::finding::Finding;
use crate::git::{GitError, Repo};
use crate::rules::RuleSet;
use crate::waiver::Waivers;

/// Judges `changes`, reading line diffs only for the files the rules ask about.
pub fn judge(
    repo: &Repo,
    rules: &RuleSet,
    mut changes: Vec<Change>,
    waivers: &Waivers,
) -> Result<Vec<Finding>, GitError> {
    let max_files = rules.settings.max_files;
    if changes.len() > max_files {
        return Ok(vec![Finding::too_large(changes.len(), max_files)]);
    }
    let candidates = rules.candidates(&changes);
    let needed = rules.needs_lines(&candidates, &changes);
    repo.load_lines(&mut changes, &needed, rules.settings.whitespace)?;
    let mut findings = rules.evaluate(&candidates, &changes);
    waivers.apply(&mut findings);
    Ok(findings)
}
