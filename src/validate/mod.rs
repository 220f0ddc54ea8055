//! `lockstep validate`: problems of a rule set that only the repository reveals — globs
//! that match nothing, captures that bind a companion that does not exist, rules that
//! trigger on their own companions, rules their `unless` shadows, regexes that can
//! never match a line.
//!
//! Loader and compiler errors come first (as for `check`); these checks assume a rule set
//! that compiled. Each problem is a [`Diagnostic`] with an [`IssueKind`] code; in-file
//! annotation problems (malformed blocks, missing targets) join the same list in
//! `cli/validate.rs` and render and count like these.

mod issue;
mod regex_lint;

use std::collections::BTreeSet;
use std::ops::Range;

use toml::Spanned;

pub use issue::IssueKind;
pub use regex_lint::never_matches;

use crate::change::{Change, Status};
use crate::config::{CompanionConfig, Config, Origin, Severity, SourcedRule};
use crate::diagnostic::{Code, Diagnostic};
use crate::rules::{Candidate, Pattern, Rule, RuleSet};

/// Packs ship globs for many layouts; only the user's own files are held to the repo.
const BUILTIN_PREFIX: &str = "builtin:";

/// Checks each rule of `config` (compiled as `rules`) against the `tracked` paths of its
/// repository; `None` outside one, where only what needs no files is checked.
pub fn validate(config: &Config, rules: &RuleSet, tracked: Option<&[String]>) -> Vec<Diagnostic> {
    let in_repository = tracked.is_some();
    let tracked = tracked.unwrap_or_default();
    let mut probes: Vec<Change> = tracked
        .iter()
        .map(|p| Change::new(p.as_str(), Status::Added))
        .collect();
    // Literal companion paths also show a self-triggering rule before the file exists.
    let known: BTreeSet<&str> = tracked.iter().map(String::as_str).collect();
    let literal: BTreeSet<&str> = rules
        .rules
        .iter()
        .flat_map(|r| &r.companions)
        .flat_map(|c| &c.paths)
        .map(Pattern::text)
        .filter(|t| is_literal(t) && !known.contains(t))
        .collect();
    probes.extend(literal.into_iter().map(|p| Change::new(p, Status::Added)));
    let candidates = rules.candidates(&probes);
    let mut issues = Vec::new();
    for (index, (sourced, rule)) in config.rules.iter().zip(&rules.rules).enumerate() {
        let hits: Vec<&Candidate> = candidates.iter().filter(|c| c.rule == index).collect();
        let check = RuleCheck {
            sourced,
            rule,
            tracked,
            probes: &probes,
            hits: &hits,
            in_repository,
            issues: &mut issues,
        };
        check.run();
    }
    issues
}

/// No glob syntax and no captures: the pattern names exactly one path.
fn is_literal(text: &str) -> bool {
    !text.contains(['*', '?', '[', ']', '{', '}', '\\'])
}

struct RuleCheck<'a> {
    sourced: &'a SourcedRule,
    rule: &'a Rule,
    tracked: &'a [String],
    probes: &'a [Change],
    hits: &'a [&'a Candidate],
    /// Whether `tracked` lists a repository's files: without one, nothing is stale.
    in_repository: bool,
    issues: &'a mut Vec<Diagnostic>,
}

