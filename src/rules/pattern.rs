//! Globs with captures: `{name}` matches one or more characters within a path segment,
//! `{name:**}` one or more characters across segments, and `{name|kebab}` (a companion
//! path's capture) is the value in another case style. Everything else is a `globset`
//! glob with `literal_separator` on.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use globset::{Glob, GlobMatcher};
use regex::bytes::Regex;

use crate::config::glob;

/// Values bound to a rule's captures, by capture name.
pub type Bindings = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Capture {
        name: String,
        across_segments: bool,
        transform: Option<Transform>,
    },
}

/// A case style a capture's value is written in: `{name|kebab}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// `generate_lockfile`, `GenerateLockfile` → `generate-lockfile`.
    Kebab,
    /// → `generate_lockfile`.
    Snake,
    /// → `generateLockfile`.
    Camel,
    /// The value lowercased, nothing else changed.
    Lower,
}

impl Transform {
    pub const ALL: [Transform; 4] = [
        Transform::Kebab,
        Transform::Snake,
        Transform::Camel,
        Transform::Lower,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Transform::Kebab => "kebab",
            Transform::Snake => "snake",
            Transform::Camel => "camel",
            Transform::Lower => "lower",
        }
    }

    /// `value` in this case style; each `/`-separated segment on its own.
    pub fn apply(self, value: &str) -> String {
        value
            .split('/')
            .map(|segment| self.apply_segment(segment))
            .collect::<Vec<_>>()
            .join("/")
    }

    fn apply_segment(self, segment: &str) -> String {
        let words = words(segment);
        match self {
            Transform::Lower => segment.to_lowercase(),
            Transform::Kebab => words.join("-"),
            Transform::Snake => words.join("_"),
            Transform::Camel => words
                .iter()
                .enumerate()
                .map(|(i, word)| {
                    let mut chars = word.chars();
                    match chars.next() {
                        Some(first) if i > 0 => first.to_uppercase().chain(chars).collect(),
                        _ => word.clone(),
                    }
                })
                .collect(),
        }
    }
}

/// The lowercase words of a name in any case style: split at `-`, `_`, `.`, spaces,
/// and where a lowercase letter or digit meets an uppercase one (`HTTPServer` is
/// `http`, `server`).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if matches!(c, '-' | '_' | '.' | ' ') {
            words.push(std::mem::take(&mut word));
            continue;
        }
        let previous = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let boundary = c.is_uppercase()
            && previous.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if boundary {
            words.push(std::mem::take(&mut word));
        }
        word.extend(c.to_lowercase());
    }
    words.push(word);
    words.retain(|w| !w.is_empty());
    words
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

/// A pattern's matcher, built at the first path asked about: a check's few changed paths
/// pass the shared prefilter of few patterns, and building is most of compiling a
/// pattern.
#[derive(Debug, Clone)]
enum Matcher {
    Glob {
        glob: Glob,
        built: OnceLock<GlobMatcher>,
    },
    /// `source` parsed as a regex when the pattern was compiled, so its syntax errors
    /// are reported with the rule set's.
    Captures {
        source: String,
        built: OnceLock<Option<Regex>>,
    },
}

impl Matcher {
    fn glob(&self) -> Option<&GlobMatcher> {
        match self {
            Matcher::Glob { glob, built } => Some(built.get_or_init(|| glob.compile_matcher())),
            Matcher::Captures { .. } => None,
        }
    }

    /// The capturing regex; `None` for a glob, or where the regex engine refuses what
    /// parsed (only past its size limit, which no path pattern reaches).
    fn captures(&self) -> Option<&Regex> {
        match self {
            Matcher::Captures { source, built } => {
                built.get_or_init(|| Regex::new(source).ok()).as_ref()
            }
            Matcher::Glob { .. } => None,
        }
    }
}

