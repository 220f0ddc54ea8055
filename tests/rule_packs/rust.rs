//! builtin:rust — Cargo.toml dependency edits need Cargo.lock.

use super::{check, judge_edits, must, must_not, pack_repo, triggers, validates};

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

const CARGO_MANIFEST: &str = include_str!("fixtures/cargo-manifest.toml");

#[test]
fn real_cargo_manifest_edits_trigger_on_dependencies_only() {
    let edits = [
        must("anyhow = \"1.0.102\"", "anyhow = \"1.0.103\""),
        must(
            "cargo = { path = \"\" }",
            "cargo = { path = \"\" }\nsimilar = \"2.7.0\"",
        ),
        must(
            "build-rs = { version = \"0.3.5\", path = \"crates/build-rs\" }\n",
            "",
        ),
        must(
            "annotate-snippets = { version = \"0.12.15\", features = [\"simd\"] }",
            "annotate-snippets = { version = \"0.12.15\" }",
        ),
        must("version = \"0.101.0\"", "version = \"0.102.0\""),
        must("name = \"cargo\"\nversion", "name = \"cargo-cli\"\nversion"),
        must("  \"benches/capture\",\n", ""),
        must("clap_complete.workspace = true\n", ""),
        must(
            "libc.workspace = true",
            "libc.workspace = true\nrustix.workspace = true",
        ),
        must("  \"Win32_System_IO\",\n", ""),
        must("tar.workspace = true", "tar = \"0.4\""),
        must(
            "[lints]",
            "[patch.crates-io]\ngix = { git = \"https://github.com/GitoxideLabs/gitoxide\" }\n\n[lints]",
        ),
        must_not("rust-version = \"1.95\"", "rust-version = \"1.99\""),
        must_not(
            "rust-version = \"1.97\"  # MSRV:1",
            "rust-version = \"1.97\"  # MSRV:2",
        ),
        must_not("edition = \"2024\"", "edition = \"2021\""),
        must_not(
            "homepage = \"https://doc.rust-lang.org/cargo/index.html\"",
            "homepage.workspace = true",
        ),
        must_not("license.workspace = true", "license = \"MIT\""),
        must_not("documentation = \"https://docs.rs/cargo\"\n", ""),
        must_not(
            "default = [\"http-transport-curl\"]",
            "default = [\"http-transport-curl\", \"vendored-openssl\"]",
        ),
        must_not("rust_2018_idioms = \"warn\"", "rust_2018_idioms = \"deny\""),
        must_not("test = false", "test = true"),
        must_not("# exclude bench testing", "# bench testing is excluded"),
        must_not("[lints]", "[profile.release]\ndebug = 1\n\n[lints]"),
    ];
    let failures = judge_edits(
        "rust",
        "rust-lockfile",
        "Cargo.toml",
        CARGO_MANIFEST,
        &edits,
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn the_finding_shows_the_changed_dependency_line() {
    let new = CARGO_MANIFEST.replace("base64 = \"0.22.1\"", "base64 = \"0.23.0\"");
    let line = CARGO_MANIFEST
        .lines()
        .position(|l| l.starts_with("base64 ="))
        .map(|i| i as u32 + 1);
    assert_eq!(
        triggers("rust", "Cargo.toml", CARGO_MANIFEST, &new),
        Some(line)
    );
}

#[test]
fn an_unparseable_manifest_triggers() {
    let broken = CARGO_MANIFEST.replace("[features]", "[features");
    assert!(triggers("rust", "Cargo.toml", CARGO_MANIFEST, &broken).is_some());
}
