//! Raw walker output → plain [`Change`]s, pairing deletions and additions of the same
//! content into renames.

use std::collections::HashMap;

use super::id::Id;
use super::quote::path_text;
use super::tree_walk::{Blob, RawChange};
use crate::change::{Change, Content, Status};

/// Where the new side's content lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NewSide {
    Objects,
    /// The work tree as git reports it: a zero id is a file to read there, any other
    /// the object the index holds for it.
    WorkTreeOrIndex,
}

/// The empty blob's id (`e69de29bb2d1d6434b8b29ae775ad8c2e48c5391`).
const EMPTY_BLOB: Id = Id([
    0xe6, 0x9d, 0xe2, 0x9b, 0xb2, 0xd1, 0xd6, 0x43, 0x4b, 0x8b, 0x29, 0xae, 0x77, 0x5a, 0xd8, 0xc2,
    0xe4, 0x8c, 0x53, 0x91,
]);

pub(super) fn into_changes(raw: Vec<RawChange>, new_side: NewSide) -> Vec<Change> {
    let mut changes: Vec<Change> = raw.into_iter().map(|r| change(r, new_side)).collect();
    pair_renames(&mut changes);
    changes
}

fn change(raw: RawChange, new_side: NewSide) -> Change {
    let status = match (&raw.old, &raw.new) {
        (_, Some(new)) if new.id.is_zero() && new_side == NewSide::Objects => Status::Unmerged,
        (None, _) => Status::Added,
        (_, None) => Status::Deleted,
        (Some(_), Some(_)) => Status::Modified,
    };
    // A UTF-8 path becomes the change's text without a copy.
    let path = String::from_utf8(raw.path).unwrap_or_else(|e| path_text(e.as_bytes()));
    let mut change = Change::new(path, status);
    change.old = raw.old.map(object);
    change.new = match (status, new_side) {
        (Status::Unmerged, _) => None,
        (_, NewSide::Objects) => raw.new.map(object),
        (_, NewSide::WorkTreeOrIndex) => raw.new.map(|b| {
            if b.id.is_zero() {
                Content::WorkTree { mode: b.mode }
            } else {
                object(b)
            }
        }),
    };
    change
}

fn object(blob: Blob) -> Content {
    Content::Object {
        id: blob.id.0,
        mode: blob.mode,
    }
}

/// The id under which an added or deleted file pairs into a rename, if it can pair:
/// not a submodule's commit, and not empty (empty files are too alike to pair).
pub(super) fn rename_key(blob: Blob) -> Option<Id> {
    (blob.mode != 0o160000 && blob.id != EMPTY_BLOB).then_some(blob.id)
}

fn content_id(content: Option<Content>) -> Option<Id> {
    match content? {
        Content::Object { id, mode } => rename_key(Blob { id: Id(id), mode }),
        Content::WorkTree { .. } => None,
    }
}

/// An addition whose content equals a deletion's is a rename, as git's exact rename
/// detection pairs them ([`rename_key`]): additions in path order take the deletions
/// of their content in path order.
fn pair_renames(changes: &mut Vec<Change>) {
    let mut deleted: HashMap<Id, Vec<usize>> = HashMap::new();
    for (i, change) in changes.iter().enumerate() {
        if change.status == Status::Deleted
            && let Some(id) = content_id(change.old)
        {
            deleted.entry(id).or_default().push(i);
        }
    }
    if deleted.is_empty() {
        return;
    }
    let mut consumed = std::collections::HashSet::new();
    for i in 0..changes.len() {
        if changes[i].status != Status::Added {
            continue;
        }
        let Some(id) = content_id(changes[i].new) else {
            continue;
        };
        let Some(from) = deleted
            .get_mut(&id)
            .and_then(|list| (!list.is_empty()).then(|| list.remove(0)))
        else {
            continue;
        };
        let old = changes[from].clone();
        let renamed = &mut changes[i];
        renamed.status = Status::Renamed;
        renamed.old_path = Some(old.path);
        renamed.old = old.old;
        consumed.insert(from);
    }
    let mut index = 0;
    changes.retain(|_| {
        index += 1;
        !consumed.contains(&(index - 1))
    });
}

