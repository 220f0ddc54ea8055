//! Paths as text. git stores names as bytes; a name that is not UTF-8 is written with
//! the escapes git uses for it under `core.quotePath` (`latin1-\351.proto`), without
//! git's surrounding quotes so that rule globs still match it: two names never become
//! one string in a report, and the text leads back to the bytes.

/// `path` as lockstep reports it: UTF-8 names as they are, any other name escaped as git
/// escapes it.
pub(super) fn path_text(path: &[u8]) -> String {
    match std::str::from_utf8(path) {
        Ok(text) => text.to_owned(),
        Err(_) => escape(path),
    }
}

/// The inside of git's `quote_c_style`: `"`, `\` and control bytes escaped, bytes from
/// 0x80 in octal.
fn escape(path: &[u8]) -> String {
    let mut text = String::with_capacity(path.len() + 8);
    for &byte in path {
        match byte {
            b'"' => text.push_str("\\\""),
            b'\\' => text.push_str("\\\\"),
            0x07 => text.push_str("\\a"),
            0x08 => text.push_str("\\b"),
            b'\t' => text.push_str("\\t"),
            b'\n' => text.push_str("\\n"),
            0x0b => text.push_str("\\v"),
            0x0c => text.push_str("\\f"),
            b'\r' => text.push_str("\\r"),
            0x20..=0x7e => text.push(char::from(byte)),
            _ => text.push_str(&format!("\\{byte:03o}")),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_names_stay_as_they_are() {
        assert_eq!(path_text("docs/café.md".as_bytes()), "docs/café.md");
        assert_eq!(path_text(b"new\nline"), "new\nline");
    }

    #[test]
    fn other_names_are_escaped_as_git_escapes_them() {
        assert_eq!(path_text(b"latin1-\xe9.proto"), "latin1-\\351.proto");
        assert_ne!(path_text(b"a\xe9"), path_text(b"a\xe8"));
        assert_eq!(path_text(b"\"x\xff\\\n"), "\\\"x\\377\\\\\\n");
    }
}
