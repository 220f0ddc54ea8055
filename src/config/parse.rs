//! One rule-set file: TOML text to the model, collecting every problem.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::ConfigSource;
use super::error::ConfigError;
use super::model::{RuleConfig, SettingsConfig};

/// The only rule-set format version there is.
pub const VERSION: i64 = 1;

/// What one file says, before `extends` is resolved.
#[derive(Debug, Default)]
pub struct Document {
    pub extends: Vec<Spanned<String>>,
    pub settings: SettingsConfig,
    pub rules: Vec<RuleConfig>,
}

/// Parses one file. Returns what could be read and every problem found, so that a user
/// fixes them all in one round.
pub fn parse(source: &ConfigSource) -> (Document, Vec<ConfigError>) {
    let (table, syntax_errors) = DeTable::parse_recoverable(&source.text);
    let mut errors: Vec<ConfigError> = syntax_errors
        .iter()
        .map(|e| ConfigError::from_toml("syntax", e, source, 0..0).help("fix the TOML syntax"))
        .collect();
    if !errors.is_empty() {
        return (Document::default(), errors);
    }
    let mut document = Document::default();
    let mut version = None;
    for (key, value) in table.get_ref().iter() {
        let read = Reader {
            source,
            errors: &mut errors,
        };
        match key.get_ref().as_ref() {
            "version" => version = Some((read.value::<i64>(value), value.span())),
            "extends" => document.extends = read.value(value).unwrap_or_default(),
            "settings" => document.settings = read.value(value).unwrap_or_default(),
            "rule" => document.rules = read.rules(value),
            other => errors.push(
                ConfigError::new("unknown-key", format!("unknown key `{other}`"))
                    .at(source, key.span(), "not a rule-set key")
                    .help("top-level keys are `version`, `extends`, `settings` and `[[rule]]`"),
            ),
        }
    }
    check_version(version, source, &mut errors);
    (document, errors)
}

fn check_version(
    version: Option<(Option<i64>, Range<usize>)>,
    source: &ConfigSource,
    errors: &mut Vec<ConfigError>,
) {
    match version {
        None => errors.push(
            ConfigError::new("version", "the rule set has no `version`")
                .at(source, 0..0, "expected `version = 1` here")
                .help("add `version = 1` at the top of the file"),
        ),
        Some((Some(VERSION), _)) | Some((None, _)) => {}
        Some((Some(other), span)) => errors.push(
            ConfigError::new("version", format!("unsupported rule-set version {other}"))
                .at(source, span, "this lockstep reads version 1")
                .help("set `version = 1`"),
        ),
    }
}

struct Reader<'a> {
    source: &'a ConfigSource,
    errors: &'a mut Vec<ConfigError>,
}

impl Reader<'_> {
    fn value<T: for<'de> Deserialize<'de>>(self, value: &Spanned<DeValue<'_>>) -> Option<T> {
        let span = value.span();
        T::deserialize(ValueDeserializer::from(value.clone()))
            .map_err(|e| {
                self.errors
                    .push(ConfigError::from_toml("schema", &e, self.source, span))
            })
            .ok()
    }

    /// Each `[[rule]]` on its own, so one bad rule does not hide the problems of others.
    fn rules(self, value: &Spanned<DeValue<'_>>) -> Vec<RuleConfig> {
        let Some(array) = value.get_ref().as_array() else {
            self.errors.push(
                ConfigError::new("schema", "`rule` must be an array of tables").at(
                    self.source,
                    value.span(),
                    "expected `[[rule]]` tables",
                ),
            );
            return Vec::new();
        };
        let Reader { source, errors } = self;
        array
            .iter()
            .filter_map(|rule| {
                Reader {
                    source,
                    errors: &mut *errors,
                }
                .value(rule)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (Document, Vec<ConfigError>) {
        parse(&ConfigSource::new("lockstep.toml", text))
    }

    fn codes(errors: &[ConfigError]) -> Vec<&str> {
        errors.iter().map(|e| e.code).collect()
    }

    #[test]
    fn reads_rules_and_shorthand_companions() {
        let (doc, errors) = parse_text(
            r#"version = 1
[[rule]]
id = "man"
when = ["doc/{cmd}.md"]
then = ["etc/{cmd}.1", { kind = "txt", paths = ["txt/{cmd}.txt"], change = "added" }]
"#,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(doc.rules.len(), 1);
        assert_eq!(doc.rules[0].then.len(), 2);
    }

    #[test]
    fn reports_problems_of_every_rule_at_once() {
        let (doc, errors) = parse_text(
            r#"version = 1
colour = "red"
[[rule]]
id = "a"
when = ["x"]
typo = 1
[[rule]]
id = "b"
when = "not-a-list"
[[rule]]
id = "c"
when = ["y"]
then = ["z"]
"#,
        );
        assert_eq!(codes(&errors), ["unknown-key", "schema", "schema"]);
        assert_eq!(doc.rules.len(), 1);
        let typo = errors[1].location.as_ref().map(|l| l.span.clone());
        assert!(typo.is_some_and(|span| span.start > 0), "{:?}", errors[1]);
    }

    #[test]
    fn version_must_be_present_and_one() {
        assert_eq!(codes(&parse_text("").1), ["version"]);
        assert_eq!(codes(&parse_text("version = 2").1), ["version"]);
        assert!(parse_text("version = 1").1.is_empty());
    }

    #[test]
    fn syntax_errors_stop_early_with_a_span() {
        let (_, errors) = parse_text("version = 1\n[[rule]\n");
        assert_eq!(codes(&errors), ["syntax"]);
        assert!(errors[0].location.is_some());
    }
}
