//! A partial clone's missing objects, read as git reads them: the blobs a judgement is
//! about to read fetched in one `git fetch`, as git's diff prefetches a diff's blobs,
//! and any other through one long-lived `git cat-file --batch` per reader, which
//! fetches each object it lacks from the promisor remote on demand (`git clone
//! --filter=blob:none` leaves every blob but those of the checkout on the server).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::rc::Rc;
use std::thread::JoinHandle;

use git2::{Config, ObjectType};

use super::Repo;
use super::error::{Context, GitError, ReadError};
use super::id::Id;
use super::pack::Object;
use crate::change::Content;

/// One thread's reader of the objects a partial clone promises.
pub(super) struct Promisor {
    /// The remote git fetches missing objects from; `None` when the repository is no
    /// partial clone.
    remote: Option<String>,
    batch: Option<Batch>,
}

impl Promisor {
    /// The promisor remote git would fetch from, if the repository has one:
    /// `extensions.partialClone` names it, or a remote has `promisor = true`.
    pub fn of(config: Option<&Config>) -> Promisor {
        Promisor {
            remote: config.and_then(promisor_remote),
            batch: None,
        }
    }

    /// Reads `id`, which lockstep's own readers lack (`missing` says so), as git
    /// would: from the promisor remote, if there is one. `context` says what the
    /// object was read for.
    pub fn read(
        &mut self,
        git_dir: &Path,
        id: Id,
        missing: ReadError,
        context: impl FnOnce() -> String,
    ) -> Result<Object, GitError> {
        let Some(remote) = &self.remote else {
            return Err(missing).context(context);
        };
        fetch(&mut self.batch, git_dir, id).map_err(|reason| unfetched(remote, context(), reason))
    }
}

impl Repo {
    /// In a partial clone, fetches those of the blobs of `contents` the clone lacks in
    /// one `git fetch` (git's diff prefetches a diff's blobs the same way), rather than
    /// one fetch per blob as they are read. Elsewhere, nothing. A fetch that fails is
    /// left to the reads, which say why.
    pub fn prefetch(&self, contents: impl IntoIterator<Item = Content>) {
        let mut promisor = self.promisor.borrow_mut();
        let promisor = promisor.get_or_insert_with(|| {
            // Most repositories are no partial clone, and say so without being parsed.
            let config = (!self.config_never_names(PROMISOR_WORDS)).then(|| self.config());
            Promisor::of(config.flatten())
        });
        let Some(remote) = &promisor.remote else {
            return;
        };
        let Some(odb) = self.libgit2().ok().and_then(|repo| repo.odb().ok()) else {
            return;
        };
        let mut missing: Vec<Id> = contents
            .into_iter()
            .filter_map(|content| match content {
                Content::Object { id, mode } if mode != 0o160000 => Some(Id(id)),
                _ => None,
            })
            .filter_map(|id| self.replacement(id).ok())
            .filter(|id| !odb.exists(id.oid()))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        // A single blob is fetched as it is read.
        if missing.len() > 1 {
            fetch_all(&self.layout.git_dir, remote, &missing);
        }
    }
}

