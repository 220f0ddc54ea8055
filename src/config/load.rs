//! Finding the rule set and resolving `extends`.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::error::{ConfigError, ConfigErrors};
use super::parse::parse;
use super::spelling::closest;
use crate::repo_path;

use super::{Config, ConfigSource, Origin, Settings, SettingsConfig, SourcedRule, builtin};

/// Where the rule set is looked for, in order, at the root of the work tree.
pub const FILE_NAMES: [&str; 3] = ["lockstep.toml", ".lockstep.toml", ".config/lockstep.toml"];

const BUILTIN_PREFIX: &str = "builtin:";

/// Read with the rule set, from the same snapshot: it says which files are generated.
const ATTRIBUTES: &str = ".gitattributes";

/// Repository-relative files, read from the work tree or from a revision.
pub trait ConfigFiles {
    /// The file's text, or `None` when it does not exist.
    fn read(&self, path: &str) -> io::Result<Option<String>>;

    /// Where files are read from, for messages ("the work tree", "revision 1a2b3c4").
    fn describe(&self) -> String;
}

/// Files of the work tree.
pub struct WorkTreeFiles(pub PathBuf);

impl ConfigFiles for WorkTreeFiles {
    /// Symbolic links are followed only while they stay inside the work tree.
    fn read(&self, path: &str) -> io::Result<Option<String>> {
        let resolved = match self.0.join(path).canonicalize() {
            Ok(resolved) => resolved,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        if !resolved.starts_with(self.0.canonicalize()?) {
            return Err(outside(&resolved.display().to_string()));
        }
        std::fs::read_to_string(resolved).map(Some)
    }

    fn describe(&self) -> String {
        "the work tree".to_owned()
    }
}

/// The error of a symbolic link that leads out of the repository to `target`.
pub fn outside(target: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is a symbolic link to `{target}`, outside the repository"),
    )
}

/// No repository files: a rule set that stands alone (it may extend built-in packs).
pub struct NoFiles;

impl ConfigFiles for NoFiles {
    fn read(&self, _: &str) -> io::Result<Option<String>> {
        Ok(None)
    }

    fn describe(&self) -> String {
        "a rule set that stands alone".to_owned()
    }
}

/// Loads the rule set: `explicit` (from `--config`) or the first of [`FILE_NAMES`], then
/// everything it extends. Extended files come first; a later rule with the same id
/// replaces the earlier one, and later settings override earlier ones.
///
/// Fails only when there is no rule set; every problem in the files is kept in
/// [`Config::problems`] so that compiling reports them together with its own.
pub fn load(
    files: &dyn ConfigFiles,
    explicit: Option<ConfigSource>,
) -> Result<Config, ConfigErrors> {
    let root = match explicit {
        Some(source) => source,
        None => discover(files)?,
    };
    let mut loader = Loader {
        files,
        errors: Vec::new(),
        layers: Vec::new(),
        sources: Vec::new(),
        stack: Vec::new(),
    };
    loader.visit(root);
    let mut settings = Settings::default();
    let mut rules: Vec<SourcedRule> = Vec::new();
    let mut disabled = Vec::new();
    for (source, layer_settings, layer_rules) in loader.layers {
        disabled.extend(
            layer_settings
                .disable
                .iter()
                .map(|id| (source.clone(), id.clone())),
        );
        settings.overlay(&source, layer_settings, &mut loader.errors);
        for rule in layer_rules {
            match rules
                .iter_mut()
                .find(|r| r.rule.id.get_ref() == rule.rule.id.get_ref())
            {
                Some(existing) => *existing = rule,
                None => rules.push(rule),
            }
        }
    }
    disable(&mut rules, &disabled, &mut loader.errors);
    if settings.max_files_origin.is_none() {
        settings.max_files_origin = loader.sources.first().map(|root| Origin {
            source: root.clone(),
            span: 0..0,
        });
    }
    let attributes = files.read(ATTRIBUTES).unwrap_or_else(|e| {
        loader.errors.push(read_error(ATTRIBUTES, &e));
        None
    });
    settings.annotation.finish(attributes.as_deref());
    Ok(Config {
        settings,
        rules,
        sources: loader.sources,
        problems: loader.errors,
    })
}

