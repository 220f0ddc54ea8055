//! `lockstep init`: a starter rule set for a repository, from its tracked files.
//!
//! [`detect`] looks at the paths for layouts the built-in packs cover and for folders
//! that look like docs, SDKs, dashboards, runbooks and changelogs; [`render`] writes a
//! commented `lockstep.toml` that extends the packs that fit and sketches rules for the
//! artifacts it found, using the repository's own paths.

mod template;

pub use template::render;

use crate::config::{ConfigSource, NoFiles, load};
use crate::rules::RuleSet;
use crate::validate::validate;

/// The starter rule set for a repository with these tracked paths: [`detect`], then
/// keep only the packs that validate cleanly here (a pack whose rules would be
/// shadowed or trigger on their own companions in this layout is left out), then
/// [`render`].
pub fn starter(paths: &[String]) -> String {
    let mut layout = detect(paths);
    let packs = std::mem::take(&mut layout.packs);
    for pack in packs {
        let alone = Layout {
            packs: vec![pack.clone()],
            ..Layout::default()
        };
        if validates_cleanly(&render(&alone), paths) {
            layout.packs.push(pack);
        }
    }
    render(&layout)
}

fn validates_cleanly(text: &str, paths: &[String]) -> bool {
    let source = ConfigSource::new("lockstep.toml", text);
    let Ok(config) = load(&NoFiles, Some(source)) else {
        return false;
    };
    let Ok(rules) = RuleSet::compile(config.clone()) else {
        return false;
    };
    validate(&config, &rules, Some(paths)).is_empty()
}

/// What the repository looks like.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// Built-in packs that fit, each with the evidence (a tracked path).
    pub packs: Vec<(&'static str, String)>,
    /// Top-level folders that hold code.
    pub code: Vec<String>,
    /// Artifact folders (or files) by kind: docs, sdk, dashboard, runbook, changelog.
    pub artifacts: Vec<(&'static str, String)>,
    /// Artifacts named after the code units they describe, e.g. `services/payments/`
    /// and `dashboards/payments.json`.
    pub pairs: Vec<Pair>,
}

/// A code unit folder and an artifact that share a name, as globs with a `{name}`
/// capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub kind: &'static str,
    /// e.g. `services/{name}/**`
    pub code: String,
    /// e.g. `dashboards/{name}.json`
    pub artifact: String,
    /// The names found on both sides.
    pub names: Vec<String>,
}

/// Folders whose subfolders are units (services, packages) that artifacts may be named
/// after.
const UNIT_DIRS: [&str; 6] = ["services", "packages", "apps", "cmd", "crates", "modules"];

const CODE_DIRS: [&str; 11] = [
    "src", "lib", "pkg", "cmd", "crates", "services", "internal", "app", "api", "proto", "packages",
];

const LOCKFILES: [&str; 6] = [
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "bun.lockb",
];

/// Inspects the tracked paths (sorted or not).
pub fn detect(paths: &[String]) -> Layout {
    let mut layout = Layout::default();
    detect_packs(paths, &mut layout);
    for dir in CODE_DIRS {
        if paths.iter().any(|p| p.starts_with(&format!("{dir}/"))) {
            layout.code.push(format!("{dir}/**"));
        }
    }
    detect_artifacts(paths, &mut layout);
    layout.pairs = detect_pairs(paths, &layout.artifacts);
    layout
}

fn detect_pairs(paths: &[String], artifacts: &[(&'static str, String)]) -> Vec<Pair> {
    let mut pairs = Vec::new();
    for unit_dir in UNIT_DIRS {
        let units: std::collections::BTreeSet<&str> = paths
            .iter()
            .filter_map(|p| p.strip_prefix(unit_dir)?.strip_prefix('/'))
            .filter_map(|rest| rest.split_once('/').map(|(name, _)| name))
            .collect();
        for (kind, glob) in artifacts {
            let Some(dir) = glob.split("/**").next().filter(|d| *d != glob) else {
                continue;
            };
            let mut names = Vec::new();
            let mut pattern = None;
            for path in paths {
                let Some(rest) = path.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) else {
                    continue;
                };
                let (name, shape) = match rest.split_once('/') {
                    Some((name, _)) => (name, format!("{dir}/{{name}}/**")),
                    None => match rest.rsplit_once('.') {
                        Some((stem, ext)) => (stem, format!("{dir}/{{name}}.{ext}")),
                        None => continue,
                    },
                };
                if units.contains(name) && !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                    pattern.get_or_insert(shape);
                }
            }
            if let Some(artifact) = pattern {
                pairs.push(Pair {
                    kind,
                    code: format!("{unit_dir}/{{name}}/**"),
                    artifact,
                    names,
                });
            }
        }
    }
    pairs
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn find(paths: &[String], test: impl Fn(&str) -> bool) -> Option<&String> {
    paths.iter().find(|p| test(p))
}

fn detect_packs(paths: &[String], layout: &mut Layout) {
    let mut add = |pack: &'static str, evidence: Option<&String>| {
        if let Some(path) = evidence {
            layout.packs.push((pack, path.clone()));
        }
    };
    let changelog = find(paths, |p| {
        matches!(p, "CHANGELOG.md" | "CHANGES.md")
            || p.starts_with("changelog.d/")
            || p.starts_with(".changeset/")
    });
    let has_code = paths.iter().any(|p| {
        ["src/", "lib/", "pkg/", "crates/", "cmd/"]
            .iter()
            .any(|d| p.starts_with(d))
    });
    add("changelog", changelog.filter(|_| has_code));
    let cargo_lock = paths.iter().any(|p| file_name(p) == "Cargo.lock");
    add(
        "rust",
        find(paths, |p| file_name(p) == "Cargo.toml").filter(|_| cargo_lock),
    );
    let node_lock = paths.iter().any(|p| LOCKFILES.contains(&file_name(p)));
    let package = find(paths, |p| {
        file_name(p) == "package.json" && !p.contains("node_modules/")
    });
    add("node", package.filter(|_| node_lock));
    add(
        "openapi",
        find(paths, |p| {
            let name = file_name(p);
            (name.starts_with("openapi.") || name.starts_with("swagger."))
                && [".yaml", ".yml", ".json"].iter().any(|e| name.ends_with(e))
        }),
    );
    add("protobuf", find(paths, |p| p.ends_with(".proto")));
    add(
        "migrations",
        find(paths, |p| {
            p.contains("migrations/") || p.starts_with("db/migrate/")
        }),
    );
    add("terraform", find(paths, |p| p.ends_with(".tf")));
}

