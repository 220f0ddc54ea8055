//! Globs with captures: `{name}` matches one or more characters within a path segment,
//! `{name:**}` one or more characters across segments. Everything else is a `globset`
//! glob with `literal_separator` on.

use std::collections::BTreeMap;

use globset::{Glob, GlobBuilder, GlobMatcher};
use regex::bytes::Regex;

/// Values bound to a rule's captures, by capture name.
pub type Bindings = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Capture { name: String, across_segments: bool },
}

/// One compiled glob of a rule.
#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    pieces: Vec<Piece>,
    /// A glob that matches at least every path this pattern matches, for the shared
    /// `GlobSet`; `None` when only the full matcher can tell.
    prefilter: Option<Glob>,
    matcher: Matcher,
}

#[derive(Debug, Clone)]
enum Matcher {
    Glob(GlobMatcher),
    Captures(Regex),
}

impl Pattern {
    /// Compiles a pattern; the error says what is wrong with it.
    pub fn new(text: &str) -> Result<Pattern, String> {
        let pieces = parse(text)?;
        let has_captures = pieces.iter().any(|p| matches!(p, Piece::Capture { .. }));
        let matcher = if has_captures {
            Matcher::Captures(capture_regex(&pieces)?)
        } else {
            Matcher::Glob(glob(text)?.compile_matcher())
        };
        let prefilter = prefilter_text(&pieces).map(|t| glob(&t)).transpose()?;
        Ok(Pattern {
            text: text.to_owned(),
            pieces,
            prefilter,
            matcher,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn prefilter(&self) -> Option<&Glob> {
        self.prefilter.as_ref()
    }

    /// Capture names, in order of appearance.
    pub fn captures(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Capture { name, .. } => Some(name.as_str()),
            Piece::Literal(_) => None,
        })
    }

    /// The bindings when `path` matches, else `None`.
    pub fn bind(&self, path: &str) -> Option<Bindings> {
        match &self.matcher {
            Matcher::Glob(glob) => glob.is_match(path).then(Bindings::new),
            Matcher::Captures(regex) => {
                let found = regex.captures(path.as_bytes())?;
                let bindings = self
                    .captures()
                    .map(|name| {
                        let value = found.name(name).map_or(&[][..], |m| m.as_bytes());
                        (name.to_owned(), String::from_utf8_lossy(value).into_owned())
                    })
                    .collect();
                Some(bindings)
            }
        }
    }

    /// The deepest directory every path this pattern matches lies in (`""` for the
    /// root), e.g. `doc/man` for `doc/man/cargo-{cmd}.md`.
    pub fn base_dir(&self) -> &str {
        let literal = match self.pieces.first() {
            Some(Piece::Literal(text)) => text.as_str(),
            _ => "",
        };
        let plain = literal
            .find(['*', '?', '[', '{', '\\'])
            .map_or(literal, |at| &literal[..at]);
        plain.rfind('/').map_or("", |at| &plain[..at])
    }

    /// The glob this pattern becomes once its captures are bound, e.g.
    /// `etc/man/cargo-{cmd}.1` with `cmd = build` is `etc/man/cargo-build.1`.
    pub fn substitute(&self, bindings: &Bindings) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Capture { name, .. } => match bindings.get(name) {
                    Some(value) => escape_into(value, &mut out),
                    None => out.push_str(&format!("{{{name}}}")),
                },
            }
        }
        out
    }

    /// A matcher for this pattern with its captures bound.
    pub fn resolve(&self, bindings: &Bindings) -> Option<GlobMatcher> {
        match &self.matcher {
            Matcher::Glob(glob) => Some(glob.clone()),
            Matcher::Captures(_) => glob(&self.substitute(bindings))
                .ok()
                .map(|g| g.compile_matcher()),
        }
    }
}

fn glob(text: &str) -> Result<Glob, String> {
    GlobBuilder::new(text)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| e.kind().to_string())
}

/// A path or value taken literally in a glob.
pub fn escape_glob(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    escape_into(value, &mut out);
    out
}

