//! One unit of history turned into audit cases, on a worker thread: exact moves do not
//! trigger, units before a rule's `since` and companions whose area did not exist yet
//! are not applicable, and waived cases keep their reason.

use std::collections::HashSet;

use git2::Oid;

use super::fixes::Watched;
use super::{Case, CommitInfo, Outcome};
use crate::annotations::Reads;
use crate::change::{Change, Status};
use crate::check::{Detail, judge_all, too_large};
use crate::day::Day;
use crate::finding::{Finding, FindingStatus, Missing, Trigger};
use crate::git::{Area, GitError, Repo, Unit, Wanted};
use crate::rules::{Bindings, Pattern, Rule, RuleSet};
use crate::waiver::Waivers;

/// The part of a unit an audit keeps.
#[derive(Debug, Clone)]
pub struct Judged {
    /// The unit's commit: an id, not its hex, as most units are counted and dropped on
    /// another thread than the one that judged them, which allocated nothing for them.
    pub id: Oid,
    pub day: Day,
    /// The unit's cases; `None` when it has none, as most units have.
    pub cases: Option<Cases>,
    /// More changed files than `settings.max_files`, one of which could trigger a
    /// rule: not judged.
    pub too_large: bool,
    /// Listed in the ignore-revs file: not judged.
    pub ignored: bool,
    /// The paths the unit changed (both sides of a rename) that an earlier miss may
    /// wait for ([`Watched`]).
    pub changed: Vec<String>,
}

/// A unit's cases and the commit they were judged in.
#[derive(Debug, Clone)]
pub struct Cases {
    pub commit: CommitInfo,
    /// In (rule, binding) order; their `commit` is set when added.
    pub list: Vec<Case>,
}

impl Judged {
    /// A unit the audit leaves out, as the ignore-revs file asks.
    pub fn ignored(unit: &Unit) -> Judged {
        Judged {
            ignored: true,
            ..Judged::empty(unit)
        }
    }

    fn empty(unit: &Unit) -> Judged {
        Judged {
            id: unit.oid(),
            day: Day::of_time(unit.local_time),
            cases: None,
            too_large: false,
            ignored: false,
            changed: Vec::new(),
        }
    }

    /// The part of each unit's trees a walk needs to diff to judge it against `rules`,
    /// with blocks read as `reads` says: the files the rules' literal patterns name,
    /// and the directory each other pattern's paths lie in ([`Pattern::base_dir`]).
    /// `None` (every unit diffed in full) when one such directory is the root, or when
    /// blocks are read: a block's target can be any file.
    pub fn area(rules: &RuleSet, reads: Reads<'_>) -> Option<Area> {
        if rules.settings.annotations && !reads.is_none() {
            return None;
        }
        let (files, globs): (Vec<&Pattern>, Vec<&Pattern>) = rules
            .seen_patterns()
            .partition(|pattern| Pattern::is_literal(pattern.text()));
        Area::new(
            globs.into_iter().map(Pattern::base_dir),
            files.into_iter().map(Pattern::text),
        )
    }

