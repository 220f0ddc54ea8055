//! The directive parser: blocks, targets, and every malformation with its line.

use std::collections::HashMap;

use super::strings::Strings;
use super::{Block, MARKER, Problem, ProblemKind, Target, find_marker};
use crate::config::AnnotationSettings;
use crate::git::is_binary;

/// The blocks of one file and what is wrong with them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub blocks: Vec<Block>,
    pub problems: Vec<Problem>,
}

impl Parsed {
    /// The block labelled `label`, the first one if the label is used twice.
    pub fn labelled(&self, label: &str) -> Option<&Block> {
        self.blocks
            .iter()
            .find(|b| b.label.as_deref() == Some(label))
    }
}

/// The UTF-8 byte-order mark some editors put before line 1.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Characters a comment leader is made of, and the leaders themselves.
const LEADER_BYTES: &[u8] = b"/#-;*<!%'{(.:";
const LEADERS: [&[u8]; 16] = [
    b"//", b"#", b"--", b";", b"/*", b"*", b"<!--", b"%", b"'", b"{-", b"(*", b"!", b"..", b"::",
    b"{{", b"{#",
];
/// Leaders that open a comment which may continue over lines without a leader.
const BLOCK_OPENERS: [&[u8]; 6] = [b"/*", b"<!--", b"(*", b"{-", b"{{", b"{#"];

/// Parses the directives of the file at `path` (repository-relative, used to resolve
/// relative targets), rewriting and setting aside targets as `settings` says. Binary
/// content and content without `LINT.` have no blocks.
pub fn parse(path: &str, bytes: &[u8], settings: &AnnotationSettings) -> Parsed {
    let mut parser = Parser {
        path,
        settings,
        parsed: Parsed::default(),
        open: Vec::new(),
        regions: Vec::new(),
        labels: HashMap::new(),
    };
    if find_marker(bytes).is_none() || is_binary(bytes) {
        return parser.parsed;
    }
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let markdown = is_markdown(path);
    // Fences and strings only ever hide a directive line: without one, nothing parses.
    if !has_directive_line(bytes, markdown) {
        return parser.parsed;
    }
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').map(line_text).collect();
    let mut fence = Fence::new(markdown);
    let mut strings = Strings::new(path);
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        if fence.skips(line) || strings.skips(&String::from_utf8_lossy(line)) {
            continue;
        }
        let Some((leader, rest)) = directive_in(line, markdown) else {
            continue;
        };
        i += parser.directive(i as u32, leader, rest, &lines[i..]);
    }
    parser.finish()
}

struct Parser<'p> {
    path: &'p str,
    settings: &'p AnnotationSettings,
    parsed: Parsed,
    /// Open `IfChange`s: line and label.
    open: Vec<(u32, Option<String>)>,
    /// Open `Label` regions: line and label (`None` after a bad one).
    regions: Vec<(u32, Option<String>)>,
    /// Labels seen and the line of their first use.
    labels: HashMap<String, u32>,
}

