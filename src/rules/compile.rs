//! Config → compiled rules, collecting every problem with its span.

use std::collections::BTreeSet;
use std::ops::Range;

use globset::{GlobSet, GlobSetBuilder};
use regex::Regex;
use toml::Spanned;

use super::{Companion, KeyPath, Pattern, RESERVED_IDS, Rule, RuleSet};
use crate::config::{
    CompanionConfig, CompanionTable, Config, ConfigError, ConfigErrors, ConfigSource, DEFAULT_KIND,
    Severity, SourcedRule,
};
use crate::day::Day;
use crate::finding::Origin;

impl RuleSet {
    /// Compiles one `lockstep.toml` text that stands alone (it may extend built-in
    /// packs), as tests, fuzzers and `init` need.
    pub fn from_toml(text: &str) -> Result<RuleSet, ConfigErrors> {
        let source = ConfigSource::new(crate::config::FILE_NAMES[0], text);
        RuleSet::compile(crate::config::load(&crate::config::NoFiles, Some(source))?)
    }

    /// Compiles a loaded rule set, reporting every bad id, glob, regex and capture at once.
    pub fn compile(config: Config) -> Result<RuleSet, ConfigErrors> {
        let mut errors = config.problems.clone();
        let rules: Vec<Rule> = config
            .rules
            .iter()
            .filter_map(|sourced| {
                let default_severity = config.settings.default_severity;
                Compiler {
                    sourced,
                    default_severity,
                    errors: &mut errors,
                }
                .rule()
            })
            .collect();
        if !errors.is_empty() {
            sort_by_position(&mut errors, &config.sources);
            return Err(ConfigErrors { errors });
        }
        let mut builder = GlobSetBuilder::new();
        let mut trigger_owners = Vec::new();
        let mut unfiltered = Vec::new();
        for (r, rule) in rules.iter().enumerate() {
            for (p, pattern) in rule.when.iter().enumerate() {
                match pattern.prefilter() {
                    Some(glob) => {
                        builder.add(glob.clone());
                        trigger_owners.push((r, p));
                    }
                    None => unfiltered.push((r, p)),
                }
            }
        }
        let triggers = builder
            .build()
            .map_err(|e| ConfigError::new("glob", e.to_string()))?;
        Ok(RuleSet {
            settings: config.settings,
            rules,
            triggers,
            trigger_owners,
            unfiltered,
        })
    }
}

/// Problems in file order (the root file first, then extended ones), then by position.
fn sort_by_position(errors: &mut [ConfigError], sources: &[ConfigSource]) {
    errors.sort_by_key(|e| match &e.location {
        Some(l) => (
            sources
                .iter()
                .position(|s| s.name == l.source.name())
                .unwrap_or(usize::MAX),
            l.span.start,
        ),
        None => (usize::MAX, 0),
    });
}

struct Compiler<'a> {
    sourced: &'a SourcedRule,
    default_severity: Severity,
    errors: &'a mut Vec<ConfigError>,
}