/// `ids` fetched from `remote` in one `git fetch`, the command git runs for its own
/// prefetches (`promisor-remote.c`); its outcome is left to the reads that follow.
fn fetch_all(git_dir: &Path, remote: &str, ids: &[Id]) {
    let child = Command::new("git")
        .arg("--git-dir")
        .arg(git_dir)
        .args(["-c", "fetch.negotiationAlgorithm=noop", "fetch", remote])
        .args([
            "--no-tags",
            "--no-write-fetch-head",
            "--recurse-submodules=no",
        ])
        .args(["--filter=blob:none", "--stdin", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return;
    };
    if let Some(mut stdin) = child.stdin.take() {
        let list: String = ids.iter().map(|id| format!("{id}\n")).collect();
        let _ = stdin.write_all(list.as_bytes());
    }
    let _ = child.wait();
}

/// The object through the `git cat-file` in `slot` (started if need be), or git's
/// reason for not giving it.
fn fetch(slot: &mut Option<Batch>, git_dir: &Path, id: Id) -> Result<Object, String> {
    let mut batch = match slot.take() {
        Some(batch) => batch,
        None => Batch::start(git_dir).map_err(|e| format!("cannot run `git cat-file`: {e}"))?,
    };
    match batch.read(id) {
        Ok(found) => {
            *slot = Some(batch);
            found.ok_or_else(|| "git has no such object".to_owned())
        }
        Err(e) => {
            let reason = batch.finish();
            Err(if reason.is_empty() {
                e.to_string()
            } else {
                reason
            })
        }
    }
}

fn unfetched(remote: &str, context: String, reason: String) -> GitError {
    GitError::Unfetched {
        context,
        remote: remote.to_owned(),
        reason,
    }
}

/// What the names of the variables [`promisor_remote`] reads hold, lowercase.
const PROMISOR_WORDS: &[&str] = &["partialclone", "promisor"];

fn promisor_remote(config: &Config) -> Option<String> {
    if let Ok(name) = config.get_string("extensions.partialclone") {
        return Some(name);
    }
    let mut keys = Vec::new();
    let mut entries = config.entries(Some(r"^remote\..*\.promisor$")).ok()?;
    while let Some(Ok(entry)) = entries.next() {
        keys.extend(entry.name().map(str::to_owned));
    }
    let key = keys
        .into_iter()
        .find(|key| config.get_bool(key).unwrap_or(false))?;
    let name = key.strip_prefix("remote.")?.strip_suffix(".promisor")?;
    Some(name.to_owned())
}

/// A running `git cat-file --batch`; what it writes on its standard error is kept, to
/// say why it stopped.
struct Batch {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    stderr: JoinHandle<Vec<u8>>,
}

impl Batch {
    fn start(git_dir: &Path) -> std::io::Result<Batch> {
        let mut child = Command::new("git")
            .arg("--git-dir")
            .arg(git_dir)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let (Some(stdin), Some(stdout), Some(mut err)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(std::io::Error::other("no pipes to `git cat-file`"));
        };
        // Drained as git writes it, so git never waits on a full pipe.
        let stderr = std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = err.read_to_end(&mut text);
            text
        });
        Ok(Batch {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            stderr,
        })
    }

    /// The object, `None` when git answers that it is missing; an error when git
    /// stopped (it exits when the promisor remote cannot be reached).
    fn read(&mut self, id: Id) -> std::io::Result<Option<Object>> {
        writeln!(self.stdin, "{id}")?;
        self.stdin.flush()?;
        let mut header = String::new();
        if self.stdout.read_line(&mut header)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let fields: Vec<&str> = header.split_whitespace().collect();
        let (kind, size) = match fields.as_slice() {
            [_, "missing"] => return Ok(None),
            [_, kind, size] => (ObjectType::from_str(kind), size.parse::<usize>().ok()),
            _ => (None, None),
        };
        let (Some(kind), Some(size)) = (kind, size) else {
            return Err(std::io::Error::other(format!(
                "unexpected answer from `git cat-file`: {}",
                header.trim_end()
            )));
        };
        let mut bytes = vec![0; size + 1];
        self.stdout.read_exact(&mut bytes)?;
        bytes.pop();
        Ok(Some((kind, Rc::from(bytes))))
    }

    /// Ends git and returns its reason, without `fatal: `.
    fn finish(mut self) -> String {
        drop(self.stdin);
        let _ = self.child.wait();
        let text = self.stderr.join().unwrap_or_default();
        super::repo::git_message(&text)
    }
}

impl Drop for Promisor {
    /// Closing its input ends `git cat-file`; waiting reaps it.
    fn drop(&mut self) {
        if let Some(batch) = self.batch.take() {
            batch.finish();
        }
    }
}
