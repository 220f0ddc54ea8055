//! A pack file read in fixed-size windows. The windows read lately are shared by every
//! thread reading the pack, up to a budget; each thread keeps the few it is using, so
//! most reads take no lock and no system call, and memory stays bounded whatever the
//! pack's size. A window's buffer is not freed when it is let go of: the thread that
//! lets go of it last keeps it (a few at most) and reads its next window into it, so
//! threads seldom free into another's allocator arena, whose lock its owner may hold.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::read_exact_at;

/// Bytes one window holds: small, so a check reading a few trees of a large pack reads
/// little more than those trees.
pub(super) const WINDOW: u64 = 16 << 10;
/// Windows the threads share, at most (4 MiB): more costs memory and saves no CPU, as
/// the page cache holds the pack anyway (benches/README.md).
const SHARED: usize = 256;
/// Windows one thread keeps at hand.
const AT_HAND: usize = 4;
/// Windows a thread reads first for itself alone, not shared: a window let go of is
/// then read into again, where a shared one stays in the pool and each new window takes
/// fresh memory (a staged check reads about 30, each four pages to fault in). Those the
/// pool already holds are taken from it all the same.
const OWN: usize = 64;
/// Buffers of windows let go of that one thread keeps to read into, at most.
const SPARE: usize = 8;
/// Bytes a returned slice holds at least (unless the file ends first): enough for any
/// object header, so headers are parsed from one slice. Each window reads this many
/// bytes past its end, so windows start at multiples of [`WINDOW`] and never repeat
/// each other.
pub(super) const MIN_SLICE: u64 = 64;

struct Window {
    start: u64,
    bytes: Vec<u8>,
}

impl Window {
    /// Whether this window holds `[at, wanted)`.
    fn holds(&self, at: u64, wanted: u64) -> bool {
        self.start <= at && wanted <= self.start + self.bytes.len() as u64
    }
}

/// The windows of one pack file, shared between threads.
pub(super) struct SharedWindows {
    file: File,
    len: u64,
    windows: Mutex<Pool>,
}

/// Windows by their number (start / [`WINDOW`]), and those numbers oldest first.
#[derive(Default)]
struct Pool {
    windows: HashMap<u64, Arc<Window>>,
    order: VecDeque<u64>,
}

impl SharedWindows {
    pub fn new(file: File) -> std::io::Result<SharedWindows> {
        let len = file.metadata()?.len();
        Ok(SharedWindows {
            file,
            len,
            windows: Mutex::new(Pool::default()),
        })
    }

    /// The window holding `at`, read (into `spare`'s buffers when it has one) unless
    /// another thread has read it lately, and put in the pool where `share` says. The
    /// read itself holds no lock: threads missing different windows read at once. The
    /// window it replaces in the pool, and one read twice, go back to `spare`.
    fn window(&self, at: u64, spare: &mut Spare, share: bool) -> std::io::Result<Arc<Window>> {
        let number = at / WINDOW;
        if let Some(window) = self.pool().windows.get(&number) {
            return Ok(Arc::clone(window));
        }
        let read = self.read(at, spare.take())?;
        if !share {
            return Ok(Arc::new(read));
        }
        let mut pool = self.pool();
        // Another thread may have read the same window meanwhile: keep one.
        if let Some(window) = pool.windows.get(&number) {
            let window = Arc::clone(window);
            drop(pool);
            spare.keep(read.bytes);
            return Ok(window);
        }
        let window = Arc::new(read);
        let oldest = if pool.order.len() == SHARED {
            pool.order
                .pop_front()
                .and_then(|oldest| pool.windows.remove(&oldest))
        } else {
            None
        };
        pool.order.push_back(number);
        pool.windows.insert(number, Arc::clone(&window));
        drop(pool);
        spare.let_go(oldest);
        Ok(window)
    }

    fn pool(&self) -> MutexGuard<'_, Pool> {
        self.windows.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The window holding `at`, read into `bytes`.
    fn read(&self, at: u64, mut bytes: Vec<u8>) -> std::io::Result<Window> {
        let start = (at - at % WINDOW).min(self.len);
        let len = (WINDOW + MIN_SLICE).min(self.len - start);
        // A buffer read into before holds a window's length already: no bytes to zero.
        bytes.resize(len as usize, 0);
        read_exact_at(&self.file, &mut bytes, start)?;
        Ok(Window { start, bytes })
    }
}

/// Buffers of windows one thread let go of last, to read its next windows into.
#[derive(Default)]
struct Spare(Vec<Vec<u8>>);

impl Spare {
    fn take(&mut self) -> Vec<u8> {
        self.0.pop().unwrap_or_default()
    }

