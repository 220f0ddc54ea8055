//! Waivers: `Lockstep-Skip: <id>[, <id>…] [-- reason]` trailers, `LOCKSTEP_SKIP`, and
//! `NO_IFTTT=<reason>` for annotation findings (SPEC section 2).

use std::collections::BTreeSet;

use crate::finding::{Finding, FindingStatus};

/// The rule id of in-file annotation findings, which `NO_IFTTT` waives.
pub const ANNOTATION: &str = "annotation";

/// Which rules are waived for a change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Waivers {
    all: bool,
    ids: BTreeSet<String>,
    annotations: bool,
}

impl Waivers {
    /// Waivers named by the trailers of a commit message, read as git reads trailers:
    /// `Token: value` lines in the message's last paragraph, the token case-insensitive.
    pub fn from_message(message: &str, trailer: &str) -> Waivers {
        let message = message
            .split_once(&format!("\n{SCISSORS}"))
            .map_or(message, |(kept, _diff)| kept);
        let mut waivers = Waivers {
            annotations: message.contains("NO_IFTTT="),
            ..Waivers::default()
        };
        for (token, value) in trailers(message) {
            if token.eq_ignore_ascii_case(trailer) {
                waivers.add_list(&value);
            }
        }
        waivers
    }

    /// Waivers from a plain list such as `LOCKSTEP_SKIP=payments-api,docs` or `all`.
    pub fn from_list(list: &str) -> Waivers {
        let mut waivers = Waivers::default();
        waivers.add_list(list);
        waivers
    }

    fn add_list(&mut self, value: &str) {
        let ids = value.split_once("--").map_or(value, |(ids, _reason)| ids);
        for id in ids.split([',', ' ', '\t']).filter(|id| !id.is_empty()) {
            if id.eq_ignore_ascii_case("all") {
                self.all = true;
            } else {
                self.ids.insert(id.to_owned());
            }
        }
    }

    pub fn merge(&mut self, other: Waivers) {
        self.all |= other.all;
        self.annotations |= other.annotations;
        self.ids.extend(other.ids);
    }

    pub fn covers(&self, rule: &str) -> bool {
        self.all || self.ids.contains(rule) || (rule == ANNOTATION && self.annotations)
    }

    /// Marks the findings these waivers cover as waived; rules with `skippable = false`
    /// stay missing.
    pub fn apply(&self, findings: &mut [Finding]) {
        for finding in findings {
            if finding.status == FindingStatus::Missing
                && finding.skippable
                && self.covers(&finding.rule)
            {
                finding.status = FindingStatus::Waived;
            }
        }
    }
}

/// The reason a commit message gives for waiving `rule`: the text after `--` in the
/// first trailer naming it (or `all`), or after `NO_IFTTT=` for annotation findings;
/// `None` when the waiver gives none.
pub fn waiver_reason(message: &str, trailer: &str, rule: &str) -> Option<String> {
    let named = trailers(message).into_iter().find_map(|(token, value)| {
        let (ids, reason) = value.split_once("--").unwrap_or((&value, ""));
        let names = ids
            .split([',', ' ', '\t'])
            .any(|id| id == rule || id.eq_ignore_ascii_case("all"));
        (token.eq_ignore_ascii_case(trailer) && names).then(|| reason.trim().to_owned())
    });
    let reason = match named {
        Some(reason) => reason,
        None if rule == ANNOTATION => message
            .split_once("NO_IFTTT=")
            .map(|(_, rest)| rest.lines().next().unwrap_or("").trim().to_owned())?,
        None => return None,
    };
    (!reason.is_empty()).then_some(reason)
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

    #[test]
    fn waiver_reason_is_the_text_after_the_dashes_of_the_trailer_naming_the_rule() {
        let message = "Hotfix\n\nLockstep-Skip: docs -- docs follow\nLockstep-Skip: sdk\n";
        let reason = |rule| waiver_reason(message, "Lockstep-Skip", rule);
        assert_eq!(reason("docs"), Some("docs follow".to_owned()));
        assert_eq!(
            reason("sdk"),
            None,
            "a trailer without `--` gives no reason"
        );
        assert_eq!(reason("other"), None);
        let all = "Fix\n\nlockstep-skip: all -- release day\n";
        assert_eq!(
            waiver_reason(all, "Lockstep-Skip", "docs"),
            Some("release day".to_owned())
        );
        let ifttt = "Fix\n\nNO_IFTTT=generated file\n";
        assert_eq!(
            waiver_reason(ifttt, "Lockstep-Skip", ANNOTATION),
            Some("generated file".to_owned())
        );
    }

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
    fn lists_from_the_environment() {
        let waivers = Waivers::from_list("a, b");
        assert!(waivers.covers("a") && waivers.covers("b") && !waivers.covers("c"));
    }
}
