//! One self-contained HTML page: an SVG drawn here (code groups on the left, artifacts
//! grouped by kind on the right, one curve per rule companion), a table of the edges,
//! and the Mermaid text. No scripts, no network.

use crate::markup::escape;
use std::fmt::Write;

use super::{Graph, Node, artifact_lines, edge_label, mermaid};
use crate::config::Severity;

const CHAR_WIDTH: f64 = 7.2;
const LINE_HEIGHT: f64 = 16.0;
const PADDING: f64 = 8.0;
const GAP: f64 = 14.0;
const HEADER: f64 = 22.0;
const CURVES: f64 = 240.0;
const LABEL_CHAR_WIDTH: f64 = 6.0;
const LABEL_LINE: f64 = 13.0;

struct Box {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

pub fn render(graph: &Graph) -> String {
    let code_lines: Vec<Vec<String>> = graph.code.iter().map(|n| n.paths.clone()).collect();
    let artifact_lines: Vec<Vec<String>> = (0..graph.artifacts.len())
        .map(|i| box_lines(graph, i))
        .collect();
    let code_width = column_width(&code_lines);
    let artifact_width = column_width(&artifact_lines);
    let left = PADDING * 2.0;
    let labels = Labels::place(graph);
    let label_width = labels.width();
    let right = left + code_width + label_width + CURVES;

    let mut code_boxes = Vec::new();
    let mut y = HEADER + PADDING;
    for (i, lines) in code_lines.iter().enumerate() {
        let height = box_height(lines).max(labels.height(i));
        code_boxes.push(Box {
            x: left,
            y,
            width: code_width,
            height,
        });
        y += height + GAP;
    }
    let code_bottom = y;

    let mut artifact_boxes: Vec<Option<Box>> = graph.artifacts.iter().map(|_| None).collect();
    let mut headers = Vec::new();
    let mut y = PADDING;
    for (kind, nodes) in graph.kinds() {
        headers.push((kind.to_owned(), y));
        y += HEADER;
        for i in nodes {
            let height = box_height(&artifact_lines[i]);
            artifact_boxes[i] = Some(Box {
                x: right,
                y,
                width: artifact_width,
                height,
            });
            y += height + GAP;
        }
        y += GAP;
    }
    let width = right + artifact_width + PADDING * 2.0;
    let height = code_bottom.max(y) + PADDING;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"lockstep dependency graph\">"
    );
    let _ = writeln!(
        svg,
        "<text class=\"kind\" x=\"{left:.0}\" y=\"{:.0}\">code</text>",
        PADDING + 14.0
    );
    for (kind, y) in &headers {
        let _ = writeln!(
            svg,
            "<text class=\"kind\" x=\"{right:.0}\" y=\"{:.0}\">{}</text>",
            y + 14.0,
            escape(kind)
        );
    }
    for (e, edge) in graph.edges.iter().enumerate() {
        let (Some(from), Some(Some(to))) = (code_boxes.get(edge.from), artifact_boxes.get(edge.to))
        else {
            continue;
        };
        let y = labels.y(from, edge.from, labels.slot_of_edge[e]);
        let start = (from.x + from.width + label_width, y);
        draw_edge(&mut svg, start, to, &edge_label(edge), edge.severity);
    }
    for (node, slots) in labels.slots.iter().enumerate() {
        let Some(from) = code_boxes.get(node) else {
            continue;
        };
        for (slot, (label, severity)) in slots.iter().enumerate() {
            let y = labels.y(from, node, slot);
            let x = from.x + from.width;
            let _ = writeln!(
                svg,
                "<g class=\"edge {severity}\"><path d=\"M{x:.1},{y:.1} H{:.1}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
                x + label_width,
                x + 6.0,
                y - 3.0,
                escape(label)
            );
        }
    }
    for (node, b) in graph.code.iter().zip(&code_boxes) {
        draw_node(&mut svg, b, &node.paths, "code");
    }
    for (lines, b) in artifact_lines.iter().zip(&artifact_boxes) {
        if let Some(b) = b {
            draw_node(&mut svg, b, lines, "artifact");
        }
    }
    svg.push_str("</svg>\n");
    page(graph, &svg)
}

fn column_width(nodes: &[Vec<String>]) -> f64 {
    let chars = nodes
        .iter()
        .flatten()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(10);
    (chars.clamp(10, 70) as f64) * CHAR_WIDTH + PADDING * 2.0
}

fn box_height(lines: &[String]) -> f64 {
    lines.len().max(1) as f64 * LINE_HEIGHT + PADDING * 2.0 - 4.0
}

fn draw_node(svg: &mut String, b: &Box, lines: &[String], class: &str) {
    let _ = writeln!(
        svg,
        "<g class=\"{class}\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"4\"/>",
        b.x, b.y, b.width, b.height
    );
    for (i, line) in lines.iter().enumerate() {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            b.x + PADDING,
            b.y + PADDING + 8.0 + i as f64 * LINE_HEIGHT,
            escape(line)
        );
    }
    svg.push_str("</g>\n");
}

/// Labels sit once per rule beside its code node, on a short stub the curves leave
/// from, so that a large graph does not pile labels up between the columns.
struct Labels {
    /// Per code node: its distinct (label, severity) pairs.
    slots: Vec<Vec<(String, Severity)>>,
    slot_of_edge: Vec<usize>,
}

impl Labels {
    fn place(graph: &Graph) -> Labels {
        let mut slots: Vec<Vec<(String, Severity)>> = vec![Vec::new(); graph.code.len()];
        let mut slot_of_edge = Vec::new();
        for edge in &graph.edges {
            let key = (edge_label(edge), edge.severity);
            let node = &mut slots[edge.from];
            let slot = match node.iter().position(|k| *k == key) {
                Some(slot) => slot,
                None => {
                    node.push(key);
                    node.len() - 1
                }
            };
            slot_of_edge.push(slot);
        }
        Labels {
            slots,
            slot_of_edge,
        }
    }

