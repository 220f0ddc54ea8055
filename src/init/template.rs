//! The starter `lockstep.toml` text.

use std::fmt::Write;

use super::{Layout, THRESHOLD};
use crate::suggest::rule_text;

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
    history_note(layout, &mut out);
    if layout.packs.is_empty() {
        out.push_str(
            "# No built-in rule pack fits this repository (see README, \"Rule packs\").\n",
        );
        out.push_str("extends = []\n");
    } else {
        out.push_str("# Built-in rule packs that fit this repository (README, \"Rule packs\").\n");
        out.push_str("extends = [\n");
        for (pack, evidence) in &layout.packs {
            pack_entry(layout, pack, evidence, "  ", &mut out);
        }
        out.push_str("]\n");
    }
    left_out(layout, &mut out);
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
    candidates(layout, &mut out);
    out
}

/// One `extends` entry (`prefix` comments it out), with why it fits and what history
/// says of it.
fn pack_entry(layout: &Layout, pack: &str, evidence: &str, prefix: &str, out: &mut String) {
    let entry = format!("\"builtin:{pack}\",");
    let _ = writeln!(
        out,
        "{prefix}{entry:<22} # {}; found {evidence}",
        pack_reason(pack)
    );
    let reading = layout.history.as_ref();
    if let Some((reading, figure)) =
        reading.and_then(|r| Some((r, r.packs.iter().find(|f| f.pack == pack)?)))
    {
        let _ = writeln!(out, "{prefix}{:<22} #   {}", "", reading.describe(figure));
    }
}

fn history_note(layout: &Layout, out: &mut String) {
    let Some(reading) = &layout.history else {
        return;
    };
    if reading.shallow {
        out.push_str(
            "# This clone is shallow: older history is missing (`git fetch --unshallow`).\n",
        );
    }
    if reading.units == 0 {
        out.push_str("# No commit to read: packs are picked from the tracked files alone.\n");
        return;
    }
    let since = reading.since.to_date();
    let _ = writeln!(
        out,
        "# A pack is enabled when its companions changed with its triggers in at least {:.0}% of\n\
         # its cases since {since}, {} commit{} (`lockstep audit --since {since}` lists them).",
        THRESHOLD * 100.0,
        reading.units,
        if reading.units == 1 { "" } else { "s" },
    );
}

/// The packs that fit the layout but not the history, commented out.
fn left_out(layout: &Layout, out: &mut String) {
    let Some(reading) = &layout.history else {
        return;
    };
    let mut unfollowed = reading.packs.iter().filter(|f| !f.followed()).peekable();
    if unfollowed.peek().is_none() {
        return;
    }
    out.push_str("\n# Packs that fit the files but not how this repository changes them:\n");
    for figure in unfollowed {
        pack_entry(layout, figure.pack, &figure.evidence, "# ", out);
    }
}

/// `suggest`'s strongest rules, commented out with their evidence.
fn candidates(layout: &Layout, out: &mut String) {
    let Some(reading) = layout.history.as_ref().filter(|r| !r.candidates.is_empty()) else {
        return;
    };
    let _ = writeln!(
        out,
        "\n# Candidates mined from the commits since {} (`lockstep suggest`), the strongest\n\
         # first: uncomment the ones that describe a real dependency.",
        reading.since.to_date()
    );
    for candidate in &reading.candidates {
        out.push('\n');
        for line in rule_text(candidate).lines() {
            if !line.starts_with('#') {
                out.push_str("# ");
            }
            out.push_str(line);
            out.push('\n');
        }
    }
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
