//! The rule set as written in `lockstep.toml` (SPEC section 1).

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use toml::Spanned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `[settings]`; every key optional so that a file extending another overrides only
/// what it names.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsConfig {
    pub default_severity: Option<Severity>,
    pub annotations: Option<bool>,
    pub skip_trailer: Option<String>,
    pub max_files: Option<usize>,
    pub whitespace: Option<bool>,
}

/// One `[[rule]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    pub id: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub when: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pub unless: Vec<Spanned<String>>,
    #[serde(default)]
    pub matching: Option<Spanned<String>>,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub owners: Vec<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub skippable: Option<bool>,
    #[serde(default)]
    pub then: Vec<Spanned<CompanionConfig>>,
}

/// Which changes satisfy a companion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Any change: added, modified, deleted, or either side of a rename.
    #[default]
    Any,
    /// Only a newly added file (changelog fragments, migrations).
    Added,
}

/// One required artifact: a `[[rule.then]]` table, or a plain string in the shorthand
/// `then = ["path", …]` form.
#[derive(Debug, Clone)]
pub enum CompanionConfig {
    Path(String),
    Table(CompanionTable),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanionTable {
    #[serde(default = "default_kind")]
    pub kind: String,
    pub paths: Vec<Spanned<String>>,
    #[serde(default)]
    pub change: ChangeKind,
}

/// The kind given to shorthand companions and to tables that name none.
pub const DEFAULT_KIND: &str = "file";

fn default_kind() -> String {
    DEFAULT_KIND.to_owned()
}

impl<'de> Deserialize<'de> for CompanionConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CompanionVisitor;

        impl<'de> Visitor<'de> for CompanionVisitor {
            type Value = CompanionConfig;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a path glob, or a table with `kind` and `paths`")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(CompanionConfig::Path(value.to_owned()))
            }

            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
                let table =
                    CompanionTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(CompanionConfig::Table(table))
            }
        }

        deserializer.deserialize_any(CompanionVisitor)
    }
}
