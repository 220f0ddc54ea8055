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

/// What a cached value weighs against the budget: the bytes of memory it holds, with
/// what its allocations and its slot in the cache cost beside them, so a cache of many
/// small values stays within its budget as one of a few large ones does.
pub(super) trait Weight {
    fn weight(&self) -> usize;
}

/// Bytes one allocation costs beyond what it holds, about: an `Rc`'s two counts, and
/// the allocator's header and rounding.
pub(super) const ALLOCATION: usize = 32;
/// Bytes a value's slot in a cache's map costs, about: the key, the value's pointers,
/// and the room a map keeps free.
pub(super) const SLOT: usize = 64;

impl Weight for Rc<[u8]> {
    fn weight(&self) -> usize {
        self.len() + ALLOCATION + SLOT
    }
}

impl<T> Weight for (T, Rc<[u8]>) {
    fn weight(&self) -> usize {
        self.1.weight()
    }
}

type ByKey<K, V> = HashMap<K, V, FastHash>;

/// Generations a cache keeps: with more, a cache that may hold `budget` bytes holds
/// more of them at every moment (all but the youngest generation's share), at the cost
/// of a lookup in each on a miss.
const GENERATIONS: usize = 4;

/// Values by key, in generations: once the current one weighs its share of the budget
/// it becomes the previous one, the oldest is dropped with the values nobody asked for
/// since, and a value asked for moves to the current one. Memory stays under the
/// budget whatever the history's length, and at least three quarters of it is kept.
pub(super) struct Recent<K = Id, V = Rc<[u8]>> {
    /// Oldest first; the last is the current one.
    generations: [ByKey<K, V>; GENERATIONS],
    current_bytes: usize,
    /// What one generation holds at most.
    share: usize,
}

impl<K: Hash + Eq + Copy, V: Weight + Clone> Recent<K, V> {
    /// A cache holding at most `budget` bytes of values.
    pub fn new(budget: usize) -> Recent<K, V> {
        Recent {
            generations: Default::default(),
            current_bytes: 0,
            share: budget / GENERATIONS,
        }
    }

    pub fn get(&mut self, key: K) -> Option<V> {
        let (current, older) = self.generations.split_last_mut()?;
        if let Some(value) = current.get(&key) {
            return Some(value.clone());
        }
        let value = older.iter_mut().rev().find_map(|g| g.remove(&key))?;
        self.insert(key, value.clone());
        Some(value)
    }

    /// The value of `key`, which the cache then no longer holds.
    pub fn take(&mut self, key: K) -> Option<V> {
        self.generations
            .iter_mut()
            .rev()
            .find_map(|g| g.remove(&key))
    }

    /// Keeps `value` unless it alone exceeds a generation's share of the budget.
    pub fn insert(&mut self, key: K, value: V) {
        let weight = value.weight();
        if weight > self.share {
            return;
        }
        self.current_bytes += weight;
        if self.current_bytes > self.share {
            self.generations.rotate_left(1);
            if let Some(current) = self.generations.last_mut() {
                current.clear();
            }
            self.current_bytes = weight;
        }
        if let Some(current) = self.generations.last_mut() {
            current.insert(key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(byte: u8) -> Id {
        Id([byte; 20])
    }

    /// A budget whose generations each hold `bytes` of `values` values, with what
    /// the cache spends on each.
    fn budget(bytes: usize, values: usize) -> usize {
        GENERATIONS * (bytes + values * (ALLOCATION + SLOT))
    }

    #[test]
    fn values_asked_for_survive_and_others_age_out() {
        // One four-byte value a generation.
        let mut recent: Recent = Recent::new(budget(4, 1));
        for byte in 1..=GENERATIONS as u8 {
            recent.insert(id(byte), Rc::from(&[byte; 4][..]));
        }
        assert_eq!(recent.get(id(1)).as_deref(), Some(&[1; 4][..]), "moved up");
        recent.insert(id(9), Rc::from(&[9; 4][..]));
        // Value 2 was the oldest generation's and nobody asked for it.
        assert_eq!(recent.get(id(2)), None);
        assert!(recent.get(id(3)).is_some(), "younger generations kept");
        recent.insert(id(5), Rc::from(&[0; 300][..]));
        assert_eq!(recent.get(id(5)), None, "larger than a generation's share");
    }

    #[test]
    fn many_small_values_weigh_what_they_cost_not_only_their_bytes() {
        let mut recent: Recent = Recent::new(budget(100, 10));
        for byte in 0..=10 {
            recent.insert(id(byte), Rc::from(&b"x"[..]));
        }
        // Eleven bytes are far below 100, but eleven values cost more than a share of
        // the budget: the eleventh starts a new generation.
        let lens = recent.generations.each_ref().map(|g| g.len());
        assert_eq!(lens[GENERATIONS - 2..], [10, 1]);
    }
}
