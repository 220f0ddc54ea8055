//! Where a repository's parts are, resolved once as git itself resolves them — from the
//! directory lockstep runs in and git's environment (`GIT_DIR`, `GIT_WORK_TREE`,
//! `GIT_COMMON_DIR`, `GIT_OBJECT_DIRECTORY`, `GIT_ALTERNATE_OBJECT_DIRECTORIES`) — and
//! handed to every thread, so a worker opens the same repository as the main thread.

use std::path::{Path, PathBuf};
use std::process::Command;

use git2::{Index, Repository, RepositoryOpenFlags};

use super::discover::plain_layout;
use super::error::{Context, GitError};

/// The resolved parts of one repository.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    pub git_dir: PathBuf,
    /// Shared by every linked worktree: refs, objects, `shallow`, config.
    pub common_dir: PathBuf,
    /// `None` in a bare repository (or inside the git directory, as git sees it).
    pub work_tree: Option<PathBuf>,
    /// `$GIT_OBJECT_DIRECTORY`, else the common directory's `objects`.
    pub object_dir: PathBuf,
    /// `$GIT_INDEX_FILE`, else the git directory's `index`.
    pub index_file: PathBuf,
    /// `$GIT_ALTERNATE_OBJECT_DIRECTORIES`, made absolute.
    pub alternates: Vec<PathBuf>,
}

/// What `git rev-parse` prints, one line per flag, in this order.
const QUERIES: [&str; 7] = [
    "--git-dir",
    "--git-common-dir",
    "--show-object-format",
    "--git-path",
    "objects",
    "--git-path",
    "index",
];

impl Layout {
    /// Where the repository containing `dir` is: read directly in the ordinary case
    /// ([`plain_layout`]), else asked of git.
    pub fn resolve(dir: &Path) -> Result<Layout, GitError> {
        match plain_layout(dir, |name| std::env::var_os(name)) {
            Some(layout) => Ok(Layout {
                alternates: env_alternates(dir),
                ..layout
            }),
            None => Layout::ask_git(dir),
        }
    }

    /// Asks git where the repository containing `dir` is. Without git on PATH, libgit2
    /// discovers it (honouring the same variables, except `GIT_COMMON_DIR` and a
    /// `GIT_WORK_TREE` over a bare repository).
    pub(super) fn ask_git(dir: &Path) -> Result<Layout, GitError> {
        let output = Command::new("git")
            .current_dir(dir)
            .args(["rev-parse", "--path-format=absolute"])
            .args(QUERIES)
            // Last: it fails in a repository without a work tree, after the rest printed.
            .arg("--show-toplevel")
            .output();
        let Ok(output) = output else {
            return Layout::discover_with_libgit2(dir);
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        let lines: Vec<&str> = stdout.lines().collect();
        let [
            git_dir,
            common_dir,
            format,
            object_dir,
            index_file,
            rest @ ..,
        ] = lines.as_slice()
        else {
            return Err(GitError::NotARepository {
                path: dir.display().to_string(),
                reason: git_message(&output.stderr),
            });
        };
        if *format != "sha1" {
            return Err(GitError::ObjectFormat {
                format: (*format).to_owned(),
            });
        }
        let common_dir = PathBuf::from(common_dir);
        if common_dir.join("reftable").is_dir() {
            return Err(GitError::RefFormat {
                format: "reftable".to_owned(),
            });
        }
        Ok(Layout {
            git_dir: PathBuf::from(git_dir),
            common_dir,
            work_tree: rest
                .first()
                .filter(|_| output.status.success())
                .map(PathBuf::from),
            object_dir: PathBuf::from(object_dir),
            index_file: PathBuf::from(index_file),
            alternates: env_alternates(dir),
        })
    }

    fn discover_with_libgit2(dir: &Path) -> Result<Layout, GitError> {
        let repo = Repository::open_ext(
            dir,
            RepositoryOpenFlags::FROM_ENV,
            std::iter::empty::<&std::ffi::OsStr>(),
        )
        .map_err(|e| GitError::NotARepository {
            path: dir.display().to_string(),
            reason: e.message().to_owned(),
        })?;
        Ok(Layout {
            git_dir: repo.path().to_path_buf(),
            common_dir: repo.commondir().to_path_buf(),
            work_tree: repo.workdir().map(Path::to_path_buf),
            object_dir: std::env::var_os("GIT_OBJECT_DIRECTORY")
                .map_or_else(|| repo.commondir().join("objects"), |d| dir.join(d)),
            index_file: std::env::var_os("GIT_INDEX_FILE")
                .map_or_else(|| repo.path().join("index"), |f| dir.join(f)),
            alternates: env_alternates(dir),
        })
    }

    /// Opens libgit2's view of the repository: this git directory, work tree, index and
    /// object directories, whatever the environment says.
    pub fn open(&self) -> Result<Repository, GitError> {
        let repo = self.open_at(&self.git_dir)?;
        if self.index_file != self.git_dir.join("index") {
            let context = || format!("cannot read the index `{}`", self.index_file.display());
            let mut index = Index::open(&self.index_file).context(context)?;
            repo.set_index(&mut index).context(context)?;
        }
        Ok(repo)
    }

    /// The repository for walking commit graphs. libgit2 reads `shallow` from the git
    /// directory it opens; git reads it from the common one, which a linked worktree
    /// shares. Commits and objects are shared too; HEAD and the index are not, and are
    /// never read through this one. `None` when it would be [`Layout::open`]'s.
    pub fn open_graph(&self) -> Result<Option<Repository>, GitError> {
        if self.common_dir == self.git_dir {
            return Ok(None);
        }
        self.open_at(&self.common_dir).map(Some)
    }

    fn open_at(&self, git_dir: &Path) -> Result<Repository, GitError> {
        let context = || format!("cannot open the repository at `{}`", git_dir.display());
        let repo = Repository::open_ext(
            git_dir,
            RepositoryOpenFlags::NO_SEARCH,
            std::iter::empty::<&std::ffi::OsStr>(),
        )
        .context(context)?;
        if let Some(work_tree) = &self.work_tree
            && repo.workdir() != Some(work_tree.as_path())
        {
            repo.set_workdir(work_tree, false).context(context)?;
        }
        let own = self.common_dir.join("objects");
        let extra = (self.object_dir != own).then_some(&self.object_dir);
        {
            let odb = repo.odb().context(context)?;
            for dir in extra.into_iter().chain(&self.alternates) {
                odb.add_disk_alternate(&dir.to_string_lossy())
                    .context(context)?;
            }
        }
        Ok(repo)
    }
}

/// `$GIT_ALTERNATE_OBJECT_DIRECTORIES`: `:`-separated, relative to where git runs.
fn env_alternates(dir: &Path) -> Vec<PathBuf> {
    std::env::var_os("GIT_ALTERNATE_OBJECT_DIRECTORIES")
        .map(|list| {
            std::env::split_paths(&list)
                .filter(|path| !path.as_os_str().is_empty())
                .map(|path| dir.join(path))
                .collect()
        })
        .unwrap_or_default()
}

/// git's own reason, without its `fatal: ` prefix.
pub(super) fn git_message(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    line.strip_prefix("fatal: ").unwrap_or(line).to_owned()
}
