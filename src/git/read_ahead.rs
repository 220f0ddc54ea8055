//! Blobs read ahead on a second thread. A check reads both sides of every changed file
//! (for `LINT.` blocks, for line diffs), the sides from the packs one delta chain after
//! another; while the checking thread works down its list, a second reader takes the
//! blobs from the list's other end, and the checking thread takes what it has read.

use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use super::Repo;
use super::id::Id;
use crate::change::Content;

/// Blobs below this count are read by the checking thread alone. A second thread
/// costs CPU (its reader's caches, the allocator's second arena) and pays only once
/// the reads outlast the scheduler's spreading of threads over cores: on cargo, 13 and
/// 27 changed files (26 and 54 blobs) gain 2% of the wall time for 25-30% more CPU,
/// 117 files and more gain 11-15% for 12% more (benches/README.md).
const FEWEST: usize = 128;

/// Bytes of delta bases the second reader keeps a pack: a blob's two sides share their
/// delta chain, and little else does. With the checking thread's 8 MiB, the PR check's
/// peak RSS was 53 MiB against git's 37 (benches/README.md).
const BASES: usize = 1 << 20;

/// Whether `blobs` to read are worth a second thread on the `cores` there are: on one,
/// the threads would only take turns. Cores are counted only for enough blobs (the
/// count reads the cgroup's quota files).
fn worth_a_thread(blobs: usize, cores: impl FnOnce() -> usize) -> bool {
    blobs >= FEWEST && cores() >= 2
}

/// The list of blobs the two threads share, and what the second one has read.
#[derive(Default)]
pub(super) struct ReadAhead {
    state: Mutex<State>,
    read: Condvar,
}

#[derive(Default)]
struct State {
    /// Blobs neither thread has taken: the second one takes them from the front.
    waiting: VecDeque<Id>,
    /// Blobs the second thread took: `None` while it reads one, then its bytes, or
    /// `None` inside when it could not read them as a blob.
    taken: HashMap<Id, Option<Option<Vec<u8>>>>,
    /// Set when the checking thread no longer asks: the second one takes nothing more.
    done: bool,
}

impl ReadAhead {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What the second thread read of `id`; `None` when the caller reads it itself:
    /// the blob is not on the list, or the second thread has not taken it yet (it is
    /// struck off the list), or could not read it (the caller's read says why). Waits
    /// while the second thread reads it.
    fn take(&self, id: Id) -> Option<Vec<u8>> {
        let mut state = self.state();
        if let Some(at) = state.waiting.iter().position(|&w| w == id) {
            state.waiting.remove(at);
            return None;
        }
        loop {
            match state.taken.get(&id) {
                None => return None,
                Some(Some(_)) => return state.taken.remove(&id).flatten().flatten(),
                Some(None) => {
                    state = self
                        .read
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner)
                }
            }
        }
    }

    /// The next blob for the second thread to read, marked as taken.
    fn next(&self) -> Option<Id> {
        let mut state = self.state();
        if state.done {
            return None;
        }
        let id = state.waiting.pop_front()?;
        state.taken.insert(id, None);
        Some(id)
    }

    fn put(&self, id: Id, bytes: Option<Vec<u8>>) {
        self.state().taken.insert(id, Some(bytes));
        self.read.notify_all();
    }

    fn finish(&self) {
        self.state().done = true;
    }
}

/// The second thread's end: whatever way it ends (a panic too), a blob it took and did
/// not read is left to the checking thread, which would otherwise wait for it forever.
struct Reader(Arc<ReadAhead>);

impl Drop for Reader {
    fn drop(&mut self) {
        let mut state = self.0.state();
        state.done = true;
        for read in state.taken.values_mut() {
            read.get_or_insert(None);
        }
        drop(state);
        self.0.read.notify_all();
    }
}

/// The checking thread's end: dropped when the repository is, or when the next list
/// replaces it; the second thread then stops after the blob it is reading.
pub(super) struct Ahead(Arc<ReadAhead>);

impl Drop for Ahead {
    fn drop(&mut self) {
        self.0.finish();
    }
}

