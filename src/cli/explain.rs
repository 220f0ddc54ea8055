//! `lockstep explain PATH…`: the rules each path triggers and the rules it satisfies.

use std::path::{Path, PathBuf};

use clap::Args;
use miette::{Diagnostic, IntoDiagnostic};

use super::output::print;
use super::rule_set::open_current;
use super::{Context, ExitStatus};
use crate::explain::{Format, explain, render};
use crate::repo_path;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Paths to explain, relative to the current directory; they need not exist.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Read the rule set from this file instead of discovering it.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// A path `explain` was given that lies outside the repository.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("`{path}` is outside the repository")]
#[diagnostic(
    code(lockstep::explain::outside),
    help("pass paths inside the work tree{root}, relative to the current directory or absolute")
)]
struct Outside {
    path: String,
    /// ` (ROOT)`, or empty in a bare repository.
    root: String,
}

pub fn run(args: &ExplainArgs, context: &Context) -> miette::Result<ExitStatus> {
    let (repo, rules) = open_current(&context.dir, args.config.as_deref())?;
    let root = repo.workdir();
    let prefix = root
        .and_then(|root| relative_dir(root, &context.dir))
        .unwrap_or_default();
    let paths = args
        .paths
        .iter()
        .map(|path| {
            inside(root, &prefix, path).ok_or_else(|| Outside {
                path: path.display().to_string(),
                root: root.map_or_else(String::new, |r| {
                    format!(" ({})", r.components().collect::<PathBuf>().display())
                }),
            })
        })
        .collect::<Result<Vec<String>, Outside>>()?;
    let explanations = explain(&rules, &paths);
    let text = render(&explanations, args.format).into_diagnostic()?;
    print(&context.dir, None, &text)?;
    Ok(ExitStatus::Success)
}

/// `path` as the rule set writes it: an absolute path must lie in the work tree `root`
/// (e.g. from shell completion); a relative one is taken from `prefix`, the current
/// directory's place in the work tree. `None` when it leaves the repository.
fn inside(root: Option<&Path>, prefix: &str, path: &Path) -> Option<String> {
    if !path.is_absolute() {
        return repo_path::join(prefix, path);
    }
    let root = root?;
    let canonical = root.canonicalize().ok();
    let relative = [Some(root), canonical.as_deref()]
        .into_iter()
        .flatten()
        .find_map(|root| path.strip_prefix(root).ok())?;
    repo_path::join("", relative)
}

/// Where `dir` is inside the work tree, as a `/`-separated repository path.
fn relative_dir(root: &Path, dir: &Path) -> Option<String> {
    let root = root.canonicalize().ok()?;
    let dir = dir.canonicalize().ok()?;
    repo_path::join("", dir.strip_prefix(&root).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_repository_relative() {
        let root = Path::new("/repo");
        let inside = |prefix, path| inside(Some(root), prefix, Path::new(path));
        assert_eq!(
            inside("services", "./api/x.proto").as_deref(),
            Some("services/api/x.proto")
        );
        assert_eq!(
            inside("services", "../docs/a.md").as_deref(),
            Some("docs/a.md")
        );
        assert_eq!(inside("", "/repo/README.md").as_deref(), Some("README.md"));
    }

    #[test]
    fn paths_outside_the_repository_are_refused() {
        let root = Path::new("/repo");
        assert_eq!(inside(Some(root), "services", Path::new("../../x")), None);
        assert_eq!(inside(Some(root), "", Path::new("/etc/passwd")), None);
        assert_eq!(inside(None, "", Path::new("/repo/README.md")), None);
    }
}
