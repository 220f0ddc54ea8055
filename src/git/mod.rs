//! The only module that touches git2. It turns a repository and a diff request into
//! plain [`Change`](crate::change::Change) values, reads their lines on demand, walks
//! history, and reads files from revisions.

mod ancestry;
mod area;
mod changes;
mod clean;
mod commit_changes;
mod commit_graph;
mod commit_object;
mod discover;
mod error;
mod git_cli;
mod head;
mod history;
mod hooks;
mod id;
mod index_file;
mod lines;
mod loose;
mod objects;
mod pack;
mod packed_refs;
#[doc(hidden)]
pub mod parsers;
mod promisor;
mod quote;
mod read_ahead;
mod recent;
mod repo;
mod revision_files;
mod settings;
mod source;
mod topo_order;
mod tracked;
mod tree_walk;
mod unchanged;
mod walk;

#[cfg(test)]
mod test_git;

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use git2::{ErrorCode, Oid, Repository};

pub use area::Wanted;
pub use commit_object::Commit;
pub use error::GitError;
pub use lines::{diff_lines, is_binary, read_work_tree};
pub use revision_files::RevisionFiles;
pub use source::{Diff, DiffKind, DiffSpec, InFull};
pub use tracked::TrackedFile;
pub use tree_walk::Area;
pub use unchanged::{Lookup, Unchanged};
pub use walk::{HistorySpec, Unit, Units};

use ancestry::MergeBases;
use area::Areas;
use clean::Cleaned;
use commit_graph::CommitGraph;
use error::{Context, ReadError};
use id::Id;
use objects::{Objects, PackFiles};
use pack::Object;
use promisor::Promisor;
use read_ahead::Ahead;
use recent::Recent;
use repo::Layout;
use tree_walk::Trees;

/// Replace refs git follows in a row from one object before it gives up ("replace
/// depth too high", `MAXREPLACEDEPTH`).
const MAX_REPLACE_DEPTH: usize = 5;

/// Bytes of blobs a repository's blob cache holds at most.
const BLOB_CACHE: usize = 2 << 20;
/// Bytes of commits the cache of commits walked holds at most: a pull request's few
/// hundred commits, and their merge-base search.
const WALKED_CACHE: usize = 2 << 20;

/// What another thread needs to open its own reader of a repository: a [`Repo`] stays
/// on the thread that opened it.
pub struct Opener {
    layout: Arc<Layout>,
    packs: PackFiles,
    graph: Option<Arc<CommitGraph>>,
    replaced: Arc<HashMap<Id, Id>>,
}

impl Opener {
    /// A reader sharing the packs (and the windows read from them); what it caches
    /// goes with it.
    /// It reads the commit-graph this one read, and the replace refs it found.
    pub fn open(&self) -> Result<Repo, GitError> {
        let repo = Repo::new(Arc::clone(&self.layout), Arc::clone(&self.packs));
        repo.share_commit_graph(self.graph.clone());
        // Each reader would read `packed-refs` again for them (600 KB in cargo).
        let _ = repo.replaced.set(Arc::clone(&self.replaced));
        Ok(repo)
    }
}

