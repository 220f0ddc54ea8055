//! `lockstep schema` (hidden): prints the JSON schema of `lockstep.toml`, the source of
//! the committed `lockstep.schema.json`.

use std::io::{self, Write};

use miette::IntoDiagnostic;

use super::ExitStatus;

pub fn run() -> miette::Result<ExitStatus> {
    io::stdout()
        .lock()
        .write_all(crate::schema::json().as_bytes())
        .into_diagnostic()?;
    Ok(ExitStatus::Success)
}
