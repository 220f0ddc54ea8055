//! How files are grouped before counting: by directory at a depth, and by a common stem
//! (`api/users.rs` and `docs/api/users.md` share the stem `users`). Also what a path is:
//! code, a test, or an artifact that follows code (docs, SDKs, dashboards...).

use crate::rules::{Transform, escape_glob};
use std::fmt;

/// Files are grouped by their first `depth` directories (`services/payments/**`). Files
/// above that depth are grouped by their own directory without its subdirectories
/// (`docs/*`), and files at the root are each their own group (`CHANGELOG.md`), so a
/// group's glob matches exactly the files counted in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    /// A directory at the grouping depth, with its trailing slash.
    Dir(String),
    /// The files directly in a shallower directory, with its trailing slash.
    Files(String),
    /// A file at the root; or one file a target is narrowed to.
    File(String),
}

impl Group {
    /// The group of `path`.
    pub fn of(path: &str, depth: usize) -> Group {
        let slashes: Vec<usize> = path.match_indices('/').map(|(i, _)| i).collect();
        match (slashes.get(depth.saturating_sub(1)), slashes.last()) {
            (Some(&end), _) if depth > 0 => Group::Dir(path[..=end].to_owned()),
            (_, Some(&end)) => Group::Files(path[..=end].to_owned()),
            (_, None) => Group::File(path.to_owned()),
        }
    }

    /// The glob that matches the group's files.
    pub fn glob(&self) -> String {
        match self {
            Group::Dir(dir) => format!("{}**", escape_glob(dir)),
            Group::Files(dir) => format!("{}*", escape_glob(dir)),
            Group::File(path) => escape_glob(path),
        }
    }

    pub fn path(&self) -> &str {
        match self {
            Group::Dir(p) | Group::Files(p) | Group::File(p) => p,
        }
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.glob())
    }
}

/// Paths told apart by one name: files of one directory with one extension
/// (`docs/api/{name}.md`, the name being the file's stem, or the stem after its first
/// word: `doc/man/cargo-{name}.md`), or the directory groups of one parent
/// (`src/{name}/**`, the name being the group's last directory).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Template {
    /// With its trailing slash; empty at the root.
    pub dir: String,
    /// The stem's first word and its separator (`cargo-`), or empty.
    pub prefix: String,
    /// Everything after the stem's first dot, with the dot; may be empty.
    pub ext: String,
    /// Whether the name is a directory: `dir/{name}/**`.
    pub tree: bool,
}

impl Template {
    /// The file template and stem of `path`; `None` for dotfiles, which have no stem.
    pub fn of(path: &str) -> Option<(Template, &str)> {
        let name_start = path.rfind('/').map_or(0, |i| i + 1);
        let name = &path[name_start..];
        if name.starts_with('.') || name.is_empty() {
            return None;
        }
        let stem_len = name.find('.').unwrap_or(name.len());
        let template = Template {
            dir: path[..name_start].to_owned(),
            prefix: String::new(),
            ext: name[stem_len..].to_owned(),
            tree: false,
        };
        Some((template, &name[..stem_len]))
    }

    /// The file template of `path` with the stem's first word kept as a prefix, and the
    /// rest of the stem: `doc/man/cargo-generate-lockfile.md` is `doc/man/cargo-{name}.md`
    /// named `generate-lockfile`. `None` for a stem of one word.
    pub fn prefixed(path: &str) -> Option<(Template, &str)> {
        let (template, stem) = Template::of(path)?;
        let split = stem.find(['-', '_'])? + 1;
        let name = &stem[split..];
        if name.is_empty() || split == 1 {
            return None;
        }
        let template = Template {
            prefix: stem[..split].to_owned(),
            ..template
        };
        Some((template, name))
    }

    /// The directory template of the group `path` falls in at `depth`:
    /// `src/core/lib.rs` at depth 2 is `src/{name}/**` named `core`. `None` for files
    /// above the depth, which are in no directory group.
    pub fn of_group(path: &str, depth: usize) -> Option<(Template, &str)> {
        let end = path.match_indices('/').nth(depth.checked_sub(1)?)?.0;
        let start = path[..end].rfind('/').map_or(0, |i| i + 1);
        let template = Template {
            dir: path[..start].to_owned(),
            prefix: String::new(),
            ext: String::new(),
            tree: true,
        };
        Some((template, &path[start..end]))
    }

    /// Every template `path` is an instance of, with its name.
    pub fn all_of(path: &str, depth: usize) -> impl Iterator<Item = (Template, &str)> {
        Template::of(path)
            .into_iter()
            .chain(Template::prefixed(path))
            .chain(Template::of_group(path, depth))
    }

    /// The glob with a `{name}` capture.
    pub fn glob(&self) -> String {
        self.glob_with(None)
    }

