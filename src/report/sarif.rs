//! `--format sarif`: SARIF 2.1.0 for code-scanning services (GitHub code scanning, Azure
//! DevOps): one `tool.driver.rules` entry per rule id with its help, one result per
//! finding located at the file (and line) that triggered it.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::Report;
use super::describe::{fix_lines, headline, level, location, place, rule_name, waived};
use crate::config::Severity;
use crate::finding::{Finding, FindingStatus, Trigger};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut rule_ids: Vec<&str> = Vec::new();
    let mut rules = Vec::new();
    let mut results = Vec::new();
    for finding in &report.findings {
        let index = match rule_ids.iter().position(|id| *id == finding.rule) {
            Some(index) => index,
            None => {
                rule_ids.push(&finding.rule);
                rules.push(rule(finding));
                rule_ids.len() - 1
            }
        };
        results.push(result(finding, index));
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

fn rule(finding: &Finding) -> Value {
    let short = finding
        .description
        .clone()
        .unwrap_or_else(|| format!("Companions of the `{}` rule", finding.rule));
    let mut help = vec![format!(
        "{short}. When a file matching this rule changes, each of its companions must change in the same change."
    )];
    help.extend(finding.message.clone());
    if finding.skippable {
        help.push(format!(
            "To waive it, add a `Lockstep-Skip: {} -- reason` trailer to a commit message.",
            finding.rule
        ));
    }
    let help = help.join("\n\n");
    let mut rule = json!({
        "id": finding.rule,
        "shortDescription": {"text": short},
        "fullDescription": {"text": short},
        "help": {"text": help, "markdown": help},
        "defaultConfiguration": {"level": sarif_level(finding.severity)},
        "properties": {"tags": ["lockstep"]},
    });
    // SARIF wants a readable name distinct from the opaque id, or none.
    let name = pascal_case(&finding.rule);
    if !name.eq_ignore_ascii_case(&finding.rule) {
        rule["name"] = json!(name);
    }
    rule
}

fn result(finding: &Finding, rule_index: usize) -> Value {
    let mut lines = vec![format!("{}: {}", rule_name(finding), headline(finding))];
    lines.extend(fix_lines(finding));
    let mut result = json!({
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": sarif_level(level(finding)),
        "message": {"text": lines.join("\n")},
    });
    // GitHub code scanning rejects a result without a location.
    if let Some(place) = place(finding) {
        result["locations"] = json!([physical(&place)]);
    }
    if let Some((first, rest)) = finding.triggered_by.split_first() {
        if !rest.is_empty() {
            let related: Vec<Value> = rest
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let mut related = physical(t);
                    related["id"] = json!(i + 1);
                    related["message"] = json!({"text": format!("also changed: {}", location(t))});
                    related
                })
                .collect();
            result["relatedLocations"] = json!(related);
        }
        // Stable across runs so code scanning tracks a finding instead of re-opening it.
        result["partialFingerprints"] = json!({
            "lockstep/v1": format!("{}:{}", rule_name(finding), first.path)
        });
    }
    if finding.status == FindingStatus::Waived {
        result["suppressions"] = json!([{
            "kind": "external",
            "justification": waived(finding),
        }]);
    }
    result
}

fn physical(trigger: &Trigger) -> Value {
    let mut location = json!({"physicalLocation": {
        "artifactLocation": {"uri": uri(&trigger.path), "uriBaseId": "%SRCROOT%"},
    }});
    if let Some(line) = trigger.line {
        location["physicalLocation"]["region"] = json!({"startLine": line});
    }
    location
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
    use super::super::describe::fixtures;
    use super::*;

    #[test]
    fn findings_become_sarif_results() {
        let text = fixtures::rendered(&fixtures::report(), render);
        insta::assert_snapshot!(text.replace(env!("CARGO_PKG_VERSION"), "[VERSION]"));
    }

    #[test]
    fn one_rule_per_id_and_results_point_at_it() {
        let text = fixtures::rendered(&fixtures::report(), render);
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
            let finding = fixtures::too_large(set);
            let location = &result(&finding, 0)["locations"][0]["physicalLocation"];
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
