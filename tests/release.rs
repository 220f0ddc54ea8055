//! Release archives and the GitHub Action's installer, run for real: `.ci/package` packs
//! the binary under test the way the release workflow does, `cargo binstall`'s metadata
//! in Cargo.toml must name that archive and the binary inside it, and
//! `.github/action/install.sh` installs it from a release directory (a `file://` URL
//! standing for GitHub's releases), refuses a tampered one, and falls back to building.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{Repo, isolate};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_lockstep");
const VERSION: &str = env!("CARGO_PKG_VERSION");
/// What the Action downloads on a Linux x64 runner.
const TARGET: &str = "x86_64-unknown-linux-musl";

/// Packs the binary under test as a release of `TARGET` into `releases/vVERSION/`, and
/// returns the archive's path.
fn package(releases: &Path) -> PathBuf {
    let out = releases.join(format!("v{VERSION}"));
    let output = run(
        Command::new("bash")
            .arg(Path::new(ROOT).join(".ci/package"))
            .args(["--target", TARGET, "--bin", BIN, "--out"])
            .arg(&out),
        releases,
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    PathBuf::from(text(&output.stdout).trim())
}

fn run(command: &mut Command, home: &Path) -> Output {
    isolate(command, home);
    command.output().expect("run bash")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `cargo binstall`'s template with its variables for `TARGET`.
fn binstall(template: &str, repository: &str) -> String {
    template
        .replace("{ repo }", repository)
        .replace("{ name }", "lockstep")
        .replace("{ version }", VERSION)
        .replace("{ target }", TARGET)
        .replace("{ archive-suffix }", ".tar.gz")
        .replace("{ bin }", "lockstep")
        .replace("{ binary-ext }", "")
}

#[test]
fn archive_holds_what_binstall_names_with_completions_manual_and_licenses() {
    let scratch = Repo::empty();
    let archive = package(scratch.path());
    let manifest: toml::Table = std::fs::read_to_string(Path::new(ROOT).join("Cargo.toml"))
        .expect("Cargo.toml")
        .parse()
        .expect("Cargo.toml parses");
    let repository = manifest["package"]["repository"]
        .as_str()
        .expect("repository");
    let metadata = &manifest["package"]["metadata"]["binstall"];
    assert_eq!(metadata["pkg-fmt"].as_str(), Some("tgz"));

    let url = binstall(metadata["pkg-url"].as_str().expect("pkg-url"), repository);
    let name = archive.file_name().expect("name").to_string_lossy();
    assert_eq!(
        url,
        format!("{repository}/releases/download/v{VERSION}/{name}")
    );

    let unpacked = scratch.path().join("unpacked");
    std::fs::create_dir(&unpacked).expect("mkdir");
    let untar = run(
        Command::new("tar")
            .arg("-xzf")
            .arg(&archive)
            .arg("-C")
            .arg(&unpacked),
        scratch.home(),
    );
    assert!(untar.status.success(), "{}", text(&untar.stderr));
    let bin_dir = binstall(metadata["bin-dir"].as_str().expect("bin-dir"), repository);
    let version = run(
        Command::new(unpacked.join(&bin_dir)).arg("--version"),
        scratch.home(),
    );
    assert_eq!(text(&version.stdout), format!("lockstep {VERSION}\n"));

    let top = unpacked.join(format!("lockstep-{VERSION}-{TARGET}"));
    for file in [
        "README.md",
        "CHANGELOG.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "completions/lockstep.bash",
        "completions/_lockstep",
        "completions/lockstep.fish",
        "completions/_lockstep.ps1",
        "completions/lockstep.elv",
        "man/lockstep.1",
        "man/lockstep-check.1",
    ] {
        let contents = std::fs::read(top.join(file)).unwrap_or_else(|_| panic!("{file}"));
        assert!(!contents.is_empty(), "{file} is empty");
    }

    let check = run(
        Command::new("sha256sum")
            .args(["--check", "--strict"])
            .arg(format!("{name}.sha256"))
            .current_dir(archive.parent().expect("dir")),
        scratch.home(),
    );
    assert!(check.status.success(), "{}", text(&check.stdout));
}

#[test]
fn package_names_what_it_needs() {
    let scratch = Repo::empty();
    let missing = run(
        Command::new("bash")
            .arg(Path::new(ROOT).join(".ci/package"))
            .args(["--target", TARGET, "--bin"])
            .arg(scratch.path().join("lockstep")),
        scratch.home(),
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("is not an executable; build it first"));
    assert!(!scratch.path().join("dist").exists());
}

/// The Action's install step as GitHub runs it on `os`/`arch`, downloading from
/// `releases` with `path` as PATH; returns the output and what it added to GITHUB_PATH.
fn install(scratch: &Repo, releases: &Path, os: &str, arch: &str, path: &Path) -> Output {
    let runner_temp = scratch.path().join("runner-temp");
    std::fs::create_dir_all(&runner_temp).expect("mkdir");
    let mut command = Command::new("bash");
    isolate(&mut command, scratch.home());
    command
        .arg(Path::new(ROOT).join(".github/action/install.sh"))
        .env("PATH", path)
        .env("ACTION_PATH", ROOT)
        .env("LOCKSTEP_VERSION", "")
        .env(
            "LOCKSTEP_RELEASE_URL",
            format!("file://{}", releases.display()),
        )
        .env("RUNNER_OS", os)
        .env("RUNNER_ARCH", arch)
        .env("RUNNER_TEMP", &runner_temp)
        .env("GITHUB_PATH", scratch.path().join("github-path"))
        .output()
        .expect("run bash")
}

fn github_path(scratch: &Repo) -> String {
    std::fs::read_to_string(scratch.path().join("github-path")).unwrap_or_default()
}

fn machine_path() -> PathBuf {
    PathBuf::from(std::env::var_os("PATH").unwrap_or_default())
}

#[test]
fn action_installs_the_release_archive_for_the_runner() {
    let scratch = Repo::empty();
    let releases = scratch.path().join("releases");
    package(&releases);
    let output = install(&scratch, &releases, "Linux", "X64", &machine_path());
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).ends_with(&format!("lockstep {VERSION}\n")));
    let dir = github_path(&scratch);
    let installed = Path::new(dir.trim()).join("lockstep");
    let version = run(Command::new(&installed).arg("--version"), scratch.home());
    assert_eq!(text(&version.stdout), format!("lockstep {VERSION}\n"));
}

