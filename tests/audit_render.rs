//! The HTML report as a browser lays it out: headless Chromium opens a report with long
//! rule names, long paths and a long history in a 1280-px window, and a script measures
//! what a reader would see. Under CI a missing Chromium fails the test.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::Repo;

const INSTALL: &str =
    "apt-get install chromium, or set LOCKSTEP_CHROMIUM to a Chromium or Chrome binary";

/// Appended to the report: what overflows, written into the DOM that `--dump-dom`
/// prints. A cell whose content is wider than the cell is clipped or spills over.
const MEASURE: &str = r#"<script>
const spilled = [...document.querySelectorAll('th,td')]
  .filter(e => e.scrollWidth > e.clientWidth + 1)
  .map(e => e.textContent.slice(0, 40));
const misses = document.getElementById('misses');
document.body.setAttribute('data-measured', JSON.stringify({
  window: window.innerWidth,
  page: document.documentElement.scrollWidth,
  misses: misses ? Math.ceil(misses.getBoundingClientRect().right) : 0,
  spilled,
}));
</script>"#;

const LONG_RULE: &str = "payments-api-reference-documentation-and-generated-clients";

fn history() -> Repo {
    let repo = Repo::new();
    let deep = "services/payments/api/internal/v2/refunds/a_rather_long_module_name_for_refunds";
    repo.write(
        "lockstep.toml",
        format!(
            r#"version = 1

[[rule]]
id = "{LONG_RULE}"
description = "Every change to the payments API reaches its reference and its clients"
when = ["services/payments/api/**"]
owners = ["@acme/payments-documentation-team", "@acme/sdk-maintainers"]

[[rule.then]]
kind = "docs"
paths = ["docs/reference/payments/api/an_equally_long_reference_page_name.md"]

[[rule.then]]
kind = "sdk"
paths = ["sdk/go/payments/generated/clients/**"]
"#
        ),
    );
    repo.write(
        "docs/reference/payments/api/an_equally_long_reference_page_name.md",
        "x\n",
    )
    .write("sdk/go/payments/generated/clients/client.go", "x\n");
    // Three years, a change every other month: misses with long paths, empty months.
    for step in 0..18 {
        let (year, month) = (2024 + step * 2 / 12, step * 2 % 12 + 1);
        repo.write(
            &format!("{deep}/handler_{step}_with_a_long_file_name.proto"),
            "x\n",
        );
        repo.commit_at(
            &format!("Change {step} of the refunds handler, with a subject long enough to wrap"),
            &format!("{year}-{month:02}-10T10:00:00Z"),
        );
    }
    repo
}

fn chromium_measures(chromium: &Path, page: &Path, profile: &Path) -> Value {
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,900",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dom = String::from_utf8_lossy(&output.stdout);
    let start = dom.find("data-measured=\"").expect("the script ran") + 15;
    let end = dom[start..].find('"').expect("attribute ends") + start;
    let json = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    serde_json::from_str(&json).expect("measurements")
}

#[test]
fn the_report_fits_a_1280_px_window_and_no_label_is_clipped() {
    let Some(chromium) = support::tool("chromium", Some("LOCKSTEP_CHROMIUM"), INSTALL) else {
        return;
    };
    let repo = history();
    let output = repo
        .lockstep()
        .args(["audit", "--format", "html"])
        .output()
        .expect("run lockstep");
    assert!(output.status.success());
    let html = String::from_utf8(output.stdout).expect("utf-8");
    assert!(html.contains(LONG_RULE));
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("report.html");
    std::fs::write(&page, html.replace("</body>", &format!("{MEASURE}</body>")))
        .expect("write the page");
    let measured = chromium_measures(&chromium, &page, &dir.path().join("profile"));
    let window = measured["window"].as_u64().expect("window width");
    assert_eq!(window, 1280, "{measured}");
    assert!(
        measured["page"].as_u64().expect("page width") <= window,
        "the page scrolls sideways: {measured}"
    );
    let misses = measured["misses"].as_u64().expect("misses table");
    assert!(
        misses > 0 && misses <= window,
        "the misses table: {measured}"
    );
    assert_eq!(
        measured["spilled"],
        serde_json::json!([]),
        "cells whose text does not fit"
    );
}
