//! Commit objects read from their raw bytes: the tree, the parents, the author's name,
//! the committer's time and the message. libgit2's commit parse allocates a signature
//! per person and keeps every header; a history walk needs these few fields.

use std::rc::Rc;

use git2::Oid;

use super::Repo;
use super::error::{Context, GitError, ReadError};
use super::id::Id;

/// The largest zone offset a committer line can give (`+9999`: 99 hours and 99
/// minutes), in seconds: how far a local committer time can be from the UTC one.
pub(super) const MAX_ZONE_OFFSET: i64 = (99 * 60 + 99) * 60;

/// A commit as plain values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub id: String,
    pub message: String,
    pub author: String,
    /// Seconds since the epoch, committer time.
    pub time: i64,
}

impl Commit {
    pub fn summary(&self) -> &str {
        self.message.lines().next().unwrap_or_default()
    }
}

/// The fields of a commit lockstep reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CommitObject {
    pub tree: Id,
    pub first_parent: Option<Oid>,
    pub parent_count: usize,
    pub author: String,
    pub message: String,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    /// The committer's offset from UTC, in seconds.
    pub offset: i64,
}

impl CommitObject {
    /// Committer time shifted into the committer's time zone, so dates read as
    /// `git log --date=short` shows them.
    pub fn local_time(&self) -> i64 {
        self.time.saturating_add(self.offset)
    }

    pub fn into_commit(self, id: Oid) -> Commit {
        Commit {
            id: id.to_string(),
            message: self.message,
            author: self.author,
            time: self.time,
        }
    }
}

/// What listing a history reads of a commit: its tree, every parent (in order) and the
/// local committer time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CommitHeader {
    pub tree: Id,
    pub parents: Vec<Oid>,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    /// Committer time shifted into the committer's time zone.
    pub local_time: i64,
}

impl Repo {
    pub(super) fn read_commit(&self, id: Oid) -> Result<CommitObject, GitError> {
        self.read_fields(id, CommitObject::from_fields)
    }

    pub(super) fn read_commit_header(&self, id: Oid) -> Result<CommitHeader, GitError> {
        self.read_fields(id, CommitHeader::from_fields)
    }

    /// [`Repo::read_commit_header`], keeping the commit among those walked lately: a
    /// merge-base search walks the commits whose messages the range's listing reads
    /// next.
    pub(super) fn walk_commit(&self, id: Oid) -> Result<CommitHeader, GitError> {
        let bytes = self.commit_bytes(id)?;
        self.walked.borrow_mut().insert(Id::from(id), bytes);
        self.read_fields(id, CommitHeader::from_fields)
    }

