//! Judging changes: which rules they trigger, per binding, and which companions are missing.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use globset::GlobMatcher;

use super::keys::{self, KeyChange};
use super::{Bindings, Companion, Pattern, Rule, RuleSet};
use crate::change::{Change, Line, LineDiff, Status};
use crate::config::ChangeKind;
use crate::finding::{Excerpt, Finding, FindingStatus, Missing, Trigger};

/// A (rule, binding) that triggered and found every companion changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Satisfied {
    pub rule: String,
    pub bindings: Bindings,
    pub triggered_by: Vec<Trigger>,
}

/// A change that triggered a rule: its index, and the line that did when known, with
/// its sign (`+` added, `-` removed).
type Hit<'c> = (usize, Option<Signed<'c>>);

/// A changed line and its sign.
type Signed<'c> = (char, &'c Line);

/// Every case the candidates were judged on.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub satisfied: Vec<Satisfied>,
}

/// A changed path that matches a rule's `when` glob and none of its `unless` globs. It
/// triggers the rule unless its line diff says otherwise (whitespace, `matching`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub rule: usize,
    pub change: usize,
    pub bindings: Bindings,
}

impl RuleSet {
    /// Matches every path of every change against all `when` globs at once.
    pub fn candidates(&self, changes: &[Change]) -> Vec<Candidate> {
        let mut candidates = Vec::new();
        let mut hits = Vec::new();
        for (c, change) in changes.iter().enumerate() {
            for path in change.paths() {
                self.triggers.matches_into(path, &mut hits);
                let owners = hits
                    .iter()
                    .map(|&i| self.trigger_owners[i])
                    .chain(self.unfiltered.iter().copied());
                for (r, p) in owners {
                    if !self.is_active(r) || self.rules[r].unless.is_match(path) {
                        continue;
                    }
                    if let Some(bindings) = self.rules[r].when[p].bind(path) {
                        candidates.push(Candidate {
                            rule: r,
                            change: c,
                            bindings,
                        });
                    }
                }
            }
        }
        candidates.sort();
        candidates.dedup();
        candidates
    }

    /// The changes whose line diffs are needed: those that may trigger a `matching`
    /// or `keys` rule (whose line a finding shows), and edits that may be
    /// whitespace-only.
    pub fn needs_lines(&self, candidates: &[Candidate], changes: &[Change]) -> Vec<usize> {
        needed(candidates, |c| {
            let rule = &self.rules[c.rule];
            rule.matching.is_some()
                || !rule.keys.is_empty()
                || (!self.settings.whitespace && is_edit(&changes[c.change]))
        })
    }

    /// The changes a `matching` rule reads the lines of, sorted.
    pub fn needs_line_text(&self, candidates: &[Candidate]) -> Vec<usize> {
        needed(candidates, |c| self.rules[c.rule].matching.is_some())
    }

    /// The changes a `keys` rule compares both sides of, sorted.
    pub fn needs_contents(&self, candidates: &[Candidate]) -> Vec<usize> {
        needed(candidates, |c| !self.rules[c.rule].keys.is_empty())
    }

    /// Judges each (rule, binding) triggered by the candidates against all changes.
    pub fn evaluate(&self, candidates: &[Candidate], changes: &[Change]) -> Vec<Finding> {
        self.evaluate_all(candidates, changes).findings
    }

    /// Like [`evaluate`](Self::evaluate), but the (rule, binding) cases whose
    /// companions all changed are returned too (audits count both), with the text of
    /// the lines the findings point at.
    pub fn evaluate_all(&self, candidates: &[Candidate], changes: &[Change]) -> Evaluation {
        let mut groups: BTreeMap<(usize, &Bindings), Vec<Hit>> = BTreeMap::new();
        for candidate in candidates {
            let rule = &self.rules[candidate.rule];
            if let Some(line) = self.trigger(rule, &changes[candidate.change]) {
                groups
                    .entry((candidate.rule, &candidate.bindings))
                    .or_default()
                    .push((candidate.change, line));
            }
        }
        let mut evaluation = Evaluation::default();
        for ((r, bindings), triggers) in groups {
            judge(
                &self.rules[r],
                bindings,
                &triggers,
                changes,
                &mut evaluation,
            );
        }
        evaluation
    }

