//! Escaping text for the HTML and XML that reports write (audit and graph pages, JUnit).

/// Text safe in element content and quoted attributes of HTML and XML 1.0: markup
/// characters become references, and control characters XML forbids are dropped.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            '\n' | '\t' => escaped.push(c),
            '\r' => escaped.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn user_text_cannot_open_tags_or_attributes() {
        assert_eq!(
            escape("<img src=x onerror=\"a\">&'"),
            "&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn control_characters_xml_forbids_are_dropped() {
        assert_eq!(escape("a\u{1}b\r\nc\u{FFFF}"), "ab&#13;\nc");
    }
}
