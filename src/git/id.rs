//! Object ids as plain bytes. git2's `Oid` calls into libgit2 to be made and compared,
//! and a tree walk makes one for every entry it passes; these cost nothing. They
//! become `Oid`s only where libgit2 is asked for something.

use std::fmt;
use std::hash::{Hash, Hasher};

use git2::Oid;

const LEN: usize = 20;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Id(pub [u8; LEN]);

impl Id {
    /// The id git uses for "no object": unmerged index entries, absent sides.
    pub const ZERO: Id = Id([0; LEN]);

    pub fn from_slice(bytes: &[u8]) -> Option<Id> {
        Some(Id(bytes.try_into().ok()?))
    }

    /// An id written as 40 hex digits.
    pub fn from_hex(hex: &[u8]) -> Option<Id> {
        if hex.len() != 2 * LEN {
            return None;
        }
        let digit = |c: u8| char::from(c).to_digit(16).map(|d| d as u8);
        let mut id = [0; LEN];
        for (byte, pair) in id.iter_mut().zip(hex.chunks_exact(2)) {
            *byte = digit(pair[0])? << 4 | digit(pair[1])?;
        }
        Some(Id(id))
    }

    pub fn is_zero(&self) -> bool {
        *self == Id::ZERO
    }

    pub fn oid(self) -> Oid {
        // Twenty bytes always make an `Oid`.
        Oid::from_bytes(&self.0).unwrap_or_else(|_| Oid::zero())
    }
}

impl From<Oid> for Id {
    fn from(oid: Oid) -> Id {
        Id::from_slice(oid.as_bytes()).unwrap_or(Id::ZERO)
    }
}

/// Ids are hashes already: eight of their bytes are as good a hash as any.
impl Hash for Id {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut first = [0; 8];
        first.copy_from_slice(&self.0[..8]);
        state.write_u64(u64::from_le_bytes(first));
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_matches_git2() {
        let hex = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
        let id = Id::from_hex(hex.as_bytes()).expect("hex");
        assert_eq!(id.to_string(), hex);
        assert_eq!(id.oid(), Oid::from_str(hex).expect("oid"));
        assert_eq!(Id::from(id.oid()), id);
        assert_eq!(Id::from_hex(&hex.as_bytes()[1..]), None);
        assert_eq!(Id::from_hex(hex.replace('4', "g").as_bytes()), None);
    }
}
