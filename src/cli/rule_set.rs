//! Loading and compiling the rule set for a command.

use std::path::Path;

use clap::ValueEnum;
use miette::{IntoDiagnostic, WrapErr};

use crate::config::{Config, ConfigFiles, ConfigSource, WorkTreeFiles, load};
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

/// Reads `--config PATH` (relative to `dir`) or discovers the rule set in `from`, with
/// every file it extends; problems are reported when it is compiled.
pub fn load_config(
    repo: &Repo,
    dir: &Path,
    explicit: Option<&Path>,
    from: Snapshot,
) -> miette::Result<Config> {
    let explicit = explicit.map(|path| read_explicit(dir, path)).transpose()?;
    Ok(load(config_files(repo, from)?.as_ref(), explicit)?)
}

/// `--config PATH` outside any repository: the files it extends are read from `dir`.
pub fn load_config_file(dir: &Path, explicit: Option<&Path>) -> miette::Result<Config> {
    let explicit = explicit.map(|path| read_explicit(dir, path)).transpose()?;
    Ok(load(&WorkTreeFiles(dir.to_path_buf()), explicit)?)
}

fn read_explicit(dir: &Path, path: &Path) -> miette::Result<ConfigSource> {
    let text = std::fs::read_to_string(dir.join(path))
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the rule set `{}`", path.display()))?;
    Ok(ConfigSource::new(path.display().to_string(), text))
}

/// [`load_config`], compiled.
pub fn load_rule_set(
    repo: &Repo,
    dir: &Path,
    explicit: Option<&Path>,
    from: Snapshot,
) -> miette::Result<RuleSet> {
    Ok(RuleSet::compile(load_config(repo, dir, explicit, from)?)?)
}

/// The repository lockstep runs in and its current rule set (the work tree's, or HEAD's
/// in a bare repository): what every command that is not about one diff starts from.
pub fn open_current(dir: &Path, explicit: Option<&Path>) -> miette::Result<(Repo, RuleSet)> {
    let repo = Repo::discover(dir)?;
    let rules = load_rule_set(&repo, dir, explicit, Snapshot::current(&repo))?;
    Ok((repo, rules))
}

/// The files of a snapshot, for the config loader.
pub fn config_files<'r>(
    repo: &'r Repo,
    from: Snapshot,
) -> miette::Result<Box<dyn ConfigFiles + 'r>> {
    Ok(match from {
        Snapshot::WorkTree(root) => Box::new(WorkTreeFiles(root.to_path_buf())),
        Snapshot::Revision(rev) => Box::new(repo.files_at(rev)?),
    })
}

/// A resolved place to read files from.
#[derive(Debug, Clone, Copy)]
pub enum Snapshot<'a> {
    WorkTree(&'a Path),
    /// A commit, by any name git accepts.
    Revision(&'a str),
}

impl<'a> Snapshot<'a> {
    /// The work tree, or HEAD in a bare repository.
    pub fn current(repo: &'a Repo) -> Snapshot<'a> {
        repo.workdir()
            .map_or(Snapshot::Revision("HEAD"), Snapshot::WorkTree)
    }
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("unknown rule id{} {}", if .ids.len() == 1 { "" } else { "s" }, .ids.join(", "))]
#[diagnostic(
    code(lockstep::usage::unknown_rule),
    help("`--rule` takes ids defined in the rule set: {known}")
)]
struct UnknownRule {
    ids: Vec<String>,
    known: String,
}

/// Applies `--rule ID…` (nothing when empty); unknown ids are a usage error.
pub fn select_rules(rules: &mut RuleSet, ids: &[String]) -> miette::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let unknown = rules.retain_ids(ids);
    if unknown.is_empty() {
        return Ok(());
    }
    let known = rules
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    Err(UnknownRule {
        ids: unknown,
        known,
    }
    .into())
}
