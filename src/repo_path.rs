//! Repository-relative paths as the rule set writes them: `/`-separated, with `.` and
//! `..` resolved, never leaving the repository's root.

use std::path::{Component, Path};

/// `path` taken relative to the repository directory `base` (`""` for the root, else
/// `a/b`), with `.` and `..` resolved; `None` when `path` is absolute or its `..` climb
/// out of the root.
pub fn join(base: &str, path: &Path) -> Option<String> {
    let mut parts: Vec<String> = base
        .split('/')
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().replace('\\', "/")),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_resolved_inside_the_root() {
        assert_eq!(
            join("services", Path::new("./api/x.proto")).as_deref(),
            Some("services/api/x.proto")
        );
        assert_eq!(
            join("services", Path::new("../docs/a.md")).as_deref(),
            Some("docs/a.md")
        );
        assert_eq!(
            join("", Path::new("a/../b.toml")).as_deref(),
            Some("b.toml")
        );
    }

    #[test]
    fn paths_leaving_the_root_are_refused() {
        assert_eq!(join("", Path::new("../x.toml")), None);
        assert_eq!(join("a", Path::new("../../x.toml")), None);
        assert_eq!(join("", Path::new("a/../../x.toml")), None);
        assert_eq!(join("", Path::new("/etc/passwd")), None);
    }
}
