//! `lockstep graph`: the dependency map as Mermaid, DOT or a self-contained HTML page.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::output::print;
use super::rule_set::open_current;
use super::{Context, ExitStatus};
use crate::graph::{Graph, render_dot, render_html, render_mermaid};

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,

    /// Write the graph to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Read the rule set from this file instead of discovering it.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart (renders in GitHub Markdown).
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// One self-contained HTML page with an SVG drawing.
    Html,
}

pub fn run(args: &GraphArgs, context: &Context) -> miette::Result<ExitStatus> {
    let (_, rules) = open_current(&context.dir, args.config.as_deref())?;
    let graph = Graph::build(&rules);
    let text = match args.format {
        GraphFormat::Mermaid => render_mermaid(&graph),
        GraphFormat::Dot => render_dot(&graph),
        GraphFormat::Html => render_html(&graph),
    };
    print(&context.dir, args.output.as_deref(), &text)?;
    Ok(ExitStatus::Success)
}
