//! git's delta format: the sizes of base and result, then instructions that copy a
//! range of the base or insert literal bytes.

use std::rc::Rc;

/// Copy instructions with a size of zero copy this many bytes.
const DEFAULT_COPY: usize = 0x10000;

/// The object `delta` makes of `base`, in a buffer of its own; `None` when the delta
/// does not fit the base, or builds other than the size it declares. The instructions
/// are checked before the result is allocated, so a damaged size allocates nothing.
pub(in crate::git) fn apply(base: &[u8], delta: &[u8]) -> Option<Rc<[u8]>> {
    let mut instructions = delta;
    if size(&mut instructions)? != base.len() as u64 {
        return None;
    }
    let result_size = usize::try_from(size(&mut instructions)?).ok()?;
    let built =
        pieces(base, instructions).try_fold(0usize, |built, piece| built.checked_add(piece?.len()));
    if built != Some(result_size) {
        return None;
    }
    let mut result = zeroed(result_size);
    let out = Rc::get_mut(&mut result)?;
    let mut at = 0;
    for piece in pieces(base, instructions).flatten() {
        out[at..at + piece.len()].copy_from_slice(piece);
        at += piece.len();
    }
    Some(result)
}

/// `len` zero bytes, to be written over: one allocation, the object's own.
fn zeroed(len: usize) -> Rc<[u8]> {
    std::iter::repeat_n(0, len).collect()
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

    #[test]
    fn copies_and_inserts_build_the_result() {
        let base = b"hello, world";
        // Base 12 bytes, result 11: copy 7 bytes from offset 0, then insert "lock".
        let delta = [12, 11, 0x80 | 0x01 | 0x10, 0, 7, 4, b'l', b'o', b'c', b'k'];
        assert_eq!(apply(base, &delta).as_deref(), Some(&b"hello, lock"[..]));
    }

    #[test]
    fn deltas_that_do_not_fit_their_base_are_rejected() {
        let base = b"short";
        assert_eq!(
            apply(base, &[6, 1, 1, b'x']).as_deref(),
            None,
            "wrong base size"
        );
        assert_eq!(
            apply(base, &[5, 3, 0x91, 2, 9]).as_deref(),
            None,
            "copy past the end"
        );
        assert_eq!(
            apply(base, &[5, 2, 1, b'x']).as_deref(),
            None,
            "result shorter than declared"
        );
        assert_eq!(
            apply(base, &[5, 1, 0]).as_deref(),
            None,
            "reserved instruction"
        );
        assert_eq!(
            apply(base, &[5, 1, 4, b'x']).as_deref(),
            None,
            "literal past the end"
        );
        assert_eq!(
            apply(base, &[5, 1, 2, b'x', b'y']).as_deref(),
            None,
            "result longer than declared"
        );
        assert_eq!(
            apply(base, &[5, 0x80, 0x80, 0x80, 0x80, 0x10, 0x90, 5]).as_deref(),
            None,
            "a result larger than its instructions can build"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_delta_applies_or_is_rejected(base: Vec<u8>, delta: Vec<u8>) {
            if let Some(result) = apply(&base, &delta) {
                proptest::prop_assert!(result.len() <= delta.len() * DEFAULT_COPY);
            }
        }
    }
}
