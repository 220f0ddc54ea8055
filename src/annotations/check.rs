//! The diff checker: which blocks a diff changed, and which of their targets it missed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use super::{Block, Parsed, ProblemKind, Reads, Target, find_marker, parse};
use crate::change::{Change, Content, Status};
use crate::config::{AnnotationSettings, Severity};
use crate::finding::{Finding, FindingStatus, Missing, Trigger};
use crate::git::{GitError, Repo};
use crate::rules::{Bindings, Satisfied};
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
    /// Both sides' bytes, kept so their line diff needs no second read.
    bytes: (Rc<[u8]>, Rc<[u8]>),
}

impl Annotated {
    /// The changes whose line diffs the checker needs.
    pub fn needs_lines(&self) -> impl Iterator<Item = usize> + '_ {
        self.files.keys().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// `(path, label)` of every label the changes remove from a file that stays where
    /// it is (a deleted or renamed file takes all its labels with it).
    pub fn removed_labels(&self, changes: &[Change]) -> Vec<(String, String)> {
        let mut removed = Vec::new();
        for (&i, sides) in &self.files {
            let change = &changes[i];
            if change.old_path.is_some() || change.status == Status::Deleted {
                continue;
            }
            for label in sides.old.blocks.iter().filter_map(|b| b.label.as_deref()) {
                if sides.new.labelled(label).is_none() {
                    removed.push((change.path.clone(), label.to_owned()));
                }
            }
        }
        removed
    }

    /// Fills in `lines` for the annotated changes that have none yet, from the bytes
    /// already read.
    pub fn load_lines(
        &self,
        repo: &Repo,
        changes: &mut [Change],
        whitespace: bool,
    ) -> Result<(), GitError> {
        for (&i, sides) in &self.files {
            let change = &mut changes[i];
            if change.lines.is_none() {
                let (old, new) = &sides.bytes;
                change.lines = Some(repo.diff_lines(&change.path, old, new, whitespace)?);
            }
        }
        Ok(())
    }