/// Drops the rules `settings.disable` names; naming no rule is an error (reported with
/// the rule set's other problems), so a typo does not silently keep a rule on.
fn disable(
    rules: &mut Vec<SourcedRule>,
    disabled: &[(ConfigSource, Spanned<String>)],
    errors: &mut Vec<ConfigError>,
) {
    let unknown: Vec<ConfigError> = disabled
        .iter()
        .filter(|(_, id)| !rules.iter().any(|r| r.rule.id.get_ref() == id.get_ref()))
        .map(|(source, id)| {
            let meant = closest(id.get_ref(), rules.iter().map(|r| r.rule.id.get_ref().as_str()));
            ConfigError::new("unknown-rule", format!("`settings.disable` names no rule `{}`", id.get_ref()))
                .at(source, id.span(), meant.map_or("no rule with this id".to_owned(), |meant| format!("did you mean `{meant}`?")))
                .help("list ids of rules defined in this file or in a file it extends (`lockstep explain` and `lockstep graph` show them)")
        })
        .collect();
    errors.extend(unknown);
    rules.retain(|r| {
        !disabled
            .iter()
            .any(|(_, id)| id.get_ref() == r.rule.id.get_ref())
    });
}

fn discover(files: &dyn ConfigFiles) -> Result<ConfigSource, ConfigErrors> {
    for name in FILE_NAMES {
        let text = files.read(name).map_err(|e| read_error(name, &e))?;
        if let Some(text) = text {
            return Ok(ConfigSource::new(name, text));
        }
    }
    Err(ConfigError::new("not-found", format!("no rule set in {}", files.describe()))
        .help(format!(
            "create `lockstep.toml` at the repository root (`lockstep init` writes a starter), or pass `--config PATH`; looked for {}",
            FILE_NAMES.join(", ")
        ))
        .into())
}

fn read_error(name: &str, error: &io::Error) -> ConfigError {
    let help = match error.kind() {
        io::ErrorKind::InvalidInput => {
            "rule sets are read only from files inside the repository; copy the file into it"
        }
        io::ErrorKind::InvalidData => "a rule set is a UTF-8 TOML file",
        _ => "check the file's permissions",
    };
    ConfigError::new("read", format!("cannot read `{name}`: {error}")).help(help)
}

struct Loader<'a> {
    files: &'a dyn ConfigFiles,
    errors: Vec<ConfigError>,
    /// Settings and rules of every file, extended files before the files extending
    /// them, in the order they apply.
    layers: Vec<(ConfigSource, SettingsConfig, Vec<SourcedRule>)>,
    sources: Vec<ConfigSource>,
    /// Files being loaded, to catch `extends` cycles.
    stack: Vec<String>,
}