    /// `None` when the change does not trigger the rule after all; else the line that
    /// did, when one is known.
    fn trigger<'c>(&self, rule: &Rule, change: &'c Change) -> Option<Option<Signed<'c>>> {
        let lines = change.lines.as_ref();
        let key_line = if rule.keys.is_empty() {
            None
        } else {
            let contents = change.contents.as_ref()?;
            match keys::compare(&rule.keys, &change.path, &contents.old, &contents.new) {
                KeyChange::Unchanged => return None,
                KeyChange::Changed(key) => key.and_then(|k| lines.and_then(|l| naming(l, &k))),
                KeyChange::Unreadable => None,
            }
        };
        if let Some(regex) = &rule.matching {
            let lines = lines.filter(|l| !l.binary)?;
            return lines
                .signed()
                .find(|(_, l)| regex.is_match(&l.text))
                .map(Some);
        }
        let unchanged = rule.keys.is_empty()
            && !self.settings.whitespace
            && is_edit(change)
            && lines.is_some_and(|l| !l.binary && l.is_empty());
        (!unchanged).then(|| key_line.or_else(|| lines.and_then(first_visible)))
    }
}

/// The sorted, distinct changes of the candidates that `wanted` picks.
fn needed(candidates: &[Candidate], wanted: impl Fn(&Candidate) -> bool) -> Vec<usize> {
    let mut needed: Vec<usize> = candidates
        .iter()
        .filter(|c| wanted(c))
        .map(|c| c.change)
        .collect();
    needed.sort_unstable();
    needed.dedup();
    needed
}

/// The first changed line with more than whitespace on it (a blank line says nothing
/// about what changed), else the first changed line.
fn first_visible(lines: &LineDiff) -> Option<Signed<'_>> {
    let mut all = lines.signed();
    all.clone()
        .find(|(_, l)| !l.text.trim().is_empty())
        .or_else(|| all.next())
}

/// The first changed line that names `key` as a key (`key =`, `key:`, `"key":`, or a
/// `[table.key]` header).
fn naming<'l>(lines: &'l LineDiff, key: &str) -> Option<Signed<'l>> {
    lines.signed().find(|(_, l)| {
        let text = l
            .text
            .trim_start()
            .trim_start_matches(['[', '"', '\'', '-', ' ']);
        text.strip_prefix(key).is_some_and(|rest| {
            rest.trim_start_matches(['"', '\''])
                .trim_start()
                .starts_with(['=', ':', '.', ']'])
        })
    })
}

/// An in-place edit of a file with content on both sides, which may turn out to be
/// whitespace-only.
fn is_edit(change: &Change) -> bool {
    change.status == Status::Modified
        && change.old.is_some_and(|c| !c.is_gitlink())
        && change.new.is_some_and(|c| !c.is_gitlink())
}

fn judge(
    rule: &Rule,
    bindings: &Bindings,
    triggers: &[Hit],
    changes: &[Change],
    evaluation: &mut Evaluation,
) {
    let missing: Vec<Missing> = rule
        .companions
        .iter()
        .filter(|companion| !satisfied(companion, bindings, triggers, changes))
        .map(|companion| Missing {
            kind: companion.kind.clone(),
            paths: companion
                .paths
                .iter()
                .map(|p| p.substitute(bindings))
                .collect(),
        })
        .collect();
    let triggered_by = triggers
        .iter()
        .map(|&(c, line)| Trigger {
            path: changes[c].path.clone(),
            line: line.map(|(_, l)| l.number),
            renamed_from: changes[c].old_path.clone(),
            excerpt: line.map(|(sign, l)| Excerpt {
                sign,
                text: l.text.clone(),
            }),
        })
        .collect();
    if missing.is_empty() {
        evaluation.satisfied.push(Satisfied {
            rule: rule.id.clone(),
            bindings: bindings.clone(),
            triggered_by,
        });
        return;
    }
    evaluation.findings.push(Finding {
        rule: rule.id.clone(),
        severity: rule.severity,
        status: FindingStatus::Missing,
        bindings: bindings.clone(),
        triggered_by,
        missing,
        owners: rule.owners.clone(),
        message: rule.message.clone(),
        commit: None,
        waiver: None,
        problem: None,
        description: rule.description.clone(),
        skippable: rule.skippable,
        origin: Some(rule.origin.clone()),
    });
}

