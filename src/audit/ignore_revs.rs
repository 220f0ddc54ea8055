//! The commits an audit leaves out, listed as git's `blame.ignoreRevsFile` lists them
//! (`.git-blame-ignore-revs`): one full commit id a line, `#` comments, blank lines.

use std::collections::HashSet;
use std::path::Path;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IgnoredRevs(HashSet<String>);

/// A line of an ignore-revs file that is not a commit id.
#[derive(Debug, Error, Diagnostic)]
#[error("line {line} of the ignore-revs file is not a full commit id")]
#[diagnostic(
    code(lockstep::audit::ignore_revs),
    help(
        "write one full 40-character commit id a line (`git rev-parse REV` prints it); `#` starts a comment"
    )
)]
pub struct IgnoreRevsError {
    line: usize,
    #[source_code]
    text: NamedSource<String>,
    #[label("not a commit id")]
    span: SourceSpan,
}

impl IgnoreRevsError {
    /// Names the file in the report.
    pub fn with_file(self, path: &Path) -> IgnoreRevsError {
        let text = self.text.inner().clone();
        IgnoreRevsError {
            text: NamedSource::new(path.display().to_string(), text),
            ..self
        }
    }
}

impl IgnoredRevs {
    pub fn parse(text: &str) -> Result<IgnoredRevs, IgnoreRevsError> {
        let mut ids = HashSet::new();
        let mut offset = 0;
        for (number, line) in text.split_inclusive('\n').enumerate() {
            let content = line.split('#').next().unwrap_or("");
            let id = content.trim();
            let full = matches!(id.len(), 40 | 64) && id.bytes().all(|b| b.is_ascii_hexdigit());
            if !id.is_empty() && !full {
                let start = offset + (content.len() - content.trim_start().len());
                return Err(IgnoreRevsError {
                    line: number + 1,
                    text: NamedSource::new("ignore-revs", text.to_owned()),
                    span: (start, id.len()).into(),
                });
            }
            if full {
                ids.insert(id.to_ascii_lowercase());
            }
            offset += line.len();
        }
        Ok(IgnoredRevs(ids))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.0.contains(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_ids_are_read_and_comments_skipped() {
        let a = "a".repeat(40);
        let text = format!("# mass reformat\n{a} # rustfmt\n\n{}\n", "B".repeat(40));
        let revs = IgnoredRevs::parse(&text).expect("parses");
        assert!(revs.contains(&a));
        assert!(revs.contains(&"b".repeat(40)));
        assert!(!revs.contains(&"c".repeat(40)));
    }

    #[test]
    fn a_short_or_malformed_id_is_an_error_pointing_at_it() {
        let error = IgnoredRevs::parse("# ok\n  abc123\n").expect_err("short id");
        assert_eq!(error.line, 2);
        assert_eq!(error.span, (7, 6).into());
    }
}
