//! Problems with a rule set, as diagnostics that point into the file.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use super::ConfigSource;

/// One problem in a rule set. `code` is stable and kebab-case so that users can search
/// for it.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub code: &'static str,
    pub message: String,
    pub location: Option<Location>,
    pub help: Option<String>,
}

/// Where in which file a problem is.
#[derive(Debug, Clone)]
pub struct Location {
    pub source: NamedSource<Arc<str>>,
    pub span: Range<usize>,
    pub label: String,
}

impl ConfigError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        ConfigError {
            code,
            message: message.into(),
            location: None,
            help: None,
        }
    }

    pub fn at(
        mut self,
        source: &ConfigSource,
        span: Range<usize>,
        label: impl Into<String>,
    ) -> Self {
        self.location = Some(Location {
            source: NamedSource::new(source.name.clone(), source.text.clone()),
            span,
            label: label.into(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// A TOML parse or schema error, located where the parser says.
    pub fn from_toml(
        code: &'static str,
        error: &toml::de::Error,
        source: &ConfigSource,
        fallback: Range<usize>,
    ) -> Self {
        let span = error.span().unwrap_or(fallback);
        let message = error.message().trim_end().to_owned();
        let label = first_line(&message)
            .split(", expected")
            .next()
            .unwrap_or_default()
            .to_owned();
        ConfigError::new(code, message.clone()).at(source, span, label)
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_owned()
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!("lockstep::config::{}", self.code)))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.location.as_ref().map(|l| &l.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let location = self.location.as_ref()?;
        let span =
            LabeledSpan::new_primary_with_span(Some(location.label.clone()), location.span.clone());
        Some(Box::new(std::iter::once(span)))
    }
}

/// Every problem found in a rule set; loading reports them all at once.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", summary(.errors))]
pub struct ConfigErrors {
    pub errors: Vec<ConfigError>,
}

fn summary(errors: &[ConfigError]) -> String {
    match errors {
        [one] => one.message.clone(),
        many => format!("the rule set has {} problems", many.len()),
    }
}

impl Diagnostic for ConfigErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self.errors.as_slice() {
            [one] => one.code(),
            _ => None,
        }
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self.errors.as_slice() {
            [one] => Diagnostic::help(one),
            _ => None,
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        match self.errors.as_slice() {
            [one] => one.source_code(),
            _ => None,
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        match self.errors.as_slice() {
            [one] => one.labels(),
            _ => None,
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        match self.errors.as_slice() {
            [_] => None,
            many => Some(Box::new(many.iter().map(|e| e as &dyn Diagnostic))),
        }
    }
}

impl From<ConfigError> for ConfigErrors {
    fn from(error: ConfigError) -> Self {
        ConfigErrors {
            errors: vec![error],
        }
    }
}
