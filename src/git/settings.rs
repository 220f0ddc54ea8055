//! The configuration lockstep reads values from (`diff.indentHeuristic`,
//! `core.commitGraph`, `core.useReplaceRefs`, filters, promisor remotes): the files git
//! reads for the repository, found as git finds them (config.c,
//! `do_git_config_sequence`) — the system file unless `GIT_CONFIG_NOSYSTEM` (at
//! `GIT_CONFIG_SYSTEM` if set), the XDG file and `~/.gitconfig` or `GIT_CONFIG_GLOBAL`
//! alone, then the repository's `config` — read once per reader without opening the
//! repository. Where a file includes another on a condition (`includeIf`, whose
//! conditions name the repository) or the repository has per-worktree configuration,
//! the configuration is read through the opened repository, whose files libgit2 finds
//! by its own search (the three variables aside).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use git2::{Config, ConfigLevel};

use super::Repo;

impl Repo {
    /// The configuration; `None` when it cannot be read (each value then has git's
    /// default).
    pub(super) fn config(&self) -> Option<&Config> {
        self.config
            .get_or_init(|| {
                let files = user_files(|name| std::env::var_os(name));
                plain(&files, &self.layout.common_dir.join("config"))
                    .or_else(|| self.libgit2().ok()?.config().ok()?.snapshot().ok())
            })
            .as_ref()
    }

    /// Whether no file of the configuration can set a variable whose name holds one of
    /// `words` (lowercase): none of the files [`Repo::config`] reads, nor those libgit2
    /// reads in their place, mentions one in any case, nor includes another file or
    /// per-worktree configuration. A few small reads, where the configuration itself
    /// is parsed by libgit2 (the files, each checked for access, then every entry
    /// copied): a value most repositories never set is known absent without it. `false`
    /// where a file cannot be read.
    pub(super) fn config_never_names(&self, words: &[&str]) -> bool {
        let mut files = user_files(|name| std::env::var_os(name));
        // libgit2's own search, where the variables moved the files from it.
        if VARIABLES
            .iter()
            .any(|name| std::env::var_os(name).is_some())
        {
            files.extend(user_files(|_| None));
        }
        let local = [
            self.layout.common_dir.join("config"),
            self.layout.git_dir.join("config.worktree"),
        ];
        let mut paths: Vec<PathBuf> = files.into_iter().map(|(file, _)| file).collect();
        paths.extend(local);
        paths.sort_unstable();
        paths.dedup();
        paths.iter().all(|path| match std::fs::read(path) {
            Ok(text) => !mentions_any(&text, words.iter().chain(REDIRECTING)),
            Err(e) => e.kind() == std::io::ErrorKind::NotFound,
        })
    }
}

/// Whether a configuration file's `text` mentions one of `words` (lowercase), in any
/// case: a quick test, before its parse, that it cannot set what they name.
pub(super) fn mentions_any<W: AsRef<[u8]>>(
    text: &[u8],
    words: impl IntoIterator<Item = W>,
) -> bool {
    let text = text.to_ascii_lowercase();
    words
        .into_iter()
        .any(|word| memchr::memmem::find(&text, word.as_ref()).is_some())
}

/// The variables that choose the files before the repository's.
const VARIABLES: [&str; 3] = [
    "GIT_CONFIG_NOSYSTEM",
    "GIT_CONFIG_SYSTEM",
    "GIT_CONFIG_GLOBAL",
];

/// Words of the variables that make libgit2 read other files: `include.path`,
/// `includeIf.*.path`, `extensions.worktreeConfig`.
const REDIRECTING: &[&str] = &["include", "worktreeconfig"];