impl Repo {
    /// Lets [`Repo::read_ahead`] start a second thread: for a command that reads one
    /// diff's blobs on the thread that opened the repository, not for the readers of a
    /// walk, which run on every core already.
    pub fn allow_read_ahead(&self) {
        self.read_ahead_allowed.set(true);
    }

    /// Starts reading the stored blobs among `contents` on a second thread, when
    /// [`Repo::allow_read_ahead`] allowed it and there are enough of them; reads of
    /// them on this thread ([`Repo::read_content`]) then take what it read. Blobs a
    /// read finds in the work tree (a staged check's new sides) are left out.
    pub fn read_ahead(&self, contents: impl IntoIterator<Item = Content>) {
        if !self.read_ahead_allowed.get() {
            return;
        }
        let copies = self.work_tree_copies.borrow();
        let mut seen = HashSet::new();
        let waiting: VecDeque<Id> = contents
            .into_iter()
            .filter_map(|content| match content {
                Content::Object { id, mode } if mode & 0o170000 != 0o160000 => Some(Id(id)),
                _ => None,
            })
            .filter(|id| !copies.contains_key(id) && seen.insert(*id))
            .collect();
        drop(copies);
        let cores = || std::thread::available_parallelism().map_or(1, usize::from);
        if worth_a_thread(waiting.len(), cores) {
            self.start_reading_ahead(waiting);
        }
    }

    /// A second thread reading `waiting` from the front.
    fn start_reading_ahead(&self, waiting: VecDeque<Id>) {
        let shared = Arc::new(ReadAhead::default());
        shared.state().waiting = waiting;
        let reader = Reader(Arc::clone(&shared));
        let (layout, packs) = (Arc::clone(&self.layout), self.objects.borrow().pack_files());
        let replaced = Arc::clone(self.shared_replaced());
        let spawned = std::thread::Builder::new()
            .name("read-ahead".to_owned())
            .spawn(move || {
                let repo = Repo::new(layout, packs);
                repo.objects.borrow_mut().keep_bases(BASES);
                let _ = repo.replaced.set(replaced);
                while let Some(id) = reader.0.next() {
                    reader.0.put(id, repo.blob_bytes(id));
                }
            });
        // Without a second thread, this one reads them all.
        if spawned.is_ok() {
            *self.ahead.borrow_mut() = Some(Ahead(shared));
        }
    }

    /// The blob `id` as the second thread read it, if it did.
    pub(super) fn read_ahead_blob(&self, id: Id) -> Option<Rc<[u8]>> {
        let ahead = self.ahead.borrow();
        Some(Rc::from(ahead.as_ref()?.0.take(id)?))
    }

