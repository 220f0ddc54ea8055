//! `lockstep suggest`: rules mined from how files actually changed together.
//!
//! The history walk (`audit`'s walker) turns each non-merge commit of a window into a
//! unit of change (its paths); `count` counts how often groups of files (`group`)
//! changed and changed together, `capture` does the same per name (`api/{name}.rs`);
//! `rank` turns strong directed pairs into rules, and `render` prints them as TOML ready
//! to paste, or JSON. With a rule set, the same walk audits the window as `lockstep
//! audit` does, to report rules that history contradicts.

mod capture;
mod count;
mod group;
mod rank;
mod render;

use std::collections::HashMap;

use serde::Serialize;

pub use rank::analyse;
pub use render::{Format, render, rule_text};

use crate::audit::{Audit, walk_since};
use crate::change::Change;
use crate::day::Day;
use crate::git::{Commit, GitError, Repo};
use crate::rules::RuleSet;

/// How far back to look when no `--since` is given, from HEAD's commit date.
pub const DEFAULT_WINDOW_DAYS: i64 = 365;

/// What to mine and how strict to be.
#[derive(Debug, Clone)]
pub struct Options {
    /// `None`: [`DEFAULT_WINDOW_DAYS`] before HEAD's commit date.
    pub since: Option<Day>,
    pub min_support: u32,
    pub min_confidence: f64,
    pub depth: usize,
    /// Commits touching more files are noise (reformats, vendoring, mass renames).
    pub max_changeset: usize,
    /// At most this many suggestions.
    pub limit: usize,
    /// Count commits by bots (dependabot, renovate, `[bot]` accounts) too.
    pub include_bots: bool,
    /// Count version bumps ("chore: Bump versions") too.
    pub include_bumps: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            since: None,
            min_support: 5,
            min_confidence: 0.6,
            depth: 2,
            max_changeset: 30,
            limit: 20,
            include_bots: false,
            include_bumps: false,
        }
    }
}

/// One commit of the window kept as a unit of change.
#[derive(Debug, Clone)]
pub struct Unit {
    pub commit: Commit,
    /// Every path the commit touched, by its name at HEAD (renames followed); paths
    /// gone by HEAD are left out.
    pub paths: Vec<String>,
}

/// The commits mined, and how the current rules fared on them.
#[derive(Debug, Clone)]
pub struct History {
    pub since: Day,
    /// HEAD's commit date.
    pub until: Day,
    /// Oldest first.
    pub units: Vec<Unit>,
    /// Commits larger than `max_changeset`.
    pub large: usize,
    /// Commits by bots, left out unless `include_bots`.
    pub bots: usize,
    /// Version bumps, left out unless `include_bumps`.
    pub bumps: usize,
    /// Every commit of the window (those left out too) judged against the rules
    /// given, as `lockstep audit --since` judges them.
    pub audit: Option<Audit>,
    /// The files tracked at HEAD, sorted.
    pub tracked: Vec<String>,
}

impl History {
    fn empty(since: Day, until: Day) -> History {
        History {
            since,
            until,
            units: Vec::new(),
            large: 0,
            bots: 0,
            bumps: 0,
            audit: None,
            tracked: Vec::new(),
        }
    }
}

/// Why a commit of the window is not a unit of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LeftOut {
    Large,
    Bot,
    Bump,
}

/// A commit of the window as the walker's threads see it.
struct Step {
    commit: Commit,
    paths: Vec<String>,
    /// Its exact renames (old, new): a commit left out still renames files (a mass
    /// move is a large commit).
    renames: Vec<(String, String)>,
    left_out: Option<LeftOut>,
}

impl Step {
    fn of(commit: Commit, changes: &[Change], options: &Options) -> Step {
        let left_out = if changes.len() > options.max_changeset {
            Some(LeftOut::Large)
        } else if !options.include_bots && is_bot(&commit.author) {
            Some(LeftOut::Bot)
        } else if !options.include_bumps && is_bump(commit.summary()) {
            Some(LeftOut::Bump)
        } else {
            None
        };
        Step {
            paths: changes
                .iter()
                .flat_map(|c| c.paths())
                .map(str::to_owned)
                .collect(),
            renames: changes
                .iter()
                .filter_map(|c| Some((c.old_path.clone()?, c.path.clone())))
                .collect(),
            left_out,
            commit,
        }
    }
}

