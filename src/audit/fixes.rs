//! Misses fixed later: a missed companion (same binding) changed by a later unit of the
//! audited range. The audit watches every open miss as later units go by.
//!
//! Many misses wait for the same companion (every unit that changed `builtin/log.c`
//! without `Documentation/git-log.adoc`), so each distinct companion is matched once per
//! unit, however many misses wait for it; and each distinct glob is compiled once per
//! audit, however many companions hold it (`src/doc/**` beside each crate's README).

use std::collections::HashMap;
use std::rc::Rc;

use git2::Oid;

use super::Fix;
use crate::annotations::Reads;
use crate::change::Change;
use crate::day::Day;
use crate::finding::Missing;
use crate::rules::{Pattern, RuleSet};

/// The changed paths a unit hands over for the [`Watch`]: those some miss could wait
/// for, so most units hand over none. A rule's companion path only matches paths that
/// start with its text up to its first wildcard, escape or capture; a block's target
/// can be any file.
#[derive(Debug, Clone)]
pub struct Watched {
    /// `None`: every path.
    starts: Option<Vec<String>>,
}

impl Watched {
    /// The paths the misses of `rules` may wait for, with blocks read as `reads` says.
    pub fn new(rules: &RuleSet, reads: Reads<'_>) -> Watched {
        let mut starts: Vec<String> = rules
            .rules
            .iter()
            .flat_map(|rule| &rule.companions)
            .flat_map(|companion| &companion.paths)
            .map(|pattern| {
                let text = pattern.text();
                let end = text.find(['*', '?', '[', '{', '\\']).unwrap_or(text.len());
                text[..end].to_owned()
            })
            .collect();
        starts.sort_unstable();
        starts.dedup();
        let blocks = rules.settings.annotations && !reads.is_none();
        let every = blocks || starts.iter().any(String::is_empty);
        Watched {
            starts: (!every).then_some(starts),
        }
    }

    /// The paths of `changes` (both sides of a rename) kept.
    pub fn changed(&self, changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .flat_map(Change::paths)
            .filter(|path| self.keeps(path))
            .map(str::to_owned)
            .collect()
    }

    pub fn keeps(&self, path: &str) -> bool {
        self.starts
            .as_ref()
            .is_none_or(|starts| starts.iter().any(|start| path.starts_with(start.as_str())))
    }
}

/// A missing companion: any of its paths will do.
struct Wanted {
    paths: Vec<WantedPath>,
    /// The open misses waiting for it, by their index in [`Watch::open`].
    waiting: Vec<usize>,
}

/// One path of a missing companion: most name one file (`Documentation/git-log.adoc`),
/// compared as they are; a glob is matched under the directory it lies in.
enum WantedPath {
    Exact(String),
    Glob { pattern: Rc<Pattern>, dir: String },
}

/// The globs of companions, by their text, each compiled at its first match.
type Globs = HashMap<String, Option<Rc<Pattern>>>;

impl Wanted {
    fn new(paths: &[String], globs: &mut Globs) -> Wanted {
        Wanted {
            paths: paths
                .iter()
                .filter_map(|path| {
                    if Pattern::is_literal(path) {
                        return Some(WantedPath::Exact(path.clone()));
                    }
                    let pattern = globs
                        .entry(path.clone())
                        .or_insert_with(|| Pattern::new(path).ok().map(Rc::new))
                        .clone()?;
                    let dir = pattern.base_dir().to_owned();
                    Some(WantedPath::Glob { pattern, dir })
                })
                .collect(),
            waiting: Vec::new(),
        }
    }

    fn met_by(&self, changed: &[String]) -> bool {
        self.paths.iter().any(|wanted| match wanted {
            WantedPath::Exact(exact) => changed.iter().any(|path| path == exact),
            WantedPath::Glob { pattern, dir } => changed
                .iter()
                .any(|path| path.starts_with(dir.as_str()) && pattern.is_match(path)),
        })
    }
}

/// A miss whose companions have not all changed since.
struct Open {
    case: usize,
    day: Day,
    /// Companions not changed yet.
    left: usize,
}

/// The open misses, in the order they were missed, and the companions they wait for.
#[derive(Default)]
pub struct Watch {
    open: Vec<Open>,
    /// Companions some open miss waits for, by their paths.
    wanted: HashMap<Vec<String>, Wanted>,
    globs: Globs,
}

impl Watch {
    /// Starts watching the miss `case`, made on `day`.
    pub fn miss(&mut self, case: usize, day: Day, missing: &[Missing]) {
        let index = self.open.len();
        self.open.push(Open {
            case,
            day,
            left: missing.len(),
        });
        for m in missing {
            self.wanted
                .entry(m.paths.clone())
                .or_insert_with(|| Wanted::new(&m.paths, &mut self.globs))
                .waiting
                .push(index);
        }
    }

