//! Multi-line string literals and heredocs, whose lines are text, not comments: a
//! line-by-line tracker that knows, by file extension, how each family of languages
//! opens and closes them — no parser per language.

/// What ends the string a line is inside.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Closer {
    /// This text, anywhere on a line (`"""`, a backtick, `"#`, `]]`, `)delim"`); with
    /// `escapes`, a backslash before it does not count.
    Text { text: String, escapes: bool },
    /// A line that is this word, trimmed (heredocs), maybe followed by `;` or `,`.
    Line(String),
}

/// How a family of languages writes strings that may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// Python, Starlark, TOML, Dart: `"""`, `'''`.
    TripleQuotes,
    /// Java, Kotlin, Scala, Groovy, Swift, Julia: `"""`; Swift's `#"…"#`.
    TripleDouble,
    /// JavaScript, TypeScript, Go: backtick strings.
    Backtick,
    /// Rust: `"…"` over lines, raw `r#"…"#`.
    Rust,
    /// C, C++, Objective-C: raw `R"delim(…)delim"`.
    C,
    /// C#: verbatim `@"…"`, raw `"""…"""`.
    CSharp,
    /// Shell, Ruby, Perl, HCL: `<<WORD`, `<<-WORD`, `<<~WORD`, quoted words.
    Heredoc,
    /// PHP: `<<<WORD`.
    Php,
    /// Lua: `[[…]]`, `[=[…]=]`.
    Lua,
    /// PowerShell: here-strings `@"` … `"@`.
    PowerShell,
    /// Nix: `''…''`.
    Nix,
    /// Everything else: no string spans lines.
    None,
}

impl Family {
    fn of(path: &str) -> Family {
        let name = path.rsplit('/').next().unwrap_or(path);
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        match ext.to_ascii_lowercase().as_str() {
            "py" | "pyi" | "pyw" | "bzl" | "star" | "toml" | "dart" => Family::TripleQuotes,
            _ if matches!(name, "BUILD" | "WORKSPACE") => Family::TripleQuotes,
            "java" | "kt" | "kts" | "scala" | "groovy" | "gradle" | "swift" | "jl" => {
                Family::TripleDouble
            }
            "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" | "go" | "vue"
            | "svelte" => Family::Backtick,
            "rs" => Family::Rust,
            "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" | "m" | "mm" => Family::C,
            "cs" => Family::CSharp,
            "sh" | "bash" | "zsh" | "ksh" | "rb" | "pl" | "pm" | "tf" | "hcl" => Family::Heredoc,
            "php" => Family::Php,
            "lua" => Family::Lua,
            "ps1" | "psm1" => Family::PowerShell,
            "nix" => Family::Nix,
            _ => Family::None,
        }
    }

    /// Where an inline comment starts, ending the code on a line.
    fn line_comment(self) -> &'static [&'static str] {
        match self {
            Family::TripleQuotes | Family::Heredoc | Family::PowerShell | Family::Nix => &["#"],
            Family::Php => &["//", "#"],
            Family::Lua => &["--"],
            Family::None => &[],
            _ => &["//"],
        }
    }

    /// The string that opens at the start of `code`, if one does: its length and what
    /// closes it.
    fn opener(self, code: &str) -> Option<(usize, Closer)> {
        let text = |open: usize, close: &str, escapes| {
            Some((
                open,
                Closer::Text {
                    text: close.to_owned(),
                    escapes,
                },
            ))
        };
        match self {
            Family::TripleQuotes | Family::TripleDouble | Family::CSharp
                if code.starts_with("\"\"\"") =>
            {
                text(3, "\"\"\"", true)
            }
            Family::TripleQuotes if code.starts_with("'''") => text(3, "'''", true),
            Family::TripleDouble if code.starts_with("#\"") => text(2, "\"#", false),
            Family::Backtick if code.starts_with('`') => text(1, "`", true),
            Family::Rust => raw_rust(code),
            Family::C => raw_c(code),
            Family::CSharp if code.starts_with("@\"") => text(2, "\"", false),
            Family::Heredoc => heredoc(code.strip_prefix("<<")?),
            Family::Php => heredoc(code.strip_prefix("<<<")?).map(|(n, c)| (n + 1, c)),
            Family::Lua => {
                let level = code
                    .strip_prefix('[')?
                    .bytes()
                    .take_while(|&b| b == b'=')
                    .count();
                let open = format!("[{}[", "=".repeat(level));
                code.starts_with(&open).then(|| {
                    (
                        open.len(),
                        Closer::Text {
                            text: format!("]{}]", "=".repeat(level)),
                            escapes: false,
                        },
                    )
                })
            }
            Family::PowerShell if code.trim_end() == "@\"" || code.trim_end() == "@'" => {
                let quote = &code[1..2];
                Some((2, Closer::Line(format!("{quote}@"))))
            }
            Family::Nix if code.starts_with("''") => text(2, "''", false),
            _ => None,
        }
    }
}

