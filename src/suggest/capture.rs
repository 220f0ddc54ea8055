//! Captured rules: pairs of templates (`api/{name}.rs`, `docs/api/{name}.md`) whose
//! files of one name change together, counted per (commit, name) as `audit` counts a
//! captured rule's cases.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::count::{Counts, Pair};
use super::group::{Group, Role, Template, role};
use super::rank::{DirEdge, Ranked, covered, one_direction, strong, tier};
use super::{History, Options, Unit};
use crate::rules::RuleSet;

/// A captured rule must hold for at least this many distinct names.
const MIN_NAMES: usize = 3;

/// A per-name pair: `from.path(name)` changes with `to.path(name)`.
#[derive(Debug, Clone)]
pub(super) struct CapturedEdge {
    pub(super) from: Template,
    pub(super) to: Template,
    tier: u8,
    kind: &'static str,
    revisions: u32,
    support: u32,
    names: usize,
    last: usize,
    /// The two files of one name in the last unit they changed together.
    pub(super) example: (String, String),
}

impl CapturedEdge {
    pub(super) fn into_ranked(self) -> Ranked {
        Ranked {
            tier: self.tier,
            when: vec![self.from.glob()],
            then: self.to.glob(),
            kind: self.kind,
            revisions: self.revisions,
            support: self.support,
            names: Some(self.names),
            last: self.last,
            slug_from: self.from.dir.clone(),
        }
    }
}

pub(super) fn captured_edges(
    history: &History,
    rules: Option<&RuleSet>,
    options: &Options,
) -> Vec<CapturedEdge> {
    let mut counts = Counts::default();
    let mut names: HashMap<(Template, Template), BTreeSet<String>> = HashMap::new();
    for (i, unit) in history.units.iter().enumerate() {
        let mut by_name: BTreeMap<&str, Vec<Template>> = BTreeMap::new();
        for path in &unit.paths {
            for (template, name) in Template::all_of(path, options.depth) {
                by_name.entry(name).or_default().push(template);
            }
        }
        for (name, mut templates) in by_name {
            templates.sort_unstable();
            templates.dedup();
            for (j, a) in templates.iter().enumerate() {
                for b in &templates[j + 1..] {
                    let key = if a < b {
                        (a.clone(), b.clone())
                    } else {
                        (b.clone(), a.clone())
                    };
                    names.entry(key).or_default().insert(name.to_owned());
                }
            }
            counts.add(templates, i);
        }
    }
    let distinct = |a: &Template, b: &Template| {
        let key = if a < b {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        };
        names.get(&key).map_or(0, BTreeSet::len)
    };
    let candidates: Vec<(Pair<'_, Template>, (u8, Role))> = counts
        .pairs(options.min_support)
        .into_iter()
        .filter(|p| strong(p, options) && distinct(p.from, p.to) >= MIN_NAMES)
        .filter_map(|p| {
            let to = role(&p.to.path("name"));
            tier(role(&p.from.path("name")), to).map(|t| (p, (t, to)))
        })
        .collect();
    one_direction(candidates)
        .into_iter()
        .filter_map(|(p, (tier, to_role))| {
            let unit = &history.units[p.together.last];
            let example = example_pair(unit, p.from, p.to, options.depth)?;
            Some(CapturedEdge {
                from: p.from.clone(),
                to: p.to.clone(),
                tier,
                kind: to_role.kind(),
                revisions: p.revisions,
                support: p.together.count,
                names: distinct(p.from, p.to),
                last: p.together.last,
                example,
            })
        })
        .filter(|e| !rules.is_some_and(|r| covered(r, &[&e.example.0], &[&e.example.1])))
        .collect()
}

/// Two files of one name in `unit`, one per template.
fn example_pair(
    unit: &Unit,
    from: &Template,
    to: &Template,
    depth: usize,
) -> Option<(String, String)> {
    let named = |template: &Template, name: &str, except: Option<&str>| {
        unit.paths.iter().find(|path| {
            Some(path.as_str()) != except
                && Template::all_of(path, depth).any(|(t, n)| t == *template && n == name)
        })
    };
    unit.paths.iter().find_map(|path| {
        let (_, name) = Template::all_of(path, depth).find(|(t, _)| t == from)?;
        let other = named(to, name, Some(path))?;
        Some((path.clone(), other.clone()))
    })
}

/// Whether a directory pair is one instance of a captured pair of directory templates
/// (`src/core/**` → `tests/core/**` of `src/{name}/**` → `tests/{name}/**`).
pub(super) fn instance_of(
    edge: &DirEdge,
    captured: &BTreeSet<(Template, Template)>,
    depth: usize,
) -> bool {
    let (Group::Dir(from), Group::Dir(to)) = (&edge.from, &edge.to) else {
        return false;
    };
    match (
        Template::of_group(from, depth),
        Template::of_group(to, depth),
    ) {
        (Some((a, m)), Some((b, n))) => m == n && captured.contains(&(a, b)),
        _ => false,
    }
}