/// An open repository, read-only.
pub struct Repo {
    /// libgit2's view of the repository, opened at the first need ([`Repo::libgit2`]).
    repo: OnceCell<Repository>,
    layout: Arc<Layout>,
    /// For commit-graph walks in a linked worktree ([`Layout::open_graph`]).
    graph: OnceCell<Option<Repository>>,
    objects: RefCell<Objects>,
    shallow: OnceCell<HashSet<Oid>>,
    /// `info/grafts`: commits whose parents git reads from there instead.
    grafts: OnceCell<HashMap<Oid, Vec<Oid>>>,
    /// Objects a replace ref replaces, and the object git reads in their stead; shared
    /// by the threads of a walk.
    replaced: OnceCell<Arc<HashMap<Id, Id>>>,
    /// The commit-graph, when git would read one; shared by the threads of a walk.
    commit_graph: OnceCell<Option<Arc<CommitGraph>>>,
    /// Blobs read lately: the annotation pass and the line diffs read the same ones.
    blobs: RefCell<Recent>,
    /// Where the work tree likely holds blobs as they are: the staged sides of a
    /// staged check, by blob id ([`Repo::expect_in_work_tree`]).
    work_tree_copies: RefCell<HashMap<Id, String>>,
    /// Commits a merge-base search or a revision's steps read lately, whose messages
    /// the range's listing reads next.
    walked: RefCell<Recent>,
    /// Trees read lately, parsed: a walk's diffs and the area check read the same ones.
    trees: Trees,
    /// What the audit asked about areas of trees.
    areas: RefCell<Areas>,
    /// Objects a partial clone lacks, fetched as git fetches them; set at the first.
    promisor: RefCell<Option<Promisor>>,
    /// Work-tree files git converts before comparing them, converted; set at the first.
    cleaned: RefCell<Option<Cleaned>>,
    /// `diff.indentHeuristic`, read at the first line diff.
    indent_heuristic: OnceCell<bool>,
    /// The configuration, read at the first value asked ([`Repo::config`]).
    config: OnceCell<Option<git2::Config>>,
    /// Whether [`Repo::read_ahead`] may start a second thread.
    read_ahead_allowed: Cell<bool>,
    /// The blobs a second thread reads ahead, while it does.
    ahead: RefCell<Option<Ahead>>,
}

impl Repo {
    /// `packs` shares the pack files (and the windows read from them) with the other
    /// threads reading the same repository.
    fn new(layout: Arc<Layout>, packs: PackFiles) -> Repo {
        Repo {
            objects: RefCell::new(Objects::new(layout.object_dir.clone(), packs)),
            layout,
            graph: OnceCell::new(),
            shallow: OnceCell::new(),
            grafts: OnceCell::new(),
            replaced: OnceCell::new(),
            commit_graph: OnceCell::new(),
            repo: OnceCell::new(),
            blobs: RefCell::new(Recent::new(BLOB_CACHE)),
            walked: RefCell::new(Recent::new(WALKED_CACHE)),
            work_tree_copies: RefCell::default(),
            trees: Trees::default(),
            areas: RefCell::default(),
            promisor: RefCell::new(None),
            cleaned: RefCell::new(None),
            indent_heuristic: OnceCell::new(),
            config: OnceCell::new(),
            read_ahead_allowed: Cell::new(false),
            ahead: RefCell::new(None),
        }
    }

    /// Opens the repository containing `path`, honouring `GIT_DIR` and friends as git
    /// does in hooks.
    pub fn discover(path: &Path) -> Result<Repo, GitError> {
        // lockstep only reads, and its speed is the point; git verifies objects on write.
        git2::opts::strict_hash_verification(false);
        Ok(Repo::new(
            Arc::new(Layout::resolve(path)?),
            PackFiles::default(),
        ))
    }

    /// libgit2's view of the repository, opened at the first call: a check whose refs,
    /// objects and configuration lockstep's own readers find never opens it.
    fn libgit2(&self) -> Result<&Repository, GitError> {
        if let Some(repo) = self.repo.get() {
            return Ok(repo);
        }
        let repo = self.layout.open()?;
        Ok(self.repo.get_or_init(|| repo))
    }

    /// Opens more readers of this repository on other threads, sharing its packs.
    pub fn opener(&self) -> Opener {
        Opener {
            layout: Arc::clone(&self.layout),
            packs: self.objects.borrow().pack_files(),
            graph: self.shared_commit_graph(),
            replaced: Arc::clone(self.shared_replaced()),
        }
    }

    /// The root of the work tree; `None` in a bare repository.
    pub fn workdir(&self) -> Option<&Path> {
        self.layout.work_tree.as_deref()
    }

    fn require_workdir(&self, what: &str) -> Result<&Path, GitError> {
        self.workdir().ok_or_else(|| GitError::bare(what))
    }