impl Parser<'_> {
    fn problem(&mut self, line: u32, kind: ProblemKind, message: String) {
        self.parsed.problems.push(Problem {
            path: self.path.to_owned(),
            line,
            kind,
            message,
        });
    }

    /// Handles the directive on `line`; returns how many following lines it consumed.
    fn directive(&mut self, line: u32, leader: &[u8], rest: &[u8], following: &[&[u8]]) -> usize {
        let name_len = rest
            .iter()
            .position(|b| !b.is_ascii_alphanumeric() && *b != b'_')
            .unwrap_or(rest.len());
        let after = String::from_utf8_lossy(&rest[name_len..]);
        let name = rest[..name_len].to_ascii_lowercase();
        match name.as_slice() {
            b"ifchange" => {
                self.if_change(line, &after);
                0
            }
            b"thenchange" => self.then_change(line, leader, &after, following),
            b"label" => {
                self.label(line, &after);
                0
            }
            b"endlabel" => {
                self.end_label(line, &after);
                0
            }
            // `LINT.Foo is …` is prose; `LINT.Foo` or `LINT.Foo(…)` a misspelt directive.
            _ if !is_prose(&after) || after.trim_start().starts_with('(') => {
                let name = String::from_utf8_lossy(&rest[..name_len]);
                self.problem(
                    line,
                    ProblemKind::UnknownDirective,
                    format!("unknown directive `LINT.{name}`"),
                );
                0
            }
            _ => 0,
        }
    }

    /// The `(label)` after a directive, quoted or not; a bad one is reported.
    fn argument(&mut self, line: u32, directive: &str, after: &str) -> Argument {
        let Some(inner) = after.trim_start().strip_prefix('(') else {
            return if is_prose(after) {
                Argument::Prose
            } else {
                Argument::Bare
            };
        };
        let Some((label, tail)) = inner.split_once(')') else {
            let message = format!("`LINT.{directive}(` has no closing parenthesis");
            self.problem(line, ProblemKind::MalformedDirective, message);
            return Argument::Bad;
        };
        if is_prose(tail) {
            return Argument::Prose;
        }
        match unquote(label.trim()) {
            "" => Argument::Bare,
            label if is_label(label) => Argument::Label(label.to_owned()),
            bad => {
                let message = format!("`{bad}` is not a label: {LABEL_GRAMMAR}");
                self.problem(line, ProblemKind::MalformedDirective, message);
                Argument::Bad
            }
        }
    }

    /// Records the first use of `label`; a second one is reported.
    fn claim(&mut self, line: u32, label: &str) {
        if let Some(first) = self.labels.get(label) {
            let message = format!("label `{label}` is already used at line {first}");
            self.problem(line, ProblemKind::DuplicateLabel, message);
        } else {
            self.labels.insert(label.to_owned(), line);
        }
    }

    fn if_change(&mut self, line: u32, after: &str) {
        // A bad label is reported; the block still opens, so its `ThenChange` is not
        // reported as well. An unclosed `(` opens nothing.
        let label = match self.argument(line, "IfChange", after) {
            Argument::Prose => return,
            Argument::Bad if !after.contains(')') => return,
            Argument::Label(label) => Some(label),
            Argument::Bare | Argument::Bad => None,
        };
        if let Some(&(outer, _)) = self.open.last() {
            self.problem(
                line,
                ProblemKind::NestedIfChange,
                format!("LINT.IfChange inside the block opened at line {outer}"),
            );
        }
        if let Some(label) = &label {
            self.claim(line, label);
        }
        self.open.push((line, label));
    }

    /// `LINT.Label(name)` opens a region that blocks elsewhere can name as a target and
    /// that requires nothing itself; regions may hold blocks and other regions.
    fn label(&mut self, line: u32, after: &str) {
        let label = match self.argument(line, "Label", after) {
            Argument::Prose => return,
            Argument::Label(label) => Some(label),
            Argument::Bare => {
                let message = "LINT.Label needs a label in parentheses".to_owned();
                self.problem(line, ProblemKind::MalformedDirective, message);
                None
            }
            Argument::Bad => None,
        };
        if let Some(label) = &label {
            self.claim(line, label);
        }
        self.regions.push((line, label));
    }

    fn end_label(&mut self, line: u32, after: &str) {
        if is_prose(after) {
            return;
        }
        match self.regions.pop() {
            Some((start, Some(label))) => self.parsed.blocks.push(Block {
                label: Some(label),
                if_line: start,
                then_line: line,
                targets: Vec::new(),
                external: Vec::new(),
            }),
            Some((_, None)) => {}
            None => self.problem(
                line,
                ProblemKind::UnopenedEndLabel,
                "LINT.EndLabel without a LINT.Label before it".to_owned(),
            ),
        }
    }

    fn then_change(&mut self, line: u32, leader: &[u8], after: &str, following: &[&[u8]]) -> usize {
        let (list, consumed) = match after.trim_start().strip_prefix('(') {
            None if is_prose(after) => return 0,
            None => {
                self.problem(
                    line,
                    ProblemKind::MalformedDirective,
                    "LINT.ThenChange needs a target list in parentheses".to_owned(),
                );
                (None, 0)
            }
            Some(inner) => match target_list(inner, leader, following) {
                Some((_, _, tail)) if is_prose(&tail) => return 0,
                Some((list, consumed, _)) => (Some(list), consumed),
                None => {
                    self.problem(
                        line,
                        ProblemKind::MalformedDirective,
                        "the target list of LINT.ThenChange( is never closed with `)`".to_owned(),
                    );
                    (None, 0)
                }
            },
        };
        let open = self.open.pop();
        let labelled = open.as_ref().is_some_and(|(_, label)| label.is_some());
        let (targets, external) =
            list.map_or_else(Default::default, |list| self.targets(line, &list, labelled));
        match open {
            Some((if_line, label)) => self.parsed.blocks.push(Block {
                label,
                if_line,
                then_line: line,
                targets,
                external,
            }),
            None => self.problem(
                line,
                ProblemKind::UnopenedThenChange,
                "LINT.ThenChange without a LINT.IfChange before it".to_owned(),
            ),
        }
        consumed
    }

    /// The targets inside the repository and those outside it (as written). An empty
    /// list is fine after a labelled block, which may exist only to be a target.
    fn targets(&mut self, line: u32, list: &str, labelled: bool) -> (Vec<Target>, Vec<String>) {
        let list = list.trim();
        // ifchange's bracketed list: `ThenChange(["a.py#x", "/docs/y.md"])`.
        let list = list
            .strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
            .unwrap_or(list);
        let entries: Vec<String> = split_entries(list)
            .into_iter()
            .map(|t| unquote(t.trim()).trim())
            .filter(|t| !t.is_empty())
            .map(|t| self.settings.rewrite(t))
            .collect();
        if entries.is_empty() && !labelled {
            self.problem(
                line,
                ProblemKind::EmptyTargetList,
                "LINT.ThenChange() names no target, so the block requires nothing".to_owned(),
            );
        }
        let mut targets = Vec::new();
        let mut external = Vec::new();
        for entry in entries {
            if self.settings.is_external(split_label(&entry).0) {
                external.push(entry);
                continue;
            }
            match resolve(self.path, &entry) {
                Some(target) if self.settings.is_external(&target.path) => external.push(entry),
                // Its own edit always changes the file: the target requires nothing.
                Some(target) if target.path == self.path && target.label.is_none() => self
                    .problem(
                        line,
                        ProblemKind::BadTarget,
                        format!("`{entry}` is this file, which every edit of the block changes: name a block in it with `:label`"),
                    ),
                Some(target) => targets.push(target),
                None => self.problem(
                    line,
                    ProblemKind::BadTarget,
                    format!("`{entry}` is not a target inside the repository"),
                ),
            }
        }
        (targets, external)
    }

    fn finish(mut self) -> Parsed {
        for (line, _) in std::mem::take(&mut self.open) {
            self.problem(
                line,
                ProblemKind::UnclosedIfChange,
                "LINT.IfChange without a LINT.ThenChange after it".to_owned(),
            );
        }
        for (line, _) in std::mem::take(&mut self.regions) {
            self.problem(
                line,
                ProblemKind::UnclosedLabel,
                "LINT.Label without a LINT.EndLabel after it".to_owned(),
            );
        }
        // Regions close in any order around blocks; list everything top to bottom.
        self.parsed.blocks.sort_by_key(|b| (b.if_line, b.then_line));
        self.parsed.problems.sort();
        self.parsed
    }
}