/// The configuration of `files` and the repository's own file `local`, read without the
/// repository; `None` where it needs the repository (or does not parse). Plain
/// `include.path` entries are read by libgit2's file reader itself.
fn plain(files: &[(PathBuf, ConfigLevel)], local: &Path) -> Option<Config> {
    let mut config = Config::new().ok()?;
    for (file, level) in files {
        config.add_file(file, *level, false).ok()?;
    }
    config.add_file(local, ConfigLevel::Local, false).ok()?;
    let config = config.snapshot().ok()?;
    let needs_repository = {
        let mut entries = config.entries(None).ok()?;
        let mut found = false;
        while let Some(entry) = entries.next() {
            let name = entry.ok()?.name_bytes().to_ascii_lowercase();
            found |= name.starts_with(b"includeif.") || name == b"extensions.worktreeconfig";
        }
        found
    };
    (!needs_repository).then_some(config)
}

/// The files git reads before the repository's, most general first, as `env` (the
/// process's environment) places them. A file that does not exist is read as empty.
fn user_files(env: impl Fn(&str) -> Option<OsString>) -> Vec<(PathBuf, ConfigLevel)> {
    let mut files = Vec::new();
    if !env("GIT_CONFIG_NOSYSTEM").is_some_and(|value| is_true(&value)) {
        match env("GIT_CONFIG_SYSTEM") {
            Some(file) => files.push((PathBuf::from(file), ConfigLevel::System)),
            None => {
                files.extend(Config::find_system().ok().map(|f| (f, ConfigLevel::System)));
            }
        }
    }
    match env("GIT_CONFIG_GLOBAL") {
        Some(file) => files.push((PathBuf::from(file), ConfigLevel::Global)),
        None => {
            let found = [
                (Config::find_xdg(), ConfigLevel::XDG),
                (Config::find_global(), ConfigLevel::Global),
            ];
            files.extend(found.into_iter().filter_map(|(f, l)| Some((f.ok()?, l))));
        }
    }
    files
}

/// A boolean environment variable as git reads one (`git_env_bool`): `true`, `yes`,
/// `on` (any case) or a non-zero number; anything else is false.
fn is_true(value: &std::ffi::OsStr) -> bool {
    let value = value.to_string_lossy();
    ["true", "yes", "on"]
        .iter()
        .any(|word| value.eq_ignore_ascii_case(word))
        || value.trim().parse::<i64>().is_ok_and(|n| n != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(env: &[(&str, &str)]) -> Vec<(PathBuf, ConfigLevel)> {
        user_files(|name| {
            env.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| OsString::from(value))
        })
    }

    fn levels(files: &[(PathBuf, ConfigLevel)]) -> Vec<ConfigLevel> {
        files.iter().map(|(_, level)| *level).collect()
    }

    #[test]
    fn the_variables_choose_the_files_as_git_s_do() {
        let named = files(&[("GIT_CONFIG_SYSTEM", "/s"), ("GIT_CONFIG_GLOBAL", "/g")]);
        assert_eq!(
            named,
            [
                (PathBuf::from("/s"), ConfigLevel::System),
                (PathBuf::from("/g"), ConfigLevel::Global)
            ]
        );
        for off in ["1", "true", "YES", "on", "2"] {
            let global = files(&[("GIT_CONFIG_NOSYSTEM", off), ("GIT_CONFIG_GLOBAL", "/g")]);
            assert_eq!(levels(&global), [ConfigLevel::Global], "{off}");
        }
        for on in ["0", "false", "no", "", "maybe"] {
            let system = files(&[
                ("GIT_CONFIG_NOSYSTEM", on),
                ("GIT_CONFIG_SYSTEM", "/s"),
                ("GIT_CONFIG_GLOBAL", "/g"),
            ]);
            assert_eq!(
                levels(&system),
                [ConfigLevel::System, ConfigLevel::Global],
                "{on:?}"
            );
        }
        // Without GIT_CONFIG_GLOBAL, the XDG file and ~/.gitconfig where they exist.
        let searched = files(&[("GIT_CONFIG_NOSYSTEM", "1")]);
        assert!(
            levels(&searched)
                .iter()
                .all(|level| matches!(level, ConfigLevel::XDG | ConfigLevel::Global))
        );
    }
}
