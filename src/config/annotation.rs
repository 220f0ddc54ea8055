//! `settings.annotation_*`: which files' LINT blocks are read, and which targets live
//! outside the repository or carry the prefix of the monorepo they were exported from.

use std::collections::BTreeMap;
use std::fmt;

use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use toml::Spanned;

use super::{ConfigError, ConfigSource};

/// The attribute that marks generated files, as GitHub's linguist reads it.
pub const GENERATED_ATTRIBUTE: &str = "linguist-generated";

/// Why the blocks of a file are not read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "reason", content = "glob")]
pub enum Unread {
    /// A glob of `settings.annotation_unless` (the first that matches).
    Unless(String),
    /// The root `.gitattributes` marks the file `linguist-generated`.
    Generated,
}

impl fmt::Display for Unread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unread::Unless(glob) => write!(f, "`settings.annotation_unless` matches `{glob}`"),
            Unread::Generated => write!(f, "`.gitattributes` marks it {GENERATED_ATTRIBUTE}"),
        }
    }
}

/// The annotation settings of every rule-set file, validated and compiled.
#[derive(Debug, Clone, Default)]
pub struct AnnotationSettings {
    external: Globs,
    unless: Globs,
    /// Read the blocks of `linguist-generated` files too.
    pub generated: bool,
    /// The `linguist-generated` lines of the root `.gitattributes`; the last match wins.
    attributes: Vec<(GlobMatcher, bool)>,
    /// `(from, to)`, the longest `from` first.
    prefixes: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
struct Globs {
    texts: Vec<String>,
    set: GlobSet,
}

/// One file's annotation keys, as [`AnnotationSettings::overlay`] takes them.
pub struct AnnotationLayer {
    pub external: Vec<Spanned<String>>,
    pub unless: Vec<Spanned<String>>,
    pub generated: Option<bool>,
    pub prefixes: BTreeMap<String, Spanned<String>>,
}

impl AnnotationSettings {
    /// Adds one file's keys (lists add up, prefixes merge with later files winning);
    /// every bad glob or prefix becomes an error pointing at it.
    pub fn overlay(
        &mut self,
        source: &ConfigSource,
        layer: AnnotationLayer,
        errors: &mut Vec<ConfigError>,
    ) {
        for (key, globs, into) in [
            ("annotation_external", layer.external, &mut self.external),
            ("annotation_unless", layer.unless, &mut self.unless),
        ] {
            for text in globs {
                match glob(text.get_ref()) {
                    Ok(_) => into.texts.push(text.into_inner()),
                    Err(reason) => errors.push(
                        ConfigError::new("glob", format!("invalid glob in `{key}`: {reason}"))
                            .at(source, text.span(), reason)
                            .help("globs use globset syntax: `*` within a segment, `**` across segments"),
                    ),
                }
            }
        }
        self.generated = layer.generated.unwrap_or(self.generated);
        for (from, to) in layer.prefixes {
            if from.is_empty() {
                errors.push(
                    ConfigError::new("empty-prefix", "`annotation_prefixes` has an empty key")
                        .at(source, to.span(), "rewrites every target")
                        .help("write the leading text to replace, e.g. `\"<ROOT_DIR>/\" = \"//\"`"),
                );
                continue;
            }
            self.prefixes.retain(|(known, _)| *known != from);
            self.prefixes.push((from, to.into_inner()));
        }
    }

    /// Compiles the globs once every file is read; `attributes` is the text of the root
    /// `.gitattributes`, if there is one.
    pub fn finish(&mut self, attributes: Option<&str>) {
        for globs in [&mut self.external, &mut self.unless] {
            let mut builder = GlobSetBuilder::new();
            for text in &globs.texts {
                if let Ok(glob) = glob(text) {
                    builder.add(glob);
                }
            }
            globs.set = builder.build().unwrap_or_default();
        }
        self.attributes = attributes.map(generated_lines).unwrap_or_default();
        self.prefixes
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    }

    /// Whether a target path lives outside the repository: a `scheme://` address, or a
    /// match of `annotation_external`. The parser asks with the path as written (after
    /// `annotation_prefixes`) and with the repository path it resolves to.
    pub fn is_external(&self, target: &str) -> bool {
        has_scheme(target) || self.external.set.is_match(target)
    }

    /// Why the blocks of the file at `path` are not read, or `None` when they are.
    pub fn unread(&self, path: &str) -> Option<Unread> {
        if let Some(&first) = self.unless.set.matches(path).first() {
            return Some(Unread::Unless(self.unless.texts[first].clone()));
        }
        let generated = self
            .attributes
            .iter()
            .rev()
            .find(|(glob, _)| glob.is_match(path))
            .is_some_and(|(_, set)| *set);
        (generated && !self.generated).then_some(Unread::Generated)
    }

    /// `target` with its longest matching prefix rewritten.
    pub fn rewrite(&self, target: &str) -> String {
        self.prefixes
            .iter()
            .find_map(|(from, to)| {
                target
                    .strip_prefix(from.as_str())
                    .map(|rest| format!("{to}{rest}"))
            })
            .unwrap_or_else(|| target.to_owned())
    }

    /// The `annotation_external` globs, as written.
    pub fn external_globs(&self) -> &[String] {
        &self.external.texts
    }
}

/// A glob as lockstep reads every glob of a rule set: `*` stays inside one directory,
/// and `\\` escapes the next character.
pub(crate) fn glob(text: &str) -> Result<Glob, String> {
    GlobBuilder::new(text)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| e.kind().to_string())
}

