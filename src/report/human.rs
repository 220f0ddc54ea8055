//! `--format human`: one miette diagnostic each, with a snippet of the rule set where
//! there is one (a rule's definition, a setting), then the notes and a one-line summary.

use std::io::{self, Write};

use super::{Listing, Style, render_diagnostic};
use crate::diagnostic::Drawn;

pub fn render(listing: &Listing, style: Style, out: &mut dyn Write) -> io::Result<()> {
    for diagnostic in &listing.diagnostics {
        writeln!(
            out,
            "{}",
            render_diagnostic(&Drawn::new(diagnostic), style.color, style.width)
        )?;
    }
    write!(out, "{}", listing.notes)?;
    writeln!(out, "lockstep: {}", listing.summary)
}