impl Compiler<'_> {
    fn source(&self) -> &ConfigSource {
        &self.sourced.source
    }

    fn error(
        &mut self,
        code: &'static str,
        message: String,
        span: Range<usize>,
        label: &str,
        help: &str,
    ) {
        let error = ConfigError::new(code, message)
            .at(self.source(), span, label)
            .help(help);
        self.errors.push(error);
    }

    fn rule(mut self) -> Option<Rule> {
        let config = &self.sourced.rule;
        let before = self.errors.len();
        self.check_id(&config.id);
        let when = self.patterns(config.when.get_ref(), "when");
        if config.when.get_ref().is_empty() {
            self.error(
                "empty-when",
                format!("rule `{}` has no `when` globs", config.id.get_ref()),
                config.when.span(),
                "nothing can trigger this rule",
                "list the globs whose changes trigger the rule",
            );
        }
        let unless = self.unless(&config.unless);
        let matching = config.matching.as_ref().and_then(|m| self.regex(m));
        let keys = self.keys(&config.keys);
        let companions = self.companions(&when);
        let since = config.since.as_ref().and_then(|s| self.day(s));
        (self.errors.len() == before).then(|| Rule {
            id: config.id.get_ref().clone(),
            description: config.description.clone(),
            severity: config.severity.unwrap_or(self.default_severity),
            owners: config.owners.clone(),
            message: config.message.clone(),
            skippable: config.skippable.unwrap_or(true),
            since,
            when,
            unless,
            matching,
            keys,
            companions,
            origin: Origin {
                source: self.source().clone(),
                span: config.id.span(),
            },
        })
    }

    fn check_id(&mut self, id: &Spanned<String>) {
        let text = id.get_ref();
        let mut chars = text.chars();
        let well_formed = chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !well_formed {
            self.error(
                "invalid-id",
                format!("invalid rule id `{text}`"),
                id.span(),
                "not [a-z0-9][a-z0-9-]*",
                "rule ids are lowercase letters, digits and dashes, e.g. `payments-api`",
            );
        } else if RESERVED_IDS.contains(&text.as_str()) {
            self.error(
                "invalid-id",
                format!("rule id `{text}` is reserved"),
                id.span(),
                "lockstep reports its own findings under this id",
                "choose another id",
            );
        }
    }

    fn day(&mut self, text: &Spanned<String>) -> Option<Day> {
        let day = Day::parse(text.get_ref());
        if day.is_none() {
            self.error(
                "since",
                format!("`since = \"{}\"` is not a date", text.get_ref()),
                text.span(),
                "not a YYYY-MM-DD day",
                "write the rule's start day as YYYY-MM-DD, e.g. `since = \"2024-01-01\"`",
            );
        }
        day
    }

    fn pattern(&mut self, text: &Spanned<String>, key: &str) -> Option<Pattern> {
        let pattern = Pattern::new(text.get_ref())
            .map_err(|reason| {
                self.error("glob", format!("invalid glob in `{key}`: {reason}"), text.span(), &reason, "globs use globset syntax: `*` within a segment, `**` across segments, `{name}` captures");
            })
            .ok()?;
        if key != "then" && pattern.has_transforms() {
            self.error(
                "capture",
                format!("a case style like `{{name|kebab}}` in `{key}`"),
                text.span(),
                "a `when` path binds the value as written",
                "write `{name}` here and `{name|kebab}` (or snake, camel, lower) in the companion's paths",
            );
            return None;
        }
        Some(pattern)
    }

    fn patterns(&mut self, texts: &[Spanned<String>], key: &str) -> Vec<Pattern> {
        texts.iter().filter_map(|t| self.pattern(t, key)).collect()
    }

    fn unless(&mut self, texts: &[Spanned<String>]) -> GlobSet {
        let mut builder = GlobSetBuilder::new();
        for text in texts {
            let Some(pattern) = self.pattern(text, "unless") else {
                continue;
            };
            match (pattern.captures().next(), pattern.prefilter()) {
                (None, Some(glob)) => {
                    builder.add(glob.clone());
                }
                _ => self.error(
                    "capture",
                    "captures are not allowed in `unless`".to_owned(),
                    text.span(),
                    "capture here",
                    "write `*` or `**` instead of `{name}`",
                ),
            }
        }
        builder.build().unwrap_or_else(|_| GlobSet::empty())
    }

    fn regex(&mut self, text: &Spanned<String>) -> Option<Regex> {
        Regex::new(text.get_ref())
            .map_err(|e| {
                let reason = e.to_string();
                let label = reason
                    .lines()
                    .last()
                    .unwrap_or("invalid regex")
                    .trim()
                    .to_owned();
                self.error(
                    "regex",
                    "invalid regex in `matching`".to_owned(),
                    text.span(),
                    &label,
                    "`matching` uses Rust regex syntax (https://docs.rs/regex)",
                );
            })
            .ok()
    }

    fn keys(&mut self, texts: &[Spanned<String>]) -> Vec<KeyPath> {
        texts
            .iter()
            .filter_map(|text| {
                KeyPath::new(text.get_ref())
                    .map_err(|reason| {
                        self.error(
                            "key-path",
                            "invalid key path in `keys`".to_owned(),
                            text.span(),
                            &reason,
                            "key paths are dot-separated keys, `*` for any one key, e.g. `target.*.dependencies`",
                        );
                    })
                    .ok()
            })
            .collect()
    }

    fn companions(&mut self, when: &[Pattern]) -> Vec<Companion> {
        let config = &self.sourced.rule;
        if config.then.is_empty() {
            self.error("no-companions", format!("rule `{}` has no companions", config.id.get_ref()), config.id.span(), "this rule requires nothing", "add `then = [\"path\"]` or `[[rule.then]]` tables listing the files that must change with it");
        }
        let bound: Vec<BTreeSet<&str>> = when.iter().map(|p| p.captures().collect()).collect();
        let mut companions = Vec::new();
        for entry in &config.then {
            let span = entry.span();
            let table = match entry.get_ref() {
                CompanionConfig::Path(path) => CompanionTable {
                    kind: DEFAULT_KIND.to_owned(),
                    paths: vec![Spanned::new(span.clone(), path.clone())],
                    change: Default::default(),
                },
                CompanionConfig::Table(table) => table.clone(),
            };
            if table.paths.is_empty() {
                self.error(
                    "no-companions",
                    format!("companion `{}` lists no paths", table.kind),
                    span.clone(),
                    "empty `paths`",
                    "list at least one path glob",
                );
            }
            let mut paths = Vec::new();
            for text in &table.paths {
                let Some(pattern) = self.pattern(text, "then") else {
                    continue;
                };
                self.check_captures(&pattern, &bound, text.span());
                paths.push(pattern);
            }
            companions.push(Companion {
                kind: table.kind,
                paths,
                change: table.change,
            });
        }
        companions
    }

    fn check_captures(&mut self, pattern: &Pattern, bound: &[BTreeSet<&str>], span: Range<usize>) {
        let unbound: Vec<&str> = pattern
            .captures()
            .filter(|name| bound.iter().any(|when| !when.contains(name)))
            .collect();
        for name in unbound {
            self.error("capture", format!("capture `{{{name}}}` is not bound by every `when` glob"), span.clone(), "used here", "a capture used in `then` must appear in every `when` glob of the rule, so each triggering path gives it a value");
        }
    }
}
