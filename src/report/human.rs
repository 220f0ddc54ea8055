//! `--format human`: one miette diagnostic each, with a snippet of the rule set where
//! there is one (a rule's definition, a setting) the first time it comes up, then the
//! notes and a one-line summary.

use std::io::{self, Write};
use std::ops::Range;

use super::{Listing, Style, render_diagnostic};
use crate::diagnostic::Drawn;

/// A rule's definition is shown once, with its first finding; the findings after it
/// (other bindings, other commits) say only what differs.
pub fn render(listing: &Listing, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let mut shown: Vec<(&str, Range<usize>)> = Vec::new();
    for diagnostic in &listing.diagnostics {
        let snippet = diagnostic
            .snippet
            .as_ref()
            .map(|(origin, _)| (origin.source.name.as_str(), origin.span.clone()));
        let drawn = match snippet {
            Some(snippet) if shown.contains(&snippet) => Drawn::without_snippet(diagnostic),
            Some(snippet) => {
                shown.push(snippet);
                Drawn::new(diagnostic)
            }
            None => Drawn::new(diagnostic),
        };
        writeln!(
            out,
            "{}",
            render_diagnostic(&drawn, style.color, style.width)
        )?;
    }
    write!(out, "{}", listing.notes)?;
    writeln!(out, "lockstep: {}", listing.summary)
}