    /// Whether the repository has no commits: HEAD is unborn and no reference exists.
    fn is_empty(&self) -> bool {
        matches!(self.head(), Ok(None))
            && self.libgit2().is_ok_and(|repo| {
                repo.references()
                    .map_or(true, |mut refs| refs.next().is_none())
            })
    }

    /// Whether the clone is shallow: `shallow` lists commits in the common directory,
    /// which linked worktrees share.
    pub fn is_shallow(&self) -> bool {
        !self.shallow_boundary().is_empty()
    }

    /// The blob an abbreviated id names (a patch's `index` line), if this repository
    /// has it and the prefix is unambiguous.
    pub fn blob_by_prefix(&self, hex: &str) -> Option<[u8; 20]> {
        let plausible = hex.len() >= 4 && hex.bytes().all(|b| b.is_ascii_hexdigit());
        if !plausible || hex.bytes().all(|b| b == b'0') {
            return None;
        }
        let object = self.libgit2().ok()?.revparse_single(hex).ok()?;
        object.as_blob()?;
        object.id().as_bytes().try_into().ok()
    }

    /// What names this repository in reports: the `origin` remote's URL, else the
    /// name of its directory (without `.git`).
    pub fn name(&self) -> String {
        if let Some(url) = self
            .libgit2()
            .ok()
            .and_then(|repo| repo.find_remote("origin").ok())
            .and_then(|remote| remote.url().map(str::to_owned))
        {
            return url;
        }
        let dir = self.workdir().unwrap_or(&self.layout.git_dir);
        let name = dir
            .components()
            .rfind(|c| matches!(c, std::path::Component::Normal(_)))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        name.strip_suffix(".git").map(str::to_owned).unwrap_or(name)
    }

    /// The commit a revision names.
    pub fn resolve(&self, spec: &str) -> Result<Oid, GitError> {
        if self.history_rewritten() {
            // `HEAD~2` follows parents, which replace refs and grafts change.
            return git_cli::resolve(&self.layout, spec)?.ok_or_else(|| self.unknown(spec));
        }
        // `HEAD~300` is HEAD's commit and 300 parents read by the own reader; libgit2
        // resolves the name.
        let (name, steps) = ancestry::split(spec).unwrap_or((spec, Vec::new()));
        let start = self
            .libgit2()?
            .revparse_single(name)
            .and_then(|object| object.peel_to_commit())
            .map_err(|_| self.unknown(spec))?
            .id();
        self.follow(start, &steps)?
            .ok_or_else(|| self.unknown(spec))
    }

    /// Why `spec` names nothing: a damaged pack may hold what it names.
    fn unknown(&self, spec: &str) -> GitError {
        if let Some(damage) = self.objects.borrow().damage() {
            return GitError::Damaged {
                context: format!("cannot resolve `{spec}`"),
                reason: damage.to_string(),
            };
        }
        if self.is_empty() {
            return GitError::Empty {
                spec: spec.to_owned(),
            };
        }
        let help = if self.is_shallow() {
            format!(
                "this clone is shallow and may not have `{spec}`: run `git fetch --unshallow` (in GitHub Actions, `fetch-depth: 0`)"
            )
        } else {
            format!(
                "check the name; a remote branch must be fetched first (`git fetch origin {spec}`) and named `origin/{spec}`"
            )
        };
        GitError::UnknownRevision {
            spec: spec.to_owned(),
            help,
        }
    }

    /// HEAD's commit, or `None` on an unborn branch. The own reader reads the ordinary
    /// cases (a branch, loose or packed, or a detached commit) and confirms the
    /// commit; anything else (a tag, an unusual ref, damage) is libgit2's to peel and
    /// explain.
    pub fn head(&self) -> Result<Option<Oid>, GitError> {
        match head::read(&self.layout.git_dir, &self.layout.common_dir) {
            Some(head::Head::Unborn) => return Ok(None),
            Some(head::Head::Object(id)) if self.is_commit(id.oid()) => return Ok(Some(id.oid())),
            _ => {}
        }
        match self.libgit2()?.head() {
            Ok(head) if head.target().is_some_and(|id| self.is_commit(id)) => Ok(head.target()),
            Ok(head) => Ok(Some(
                head.peel_to_commit()
                    .map_err(|e| self.damaged_or(e))
                    .context(|| "cannot read HEAD".to_owned())?
                    .id(),
            )),
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
            Err(e) => Err(e).context(|| "cannot read HEAD".to_owned()),
        }
    }