    /// Reads commit `id` and hands its fields to `take`; `None` from it means malformed.
    fn read_fields<T>(
        &self,
        id: Oid,
        take: impl FnOnce(Fields<'_>) -> Option<T>,
    ) -> Result<T, GitError> {
        let context = || format!("cannot read commit {id}");
        let bytes = self.commit_bytes(id)?;
        let mut fields = Fields::parse(&bytes);
        // A shallow clone's oldest commits have parents it lacks; git reads them as roots.
        if self.shallow_boundary().contains(&id) {
            fields.parents.clear();
        } else if let Some(parents) = self.grafts().get(&id) {
            fields.parents.clone_from(parents);
        }
        take(fields)
            .ok_or_else(|| ReadError::damaged("malformed commit object"))
            .context(context)
    }
}

impl Repo {
    /// The raw bytes of commit `id`, from the commits walked lately if there.
    fn commit_bytes(&self, id: Oid) -> Result<Rc<[u8]>, GitError> {
        if let Some(bytes) = self.walked.borrow_mut().get(Id::from(id)) {
            return Ok(bytes);
        }
        let context = || format!("cannot read commit {id}");
        let (kind, bytes) = self.read_object(Id::from(id), context)?;
        if kind != git2::ObjectType::Commit {
            return Err(ReadError::damaged("not a commit")).context(context);
        }
        Ok(bytes)
    }
}

impl CommitHeader {
    /// `None` without a tree.
    fn from_fields(fields: Fields<'_>) -> Option<CommitHeader> {
        Some(CommitHeader {
            tree: fields.tree?,
            time: fields.time,
            local_time: fields.time.saturating_add(fields.offset),
            parents: fields.parents,
        })
    }
}

/// The commit whose raw bytes (an object's body) are `bytes`; `None` without a tree.
pub(super) fn parse(bytes: &[u8]) -> Option<CommitObject> {
    CommitObject::from_fields(Fields::parse(bytes))
}

impl CommitObject {
    /// `None` without a tree.
    fn from_fields(fields: Fields<'_>) -> Option<CommitObject> {
        Some(CommitObject {
            tree: fields.tree?,
            first_parent: fields.parents.first().copied(),
            parent_count: fields.parents.len(),
            author: String::from_utf8_lossy(name(fields.author)).into_owned(),
            message: String::from_utf8_lossy(fields.message).into_owned(),
            time: fields.time,
            offset: fields.offset,
        })
    }
}

/// The fields of a commit's raw bytes, borrowed.
struct Fields<'a> {
    tree: Option<Id>,
    parents: Vec<Oid>,
    author: &'a [u8],
    time: i64,
    offset: i64,
    message: &'a [u8],
}

impl Fields<'_> {
    /// A commit whose people are malformed (git accepts some) reads with an empty name
    /// and time zero.
    fn parse(bytes: &[u8]) -> Fields<'_> {
        let (headers, message) = match memchr::memmem::find(bytes, b"\n\n") {
            Some(end) => (&bytes[..end], &bytes[end + 2..]),
            None => (bytes, &[][..]),
        };
        let (mut tree, mut parents) = (None, Vec::new());
        let (mut author, mut committer) = (&[][..], &[][..]);
        for line in lines(headers) {
            let Some(space) = line.iter().position(|&b| b == b' ') else {
                continue;
            };
            let (key, value) = (&line[..space], &line[space + 1..]);
            match key {
                b"tree" => tree = Id::from_hex(value),
                b"parent" => parents.extend(Id::from_hex(value).map(Id::oid)),
                b"author" => author = value,
                b"committer" => committer = value,
                _ => {}
            }
        }
        let (time, offset) = when(committer).unwrap_or_default();
        Fields {
            tree,
            parents,
            author,
            time,
            offset,
            message,
        }
    }
}

/// The lines of `bytes`, found with a vectorized search: a signed commit's header is
/// mostly its signature's lines, which are passed over.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', bytes)
        .chain([bytes.len()])
        .map(move |end| {
            let line = &bytes[start..end];
            start = end + 1;
            line
        })
}

/// The name of `Name <email> time zone`.
fn name(person: &[u8]) -> &[u8] {
    let end = memchr::memchr(b'<', person).unwrap_or(person.len());
    person[..end].trim_ascii()
}

/// The time and zone offset (seconds) of `Name <email> 1700000000 +0130`.
fn when(person: &[u8]) -> Option<(i64, i64)> {
    let after_email = &person[memchr::memrchr(b'>', person)? + 1..];
    let mut fields = std::str::from_utf8(after_email)
        .ok()?
        .split_ascii_whitespace();
    let time = fields.next()?.parse().ok()?;
    let offset = fields.next().map_or(Some(0), zone_offset)?;
    Some((time, offset))
}