/// How many renames [`pair_renames`] makes of additions and deletions of these
/// [`rename_key`]s: as many for each content as it has both additions and deletions.
pub(super) fn renames_among(mut added: Vec<Id>, mut deleted: Vec<Id>) -> usize {
    added.sort_unstable();
    deleted.sort_unstable();
    let (mut a, mut d, mut pairs) = (0, 0, 0);
    while let (Some(x), Some(y)) = (added.get(a), deleted.get(d)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => a += 1,
            std::cmp::Ordering::Greater => d += 1,
            std::cmp::Ordering::Equal => {
                pairs += 1;
                a += 1;
                d += 1;
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(byte: u8) -> Option<Blob> {
        Some(Blob {
            id: Id([byte; 20]),
            mode: 0o100644,
        })
    }

    fn raw(path: &str, old: Option<Blob>, new: Option<Blob>) -> RawChange {
        RawChange {
            path: path.as_bytes().to_vec(),
            old,
            new,
        }
    }

    #[test]
    fn equal_content_pairs_into_a_rename() {
        let changes = into_changes(
            vec![
                raw("a/old.md", blob(1), None),
                raw("b/new.md", None, blob(1)),
                raw("c.md", None, blob(2)),
            ],
            NewSide::Objects,
        );
        let summary: Vec<_> = changes
            .iter()
            .map(|c| (c.path.as_str(), c.old_path.as_deref(), c.status))
            .collect();
        assert_eq!(
            summary,
            [
                ("b/new.md", Some("a/old.md"), Status::Renamed),
                ("c.md", None, Status::Added)
            ]
        );
    }

    proptest::proptest! {
        /// [`renames_among`] counts the renames [`into_changes`] pairs: additions and
        /// deletions of a few contents (the empty blob and a submodule among them),
        /// in any order.
        #[test]
        fn renames_among_counts_what_pairing_pairs(
            sides in proptest::collection::vec((0u8..5, proptest::bool::ANY), 0..24),
        ) {
            let blob = |content: u8| match content {
                3 => Blob { id: EMPTY_BLOB, mode: 0o100644 },
                4 => Blob { id: Id([4; 20]), mode: 0o160000 },
                _ => Blob { id: Id([content + 1; 20]), mode: 0o100644 },
            };
            let raw: Vec<RawChange> = sides
                .iter()
                .enumerate()
                .map(|(i, &(content, added))| {
                    let side = Some(blob(content));
                    let (old, new) = if added { (None, side) } else { (side, None) };
                    RawChange { path: format!("f{i:02}").into_bytes(), old, new }
                })
                .collect();
            let keys = |added: bool| -> Vec<Id> {
                sides
                    .iter()
                    .filter(|side| side.1 == added)
                    .filter_map(|side| rename_key(blob(side.0)))
                    .collect()
            };
            let pairs = renames_among(keys(true), keys(false));
            proptest::prop_assert_eq!(pairs, raw.len() - into_changes(raw, NewSide::Objects).len());
        }
    }

    #[test]
    fn conflicted_index_entries_are_unmerged() {
        let conflict = Some(Blob {
            id: Id::ZERO,
            mode: 0o100644,
        });
        let changes = into_changes(vec![raw("x", blob(1), conflict)], NewSide::Objects);
        assert_eq!(changes[0].status, Status::Unmerged);
        assert_eq!(changes[0].new, None);
    }

    #[test]
    fn non_utf8_paths_keep_their_bytes_as_git_escapes() {
        let changes = into_changes(
            vec![RawChange {
                path: b"bad\xffname".to_vec(),
                old: None,
                new: blob(3),
            }],
            NewSide::Objects,
        );
        assert_eq!(changes[0].path, "bad\\377name");
    }
}
