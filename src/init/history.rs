//! What the last year of history says about a layout: whether each pack's companions
//! actually changed with its triggers (judged as `audit` judges, over the window
//! `suggest` mines), and the rules `suggest` finds, as candidates.

use super::{Layout, compile, render};
use crate::audit::Counts;
use crate::day::Day;
use crate::git::{GitError, Repo};
use crate::suggest::{self, Options, Suggestion};

/// The share of its cases in which a pack's companions must have changed with its
/// triggers for `init` to enable it.
pub const THRESHOLD: f64 = 0.5;

/// How many of `suggest`'s rules, the strongest first, are appended as candidates.
pub const CANDIDATES: usize = 5;

/// The history read: the year before HEAD's commit.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub since: Day,
    /// Commits in the window.
    pub units: usize,
    /// A shallow clone: history before its boundary (the boundary too) is missing.
    pub shallow: bool,
    /// Every pack the layout fits, enabled or not, with its counts over the window.
    pub packs: Vec<PackFigure>,
    pub candidates: Vec<Suggestion>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackFigure {
    pub pack: &'static str,
    /// The tracked path that made the pack fit.
    pub evidence: String,
    /// The pack's rules' cases, summed.
    pub counts: Counts,
}

impl PackFigure {
    /// Enabled: its companions changed with its triggers in at least [`THRESHOLD`] of
    /// the cases judged, or nothing was judged (history can say nothing against it).
    pub fn followed(&self) -> bool {
        self.counts.judged() == 0 || self.counts.compliance() >= THRESHOLD
    }
}

impl Reading {
    /// What history says about `figure`, e.g. "its companions changed with its
    /// triggers in 0 of 783 cases since 2025-08-22 (0%), under the 50% threshold".
    pub fn describe(&self, figure: &PackFigure) -> String {
        let since = self.since.to_date();
        if self.units == 0 {
            return "no commit to read: enabled on the tracked files alone".to_owned();
        }
        let counts = &figure.counts;
        match counts.judged() {
            0 => format!("not triggered since {since}: enabled on the tracked files alone"),
            judged => format!(
                "its companions changed with its triggers in {} of {judged} cases since {since} ({:.0}%){}",
                counts.satisfied,
                counts.compliance() * 100.0,
                if figure.followed() {
                    String::new()
                } else {
                    format!(", under the {:.0}% threshold", THRESHOLD * 100.0)
                }
            ),
        }
    }
}

/// Reads the year of history before HEAD's commit, in one walk: judges `layout`'s packs
/// there and keeps in `layout.packs` only those history follows; mines the candidates,
/// leaving out those the packs kept already require.
pub fn read_history(repo: &Repo, layout: &mut Layout) -> Result<(), GitError> {
    // Each pack validated alone, so together they compile.
    let Some((_, rules)) = compile(&render(&packs_of(layout))) else {
        return Ok(());
    };
    let options = Options {
        limit: CANDIDATES,
        ..Options::default()
    };
    let mined = suggest::walk(repo, Some(&rules), &options)?;
    let Some(audit) = &mined.audit else {
        return Ok(());
    };
    let packs: Vec<PackFigure> = std::mem::take(&mut layout.packs)
        .into_iter()
        .map(|(pack, evidence)| {
            let source = format!("builtin:{pack}");
            let mut counts = Counts::default();
            for row in &audit.rules {
                let ours = rules
                    .rules
                    .iter()
                    .any(|r| r.id == row.rule && r.origin.source.name == source);
                if ours {
                    counts.sum(&row.counts);
                }
            }
            PackFigure {
                pack,
                evidence,
                counts,
            }
        })
        .collect();
    layout.packs = packs
        .iter()
        .filter(|f| f.followed())
        .map(|f| (f.pack, f.evidence.clone()))
        .collect();
    let kept = compile(&render(&packs_of(layout))).map(|(_, rules)| rules);
    layout.history = Some(Reading {
        since: mined.since,
        units: audit.scope.units,
        shallow: audit.scope.shallow,
        packs,
        candidates: suggest::analyse(&mined, kept.as_ref(), &options).suggestions,
    });
    Ok(())
}

/// The layout's packs alone.
fn packs_of(layout: &Layout) -> Layout {
    Layout {
        packs: layout.packs.clone(),
        ..Layout::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(satisfied: usize, missed: usize) -> PackFigure {
        PackFigure {
            pack: "changelog",
            evidence: "CHANGELOG.md".to_owned(),
            counts: Counts {
                triggered: satisfied + missed,
                satisfied,
                missed,
                ..Counts::default()
            },
        }
    }

    #[test]
    fn a_pack_is_followed_from_half_of_its_cases_or_when_nothing_was_judged() {
        assert!(figure(1, 1).followed());
        assert!(!figure(49, 51).followed());
        assert!(figure(0, 0).followed());
        let reading = Reading {
            since: Day::parse("2025-08-22").expect("a day"),
            units: 1875,
            shallow: false,
            packs: Vec::new(),
            candidates: Vec::new(),
        };
        assert_eq!(
            reading.describe(&figure(0, 3)),
            "its companions changed with its triggers in 0 of 3 cases since 2025-08-22 (0%), under the 50% threshold"
        );
        assert_eq!(
            reading.describe(&figure(0, 0)),
            "not triggered since 2025-08-22: enabled on the tracked files alone"
        );
    }
}