/// The offset in seconds of a zone as git writes it, `+hhmm` or `-hhmm`.
fn zone_offset(zone: &str) -> Option<i64> {
    let (sign, digits) = zone.split_at_checked(1)?;
    let sign = match sign {
        "+" => 1,
        "-" => -1,
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: i64 = digits.parse().ok()?;
    Some(sign * (digits / 100 * 60 + digits % 100) * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

    #[test]
    fn reads_the_fields_lockstep_uses() {
        let raw = format!(
            "tree {TREE}\nparent {TREE}\nparent {}\nauthor Ada Lovelace <ada@example.com> 1700000000 +0100\ncommitter C <c@example.com> 1700000100 -0130\ngpgsig -----BEGIN\n continued\n -----END\n\nSubject\n\nBody\n",
            "1".repeat(40)
        );
        let commit = parse(raw.as_bytes()).expect("parsed");
        assert_eq!(commit.tree.to_string(), TREE);
        assert_eq!(
            commit.first_parent.map(|p| p.to_string()).as_deref(),
            Some(TREE)
        );
        assert_eq!(commit.parent_count, 2);
        assert_eq!(commit.author, "Ada Lovelace");
        assert_eq!(commit.message, "Subject\n\nBody\n");
        assert_eq!((commit.time, commit.offset), (1_700_000_100, -5400));
        assert_eq!(commit.local_time(), 1_700_000_100 - 5400);
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_bytes_read_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Some(commit) = parse(&bytes) {
                let _ = commit.local_time();
            }
        }

        #[test]
        fn lines_are_the_bytes_between_newlines(text in "[a\n ]{0,12}") {
            let split: Vec<&[u8]> = text.as_bytes().split(|&b| b == b'\n').collect();
            prop_assert_eq!(lines(text.as_bytes()).collect::<Vec<_>>(), split);
        }

        #[test]
        fn any_committer_line_reads_without_panicking(
            person in "[ -~]{0,12}>",
            time in "-?[0-9]{0,20}",
            zone in "[-+]?[0-9]{0,20}",
        ) {
            let raw = format!("tree {TREE}\ncommitter {person} {time} {zone}\n\n");
            let commit = parse(raw.as_bytes()).expect("a tree");
            let _ = commit.local_time();
        }

        /// A commit as git writes it reads back field for field.
        #[test]
        fn commits_as_git_writes_them_read_back(
            parents in proptest::collection::vec(any::<[u8; 20]>(), 0..4),
            author in "[A-Za-z]([A-Za-z .'-]{0,16}[A-Za-z])?",
            time in 0_i64..=4_102_444_800,
            (ahead, hours, minutes) in (any::<bool>(), 0_i64..=14, 0_i64..=59),
            message in "[ -~\n]{0,60}",
        ) {
            let sign = if ahead { '+' } else { '-' };
            let mut raw = format!("tree {TREE}\n");
            for parent in &parents {
                raw.push_str(&format!("parent {}\n", Id(*parent)));
            }
            raw.push_str(&format!(
                "author {author} <a@example.com> 1 +0000\ncommitter C <c@example.com> {time} {sign}{hours:02}{minutes:02}\n\n{message}"
            ));
            let commit = parse(raw.as_bytes()).expect("parsed");
            let offset = (hours * 60 + minutes) * 60 * if ahead { 1 } else { -1 };
            prop_assert_eq!(commit.tree.to_string(), TREE);
            prop_assert_eq!(commit.first_parent, parents.first().map(|p| Id(*p).oid()));
            prop_assert_eq!(commit.parent_count, parents.len());
            prop_assert_eq!(commit.author, author);
            prop_assert_eq!(commit.message, message);
            prop_assert_eq!((commit.time, commit.offset), (time, offset));
        }
    }

    #[test]
    fn a_root_commit_with_odd_people_still_reads() {
        let raw = format!("tree {TREE}\nauthor nobody\ncommitter broken\n\n");
        let commit = parse(raw.as_bytes()).expect("parsed");
        assert_eq!((commit.first_parent, commit.parent_count), (None, 0));
        assert_eq!((commit.author.as_str(), commit.time), ("nobody", 0));
        assert_eq!(parse(b"author x\n\nno tree"), None);
    }
}
