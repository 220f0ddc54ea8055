//! The diff checker: which blocks a diff changed, and which of their targets it missed.

use std::collections::{BTreeMap, HashMap, HashSet};

use memchr::memmem;

use super::{Block, MARKER, Parsed, Target, parse};
use crate::change::{Change, Content, Status};
use crate::config::Severity;
use crate::finding::{Finding, FindingStatus, Missing, Trigger};
use crate::git::{GitError, Repo};
use crate::waiver::ANNOTATION;

/// The `kind` of a missing annotation target in findings.
pub const TARGET_KIND: &str = "annotation-target";
const MODE_SYMLINK: u32 = 0o120000;

/// The blocks on both sides of every changed file that has any.
#[derive(Debug, Clone, Default)]
pub struct Annotated {
    files: BTreeMap<usize, Sides>,
}

#[derive(Debug, Clone, Default)]
struct Sides {
    old: Parsed,
    new: Parsed,
}

impl Annotated {
    /// The changes whose line diffs the checker needs.
    pub fn needs_lines(&self) -> impl Iterator<Item = usize> + '_ {
        self.files.keys().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Parses both sides of each change, with `content(index, side path, side)` giving
    /// the bytes; sides without `LINT.` are never parsed.
    fn collect<E>(
        changes: &[Change],
        mut content: impl FnMut(&str, Content) -> Result<Vec<u8>, E>,
    ) -> Result<Annotated, E> {
        let mut files = BTreeMap::new();
        for (i, change) in changes.iter().enumerate() {
            let old_path = change.old_path.as_deref().unwrap_or(&change.path);
            let mut side = |path: &str, side: Option<Content>| -> Result<Parsed, E> {
                match side.filter(|c| !c.is_gitlink() && c.mode() != MODE_SYMLINK) {
                    None => Ok(Parsed::default()),
                    Some(c) => {
                        let bytes = content(path, c)?;
                        Ok(if memmem::find(&bytes, MARKER).is_some() {
                            parse(path, &bytes)
                        } else {
                            Parsed::default()
                        })
                    }
                }
            };
            let sides = Sides {
                old: side(old_path, change.old)?,
                new: side(&change.path, change.new)?,
            };
            let annotated = |p: &Parsed| !p.blocks.is_empty() || !p.problems.is_empty();
            if annotated(&sides.old) || annotated(&sides.new) {
                files.insert(i, sides);
            }
        }
        Ok(Annotated { files })
    }
}

/// Reads and parses both sides of every changed text file that contains `LINT.`.
pub fn read(repo: &Repo, changes: &[Change]) -> Result<Annotated, GitError> {
    Annotated::collect(changes, |path, content| {
        repo.read_content(path, Some(content))
    })
}

/// What the diff did to one annotated file's blocks.
struct Fired<'a> {
    /// New-side blocks with a changed line inside (directly or through their old side).
    live: Vec<&'a Block>,
    /// Old-side blocks that changed and have no counterpart any more.
    deleted: Vec<&'a Block>,
    /// Labels of every changed block, on either side.
    labels: HashSet<&'a str>,
}

/// Annotation findings for the changes, whose line diffs must be loaded for every
/// change in [`Annotated::needs_lines`].
pub fn check(annotated: &Annotated, changes: &[Change]) -> Vec<Finding> {
    let fired: HashMap<usize, Fired<'_>> = annotated
        .files
        .iter()
        .map(|(&i, sides)| (i, fire(&changes[i], sides)))
        .collect();
    let context = Context {
        annotated,
        changes,
        fired: &fired,
    };
    let mut findings = Vec::new();
    for (&i, sides) in &annotated.files {
        let change = &changes[i];
        if change.status != Status::Deleted {
            for problem in &sides.new.problems {
                findings.push(finding(
                    &change.path,
                    problem.line,
                    Vec::new(),
                    format!("{} [{}]", problem.message, problem.kind.code()),
                ));
            }
        }
        let Some(state) = fired.get(&i) else { continue };
        for (block, live) in state
            .live
            .iter()
            .map(|b| (*b, true))
            .chain(state.deleted.iter().map(|b| (*b, false)))
        {
            findings.extend(context.judge(i, block, live));
        }
    }
    findings.sort_by(|a, b| {
        let key = |f: &Finding| f.triggered_by.first().map(|t| (t.path.clone(), t.line));
        key(a).cmp(&key(b))
    });
    findings
}