    /// Whether the object store holds `id` (or what replaces it) as a commit; missing
    /// or damaged, it does not say, and fetches nothing. A commit's bytes are kept among
    /// the commits walked lately: its tree is read next ([`Repo::tree_of`]).
    fn is_commit(&self, id: Oid) -> bool {
        self.replacement(Id::from(id))
            .is_ok_and(|stored| match self.read_stored(stored) {
                Ok((git2::ObjectType::Commit, bytes)) => {
                    self.walked.borrow_mut().insert(Id::from(id), bytes);
                    true
                }
                _ => false,
            })
    }

    /// The repository to walk commit graphs in: the shallow boundary as git sees it.
    fn graph(&self) -> Result<&Repository, GitError> {
        if self.graph.get().is_none() {
            let _ = self.graph.set(self.layout.open_graph()?);
        }
        self.graph
            .get()
            .and_then(Option::as_ref)
            .map_or_else(|| self.libgit2(), Ok)
    }

    /// The merge-base `git merge-base` prints: where replace refs or grafts are in
    /// effect, git's own answer, as libgit2 honours neither.
    pub fn merge_base(&self, base: Oid, head: Oid, names: (&str, &str)) -> Result<Oid, GitError> {
        let found = if self.history_rewritten() {
            git_cli::merge_base(&self.layout, base, head)?
        } else if let Some(found) = self.unique_merge_base(base, head)? {
            found
        } else {
            match self.graph()?.merge_base(base, head) {
                Ok(id) => Some(id),
                Err(e) if e.code() == ErrorCode::NotFound => None,
                Err(e) => {
                    let context = || {
                        format!(
                            "cannot compute the merge-base of `{}` and `{}`",
                            names.0, names.1
                        )
                    };
                    return Err(e).context(context);
                }
            }
        };
        let (base, head) = (names.0.to_owned(), names.1.to_owned());
        found.ok_or_else(|| {
            if self.is_shallow() {
                GitError::Shallow {
                    fetch: self.fetch_more(&base),
                    base,
                    head,
                }
            } else {
                GitError::NoMergeBase { base, head }
            }
        })
    }

    /// The merge-base of `base` and `head` found by the own reader, `Some(None)` when
    /// they have none; `None` when it found several candidates, of which git keeps
    /// those no other reaches (libgit2 does that part).
    fn unique_merge_base(&self, base: Oid, head: Oid) -> Result<Option<Option<Oid>>, GitError> {
        Ok(match self.merge_bases(base, head)? {
            MergeBases::None => Some(None),
            MergeBases::One(id) => Some(Some(id)),
            MergeBases::Several => None,
        })
    }

    /// How to fetch the history a shallow clone lacks below `base`, as commands that
    /// work when pasted: a remote-tracking branch is deepened from its remote (git
    /// cannot fetch `origin/main` by that name); anything else needs all of history.
    fn fetch_more(&self, base: &str) -> String {
        let unshallow = "`git fetch --unshallow`";
        let Ok(repo) = self.libgit2() else {
            return unshallow.to_owned();
        };
        let Ok(reference) = repo.resolve_reference_from_short_name(base) else {
            return unshallow.to_owned();
        };
        let name = reference.name().unwrap_or_default();
        let remotes = repo.remotes().ok();
        let tracked = remotes
            .iter()
            .flat_map(|r| r.iter().flatten())
            .find_map(|remote| {
                let branch = name.strip_prefix(&format!("refs/remotes/{remote}/"))?;
                Some(format!("`git fetch --deepen=200 {remote} {branch}`"))
            });
        match tracked {
            Some(deepen) => format!("{deepen} (or all of it: {unshallow})"),
            None => unshallow.to_owned(),
        }
    }

