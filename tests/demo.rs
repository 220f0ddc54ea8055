//! `examples/demo.sh`, the README's first command, run with a stand-in `cargo` that
//! "builds" instantly and reports a target directory holding the binary under test: the
//! script must find the binary where cargo says (CARGO_TARGET_DIR), run the check, and
//! fail loudly when any step fails.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::{Repo, isolate};

/// `cargo build` exits with `$FAKE_BUILD_STATUS`; `cargo metadata` names `$FAKE_TARGET`.
const FAKE_CARGO: &str = r#"#!/bin/sh
case "$1" in
  build) exit "${FAKE_BUILD_STATUS:-0}" ;;
  metadata) printf '{"packages":[],"target_directory":"%s","version":1}\n' "$FAKE_TARGET" ;;
  *) echo "fake cargo: unexpected $1" >&2; exit 101 ;;
esac
"#;

/// Runs the demo with a target directory whose `release/lockstep` is `binary` (if any).
fn demo(binary: Option<&Path>, build_status: i32) -> Output {
    let scratch = Repo::empty();
    let bin = scratch.path().join("bin");
    let target = scratch.path().join("target");
    std::fs::create_dir_all(&bin).expect("mkdir bin");
    std::fs::create_dir_all(target.join("release")).expect("mkdir target");
    write_executable(&bin.join("cargo"), FAKE_CARGO);
    if let Some(binary) = binary {
        std::os::unix::fs::symlink(binary, target.join("release/lockstep")).expect("symlink");
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin];
    dirs.extend(std::env::split_paths(&path));
    let mut command = Command::new("bash");
    isolate(&mut command, scratch.home());
    command
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.sh"))
        .env("PATH", std::env::join_paths(dirs).expect("PATH"))
        .env("FAKE_TARGET", &target)
        .env("FAKE_BUILD_STATUS", build_status.to_string())
        .output()
        .expect("run bash")
}

fn write_executable(path: &Path, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, script).expect("write script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

#[test]
fn demo_runs_the_binary_from_cargos_target_directory() {
    let output = demo(Some(Path::new(env!("CARGO_BIN_EXE_lockstep"))), 0);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.contains("services/payments/api/refunds.proto:3 changed without docs, sdk and runbook"),
        "{out}"
    );
    assert!(out.contains("the commit would be refused"), "{out}");
}

#[test]
fn demo_fails_when_the_build_fails() {
    let output = demo(Some(Path::new(env!("CARGO_BIN_EXE_lockstep"))), 101);
    assert_eq!(output.status.code(), Some(101), "{}", text(&output));
}

#[test]
fn demo_fails_when_the_binary_is_missing() {
    let output = demo(None, 0);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("the build left no binary at"), "{out}");
}

#[test]
fn demo_fails_when_the_check_does_not_refuse_the_change() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let passing = scratch.path().join("lockstep");
    write_executable(&passing, "#!/bin/sh\nexit 0\n");
    let output = demo(Some(&passing), 0);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("expected exit code 1"), "{out}");
}
