//! `lockstep install` / `uninstall`: small, marked git hook scripts that run lockstep.
//!
//! A hook lockstep did not write is never overwritten without `--force`, and then a
//! backup is kept beside it and restored by `uninstall`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use miette::Diagnostic;
use thiserror::Error;

/// The line that marks a hook as lockstep's own.
pub const MARKER: &str = "# lockstep-managed hook";

/// The suffix of the backup of a foreign hook replaced with `--force`.
pub const BACKUP_SUFFIX: &str = ".lockstep-backup";

/// The git hooks lockstep can install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Hook {
    /// Check the staged changes before a commit is recorded.
    PreCommit,
    /// Check the staged changes with the message being written, so a `Lockstep-Skip:`
    /// trailer in it waives rules.
    CommitMsg,
    /// Check the commits being pushed.
    PrePush,
}

impl Hook {
    pub const ALL: [Hook; 3] = [Hook::PreCommit, Hook::CommitMsg, Hook::PrePush];

    /// The hook's file name, as git names it.
    pub fn name(self) -> &'static str {
        match self {
            Hook::PreCommit => "pre-commit",
            Hook::CommitMsg => "commit-msg",
            Hook::PrePush => "pre-push",
        }
    }

    /// The script, calling `binary` when it still exists and `lockstep` on PATH otherwise.
    pub fn script(self, binary: Option<&Path>) -> String {
        let binary = binary.map_or_else(|| "lockstep".to_owned(), |p| quote(&p.to_string_lossy()));
        let header = format!(
            "#!/bin/sh\n{MARKER}: written by `lockstep install`, removed by `lockstep uninstall`.\nlockstep={binary}\n[ -x \"$lockstep\" ] || lockstep=lockstep\n"
        );
        let body = match self {
            Hook::PreCommit => PRE_COMMIT,
            Hook::CommitMsg => {
                "# A `Lockstep-Skip: <rule-id>` trailer in the message waives rules.\nexec \"$lockstep\" check --staged --commit-msg-file \"$1\"\n"
            }
            Hook::PrePush => PRE_PUSH,
        };
        header + body
    }
}

/// With lockstep's commit-msg hook installed too, that hook checks the same staged
/// changes once the message exists, so a `Lockstep-Skip:` trailer in it can waive
/// rules: this one defers to it rather than refusing the commit first.
const PRE_COMMIT: &str = r#"# LOCKSTEP_SKIP=<rule-id>,... waives rules for one commit.
if grep -q "^# lockstep-managed hook" "$(dirname "$0")/commit-msg" 2>/dev/null; then
  exit 0 # lockstep's commit-msg hook checks this commit, trailers included
fi
exec "$lockstep" check --staged
"#;

/// git feeds `<local ref> <local sha> <remote ref> <remote sha>` lines on standard input;
/// a new branch is checked from where it left the remote's history.
const PRE_PUSH: &str = r#"status=0
while read -r local_ref local_sha remote_ref remote_sha; do
  case "$local_sha" in *[!0]*) ;; *) continue ;; esac
  case "$remote_sha" in
    *[!0]*) known=$(git cat-file -t "$remote_sha" 2>/dev/null) ;;
    *) known= ;;
  esac
  if [ "$known" = commit ]; then
    range="$remote_sha...$local_sha"
  else
    first=$(git rev-list --topo-order --reverse "$local_sha" --not --remotes="$1" | head -n 1)
    [ -n "$first" ] || continue
    if git rev-parse -q --verify "$first^" >/dev/null; then
      range="$first^..$local_sha"
    else
      "$lockstep" check --commit "$first" || status=$?
      range="$first..$local_sha"
    fi
  fi
  "$lockstep" check --range "$range" || status=$?
done
exit $status
"#;

/// A POSIX shell single-quoted word.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// What `install` did to one hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installed {
    Written {
        path: PathBuf,
    },
    /// Already lockstep's hook; rewritten to the current script.
    Updated {
        path: PathBuf,
    },
    /// A foreign hook replaced with `--force`, kept at `backup`.
    Replaced {
        path: PathBuf,
        backup: PathBuf,
    },
}

/// What `uninstall` did to one hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removed {
    Removed {
        path: PathBuf,
    },
    /// Removed, and the hook it replaced put back.
    Restored {
        path: PathBuf,
    },
    /// A hook lockstep did not write: left alone.
    Foreign {
        path: PathBuf,
    },
}

