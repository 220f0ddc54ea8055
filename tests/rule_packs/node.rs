//! builtin:node — package.json dependency edits need the lockfile in use.

use super::{check, pack_repo, validates};

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