#[test]
fn action_refuses_an_archive_that_does_not_match_its_checksum() {
    let scratch = Repo::empty();
    let releases = scratch.path().join("releases");
    let archive = package(&releases);
    let mut bytes = std::fs::read(&archive).expect("archive");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&archive, bytes).expect("tamper");
    let output = install(&scratch, &releases, "Linux", "X64", &machine_path());
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stdout).contains("does not match its published SHA-256"));
    assert!(!text(&output.stdout).contains("building lockstep"));
    assert_eq!(github_path(&scratch), "");
}

/// A PATH holding only the tools the installer uses (no cargo), linked from the machine's.
fn path_without_cargo(scratch: &Repo) -> PathBuf {
    let bin = scratch.path().join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    for tool in [
        "bash",
        "sed",
        "head",
        "mkdir",
        "curl",
        "tar",
        "gzip",
        "sha256sum",
        "mv",
        "rm",
    ] {
        let found = std::env::split_paths(&machine_path())
            .map(|dir| dir.join(tool))
            .find(|candidate| candidate.is_file())
            .unwrap_or_else(|| panic!("`{tool}` is not on PATH"));
        std::os::unix::fs::symlink(found, bin.join(tool)).expect("symlink");
    }
    bin
}

#[test]
fn action_builds_from_source_when_there_is_no_release_for_the_runner() {
    for (os, arch, reason) in [
        ("Linux", "X64", "no lockstep"),
        ("FreeBSD", "X64", "have no binary for FreeBSD/X64"),
    ] {
        let scratch = Repo::empty();
        let nothing_released = scratch.path().join("releases");
        let path = path_without_cargo(&scratch);
        let output = install(&scratch, &nothing_released, os, arch, &path);
        let stdout = text(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{stdout}");
        assert!(stdout.contains(reason), "{stdout}");
        assert!(stdout.contains("building lockstep"), "{stdout}");
        assert!(stdout.contains("no cargo to build it"), "{stdout}");
        assert_eq!(github_path(&scratch), "");
    }
}
