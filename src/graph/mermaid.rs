//! Mermaid flowchart text; GitHub renders it in a ```mermaid block.

use super::{Graph, artifact_lines, edge_label};
use crate::config::Severity;

pub fn render(graph: &Graph) -> String {
    let mut out = String::from(
        "flowchart LR\n  %% edges: ==> error, --> warning, -.-> info; -. triggers .-> an artifact that is also a trigger\n",
    );
    out.push_str("  subgraph code[\"code\"]\n");
    for (i, node) in graph.code.iter().enumerate() {
        out.push_str(&format!("    c{i}[\"{}\"]\n", label(&node.paths)));
    }
    out.push_str("  end\n");
    for (k, (kind, nodes)) in graph.kinds().into_iter().enumerate() {
        out.push_str(&format!("  subgraph k{k}[\"{}\"]\n", escape(kind)));
        for i in nodes {
            let lines = artifact_lines(&graph.artifacts[i]);
            out.push_str(&format!("    a{i}[\"{}\"]\n", label(&lines)));
        }
        out.push_str("  end\n");
    }
    for edge in &graph.edges {
        let arrow = match edge.severity {
            Severity::Error => "==>",
            Severity::Warning => "-->",
            Severity::Info => "-.->",
        };
        out.push_str(&format!(
            "  c{} {arrow}|\"{}\"| a{}\n",
            edge.from,
            escape(&edge_label(edge)),
            edge.to
        ));
    }
    for chain in &graph.chains {
        out.push_str(&format!(
            "  a{} -. triggers .-> c{}\n",
            chain.artifact, chain.code
        ));
    }
    out
}

fn label(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| escape(l))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Mermaid entity codes for the characters that end or confuse a quoted label.
fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            other => out.push(other),
        }
    }
    out
}
