//! `lockstep graph`: the map from code paths to the artifacts that depend on them.
//!
//! Grouped by rule, not by file, so a 50-rule set stays readable: one node per distinct
//! set of `when` globs, one node per distinct companion (kind and paths), and one edge
//! per rule companion, labelled with the rule's id and severity. Artifacts are grouped
//! by kind.

mod dot;
mod html;
mod mermaid;

use crate::config::Severity;
use crate::rules::RuleSet;

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
    pub fn build(rules: &RuleSet) -> Graph {
        let mut graph = Graph {
            code: Vec::new(),
            artifacts: Vec::new(),
            edges: Vec::new(),
        };
        for rule in &rules.rules {
            let code = Node {
                kind: "code".to_owned(),
                paths: rule.when.iter().map(|p| p.text().to_owned()).collect(),
                added_only: false,
            };
            let from = intern(&mut graph.code, code);
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
                let to = intern(&mut graph.artifacts, artifact);
                graph.edges.push(Edge {
                    from,
                    to,
                    rule: rule.id.clone(),
                    severity: rule.severity,
                });
            }
        }
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

fn intern(nodes: &mut Vec<Node>, node: Node) -> usize {
    match nodes.iter().position(|n| *n == node) {
        Some(i) => i,
        None => {
            nodes.push(node);
            nodes.len() - 1
        }
    }
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
        let graph = Graph::build(&RuleSet::from_toml("version = 1\n[[rule]]\nid = \"a\"\nwhen = [\"src/**\"]\nthen = [\"CHANGELOG.md\", \"docs/a.md\"]\n[[rule]]\nid = \"b\"\nwhen = [\"src/**\"]\nseverity = \"warning\"\nthen = [\"CHANGELOG.md\"]\n").expect("compiles"));
        assert_eq!(graph.code.len(), 1);
        assert_eq!(graph.artifacts.len(), 2);
        assert_eq!(graph.edges.len(), 3);
        assert_eq!(graph.edges[2].to, 0);
        assert_eq!(graph.kinds(), [("file", vec![0, 1])]);
    }
}
