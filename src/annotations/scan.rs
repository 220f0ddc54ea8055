//! The whole-tree scan behind `lockstep validate`: every tracked file read in parallel,
//! only files holding `LINT.` parsed, then every target checked against the tree.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Parsed, Problem, ProblemKind, find_marker, parse};
use crate::change::Content;
use crate::config::{AnnotationSettings, Unread};
use crate::git::{GitError, Repo, TrackedFile, read_work_tree};

/// Files handed to a reading thread at a time.
const BATCH: usize = 256;

/// What a scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ScanReport {
    /// Tracked files looked at.
    pub files: usize,
    /// Files that hold at least one directive.
    pub annotated: usize,
    pub blocks: usize,
    /// Malformed directives and dead targets, by path and line.
    pub problems: Vec<Problem>,
    /// Targets outside the repository, which nothing checks.
    pub external: Vec<External>,
    /// Files holding `LINT.` whose blocks the settings leave unread, and why.
    pub unread: Vec<(String, Unread)>,
}

/// A target outside the repository, where a block names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct External {
    pub path: String,
    /// The `LINT.ThenChange` line.
    pub line: u32,
    /// As written, after `annotation_prefixes`.
    pub target: String,
}

/// Scans every tracked file (the work tree's content; HEAD's in a bare repository) for
/// malformed blocks and targets that do not exist. Untracked and ignored files are not
/// read; binary files and files without `LINT.` are never parsed; files `settings`
/// leaves unread are listed, not parsed.
pub fn scan(repo: &Repo, settings: &AnnotationSettings) -> Result<ScanReport, GitError> {
    let files = repo.tracked_files()?;
    let parsed = parse_files(repo, &files, settings)?;
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut unread = Vec::new();
    let parsed: Vec<(&str, Parsed)> = parsed
        .into_iter()
        .map(|(i, p)| (paths[i], p))
        .filter(|(path, _)| match settings.unread(path) {
            Some(why) => {
                unread.push(((*path).to_owned(), why));
                false
            }
            None => true,
        })
        .collect();
    Ok(ScanReport {
        unread,
        ..report(&paths, parsed)
    })
}

/// Parses those of `files` that contain `LINT.`, by index: work-tree files are read on
/// every core (those git converts beyond line endings, UTF-16 text or a clean filter's,
/// as git converts them), objects (a commit's files, those outside a sparse checkout)
/// one after the other.
pub(super) fn parse_files(
    repo: &Repo,
    files: &[TrackedFile],
    settings: &AnnotationSettings,
) -> Result<Vec<(usize, Parsed)>, GitError> {
    let mut parsed = Vec::new();
    let mut on_disk = vec![false; files.len()];
    if let Some(root) = repo.workdir() {
        let work_tree: Vec<usize> = (0..files.len())
            .filter(|&i| in_work_tree(&files[i]))
            .collect();
        let paths: Vec<&str> = work_tree.iter().map(|&i| files[i].path.as_str()).collect();
        for (&i, recoded) in work_tree.iter().zip(repo.recoded_work_tree(&paths)?) {
            match recoded {
                Some(bytes) if find_marker(&bytes).is_some() => {
                    parsed.push((i, parse(&files[i].path, &bytes, settings)));
                }
                Some(_) => {}
                None => on_disk[i] = true,
            }
        }
        if !work_tree.is_empty() {
            parsed.extend(read_parallel(root, files, &on_disk, settings)?);
        }
    }
    let from_objects = |file: &&TrackedFile| !(in_work_tree(file) && repo.workdir().is_some());
    repo.prefetch(files.iter().filter(from_objects).map(|file| file.content));
    for (i, file) in files.iter().enumerate() {
        if !from_objects(&file) {
            continue;
        }
        let bytes = repo.read_content(&file.path, Some(file.content))?;
        if find_marker(&bytes).is_some() {
            parsed.push((i, parse(&file.path, &bytes, settings)));
        }
    }
    parsed.sort_by_key(|(i, _)| *i);
    Ok(parsed)
}

fn in_work_tree(file: &TrackedFile) -> bool {
    matches!(file.content, Content::WorkTree { .. })
}

/// Reads the work-tree files `on_disk` marks on every core, parsing those that
/// contain `LINT.`.
fn read_parallel(
    root: &Path,
    files: &[TrackedFile],
    on_disk: &[bool],
    settings: &AnnotationSettings,
) -> Result<Vec<(usize, Parsed)>, GitError> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
    let next = AtomicUsize::new(0);
    let results: Vec<Result<Vec<(usize, Parsed)>, GitError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| scope.spawn(|| read_batches(root, files, on_disk, settings, &next)))
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut parsed = Vec::new();
    for result in results {
        parsed.extend(result?);
    }
    parsed.sort_by_key(|(i, _)| *i);
    Ok(parsed)
}

