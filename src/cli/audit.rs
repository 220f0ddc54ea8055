//! `lockstep audit`: judge every unit of a history against the current rule set and
//! report compliance per rule, per companion kind and per month.

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use miette::{IntoDiagnostic, WrapErr};

use super::audit_merge as merge;
use super::output::write_output;
use super::rule_set::{self, open_current};
use super::{Context, ExitStatus};
use crate::annotations::{HeadBlocks, HeadFiles, Rename, renames};
use crate::audit::{
    Audit, AuditFormat, Auditor, Day, IgnoredRevs, Judged, Period, PeriodTally, Scope, Watched,
    render,
};
use crate::git::{GitError, HistorySpec, Repo, Units};
use crate::rules::RuleSet;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: Option<AuditCommand>,

    /// Only commits made on or after DATE (committer date): YYYY-MM-DD, or an age
    /// such as `3 months ago`.
    #[arg(long, value_name = "DATE", value_parser = Day::parse_arg)]
    pub since: Option<Day>,

    /// Only commits made on or before DATE (committer date): YYYY-MM-DD, or an age
    /// such as `1 week ago`.
    #[arg(long, value_name = "DATE", value_parser = Day::parse_arg)]
    pub until: Option<Day>,

    /// Leave out the commits listed in FILE (git's `blame.ignoreRevsFile` format, such
    /// as `.git-blame-ignore-revs`); default: `settings.ignore_revs_file`.
    #[arg(long, value_name = "FILE")]
    pub ignore_revs_file: Option<PathBuf>,

    /// Only the commits of a range: `A..B`, or `A...B` from their merge-base.
    #[arg(long, value_name = "A..B")]
    pub range: Option<String>,

    /// Walk the first-parent chain: each merge is one unit, judged against its first
    /// parent, so a merged pull request counts once.
    #[arg(long)]
    pub first_parent: bool,

    /// Audit only this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,

    /// Judge only the audited period, not the one of equal length before it that
    /// `--since` and `--range` compare with: less work, for CI gates (`--fail-under`)
    /// that read compliance alone. `--format csv` never judges it.
    #[arg(long)]
    pub no_previous: bool,

    #[command(flatten)]
    pub report: ReportArgs,

    /// Read the rule set from this file instead of discovering it.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Threads for the history walk (default: one per core).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Combine the JSON audits of several repositories into one report.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON audits (`lockstep audit --format json`), one per repository.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub report: ReportArgs,
}

/// How an audit is reported, the same for one repository or many.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit 1 when overall compliance is below PERCENT (0 to 100).
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    pub fail_under: Option<f64>,
}

fn parse_percent(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err("expected a percentage from 0 to 100, such as 90 or 97.5".to_owned()),
    }
}

pub fn run(args: &AuditArgs, context: &Context) -> miette::Result<ExitStatus> {
    if let Some(AuditCommand::Merge(merge)) = &args.command {
        let audit = merge::run(&merge.files, context)?;
        return finish(&merge.report, context, &audit);
    }
    let (since, until) = (args.since, args.until);
    if let (Some(since), Some(until)) = (since, until)
        && since > until
    {
        miette::bail!(
            help = "swap them, or drop one",
            "--since {} is after --until {}: no commit can be in both",
            since.to_date(),
            until.to_date()
        );
    }
    let (repo, mut rules) = open_current(&context.dir, args.config.as_deref())?;
    let ignored = ignored_revs(args, context, &repo, &rules)?;
    let rule_ids = select_rules(&mut rules, &args.rules)?;
    // With `--since`, the period before it is judged in the same walk; `--since`
    // without `--until` runs to today. CSV lists cases and shows no period before.
    let compare = !args.no_previous && args.report.format != AuditFormat::Csv;
    let before_since = since
        .filter(|_| compare)
        .map(|s| Period::bounds_before(s, until.unwrap_or_else(Day::today).max(s)));
    let window = Window {
        start: before_since.map(|p| p.0).or(since),
        split: since,
        until,
    };
    let spec = HistorySpec {
        range: args.range.clone(),
        first_parent: args.first_parent,
        not_before: window.start.map(Day::start),
        split: since.map(Day::start),
        threads: threads(args),
    };
    let (units, mut blocks) = units_and_blocks(&repo, &spec, &rules)?;
    let history = History {
        repo: &repo,
        rules: &rules,
        units: &units,
        ignored: &ignored,
    };
    let walked = loop {
        let walked = walk(&history, window, &rule_ids, &blocks, args)?;
        if !blocks.follow(&walked.renames) {
            break walked;
        }
    };
    let previous = match (before_since, walked.current.span(), &args.range) {
        (Some(bounds), _, _) => Some(walked.previous.period(bounds)),
        (None, Some(span), Some(_)) if compare => Some(behind_range(
            &history, &spec, span, &rule_ids, &blocks, args,
        )?),
        _ => None,
    };
    let mut audit = walked.current.finish(Scope {
        repository: Some(repo.name()),
        since: since.map(Day::to_date),
        until: until.map(Day::to_date),
        range: args.range.clone(),
        first_parent: args.first_parent,
        shallow: repo.is_shallow(),
        no_previous: args.no_previous,
        ..Scope::default()
    });
    audit.previous = previous;
    let status = finish(&args.report, context, &audit)?;
    // The report is written and flushed: the audit's cases and the unit list are left
    // for the process's exit to free, not freed one allocation at a time on this
    // thread alone (the repository is dropped: its readers may have a git to reap).
    std::mem::forget((audit, units));
    Ok(status)
}

