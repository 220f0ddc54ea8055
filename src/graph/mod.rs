//! `lockstep graph`: the map from code paths to the artifacts that depend on them.
//!
//! Grouped by rule, not by file, so a 50-rule set stays readable: one node per distinct
//! set of `when` globs, one node per distinct companion (kind and paths), and one edge
//! per rule companion, labelled with the rule's id and severity. Artifacts are grouped
//! by kind. An artifact that is also a trigger (a man-page source that a command's rule
//! requires and that itself requires the generated page) gets a "triggers" link to the
//! code group it falls in, so chains read through.

mod dot;
mod html;
mod mermaid;

use crate::config::Severity;
use crate::rules::{Pattern, RuleSet};

/// The formats of `graph`; the CLI offers exactly these (`graph --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A Mermaid flowchart (renders in GitHub Markdown).
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// One self-contained HTML page with an SVG drawing.
    Html,
}

/// `graph` as `format` writes it.
pub fn render(graph: &Graph, format: Format) -> String {
    match format {
        Format::Mermaid => mermaid::render(graph),
        Format::Dot => dot::render(graph),
        Format::Html => html::render(graph),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    /// Code path groups: each rule's `when` globs (rules sharing them share the node).
    pub code: Vec<Node>,
    /// Artifacts: each distinct companion.
    pub artifacts: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Artifacts that are also triggers.
    pub chains: Vec<Chain>,
}

/// A change to an artifact triggers a code group's rules: a tracked file matches both,
/// or they name the same paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// Index into [`Graph::artifacts`].
    pub artifact: usize,
    /// Index into [`Graph::code`].
    pub code: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// `code` for code nodes, else the companion's kind.
    pub kind: String,
    pub paths: Vec<String>,
    /// Companions that only a newly added file satisfies.
    pub added_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// Index into [`Graph::code`].
    pub from: usize,
    /// Index into [`Graph::artifacts`].
    pub to: usize,
    pub rule: String,
    pub severity: Severity,
}

impl Graph {
    /// The graph of `rules`, chains found among the `tracked` files.
    pub fn build(rules: &RuleSet, tracked: &[String]) -> Graph {
        let mut graph = Graph {
            code: Vec::new(),
            artifacts: Vec::new(),
            edges: Vec::new(),
            chains: Vec::new(),
        };
        let mut code_patterns: Vec<&[Pattern]> = Vec::new();
        let mut artifact_patterns: Vec<&[Pattern]> = Vec::new();
        for rule in &rules.rules {
            let code = Node {
                kind: "code".to_owned(),
                paths: rule.when.iter().map(|p| p.text().to_owned()).collect(),
                added_only: false,
            };
            let from = intern(&mut graph.code, code, &mut code_patterns, &rule.when);
            for companion in &rule.companions {
                let artifact = Node {
                    kind: companion.kind.clone(),
                    paths: companion
                        .paths
                        .iter()
                        .map(|p| p.text().to_owned())
                        .collect(),
                    added_only: companion.change == crate::config::ChangeKind::Added,
                };
                let to = intern(
                    &mut graph.artifacts,
                    artifact,
                    &mut artifact_patterns,
                    &companion.paths,
                );
                graph.edges.push(Edge {
                    from,
                    to,
                    rule: rule.id.clone(),
                    severity: rule.severity,
                });
            }
        }
        graph.chains = chains(&graph, &artifact_patterns, &code_patterns, tracked);
        graph
    }

    /// Artifact kinds in order of first appearance, each with its nodes' indices.
    pub fn kinds(&self) -> Vec<(&str, Vec<usize>)> {
        let mut kinds: Vec<(&str, Vec<usize>)> = Vec::new();
        for (i, node) in self.artifacts.iter().enumerate() {
            match kinds.iter_mut().find(|(k, _)| *k == node.kind) {
                Some((_, nodes)) => nodes.push(i),
                None => kinds.push((&node.kind, vec![i])),
            }
        }
        kinds
    }
}

