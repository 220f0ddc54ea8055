//! Diff sources: the work tree, the index, a pull request's range, a commit.

use std::collections::HashSet;
use std::path::PathBuf;

use git2::{Delta, DiffOptions, Oid};

use super::changes::{NewSide, into_changes, rename_key, renames_among};
use super::commit_object::Commit;
use super::error::{Context, GitError};
use super::git_cli;
use super::id::Id;
use super::index_file::{IndexFile, Unreadable};
use super::tree_walk::{Area, Blob, Found, IndexDir, RawChange, TreeDir, walk};
use super::unchanged::Unchanged;
use super::{Repo, Unit};
use crate::change::{Change, Content, Status};

/// What to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffSpec {
    /// The work tree and index against HEAD: everything not yet committed.
    WorkTree,
    /// The index against HEAD; `index_file` is `$GIT_INDEX_FILE` when git set one.
    Staged { index_file: Option<PathBuf> },
    /// A pull request: merge-base(base, head) .. head.
    Base { base: String, head: Option<String> },
    /// `A..B` (A against B) or `A...B` (merge-base against B).
    Range(String),
    /// One commit against its first parent.
    Commit(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffKind {
    Staged,
    WorkTree,
    Range,
    Commit,
    /// A patch read by `check --diff`.
    Patch,
}

impl DiffKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DiffKind::Staged => "staged",
            DiffKind::WorkTree => "worktree",
            DiffKind::Range => "range",
            DiffKind::Commit => "commit",
            DiffKind::Patch => "patch",
        }
    }
}

/// A resolved diff: its changes, and the commits it spans (for trailers).
#[derive(Debug, Clone)]
pub struct Diff {
    pub kind: DiffKind,
    pub base: Option<String>,
    pub head: Option<String>,
    pub changes: Vec<Change>,
    /// Where the paths the changes do not touch are looked up.
    pub unchanged: Unchanged,
    pub commits: Vec<Commit>,
}

impl Repo {
    pub fn diff(&self, spec: &DiffSpec) -> Result<Diff, GitError> {
        match spec {
            DiffSpec::WorkTree => self.worktree_diff(),
            DiffSpec::Staged { index_file } => self.staged_diff(index_file.as_deref()),
            DiffSpec::Base { base, head } => {
                let head_name = head.as_deref().unwrap_or("HEAD");
                let head = self.resolve(head_name)?;
                let base_id = self.resolve(base)?;
                let from = self.merge_base(base_id, head, (base, head_name))?;
                self.range_diff(Some(from), head)
            }
            DiffSpec::Range(spec) => {
                let (from, to) = self.range_ends(spec)?;
                self.range_diff(Some(from), to)
            }
            DiffSpec::Commit(spec) => {
                let id = self.resolve(spec)?;
                let parent = self.first_parent(id)?;
                let mut diff = self.range_diff(parent, id)?;
                diff.kind = DiffKind::Commit;
                Ok(diff)
            }
        }
    }

    /// `A..B` → (A, B); `A...B` → (merge-base, B). An empty end is HEAD, as in git.
    pub fn range_ends(&self, spec: &str) -> Result<(Oid, Oid), GitError> {
        let (from, to, symmetric) = if let Some((a, b)) = spec.split_once("...") {
            (a, b, true)
        } else if let Some((a, b)) = spec.split_once("..") {
            (a, b, false)
        } else {
            return Err(GitError::BadRange {
                spec: spec.to_owned(),
            });
        };
        let name = |s: &str| {
            if s.is_empty() {
                "HEAD".to_owned()
            } else {
                s.to_owned()
            }
        };
        let (from, to) = (name(from), name(to));
        let (from_id, to_id) = (self.resolve(&from)?, self.resolve(&to)?);
        let from_id = if symmetric {
            self.merge_base(from_id, to_id, (&from, &to))?
        } else {
            from_id
        };
        Ok((from_id, to_id))
    }

    fn first_parent(&self, id: Oid) -> Result<Option<Oid>, GitError> {
        if self.shallow_boundary().contains(&id) {
            let short = id.to_string()[..12].to_owned();
            return Err(GitError::Shallow {
                base: format!("{short}^"),
                head: short,
                fetch: "`git fetch --deepen=200`".to_owned(),
            });
        }
        Ok(self.read_commit(id)?.first_parent)
    }

    fn range_diff(&self, from: Option<Oid>, to: Oid) -> Result<Diff, GitError> {
        let changes = self.tree_changes(self.tree_of(from)?, self.tree_of(Some(to))?)?;
        Ok(Diff {
            kind: DiffKind::Range,
            base: from.map(|id| id.to_string()),
            head: Some(to.to_string()),
            changes,
            unchanged: Unchanged::Tree(Some(to)),
            commits: self.commits(from, to)?,
        })
    }

    /// The changes between two trees (either may be the empty tree).
    pub(super) fn tree_changes(
        &self,
        old: Option<Id>,
        new: Option<Id>,
    ) -> Result<Vec<Change>, GitError> {
        Ok(self.tree_changes_within(old, new, None)?.0)
    }

