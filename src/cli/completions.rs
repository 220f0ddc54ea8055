//! `lockstep completions SHELL`: a completion script generated from the clap definition.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::output::write_output;
use super::{Cli, Context, ExitStatus};

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &CompletionsArgs, context: &Context) -> miette::Result<ExitStatus> {
    // Generated into memory first: clap_complete panics when its writer fails.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "lockstep", &mut script);
    write_output(&context.dir, None, |out| out.write_all(&script))?;
    Ok(ExitStatus::Success)
}
