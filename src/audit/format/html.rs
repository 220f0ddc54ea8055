//! `--format html`: one self-contained page (no network, no external files) with
//! inline SVG charts and the misses as a sortable, filterable table.

use crate::markup::escape;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::audit::{Audit, Outcome};

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#1f2328}\
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #d0d7de}\
table{border-collapse:collapse;width:100%}th,td{padding:.3em .6em;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}\
td.n,th.n{text-align:right}th{background:#f6f8fa}#misses th{cursor:pointer;user-select:none}\
.big{font-size:2em;font-weight:600}.ok{fill:#1a7f37}.mid{fill:#bf8700}.bad{fill:#cf222e}\
svg text{font:12px system-ui,sans-serif}code{font-size:.9em}input{padding:.4em;width:24em;margin:.5em 0}";

const SCRIPT: &str = "const t=document.getElementById('misses');if(t){const b=t.tBodies[0];\
document.getElementById('filter').addEventListener('input',e=>{const q=e.target.value.toLowerCase();\
for(const r of b.rows)r.hidden=!r.textContent.toLowerCase().includes(q);});\
t.tHead.querySelectorAll('th').forEach((h,i)=>h.addEventListener('click',()=>{\
const up=h.dataset.dir!=='asc';h.dataset.dir=up?'asc':'desc';\
[...b.rows].sort((x,y)=>x.cells[i].textContent.localeCompare(y.cells[i].textContent,undefined,{numeric:true})*(up?1:-1))\
.forEach(r=>b.appendChild(r));}));}";

pub fn render(audit: &Audit, out: &mut dyn Write) -> io::Result<()> {
    let mut page = String::new();
    // Writing into a String cannot fail.
    let _ = write_page(audit, &mut page);
    out.write_all(page.as_bytes())
}

fn write_page(audit: &Audit, page: &mut String) -> std::fmt::Result {
    let scope = &audit.scope;
    let total = &audit.total;
    writeln!(page, "<!DOCTYPE html>")?;
    writeln!(page, "<html lang=\"en\">")?;
    writeln!(
        page,
        "<head><meta charset=\"utf-8\"><title>lockstep audit</title>"
    )?;
    writeln!(page, "<style>{STYLE}</style></head>")?;
    writeln!(page, "<body>")?;
    writeln!(page, "<h1>lockstep audit</h1>")?;
    let what = super::scope_line(scope, str::to_owned);
    writeln!(page, "<p>{}</p>", escape(&what))?;
    writeln!(
        page,
        "<p><span class=\"big\" id=\"compliance\">{}</span> compliance: {}.</p>",
        super::percent(total.compliance()),
        super::cases(total)
    )?;
    for note in super::unjudged(scope) {
        writeln!(page, "<p>{}.</p>", escape(&note))?;
    }
    if let Some(note) = scope.shallow_note() {
        writeln!(page, "<p><strong>Warning:</strong> {}</p>", escape(note))?;
    }
    writeln!(page, "<h2>Compliance per rule</h2>")?;
    let bars: Vec<(String, f64, String)> = audit
        .rules
        .iter()
        .map(|r| {
            let c = &r.counts;
            let note = format!(
                "{} of {} ({} waived, {} not applicable)",
                c.satisfied,
                c.judged(),
                c.waived,
                c.not_applicable
            );
            (r.rule.clone(), c.compliance(), note)
        })
        .collect();
    bar_chart(page, &bars)?;
    rules_table(audit, page)?;
    writeln!(page, "<h2>Compliance per companion kind</h2>")?;
    let bars: Vec<(String, f64, String)> = audit
        .kinds
        .iter()
        .map(|k| {
            let note = format!("{} missed of {} required", k.missed, k.required);
            (k.kind.clone(), k.compliance(), note)
        })
        .collect();
    bar_chart(page, &bars)?;
    writeln!(page, "<h2>Trend per month</h2>")?;
    trend_chart(audit, page)?;
    misses_table(audit, page)?;
    waivers_table(audit, page)?;
    writeln!(page, "<script>{SCRIPT}</script>")?;
    writeln!(page, "</body>")?;
    writeln!(page, "</html>")
}

fn class(ratio: f64) -> &'static str {
    if ratio >= 0.9 {
        "ok"
    } else if ratio >= 0.7 {
        "mid"
    } else {
        "bad"
    }
}

/// Horizontal bars: a label, the compliance bar, the percentage and a note.
fn bar_chart(page: &mut String, bars: &[(String, f64, String)]) -> std::fmt::Result {
    const ROW: usize = 24;
    const LABEL: usize = 200;
    const WIDTH: f64 = 400.0;
    if bars.is_empty() {
        return writeln!(page, "<p>Nothing to chart.</p>");
    }
    let height = bars.len() * ROW + 8;
    writeln!(
        page,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"900\" height=\"{height}\" viewBox=\"0 0 900 {height}\">"
    )?;
    for (i, (label, ratio, note)) in bars.iter().enumerate() {
        let y = i * ROW + 4;
        let w = (ratio * WIDTH).round();
        writeln!(
            page,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
<rect x=\"{LABEL}\" y=\"{y}\" width=\"{WIDTH}\" height=\"16\" fill=\"#eaeef2\"/>\
<rect class=\"{}\" x=\"{LABEL}\" y=\"{y}\" width=\"{w}\" height=\"16\"><title>{}</title></rect>\
<text x=\"{}\" y=\"{}\">{} · {}</text>",
            LABEL - 8,
            y + 13,
            escape(label),
            class(*ratio),
            escape(note),
            LABEL + WIDTH as usize + 8,
            y + 13,
            super::percent(*ratio),
            escape(note)
        )?;
    }
    writeln!(page, "</svg>")
}

/// Vertical bars of compliance per month. Long histories get narrower bars and a
/// label every few months; every bar keeps its figures in a tooltip.
fn trend_chart(audit: &Audit, page: &mut String) -> std::fmt::Result {
    const WIDE: usize = 56;
    const HEIGHT: f64 = 160.0;
    const LABELS: usize = 16;
    let months = audit.months.len();
    if months == 0 {
        return writeln!(page, "<p>No units in this range.</p>");
    }
    let column = (900 / months).clamp(8, WIDE);
    let bar = column * 5 / 7;
    let every = if column == WIDE {
        1
    } else {
        months.div_ceil(LABELS)
    };
    let width = months * column + 16;
    writeln!(
        page,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{width}\" height=\"230\" viewBox=\"0 0 {width} 230\">"
    )?;
    for (i, month) in audit.months.iter().enumerate() {
        let x = i * column + 8;
        let middle = x + bar / 2;
        let c = &month.counts;
        let ratio = c.compliance();
        // A month with nothing to judge has no bar, rather than a full one.
        let judged = c.judged() > 0;
        let h = if judged {
            (ratio * HEIGHT).round()
        } else {
            0.0
        };
        let y = 20.0 + HEIGHT - h;
        writeln!(
            page,
            "<rect class=\"{}\" x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{h}\"><title>{}: {} compliance, {} missed of {} triggered ({} waived)</title></rect>",
            class(ratio),
            escape(&month.month),
            super::percent(ratio),
            c.missed,
            c.triggered,
            c.waived
        )?;
        if i % every != 0 {
            continue;
        }
        if column == WIDE {
            writeln!(
                page,
                "<text x=\"{middle}\" y=\"{}\" text-anchor=\"middle\">{}</text>\
<text x=\"{middle}\" y=\"214\" text-anchor=\"middle\">{} / {}</text>",
                y - 4.0,
                if judged {
                    super::percent(ratio)
                } else {
                    "–".to_owned()
                },
                c.missed,
                c.triggered
            )?;
        }
        writeln!(
            page,
            "<text x=\"{middle}\" y=\"198\" text-anchor=\"middle\">{}</text>",
            escape(&month.month)
        )?;
    }
    writeln!(page, "</svg>")?;
    let legend = if column == WIDE {
        "Under each month: cases missed / triggered."
    } else {
        "Hover over a bar for its month's figures."
    };
    writeln!(page, "<p>{legend}</p>")
}

fn rules_table(audit: &Audit, page: &mut String) -> std::fmt::Result {
    writeln!(page, "<table id=\"rules\">")?;
    write!(page, "<thead><tr><th>Rule</th>")?;
    for column in super::COUNT_COLUMNS.iter().chain(&["Compliance"]) {
        write!(page, "<th class=\"n\">{column}</th>")?;
    }
    writeln!(page, "<th>Owners</th></tr></thead>")?;
    writeln!(page, "<tbody>")?;
    for row in &audit.rules {
        let c = &row.counts;
        let description = row.description.as_deref().unwrap_or_default();
        write!(
            page,
            "<tr><td><code>{}</code><br><small>{}</small></td>",
            escape(&row.rule),
            escape(description)
        )?;
        for value in super::count_cells(c)
            .iter()
            .chain([&super::percent(c.compliance())])
        {
            write!(page, "<td class=\"n\">{value}</td>")?;
        }
        writeln!(page, "<td>{}</td></tr>", escape(&row.owners.join(" ")))?;
    }
    writeln!(page, "</tbody>")?;
    writeln!(page, "</table>")
}

fn misses_table(audit: &Audit, page: &mut String) -> std::fmt::Result {
    writeln!(page, "<h2>Misses ({})</h2>", audit.total.missed)?;
    if audit.total.missed == 0 {
        return writeln!(page, "<p>None.</p>");
    }
    writeln!(
        page,
        "<input id=\"filter\" type=\"search\" placeholder=\"Filter by rule, author, path…\" aria-label=\"Filter misses\">"
    )?;
    writeln!(page, "<table id=\"misses\">")?;
    writeln!(
        page,
        "<thead><tr><th>Commit</th><th>Date</th><th>Author</th><th>Subject</th><th>Rule</th><th>Triggered by</th><th>Missing</th><th>Owners</th><th>Status</th></tr></thead>"
    )?;
    writeln!(page, "<tbody>")?;
    for case in audit.misses() {
        let commit = audit.commit(case);
        let rule = match super::bindings(&case.bindings) {
            b if b.is_empty() => case.rule.clone(),
            b => format!("{} [{b}]", case.rule),
        };
        writeln!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            commit_cell(audit, &commit.id),
            escape(&commit.date),
            escape(&commit.author),
            escape(&commit.subject),
            escape(&rule),
            escape(&case.triggered_by.join(", ")),
            escape(&super::missing(&case.missing)),
            escape(&case.owners.join(" ")),
            escape(&super::miss_status(case))
        )?;
    }
    writeln!(page, "</tbody>")?;
    writeln!(page, "</table>")
}

