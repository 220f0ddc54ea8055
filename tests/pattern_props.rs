//! Property tests for glob captures: a path built from a template's bindings matches the
//! template and binds the same values back; substitution keeps glob metacharacters in
//! values literal; the shared prefilter glob never misses a path the pattern matches.

use std::collections::BTreeMap;

use lockstep::rules::{Bindings, Pattern};
use proptest::prelude::*;

/// One capture of a template and the literal text after it.
#[derive(Debug, Clone)]
struct Part {
    across_segments: bool,
    value: String,
    literal: String,
}

#[derive(Debug, Clone)]
struct Template {
    lead: String,
    parts: Vec<Part>,
}

impl Template {
    fn text(&self) -> String {
        let mut text = self.lead.clone();
        for (i, part) in self.parts.iter().enumerate() {
            let suffix = if part.across_segments { ":**" } else { "" };
            text.push_str(&format!("{{c{i}{suffix}}}{}", part.literal));
        }
        text
    }

    /// The path with every capture replaced by `value(part)`.
    fn path_with(&self, value: impl Fn(&Part) -> String) -> String {
        let mut path = self.lead.clone();
        for part in &self.parts {
            path.push_str(&value(part));
            path.push_str(&part.literal);
        }
        path
    }

    fn path(&self) -> String {
        self.path_with(|part| part.value.clone())
    }

    fn bindings(&self) -> Bindings {
        self.parts
            .iter()
            .enumerate()
            .map(|(i, part)| (format!("c{i}"), part.value.clone()))
            .collect::<BTreeMap<_, _>>()
    }
}

/// Literal template text: lowercase words, possibly across `/`. Values never contain
/// lowercase letters, so a literal between two captures tells them apart.
fn literal() -> impl Strategy<Value = String> {
    "[a-z][a-z._-]{0,3}(/[a-z][a-z._-]{0,3}){0,2}"
}

/// Literal text that separates two captures: at least one lowercase letter.
fn separator() -> impl Strategy<Value = String> {
    prop_oneof![
        literal(),
        literal().prop_map(|l| format!("/{l}")),
        literal().prop_map(|l| format!("{l}/")),
        literal().prop_map(|l| format!("/{l}/")),
    ]
}

/// A value for a capture, rich in glob metacharacters.
fn segment_value() -> impl Strategy<Value = String> {
    r"[A-Z0-9 *?\[\]{}\\!,^é]{1,6}"
}

fn capture_value(across_segments: bool) -> BoxedStrategy<String> {
    if across_segments {
        prop::collection::vec(segment_value(), 1..4)
            .prop_map(|segments| segments.join("/"))
            .boxed()
    } else {
        segment_value().boxed()
    }
}

fn part(last: bool) -> impl Strategy<Value = Part> {
    any::<bool>().prop_flat_map(move |across_segments| {
        let literal = if last {
            prop_oneof![Just(String::new()), separator()].boxed()
        } else {
            separator().boxed()
        };
        (capture_value(across_segments), literal).prop_map(move |(value, literal)| Part {
            across_segments,
            value,
            literal,
        })
    })
}

fn template() -> impl Strategy<Value = Template> {
    let lead = prop_oneof![
        Just(String::new()),
        literal(),
        literal().prop_map(|l| format!("{l}/"))
    ];
    (lead, prop::collection::vec(part(false), 0..3), part(true)).prop_map(
        |(lead, mut parts, last)| {
            parts.push(last);
            Template { lead, parts }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_path_built_from_bindings_binds_them_back(template in template()) {
        let pattern = Pattern::new(&template.text()).expect("template compiles");
        let path = template.path();
        prop_assert_eq!(pattern.bind(&path), Some(template.bindings()), "path {:?}", path);
    }

    #[test]
    fn the_prefilter_never_misses_a_matching_path(template in template()) {
        let pattern = Pattern::new(&template.text()).expect("template compiles");
        if let Some(prefilter) = pattern.prefilter() {
            let path = template.path();
            prop_assert!(
                prefilter.compile_matcher().is_match(&path),
                "prefilter {} misses {:?}", prefilter, path
            );
        }
    }

    #[test]
    fn substitution_keeps_metacharacters_in_values_literal(template in template()) {
        let pattern = Pattern::new(&template.text()).expect("template compiles");
        let bindings = template.bindings();
        let matcher = pattern.resolve(&bindings).expect("substituted glob compiles");
        let path = template.path();
        prop_assert!(matcher.is_match(&path), "{} misses {:?}", pattern.substitute(&bindings), path);
        // Had a `*`, `?` or `[...]` in a value stayed a wildcard, it would also match
        // the same path with that metacharacter replaced.
        let tamed = template.path_with(|part| part.value.replace(['*', '?', '[', ']'], "Q"));
        if tamed != path {
            prop_assert!(
                !matcher.is_match(&tamed),
                "{} matches {:?} too", pattern.substitute(&bindings), tamed
            );
        }
    }
}
