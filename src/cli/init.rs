//! `lockstep init [--force]`: write a starter `lockstep.toml` for this repository.

use std::path::PathBuf;

use clap::Args;
use miette::{Diagnostic, IntoDiagnostic, WrapErr};

use super::{Context, ExitStatus};
use crate::config::{ConfigSource, FILE_NAMES, WorkTreeFiles, load};
use crate::git::{GitError, Repo};
use crate::init::{fitting, read_history, render};
use crate::rules::RuleSet;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite an existing rule set.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("a rule set already exists: `{path}`")]
#[diagnostic(
    code(lockstep::init::exists),
    help("`lockstep init --force` overwrites it; `lockstep validate` checks the one you have")
)]
struct Exists {
    path: String,
}

pub fn run(args: &InitArgs, context: &Context) -> miette::Result<ExitStatus> {
    let repo = Repo::discover(&context.dir)?;
    let root = repo
        .workdir()
        .ok_or_else(|| GitError::Bare {
            what: "`lockstep init`".to_owned(),
            help: "init reads the tracked files and writes `lockstep.toml` into a work tree: run it in a clone of this repository (`git clone` it), then commit and push the file".to_owned(),
        })?
        .to_path_buf();
    let existing = FILE_NAMES.iter().find(|name| root.join(name).exists());
    if let Some(name) = existing
        && !args.force
    {
        return Err(Exists {
            path: (*name).to_owned(),
        }
        .into());
    }
    let tracked = repo.tracked_paths()?;
    let mut layout = fitting(&tracked);
    read_history(&repo, &mut layout)?;
    let text = render(&layout);
    // The starter must load and compile; a failure here is a bug worth reporting.
    let source = ConfigSource::new("lockstep.toml", text.clone());
    let rules = RuleSet::compile(load(&WorkTreeFiles(root.clone()), Some(source))?)?;
    let name = existing.copied().unwrap_or("lockstep.toml");
    let target: PathBuf = root.join(name);
    std::fs::write(&target, &text)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write `{}`", target.display()))?;
    let count = rules.rules.len();
    eprintln!(
        "lockstep: wrote {name}: {count} active rule{} from built-in packs ({} tracked files inspected); next: `lockstep validate`",
        if count == 1 { "" } else { "s" },
        tracked.len(),
    );
    if let Some(reading) = &layout.history {
        for figure in &reading.packs {
            let verdict = if figure.followed() {
                "enabled"
            } else {
                "left out"
            };
            eprintln!(
                "lockstep: builtin:{} {verdict}: {}",
                figure.pack,
                reading.describe(figure)
            );
        }
        let count = reading.candidates.len();
        if count > 0 {
            eprintln!(
                "lockstep: {count} candidate rule{} from history appended, commented out",
                if count == 1 { "" } else { "s" }
            );
        }
    }
    Ok(ExitStatus::Success)
}