    /// The glob with a `{name}` capture written in a case style: `{name|kebab}`.
    pub fn glob_with(&self, transform: Option<Transform>) -> String {
        let capture = match transform {
            Some(t) => format!("{{name|{}}}", t.as_str()),
            None => "{name}".to_owned(),
        };
        if self.tree {
            format!("{}{capture}/**", escape_glob(&self.dir))
        } else {
            format!(
                "{}{}{capture}{}",
                escape_glob(&self.dir),
                escape_glob(&self.prefix),
                escape_glob(&self.ext)
            )
        }
    }

    /// The glob for one name.
    pub fn path(&self, name: &str) -> String {
        if self.tree {
            format!("{}{name}/**", self.dir)
        } else {
            format!("{}{}{name}{}", self.dir, self.prefix, self.ext)
        }
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.glob())
    }
}

/// What a path is, for choosing the direction of a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Code,
    Test,
    /// A file that follows code: the companion kind it would get in a rule.
    Artifact(&'static str),
}

impl Role {
    /// The companion kind for a rule's `then`.
    pub fn kind(self) -> &'static str {
        match self {
            Role::Code => "file",
            Role::Test => "tests",
            Role::Artifact(kind) => kind,
        }
    }
}

const ARTIFACT_DIRS: [(&str, &str); 20] = [
    ("docs", "docs"),
    ("doc", "docs"),
    ("documentation", "docs"),
    ("man", "man"),
    ("site", "docs"),
    ("sdk", "sdk"),
    ("sdks", "sdk"),
    ("clients", "sdk"),
    ("client-libraries", "sdk"),
    ("dashboards", "dashboard"),
    ("grafana", "dashboard"),
    ("monitoring", "dashboard"),
    ("alerts", "dashboard"),
    ("runbooks", "runbook"),
    ("runbook", "runbook"),
    ("playbooks", "runbook"),
    ("changelog.d", "changelog"),
    (".changeset", "changelog"),
    ("generated", "generated"),
    ("gen", "generated"),
];

const TEST_DIRS: [&str; 6] = ["tests", "test", "testdata", "__tests__", "spec", "fixtures"];

const DOC_EXTS: [&str; 7] = ["md", "mdx", "rst", "adoc", "asciidoc", "txt", "html"];

/// The role of a path (or of a directory given with its trailing slash), from its
/// directories, name and extension.
pub fn role(path: &str) -> Role {
    let lower = path.to_ascii_lowercase();
    let (dirs, name) = match lower.rfind('/') {
        Some(i) => (&lower[..i], &lower[i + 1..]),
        None => ("", lower.as_str()),
    };
    if let Some(kind) = name_kind(name) {
        return Role::Artifact(kind);
    }
    if let Some(kind) = man_kind(dirs, name) {
        return Role::Artifact(kind);
    }
    for dir in dirs.split('/') {
        if let Some((_, kind)) = ARTIFACT_DIRS.iter().find(|(d, _)| *d == dir) {
            return Role::Artifact(kind);
        }
        if TEST_DIRS.contains(&dir) {
            return Role::Test;
        }
    }
    if is_test_name(name) {
        return Role::Test;
    }
    match name.rsplit_once('.') {
        Some((_, ext)) if DOC_EXTS.contains(&ext) => Role::Artifact("docs"),
        _ => Role::Code,
    }
}

/// Man pages: a rendered page (`etc/man/cargo-build.1`, or a page rendered to text or
/// HTML under a `generated*` directory) is generated output; its source under a `man/`
/// directory is a man page.
fn man_kind(dirs: &str, name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.').map_or("", |(_, ext)| ext);
    let rendered = ext.len() == 1 && ext.as_bytes()[0].is_ascii_digit();
    let in_man = dirs.split('/').any(|d| d == "man");
    let generated_dir = dirs.split('/').any(|d| d.starts_with("generated"));
    match () {
        _ if rendered || (in_man && generated_dir) => Some("generated"),
        _ if in_man => Some("man"),
        _ => None,
    }
}

fn name_kind(name: &str) -> Option<&'static str> {
    let (stem, ext) = name.split_once('.').unwrap_or((name, ""));
    // `src/history.rs` is code and `rules/changelog.toml` a rule pack; only prose counts.
    let prose = ext.is_empty() || ext == "markdown" || DOC_EXTS.contains(&ext);
    const CHANGELOGS: [&str; 6] = [
        "changelog",
        "changes",
        "history",
        "news",
        "release-notes",
        "releases",
    ];
    if prose && CHANGELOGS.contains(&stem) {
        return Some("changelog");
    }
    if prose && stem == "readme" {
        return Some("docs");
    }
    let lockfile = name.ends_with(".lock")
        || name == "package-lock.json"
        || name == "npm-shrinkwrap.json"
        || name == "pnpm-lock.yaml"
        || name == "go.sum";
    if lockfile {
        return Some("lockfile");
    }
    let generated = name.contains(".gen.")
        || name.contains("_generated.")
        || name.contains(".generated.")
        || name.ends_with(".pb.go")
        || name.ends_with("_pb2.py")
        || name.ends_with(".snap");
    if generated {
        return Some("generated");
    }
    if name.ends_with(".dashboard.json") {
        return Some("dashboard");
    }
    None
}

