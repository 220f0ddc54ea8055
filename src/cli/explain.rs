//! `lockstep explain PATH…`: the rules each path triggers and the rules it satisfies.

use std::path::{Component, Path, PathBuf};

use clap::{Args, ValueEnum};
use miette::IntoDiagnostic;

use super::output::print;
use super::rule_set::open_current;
use super::{Context, ExitStatus};
use crate::explain::{explain, render_human, render_json};

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Paths to explain, relative to the current directory; they need not exist.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Read the rule set from this file instead of discovering it.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Human)]
    pub format: ExplainFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Human,
    Json,
}

pub fn run(args: &ExplainArgs, context: &Context) -> miette::Result<ExitStatus> {
    let (repo, rules) = open_current(&context.dir, args.config.as_deref())?;
    let prefix = repo
        .workdir()
        .and_then(|root| relative_dir(root, &context.dir))
        .unwrap_or_default();
    let root = repo.workdir().and_then(|root| root.canonicalize().ok());
    let paths: Vec<String> = args
        .paths
        .iter()
        .map(|p| match (p.is_absolute(), &root) {
            // An absolute path inside the work tree, e.g. from shell completion.
            (true, Some(root)) => repo_path(&[], p.strip_prefix(root).unwrap_or(p)),
            _ => repo_path(&prefix, p),
        })
        .collect();
    let explanations = explain(&rules, &paths);
    let text = match args.format {
        ExplainFormat::Human => render_human(&explanations),
        ExplainFormat::Json => render_json(&explanations).into_diagnostic()?,
    };
    print(&context.dir, None, &text)?;
    Ok(ExitStatus::Success)
}

/// Where `dir` is inside the work tree, as path components.
fn relative_dir(root: &Path, dir: &Path) -> Option<Vec<String>> {
    let root = root.canonicalize().ok()?;
    let dir = dir.canonicalize().ok()?;
    let relative = dir.strip_prefix(&root).ok()?;
    Some(
        relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect(),
    )
}

/// A path as the rule set writes it: repository-relative, `/`-separated, with `.` and
/// `..` resolved.
fn repo_path(prefix: &[String], path: &Path) -> String {
    let mut parts: Vec<String> = prefix.to_vec();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().replace('\\', "/")),
            Component::ParentDir => {
                parts.pop();
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_repository_relative() {
        let prefix = vec!["services".to_owned()];
        assert_eq!(
            repo_path(&prefix, Path::new("./api/x.proto")),
            "services/api/x.proto"
        );
        assert_eq!(repo_path(&prefix, Path::new("../docs/a.md")), "docs/a.md");
        assert_eq!(repo_path(&[], Path::new("README.md")), "README.md");
    }
}
