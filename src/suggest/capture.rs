//! Captured rules: pairs of templates (`api/{name}.rs`, `docs/api/{name}.md`) whose
//! files of one name change together, counted per (commit, name) as `audit` counts a
//! captured rule's cases.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::count::{Counts, Pair};
use super::group::{Group, Role, Template, role};
use super::rank::{DirEdge, Ranked, covered, one_direction, strong, tier};
use super::{History, Options, Unit};
use crate::rules::{RuleSet, Transform, escape_glob};

/// A captured rule must hold for at least this many distinct names.
const MIN_NAMES: usize = 3;

/// A per-name pair: `from.path(name)` changes with `to.path(name)`, the name written in
/// `to`'s case style when it has one of its own.
#[derive(Debug, Clone)]
pub(super) struct CapturedEdge {
    pub(super) from: Template,
    pub(super) to: Template,
    /// How `to` writes the name `from` binds: `{name|kebab}`.
    transform: Option<Transform>,
    tier: u8,
    kind: &'static str,
    revisions: u32,
    support: u32,
    names: usize,
    last: usize,
    /// The two files of one name in the last unit they changed together.
    pub(super) example: (String, String),
    /// Files at HEAD `from` names whose companion names no file.
    unless: Vec<String>,
}

impl CapturedEdge {
    pub(super) fn into_ranked(self) -> Ranked {
        Ranked {
            tier: self.tier,
            when: vec![self.from.glob()],
            then: self.to.glob_with(self.transform),
            kind: self.kind,
            revisions: self.revisions,
            support: self.support,
            names: Some(self.names),
            last: self.last,
            slug_from: self.from.dir.clone(),
            unless: self.unless,
        }
    }
}

/// A pair's tier, its companion's role and how the companion writes the name.
type Verdict = (u8, Role, Option<Transform>);

/// A name as it is written, and the key names of any case style meet under
/// (`generate-lockfile`, `generate_lockfile` and `GenerateLockfile` alike).
fn key(name: &str) -> String {
    Transform::Snake.apply(name)
}

/// The names two templates changed together under: key → (as the smaller template
/// writes it, as the larger one does).
type Names = BTreeMap<String, (String, String)>;

pub(super) fn captured_edges(
    history: &History,
    rules: Option<&RuleSet>,
    options: &Options,
) -> Vec<CapturedEdge> {
    let mut counts = Counts::default();
    let mut names: HashMap<(Template, Template), Names> = HashMap::new();
    for (i, unit) in history.units.iter().enumerate() {
        let mut by_name: BTreeMap<String, Vec<(Template, &str)>> = BTreeMap::new();
        for path in &unit.paths {
            for (template, name) in Template::all_of(path, options.depth) {
                by_name.entry(key(name)).or_default().push((template, name));
            }
        }
        for (name, mut templates) in by_name {
            templates.sort_unstable();
            templates.dedup_by(|a, b| a.0 == b.0);
            for (j, (a, a_name)) in templates.iter().enumerate() {
                for (b, b_name) in &templates[j + 1..] {
                    names
                        .entry((a.clone(), b.clone()))
                        .or_default()
                        .insert(name.clone(), ((*a_name).to_owned(), (*b_name).to_owned()));
                }
            }
            counts.add(templates.into_iter().map(|(t, _)| t), i);
        }
    }
    let named = |a: &Template, b: &Template| {
        let key = if a < b {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        };
        names.get(&key)
    };
    let distinct = |a: &Template, b: &Template| named(a, b).map_or(0, BTreeMap::len);
    let candidates: Vec<(Pair<'_, Template>, Verdict)> = counts
        .pairs(options.min_support)
        .into_iter()
        .filter(|p| strong(p, options) && distinct(p.from, p.to) >= MIN_NAMES)
        .filter(|p| !same_prefix(p.from, p.to))
        .filter_map(|p| {
            let written = named(p.from, p.to)?;
            let transform = case_style(written, p.from < p.to)?;
            let to = role(&p.to.path("name"));
            tier(role(&p.from.path("name")), to).map(|t| (p, (t, to, transform)))
        })
        .collect();
    one_direction(candidates)
        .into_iter()
        .filter_map(|(p, (tier, to_role, transform))| {
            let unit = &history.units[p.together.last];
            let example = example_pair(unit, p.from, p.to, options.depth)?;
            let unless = without_counterpart(history, p.from, p.to, transform, options.depth);
            Some(CapturedEdge {
                unless,
                from: p.from.clone(),
                to: p.to.clone(),
                transform,
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

/// The files at HEAD that file template `from` names and whose file of `to`, of the
/// same name, is not tracked: a rule requiring it could never be satisfied there.
fn without_counterpart(
    history: &History,
    from: &Template,
    to: &Template,
    transform: Option<Transform>,
    depth: usize,
) -> Vec<String> {
    if from.tree || to.tree {
        return Vec::new();
    }
    let tracked = &history.tracked;
    tracked
        .iter()
        .filter(|path| {
            Template::all_of(path, depth).any(|(t, name)| {
                let written = transform.map_or_else(|| name.to_owned(), |t| t.apply(name));
                t == *from && tracked.binary_search(&to.path(&written)).is_err()
            })
        })
        .map(|path| escape_glob(path))
        .collect()
}

/// Two templates with the same prefix (`doc/man/cargo-{name}.md`, `etc/man/cargo-{name}.1`)
/// pair what their templates without it pair already.
fn same_prefix(a: &Template, b: &Template) -> bool {
    !a.prefix.is_empty() && a.prefix == b.prefix
}

/// How the companion writes the names the trigger binds: `Some(None)` as they are,
/// `Some(Some(t))` through one case style for every name, `None` when no style fits
/// them all. `forward`: the trigger is the smaller template of the pair.
fn case_style(names: &Names, forward: bool) -> Option<Option<Transform>> {
    let pairs = || {
        names.values().map(move |(a, b)| match forward {
            true => (a.as_str(), b.as_str()),
            false => (b.as_str(), a.as_str()),
        })
    };
    if pairs().all(|(from, to)| from == to) {
        return Some(None);
    }
    Transform::ALL
        .into_iter()
        .find(|t| pairs().all(|(from, to)| t.apply(from) == to))
        .map(Some)
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
                && Template::all_of(path, depth).any(|(t, n)| t == *template && key(n) == name)
        })
    };
    unit.paths.iter().find_map(|path| {
        let (_, name) = Template::all_of(path, depth).find(|(t, _)| t == from)?;
        let other = named(to, &key(name), Some(path))?;
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