impl Pattern {
    /// Compiles a pattern; the error says what is wrong with it.
    pub fn new(text: &str) -> Result<Pattern, String> {
        let pieces = parse(text)?;
        let has_captures = pieces.iter().any(|p| matches!(p, Piece::Capture { .. }));
        let matcher = if has_captures {
            Matcher::Captures {
                source: capture_regex(&pieces)?,
                built: OnceLock::new(),
            }
        } else {
            Matcher::Glob {
                glob: glob(text)?,
                built: OnceLock::new(),
            }
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

    /// Capture names, in order of appearance (`cmd` for `{cmd|kebab}` too).
    pub fn captures(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Capture { name, .. } => Some(name.as_str()),
            Piece::Literal(_) => None,
        })
    }

    /// Whether a capture of this pattern writes its value in another case style.
    pub fn has_transforms(&self) -> bool {
        self.pieces.iter().any(|p| {
            matches!(
                p,
                Piece::Capture {
                    transform: Some(_),
                    ..
                }
            )
        })
    }

    /// How each capture is written, in order of appearance: `cmd`, `cmd|kebab`.
    fn capture_keys(&self) -> impl Iterator<Item = String> + '_ {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Capture {
                name,
                transform: Some(t),
                ..
            } => Some(format!("{name}|{}", t.as_str())),
            Piece::Capture { name, .. } => Some(name.clone()),
            Piece::Literal(_) => None,
        })
    }

    /// The bindings when `path` matches, else `None`. A transformed capture binds its
    /// value as written, under `name|style` (`cmd|kebab`): the case style cannot be
    /// undone.
    pub fn bind(&self, path: &str) -> Option<Bindings> {
        if let Some(glob) = self.matcher.glob() {
            return glob.is_match(path).then(Bindings::new);
        }
        let found = self.matcher.captures()?.captures(path.as_bytes())?;
        let bindings = self
            .capture_keys()
            .enumerate()
            .map(|(i, key)| {
                let value = found.name(&group_name(i)).map_or(&[][..], |m| m.as_bytes());
                (key, String::from_utf8_lossy(value).into_owned())
            })
            .collect();
        Some(bindings)
    }

    /// Whether `path` matches, as [`Pattern::bind`] would, without binding anything.
    pub fn is_match(&self, path: &str) -> bool {
        match self.matcher.glob() {
            Some(glob) => glob.is_match(path),
            None => self
                .matcher
                .captures()
                .is_some_and(|regex| regex.is_match(path.as_bytes())),
        }
    }

    /// Whether the pattern `text` matches exactly the path it spells, and nothing else:
    /// it has no wildcard, class, alternation, capture or escape.
    pub fn is_literal(text: &str) -> bool {
        !text.contains(['*', '?', '[', ']', '{', '}', '\\'])
    }

    /// The most `/`-separated segments a path this pattern matches can have; `None`
    /// when unbounded: `**`, `{name:**}`, or a `[...]` class, which can match a `/`.
    /// Only a literal `/` can match one otherwise, and each alternative of a `{a,b}`
    /// has at most the slashes of all of them.
    pub fn depth(&self) -> Option<usize> {
        let across = self.pieces.iter().any(|p| {
            matches!(
                p,
                Piece::Capture {
                    across_segments: true,
                    ..
                }
            )
        });
        let unbounded = across || self.text.contains("**") || self.text.contains('[');
        (!unbounded).then(|| self.text.matches('/').count() + 1)
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
                Piece::Capture {
                    name, transform, ..
                } => match (bindings.get(name), transform) {
                    (Some(value), Some(t)) => escape_into(&t.apply(value), &mut out),
                    (Some(value), None) => escape_into(value, &mut out),
                    (None, Some(t)) => out.push_str(&format!("{{{name}|{}}}", t.as_str())),
                    (None, None) => out.push_str(&format!("{{{name}}}")),
                },
            }
        }
        out
    }

    /// A matcher for this pattern with its captures bound.
    pub fn resolve(&self, bindings: &Bindings) -> Option<GlobMatcher> {
        match self.matcher.glob() {
            Some(glob) => Some(glob.clone()),
            None => glob(&self.substitute(bindings))
                .ok()
                .map(|g| g.compile_matcher()),
        }
    }
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
            && let Some(capture) = capture(&rest[1..end])?
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
                transform: capture.2,
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

