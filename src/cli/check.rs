//! `lockstep check`: judge one diff (or each commit of a range) and report.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use miette::{IntoDiagnostic, WrapErr};

use super::output::write_output;
use super::rule_set::{ConfigFrom, Snapshot, load_rule_set, select_rules};
use super::rule_set_change;
use super::{Context, ExitStatus};
use crate::annotations;
use crate::check::judge;
use crate::ci::{self, Detected};
use crate::finding::Finding;
use crate::git::{Diff, DiffKind, DiffSpec, Repo, Unchanged};
use crate::patch;
use crate::report::{
    DiffSummary, Format, Report, STEP_SUMMARY_LIMIT, Style, azure_upload_summary, render,
    render_summary,
};
use crate::rules::RuleSet;
use crate::waiver::Waivers;

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").multiple(false))]
pub struct CheckArgs {
    /// Check the index against HEAD (what `git commit` would record).
    #[arg(long, group = "source")]
    pub staged: bool,

    /// Run as a pre-commit/prek hook: the pushed range when pre-commit sets
    /// PRE_COMMIT_FROM_REF and PRE_COMMIT_TO_REF (pre-push), else the staged changes.
    #[arg(long, group = "source")]
    pub hook: bool,

    /// Check a pull request: from merge-base(REF, head) to head.
    #[arg(long, value_name = "REF", group = "source")]
    pub base: Option<String>,

    /// The head of the pull request (default HEAD); with --base.
    #[arg(long, value_name = "REF", requires = "base")]
    pub head: Option<String>,

    /// Check a range: `A..B` compares A with B, `A...B` their merge-base with B.
    #[arg(long, value_name = "A..B", group = "source")]
    pub range: Option<String>,

    /// Check one commit against its first parent.
    #[arg(long, value_name = "REV", group = "source")]
    pub commit: Option<String>,

    /// Check a unified diff (`git diff`, `git format-patch`, `jj diff --git`) read from
    /// PATH, or standard input for `-`, against the work tree's rule set.
    #[arg(long, value_name = "PATH", group = "source", conflicts_with_all = ["per_commit", "config_from"])]
    pub diff: Option<PathBuf>,

    /// Judge each commit of the range on its own instead of the whole range.
    #[arg(long, requires = "source")]
    pub per_commit: bool,

    /// Read the rule set from this file instead of discovering it.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Read the rule set from the diff's base, its head, or the work tree.
    #[arg(long, value_enum, value_name = "FROM")]
    pub config_from: Option<ConfigFrom>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write the report in FORMAT to PATH (repeatable), e.g. `--report sarif=lockstep.sarif`.
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report_target)]
    pub reports: Vec<ReportTarget>,

    /// Fail on warnings too.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<Deny>,

    /// Check only this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,

    /// The commit message being written (the commit-msg hook's argument): its
    /// `Lockstep-Skip:` trailer waives rules for the staged changes (implies --staged).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["base", "range", "commit", "diff"])]
    pub commit_msg_file: Option<PathBuf>,
}

/// One `--report FORMAT=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTarget {
    pub format: Format,
    pub path: PathBuf,
}