/// The index of `node`, added (with its `patterns`) if it is new.
fn intern<'r>(
    nodes: &mut Vec<Node>,
    node: Node,
    node_patterns: &mut Vec<&'r [Pattern]>,
    patterns: &'r [Pattern],
) -> usize {
    match nodes.iter().position(|n| *n == node) {
        Some(i) => i,
        None => {
            nodes.push(node);
            node_patterns.push(patterns);
            nodes.len() - 1
        }
    }
}

/// Each artifact that names a code group's paths, or matches a tracked file the group
/// matches too.
fn chains(
    graph: &Graph,
    artifact_patterns: &[&[Pattern]],
    code_patterns: &[&[Pattern]],
    tracked: &[String],
) -> Vec<Chain> {
    let matches =
        |patterns: &[Pattern], path: &str| patterns.iter().any(|p| p.bind(path).is_some());
    let mut chains = Vec::new();
    for (artifact, patterns) in artifact_patterns.iter().enumerate() {
        let files: Vec<&String> = tracked.iter().filter(|f| matches(patterns, f)).collect();
        for (code, code_patterns) in code_patterns.iter().enumerate() {
            let same_paths = graph.artifacts[artifact].paths == graph.code[code].paths;
            if same_paths || files.iter().any(|f| matches(code_patterns, f)) {
                chains.push(Chain { artifact, code });
            }
        }
    }
    chains
}

/// The label of an edge: `rule-id · severity`.
fn edge_label(edge: &Edge) -> String {
    format!("{} · {}", edge.rule, edge.severity)
}

/// Paths of an artifact node, with a note when only new files count.
fn artifact_lines(node: &Node) -> Vec<String> {
    let mut lines = node.paths.clone();
    if node.added_only {
        lines.push("(new files only)".to_owned());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn shared_companions_and_code_groups_are_one_node() {
        let graph = Graph::build(&RuleSet::from_toml("version = 1\n[[rule]]\nid = \"a\"\nwhen = [\"src/**\"]\nthen = [\"CHANGELOG.md\", \"docs/a.md\"]\n[[rule]]\nid = \"b\"\nwhen = [\"src/**\"]\nseverity = \"warning\"\nthen = [\"CHANGELOG.md\"]\n").expect("compiles"), &[]);
        assert_eq!(graph.code.len(), 1);
        assert_eq!(graph.artifacts.len(), 2);
        assert_eq!(graph.edges.len(), 3);
        assert_eq!(graph.edges[2].to, 0);
        assert_eq!(graph.kinds(), [("file", vec![0, 1])]);
        assert!(graph.chains.is_empty());
    }

    /// command → man source → generated page: the man source is a companion of one
    /// rule and, through a different glob, the trigger of another.
    #[test]
    fn an_artifact_that_is_also_a_trigger_links_to_its_code_group() {
        let rules = RuleSet::from_toml(
            r#"version = 1
[[rule]]
id = "command-docs"
when = ["src/commands/{cmd}.rs"]
then = ["doc/man/cargo-{cmd|kebab}.md"]
[[rule]]
id = "man-pages"
when = ["doc/man/{page}.md"]
then = ["etc/man/{page}.1"]
[[rule]]
id = "changelog"
when = ["etc/**"]
then = ["CHANGELOG.md"]
"#,
        )
        .expect("compiles");
        let tracked = [
            "src/commands/generate_lockfile.rs",
            "doc/man/cargo-generate-lockfile.md",
            "etc/man/cargo-generate-lockfile.1",
        ]
        .map(str::to_owned);
        let graph = Graph::build(&rules, &tracked);
        // doc/man/cargo-{cmd|kebab}.md (artifact 0) falls in doc/man/{page}.md (code 1);
        // etc/man/{page}.1 (artifact 1) in etc/** (code 2), by a tracked file.
        assert_eq!(
            graph.chains,
            [
                Chain {
                    artifact: 0,
                    code: 1
                },
                Chain {
                    artifact: 1,
                    code: 2
                }
            ]
        );
        // Without the files, only identical paths would link.
        assert!(Graph::build(&rules, &[]).chains.is_empty());
    }
}