/// Walks the history window: non-merge commits from `since` up to HEAD, leaving out
/// those larger than `max_changeset`, by bots and version bumps. With `rules`, judges
/// every commit of the window as `lockstep audit --since` does, in the same walk.
pub fn walk(repo: &Repo, rules: Option<&RuleSet>, options: &Options) -> Result<History, GitError> {
    let Some(head) = repo.head()? else {
        let today = Day::today();
        return Ok(History::empty(options.since.unwrap_or(today), today));
    };
    // HEAD alone: the commits HEAD's first parent does not reach end with it.
    let parent = repo.resolve("HEAD^").ok();
    let until = repo
        .commits(parent, head)?
        .last()
        .map_or(Day::today(), |c| Day::of_time(c.time));
    let since = options
        .since
        .unwrap_or(until.plus_days(-DEFAULT_WINDOW_DAYS));
    let walked = walk_since(repo, rules, since, |repo, unit, changes| {
        Ok(Step::of(unit.commit(repo)?.clone(), changes, options))
    })?;
    let mut history = History {
        audit: walked.audit,
        ..History::empty(since, until)
    };
    let mut renames = Vec::new();
    for step in walked.units {
        renames.push(Renames {
            unit: history.units.len(),
            kept: step.left_out.is_none(),
            pairs: step.renames,
        });
        match step.left_out {
            Some(LeftOut::Large) => history.large += 1,
            Some(LeftOut::Bot) => history.bots += 1,
            Some(LeftOut::Bump) => history.bumps += 1,
            None => history.units.push(Unit {
                commit: step.commit,
                paths: step.paths,
            }),
        }
    }
    history.tracked = repo.tracked_paths()?;
    to_head_names(&mut history.units, &renames, &history.tracked);
    Ok(history)
}

/// A version bump: its subject, past a conventional-commit prefix (`chore(deps)!:`),
/// starts with "bump" or "version bump" ("chore: Bump versions", "Bump serde to 1.0.200",
/// "Version bump"). Such commits touch every manifest at once and couple files that
/// never change together otherwise.
fn is_bump(subject: &str) -> bool {
    let subject = subject.trim_start().to_ascii_lowercase();
    let rest = match subject.split_once(':') {
        Some((prefix, rest)) if is_commit_type(prefix) => rest.trim_start(),
        _ => subject.as_str(),
    };
    let word = |text: &str, word: &str| {
        text.strip_prefix(word)
            .is_some_and(|after| after.is_empty() || after.starts_with([' ', '-']))
    };
    word(rest, "bump") || word(rest, "bumps") || rest.starts_with("version bump")
}

/// A conventional-commit type with its optional scope and `!`: `chore`, `build(deps)!`.
fn is_commit_type(prefix: &str) -> bool {
    let prefix = prefix.strip_suffix('!').unwrap_or(prefix);
    let kind = match prefix.split_once('(') {
        Some((kind, scope)) if scope.ends_with(')') => kind,
        Some(_) => return false,
        None => prefix,
    };
    !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_alphabetic())
}

/// Bot accounts: GitHub's `[bot]` suffix, and the dependency updaters by name.
fn is_bot(author: &str) -> bool {
    let author = author.to_ascii_lowercase();
    ["[bot]", "dependabot", "renovate"]
        .iter()
        .any(|bot| author.contains(bot))
}

/// The exact renames of one commit of the window, in history order: `unit` is the unit
/// it became (`kept`) or the unit after it.
struct Renames {
    unit: usize,
    kept: bool,
    pairs: Vec<(String, String)>,
}

/// Renames each unit's paths to their names at HEAD, following the exact renames of
/// the commits after it, and drops paths not tracked at HEAD: a rule is only worth
/// suggesting for files that exist.
fn to_head_names(units: &mut [Unit], renames: &[Renames], tracked: &[String]) {
    let mut today: HashMap<String, String> = HashMap::new();
    let mut pending = renames.iter().rev().peekable();
    for (index, unit) in units.iter_mut().enumerate().rev() {
        // The commits after this unit's, newest first; then its own renames.
        while let Some(r) = pending.next_if(|r| r.unit > index || (r.unit == index && r.kept)) {
            for (old, new) in &r.pairs {
                let name = today.get(new).unwrap_or(new).clone();
                today.insert(old.clone(), name);
            }
        }
        let mut paths: Vec<String> = unit
            .paths
            .iter()
            .map(|p| today.get(p).unwrap_or(p).clone())
            .filter(|p| tracked.binary_search(p).is_ok())
            .collect();
        paths.sort_unstable();
        paths.dedup();
        unit.paths = paths;
    }
}

