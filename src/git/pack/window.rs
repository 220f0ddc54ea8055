//! A pack file read in fixed-size windows. The windows read lately are shared by every
//! thread reading the pack, up to a budget; each thread keeps the few it is using, so
//! most reads take no lock and no system call, and memory stays bounded whatever the
//! pack's size.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::{read_at, read_exact_at};

/// Bytes one window holds: small, so a check reading a few trees of a large pack reads
/// little more than those trees.
pub(super) const WINDOW: u64 = 16 << 10;
/// Windows the threads share, at most (4 MiB): more costs memory and saves no CPU, as
/// the page cache holds the pack anyway (benches/README.md).
const SHARED: usize = 256;
/// Windows one thread keeps at hand.
const AT_HAND: usize = 4;
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

    /// The window holding `at`, read unless another thread has read it lately. The
    /// read itself holds no lock: threads missing different windows read at once.
    fn window(&self, at: u64) -> std::io::Result<Arc<Window>> {
        let number = at / WINDOW;
        if let Some(window) = self.pool().windows.get(&number) {
            return Ok(Arc::clone(window));
        }
        let window = Arc::new(self.read(at)?);
        let mut pool = self.pool();
        // Another thread may have read the same window meanwhile: keep one.
        if let Some(window) = pool.windows.get(&number) {
            return Ok(Arc::clone(window));
        }
        if pool.order.len() == SHARED
            && let Some(oldest) = pool.order.pop_front()
        {
            pool.windows.remove(&oldest);
        }
        pool.order.push_back(number);
        pool.windows.insert(number, Arc::clone(&window));
        Ok(window)
    }

    fn pool(&self) -> MutexGuard<'_, Pool> {
        self.windows.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn read(&self, at: u64) -> std::io::Result<Window> {
        let start = (at - at % WINDOW).min(self.len);
        let len = (WINDOW + MIN_SLICE).min(self.len - start);
        let bytes = read_at(&self.file, start, len as usize)?;
        Ok(Window { start, bytes })
    }
}

/// One thread's view of a pack's windows: the few it took last.
pub(super) struct Windows {
    shared: Arc<SharedWindows>,
    /// Most recently taken last.
    at_hand: Vec<Arc<Window>>,
}

impl Windows {
    pub fn new(shared: Arc<SharedWindows>) -> Windows {
        Windows {
            shared,
            at_hand: Vec::with_capacity(AT_HAND),
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
                    self.at_hand.remove(0);
                }
                self.at_hand.push(self.shared.window(at)?);
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