fn detect_artifacts(paths: &[String], layout: &mut Layout) {
    let kinds: [(&'static str, &[&str]); 3] = [
        ("docs", &["docs", "doc", "documentation"]),
        ("sdk", &["sdk", "sdks", "clients"]),
        (
            "runbook",
            &["runbooks", "runbook", "docs/runbooks", "ops/runbooks"],
        ),
    ];
    for (kind, dirs) in kinds {
        for dir in dirs {
            if paths.iter().any(|p| p.starts_with(&format!("{dir}/"))) {
                layout.artifacts.push((kind, format!("{dir}/**")));
            }
        }
    }
    for dir in [
        "dashboards",
        "grafana",
        "monitoring/dashboards",
        "ops/dashboards",
    ] {
        if paths
            .iter()
            .any(|p| p.starts_with(&format!("{dir}/")) && p.ends_with(".json"))
        {
            layout
                .artifacts
                .push(("dashboard", format!("{dir}/**/*.json")));
        }
    }
    if let Some(changelog) = find(paths, |p| {
        matches!(p, "CHANGELOG.md" | "CHANGES.md" | "HISTORY.md")
    }) {
        layout.artifacts.push(("changelog", changelog.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &[&str]) -> Vec<String> {
        list.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn a_rust_service_gets_the_rust_and_changelog_packs() {
        let layout = detect(&paths(&[
            "Cargo.toml",
            "Cargo.lock",
            "src/main.rs",
            "CHANGELOG.md",
            "docs/api.md",
            "grafana/service.json",
            "runbooks/oncall.md",
        ]));
        let packs: Vec<_> = layout.packs.iter().map(|p| p.0).collect();
        assert_eq!(packs, ["changelog", "rust"]);
        assert_eq!(layout.code, ["src/**"]);
        let kinds: Vec<_> = layout.artifacts.iter().map(|a| a.0).collect();
        assert_eq!(kinds, ["docs", "runbook", "dashboard", "changelog"]);
    }

    #[test]
    fn artifacts_named_after_services_are_paired_with_a_capture() {
        let layout = detect(&paths(&[
            "services/payments/main.go",
            "services/billing/main.go",
            "dashboards/payments.json",
            "dashboards/overview.json",
            "runbooks/billing/oncall.md",
        ]));
        let pairs: Vec<_> = layout
            .pairs
            .iter()
            .map(|p| {
                (
                    p.kind,
                    p.code.as_str(),
                    p.artifact.as_str(),
                    p.names.clone(),
                )
            })
            .collect();
        assert_eq!(
            pairs,
            [
                (
                    "runbook",
                    "services/{name}/**",
                    "runbooks/{name}/**",
                    vec!["billing".to_owned()]
                ),
                (
                    "dashboard",
                    "services/{name}/**",
                    "dashboards/{name}.json",
                    vec!["payments".to_owned()]
                ),
            ]
        );
    }

    #[test]
    fn packs_that_would_not_validate_here_are_left_out() {
        // The only spec is a copy inside docs/, which the openapi pack ignores: its rules
        // would be shadowed.
        let tracked = paths(&["docs/openapi.yaml", "proto/a.proto", "gen/a.pb.go"]);
        assert_eq!(detect(&tracked).packs.len(), 2);
        let text = starter(&tracked);
        assert!(text.contains("builtin:protobuf"), "{text}");
        assert!(!text.contains("builtin:openapi"), "{text}");
    }

    #[test]
    fn a_package_json_without_a_lockfile_is_not_a_node_project_to_lock() {
        let layout = detect(&paths(&["package.json", "index.js"]));
        assert!(layout.packs.is_empty());
    }
}
