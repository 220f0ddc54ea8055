//! Where git looks for hooks, for `lockstep install`.

use std::path::PathBuf;

use super::Repo;
use super::error::{Context, GitError};

impl Repo {
    /// The directory git runs hooks from: `core.hooksPath` when set (a relative path is
    /// relative to the work tree's root, where git runs hooks), else `hooks/` in the
    /// common git directory, which every linked worktree shares.
    pub fn hooks_dir(&self) -> Result<PathBuf, GitError> {
        let repo = self.libgit2()?;
        let config = repo
            .config()
            .context(|| "cannot read the git configuration".to_owned())?;
        match config.get_path("core.hooksPath") {
            Ok(path) if path.is_absolute() => Ok(path),
            Ok(path) => {
                let base = self.workdir().unwrap_or_else(|| repo.commondir());
                Ok(base.join(path))
            }
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(repo.commondir().join("hooks")),
            Err(e) => Err(e).context(|| "cannot read core.hooksPath".to_owned()),
        }
    }
}