    /// Parses both sides of each change `reads` covers, and of the changes their blocks
    /// name as labelled targets, with `content(path, side)` giving the bytes; sides
    /// without `LINT.` and files `settings` leaves unread are never parsed. Submodules,
    /// symlinks and unmerged paths (which have no new side yet) are left out.
    fn collect<E>(
        changes: &[Change],
        (settings, reads): (&AnnotationSettings, Reads<'_>),
        mut content: impl FnMut(&str, Content) -> Result<Rc<[u8]>, E>,
    ) -> Result<Annotated, E> {
        let mut files = BTreeMap::new();
        let mut queue: Vec<usize> = (0..changes.len())
            .filter(|&i| reads.covers(&changes[i]))
            .collect();
        let mut seen: HashSet<usize> = queue.iter().copied().collect();
        // Targets are looked up by path only when a read file names one.
        let mut by_path: Option<HashMap<&str, usize>> = None;
        while let Some(i) = queue.pop() {
            let Some(sides) = Self::read_sides(&changes[i], settings, &mut content)? else {
                continue;
            };
            let labelled = sides
                .old
                .blocks
                .iter()
                .chain(&sides.new.blocks)
                .flat_map(|b| &b.targets)
                .filter(|t| t.label.is_some());
            for target in labelled {
                let by_path = by_path.get_or_insert_with(|| {
                    changes
                        .iter()
                        .enumerate()
                        .map(|(i, c)| (c.path.as_str(), i))
                        .collect()
                });
                if let Some(&t) = by_path.get(target.path.as_str())
                    && seen.insert(t)
                {
                    queue.push(t);
                }
            }
            files.insert(i, sides);
        }
        Ok(Annotated { files })
    }

    /// Both sides of one change, parsed; `None` when neither holds a block or a
    /// malformed directive, or the change has no lines to read.
    fn read_sides<E>(
        change: &Change,
        settings: &AnnotationSettings,
        content: &mut impl FnMut(&str, Content) -> Result<Rc<[u8]>, E>,
    ) -> Result<Option<Sides>, E> {
        let old_path = change.old_path.as_deref().unwrap_or(&change.path);
        if change.status == Status::Unmerged
            || [change.old, change.new]
                .iter()
                .flatten()
                .any(|c| c.is_gitlink() || c.mode() == MODE_SYMLINK)
        {
            return Ok(None);
        }
        let mut side = |path: &str, side: Option<Content>| -> Result<(Parsed, Rc<[u8]>), E> {
            let Some(side) = side.filter(|_| settings.unread(path).is_none()) else {
                return Ok((Parsed::default(), Rc::from(&[][..])));
            };
            let bytes = content(path, side)?;
            let parsed = if find_marker(&bytes).is_some() {
                parse(path, &bytes, settings)
            } else {
                Parsed::default()
            };
            Ok((parsed, bytes))
        };
        let (old, old_bytes) = side(old_path, change.old)?;
        let (new, new_bytes) = side(&change.path, change.new)?;
        let sides = Sides {
            old,
            new,
            bytes: (old_bytes, new_bytes),
        };
        let annotated = |p: &Parsed| !p.blocks.is_empty() || !p.problems.is_empty();
        Ok((annotated(&sides.old) || annotated(&sides.new)).then_some(sides))
    }
}

/// Reads and parses both sides of the changed text files `reads` covers that contain
/// `LINT.` and that `settings` does not leave unread, and of the files their blocks
/// name with a label.
pub fn read(
    repo: &Repo,
    changes: &[Change],
    settings: &AnnotationSettings,
    reads: Reads<'_>,
) -> Result<Annotated, GitError> {
    Annotated::collect(changes, (settings, reads), |path, content| {
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
    /// New-side blocks the diff fired or wrote a line of (directives included): their
    /// targets must exist.
    written: Vec<&'a Block>,
}

/// Annotation findings for the changes, whose line diffs must be loaded for every
/// change in [`Annotated::needs_lines`]; `exists` says whether a path the changes do
/// not touch exists on their head side.
pub fn check<E>(
    annotated: &Annotated,
    changes: &[Change],
    mut exists: impl FnMut(&str) -> Result<bool, E>,
) -> Result<(Vec<Finding>, Vec<Satisfied>), E> {
    let fired: HashMap<usize, Fired<'_>> = annotated
        .files
        .iter()
        .map(|(&i, sides)| (i, fire(&changes[i], sides)))
        .collect();
    // A path's own change wins over a rename away from it.
    let mut by_path: HashMap<&str, usize> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.path.as_str(), i))
        .collect();
    for (i, change) in changes.iter().enumerate() {
        if let Some(old) = change.old_path.as_deref() {
            by_path.entry(old).or_insert(i);
        }
    }
    let mut context = Context {
        annotated,
        changes,
        by_path,
        fired: &fired,
        known: HashMap::new(),
        exists: &mut exists,
    };
    let mut findings = Vec::new();
    let mut satisfied = Vec::new();
    for (&i, sides) in &annotated.files {
        let change = &changes[i];
        if change.status != Status::Deleted {
            for problem in sides
                .new
                .problems
                .iter()
                .filter(|p| p.kind.severity() == Severity::Error)
            {
                findings.push(problem_finding(
                    &change.path,
                    problem.line,
                    problem.kind,
                    problem.message.clone(),
                ));
            }
        }
        let Some(state) = fired.get(&i) else { continue };
        for block in &state.written {
            for target in &block.targets {
                if context.is_absent(target)? {
                    findings.push(missing_target(&change.path, block.then_line, target));
                } else if let Some(label) = context.label_absent(target) {
                    findings.push(missing_label(&change.path, block.then_line, target, label));
                }
            }
        }
        for (block, live) in state
            .live
            .iter()
            .map(|b| (*b, true))
            .chain(state.deleted.iter().map(|b| (*b, false)))
            // A block whose targets all live elsewhere, or were stripped, requires nothing.
            .filter(|(block, _)| !block.targets.is_empty())
        {
            match context.judge(i, block, live)? {
                Some(finding) => findings.push(finding),
                None => satisfied.push(Satisfied {
                    rule: ANNOTATION.to_owned(),
                    bindings: Bindings::new(),
                    triggered_by: vec![Trigger::at(&change.path, Some(block.if_line))],
                }),
            }
        }
    }
    findings.sort_by(|a, b| {
        let key = |f: &Finding| f.triggered_by.first().map(|t| (t.path.clone(), t.line));
        key(a).cmp(&key(b))
    });
    Ok((findings, satisfied))
}

/// A target of a block the diff fired or wrote that names nothing on the head side
/// (worded as `validate` words it).
fn missing_target(path: &str, line: u32, target: &Target) -> Finding {
    let message = format!("target `{}` does not exist", target.path);
    problem_finding(path, line, ProblemKind::MissingTargetFile, message)
}

/// A target of a block the diff fired or wrote whose file the change leaves without the
/// label it names (worded as `validate` words it).
fn missing_label(path: &str, line: u32, target: &Target, label: &str) -> Finding {
    let message = format!(
        "`{}` has no LINT.IfChange({label}) or LINT.Label({label})",
        target.path
    );
    problem_finding(path, line, ProblemKind::MissingTargetLabel, message)
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
    let counterparts: Vec<Option<usize>> = (0..sides.old.blocks.len())
        .map(|o| counterpart(sides, o, &removed, &added))
        .collect();
    let is_added = |line: u32| added.binary_search(&line).is_ok();
    // A pair written whole in this change (both directives new, no old block became it)
    // declares a dependency; it has nothing to keep in step with yet.
    let new_pair = |n: usize, block: &Block| {
        is_added(block.if_line) && is_added(block.then_line) && !counterparts.contains(&Some(n))
    };
    let mut live: Vec<bool> = sides
        .new
        .blocks
        .iter()
        .enumerate()
        .map(|(n, b)| touched(b, &added) && !new_pair(n, b))
        .collect();
    let wrote = |block: &Block| {
        let from = added.partition_point(|&n| n < block.if_line);
        added.get(from).is_some_and(|&n| n <= block.then_line)
    };
    let mut labels = HashSet::new();
    let mut deleted = Vec::new();
    for (o, block) in sides.old.blocks.iter().enumerate() {
        if !touched(block, &removed) {
            continue;
        }
        labels.extend(block.label.as_deref());
        match counterparts[o] {
            Some(n) => live[n] = true,
            None => deleted.push(block),
        }
    }
    let written = sides
        .new
        .blocks
        .iter()
        .zip(&live)
        .filter_map(|(b, &fired)| (fired || wrote(b)).then_some(b))
        .collect();
    let live: Vec<&Block> = sides
        .new
        .blocks
        .iter()
        .zip(live)
        .filter_map(|(b, fired)| fired.then_some(b))
        .collect();
    labels.extend(live.iter().filter_map(|b| b.label.as_deref()));
    // A labelled block or region written whole in this change changed as a target
    // does, though it fires nothing itself.
    labels.extend(
        sides
            .new
            .blocks
            .iter()
            .filter(|b| touched(b, &added))
            .filter_map(|b| b.label.as_deref()),
    );
    Fired {
        live,
        deleted,
        labels,
        written,
    }
}

/// The new-side block that old block `o` became: the same label; for unlabelled blocks
/// the same position among them; else (a relabelled block, blocks come and gone) the
/// block the diff carries either of its directive lines to; else, for a block rewritten
/// whole, the one written in its place ([`rewritten`]).
fn counterpart(sides: &Sides, o: usize, removed: &[u32], added: &[u32]) -> Option<usize> {
    let block = &sides.old.blocks[o];
    let new = &sides.new.blocks;
    if let Some(label) = &block.label
        && let Some(n) = new.iter().position(|b| b.label.as_ref() == Some(label))
    {
        return Some(n);
    }
    let unlabelled = |blocks: &[Block]| -> Vec<usize> {
        (0..blocks.len())
            .filter(|&i| blocks[i].label.is_none())
            .collect()
    };
    let (old_plain, new_plain) = (unlabelled(&sides.old.blocks), unlabelled(new));
    if block.label.is_none() && old_plain.len() == new_plain.len() {
        let rank = old_plain.iter().position(|&i| i == o)?;
        return Some(new_plain[rank]);
    }
    let if_line = carry(block.if_line, removed, added);
    let then_line = carry(block.then_line, removed, added);
    new.iter()
        .position(|b| Some(b.if_line) == if_line || Some(b.then_line) == then_line)
        .or_else(|| rewritten(sides, o, removed, added))
}

/// For old block `o` whose two directive lines the diff removed: the new block whose two
/// directive lines it added at the same place, that is with as many unchanged lines
/// before each directive (blocks rewritten in one place pair up in order). A block
/// that existed before where the new one stands is not a new pair.
fn rewritten(sides: &Sides, o: usize, removed: &[u32], added: &[u32]) -> Option<usize> {
    let replaced = |blocks: &[Block], lines: &[u32]| -> Vec<(usize, (u32, u32))> {
        let changed = |line: u32| lines.binary_search(&line).is_ok();
        let place = |line: u32| line - 1 - lines.partition_point(|&c| c < line) as u32;
        (0..blocks.len())
            .filter(|&i| changed(blocks[i].if_line) && changed(blocks[i].then_line))
            .map(|i| (i, (place(blocks[i].if_line), place(blocks[i].then_line))))
            .collect()
    };
    let old = replaced(&sides.old.blocks, removed);
    let &(_, at) = old.iter().find(|(i, _)| *i == o)?;
    let olds: Vec<usize> = old.iter().filter(|b| b.1 == at).map(|b| b.0).collect();
    let news: Vec<usize> = replaced(&sides.new.blocks, added)
        .into_iter()
        .filter(|b| b.1 == at)
        .map(|b| b.0)
        .collect();
    let rank = olds.iter().position(|&i| i == o)?;
    (olds.len() == news.len()).then(|| news[rank])
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

struct Context<'a, X> {
    annotated: &'a Annotated,
    changes: &'a [Change],
    /// Every path of every change (both sides of a rename) → its change.
    by_path: HashMap<&'a str, usize>,
    fired: &'a HashMap<usize, Fired<'a>>,
    /// Answers of `exists` so far.
    known: HashMap<String, bool>,
    exists: X,
}

impl<E, X: FnMut(&str) -> Result<bool, E>> Context<'_, X> {
    /// Whether `target` names nothing on the head side: no change touches it (or, for
    /// a directory, anything under it) and the paths the changes leave alone do not
    /// hold it.
    fn is_absent(&mut self, target: &Target) -> Result<bool, E> {
        let touched = if target.is_directory() {
            self.by_path.keys().any(|p| p.starts_with(&target.path))
        } else {
            self.by_path.contains_key(target.path.as_str())
        };
        if touched {
            return Ok(false);
        }
        if let Some(&exists) = self.known.get(&target.path) {
            return Ok(!exists);
        }
        let exists = (self.exists)(&target.path)?;
        self.known.insert(target.path.clone(), exists);
        Ok(!exists)
    }

