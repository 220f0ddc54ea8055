//! The files git tracks, for whole-tree scans: the index's paths with their work-tree
//! content, or HEAD's tree in a bare repository. Untracked and ignored files are never
//! listed, so a scan never walks `target/` or `node_modules/`.

use git2::{ObjectType, TreeWalkMode, TreeWalkResult};

use super::Repo;
use super::error::{Context, GitError};
use super::index_file::{IndexFile, Unreadable};
use crate::change::Content;

const MODE_TYPE: u32 = 0o170000;
const MODE_REGULAR: u32 = 0o100000;

/// One tracked regular file and where to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedFile {
    /// `/`-separated, lossily UTF-8.
    pub path: String,
    pub content: Content,
}

impl Repo {
    /// Every tracked regular file (no submodules, no symlinks): from the index, read
    /// from the work tree, when there is one; else from HEAD's tree.
    pub fn tracked_files(&self) -> Result<Vec<TrackedFile>, GitError> {
        if self.workdir().is_some() {
            self.index_files()
        } else {
            self.head_files()
        }
    }

    fn index_files(&self) -> Result<Vec<TrackedFile>, GitError> {
        let path = self.index_path(None);
        let data = match std::fs::read(&path) {
            Ok(data) => data,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(e).context(|| format!("cannot read the index at `{}`", path.display()));
            }
        };
        let entries: Vec<(String, u32)> = match IndexFile::parse(&data) {
            Ok(index) => index
                .entries
                .iter()
                .map(|e| (String::from_utf8_lossy(index.path(e)).into_owned(), e.mode))
                .collect(),
            Err(Unreadable::Unsupported(_)) => {
                let index = git2::Index::open(&path)
                    .context(|| format!("cannot read the index at `{}`", path.display()))?;
                let mut entries: Vec<(String, u32)> = index
                    .iter()
                    .map(|e| (String::from_utf8_lossy(&e.path).into_owned(), e.mode))
                    .collect();
                entries.dedup_by(|a, b| a.0 == b.0);
                entries
            }
            Err(Unreadable::Corrupt(reason)) => {
                return Err(GitError::Index {
                    path: path.display().to_string(),
                    reason,
                });
            }
        };
        Ok(entries
            .into_iter()
            .filter(|(_, mode)| is_regular(*mode))
            .map(|(path, mode)| TrackedFile {
                path,
                content: Content::WorkTree { mode },
            })
            .collect())
    }

    fn head_files(&self) -> Result<Vec<TrackedFile>, GitError> {
        let Some(tree) = self.tree_of(self.head()?)? else {
            return Ok(Vec::new());
        };
        let tree = self
            .repo
            .find_tree(tree)
            .context(|| "cannot read HEAD's tree".to_owned())?;
        let mut files = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            let mode = entry.filemode() as u32;
            if entry.kind() == Some(ObjectType::Blob) && is_regular(mode) {
                let mut id = [0; 20];
                id.copy_from_slice(&entry.id().as_bytes()[..20]);
                let name = String::from_utf8_lossy(entry.name_bytes());
                files.push(TrackedFile {
                    path: format!("{dir}{name}"),
                    content: Content::Object { id, mode },
                });
            }
            TreeWalkResult::Ok
        })
        .context(|| "cannot walk HEAD's tree".to_owned())?;
        Ok(files)
    }
}

/// Regular files only: not submodules, symlinks, or a sparse index's directories.
fn is_regular(mode: u32) -> bool {
    mode & MODE_TYPE == MODE_REGULAR
}
