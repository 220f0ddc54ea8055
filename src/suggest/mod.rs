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

use std::collections::BTreeMap;

use serde::Serialize;

pub use rank::analyse;
pub use render::{Format, render};

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
        }
    }
}

/// One commit of the window kept as a unit of change.
#[derive(Debug, Clone)]
pub struct Unit {
    pub commit: Commit,
    /// Every path the commit touched; both sides of a rename.
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
    for commit in commits.into_iter().filter(|c| c.time >= since) {
        let Some(changes) = repo.commit_changes(&commit)? else {
            history.merges += 1;
            continue;
        };
        if changes.len() > options.max_changeset {
            history.large += 1;
            continue;
        }
        let mut paths: Vec<String> = changes
            .iter()
            .flat_map(|c| c.paths())
            .map(str::to_owned)
            .collect();
        paths.sort_unstable();
        paths.dedup();
        if let Some(rules) = rules {
            tally(repo, rules, &commit, changes, &mut history.tallies)?;
        }
        history.units.push(Unit { commit, paths });
    }
    Ok(history)
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
    let judgement = judge_all(repo, rules, changes, &waivers, Detail::Path, Reads::Every)?;
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
