//! "Did you mean …?" for names a user mistyped: keys, pack names, rule ids.

/// The candidate closest to `word` by edit distance (a swap of two neighbouring letters
/// counts as one edit), if it is close enough to be a typo of it: at most one edit in
/// four letters, and at least one allowed.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 4).max(1);
    candidates
        .into_iter()
        .map(|candidate| (distance(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and
/// transpositions of adjacent characters, each costing one.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE_KEYS: [&str; 5] = ["when", "then", "unless", "matching", "message"];

    #[test]
    fn typos_find_the_key_meant() {
        assert_eq!(closest("wehn", RULE_KEYS), Some("when"));
        assert_eq!(closest("thn", RULE_KEYS), Some("then"));
        assert_eq!(closest("mesage", RULE_KEYS), Some("message"));
        assert_eq!(closest("unles", RULE_KEYS), Some("unless"));
    }

    #[test]
    fn unrelated_words_find_nothing() {
        assert_eq!(closest("colour", RULE_KEYS), None);
        assert_eq!(closest("x", ["id"]), None);
        assert_eq!(closest("rsut", ["rust", "node"]), Some("rust"));
    }

    #[test]
    fn distance_counts_a_swap_as_one_edit() {
        assert_eq!(distance("abcd", "abdc"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
