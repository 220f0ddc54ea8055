//! Waivers: `Lockstep-Skip: <id>[, <id>…] [-- reason]` trailers, `LOCKSTEP_SKIP`,
//! `NO_IFTTT=<reason>` for annotation findings (SPEC section 2), and a pull request's
//! `lockstep-skip` / `lockstep-skip:RULE` labels and description lines. Every waiver
//! remembers what waived it and why, for the finding it waives.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::finding::{Finding, FindingStatus};

/// The rule id of in-file annotation findings, which `NO_IFTTT` waives.
pub const ANNOTATION: &str = "annotation";

/// The pull-request label that waives every skippable rule; `lockstep-skip:RULE` one.
pub const SKIP_LABEL: &str = "lockstep-skip";

/// What waived a finding, and the reason given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiver {
    /// `trailer "Lockstep-Skip: docs -- next week" in commit 1a2b3c4d5e6f`,
    /// `pull request label "lockstep-skip:docs"`, `LOCKSTEP_SKIP=docs`, ...
    pub by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A pull-request label, with its description (GitHub has one; it serves as the reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub name: String,
    pub description: Option<String>,
}

/// Which rules are waived for a change, and by what.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Waivers {
    all: Option<Waiver>,
    ids: BTreeMap<String, Waiver>,
    annotations: Option<Waiver>,
}

impl Waivers {
    /// Waivers named by the trailers of a commit message, read as git reads trailers:
    /// `Token: value` lines in the message's last paragraph, the token case-insensitive.
    pub fn from_message(message: &str, trailer: &str) -> Waivers {
        let message = message
            .split_once(&format!("\n{SCISSORS}"))
            .map_or(message, |(kept, _diff)| kept);
        let mut waivers = Waivers {
            annotations: no_ifttt(message, "in the commit message"),
            ..Waivers::default()
        };
        for (token, value) in trailers(message) {
            if token.eq_ignore_ascii_case(trailer) {
                waivers.add_list(&value, &format!("trailer `{token}: {value}`"));
            }
        }
        waivers
    }

    /// Waivers from a plain list such as `LOCKSTEP_SKIP=payments-api,docs` or `all`.
    pub fn from_list(list: &str) -> Waivers {
        let mut waivers = Waivers::default();
        waivers.add_list(list, &format!("LOCKSTEP_SKIP={list}"));
        waivers
    }

    /// Waivers a pull request carries: a `lockstep-skip` label (every rule) or
    /// `lockstep-skip:RULE` labels, and in its description any line that starts with
    /// the trailer token (`Lockstep-Skip: ids -- reason`) or holds `NO_IFTTT=reason`.
    pub fn from_pull_request(labels: &[Label], description: &str, trailer: &str) -> Waivers {
        let mut waivers = Waivers::default();
        for label in labels {
            let name = label.name.trim();
            let waiver = || Waiver {
                by: format!("pull request label `{name}`"),
                reason: label.description.clone().filter(|d| !d.trim().is_empty()),
            };
            if name.eq_ignore_ascii_case(SKIP_LABEL) {
                waivers.all.get_or_insert_with(waiver);
            } else if let Some((prefix, rule)) = name.split_once(':')
                && prefix.trim().eq_ignore_ascii_case(SKIP_LABEL)
                && !rule.trim().is_empty()
            {
                waivers
                    .ids
                    .entry(rule.trim().to_owned())
                    .or_insert_with(waiver);
            }
        }
        for line in description.lines().map(str::trim) {
            if let Some((token, value)) = line.split_once(':')
                && token.trim_end().eq_ignore_ascii_case(trailer)
            {
                let by = format!("pull request description line `{line}`");
                waivers.add_list(value.trim(), &by);
            }
        }
        waivers.annotations = waivers
            .annotations
            .or_else(|| no_ifttt(description, "in the pull request description"));
        waivers
    }

    /// Says which commit the trailers came from.
    pub fn in_commit(mut self, id: &str) -> Waivers {
        let short = id.get(..12).unwrap_or(id);
        let place = |waiver: &mut Waiver| waiver.by = format!("{} in commit {short}", waiver.by);
        self.all.iter_mut().for_each(place);
        self.annotations.iter_mut().for_each(place);
        self.ids.values_mut().for_each(place);
        self
    }

    fn add_list(&mut self, value: &str, by: &str) {
        let (ids, reason) = match value.split_once("--") {
            Some((ids, reason)) => (ids, Some(reason.trim()).filter(|r| !r.is_empty())),
            None => (value, None),
        };
        let waiver = || Waiver {
            by: by.to_owned(),
            reason: reason.map(str::to_owned),
        };
        for id in ids.split([',', ' ', '\t']).filter(|id| !id.is_empty()) {
            if id.eq_ignore_ascii_case("all") {
                self.all.get_or_insert_with(waiver);
            } else {
                self.ids.entry(id.to_owned()).or_insert_with(waiver);
            }
        }
    }