    /// The label of `target` when the change leaves its file (which it touches) without
    /// a block or region of that label. Files the change does not touch are not read.
    fn label_absent<'t>(&self, target: &'t Target) -> Option<&'t str> {
        let label = target.label.as_deref()?;
        let &index = self.by_path.get(target.path.as_str())?;
        let change = &self.changes[index];
        if change.path != target.path || change.status == Status::Deleted {
            return None;
        }
        let sides = self.annotated.files.get(&index);
        sides
            .is_none_or(|s| s.new.labelled(label).is_none())
            .then_some(label)
    }

    /// The finding for a changed block whose targets did not all change with it. A
    /// `live` block still exists; a deleted one needs its targets changed or gone. A
    /// target that does not exist is reported on its own ([`missing_target`]).
    fn judge(&mut self, source: usize, block: &Block, live: bool) -> Result<Option<Finding>, E> {
        let mut missing = Vec::new();
        let mut reasons = Vec::new();
        for target in &block.targets {
            if self.is_absent(target)? || (live && self.label_absent(target).is_some()) {
                continue;
            }
            if let Some(reason) = self.unsatisfied(target, live) {
                missing.push(Missing {
                    kind: TARGET_KIND.to_owned(),
                    paths: vec![target.to_string()],
                });
                reasons.push(format!("`{target}` {reason}"));
            }
        }
        if missing.is_empty() {
            return Ok(None);
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
        Ok(Some(finding(path, block.if_line, missing, message)))
    }

    /// Why a target is not satisfied, or `None` when it is.
    fn unsatisfied(&self, target: &Target, live: bool) -> Option<String> {
        if target.is_directory() {
            let changed = self.by_path.keys().any(|p| p.starts_with(&target.path));
            return (!changed).then(|| "had no change under it".to_owned());
        }
        let Some(&index) = self.by_path.get(target.path.as_str()) else {
            return Some("was not changed".to_owned());
        };
        let change = &self.changes[index];
        if change.path != target.path {
            return live.then(|| format!("was renamed to `{}`", change.path));
        }
        if change.status == Status::Deleted {
            return live.then(|| "was deleted".to_owned());
        }
        let label = target.label.as_deref()?;
        let changed = self
            .fired
            .get(&index)
            .is_some_and(|f| f.labels.contains(label));
        (!changed).then(|| format!("changed, but not inside its `{label}` block"))
    }
}