/// `r"`, `r#"`, `br##"` … and their closers.
fn raw_rust(code: &str) -> Option<(usize, Closer)> {
    let rest = code.strip_prefix('b').unwrap_or(code).strip_prefix('r')?;
    let hashes = rest.bytes().take_while(|&b| b == b'#').count();
    rest[hashes..].starts_with('"').then(|| {
        let open = code.len() - rest.len() + hashes + 1;
        let text = format!("\"{}", "#".repeat(hashes));
        (
            open,
            Closer::Text {
                text,
                escapes: false,
            },
        )
    })
}

/// `R"delim(` and its closer `)delim"`.
fn raw_c(code: &str) -> Option<(usize, Closer)> {
    let rest = code.strip_prefix("R\"")?;
    let (delimiter, _) = rest.split_once('(')?;
    (delimiter.len() <= 16 && !delimiter.contains([' ', ')', '\\', '"'])).then(|| {
        let text = format!("){delimiter}\"");
        (
            3 + delimiter.len(),
            Closer::Text {
                text,
                escapes: false,
            },
        )
    })
}

/// The word of a heredoc after its `<<`: `-`/`~` then a word, maybe quoted.
fn heredoc(rest: &str) -> Option<(usize, Closer)> {
    let flags = rest.len() - rest.trim_start_matches(['-', '~']).len();
    let body = &rest[flags..];
    let quote = body.chars().next().filter(|c| matches!(c, '\'' | '"'));
    let start = flags + quote.map_or(0, char::len_utf8);
    let word: String = rest[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let first = word.chars().next()?;
    (first.is_ascii_alphabetic() || first == '_').then(|| {
        let end = start + word.len() + quote.map_or(0, char::len_utf8);
        (2 + end, Closer::Line(word))
    })
}

/// The tracker for one file.
#[derive(Debug)]
pub struct Strings {
    family: Family,
    open: Option<Closer>,
}

impl Strings {
    pub fn new(path: &str) -> Strings {
        Strings {
            family: Family::of(path),
            open: None,
        }
    }

    /// Whether `line` starts inside a string (so it is no directive); follows the
    /// strings that open and close on it. A comment line opens nothing.
    pub fn skips(&mut self, line: &str) -> bool {
        if let Some(closer) = self.open.take() {
            match close(&closer, line) {
                Some(after) => self.scan(&line[after..]),
                None => self.open = Some(closer),
            }
            return true;
        }
        let start = line.trim_start();
        let comment = ["/*", "*"]
            .iter()
            .chain(self.family.line_comment())
            .any(|c| start.starts_with(c));
        if !comment {
            self.scan(line);
        }
        false
    }

    /// Follows the code of one line; leaves `open` set when a string stays open.
    fn scan(&mut self, code: &str) {
        let comments = self.family.line_comment();
        let mut i = 0;
        while i < code.len() {
            let rest = &code[i..];
            if comments.iter().any(|c| rest.starts_with(c)) {
                return;
            }
            if let Some((len, closer)) = self.family.opener(rest) {
                match close(&closer, &rest[len..]) {
                    Some(after) => i += len + after,
                    None => return self.open = Some(closer),
                }
                continue;
            }
            let c = rest.chars().next().unwrap_or(' ');
            if matches!(c, '"' | '\'') {
                match end_of_quoted(&rest[1..], c) {
                    Some(end) => i += 1 + end,
                    // Only Rust's double-quoted strings go on over lines.
                    None if c == '"' && self.family == Family::Rust => {
                        return self.open = Some(Closer::Text {
                            text: "\"".to_owned(),
                            escapes: true,
                        });
                    }
                    None => return,
                }
                continue;
            }
            i += c.len_utf8();
        }
    }
}

/// Where the text after `closer` begins on `line`, if it closes there.
fn close(closer: &Closer, line: &str) -> Option<usize> {
    match closer {
        Closer::Line(word) => {
            let trimmed = line.trim();
            let bare = trimmed.trim_end_matches([';', ',', ')']);
            (bare == word).then_some(line.len())
        }
        Closer::Text { text, escapes } => {
            let mut from = 0;
            while let Some(at) = line[from..].find(text.as_str()) {
                let at = from + at;
                let backslashes = line[..at].bytes().rev().take_while(|&b| b == b'\\').count();
                if !escapes || backslashes % 2 == 0 {
                    return Some(at + text.len());
                }
                from = at + 1;
            }
            None
        }
    }
}

/// The byte after the quote that ends a one-line string whose opening `quote` came just
/// before `rest`.
fn end_of_quoted(rest: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == quote => return Some(i + 1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::{Parsed, parse};
    use crate::config::AnnotationSettings;

    fn parsed(path: &str, text: &str) -> Parsed {
        parse(path, text.as_bytes(), &AnnotationSettings::default())
    }

    /// A block written inside a multi-line string of each family.
    #[test]
    fn directives_inside_multi_line_strings_are_text() {
        let cases: [(&str, &str, &str, &str); 21] = [
            ("a.rs", "let s = \"", "//", "\";"),
            ("a.rs", "let s = r#\"", "//", "\"#;"),
            ("a.py", "s = \"\"\"", "#", "\"\"\""),
            ("a.py", "s = '''", "#", "'''"),
            ("BUILD", "doc = \"\"\"", "#", "\"\"\""),
            ("a.toml", "s = '''", "#", "'''"),
            ("a.dart", "var s = '''", "//", "''';"),
            ("a.js", "const s = `", "//", "`;"),
            ("a.go", "var s = `", "//", "`"),
            ("a.sh", "cat <<'EOF'", "#", "EOF"),
            ("a.rb", "x = <<~HEREDOC", "#", "HEREDOC"),
            ("a.pl", "my $x = <<END;", "#", "END"),
            ("a.tf", "variable = <<-EOT", "#", "EOT"),
            ("a.php", "$x = <<<EOT", "//", "EOT;"),
            ("a.cpp", "auto s = R\"(", "//", ")\";"),
            ("a.cs", "var s = @\"", "//", "\";"),
            ("a.java", "String s = \"\"\"", "//", "\"\"\";"),
            ("a.swift", "let s = #\"", "//", "\"#"),
            ("a.lua", "local s = [[", "--", "]]"),
            ("a.ps1", "$s = @\"", "#", "\"@"),
            ("a.nix", "s = ''", "#", "'';"),
        ];
        for (path, open, leader, close) in cases {
            let text = format!(
                "{open}\n{leader} LINT.IfChange\nsome 'text' here\n{leader} LINT.ThenChange(//gone)\n{close}\n{leader} LINT.IfChange(after)\nx\n{leader} LINT.ThenChange(//real)\n"
            );
            let p = parsed(path, &text);
            assert!(p.problems.is_empty(), "{path}: {:?}", p.problems);
            let targets: Vec<String> = p
                .blocks
                .iter()
                .flat_map(|b| b.targets.iter().map(|t| t.path.clone()))
                .collect();
            assert_eq!(targets, ["real"], "{path}: {open}");
        }
    }

    #[test]
    fn strings_that_close_on_their_line_open_nothing() {
        let cases = [
            ("a.rs", "let s = \"a \\\" b\"; let c = '\"';"),
            ("a.py", "s = \"\"\"one line\"\"\"  # don't \"\"\""),
            ("a.js", "const s = `x` + \"`\"; // a ` in a comment"),
            ("a.sh", "echo $((1 << 2)); x=\"<<EOF\""),
            ("a.rb", "list << item"),
            ("a.c", "char *s = \"// LINT.IfChange\"; /* ` */"),
            ("a.rs", "let s = \"ends with a backslash \\\\\";"),
        ];
        for (path, line) in cases {
            let text = format!(
                "{line}\n// LINT.IfChange\nx\n// LINT.ThenChange(//t)\n# LINT.IfChange\ny\n# LINT.ThenChange(//u)\n"
            );
            let p = parsed(path, &text);
            assert_eq!(p.blocks.len(), 2, "{path}: {line}: {p:?}");
        }
    }

    #[test]
    fn a_docstring_between_blocks_leaves_both_blocks() {
        let p = parsed(
            "m.py",
            "# LINT.IfChange(a)\nx = 1\n# LINT.ThenChange(//t)\ndef f():\n    \"\"\"Docs.\n\n    # LINT.IfChange is described here\n    \"\"\"\n# LINT.IfChange(b)\ny = 2\n# LINT.ThenChange(//u)\n",
        );
        let labels: Vec<_> = p.blocks.iter().map(|b| b.label.as_deref()).collect();
        assert_eq!(labels, [Some("a"), Some("b")]);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
    }
}