/// A companion is satisfied by any changed file matching one of its paths, other than
/// the files that triggered this binding of the rule.
fn satisfied(
    companion: &Companion,
    bindings: &Bindings,
    triggers: &[Hit],
    changes: &[Change],
) -> bool {
    let matchers: Vec<Resolved> = companion
        .paths
        .iter()
        .filter_map(|p| resolve(p, bindings))
        .collect();
    changes.iter().enumerate().any(|(c, change)| {
        !triggers.iter().any(|&(t, _)| t == c)
            && (companion.change == ChangeKind::Any || change.status == Status::Added)
            && change
                .paths()
                .any(|path| matchers.iter().any(|m| m.is_match(path)))
    })
}

/// A companion path with its captures bound.
enum Resolved {
    /// A glob without a wildcard, class, alternation or escape matches the path it
    /// spells and nothing else: compared as a string, no glob compiled.
    Path(String),
    Glob(Rc<GlobMatcher>),
}

impl Resolved {
    fn is_match(&self, path: &str) -> bool {
        match self {
            Resolved::Path(spelled) => spelled == path,
            Resolved::Glob(glob) => glob.is_match(path),
        }
    }
}

thread_local! {
    /// Companion globs with their captures bound, compiled once per thread: an audit
    /// judges the same bindings (or none) in thousands of commits.
    static RESOLVED: RefCell<HashMap<String, Option<Rc<GlobMatcher>>>> =
        RefCell::new(HashMap::new());
}

