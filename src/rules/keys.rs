//! Structure-aware triggers: a rule's `keys` name parts of a TOML, YAML or JSON file
//! (`dependencies`, `target.*.dependencies`, `package.version`), and a change triggers
//! the rule only when the value under one of them differs between the two sides.

use std::collections::BTreeMap;

use serde_json::Value;

/// One key path: dot-separated segments, `*` for any one key (or array index), and
/// `"quoted"` segments for keys holding dots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPath {
    text: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Any,
}

/// What comparing the two sides of a file under a rule's `keys` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyChange {
    /// No selected value differs.
    Unchanged,
    /// A selected value differs; the innermost key that differs, to find its line.
    Changed(Option<String>),
    /// A side is not a document of the format its name says (or the name says none):
    /// lockstep cannot tell which part changed, so the change triggers the rule.
    Unreadable,
}

impl KeyPath {
    /// Parses a key path; the error says what is wrong with it.
    pub fn new(text: &str) -> Result<KeyPath, String> {
        let mut segments = Vec::new();
        let mut rest = text;
        loop {
            let (segment, after) = if let Some(quoted) = rest.strip_prefix('"') {
                let end = quoted
                    .find('"')
                    .ok_or_else(|| "a quoted key has no closing `\"`".to_owned())?;
                (Segment::Key(quoted[..end].to_owned()), &quoted[end + 1..])
            } else {
                let end = rest.find('.').unwrap_or(rest.len());
                let key = &rest[..end];
                if key.is_empty() {
                    return Err("an empty key (two dots in a row, or a dot at an end)".to_owned());
                }
                if key.contains('"') {
                    return Err("a quote inside a key; quote the whole key".to_owned());
                }
                let segment = match key {
                    "*" => Segment::Any,
                    "**" => return Err("`**` is not a key; `*` matches any one key".to_owned()),
                    _ => Segment::Key(key.to_owned()),
                };
                (segment, &rest[end..])
            };
            segments.push(segment);
            if after.is_empty() {
                break;
            }
            rest = after
                .strip_prefix('.')
                .ok_or_else(|| "a quoted key must be followed by `.` or end the path".to_owned())?;
        }
        Ok(KeyPath {
            text: text.to_owned(),
            segments,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Every value this path selects in `document`, by the concrete keys leading to it.
    fn select<'a>(&self, document: &'a Value) -> BTreeMap<Vec<String>, &'a Value> {
        let mut found = BTreeMap::new();
        select(document, &self.segments, &mut Vec::new(), &mut found);
        found
    }
}

fn select<'a>(
    value: &'a Value,
    segments: &[Segment],
    at: &mut Vec<String>,
    found: &mut BTreeMap<Vec<String>, &'a Value>,
) {
    let Some((first, rest)) = segments.split_first() else {
        // An empty table or list records nothing, as a missing key does: removing
        // `"dependencies": {}` changes no lockfile.
        if !is_empty_container(value) {
            found.insert(at.clone(), value);
        }
        return;
    };
    let mut descend = |key: String, child: &'a Value| {
        at.push(key);
        select(child, rest, at, found);
        at.pop();
    };
    match (first, value) {
        (Segment::Key(key), Value::Object(map)) => {
            if let Some(child) = map.get(key) {
                descend(key.clone(), child);
            }
        }
        (Segment::Key(key), Value::Array(items)) => {
            if let Some(child) = key.parse::<usize>().ok().and_then(|i| items.get(i)) {
                descend(key.clone(), child);
            }
        }
        (Segment::Any, Value::Object(map)) => {
            for (key, child) in map {
                descend(key.clone(), child);
            }
        }
        (Segment::Any, Value::Array(items)) => {
            for (i, child) in items.iter().enumerate() {
                descend(i.to_string(), child);
            }
        }
        _ => {}
    }
}

/// Compares the two sides of `path` under `keys`. An empty side (an added or deleted
/// file) holds no keys.
pub fn compare(keys: &[KeyPath], path: &str, old: &[u8], new: &[u8]) -> KeyChange {
    let (Some(old), Some(new)) = (parse(path, old), parse(path, new)) else {
        return KeyChange::Unreadable;
    };
    for key in keys {
        let (before, after) = (key.select(&old), key.select(&new));
        if before != after {
            return KeyChange::Changed(innermost_difference(&before, &after));
        }
    }
    KeyChange::Unchanged
}