    /// Adds `other`'s waivers; where both waive a rule, the first one found stays.
    pub fn merge(&mut self, other: Waivers) {
        self.all = self.all.take().or(other.all);
        self.annotations = self.annotations.take().or(other.annotations);
        for (id, waiver) in other.ids {
            self.ids.entry(id).or_insert(waiver);
        }
    }

    /// What waives `rule`, if anything does.
    pub fn covering(&self, rule: &str) -> Option<&Waiver> {
        self.ids
            .get(rule)
            .or(self.annotations.as_ref().filter(|_| rule == ANNOTATION))
            .or(self.all.as_ref())
    }

    pub fn covers(&self, rule: &str) -> bool {
        self.covering(rule).is_some()
    }

    /// Marks the findings these waivers cover as waived, saying by what; rules with
    /// `skippable = false` stay missing.
    pub fn apply(&self, findings: &mut [Finding]) {
        for finding in findings {
            if finding.status != FindingStatus::Missing || !finding.skippable {
                continue;
            }
            if let Some(waiver) = self.covering(&finding.rule) {
                finding.status = FindingStatus::Waived;
                finding.waiver = Some(waiver.clone());
            }
        }
    }
}

/// `NO_IFTTT=<reason>` anywhere in `text` (the ifttt-lint convention): waives annotation
/// findings, the rest of its line being the reason.
fn no_ifttt(text: &str, place: &str) -> Option<Waiver> {
    let line = text.lines().find(|l| l.contains("NO_IFTTT="))?;
    let (_, reason) = line.split_once("NO_IFTTT=")?;
    let reason = reason.trim();
    Some(Waiver {
        by: format!("`NO_IFTTT=` {place}"),
        reason: (!reason.is_empty()).then(|| reason.to_owned()),
    })
}

/// Where `git commit --verbose` (and `commit.verbose`) starts the diff it shows.
const SCISSORS: &str = "# ------------------------ >8 ------------------------";

/// Lines git itself adds to a trailer block; with one present, git accepts a block that
/// is at least a quarter trailers.
const GIT_GENERATED: [&str; 2] = ["Signed-off-by:", "(cherry picked from commit "];

