//! Misses fixed later: a missed companion (same binding) changed by a later unit of the
//! audited range. The audit watches every open miss as later units go by.

use super::{CommitInfo, Fix};
use crate::day::Day;
use crate::finding::Missing;
use crate::rules::Pattern;

/// One missing companion still waiting for a change: any of its paths will do.
struct Wanted {
    paths: Vec<Pattern>,
}

impl Wanted {
    fn new(missing: &Missing) -> Wanted {
        Wanted {
            paths: missing
                .paths
                .iter()
                .filter_map(|p| Pattern::new(p).ok())
                .collect(),
        }
    }

    fn met_by(&self, changed: &[String]) -> bool {
        self.paths.iter().any(|pattern| {
            let dir = pattern.base_dir();
            changed
                .iter()
                .any(|path| path.starts_with(dir) && pattern.bind(path).is_some())
        })
    }
}

/// A miss whose companions have not all changed since.
struct Open {
    case: usize,
    day: Day,
    wanted: Vec<Wanted>,
}

/// The open misses, in the order they were missed.
#[derive(Default)]
pub struct Watch {
    open: Vec<Open>,
}

impl Watch {
    /// Starts watching the miss `case`, made on `day`.
    pub fn miss(&mut self, case: usize, day: Day, missing: &[Missing]) {
        self.open.push(Open {
            case,
            day,
            wanted: missing.iter().map(Wanted::new).collect(),
        });
    }

    /// A later unit changed `changed`: the misses it completes, with their fix.
    pub fn unit(&mut self, commit: &CommitInfo, day: Day, changed: &[String]) -> Vec<(usize, Fix)> {
        let mut fixed = Vec::new();
        self.open.retain_mut(|open| {
            open.wanted.retain(|wanted| !wanted.met_by(changed));
            if !open.wanted.is_empty() {
                return true;
            }
            fixed.push((
                open.case,
                Fix {
                    commit: commit.clone(),
                    days: day.days_since(open.day),
                },
            ));
            false
        });
        fixed
    }
}
