//! The rule set: finding it, reading it (with `extends`), and reporting its problems.

mod annotation;
mod builtin;
mod error;
mod load;
mod model;
mod parse;
mod spelling;

use std::ops::Range;
use std::sync::Arc;

use toml::Spanned;

pub(crate) use annotation::glob;
pub use annotation::{AnnotationLayer, AnnotationSettings, GENERATED_ATTRIBUTE, Unread};
pub use builtin::PACKS;
pub use error::{ConfigError, ConfigErrors};
pub use load::{ConfigFiles, FILE_NAMES, NoFiles, WorkTreeFiles, load, outside};
pub use model::{
    ChangeKind, CompanionConfig, CompanionTable, DEFAULT_KIND, RuleConfig, SettingsConfig, Severity,
};

/// The text of one rule-set file, kept for diagnostics that point into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigSource {
    /// As shown to users: a repository-relative path, `builtin:NAME`, or the `--config` path.
    pub name: String,
    pub text: Arc<str>,
}

impl ConfigSource {
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        ConfigSource {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// A place in a rule-set file, so a report can point at it: where a rule is defined, or
/// where a setting is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub source: ConfigSource,
    pub span: Range<usize>,
}

impl Origin {
    /// The 1-based line the span starts on; `None` for an empty span (the whole file).
    pub fn line(&self) -> Option<u32> {
        if self.span.is_empty() {
            return None;
        }
        let before = self.source.text.get(..self.span.start)?;
        u32::try_from(before.matches('\n').count() + 1).ok()
    }
}

/// `[settings]` with every default filled in.
#[derive(Debug, Clone)]
pub struct Settings {
    pub default_severity: Severity,
    pub annotations: bool,
    pub skip_trailer: String,
    pub max_files: usize,
    /// Where `max_files` comes from: the value in the file that sets it last, or (an
    /// empty span) the root rule-set file when it is the default.
    pub max_files_origin: Option<Origin>,
    pub whitespace: bool,
    /// Commits audits leave out, listed in this file (relative to the repository root).
    pub ignore_revs_file: Option<String>,
    /// Rule ids turned off by `settings.disable`, from every file.
    pub disable: Vec<String>,
    /// `annotation_external`, `annotation_unless`, `annotation_generated` and
    /// `annotation_prefixes`.
    pub annotation: AnnotationSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            default_severity: Severity::Error,
            annotations: true,
            skip_trailer: "Lockstep-Skip".to_owned(),
            max_files: 2000,
            max_files_origin: None,
            whitespace: false,
            ignore_revs_file: None,
            disable: Vec::new(),
            annotation: AnnotationSettings::default(),
        }
    }
}

impl Settings {
    /// Applies one file's `[settings]`; bad annotation globs and prefixes go to `errors`.
    fn overlay(
        &mut self,
        source: &ConfigSource,
        config: SettingsConfig,
        errors: &mut Vec<ConfigError>,
    ) {
        let SettingsConfig {
            default_severity,
            annotations,
            skip_trailer,
            max_files,
            whitespace,
            ignore_revs_file,
            disable,
            annotation_external,
            annotation_unless,
            annotation_generated,
            annotation_prefixes,
        } = config;
        let layer = AnnotationLayer {
            external: annotation_external,
            unless: annotation_unless,
            generated: annotation_generated,
            prefixes: annotation_prefixes,
        };
        self.annotation.overlay(source, layer, errors);
        self.default_severity = default_severity.unwrap_or(self.default_severity);
        self.annotations = annotations.unwrap_or(self.annotations);
        self.skip_trailer = skip_trailer.unwrap_or(std::mem::take(&mut self.skip_trailer));
        if let Some(max_files) = max_files {
            self.max_files_origin = Some(Origin {
                source: source.clone(),
                span: max_files.span(),
            });
            self.max_files = max_files.into_inner();
        }
        self.whitespace = whitespace.unwrap_or(self.whitespace);
        self.ignore_revs_file = ignore_revs_file.or(self.ignore_revs_file.take());
        self.disable
            .extend(disable.into_iter().map(Spanned::into_inner));
    }
}

/// A rule together with the file that defines it.
#[derive(Debug, Clone)]
pub struct SourcedRule {
    pub rule: RuleConfig,
    pub source: ConfigSource,
}

/// A loaded rule set: settings and rules from the file and everything it extends.
#[derive(Debug, Clone)]
pub struct Config {
    pub settings: Settings,
    pub rules: Vec<SourcedRule>,
    /// The file the user points at (first) and every file it extends.
    pub sources: Vec<ConfigSource>,
    /// Problems found while reading the files; compiling reports them with its own.
    pub problems: Vec<ConfigError>,
}
