//! builtin:terraform — module changes need the module README; infra changes a runbook.

use super::{check, judge_edits, judge_paths, must, must_not, pack_repo, validates};

fn repo() -> crate::support::Repo {
    pack_repo(
        "terraform",
        &[
            ("modules/vpc/main.tf", "resource \"aws_vpc\" \"main\" {}\n"),
            ("modules/vpc/README.md", "# vpc\n"),
            (
                "modules/dns/main.tf",
                "resource \"aws_route53_zone\" \"main\" {}\n",
            ),
            ("modules/dns/README.md", "# dns\n"),
            ("modules/vpc/examples/simple/main.tf", "module \"vpc\" {}\n"),
            ("runbooks/network.md", "# Network\n"),
        ],
    )
}

#[test]
fn a_module_change_needs_its_own_readme_and_a_runbook() {
    let repo = repo();
    validates(&repo);
    let edit = [
        (
            "modules/vpc/main.tf",
            "resource \"aws_vpc\" \"main\" { cidr_block = \"10.0.0.0/16\" }\n",
        ),
        ("modules/dns/README.md", "# dns\nzones\n"),
    ];
    let (code, text) = check(&repo, &edit);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("terraform-module-docs") && text.contains("modules/vpc/README.md"),
        "{text}"
    );
    assert!(text.contains("terraform-runbook"), "{text}");
    let (code, text) = check(
        &repo,
        &[
            ("modules/vpc/README.md", "# vpc\ncidr\n"),
            ("runbooks/network.md", "# Network\ncidr\n"),
        ],
    );
    assert_eq!(code, 0, "{text}");
}

#[test]
fn examples_are_ignored() {
    let repo = repo();
    let (code, text) = check(
        &repo,
        &[(
            "modules/vpc/examples/simple/main.tf",
            "module \"vpc\" { source = \"../..\" }\n",
        )],
    );
    assert_eq!(code, 0, "{text}");
}

const MODULE: &str = include_str!("fixtures/terraform-module.tf");

#[test]
fn real_module_edits_need_the_readme_only_for_what_terraform_docs_writes() {
    let edits = [
        must("variable \"name\" {", "variable \"policy_name\" {"),
        must(
            "\"Whether to create the IAM policy\"",
            "\"Determines whether the IAM policy is created\"",
        ),
        must("  type        = bool", "  type        = string"),
        must("  default     = true", "  default     = false"),
        must(
            "output \"id\" {\n  description = \"The policy's ID\"\n  value       = try(aws_iam_policy.policy[0].id, null)\n}\n",
            "",
        ),
        must(
            "resource \"aws_iam_user_policy_attachment\" \"additional\" {",
            "resource \"aws_iam_user_policy_attachment\" \"this\" {",
        ),
        must("version = \">= 6.28\"", "version = \">= 6.30\""),
        must(
            "required_version = \">= 1.5.7\"",
            "required_version = \">= 1.6\"",
        ),
        // terraform-aws-iam commits whose README stayed as it was.
        must_not(
            "  create_inline_policy = var.create && var.create_inline_policy",
            "  create_inline_policy = var.create && var.create_inline_policy && length(var.inline_policy_permissions) > 0",
        ),
        must_not(
            "  count = var.create ? 1 : 0\n\n  name ",
            "  count = var.create && var.create_user ? 1 : 0\n\n  name ",
        ),
        must_not(
            "          type        = principals.value.type",
            "          type        = try(principals.value.type, \"AWS\")",
        ),
        must_not(
            "          variable = condition.value.variable",
            "          variable = lookup(condition.value, \"variable\", null)",
        ),
        must_not(
            "      sid           = try(coalesce(statement.value.sid, statement.key))",
            "      sid           = try(coalesce(statement.value.sid, statement.key), null)",
        ),
        must_not("# IAM User Inline policy", "# Inline policy of the user"),
    ];
    let failures = judge_edits(
        "terraform",
        "terraform-module-docs",
        "modules/iam-user/main.tf",
        MODULE,
        &edits,
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn the_runbook_rule_triggers_on_any_tf_outside_examples_and_tests() {
    let edit = (
        "  tags = var.tags\n",
        "  tags = merge(var.tags, { Name = var.name })\n",
    );
    let edited = MODULE.replacen(edit.0, edit.1, 1);
    let failures = judge_paths(
        "terraform",
        "terraform-runbook",
        (MODULE, &edited),
        &[
            ("main.tf", true),
            ("modules/iam-user/main.tf", true),
            ("envs/prod/network.tf", true),
            ("examples/iam-user/main.tf", false),
            ("modules/iam-user/examples/basic/main.tf", false),
            ("tests/iam_user/main.tf", false),
            ("modules/iam-user/.terraform/modules/x/main.tf", false),
        ],
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
