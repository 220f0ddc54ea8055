//! The JSON schema of `lockstep.toml`, generated from the config types so it cannot
//! drift from what the loader accepts (a test compares it with `lockstep.schema.json`).

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::config::{RuleConfig, SettingsConfig};

// The whole file, for the schema only: the loader reads these keys one by one, so that
// every problem is reported with its span.
#[derive(JsonSchema)]
#[schemars(
    title = "lockstep rule set",
    description = "lockstep.toml: which code paths have companions that must change with them.",
    deny_unknown_fields
)]
#[allow(dead_code)] // never constructed: it only describes the file
struct RuleSetFile {
    /// The rule-set format version; must be 1.
    #[schemars(range(min = 1, max = 1))]
    version: i64,
    /// Rule sets loaded first: `builtin:NAME` packs or repository-relative `.toml` paths.
    #[serde(default)]
    extends: Vec<String>,
    #[serde(default)]
    settings: SettingsConfig,
    /// The rules.
    #[serde(default)]
    rule: Vec<RuleConfig>,
}

/// The schema as pretty-printed JSON, ending with a newline. TOML has no null, so
/// optional keys are just absent: no `null` types or defaults.
pub fn json() -> String {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<RuleSetFile>();
    let mut value = schema.to_value();
    drop_nulls(&mut value);
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// Removes what `Option` fields add: `"default": null`, `"null"` in a type list, and
/// `{"type": "null"}` in an `anyOf` (an `anyOf` of one left is inlined).
fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("default").is_some_and(Value::is_null) {
                map.remove("default");
            }
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if let [only] = types.as_slice() {
                    let only = only.clone();
                    map.insert("type".to_owned(), only);
                }
            }
            if let Some(Value::Array(options)) = map.get_mut("anyOf") {
                options.retain(|o| o.get("type").is_none_or(|t| t != "null"));
                if let [only] = options.as_slice() {
                    let only = only.clone();
                    map.remove("anyOf");
                    if let Value::Object(inner) = only {
                        map.extend(inner);
                    }
                }
            }
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// `LOCKSTEP_BLESS=1 cargo test --lib schema` rewrites the committed file.
    #[test]
    fn committed_schema_matches_the_config_types() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("lockstep.schema.json");
        let generated = super::json();
        if std::env::var_os("LOCKSTEP_BLESS").is_some() {
            std::fs::write(&path, &generated).expect("write lockstep.schema.json");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "lockstep.schema.json is out of date with the config types; regenerate it with \
             `LOCKSTEP_BLESS=1 cargo test --lib schema` (or `lockstep schema > lockstep.schema.json`)"
        );
    }

    #[test]
    fn schema_names_every_rule_key() {
        let schema = super::json();
        for key in [
            "\"when\"",
            "\"unless\"",
            "\"matching\"",
            "\"keys\"",
            "\"then\"",
            "\"disable\"",
            "\"change\"",
        ] {
            assert!(schema.contains(key), "{key}");
        }
    }
}
