//! The report for a director: the summary (change against the previous period, misses
//! open and fixed later, worst rules), the roll-up per owner and the trends, read back
//! from the HTML and markdown as text, on a history whose counts are known.

mod support;

use regex::Regex;
use serde_json::Value;
use support::Repo;

const RULES: &str = r#"version = 1

[[rule]]
id = "api"
when = ["api/*.proto"]
then = ["docs/api.md"]
owners = ["@a"]

[[rule]]
id = "cli"
when = ["cli/*.rs"]
then = ["docs/cli.md"]
owners = ["@a", "@b"]

[[rule]]
id = "misc"
when = ["misc/*"]
then = ["docs/misc.md"]
"#;

/// The audited period: 92 days, so the previous one is 2025-11-29 to 2026-02-28.
const PERIOD: [&str; 4] = ["--since", "2026-03-01", "--until", "2026-05-31"];

/// Before the previous period: nothing counts. The previous period: 3 of 4 cases
/// satisfied (75.0%). The audited one: 2 of 4 (50.0%), April without a commit, one
/// miss fixed later and one open. After it: nothing counts.
fn history() -> Repo {
    let repo = Repo::new();
    let edit = |path: &str, text: &str| {
        repo.write(path, format!("{}{text}\n", repo.read(path)));
    };
    repo.write("lockstep.toml", RULES);
    for path in [
        "api/a.proto",
        "cli/c.rs",
        "misc/m",
        "docs/api.md",
        "docs/cli.md",
    ] {
        repo.write(path, "start\n");
    }
    repo.write("docs/misc.md", "start\n");
    repo.commit_at("root", "2025-11-01T10:00:00Z");
    edit("api/a.proto", "too early");
    repo.commit_at("api miss, too early", "2025-11-20T10:00:00Z");
    // The previous period.
    edit("api/a.proto", "1");
    edit("docs/api.md", "1");
    repo.commit_at("api with docs", "2025-12-10T10:00:00Z");
    edit("api/a.proto", "2");
    repo.commit_at("api without docs", "2026-01-20T10:00:00Z");
    edit("cli/c.rs", "1");
    edit("docs/cli.md", "1");
    repo.commit_at("cli with docs", "2026-02-05T10:00:00Z");
    edit("cli/c.rs", "2");
    edit("docs/cli.md", "2");
    repo.commit_at("cli with docs again", "2026-02-10T10:00:00Z");
    // The audited period.
    edit("api/a.proto", "3");
    edit("docs/api.md", "3");
    repo.commit_at("api with docs", "2026-03-05T10:00:00Z");
    edit("api/a.proto", "4");
    repo.commit_at("api without docs", "2026-03-10T10:00:00Z");
    edit("cli/c.rs", "3");
    repo.commit_at("cli without docs", "2026-05-12T10:00:00Z");
    edit("misc/m", "1");
    edit("docs/misc.md", "1");
    repo.commit_at("misc with docs", "2026-05-20T10:00:00Z");
    edit("docs/api.md", "4");
    repo.commit_at("api docs catch up", "2026-05-25T10:00:00Z");
    // After the period.
    edit("cli/c.rs", "too late");
    repo.commit_at("cli miss, too late", "2026-06-15T10:00:00Z");
    repo
}

fn report(repo: &Repo, format: &str, extra: &[&str]) -> String {
    let output = repo
        .lockstep()
        .args(["audit", "--format", format])
        .args(extra)
        .output()
        .expect("run lockstep");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

fn json(repo: &Repo, extra: &[&str]) -> Value {
    serde_json::from_str(&report(repo, "json", extra)).expect("JSON")
}

/// The text between `start` and the next `end` after it (or the end of the text).
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in:\n{text}"))
        + start.len();
    let to = text[from..].find(end).map_or(text.len(), |to| to + from);
    &text[from..to]
}

/// The text of each element of `html`, tags removed.
fn texts(html: &str, element: &str) -> Vec<String> {
    let tag = Regex::new(r"<[^>]+>").expect("regex");
    Regex::new(&format!(r"(?s)<{element}[^>]*>(.*?)</{element}>"))
        .expect("regex")
        .captures_iter(html)
        .map(|c| tag.replace_all(&c[1], "").trim().to_owned())
        .collect()
}