    /// [`Repo::tree_changes`] within `area` when given (exact renames are paired among
    /// those only), and whether the area left out any change.
    pub(super) fn tree_changes_within(
        &self,
        old: Option<Id>,
        new: Option<Id>,
        area: Option<&Area>,
    ) -> Result<(Vec<Change>, bool), GitError> {
        let mut raw = Vec::new();
        let sides = (old.map(TreeDir), new.map(TreeDir));
        let left_out = walk(self, sides, area, &mut raw)?;
        Ok((into_changes(raw, NewSide::Objects), left_out))
    }

    /// What judging `unit` needs of its full diff, when its walk within `area` found
    /// `within` and left out some change ([`InFull`]).
    pub fn unit_changes_in_full(
        &self,
        unit: &Unit,
        area: &Area,
        within: &[Change],
    ) -> Result<InFull, GitError> {
        let (tree, parent) = unit.trees;
        let mut found = Beyond {
            ids: within.iter().flat_map(paired_ids).collect(),
            raw: Vec::new(),
            others: 0,
            added: Vec::new(),
            deleted: Vec::new(),
        };
        let sides = (parent.map(TreeDir), Some(TreeDir(tree)));
        walk(self, sides, Some(area), &mut found)?;
        let changes = into_changes(found.raw, NewSide::Objects);
        let files = changes.len() + found.others - renames_among(found.added, found.deleted);
        Ok(InFull { changes, files })
    }

    fn staged_diff(&self, index_file: Option<&std::path::Path>) -> Result<Diff, GitError> {
        self.require_workdir("checking staged changes")?;
        let head = self.head()?;
        let head_tree = self.tree_of(head)?;
        let path = self.index_path(index_file);
        let raw = match IndexFile::read_file(&path) {
            Ok(parsed) => match parsed {
                Ok(index) => index_changes(self, head_tree, &index)?,
                Err(Unreadable::Unsupported(why)) => git_cli::staged_changes(
                    self.require_workdir("checking staged changes")?,
                    &path,
                    why,
                )?,
                Err(Unreadable::Corrupt(reason)) => {
                    return Err(GitError::Index {
                        path: path.display().to_string(),
                        reason,
                    });
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                index_changes(self, head_tree, &IndexFile::default())?
            }
            Err(e) => {
                return Err(e).context(|| format!("cannot read the index at `{}`", path.display()));
            }
        };
        let changes = into_changes(raw, NewSide::Objects);
        self.expect_in_work_tree(&changes);
        Ok(Diff {
            kind: DiffKind::Staged,
            base: head.map(|id| id.to_string()),
            head: None,
            changes,
            unchanged: Unchanged::Tree(head),
            commits: Vec::new(),
        })
    }

    fn worktree_diff(&self) -> Result<Diff, GitError> {
        let root = self.require_workdir("checking the work tree")?;
        let head = self.head()?;
        let index = self.index_path(None);
        // libgit2 would read a replaced tree or blob as stored.
        let replaced = (!self.replaced().is_empty()).then_some("replace refs");
        let mut raw = match git_reads(&index)?.or(replaced) {
            Some(why) => git_cli::work_tree_changes(root, &index, why)?,
            None => self.libgit2_work_tree_changes(head)?,
        };
        self.clean_work_tree(&mut raw)?;
        identify_copies(root, &mut raw);
        Ok(Diff {
            kind: DiffKind::WorkTree,
            base: head.map(|id| id.to_string()),
            head: None,
            changes: into_changes(raw, NewSide::WorkTreeOrIndex),
            unchanged: Unchanged::Tree(head),
            commits: Vec::new(),
        })
    }

    fn libgit2_work_tree_changes(&self, head: Option<Oid>) -> Result<Vec<RawChange>, GitError> {
        let repo = self.libgit2()?;
        let tree = self
            .tree_of(head)?
            .map(|id| repo.find_tree(id.oid()))
            .transpose()
            .context(|| "cannot read HEAD's tree".to_owned())?;
        let mut options = DiffOptions::new();
        options
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_typechange(false);
        let diff = repo
            .diff_tree_to_workdir_with_index(tree.as_ref(), Some(&mut options))
            .context(|| "cannot diff HEAD and the work tree".to_owned())?;
        Ok(raw_deltas(&diff))
    }
}

/// What judging a unit needs of its full diff, when its walk within an area left some
/// change out: what the full diff gives the rules, without a [`Change`] (nor a path)
/// for each change outside the area, which no rule sees.
#[derive(Debug)]
pub struct InFull {
    /// The full diff's changes within the area, and those outside it that pair with
    /// one of them into an exact rename across the area's edge (either way), in path
    /// order. Renames are paired as in the full diff: an addition may take a deletion
    /// outside the area before one within it.
    pub changes: Vec<Change>,
    /// How many changes the full diff has, renames paired.
    pub files: usize,
}

/// The ids of a change within an area that a change outside it could pair with: an
/// addition's, a deletion's, and a rename's (which either side could take instead).
fn paired_ids(change: &Change) -> impl Iterator<Item = Id> {
    let id = |content: Option<Content>| match content {
        Some(Content::Object { id, .. }) => Some(Id(id)),
        _ => None,
    };
    let sides = match change.status {
        Status::Added => (None, id(change.new)),
        Status::Deleted => (id(change.old), None),
        Status::Renamed => (id(change.old), id(change.new)),
        _ => (None, None),
    };
    sides.0.into_iter().chain(sides.1)
}

/// A walk of a unit's full diff that keeps a [`RawChange`] only where judging needs
/// it: within the area, and outside it for an addition or deletion that may pair with
/// one within; the other changes outside are counted, with the ids they pair by.
struct Beyond {
    /// [`paired_ids`] of the changes within the area.
    ids: HashSet<Id>,
    raw: Vec<RawChange>,
    /// Changes outside the area not in `raw`, and the [`rename_key`]s of their
    /// additions and deletions.
    others: usize,
    added: Vec<Id>,
    deleted: Vec<Id>,
}

impl Found for Beyond {
    const OUTSIDE: bool = true;

