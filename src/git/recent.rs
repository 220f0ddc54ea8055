//! A small cache of objects read lately, for the objects one diff reads and the next
//! one reads again: trees along changed paths, blobs read for annotations and then
//! for line diffs.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use git2::Oid;

/// Object ids are hashes already: their first bytes are as good a hash as SipHash's,
/// at a fraction of the cost.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes.iter().take(8) {
            self.0 = self.0 << 8 | u64::from(byte);
        }
    }
}

type ById = HashMap<Oid, Rc<[u8]>, BuildHasherDefault<IdHasher>>;

/// Object bytes by id, in two generations: once the current one holds `budget`
/// bytes it becomes the previous one, and the objects nobody asked for since are
/// dropped. Memory stays under twice the budget whatever the history's length.
pub(super) struct Recent {
    previous: ById,
    current: ById,
    current_bytes: usize,
    budget: usize,
}

impl Recent {
    pub fn new(budget: usize) -> Recent {
        Recent {
            previous: ById::default(),
            current: ById::default(),
            current_bytes: 0,
            budget,
        }
    }

    pub fn get(&mut self, id: Oid) -> Option<Rc<[u8]>> {
        if let Some(bytes) = self.current.get(&id) {
            return Some(Rc::clone(bytes));
        }
        let bytes = self.previous.remove(&id)?;
        self.insert(id, Rc::clone(&bytes));
        Some(bytes)
    }

    /// Keeps `bytes` unless they alone exceed the budget.
    pub fn insert(&mut self, id: Oid, bytes: Rc<[u8]>) {
        if bytes.len() > self.budget {
            return;
        }
        self.current_bytes += bytes.len();
        if self.current_bytes > self.budget {
            self.previous = std::mem::take(&mut self.current);
            self.current_bytes = bytes.len();
        }
        self.current.insert(id, bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(byte: u8) -> Oid {
        Oid::from_bytes(&[byte; 20]).expect("id")
    }

    #[test]
    fn objects_used_in_the_last_generation_survive_and_others_age_out() {
        let mut recent = Recent::new(10);
        recent.insert(id(1), Rc::from(&b"aaaa"[..]));
        recent.insert(id(2), Rc::from(&b"bbbb"[..]));
        // 12 bytes > 10: a new generation starts with the third object.
        recent.insert(id(3), Rc::from(&b"cccc"[..]));
        assert_eq!(recent.get(id(1)).as_deref(), Some(&b"aaaa"[..]), "moved up");
        recent.insert(id(4), Rc::from(&b"dddd"[..]));
        // Object 2 was in the previous generation and nobody asked for it.
        assert_eq!(recent.get(id(2)), None);
        assert!(recent.get(id(1)).is_some() && recent.get(id(4)).is_some());
        recent.insert(id(5), Rc::from(&b"much too large"[..]));
        assert_eq!(recent.get(id(5)), None, "larger than the budget");
    }
}
