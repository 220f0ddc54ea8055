//! Arbitrary change lists judged by a rule set that uses every feature: captures in one
//! and across segments, `unless`, `matching`, `change = "added"`, several companions.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use lockstep::change::{Change, Content, Line, LineDiff, Status};
use lockstep::config::{ConfigFiles, ConfigSource, load};
use lockstep::rules::RuleSet;

const RULES: &str = r#"version = 1
[[rule]]
id = "man"
when = ["doc/man/cargo-{cmd}.md", "src/bin/{cmd}/**"]
unless = ["**/testdata/**"]
then = ["etc/man/cargo-{cmd}.1", "doc/{cmd}/*.txt"]

[[rule]]
id = "deep"
when = ["services/{svc:**}/api/*.proto"]
matching = 'rpc\s+\w+'
severity = "warning"
[[rule.then]]
kind = "docs"
paths = ["docs/{svc:**}.md"]
[[rule.then]]
kind = "changelog"
paths = ["changes/*.md"]
change = "added"

[[rule]]
id = "plain"
when = ["**/*.rs", "[ab]?/**"]
then = ["CHANGELOG.md"]
"#;

struct NoFiles;

impl ConfigFiles for NoFiles {
    fn read(&self, _path: &str) -> std::io::Result<Option<String>> {
        Ok(None)
    }

    fn describe(&self) -> String {
        "the fuzzer".to_owned()
    }
}

fn rules() -> &'static RuleSet {
    static RULES_SET: OnceLock<RuleSet> = OnceLock::new();
    RULES_SET.get_or_init(|| {
        let config = load(&NoFiles, Some(ConfigSource::new("lockstep.toml", RULES)))
            .expect("fixed rules load");
        RuleSet::compile(config).expect("fixed rules compile")
    })
}

/// A path drawn mostly from the rule set's vocabulary, so globs actually match.
#[derive(Debug, Arbitrary)]
struct FuzzPath(Vec<(u8, String)>);

impl FuzzPath {
    fn build(&self) -> String {
        const WORDS: [&str; 12] = [
            "doc",
            "man",
            "cargo-build.md",
            "src",
            "bin",
            "services",
            "api",
            "x.proto",
            "docs",
            "changes",
            "testdata",
            "a.rs",
        ];
        let segments: Vec<&str> = self
            .0
            .iter()
            .map(|(pick, own)| match WORDS.get(usize::from(*pick)) {
                Some(word) => word,
                None => own.as_str(),
            })
            .collect();
        segments.join("/")
    }
}

#[derive(Debug, Arbitrary)]
struct FuzzChange {
    path: FuzzPath,
    old_path: Option<FuzzPath>,
    status: u8,
    old: Option<(bool, [u8; 20], u32)>,
    new: Option<(bool, [u8; 20], u32)>,
    lines: Option<(bool, Vec<(u32, String)>, Vec<(u32, String)>)>,
}

fn content(side: Option<(bool, [u8; 20], u32)>) -> Option<Content> {
    side.map(|(object, id, mode)| match object {
        true => Content::Object { id, mode },
        false => Content::WorkTree { mode },
    })
}

fn lines(list: Vec<(u32, String)>) -> Vec<Line> {
    list.into_iter()
        .map(|(number, text)| Line { number, text })
        .collect()
}

impl FuzzChange {
    fn build(self) -> Change {
        let status = match self.status % 5 {
            0 => Status::Added,
            1 => Status::Modified,
            2 => Status::Deleted,
            3 => Status::Renamed,
            _ => Status::Unmerged,
        };
        let mut change = Change::new(self.path.build(), status);
        change.old_path = self.old_path.map(|p| p.build());
        change.old = content(self.old);
        change.new = content(self.new);
        change.lines = self.lines.map(|(binary, added, removed)| LineDiff {
            binary,
            added: lines(added),
            removed: lines(removed),
        });
        change
    }
}

fuzz_target!(|input: Vec<FuzzChange>| {
    let changes: Vec<Change> = input.into_iter().map(FuzzChange::build).collect();
    let rules = rules();
    let candidates = rules.candidates(&changes);
    for c in &candidates {
        assert!(c.change < changes.len() && c.rule < rules.rules.len());
    }
    let _ = rules.needs_lines(&candidates, &changes);
    let evaluation = rules.evaluate_all(&candidates, &changes);
    let (findings, satisfied) = (&evaluation.findings, &evaluation.satisfied);
    // A (rule, binding) is either missing companions or satisfied, never both.
    for finding in findings {
        assert!(
            !satisfied
                .iter()
                .any(|s| s.rule == finding.rule && s.bindings == finding.bindings),
            "{finding:?} is also satisfied"
        );
    }
});
