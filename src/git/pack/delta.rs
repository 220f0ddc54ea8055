//! git's delta format: the sizes of base and result, then instructions that copy a
//! range of the base or insert literal bytes.

use super::TRUSTED_SIZE;

/// Copy instructions with a size of zero copy this many bytes.
const DEFAULT_COPY: usize = 0x10000;

/// The object `delta` makes of `base`, written over `out`; `None` when the delta does
/// not fit the base, or builds other than the size it declares. One pass: each piece is
/// checked as it is written, and no more than [`TRUSTED_SIZE`] is reserved before the
/// pieces show the object is larger, so a damaged size allocates nothing it does not
/// fill.
pub(in crate::git) fn apply(base: &[u8], delta: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let mut instructions = delta;
    if size(&mut instructions)? != base.len() as u64 {
        return None;
    }
    let result_size = usize::try_from(size(&mut instructions)?).ok()?;
    out.clear();
    out.reserve(result_size.min(TRUSTED_SIZE));
    for piece in pieces(base, instructions) {
        let piece = piece?;
        if piece.len() > result_size - out.len() {
            return None;
        }
        out.extend_from_slice(piece);
    }
    (out.len() == result_size).then_some(())
}

/// What each instruction adds to the result: a range of `base`, or literal bytes of
/// the delta; `None` for an instruction that does not fit.
fn pieces<'a>(base: &'a [u8], mut rest: &'a [u8]) -> impl Iterator<Item = Option<&'a [u8]>> {
    std::iter::from_fn(move || {
        let (&op, tail) = rest.split_first()?;
        rest = tail;
        let piece = if op & 0x80 != 0 {
            copied(base, &mut rest, op)
        } else if op != 0 {
            rest.split_at_checked(usize::from(op))
                .map(|(literal, tail)| {
                    rest = tail;
                    literal
                })
        } else {
            None
        };
        if piece.is_none() {
            // Nothing after a bad instruction means anything.
            rest = &[];
        }
        Some(piece)
    })
}

/// The range of `base` a copy instruction `op` names.
fn copied<'a>(base: &'a [u8], rest: &mut &[u8], op: u8) -> Option<&'a [u8]> {
    let offset = packed(rest, op, 0..4)?;
    let len = match packed(rest, op, 4..7)? {
        0 => DEFAULT_COPY,
        len => len,
    };
    base.get(offset..offset.checked_add(len)?)
}

/// A size at the start of a delta: little-endian groups of seven bits.
fn size(rest: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, tail) = rest.split_first()?;
        *rest = tail;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// A copy's offset or size: the bytes whose bits of `op` in `bits` are set, low first.
fn packed(rest: &mut &[u8], op: u8, bits: std::ops::Range<u8>) -> Option<usize> {
    let mut value = 0usize;
    for (shift, bit) in bits.enumerate() {
        if op & (1 << bit) != 0 {
            let (&byte, tail) = rest.split_first()?;
            *rest = tail;
            value |= usize::from(byte) << (8 * shift);
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The result of `delta` on `base`, built over leftovers of an earlier result.
    fn applied(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
        let mut out = b"left over from an earlier object".to_vec();
        apply(base, delta, &mut out).map(|()| out)
    }

    #[test]
    fn copies_and_inserts_build_the_result() {
        let base = b"hello, world";
        // Base 12 bytes, result 11: copy 7 bytes from offset 0, then insert "lock".
        let delta = [12, 11, 0x80 | 0x01 | 0x10, 0, 7, 4, b'l', b'o', b'c', b'k'];
        assert_eq!(applied(base, &delta).as_deref(), Some(&b"hello, lock"[..]));
    }

    #[test]
    fn deltas_that_do_not_fit_their_base_are_rejected() {
        let base = b"short";
        assert_eq!(
            applied(base, &[6, 1, 1, b'x']).as_deref(),
            None,
            "wrong base size"
        );
        assert_eq!(
            applied(base, &[5, 3, 0x91, 2, 9]).as_deref(),
            None,
            "copy past the end"
        );
        assert_eq!(
            applied(base, &[5, 2, 1, b'x']).as_deref(),
            None,
            "result shorter than declared"
        );
        assert_eq!(
            applied(base, &[5, 1, 0]).as_deref(),
            None,
            "reserved instruction"
        );
        assert_eq!(
            applied(base, &[5, 1, 4, b'x']).as_deref(),
            None,
            "literal past the end"
        );
        assert_eq!(
            applied(base, &[5, 1, 2, b'x', b'y']).as_deref(),
            None,
            "result longer than declared"
        );
        assert_eq!(
            applied(base, &[5, 0x80, 0x80, 0x80, 0x80, 0x10, 0x90, 5]).as_deref(),
            None,
            "a result larger than its instructions can build"
        );
    }

    #[test]
    fn a_damaged_size_reserves_no_more_than_a_trusted_size() {
        // A result of 2^32 bytes, declared by a delta of a single literal byte.
        let mut out = Vec::new();
        let delta = [5, 0x80, 0x80, 0x80, 0x80, 0x10, 1, b'x'];
        assert_eq!(apply(b"short", &delta, &mut out), None);
        assert!(out.capacity() <= TRUSTED_SIZE, "{}", out.capacity());
    }

    proptest::proptest! {
        #[test]
        fn any_delta_applies_or_is_rejected(base: Vec<u8>, delta: Vec<u8>) {
            if let Some(result) = applied(&base, &delta) {
                proptest::prop_assert!(result.len() <= delta.len() * DEFAULT_COPY);
            }
        }
    }
}
