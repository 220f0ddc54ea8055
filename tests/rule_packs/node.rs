//! builtin:node — package.json dependency edits need the lockfile in use.

use super::{check, judge_edits, must, must_not, pack_repo, validates};

const PACKAGE: &str = "{\n  \"name\": \"web\",\n  \"scripts\": {\n    \"build\": \"vite build\"\n  },\n  \"dependencies\": {\n    \"react\": \"^18.2.0\"\n  }\n}\n";

#[test]
fn each_lockfile_satisfies_it() {
    for lockfile in [
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lock",
    ] {
        let repo = pack_repo("node", &[("package.json", PACKAGE), (lockfile, "lock\n")]);
        validates(&repo);
        let edit = PACKAGE.replace("^18.2.0", "^18.3.0");
        let (code, text) = check(&repo, &[("package.json", &edit)]);
        assert_eq!(code, 1, "{lockfile}: {text}");
        assert!(text.contains("node-lockfile"), "{text}");
        let (code, text) = check(&repo, &[(lockfile, "lock v2\n")]);
        assert_eq!(code, 0, "{lockfile}: {text}");
    }
}

#[test]
fn a_workspace_package_is_satisfied_by_the_root_lockfile() {
    let repo = pack_repo(
        "node",
        &[
            ("package.json", "{\n  \"private\": true\n}\n"),
            ("packages/ui/package.json", PACKAGE),
            ("yarn.lock", "lock\n"),
        ],
    );
    let edit = PACKAGE.replace(
        "\"react\": \"^18.2.0\"",
        "\"react\": \"^18.2.0\",\n    \"@scope/util\": \"workspace:*\"",
    );
    let (code, text) = check(
        &repo,
        &[
            ("packages/ui/package.json", &edit),
            ("yarn.lock", "lock v2\n"),
        ],
    );
    assert_eq!(code, 0, "{text}");
}

#[test]
fn script_edits_do_not_trigger() {
    let repo = pack_repo(
        "node",
        &[("package.json", PACKAGE), ("package-lock.json", "{}\n")],
    );
    let (code, text) = check(
        &repo,
        &[(
            "package.json",
            &PACKAGE.replace("vite build", "vite build --mode prod"),
        )],
    );
    assert_eq!(code, 0, "{text}");
}

const PACKAGE_JSON: &str = include_str!("fixtures/package.json");

#[test]
fn real_package_json_edits_trigger_on_dependencies_only() {
    let edits = [
        must("\"react\": \"^18.3.1\"", "\"react\": \"^19.0.0\""),
        must(
            "\"vitest\": \"^2.1.3\"",
            "\"vitest\": \"^2.1.3\",\n    \"jsdom\": \"^25.0.1\"",
        ),
        must("    \"ui\": \"workspace:*\"\n", ""),
        must("\"cross-spawn\": \"7.0.5\"", "\"cross-spawn\": \"7.0.6\""),
        must(
            "    \"packages/*\"\n",
            "    \"packages/*\",\n    \"apps/*\"\n",
        ),
        must_not("\"version\": \"2.3.1\"", "\"version\": \"2.4.0\""),
        must_not(
            "\"test\": \"vitest run\"",
            "\"test\": \"vitest run --coverage\"",
        ),
        must_not("The acme storefront", "The acme store"),
        must_not("[\"shop\", \"react\"]", "[\"shop\", \"react\", \"vite\"]"),
        must_not("\"node\": \">=20\"", "\"node\": \">=22\""),
        must_not("\"semi\": false", "\"semi\": true"),
        // Reordering keys changes lines, not the document.
        must_not(
            "\"react\": \"^18.3.1\",\n    \"react-dom\": \"^18.3.1\",",
            "\"react-dom\": \"^18.3.1\",\n    \"react\": \"^18.3.1\",",
        ),
    ];
    let failures = judge_edits(
        "node",
        "node-lockfile",
        "package.json",
        PACKAGE_JSON,
        &edits,
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The tail of Chart.js's package.json before "Remove empty dependencies block from
/// package.json" (chartjs/Chart.js#8550), which changed no lockfile.
const CHART_JS_TAIL: &str = "{\n  \"devDependencies\": {\n    \"typedoc\": \"^0.20.27\",\n    \"typescript\": \"^4.1.5\",\n    \"yargs\": \"^16.2.0\"\n  },\n  \"dependencies\": {}\n}\n";

#[test]
fn removing_an_empty_dependencies_object_does_not_trigger() {
    let edits = [
        must_not(
            "\"yargs\": \"^16.2.0\"\n  },\n  \"dependencies\": {}\n",
            "\"yargs\": \"^16.2.0\"\n  }\n",
        ),
        must(
            "\"dependencies\": {}",
            "\"dependencies\": {\n    \"@kurkle/color\": \"^0.3.0\"\n  }",
        ),
    ];
    let failures = judge_edits(
        "node",
        "node-lockfile",
        "package.json",
        CHART_JS_TAIL,
        &edits,
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
