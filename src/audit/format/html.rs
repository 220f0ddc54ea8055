//! `--format html`: one self-contained page (no network, no external files) that
//! opens with a summary, draws its charts as HTML bars with their values written
//! beside them (an emailed or printed report has no hover), and lists the misses as a
//! sortable, filterable table that fits a laptop window and prints.

use crate::markup::escape;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::audit::{Audit, Outcome};

const STYLE: &str = "*{box-sizing:border-box}\
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:80em;padding:0 1em;color:#1f2328}\
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #d0d7de}\
table{border-collapse:collapse;width:100%}th,td{padding:.3em .6em;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top;overflow-wrap:break-word}\
td.n,th.n{text-align:right;white-space:nowrap}td.id{white-space:nowrap}td.path{overflow-wrap:anywhere;min-width:8em}thead th{background:#f6f8fa}#misses th{cursor:pointer;user-select:none}\
code{font-size:.9em}input{padding:.4em;width:24em;max-width:100%;margin:.5em 0}\
.cards{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0}.card{flex:1 1 16em;border:1px solid #d0d7de;border-radius:6px;padding:.8em 1em}\
.card h3{margin:0;font-size:.9em;font-weight:600;color:#59636e;text-transform:uppercase}.card ol{margin:.3em 0 0;padding-left:1.3em}\
.big{font-size:2em;font-weight:600}.up{color:#1a7f37}.down{color:#cf222e}\
table.chart{width:auto;max-width:100%;margin-bottom:1em}table.chart th{font-weight:normal;max-width:22em}table.chart th,table.chart td{border:0}\
.track{width:24em;max-width:30vw;height:1em;margin-top:.2em;background:#eaeef2}.fill{height:100%}\
.ok{background:#1a7f37}.mid{background:#bf8700}.bad{background:#cf222e}\
.c-ok{background:#dafbe1}.c-mid{background:#fff8c5}.c-bad{background:#ffebe9}\
.ok,.mid,.bad,.c-ok,.c-mid,.c-bad{-webkit-print-color-adjust:exact;print-color-adjust:exact}\
.wide{overflow-x:auto}small{color:#59636e}\
@media print{body{margin:0;max-width:none;padding:0;font-size:9pt}input{display:none}\
a{color:inherit;text-decoration:none}thead{display:table-header-group}tr,.card{break-inside:avoid}\
h2{break-after:avoid}.wide{overflow:visible}.track{max-width:none}}\
@page{size:A4 landscape;margin:12mm}";

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
    writeln!(page, "<!DOCTYPE html>")?;
    writeln!(page, "<html lang=\"en\">")?;
    writeln!(
        page,
        "<head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>lockstep audit</title>"
    )?;
    writeln!(page, "<style>{STYLE}</style></head>")?;
    writeln!(page, "<body>")?;
    writeln!(page, "<h1>lockstep audit</h1>")?;
    let what = super::scope_line(scope, str::to_owned);
    writeln!(page, "<p>{}</p>", escape(&what))?;
    summary(audit, page)?;
    writeln!(page, "<p>{}.</p>", escape(&super::cases(&audit.total)))?;
    for note in super::unjudged(scope) {
        writeln!(page, "<p>{}.</p>", escape(&note))?;
    }
    if let Some(note) = scope.shallow_note() {
        writeln!(page, "<p><strong>Warning:</strong> {}</p>", escape(note))?;
    }
    writeln!(page, "<h2>Compliance per rule</h2>")?;
    let bars: Vec<Bar> = audit
        .rules
        .iter()
        .map(|r| {
            let c = &r.counts;
            Bar {
                label: format!("<code>{}</code>", escape(&r.rule)),
                ratio: (c.judged() > 0).then(|| c.compliance()),
                note: format!(
                    "{} of {} satisfied ({} waived, {} not applicable)",
                    c.satisfied,
                    c.judged(),
                    c.waived,
                    c.not_applicable
                ),
            }
        })
        .collect();
    bar_chart(page, "rule-chart", &bars)?;
    rules_table(audit, page)?;
    owners_table(audit, page)?;
    writeln!(page, "<h2>Compliance per companion kind</h2>")?;
    let bars: Vec<Bar> = audit
        .kinds
        .iter()
        .map(|k| Bar {
            label: escape(&k.kind),
            ratio: Some(k.compliance()),
            note: format!("{} missed of {} required", k.missed, k.required),
        })
        .collect();
    bar_chart(page, "kind-chart", &bars)?;
    writeln!(page, "<h2>Trend per month</h2>")?;
    let bars: Vec<Bar> = audit
        .months
        .iter()
        .map(|m| {
            let c = &m.counts;
            // A month with nothing to judge has no bar, rather than a full one.
            let (ratio, note) = if c.judged() > 0 {
                let note = format!(
                    "{} missed of {} judged · {}",
                    c.missed,
                    c.judged(),
                    super::units(m.units)
                );
                (Some(c.compliance()), note)
            } else {
                (None, format!("nothing judged · {}", super::units(m.units)))
            };
            Bar {
                label: escape(&m.month),
                ratio,
                note,
            }
        })
        .collect();
    bar_chart(page, "trend", &bars)?;
    rule_trend(audit, page)?;
    misses_table(audit, page)?;
    waivers_table(audit, page)?;
    writeln!(page, "<script>{SCRIPT}</script>")?;
    writeln!(page, "</body>")?;
    writeln!(page, "</html>")
}

