//! git's delta format: the sizes of base and result, then instructions that copy a
//! range of the base or insert literal bytes.

/// Copy instructions with a size of zero copy this many bytes.
const DEFAULT_COPY: usize = 0x10000;

/// Builds in `result` the object `delta` makes of `base`; `None` when the delta does
/// not fit the base, or builds other than the size it declares.
pub(in crate::git) fn apply(base: &[u8], delta: &[u8], result: &mut Vec<u8>) -> Option<()> {
    let mut rest = delta;
    let base_size = size(&mut rest)?;
    let result_size = usize::try_from(size(&mut rest)?).ok()?;
    // Each instruction's byte copies at most the whole base or inserts one byte: a
    // larger size is damage, and must not be allocated.
    let most = rest.len().saturating_mul(base.len().max(1));
    if base_size != base.len() as u64 || result_size > most {
        return None;
    }
    // Most results repeat each byte of the base at most once; more is reserved as built.
    result.clear();
    result.reserve(result_size.min(base.len() + delta.len()));
    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        let bytes = if op & 0x80 != 0 {
            let offset = packed(&mut rest, op, 0..4)?;
            let len = match packed(&mut rest, op, 4..7)? {
                0 => DEFAULT_COPY,
                len => len,
            };
            base.get(offset..offset.checked_add(len)?)?
        } else if op != 0 {
            let (literal, tail) = rest.split_at_checked(usize::from(op))?;
            rest = tail;
            literal
        } else {
            return None;
        };
        if bytes.len() > result_size - result.len() {
            return None;
        }
        result.extend_from_slice(bytes);
    }
    (result.len() == result_size).then_some(())
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
        let mut result = b"left over".to_vec();
        assert_eq!(apply(base, &delta, &mut result), Some(()));
        assert_eq!(result, b"hello, lock");
    }

    #[test]
    fn deltas_that_do_not_fit_their_base_are_rejected() {
        let base = b"short";
        assert_eq!(
            apply(base, &[6, 1, 1, b'x'], &mut Vec::new()),
            None,
            "wrong base size"
        );
        assert_eq!(
            apply(base, &[5, 3, 0x91, 2, 9], &mut Vec::new()),
            None,
            "copy past the end"
        );
        assert_eq!(
            apply(base, &[5, 2, 1, b'x'], &mut Vec::new()),
            None,
            "result shorter than declared"
        );
        assert_eq!(
            apply(base, &[5, 1, 0], &mut Vec::new()),
            None,
            "reserved instruction"
        );
        assert_eq!(
            apply(base, &[5, 1, 4, b'x'], &mut Vec::new()),
            None,
            "literal past the end"
        );
        assert_eq!(
            apply(base, &[5, 1, 2, b'x', b'y'], &mut Vec::new()),
            None,
            "result longer than declared"
        );
        let mut result = Vec::new();
        assert_eq!(
            apply(
                base,
                &[5, 0x80, 0x80, 0x80, 0x80, 0x10, 0x90, 5],
                &mut result
            ),
            None,
            "a result larger than its instructions can build"
        );
        assert_eq!(result.capacity(), 0, "nothing reserved for it");
    }

    proptest::proptest! {
        #[test]
        fn any_delta_applies_or_is_rejected(base: Vec<u8>, delta: Vec<u8>) {
            let mut result = Vec::new();
            if apply(&base, &delta, &mut result).is_some() {
                proptest::prop_assert!(result.len() <= delta.len() * DEFAULT_COPY);
            }
        }
    }
}