/// The rows of an HTML table, each as the text of its cells (tags removed).
fn html_rows(table: &str) -> Vec<Vec<String>> {
    table
        .split("<tr>")
        .skip(1)
        .map(|row| texts(&row.replace("<th", "<td").replace("</th>", "</td>"), "td"))
        .collect()
}

/// The rows of the markdown table under `## heading`, header first, rule line left out.
fn markdown_rows(markdown: &str, heading: &str) -> Vec<Vec<String>> {
    let section = between(markdown, &format!("## {heading}\n\n"), "\n\n");
    section
        .lines()
        .filter(|l| !l.starts_with("| ---"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn the_previous_period_is_as_long_as_the_audited_one_and_just_before_it() {
    let repo = history();
    let json = json(&repo, &PERIOD);
    let previous = &json["previous"];
    assert_eq!(previous["since"], "2025-11-29");
    assert_eq!(previous["until"], "2026-02-28");
    assert_eq!(previous["units"], 4);
    assert_eq!(previous["total"]["triggered"], 4);
    assert_eq!(previous["total"]["satisfied"], 3);
    assert_eq!(previous["total"]["missed"], 1);
    assert_eq!(previous["total"]["compliance"], 0.75);
    assert_eq!(json["range"]["units"], 5);
    assert_eq!(json["total"]["compliance"], 0.5);
    assert_eq!(json["total"]["open"], 1);
    assert_eq!(json["total"]["fixed_later"], 1);

    let change = "-25.0 points against 2025-11-29 to 2026-02-28 (75.0%, 3 of 4 cases satisfied)";
    let html = report(&repo, "html", &PERIOD);
    assert!(html.contains("<span class=\"big\" id=\"compliance\">50.0%</span>"));
    assert!(
        html.contains(&format!("<div id=\"change\" class=\"down\">{change}</div>")),
        "{html}"
    );
    assert!(html.contains("<span class=\"big\" id=\"missed\">2</span>"));
    assert!(html.contains("<div id=\"open\">1 open, 1 fixed later</div>"));
    let markdown = report(&repo, "markdown", &PERIOD);
    assert!(
        markdown.contains(&format!("- **Compliance 50.0%**: {change}.")),
        "{markdown}"
    );
    assert!(markdown.contains("- **Misses 2**: 1 open, 1 fixed later."));
    let table = report(&repo, "table", &PERIOD);
    assert!(
        table.contains(&format!("compliance 50.0%: {change}")),
        "{table}"
    );
}

#[test]
fn the_worst_rules_are_those_with_the_lowest_compliance() {
    let repo = history();
    let html = report(&repo, "html", &PERIOD);
    let worst = texts(between(&html, "<ol id=\"worst\">", "</ol>"), "li");
    assert_eq!(
        worst,
        ["cli 0.0% 1 missed, 1 open", "api 50.0% 1 missed, 0 open"]
    );
    let markdown = report(&repo, "markdown", &PERIOD);
    assert!(
        markdown.contains(
            "- **Worst rules**: cli 0.0% (1 missed, 1 open); api 50.0% (1 missed, 0 open)."
        ),
        "{markdown}"
    );
}

#[test]
fn a_range_compares_with_as_many_days_of_the_history_behind_it() {
    let repo = history();
    // The four audited commits of March to May: 2026-03-05 to 2026-05-20, 77 days.
    let range = ["--range", "HEAD~6..HEAD~2"];
    let json = json(&repo, &range);
    assert_eq!(json["range"]["units"], 4);
    assert_eq!(json["total"]["compliance"], 0.5);
    let previous = &json["previous"];
    assert_eq!(previous["since"], "2025-12-18");
    assert_eq!(previous["until"], "2026-03-04");
    // 2026-01-20 (missed), 2026-02-05 and 2026-02-10 (satisfied); not 2025-12-10.
    assert_eq!(previous["units"], 3);
    assert_eq!(previous["total"]["triggered"], 3);
    assert_eq!(previous["total"]["satisfied"], 2);
    let markdown = report(&repo, "markdown", &range);
    assert!(
        markdown.contains(
            "- **Compliance 50.0%**: -16.7 points against 2025-12-18 to 2026-03-04 (66.7%, 2 of 3 cases satisfied)."
        ),
        "{markdown}"
    );
}

#[test]
fn without_since_there_is_no_previous_period_and_the_report_says_so() {
    let repo = history();
    let json = json(&repo, &[]);
    assert!(json.get("previous").is_none(), "{json}");
    let markdown = report(&repo, "markdown", &[]);
    assert!(
        markdown.contains(
            "no previous period to compare with (audits with --since or --range have one)"
        )
    );
}

#[test]
fn the_owner_rollup_sums_the_rules_each_owner_names() {
    let repo = history();
    let json = json(&repo, &PERIOD);
    let rules = json["rules"].as_array().expect("rules");
    // Owner → (triggered, satisfied, missed), summed from the JSON's rules.
    let mut expected: Vec<(String, [u64; 3])> = Vec::new();
    for owner in ["@a", "@b", "(no owner)"] {
        let mut sums = [0; 3];
        for rule in rules {
            let owners: Vec<&str> = rule["owners"]
                .as_array()
                .expect("owners")
                .iter()
                .map(|o| o.as_str().expect("owner"))
                .collect();
            let counted = owners.contains(&owner) || (owners.is_empty() && owner == "(no owner)");
            if counted {
                for (sum, key) in sums.iter_mut().zip(["triggered", "satisfied", "missed"]) {
                    *sum += rule[key].as_u64().expect("count");
                }
            }
        }
        expected.push((owner.to_owned(), sums));
    }
    assert_eq!(expected[0].1, [3, 1, 2], "@a owns api and cli");

    let pick = |rows: Vec<Vec<String>>| -> Vec<(String, [u64; 3])> {
        // Owner, Rules, Triggered, Satisfied, Not applicable, Waived, Missed, ….
        rows.into_iter()
            .skip(1)
            .map(|r| {
                let n = |i: usize| r[i].parse::<u64>().expect("a count");
                (r[0].clone(), [n(2), n(3), n(6)])
            })
            .collect()
    };
    let html = report(&repo, "html", &PERIOD);
    let html_owners = pick(html_rows(between(
        &html,
        "<table id=\"owners\">",
        "</table>",
    )));
    assert_eq!(html_owners, expected);
    let markdown = report(&repo, "markdown", &PERIOD);
    let mut markdown_owners = pick(markdown_rows(&markdown, "Owners"));
    for row in &mut markdown_owners {
        row.0 = row.0.replace('\\', "");
    }
    assert_eq!(markdown_owners, expected);
}

#[test]
fn every_month_of_the_period_has_a_row_even_without_a_commit() {
    let repo = history();
    let months = ["2026-03", "2026-04", "2026-05"];
    let html = report(&repo, "html", &PERIOD);
    let trend = html_rows(between(
        &html,
        "<table class=\"chart\" id=\"trend\">",
        "</table>",
    ));
    let labels: Vec<&str> = trend.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(labels, months);
    // Label, bar, value, note: the figures are text, not a tooltip.
    assert_eq!(trend[0][2], "50.0%");
    assert_eq!(trend[0][3], "1 missed of 2 judged · 2 units");
    assert_eq!(trend[1][2], "–");
    assert_eq!(trend[1][3], "nothing judged · 0 units");
    assert_eq!(trend[2][3], "1 missed of 2 judged · 3 units");

    let per_rule = html_rows(between(&html, "<table id=\"rule-trend\">", "</table>"));
    assert_eq!(per_rule[0], ["Month", "api", "cli", "misc"]);
    assert_eq!(per_rule[1], ["2026-03", "50.0% (1/2)", "–", "–"]);
    assert_eq!(per_rule[2], ["2026-04", "–", "–", "–"]);
    assert_eq!(per_rule[3], ["2026-05", "–", "0.0% (0/1)", "100.0% (1/1)"]);

    let markdown = report(&repo, "markdown", &PERIOD);
    let trend = markdown_rows(&markdown, "Trend");
    let labels: Vec<&str> = trend.iter().skip(1).map(|r| r[0].as_str()).collect();
    assert_eq!(labels, months);
    assert_eq!(trend[2].last().map(String::as_str), Some("–"), "{trend:?}");
    let per_rule = markdown_rows(&markdown, "Trend per rule");
    assert_eq!(per_rule[0], ["Month", "`api`", "`cli`", "`misc`"]);
    assert_eq!(per_rule[2], ["2026-04", "–", "–", "–"]);
    assert_eq!(per_rule[3], ["2026-05", "–", "0.0% (0/1)", "100.0% (1/1)"]);
}

#[test]
fn charts_carry_their_values_as_text() {
    let repo = history();
    let html = report(&repo, "html", &PERIOD);
    // Nothing is left to a hover: no tooltip, no SVG to carry one.
    assert_eq!(
        html.matches("<title>").count(),
        1,
        "the page's own title only"
    );
    assert!(!html.contains("<svg"));
    let rules = html_rows(between(
        &html,
        "<table class=\"chart\" id=\"rule-chart\">",
        "</table>",
    ));
    let rows: Vec<(&str, &str, &str)> = rules
        .iter()
        .map(|r| (r[0].as_str(), r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (
                "api",
                "50.0%",
                "1 of 2 satisfied (0 waived, 0 not applicable)"
            ),
            (
                "cli",
                "0.0%",
                "0 of 1 satisfied (0 waived, 0 not applicable)"
            ),
            (
                "misc",
                "100.0%",
                "1 of 1 satisfied (0 waived, 0 not applicable)"
            ),
        ]
    );
    let kinds = html_rows(between(
        &html,
        "<table class=\"chart\" id=\"kind-chart\">",
        "</table>",
    ));
    assert_eq!(kinds[0][2], "50.0%");
    assert_eq!(kinds[0][3], "2 missed of 4 required");
}

#[test]
fn markdown_has_the_columns_of_the_table_format() {
    let repo = history();
    repo.write("api/a.proto", "waived\n");
    repo.commit_at(
        "waived\n\nLockstep-Skip: api -- docs next week",
        "2026-05-26T10:00:00Z",
    );
    let table = report(&repo, "table", &PERIOD);
    let markdown = report(&repo, "markdown", &PERIOD);
    // Each table of the table format, by its first column, against its markdown twin.
    let gaps = Regex::new(r"\s{2,}").expect("regex");
    for (first, heading) in [
        ("RULE", "Rules"),
        ("OWNER", "Owners"),
        ("KIND", "Companion kinds"),
        ("MONTH ", "Trend"),
        ("COMMIT", "Waivers"),
    ] {
        let header = table
            .lines()
            .find(|l| l.starts_with(first))
            .unwrap_or_else(|| panic!("no {first} table in:\n{table}"));
        let columns: Vec<String> = gaps.split(header.trim()).map(str::to_owned).collect();
        let markdown_columns: Vec<String> = markdown_rows(&markdown, heading)[0]
            .iter()
            .map(|c| c.to_uppercase().replace(' ', "-"))
            .collect();
        assert_eq!(columns, markdown_columns, "{heading}");
    }
    // The per-rule trend: a column per rule in both.
    let header = table
        .lines()
        .find(|l| l.starts_with("MONTH") && l.contains("api"))
        .expect("trend per rule");
    let columns: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(columns, ["MONTH", "api", "cli", "misc"]);
    assert_eq!(
        markdown_rows(&markdown, "Trend per rule")[0],
        ["Month", "`api`", "`cli`", "`misc`"]
    );
    // Misses: the table format writes each as a block with the same fields.
    let misses = markdown_rows(&markdown, "Misses");
    assert_eq!(
        misses[0],
        [
            "Commit",
            "Date",
            "Author",
            "Subject",
            "Rule",
            "Triggered by",
            "Missing",
            "Owners",
            "Status"
        ]
    );
    for label in ["triggered by", "missing", "owners", "status"] {
        assert!(table.contains(&format!("    {label} ")), "{label}: {table}");
    }
}

#[test]
fn a_merged_report_compares_with_the_previous_periods_summed() {
    let repo = history();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for name in ["one", "two"] {
        let path = dir.path().join(format!("{name}.json"));
        std::fs::write(&path, report(&repo, "json", &PERIOD)).expect("write");
        files.push(path);
    }
    let output = repo
        .lockstep()
        .args(["audit", "merge", "--format", "json"])
        .args(&files)
        .output()
        .expect("run lockstep");
    assert!(output.status.success());
    let merged: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(merged["previous"]["total"]["triggered"], 8);
    assert_eq!(merged["previous"]["total"]["satisfied"], 6);
    assert_eq!(merged["previous"]["since"], "2025-11-29");
    let rule = &merged["rules"][0];
    assert_eq!(rule["months"][0]["month"], "2026-03");
    assert_eq!(rule["months"][0]["triggered"], 2);
}

/// The history with the root tree of a commit of the previous period (2026-01-20,
/// `api without docs`) deleted: any walk of that period fails on it.
fn history_without_a_previous_tree() -> Repo {
    let repo = history();
    assert_eq!(
        repo.git(&["log", "-1", "--format=%cs", "HEAD~8"]).trim(),
        "2026-01-20"
    );
    let tree = repo.rev("HEAD~8^{tree}");
    let path = repo
        .path()
        .join(".git/objects")
        .join(&tree[..2])
        .join(&tree[2..]);
    std::fs::remove_file(&path).expect("a loose tree");
    repo
}

#[test]
fn no_previous_judges_the_same_period_and_not_the_one_before() {
    let repo = history();
    let broken = history_without_a_previous_tree();
    let range = ["--range", "HEAD~6..HEAD~2"];
    for window in [&PERIOD[..], &range[..]] {
        let with = json(&repo, window);
        assert!(with["previous"].is_object(), "{with}");
        // The period before is not read at all: a tree missing there does not matter.
        let flagged = [window, &["--no-previous"]].concat();
        let mut without = json(&broken, &flagged);
        assert!(without.get("previous").is_none(), "{without}");
        // Two repositories, two directory names.
        for key in ["previous", "repository"] {
            without[key] = with[key].clone();
        }
        assert_eq!(with, without, "{window:?}");
        let failed = broken
            .lockstep()
            .args(["audit", "--format", "json"])
            .args(window)
            .output()
            .expect("run lockstep");
        assert_eq!(failed.status.code(), Some(2), "{window:?}");
        for format in ["table", "markdown", "html"] {
            let text = report(&broken, format, &flagged);
            assert!(text.contains("not compared: --no-previous"), "{text}");
            assert!(!text.contains(" against 20"), "{text}");
            assert!(report(&repo, format, window).contains(" against 20"));
        }
        // CSV shows no period before, so it never judges one: the same rows without
        // the flag, on the broken history too.
        let csv = report(&repo, "csv", window);
        assert!(csv.lines().count() > 1, "{csv}");
        assert_eq!(report(&broken, "csv", window), csv);
        assert_eq!(report(&broken, "csv", &flagged), csv);
    }
}

#[test]
fn merging_an_audit_without_a_previous_period_compares_with_none() {
    let repo = history();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for (name, extra) in [("with", &[][..]), ("without", &["--no-previous"][..])] {
        let path = dir.path().join(format!("{name}.json"));
        let args = [&PERIOD[..], extra].concat();
        std::fs::write(&path, report(&repo, "json", &args)).expect("write");
        files.push(path);
    }
    let merge = |format: &str| {
        let output = repo
            .lockstep()
            .args(["audit", "merge", "--format", format])
            .args(&files)
            .output()
            .expect("run lockstep");
        assert!(output.status.success());
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let merged: Value = serde_json::from_str(&merge("json")).expect("JSON");
    assert!(merged.get("previous").is_none(), "{merged}");
    assert_eq!(merged["total"]["triggered"], 8);
    let markdown = merge("markdown");
    assert!(
        markdown.contains(
            "no previous period to compare with (audits with --since or --range have one)"
        ),
        "{markdown}"
    );
}