/// Three cards: compliance and its change, the misses, the worst rules.
fn summary(audit: &Audit, page: &mut String) -> std::fmt::Result {
    let total = &audit.total;
    let trend = match audit.compliance_change() {
        Some(delta) if delta > 0.0 => "up",
        Some(delta) if delta < 0.0 => "down",
        _ => "flat",
    };
    writeln!(page, "<section id=\"summary\" class=\"cards\">")?;
    writeln!(
        page,
        "<div class=\"card\"><h3>Compliance</h3><span class=\"big\" id=\"compliance\">{}</span>\
<div id=\"change\" class=\"{trend}\">{}</div></div>",
        super::percent(total.compliance()),
        escape(&super::comparison(audit))
    )?;
    writeln!(
        page,
        "<div class=\"card\"><h3>Misses</h3><span class=\"big\" id=\"missed\">{}</span>\
<div id=\"open\">{}</div></div>",
        total.missed,
        escape(&super::open_and_fixed(total))
    )?;
    write!(page, "<div class=\"card\"><h3>Worst rules</h3>")?;
    let worst = audit.worst_rules();
    if worst.is_empty() {
        write!(page, "<p>No rule missed.</p>")?;
    } else {
        write!(page, "<ol id=\"worst\">")?;
        for rule in worst {
            let c = &rule.counts;
            write!(
                page,
                "<li><code>{}</code> {} <small>{} missed, {} open</small></li>",
                escape(&rule.rule),
                super::percent(c.compliance()),
                c.missed,
                c.open()
            )?;
        }
        write!(page, "</ol>")?;
    }
    writeln!(page, "</div>")?;
    writeln!(page, "</section>")
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

/// One row of a bar chart.
struct Bar {
    /// Markup.
    label: String,
    /// `None`: nothing to draw (no case was judged).
    ratio: Option<f64>,
    /// Plain text written after the percentage.
    note: String,
}

/// Horizontal bars as table rows, so labels wrap instead of being clipped and every
/// bar carries its figures as text.
fn bar_chart(page: &mut String, id: &str, bars: &[Bar]) -> std::fmt::Result {
    if bars.is_empty() {
        return writeln!(page, "<p>Nothing to chart.</p>");
    }
    writeln!(page, "<table class=\"chart\" id=\"{id}\"><tbody>")?;
    for bar in bars {
        let (fill, value) = match bar.ratio {
            Some(ratio) => (
                format!(
                    "<div class=\"fill {}\" style=\"width:{:.1}%\"></div>",
                    class(ratio),
                    ratio * 100.0
                ),
                super::percent(ratio),
            ),
            None => (String::new(), "–".to_owned()),
        };
        writeln!(
            page,
            "<tr><th>{}</th><td><div class=\"track\">{fill}</div></td><td class=\"n\">{value}</td><td><small>{}</small></td></tr>",
            bar.label,
            escape(&bar.note)
        )?;
    }
    writeln!(page, "</tbody></table>")
}

/// The rules' counts summed per owner.
fn owners_table(audit: &Audit, page: &mut String) -> std::fmt::Result {
    writeln!(page, "<h2>Owners</h2>")?;
    writeln!(page, "<table id=\"owners\">")?;
    write!(page, "<thead><tr>")?;
    for column in super::OWNER_COLUMNS {
        write!(page, "<th>{column}</th>")?;
    }
    count_headers(page)?;
    writeln!(page, "</tr></thead>")?;
    writeln!(page, "<tbody>")?;
    for row in audit.owners() {
        let rules: Vec<String> = row
            .rules
            .iter()
            .map(|r| format!("<code>{}</code>", escape(r)))
            .collect();
        write!(
            page,
            "<tr><td>{}</td><td>{}</td>",
            escape(super::owner(&row)),
            rules.join(", ")
        )?;
        count_cells(page, &row.counts)?;
        writeln!(page, "</tr>")?;
    }
    writeln!(page, "</tbody>")?;
    writeln!(page, "</table>")
}

/// One row per month, one column per rule, each cell coloured by its compliance.
fn rule_trend(audit: &Audit, page: &mut String) -> std::fmt::Result {
    if audit.rules.is_empty() || audit.months.is_empty() {
        return Ok(());
    }
    writeln!(page, "<h2>Trend per rule</h2>")?;
    writeln!(page, "<div class=\"wide\"><table id=\"rule-trend\">")?;
    write!(page, "<thead><tr><th>Month</th>")?;
    for rule in &audit.rules {
        write!(
            page,
            "<th class=\"n\"><code>{}</code></th>",
            escape(&rule.rule)
        )?;
    }
    writeln!(page, "</tr></thead>")?;
    writeln!(page, "<tbody>")?;
    for month in &audit.months {
        write!(page, "<tr><th>{}</th>", escape(&month.month))?;
        for rule in &audit.rules {
            let counts = rule.months.get(&month.month);
            let tint = match counts {
                Some(c) if c.judged() > 0 => format!(" c-{}", class(c.compliance())),
                _ => String::new(),
            };
            write!(
                page,
                "<td class=\"n{tint}\">{}</td>",
                super::rule_month(counts)
            )?;
        }
        writeln!(page, "</tr>")?;
    }
    writeln!(page, "</tbody>")?;
    writeln!(page, "</table></div>")?;
    writeln!(page, "<p><small>{}</small></p>", super::RULE_MONTH_LEGEND)
}

/// The headers of the count columns and compliance.
fn count_headers(page: &mut String) -> std::fmt::Result {
    for column in super::COUNT_COLUMNS.iter().chain(&["Compliance"]) {
        write!(page, "<th class=\"n\">{column}</th>")?;
    }
    Ok(())
}

/// The cells under [`count_headers`].
fn count_cells(page: &mut String, counts: &crate::audit::Counts) -> std::fmt::Result {
    for value in super::count_cells(counts)
        .iter()
        .chain([&super::compliance_cell(counts)])
    {
        write!(page, "<td class=\"n\">{value}</td>")?;
    }
    Ok(())
}

fn rules_table(audit: &Audit, page: &mut String) -> std::fmt::Result {
    writeln!(page, "<table id=\"rules\">")?;
    write!(page, "<thead><tr><th>Rule</th>")?;
    count_headers(page)?;
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
        count_cells(page, c)?;
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
    text_headers(page, &super::MISS_COLUMNS)?;
    writeln!(page, "<tbody>")?;
    for case in audit.misses() {
        let commit = audit.commit(case);
        let rule = match super::bindings(&case.bindings) {
            b if b.is_empty() => case.rule.clone(),
            b => format!("{} [{b}]", case.rule),
        };
        writeln!(
            page,
            "<tr><td class=\"id\">{}</td><td class=\"id\">{}</td><td>{}</td><td>{}</td><td class=\"path\">{}</td><td class=\"path\">{}</td><td class=\"path\">{}</td><td>{}</td><td>{}</td></tr>",
            commit_cell(audit, &commit.id),
            escape(&commit.date),
            escape(&commit.author),
            escape(&commit.subject),
            escape(&rule),
            escape(&case.triggered_by.join(", ")),
            missing_cell(&case.missing),
            escape(&case.owners.join(" ")),
            status_cell(audit, case)
        )?;
    }
    writeln!(page, "</tbody>")?;
    writeln!(page, "</table>")
}

/// Each missing companion on its own line.
fn missing_cell(missing: &[crate::finding::Missing]) -> String {
    missing
        .iter()
        .map(|m| escape(&super::missing(std::slice::from_ref(m))))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// `open`, or `fixed later in <the fixing commit, linked> (3 days)`.
fn status_cell(audit: &Audit, case: &crate::audit::Case) -> String {
    match &case.fix {
        None => escape(&super::miss_status(case)),
        Some(fix) => format!(
            "fixed later in {} ({})",
            commit_cell(audit, &fix.commit),
            super::days(fix.days)
        ),
    }
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
    text_headers(page, &super::WAIVER_COLUMNS)?;
    writeln!(page, "<tbody>")?;
    for case in audit.outcomes(Outcome::Waived) {
        let commit = audit.commit(case);
        writeln!(
            page,
            "<tr><td class=\"id\">{}</td><td class=\"id\">{}</td><td>{}</td><td class=\"path\"><code>{}</code></td><td>{}</td></tr>",
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

/// A header row of text columns.
fn text_headers(page: &mut String, columns: &[&str]) -> std::fmt::Result {
    write!(page, "<thead><tr>")?;
    for column in columns {
        write!(page, "<th>{column}</th>")?;
    }
    writeln!(page, "</tr></thead>")
}
