//! `--format sarif`: SARIF 2.1.0 for code-scanning services (GitHub code scanning, Azure
//! DevOps): one `tool.driver.rules` entry per rule id with its help, one result per
//! finding located at the file (and line) that triggered it.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::Listing;
use crate::config::Severity;
use crate::diagnostic::{Diagnostic, Location};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(listing: &Listing, out: &mut dyn Write) -> io::Result<()> {
    let mut rule_ids: Vec<String> = Vec::new();
    let mut rules = Vec::new();
    let mut results = Vec::new();
    for diagnostic in &listing.diagnostics {
        let id = diagnostic.code.id();
        let index = match rule_ids.iter().position(|known| *known == id) {
            Some(index) => index,
            None => {
                rules.push(rule(diagnostic, &id));
                rule_ids.push(id);
                rule_ids.len() - 1
            }
        };
        results.push(result(diagnostic, &rule_ids[index], index));
    }
    let sarif = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "lockstep",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {
                "description": {"text": "The root of the repository's work tree."}
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The code's entry: its documentation, else its first diagnostic's help.
fn rule(diagnostic: &Diagnostic, id: &str) -> Value {
    let (short, help) = match &diagnostic.documentation {
        Some(doc) => (doc.short.clone(), doc.full.clone()),
        None => (diagnostic.code.to_string(), diagnostic.help.join("\n")),
    };
    let mut rule = json!({
        "id": id,
        "shortDescription": {"text": short},
        "fullDescription": {"text": short},
        "help": {"text": help, "markdown": help},
        "defaultConfiguration": {"level": sarif_level(diagnostic.severity)},
        "properties": {"tags": ["lockstep"]},
    });
    // SARIF wants a readable name distinct from the opaque id, or none.
    let name = pascal_case(id);
    if !name.eq_ignore_ascii_case(id) {
        rule["name"] = json!(name);
    }
    rule
}

fn result(diagnostic: &Diagnostic, id: &str, rule_index: usize) -> Value {
    let mut lines = vec![diagnostic.title()];
    lines.extend(diagnostic.help.iter().cloned());
    let mut result = json!({
        "ruleId": id,
        "ruleIndex": rule_index,
        "level": sarif_level(diagnostic.level()),
        "message": {"text": lines.join("\n")},
    });
    // GitHub code scanning rejects a result without a location.
    if let Some(location) = &diagnostic.location {
        result["locations"] = json!([physical(location)]);
    }
    if !diagnostic.related.is_empty() {
        let related: Vec<Value> = diagnostic
            .related
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut related = physical(l);
                related["id"] = json!(i + 1);
                related["message"] = json!({"text": format!("also changed: {l}")});
                related
            })
            .collect();
        result["relatedLocations"] = json!(related);
    }
    if let Some(location) = &diagnostic.location {
        // Stable across runs so code scanning tracks a result instead of re-opening it.
        let name = diagnostic.subject.clone().unwrap_or_else(|| id.to_owned());
        result["partialFingerprints"] = json!({
            "lockstep/v1": format!("{name}:{}", location.path)
        });
    }
    if let Some(waived) = &diagnostic.waived {
        result["suppressions"] = json!([{
            "kind": "external",
            "justification": waived,
        }]);
    }
    result
}

fn physical(location: &Location) -> Value {
    let mut physical = json!({"physicalLocation": {
        "artifactLocation": {"uri": uri(&location.path), "uriBaseId": "%SRCROOT%"},
    }});
    if let Some(line) = location.line {
        physical["physicalLocation"]["region"] = json!({"startLine": line});
    }
    physical
}

/// A repository-relative path as a relative URI reference: everything but unreserved
/// characters and `/` percent-encoded.
fn uri(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                encoded.push(char::from(byte));
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

/// `payments-api` → `PaymentsApi`, SARIF's conventional rule name.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::describe::{diagnostic, fixtures};
    use super::*;

    #[test]
    fn findings_become_sarif_results() {
        let text = fixtures::rendered(&fixtures::report().listing(), render);
        insta::assert_snapshot!(text.replace(env!("CARGO_PKG_VERSION"), "[VERSION]"));
    }

    #[test]
    fn one_rule_per_id_and_results_point_at_it() {
        let text = fixtures::rendered(&fixtures::report().listing(), render);
        let sarif: Value = serde_json::from_str(&text).expect("json");
        let run = &sarif["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        assert_eq!(rules.len(), 3);
        for result in run["results"].as_array().expect("results") {
            let index = result["ruleIndex"].as_u64().expect("index") as usize;
            assert_eq!(rules[index]["id"], result["ruleId"]);
        }
    }

    #[test]
    fn a_too_large_change_is_located_at_max_files_or_the_rule_set() {
        for (set, region) in [(true, json!({"startLine": 4})), (false, Value::Null)] {
            let finding = diagnostic(&fixtures::too_large(set));
            let location = &result(&finding, "max-files", 0)["locations"][0]["physicalLocation"];
            assert_eq!(location["artifactLocation"]["uri"], "lockstep.toml");
            assert_eq!(location["region"], region);
        }
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("a b/c,100%.md"), "a%20b/c%2C100%25.md");
        assert_eq!(pascal_case("payments-api"), "PaymentsApi");
    }
}
