//! One rule-set file: TOML text to the model, collecting every problem.

use std::ops::Range;
use std::sync::LazyLock;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::ConfigSource;
use super::error::ConfigError;
use super::model::{CompanionTable, RuleConfig, SettingsConfig};
use super::spelling::closest;

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
            "settings" => document.settings = read.settings(value).unwrap_or_default(),
            "rule" => document.rules = read.rules(value),
            _ => {
                let known = TOP_LEVEL_KEYS.map(str::to_owned);
                errors.push(unknown_key(source, key, &known, "the rule set").0);
            }
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

/// The keys of a rule-set file.
const TOP_LEVEL_KEYS: [&str; 4] = ["version", "extends", "settings", "rule"];

/// The keys a table of `T` accepts, as the JSON schema lists them.
fn schema_keys<T: JsonSchema>() -> Vec<String> {
    let schema = schemars::schema_for!(T);
    schema
        .get("properties")
        .and_then(|properties| properties.as_object())
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default()
}

static SETTINGS_KEYS: LazyLock<Vec<String>> = LazyLock::new(schema_keys::<SettingsConfig>);
static RULE_KEYS: LazyLock<Vec<String>> = LazyLock::new(schema_keys::<RuleConfig>);
static COMPANION_KEYS: LazyLock<Vec<String>> = LazyLock::new(schema_keys::<CompanionTable>);

/// A key `known` does not hold, inside `what`, and the key meant when it looks like a
/// typo of one.
fn unknown_key<'k>(
    source: &ConfigSource,
    key: &Spanned<toml::de::DeString<'_>>,
    known: &'k [String],
    what: &str,
) -> (ConfigError, Option<&'k str>) {
    let name = key.get_ref().as_ref();
    let error = ConfigError::new("unknown-key", format!("unknown key `{name}` in {what}"));
    let meant = closest(name, known.iter().map(String::as_str));
    let error = match meant {
        Some(meant) => error
            .at(source, key.span(), format!("did you mean `{meant}`?"))
            .help(format!("rename it to `{meant}`")),
        None => error
            .at(source, key.span(), "unknown key")
            .help(format!("keys of {what}: {}", list(known))),
    };
    (error, meant)
}

fn list(keys: &[String]) -> String {
    let quoted: Vec<String> = keys.iter().map(|key| format!("`{key}`")).collect();
    quoted.join(", ")
}

/// `value` as a `T`, if it is one. Tables are read this way first; only one that is not
/// is looked at key by key (so a valid rule set never builds the schema).
fn read_as<T: for<'de> Deserialize<'de>>(value: &Spanned<DeValue<'_>>) -> Option<T> {
    T::deserialize(ValueDeserializer::from(value.clone())).ok()
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

    /// Reports every key of a table that `known` does not hold and leaves it out, so the
    /// rest of the table is still read. Returns the keys that the unknown ones look like
    /// typos of: a missing one of those is not reported again.
    fn drop_unknown_keys(
        &mut self,
        value: &mut Spanned<DeValue<'_>>,
        known: &[String],
        what: &str,
    ) -> Vec<String> {
        let DeValue::Table(table) = value.get_mut() else {
            return Vec::new();
        };
        let mut meant = Vec::new();
        for (key, _) in table.iter() {
            let name = key.get_ref().as_ref();
            if !known.iter().any(|k| k == name) {
                let (error, key_meant) = unknown_key(self.source, key, known, what);
                self.errors.push(error);
                meant.extend(key_meant.map(str::to_owned));
            }
        }
        *table = std::mem::take(table)
            .into_iter()
            .filter(|(key, _)| known.iter().any(|k| k == key.get_ref().as_ref()))
            .collect();
        meant
    }

    /// `value` read as a `T`, except that a missing key in `meant` is not reported (its
    /// misspelling was).
    fn value_unless_meant<T: for<'de> Deserialize<'de>>(
        self,
        value: &Spanned<DeValue<'_>>,
        meant: &[String],
    ) -> Option<T> {
        let span = value.span();
        T::deserialize(ValueDeserializer::from(value.clone()))
            .map_err(|e| {
                let missing_meant = meant
                    .iter()
                    .any(|key| e.message().starts_with(&format!("missing field `{key}`")));
                if !missing_meant {
                    self.errors
                        .push(ConfigError::from_toml("schema", &e, self.source, span));
                }
            })
            .ok()
    }

    fn settings(mut self, value: &Spanned<DeValue<'_>>) -> Option<SettingsConfig> {
        if let Some(settings) = read_as(value) {
            return Some(settings);
        }
        let mut value = value.clone();
        let meant = self.drop_unknown_keys(&mut value, &SETTINGS_KEYS, "`[settings]`");
        self.value_unless_meant(&value, &meant)
    }

    /// One `[[rule]]`, its `[[rule.then]]` tables included.
    fn rule(mut self, value: &Spanned<DeValue<'_>>) -> Option<RuleConfig> {
        if let Some(rule) = read_as(value) {
            return Some(rule);
        }
        let mut value = value.clone();
        let mut meant = self.drop_unknown_keys(&mut value, &RULE_KEYS, "a `[[rule]]`");
        if let DeValue::Table(table) = value.get_mut() {
            for (key, companions) in table.iter_mut() {
                if key.get_ref().as_ref() != "then" {
                    continue;
                }
                if let DeValue::Array(companions) = companions.get_mut() {
                    for companion in companions.iter_mut() {
                        meant.extend(self.drop_unknown_keys(
                            companion,
                            &COMPANION_KEYS,
                            "a `[[rule.then]]`",
                        ));
                    }
                }
            }
        }
        self.value_unless_meant(&value, &meant)
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
                .rule(rule)
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
        // Rule `a` is read without its unknown key; rule `b` cannot be read.
        assert_eq!(codes(&errors), ["unknown-key", "unknown-key", "schema"]);
        assert_eq!(doc.rules.len(), 2);
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
