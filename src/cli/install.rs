//! `lockstep install` and `lockstep uninstall`: git hooks that run lockstep.

use clap::Args;

use super::{Context, ExitStatus};
use crate::git::{GitError, Repo};
use crate::install::{Hook, Installed, Removed, install, uninstall};

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Which git hook to write (commit-msg honours `Lockstep-Skip:` trailers in the
    /// message being written).
    #[arg(long, value_enum, default_value_t = Hook::PreCommit)]
    pub hook: Hook,

    /// Replace a hook lockstep did not write (it is kept as `<hook>.lockstep-backup`).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// Remove only this hook (default: every hook lockstep wrote).
    #[arg(long, value_enum)]
    pub hook: Option<Hook>,
}

pub fn run_install(args: &InstallArgs, context: &Context) -> miette::Result<ExitStatus> {
    let repo = Repo::discover(&context.dir)?;
    if repo.workdir().is_none() {
        // git runs pre-commit, commit-msg and pre-push only where commits are made.
        return Err(GitError::Bare {
            what: format!("the {} hook", args.hook.name()),
            help: "install the hook in a clone where commits are made; on a server, run `lockstep check --range OLD..NEW` from a pre-receive hook".to_owned(),
        }
        .into());
    }
    let dir = repo.hooks_dir()?;
    let binary = context.env.current_exe.as_deref();
    let message = match install(&dir, args.hook, binary, args.force)? {
        Installed::Written { path } => format!(
            "installed the {} hook at {}",
            args.hook.name(),
            path.display()
        ),
        Installed::Updated { path } => format!(
            "updated the {} hook at {}",
            args.hook.name(),
            path.display()
        ),
        Installed::Replaced { path, backup } => format!(
            "replaced the {} hook at {} (the previous one is kept at {})",
            args.hook.name(),
            path.display(),
            backup.display()
        ),
    };
    eprintln!("lockstep: {message}");
    Ok(ExitStatus::Success)
}

pub fn run_uninstall(args: &UninstallArgs, context: &Context) -> miette::Result<ExitStatus> {
    let repo = Repo::discover(&context.dir)?;
    let dir = repo.hooks_dir()?;
    let hooks = match args.hook {
        Some(hook) => vec![hook],
        None => Hook::ALL.to_vec(),
    };
    let mut any = false;
    for hook in hooks {
        let message = match uninstall(&dir, hook)? {
            None => continue,
            Some(Removed::Removed { path }) => format!("removed {}", path.display()),
            Some(Removed::Restored { path }) => {
                format!(
                    "removed {} and restored the hook it replaced",
                    path.display()
                )
            }
            Some(Removed::Foreign { path }) => {
                format!("left {} alone: lockstep did not write it", path.display())
            }
        };
        any = true;
        eprintln!("lockstep: {message}");
    }
    if !any {
        eprintln!("lockstep: no hook to remove in {}", dir.display());
    }
    Ok(ExitStatus::Success)
}
