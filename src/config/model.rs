//! The rule set as written in `lockstep.toml` (SPEC section 1).

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use toml::Spanned;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
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
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsConfig {
    /// Severity of rules that name none: error (default), warning or info.
    pub default_severity: Option<Severity>,
    /// Check LINT.IfChange / LINT.ThenChange blocks (default true).
    pub annotations: Option<bool>,
    /// The commit-message trailer that waives rules (default `Lockstep-Skip`).
    pub skip_trailer: Option<String>,
    /// A change touching more files is reported as too large to judge (default 2000).
    #[schemars(with = "Option<usize>")]
    pub max_files: Option<Spanned<usize>>,
    /// Whitespace-only edits trigger rules (default false).
    pub whitespace: Option<bool>,
    /// A file of commits audits leave out (mass refactors, moves), one full commit id a
    /// line, `#` comments: git's `blame.ignoreRevsFile` format, e.g.
    /// `.git-blame-ignore-revs`. Relative to the repository root.
    pub ignore_revs_file: Option<String>,
    /// Globs of annotation targets that live outside this repository, matched against
    /// the target as written (after `annotation_prefixes`), e.g. `//depot/**`. They are
    /// never required. `scheme://` targets are always external. Lists from every file
    /// add up.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub annotation_external: Vec<Spanned<String>>,
    /// Globs of files whose LINT blocks are not read (generated amalgamations, vendored
    /// copies). Lists from every file add up.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub annotation_unless: Vec<Spanned<String>>,
    /// Read the blocks of files the root `.gitattributes` marks `linguist-generated`
    /// (default false: they are left out).
    pub annotation_generated: Option<bool>,
    /// Leading text of a target rewritten before it is resolved, e.g.
    /// `"<ROOT_DIR>/" = "//"`; the longest matching prefix applies. Tables from every
    /// file merge, later files winning.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub annotation_prefixes: BTreeMap<String, Spanned<String>>,
    /// Ids of rules to turn off, e.g. rules of an extended pack. Lists from every file
    /// add up.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub disable: Vec<Spanned<String>>,
}

/// One `[[rule]]` table.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// Unique id, `[a-z0-9][a-z0-9-]*`.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Globs whose changes trigger the rule; `{name}` and `{name:**}` capture.
    #[schemars(with = "Vec<String>")]
    pub when: Spanned<Vec<Spanned<String>>>,
    /// Globs that never trigger the rule.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub unless: Vec<Spanned<String>>,
    /// A regex: trigger only if an added or removed line of a triggering file matches.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub matching: Option<Spanned<String>>,
    /// Key paths of a TOML, YAML or JSON file (`dependencies`, `target.*.dependencies`,
    /// `package.version`): trigger only if the value under one of them differs between
    /// the two sides, both parsed. `*` matches any one key or array index; quote a key
    /// holding dots (`target."cfg(unix)".dependencies`). A side that does not parse
    /// triggers the rule.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub keys: Vec<Spanned<String>>,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub owners: Vec<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub skippable: Option<bool>,
    /// `YYYY-MM-DD`: audits treat units before this day as not applicable to the rule.
    #[serde(default)]
    #[schemars(with = "Option<String>", regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub since: Option<Spanned<String>>,
    /// The companions: all are required; any path of one satisfies it.
    #[serde(default)]
    #[schemars(with = "Vec<CompanionConfig>")]
    pub then: Vec<Spanned<CompanionConfig>>,
}

/// Which changes satisfy a companion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, JsonSchema)]
#[schemars(untagged)]
pub enum CompanionConfig {
    Path(String),
    Table(CompanionTable),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanionTable {
    /// A free label used in reports: docs, sdk, dashboard, runbook, changelog...
    #[serde(default = "default_kind")]
    pub kind: String,
    /// Globs; a change to any of them satisfies the companion. A capture of the `when`
    /// globs is written `{name}`, or in a case style: `{name|kebab}`, `{name|snake}`,
    /// `{name|camel}`, `{name|lower}`.
    #[schemars(with = "Vec<String>")]
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