    /// The blob `id`, read for another thread: `None` when this reader cannot read it
    /// (a missing object, a damaged pack), which that thread then reads itself and
    /// reports.
    fn blob_bytes(&self, id: Id) -> Option<Vec<u8>> {
        let mut bytes = Vec::new();
        let blob = Content::Object {
            id: id.0,
            mode: 0o100644,
        };
        self.read_content_into("", blob, &mut bytes).ok()?;
        Some(bytes)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::{Duration, Instant};

    use super::*;
    use crate::git::test_git::git;

    /// A repository whose blobs are packed, most as deltas; its blobs, as git reads
    /// them.
    fn packed_blobs(dir: &Path) -> Vec<(Id, Vec<u8>)> {
        git(dir, &["init", "-q"]);
        let who = ["-c", "user.name=T", "-c", "user.email=t@example.com"];
        for edit in 0..2 {
            for file in 0..12 {
                let text: String = (0..100)
                    .map(|n| format!("line {n} of file {file}, edit {}\n", n % (edit + 7)))
                    .collect();
                std::fs::write(dir.join(format!("f{file}.txt")), text).expect("write");
            }
            git(dir, &["add", "."]);
            git(dir, &[&who[..], &["commit", "-qm", "c"]].concat());
        }
        git(dir, &["repack", "-adq", "--depth=50"]);
        let listed = git(dir, &["cat-file", "--batch-all-objects", "--batch-check"]);
        String::from_utf8_lossy(&listed)
            .lines()
            .filter(|line| line.contains(" blob "))
            .map(|line| {
                let hex = &line[..40];
                let bytes = git(dir, &["cat-file", "blob", hex]);
                (Id::from(git2::Oid::from_str(hex).expect("id")), bytes)
            })
            .collect()
    }

    fn blob(id: Id) -> Content {
        Content::Object {
            id: id.0,
            mode: 0o100644,
        }
    }

    #[test]
    fn blobs_read_ahead_are_the_blobs_and_a_missing_one_fails_as_it_would() {
        let dir = tempfile::tempdir().expect("temp dir");
        let blobs = packed_blobs(dir.path());
        assert_eq!(blobs.len(), 24);
        let missing = Id([7; 20]);
        let repo = Repo::discover(dir.path()).expect("repository");
        let ids = blobs.iter().map(|&(id, _)| id).chain([missing]);
        repo.start_reading_ahead(ids.collect());
        // The checking thread reads from the list's other end, as the annotation pass does.
        for (id, bytes) in blobs.iter().rev() {
            let read = repo
                .read_content("f.txt", Some(blob(*id)))
                .expect("readable");
            assert_eq!(&read[..], &bytes[..], "{id}");
        }
        let alone = Repo::discover(dir.path()).expect("repository");
        let error = |repo: &Repo| {
            repo.read_content("gone.txt", Some(blob(missing)))
                .map(|_| ())
                .expect_err("missing")
                .to_string()
        };
        assert_eq!(error(&repo), error(&alone));
    }

    #[test]
    fn the_checking_thread_takes_what_the_second_one_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let blobs = packed_blobs(dir.path());
        let repo = Repo::discover(dir.path()).expect("repository");
        repo.start_reading_ahead(blobs.iter().map(|&(id, _)| id).collect());
        let shared = Arc::clone(&repo.ahead.borrow().as_ref().expect("a second thread").0);
        let started = Instant::now();
        while !shared.state().waiting.is_empty()
            || shared.state().taken.values().any(Option::is_none)
        {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the second thread reads"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        for (id, bytes) in &blobs {
            assert_eq!(shared.take(*id).as_deref(), Some(&bytes[..]), "{id}");
        }
        assert!(shared.state().taken.is_empty());
    }

    #[test]
    fn a_second_thread_only_for_many_blobs_and_cores() {
        assert!(worth_a_thread(FEWEST, || 2));
        assert!(!worth_a_thread(FEWEST * 10, || 1));
        assert!(!worth_a_thread(FEWEST - 1, || unreachable!(
            "cores counted"
        )));
    }

    #[test]
    fn a_blob_the_second_thread_took_and_dropped_is_left_to_the_checking_thread() {
        let shared = Arc::new(ReadAhead::default());
        let (a, b, c) = (Id([1; 20]), Id([2; 20]), Id([3; 20]));
        shared.state().waiting = VecDeque::from([a, b, c]);
        let reader = Reader(Arc::clone(&shared));
        assert_eq!(reader.0.next(), Some(a));
        // Not yet taken: the checking thread reads it itself, and the reader never will.
        assert_eq!(shared.take(c), None);
        assert_eq!(shared.state().waiting, [b]);
        let waiting = std::thread::spawn({
            let shared = Arc::clone(&shared);
            move || shared.take(a)
        });
        std::thread::sleep(Duration::from_millis(20));
        drop(reader);
        assert_eq!(waiting.join().expect("no panic"), None);
        assert_eq!(shared.take(b), None, "left to the checking thread");
        // A blob read is handed over once.
        let reader = Reader(Arc::clone(&shared));
        shared.state().waiting.push_back(c);
        assert_eq!(reader.0.next(), None, "a stopped list hands out nothing");
        shared.state().done = false;
        assert_eq!(reader.0.next(), Some(c));
        reader.0.put(c, Some(b"bytes".to_vec()));
        assert_eq!(shared.take(c).as_deref(), Some(&b"bytes"[..]));
        assert_eq!(shared.take(c), None);
    }
}
