//! `lockstep validate`: the rule set's own problems, and those the repository reveals.

use std::path::PathBuf;

use clap::Args;

use super::check::Deny;
use super::output::print;
use super::rule_set::{Snapshot, load_config};
use super::{Context, ExitStatus};
use crate::annotations::{self, ScanReport};
use crate::config::Severity;
use crate::diagnostic::{Diagnostic, Drawn};
use crate::git::Repo;
use crate::report::render_diagnostic;
use crate::rules::RuleSet;
use crate::validate::validate;

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
    let mut notes = String::new();
    if rules.settings.annotations {
        let scan = annotations::scan(&repo, &rules.settings.annotation)?;
        notes = not_checked(&scan);
        issues.extend(scan.problems.into_iter().map(Diagnostic::from));
    }
    let text = render(
        &issues,
        &notes,
        context.color,
        (rules.rules.len(), tracked.len()),
    );
    print(&context.dir, None, &text)?;
    let deny_warnings = args.deny == Some(Deny::Warnings);
    let fails = issues.iter().any(|i| i.fails(deny_warnings));
    Ok(if fails {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// What the annotation settings set aside: files whose blocks are not read, and targets
/// outside the repository, which nothing checks.
fn not_checked(scan: &ScanReport) -> String {
    let mut out = String::new();
    if !scan.unread.is_empty() {
        out.push_str(&format!(
            "not read: the LINT blocks of {} {}\n",
            scan.unread.len(),
            plural(scan.unread.len(), "file")
        ));
        for (path, why) in &scan.unread {
            out.push_str(&format!("  {path}: {why}\n"));
        }
    }
    if !scan.external.is_empty() {
        out.push_str(&format!(
            "not checked: {} annotation {} outside this repository\n",
            scan.external.len(),
            plural(scan.external.len(), "target")
        ));
        for external in &scan.external {
            out.push_str(&format!(
                "  {}:{}: {}\n",
                external.path, external.line, external.target
            ));
        }
    }
    out
}

/// Every issue as a miette report, the notes, then one summary line counting `(rules,
/// files)`.
pub fn render(
    issues: &[Diagnostic],
    notes: &str,
    color: bool,
    (rules, files): (usize, usize),
) -> String {
    let mut out = String::new();
    for issue in issues {
        out.push_str(&render_diagnostic(&Drawn::new(issue), color, 100));
        out.push('\n');
    }
    out.push_str(notes);
    let errors = issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .count();
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
