//! Misses fixed later: a missed companion (same binding) changed by a later unit of the
//! audited range. The audit watches every open miss as later units go by.
//!
//! Many misses wait for the same companion (every unit that changed `builtin/log.c`
//! without `Documentation/git-log.adoc`), so each distinct companion is compiled and
//! matched once per unit, however many misses wait for it.

use std::collections::HashMap;

use super::Fix;
use crate::day::Day;
use crate::finding::Missing;
use crate::rules::Pattern;

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
    Glob { pattern: Box<Pattern>, dir: String },
}

impl Wanted {
    fn new(paths: &[String]) -> Wanted {
        Wanted {
            paths: paths
                .iter()
                .filter_map(|path| {
                    if Pattern::is_literal(path) {
                        return Some(WantedPath::Exact(path.clone()));
                    }
                    let pattern = Box::new(Pattern::new(path).ok()?);
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
                .or_insert_with(|| Wanted::new(&m.paths))
                .waiting
                .push(index);
        }
    }

    /// A later unit, commit `id`, changed `changed`: the misses it completes, with
    /// their fix, in the order they were missed.
    pub fn unit(&mut self, id: &str, day: Day, changed: &[String]) -> Vec<(usize, Fix)> {
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
                    commit: id.to_owned(),
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
    use super::*;

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
        let fixed = watch.unit("a", day("2026-01-04"), &changed(&["docs/api.md"]));
        let fixed: Vec<(usize, i64)> = fixed.iter().map(|(case, fix)| (*case, fix.days)).collect();
        assert_eq!(fixed, [(3, 3), (8, 1)], "case 5 still waits for the SDK");
        assert!(
            watch
                .unit("b", day("2026-01-05"), &changed(&["sdk/x.go"]))
                .is_empty()
        );
        let fixed = watch.unit("c", day("2026-01-06"), &changed(&["sdk/go/a.go"]));
        assert_eq!(fixed.len(), 1);
        assert_eq!((fixed[0].0, fixed[0].1.commit.as_str()), (5, "c"));
    }
}