fn escape_into(value: &str, out: &mut String) {
    for c in value.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Splits a pattern into literal glob text and captures. `{a,b}` stays a glob
/// alternation; `{name}` and `{name:**}` are captures.
fn parse(text: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\\' {
            let escaped: String = rest.chars().take(2).collect();
            literal.push_str(&escaped);
            rest = &rest[escaped.len()..];
            continue;
        }
        if c == '['
            && let Some(class) = char_class(rest)
        {
            literal.push_str(class);
            rest = &rest[class.len()..];
            continue;
        }
        if c == '{'
            && let Some(end) = rest.find('}')
            && let Some(capture) = capture(&rest[1..end])
        {
            if pieces
                .iter()
                .any(|p| matches!(p, Piece::Capture { name, .. } if *name == capture.0))
            {
                return Err(format!("capture `{{{}}}` appears twice", capture.0));
            }
            pieces.push(Piece::Literal(std::mem::take(&mut literal)));
            pieces.push(Piece::Capture {
                name: capture.0,
                across_segments: capture.1,
            });
            rest = &rest[end + 1..];
            continue;
        }
        literal.push(c);
        rest = &rest[c.len_utf8()..];
    }
    pieces.push(Piece::Literal(literal));
    pieces.retain(|p| !matches!(p, Piece::Literal(text) if text.is_empty()));
    Ok(pieces)
}

/// A `[...]` character class at the start of `text`, taken whole so that braces in it
/// stay literal; a `]` right after `[` or `[!` belongs to the class.
fn char_class(text: &str) -> Option<&str> {
    let body = text.strip_prefix('[')?;
    let skip = if body.starts_with("!]") || body.starts_with("^]") {
        2
    } else {
        usize::from(body.starts_with(']'))
    };
    let end = body[skip..].find(']')? + skip;
    Some(&text[..end + 2])
}

/// `name` or `name:**` → (name, across segments).
fn capture(inner: &str) -> Option<(String, bool)> {
    let (name, across) = match inner.strip_suffix(":**") {
        Some(name) => (name, true),
        None => (inner, false),
    };
    let mut chars = name.chars();
    let first = chars.next()?;
    let valid = (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then(|| (name.to_owned(), across))
}

/// Captures become `*` (or `**` for a whole-segment `{name:**}`); a `{name:**}` inside a
/// segment has no glob equivalent.
fn prefilter_text(pieces: &[Piece]) -> Option<String> {
    let mut out = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Literal(text) => out.push_str(text),
            Piece::Capture {
                across_segments: false,
                ..
            } => out.push('*'),
            Piece::Capture {
                across_segments: true,
                ..
            } => {
                let starts_segment = out.is_empty() || out.ends_with('/');
                let ends_segment = match pieces.get(i + 1) {
                    None => true,
                    Some(Piece::Literal(next)) => next.starts_with('/'),
                    Some(Piece::Capture { .. }) => false,
                };
                if !(starts_segment && ends_segment) {
                    return None;
                }
                out.push_str("**");
            }
        }
    }
    Some(out)
}

/// Builds the capturing regex from globset's own translation, so that the literal parts
/// keep exactly globset's semantics: each capture is first replaced by a private-use
/// character, which globset escapes as UTF-8 bytes, then swapped for a named group.
fn capture_regex(pieces: &[Piece]) -> Result<Regex, String> {
    let mut marked = String::new();
    let mut groups = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Literal(text) => marked.push_str(text),
            Piece::Capture {
                name,
                across_segments,
            } => {
                let marker =
                    char::from_u32(0xE000 + groups.len() as u32).ok_or("too many captures")?;
                marked.push(marker);
                let class = if *across_segments { ".+" } else { "[^/]+" };
                groups.push((escaped_bytes(marker), format!("(?P<{name}>{class})")));
            }
        }
    }
    let mut regex = glob(&marked)?.regex().to_owned();
    for (marker, group) in groups {
        if !regex.contains(&marker) {
            return Err("a capture cannot stand inside `[...]` or `{...}`".to_owned());
        }
        regex = regex.replacen(&marker, &group, 1);
    }
    Regex::new(&regex).map_err(|e| e.to_string())
}

