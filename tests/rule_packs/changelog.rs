//! builtin:changelog — source changes need a CHANGELOG entry or a changelog fragment.

use super::{check, judge_paths, pack_repo, validates};

fn repo() -> crate::support::Repo {
    pack_repo(
        "changelog",
        &[
            ("src/lib.rs", "pub fn a() {}\n"),
            ("CHANGELOG.md", "# Changelog\n"),
            ("src/tests/a.rs", "\n"),
        ],
    )
}

#[test]
fn source_change_without_changelog_is_flagged() {
    let repo = repo();
    validates(&repo);
    let (code, text) = check(&repo, &[("src/lib.rs", "pub fn b() {}\n")]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("changelog"), "{text}");
}

#[test]
fn a_changelog_line_or_a_fragment_satisfies_it() {
    let repo = repo();
    let (code, text) = check(
        &repo,
        &[
            ("src/lib.rs", "pub fn b() {}\n"),
            ("CHANGELOG.md", "# Changelog\n- b\n"),
        ],
    );
    assert_eq!(code, 0, "{text}");
    let repo = self::repo();
    let (code, text) = check(
        &repo,
        &[
            ("src/lib.rs", "pub fn c() {}\n"),
            ("changelog.d/123.added.md", "c\n"),
        ],
    );
    assert_eq!(code, 0, "{text}");
}

#[test]
fn tests_do_not_need_a_changelog_entry() {
    let repo = repo();
    let (code, text) = check(&repo, &[("src/tests/a.rs", "// more\n")]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn sources_trigger_and_tests_do_not() {
    // Paths of sharkdp/bat, ripgrep-style crates/ and Go cmd/ and pkg/ layouts.
    let (old, new) = (
        "pub fn list_themes(cfg: &Config) -> Result<()> {\n",
        "pub fn list_themes(cfg: &Config, detect: bool) -> Result<()> {\n",
    );
    let failures = judge_paths(
        "changelog",
        "changelog",
        (old, new),
        &[
            ("src/bin/bat/main.rs", true),
            ("src/printer.rs", true),
            ("crates/core/flags/defs.rs", true),
            ("cmd/server/main.go", true),
            ("pkg/api/handler.go", true),
            ("lib/parser.js", true),
            ("src/tests/printer.rs", false),
            ("crates/core/tests/flags.rs", false),
            ("pkg/api/handler_test.go", false),
            ("lib/parser.test.js", false),
            ("src/testdata/sample.rs", false),
            ("tests/integration_tests.rs", false),
            ("README.md", false),
        ],
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
