//! Compiled rules and their evaluation against a list of changes.

mod compile;
mod evaluate;
mod keys;
mod pattern;

use globset::GlobSet;
use regex::Regex;

pub use evaluate::{Candidate, Evaluation, Satisfied};
pub use keys::{KeyChange, KeyPath};
pub use pattern::{Bindings, Pattern, Transform, escape_glob};

use crate::config::{ChangeKind, Settings, Severity};
use crate::day::Day;
use crate::finding::Origin;
use crate::waiver::ANNOTATION;

/// Ids that lockstep uses for its own findings.
pub const RESERVED_IDS: [&str; 2] = [crate::finding::TOO_LARGE, ANNOTATION];

/// A rule set ready to evaluate: every `when` glob of every rule in one `GlobSet`.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub settings: Settings,
    pub rules: Vec<Rule>,
    triggers: GlobSet,
    /// For each glob of `triggers`: (rule index, pattern index).
    trigger_owners: Vec<(usize, usize)>,
    /// Patterns that no glob can prefilter, tried on every path.
    unfiltered: Vec<(usize, usize)>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub description: Option<String>,
    pub severity: Severity,
    pub owners: Vec<String>,
    pub message: Option<String>,
    pub skippable: bool,
    /// Audits treat units before this day as not applicable to the rule.
    pub since: Option<Day>,
    pub when: Vec<Pattern>,
    pub unless: GlobSet,
    pub matching: Option<Regex>,
    /// Key paths of a structured file; empty: any change counts.
    pub keys: Vec<KeyPath>,
    pub companions: Vec<Companion>,
    pub origin: Origin,
}

/// One required artifact of a rule: any of its paths satisfies it.
#[derive(Debug, Clone)]
pub struct Companion {
    pub kind: String,
    pub paths: Vec<Pattern>,
    pub change: ChangeKind,
}

impl RuleSet {
    /// Keeps only the rules named (`--rule ID`); unknown ids are returned.
    /// `annotation` names the in-file annotation checks, which stay on only when named.
    pub fn retain_ids(&mut self, ids: &[String]) -> Vec<String> {
        let annotations = ids.iter().any(|id| id == ANNOTATION);
        self.settings.annotations &= annotations;
        let unknown = ids
            .iter()
            .filter(|id| *id != ANNOTATION && !self.rules.iter().any(|r| &r.id == *id))
            .cloned()
            .collect();
        let keep: Vec<bool> = self.rules.iter().map(|r| ids.contains(&r.id)).collect();
        self.trigger_owners
            .iter_mut()
            .chain(&mut self.unfiltered)
            .for_each(|owner| {
                if !keep[owner.0] {
                    owner.0 = usize::MAX;
                }
            });
        unknown
    }

    fn is_active(&self, rule: usize) -> bool {
        rule != usize::MAX
    }

    /// The patterns of the paths the active rules look at: every `when` pattern and
    /// every companion path. A change to any other path can neither trigger a rule nor
    /// update a companion.
    pub fn seen_patterns(&self) -> impl Iterator<Item = &Pattern> {
        self.rules
            .iter()
            .enumerate()
            .filter(|&(r, _)| {
                self.trigger_owners
                    .iter()
                    .chain(&self.unfiltered)
                    .any(|owner| owner.0 == r)
            })
            .flat_map(|(_, rule)| {
                let companions = rule.companions.iter().flat_map(|c| &c.paths);
                rule.when.iter().chain(companions)
            })
    }

    /// The number of rules a check evaluates.
    pub fn active_rules(&self) -> usize {
        let mut active: Vec<usize> = self
            .trigger_owners
            .iter()
            .chain(&self.unfiltered)
            .map(|o| o.0)
            .filter(|&r| self.is_active(r))
            .collect();
        active.sort_unstable();
        active.dedup();
        active.len()
    }
}
