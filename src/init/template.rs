//! The starter `lockstep.toml` text.

use std::fmt::Write;

use super::Layout;

/// What each pack is picked for, shown next to it.
fn pack_reason(pack: &str) -> &'static str {
    match pack {
        "changelog" => "source changes need a CHANGELOG entry",
        "rust" => "Cargo.toml dependency edits need Cargo.lock",
        "node" => "package.json dependency edits need the lockfile",
        "openapi" => "spec changes need regenerated clients and docs",
        "protobuf" => ".proto changes need generated code and docs",
        "migrations" => "model changes need a new migration",
        "terraform" => "infrastructure changes need module docs and runbooks",
        _ => "",
    }
}

/// A sketch per artifact kind: id, description, severity.
fn sketch(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "docs" => ("docs", "Code changes are reflected in the docs"),
        "sdk" => ("sdk", "API changes reach the SDKs"),
        "dashboard" => ("dashboards", "Metric changes reach the dashboards"),
        "runbook" => ("runbooks", "Operational changes reach the runbooks"),
        _ => ("changelog-entry", "Changes are recorded in the changelog"),
    }
}

/// The starter rule set for `layout`. Active content is only what the packs check; the
/// artifact rules are commented sketches, since only people know which code an artifact
/// describes.
pub fn render(layout: &Layout) -> String {
    let mut out = String::new();
    out.push_str(
        "# lockstep.toml — which files must change together. Written by `lockstep init`;\n\
         # edit it freely, then run `lockstep validate`. Every key is described in the README\n\
         # (\"Rule set\"); `lockstep explain PATH` shows what a path triggers.\n\
         version = 1\n\n",
    );
    if layout.packs.is_empty() {
        out.push_str(
            "# No built-in rule pack fits this repository (see README, \"Rule packs\").\n",
        );
        out.push_str("extends = []\n");
    } else {
        out.push_str("# Built-in rule packs that fit this repository (README, \"Rule packs\").\n");
        out.push_str("extends = [\n");
        for (pack, evidence) in &layout.packs {
            let entry = format!("\"builtin:{pack}\",");
            let _ = writeln!(
                out,
                "  {entry:<22} # {}; found {evidence}",
                pack_reason(pack)
            );
        }
        out.push_str("]\n");
    }
    out.push_str(
        "\n[settings]\n\
         # default_severity = \"error\"   # for rules that name none: error | warning | info\n\
         # To turn a pack's rule off, list its id here; to change it, redefine a rule with the\n\
         # same id in this file (it replaces the pack's).\n",
    );
    let example = layout
        .packs
        .first()
        .map(|(pack, _)| first_rule_id(pack))
        .unwrap_or("changelog");
    let _ = writeln!(out, "# disable = [\"{example}\"]");
    sketches(layout, &mut out);
    out
}

fn first_rule_id(pack: &str) -> &'static str {
    match pack {
        "rust" => "rust-lockfile",
        "node" => "node-lockfile",
        "openapi" => "openapi-docs",
        "protobuf" => "protobuf-docs",
        "migrations" => "migrations",
        "terraform" => "terraform-runbook",
        _ => "changelog",
    }
}

fn sketches(layout: &Layout, out: &mut String) {
    let mut kinds: Vec<&str> = Vec::new();
    for (kind, _) in &layout.artifacts {
        let covered = *kind == "changelog" && has_pack(layout, "changelog");
        if !covered && !kinds.contains(kind) {
            kinds.push(kind);
        }
    }
    if kinds.is_empty() {
        return;
    }
    out.push_str(
        "\n# Artifacts found in this repository. Each sketch is a rule: uncomment it and narrow\n\
         # `when` to the code the artifact describes (`{name}` captures pair files up, e.g.\n\
         # `services/{svc}/**` with `dashboards/{svc}.json`).\n",
    );
    let when = if layout.code.is_empty() {
        "\"src/**\"".to_owned()
    } else {
        quoted(&layout.code)
    };
    for kind in kinds {
        let paths: Vec<String> = layout
            .artifacts
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, p)| p.clone())
            .collect();
        let (id, description) = sketch(kind);
        if let Some(pair) = layout.pairs.iter().find(|p| p.kind == kind) {
            let _ = write!(
                out,
                "\n# {kind}: {} — named after their code ({})\n\
                 # [[rule]]\n\
                 # id = \"{id}\"\n\
                 # description = \"{description}\"\n\
                 # when = [\"{}\"]\n\
                 # severity = \"warning\"\n\
                 # then = [{{ kind = \"{kind}\", paths = [\"{}\"] }}]\n",
                paths.join(", "),
                pair.names.join(", "),
                pair.code,
                pair.artifact
            );
            continue;
        }
        let _ = write!(
            out,
            "\n# {kind}: {}\n\
             # [[rule]]\n\
             # id = \"{id}\"\n\
             # description = \"{description}\"\n\
             # when = [{when}]\n\
             # severity = \"warning\"\n\
             # then = [{{ kind = \"{kind}\", paths = [{}] }}]\n",
            paths.join(", "),
            quoted(&paths)
        );
    }
}

fn has_pack(layout: &Layout, name: &str) -> bool {
    layout.packs.iter().any(|(p, _)| *p == name)
}

fn quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("\"{i}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
