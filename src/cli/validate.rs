//! `lockstep validate`: the rule set's own problems, and those the repository reveals.

use std::path::PathBuf;

use clap::Args;

use super::check::Deny;
use super::output::write_output;
use super::rule_set::{Snapshot, load_config, load_config_file};
use super::{Context, ExitStatus};
use crate::annotations::{self, ScanReport};
use crate::config::Severity;
use crate::diagnostic::Diagnostic;
use crate::git::{GitError, Repo};
use crate::report::{Format, Listing, Style, render_listing};
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

    /// Output format (those of `check`; each problem with its code).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(args: &ValidateArgs, context: &Context) -> miette::Result<ExitStatus> {
    let repo = match Repo::discover(&context.dir) {
        Ok(repo) => Some(repo),
        // A rule set named by `--config` can be checked on its own.
        Err(GitError::NotARepository { .. }) if args.config.is_some() => None,
        Err(e) => return Err(e.into()),
    };
    let Validation {
        issues,
        notes,
        rules,
        tracked,
    } = match &repo {
        Some(repo) => in_repository(repo, args, context)?,
        None => on_its_own(args, context)?,
    };
    let deny_warnings = args.deny == Some(Deny::Warnings);
    let fails = issues.iter().any(|i| i.fails(deny_warnings));
    let against = tracked.map_or(String::new(), |files| {
        format!(" against {files} tracked {}", plural(files, "file"))
    });
    let scope = format!("{rules} {} checked{against}", plural(rules, "rule"));
    let errors = issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .count();
    let warnings = issues.len() - errors;
    let summary = format!(
        "{errors} {}, {warnings} {} ({scope})",
        plural(errors, "error"),
        plural(warnings, "warning"),
    );
    let listing = Listing {
        diagnostics: issues,
        scope,
        clean: ("rule set", "no problems"),
        everything: "`lockstep validate` lists every problem",
        notes,
        summary,
    };
    let style = Style {
        color: context.color,
        width: 100,
    };
    write_output(&context.dir, None, |out| {
        render_listing(&listing, args.format, style, out)
    })?;
    Ok(if fails {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// What a validation found: its issues and notes, and how many rules it checked against
/// how many tracked files (none outside a repository).
struct Validation {
    issues: Vec<Diagnostic>,
    notes: String,
    rules: usize,
    tracked: Option<usize>,
}

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
    Ok(Validation {
        issues,
        notes,
        rules: rules.rules.len(),
        tracked: Some(tracked.len()),
    })
}

/// Outside a repository: the rule set itself (its syntax, keys, globs, regexes, rules
/// that can never pass), with files it `extends` read from the current directory.
fn on_its_own(args: &ValidateArgs, context: &Context) -> miette::Result<Validation> {
    let config = load_config_file(&context.dir, args.config.as_deref())?;
    let rules = RuleSet::compile(config.clone())?;
    Ok(Validation {
        issues: validate(&config, &rules, None),
        notes: "not checked outside a git repository: globs and companions against tracked \
                files, and LINT blocks\n"
            .to_owned(),
        rules: rules.rules.len(),
        tracked: None,
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

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}
