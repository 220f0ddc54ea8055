//! Repository problems, each saying what to do about it.

use miette::Diagnostic;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum GitError {
    #[error("`{path}` is not inside a git repository: {reason}")]
    #[diagnostic(
        code(lockstep::git::not_a_repository),
        help(
            "run lockstep inside a git work tree, or pass `-C PATH`; `git status` there shows what git sees"
        )
    )]
    NotARepository { path: String, reason: String },

    #[error("this repository's objects are named with {format}, which lockstep cannot read yet")]
    #[diagnostic(
        code(lockstep::git::object_format),
        help(
            "lockstep reads only SHA-1 repositories (`git rev-parse --show-object-format` prints which this is); git offers no conversion, so this one cannot be checked yet"
        )
    )]
    ObjectFormat { format: String },

    #[error("this repository stores its references as {format}, which lockstep cannot read yet")]
    #[diagnostic(
        code(lockstep::git::ref_format),
        help("convert them to files (git 2.46 or later): `git refs migrate --ref-format=files`")
    )]
    RefFormat { format: String },

    #[error("object {id} is replaced more than {limit} times in a row (`git replace`)")]
    #[diagnostic(
        code(lockstep::git::replace_depth),
        help(
            "git stops there too (\"replace depth too high\"): `git replace --list --format=long` shows the chain or loop, `git replace -d ID` removes one link; GIT_NO_REPLACE_OBJECTS=1 reads objects as stored"
        )
    )]
    ReplaceDepth { id: String, limit: usize },

    #[error("cannot ask git about this history: `git {command}` {reason}")]
    #[diagnostic(
        code(lockstep::git::history),
        help(
            "replace refs or grafts rewrite this history, and lockstep asks git what `{command}` gives then (libgit2 honours neither): make `git` runnable, or set GIT_NO_REPLACE_OBJECTS=1 (replace refs) and move `info/grafts` away to read the history as stored"
        )
    )]
    History { command: String, reason: String },

    #[error(
        "{context}: this partial clone lacks it, and git could not fetch it from its promisor remote `{remote}`: {reason}"
    )]
    #[diagnostic(
        code(lockstep::git::unfetched),
        help(
            "git fetches a partial clone's missing objects as they are read: make `{remote}` reachable (`git remote get-url {remote}` names it) and run again, or, while it is, fetch every object once with `git fetch --refetch --no-filter {remote}`"
        )
    )]
    Unfetched {
        /// What was read, naming the object.
        context: String,
        remote: String,
        /// git's own reason.
        reason: String,
    },

    #[error("cannot convert {paths} as git does before comparing: {reason}")]
    #[diagnostic(
        code(lockstep::git::convert),
        help(
            "git converts these work-tree files before comparing them (a clean filter, `working-tree-encoding` or line endings, from .gitattributes and core.autocrlf); `git diff -- PATH` shows what git itself says"
        )
    )]
    Converted { paths: String, reason: String },

    #[error("{what} needs a work tree, but this repository is bare")]
    #[diagnostic(code(lockstep::git::bare), help("{help}"))]
    Bare { what: String, help: String },

    #[error("this repository has no commits yet, so `{spec}` names nothing")]
    #[diagnostic(
        code(lockstep::git::empty),
        help(
            "commit first; before the first commit, `lockstep check` checks the work tree and `lockstep check --staged` what is staged"
        )
    )]
    Empty { spec: String },

    #[error("unknown revision `{spec}`")]
    #[diagnostic(code(lockstep::git::unknown_revision), help("{help}"))]
    UnknownRevision { spec: String, help: String },

    #[error("no merge-base between `{base}` and `{head}` in this shallow clone")]
    #[diagnostic(
        code(lockstep::git::shallow),
        help(
            "fetch more history: {fetch}; in GitHub Actions set `fetch-depth: 0` on actions/checkout, in GitLab CI set `GIT_DEPTH: 0`"
        )
    )]
    Shallow {
        base: String,
        head: String,
        /// Commands that fetch what is missing, ready to paste.
        fetch: String,
    },

    #[error("`{base}` and `{head}` have no common history")]
    #[diagnostic(
        code(lockstep::git::no_merge_base),
        help("compare two revisions directly with `--range {base}..{head}`")
    )]
    NoMergeBase { base: String, head: String },

    #[error("a tree is nested more than {limit} directories deep, at `{path}`")]
    #[diagnostic(
        code(lockstep::git::tree_depth),
        help(
            "git refuses such trees too (`core.maxTreeDepth`, {limit} by default: `git diff-tree` says \"exceeded maximum allowed tree depth\"); check a range that does not contain it"
        )
    )]
    TreeDepth { path: String, limit: usize },

    #[error("`{spec}` is not a range")]
    #[diagnostic(
        code(lockstep::git::bad_range),
        help("write a range as `A..B` (diff of A and B) or `A...B` (from their merge-base to B)")
    )]
    BadRange { spec: String },

    #[error("cannot read the index at `{path}`: {reason}")]
    #[diagnostic(
        code(lockstep::git::index),
        help(
            "run `git status` to check the repository; a corrupt index is rebuilt by `git reset`"
        )
    )]
    Index { path: String, reason: String },

    #[error("{context}: {reason}")]
    #[diagnostic(
        code(lockstep::git::damaged),
        help(
            "git would reject it too: `git fsck` lists every damaged object, and objects fetched again (a fresh clone) replace them"
        )
    )]
    Damaged { context: String, reason: String },

    #[error("{context}: {source}")]
    #[diagnostic(
        code(lockstep::git::error),
        help("run `git fsck` to check the repository")
    )]
    Git {
        context: String,
        #[source]
        source: git2::Error,
    },

    #[error("{context}: {source}")]
    #[diagnostic(code(lockstep::git::io))]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl GitError {
    /// `what` (e.g. "checking the work tree") needs a work tree; in a bare repository,
    /// commits can be checked instead.
    pub fn bare(what: impl Into<String>) -> GitError {
        GitError::Bare {
            what: what.into(),
            help: "in a bare repository, check commits instead: `--range BASE..HEAD`, `--commit REV` or `--base REF --head REF`".to_owned(),
        }
    }
}

/// Why an object could not be read: damage lockstep's own reader found in the object
/// store, or the error of libgit2, which reads what the own reader does not.
#[derive(Debug, Error)]
pub(super) enum ReadError {
    /// A pack, a pack's index, or an object git would reject too; the text names it and
    /// says what is wrong.
    #[error("{0}")]
    Damaged(String),
    #[error(transparent)]
    Libgit2(#[from] git2::Error),
}

impl ReadError {
    pub fn damaged(what: impl Into<String>) -> ReadError {
        ReadError::Damaged(what.into())
    }

    /// No store holds the object (as opposed to one holding it damaged).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Libgit2(e) if e.code() == git2::ErrorCode::NotFound)
    }
}

/// Adds what lockstep was doing to a git2 error.
pub(super) trait Context<T> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T, GitError>;
}

impl<T> Context<T> for Result<T, git2::Error> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T, GitError> {
        self.map_err(|source| GitError::Git {
            context: context(),
            source,
        })
    }
}

impl<T> Context<T> for Result<T, ReadError> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T, GitError> {
        self.map_err(|error| match error {
            ReadError::Damaged(reason) => GitError::Damaged {
                context: context(),
                reason,
            },
            ReadError::Libgit2(source) => GitError::Git {
                context: context(),
                source,
            },
        })
    }
}

impl<T> Context<T> for Result<T, std::io::Error> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T, GitError> {
        self.map_err(|source| GitError::Io {
            context: context(),
            source,
        })
    }
}