fn fire<'a>(change: &Change, sides: &'a Sides) -> Fired<'a> {
    let (mut added, mut removed) = match &change.lines {
        Some(lines) if !lines.binary => (
            lines.added.iter().map(|l| l.number).collect::<Vec<_>>(),
            lines.removed.iter().map(|l| l.number).collect::<Vec<_>>(),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    added.sort_unstable();
    removed.sort_unstable();
    let touched = |block: &Block, lines: &[u32]| {
        let from = lines.partition_point(|&n| n <= block.if_line);
        lines.get(from).is_some_and(|&n| block.contains(n))
    };
    let mut live: Vec<bool> = sides
        .new
        .blocks
        .iter()
        .map(|b| touched(b, &added))
        .collect();
    let mut labels = HashSet::new();
    let mut deleted = Vec::new();
    for (o, block) in sides.old.blocks.iter().enumerate() {
        if !touched(block, &removed) {
            continue;
        }
        labels.extend(block.label.as_deref());
        match counterpart(sides, o, &removed, &added) {
            Some(n) => live[n] = true,
            None => deleted.push(block),
        }
    }
    let live: Vec<&Block> = sides
        .new
        .blocks
        .iter()
        .zip(live)
        .filter_map(|(b, fired)| fired.then_some(b))
        .collect();
    labels.extend(live.iter().filter_map(|b| b.label.as_deref()));
    Fired {
        live,
        deleted,
        labels,
    }
}

/// The new-side block that old block `o` became: the same label; for unlabelled blocks
/// the same position among them, or where the diff carries its `IfChange` line.
fn counterpart(sides: &Sides, o: usize, removed: &[u32], added: &[u32]) -> Option<usize> {
    let block = &sides.old.blocks[o];
    let new = &sides.new.blocks;
    if let Some(label) = &block.label {
        return new.iter().position(|b| b.label.as_ref() == Some(label));
    }
    let unlabelled = |blocks: &[Block]| -> Vec<usize> {
        (0..blocks.len())
            .filter(|&i| blocks[i].label.is_none())
            .collect()
    };
    let (old_plain, new_plain) = (unlabelled(&sides.old.blocks), unlabelled(new));
    if old_plain.len() == new_plain.len() {
        let rank = old_plain.iter().position(|&i| i == o)?;
        return Some(new_plain[rank]);
    }
    let line = carry(block.if_line, removed, added)?;
    new.iter()
        .position(|b| b.label.is_none() && b.if_line == line)
}

/// Where an unchanged old-side line sits on the new side: the k-th unchanged old line is
/// the k-th unchanged new line. `None` for a removed line.
fn carry(old: u32, removed: &[u32], added: &[u32]) -> Option<u32> {
    if removed.binary_search(&old).is_ok() {
        return None;
    }
    let rank = old - removed.partition_point(|&r| r < old) as u32;
    let mut new = rank;
    loop {
        let next = rank + added.partition_point(|&a| a <= new) as u32;
        if next == new {
            return Some(new);
        }
        new = next;
    }
}

struct Context<'a> {
    annotated: &'a Annotated,
    changes: &'a [Change],
    fired: &'a HashMap<usize, Fired<'a>>,
}

impl Context<'_> {
    /// The finding for a changed block whose targets did not all change with it. A
    /// `live` block still exists; a deleted one needs its targets changed or gone.
    fn judge(&self, source: usize, block: &Block, live: bool) -> Option<Finding> {
        let mut missing = Vec::new();
        let mut reasons = Vec::new();
        for target in &block.targets {
            if let Some(reason) = self.unsatisfied(target, live) {
                missing.push(Missing {
                    kind: TARGET_KIND.to_owned(),
                    paths: vec![target.to_string()],
                });
                reasons.push(format!("`{target}` {reason}"));
            }
        }
        if missing.is_empty() {
            return None;
        }
        let path = &self.changes[source].path;
        let name = match &block.label {
            Some(label) => format!("LINT.IfChange({label})"),
            None => "LINT.IfChange".to_owned(),
        };
        let what = if live {
            format!("the {name} block at {path}:{} changed", block.if_line)
        } else {
            format!(
                "the {name} block at line {} of {path} (before the change) was deleted",
                block.if_line
            )
        };
        let message = format!(
            "{what}, but {}; change them too, or waive with NO_IFTTT=<reason> in the commit message",
            reasons.join(", ")
        );
        Some(finding(path, block.if_line, missing, message))
    }

    /// Why a target is not satisfied, or `None` when it is.
    fn unsatisfied(&self, target: &Target, live: bool) -> Option<String> {
        let Some((index, change)) = self
            .changes
            .iter()
            .enumerate()
            .find(|(_, c)| c.paths().any(|p| p == target.path))
        else {
            return Some("was not changed".to_owned());
        };
        if change.path != target.path {
            return live.then(|| format!("was renamed to `{}`", change.path));
        }
        if change.status == Status::Deleted {
            return live.then(|| "was deleted".to_owned());
        }
        let label = target.label.as_deref()?;
        let exists = self
            .annotated
            .files
            .get(&index)
            .is_some_and(|s| s.new.labelled(label).is_some());
        if live && !exists {
            return Some(format!("has no LINT.IfChange({label}) block"));
        }
        let changed = self
            .fired
            .get(&index)
            .is_some_and(|f| f.labels.contains(label));
        (!changed).then(|| format!("changed, but not inside its LINT.IfChange({label}) block"))
    }
}

fn finding(path: &str, line: u32, missing: Vec<Missing>, message: String) -> Finding {
    Finding {
        rule: ANNOTATION.to_owned(),
        severity: Severity::Error,
        status: FindingStatus::Missing,
        bindings: BTreeMap::new(),
        triggered_by: vec![Trigger {
            path: path.to_owned(),
            line: Some(line),
        }],
        missing,
        owners: Vec::new(),
        message: Some(message),
        commit: None,
        description: None,
        skippable: true,
        origin: None,
    }
}