    fn keep(&mut self, bytes: Vec<u8>) {
        if self.0.len() < SPARE {
            self.0.push(bytes);
        }
    }

    /// Keeps the window's buffer when no other thread holds the window any more.
    fn let_go(&mut self, window: Option<Arc<Window>>) {
        if let Some(window) = window.and_then(|window| Arc::try_unwrap(window).ok()) {
            self.keep(window.bytes);
        }
    }
}

/// One thread's view of a pack's windows: the few it took last.
pub(super) struct Windows {
    shared: Arc<SharedWindows>,
    /// Most recently taken last.
    at_hand: Vec<Arc<Window>>,
    spare: Spare,
    /// Windows read so far, up to [`OWN`].
    read: usize,
}

impl Windows {
    pub fn new(shared: Arc<SharedWindows>) -> Windows {
        Windows {
            shared,
            at_hand: Vec::with_capacity(AT_HAND),
            spare: Spare::default(),
            read: 0,
        }
    }

    /// The file's length in bytes.
    pub fn len(&self) -> u64 {
        self.shared.len
    }

    /// The bytes from `at` to the end of a window: at least [`MIN_SLICE`] of them unless
    /// the file ends sooner, and none when `at` is past its end.
    pub fn at(&mut self, at: u64) -> std::io::Result<&[u8]> {
        let wanted = (at + MIN_SLICE).min(self.shared.len);
        let slot = match self.at_hand.iter().rposition(|w| w.holds(at, wanted)) {
            Some(slot) => slot,
            None => {
                if self.at_hand.len() == AT_HAND {
                    self.spare.let_go(Some(self.at_hand.remove(0)));
                }
                let share = self.read == OWN;
                self.read += usize::from(!share);
                let window = self.shared.window(at, &mut self.spare, share)?;
                self.at_hand.push(window);
                self.at_hand.len() - 1
            }
        };
        let window = &self.at_hand[slot];
        let skip = usize::try_from(at - window.start).unwrap_or(usize::MAX);
        Ok(window.bytes.get(skip..).unwrap_or_default())
    }

    /// At least `len` bytes from `at` in one slice: the window's own bytes when it holds
    /// them (and whatever follows in it), else `len` bytes read at once into `gathered`.
    /// An error where the file ends sooner.
    pub fn contiguous<'a>(
        &'a mut self,
        at: u64,
        len: usize,
        gathered: &'a mut Vec<u8>,
    ) -> std::io::Result<&'a [u8]> {
        if self.at(at)?.len() >= len {
            return self.at(at);
        }
        gathered.resize(len, 0);
        read_exact_at(&self.shared.file, gathered, at)?;
        Ok(gathered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of `len` bytes, each the low byte of its offset's window number plus its
    /// offset, so a window read at the wrong place or left stale shows.
    fn file(len: u64) -> (tempfile::TempDir, File, Vec<u8>) {
        let bytes: Vec<u8> = (0..len).map(|at| (at / WINDOW + at) as u8).collect();
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("p.pack");
        std::fs::write(&path, &bytes).expect("pack");
        let file = File::open(&path).expect("readable");
        (dir, file, bytes)
    }

    #[test]
    fn windows_let_go_are_read_into_again_and_read_what_the_file_holds() {
        // More windows than the reader keeps to itself and the pool shares, the last
        // one short.
        let len = ((OWN + SHARED) as u64 + 2 * AT_HAND as u64) * WINDOW + 1000;
        let (_dir, file, bytes) = file(len);
        let shared = Arc::new(SharedWindows::new(file).expect("length"));
        let mut windows = Windows::new(Arc::clone(&shared));
        for round in 0..2 {
            for number in 0..len.div_ceil(WINDOW) {
                for at in [
                    number * WINDOW + 7,
                    (number * WINDOW + 3 * WINDOW / 4).min(len - 1),
                ] {
                    let end = (at - at % WINDOW + WINDOW + MIN_SLICE).min(len);
                    let read = windows.at(at).expect("in the file");
                    assert_eq!(
                        read,
                        &bytes[at as usize..end as usize],
                        "at {at}, round {round}"
                    );
                }
                // The reader's first windows are its own, their buffers read into again.
                if round == 0 && number < OWN as u64 {
                    assert!(shared.pool().windows.is_empty(), "window {number}");
                    assert_eq!(
                        windows.at_hand.len() + windows.spare.0.len(),
                        (number as usize + 1).min(AT_HAND)
                    );
                }
            }
            // The windows the pool dropped came back to be read into.
            assert!(!windows.spare.0.is_empty(), "round {round}");
        }
        assert!(windows.at(len + 5).expect("past its end").is_empty());
    }
}
