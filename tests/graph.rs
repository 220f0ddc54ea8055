//! `lockstep graph`: Mermaid, DOT and HTML renderings of the dependency map. The DOT
//! output is fed to the real Graphviz `dot` (`.ci/run` installs it); missing, that test
//! fails in CI and is skipped with a note elsewhere.

mod support;

use support::{Exits, Repo};

const RULES: &str = r#"version = 1
extends = ["builtin:changelog"]

[[rule]]
id = "payments-api"
when = ["services/payments/api/**/*.proto"]
then = [{ kind = "docs", paths = ["docs/payments/api.md"] }, { kind = "sdk", paths = ["sdk/go/payments/**", "sdk/ts/src/payments/**"] }, { kind = "dashboard", paths = ["grafana/payments.json"] }]

[[rule]]
id = "payments-runbook"
severity = "info"
when = ["services/payments/api/**/*.proto"]
then = [{ kind = "runbook", paths = ["runbooks/payments.md"] }]

[[rule]]
id = "man-pages"
severity = "warning"
when = ["doc/man/cargo-{cmd}.md"]
then = ["etc/man/cargo-{cmd}.1"]

[[rule]]
id = "command-docs"
severity = "warning"
when = ["src/commands/{cmd}.rs"]
then = [{ kind = "man", paths = ["doc/man/cargo-{cmd|kebab}.md"] }]

[[rule]]
id = "quoted"
when = ["weird/\"quoted\"/<x>/**"]
then = [{ kind = "docs", paths = ["docs/payments/api.md"] }]
"#;

/// The rule set, and the files of a chain: a command, its man source (a companion of
/// `command-docs` and a trigger of `man-pages`) and the generated page.
fn repo() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", RULES)
        .write("src/commands/generate_lockfile.rs", "fn main() {}\n")
        .write(
            "doc/man/cargo-generate-lockfile.md",
            "# cargo-generate-lockfile\n",
        )
        .write("etc/man/cargo-generate-lockfile.1", ".TH CARGO\n");
    repo.commit("initial");
    repo
}

fn stdout(repo: &Repo, args: &[&str]) -> String {
    let out = repo.lockstep().args(args).exits(0).stdout;
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn mermaid_is_the_default() {
    let repo = repo();
    let text = stdout(&repo, &["graph"]);
    assert_eq!(text, stdout(&repo, &["graph", "--format", "mermaid"]));
    insta::assert_snapshot!("mermaid", text);
}

#[test]
fn dot_output() {
    insta::assert_snapshot!("dot", stdout(&repo(), &["graph", "--format", "dot"]));
}

#[test]
fn dot_output_is_accepted_by_graphviz() {
    let text = stdout(&repo(), &["graph", "--format", "dot"]);
    let Some(dot) = support::tool("dot", None, "apt-get install graphviz") else {
        return;
    };
    let mut child = std::process::Command::new(dot)
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("dot runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("dot runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn html_is_one_self_contained_page() {
    let repo = repo();
    let state = repo.state();
    repo.lockstep()
        .args(["graph", "--format", "html", "--output", "graph.html"])
        .assert()
        .code(0);
    let html = repo.read("graph.html");
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<svg"), "draws an SVG");
    assert!(!html.contains("<script"), "no scripts");
    assert!(!html.contains("src=\"http"), "no network");
    // Every rule companion is one edge (3 + 1 + 1 + 1 + 1 + the changelog pack's),
    // ending in a dot; each rule is labelled once beside its code group.
    assert_eq!(html.matches("<circle ").count(), 8);
    assert_eq!(html.matches("payments-api · error</text>").count(), 1);
    assert_eq!(
        html.matches("<tr><td>").count(),
        8 + 1,
        "one table row per edge, and one per chain"
    );
    assert!(
        html.contains("weird/&quot;quoted&quot;/&lt;x&gt;/**"),
        "escaped"
    );
    std::fs::remove_file(repo.path().join("graph.html")).expect("remove");
    assert_eq!(repo.state(), state);
}

/// command → man source → generated page reads through: the man source, a companion of
/// `command-docs`, links to the code group of `man-pages`, which it triggers.
#[test]
fn an_artifact_that_is_also_a_trigger_links_to_the_rules_it_triggers() {
    let repo = repo();
    let mermaid = stdout(&repo, &["graph"]);
    let node = |prefix: &str, path: &str| {
        mermaid
            .lines()
            .find(|l| l.contains(&format!("[\"{path}\"]")))
            .and_then(|l| l.trim().split('[').next())
            .filter(|id| id.starts_with(prefix))
            .unwrap_or_else(|| panic!("no node for {path}: {mermaid}"))
            .to_owned()
    };
    let source = node("a", "doc/man/cargo-{cmd|kebab}.md");
    let man_pages = node("c", "doc/man/cargo-{cmd}.md");
    assert!(
        mermaid.contains(&format!("{source} -. triggers .-> {man_pages}\n")),
        "{mermaid}"
    );
    let chains = mermaid
        .lines()
        .filter(|l| l.contains(" -. triggers .-> ") && !l.contains("%%"));
    assert_eq!(chains.count(), 1, "one chain: {mermaid}");
    let dot = stdout(&repo, &["graph", "--format", "dot"]);
    assert!(
        dot.contains(&format!("{source} -> {man_pages} [label=\"triggers\"")),
        "{dot}"
    );
    let html = stdout(&repo, &["graph", "--format", "html"]);
    assert!(html.contains("↺ also a trigger"), "{html}");
    assert!(
        html.contains("<tr><td>man</td><td>doc/man/cargo-{cmd|kebab}.md</td><td>doc/man/cargo-{cmd}.md</td></tr>"),
        "{html}"
    );
}
