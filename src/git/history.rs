//! Commits of a range: their messages carry waivers, and `--per-commit` judges each.

use git2::{Oid, Sort};

use super::Repo;
use super::error::{Context, GitError};
use super::unchanged::Unchanged;

/// A commit as plain values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub id: String,
    pub message: String,
    pub author: String,
    /// Seconds since the epoch, committer time.
    pub time: i64,
}

impl Commit {
    pub fn summary(&self) -> &str {
        self.message.lines().next().unwrap_or_default()
    }

    /// Where the paths the commit's own diff leaves untouched are looked up: its tree.
    pub fn unchanged(&self) -> Result<Unchanged, GitError> {
        let id = Oid::from_str(&self.id).context(|| format!("`{}` is not a commit id", self.id))?;
        Ok(Unchanged::Tree(Some(id)))
    }
}

impl Repo {
    /// Commits reachable from `to` but not from `from`, oldest first.
    pub fn commits(&self, from: Option<Oid>, to: Oid) -> Result<Vec<Commit>, GitError> {
        let context = || format!("cannot list the commits up to {to}");
        let mut walk = self.graph()?.revwalk().context(context)?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
            .context(context)?;
        walk.push(to).context(context)?;
        if let Some(from) = from {
            walk.hide(from).context(context)?;
        }
        walk.map(|id| {
            let id = id.context(context)?;
            Ok(self.read_commit(id)?.into_commit(id))
        })
        .collect()
    }
}