fn resolve(pattern: &Pattern, bindings: &Bindings) -> Option<Resolved> {
    const LIMIT: usize = 4096;
    let key = pattern.substitute(bindings);
    if Pattern::is_literal(&key) {
        return Some(Resolved::Path(key));
    }
    // Patterns without captures are cached too: compiling one costs a glob build and a
    // fresh regex cache, in every unit of an audit.
    RESOLVED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(matcher) = cache.get(&key) {
            return matcher.clone().map(Resolved::Glob);
        }
        if cache.len() >= LIMIT {
            cache.clear();
        }
        let matcher = pattern.resolve(bindings).map(Rc::new);
        cache.insert(key, matcher.clone());
        matcher.map(Resolved::Glob)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::{Content, Line, LineDiff};
    use crate::config::ConfigSource;

    fn rules(toml: &str) -> RuleSet {
        RuleSet::from_toml(&format!(
            "version = 1
{toml}"
        ))
        .expect("rules compile")
    }

    fn blob() -> Option<Content> {
        Some(Content::Object {
            id: [0; 20],
            mode: 0o100644,
        })
    }

    fn changed(path: &str, status: Status) -> Change {
        let mut change = Change::new(path, status);
        change.old = (status != Status::Added).then_some(blob()).flatten();
        change.new = (status != Status::Deleted).then_some(blob()).flatten();
        change
    }

    fn with_lines(mut change: Change, added: &[(u32, &str)]) -> Change {
        let added = added
            .iter()
            .map(|&(number, text)| Line {
                number,
                text: text.to_owned(),
            })
            .collect();
        change.lines = Some(LineDiff {
            binary: false,
            added,
            removed: Vec::new(),
        });
        change
    }

    fn judge_all(set: &RuleSet, changes: &[Change]) -> Vec<Finding> {
        let candidates = set.candidates(changes);
        set.evaluate(&candidates, changes)
    }

    fn summary(findings: &[Finding]) -> Vec<(String, Vec<String>)> {
        findings
            .iter()
            .map(|f| {
                let bound = f.bindings.values().cloned().collect::<Vec<_>>().join(",");
                let missing = f.missing.iter().map(|m| m.kind.clone()).collect();
                (format!("{}[{bound}]", f.rule), missing)
            })
            .collect()
    }

    const API: &str = r#"
[[rule]]
id = "api"
when = ["api/**/*.proto"]
unless = ["**/testdata/**"]
[[rule.then]]
kind = "docs"
paths = ["docs/api.md"]
[[rule.then]]
kind = "sdk"
paths = ["sdk/go/**", "sdk/ts/**"]
"#;

    #[test]
    fn a_bound_companion_spelled_out_matches_what_its_glob_matches() {
        let paths = [
            "docs/a b.md",
            "docs/a b.mdx",
            "docs//a b.md",
            "Docs/a b.md",
            "docs/a b.md/",
            "x/docs/a b.md",
            "docs/a+b.md",
            "docs/!a(b).md",
        ];
        for text in ["docs/{name}.md", "docs/{name:**}.md", "docs/a b.md"] {
            let pattern = Pattern::new(text).expect("pattern");
            for value in ["a b", "a+b", "!a(b)", "a*", "a{b,c}", "[ab]", "a\\b"] {
                let bindings = Bindings::from([("name".to_owned(), value.to_owned())]);
                let resolved = resolve(&pattern, &bindings).expect("resolves");
                let glob = pattern.resolve(&bindings).expect("compiles");
                let spelled = matches!(resolved, Resolved::Path(_));
                assert_eq!(spelled, Pattern::is_literal(&pattern.substitute(&bindings)));
                for path in paths.iter().copied().chain([value]) {
                    assert_eq!(
                        resolved.is_match(path),
                        glob.is_match(path),
                        "{text} {value} {path}"
                    );
                }
            }
        }
    }

    #[test]
    fn all_companions_are_required_and_any_path_satisfies_one() {
        let set = rules(API);
        let findings = judge_all(
            &set,
            &[
                changed("api/v1/a.proto", Status::Modified),
                changed("sdk/ts/x.ts", Status::Modified),
            ],
        );
        assert_eq!(
            summary(&findings),
            [("api[]".to_owned(), vec!["docs".to_owned()])]
        );
        let none = judge_all(
            &set,
            &[
                changed("api/v1/a.proto", Status::Added),
                changed("sdk/go/x.go", Status::Deleted),
                changed("docs/api.md", Status::Modified),
            ],
        );
        assert!(none.is_empty());
    }

    #[test]
    fn evaluate_all_also_returns_the_satisfied_bindings() {
        let set = rules(
            "[[rule]]\nid = \"man\"\nwhen = [\"doc/cargo-{cmd}.md\"]\nthen = [\"etc/cargo-{cmd}.1\"]\n",
        );
        let changes = [
            changed("doc/cargo-build.md", Status::Modified),
            changed("doc/cargo-run.md", Status::Modified),
            changed("etc/cargo-build.1", Status::Modified),
        ];
        let Evaluation {
            findings,
            satisfied,
            ..
        } = set.evaluate_all(&set.candidates(&changes), &changes);
        assert_eq!(
            summary(&findings),
            [("man[run]".to_owned(), vec!["file".to_owned()])]
        );
        assert_eq!(satisfied.len(), 1);
        assert_eq!(satisfied[0].bindings["cmd"], "build");
        assert_eq!(satisfied[0].triggered_by[0].path, "doc/cargo-build.md");
    }

    #[test]
    fn unless_globs_never_trigger() {
        let set = rules(API);
        assert!(judge_all(&set, &[changed("api/testdata/a.proto", Status::Modified)]).is_empty());
    }

    #[test]
    fn each_binding_is_judged_on_its_own() {
        let set = rules(
            "[[rule]]\nid = \"man\"\nwhen = [\"doc/cargo-{cmd}.md\"]\nthen = [\"etc/cargo-{cmd}.1\"]\n",
        );
        let changes = [
            changed("doc/cargo-build.md", Status::Modified),
            changed("doc/cargo-run.md", Status::Modified),
            changed("etc/cargo-build.1", Status::Modified),
        ];
        assert_eq!(
            summary(&judge_all(&set, &changes)),
            [("man[run]".to_owned(), vec!["file".to_owned()])]
        );
        assert_eq!(
            judge_all(&set, &changes)[0].missing[0].paths,
            ["etc/cargo-run.1"]
        );
    }

    #[test]
    fn added_only_companions_ignore_edits() {
        let set = rules(
            "[[rule]]\nid = \"log\"\nwhen = [\"src/**\"]\n[[rule.then]]\nkind = \"changelog\"\npaths = [\"changes/*.md\"]\nchange = \"added\"\n",
        );
        let edited = [
            changed("src/a.rs", Status::Modified),
            changed("changes/1.md", Status::Modified),
        ];
        assert_eq!(judge_all(&set, &edited).len(), 1);
        let added = [
            changed("src/a.rs", Status::Modified),
            changed("changes/2.md", Status::Added),
        ];
        assert!(judge_all(&set, &added).is_empty());
    }

    #[test]
    fn a_triggering_file_does_not_satisfy_its_own_rule() {
        let set =
            rules("[[rule]]\nid = \"docs\"\nwhen = [\"docs/**\"]\nthen = [\"docs/index.md\"]\n");
        assert_eq!(
            judge_all(&set, &[changed("docs/index.md", Status::Modified)]).len(),
            1
        );
        assert!(
            judge_all(
                &set,
                &[
                    changed("docs/a.md", Status::Modified),
                    changed("docs/index.md", Status::Modified)
                ]
            )
            .len()
                == 1
        );
    }

    #[test]
    fn renames_trigger_and_satisfy_through_either_path() {
        let set = rules(API);
        let mut rename = changed("attic/a.proto", Status::Renamed);
        rename.old_path = Some("api/a.proto".to_owned());
        assert_eq!(judge_all(&set, &[rename.clone()]).len(), 1);
        let mut docs = changed("docs/old.md", Status::Renamed);
        docs.old_path = Some("docs/api.md".to_owned());
        let findings = judge_all(
            &set,
            &[rename, docs, changed("sdk/go/a.go", Status::Modified)],
        );
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn whitespace_only_edits_do_not_trigger_unless_settings_say_so() {
        let edit = with_lines(changed("api/a.proto", Status::Modified), &[]);
        let set = rules(API);
        let candidates = set.candidates(std::slice::from_ref(&edit));
        assert_eq!(
            set.needs_lines(&candidates, std::slice::from_ref(&edit)),
            [0]
        );
        assert!(
            set.evaluate(&candidates, std::slice::from_ref(&edit))
                .is_empty()
        );
        let counting = rules(&format!("[settings]\nwhitespace = true\n{API}"));
        assert_eq!(judge_all(&counting, &[edit]).len(), 1);
    }

    #[test]
    fn matching_needs_a_matching_added_or_removed_line() {
        let set = rules(
            "[[rule]]\nid = \"rpc\"\nwhen = [\"api/*.proto\"]\nmatching = 'rpc\\s+\\w+'\nthen = [\"docs/api.md\"]\n",
        );
        let comment = with_lines(
            changed("api/a.proto", Status::Modified),
            &[(3, "// a comment")],
        );
        assert!(judge_all(&set, &[comment]).is_empty());
        let rpc = with_lines(
            changed("api/a.proto", Status::Modified),
            &[(3, "// x"), (7, "  rpc Refund(R) returns (S);")],
        );
        let findings = judge_all(&set, &[rpc]);
        assert_eq!(findings[0].triggered_by[0].line, Some(7));
        let mut binary = with_lines(changed("api/a.proto", Status::Modified), &[(1, "rpc X")]);
        if let Some(lines) = binary.lines.as_mut() {
            lines.binary = true;
        }
        assert!(judge_all(&set, &[binary]).is_empty());
    }

    #[test]
    fn retain_ids_limits_the_rules_evaluated() {
        let mut set = rules(&format!(
            "{API}\n[[rule]]\nid = \"other\"\nwhen = [\"api/**\"]\nthen = [\"x\"]\n"
        ));
        assert_eq!(
            set.retain_ids(&["other".to_owned(), "nope".to_owned()]),
            ["nope"]
        );
        assert_eq!(set.active_rules(), 1);
        assert_eq!(
            summary(&judge_all(
                &set,
                &[changed("api/a.proto", Status::Modified)]
            )),
            [("other[]".to_owned(), vec!["file".to_owned()])]
        );
    }

    #[test]
    fn config_source_is_kept_for_reports() {
        let set = rules(API);
        let finding = &judge_all(&set, &[changed("api/a.proto", Status::Modified)])[0];
        let origin = finding.origin.as_ref().expect("origin");
        assert_eq!(&origin.source.text[origin.span.clone()], "\"api\"");
        let _: &ConfigSource = &origin.source;
    }
}