fn is_empty_container(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// The last key of the innermost place where the selections differ.
fn innermost_difference(
    before: &BTreeMap<Vec<String>, &Value>,
    after: &BTreeMap<Vec<String>, &Value>,
) -> Option<String> {
    let differs = |at: &Vec<String>| before.get(at) != after.get(at);
    let at = before.keys().chain(after.keys()).find(|at| differs(at))?;
    let (mut old, mut new) = (before.get(at).copied(), after.get(at).copied());
    let mut last = at.last().cloned();
    while let (Some(Value::Object(a)), Some(Value::Object(b))) = (old, new) {
        let Some(key) = a
            .keys()
            .chain(b.keys())
            .find(|k| a.get(k.as_str()) != b.get(k.as_str()))
        else {
            break;
        };
        last = Some(key.clone());
        (old, new) = (a.get(key.as_str()), b.get(key.as_str()));
    }
    if let (None, Some(Value::Object(b))) | (Some(Value::Object(b)), None) = (old, new) {
        // A whole table came or went: its first key is the line most worth showing.
        last = b.keys().next().cloned().or(last);
    }
    last
}

/// The document a side of `path` holds, by its extension; an empty side is an empty
/// document. `None` when it does not parse (or its extension names no format).
fn parse(path: &str, bytes: &[u8]) -> Option<Value> {
    let text = std::str::from_utf8(bytes).ok()?;
    if text.trim().is_empty() {
        return Some(Value::Null);
    }
    let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    match extension.as_str() {
        "toml" => toml::from_str::<toml::Table>(text)
            .ok()
            .map(|t| from_toml(toml::Value::Table(t))),
        "json" => serde_json::from_str(text).ok(),
        "yaml" | "yml" => from_yaml_documents(text),
        _ => None,
    }
}

fn from_toml(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(from_toml).collect()),
        toml::Value::Table(table) => {
            Value::Object(table.into_iter().map(|(k, v)| (k, from_toml(v))).collect())
        }
    }
}

/// A YAML stream: one document is itself; several are an array of documents.
fn from_yaml_documents(text: &str) -> Option<Value> {
    let mut documents = Vec::new();
    for document in serde_yaml_ng::Deserializer::from_str(text) {
        let value: serde_yaml_ng::Value = serde::Deserialize::deserialize(document).ok()?;
        documents.push(from_yaml(value));
    }
    match documents.len() {
        1 => documents.pop(),
        _ => Some(Value::Array(documents)),
    }
}

fn from_yaml(value: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Yaml;
    match value {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => serde_json::to_value(&n).unwrap_or(Value::Null),
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(from_yaml).collect()),
        Yaml::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (yaml_key(k), from_yaml(v)))
                .collect(),
        ),
        Yaml::Tagged(tagged) => from_yaml(tagged.value),
    }
}

