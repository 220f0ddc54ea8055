//! builtin:openapi — spec changes need regenerated clients (error) and docs (warning).

use super::{check, pack_repo, validates};

fn repo() -> crate::support::Repo {
    pack_repo(
        "openapi",
        &[
            ("api/openapi.yaml", "openapi: 3.1.0\npaths: {}\n"),
            ("clients/ts/index.ts", "export {}\n"),
            ("docs/api.md", "# API\n"),
        ],
    )
}

#[test]
fn a_spec_change_needs_clients_and_docs() {
    let repo = repo();
    validates(&repo);
    let (code, text) = check(
        &repo,
        &[("api/openapi.yaml", "openapi: 3.1.0\npaths:\n  /pets: {}\n")],
    );
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("openapi-clients") && text.contains("openapi-docs"),
        "{text}"
    );
}

#[test]
fn regenerated_clients_and_docs_satisfy_it() {
    let repo = repo();
    let (code, text) = check(
        &repo,
        &[
            ("api/openapi.yaml", "openapi: 3.1.0\npaths:\n  /pets: {}\n"),
            ("clients/ts/index.ts", "export const pets = 1\n"),
            ("docs/api.md", "# API\n## pets\n"),
        ],
    );
    assert_eq!(code, 0, "{text}");
}

#[test]
fn a_spec_copy_published_with_the_docs_does_not_trigger() {
    let repo = repo();
    let (code, text) = check(&repo, &[("docs/openapi.json", "{}\n")]);
    assert_eq!(code, 0, "{text}");
}