fn read_batches(
    root: &Path,
    files: &[TrackedFile],
    on_disk: &[bool],
    settings: &AnnotationSettings,
    next: &AtomicUsize,
) -> Result<Vec<(usize, Parsed)>, GitError> {
    let mut parsed = Vec::new();
    loop {
        let start = next.fetch_add(BATCH, Ordering::Relaxed);
        if start >= files.len() {
            return Ok(parsed);
        }
        let batch = files.iter().enumerate().skip(start).take(BATCH);
        for (i, file) in batch.filter(|&(i, _)| on_disk[i]) {
            let bytes =
                read_work_tree(&root.join(&file.path), file.content.mode()).map_err(|source| {
                    GitError::Io {
                        context: format!("cannot read `{}`", file.path),
                        source,
                    }
                })?;
            if find_marker(&bytes).is_some() {
                parsed.push((i, parse(&file.path, &bytes, settings)));
            }
        }
    }
}

/// Every problem of the parsed files, plus targets naming files or labels that do not
/// exist among `paths`.
fn report(paths: &[&str], parsed: Vec<(&str, Parsed)>) -> ScanReport {
    let tracked: HashSet<&str> = paths.iter().copied().collect();
    let by_path: HashMap<&str, &Parsed> = parsed.iter().map(|(p, parsed)| (*p, parsed)).collect();
    let mut report = ScanReport {
        files: paths.len(),
        ..ScanReport::default()
    };
    for (path, file) in &parsed {
        if file.blocks.is_empty() && file.problems.is_empty() {
            continue;
        }
        report.annotated += 1;
        report.blocks += file.blocks.len();
        report.problems.extend(file.problems.iter().cloned());
        for block in &file.blocks {
            report
                .external
                .extend(block.external.iter().map(|target| External {
                    path: (*path).to_owned(),
                    line: block.then_line,
                    target: target.clone(),
                }));
            for target in &block.targets {
                let exists = if target.is_directory() {
                    paths.iter().any(|p| p.starts_with(&target.path))
                } else {
                    tracked.contains(target.path.as_str())
                };
                let (kind, message) = if !exists {
                    (
                        ProblemKind::MissingTargetFile,
                        format!("target `{}` does not exist", target.path),
                    )
                } else if let Some(label) = &target.label
                    && by_path
                        .get(target.path.as_str())
                        .is_none_or(|t| t.labelled(label).is_none())
                {
                    (
                        ProblemKind::MissingTargetLabel,
                        format!(
                            "`{}` has no LINT.IfChange({label}) or LINT.Label({label})",
                            target.path
                        ),
                    )
                } else {
                    continue;
                };
                report.problems.push(Problem {
                    path: (*path).to_owned(),
                    line: block.then_line,
                    kind,
                    message,
                });
            }
        }
    }
    report.problems.sort();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_files_and_labels_are_reported_at_the_then_change_line() {
        let settings = AnnotationSettings::default();
        let a = parse(
            "src/a.rs",
            b"// LINT.IfChange(x)\nx\n// LINT.ThenChange(//docs/b.md:y, gone.rs, //docs/b.md:nope, //plain.txt:z, x://y)\n",
            &settings,
        );
        let b = parse(
            "docs/b.md",
            b"<!-- LINT.IfChange(y) -->\ny\n<!-- LINT.ThenChange(//src/a.rs:x) -->\n",
            &settings,
        );
        let paths = ["src/a.rs", "docs/b.md", "plain.txt"];
        let report = report(&paths, vec![("src/a.rs", a), ("docs/b.md", b)]);
        let found: Vec<(&str, u32, &str)> = report
            .problems
            .iter()
            .map(|p| (p.path.as_str(), p.line, p.kind.code()))
            .collect();
        assert_eq!(
            found,
            [
                ("src/a.rs", 3, "missing-target-file"),
                ("src/a.rs", 3, "missing-target-label"),
                ("src/a.rs", 3, "missing-target-label"),
            ]
        );
        assert_eq!((report.files, report.annotated, report.blocks), (3, 2, 2));
        assert_eq!(report.external[0].target, "x://y");
        assert!(report.problems[0].message.contains("src/gone.rs"));
        let json = serde_json::to_value(&report.problems[0]).expect("serializes");
        assert_eq!(json["code"], "missing-target-file");
        assert_eq!(json["line"], 3);
    }
}
