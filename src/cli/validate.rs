//! `lockstep validate`: the rule set's own problems, and those the repository reveals.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use miette::{GraphicalReportHandler, GraphicalTheme, IntoDiagnostic, WrapErr};

use super::check::Deny;
use super::{Context, ExitStatus};
use crate::config::{Config, ConfigFiles, ConfigSource, WorkTreeFiles, load};
use crate::git::Repo;
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
    let (config, rules) = load_config(&repo, &context.dir, args.config.as_deref())?;
    let tracked = repo.tracked_paths()?;
    // In-file annotation problems (`crate::annotations::scan`) join this list when
    // `config.settings.annotations` is on; they render and count like the others.
    let issues = validate(&config, &rules, &tracked);
    let text = render(&issues, context.color, rules.rules.len(), tracked.len());
    io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .into_diagnostic()
        .wrap_err("cannot write the report")?;
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

/// The loaded rule set (for its spans) and its compiled form; broken ones are exit-2
/// errors, as for `check`.
pub(super) fn load_config(
    repo: &Repo,
    dir: &Path,
    explicit: Option<&Path>,
) -> miette::Result<(Config, RuleSet)> {
    let explicit = explicit
        .map(|path| {
            let text = std::fs::read_to_string(dir.join(path))
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot read the rule set `{}`", path.display()))?;
            Ok::<_, miette::Report>(ConfigSource::new(path.display().to_string(), text))
        })
        .transpose()?;
    let files: Box<dyn ConfigFiles + '_> = match repo.workdir() {
        Some(root) => Box::new(WorkTreeFiles(root.to_path_buf())),
        None => Box::new(repo.files_at("HEAD")?),
    };
    let config = load(files.as_ref(), explicit)?;
    let rules = RuleSet::compile(config.clone())?;
    Ok((config, rules))
}

/// Every issue as a miette report, then one summary line.
pub fn render(issues: &[Issue], color: bool, rules: usize, files: usize) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for issue in issues {
        let mut text = String::new();
        if handler.render_report(&mut text, issue).is_err() {
            text = format!("{issue}\n");
        }
        out.push_str(&text);
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
