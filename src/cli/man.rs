//! `lockstep man`: the manual page (roff) generated from the clap definition.

use std::path::PathBuf;

use clap::{Args, CommandFactory};
use clap_mangen::Man;
use miette::{IntoDiagnostic, WrapErr};

use super::output::write_output;
use super::{Cli, Context, ExitStatus};

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command (lockstep.1, lockstep-check.1, …) into DIR, created if
    /// missing, instead of printing lockstep(1).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

pub fn run(args: &ManArgs, context: &Context) -> miette::Result<ExitStatus> {
    let command = Cli::command();
    match &args.output_dir {
        Some(dir) => {
            let dir = context.dir.join(dir);
            std::fs::create_dir_all(&dir)
                .and_then(|()| clap_mangen::generate_to(command, &dir))
                .into_diagnostic()
                .wrap_err_with(|| {
                    format!("cannot write the manual pages to `{}`", dir.display())
                })?;
        }
        None => {
            let mut page = Vec::new();
            Man::new(command).render(&mut page).into_diagnostic()?;
            write_output(&context.dir, None, |out| out.write_all(&page))?;
        }
    }
    Ok(ExitStatus::Success)
}
