//! The references a change breaks (`broken-reference`): blocks anywhere in the repository
//! whose target names a file the change deletes or renames away, or a label it removes.
//! Nothing is read unless the change does one of those; then only files holding `LINT.`
//! are parsed.

use std::collections::{HashMap, HashSet};

use super::check::problem_finding;
use super::scan::parse_files;
use super::{Parsed, ProblemKind, Reads, read};
use crate::change::{Change, Status};
use crate::config::AnnotationSettings;
use crate::finding::Finding;
use crate::git::{GitError, Repo, TrackedFile};

/// What a change takes away from the targets blocks may name.
#[derive(Debug, Default)]
struct Gone {
    /// Deleted paths (`None`) and renamed ones (`Some(new path)`).
    paths: HashMap<String, Option<String>>,
    /// `(path, label)` of labels removed from files that stay.
    labels: HashSet<(String, String)>,
}

impl Gone {
    fn of(changes: &[Change], removed_labels: Vec<(String, String)>) -> Gone {
        let present: HashSet<&str> = changes
            .iter()
            .filter(|c| c.status != Status::Deleted)
            .map(|c| c.path.as_str())
            .collect();
        let mut paths = HashMap::new();
        for change in changes {
            match (&change.old_path, change.status) {
                (Some(old), _) if !present.contains(old.as_str()) => {
                    paths.insert(old.clone(), Some(change.path.clone()));
                }
                (None, Status::Deleted) => {
                    paths.insert(change.path.clone(), None);
                }
                _ => {}
            }
        }
        Gone {
            paths,
            labels: removed_labels.into_iter().collect(),
        }
    }

    fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.labels.is_empty()
    }
}

/// `broken-reference` findings for `changes`: `files` lists the snapshot the change
/// leads to, and is called only when the change deletes, renames or unlabels anything.
/// `removed_labels` is what the judge's annotation pass found, if it ran; else the
/// changed files are read here.
pub fn broken_references(
    repo: &Repo,
    changes: &[Change],
    settings: &AnnotationSettings,
    removed_labels: Option<Vec<(String, String)>>,
    files: impl FnOnce() -> Result<Vec<TrackedFile>, GitError>,
) -> Result<Vec<Finding>, GitError> {
    let removed_labels = match removed_labels {
        Some(labels) => labels,
        None => read(repo, changes, settings, Reads::Every)?.removed_labels(changes),
    };
    let gone = Gone::of(changes, removed_labels);
    if gone.is_empty() {
        return Ok(Vec::new());
    }
    let files = files()?;
    let parsed: Vec<(&str, Parsed)> = parse_files(repo, &files, settings)?
        .into_iter()
        .map(|(i, parsed)| (files[i].path.as_str(), parsed))
        .filter(|(path, _)| settings.unread(path).is_none())
        .collect();
    Ok(report(&gone, &parsed))
}

/// One finding per target that names something gone, at its `LINT.ThenChange` line.
fn report(gone: &Gone, parsed: &[(&str, Parsed)]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (path, file) in parsed {
        for block in &file.blocks {
            for target in &block.targets {
                let why = match (gone.paths.get(&target.path), &target.label) {
                    (Some(None), _) => "a file this change deletes".to_owned(),
                    (Some(Some(new)), _) => format!("a file this change renames to `{new}`"),
                    (None, Some(label))
                        if gone.labels.contains(&(target.path.clone(), label.clone())) =>
                    {
                        format!("a label this change removes from `{}`", target.path)
                    }
                    _ => continue,
                };
                let message =
                    format!("`{target}` names {why}; point it at what replaced it or remove it");
                findings.push(problem_finding(
                    path,
                    block.then_line,
                    ProblemKind::BrokenReference,
                    message,
                ));
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotations::parse;

    #[test]
    fn references_to_deleted_renamed_and_unlabelled_targets_are_found() {
        let mut deleted = Change::new("docs/old.md", Status::Deleted);
        deleted.old = None;
        let mut renamed = Change::new("docs/new.md", Status::Renamed);
        renamed.old_path = Some("docs/moved.md".to_owned());
        let gone = Gone::of(
            &[deleted, renamed],
            vec![("src/api.rs".to_owned(), "retry".to_owned())],
        );
        let file = parse(
            "src/a.rs",
            b"// LINT.IfChange\nx\n// LINT.ThenChange(//docs/old.md, //docs/moved.md, //src/api.rs:retry, //src/api.rs:other, //docs/kept.md)\n",
            &AnnotationSettings::default(),
        );
        let found = report(&gone, &[("src/a.rs", file)]);
        assert!(
            found
                .iter()
                .all(|f| f.problem == Some(ProblemKind::BrokenReference))
        );
        let messages: Vec<String> = found
            .into_iter()
            .map(|f| {
                assert_eq!(f.triggered_by[0].line, Some(3));
                f.message.unwrap_or_default()
            })
            .collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("deletes"), "{messages:?}");
        assert!(
            messages[1].contains("renames to `docs/new.md`"),
            "{messages:?}"
        );
        assert!(
            messages[2].contains("removes from `src/api.rs`"),
            "{messages:?}"
        );
    }

    #[test]
    fn a_path_renamed_away_and_added_again_is_not_gone() {
        let mut renamed = Change::new("b.md", Status::Renamed);
        renamed.old_path = Some("a.md".to_owned());
        let added = Change::new("a.md", Status::Added);
        assert!(Gone::of(&[renamed, added], Vec::new()).is_empty());
    }
}
