//! `lockstep audit merge FILE…`: read JSON audits back and combine them.

use std::path::{Path, PathBuf};

use miette::{IntoDiagnostic, WrapErr};

use super::Context;
use crate::audit::Audit;
use crate::audit::format::json::Json;
use crate::audit::merge::{Part, merge};

/// Reads each JSON audit in `files` and merges them into one.
pub fn run(files: &[PathBuf], context: &Context) -> miette::Result<Audit> {
    let parts = files
        .iter()
        .map(|file| read(&context.dir.join(file)))
        .collect::<miette::Result<Vec<Part>>>()?;
    Ok(merge(parts))
}

fn read(path: &Path) -> miette::Result<Part> {
    let text = std::fs::read_to_string(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the audit `{}`", path.display()))?;
    let json: Json = serde_json::from_str(&text)
        .into_diagnostic()
        .wrap_err_with(|| {
            format!(
                "`{}` is not a JSON audit (write one with `lockstep audit --format json -o FILE`)",
                path.display()
            )
        })?;
    if json.version != 1 {
        miette::bail!(
            help = "audit it again with this version of lockstep",
            "`{}` is a version {} audit; this lockstep reads version 1",
            path.display(),
            json.version
        );
    }
    let repository = json.repository.clone().unwrap_or_else(|| {
        path.file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
    });
    Ok(Part { repository, json })
}