/// The units of `spec`'s history, and the blocks of the commit it ends at, read on a
/// thread of their own while this one lists the history, and on this one too once the
/// listing is done (both come before the walk; the head's files are read once, by
/// readers whose caches go before the walk). Blocks are read under the names their
/// files had; a rename into an annotated path found on the way means reading the
/// history again under the earlier name.
fn units_and_blocks(
    repo: &Repo,
    spec: &HistorySpec,
    rules: &RuleSet,
) -> miette::Result<(Units, HeadBlocks)> {
    if !rules.settings.annotations {
        return Ok((repo.units(spec)?, HeadBlocks::default()));
    }
    // The history's end, as `Repo::units` takes it: the range's end, else HEAD.
    let head = match &spec.range {
        Some(range) => Some(repo.range_ends(range)?.1),
        None => repo.head()?,
    };
    let opener = repo.opener();
    let settings = &rules.settings.annotation;
    let shared = OnceLock::new();
    let (units, found) = std::thread::scope(|scope| {
        let blocks = scope.spawn(|| {
            let reader = opener.open()?;
            let files = HeadFiles::at(&reader, head, settings)?;
            Ok::<_, GitError>(shared.get_or_init(|| files).read(&reader))
        });
        let units = repo.units(spec);
        let more = match (&units, shared.get()) {
            (Ok(_), Some(files)) => {
                Some(scope.spawn(|| opener.open().map(|reader| files.read(&reader))))
            }
            _ => None,
        };
        let joined = [Some(blocks), more].map(|thread| {
            thread.map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
        });
        (units, joined)
    });
    let units = units?;
    let found = found.into_iter().flatten().collect::<Result<Vec<_>, _>>()?;
    let blocks = match shared.into_inner() {
        Some(files) => files.blocks(found)?,
        None => HeadBlocks::default(),
    };
    Ok((units, blocks))
}

/// The period as long as a range's first to last day (`span`) just before it, judged
/// in the history behind the range: a walk of its own, since the range's walk hides it.
fn behind_range(
    history: &History<'_>,
    spec: &HistorySpec,
    span: (Day, Day),
    rule_ids: &[String],
    blocks: &HeadBlocks,
    args: &AuditArgs,
) -> miette::Result<Period> {
    let bounds = Period::bounds_before(span.0, span.1);
    let behind = history.repo.units_behind(spec)?;
    let window = Window {
        start: Some(bounds.0),
        split: Some(bounds.1.plus_days(1)),
        until: Some(bounds.1),
    };
    let history = History {
        units: &behind,
        ..*history
    };
    let walked = walk(&history, window, rule_ids, blocks, args)?;
    Ok(walked.previous.period(bounds))
}

