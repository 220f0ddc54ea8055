//! builtin:terraform — module changes need the module README; infra changes a runbook.

use super::{check, pack_repo, validates};

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