    /// `error`, from libgit2 reading an object, unless a damaged pack explains it.
    fn damaged_or(&self, error: git2::Error) -> ReadError {
        self.objects
            .borrow()
            .damage()
            .unwrap_or_else(|| error.into())
    }

    /// An object's kind and bytes, read for what `context` says: the repository's, or
    /// a converted work-tree file's ([`Repo::clean_work_tree`]). One a partial clone
    /// lacks is read through git, which fetches it from the promisor remote.
    /// A replaced object reads as its replacement, as in git.
    fn read_object(&self, id: Id, context: impl Fn() -> String) -> Result<Object, GitError> {
        let stored = self.replacement(id)?;
        let missing = match self.read_stored(stored) {
            Err(e) if e.is_not_found() => e,
            read => return read.context(context),
        };
        if let Some(object) = self.read_cleaned(id).context(&context)? {
            return Ok(object);
        }
        let mut promisor = self.promisor.borrow_mut();
        promisor
            .get_or_insert_with(|| Promisor::of(self.config()))
            .read(&self.layout.git_dir, stored, missing, context)
    }

    /// The stored object `id`, by the own readers; libgit2 is opened only for what
    /// they do not find (alternates, packs written since they were listed).
    fn read_stored(&self, id: Id) -> Result<Object, ReadError> {
        let repo = || {
            self.libgit2()
                .map_err(|e| git2::Error::from_str(&e.to_string()))
        };
        self.objects.borrow_mut().read(repo, id)
    }

    /// The object git reads for `id`: `id` itself, or where replace refs lead from it,
    /// followed as git follows them (at most [`MAX_REPLACE_DEPTH`] in a row).
    fn replacement(&self, id: Id) -> Result<Id, GitError> {
        let replaced = self.replaced();
        if replaced.is_empty() {
            return Ok(id);
        }
        let mut current = id;
        for _ in 0..MAX_REPLACE_DEPTH {
            match replaced.get(&current) {
                Some(&next) => current = next,
                None => return Ok(current),
            }
        }
        Err(GitError::ReplaceDepth {
            id: id.to_string(),
            limit: MAX_REPLACE_DEPTH,
        })
    }

    /// Whether replace refs or grafts give some object other contents, or some commit
    /// other parents, than it is stored with. History is then read only by lockstep's
    /// own reader and by git (libgit2 honours neither), and a commit-graph file, which
    /// describes commits as stored, is not read (git does not read it then either).
    fn history_rewritten(&self) -> bool {
        !self.replaced().is_empty() || !self.grafts().is_empty()
    }

    /// The tree of `commit`: from the commit-graph once a walk has read it, else from
    /// the commit itself — one object, where reading the configuration and the graph
    /// for a single look-up (a staged check's HEAD) costs more.
    fn tree_of(&self, commit: Option<Oid>) -> Result<Option<Id>, GitError> {
        let Some(id) = commit else {
            return Ok(None);
        };
        if let Some(Some(graph)) = self.commit_graph.get()
            && let Some(at) = graph.position(id)
        {
            return Ok(Some(graph.tree(at)));
        }
        Ok(Some(self.read_commit(id)?.tree))
    }

    /// Commits listed in `$GIT_DIR/shallow`: their parents are missing.
    fn shallow_boundary(&self) -> &HashSet<Oid> {
        self.shallow.get_or_init(|| {
            std::fs::read_to_string(self.layout.common_dir.join("shallow"))
                .unwrap_or_default()
                .lines()
                .filter_map(|line| Oid::from_str(line.trim()).ok())
                .collect()
        })
    }

