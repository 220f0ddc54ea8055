//! A small cache of objects read lately, for the objects one diff reads and the next
//! one reads again: trees along changed paths, blobs read for annotations and then
//! for line diffs.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::rc::Rc;

use super::id::Id;

/// A multiply-rotate hash (as rustc's FxHash): object ids and pack offsets need no
/// protection from collisions crafted against SipHash, only speed.
#[derive(Default)]
pub(super) struct FastHasher(u64);

/// Maps and sets keyed by object ids or offsets, hashed by [`FastHasher`].
pub(super) type FastHash = BuildHasherDefault<FastHasher>;

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// What a cached value weighs against the budget.
pub(super) trait Weight {
    fn weight(&self) -> usize;
}

impl Weight for Rc<[u8]> {
    fn weight(&self) -> usize {
        self.len()
    }
}

impl<T> Weight for (T, Rc<[u8]>) {
    fn weight(&self) -> usize {
        self.1.len()
    }
}

type ByKey<K, V> = HashMap<K, V, FastHash>;

/// Values by key, in two generations: once the current one weighs `budget` bytes it
/// becomes the previous one, and the values nobody asked for since are dropped.
/// Memory stays under twice the budget whatever the history's length.
pub(super) struct Recent<K = Id, V = Rc<[u8]>> {
    previous: ByKey<K, V>,
    current: ByKey<K, V>,
    current_bytes: usize,
    budget: usize,
}

impl<K: Hash + Eq + Copy, V: Weight + Clone> Recent<K, V> {
    pub fn new(budget: usize) -> Recent<K, V> {
        Recent {
            previous: ByKey::default(),
            current: ByKey::default(),
            current_bytes: 0,
            budget,
        }
    }

    pub fn get(&mut self, key: K) -> Option<V> {
        if let Some(value) = self.current.get(&key) {
            return Some(value.clone());
        }
        let value = self.previous.remove(&key)?;
        self.insert(key, value.clone());
        Some(value)
    }

    /// Keeps `value` unless it alone exceeds the budget.
    pub fn insert(&mut self, key: K, value: V) {
        let weight = value.weight();
        if weight > self.budget {
            return;
        }
        self.current_bytes += weight;
        if self.current_bytes > self.budget {
            self.previous = std::mem::take(&mut self.current);
            self.current_bytes = weight;
        }
        self.current.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(byte: u8) -> Id {
        Id([byte; 20])
    }

    #[test]
    fn objects_used_in_the_last_generation_survive_and_others_age_out() {
        let mut recent: Recent = Recent::new(10);
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
