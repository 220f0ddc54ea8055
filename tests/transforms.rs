//! Capture transforms (`{cmd|kebab}`, `|snake`, `|camel`, `|lower`) in companion paths,
//! through `check`, `audit`, `explain` and `graph`.

mod support;

use support::{Exits, Repo};

const RULES: &str = r#"version = 1

[[rule]]
id = "man-pages"
when = ["src/commands/{cmd}.rs"]
then = [{ kind = "man", paths = ["doc/man/cargo-{cmd|kebab}.md"] }]
"#;

fn repo() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", RULES)
        .write("src/commands/generate_lockfile.rs", "fn main() {}\n")
        .write(
            "doc/man/cargo-generate-lockfile.md",
            "# generate-lockfile\n",
        );
    repo.commit("initial");
    repo
}

fn stdout(output: std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn check_requires_the_companion_in_its_case_style() {
    let repo = repo();
    repo.write("src/commands/generate_lockfile.rs", "fn main() { run() }\n");
    let text = stdout(repo.lockstep().args(["check", "--format", "json"]).exits(1));
    assert!(
        text.contains("\"doc/man/cargo-generate-lockfile.md\""),
        "{text}"
    );
    repo.write(
        "doc/man/cargo-generate-lockfile.md",
        "# generate-lockfile!\n",
    );
    repo.lockstep().args(["check"]).exits(0);
    // The value as written, not its kebab form, does not satisfy it.
    repo.git(&["checkout", "-q", "--", "doc"]);
    repo.write("doc/man/cargo-generate_lockfile.md", "# wrong name\n");
    repo.lockstep().args(["check"]).exits(1);
}

#[test]
fn audit_judges_transformed_companions() {
    let repo = repo();
    repo.write("src/commands/generate_lockfile.rs", "fn main() { a() }\n")
        .write("doc/man/cargo-generate-lockfile.md", "# v2\n");
    repo.commit("both");
    repo.write("src/commands/generate_lockfile.rs", "fn main() { b() }\n");
    repo.commit("code only");
    let text = stdout(repo.lockstep().args(["audit", "--format", "json"]).exits(0));
    assert!(text.contains("\"triggered\": 3"), "{text}");
    assert!(text.contains("\"satisfied\": 2"), "{text}");
    assert!(text.contains("\"missed\": 1"), "{text}");
}

#[test]
fn explain_substitutes_forward_and_names_the_style_backward() {
    let repo = repo();
    let text = stdout(
        repo.lockstep()
            .args(["explain", "src/commands/read_manifest.rs"])
            .exits(0),
    );
    assert!(
        text.contains("needs man: doc/man/cargo-read-manifest.md"),
        "{text}"
    );
    let text = stdout(
        repo.lockstep()
            .args(["explain", "doc/man/cargo-read-manifest.md"])
            .exits(0),
    );
    assert!(text.contains("satisfies man of man-pages"), "{text}");
    assert!(text.contains("cmd|kebab"), "{text}");
}

#[test]
fn graph_shows_the_transform() {
    let repo = repo();
    let text = stdout(repo.lockstep().args(["graph"]).exits(0));
    assert!(text.contains("doc/man/cargo-{cmd|kebab}.md"), "{text}");
}

#[test]
fn a_transform_in_when_or_an_unknown_style_is_a_config_error() {
    let repo = repo();
    repo.write(
        "lockstep.toml",
        RULES.replace("src/commands/{cmd}.rs", "src/commands/{cmd|snake}.rs"),
    );
    let text =
        String::from_utf8_lossy(&repo.lockstep().args(["validate"]).exits(2).stderr).into_owned();
    assert!(
        text.contains("a case style like `{name|kebab}` in `when`"),
        "{text}"
    );
    repo.write("lockstep.toml", RULES.replace("|kebab", "|upper"));
    let text =
        String::from_utf8_lossy(&repo.lockstep().args(["validate"]).exits(2).stderr).into_owned();
    assert!(text.contains("unknown case style `upper`"), "{text}");
}