    fn inside(&mut self, path: &[u8], old: Option<Blob>, new: Option<Blob>) {
        self.raw.inside(path, old, new);
    }

    fn outside(&mut self, path: &[u8], old: Option<Blob>, new: Option<Blob>) {
        let one_side = match (old, new) {
            (None, Some(blob)) => Some((blob, &mut self.added)),
            (Some(blob), None) => Some((blob, &mut self.deleted)),
            _ => None,
        };
        if let Some((blob, list)) = one_side {
            if self.ids.contains(&blob.id) {
                self.raw.inside(path, old, new);
                return;
            }
            list.extend(rename_key(blob));
        }
        self.others += 1;
    }
}

/// Why the work tree must be compared by git rather than libgit2, if it must: an index
/// libgit2 cannot read (split, sparse), or entries outside a sparse checkout, which
/// libgit2 would report deleted.
fn git_reads(index: &std::path::Path) -> Result<Option<&'static str>, GitError> {
    let data = match std::fs::read(index) {
        Ok(data) => data,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(e).context(|| format!("cannot read the index at `{}`", index.display()));
        }
    };
    match IndexFile::parse(data) {
        Ok(parsed) if parsed.entries.iter().any(|e| e.skip_worktree) => Ok(Some("sparse checkout")),
        Ok(_) => Ok(None),
        Err(Unreadable::Unsupported(why)) => Ok(Some(why)),
        Err(Unreadable::Corrupt(reason)) => Err(GitError::Index {
            path: index.display().to_string(),
            reason,
        }),
    }
}

/// A new work-tree file (untracked, or added) holding exactly what a deleted file
/// held gets that blob's id, so it pairs with it as a rename, as git pairs them once it
/// is added (`git add -A`, then `git diff --cached`): git hashes the file as it would
/// store it. Files git converts already carry the id of their converted content
/// ([`Repo::clean_work_tree`]); any other new file is hashed as it is, and only when
/// something was deleted.
fn identify_copies(root: &std::path::Path, raw: &mut [RawChange]) {
    let deleted: HashSet<Id> = raw
        .iter()
        .filter(|change| change.new.is_none())
        .filter_map(|change| change.old.map(|old| old.id))
        .collect();
    if deleted.is_empty() {
        return;
    }
    for change in raw.iter_mut().filter(|change| change.old.is_none()) {
        let Some(new) = change.new.as_mut() else {
            continue;
        };
        if !new.id.is_zero() || new.mode & 0o170000 != 0o100000 {
            continue;
        }
        let file = root.join(String::from_utf8_lossy(&change.path).as_ref());
        let hashed = git2::Oid::hash_file(git2::ObjectType::Blob, file)
            .ok()
            .map(Id::from);
        if let Some(id) = hashed.filter(|id| deleted.contains(id)) {
            new.id = id;
        }
    }
}

fn index_changes(
    repo: &Repo,
    head_tree: Option<Id>,
    index: &IndexFile,
) -> Result<Vec<RawChange>, GitError> {
    let root = IndexDir {
        index,
        entries: &index.entries,
        node: index.tree_root(),
    };
    let mut raw = Vec::new();
    let sides = (head_tree.map(TreeDir), Some(root));
    walk(repo, sides, None, &mut raw)?;
    Ok(raw)
}

fn raw_deltas(diff: &git2::Diff<'_>) -> Vec<RawChange> {
    diff.deltas()
        .filter(|delta| !matches!(delta.status(), Delta::Unmodified | Delta::Ignored))
        .map(|delta| {
            let side = |file: git2::DiffFile<'_>| {
                file.exists().then(|| Blob {
                    id: file.id().into(),
                    mode: u32::from(file.mode()),
                })
            };
            let path = delta
                .new_file()
                .path_bytes()
                .or(delta.old_file().path_bytes())
                .unwrap_or_default();
            // The new side is the work tree's file (a zero id), a conflict's too.
            let conflicted = delta.status() == Delta::Conflicted;
            let new = match side(delta.new_file()) {
                _ if conflicted => Some(0o100644),
                new => new.map(|blob| blob.mode),
            };
            RawChange {
                path: path.to_vec(),
                old: side(delta.old_file()),
                new: new.map(|mode| Blob { id: Id::ZERO, mode }),
            }
        })
        .collect()
}
