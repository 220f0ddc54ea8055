//! `lockstep graph`: the dependency map as Mermaid, DOT or a self-contained HTML page.

use std::path::PathBuf;

use clap::Args;

use super::output::print;
use super::rule_set::open_current;
use super::{Context, ExitStatus};
use crate::graph::{Format, Graph, render};

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Mermaid)]
    pub format: Format,

    /// Write the graph to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Read the rule set from this file instead of discovering it.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

pub fn run(args: &GraphArgs, context: &Context) -> miette::Result<ExitStatus> {
    let (repo, rules) = open_current(&context.dir, args.config.as_deref())?;
    let graph = Graph::build(&rules, &repo.tracked_paths()?);
    let text = render(&graph, args.format);
    print(&context.dir, args.output.as_deref(), &text)?;
    Ok(ExitStatus::Success)
}
