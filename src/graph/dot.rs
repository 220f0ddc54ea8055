//! Graphviz DOT: `lockstep graph --format dot | dot -Tsvg > graph.svg`.

use super::{Graph, artifact_lines, edge_label};
use crate::config::Severity;

pub fn render(graph: &Graph) -> String {
    let mut out = String::from("digraph lockstep {\n");
    out.push_str("  rankdir=LR;\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n");
    out.push_str("  edge [fontname=\"sans-serif\", fontsize=9];\n");
    out.push_str("  subgraph cluster_code {\n    label=\"code\";\n");
    for (i, node) in graph.code.iter().enumerate() {
        out.push_str(&format!("    c{i} [label=\"{}\"];\n", label(&node.paths)));
    }
    out.push_str("  }\n");
    for (k, (kind, nodes)) in graph.kinds().into_iter().enumerate() {
        out.push_str(&format!(
            "  subgraph cluster_{k} {{\n    label=\"{}\";\n",
            escape(kind)
        ));
        for i in nodes {
            let lines = artifact_lines(&graph.artifacts[i]);
            out.push_str(&format!("    a{i} [label=\"{}\"];\n", label(&lines)));
        }
        out.push_str("  }\n");
    }
    for edge in &graph.edges {
        let style = match edge.severity {
            Severity::Error => "style=bold, color=\"#c0392b\"",
            Severity::Warning => "style=solid, color=\"#d68910\"",
            Severity::Info => "style=dashed, color=\"#7f8c8d\"",
        };
        out.push_str(&format!(
            "  c{} -> a{} [label=\"{}\", {style}];\n",
            edge.from,
            edge.to,
            escape(&edge_label(edge))
        ));
    }
    for chain in &graph.chains {
        out.push_str(&format!(
            "  a{} -> c{} [label=\"triggers\", style=dotted, arrowhead=empty, constraint=false];\n",
            chain.artifact, chain.code
        ));
    }
    out.push_str("}\n");
    out
}

/// Left-justified lines (`\l`), so path lists read as a column.
fn label(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{}\\l", escape(l))).collect()
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}
