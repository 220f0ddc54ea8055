//! `lockstep suggest`: rules mined from how files actually changed together.
//!
//! The history walk turns each non-merge commit of a window into a unit of change (its
//! paths); `count` counts how often groups of files (`group`) changed and changed
//! together, `capture` does the same per name (`api/{name}.rs`); `rank` turns strong
//! directed pairs into rules, and `render` prints them as TOML ready to paste, or JSON. With a rule set, each unit is also judged by the
//! real engine, to report rules that history contradicts.

mod capture;
mod count;
mod group;
mod rank;
mod render;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

pub use rank::analyse;
pub use render::{Format, render, rule_text};

use crate::annotations::Reads;
use crate::check::{Detail, judge_all};
use crate::finding::FindingStatus;
use crate::git::{Commit, GitError, Repo};
use crate::rules::RuleSet;
use crate::waiver::Waivers;

/// How far back to look when no `--since` is given, from HEAD's commit date.
pub const DEFAULT_WINDOW_DAYS: i64 = 365;

/// What to mine and how strict to be.
#[derive(Debug, Clone)]
pub struct Options {
    /// Seconds since the epoch; `None`: [`DEFAULT_WINDOW_DAYS`] before HEAD's date.
    pub since: Option<i64>,
    pub min_support: u32,
    pub min_confidence: f64,
    pub depth: usize,
    /// Commits touching more files are noise (reformats, vendoring, mass renames).
    pub max_changeset: usize,
    /// At most this many suggestions.
    pub limit: usize,
    /// Count commits by bots (dependabot, renovate, `[bot]` accounts) too.
    pub include_bots: bool,
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
#[derive(Debug, Clone, Default)]
pub struct History {
    pub since: i64,
    pub until: i64,
    /// Oldest first.
    pub units: Vec<Unit>,
    pub merges: usize,
    pub large: usize,
    /// Commits by bots, left out unless `include_bots`.
    pub bots: usize,
    /// Per rule id of the current rule set.
    pub tallies: BTreeMap<String, Tally>,
}

/// How a rule fared over the units it triggered: one case per (unit, binding).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub triggered: u32,
    pub waived: u32,
    pub missed: u32,
}

/// Walks the history window: non-merge commits from `since` up to HEAD, skipping those
/// larger than `max_changeset`. With `rules`, judges every unit as `check` would.
pub fn walk(repo: &Repo, rules: Option<&RuleSet>, options: &Options) -> Result<History, GitError> {
    let Some(head) = repo.head()? else {
        return Ok(History::default());
    };
    let commits = repo.commits(None, head)?;
    let head_id = head.to_string();
    let until = commits
        .iter()
        .rev()
        .find(|c| c.id == head_id)
        .map_or(0, |c| c.time);
    let since = options
        .since
        .unwrap_or(until - DEFAULT_WINDOW_DAYS * 86_400);
    let mut history = History {
        since,
        until,
        ..History::default()
    };
    if let Some(rules) = rules {
        for rule in &rules.rules {
            history.tallies.insert(rule.id.clone(), Tally::default());
        }
    }
    let mut renames = Vec::new();
    for commit in commits.into_iter().filter(|c| c.time >= since) {
        let Some(changes) = repo.commit_changes(&commit)? else {
            history.merges += 1;
            continue;
        };
        // A commit left out still renames files (a mass move is a large commit).
        renames.push(Renames {
            unit: history.units.len(),
            kept: false,
            pairs: changes
                .iter()
                .filter_map(|c| Some((c.old_path.clone()?, c.path.clone())))
                .collect(),
        });
        if changes.len() > options.max_changeset {
            history.large += 1;
            continue;
        }
        if !options.include_bots && is_bot(&commit.author) {
            history.bots += 1;
            continue;
        }
        if let Some(last) = renames.last_mut() {
            last.kept = true;
        }
        let paths: Vec<String> = changes
            .iter()
            .flat_map(|c| c.paths())
            .map(str::to_owned)
            .collect();
        if let Some(rules) = rules {
            tally(repo, rules, &commit, changes, &mut history.tallies)?;
        }
        history.units.push(Unit { commit, paths });
    }
    to_head_names(&mut history.units, &renames, &repo.tracked_paths()?);
    Ok(history)
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

/// Judges one unit with the real engine and counts, per rule, the cases it triggered
/// (a case per binding, as `audit` counts them), waived and missed.
fn tally(
    repo: &Repo,
    rules: &RuleSet,
    commit: &Commit,
    changes: Vec<crate::change::Change>,
    tallies: &mut BTreeMap<String, Tally>,
) -> Result<(), GitError> {
    let waivers = Waivers::from_message(&commit.message, &rules.settings.skip_trailer);
    let judgement = judge_all(
        repo,
        rules,
        changes,
        commit.unchanged()?,
        &waivers,
        Detail::Path,
        Reads::Every,
    )?;
    for satisfied in &judgement.satisfied {
        if let Some(t) = tallies.get_mut(&satisfied.rule) {
            t.triggered += 1;
        }
    }
    for finding in &judgement.findings {
        let Some(t) = tallies.get_mut(&finding.rule) else {
            continue;
        };
        match finding.status {
            FindingStatus::Missing => t.missed += 1,
            FindingStatus::Waived => t.waived += 1,
            FindingStatus::TooLarge => continue,
        }
        t.triggered += 1;
    }
    Ok(())
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
    pub then: SuggestedCompanion,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuggestedCompanion {
    pub kind: String,
    pub paths: Vec<String>,
}

/// An existing rule that history contradicts: missed in most of its cases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contradiction {
    pub rule: String,
    pub triggered: u32,
    pub waived: u32,
    pub missed: u32,
    pub compliance: f64,
}

/// The window mined, for the report header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    pub since: String,
    pub until: String,
    /// Units counted.
    pub commits: usize,
    /// Merges, and a shallow clone's oldest commits (their parents are missing).
    pub skipped_merges: usize,
    pub skipped_large: usize,
    /// Commits by bots (unless `--include-bots`).
    pub skipped_bots: usize,
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
}