    /// `$GIT_COMMON_DIR/info/grafts` (or `$GIT_GRAFT_FILE`), as git reads it: each line
    /// a commit and the parents it is read with.
    fn grafts(&self) -> &HashMap<Oid, Vec<Oid>> {
        self.grafts.get_or_init(|| {
            let path = std::env::var_os("GIT_GRAFT_FILE")
                .map_or_else(|| self.layout.common_dir.join("info/grafts"), PathBuf::from);
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let mut grafts = HashMap::new();
            let lines = text.lines().filter(|line| !line.starts_with('#'));
            for line in lines {
                let mut ids = line.split_whitespace().map(full_id);
                let Some(Some(commit)) = ids.next() else {
                    continue;
                };
                // git keeps a commit's first graft line and ignores malformed ones.
                if let Some(parents) = ids.collect::<Option<Vec<_>>>() {
                    grafts.entry(commit).or_insert(parents);
                }
            }
            grafts
        })
    }

    /// The objects git reads replaced — `refs/replace/<id>` (or under
    /// `$GIT_REPLACE_REF_BASE`) names one, and points at what git reads instead — and
    /// their replacements; none under `GIT_NO_REPLACE_OBJECTS` or
    /// `core.useReplaceRefs = false`, where git reads objects as stored.
    fn replaced(&self) -> &HashMap<Id, Id> {
        self.shared_replaced()
    }

    /// [`Repo::replaced`], as the readers of other threads share it.
    fn shared_replaced(&self) -> &Arc<HashMap<Id, Id>> {
        self.replaced.get_or_init(|| Arc::new(self.replace_refs()))
    }

    /// The replace refs in effect, read.
    fn replace_refs(&self) -> HashMap<Id, Id> {
        let base =
            std::env::var("GIT_REPLACE_REF_BASE").unwrap_or_else(|_| "refs/replace/".to_owned());
        let base = format!("{}/", base.trim_end_matches('/'));
        let off = std::env::var_os("GIT_NO_REPLACE_OBJECTS").is_some()
            || !self.may_have_refs(&base)
            || self
                .config()
                .is_some_and(|c| c.get_bool("core.useReplaceRefs").is_ok_and(|on| !on));
        if off {
            return HashMap::new();
        }
        let Ok(repo) = self.libgit2() else {
            return HashMap::new();
        };
        let Ok(refs) = repo.references_glob(&format!("{base}*")) else {
            return HashMap::new();
        };
        // git warns about a name that is not an object id, and skips it.
        refs.flatten()
            .filter_map(|reference| {
                let original = full_id(reference.name()?.strip_prefix(&base)?)?;
                let replacement = reference.resolve().ok()?.target()?;
                Some((Id::from(original), Id::from(replacement)))
            })
            .collect()
    }

    /// Whether some ref's name may start with `prefix` (which ends with `/`): its
    /// directory of loose refs exists, or `packed-refs` holds a ref under it (looked up
    /// in a few blocks of the file). Most repositories have no replace refs, and then
    /// libgit2 neither parses every packed ref to list none (600 KB in a clone of
    /// cargo) nor reads the config for them.
    fn may_have_refs(&self, prefix: &str) -> bool {
        let common = &self.layout.common_dir;
        if common.join(prefix).exists() {
            return true;
        }
        match packed_refs::first_from(common, prefix.as_bytes()) {
            Ok(first) => first.is_some_and(|r| r.name.starts_with(prefix.as_bytes())),
            // Unreadable: libgit2 says what it makes of it.
            Err(_) => true,
        }
    }

    /// The index file git uses: `$GIT_INDEX_FILE` when set (as during `git commit -a`),
    /// relative to the work tree, else the repository's own.
    fn index_path(&self, override_path: Option<&Path>) -> PathBuf {
        match (override_path, self.workdir()) {
            (Some(path), Some(root)) => root.join(path),
            (Some(path), None) => path.to_path_buf(),
            (None, _) => self.layout.index_file.clone(),
        }
    }
}

/// An object id written in full, as git requires in `info/grafts` and replace ref names
/// (libgit2's own parser accepts a prefix).
fn full_id(hex: &str) -> Option<Oid> {
    Id::from_hex(hex.as_bytes()).map(Id::oid)
}
