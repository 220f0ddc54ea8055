//! One problem `validate` reports: a diagnostic with a level, pointing into the rule set.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceCode};

use crate::config::ConfigSource;

/// Errors fail `validate` (exit 1); warnings only with `--deny warnings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Warning,
    Error,
}

/// Every code the repository checks report, as `lockstep::validate::CODE`.
pub const CODES: [&str; 5] = [
    "stale-glob",
    "missing-companion",
    "shadowed",
    "self-companion",
    "impossible-regex",
];

/// A problem found by `validate`. Checks in this module build them with [`Issue::new`];
/// other checks (in-file annotations) wrap their own diagnostics with
/// [`Issue::from_diagnostic`].
#[derive(Debug)]
pub struct Issue {
    pub level: Level,
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Own(Located),
    Foreign(Box<dyn Diagnostic + Send + Sync>),
}

#[derive(Debug)]
struct Located {
    code: &'static str,
    message: String,
    help: Option<String>,
    location: Option<(NamedSource<Arc<str>>, Range<usize>, String)>,
}

impl Issue {
    pub fn new(level: Level, code: &'static str, message: impl Into<String>) -> Issue {
        Issue {
            level,
            inner: Inner::Own(Located {
                code,
                message: message.into(),
                help: None,
                location: None,
            }),
        }
    }

    pub fn from_diagnostic(level: Level, diagnostic: Box<dyn Diagnostic + Send + Sync>) -> Issue {
        Issue {
            level,
            inner: Inner::Foreign(diagnostic),
        }
    }

    pub fn at(
        mut self,
        source: &ConfigSource,
        span: Range<usize>,
        label: impl Into<String>,
    ) -> Issue {
        if let Inner::Own(own) = &mut self.inner {
            let named = NamedSource::new(source.name.clone(), source.text.clone());
            own.location = Some((named, span, label.into()));
        }
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Issue {
        if let Inner::Own(own) = &mut self.inner {
            own.help = Some(help.into());
        }
        self
    }

    /// The code without its `lockstep::validate::` prefix, for own issues.
    pub fn code(&self) -> Option<&'static str> {
        match &self.inner {
            Inner::Own(own) => Some(own.code),
            Inner::Foreign(_) => None,
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Own(own) => f.write_str(&own.message),
            Inner::Foreign(diagnostic) => fmt::Display::fmt(diagnostic, f),
        }
    }
}

impl std::error::Error for Issue {}

impl Diagnostic for Issue {
    fn severity(&self) -> Option<Severity> {
        Some(match self.level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
        })
    }

    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match &self.inner {
            Inner::Own(own) => Some(Box::new(format!("lockstep::validate::{}", own.code))),
            Inner::Foreign(diagnostic) => diagnostic.code(),
        }
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match &self.inner {
            Inner::Own(own) => own
                .help
                .as_ref()
                .map(|h| Box::new(h) as Box<dyn fmt::Display>),
            Inner::Foreign(diagnostic) => diagnostic.help(),
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        match &self.inner {
            Inner::Own(own) => own.location.as_ref().map(|l| &l.0 as &dyn SourceCode),
            Inner::Foreign(diagnostic) => diagnostic.source_code(),
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        match &self.inner {
            Inner::Own(own) => {
                let (_, span, label) = own.location.as_ref()?;
                let span = LabeledSpan::new_primary_with_span(Some(label.clone()), span.clone());
                Some(Box::new(std::iter::once(span)))
            }
            Inner::Foreign(diagnostic) => diagnostic.labels(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CODES;

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let mut sorted = CODES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), CODES.len());
        assert!(
            CODES
                .iter()
                .all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'))
        );
    }
}