fn parse_report_target(value: &str) -> Result<ReportTarget, String> {
    let names = || {
        Format::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_owned()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((name, path)) = value.split_once('=') else {
        return Err(format!(
            "expected FORMAT=PATH, such as `sarif=lockstep.sarif` (formats: {})",
            names()
        ));
    };
    let format = Format::from_str(name, true)
        .map_err(|_| format!("unknown format `{name}` (formats: {})", names()))?;
    if path.is_empty() {
        return Err(format!("`{name}=` needs a path after `=`"));
    }
    Ok(ReportTarget {
        format,
        path: PathBuf::from(path),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    Warnings,
}

impl CheckArgs {
    /// The diff to judge, and whether it came from the CI's environment.
    fn spec(&self, repo: &Repo, context: &Context) -> miette::Result<(DiffSpec, Option<Detected>)> {
        let staged = || DiffSpec::Staged {
            index_file: context.env.git_index_file.clone(),
        };
        if self.hook {
            let spec = context.env.ci.pre_commit_range().unwrap_or_else(staged);
            return Ok((spec, None));
        }
        if !self.staged
            && self.base.is_none()
            && self.range.is_none()
            && self.commit.is_none()
            && self.commit_msg_file.is_none()
            && let Some(detected) = ci::detect(&context.env.ci, &|name| repo.resolve(name).is_ok())?
        {
            return Ok((detected.spec.clone(), Some(detected)));
        }
        Ok((self.explicit_spec(staged), None))
    }

    /// The diff flags given; `--commit-msg-file` alone is the staged check it belongs to.
    fn explicit_spec(&self, staged: impl FnOnce() -> DiffSpec) -> DiffSpec {
        if self.staged || self.commit_msg_file.is_some() {
            staged()
        } else if let Some(base) = &self.base {
            DiffSpec::Base {
                base: base.clone(),
                head: self.head.clone(),
            }
        } else if let Some(range) = &self.range {
            DiffSpec::Range(range.clone())
        } else if let Some(commit) = &self.commit {
            DiffSpec::Commit(commit.clone())
        } else {
            DiffSpec::WorkTree
        }
    }
}

pub fn run(args: &CheckArgs, context: &Context) -> miette::Result<ExitStatus> {
    let repo = Repo::discover(&context.dir)?;
    repo.allow_read_ahead();
    let (mut diff, detected, mails) = match &args.diff {
        Some(path) => {
            let (diff, mails) = patch_diff(&repo, path, context)?;
            (diff, None, mails)
        }
        None => {
            let (spec, detected) = args.spec(&repo, context)?;
            let diff = repo.diff(&spec).map_err(|e| match &detected {
                Some(detected) => detected.explain(e),
                None => e.into(),
            })?;
            (diff, detected, Vec::new())
        }
    };
    if let Some(detected) = &detected {
        eprintln!(
            "lockstep: checking {} ({})",
            describe(&diff),
            detected.source
        );
    }
    let from = config_from(args, &repo, &diff, context)?;
    let mut rules = load_rule_set(
        &repo,
        &context.dir,
        args.config.as_deref(),
        snapshot(from, &repo, &diff),
    )?;
    if from == ConfigFrom::Base && args.config.is_none() {
        rule_set_change::announce(&repo, &diff)?;
    }
    select_rules(&mut rules, &args.rules)?;
    if diff.kind == DiffKind::Patch && !rules.settings.whitespace {
        patch::ignore_whitespace(&mut diff.changes);
    }
    let findings = if args.per_commit {
        per_commit(&repo, &rules, &diff, context)?
    } else {
        let mut waivers = waivers(&rules, &diff, args, context)?;
        for (id, message) in &mails {
            waivers
                .merge(Waivers::from_message(message, &rules.settings.skip_trailer).in_commit(id));
        }
        judge_diff(&repo, &rules, &diff, &waivers)?
    };
    let report = Report {
        diff: DiffSummary {
            kind: diff.kind.as_str(),
            base: diff.base.clone(),
            head: diff.head.clone(),
            files_changed: diff.changes.len(),
        },
        rules_checked: rules.active_rules(),
        findings,
        skip_trailer: rules.settings.skip_trailer.clone(),
    };
    write_report(args, context, &report)?;
    let deny_warnings = args.deny == Some(Deny::Warnings);
    let fails = report.findings.iter().any(|f| f.fails(deny_warnings));
    Ok(if fails {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// `--diff PATH`: the patch's files as a diff, and the commit messages of a
/// `format-patch` series (their trailers waive rules as a range's do).
fn patch_diff(
    repo: &Repo,
    path: &Path,
    context: &Context,
) -> miette::Result<(Diff, Vec<(String, String)>)> {
    let (name, bytes) = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .into_diagnostic()
            .wrap_err("cannot read the patch from standard input")?;
        ("standard input".to_owned(), bytes)
    } else {
        let bytes = std::fs::read(context.dir.join(path))
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot read the patch `{}`", path.display()))?;
        (path.display().to_string(), bytes)
    };
    let patch = patch::parse(&name, &String::from_utf8_lossy(&bytes))?;
    let mut changes: Vec<_> = patch
        .files
        .into_iter()
        .flat_map(|file| file.into_changes(|id| repo.blob_by_prefix(id)))
        .collect();
    // In path order, as a tree diff lists them, so findings list files alike.
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    let diff = Diff {
        kind: DiffKind::Patch,
        base: None,
        head: None,
        changes,
        unchanged: Unchanged::Index,
        commits: Vec::new(),
    };
    Ok((diff, patch.messages))
}

/// Where the rule set comes from: `--config-from`; else, in CI, the base of a range so
/// that a pull request cannot weaken the rules it is checked against; else the work tree
/// when there is one, else HEAD.
fn config_from(
    args: &CheckArgs,
    repo: &Repo,
    diff: &Diff,
    context: &Context,
) -> miette::Result<ConfigFrom> {
    if let Some(from) = args.config_from {
        return Ok(from);
    }
    let ci_range = context.env.ci.ci && diff.kind == DiffKind::Range;
    Ok(
        if ci_range && rule_set_change::base_has_rule_set(repo, diff)? {
            ConfigFrom::Base
        } else if ci_range {
            ConfigFrom::Head
        } else if repo.workdir().is_some() {
            ConfigFrom::Worktree
        } else {
            ConfigFrom::Head
        },
    )
}

/// `abc123def456..0123456789ab`, for the CI note on standard error.
fn describe(diff: &Diff) -> String {
    let short = |id: &Option<String>| {
        id.as_deref()
            .map_or("(empty)", |id| id.get(..12).unwrap_or(id))
            .to_owned()
    };
    format!("{}..{}", short(&diff.base), short(&diff.head))
}

fn snapshot<'a>(from: ConfigFrom, repo: &'a Repo, diff: &'a Diff) -> Snapshot<'a> {
    match (from, repo.workdir()) {
        (ConfigFrom::Base, _) => Snapshot::Revision(diff.base.as_deref().unwrap_or("HEAD")),
        (ConfigFrom::Head, _) => Snapshot::Revision(diff.head.as_deref().unwrap_or("HEAD")),
        (ConfigFrom::Worktree, Some(root)) => Snapshot::WorkTree(root),
        (ConfigFrom::Worktree, None) => Snapshot::Revision("HEAD"),
    }
}

/// Trailers of every commit in the range waive the whole range; `LOCKSTEP_SKIP` and the
/// message being written (`--commit-msg-file`) waive uncommitted changes.
fn waivers(
    rules: &RuleSet,
    diff: &Diff,
    args: &CheckArgs,
    context: &Context,
) -> miette::Result<Waivers> {
    let mut waivers = Waivers::default();
    if let Some(path) = &args.commit_msg_file {
        let message = std::fs::read_to_string(context.dir.join(path))
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot read the commit message `{}`", path.display()))?;
        waivers.merge(Waivers::from_message(
            &message,
            &rules.settings.skip_trailer,
        ));
    }
    for commit in &diff.commits {
        waivers.merge(
            Waivers::from_message(&commit.message, &rules.settings.skip_trailer)
                .in_commit(&commit.id),
        );
    }
    if matches!(
        diff.kind,
        DiffKind::Staged | DiffKind::WorkTree | DiffKind::Patch
    ) && let Some(list) = &context.env.lockstep_skip
    {
        waivers.merge(Waivers::from_list(list));
    }
    waivers.merge(pull_request_waivers(rules, diff, context)?);
    Ok(waivers)
}

/// In CI, the labels and description of the pull request being built waive rules for
/// its commits as a trailer would.
fn pull_request_waivers(
    rules: &RuleSet,
    diff: &Diff,
    context: &Context,
) -> miette::Result<Waivers> {
    if matches!(
        diff.kind,
        DiffKind::Staged | DiffKind::WorkTree | DiffKind::Patch
    ) {
        return Ok(Waivers::default());
    }
    Ok(match ci::pull_request(&context.env.ci)? {
        Some(pr) => {
            Waivers::from_pull_request(&pr.labels, &pr.description, &rules.settings.skip_trailer)
        }
        None => Waivers::default(),
    })
}

fn per_commit(
    repo: &Repo,
    rules: &RuleSet,
    diff: &Diff,
    context: &Context,
) -> miette::Result<Vec<Finding>> {
    let pull_request = pull_request_waivers(rules, diff, context)?;
    let mut findings = Vec::new();
    for commit in &diff.commits {
        let single = repo.diff(&DiffSpec::Commit(commit.id.clone()))?;
        let mut waivers = Waivers::from_message(&commit.message, &rules.settings.skip_trailer)
            .in_commit(&commit.id);
        waivers.merge(pull_request.clone());
        let judged = judge_diff(repo, rules, &single, &waivers)?;
        for mut finding in judged {
            finding.commit = Some(commit.id.clone());
            findings.push(finding);
        }
    }
    Ok(findings)
}

/// The findings of `diff`: the judge's, then the `broken-reference` ones.
fn judge_diff(
    repo: &Repo,
    rules: &RuleSet,
    diff: &Diff,
    waivers: &Waivers,
) -> miette::Result<Vec<Finding>> {
    let judgement = judge(repo, rules, diff.changes.clone(), diff.unchanged, waivers)?;
    let mut findings = judgement.findings;
    findings.extend(broken(
        repo,
        rules,
        diff,
        judgement.removed_labels,
        waivers,
    )?);
    Ok(findings)
}

/// `broken-reference` findings: blocks anywhere in the diff's head naming what the diff
/// deletes, renames or unlabels (`removed_labels`, when the judge read them). The head
/// is read from the work tree for staged and work-tree checks, and for a range whose
/// head is checked out (read in parallel, as `validate` does); from the object store
/// otherwise.
fn broken(
    repo: &Repo,
    rules: &RuleSet,
    diff: &Diff,
    removed_labels: Option<Vec<(String, String)>>,
    waivers: &Waivers,
) -> miette::Result<Vec<Finding>> {
    if !rules.settings.annotations {
        return Ok(Vec::new());
    }
    let files = || {
        let head = match (diff.kind, &diff.head) {
            (DiffKind::Range | DiffKind::Commit, Some(head)) => Some(repo.resolve(head)?),
            _ => None,
        };
        match head {
            Some(head) if repo.workdir().is_none() || repo.head()? != Some(head) => {
                repo.files_at_commit(Some(head))
            }
            _ => repo.tracked_files(),
        }
    };
    let settings = &rules.settings.annotation;
    let mut found =
        annotations::broken_references(repo, &diff.changes, settings, removed_labels, files)?;
    waivers.apply(&mut found);
    Ok(found)
}

/// The `--format` report (to `--output` or standard output), then each `--report`.
/// Every report file is created before anything is written, so a bad path fails first.
fn write_report(args: &CheckArgs, context: &Context, report: &Report) -> miette::Result<()> {
    distinct_paths(args)?;
    let mut files = Vec::with_capacity(args.reports.len());
    for target in &args.reports {
        files.push((target, create(&context.dir, &target.path)?));
    }
    let upload = ci_summary(args.format, context, report)?;
    let style = Style {
        color: context.color && args.output.is_none(),
        width: 100,
    };
    write_output(&context.dir, args.output.as_deref(), |out| {
        render(report, args.format, style, out)?;
        upload.iter().try_for_each(|line| writeln!(out, "{line}"))
    })?;
    let plain = Style {
        color: false,
        width: 100,
    };
    for (target, mut file) in files {
        render(report, target.format, plain, &mut file)
            .and_then(|()| file.flush())
            .into_diagnostic()
            .wrap_err_with(|| cannot_write(&target.path))?;
    }
    Ok(())
}

/// Two reports into one file would leave only the last; say so instead.
fn distinct_paths(args: &CheckArgs) -> miette::Result<()> {
    let mut seen: Vec<&Path> = args.output.iter().map(PathBuf::as_path).collect();
    for target in &args.reports {
        if seen.contains(&target.path.as_path()) {
            miette::bail!(
                help = "give each report its own file",
                "`{}` is named by more than one report",
                target.path.display()
            );
        }
        seen.push(&target.path);
    }
    Ok(())
}

fn create(dir: &Path, path: &Path) -> miette::Result<BufWriter<File>> {
    File::create(dir.join(path))
        .map(BufWriter::new)
        .into_diagnostic()
        .wrap_err_with(|| cannot_write(path))
}

fn cannot_write(path: &Path) -> String {
    format!("cannot write the report to `{}`", path.display())
}

/// The run summaries CI services show beside the log: GitHub's step summary is
/// appended to `$GITHUB_STEP_SUMMARY`; Azure's is a file attached by a logging command,
/// which is returned to print after the report.
fn ci_summary(
    format: Format,
    context: &Context,
    report: &Report,
) -> miette::Result<Option<String>> {
    match format {
        Format::Github => {
            if let Some(path) = &context.env.ci.github_step_summary {
                append_step_summary(path, report)?;
            }
            Ok(None)
        }
        Format::Azure => {
            let dir = context
                .env
                .ci
                .agent_temp_directory
                .clone()
                .unwrap_or_else(|| context.env.temp_dir.clone());
            let path = write_azure_summary(&dir, report)?;
            Ok(Some(azure_upload_summary(&path)))
        }
        _ => Ok(None),
    }
}

/// Writes the Markdown summary to a new file in `dir` (Azure's agent temp directory,
/// emptied after each job, else the system's), never in the work tree.
fn write_azure_summary(dir: &Path, report: &Report) -> miette::Result<PathBuf> {
    let plain = Style {
        color: false,
        width: 100,
    };
    for attempt in 0..100u32 {
        let path = dir.join(format!(
            "lockstep-summary-{}-{attempt}.md",
            std::process::id()
        ));
        let file = match OpenOptions::new().write(true).create_new(true).open(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            opened => opened,
        };
        let context = || {
            format!(
                "cannot write the Azure Pipelines summary `{}`",
                path.display()
            )
        };
        let mut out = BufWriter::new(file.into_diagnostic().wrap_err_with(context)?);
        render(report, Format::Markdown, plain, &mut out)
            .and_then(|()| out.flush())
            .into_diagnostic()
            .wrap_err_with(context)?;
        return Ok(path);
    }
    miette::bail!(
        "cannot create a summary file in `{}`: too many lockstep summaries there",
        dir.display()
    )
}

/// GitHub Actions shows the Markdown appended to `$GITHUB_STEP_SUMMARY` on the run's page,
/// up to 1 MiB per step (counting what earlier commands of the step wrote).
fn append_step_summary(path: &Path, report: &Report) -> miette::Result<()> {
    let context = || format!("cannot append to GITHUB_STEP_SUMMARY `{}`", path.display());
    let file = OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .into_diagnostic()
        .wrap_err_with(context)?;
    let written = file
        .metadata()
        .into_diagnostic()
        .wrap_err_with(context)?
        .len();
    let room = STEP_SUMMARY_LIMIT.saturating_sub(usize::try_from(written).unwrap_or(usize::MAX));
    let mut out = BufWriter::new(file);
    render_summary(report, room, &mut out)
        .and_then(|()| out.flush())
        .into_diagnostic()
        .wrap_err_with(context)
}
