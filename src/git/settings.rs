//! The configuration lockstep reads values from (`diff.indentHeuristic`,
//! `core.commitGraph`, `core.useReplaceRefs`): the files libgit2 reads for the
//! repository — system, XDG, global, the repository's `config` — read once per reader.
//! Where those files are plain they are read without opening the repository; a file
//! that includes another (`include.path`, or `includeIf`, whose conditions name the
//! repository) or per-worktree configuration is read through the opened repository.

use std::path::Path;

use git2::{Config, ConfigLevel};

use super::Repo;

impl Repo {
    /// The configuration; `None` when it cannot be read (each value then has git's
    /// default).
    pub(super) fn config(&self) -> Option<&Config> {
        self.config
            .get_or_init(|| {
                plain(&self.layout.common_dir.join("config"))
                    .or_else(|| self.libgit2().ok()?.config().ok()?.snapshot().ok())
            })
            .as_ref()
    }
}

/// The configuration libgit2 reads for a repository whose own file is `local`, read
/// without the repository; `None` where it needs the repository (or does not parse).
fn plain(local: &Path) -> Option<Config> {
    let mut config = Config::open_default().ok()?;
    config.add_file(local, ConfigLevel::Local, false).ok()?;
    let config = config.snapshot().ok()?;
    let needs_repository = config
        .entries(Some(
            r"^(include|includeif)\..*|^extensions\.worktreeconfig$",
        ))
        .ok()?
        .next()
        .is_some();
    (!needs_repository).then_some(config)
}
