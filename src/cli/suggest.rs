//! `lockstep suggest`: propose rules from how files changed together in history.

use std::path::PathBuf;

use clap::{Args, value_parser};

use super::output::write_output;
use super::rule_set::{Snapshot, config_files, load_rule_set};
use super::{Context, ExitStatus};
use crate::config::load;
use crate::day::Day;
use crate::git::Repo;
use crate::rules::RuleSet;
use crate::suggest::{Format, Options, analyse, render, walk};

#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// Mine commits from DATE (YYYY-MM-DD or an age such as `6 months ago`, UTC)
    /// [default: a year before HEAD's commit date].
    #[arg(long, value_name = "DATE", value_parser = Day::parse_arg)]
    pub since: Option<Day>,

    /// Suggest a rule only when both sides changed together at least N times.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = value_parser!(u32).range(1..))]
    pub min_support: u32,

    /// Suggest A → B only when B changed in at least this share of A's changes (0..=1).
    #[arg(long, value_name = "F", default_value_t = 0.6, value_parser = confidence)]
    pub min_confidence: f64,

    /// Group files by their first N directories.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = value_parser!(u32).range(1..))]
    pub depth: u32,

    /// Leave out commits touching more than N files (reformats, vendoring, mass renames).
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = value_parser!(u32).range(1..))]
    pub max_changeset: u32,

    /// Count commits by bots too (dependabot, renovate, `[bot]` accounts), left out by
    /// default.
    #[arg(long)]
    pub include_bots: bool,

    /// Count version bumps too ("chore: Bump versions", "Bump serde to 1.0.200": a
    /// subject starting with "bump" or "version bump"), left out by default.
    #[arg(long)]
    pub include_bumps: bool,

    /// Print at most N suggestions, the strongest first.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: u32,

    /// Read the current rule set from this file instead of discovering it.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Toml)]
    pub format: Format,
}

fn confidence(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|f| (0.0..=1.0).contains(f))
        .ok_or_else(|| format!("`{text}` is not a share between 0 and 1, e.g. 0.6"))
}

impl SuggestArgs {
    fn options(&self) -> Options {
        Options {
            since: self.since,
            min_support: self.min_support,
            min_confidence: self.min_confidence,
            depth: self.depth as usize,
            max_changeset: self.max_changeset as usize,
            limit: self.limit as usize,
            include_bots: self.include_bots,
            include_bumps: self.include_bumps,
        }
    }
}

pub fn run(args: &SuggestArgs, context: &Context) -> miette::Result<ExitStatus> {
    let repo = Repo::discover(&context.dir)?;
    let rules = current_rules(&repo, args, context)?;
    let options = args.options();
    let history = walk(&repo, rules.as_ref(), &options)?;
    let suggestions = analyse(&history, rules.as_ref(), &options);
    write_output(&context.dir, None, |out| {
        render(&suggestions, args.format, out)
    })?;
    Ok(ExitStatus::Success)
}

/// The rule set to compare against: `--config`, else the one in the work tree (HEAD in
/// a bare repository), else none — suggest works on unconfigured repositories too.
fn current_rules(
    repo: &Repo,
    args: &SuggestArgs,
    context: &Context,
) -> miette::Result<Option<RuleSet>> {
    if let Some(path) = &args.config {
        return load_rule_set(repo, &context.dir, Some(path), Snapshot::current(repo)).map(Some);
    }
    if repo.workdir().is_none() && repo.head()?.is_none() {
        return Ok(None);
    }
    match load(config_files(repo, Snapshot::current(repo))?.as_ref(), None) {
        Ok(config) => Ok(Some(RuleSet::compile(config)?)),
        Err(errors) if errors.errors.iter().all(|e| e.code == "not-found") => Ok(None),
        Err(errors) => Err(errors.into()),
    }
}
