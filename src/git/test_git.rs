//! The git CLI for unit tests that build repositories: no user or system
//! configuration, and a failure is the test's failure with git's own words.

use std::path::Path;
use std::process::Command;

/// Runs `git ARGS` in `dir`, with `dir` as its home, and returns its standard output.
pub fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
    git_with(dir, args, &[])
}

/// [`git`] with the variables `env` set too.
pub fn git_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Vec<u8> {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .envs(env.iter().copied())
        .output()
        .expect("git runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "git {args:?}: {stderr}");
    output.stdout
}
