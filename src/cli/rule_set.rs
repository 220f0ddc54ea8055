//! Loading and compiling the rule set for a command.

use std::path::Path;

use clap::ValueEnum;
use miette::{IntoDiagnostic, WrapErr};

use crate::config::{ConfigFiles, ConfigSource, WorkTreeFiles, load};
use crate::git::Repo;
use crate::rules::RuleSet;

/// Which snapshot of the repository the rule set is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConfigFrom {
    /// The base of the diff, so a change cannot weaken the rules it is checked against.
    Base,
    /// The head of the diff.
    Head,
    /// The files in the work tree.
    Worktree,
}

/// Reads `--config PATH` (relative to `dir`) or discovers the rule set in `from`.
pub fn load_rule_set(
    repo: &Repo,
    dir: &Path,
    explicit: Option<&Path>,
    from: Snapshot,
) -> miette::Result<RuleSet> {
    let explicit = explicit
        .map(|path| {
            let text = std::fs::read_to_string(dir.join(path))
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot read the rule set `{}`", path.display()))?;
            Ok::<_, miette::Report>(ConfigSource::new(path.display().to_string(), text))
        })
        .transpose()?;
    let files: Box<dyn ConfigFiles + '_> = match from {
        Snapshot::WorkTree(root) => Box::new(WorkTreeFiles(root.to_path_buf())),
        Snapshot::Revision(rev) => Box::new(repo.files_at(rev)?),
    };
    let config = load(files.as_ref(), explicit)?;
    Ok(RuleSet::compile(config)?)
}

/// A resolved place to read files from.
#[derive(Debug, Clone, Copy)]
pub enum Snapshot<'a> {
    WorkTree(&'a Path),
    /// A commit, by any name git accepts.
    Revision(&'a str),
}
