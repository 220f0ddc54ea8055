//! Cheap proofs that a `matching` regex can never match one line of a diff.
//!
//! A line never contains `\n`, and it is matched on its own, so `^` and `$` (even in
//! multi-line mode) only hold at its two ends. A regex that needs a newline, or that
//! consumes text before `^` or after `$`, can never trigger its rule.

use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// Why `pattern` can never match a line, or `None` when it might (or cannot be parsed;
/// the compiler reports that).
pub fn never_matches(pattern: &str) -> Option<&'static str> {
    let hir = regex_syntax::parse(pattern).ok()?;
    if needs_newline(&hir) {
        return Some("needs a newline, but a line never contains one");
    }
    if misplaced_anchor(&hir) {
        return Some("needs text before `^` or after `$`, which a single line never has");
    }
    None
}

/// True when every match must contain a `\n`.
fn needs_newline(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(literal) => literal.0.contains(&b'\n'),
        HirKind::Class(class) => only_newline(class),
        HirKind::Repetition(rep) => rep.min > 0 && needs_newline(&rep.sub),
        HirKind::Capture(capture) => needs_newline(&capture.sub),
        HirKind::Concat(items) => items.iter().any(needs_newline),
        HirKind::Alternation(items) => items.iter().all(needs_newline),
    }
}

fn only_newline(class: &Class) -> bool {
    match class {
        Class::Unicode(class) => {
            let ranges = class.ranges();
            !ranges.is_empty() && ranges.iter().all(|r| r.start() == '\n' && r.end() == '\n')
        }
        Class::Bytes(class) => {
            let ranges = class.ranges();
            !ranges.is_empty()
                && ranges
                    .iter()
                    .all(|r| r.start() == b'\n' && r.end() == b'\n')
        }
    }
}

/// True when a concatenation consumes text before a start anchor or after an end anchor.
fn misplaced_anchor(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Concat(items) => {
            let mut consumed = false;
            let mut ended = false;
            for item in items {
                let consumes = item.properties().minimum_len().is_some_and(|n| n > 0);
                if let HirKind::Look(look) = item.kind() {
                    if is_start(*look) && consumed {
                        return true;
                    }
                    ended |= is_end(*look);
                } else if consumes && ended {
                    return true;
                }
                consumed |= consumes;
                if misplaced_anchor(item) {
                    return true;
                }
            }
            false
        }
        HirKind::Capture(capture) => misplaced_anchor(&capture.sub),
        HirKind::Repetition(rep) => rep.min > 0 && misplaced_anchor(&rep.sub),
        HirKind::Alternation(items) => items.iter().all(misplaced_anchor),
        _ => false,
    }
}

fn is_start(look: Look) -> bool {
    matches!(look, Look::Start | Look::StartLF | Look::StartCRLF)
}

fn is_end(look: Look) -> bool {
    matches!(look, Look::End | Look::EndLF | Look::EndCRLF)
}

#[cfg(test)]
mod tests {
    use super::never_matches;

    #[test]
    fn newlines_can_never_match_a_line() {
        assert!(never_matches(r"foo\nbar").is_some());
        assert!(never_matches("foo\nbar").is_some());
        assert!(never_matches(r"a(\n)+").is_some());
        assert!(never_matches(r"(?:\n|\r\n)x").is_some());
        assert!(never_matches(r"a\n?b").is_none());
        assert!(never_matches(r"a\sb").is_none());
        assert!(never_matches(r"(\n|x)").is_none());
    }

    #[test]
    fn text_outside_the_anchors_can_never_match() {
        assert!(never_matches(r"a$^").is_some());
        assert!(never_matches(r"$b").is_some());
        assert!(never_matches(r"x^").is_some());
        assert!(never_matches(r"(?m)end$\s+start").is_some());
        assert!(never_matches(r"(a$b|c^d)").is_some());
        assert!(never_matches(r"^rpc\s+\w+$").is_none());
        assert!(never_matches(r"a*^b").is_none());
        assert!(never_matches(r"(a$|b)c").is_none());
        assert!(never_matches(r"$^").is_none());
    }

    #[test]
    fn invalid_regexes_are_left_to_the_compiler() {
        assert!(never_matches(r"(").is_none());
    }
}
