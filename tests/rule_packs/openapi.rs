//! builtin:openapi — spec changes need regenerated clients (error) and docs (warning).

use super::{check, judge_paths, pack_repo, validates};

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

/// The start of argoproj/argo-workflows' api/openapi-spec/swagger.json (Apache-2.0).
const ARGO_SPEC: &str = "{\n  \"swagger\": \"2.0\",\n  \"info\": {\n    \"title\": \"Argo Workflows API\",\n    \"version\": \"VERSION\"\n  },\n  \"paths\": {\n    \"/api/v1/archived-workflows\": {\n      \"get\": {\n        \"operationId\": \"ArchivedWorkflowService_ListArchivedWorkflows\",\n        \"parameters\": [\n          {\n            \"type\": \"string\",\n            \"name\": \"listOptions.labelSelector\",\n            \"in\": \"query\"\n          }\n        ]\n      }\n    }\n  }\n}\n";

#[test]
fn specs_trigger_where_they_are_kept_not_where_they_are_published() {
    let edited = ARGO_SPEC.replace(
        "\"name\": \"listOptions.labelSelector\",",
        "\"name\": \"listOptions.fieldSelector\",",
    );
    let paths = [
        ("api/openapi-spec/swagger.json", true),
        ("openapi.yaml", true),
        ("services/billing/openapi.yml", true),
        ("spec/openapi/v1/users.yaml", true),
        // argo's per-service fragments, merged into the spec by its build.
        ("pkg/apiclient/artifact/artifact.swagger.json", false),
        // Copies inside the generated clients and the docs.
        ("sdks/java/api/openapi.yaml", false),
        ("clients/python/openapi.json", false),
        ("docs/swagger.json", false),
        ("web/node_modules/some-lib/openapi.json", false),
        ("api/testdata/openapi.yaml", false),
    ];
    for rule in ["openapi-clients", "openapi-docs"] {
        let failures = judge_paths("openapi", rule, (ARGO_SPEC, &edited), &paths);
        assert!(failures.is_empty(), "{rule}: {failures:#?}");
    }
}
