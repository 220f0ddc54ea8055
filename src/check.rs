//! The engine shared by every command: judge a list of changes against a rule set and
//! its in-file annotation blocks, in one pass.

use crate::annotations;
use crate::change::Change;
use crate::finding::Finding;
use crate::git::{GitError, Repo};
use crate::rules::RuleSet;
use crate::waiver::Waivers;

/// Judges `changes`, reading line diffs only for the files the rules ask about and the
/// files that hold `LINT.` directives.
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
    let mut needed = rules.needs_lines(&candidates, &changes);
    // Annotated files (those holding `LINT.` on either side) need their lines too; the
    // annotation pass has read them already.
    let annotated = if rules.settings.annotations {
        annotations::read(repo, &changes)?
    } else {
        annotations::Annotated::default()
    };
    annotated.load_lines(&mut changes, rules.settings.whitespace)?;
    needed.retain(|&i| changes[i].lines.is_none());
    repo.load_lines(&mut changes, &needed, rules.settings.whitespace)?;
    let mut findings = rules.evaluate(&candidates, &changes);
    findings.extend(annotations::check(&annotated, &changes));
    waivers.apply(&mut findings);
    Ok(findings)
}