/// The `(token, value)` trailers of a message, found as `git interpret-trailers` finds
/// them: in the last paragraph after the title paragraph, a block of `Token: value`
/// lines (continuation lines start with whitespace) with no other lines — or, when git
/// added a line there (`Signed-off-by:`, `(cherry picked from commit …)`), at least a
/// quarter trailers, the other lines ignored.
fn trailers(message: &str) -> Vec<(&str, String)> {
    // `git commit --verbose` appends the diff below a scissors line; git drops it.
    let lines: Vec<&str> = message
        .lines()
        .take_while(|l| *l != SCISSORS)
        .filter(|l| !l.starts_with('#'))
        .collect();
    let blank = |l: &&str| l.trim().is_empty();
    let first = lines.iter().position(|l| !blank(l)).unwrap_or(lines.len());
    let title_end = lines[first..]
        .iter()
        .position(blank)
        .map_or(lines.len(), |i| first + i);
    let end = lines.iter().rposition(|l| !blank(l)).map_or(0, |i| i + 1);
    if end <= title_end {
        return Vec::new();
    }
    let start = lines[title_end..end]
        .iter()
        .rposition(blank)
        .map_or(title_end, |i| title_end + i + 1);
    let block = &lines[start..end];

    let (mut trailer_lines, mut other_lines, mut recognized) = (0usize, 0usize, false);
    let mut found: Vec<(&str, String)> = Vec::new();
    let mut in_trailer = false;
    for line in block {
        if line.starts_with([' ', '\t']) {
            match found.last_mut() {
                Some((_, value)) if in_trailer => {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                _ => other_lines += 1,
            }
            continue;
        }
        recognized |= GIT_GENERATED.iter().any(|p| line.starts_with(p));
        if line.starts_with(GIT_GENERATED[1]) {
            trailer_lines += 1;
            in_trailer = false;
        } else if let Some((token, value)) = trailer(line) {
            trailer_lines += 1;
            found.push((token, value.to_owned()));
            in_trailer = true;
        } else {
            other_lines += 1;
            in_trailer = false;
        }
    }
    let accepted =
        trailer_lines > 0 && (other_lines == 0 || (recognized && trailer_lines * 3 >= other_lines));
    if accepted { found } else { Vec::new() }
}

/// `Token: value` (git allows whitespace before the colon).
fn trailer(line: &str) -> Option<(&str, &str)> {
    let (token, value) = line.split_once(':')?;
    let token = token.trim_end();
    let valid = !token.is_empty() && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    valid.then(|| (token, value.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waives(message: &str, rule: &str) -> bool {
        Waivers::from_message(message, "Lockstep-Skip").covers(rule)
    }

    #[test]
    fn trailers_in_the_last_paragraph_waive_rules() {
        let message = "Fix refunds\n\nBody text.\n\nLockstep-Skip: payments-api, docs -- docs ship next week\nSigned-off-by: A <a@b.c>\n";
        assert!(waives(message, "payments-api"));
        assert!(waives(message, "docs"));
        assert!(!waives(message, "week"));
        assert!(!waives(message, "other"));
    }

    #[test]
    fn tokens_are_case_insensitive_and_all_waives_everything() {
        assert!(waives("Subject\n\nlockstep-skip: all\n", "anything"));
    }

    #[test]
    fn trailer_lookalikes_outside_the_trailer_block_do_not_count() {
        assert!(
            !waives("Lockstep-Skip: a\n", "a"),
            "the subject is not a trailer"
        );
        assert!(!waives(
            "Subject\n\nLockstep-Skip: a\n\nlast paragraph is prose.\n",
            "a"
        ));
        assert!(!waives(
            "Subject\n\nLockstep-Skip: a\nthis line is prose\n",
            "a"
        ));
    }

    #[test]
    fn continuation_lines_and_comments() {
        assert!(waives("S\n\nLockstep-Skip: a,\n  b\n# a comment\n", "b"));
    }

    #[test]
    fn the_verbose_diff_below_the_scissors_line_is_not_the_message() {
        let message = "Subject\n\nLockstep-Skip: a\n# ------------------------ >8 ------------------------\n# Do not modify or remove the line above.\ndiff --git a/x b/x\n+Lockstep-Skip: b\n";
        assert!(waives(message, "a"));
        assert!(!waives(message, "b"));
    }

    #[test]
    fn the_title_paragraph_is_never_trailers() {
        assert!(!waives("Subject\nLockstep-Skip: a\n", "a"));
        assert!(waives("\n\nSubject\n\nLockstep-Skip : a\n", "a"));
    }

    #[test]
    fn git_generated_lines_relax_the_block() {
        assert!(waives(
            "S\n\nLockstep-Skip: a\n(cherry picked from commit 1234)\n",
            "a"
        ));
        assert!(waives(
            "S\n\nLockstep-Skip: a\nprose\nSigned-off-by: X <x@y>\n",
            "a"
        ));
        assert!(!waives(
            "S\n\nLockstep-Skip: a\none\ntwo\nthree\nfour\nfive\nsix\nseven\nSigned-off-by: X <x@y>\n",
            "a"
        ));
    }

    #[test]
    fn no_ifttt_waives_only_annotations() {
        let waivers =
            Waivers::from_message("Subject\n\nNO_IFTTT=generated file\n", "Lockstep-Skip");
        assert!(waivers.covers(ANNOTATION));
        assert!(!waivers.covers("payments-api"));
    }

    #[test]
    fn waivers_say_what_waived_them_and_why() {
        let waivers = Waivers::from_message(
            "Subject\n\nLockstep-Skip: a -- docs ship next week\n",
            "Lockstep-Skip",
        )
        .in_commit("0123456789abcdef");
        let waiver = waivers.covering("a").expect("waived");
        assert_eq!(
            waiver.by,
            "trailer `Lockstep-Skip: a -- docs ship next week` in commit 0123456789ab"
        );
        assert_eq!(waiver.reason.as_deref(), Some("docs ship next week"));
        let ifttt = Waivers::from_message("S\n\nNO_IFTTT=generated\n", "Lockstep-Skip");
        assert_eq!(
            ifttt.covering(ANNOTATION).and_then(|w| w.reason.as_deref()),
            Some("generated")
        );
    }

    #[test]
    fn pull_request_labels_and_description_lines() {
        let label = |name: &str, description: Option<&str>| Label {
            name: name.to_owned(),
            description: description.map(str::to_owned),
        };
        let labels = [
            label("bug", None),
            label("Lockstep-Skip:docs", Some("docs follow in #12")),
        ];
        let description = "Fixes refunds.\n\n  lockstep-skip: sdk -- generated later\n> Lockstep-Skip: quoted\nNO_IFTTT=vendored copy\n";
        let waivers = Waivers::from_pull_request(&labels, description, "Lockstep-Skip");
        let docs = waivers.covering("docs").expect("docs");
        assert_eq!(docs.by, "pull request label `Lockstep-Skip:docs`");
        assert_eq!(docs.reason.as_deref(), Some("docs follow in #12"));
        let sdk = waivers.covering("sdk").expect("sdk");
        assert_eq!(
            sdk.by,
            "pull request description line `lockstep-skip: sdk -- generated later`"
        );
        assert_eq!(sdk.reason.as_deref(), Some("generated later"));
        assert!(
            !waivers.covers("quoted"),
            "only lines that start with the token"
        );
        assert!(!waivers.covers("bug") && !waivers.covers("other"));
        assert!(waivers.covers(ANNOTATION));
        let all = Waivers::from_pull_request(&[label("lockstep-skip", None)], "", "Lockstep-Skip");
        assert_eq!(
            all.covering("anything").map(|w| w.by.as_str()),
            Some("pull request label `lockstep-skip`")
        );
    }

    #[test]
    fn lists_from_the_environment() {
        let waivers = Waivers::from_list("a, b");
        assert!(waivers.covers("a") && waivers.covers("b") && !waivers.covers("c"));
    }
}
