//! builtin:protobuf — .proto changes need generated code (error) and docs (warning).

use super::{check, pack_repo, validates};

const PROTO: &str =
    "syntax = \"proto3\";\nservice Users {\n  rpc Get(GetRequest) returns (User);\n}\n";

fn repo() -> crate::support::Repo {
    pack_repo(
        "protobuf",
        &[
            ("proto/users/v1/users.proto", PROTO),
            ("proto/users/v1/users.pb.go", "package users\n"),
            ("docs/users.md", "# Users\n"),
            ("third_party/google/api.proto", "syntax = \"proto3\";\n"),
        ],
    )
}

#[test]
fn a_proto_change_needs_generated_code_and_docs() {
    let repo = repo();
    validates(&repo);
    let edit = PROTO.replace("}\n", "  rpc List(ListRequest) returns (Users);\n}\n");
    let (code, text) = check(&repo, &[("proto/users/v1/users.proto", &edit)]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("protobuf-generated") && text.contains("protobuf-docs"),
        "{text}"
    );
    let (code, text) = check(
        &repo,
        &[
            ("proto/users/v1/users.pb.go", "package users // List\n"),
            ("docs/users.md", "# Users\nList\n"),
        ],
    );
    assert_eq!(code, 0, "{text}");
}

#[test]
fn comment_edits_need_regeneration_but_not_docs() {
    let repo = repo();
    let edit = PROTO.replace("service Users {", "// Users API.\nservice Users {");
    let (code, text) = check(
        &repo,
        &[
            ("proto/users/v1/users.proto", &edit),
            ("gen/go/users.pb.go", "package users\n"),
        ],
    );
    assert_eq!(code, 0, "{text}");
}

#[test]
fn vendored_protos_are_ignored() {
    let repo = repo();
    let (code, text) = check(
        &repo,
        &[(
            "third_party/google/api.proto",
            "syntax = \"proto3\";\nmessage X {}\n",
        )],
    );
    assert_eq!(code, 0, "{text}");
}