    /// A later unit, commit `id`, changed `changed`: the misses it completes, with
    /// their fix, in the order they were missed.
    pub fn unit(&mut self, id: Oid, day: Day, changed: &[String]) -> Vec<(usize, Fix)> {
        let mut done = Vec::new();
        self.wanted.retain(|_, wanted| {
            if !wanted.met_by(changed) {
                return true;
            }
            for &index in &wanted.waiting {
                let open = &mut self.open[index];
                open.left -= 1;
                if open.left == 0 {
                    done.push(index);
                }
            }
            false
        });
        done.sort_unstable();
        done.into_iter()
            .map(|index| {
                let open = &self.open[index];
                let fix = Fix {
                    commit: id.to_string(),
                    date: day.to_date(),
                    days: day.days_since(open.day),
                };
                (open.case, fix)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn a_unit_hands_over_only_the_paths_a_companion_could_match() {
        let text = r#"version = 1
[settings]
annotations = ANNOTATIONS
[[rule]]
id = "a"
when = ["src/{m}.rs"]
then = ["docs/{m}.md", "sdk/go/**", "api/v[12]/x", "api/\\*.md", "CHANGELOG.md"]
"#;
        let rules = |annotations: bool| {
            RuleSet::from_toml(&text.replace("ANNOTATIONS", &annotations.to_string()))
                .expect("rules")
        };
        let (no_blocks, blocks) = (HashSet::new(), HashSet::from(["a.rs".to_owned()]));
        let watched = Watched::new(&rules(true), Reads::Paths(&no_blocks));
        let kept = [
            "docs/x.md",
            "docs/a/b.md",
            "sdk/go/a/b.go",
            "api/v1/x",
            "api/*.md",
            "CHANGELOG.md",
        ];
        for path in kept {
            assert!(watched.keeps(path), "{path}");
        }
        for path in [
            "src/x.rs",
            "doc/x.md",
            "README.md",
            "sdk/rust/a",
            "Api/v1/x",
        ] {
            assert!(!watched.keeps(path), "{path}");
        }
        // A block's target can be any file; without the annotation pass there is none.
        assert!(Watched::new(&rules(true), Reads::Paths(&blocks)).keeps("src/x.rs"));
        assert!(Watched::new(&rules(true), Reads::Every).keeps("src/x.rs"));
        assert!(!Watched::new(&rules(false), Reads::Paths(&blocks)).keeps("src/x.rs"));
        // A companion path that starts with a capture or a wildcard can be any file.
        for then in ["{m}/README.md", "**/CHANGES", "[ab]/x"] {
            let rules = RuleSet::from_toml(&format!(
                "version = 1\n[[rule]]\nid = \"a\"\nwhen = [\"src/{{m}}.rs\"]\nthen = [\"{then}\"]\n"
            ))
            .expect("rules");
            let watched = Watched::new(&rules, Reads::Paths(&no_blocks));
            assert!(watched.keeps("src/x.rs"), "{then}");
        }
    }

    fn missing(paths: &[&str]) -> Missing {
        Missing {
            kind: "docs".to_owned(),
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    fn changed(paths: &[&str]) -> Vec<String> {
        paths.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn misses_waiting_for_the_same_companion_are_fixed_together_in_missed_order() {
        let day = |text| Day::parse(text).expect("day");
        let mut watch = Watch::default();
        let docs = missing(&["docs/api.md"]);
        let sdk = missing(&["sdk/go/**"]);
        watch.miss(3, day("2026-01-01"), std::slice::from_ref(&docs));
        watch.miss(5, day("2026-01-02"), &[docs.clone(), sdk]);
        watch.miss(8, day("2026-01-03"), &[docs]);
        let commit = |n: u8| Oid::from_bytes(&[n; 20]).expect("an id");
        let fixed = watch.unit(commit(0xa), day("2026-01-04"), &changed(&["docs/api.md"]));
        let fixed: Vec<(usize, i64)> = fixed.iter().map(|(case, fix)| (*case, fix.days)).collect();
        assert_eq!(fixed, [(3, 3), (8, 1)], "case 5 still waits for the SDK");
        assert!(
            watch
                .unit(commit(0xb), day("2026-01-05"), &changed(&["sdk/x.go"]))
                .is_empty()
        );
        let fixed = watch.unit(commit(0xc), day("2026-01-06"), &changed(&["sdk/go/a.go"]));
        assert_eq!(fixed.len(), 1);
        assert_eq!(
            (fixed[0].0, fixed[0].1.commit.as_str()),
            (5, "0c".repeat(20).as_str())
        );
    }

    #[test]
    fn companions_sharing_a_glob_share_its_pattern_and_each_is_fixed() {
        let day = |text| Day::parse(text).expect("day");
        let commit = |n: u8| Oid::from_bytes(&[n; 20]).expect("an id");
        let mut watch = Watch::default();
        let crate_a = missing(&["crates/a/README.md", "src/doc/**"]);
        let crate_b = missing(&["crates/b/README.md", "src/doc/**"]);
        watch.miss(1, day("2026-01-01"), std::slice::from_ref(&crate_a));
        watch.miss(2, day("2026-01-01"), &[crate_b]);
        let patterns: Vec<*const Pattern> = watch
            .wanted
            .values()
            .flat_map(|wanted| &wanted.paths)
            .filter_map(|path| match path {
                WantedPath::Glob { pattern, .. } => Some(Rc::as_ptr(pattern)),
                WantedPath::Exact(_) => None,
            })
            .collect();
        assert_eq!(patterns.len(), 2);
        assert_eq!(patterns[0], patterns[1], "compiled once");
        assert!(
            watch
                .unit(commit(1), day("2026-01-02"), &changed(&["src/docs/x.md"]))
                .is_empty()
        );
        let fixed = watch.unit(commit(2), day("2026-01-03"), &changed(&["src/doc/x.md"]));
        let cases: Vec<usize> = fixed.iter().map(|(case, _)| *case).collect();
        assert_eq!(cases, [1, 2]);
        // Missed again once fixed: the glob is still known, and still matches.
        watch.miss(3, day("2026-01-04"), &[crate_a]);
        let fixed = watch.unit(commit(3), day("2026-01-05"), &changed(&["src/doc/y.md"]));
        assert_eq!(fixed.len(), 1);
        assert_eq!(fixed[0].0, 3);
    }
}
