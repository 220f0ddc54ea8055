//! Command-line interface: clap definitions and one small function per subcommand.

mod audit;
mod audit_merge;
mod check;
mod completions;
mod explain;
mod graph;
mod init;
mod install;
mod man;
mod output;
mod rule_set;
mod rule_set_change;
mod schema;
mod suggest;
mod validate;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::ci::CiEnv;

pub use audit::AuditArgs;
pub use check::CheckArgs;
pub use completions::CompletionsArgs;
pub use explain::ExplainArgs;
pub use graph::GraphArgs;
pub use init::InitArgs;
pub use man::ManArgs;
pub use suggest::SuggestArgs;
pub use validate::ValidateArgs;

/// lockstep: when code changes, its docs, SDKs, dashboards and runbooks change with it.
#[derive(Debug, Parser)]
#[command(name = "lockstep", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

/// The options every subcommand takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Run as if lockstep was started in PATH.
    #[arg(short = 'C', global = true, value_name = "PATH")]
    pub directory: Option<PathBuf>,

    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

impl Cli {
    /// The process's command line, parsed as [`Parser::parse`] parses it. clap builds
    /// every subcommand's arguments before it parses (4% of a staged check), so a line
    /// naming `check` is first given to a parser that knows only `check`: where that
    /// one parses it, the whole one would parse it the same. Anything else — another
    /// subcommand, `--help`, `--version`, an error — is the whole parser's.
    pub fn from_process() -> Cli {
        let args: Vec<OsString> = std::env::args_os().collect();
        Cli::as_check(&args).unwrap_or_else(|| Cli::parse_from(args))
    }

    /// `args` as the parser that knows only `check` reads them; `None` where it does not.
    fn as_check(args: &[OsString]) -> Option<Cli> {
        if !args.iter().skip(1).any(|arg| arg == "check") {
            return None;
        }
        let line = CheckLine::try_parse_from(args).ok()?;
        let CheckOnly::Check(check) = line.command;
        Some(Cli {
            global: line.global,
            command: Command::Check(check),
        })
    }
}

/// [`Cli`] with `check` as its only subcommand ([`Cli::from_process`]).
#[derive(Parser)]
#[command(name = "lockstep")]
struct CheckLine {
    #[command(flatten)]
    global: Global,

    #[command(subcommand)]
    command: CheckOnly,
}

#[derive(Subcommand)]
enum CheckOnly {
    Check(CheckArgs),
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a diff: every changed code path must change with its companions.
    Check(CheckArgs),
    /// Audit history: compliance per rule, per companion kind and per month.
    Audit(AuditArgs),
    /// Propose rules from how files changed together in history.
    Suggest(SuggestArgs),
    /// The rule set alone: errors, stale globs and rules that cannot work.
    Validate(ValidateArgs),
    /// Which rules paths trigger, the companions they need, and the rules they satisfy.
    Explain(ExplainArgs),
    /// The map of code paths to their artifacts (Mermaid, DOT or HTML).
    Graph(GraphArgs),
    /// Write a starter lockstep.toml for this repository.
    Init(InitArgs),
    /// Write a git hook that runs lockstep (pre-commit, commit-msg or pre-push).
    Install(install::InstallArgs),
    /// Remove the git hooks lockstep wrote, restoring any hook they replaced.
    Uninstall(install::UninstallArgs),
    /// Print a completion script for bash, zsh, fish, PowerShell or elvish.
    Completions(CompletionsArgs),
    /// Print the manual page, or write one page per command into a directory.
    Man(ManArgs),
    /// Print the JSON schema of lockstep.toml.
    #[command(hide = true)]
    Schema,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream: `auto` colours terminals unless `NO_COLOR` is set.
    pub fn enabled(self, terminal: bool, no_color: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        }
    }
}

/// The process's exit status (SPEC section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// No finding fails the check.
    Success,
    /// Findings fail the check.
    Failure,
    /// Usage, config or repository error.
    Error,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// The environment lockstep reads, captured once so commands stay testable.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub cwd: PathBuf,
    pub no_color: bool,
    pub stdout_is_terminal: bool,
    pub lockstep_skip: Option<String>,
    pub git_index_file: Option<PathBuf>,
    /// CI and pre-commit variables, for `check` with no diff flag.
    pub ci: CiEnv,
    /// This binary, for the hook scripts `install` writes.
    pub current_exe: Option<PathBuf>,
    /// The system's temporary directory, for files CI services read after the run.
    pub temp_dir: PathBuf,
}

