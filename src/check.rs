//! The engine shared by every command: judge a list of changes against a rule set and
//! its in-file annotation blocks, in one pass.

use crate::annotations::{self, Reads};
use crate::change::{Change, Contents};
use crate::finding::Finding;
use crate::git::{GitError, Repo, Unchanged};
use crate::rules::{Evaluation, RuleSet, Satisfied};
use crate::waiver::Waivers;

/// Every case a change was judged on: the findings (missing, waived, too large) and
/// the (rule, binding) cases whose companions all changed.
#[derive(Debug, Clone, Default)]
pub struct Judgement {
    pub findings: Vec<Finding>,
    pub satisfied: Vec<Satisfied>,
    /// `(path, label)` of the labels the changes removed from files that stay, as the
    /// annotation pass read them; `None` when it read nothing (annotations off, or
    /// too many files).
    pub removed_labels: Option<Vec<(String, String)>>,
}

/// What the caller shows of a triggering file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Its first changed line (`check`).
    Line,
    /// Its path only (`audit`, `suggest`): an edit whose non-whitespace bytes changed
    /// triggers whatever its line diff says, so it needs none.
    Path,
}

/// Judges `changes`, reading line diffs only for the files the rules ask about and the
/// files that hold `LINT.` directives.
pub fn judge(
    repo: &Repo,
    rules: &RuleSet,
    changes: Vec<Change>,
    unchanged: Unchanged,
    waivers: &Waivers,
) -> Result<Judgement, GitError> {
    judge_all(
        repo,
        rules,
        changes,
        unchanged,
        waivers,
        Detail::Line,
        Reads::Every,
    )
}

/// Like [`judge`], keeping the satisfied cases too (audits count them). Every check
/// of a change belongs here, so `check` and `audit` judge alike; `detail` changes only
/// what findings say of their triggering lines, `reads` which files' blocks count.
/// `unchanged` is where the paths the changes do not touch are looked up.
pub fn judge_all(
    repo: &Repo,
    rules: &RuleSet,
    mut changes: Vec<Change>,
    unchanged: Unchanged,
    waivers: &Waivers,
    detail: Detail,
    reads: Reads<'_>,
) -> Result<Judgement, GitError> {
    if let Some(judgement) = too_large(rules, changes.len()) {
        return Ok(judgement);
    }
    let candidates = rules.candidates(&changes);
    let mut needed = rules.needs_lines(&candidates, &changes);
    let contents = rules.needs_contents(&candidates);
    // What follows reads these blobs: a partial clone fetches them in one go, and a
    // check reads them on a second thread too.
    let read = |i: usize, change: &Change| {
        (rules.settings.annotations && reads.covers(change))
            || needed.binary_search(&i).is_ok()
            || contents.binary_search(&i).is_ok()
    };
    let blobs: Vec<_> = changes
        .iter()
        .enumerate()
        .filter(|&(i, change)| read(i, change))
        .flat_map(|(_, change)| [change.old, change.new])
        .flatten()
        .collect();
    repo.prefetch(blobs.iter().copied());
    repo.read_ahead(blobs);
    // Annotated files (those holding `LINT.` on either side) need their lines too; the
    // annotation pass has read them already.
    let (annotated, removed_labels) = if rules.settings.annotations {
        let annotated = annotations::read(repo, &changes, &rules.settings.annotation, reads)?;
        let removed = annotated.removed_labels(&changes);
        (annotated, Some(removed))
    } else {
        (annotations::Annotated::default(), None)
    };
    annotated.load_lines(repo, &mut changes, rules.settings.whitespace)?;
    needed.retain(|&i| changes[i].lines.is_none());
    if detail == Detail::Path {
        let text = rules.needs_line_text(&candidates);
        let mut wanted = Vec::with_capacity(needed.len());
        for i in needed {
            if text.binary_search(&i).is_ok() || !repo.differs_beyond_whitespace(&changes[i])? {
                wanted.push(i);
            }
        }
        needed = wanted;
    }
    repo.load_lines(&mut changes, &needed, rules.settings.whitespace)?;
    load_contents(repo, &mut changes, &contents)?;
    let Evaluation {
        mut findings,
        mut satisfied,
    } = rules.evaluate_all(&candidates, &changes);
    let mut lookup = repo.lookup(unchanged);
    let (annotation_findings, annotation_satisfied) =
        annotations::check(&annotated, &changes, |path| lookup.exists(path))?;
    findings.extend(annotation_findings);
    satisfied.extend(annotation_satisfied);
    waivers.apply(&mut findings);
    Ok(Judgement {
        findings,
        satisfied,
        removed_labels,
    })
}

/// The judgement of a change of `files` files when that is more than
/// `settings.max_files`: its one finding says it was not judged.
pub fn too_large(rules: &RuleSet, files: usize) -> Option<Judgement> {
    let max_files = rules.settings.max_files;
    (files > max_files).then(|| Judgement {
        findings: vec![Finding::too_large(
            files,
            max_files,
            rules.settings.max_files_origin.clone(),
        )],
        satisfied: Vec::new(),
        removed_labels: None,
    })
}

/// Reads both sides of the changes at `which`, for the rules whose `keys` compare them.
/// Submodule entries have no document to compare.
fn load_contents(repo: &Repo, changes: &mut [Change], which: &[usize]) -> Result<(), GitError> {
    for &i in which {
        let change = &mut changes[i];
        if change.old.is_some_and(|c| c.is_gitlink()) || change.new.is_some_and(|c| c.is_gitlink())
        {
            continue;
        }
        let old_path = change.old_path.as_deref().unwrap_or(&change.path);
        change.contents = Some(Contents {
            old: repo.read_content(old_path, change.old)?,
            new: repo.read_content(&change.path, change.new)?,
        });
    }
    Ok(())
}
