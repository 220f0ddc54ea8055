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
id = "quoted"
when = ["weird/\"quoted\"/<x>/**"]
then = [{ kind = "docs", paths = ["docs/payments/api.md"] }]
"#;

fn repo() -> Repo {
    let repo = Repo::new();
    repo.write("lockstep.toml", RULES);
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
    // Every rule companion is one edge (3 + 1 + 1 + 1 + the changelog pack's), ending
    // in a dot; each rule is labelled once beside its code group.
    assert_eq!(html.matches("<circle ").count(), 7);
    assert_eq!(html.matches("payments-api · error</text>").count(), 1);
    assert_eq!(
        html.matches("<tr><td>").count(),
        7,
        "one table row per edge"
    );
    assert!(
        html.contains("weird/&quot;quoted&quot;/&lt;x&gt;/**"),
        "escaped"
    );
    std::fs::remove_file(repo.path().join("graph.html")).expect("remove");
    assert_eq!(repo.state(), state);
}
