//! `lockstep validate`: the rule set's own problems, and those the repository reveals.

use std::path::PathBuf;

use clap::Args;

use super::check::Deny;
use super::output::print;
use super::rule_set::{Snapshot, load_config};
use super::{Context, ExitStatus};
use crate::annotations;
use crate::git::Repo;
use crate::report::render_diagnostic;
use crate::rules::RuleSet;
use crate::validate::{Issue, Level, validate};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Read the rule set from this file instead of discovering it.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Fail on warnings too.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<Deny>,
}

pub fn run(args: &ValidateArgs, context: &Context) -> miette::Result<ExitStatus> {
    let repo = Repo::discover(&context.dir)?;
    let config = load_config(
        &repo,
        &context.dir,
        args.config.as_deref(),
        Snapshot::current(&repo),
    )?;
    let rules = RuleSet::compile(config.clone())?;
    let tracked = repo.tracked_paths()?;
    let mut issues = validate(&config, &rules, &tracked);
    if rules.settings.annotations {
        let scan = annotations::scan(&repo)?;
        issues.extend(
            scan.problems
                .into_iter()
                .map(|p| Issue::from_diagnostic(Level::Error, Box::new(p))),
        );
    }
    let text = render(&issues, context.color, rules.rules.len(), tracked.len());
    print(&context.dir, None, &text)?;
    let deny_warnings = args.deny == Some(Deny::Warnings);
    let fails = issues
        .iter()
        .any(|i| i.level == Level::Error || deny_warnings);
    Ok(if fails {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// Every issue as a miette report, then one summary line.
pub fn render(issues: &[Issue], color: bool, rules: usize, files: usize) -> String {
    let mut out = String::new();
    for issue in issues {
        out.push_str(&render_diagnostic(issue, color, 100));
        out.push('\n');
    }
    let errors = issues.iter().filter(|i| i.level == Level::Error).count();
    let warnings = issues.len() - errors;
    out.push_str(&format!(
        "lockstep: {} {}, {} {} ({} {} checked against {} tracked {})\n",
        errors,
        plural(errors, "error"),
        warnings,
        plural(warnings, "warning"),
        rules,
        plural(rules, "rule"),
        files,
        plural(files, "file"),
    ));
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}