fn escaped_bytes(c: char) -> String {
    let mut buf = [0; 4];
    c.encode_utf8(&mut buf)
        .bytes()
        .map(|b| format!("\\x{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_dir_stops_at_the_first_wildcard_or_capture() {
        for (text, dir) in [
            ("doc/man/cargo-{cmd}.md", "doc/man"),
            ("docs/payments/api.md", "docs/payments"),
            ("sdk/go/**", "sdk/go"),
            ("{svc}/README.md", ""),
            ("README.md", ""),
            ("src/*/x/{a}.rs", "src"),
            ("a/b[cd]/e", "a"),
        ] {
            assert_eq!(Pattern::new(text).expect(text).base_dir(), dir, "{text}");
        }
    }

    fn pattern(text: &str) -> Pattern {
        Pattern::new(text).expect("valid pattern")
    }

    fn bind(text: &str, path: &str) -> Option<Vec<(String, String)>> {
        pattern(text).bind(path).map(|b| b.into_iter().collect())
    }

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.to_owned(), value.to_owned())
    }

    #[test]
    fn plain_globs_follow_globset_with_literal_separator() {
        assert!(bind("src/*.rs", "src/lib.rs").is_some());
        assert!(bind("src/*.rs", "src/a/lib.rs").is_none());
        assert!(bind("src/**/*.rs", "src/a/b/lib.rs").is_some());
        assert!(bind("docs/{api,guide}/*.md", "docs/guide/x.md").is_some());
    }

    #[test]
    fn single_segment_capture_binds_one_or_more_characters() {
        assert_eq!(
            bind("doc/man/cargo-{cmd}.md", "doc/man/cargo-build.md"),
            Some(vec![pair("cmd", "build")])
        );
        assert_eq!(bind("doc/man/cargo-{cmd}.md", "doc/man/cargo-.md"), None);
        assert_eq!(bind("doc/man/cargo-{cmd}.md", "doc/man/cargo-a/b.md"), None);
    }

    #[test]
    fn multi_segment_capture_crosses_directories() {
        assert_eq!(
            bind("api/{path:**}.proto", "api/v1/users.proto"),
            Some(vec![pair("path", "v1/users")])
        );
        assert_eq!(
            bind("api/{path:**}/spec.yaml", "api/a/b/spec.yaml"),
            Some(vec![pair("path", "a/b")])
        );
        assert!(pattern("api/{path:**}.proto").prefilter().is_none());
        assert!(pattern("api/{path:**}/spec.yaml").prefilter().is_some());
    }

    #[test]
    fn captures_mix_with_glob_syntax() {
        assert_eq!(
            bind("svc/{name}/**/*.proto", "svc/pay/v1/a.proto"),
            Some(vec![pair("name", "pay")])
        );
        assert_eq!(
            bind("svc/*/{name}.{a,b}", "svc/x/y.b"),
            Some(vec![pair("name", "y")])
        );
    }

    #[test]
    fn substitution_escapes_glob_characters_in_values() {
        let p = pattern("etc/man/cargo-{cmd}.1");
        let bindings = Bindings::from([("cmd".to_owned(), "b[u]ild*".to_owned())]);
        assert_eq!(p.substitute(&bindings), "etc/man/cargo-b\\[u\\]ild\\*.1");
        let matcher = p.resolve(&bindings).expect("compiles");
        assert!(matcher.is_match("etc/man/cargo-b[u]ild*.1"));
        assert!(!matcher.is_match("etc/man/cargo-bxild.1"));
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(Pattern::new("src/[a").is_err());
        assert!(Pattern::new("{x}/{x}").is_err());
        assert!(Pattern::new("a/{x:**}b[").is_err());
    }

    #[test]
    fn braces_in_character_classes_are_literal() {
        assert!(bind("a/[{]x[}].md", "a/{x}.md").is_some());
        assert_eq!(pattern("a/[]{]x[}].md").captures().count(), 0);
    }

    #[test]
    fn escaped_braces_are_literal() {
        assert!(bind("a/\\{x\\}.md", "a/{x}.md").is_some());
        assert_eq!(pattern("a/\\{x\\}.md").captures().count(), 0);
    }
}