    /// Judges `changes` as `check` would, then sorts each case into its outcome. The
    /// commit's message and author are read only for a unit with findings or cases.
    /// A unit diffed within `area` (its [`Judged::area`]) has no case, however many
    /// files it changed, unless it could trigger a rule: then, if its walk left out any
    /// change, it is judged on what its full diff holds ([`Repo::unit_changes_in_full`]):
    /// its number of files, and renames across the area's edge.
    pub fn judge(
        repo: &Repo,
        rules: &RuleSet,
        unit: &Unit,
        changes: Vec<Change>,
        (reads, area): (Reads<'_>, Option<&Area>),
        watched: &Watched,
    ) -> Result<Judged, GitError> {
        let mut judged = Judged::empty(unit);
        if unit.within_area && rules.candidates(&changes).is_empty() {
            judged.changed = watched.changed(&changes);
            return Ok(judged);
        }
        let (changes, files) = match area.filter(|_| unit.left_out) {
            Some(area) => {
                let full = repo.unit_changes_in_full(unit, area, &changes)?;
                (full.changes, full.files)
            }
            None => {
                let files = changes.len();
                (changes, files)
            }
        };
        let moved: HashSet<String> = changes
            .iter()
            .filter(|c| c.status == Status::Renamed)
            .map(|c| c.path.clone())
            .collect();
        // A change outside the area updates no companion a miss waits for.
        judged.changed = watched.changed(&changes);
        // Waivers only turn findings into waived ones, once all are known: the
        // message is read for the units that have some.
        let judgement = match too_large(rules, files) {
            Some(judgement) => Ok(judgement),
            None => judge_all(
                repo,
                rules,
                changes,
                unit.unchanged(),
                &Waivers::default(),
                Detail::Path,
                reads,
            ),
        };
        let mut judgement = judgement?;
        if !judgement.findings.is_empty() {
            let message = &unit.commit(repo)?.message;
            Waivers::from_message(message, &rules.settings.skip_trailer)
                .apply(&mut judgement.findings);
        }
        let context = Context {
            repo,
            rules,
            unit,
            day: judged.day,
            moved: &moved,
        };
        let mut cases = Vec::new();
        for satisfied in judgement.satisfied {
            let case = context.case(
                satisfied.rule,
                satisfied.bindings,
                satisfied.triggered_by,
                Vec::new(),
                Outcome::Satisfied,
            )?;
            cases.extend(case);
        }
        for finding in judgement.findings {
            let outcome = match finding.status {
                FindingStatus::TooLarge => {
                    judged.too_large = true;
                    continue;
                }
                FindingStatus::Waived => Outcome::Waived,
                FindingStatus::Missing => Outcome::Missed,
            };
            let Finding {
                rule,
                bindings,
                triggered_by,
                missing,
                waiver,
                ..
            } = finding;
            let case = context.case(rule, bindings, triggered_by, missing, outcome)?;
            cases.extend(case.map(|mut case| {
                if case.outcome == Outcome::Waived {
                    case.reason = waiver.and_then(|w| w.reason);
                }
                case
            }));
        }
        if cases.is_empty() {
            return Ok(judged);
        }
        cases.sort_by(|a, b| (&a.rule, &a.bindings).cmp(&(&b.rule, &b.bindings)));
        let commit = unit.commit(repo)?;
        judged.cases = Some(Cases {
            commit: CommitInfo {
                id: unit.id.clone(),
                date: judged.day.to_date(),
                author: commit.author.clone(),
                subject: commit.summary().to_owned(),
            },
            list: cases,
        });
        Ok(judged)
    }
}

struct Context<'a> {
    repo: &'a Repo,
    rules: &'a RuleSet,
    unit: &'a Unit,
    day: Day,
    moved: &'a HashSet<String>,
}

impl Context<'_> {
    /// The case, or `None` when only exact moves triggered it.
    fn case(
        &self,
        rule_id: String,
        bindings: Bindings,
        triggered_by: Vec<Trigger>,
        mut missing: Vec<Missing>,
        mut outcome: Outcome,
    ) -> Result<Option<Case>, GitError> {
        if triggered_by.iter().all(|t| self.moved.contains(&t.path)) {
            return Ok(None);
        }
        let rule = self.rules.rules.iter().find(|r| r.id == rule_id);
        if rule
            .and_then(|r| r.since)
            .is_some_and(|since| self.day < since)
        {
            outcome = Outcome::NotApplicable;
            missing.clear();
        } else if let Some(rule) = rule.filter(|_| !missing.is_empty()) {
            missing = self.applicable(rule, &bindings, missing)?;
            if missing.is_empty() {
                outcome = Outcome::NotApplicable;
            }
        }
        Ok(Some(Case {
            commit: 0,
            owners: rule.map(|r| r.owners.clone()).unwrap_or_default(),
            rule: rule_id,
            bindings,
            outcome,
            triggered_by: triggered_by.into_iter().map(|t| t.path).collect(),
            missing,
            reason: None,
            fix: None,
        }))
    }

    /// The missing companions that could have been updated: some file matching one of
    /// their paths, with any binding, existed before or after the unit.
    fn applicable(
        &self,
        rule: &Rule,
        bindings: &Bindings,
        missing: Vec<Missing>,
    ) -> Result<Vec<Missing>, GitError> {
        let mut kept = Vec::with_capacity(missing.len());
        for m in missing {
            let companion = rule.companions.iter().find(|c| {
                c.kind == m.kind
                    && c.paths
                        .iter()
                        .map(|p| p.substitute(bindings))
                        .eq(m.paths.iter().cloned())
            });
            let Some(companion) = companion else {
                kept.push(m);
                continue;
            };
            let mut exists = false;
            for pattern in &companion.paths {
                let wanted = Wanted {
                    key: pattern.text(),
                    dir: pattern.base_dir(),
                    depth: pattern.depth(),
                    matches: |path: &str| pattern.is_match(path),
                };
                if self.repo.unit_has_file(self.unit, &wanted)? {
                    exists = true;
                    break;
                }
            }
            if exists {
                kept.push(m);
            }
        }
        Ok(kept)
    }
}