/// A block the change leaves broken (malformed, naming nothing, naming what it removed).
/// Unlike an unchanged target, no waiver excuses it: a waiver lets one change go without
/// its companions, and a broken block would fail every later change of it.
pub(super) fn problem_finding(
    path: &str,
    line: u32,
    kind: ProblemKind,
    message: String,
) -> Finding {
    Finding {
        problem: Some(kind),
        skippable: false,
        ..finding(path, line, Vec::new(), message)
    }
}

pub(super) fn finding(path: &str, line: u32, missing: Vec<Missing>, message: String) -> Finding {
    Finding {
        rule: ANNOTATION.to_owned(),
        severity: Severity::Error,
        status: FindingStatus::Missing,
        bindings: BTreeMap::new(),
        triggered_by: vec![Trigger::at(path, Some(line))],
        missing,
        owners: Vec::new(),
        message: Some(message),
        commit: None,
        waiver: None,
        problem: None,
        description: None,
        skippable: true,
        origin: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::{Line, LineDiff};

    /// One changed file: its two sides (as lines) and the changed line numbers.
    struct File {
        path: &'static str,
        from: Option<&'static str>,
        old: Option<&'static [&'static str]>,
        new: Option<&'static [&'static str]>,
        added: &'static [u32],
        removed: &'static [u32],
    }

    const fn edit(
        path: &'static str,
        old: &'static [&'static str],
        new: &'static [&'static str],
        added: &'static [u32],
        removed: &'static [u32],
    ) -> File {
        File {
            path,
            from: None,
            old: Some(old),
            new: Some(new),
            added,
            removed,
        }
    }

    /// A file the diff touches whose content holds no directive.
    const fn touched(path: &'static str) -> File {
        edit(path, &["a"], &["b"], &[1], &[1])
    }

    /// (path, line, missing targets) of each finding; problems show their code instead.
    fn run(files: &[File]) -> Vec<(String, u32, Vec<String>)> {
        let mut sides: HashMap<[u8; 20], String> = HashMap::new();
        let changes: Vec<Change> = files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let status = match (f.old, f.new, f.from) {
                    (_, _, Some(_)) => Status::Renamed,
                    (None, _, _) => Status::Added,
                    (_, None, _) => Status::Deleted,
                    _ => Status::Modified,
                };
                let mut change = Change::new(f.path, status);
                change.old_path = f.from.map(str::to_owned);
                let mut side = |lines: Option<&[&str]>, n: u8| {
                    lines.map(|lines| {
                        let id = [
                            i as u8, n, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                        ];
                        sides.insert(id, lines.join("\n"));
                        Content::Object { id, mode: 0o100644 }
                    })
                };
                change.old = side(f.old, 0);
                change.new = side(f.new, 1);
                let line = |number: &u32| Line {
                    number: *number,
                    text: String::new(),
                };
                change.lines = Some(LineDiff {
                    binary: false,
                    added: f.added.iter().map(line).collect(),
                    removed: f.removed.iter().map(line).collect(),
                });
                change
            })
            .collect();
        let annotated = Annotated::collect(
            &changes,
            (&AnnotationSettings::default(), Reads::Every),
            |_, content| match content {
                Content::Object { id, .. } => Ok::<_, ()>(Rc::from(sides[&id].as_bytes())),
                Content::WorkTree { .. } => Err(()),
            },
        )
        .expect("in memory");
        let needs: Vec<usize> = annotated.needs_lines().collect();
        assert!(needs.iter().all(|&i| i < changes.len()));
        check(&annotated, &changes, |_| Ok::<_, ()>(true))
            .expect("in memory")
            .0
            .into_iter()
            .map(|f| {
                assert_eq!((f.rule.as_str(), f.severity), (ANNOTATION, Severity::Error));
                let trigger = &f.triggered_by[0];
                let mut missing: Vec<String> =
                    f.missing.into_iter().flat_map(|m| m.paths).collect();
                missing.extend(f.problem.map(|kind| kind.code().to_owned()));
                (trigger.path.clone(), trigger.line.unwrap_or(0), missing)
            })
            .collect()
    }

    fn finding(path: &str, line: u32, missing: &[&str]) -> (String, u32, Vec<String>) {
        (
            path.to_owned(),
            line,
            missing.iter().map(|m| (*m).to_owned()).collect(),
        )
    }

    const RETRY_OLD: &[&str] = &[
        "fn a() {}",
        "// LINT.IfChange(retry)",
        "const MAX: u32 = 5;",
        "// LINT.ThenChange(//docs/retries.md:retry, client.py)",
        "fn b() {}",
    ];
    const RETRY_NEW: &[&str] = &[
        "fn a() {}",
        "// LINT.IfChange(retry)",
        "const MAX: u32 = 6;",
        "// LINT.ThenChange(//docs/retries.md:retry, client.py)",
        "fn b() {}",
    ];
    const DOC_OLD: &[&str] = &[
        "# Retries",
        "<!-- LINT.IfChange(retry) -->",
        "Five retries.",
        "<!-- LINT.ThenChange(//src/retry.rs:retry) -->",
        "Other prose.",
    ];
    const DOC_NEW: &[&str] = &[
        "# Retries",
        "<!-- LINT.IfChange(retry) -->",
        "Six retries.",
        "<!-- LINT.ThenChange(//src/retry.rs:retry) -->",
        "Other prose.",
    ];

    #[test]
    fn a_changed_block_requires_every_target() {
        type Case = (&'static str, Vec<File>, Vec<(String, u32, Vec<String>)>);
        let cases: Vec<Case> = vec![
            (
                "no target changed",
                vec![edit("src/retry.rs", RETRY_OLD, RETRY_NEW, &[3], &[3])],
                vec![finding(
                    "src/retry.rs",
                    2,
                    &["docs/retries.md:retry", "src/client.py"],
                )],
            ),
            (
                "all targets changed inside their blocks",
                vec![
                    edit("src/retry.rs", RETRY_OLD, RETRY_NEW, &[3], &[3]),
                    edit("docs/retries.md", DOC_OLD, DOC_NEW, &[3], &[3]),
                    touched("src/client.py"),
                ],
                vec![],
            ),
            (
                "labelled target changed outside its block",
                vec![
                    edit("src/retry.rs", RETRY_OLD, RETRY_NEW, &[3], &[3]),
                    edit("docs/retries.md", DOC_OLD, DOC_OLD, &[5], &[5]),
                    touched("src/client.py"),
                ],
                vec![finding("src/retry.rs", 2, &["docs/retries.md:retry"])],
            ),
            (
                "target block changed by a removed line only",
                vec![
                    edit("src/retry.rs", RETRY_OLD, RETRY_NEW, &[3], &[3]),
                    edit(
                        "docs/retries.md",
                        DOC_OLD,
                        &[
                            "# Retries",
                            "<!-- LINT.IfChange(retry) -->",
                            "<!-- LINT.ThenChange(//src/retry.rs:retry) -->",
                        ],
                        &[],
                        &[3, 5],
                    ),
                    touched("src/client.py"),
                ],
                vec![],
            ),
            (
                "an edit outside every block",
                vec![edit("src/retry.rs", RETRY_OLD, RETRY_OLD, &[5], &[1])],
                vec![],
            ),
            (
                "target label missing from a changed target",
                vec![
                    edit("src/retry.rs", RETRY_OLD, RETRY_NEW, &[3], &[3]),
                    touched("docs/retries.md"),
                    touched("src/client.py"),
                ],
                // Not unchanged: missing, reported at the ThenChange line.
                vec![finding("src/retry.rs", 4, &["missing-target-label"])],
            ),
        ];
        for (name, files, expected) in cases {
            assert_eq!(run(&files), expected, "{name}");
        }
    }

    #[test]
    fn edits_to_directives_alone_do_not_fire() {
        let plain: &[&str] = &["a", "b", "c"];
        let wrapped: &[&str] = &[
            "a",
            "// LINT.IfChange",
            "b",
            "// LINT.ThenChange(//t.md)",
            "c",
        ];
        let relabelled: &[&str] = &[
            "a",
            "// LINT.IfChange(new)",
            "b",
            "// LINT.ThenChange(//t.md)",
            "c",
        ];
        let retargeted: &[&str] = &[
            "a",
            "// LINT.IfChange",
            "b",
            "// LINT.ThenChange(//u.md)",
            "c",
        ];
        let cases: [(&str, File); 4] = [
            (
                "directives added around code",
                edit("x.rs", plain, wrapped, &[2, 4], &[]),
            ),
            (
                "label changed",
                edit("x.rs", wrapped, relabelled, &[2], &[2]),
            ),
            (
                "targets changed",
                edit("x.rs", wrapped, retargeted, &[4], &[4]),
            ),
            (
                "directives removed",
                edit("x.rs", wrapped, plain, &[], &[2, 4]),
            ),
        ];
        for (name, file) in cases {
            assert_eq!(run(&[file]), [], "{name}");
        }
    }

    #[test]
    fn deleting_a_block_fires_it() {
        let old: &[&str] = &[
            "a",
            "// LINT.IfChange",
            "b",
            "// LINT.ThenChange(//t.md)",
            "c",
        ];
        let new: &[&str] = &["a", "c"];
        assert_eq!(
            run(&[edit("x.rs", old, new, &[], &[2, 3, 4])]),
            [finding("x.rs", 2, &["t.md"])]
        );
        let gone = File {
            path: "x.rs",
            from: None,
            old: Some(old),
            new: None,
            added: &[],
            removed: &[1, 2, 3, 4, 5],
        };
        assert_eq!(run(&[gone]), [finding("x.rs", 2, &["t.md"])]);
        // Deleting the target with it is a complete change.
        let gone = File {
            path: "x.rs",
            from: None,
            old: Some(old),
            new: None,
            added: &[],
            removed: &[1, 2, 3, 4, 5],
        };
        let target = File {
            path: "t.md",
            from: None,
            old: Some(&["t"]),
            new: None,
            added: &[],
            removed: &[1],
        };
        assert_eq!(run(&[gone, target]), []);
    }

    #[test]
    fn same_file_labels() {
        let old: &[&str] = &[
            "// LINT.IfChange(a)",
            "one",
            "// LINT.ThenChange(:b)",
            "// LINT.IfChange(b)",
            "two",
            "// LINT.ThenChange(:a)",
        ];
        let new_a: &[&str] = &[
            "// LINT.IfChange(a)",
            "ONE",
            "// LINT.ThenChange(:b)",
            "// LINT.IfChange(b)",
            "two",
            "// LINT.ThenChange(:a)",
        ];
        let new_ab: &[&str] = &[
            "// LINT.IfChange(a)",
            "ONE",
            "// LINT.ThenChange(:b)",
            "// LINT.IfChange(b)",
            "TWO",
            "// LINT.ThenChange(:a)",
        ];
        assert_eq!(
            run(&[edit("src/m.py", old, new_a, &[2], &[2])]),
            [finding("src/m.py", 1, &["src/m.py:b"])]
        );
        assert_eq!(run(&[edit("src/m.py", old, new_ab, &[2, 5], &[2, 5])]), []);
    }

    #[test]
    fn relative_and_multi_line_targets() {
        let old: &[&str] = &[
            "# LINT.IfChange",
            "x = 1",
            "# LINT.ThenChange(",
            "#   ../docs/x.md,",
            "#   //sdk/y.ts,",
            "# )",
        ];
        let new: &[&str] = &[
            "# LINT.IfChange",
            "x = 2",
            "# LINT.ThenChange(",
            "#   ../docs/x.md,",
            "#   //sdk/y.ts,",
            "# )",
        ];
        assert_eq!(
            run(&[
                edit("app/core/m.py", old, new, &[2], &[2]),
                touched("app/docs/x.md")
            ]),
            [finding("app/core/m.py", 1, &["sdk/y.ts"])]
        );
    }

    #[test]
    fn renamed_and_deleted_targets() {
        let renamed = File {
            path: "docs/new.md",
            from: Some("docs/old.md"),
            old: Some(&["t"]),
            new: Some(&["t"]),
            added: &[],
            removed: &[],
        };
        let source = || {
            edit(
                "a.rs",
                &["// LINT.IfChange", "x", "// LINT.ThenChange(//docs/old.md)"],
                &["// LINT.IfChange", "y", "// LINT.ThenChange(//docs/old.md)"],
                &[2],
                &[2],
            )
        };
        assert_eq!(
            run(&[source(), renamed]),
            [finding("a.rs", 1, &["docs/old.md"])]
        );
        let deleted = File {
            path: "docs/old.md",
            from: None,
            old: Some(&["t"]),
            new: None,
            added: &[],
            removed: &[1],
        };
        assert_eq!(
            run(&[source(), deleted]),
            [finding("a.rs", 1, &["docs/old.md"])]
        );
        // A target pointing at the new name is satisfied by the rename.
        let renamed = File {
            path: "docs/new.md",
            from: Some("docs/old.md"),
            old: Some(&["t"]),
            new: Some(&["t"]),
            added: &[],
            removed: &[],
        };
        let to_new = edit(
            "a.rs",
            &["// LINT.IfChange", "x", "// LINT.ThenChange(//docs/new.md)"],
            &["// LINT.IfChange", "y", "// LINT.ThenChange(//docs/new.md)"],
            &[2],
            &[2],
        );
        assert_eq!(run(&[to_new, renamed]), []);
    }

    #[test]
    fn malformed_blocks_in_changed_files_are_errors() {
        let new: &[&str] = &[
            "// LINT.IfChange",
            "x",
            "// LINT.ThenChange()",
            "// LINT.Then(//a)",
        ];
        assert_eq!(
            run(&[edit("a.rs", &["x"], new, &[1, 3, 4], &[])]),
            // A stripped `ThenChange()` is a warning for `validate` only.
            [finding("a.rs", 4, &["unknown-directive"])]
        );
    }

    #[test]
    fn fenced_examples_in_markdown_never_fire() {
        let old: &[&str] = &[
            "```",
            "// LINT.IfChange",
            "x",
            "// LINT.ThenChange(//t.md)",
            "```",
        ];
        let new: &[&str] = &[
            "```",
            "// LINT.IfChange",
            "y",
            "// LINT.ThenChange(//t.md)",
            "```",
        ];
        assert_eq!(run(&[edit("README.md", old, new, &[3], &[3])]), []);
        assert_eq!(
            run(&[edit("notes.txt", old, new, &[3], &[3])]),
            [finding("notes.txt", 2, &["t.md"])]
        );
    }

    #[test]
    fn unlabelled_blocks_follow_their_lines_when_blocks_come_and_go() {
        let old: &[&str] = &[
            "// LINT.IfChange",
            "a",
            "// LINT.ThenChange(//t1.md)",
            "// LINT.IfChange",
            "b",
            "// LINT.ThenChange(//t2.md)",
        ];
        // The first block is deleted, and a line of the second is removed.
        let new: &[&str] = &["// LINT.IfChange", "// LINT.ThenChange(//t2.md)"];
        assert_eq!(
            run(&[edit("x.rs", old, new, &[], &[1, 2, 3, 5])]),
            // The surviving block (new line 1), then the deleted one (old line 1).
            [
                finding("x.rs", 1, &["t2.md"]),
                finding("x.rs", 1, &["t1.md"])
            ]
        );
    }

    #[test]
    fn regression_relabelled_and_edited_block_reports_each_target_once() {
        let old: &[&str] = &["// LINT.IfChange(old)", "x", "// LINT.ThenChange(//t.md)"];
        let new: &[&str] = &["// LINT.IfChange(new)", "y", "// LINT.ThenChange(//t.md)"];
        assert_eq!(
            run(&[edit("a.rs", old, new, &[1, 2], &[1, 2])]),
            [finding("a.rs", 1, &["t.md"])]
        );
    }

    #[test]
    fn a_pair_added_whole_does_not_fire() {
        let old: &[&str] = &["a", "c"];
        let new: &[&str] = &[
            "a",
            "// LINT.IfChange",
            "b",
            "// LINT.ThenChange(//t.md)",
            "c",
        ];
        assert_eq!(run(&[edit("x.rs", old, new, &[2, 3, 4], &[])]), []);
        let created = File {
            path: "x.rs",
            from: None,
            old: None,
            new: Some(new),
            added: &[1, 2, 3, 4, 5],
            removed: &[],
        };
        assert_eq!(run(&[created]), []);
        // A block whose directives stay while its body changes still fires.
        let edited: &[&str] = &[
            "a",
            "// LINT.IfChange",
            "B",
            "// LINT.ThenChange(//t.md)",
            "c",
        ];
        assert_eq!(
            run(&[edit("x.rs", new, edited, &[3], &[3])]),
            [finding("x.rs", 2, &["t.md"])]
        );
    }

    #[test]
    fn regression_a_block_rewritten_whole_in_place_is_not_a_new_pair() {
        let old: &[&str] = &[
            "a",
            "# LINT.IfChange",
            "VALUE = 1",
            "# LINT.ThenChange(//old.py)",
        ];
        let new: &[&str] = &[
            "a",
            "# LINT.IfChange(value)",
            "VALUE = 2",
            "# LINT.ThenChange(//target.py)",
        ];
        assert_eq!(
            run(&[edit("src.py", old, new, &[2, 3, 4], &[2, 3, 4])]),
            [finding("src.py", 2, &["target.py"])]
        );
        // Only the directives rewritten: nothing inside changed, nothing fires.
        let directives: &[&str] = &[
            "a",
            "# LINT.IfChange(value)",
            "VALUE = 1",
            "# LINT.ThenChange(//target.py)",
        ];
        assert_eq!(
            run(&[edit("src.py", old, directives, &[2, 4], &[2, 4])]),
            []
        );
        // Two blocks rewritten in one place pair up in order.
        let two_old: &[&str] = &[
            "// LINT.IfChange",
            "x",
            "// LINT.ThenChange(//t1.md)",
            "// LINT.IfChange",
            "y",
            "// LINT.ThenChange(//t2.md)",
        ];
        let two_new: &[&str] = &[
            "// LINT.IfChange(one)",
            "X",
            "// LINT.ThenChange(//u1.md)",
            "// LINT.IfChange(two)",
            "Y",
            "// LINT.ThenChange(//u2.md)",
        ];
        let all = &[1, 2, 3, 4, 5, 6];
        assert_eq!(
            run(&[edit("x.rs", two_old, two_new, all, all)]),
            [
                finding("x.rs", 1, &["u1.md"]),
                finding("x.rs", 4, &["u2.md"])
            ]
        );
        // A pair written where other lines were is still new.
        let plain: &[&str] = &["a", "b", "c", "d"];
        assert_eq!(
            run(&[edit("src.py", plain, new, &[2, 3, 4], &[2, 3, 4])]),
            []
        );
    }

    #[test]
    fn regression_a_directory_target_is_satisfied_by_any_change_under_it() {
        let old: &[&str] = &["// LINT.IfChange", "x", "// LINT.ThenChange(//docs/api/)"];
        let new: &[&str] = &["// LINT.IfChange", "y", "// LINT.ThenChange(//docs/api/)"];
        assert_eq!(
            run(&[edit("a.rs", old, new, &[2], &[2]), touched("docs/api.md")]),
            [finding("a.rs", 1, &["docs/api/"])]
        );
        assert_eq!(
            run(&[
                edit("a.rs", old, new, &[2], &[2]),
                touched("docs/api/v1/x.md")
            ]),
            []
        );
    }

    #[test]
    fn carry_maps_unchanged_lines_across_the_diff() {
        // old: a b c d   new: a X c Y d
        assert_eq!(carry(1, &[2], &[2, 4]), Some(1));
        assert_eq!(carry(2, &[2], &[2, 4]), None);
        assert_eq!(carry(3, &[2], &[2, 4]), Some(3));
        assert_eq!(carry(4, &[2], &[2, 4]), Some(5));
    }
}
