//! builtin:rust — Cargo.toml dependency edits need Cargo.lock.

use super::{check, pack_repo, validates};

const CARGO: &str = "[package]\nname = \"a\"\nversion = \"0.1.0\"\ndescription = \"x\"\n\n[dependencies]\nserde = \"1.0\"\n\n[features]\ndefault = []\n";

fn repo() -> crate::support::Repo {
    pack_repo(
        "rust",
        &[
            ("Cargo.toml", CARGO),
            ("Cargo.lock", "version = 4\n"),
            ("crates/b/Cargo.toml", "[package]\nname = \"b\"\n"),
        ],
    )
}

#[test]
fn a_dependency_edit_without_the_lockfile_is_flagged() {
    let repo = repo();
    validates(&repo);
    let (code, text) = check(
        &repo,
        &[(
            "Cargo.toml",
            &CARGO.replace(
                "serde = \"1.0\"",
                "serde = { version = \"1.0\", features = [\"derive\"] }",
            ),
        )],
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("rust-lockfile"), "{text}");
    assert!(text.contains("Cargo.lock"), "{text}");
}

#[test]
fn a_member_crate_dependency_is_satisfied_by_the_root_lockfile() {
    let repo = repo();
    let (code, text) = check(
        &repo,
        &[
            (
                "crates/b/Cargo.toml",
                "[package]\nname = \"b\"\n\n[dependencies]\nanyhow.workspace = true\n",
            ),
            ("Cargo.lock", "version = 4\n# b\n"),
        ],
    );
    assert_eq!(code, 0, "{text}");
    let repo = self::repo();
    let (code, text) = check(
        &repo,
        &[(
            "crates/b/Cargo.toml",
            "[package]\nname = \"b\"\n\n[dependencies]\nanyhow.workspace = true\n",
        )],
    );
    assert_eq!(code, 1, "{text}");
}

#[test]
fn edits_that_are_not_dependencies_do_not_trigger() {
    let repo = repo();
    let edit = CARGO
        .replace("description = \"x\"", "description = \"y\"")
        .replace("default = []", "default = [\"std\"]\nstd = []");
    let (code, text) = check(&repo, &[("Cargo.toml", &edit)]);
    assert_eq!(code, 0, "{text}");
}