/// `github://org/repo/path` and the like: a URI scheme, then `://`.
fn has_scheme(target: &str) -> bool {
    target.split_once("://").is_some_and(|(scheme, rest)| {
        !rest.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// The `.gitattributes` lines that set or unset `linguist-generated`, as matchers of
/// repository paths and the value they give.
fn generated_lines(text: &str) -> Vec<(GlobMatcher, bool)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.starts_with('#') {
                return None;
            }
            let mut tokens = line.split_whitespace();
            let pattern = tokens.next()?;
            let value = tokens.filter_map(generated_value).next_back()?;
            Some((attribute_glob(pattern)?, value))
        })
        .collect()
}

fn generated_value(token: &str) -> Option<bool> {
    let (name, value) = match token.split_once('=') {
        Some((name, value)) => (name, value != "false"),
        None => match token.strip_prefix(['-', '!']) {
            Some(name) => (name, false),
            None => (token, true),
        },
    };
    (name == GENERATED_ATTRIBUTE).then_some(value)
}

/// A `.gitattributes` pattern as a glob of repository paths: without a `/` it matches a
/// file name at any depth, with one it is anchored at the root. Directory patterns
/// (ending in `/`) match no file, as in git.
fn attribute_glob(pattern: &str) -> Option<GlobMatcher> {
    if pattern.ends_with('/') {
        return None;
    }
    let anchored = match pattern.strip_prefix('/') {
        Some(rooted) => rooted.to_owned(),
        None if pattern.contains('/') => pattern.to_owned(),
        None => format!("**/{pattern}"),
    };
    glob(&anchored).ok().map(|g| g.compile_matcher())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(external: &[&str], unless: &[&str], attributes: &str) -> AnnotationSettings {
        let spanned = |texts: &[&str]| -> Vec<Spanned<String>> {
            texts
                .iter()
                .map(|t| Spanned::new(0..0, (*t).to_owned()))
                .collect()
        };
        let mut settings = AnnotationSettings::default();
        let mut errors = Vec::new();
        let layer = AnnotationLayer {
            external: spanned(external),
            unless: spanned(unless),
            generated: None,
            prefixes: [
                ("<ROOT_DIR>/", "//"),
                ("//depot/google3/third_party/upb/", "//"),
                ("//depot/", "//elsewhere/"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), Spanned::new(0..0, v.to_owned())))
            .collect(),
        };
        settings.overlay(&ConfigSource::new("lockstep.toml", ""), layer, &mut errors);
        assert!(errors.is_empty());
        settings.finish(Some(attributes));
        settings
    }

    #[test]
    fn externals_are_globs_and_every_scheme() {
        let s = settings(&["//depot/**", "GoogleInternalName*"], &[], "");
        for target in [
            "//depot/google3/a/b.go",
            "GoogleInternalName0",
            "github://org/repo/path",
            "https://example.com/x",
        ] {
            assert!(s.is_external(target), "{target}");
        }
        for target in ["//src/a.rs", "depot/a", "a://", "1x://y", "GoogleInternal"] {
            assert!(!s.is_external(target), "{target}");
        }
    }

    #[test]
    fn the_longest_prefix_is_rewritten() {
        let s = settings(&[], &[], "");
        assert_eq!(
            s.rewrite("<ROOT_DIR>/.bcr/presubmit.yml"),
            "//.bcr/presubmit.yml"
        );
        assert_eq!(
            s.rewrite("//depot/google3/third_party/upb/upb/wire/decode.h"),
            "//upb/wire/decode.h"
        );
        assert_eq!(s.rewrite("//depot/other/x.h"), "//elsewhere/other/x.h");
        assert_eq!(s.rewrite("src/<ROOT_DIR>/x"), "src/<ROOT_DIR>/x");
    }

    #[test]
    fn unless_globs_and_generated_attributes_leave_files_unread() {
        let attributes = "# comment\n*.pb.go linguist-generated\n/gen/** linguist-generated=true\ngen/keep.rs -linguist-generated\nvendor/ linguist-generated\ndocs/*.md linguist-documentation\n";
        let s = settings(&[], &["php/**/php-upb.h"], attributes);
        assert_eq!(
            s.unread("php/ext/google/protobuf/php-upb.h"),
            Some(Unread::Unless("php/**/php-upb.h".to_owned()))
        );
        assert_eq!(s.unread("api/v1/x.pb.go"), Some(Unread::Generated));
        assert_eq!(s.unread("gen/a/b.rs"), Some(Unread::Generated));
        assert_eq!(s.unread("gen/keep.rs"), None);
        assert_eq!(s.unread("vendor/x.rs"), None);
        assert_eq!(s.unread("docs/a.md"), None);
        let mut read_generated = s.clone();
        read_generated.generated = true;
        assert_eq!(read_generated.unread("api/v1/x.pb.go"), None);
    }

    #[test]
    fn bad_globs_and_empty_prefixes_point_at_themselves() {
        let mut settings = AnnotationSettings::default();
        let mut errors = Vec::new();
        let layer = AnnotationLayer {
            external: vec![Spanned::new(3..9, "a[".to_owned())],
            unless: vec![],
            generated: None,
            prefixes: [(String::new(), Spanned::new(12..16, "//".to_owned()))].into(),
        };
        settings.overlay(&ConfigSource::new("lockstep.toml", ""), layer, &mut errors);
        let codes: Vec<&str> = errors.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["glob", "empty-prefix"]);
        assert!(settings.external_globs().is_empty());
    }
}