impl Loader<'_> {
    fn visit(&mut self, source: ConfigSource) {
        let (document, errors) = parse(&source);
        self.errors.extend(errors);
        self.sources.push(source.clone());
        self.stack.push(source.name.clone());
        for target in &document.extends {
            if let Some(extended) = self.resolve(&source, target) {
                self.visit(extended);
            }
        }
        self.stack.pop();
        let rules = self.own_rules(&source, document.rules);
        self.layers.push((source, document.settings, rules));
    }

    fn own_rules(
        &mut self,
        source: &ConfigSource,
        rules: Vec<super::RuleConfig>,
    ) -> Vec<SourcedRule> {
        let mut seen = HashSet::new();
        let mut kept = Vec::new();
        for rule in rules {
            if !seen.insert(rule.id.get_ref().clone()) {
                self.errors.push(
                    ConfigError::new("duplicate-id", format!("rule id `{}` is defined twice", rule.id.get_ref()))
                        .at(source, rule.id.span(), "defined again here")
                        .help("give each rule its own id; to change a rule from an extended file, redefine it in the extending file"),
                );
                continue;
            }
            kept.push(SourcedRule {
                rule,
                source: source.clone(),
            });
        }
        kept
    }

    fn resolve(&mut self, from: &ConfigSource, target: &Spanned<String>) -> Option<ConfigSource> {
        let name = match target.get_ref().strip_prefix(BUILTIN_PREFIX) {
            Some(_) => target.get_ref().clone(),
            None => self.confine(from, target)?,
        };
        if self.stack.contains(&name) {
            self.errors.push(
                ConfigError::new(
                    "extends",
                    format!("`{name}` extends itself through a cycle"),
                )
                .at(from, target.span(), "cycle closes here")
                .help("remove one of the `extends` entries that form the cycle"),
            );
            return None;
        }
        if let Some(pack) = name.strip_prefix(BUILTIN_PREFIX) {
            let Some(text) = builtin::pack(pack) else {
                let known: Vec<_> = builtin::PACKS
                    .iter()
                    .map(|(n, _)| format!("builtin:{n}"))
                    .collect();
                self.errors.push(
                    ConfigError::new("extends", format!("no built-in rule pack named `{pack}`"))
                        .at(
                            from,
                            target.span(),
                            match closest(pack, builtin::PACKS.iter().map(|(n, _)| *n)) {
                                Some(meant) => format!("did you mean `builtin:{meant}`?"),
                                None => "unknown pack".to_owned(),
                            },
                        )
                        .help(format!("built-in packs: {}", known.join(", "))),
                );
                return None;
            };
            return Some(ConfigSource::new(name, text));
        }
        match self.files.read(&name) {
            Ok(Some(text)) => Some(ConfigSource::new(name, text)),
            Ok(None) => {
                self.errors.push(
                    ConfigError::new("extends", format!("`{name}` does not exist in {}", self.files.describe()))
                        .at(from, target.span(), "no such file")
                        .help("paths in `extends` are relative to the repository root; built-in packs are named `builtin:NAME`"),
                );
                None
            }
            Err(e) => {
                self.errors
                    .push(read_error(&name, &e).at(from, target.span(), "cannot be read"));
                None
            }
        }
    }

    /// An `extends` path as a repository path: inside the repository and a `.toml`
    /// file, so that a rule set never reads, nor echoes in an error, anything else.
    fn confine(&mut self, from: &ConfigSource, target: &Spanned<String>) -> Option<String> {
        let name = target.get_ref();
        let error = match repo_path::join("", Path::new(name)) {
            Some(path) if path.ends_with(".toml") => return Some(path),
            Some(_) => ConfigError::new("extends", format!("`{name}` is not a `.toml` file"))
                .at(from, target.span(), "not a rule set")
                .help("`extends` loads `.toml` rule sets from the repository, or `builtin:NAME` packs"),
            None => ConfigError::new("extends", format!("`{name}` is outside the repository"))
                .at(from, target.span(), "outside the repository")
                .help("`extends` reads only files of the repository: write a path relative to its root, with no leading `/` and no `..` leaving it"),
        };
        self.errors.push(error);
        None
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    struct Files(HashMap<&'static str, &'static str>);

    impl ConfigFiles for Files {
        fn read(&self, path: &str) -> io::Result<Option<String>> {
            Ok(self.0.get(path).map(|t| t.to_string()))
        }
        fn describe(&self) -> String {
            "the test files".to_owned()
        }
    }

    fn files(entries: &[(&'static str, &'static str)]) -> Files {
        Files(entries.iter().copied().collect())
    }

    fn ids(config: &Config) -> Vec<(&str, &str)> {
        config
            .rules
            .iter()
            .map(|r| (r.rule.id.get_ref().as_str(), r.source.name.as_str()))
            .collect()
    }

    #[test]
    fn discovers_the_first_candidate() {
        let f = files(&[
            (".config/lockstep.toml", "version = 1"),
            (".lockstep.toml", "version = 1\n[settings]\nmax_files = 3"),
        ]);
        let config = load(&f, None).expect("loads");
        assert_eq!(config.sources[0].name, ".lockstep.toml");
        assert_eq!(config.settings.max_files, 3);
    }

    #[test]
    fn missing_rule_set_says_where_it_looked() {
        let error = load(&files(&[]), None).expect_err("nothing to load");
        assert_eq!(error.errors[0].code, "not-found");
    }

    #[test]
    fn extending_file_overrides_rules_and_settings() {
        let f = files(&[
            (
                "lockstep.toml",
                "version = 1\nextends = [\"base.toml\"]\n[settings]\nmax_files = 9\n[[rule]]\nid = \"a\"\nwhen = [\"y\"]\nthen = [\"z\"]\n",
            ),
            (
                "base.toml",
                "version = 1\n[settings]\nmax_files = 5\nwhitespace = true\n[[rule]]\nid = \"a\"\nwhen = [\"x\"]\nthen = [\"z\"]\n[[rule]]\nid = \"b\"\nwhen = [\"x\"]\nthen = [\"z\"]\n",
            ),
        ]);
        let config = load(&f, None).expect("loads");
        assert_eq!(ids(&config), [("a", "lockstep.toml"), ("b", "base.toml")]);
        assert_eq!(config.settings.max_files, 9);
        assert!(config.settings.whitespace);
    }

    #[test]
    fn extends_cycles_and_missing_files_are_errors() {
        let f = files(&[
            (
                "lockstep.toml",
                "version = 1\nextends = [\"a.toml\", \"gone.toml\", \"builtin:nope\"]",
            ),
            ("a.toml", "version = 1\nextends = [\"lockstep.toml\"]"),
        ]);
        let config = load(&f, None).expect("loads");
        let codes: Vec<_> = config.problems.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["extends", "extends", "extends"]);
    }

    #[test]
    fn duplicate_ids_in_one_file_are_errors() {
        let f = files(&[(
            "lockstep.toml",
            "version = 1\n[[rule]]\nid = \"a\"\nwhen = [\"x\"]\nthen = [\"z\"]\n[[rule]]\nid = \"a\"\nwhen = [\"x\"]\nthen = [\"z\"]\n",
        )]);
        let config = load(&f, None).expect("loads");
        assert_eq!(config.problems[0].code, "duplicate-id");
    }

    #[test]
    fn disabled_rules_are_dropped_and_unknown_ids_are_errors() {
        let f = files(&[
            (
                "lockstep.toml",
                "version = 1\nextends = [\"base.toml\"]\n[settings]\ndisable = [\"b\"]\n",
            ),
            (
                "base.toml",
                "version = 1\n[[rule]]\nid = \"a\"\nwhen = [\"x\"]\nthen = [\"z\"]\n[[rule]]\nid = \"b\"\nwhen = [\"x\"]\nthen = [\"z\"]\n",
            ),
        ]);
        let config = load(&f, None).expect("loads");
        assert_eq!(ids(&config), [("a", "base.toml")]);
        let f = files(&[(
            "lockstep.toml",
            "version = 1\n[settings]\ndisable = [\"nope\"]\n",
        )]);
        let config = load(&f, None).expect("loads, with the problem noted");
        assert_eq!(config.problems[0].code, "unknown-rule");
        assert!(config.problems[0].location.is_some());
    }

    #[test]
    fn builtin_packs_load() {
        let f = files(&[(
            "lockstep.toml",
            "version = 1\nextends = [\"builtin:changelog\"]",
        )]);
        let config = load(&f, None).expect("loads");
        assert!(!config.rules.is_empty());
    }
}
