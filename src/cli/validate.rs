//! `lockstep validate`: the rule set's own problems, and those the repository reveals.

use std::path::PathBuf;

use clap::Args;

use super::check::Deny;
use super::output::print;
use super::rule_set::{Snapshot, load_config, load_config_file};
use super::{Context, ExitStatus};
use crate::annotations::{self, ScanReport};
use crate::config::Severity;
use crate::diagnostic::{Diagnostic, Drawn};
use crate::git::{GitError, Repo};
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
    let repo = match Repo::discover(&context.dir) {
        Ok(repo) => Some(repo),
        // A rule set named by `--config` can be checked on its own.
        Err(GitError::NotARepository { .. }) if args.config.is_some() => None,
        Err(e) => return Err(e.into()),
    };
    let (issues, notes, counts) = match &repo {
        Some(repo) => in_repository(repo, args, context)?,
        None => on_its_own(args, context)?,
    };
    let text = render(&issues, &notes, context.color, counts);
    print(&context.dir, None, &text)?;
    let deny_warnings = args.deny == Some(Deny::Warnings);
    let fails = issues.iter().any(|i| i.fails(deny_warnings));
    Ok(if fails {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// The issues, notes and `(rules, tracked files)` counts of a validation; no file count
/// outside a repository.
type Validation = (Vec<Diagnostic>, String, (usize, Option<usize>));

fn in_repository(
    repo: &Repo,
    args: &ValidateArgs,
    context: &Context,
) -> miette::Result<Validation> {
    let config = load_config(
        repo,
        &context.dir,
        args.config.as_deref(),
        Snapshot::current(repo),
    )?;
    let rules = RuleSet::compile(config.clone())?;
    let tracked = repo.tracked_paths()?;
    let mut issues = validate(&config, &rules, Some(&tracked));
    let mut notes = String::new();
    if rules.settings.annotations {
        let scan = annotations::scan(repo, &rules.settings.annotation)?;
        notes = not_checked(&scan);
        issues.extend(scan.problems.into_iter().map(Diagnostic::from));
    }
    Ok((issues, notes, (rules.rules.len(), Some(tracked.len()))))
}

/// Outside a repository: the rule set itself (its syntax, keys, globs, regexes, rules
/// that can never pass), with files it `extends` read from the current directory.
fn on_its_own(args: &ValidateArgs, context: &Context) -> miette::Result<Validation> {
    let config = load_config_file(&context.dir, args.config.as_deref())?;
    let rules = RuleSet::compile(config.clone())?;
    let issues = validate(&config, &rules, None);
    let notes = "not checked outside a git repository: globs and companions against \
                 tracked files, and LINT blocks\n"
        .to_owned();
    Ok((issues, notes, (rules.rules.len(), None)))
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
/// tracked files)`.
pub fn render(
    issues: &[Diagnostic],
    notes: &str,
    color: bool,
    (rules, files): (usize, Option<usize>),
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
    let against = files.map_or(String::new(), |files| {
        format!(" against {files} tracked {}", plural(files, "file"))
    });
    out.push_str(&format!(
        "lockstep: {} {}, {} {} ({} {} checked{against})\n",
        errors,
        plural(errors, "error"),
        warnings,
        plural(warnings, "warning"),
        rules,
        plural(rules, "rule"),
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