impl Env {
    pub fn from_process() -> std::io::Result<Env> {
        Ok(Env {
            cwd: std::env::current_dir()?,
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            stdout_is_terminal: std::io::stdout().is_terminal(),
            lockstep_skip: std::env::var("LOCKSTEP_SKIP")
                .ok()
                .filter(|v| !v.is_empty()),
            git_index_file: std::env::var_os("GIT_INDEX_FILE").map(PathBuf::from),
            ci: CiEnv::from_lookup(|name| std::env::var(name).ok()),
            current_exe: std::env::current_exe().ok(),
            temp_dir: std::env::temp_dir(),
        })
    }
}

/// Shared by every subcommand: where to work and how to present.
pub struct Context {
    pub env: Env,
    pub dir: PathBuf,
    pub color: bool,
}

impl Context {
    pub fn new(cli: &Cli, env: Env) -> Context {
        let dir = match &cli.global.directory {
            Some(path) => env.cwd.join(path),
            None => env.cwd.clone(),
        };
        let color = cli
            .global
            .color
            .enabled(env.stdout_is_terminal, env.no_color);
        Context { env, dir, color }
    }
}

/// `-C PATH` names no directory.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("`-C {path}`: {reason}")]
#[diagnostic(
    code(lockstep::cli::directory),
    help("pass `-C` a directory that exists; a relative path is taken from the current directory")
)]
pub struct NoDirectory {
    path: String,
    reason: &'static str,
}

/// Checks that `-C` named a directory, before anything looks for a repository in it.
fn check_directory(cli: &Cli, context: &Context) -> Result<(), NoDirectory> {
    let Some(path) = &cli.global.directory else {
        return Ok(());
    };
    let reason = match std::fs::metadata(&context.dir) {
        Ok(meta) if meta.is_dir() => return Ok(()),
        Ok(_) => "not a directory",
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "no such directory",
        Err(_) => "cannot be read",
    };
    Err(NoDirectory {
        path: path.display().to_string(),
        reason,
    })
}

/// Runs the parsed command line.
pub fn run(cli: Cli, env: Env) -> miette::Result<ExitStatus> {
    let context = Context::new(&cli, env);
    check_directory(&cli, &context)?;
    match cli.command {
        Command::Check(args) => check::run(&args, &context),
        Command::Install(args) => install::run_install(&args, &context),
        Command::Uninstall(args) => install::run_uninstall(&args, &context),
        Command::Explain(args) => explain::run(&args, &context),
        Command::Graph(args) => graph::run(&args, &context),
        Command::Validate(args) => validate::run(&args, &context),
        Command::Init(args) => init::run(&args, &context),
        Command::Schema => schema::run(),
        Command::Suggest(args) => suggest::run(&args, &context),
        Command::Audit(args) => audit::run(&args, &context),
        Command::Completions(args) => completions::run(&args, &context),
        Command::Man(args) => man::run(&args, &context),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(words: &str) -> Vec<OsString> {
        words.split(' ').map(OsString::from).collect()
    }

    #[test]
    fn a_check_line_reads_as_the_whole_parser_reads_it() {
        for words in [
            "lockstep check",
            "lockstep check --staged --format json",
            "lockstep -C some/dir check --base main --head topic",
            "lockstep --color never check --range a..b -C there",
            "lockstep check --commit HEAD --color=always",
            "lockstep -C check check",
        ] {
            let fast = Cli::as_check(&line(words)).expect(words);
            let whole = Cli::try_parse_from(line(words)).expect(words);
            assert_eq!(format!("{fast:?}"), format!("{whole:?}"), "{words}");
        }
    }

    #[test]
    fn anything_else_is_left_to_the_whole_parser() {
        for words in [
            "lockstep",
            "lockstep --version",
            "lockstep check --help",
            "lockstep help check",
            "lockstep audit --since check",
            "lockstep -C check audit",
            "lockstep check --no-such-flag",
            "lockstep validate",
        ] {
            assert!(Cli::as_check(&line(words)).is_none(), "{words}");
        }
    }
}