impl RuleCheck<'_> {
    fn run(mut self) {
        if self.in_repository && !self.sourced.source.name.starts_with(BUILTIN_PREFIX) {
            self.stale_when();
            self.stale_companions();
        }
        if self.in_repository {
            self.missing_companions();
        }
        self.shadowed();
        self.self_companion();
        self.impossible_regex();
    }

    fn id(&self) -> &str {
        &self.rule.id
    }

    /// `span` of the file the rule is written in.
    fn origin(&self, span: Range<usize>) -> Origin {
        Origin {
            source: self.sourced.source.clone(),
            span,
        }
    }

    fn push(&mut self, issue: Diagnostic) {
        self.issues.push(issue);
    }

    fn matches_tracked(&self, pattern: &Pattern) -> bool {
        self.tracked.iter().any(|p| pattern.bind(p).is_some())
    }

    fn stale_when(&mut self) {
        let config = &self.sourced.rule;
        for (text, pattern) in config.when.get_ref().iter().zip(&self.rule.when) {
            if !self.matches_tracked(pattern) {
                let issue = issue(Severity::Warning, IssueKind::StaleGlob, format!("`when` glob `{}` of rule `{}` matches no tracked file", pattern.text(), self.id()))
                    .at(self.origin(text.span()), "matches no file at HEAD")
                    .help("fix the glob, or remove it if the code moved (`git ls-files` lists the tracked files)");
                self.push(issue);
            }
        }
    }

    fn stale_companions(&mut self) {
        for (entry, companion) in self.sourced.rule.then.iter().zip(&self.rule.companions) {
            if companion.change == crate::config::ChangeKind::Added {
                continue; // new files satisfy it: nothing needs to exist yet
            }
            for (span, pattern) in companion_spans(entry).into_iter().zip(&companion.paths) {
                if !self.matches_tracked(pattern) {
                    let issue = issue(Severity::Warning, IssueKind::StaleGlob, format!("`{}` companion glob `{}` of rule `{}` matches no tracked file", companion.kind, pattern.text(), self.id()))
                        .at(self.origin(span), "matches no file at HEAD")
                        .help("fix the path; if the file is yet to be written, add it first (or use `change = \"added\"` for files each change adds)");
                    self.push(issue);
                }
            }
        }
    }

    /// Each tracked file the rule binds captures for needs each companion, bound, to
    /// name a tracked file (or a glob matching one): else a change to it can never be
    /// satisfied.
    fn missing_companions(&mut self) {
        let mut issues = Vec::new();
        for hit in self.hits.iter().filter(|h| !h.bindings.is_empty()) {
            let Some(path) = self.tracked.get(hit.change) else {
                continue; // a probe for a companion path, not a tracked file
            };
            for (c, companion) in self.rule.companions.iter().enumerate() {
                // A companion matching no tracked file at all is a `stale-glob` already.
                if companion.change == crate::config::ChangeKind::Added
                    || !companion.paths.iter().any(|p| self.matches_tracked(p))
                    || companion
                        .paths
                        .iter()
                        .any(|p| self.resolves(p, &hit.bindings))
                {
                    continue;
                }
                let bound: Vec<String> = companion
                    .paths
                    .iter()
                    .map(|p| p.substitute(&hit.bindings))
                    .collect();
                issues.push(self.missing_companion(c, path, &hit.bindings, &bound));
            }
        }
        issues.into_iter().for_each(|issue| self.push(issue));
    }

    fn resolves(&self, pattern: &Pattern, bindings: &crate::rules::Bindings) -> bool {
        let text = pattern.substitute(bindings);
        if is_literal(&text) {
            return self.tracked.contains(&text);
        }
        pattern
            .resolve(bindings)
            .is_some_and(|m| self.tracked.iter().any(|t| m.is_match(t)))
    }

    fn missing_companion(
        &self,
        c: usize,
        path: &str,
        bindings: &crate::rules::Bindings,
        bound: &[String],
    ) -> Diagnostic {
        let kind = &self.rule.companions[c].kind;
        let span = self
            .sourced
            .rule
            .then
            .get(c)
            .map_or(self.sourced.rule.id.span(), Spanned::span);
        let values: Vec<String> = bindings.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        issue(Severity::Warning, IssueKind::MissingCompanion,
            format!(
                "`{path}` triggers rule `{}`, but its `{kind}` companion `{}` names no tracked file",
                self.id(),
                bound.join("` or `")
            ),
        )
        .at(
            self.origin(span),
            format!("with {}", values.join(", ")),
        )
        .help("add the file, fix the companion path (a case style like `{name|kebab}` may be missing), or add the triggering file to `unless`")
    }

    /// Tracked files match `when`, but `unless` excludes every one of them.
    fn shadowed(&mut self) {
        let config = &self.sourced.rule;
        if !self.hits.is_empty() || config.unless.is_empty() {
            return;
        }
        let Some(example) = self
            .tracked
            .iter()
            .find(|p| self.rule.when.iter().any(|w| w.bind(p).is_some()))
        else {
            return;
        };
        let span = spanning(&config.unless);
        let issue = issue(
            Severity::Error,
            IssueKind::Shadowed,
            format!("rule `{}` is shadowed by its `unless` globs", self.id()),
        )
        .at(
            self.origin(span),
            "excludes every tracked file `when` matches",
        )
        .help(format!(
            "`{example}` matches `when` but also `unless`; narrow `unless` or remove the rule"
        ));
        self.push(issue);
    }

    /// A companion path that also triggers the rule can never satisfy it by itself.
    fn self_companion(&mut self) {
        let mut reported = BTreeSet::new();
        for hit in self.hits {
            let path = &self.probes[hit.change].path;
            for (c, companion) in self.rule.companions.iter().enumerate() {
                for (p, pattern) in companion.paths.iter().enumerate() {
                    let bound = pattern.resolve(&hit.bindings);
                    if bound.is_some_and(|m| m.is_match(path)) && reported.insert((c, p)) {
                        self.report_self_companion(c, p, path);
                    }
                }
            }
        }
    }

    fn report_self_companion(&mut self, c: usize, p: usize, path: &str) {
        let Some(entry) = self.sourced.rule.then.get(c) else {
            return;
        };
        let span = companion_spans(entry)
            .get(p)
            .cloned()
            .unwrap_or(entry.span());
        let kind = &self.rule.companions[c].kind;
        let issue = issue(Severity::Error, IssueKind::SelfCompanion,
            format!("rule `{}` is triggered by its own `{kind}` companion", self.id()),
        )
        .at(self.origin(span), format!("`{path}` also matches `when`"))
        .help("a file that triggers a rule never satisfies it: narrow `when`, or add the companion's path to `unless`");
        self.push(issue);
    }

    fn impossible_regex(&mut self) {
        let Some(matching) = &self.sourced.rule.matching else {
            return;
        };
        if let Some(reason) = never_matches(matching.get_ref()) {
            let issue = issue(
                Severity::Error,
                IssueKind::ImpossibleRegex,
                format!(
                    "the `matching` regex of rule `{}` can never match a line",
                    self.id()
                ),
            )
            .at(self.origin(matching.span()), reason)
            .help(
                "`matching` is tried on each added or removed line on its own, without its newline",
            );
            self.push(issue);
        }
    }
}

/// The span of each path of a companion, in order.
fn companion_spans(entry: &Spanned<CompanionConfig>) -> Vec<Range<usize>> {
    match entry.get_ref() {
        CompanionConfig::Path(_) => vec![entry.span()],
        CompanionConfig::Table(table) => table.paths.iter().map(Spanned::span).collect(),
    }
}

/// From the first to the last item's span.
fn spanning(items: &[Spanned<String>]) -> Range<usize> {
    match (items.first(), items.last()) {
        (Some(first), Some(last)) => first.span().start..last.span().end,
        _ => 0..0,
    }
}

fn issue(severity: Severity, kind: IssueKind, message: String) -> Diagnostic {
    Diagnostic::new(Code::Validate(kind), severity, message)
}
