//! Suggestions as a TOML snippet of `[[rule]]` tables ready to paste, or as JSON.

use std::io::{self, Write};

use super::{SuggestedCompanion, Suggestion, Suggestions};

/// The formats of `suggest`; the CLI offers exactly these (`suggest --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `[[rule]]` tables with their evidence as comments, ready to paste.
    Toml,
    Json,
}

pub fn render(suggestions: &Suggestions, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Toml => toml(suggestions, out),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, suggestions)?;
            writeln!(out)
        }
    }
}

fn toml(s: &Suggestions, out: &mut dyn Write) -> io::Result<()> {
    let w = &s.window;
    writeln!(
        out,
        "# lockstep suggest: {} mined from {} commit{} ({} to {}, merges not counted);",
        plural(s.suggestions.len(), "rule"),
        w.commits,
        if w.commits == 1 { "" } else { "s" },
        w.since,
        w.until
    )?;
    writeln!(
        out,
        "# left out: {} larger than --max-changeset, {} by bots (--include-bots) and {} (--include-bumps);",
        plural(w.skipped_large, "commit"),
        w.skipped_bots,
        plural(w.skipped_bumps, "version bump"),
    )?;
    writeln!(
        out,
        "# paths are named as at HEAD (renames followed); files gone by HEAD are left out."
    )?;
    if s.has_rule_set {
        writeln!(
            out,
            "# Review each rule, then paste the ones you keep into your rule set."
        )?;
    } else {
        writeln!(
            out,
            "# Review each rule, then save what you keep as lockstep.toml."
        )?;
        writeln!(out, "version = 1")?;
    }
    if s.suggestions.is_empty() {
        writeln!(
            out,
            "\n# No pair of paths changed together often enough to suggest a rule; try a longer\n# --since, a lower --min-support or --min-confidence, or another --depth."
        )?;
    }
    for suggestion in &s.suggestions {
        writeln!(out)?;
        rule(suggestion, out)?;
    }
    if !s.contradicted.is_empty() {
        writeln!(
            out,
            "\n# History contradicts these rules: they were missed in most of the changes that\n# triggered them, so either the rule or the process is wrong."
        )?;
        for c in &s.contradicted {
            writeln!(
                out,
                "#   {}: missed in {} of {} cases ({} waived, {} not applicable), compliance {:.0}%",
                c.rule,
                c.missed,
                c.triggered - c.waived - c.not_applicable,
                c.waived,
                c.not_applicable,
                c.compliance * 100.0
            )?;
        }
    }
    Ok(())
}

/// One suggestion as its evidence comments and its `[[rule]]` table.
pub fn rule_text(s: &Suggestion) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = rule(s, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn rule(s: &Suggestion, out: &mut dyn Write) -> io::Result<()> {
    let when = s.when.join(", ");
    for companion in &s.then {
        evidence(&when, companion, out)?;
    }
    if !s.unless.is_empty() {
        writeln!(
            out,
            "# unless: {} of {when} with no companion of the same name at HEAD",
            plural(s.unless.len(), "file")
        )?;
    }
    writeln!(out, "[[rule]]")?;
    writeln!(out, "id = {}", quote(&s.id))?;
    writeln!(out, "description = {}", quote(&s.description))?;
    writeln!(out, "when = {}", list(&s.when))?;
    if !s.unless.is_empty() {
        let quoted: Vec<String> = s.unless.iter().map(|u| quote(u)).collect();
        writeln!(out, "unless = [\n    {},\n]", quoted.join(",\n    "))?;
    }
    writeln!(out, "severity = \"warning\"")?;
    let tables: Vec<String> = s
        .then
        .iter()
        .map(|c| {
            format!(
                "{{ kind = {}, paths = {} }}",
                quote(&c.kind),
                list(&c.paths)
            )
        })
        .collect();
    match tables.as_slice() {
        [one] => writeln!(out, "then = [{one}]"),
        _ => writeln!(out, "then = [\n    {},\n]", tables.join(",\n    ")),
    }
}

/// The two comment lines of a companion's evidence.
fn evidence(when: &str, companion: &SuggestedCompanion, out: &mut dyn Write) -> io::Result<()> {
    let e = &companion.evidence;
    let then = companion.paths.join(", ");
    let percent = e.confidence * 100.0;
    match e.names {
        Some(names) => writeln!(
            out,
            "# {} of {} changes to {when} also changed {then} of the same name ({percent:.0}%, {names} names);",
            e.support, e.revisions
        )?,
        None => writeln!(
            out,
            "# {} of {} changes to {when} also changed {then} ({percent:.0}%);",
            e.support, e.revisions
        )?,
    }
    let short = e.example.commit.get(..12).unwrap_or(&e.example.commit);
    let subject: String = e
        .example
        .subject
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    writeln!(
        out,
        "# last together {} in {short} \"{subject}\"",
        e.last_together
    )
}

fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| quote(i)).collect();
    format!("[{}]", quoted.join(", "))
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
