//! `lockstep explain`: what a path means to the rule set — the rules a change to it would
//! trigger (and the companions they would then need), and the rules it is a companion in.
//! Paths need not exist, so a change can be planned before it is made.

use serde::Serialize;

use crate::change::{Change, Status};
use crate::config::{AnnotationSettings, ChangeKind, Severity, Unread};
use crate::rules::{Bindings, Rule, RuleSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub path: String,
    /// Rules a change to this path triggers.
    pub triggers: Vec<Triggered>,
    /// Rules whose `when` matches, but whose `unless` excludes this path.
    pub excluded: Vec<String>,
    /// Rules in which a change to this path satisfies a companion.
    pub companion_in: Vec<CompanionIn>,
    /// Why the LINT blocks of this file are not read, when they are not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations_unread: Option<Unread>,
    /// As a `LINT.ThenChange` target, this path lives outside the repository
    /// (`settings.annotation_external`): no block ever requires it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub annotation_external: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Triggered {
    pub rule: String,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub bindings: Bindings,
    /// With `matching`, only changed lines that match this regex trigger the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matching: Option<String>,
    /// With `keys`, only a change of the value under one of these key paths triggers it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// The companions the change would need, with the bindings substituted.
    pub needs: Vec<Needed>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Needed {
    pub kind: String,
    pub paths: Vec<String>,
    /// `true`: only a newly added file satisfies it.
    pub added_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompanionIn {
    pub rule: String,
    pub kind: String,
    pub bindings: Bindings,
    /// The `when` globs, bound: changes to these paths need this one.
    pub when: Vec<String>,
    /// `true`: the path satisfies the companion only when it is newly added.
    pub added_only: bool,
}

/// Explains each path (repository-relative, `/`-separated).
pub fn explain(rules: &RuleSet, paths: &[String]) -> Vec<Explanation> {
    let probes: Vec<Change> = paths
        .iter()
        .map(|p| Change::new(p.as_str(), Status::Modified))
        .collect();
    let candidates = rules.candidates(&probes);
    probes
        .iter()
        .enumerate()
        .map(|(index, probe)| {
            let triggers = candidates
                .iter()
                .filter(|c| c.change == index)
                .map(|c| triggered(&rules.rules[c.rule], &c.bindings))
                .collect();
            let annotation = rules
                .settings
                .annotations
                .then_some(&rules.settings.annotation);
            Explanation {
                path: probe.path.clone(),
                triggers,
                excluded: excluded(rules, &probe.path),
                companion_in: companion_in(rules, &probe.path),
                annotations_unread: annotation.and_then(|a| a.unread(&probe.path)),
                annotation_external: annotation.is_some_and(|a| is_external(a, &probe.path)),
            }
        })
        .collect()
}

/// A path given as `//depot/x` reaches here as `depot/x`; either form may be listed.
fn is_external(settings: &AnnotationSettings, path: &str) -> bool {
    settings.is_external(path) || settings.is_external(&format!("//{path}"))
}

fn triggered(rule: &Rule, bindings: &Bindings) -> Triggered {
    Triggered {
        rule: rule.id.clone(),
        severity: rule.severity,
        description: rule.description.clone(),
        bindings: bindings.clone(),
        matching: rule.matching.as_ref().map(|r| r.as_str().to_owned()),
        keys: rule.keys.iter().map(|k| k.text().to_owned()).collect(),
        needs: rule
            .companions
            .iter()
            .map(|c| Needed {
                kind: c.kind.clone(),
                paths: c.paths.iter().map(|p| p.substitute(bindings)).collect(),
                added_only: c.change == ChangeKind::Added,
            })
            .collect(),
        owners: rule.owners.clone(),
    }
}

fn excluded(rules: &RuleSet, path: &str) -> Vec<String> {
    rules
        .rules
        .iter()
        .filter(|r| r.unless.is_match(path) && r.when.iter().any(|w| w.bind(path).is_some()))
        .map(|r| r.id.clone())
        .collect()
}

fn companion_in(rules: &RuleSet, path: &str) -> Vec<CompanionIn> {
    let mut found = Vec::new();
    for rule in &rules.rules {
        for companion in &rule.companions {
            let Some(bindings) = companion.paths.iter().find_map(|p| p.bind(path)) else {
                continue;
            };
            found.push(CompanionIn {
                rule: rule.id.clone(),
                kind: companion.kind.clone(),
                when: rule.when.iter().map(|w| w.substitute(&bindings)).collect(),
                bindings,
                added_only: companion.change == ChangeKind::Added,
            });
        }
    }
    found
}

/// The formats of `explain`; the CLI offers exactly these (`explain --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// `explanations` as `format` writes them.
pub fn render(explanations: &[Explanation], format: Format) -> serde_json::Result<String> {
    match format {
        Format::Human => Ok(render_human(explanations)),
        Format::Json => render_json(explanations),
    }
}

/// `--format json`: `{"version": 1, "paths": [...]}`, pretty-printed.
fn render_json(explanations: &[Explanation]) -> serde_json::Result<String> {
    #[derive(Serialize)]
    struct Document<'a> {
        version: u32,
        paths: &'a [Explanation],
    }
    let mut json = serde_json::to_string_pretty(&Document {
        version: 1,
        paths: explanations,
    })?;
    json.push('\n');
    Ok(json)
}

/// The human rendering: one block per path.
fn render_human(explanations: &[Explanation]) -> String {
    let mut out = String::new();
    for (i, e) in explanations.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{}\n", e.path));
        if e.triggers.is_empty()
            && e.companion_in.is_empty()
            && e.excluded.is_empty()
            && e.annotations_unread.is_none()
            && !e.annotation_external
        {
            out.push_str("  no rule mentions this path\n");
        }
        if let Some(why) = &e.annotations_unread {
            out.push_str(&format!("  its LINT blocks are not read: {why}\n"));
        }
        if e.annotation_external {
            out.push_str("  an annotation target outside this repository (`settings.annotation_external`): never required, not checked\n");
        }
        for t in &e.triggers {
            out.push_str(&format!("  triggers {} ({})", t.rule, t.severity));
            if !t.bindings.is_empty() {
                out.push_str(&format!(" with {}", bindings_text(&t.bindings)));
            }
            out.push('\n');
            if let Some(description) = &t.description {
                out.push_str(&format!("    {description}\n"));
            }
            if let Some(regex) = &t.matching {
                out.push_str(&format!("    only when a changed line matches /{regex}/\n"));
            }
            if !t.keys.is_empty() {
                out.push_str(&format!(
                    "    only when the value under one of these keys changes: {}\n",
                    t.keys.join(", ")
                ));
            }
            for need in &t.needs {
                let added = if need.added_only { " (a new file)" } else { "" };
                out.push_str(&format!(
                    "    needs {}{added}: {}\n",
                    need.kind,
                    need.paths.join(" or ")
                ));
            }
            if !t.owners.is_empty() {
                out.push_str(&format!("    owners: {}\n", t.owners.join(", ")));
            }
        }
        for id in &e.excluded {
            out.push_str(&format!("  excluded from {id} by its `unless`\n"));
        }
        for c in &e.companion_in {
            let added = if c.added_only { ", when added" } else { "" };
            out.push_str(&format!("  satisfies {} of {}{added}", c.kind, c.rule));
            if !c.bindings.is_empty() {
                out.push_str(&format!(" with {}", bindings_text(&c.bindings)));
            }
            out.push_str(&format!(" (for changes to {})\n", c.when.join(" or ")));
        }
    }
    out
}