#[derive(Debug, Error, Diagnostic)]
pub enum InstallError {
    #[error("`{path}` is a {hook} hook that lockstep did not write")]
    #[diagnostic(
        code(lockstep::install::foreign_hook),
        help(
            "lockstep will not overwrite it: call `lockstep check --staged` from it yourself, or pass `--force` to replace it (it is kept as `{path}{BACKUP_SUFFIX}` and restored by `lockstep uninstall`)"
        )
    )]
    Foreign { hook: &'static str, path: String },

    #[error("`{backup}` already exists")]
    #[diagnostic(
        code(lockstep::install::backup_exists),
        help(
            "a previous `--force` kept the original hook there; move it away before replacing `{path}` again"
        )
    )]
    BackupExists { path: String, backup: String },

    #[error("cannot {action} `{path}`: {source}")]
    #[diagnostic(
        code(lockstep::install::io),
        help("check the permissions of the hooks directory")
    )]
    Io {
        action: &'static str,
        path: String,
        #[source]
        source: io::Error,
    },
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> InstallError {
    let path = path.display().to_string();
    move |source| InstallError::Io {
        action,
        path,
        source,
    }
}

/// Whether the file at `path` is a hook lockstep wrote; `None` when there is no file.
fn ours(path: &Path) -> Result<Option<bool>, InstallError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(
            String::from_utf8_lossy(&bytes)
                .lines()
                .any(|l| l.starts_with(MARKER)),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error("read", path)(e)),
    }
}

/// Writes `hook` into `hooks_dir`.
pub fn install(
    hooks_dir: &Path,
    hook: Hook,
    binary: Option<&Path>,
    force: bool,
) -> Result<Installed, InstallError> {
    let path = hooks_dir.join(hook.name());
    let backup = backup_path(&path);
    let outcome = match ours(&path)? {
        None => Installed::Written { path: path.clone() },
        Some(true) => Installed::Updated { path: path.clone() },
        Some(false) if !force => {
            return Err(InstallError::Foreign {
                hook: hook.name(),
                path: path.display().to_string(),
            });
        }
        Some(false) => {
            if fs::symlink_metadata(&backup).is_ok() {
                return Err(InstallError::BackupExists {
                    path: path.display().to_string(),
                    backup: backup.display().to_string(),
                });
            }
            fs::rename(&path, &backup).map_err(io_error("back up", &path))?;
            Installed::Replaced {
                path: path.clone(),
                backup,
            }
        }
    };
    fs::create_dir_all(hooks_dir).map_err(io_error("create", hooks_dir))?;
    fs::write(&path, hook.script(binary)).map_err(io_error("write", &path))?;
    make_executable(&path)?;
    Ok(outcome)
}

/// Removes `hook` from `hooks_dir` if lockstep wrote it, restoring a backup; `None` when
/// there is no such hook.
pub fn uninstall(hooks_dir: &Path, hook: Hook) -> Result<Option<Removed>, InstallError> {
    let path = hooks_dir.join(hook.name());
    match ours(&path)? {
        None => Ok(None),
        Some(false) => Ok(Some(Removed::Foreign { path })),
        Some(true) => {
            fs::remove_file(&path).map_err(io_error("remove", &path))?;
            let backup = backup_path(&path);
            if fs::symlink_metadata(&backup).is_ok() {
                fs::rename(&backup, &path).map_err(io_error("restore", &backup))?;
                return Ok(Some(Removed::Restored { path }));
            }
            Ok(Some(Removed::Removed { path }))
        }
    }
}

fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(BACKUP_SUFFIX);
    PathBuf::from(name)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), InstallError> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).map_err(io_error("chmod", path))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<(), InstallError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_marked_and_quote_the_binary() {
        for hook in Hook::ALL {
            let script = hook.script(Some(Path::new("/opt/it's here/lockstep")));
            assert!(script.starts_with("#!/bin/sh\n"), "{script}");
            assert!(script.contains(MARKER));
            assert!(
                script.contains(r"lockstep='/opt/it'\''s here/lockstep'"),
                "{script}"
            );
        }
    }

    #[test]
    fn install_then_uninstall_restores_a_foreign_hook() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pre-commit");
        fs::write(&path, "#!/bin/sh\necho mine\n").expect("write");
        assert!(matches!(
            install(dir.path(), Hook::PreCommit, None, false),
            Err(InstallError::Foreign { .. })
        ));
        let installed = install(dir.path(), Hook::PreCommit, None, true).expect("install");
        assert!(matches!(installed, Installed::Replaced { .. }));
        assert!(matches!(
            install(dir.path(), Hook::PreCommit, None, false),
            Ok(Installed::Updated { .. })
        ));
        let removed = uninstall(dir.path(), Hook::PreCommit).expect("uninstall");
        assert!(matches!(removed, Some(Removed::Restored { .. })));
        assert_eq!(
            fs::read_to_string(&path).expect("read"),
            "#!/bin/sh\necho mine\n"
        );
        assert_eq!(
            uninstall(dir.path(), Hook::PreCommit).expect("again"),
            Some(Removed::Foreign { path })
        );
    }
}