/// Writes the report; the exit status says whether compliance is below `--fail-under`.
fn finish(report: &ReportArgs, context: &Context, audit: &Audit) -> miette::Result<ExitStatus> {
    write_report(report, context, audit)?;
    let below = report
        .fail_under
        .is_some_and(|percent| audit.total.compliance() * 100.0 < percent);
    Ok(if below {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// What every walk of the history reads.
#[derive(Clone, Copy)]
struct History<'a> {
    repo: &'a Repo,
    rules: &'a RuleSet,
    units: &'a Units,
    ignored: &'a IgnoredRevs,
}

/// The days a walk judges, all included.
#[derive(Clone, Copy)]
struct Window {
    start: Option<Day>,
    /// Units before this day belong to the previous period.
    split: Option<Day>,
    until: Option<Day>,
}

/// One walk of the history.
struct Walked<'r> {
    current: Auditor<'r>,
    /// The units of the previous period (before the window's split).
    previous: PeriodTally,
    /// Every exact rename the walk saw, in history order.
    renames: Vec<Rename>,
}

fn walk<'r>(
    history: &History<'r>,
    window: Window,
    rule_ids: &[String],
    blocks: &HeadBlocks,
    args: &AuditArgs,
) -> miette::Result<Walked<'r>> {
    let History {
        repo,
        rules,
        units,
        ignored,
    } = *history;
    let Window {
        start,
        split,
        until,
    } = window;
    let threads = threads(args);
    let mut walked = Walked {
        current: Auditor::new(rules, rule_ids.to_vec()),
        previous: PeriodTally::default(),
        renames: Vec::new(),
    };
    let mut progress = Progress::new(units.len(), io::stderr().is_terminal());
    // Renames after `--until` still name the files the audited units changed.
    let follow = !blocks.is_empty();
    let watched = Watched::new(rules, blocks.reads());
    let area = Judged::area(rules, blocks.reads());
    let before_until = |day: Day| until.is_none_or(|u| day <= u);
    repo.walk_units(
        units,
        threads,
        area.as_ref(),
        |time| {
            let day = Day::of_time(time);
            start.is_none_or(|s| day >= s) && (follow || before_until(day))
        },
        |repo, unit, changes| {
            let unit_renames = if follow {
                renames(&changes)
            } else {
                Vec::new()
            };
            let day = Day::of_time(unit.local_time);
            // A unit of the current period that `git log --since` does not list from
            // the split (an ancestor dated before it leads there) is in neither period.
            let hidden = split.is_some_and(|s| day >= s && Day::of_time(unit.reached) < s);
            if !before_until(day) || hidden {
                return Ok((None, unit_renames));
            }
            if ignored.contains(&unit.id) {
                return Ok((Some(Judged::ignored(unit)), unit_renames));
            }
            let how = (blocks.reads(), area.as_ref());
            let judged = Judged::judge(repo, rules, unit, changes, how, &watched)?;
            Ok::<_, crate::git::GitError>((Some(judged), unit_renames))
        },
        |walked_unit| {
            if let Some((judged, unit_renames)) = walked_unit {
                if let Some(judged) = judged {
                    if split.is_some_and(|s| judged.day < s) {
                        walked.previous.add(judged);
                    } else {
                        walked.current.add(judged);
                    }
                }
                walked.renames.extend(unit_renames);
            }
            progress.step();
            Ok(())
        },
    )?;
    progress.finish();
    Ok(walked)
}

/// Threads for the walk: `--jobs`, else one per core.
fn threads(args: &AuditArgs) -> usize {
    args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        usize::from,
    )
}

/// The commits `--ignore-revs-file` (relative to the current directory) or
/// `settings.ignore_revs_file` (relative to the repository root) lists.
fn ignored_revs(
    args: &AuditArgs,
    context: &Context,
    repo: &crate::git::Repo,
    rules: &RuleSet,
) -> miette::Result<IgnoredRevs> {
    let path = match (&args.ignore_revs_file, &rules.settings.ignore_revs_file) {
        (Some(path), _) => context.dir.join(path),
        (None, Some(path)) => match repo.workdir() {
            Some(root) => root.join(path),
            None => miette::bail!(
                help = "pass the file with --ignore-revs-file",
                "settings.ignore_revs_file names `{path}`, but this repository is bare"
            ),
        },
        (None, None) => return Ok(IgnoredRevs::default()),
    };
    let text = std::fs::read_to_string(&path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the ignore-revs file `{}`", path.display()))?;
    Ok(IgnoredRevs::parse(&text).map_err(|e| e.with_file(&path))?)
}

/// Applies `--rule`; returns the ids to report, in rule-set order.
fn select_rules(rules: &mut RuleSet, ids: &[String]) -> miette::Result<Vec<String>> {
    rule_set::select_rules(rules, ids)?;
    Ok(rules
        .rules
        .iter()
        .filter(|r| ids.is_empty() || ids.contains(&r.id))
        .map(|r| r.id.clone())
        .collect())
}

fn write_report(args: &ReportArgs, context: &Context, audit: &Audit) -> miette::Result<()> {
    let format = args.format;
    let color = context.color && args.output.is_none();
    write_output(&context.dir, args.output.as_deref(), |out| {
        render(audit, format, color, out)
    })
}

/// A `\r` counter on standard error, only when it is a terminal.
struct Progress {
    total: usize,
    done: usize,
    enabled: bool,
    last: Instant,
}

impl Progress {
    fn new(total: usize, enabled: bool) -> Progress {
        Progress {
            total,
            done: 0,
            enabled,
            last: Instant::now(),
        }
    }

    fn step(&mut self) {
        self.done += 1;
        if self.enabled && self.last.elapsed() >= Duration::from_millis(100) {
            self.last = Instant::now();
            let percent = self.done * 100 / self.total.max(1);
            eprint!(
                "\rauditing {}/{} commits ({percent}%)",
                self.done, self.total
            );
        }
    }

    fn finish(&self) {
        if self.enabled {
            eprint!("\r\x1b[2K");
        }
    }
}
