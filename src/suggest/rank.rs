//! From counts to rules: directed pairs strong enough to require, in the direction from
//! code to what follows it, not already required by the current rule set.

use crate::day::Day;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::capture::{captured_edges, instance_of};
use super::count::{Counts, Pair};
use super::group::{Group, Role, Template, role};
use super::{
    Contradiction, Evidence, Example, History, Options, SuggestedCompanion, Suggestion,
    Suggestions, Unit, Window,
};
use crate::change::{Change, Status};
use crate::rules::escape_glob;
use crate::rules::{RESERVED_IDS, RuleSet};

/// Ranks the history's co-changes into suggestions and finds contradicted rules.
pub fn analyse(history: &History, rules: Option<&RuleSet>, options: &Options) -> Suggestions {
    let groups: Vec<Vec<Group>> = history
        .units
        .iter()
        .map(|u| {
            u.paths
                .iter()
                .map(|p| Group::of(p, options.depth))
                .collect()
        })
        .collect();
    let captured = captured_edges(history, rules, options);
    let trees: BTreeSet<(Template, Template)> = captured
        .iter()
        .filter(|e| e.from.tree && e.to.tree)
        .map(|e| (e.from.clone(), e.to.clone()))
        .collect();
    let subsumed: BTreeSet<(Group, Group)> = captured
        .iter()
        .map(|e| {
            (
                Group::of(&e.example.0, options.depth),
                Group::of(&e.example.1, options.depth),
            )
        })
        .collect();
    let directory = directory_edges(history, &groups, rules, options)
        .into_iter()
        .filter(|e| !subsumed.contains(&(e.from.clone(), e.to.clone())))
        .filter(|e| !instance_of(e, &trees, options.depth))
        .map(|e| narrow(e, history, &groups, options))
        .collect();
    let mut ranked: Vec<Ranked> = captured
        .into_iter()
        .map(|e| e.into_ranked())
        .chain(merge_by_target(directory, history, &groups, options))
        .collect();
    ranked.sort_by(|a, b| {
        (a.tier, b.confidence(), b.support, &a.when, &a.then)
            .partial_cmp(&(b.tier, a.confidence(), a.support, &b.when, &b.then))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut taken: BTreeSet<String> = RESERVED_IDS.iter().map(|s| (*s).to_owned()).collect();
    if let Some(rules) = rules {
        taken.extend(rules.rules.iter().map(|r| r.id.clone()));
    }
    let suggestions = by_when(ranked)
        .into_iter()
        .take(options.limit)
        .map(|companions| suggestion(companions, history, &mut taken))
        .collect();
    Suggestions {
        version: 1,
        window: Window {
            since: history.since.to_date(),
            until: history.until.to_date(),
            commits: history.units.len(),
            skipped_large: history.large,
            skipped_bots: history.bots,
            skipped_bumps: history.bumps,
        },
        has_rule_set: rules.is_some(),
        suggestions,
        contradicted: contradictions(history, options),
    }
}

/// Which directed pairs may become rules, and how much they are preferred (lower is
/// better): code → artifact and a source → its generated output, then code → tests,
/// then the rest. Generated output and lockfiles never trigger a rule.
pub(super) fn tier(from: Role, to: Role) -> Option<u8> {
    match (from, to) {
        (Role::Artifact("generated" | "lockfile"), _) => None,
        (Role::Code | Role::Artifact(_), Role::Artifact("generated")) => Some(0),
        (Role::Code, Role::Artifact(_)) => Some(0),
        (Role::Code, Role::Test) => Some(1),
        (Role::Code, Role::Code)
        | (Role::Artifact(_), Role::Artifact(_))
        | (Role::Test, Role::Artifact("generated")) => Some(2),
        _ => None,
    }
}

pub(super) fn strong<K>(pair: &Pair<'_, K>, options: &Options) -> bool {
    pair.together.count >= options.min_support && pair.confidence() >= options.min_confidence
}

/// Keeps one direction of a pair that is strong both ways: the more confident one.
pub(super) fn one_direction<'a, K: Ord, T>(
    candidates: Vec<(Pair<'a, K>, T)>,
) -> Vec<(Pair<'a, K>, T)> {
    let strength: BTreeMap<(&K, &K), f64> = candidates
        .iter()
        .map(|(p, _)| ((p.from, p.to), p.confidence()))
        .collect();
    candidates
        .into_iter()
        .filter(|(p, _)| match strength.get(&(p.to, p.from)) {
            Some(&reverse) => {
                let c = p.confidence();
                c > reverse || (c == reverse && p.from < p.to)
            }
            None => true,
        })
        .collect()
}

/// A directory-group pair strong enough to suggest.
#[derive(Debug, Clone)]
pub(super) struct DirEdge {
    pub(super) from: Group,
    pub(super) to: Group,
    tier: u8,
    kind: &'static str,
    revisions: u32,
    support: u32,
    last: usize,
}

fn directory_edges(
    history: &History,
    groups: &[Vec<Group>],
    rules: Option<&RuleSet>,
    options: &Options,
) -> Vec<DirEdge> {
    let mut counts = Counts::default();
    let mut votes: HashMap<&Group, BTreeMap<Role, u32>> = HashMap::new();
    for (i, (unit, unit_groups)) in history.units.iter().zip(groups).enumerate() {
        for (path, group) in unit.paths.iter().zip(unit_groups) {
            *votes
                .entry(group)
                .or_default()
                .entry(role(path))
                .or_default() += 1;
        }
        counts.add(unit_groups.iter().cloned(), i);
    }
    let group_role = |g: &Group| {
        votes
            .get(g)
            .and_then(|v| v.iter().max_by_key(|(role, n)| (**n, **role)))
            .map_or(Role::Code, |(role, _)| *role)
    };
    let candidates: Vec<(Pair<'_, Group>, (u8, Role))> = counts
        .pairs(options.min_support)
        .into_iter()
        .filter(|p| strong(p, options))
        .filter_map(|p| {
            let to = group_role(p.to);
            tier(group_role(p.from), to).map(|t| (p, (t, to)))
        })
        .collect();
    one_direction(candidates)
        .into_iter()
        .map(|(p, (tier, to_role))| DirEdge {
            from: p.from.clone(),
            to: p.to.clone(),
            tier,
            kind: to_role.kind(),
            revisions: p.revisions,
            support: p.together.count,
            last: p.together.last,
        })
        .filter(|e| {
            let unit = &history.units[e.last];
            let side = |g: &Group| -> Vec<&str> {
                unit.paths
                    .iter()
                    .zip(&groups[e.last])
                    .filter(|(_, ug)| *ug == g)
                    .map(|(p, _)| p.as_str())
                    .collect()
            };
            !rules.is_some_and(|r| covered(r, &side(&e.from), &side(&e.to)))
        })
        .collect()
}

/// Whether a rule of the current set, triggered by one of `from`, requires a companion
/// that one of `to` satisfies.
pub(super) fn covered(rules: &RuleSet, from: &[&str], to: &[&str]) -> bool {
    let changes: Vec<Change> = from
        .iter()
        .map(|p| Change::new(*p, Status::Modified))
        .collect();
    rules.candidates(&changes).iter().any(|candidate| {
        rules.rules[candidate.rule]
            .companions
            .iter()
            .any(|companion| {
                companion
                    .paths
                    .iter()
                    .filter_map(|p| p.resolve(&candidate.bindings))
                    .any(|m| to.iter().any(|t| m.is_match(t)))
            })
    })
}

/// Whether a unit changed a group, or one file (a narrowed target).
fn changes(unit: &Unit, unit_groups: &[Group], target: &Group) -> bool {
    match target {
        Group::File(path) => unit.paths.binary_search(path).is_ok(),
        _ => unit_groups.contains(target),
    }
}

/// A directory target narrowed to one file when that file alone was in nearly every
/// co-change (`docs/payments/**` → `docs/payments/api.md`), and still strong enough.
fn narrow(edge: DirEdge, history: &History, groups: &[Vec<Group>], options: &Options) -> DirEdge {
    if matches!(edge.to, Group::File(_)) {
        return edge;
    }
    let mut files: BTreeMap<&str, (u32, usize)> = BTreeMap::new();
    for (i, (unit, unit_groups)) in history.units.iter().zip(groups).enumerate() {
        if !unit_groups.contains(&edge.from) {
            continue;
        }
        for (path, group) in unit.paths.iter().zip(unit_groups) {
            if *group == edge.to {
                let entry = files.entry(path).or_insert((0, i));
                entry.0 += 1;
                entry.1 = i;
            }
        }
    }
    let Some((file, (support, last))) = files.into_iter().max_by_key(|(_, (n, _))| *n) else {
        return edge;
    };
    let nearly_all = f64::from(support) >= 0.9 * f64::from(edge.support);
    let confidence = f64::from(support) / f64::from(edge.revisions.max(1));
    if nearly_all && support >= options.min_support && confidence >= options.min_confidence {
        DirEdge {
            to: Group::File(file.to_owned()),
            support,
            last,
            ..edge
        }
    } else {
        edge
    }
}

/// Directory pairs with the same target become one rule listing every source, when
/// together they are still confident enough.
fn merge_by_target(
    edges: Vec<DirEdge>,
    history: &History,
    groups: &[Vec<Group>],
    options: &Options,
) -> Vec<Ranked> {
    let mut by_target: BTreeMap<(Group, u8), Vec<DirEdge>> = BTreeMap::new();
    for edge in edges {
        by_target
            .entry((edge.to.clone(), edge.tier))
            .or_default()
            .push(edge);
    }
    let known: BTreeSet<&Group> = groups.iter().flatten().collect();
    let mut ranked = Vec::new();
    for ((target, tier), mut edges) in by_target {
        edges.sort_by_key(|e| e.from.glob());
        let single = |e: &DirEdge| Ranked {
            tier: e.tier,
            when: vec![e.from.glob()],
            then: e.to.glob(),
            kind: e.kind,
            revisions: e.revisions,
            support: e.support,
            names: None,
            last: e.last,
            slug_from: e.from.path().to_owned(),
            unless: Vec::new(),
        };
        if edges.len() == 1 {
            ranked.extend(edges.iter().map(single));
            continue;
        }
        let sources: Vec<&Group> = edges.iter().map(|e| &e.from).collect();
        let (mut revisions, mut support, mut last) = (0, 0, 0);
        for (i, unit_groups) in groups.iter().enumerate() {
            if unit_groups.iter().any(|g| sources.contains(&g)) {
                revisions += 1;
                if changes(&history.units[i], unit_groups, &target) {
                    support += 1;
                    last = i;
                }
            }
        }
        let parent = collapse(&sources, &known, &target);
        let merged = Ranked {
            tier,
            when: match parent {
                Some(parent) => vec![format!("{}**", escape_glob(parent))],
                None => sources.iter().map(|g| g.glob()).collect(),
            },
            then: target.glob(),
            kind: edges[0].kind,
            revisions,
            support,
            names: None,
            last,
            slug_from: parent.unwrap_or(edges[0].from.path()).to_owned(),
            unless: Vec::new(),
        };
        if merged.confidence() >= options.min_confidence && history.units.len() > last {
            ranked.push(merged);
        } else {
            ranked.extend(edges.iter().map(single));
        }
    }
    ranked
}

/// The directory whose groups seen in history are exactly `sources`, when there is one
/// and the target lies outside it: the rule can then say `parent/**`.
fn collapse<'a>(
    sources: &[&'a Group],
    known: &BTreeSet<&Group>,
    target: &Group,
) -> Option<&'a str> {
    let first = sources.first()?.path();
    let mut common = first.len();
    for source in &sources[1..] {
        common = first
            .bytes()
            .zip(source.path().bytes())
            .take(common)
            .take_while(|(a, b)| a == b)
            .count();
    }
    let parent = &first[..first[..common].rfind('/')? + 1];
    let complete = known
        .iter()
        .filter(|g| g.path().starts_with(parent))
        .all(|g| sources.contains(g));
    (complete && !target.path().starts_with(parent)).then_some(parent)
}

/// A rule to suggest, before it gets an id.
#[derive(Debug, Clone)]
pub(super) struct Ranked {
    pub(super) tier: u8,
    pub(super) when: Vec<String>,
    pub(super) then: String,
    pub(super) kind: &'static str,
    pub(super) revisions: u32,
    pub(super) support: u32,
    pub(super) names: Option<usize>,
    pub(super) last: usize,
    /// The path the id is derived from.
    pub(super) slug_from: String,
    /// Files of `when` with no `then` at HEAD.
    pub(super) unless: Vec<String>,
}

impl Ranked {
    fn confidence(&self) -> f64 {
        f64::from(self.support) / f64::from(self.revisions.max(1))
    }

    fn companion(self, history: &History) -> SuggestedCompanion {
        let unit = &history.units[self.last];
        SuggestedCompanion {
            kind: self.kind.to_owned(),
            evidence: Evidence {
                revisions: self.revisions,
                support: self.support,
                confidence: (self.confidence() * 1000.0).round() / 1000.0,
                names: self.names,
                last_together: Day::of_time(unit.commit.time).to_date(),
                example: Example {
                    commit: unit.commit.id.clone(),
                    subject: unit.commit.summary().to_owned(),
                },
            },
            paths: vec![self.then],
        }
    }
}

/// The ranked pairs grouped into rules: one per `when`, listing its companions in rank
/// order, at the rank of its strongest.
fn by_when(ranked: Vec<Ranked>) -> Vec<Vec<Ranked>> {
    let mut rules: Vec<Vec<Ranked>> = Vec::new();
    for pair in ranked {
        match rules.iter_mut().find(|rule| rule[0].when == pair.when) {
            Some(rule) => rule.push(pair),
            None => rules.push(vec![pair]),
        }
    }
    rules
}

/// One rule from its companions (the strongest first), with an id not yet `taken`.
fn suggestion(
    companions: Vec<Ranked>,
    history: &History,
    taken: &mut BTreeSet<String>,
) -> Suggestion {
    let first = &companions[0];
    let base = match first.kind {
        "file" | "tests" => format!("{}-{}", slug(&first.slug_from), slug(&first.then)),
        kind => format!("{}-{kind}", slug(&first.slug_from)),
    };
    let id = unique(&base, taken);
    let when = first.when.clone();
    let mut unless: Vec<String> = companions.iter().flat_map(|c| c.unless.clone()).collect();
    unless.sort_unstable();
    unless.dedup();
    let thens: Vec<&str> = companions.iter().map(|c| c.then.as_str()).collect();
    let description = match first.names {
        Some(_) => format!(
            "Each {} changes with its {}",
            when.join(", "),
            and_list(&thens)
        ),
        None => format!(
            "Changes to {} come with {}",
            when.join(", "),
            and_list(&thens)
        ),
    };
    Suggestion {
        id,
        description,
        when,
        unless,
        then: companions
            .into_iter()
            .map(|c| c.companion(history))
            .collect(),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A rule id from a path: lowercase ASCII letters and digits joined by dashes.
/// Whole words only: a word that would pass 40 characters is left out, not cut.
fn slug(path: &str) -> String {
    const MAX: usize = 40;
    let mut out = String::new();
    let words = path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty());
    for word in words {
        let extra = word.len() + usize::from(!out.is_empty());
        if out.len() + extra > MAX {
            if out.is_empty() {
                out = word[..MAX].to_ascii_lowercase();
            }
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    if out.is_empty() {
        "root".to_owned()
    } else {
        out
    }
}

fn unique(base: &str, taken: &mut BTreeSet<String>) -> String {
    let mut id = base.to_owned();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(id.clone());
    id
}

/// Rules missed in most of the cases they were held to (as `audit` counts them), with
/// enough cases to tell.
fn contradictions(history: &History, options: &Options) -> Vec<Contradiction> {
    let Some(audit) = &history.audit else {
        return Vec::new();
    };
    audit
        .rules
        .iter()
        .filter_map(|row| {
            let c = &row.counts;
            let judged = c.judged();
            (judged >= options.min_support as usize && c.missed * 2 > judged).then(|| {
                Contradiction {
                    rule: row.rule.clone(),
                    triggered: c.triggered,
                    waived: c.waived,
                    not_applicable: c.not_applicable,
                    missed: c.missed,
                    compliance: (c.compliance() * 1000.0).round() / 1000.0,
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::Commit;

    fn history(units: &[&[&str]]) -> History {
        let mut tracked: Vec<String> = units
            .iter()
            .flat_map(|u| u.iter())
            .map(|p| (*p).to_owned())
            .collect();
        tracked.sort_unstable();
        tracked.dedup();
        History {
            tracked,
            units: units
                .iter()
                .enumerate()
                .map(|(i, paths)| Unit {
                    commit: Commit {
                        id: format!("{i:040}"),
                        message: format!("change {i}\n"),
                        author: "Ada".to_owned(),
                        time: 86_400 * i as i64,
                    },
                    paths: paths.iter().map(|p| (*p).to_owned()).collect(),
                })
                .collect(),
            ..History::empty(Day::of_time(0), Day::of_time(86_400 * 400))
        }
    }

    /// [`history`] of units built as owned strings.
    fn owned_history(units: &[Vec<String>]) -> History {
        let units: Vec<Vec<&str>> = units
            .iter()
            .map(|u| u.iter().map(String::as_str).collect())
            .collect();
        let units: Vec<&[&str]> = units.iter().map(Vec::as_slice).collect();
        history(&units)
    }

    fn options() -> Options {
        Options {
            min_support: 2,
            ..Options::default()
        }
    }

    fn rules(toml: &str) -> RuleSet {
        RuleSet::from_toml(&format!(
            "version = 1
{toml}"
        ))
        .expect("rules compile")
    }

    fn summary(s: &Suggestions) -> Vec<(String, String, u32, u32)> {
        s.suggestions
            .iter()
            .map(|s| {
                (
                    s.when.join(","),
                    s.then
                        .iter()
                        .map(|c| c.paths.join(","))
                        .collect::<Vec<_>>()
                        .join(" + "),
                    s.then[0].evidence.support,
                    s.then[0].evidence.revisions,
                )
            })
            .collect()
    }

    #[test]
    fn code_to_docs_beats_docs_to_code_and_weak_pairs_drop() {
        let h = history(&[
            &["services/pay/api.rs", "docs/pay/api.md"],
            &["services/pay/api.rs", "docs/pay/api.md", "lib/x/y.rs"],
            &["services/pay/db.rs", "docs/pay/api.md"],
            &["lib/x/y.rs"],
            &["lib/x/y.rs"],
        ]);
        let s = analyse(&h, None, &options());
        assert_eq!(
            summary(&s),
            [(
                "services/pay/**".to_owned(),
                "docs/pay/api.md".to_owned(),
                3,
                3
            )],
            "one doc took every change, so the rule names it"
        );
        assert_eq!(s.suggestions[0].then[0].kind, "docs");
        assert_eq!(s.suggestions[0].id, "services-pay-docs");
        assert_eq!(
            s.suggestions[0].then[0].evidence.example.subject,
            "change 2"
        );
    }

    #[test]
    fn one_when_becomes_one_rule_listing_every_companion() {
        let mut units: Vec<Vec<String>> = Vec::new();
        for name in ["build", "clean", "doc", "build"] {
            units.push(vec![
                format!("doc/man/cargo-{name}.md"),
                format!("doc/man/generated_txt/cargo-{name}.txt"),
                format!("etc/man/cargo-{name}.1"),
            ]);
        }
        units.push(vec![
            "doc/man/cargo-doc.md".to_owned(),
            "etc/man/cargo-doc.1".to_owned(),
        ]);
        let s = analyse(&owned_history(&units), None, &options());
        assert_eq!(
            summary(&s),
            [(
                "doc/man/{name}.md".to_owned(),
                "etc/man/{name}.1 + doc/man/generated_txt/{name}.txt".to_owned(),
                5,
                5
            )],
            "one rule, its strongest companion first"
        );
        let rule = &s.suggestions[0];
        assert_eq!(rule.id, "doc-man-generated");
        assert_eq!(rule.then[1].evidence.support, 4);
        assert_eq!(
            rule.description,
            "Each doc/man/{name}.md changes with its etc/man/{name}.1 and doc/man/generated_txt/{name}.txt"
        );
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
    }

    #[test]
    fn names_written_in_another_case_style_pair_through_a_transform() {
        let mut units: Vec<Vec<String>> = Vec::new();
        for name in [
            "generate_lockfile",
            "locate_project",
            "build",
            "read_manifest",
        ] {
            units.push(vec![
                format!("src/commands/{name}.rs"),
                format!("doc/man/cargo-{}.md", name.replace('_', "-")),
            ]);
        }
        let s = analyse(&owned_history(&units), None, &options());
        assert_eq!(
            summary(&s),
            [(
                "src/commands/{name}.rs".to_owned(),
                "doc/man/cargo-{name|kebab}.md".to_owned(),
                4,
                4
            )],
            "{s:#?}"
        );
        assert_eq!(s.suggestions[0].then[0].kind, "man");
        assert!(s.suggestions[0].unless.is_empty());
        let mut h = owned_history(&units);
        h.tracked.push("src/commands/mod.rs".to_owned());
        h.tracked.sort_unstable();
        let s = analyse(&h, None, &options());
        assert_eq!(
            s.suggestions[0].unless,
            ["src/commands/mod.rs"],
            "no doc/man/cargo-mod.md: the rule leaves it out"
        );
        let set = rules(&format!(
            "[[rule]]\nid = \"m\"\nwhen = {:?}\nthen = [{:?}]\n",
            s.suggestions[0].when, s.suggestions[0].then[0].paths[0]
        ));
        assert!(covered(
            &set,
            &["src/commands/generate_lockfile.rs"],
            &["doc/man/cargo-generate-lockfile.md"]
        ));
    }

    #[test]
    fn names_no_one_case_style_maps_are_not_paired() {
        let h = history(&[
            &["src/a_b.rs", "doc/a-b.md"],
            &["src/c_d.rs", "doc/c_d.md"],
            &["src/e_f.rs", "doc/e-f.md"],
        ]);
        let s = analyse(&h, None, &options());
        assert!(
            s.suggestions.iter().all(|r| !r.when[0].contains("{name}")),
            "no style writes a_b as a-b and c_d as c_d: {s:#?}"
        );
        let h = history(&[
            &["src/a_b.rs", "doc/a-b.md"],
            &["src/c_d.rs", "doc/c-d.md"],
            &["src/e_f.rs", "doc/e-f.md"],
        ]);
        let s = analyse(&h, None, &options());
        assert_eq!(s.suggestions[0].then[0].paths[0], "doc/{name|kebab}.md");
    }

    #[test]
    fn a_target_directory_stays_whole_when_no_file_took_nearly_every_change() {
        let h = history(&[
            &["services/pay/api.rs", "docs/pay/api.md"],
            &["services/pay/api.rs", "docs/pay/api.md"],
            &["services/pay/db.rs", "docs/pay/db.md"],
        ]);
        let s = analyse(&h, None, &options());
        assert_eq!(
            summary(&s),
            [("services/pay/**".to_owned(), "docs/pay/**".to_owned(), 3, 3)]
        );
    }

    #[test]
    fn per_name_pairs_become_one_captured_rule_and_replace_the_directory_pair() {
        let h = history(&[
            &["api/users.rs", "docs/api/users.md"],
            &["api/orders.rs", "docs/api/orders.md"],
            &["api/carts.rs", "docs/api/carts.md"],
            &["api/users.rs", "docs/api/users.md"],
        ]);
        let s = analyse(&h, None, &options());
        assert_eq!(
            summary(&s),
            [(
                "api/{name}.rs".to_owned(),
                "docs/api/{name}.md".to_owned(),
                4,
                4
            )]
        );
        assert_eq!(s.suggestions[0].then[0].evidence.names, Some(3));
    }

    #[test]
    fn directories_of_one_name_become_a_captured_rule_over_trees() {
        let mut units: Vec<&[&str]> = Vec::new();
        for _ in 0..2 {
            units.push(&["src/core/a.rs", "tests/core/t.rs"]);
            units.push(&["src/net/b.rs", "src/net/c.rs", "tests/net/t.rs"]);
            units.push(&["src/store/c.rs", "tests/store/x.rs"]);
        }
        let s = analyse(&history(&units), None, &options());
        assert_eq!(
            summary(&s),
            [(
                "src/{name}/**".to_owned(),
                "tests/{name}/**".to_owned(),
                6,
                6
            )],
            "one rule, not one per module"
        );
        assert_eq!(s.suggestions[0].then[0].kind, "tests");
    }

    #[test]
    fn captured_tree_globs_compile_and_bind_per_directory() {
        let set = rules(
            "[[rule]]\nid = \"t\"\nwhen = [\"src/{name}/**\"]\nthen = [\"tests/{name}/**\"]\n",
        );
        assert!(covered(&set, &["src/core/io/a.rs"], &["tests/core/t.rs"]));
        assert!(!covered(&set, &["src/core/a.rs"], &["tests/net/t.rs"]));
    }

    #[test]
    fn two_names_are_not_enough_for_a_captured_rule() {
        let h = history(&[
            &["api/users.rs", "docs/api/users.md"],
            &["api/orders.rs", "docs/api/orders.md"],
            &["api/users.rs", "docs/api/users.md"],
        ]);
        let s = analyse(&h, None, &options());
        assert_eq!(
            summary(&s),
            [("api/*".to_owned(), "docs/api/**".to_owned(), 3, 3)]
        );
    }

    #[test]
    fn sources_with_one_target_merge_into_one_rule() {
        let h = history(&[
            &["src/a/x.rs", "CHANGELOG.md"],
            &["src/a/x.rs", "CHANGELOG.md"],
            &["src/b/x.rs", "CHANGELOG.md"],
            &["src/b/x.rs", "CHANGELOG.md"],
            &["src/b/y.rs"],
        ]);
        let s = analyse(&h, None, &options());
        assert_eq!(
            summary(&s),
            [("src/**".to_owned(), "CHANGELOG.md".to_owned(), 4, 5)]
        );
        assert_eq!(s.suggestions[0].then[0].kind, "changelog");
        assert_eq!(s.suggestions[0].id, "src-changelog");
        let mut units = h.units.clone();
        units.extend(history(&[&["src/c/z.rs"]]).units);
        let h = History { units, ..h };
        let s = analyse(&h, None, &options());
        assert_eq!(
            summary(&s),
            [(
                "src/a/**,src/b/**".to_owned(),
                "CHANGELOG.md".to_owned(),
                4,
                5
            )],
            "src/c/ changed without the changelog, so `src/**` would overstate"
        );
    }

    #[test]
    fn pairs_the_rule_set_already_requires_are_dropped() {
        let h = history(&[
            &["api/users.rs", "docs/api/users.md"],
            &["api/orders.rs", "docs/api/orders.md"],
            &["api/carts.rs", "docs/api/carts.md"],
            &["src/a/x.rs", "CHANGELOG.md"],
            &["src/a/x.rs", "CHANGELOG.md"],
        ]);
        let set = rules(
            "[[rule]]\nid = \"api\"\nwhen = [\"api/{n}.rs\"]\nthen = [\"docs/api/{n}.md\"]\n",
        );
        let s = analyse(&h, Some(&set), &options());
        assert_eq!(
            summary(&s),
            [("src/a/**".to_owned(), "CHANGELOG.md".to_owned(), 2, 2)]
        );
        let unrelated = rules(
            "[[rule]]\nid = \"api\"\nwhen = [\"api/{n}.rs\"]\nthen = [\"docs/other/{n}.md\"]\n",
        );
        assert_eq!(
            analyse(&h, Some(&unrelated), &options()).suggestions.len(),
            2
        );
    }

    #[test]
    fn ids_are_made_of_whole_words() {
        assert_eq!(
            slug("credential/cargo-credential-libsecret/**"),
            "credential-cargo-credential-libsecret"
        );
        let long = slug("credential/cargo-credential-macos-keychain/Cargo.toml");
        assert_eq!(long, "credential-cargo-credential-macos");
        assert_eq!(slug("**/*.md"), "md");
        assert_eq!(slug("**"), "root");
        assert_eq!(slug(&"x".repeat(50)).len(), 40);
    }

    #[test]
    fn ids_are_unique_and_avoid_existing_rules() {
        let mut taken = BTreeSet::from(["src-docs".to_owned()]);
        assert_eq!(unique("src-docs", &mut taken), "src-docs-2");
        assert_eq!(unique("src-docs", &mut taken), "src-docs-3");
        assert_eq!(slug("services/Payments_API/"), "services-payments-api");
        assert_eq!(slug("{name}"), "name");
        assert_eq!(slug("/"), "root");
    }

    #[test]
    fn rules_missed_in_most_cases_are_contradicted() {
        let mut h = history(&[]);
        let row = |rule: &str, triggered, not_applicable, waived, missed| crate::audit::RuleRow {
            rule: rule.to_owned(),
            description: None,
            owners: Vec::new(),
            counts: crate::audit::Counts {
                triggered,
                satisfied: triggered - not_applicable - waived - missed,
                not_applicable,
                waived,
                missed,
                fixed_later: 0,
            },
            kinds: Vec::new(),
            months: BTreeMap::new(),
        };
        h.audit = Some(crate::audit::Audit {
            scope: crate::audit::Scope::default(),
            total: crate::audit::Counts::default(),
            rules: vec![
                row("kept", 10, 0, 0, 2),
                row("ignored", 12, 2, 2, 7),
                row("rare", 1, 0, 0, 1),
            ],
            kinds: Vec::new(),
            months: Vec::new(),
            previous: None,
            commits: Vec::new(),
            cases: Vec::new(),
        });
        let found = contradictions(&h, &options());
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].rule.as_str(), found[0].missed), ("ignored", 7));
        assert_eq!(found[0].not_applicable, 2);
        assert!((found[0].compliance - 0.125).abs() < 1e-9);
    }
}