/// A commit's short id, linked to its page on the origin's forge when there is one.
fn commit_cell(audit: &Audit, id: &str) -> String {
    let code = format!(
        "<code title=\"{}\">{}</code>",
        escape(id),
        escape(super::short(id))
    );
    match super::commit_url(&audit.scope, id) {
        Some(url) => format!("<a href=\"{}\">{code}</a>", escape(&url)),
        None => code,
    }
}

/// Who waived each waived case (its commit and author) and why.
fn waivers_table(audit: &Audit, page: &mut String) -> std::fmt::Result {
    if audit.total.waived == 0 {
        return Ok(());
    }
    writeln!(page, "<h2>Waivers ({})</h2>", audit.total.waived)?;
    writeln!(page, "<table id=\"waivers\">")?;
    writeln!(
        page,
        "<thead><tr><th>Commit</th><th>Date</th><th>Author</th><th>Rule</th><th>Reason</th></tr></thead>"
    )?;
    writeln!(page, "<tbody>")?;
    for case in audit.outcomes(Outcome::Waived) {
        let commit = audit.commit(case);
        writeln!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            commit_cell(audit, &commit.id),
            escape(&commit.date),
            escape(&commit.author),
            escape(&case.rule),
            escape(super::reason(case))
        )?;
    }
    writeln!(page, "</tbody>")?;
    writeln!(page, "</table>")
}
