//! builtin:protobuf — .proto changes need generated code (error) and docs (warning).

use super::{check, judge_edits, judge_paths, must, must_not, pack_repo, validates};

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

const ECHO: &str = include_str!("fixtures/echo_service.proto");

/// An edit of `ECHO` that changes a field.
fn field_edit() -> String {
    ECHO.replacen(
        "  string resource_id = 8;\n",
        "  string resource_id = 8;\n  string trace_id = 10;\n",
        1,
    )
}

#[test]
fn generated_code_is_required_for_api_protos_not_for_test_protos() {
    let edited = field_edit();
    let failures = judge_paths(
        "protobuf",
        "protobuf-generated",
        (ECHO, &edited),
        &[
            ("proto/echo/v1/echo_service.proto", true),
            ("examples/internal/proto/examplepb/echo_service.proto", true),
            ("src/google/protobuf/descriptor.proto", true),
            // protocolbuffers/protobuf's test protos, compiled by the build.
            ("upb/message/test.proto", false),
            ("rust/test/nested.proto", false),
            ("src/google/protobuf/unittest_lite.proto", false),
            ("src/google/protobuf/test_messages_proto2.proto", false),
            ("python/google/protobuf/internal/factory_test2.proto", false),
            (
                "conformance/test_protos/test_messages_edition2023.proto",
                false,
            ),
            ("third_party/googleapis/google/api/http.proto", false),
            ("gen/proto/echo_service.proto", false),
        ],
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn docs_are_required_for_services_rpcs_messages_and_enums_only() {
    let edits = [
        must(
            "  // EchoDelete method receives a simple message and returns it.\n",
            "  rpc EchoStream(SimpleMessage) returns (stream SimpleMessage);\n  // EchoDelete method receives a simple message and returns it.\n",
        ),
        must("message NestedMessage {", "message Nested {"),
        must("service EchoService {", "service EchoServiceV2 {"),
        must(
            "message DynamicMessageUpdate {\n  DynamicMessage body = 1;\n  google.protobuf.FieldMask update_mask = 2;\n}\n",
            "",
        ),
        must_not(
            "  string resource_id = 8;\n",
            "  string resource_id = 8;\n  string trace_id = 10;\n",
        ),
        must_not(
            "// Id represents the message identifier.",
            "// Id is the identifier of the message.",
        ),
        must_not(
            "option (google.api.http) = {delete: \"/v1/example/echo_delete\"};",
            "option (google.api.http) = {delete: \"/v1/example/echo/{id}\"};",
        ),
        must_not("import \"google/protobuf/struct.proto\";\n", ""),
    ];
    let failures = judge_edits(
        "protobuf",
        "protobuf-docs",
        "proto/echo/v1/echo_service.proto",
        ECHO,
        &edits,
    );
    assert!(failures.is_empty(), "{failures:#?}");
    let rpc = ECHO.replacen("service EchoService {", "service Echo {", 1);
    let failures = judge_paths(
        "protobuf",
        "protobuf-docs",
        (ECHO, &rpc),
        &[
            ("proto/echo/v1/echo_service.proto", true),
            // A generator's example inputs (grpc-gateway) document nothing.
            (
                "examples/internal/proto/examplepb/echo_service.proto",
                false,
            ),
            ("docs/proto/echo_service.proto", false),
            ("api/tests/echo_service.proto", false),
        ],
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