/// `name`, `name:**`, `name|style` or `name:**|style` → (name, across segments,
/// transform); `None` for anything else (a glob alternation), an error for a capture
/// with an unknown style.
#[allow(clippy::type_complexity)]
fn capture(inner: &str) -> Result<Option<(String, bool, Option<Transform>)>, String> {
    let (inner, style) = match inner.split_once('|') {
        Some((inner, style)) => (inner, Some(style)),
        None => (inner, None),
    };
    let (name, across) = match inner.strip_suffix(":**") {
        Some(name) => (name, true),
        None => (inner, false),
    };
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Ok(None);
    }
    let transform = match style {
        None => None,
        Some(style) => Some(
            Transform::ALL
                .into_iter()
                .find(|t| t.as_str() == style)
                .ok_or_else(|| {
                    format!("unknown case style `{style}` in `{{{inner}|{style}}}`: kebab, snake, camel or lower")
                })?,
        ),
    };
    Ok(Some((name.to_owned(), across, transform)))
}

/// The regex group of the capture at `index`: names like `cmd|kebab` are no group names.
fn group_name(index: usize) -> String {
    format!("c{index}")
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
fn capture_regex(pieces: &[Piece]) -> Result<String, String> {
    let mut marked = String::new();
    let mut groups = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Literal(text) => marked.push_str(text),
            Piece::Capture {
                across_segments, ..
            } => {
                let marker =
                    char::from_u32(0xE000 + groups.len() as u32).ok_or("too many captures")?;
                marked.push(marker);
                let class = if *across_segments { ".+" } else { "[^/]+" };
                let group = group_name(groups.len());
                groups.push((escaped_bytes(marker), format!("(?P<{group}>{class})")));
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
    // As `regex::bytes::Regex` parses it.
    regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(&regex)
        .map_err(|e| e.to_string())?;
    Ok(regex)
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

    #[test]
    fn depth_bounds_the_segments_of_every_path_matched() {
        for (text, depth, path) in [
            (
                "Documentation/git-{cmd}.adoc",
                Some(2),
                "Documentation/git-add.adoc",
            ),
            ("README.md", Some(1), "README.md"),
            ("docs/*/api.md", Some(3), "docs/pay/api.md"),
            ("docs/{a,b/c}.md", Some(3), "docs/b/c.md"),
            ("t/**", None, "t/a/b/c.sh"),
            ("api/{path:**}.proto", None, "api/v1/x/users.proto"),
            ("a/[bc]/d.md", None, "a/b/d.md"),
        ] {
            let p = pattern(text);
            assert_eq!(p.depth(), depth, "{text}");
            assert!(p.is_match(path), "{text} matches {path}");
            let segments = path.split('/').count();
            assert!(depth.is_none_or(|d| segments <= d), "{text}: {path}");
        }
    }

    #[test]
    fn a_literal_pattern_matches_its_text_alone() {
        let text = "Documentation/git-log.adoc";
        assert!(Pattern::is_literal(text));
        assert!(pattern(text).is_match(text));
        assert!(!pattern(text).is_match("documentation/git-log.adoc"));
        assert!(!pattern(text).is_match("Documentation/git-log.adoc/x"));
        for text in [
            "docs/*.md",
            "a/b?.md",
            "a/[ab].md",
            "a/{b,c}.md",
            "a/\\[x\\].md",
            "{x}.md",
        ] {
            assert!(!Pattern::is_literal(text), "{text}");
        }
    }

    #[test]
    fn is_match_agrees_with_bind() {
        for (text, path) in [
            ("doc/man/cargo-{cmd}.md", "doc/man/cargo-build.md"),
            ("doc/man/cargo-{cmd}.md", "doc/man/cargo-.md"),
            ("doc/man/cargo-{cmd}.md", "doc/man/cargo-a/b.md"),
            ("src/*.rs", "src/lib.rs"),
            ("src/*.rs", "src/a/lib.rs"),
            ("svc/{name}/**/*.proto", "svc/pay/v1/a.proto"),
            ("doc/{cmd|kebab}.md", "doc/generate-lockfile.md"),
        ] {
            let p = pattern(text);
            assert_eq!(p.is_match(path), p.bind(path).is_some(), "{text} on {path}");
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

    /// Whether the pattern's matcher has been built.
    fn built(pattern: &Pattern) -> bool {
        match &pattern.matcher {
            Matcher::Glob { built, .. } => built.get().is_some(),
            Matcher::Captures { built, .. } => built.get().is_some(),
        }
    }

    #[test]
    fn a_matcher_is_built_at_the_first_path_and_matches_as_compiled() {
        for (text, path, matches) in [
            ("src/{name}.rs", "src/lib.rs", true),
            ("docs/**/*.md", "docs/a/b.md", true),
            ("src/{name}.rs", "src/a/lib.rs", false),
        ] {
            let pattern = Pattern::new(text).expect("valid");
            assert!(!built(&pattern), "{text}: not built when compiled");
            assert_eq!(pattern.is_match(path), matches, "{text} {path}");
            assert!(built(&pattern), "{text}: built at the first path");
            assert_eq!(pattern.bind(path).is_some(), matches, "{text} {path}");
        }
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
    fn transforms_write_the_value_in_another_case_style() {
        let p = pattern("doc/man/cargo-{cmd|kebab}.md");
        let bound = |value: &str| Bindings::from([("cmd".to_owned(), value.to_owned())]);
        assert_eq!(
            p.substitute(&bound("generate_lockfile")),
            "doc/man/cargo-generate-lockfile.md"
        );
        assert_eq!(p.captures().collect::<Vec<_>>(), ["cmd"]);
        assert!(p.has_transforms());
        let cases = [
            (
                "generate_lockfile",
                [
                    "generate-lockfile",
                    "generate_lockfile",
                    "generateLockfile",
                    "generate_lockfile",
                ],
            ),
            (
                "GenerateLockfile",
                [
                    "generate-lockfile",
                    "generate_lockfile",
                    "generateLockfile",
                    "generatelockfile",
                ],
            ),
            (
                "HTTPServer2Go",
                [
                    "http-server2-go",
                    "http_server2_go",
                    "httpServer2Go",
                    "httpserver2go",
                ],
            ),
            (
                "read-manifest",
                [
                    "read-manifest",
                    "read_manifest",
                    "readManifest",
                    "read-manifest",
                ],
            ),
            (
                "api/user_id",
                ["api/user-id", "api/user_id", "api/userId", "api/user_id"],
            ),
        ];
        for (value, expected) in cases {
            let got: Vec<String> = Transform::ALL.iter().map(|t| t.apply(value)).collect();
            assert_eq!(got, expected, "{value}");
        }
    }

    #[test]
    fn a_transformed_capture_binds_the_text_it_matched() {
        assert_eq!(
            bind(
                "doc/man/cargo-{cmd|kebab}.md",
                "doc/man/cargo-generate-lockfile.md"
            ),
            Some(vec![pair("cmd|kebab", "generate-lockfile")])
        );
        assert!(Pattern::new("a/{cmd|upper}.md").is_err());
        assert_eq!(pattern("a/{x,y|z}.md").captures().count(), 0);
    }

    #[test]
    fn escaped_braces_are_literal() {
        assert!(bind("a/\\{x\\}.md", "a/{x}.md").is_some());
        assert_eq!(pattern("a/\\{x\\}.md").captures().count(), 0);
    }
}