fn bindings_text(bindings: &Bindings) -> String {
    bindings
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &'static str) -> RuleSet {
        RuleSet::from_toml(text).expect("compiles")
    }

    #[test]
    fn triggers_bind_captures_into_companions() {
        let set = rules(
            "version = 1\n[[rule]]\nid = \"man\"\nwhen = [\"doc/{cmd}.md\"]\nunless = [\"doc/skip.md\"]\nthen = [\"etc/{cmd}.1\"]\n",
        );
        let out = explain(
            &set,
            &[
                "doc/build.md".to_owned(),
                "etc/run.1".to_owned(),
                "doc/skip.md".to_owned(),
            ],
        );
        assert_eq!(out[0].triggers[0].needs[0].paths, ["etc/build.1"]);
        assert_eq!(out[1].companion_in[0].when, ["doc/run.md"]);
        assert!(out[2].triggers.is_empty());
        assert_eq!(out[2].excluded, ["man"]);
    }

    #[test]
    fn annotation_settings_are_explained() {
        let set = rules(
            "version = 1\n[settings]\nannotation_external = [\"//depot/**\"]\nannotation_unless = [\"gen/**\"]\n",
        );
        let paths = ["gen/a.h", "depot/x.go", "src/a.rs"].map(str::to_owned);
        let out = explain(&set, &paths);
        assert_eq!(
            out[0].annotations_unread,
            Some(Unread::Unless("gen/**".to_owned()))
        );
        assert!(out[1].annotation_external && !out[0].annotation_external);
        let text = render_human(&out);
        assert!(text.contains("gen/a.h\n  its LINT blocks are not read: `settings.annotation_unless` matches `gen/**`\n"), "{text}");
        assert!(
            text.contains("depot/x.go\n  an annotation target outside this repository"),
            "{text}"
        );
        assert!(
            text.contains("src/a.rs\n  no rule mentions this path\n"),
            "{text}"
        );
    }
}