    fn width(&self) -> f64 {
        let chars = self
            .slots
            .iter()
            .flatten()
            .map(|(l, _)| l.chars().count())
            .max()
            .unwrap_or(0);
        chars as f64 * LABEL_CHAR_WIDTH + 16.0
    }

    fn height(&self, node: usize) -> f64 {
        self.slots[node].len() as f64 * LABEL_LINE + PADDING
    }

    /// The stub's y for `slot` of `node`: the slots are centred on the box.
    fn y(&self, from: &Box, node: usize, slot: usize) -> f64 {
        let count = self.slots[node].len().max(1) as f64;
        from.y + from.height / 2.0 + (slot as f64 - (count - 1.0) / 2.0) * LABEL_LINE
    }
}

fn draw_edge(svg: &mut String, (x1, y1): (f64, f64), to: &Box, label: &str, severity: Severity) {
    let (x2, y2) = (to.x, to.y + to.height / 2.0);
    let bend = (x2 - x1) / 2.0;
    let _ = writeln!(
        svg,
        "<g class=\"edge {severity}\"><title>{}</title><path d=\"M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}\"/><circle cx=\"{x2:.1}\" cy=\"{y2:.1}\" r=\"3\"/></g>",
        escape(label),
        x1 + bend,
        x2 - bend,
    );
}

/// An artifact's box: its paths, and a mark when it is also a trigger (the chains table
/// says of what).
fn box_lines(graph: &Graph, artifact: usize) -> Vec<String> {
    let mut lines = artifact_lines(&graph.artifacts[artifact]);
    if graph.chains.iter().any(|c| c.artifact == artifact) {
        lines.push("↺ also a trigger".to_owned());
    }
    lines
}

/// The chains table: each artifact that also triggers a code group's rules.
fn chain_rows(graph: &Graph) -> String {
    let mut rows = String::new();
    for chain in &graph.chains {
        let (Some(artifact), Some(code)) = (
            graph.artifacts.get(chain.artifact),
            graph.code.get(chain.code),
        ) else {
            continue;
        };
        let _ = writeln!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&artifact.kind),
            escape(&node_text(artifact)),
            escape(&node_text(code))
        );
    }
    rows
}

fn page(graph: &Graph, svg: &str) -> String {
    let mut rows = String::new();
    for edge in &graph.edges {
        let code = graph.code.get(edge.from).map(node_text).unwrap_or_default();
        let artifact = graph.artifacts.get(edge.to);
        let kind = artifact.map(|a| a.kind.clone()).unwrap_or_default();
        let paths = artifact.map(node_text).unwrap_or_default();
        let _ = writeln!(
            rows,
            "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&edge.rule),
            edge.severity,
            edge.severity,
            escape(&code),
            escape(&kind),
            escape(&paths)
        );
    }
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>lockstep dependency graph</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #1c2833; }}
svg {{ font-family: ui-monospace, monospace; font-size: 12px; max-width: none; }}
.kind {{ font-family: system-ui, sans-serif; font-weight: bold; font-size: 13px; fill: #34495e; }}
.code rect {{ fill: #eaf2f8; stroke: #2e86c1; }}
.artifact rect {{ fill: #fef9e7; stroke: #b7950b; }}
.edge path {{ fill: none; stroke-width: 1.5; }}
.edge text {{ font-family: system-ui, sans-serif; font-size: 10px; stroke: none; fill: #1c2833; }}
.edge.error path {{ stroke: #c0392b; stroke-width: 2.2; }} .edge.error circle {{ fill: #c0392b; }}
.edge.warning path {{ stroke: #d68910; }} .edge.warning circle {{ fill: #d68910; }}
.edge.info path {{ stroke: #7f8c8d; stroke-dasharray: 4 3; }} .edge.info circle {{ fill: #7f8c8d; }}
.edge:hover path {{ stroke-width: 4; }}
table {{ border-collapse: collapse; margin-top: 2rem; }}
td, th {{ border: 1px solid #d5d8dc; padding: 0.3rem 0.6rem; text-align: left; font-size: 0.9rem; }}
td.error {{ color: #c0392b; }} td.warning {{ color: #d68910; }} td.info {{ color: #7f8c8d; }}
.scroll {{ overflow-x: auto; }}
</style>
</head>
<body>
<h1>lockstep dependency graph</h1>
<p>{} rule companions from {} code groups to {} artifacts. Thick red: error; orange: warning; dashed: info.</p>
<div class="scroll">
{svg}</div>
<table>
<thead><tr><th>rule</th><th>severity</th><th>code</th><th>kind</th><th>artifact</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
{}<details><summary>Mermaid source</summary><pre>{}</pre></details>
</body>
</html>
"#,
        graph.edges.len(),
        graph.code.len(),
        graph.artifacts.len(),
        chains_table(graph),
        escape(&mermaid::render(graph))
    )
}

fn chains_table(graph: &Graph) -> String {
    if graph.chains.is_empty() {
        return String::new();
    }
    format!(
        "<h2>Chains</h2>\n<p>Artifacts that are also triggers: a change to one triggers the code group's rules in turn.</p>\n<table>\n<thead><tr><th>kind</th><th>artifact</th><th>also a trigger of</th></tr></thead>\n<tbody>\n{}</tbody>\n</table>\n",
        chain_rows(graph)
    )
}

fn node_text(node: &Node) -> String {
    node.paths.join(", ")
}