/// What follows a directive that takes a label.
enum Argument {
    /// Text that makes the line a sentence about directives.
    Prose,
    /// No parentheses, or empty ones.
    Bare,
    Label(String),
    /// Reported already.
    Bad,
}

/// `text` without one pair of matching quotes around it (`"x"`, `'x'`, `` `x` ``).
fn unquote(text: &str) -> &str {
    ['"', '\'', '`']
        .iter()
        .find_map(|&q| text.strip_prefix(q).and_then(|t| t.strip_suffix(q)))
        .unwrap_or(text)
}

/// A target list split at the commas outside quotes.
fn split_entries(list: &str) -> Vec<&str> {
    let mut entries = Vec::new();
    let mut quote = None;
    let mut start = 0;
    for (i, c) in list.char_indices() {
        match (quote, c) {
            (None, '"' | '\'' | '`') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ',') => {
                entries.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    entries.push(&list[start..]);
    entries
}

/// The text of a target list up to the `)` that closes it (parentheses inside paths,
/// such as `app/(marketing)/page.tsx`, nest), continued over the following comment
/// lines; with how many following lines it used and the text after the `)`. `None` when
/// it never closes.
fn target_list(first: &str, leader: &[u8], following: &[&[u8]]) -> Option<(String, usize, String)> {
    let mut depth = 0;
    if let Some(end) = closing_paren(first, &mut depth) {
        return Some((first[..end].to_owned(), 0, first[end + 1..].to_owned()));
    }
    let block_comment = BLOCK_OPENERS.iter().any(|o| leader.starts_with(o));
    let mut list = strip_closer(first).to_owned();
    for (n, line) in following.iter().enumerate() {
        let text = match strip_leader(line) {
            Some(text) => text,
            None if block_comment => line,
            None => return None,
        };
        if find_marker(text).is_some() {
            return None;
        }
        let text = String::from_utf8_lossy(text);
        // A line break separates targets, except after the `:` of a label.
        let text = if list.trim_end().ends_with(':') {
            list.truncate(list.trim_end().len());
            text.trim_start()
        } else {
            list.push(',');
            &text
        };
        if let Some(end) = closing_paren(text, &mut depth) {
            list.push_str(&text[..end]);
            return Some((list, n + 1, text[end + 1..].to_owned()));
        }
        list.push_str(strip_closer(text));
    }
    None
}

/// Where the `)` that closes a list opened `depth` parentheses ago is in `text`.
fn closing_paren(text: &str, depth: &mut usize) -> Option<usize> {
    for (i, c) in text.char_indices() {
        match c {
            '(' => *depth += 1,
            ')' if *depth == 0 => return Some(i),
            ')' => *depth -= 1,
            _ => {}
        }
    }
    None
}

/// Comment closers a line may end with: `*/`, `-->`, `*)`, `-}`, and template comments'
/// `*/}}`, `-}}`, `#}`.
const CLOSERS: [&str; 7] = ["}}", "#}", "*/", "-->", "*)", "-}", "-"];

/// `text` without the comment closers at its end.
fn strip_closer(text: &str) -> &str {
    let mut text = text.trim_end();
    while let Some(shorter) = CLOSERS.iter().find_map(|c| text.strip_suffix(c)) {
        text = shorter.trim_end();
    }
    text
}

/// Text after a complete directive that is more than a comment closer: the line is a
/// sentence about directives, not one.
fn is_prose(tail: &str) -> bool {
    !strip_closer(tail).trim().is_empty()
}

/// A target as written → repository-relative path and label.
fn resolve(file: &str, entry: &str) -> Option<Target> {
    if let (Some(separator), Some(label)) = (entry.chars().next(), entry.get(1..))
        && matches!(separator, ':' | '#')
        && (separator == ':' || is_hash_label(label))
    {
        return is_label(label).then(|| Target {
            path: file.to_owned(),
            label: Some(label.to_owned()),
        });
    }
    let (path, label) = split_label(entry);
    let label = label.map(str::to_owned);
    // A path written on Windows: git's separator is `/`.
    let path = path.replace('\\', "/");
    let directory = path.ends_with('/');
    if directory && label.is_some() {
        return None;
    }
    let (base, relative) = match path.strip_prefix('/') {
        Some(rooted) => ("", rooted),
        None => (
            file.rsplit_once('/').map_or("", |(dir, _)| dir),
            path.as_str(),
        ),
    };
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    let slash = if directory { "/" } else { "" };
    (!parts.is_empty()).then(|| Target {
        path: format!("{}{slash}", parts.join("/")),
        label,
    })
}

/// A target's path and its `:label` or `#label`, if it has one.
fn split_label(entry: &str) -> (&str, Option<&str>) {
    match entry.rfind([':', '#']) {
        Some(at)
            if is_label(&entry[at + 1..])
                && (entry[at..].starts_with(':') || is_hash_label(&entry[at + 1..])) =>
        {
            (&entry[..at], Some(&entry[at + 1..]))
        }
        _ => (entry, None),
    }
}

/// Whether the text after a `#` is a label: one with no `.`. A `#` is common in file
/// names (`notes#v2.md`, `C#.md`) where a `:` is not (Windows and macOS forbid it), so
/// `path#tail` is the file `path#tail` when the tail has a dot; a dotted label is
/// written `path:label`.
fn is_hash_label(tail: &str) -> bool {
    !tail.contains('.')
}

/// The one grammar of labels, in `LINT.IfChange(label)`, `LINT.Label(label)` and in
/// `path:label` / `path#label` targets.
const LABEL_GRAMMAR: &str =
    "a label starts with an ASCII letter and goes on with letters, digits, `_`, `-` and `.`";

fn is_label(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// A directive line: only a comment leader (and whitespace) before `LINT.`. Returns the
/// leader and the text after `LINT.`.
fn directive(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = find_marker(line)?;
    let leader = line[..at].trim_ascii();
    is_leader(leader).then(|| (leader, &line[at + MARKER.len()..]))
}

/// [`directive`], except that in Markdown a `#` starts a heading (`## LINT.IfChange` in a
/// guide), not a comment.
fn directive_in(line: &[u8], markdown: bool) -> Option<(&[u8], &[u8])> {
    directive(line).filter(|(leader, _)| !(markdown && leader.starts_with(b"#")))
}

/// A line as the parser sees it: without the `\r` of a CRLF ending.
fn line_text(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Whether some line of `bytes` is a directive line, looking only at the lines that
/// hold the marker (a file that only mentions `lint.` in prose is not walked line by
/// line).
fn has_directive_line(bytes: &[u8], markdown: bool) -> bool {
    let mut from = 0;
    while let Some(at) = find_marker(&bytes[from..]).map(|at| from + at) {
        let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |n| n + 1);
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n);
        if directive_in(line_text(&bytes[start..end]), markdown).is_some() {
            return true;
        }
        from = end;
    }
    false
}

/// A comment leader, possibly with spaces inside (`{{- /*`).
fn is_leader(text: &[u8]) -> bool {
    let dense: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    dense.eq_ignore_ascii_case(b"rem")
        || (!dense.is_empty()
            && dense.iter().all(|b| LEADER_BYTES.contains(b))
            && LEADERS.iter().any(|l| dense.starts_with(l)))
}

/// A continuation line's text after its comment leader.
fn strip_leader(line: &[u8]) -> Option<&[u8]> {
    let line = line.trim_ascii_start();
    let run = line
        .iter()
        .position(|b| !LEADER_BYTES.contains(b))
        .unwrap_or(line.len());
    is_leader(&line[..run]).then(|| &line[run..])
}

fn is_markdown(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// Markdown fenced code blocks (``` or ~~~), whose lines are examples, not directives.
struct Fence {
    markdown: bool,
    open: Option<(u8, usize)>,
}

impl Fence {
    fn new(markdown: bool) -> Fence {
        Fence {
            markdown,
            open: None,
        }
    }

    /// Whether `line` is a fence or inside one.
    fn skips(&mut self, line: &[u8]) -> bool {
        if !self.markdown {
            return false;
        }
        let text = line.trim_ascii_start();
        let marker = text.first().copied().filter(|b| matches!(b, b'`' | b'~'));
        let run = marker.map_or(0, |m| text.iter().take_while(|&&b| b == m).count());
        match (self.open, marker) {
            (None, Some(m)) if run >= 3 => {
                self.open = Some((m, run));
                true
            }
            (Some((m, len)), Some(c))
                if c == m && run >= len && text[run..].trim_ascii().is_empty() =>
            {
                self.open = None;
                true
            }
            (open, _) => open.is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(path: &str, lines: &[&str]) -> Parsed {
        parse(
            path,
            lines.join("\n").as_bytes(),
            &AnnotationSettings::default(),
        )
    }

    /// (label, if line, then line, targets) of each block.
    fn blocks(p: &Parsed) -> Vec<(Option<&str>, u32, u32, Vec<String>)> {
        p.blocks
            .iter()
            .map(|b| {
                let targets = b.targets.iter().map(Target::to_string).collect();
                (b.label.as_deref(), b.if_line, b.then_line, targets)
            })
            .collect()
    }

    fn codes(p: &Parsed) -> Vec<(u32, &'static str)> {
        p.problems.iter().map(|p| (p.line, p.kind.code())).collect()
    }

    #[test]
    fn every_comment_style_carries_directives() {
        let styles: [(&str, &str, &str); 12] = [
            ("a.rs", "// ", ""),
            ("a.py", "# ", ""),
            ("a.sql", "-- ", ""),
            ("a.el", ";; ", ""),
            ("a.c", "/* ", " */"),
            ("a.html", "<!-- ", " -->"),
            ("a.tex", "% ", ""),
            ("a.vb", "' ", ""),
            ("a.bat", "REM ", ""),
            ("a.hs", "{- ", " -}"),
            ("a.ml", "(* ", " *)"),
            ("a.rs", "    /// ", ""),
        ];
        for (path, open, close) in styles {
            let p = parsed(
                path,
                &[
                    &format!("{open}LINT.IfChange(x){close}"),
                    "body",
                    &format!("{open}LINT.ThenChange(//b.txt){close}"),
                ],
            );
            assert_eq!(
                blocks(&p),
                [(Some("x"), 1, 3, vec!["b.txt".to_owned()])],
                "{open}"
            );
            assert!(p.problems.is_empty(), "{open}: {:?}", p.problems);
        }
    }

    #[test]
    fn target_forms_resolve_against_the_file_and_the_root() {
        let p = parsed(
            "src/api/retry.rs",
            &[
                "// LINT.IfChange",
                "x",
                "// LINT.ThenChange(//docs/a.md, b.rs, ../c.rs:lbl, ./d/e.py, :own, \"//q.md\")",
            ],
        );
        assert_eq!(
            blocks(&p)[0].3,
            [
                "docs/a.md",
                "src/api/b.rs",
                "src/c.rs:lbl",
                "src/api/d/e.py",
                "src/api/retry.rs:own",
                "q.md"
            ]
        );
        assert_eq!(blocks(&p)[0].0, None);
    }

    #[test]
    fn target_lists_continue_over_comment_lines() {
        let p = parsed(
            "a.py",
            &[
                "# LINT.IfChange(p)",
                "x = 1",
                "# LINT.ThenChange(",
                "#     //docs/one.md,",
                "#     //docs/two.md:lbl,",
                "# )",
                "# LINT.IfChange(q)",
                "y = 2",
                "# LINT.ThenChange(//a.md,",
                "#   //b.md)",
                "# LINT.IfChange(r)",
                "z = 3",
                "# LINT.ThenChange(//c.md:",
                "#   label_on_the_next_line)",
            ],
        );
        assert_eq!(
            blocks(&p),
            [
                (
                    Some("p"),
                    1,
                    3,
                    vec!["docs/one.md".into(), "docs/two.md:lbl".into()]
                ),
                (Some("q"), 7, 9, vec!["a.md".into(), "b.md".into()]),
                (
                    Some("r"),
                    11,
                    13,
                    vec!["c.md:label_on_the_next_line".into()]
                ),
            ]
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
    }

    #[test]
    fn block_comments_continue_without_leaders() {
        let p = parsed(
            "a.html",
            &[
                "<!-- LINT.IfChange -->",
                "<p>x</p>",
                "<!-- LINT.ThenChange(",
                "   //a.md,",
                "   //b.md",
                ") -->",
            ],
        );
        assert_eq!(blocks(&p)[0].3, ["a.md", "b.md"]);
    }

    #[test]
    fn malformations_are_reported_with_their_lines() {
        type Case<'a> = (&'a [&'a str], &'a [(u32, &'a str)]);
        let cases: [Case<'_>; 10] = [
            (&["// LINT.IfChange", "x"], &[(1, "unclosed-if-change")]),
            (
                &["x", "// LINT.ThenChange(//a)"],
                &[(2, "then-change-without-if-change")],
            ),
            (
                &[
                    "// LINT.IfChange(a)",
                    "// LINT.IfChange(b)",
                    "x",
                    "// LINT.ThenChange(//a)",
                    "// LINT.ThenChange(//b)",
                ],
                &[(2, "nested-if-change")],
            ),
            (
                &["// LINT.IfChange", "x", "// LINT.ThenChange()"],
                &[(3, "empty-target-list")],
            ),
            (
                &["// LINT.IfChange", "x", "// LINT.ThenChange( , )"],
                &[(3, "empty-target-list")],
            ),
            (
                &[
                    "// LINT.IfChange(a)",
                    "x",
                    "// LINT.ThenChange(//t)",
                    "// LINT.IfChange(a)",
                    "y",
                    "// LINT.ThenChange(//t)",
                ],
                &[(4, "duplicate-label")],
            ),
            (&["// LINT.IfChnage", "x"], &[(1, "unknown-directive")]),
            (
                &[
                    "// LINT.IfChange",
                    "x",
                    "// LINT.ThenChange(//a.md,",
                    "code();",
                ],
                &[(3, "malformed-directive")],
            ),
            (
                &["// LINT.IfChange", "x", "// LINT.ThenChange(../../up)"],
                &[(3, "bad-target")],
            ),
            (
                &[
                    "// LINT.IfChange",
                    "x",
                    "// LINT.ThenChange(//a.rs, a.rs:ok)",
                ],
                &[(3, "bad-target")],
            ),
        ];
        for (lines, expected) in cases {
            assert_eq!(codes(&parsed("a.rs", lines)), expected, "{lines:?}");
        }
    }

    #[test]
    fn markdown_fences_hide_directives() {
        let lines = [
            "# Doc",
            "```rust",
            "// LINT.IfChange",
            "x",
            "```",
            "~~~~",
            "// LINT.ThenChange(//a)",
            "```",
            "~~~~",
            "<!-- LINT.IfChange(real) -->",
            "text",
            "<!-- LINT.ThenChange(//b.md) -->",
        ];
        let p = parsed("docs/README.md", &lines);
        assert_eq!(
            blocks(&p),
            [(Some("real"), 10, 12, vec!["b.md".to_owned()])]
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        // Outside Markdown, fences mean nothing.
        assert_eq!(parsed("a.txt", &lines).blocks.len(), 2);
        // Headings are not comments.
        let headings = [
            "## LINT.IfChange",
            "text",
            "## LINT.ThenChange",
            "# LINT.Label",
        ];
        assert_eq!(parsed("docs/GUIDE.md", &headings), Parsed::default());
    }

    #[test]
    fn mentions_that_are_not_directives_are_ignored() {
        let p = parsed(
            "a.rs",
            &[
                "let s = \"// LINT.IfChange\";",
                "// The LINT.IfChange convention",
                "- LINT.ThenChange(x) in a list",
                "x = LINT.IfChange",
            ],
        );
        assert_eq!(p, Parsed::default());
    }

    /// A long changelog-like file: prose that names `lint.` things on many lines.
    fn prose_mentions(extra: &[&str]) -> String {
        let mut lines = Vec::new();
        for n in 0..200 {
            lines.push(format!(
                "## Lint.{n} — the `[lints]` table; see LINT.IfChange docs"
            ));
            lines.push(format!("- cargo::lint.{n} now warns, like `clippy.lint.x`"));
            lines.push("text without the marker".to_owned());
        }
        lines.extend(extra.iter().map(|l| (*l).to_owned()));
        lines.push("trailing prose about lint.rs\r".to_owned());
        lines.join("\n")
    }

    #[test]
    fn a_file_that_only_mentions_the_marker_in_prose_is_not_walked() {
        let text = prose_mentions(&["# LINT.IfChange is a heading in Markdown"]);
        assert!(!has_directive_line(text.as_bytes(), true));
        let settings = AnnotationSettings::default();
        assert_eq!(
            parse("doc/CHANGELOG.md", text.as_bytes(), &settings),
            Parsed::default()
        );
        // Outside Markdown `## Lint.0 — …` is a comment: a directive line (of prose).
        assert!(has_directive_line(text.as_bytes(), false));
        assert_eq!(
            parse("notes.txt", text.as_bytes(), &settings),
            Parsed::default()
        );
    }

    #[test]
    fn one_directive_among_prose_mentions_parses_as_before() {
        let text = prose_mentions(&[
            "<!-- LINT.IfChange(real) -->",
            "Lint.x text",
            "<!-- LINT.ThenChange(//b.md) -->",
        ]);
        assert!(has_directive_line(text.as_bytes(), true));
        let p = parse(
            "doc/CHANGELOG.md",
            text.as_bytes(),
            &AnnotationSettings::default(),
        );
        assert_eq!(
            blocks(&p),
            [(Some("real"), 601, 603, vec!["b.md".to_owned()])]
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        // The first line and a line after a byte-order mark count as well.
        assert!(has_directive_line(b"// LINT.IfChange\nx\n", false));
        assert!(has_directive_line(b"x\r\n  # lint.label(a)\r\n", false));
        assert!(!has_directive_line(
            b"x = lint.y\n// lint\n.IfChange",
            false
        ));
    }

    #[test]
    fn directives_in_strings_and_fences_are_still_hidden_among_prose() {
        let fenced = prose_mentions(&["```", "// LINT.IfChange", "```"]);
        assert!(has_directive_line(fenced.as_bytes(), true));
        let settings = AnnotationSettings::default();
        assert_eq!(
            parse("doc/CHANGELOG.md", fenced.as_bytes(), &settings),
            Parsed::default()
        );
        let string = "let s = \"\n// LINT.IfChange\n\";\nlet t = lint.x;\n";
        assert!(has_directive_line(string.as_bytes(), false));
        assert_eq!(
            parse("a.rs", string.as_bytes(), &settings),
            Parsed::default()
        );
    }

    #[test]
    fn binary_files_and_files_without_the_marker_are_skipped() {
        assert_eq!(
            parse(
                "a.bin",
                b"// LINT.IfChange\n\0\n",
                &AnnotationSettings::default()
            ),
            Parsed::default()
        );
        assert_eq!(
            parse("a.rs", b"// IfChange\n", &AnnotationSettings::default()),
            Parsed::default()
        );
    }

    #[test]
    fn regression_block_comment_closers_are_not_targets() {
        let c = parsed(
            "test.js",
            &[
                "/* LINT.IfChange */",
                "code",
                "/* LINT.ThenChange( */",
                "/* //b.js, */",
                "/* //c.js) */",
            ],
        );
        assert_eq!(blocks(&c)[0].3, ["b.js", "c.js"]);
        let html = parsed(
            "test.html",
            &[
                "<!-- LINT.IfChange -->",
                "code",
                "<!-- LINT.ThenChange( -->",
                "<!-- //b.html) -->",
            ],
        );
        assert_eq!(blocks(&html)[0].3, ["b.html"]);
        assert!(c.problems.is_empty() && html.problems.is_empty());
    }

    #[test]
    fn regression_parentheses_inside_target_paths() {
        let p = parsed(
            "x.rs",
            &[
                "// LINT.IfChange",
                "x",
                "// LINT.ThenChange(//app/(marketing)/page.tsx, //a(1).rs, //b.rs)",
                "// LINT.IfChange(two)",
                "y",
                "// LINT.ThenChange(",
                "//   //app/(shop)/(cart)/page.tsx,",
                "//   //c.rs)",
            ],
        );
        assert_eq!(
            blocks(&p)[0].3,
            ["app/(marketing)/page.tsx", "a(1).rs", "b.rs"]
        );
        assert_eq!(blocks(&p)[1].3, ["app/(shop)/(cart)/page.tsx", "c.rs"]);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
    }

    #[test]
    fn regression_byte_order_mark_before_the_first_directive() {
        let p = parse(
            "a.py",
            b"\xEF\xBB\xBF# LINT.IfChange(a)\nx = 1\n# LINT.ThenChange(//b.py)\n",
            &AnnotationSettings::default(),
        );
        assert_eq!(blocks(&p), [(Some("a"), 1, 3, vec!["b.py".to_owned()])]);
    }

    #[test]
    fn regression_a_leading_slash_is_the_repository_root_and_a_trailing_one_a_directory() {
        let p = parsed(
            "src/lib/x.py",
            &[
                "# LINT.IfChange",
                "x",
                "# LINT.ThenChange(/src/lib/widget.py, //docs/, lib/, /a/:lbl)",
            ],
        );
        assert_eq!(
            blocks(&p)[0].3,
            ["src/lib/widget.py", "docs/", "src/lib/lib/"]
        );
        // A directory has no labels.
        assert_eq!(codes(&p), [(3, "bad-target")]);
    }

    #[test]
    fn a_hash_starts_a_label_only_without_a_dot_after_it() {
        let p = parsed(
            "docs/x.md",
            &[
                "<!-- LINT.IfChange -->",
                "x",
                "<!-- LINT.ThenChange(notes#v2.md, a.py#inputs, b.py:v1.2, c.py#v1.2, #own, C#.md) -->",
                "<!-- LINT.IfChange(own) -->",
                "<!-- LINT.ThenChange() -->",
            ],
        );
        assert_eq!(
            blocks(&p)[0].3,
            [
                "docs/notes#v2.md",
                "docs/a.py:inputs",
                "docs/b.py:v1.2",
                "docs/c.py#v1.2",
                "docs/x.md:own",
                "docs/C#.md"
            ]
        );
        assert_eq!(codes(&p), []);
    }

    #[test]
    fn regression_windows_separators_in_targets() {
        let p = parsed(
            "src/x.rs",
            &[
                "// LINT.IfChange",
                "x",
                "// LINT.ThenChange(//docs\\api.md, //C:\\foo:lbl, ..\\y.rs)",
            ],
        );
        assert_eq!(blocks(&p)[0].3, ["docs/api.md", "C:/foo:lbl", "y.rs"]);
    }

    #[test]
    fn regression_directive_keywords_match_in_any_case() {
        let p = parsed(
            "a.rs",
            &[
                "// lint.ifchange(a)",
                "x",
                "// LINT.THENCHANGE(//b.rs)",
                "// Lint.IfChange",
                "y",
                "// lint.thenChange(//c.rs)",
            ],
        );
        assert_eq!(
            blocks(&p),
            [
                (Some("a"), 1, 3, vec!["b.rs".to_owned()]),
                (None, 4, 6, vec!["c.rs".to_owned()])
            ]
        );
    }

    #[test]
    fn prose_after_a_complete_directive_is_prose() {
        let p = parsed(
            "a.rs",
            &[
                "// LINT.IfChange(label) is used for blocks that move together",
                "// LINT.IfChange marks a block.",
                "// LINT.ThenChange(//a.rs) then names its targets.",
                "// LINT.Whatever is not a directive either",
                "// LINT.IfChange(real) */",
                "x",
                "// LINT.ThenChange(//b.rs) -->",
            ],
        );
        assert_eq!(blocks(&p), [(Some("real"), 5, 7, vec!["b.rs".to_owned()])]);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
    }

    #[test]
    fn template_comments_carry_directives() {
        let go = parsed(
            "page.tmpl",
            &[
                "{{/* LINT.IfChange(nav) */}}",
                "<nav/>",
                "{{- /* LINT.ThenChange(//nav.css) */ -}}",
            ],
        );
        assert_eq!(
            blocks(&go),
            [(Some("nav"), 1, 3, vec!["nav.css".to_owned()])]
        );
        let jinja = parsed(
            "page.j2",
            &[
                "{# LINT.IfChange #}",
                "<nav/>",
                "{# LINT.ThenChange(",
                "   //a.css,",
                "   //b.css) #}",
            ],
        );
        assert_eq!(blocks(&jinja)[0].3, ["a.css", "b.css"]);
        assert!(go.problems.is_empty() && jinja.problems.is_empty());
    }

    #[test]
    fn labels_follow_one_grammar() {
        for bad in ["123bad", "bad*label", "_x", "é"] {
            let p = parsed(
                "a.rs",
                &[
                    &format!("// LINT.IfChange({bad})"),
                    "x",
                    "// LINT.ThenChange(//b.rs)",
                ],
            );
            assert_eq!(codes(&p), [(1, "malformed-directive")], "{bad}");
        }
        for good in ["a", "retry_policy", "v1.2-beta", "A9"] {
            let p = parsed(
                "a.rs",
                &[
                    &format!("// LINT.IfChange({good})"),
                    "x",
                    &format!("// LINT.ThenChange(:{good})"),
                ],
            );
            assert!(p.problems.is_empty(), "{good}: {:?}", p.problems);
            assert_eq!(blocks(&p)[0].3, [format!("a.rs:{good}")]);
        }
    }

    #[test]
    fn external_globs_match_the_written_and_the_resolved_path() {
        let rules = crate::rules::RuleSet::from_toml(
            "version = 1\n[settings]\nannotation_external = [\"generated/**\", \"//depot/**\"]\n",
        )
        .expect("compiles");
        let p = parse(
            "src/a.rs",
            b"// LINT.IfChange\nx\n// LINT.ThenChange(//generated/api.rs, ../generated/b.rs, //depot/c.go, //src/d.rs)\n",
            &rules.settings.annotation,
        );
        let block = &p.blocks[0];
        assert_eq!(
            block.external,
            ["//generated/api.rs", "../generated/b.rs", "//depot/c.go"]
        );
        assert_eq!(block.targets.len(), 1);
    }

    #[test]
    fn the_peers_dialects_parse_as_one_grammar() {
        let p = parsed(
            "deploy/app.yml",
            &[
                "# LINT.IfChange(\"env\")",
                "x",
                "# LINT.ThenChange(['../src/config.py#env', \"/docs/y.md\", #local, //z.md:lbl])",
                "# LINT.IfChange('single')",
                "y",
                "# LINT.ThenChange([",
                "#   \"constants.ts\",",
                "#   \"config.py#db\",",
                "# ])",
                "# LINT.Label(local)",
                "z",
                "# LINT.EndLabel",
                "# lint.label(\"outer\")",
                "# LINT.IfChange",
                "w",
                "# LINT.ThenChange(\"a, b.md\", 'c.md')",
                "# LINT.EndLabel",
            ],
        );
        assert_eq!(
            blocks(&p),
            [
                (
                    Some("env"),
                    1,
                    3,
                    vec![
                        "src/config.py:env".to_owned(),
                        "docs/y.md".to_owned(),
                        "deploy/app.yml:local".to_owned(),
                        "z.md:lbl".to_owned()
                    ]
                ),
                (
                    Some("single"),
                    4,
                    6,
                    vec![
                        "deploy/constants.ts".to_owned(),
                        "deploy/config.py:db".to_owned()
                    ]
                ),
                (Some("local"), 10, 12, vec![]),
                (Some("outer"), 13, 17, vec![]),
                (
                    None,
                    14,
                    16,
                    vec!["deploy/a, b.md".to_owned(), "deploy/c.md".to_owned()]
                ),
            ]
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
    }

    #[test]
    fn label_regions_are_checked_like_blocks() {
        type Case<'a> = (&'a [&'a str], &'a [(u32, &'a str)]);
        let cases: [Case<'_>; 5] = [
            (&["// LINT.Label(a)", "x"], &[(1, "unclosed-label")]),
            (
                &["x", "// LINT.EndLabel"],
                &[(2, "end-label-without-label")],
            ),
            (
                &["// LINT.Label", "x", "// LINT.EndLabel"],
                &[(1, "malformed-directive")],
            ),
            (
                &[
                    "// LINT.IfChange(a)",
                    "x",
                    "// LINT.ThenChange(//t)",
                    "// LINT.Label('a')",
                    "// LINT.EndLabel",
                ],
                &[(4, "duplicate-label")],
            ),
            (
                &["// LINT.Label(1x)", "x", "// LINT.EndLabel"],
                &[(1, "malformed-directive")],
            ),
        ];
        for (lines, expected) in cases {
            assert_eq!(codes(&parsed("a.rs", lines)), expected, "{lines:?}");
        }
        // Mentions are prose.
        let p = parsed(
            "a.rs",
            &["// LINT.Label(x) marks a region", "// LINT.EndLabel here"],
        );
        assert_eq!(p, Parsed::default());
    }

    #[test]
    fn crlf_line_endings() {
        let p = parse(
            "a.rs",
            b"// LINT.IfChange(a)\r\nx\r\n// LINT.ThenChange(:b)\r\n",
            &AnnotationSettings::default(),
        );
        assert_eq!(blocks(&p), [(Some("a"), 1, 3, vec!["a.rs:b".to_owned()])]);
    }
}