/// A mapping key as text: OpenAPI's `200:` response codes are numbers in YAML.
fn yaml_key(key: serde_yaml_ng::Value) -> String {
    match from_yaml(key) {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(texts: &[&str]) -> Vec<KeyPath> {
        texts
            .iter()
            .map(|t| KeyPath::new(t).expect("key path"))
            .collect()
    }

    fn compare_toml(texts: &[&str], old: &str, new: &str) -> KeyChange {
        compare(&keys(texts), "Cargo.toml", old.as_bytes(), new.as_bytes())
    }

    #[test]
    fn key_paths_parse_dots_stars_and_quotes() {
        let path = KeyPath::new(r#"target."cfg(unix)".dependencies"#).expect("parses");
        assert_eq!(
            path.segments,
            [
                Segment::Key("target".into()),
                Segment::Key("cfg(unix)".into()),
                Segment::Key("dependencies".into())
            ]
        );
        assert_eq!(
            KeyPath::new("target.*.dependencies")
                .expect("parses")
                .segments[1],
            Segment::Any
        );
        for bad in ["", "a..b", ".a", "a.", "a.**", "\"a", "\"a\"b", "a\"b"] {
            assert!(KeyPath::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_change_outside_the_keys_is_unchanged() {
        let old = "[package]\nname = \"a\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n[dependencies]\nserde = \"1\"\n";
        let new = old.replace("2021", "2024");
        assert_eq!(
            compare_toml(&["dependencies", "package.version"], old, &new),
            KeyChange::Unchanged
        );
        let bumped = old.replace("1.0.0", "1.1.0");
        assert_eq!(
            compare_toml(&["dependencies", "package.version"], old, &bumped),
            KeyChange::Changed(Some("version".into()))
        );
    }

    #[test]
    fn the_innermost_changed_key_is_named() {
        let old = "[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\ntoml = \"0.9\"\n";
        let new = old.replace("0.9", "0.10");
        assert_eq!(
            compare_toml(&["dependencies"], old, &new),
            KeyChange::Changed(Some("toml".into()))
        );
        let added = format!("{old}[target.'cfg(unix)'.dependencies]\nlibc = \"0.2\"\n");
        assert_eq!(
            compare_toml(&["target.*.dependencies"], old, &added),
            KeyChange::Changed(Some("libc".into()))
        );
    }

    #[test]
    fn an_added_file_changes_every_key_it_has() {
        let new = "[dependencies]\nserde = \"1\"\n";
        assert_eq!(
            compare_toml(&["dependencies"], "", new),
            KeyChange::Changed(Some("serde".into()))
        );
        assert_eq!(
            compare_toml(&["dev-dependencies"], "", new),
            KeyChange::Unchanged
        );
    }

    #[test]
    fn an_empty_table_or_list_is_the_same_as_none() {
        let old = "[package]\nname = \"a\"\n\n[dependencies]\n";
        let gone = "[package]\nname = \"a\"\n";
        assert_eq!(
            compare_toml(&["dependencies"], old, gone),
            KeyChange::Unchanged
        );
        let json = |text: &str| {
            compare(
                &keys(&["dependencies", "workspaces"]),
                "package.json",
                b"{\"dependencies\": {}, \"workspaces\": []}",
                text.as_bytes(),
            )
        };
        assert_eq!(json("{}"), KeyChange::Unchanged);
        assert_eq!(
            json("{\"dependencies\": {\"chart.js\": \"^4\"}}"),
            KeyChange::Changed(Some("chart.js".into()))
        );
    }

    #[test]
    fn a_side_that_does_not_parse_is_unreadable() {
        assert_eq!(
            compare_toml(&["dependencies"], "[dependencies]\n", "[dependencies\n"),
            KeyChange::Unreadable
        );
        assert_eq!(
            compare(&keys(&["a"]), "notes.txt", b"a = 1", b"a = 2"),
            KeyChange::Unreadable
        );
    }

    #[test]
    fn json_and_yaml_are_compared_alike() {
        let old = br#"{"name": "app", "scripts": {"test": "jest"}, "dependencies": {"react": "^18.2.0"}}"#;
        let scripts = br#"{"name": "app", "scripts": {"test": "vitest"}, "dependencies": {"react": "^18.2.0"}}"#;
        let deps = br#"{"name": "app", "scripts": {"test": "jest"}, "dependencies": {"react": "^18.3.1"}}"#;
        let key = keys(&["dependencies"]);
        assert_eq!(
            compare(&key, "package.json", old, scripts),
            KeyChange::Unchanged
        );
        assert_eq!(
            compare(&key, "package.json", old, deps),
            KeyChange::Changed(Some("react".into()))
        );
        let yaml = b"paths:\n  /pets:\n    get:\n      responses:\n        200:\n          description: ok\ninfo:\n  title: Pets\n";
        let retitled = b"paths:\n  /pets:\n    get:\n      responses:\n        200:\n          description: ok\ninfo:\n  title: Pet store\n";
        let responded = b"paths:\n  /pets:\n    get:\n      responses:\n        200:\n          description: fine\ninfo:\n  title: Pets\n";
        let paths = keys(&["paths.*.*.responses.200"]);
        assert_eq!(
            compare(&paths, "openapi.yaml", yaml, retitled),
            KeyChange::Unchanged
        );
        assert_eq!(
            compare(&paths, "openapi.yaml", yaml, responded),
            KeyChange::Changed(Some("description".into()))
        );
    }

    #[test]
    fn stars_match_array_items_and_numbers_index_them() {
        let old = b"servers:\n  - url: https://a\n  - url: https://b\n";
        let new = b"servers:\n  - url: https://a\n  - url: https://c\n";
        let compare_yaml = |texts: &[&str]| compare(&keys(texts), "api.yml", old, new);
        assert!(matches!(
            compare_yaml(&["servers.*.url"]),
            KeyChange::Changed(_)
        ));
        assert_eq!(compare_yaml(&["servers.0.url"]), KeyChange::Unchanged);
    }
}
