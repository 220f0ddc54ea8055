//! Co-change counting, as code-maat does it: over units of change (commits, or a commit
//! and a stem), how often each item changed and how often two items changed together.

use std::collections::HashMap;
use std::hash::Hash;

/// How often two items changed together, and the latest unit in which they did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Together {
    pub count: u32,
    /// The latest unit's tag (the caller's commit index).
    pub last: usize,
}

/// Revision and co-change counts over items of type `K`.
#[derive(Debug, Clone)]
pub struct Counts<K> {
    items: Vec<K>,
    ids: HashMap<K, u32>,
    revisions: Vec<u32>,
    /// Keyed by (smaller id, larger id).
    together: HashMap<(u32, u32), Together>,
}

impl<K> Default for Counts<K> {
    fn default() -> Self {
        Counts {
            items: Vec::new(),
            ids: HashMap::new(),
            revisions: Vec::new(),
            together: HashMap::new(),
        }
    }
}

impl<K: Clone + Eq + Hash> Counts<K> {
    /// Counts one unit of change touching `items` (duplicates are counted once);
    /// `tag` identifies the unit, later units having larger tags.
    pub fn add(&mut self, items: impl IntoIterator<Item = K>, tag: usize) {
        let mut ids: Vec<u32> = items.into_iter().map(|k| self.id(k)).collect();
        ids.sort_unstable();
        ids.dedup();
        for &id in &ids {
            self.revisions[id as usize] += 1;
        }
        for (i, &a) in ids.iter().enumerate() {
            for &b in &ids[i + 1..] {
                let entry = self.together.entry((a, b)).or_insert(Together {
                    count: 0,
                    last: tag,
                });
                entry.count += 1;
                entry.last = entry.last.max(tag);
            }
        }
    }

    fn id(&mut self, key: K) -> u32 {
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = u32::try_from(self.items.len()).unwrap_or(u32::MAX);
        self.items.push(key.clone());
        self.ids.insert(key, id);
        self.revisions.push(0);
        id
    }

    /// How many units touched `item`.
    #[cfg(test)]
    pub fn revisions(&self, item: &K) -> u32 {
        self.ids
            .get(item)
            .map_or(0, |&id| self.revisions[id as usize])
    }

    /// How many units touched both items.
    #[cfg(test)]
    pub fn together(&self, a: &K, b: &K) -> Option<Together> {
        let (&a, &b) = (self.ids.get(a)?, self.ids.get(b)?);
        self.together.get(&(a.min(b), a.max(b))).copied()
    }

    /// Every pair that changed together at least `min` times, in both directions:
    /// (from, to, revisions of from, together).
    pub fn pairs(&self, min: u32) -> Vec<Pair<'_, K>> {
        let mut pairs = Vec::new();
        for (&(a, b), &together) in &self.together {
            if together.count < min {
                continue;
            }
            for (from, to) in [(a, b), (b, a)] {
                pairs.push(Pair {
                    from: &self.items[from as usize],
                    to: &self.items[to as usize],
                    revisions: self.revisions[from as usize],
                    together,
                });
            }
        }
        pairs
    }
}

/// A directed pair of items: `to` changed in `together.count` of the `revisions` units
/// that changed `from`.
#[derive(Debug, Clone, Copy)]
pub struct Pair<'a, K> {
    pub from: &'a K,
    pub to: &'a K,
    pub revisions: u32,
    pub together: Together,
}

impl<K> Pair<'_, K> {
    /// P(to | from).
    pub fn confidence(&self) -> f64 {
        f64::from(self.together.count) / f64::from(self.revisions.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// code-maat's example: commits {A,B,C} and {A,B}.
    #[test]
    fn counts_match_code_maat_on_its_own_example() {
        let mut counts = Counts::default();
        counts.add(["A", "B", "C"], 0);
        counts.add(["A", "B"], 1);
        assert_eq!(
            (
                counts.revisions(&"A"),
                counts.revisions(&"B"),
                counts.revisions(&"C")
            ),
            (2, 2, 1)
        );
        let ab = counts
            .together(&"A", &"B")
            .expect("A and B changed together");
        assert_eq!((ab.count, ab.last), (2, 1));
        let ac = counts
            .together(&"A", &"C")
            .expect("A and C changed together");
        assert_eq!((ac.count, ac.last), (1, 0));
        let confidence = |from: &str, to: &str| {
            counts
                .pairs(1)
                .into_iter()
                .find(|p| *p.from == from && *p.to == to)
                .map(|p| (p.together.count, p.revisions, p.confidence()))
        };
        assert_eq!(confidence("A", "B"), Some((2, 2, 1.0)));
        assert_eq!(confidence("A", "C"), Some((1, 2, 0.5)));
        assert_eq!(confidence("C", "A"), Some((1, 1, 1.0)));
        assert_eq!(counts.pairs(2).len(), 2, "only A↔B changed together twice");
    }

    #[test]
    fn an_item_listed_twice_in_a_unit_counts_once() {
        let mut counts = Counts::default();
        counts.add(["A", "A", "B"], 7);
        assert_eq!(counts.revisions(&"A"), 1);
        assert_eq!(counts.together(&"A", &"B").map(|t| t.count), Some(1));
        assert_eq!(counts.together(&"A", &"Z"), None);
    }
}