fn is_test_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_spec")
        || name.contains(".test.")
        || name.contains(".spec.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_group_by_directory_at_depth() {
        let dir = |d: &str| Group::Dir(d.to_owned());
        let file = |f: &str| Group::File(f.to_owned());
        assert_eq!(
            Group::of("services/payments/api/refund.proto", 2),
            dir("services/payments/")
        );
        assert_eq!(
            Group::of("services/payments/api/refund.proto", 1),
            dir("services/")
        );
        assert_eq!(Group::of("docs/api/users.md", 2), dir("docs/api/"));
        assert_eq!(Group::of("src/main.rs", 2), Group::Files("src/".to_owned()));
        assert_eq!(Group::of("src/main.rs", 2).glob(), "src/*");
        assert_eq!(Group::of("CHANGELOG.md", 2), file("CHANGELOG.md"));
        assert_eq!(Group::of("src/main.rs", 1), dir("src/"));
        assert_eq!(dir("a[1]/").glob(), "a\\[1\\]/**");
    }

    #[test]
    fn templates_split_directory_stem_and_extension() {
        let (template, stem) = Template::of("docs/api/users.md").expect("has a stem");
        assert_eq!(
            (template.glob().as_str(), stem),
            ("docs/api/{name}.md", "users")
        );
        assert_eq!(template.path("orders"), "docs/api/orders.md");
        let (template, stem) = Template::of("gen/users.pb.go").expect("has a stem");
        assert_eq!(
            (template.glob().as_str(), stem),
            ("gen/{name}.pb.go", "users")
        );
        let (template, stem) = Template::of("Makefile").expect("has a stem");
        assert_eq!((template.glob().as_str(), stem), ("{name}", "Makefile"));
        assert!(Template::of("src/.gitignore").is_none());
        let (template, name) =
            Template::prefixed("doc/man/cargo-generate-lockfile.md").expect("two words");
        assert_eq!(
            (template.glob().as_str(), name),
            ("doc/man/cargo-{name}.md", "generate-lockfile")
        );
        assert_eq!(
            template.glob_with(Some(Transform::Kebab)),
            "doc/man/cargo-{name|kebab}.md"
        );
        assert_eq!(template.path("build"), "doc/man/cargo-build.md");
        assert!(Template::prefixed("src/lib.rs").is_none());
        assert!(Template::prefixed("src/_private.rs").is_none());
        assert!(Template::prefixed("src/trailing-.rs").is_none());
        let (template, name) = Template::of_group("src/core/io/lib.rs", 2).expect("in a group");
        assert_eq!((template.glob().as_str(), name), ("src/{name}/**", "core"));
        assert_eq!(template.path("net"), "src/net/**");
        let (template, name) = Template::of_group("services/x.rs", 1).expect("in a group");
        assert_eq!((template.glob().as_str(), name), ("{name}/**", "services"));
        assert!(Template::of_group("src/lib.rs", 2).is_none());
    }

    #[test]
    fn roles_come_from_directories_names_and_extensions() {
        let cases = [
            ("src/api/users.rs", Role::Code),
            ("api/users.rs", Role::Code),
            ("docs/api/users.md", Role::Artifact("docs")),
            ("docs/", Role::Artifact("docs")),
            ("README.md", Role::Artifact("docs")),
            ("CHANGELOG.md", Role::Artifact("changelog")),
            ("sdk/go/client.go", Role::Artifact("sdk")),
            ("ops/dashboards/payments.json", Role::Artifact("dashboard")),
            ("ops/runbooks/payments.yaml", Role::Artifact("runbook")),
            ("Cargo.lock", Role::Artifact("lockfile")),
            ("web/pnpm-lock.yaml", Role::Artifact("lockfile")),
            ("api/users.pb.go", Role::Artifact("generated")),
            ("etc/man/cargo-build.1", Role::Artifact("generated")),
            (
                "doc/man/generated_txt/cargo-build.txt",
                Role::Artifact("generated"),
            ),
            ("doc/man/cargo-build.md", Role::Artifact("man")),
            ("tests/suggest.rs", Role::Test),
            ("pkg/users_test.go", Role::Test),
            ("web/users.test.ts", Role::Test),
            ("Cargo.toml", Role::Code),
            ("src/git/history.rs", Role::Code),
            ("rules/changelog.toml", Role::Code),
            ("NEWS", Role::Artifact("changelog")),
        ];
        for (path, expected) in cases {
            assert_eq!(role(path), expected, "{path}");
        }
    }
}