/// Evidence for a suggestion, from the history window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Units in which the `when` side changed.
    pub revisions: u32,
    /// Units in which both sides changed.
    pub support: u32,
    /// support / revisions.
    pub confidence: f64,
    /// For captured rules, how many distinct names changed together.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<usize>,
    /// The last time both sides changed together, `YYYY-MM-DD`.
    pub last_together: String,
    pub example: Example,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    pub commit: String,
    pub subject: String,
}

/// One proposed `[[rule]]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub id: String,
    pub description: String,
    pub when: Vec<String>,
    /// Files `when` matches at HEAD whose companion names no file (`commands/mod.rs`
    /// has no `cargo-mod.md`): requiring it could never be met.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<String>,
    /// One `when`, every companion history shows with it, the strongest first.
    pub then: Vec<SuggestedCompanion>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestedCompanion {
    pub kind: String,
    pub paths: Vec<String>,
    /// How often this companion changed with the `when` side.
    pub evidence: Evidence,
}

/// An existing rule that history contradicts: missed in most of its cases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contradiction {
    pub rule: String,
    pub triggered: usize,
    pub waived: usize,
    /// Cases whose missing companions did not exist yet, as `audit` counts them.
    pub not_applicable: usize,
    pub missed: usize,
    pub compliance: f64,
}

/// The window mined, for the report header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    pub since: String,
    pub until: String,
    /// Units counted.
    pub commits: usize,
    pub skipped_large: usize,
    /// Commits by bots (unless `--include-bots`).
    pub skipped_bots: usize,
    /// Version bumps (unless `--include-bumps`).
    pub skipped_bumps: usize,
}

/// Everything `suggest` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestions {
    pub version: u32,
    pub window: Window,
    /// Whether a rule set exists (then the snippet is meant to be pasted into it).
    pub has_rule_set: bool,
    pub suggestions: Vec<Suggestion>,
    pub contradicted: Vec<Contradiction>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(paths: &[&str]) -> Unit {
        Unit {
            commit: Commit {
                id: String::new(),
                message: String::new(),
                author: String::new(),
                time: 0,
            },
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    fn renamed(unit: usize, kept: bool, pairs: &[(&str, &str)]) -> Renames {
        Renames {
            unit,
            kept,
            pairs: pairs
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn paths_take_their_names_at_head_and_gone_files_drop() {
        let mut units = vec![
            unit(&["src/doc/man/a.md", "src/etc/a.1", "old.rs"]),
            unit(&["src/doc/man/a.md", "src/doc/man/b.md"]),
            unit(&["doc/man/a.md", "x.rs"]),
        ];
        // Unit 1 renames b.md; a large commit left out between units 1 and 2 moves
        // src/doc to doc; old.rs is deleted by HEAD.
        let renames = [
            renamed(0, false, &[]),
            renamed(1, true, &[("src/doc/man/b0.md", "src/doc/man/b.md")]),
            renamed(
                2,
                false,
                &[
                    ("src/doc/man/a.md", "doc/man/a.md"),
                    ("src/doc/man/b.md", "doc/man/b.md"),
                    ("src/etc/a.1", "etc/a.1"),
                ],
            ),
            renamed(2, true, &[]),
        ];
        let tracked: Vec<String> = ["doc/man/a.md", "doc/man/b.md", "etc/a.1", "x.rs"]
            .map(str::to_owned)
            .to_vec();
        to_head_names(&mut units, &renames, &tracked);
        let paths: Vec<Vec<&str>> = units
            .iter()
            .map(|u| u.paths.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            paths,
            [
                vec!["doc/man/a.md", "etc/a.1"],
                vec!["doc/man/a.md", "doc/man/b.md"],
                vec!["doc/man/a.md", "x.rs"],
            ]
        );
    }

    #[test]
    fn bots_are_known_by_name() {
        for bot in [
            "dependabot[bot]",
            "renovate[bot]",
            "Renovate Bot",
            "github-actions[bot]",
        ] {
            assert!(is_bot(bot), "{bot}");
        }
        assert!(!is_bot("Ed Page"));
    }

    #[test]
    fn version_bumps_are_known_by_their_subject() {
        for bump in [
            "chore: Bump versions",
            "chore(rustfix): Bump version",
            "build(deps)!: bump serde to 1.0.200",
            "Bump cargo-test-support version",
            "Version bump",
            "bump",
        ] {
            assert!(is_bump(bump), "{bump}");
        }
        for other in [
            "fix: bumpy scrolling",
            "Fix version bump detection in the resolver",
            "chore: update msrv",
            "docs: explain how to bump versions",
        ] {
            assert!(!is_bump(other), "{other}");
        }
    }
}
