#!/usr/bin/env python3
"""Rebuilds peer linters' own test cases as git repositories and counts, per peer, how
often lockstep agrees with the verdict the peer's suite expects. Only the peers' test
cases are READ (nothing of their code is used).

simonepri/ifttt-lint (MIT), `src/check_test.rs`, `src/parser_test.rs` and
`src/cli_test.rs`, from LOCKSTEP_PEER_IFTTT. check_test.rs: each
`CheckCase` names files (the new side), the lines a diff added or removed, deleted files,
files to validate and patterns to ignore, and whether errors and findings are expected.
The script writes a base commit and a head commit that differ by those lines, runs
`lockstep check --range HEAD~1..HEAD` and `lockstep validate`, and compares, for each
expectation the case states, whether lockstep reports errors (malformed blocks, dead
targets) and findings (unmet targets).

slnc/ifchange (MIT), `tests/lint.rs`, `tests/absolute_paths.rs` and `tests/scan.rs`, from
LOCKSTEP_PEER_IFCHANGE: a lint case gives the files on disk (the new side) and the hunks
of a unified diff; the script builds the old side by undoing the hunks at their line
numbers, commits both, runs `lockstep check --range HEAD~1..HEAD` (and `lockstep
validate` when the peer's directive scan is on) and compares the exit code with the one
the test asserts. A scan case gives files and an exit code, compared with `lockstep
validate`'s. A test that writes files and runs the peer on a diff it spells out
(`run_lint`, `run_lint_in_repo`, or the binary itself with `.arg(tmp.path())`, from the
directory `.current_dir` names) is rebuilt the same way from that diff's text (paths
without `a/`/`b/` or the temporary directory, C-quoted names decoded), and lockstep runs
from the same directory. Not expressible, counted apart: a test without a git
repository (`no_git_dir_…`), a diff naming a file with no changed line (git lists changed
files only), tests asserting no exit code. Cases whose inputs are not literals, or that
use peer options without a counterpart, are counted apart too.

ifttt-lint's `src/parser_test.rs`: each test parses a target (`parse_target`), a
`ThenChange` list or a whole file, and asserts the file and label of each target, that
errors come or do not, or that nothing is a directive. The script writes the text as (or
in) a block of `src.rs`, each expected target as a file (holding a block with the
expected label), and requires: changing the block alone names exactly the expected
targets, changing the targets too passes, and `lockstep validate` reports errors
exactly when the test expects some.

ifttt-lint's `src/cli_test.rs`: each test is a script of writes, commits, `git add`/`rm`/
`mv`, symlinks and runs of the peer with an expected exit code. The script plays the same
steps in a git repository (loops unrolled, `format!` filled in) and runs lockstep where
the peer ran: `--diff R` → `check --range R`; file arguments alone (the peer's
structural validation) → `validate`; `--ignore G` → `annotation_external`. Not
expressible, and counted apart: a file outside the repository
(`outside_root_relative_file_is_skipped`, the peer's argument `../x.rs`) and the jj
backend (three tests: lockstep reads git repositories; jj's own `--git` diffs go through
`check --diff`). Exit codes are compared, not message wording.

Cases of check_test.rs no repository can express: a diff that names a file the head
side lacks (`modified_but_missing_file`: in git a modified file exists on the head
side), and a file list naming a file that does not exist (`file_itself_missing`: the
peer's command-line argument, not repository content).

Usage:
  LOCKSTEP_PEER_IFTTT=/path/to/ifttt-lint(.git) LOCKSTEP_PEER_IFCHANGE=/path/to/ifchange(.git) \
  LOCKSTEP_BIN=target/release/lockstep python3 benches/peer_agreement.py [-v]
(either peer alone works too).

ifttt-lint case mapping: a line both added and removed is rewritten on the base side
(directive lines are left as they are, since the peer's cases only say *that* they
changed); a line only added is absent from the base; a line only removed is inserted
before its position; a rewritten `LINT.IfChange(label)` line had, on the base side,
the label other files name in the file and it lacks (the cases call that a rename); a
file changed without an added line had, on the base side, one
more line and the labels other files name in it that it lacks (the cases' comments say
the change removed them); a case without changes adds every file in one commit;
`ignore_patterns` become `settings.annotation_external`; `strict = false` cases are
reported apart, since bare paths are relative to the file in lockstep (a documented,
deliberate difference).
"""

import os
import re
import subprocess
import sys
import tempfile


def peer_file(root, path):
    """A file of a peer's clone (a work tree or a bare git directory)."""
    full = os.path.join(root, path)
    if os.path.isfile(full):
        return open(full, encoding="utf-8").read()
    return subprocess.run(
        ["git", "--git-dir", root, "show", "HEAD:" + path],
        check=True, capture_output=True, text=True,
    ).stdout


def string_at(text, i):
    """The Rust string literal starting at text[i] and the index after it."""
    if text[i] == "r":
        hashes = 0
        j = i + 1
        while text[j] == "#":
            hashes += 1
            j += 1
        assert text[j] == '"'
        end = text.index('"' + "#" * hashes, j + 1)
        return text[j + 1:end], end + 1 + hashes
    assert text[i] == '"', text[i:i + 20]
    out = []
    j = i + 1
    while text[j] != '"':
        c = text[j]
        if c == "\\":
            n = text[j + 1]
            if n == "\n":
                j += 2
                while text[j] in " \t\n":
                    j += 1
                continue
            if n == "u":
                close = text.index("}", j)
                out.append(chr(int(text[j + 3:close], 16)))
                j = close + 1
                continue
            out.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(n, n))
            j += 2
            continue
        out.append(c)
        j += 1
    return "".join(out), j + 1


def strings_in(text):
    found = []
    i = 0
    while i < len(text):
        if text[i] == '"' or (text[i] == "r" and re.match(r'r#*"', text[i:]) and not text[i - 1].isalnum()):
            s, i = string_at(text, i)
            found.append(s)
        else:
            i += 1
    return found


def closing(text, start, open_="{", close="}"):
    """The index after the bracket closing the one at text[start], skipping Rust strings
    and `//` comments."""
    depth = 0
    i = start
    while True:
        c = text[i]
        if c == '"' or (c == "r" and re.match(r'r#*"', text[i:]) and not text[i - 1].isalnum()):
            _, i = string_at(text, i)
            continue
        if c == "/" and text[i + 1] == "/":
            i = text.index("\n", i)
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1


def unindent(s):
    """As the `unindent` crate does: the common indent of the lines after the first
    (which does not count, and is dropped when empty) is cut from every line."""
    lines = s.split("\n")
    if lines[0].strip() == "":
        lines = lines[1:]
        counted = lines
    else:
        counted = lines[1:]
    indents = [len(l) - len(l.lstrip()) for l in counted if l.strip()]
    cut = min(indents) if indents else 0
    kept = [] if counted is lines else [lines[0]]
    return "\n".join(kept + [l[cut:] if l.strip() else "" for l in counted])


def field(body, name):
    m = re.search(r"\b" + name + r":", body)
    return body[m.end():] if m else None


def expectation(body, name):
    rest = field(body, name)
    if rest is None:
        return None
    rest = rest.lstrip()
    if rest.startswith("None"):
        return None
    return not re.match(r"Some\(&\[\s*\]\)", rest)


def parse_cases(text):
    cases = []
    for m in re.finditer(r"^\s+(\w+) = \{ CheckCase \{", text, re.M):
        end = closing(text, m.end() - len("{ CheckCase {"))
        body = text[m.end():end]
        case = {"name": m.group(1), "files": [], "changes": None, "deleted": [],
                "file_list": [], "ignore": [], "strict": "strict: false" not in body}
        files = re.search(r"files!\s*\{", body)
        if files:
            inner = body[files.end():closing(body, files.end() - 1) - 1]
            found = strings_in(inner)
            case["files"] = [(found[k], unindent(found[k + 1])) for k in range(0, len(found) - 1, 2)]
        changes = field(body, "changes")
        if changes is not None and changes.lstrip().startswith("Some"):
            chunk = changes[:changes.index("\n")]
            case["changes"] = []
            for s in re.finditer(r'sub\("([^"]+)",\s*&\[([\d,\s]*)\]\)', chunk):
                lines = [int(n) for n in s.group(2).replace(",", " ").split()]
                case["changes"].append((s.group(1), lines, lines))
            for t in re.finditer(r'\("([^"]+)",\s*&\[([\d,\s]*)\],\s*&\[([\d,\s]*)\]\)', chunk):
                nums = lambda g: [int(n) for n in g.replace(",", " ").split()]
                case["changes"].append((t.group(1), nums(t.group(2)), nums(t.group(3))))
        for key, name in (("deleted", "deleted"), ("file_list", "file_list"), ("ignore", "ignore_patterns")):
            rest = field(body, name)
            if rest is not None:
                case[key] = strings_in(rest[:rest.index("]") + 1])
        count = re.search(r"expected_finding_count: Some\((\d+)\)", body)
        findings = expectation(body, "expected_findings")
        if count:
            findings = (findings or False) or int(count.group(1)) > 0
        case["errors"] = expectation(body, "expected_errors")
        case["findings"] = findings
        cases.append(case)
    return cases


def git(repo, *args):
    subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True)


def base_side(new, added, removed, lost=()):
    """The old side of a file from its new side and the changed line numbers; `lost`
    are labels other files name in it that it lacks: a rewritten `LINT.IfChange(…)` line
    had the first of them (the case's comments call such a change a rename)."""
    lost = list(lost)
    lines = new.split("\n")
    # Both directives of a pair among the added lines: the pair is new, and a line
    # "removed" at a directive's position was other content.
    new_pair = sum("LINT." in lines[n - 1] for n in added if n <= len(lines)) >= 2
    out = []
    for n, line in enumerate(lines, 1):
        if n in removed and n not in added:
            out.append("removed line")
        if n in added and n in removed:
            keep = "LINT." in line and not new_pair
            if keep and lost and re.search(r"LINT\.IfChange\(\w+\)", line):
                line = re.sub(r"IfChange\(\w+\)", "IfChange(%s)" % lost.pop(0), line)
            out.append(line if keep else line + " OLD")
        elif n not in added:
            out.append(line)
    return "\n".join(out)


def lost_labels(path, text, files):
    """The labels other files name in `path` that its new side `text` lacks."""
    named = set()
    for other, content in files.items():
        if other != path:
            named |= set(re.findall(r"//" + re.escape(path) + r":(\w+)", content))
    present = set(re.findall(r"LINT\.IfChange\((\w+)\)", text))
    return sorted(named - present)


def removed_labels(path, text, files):
    """The base side of a file a case lists as changed without adding a line (its
    comments say the change removed a label others name): `text`, one more line, and a
    block for each label other files name in the file that it no longer has."""
    blocks = ["// LINT.IfChange(%s)\nold\n// LINT.ThenChange()" % label
              for label in lost_labels(path, text, files)]
    return "\n".join([text.rstrip("\n"), "removed line"] + blocks) + "\n"


def write(repo, path, text):
    full = os.path.join(repo, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", encoding="utf-8") as f:
        f.write(text)


def run_case(case, binary, env):
    with tempfile.TemporaryDirectory() as repo:
        git(repo, "init", "-q")
        externals = ", ".join('"%s"' % p for p in case["ignore"])
        config = "version = 1\n"
        if externals:
            config += "[settings]\nannotation_external = [%s]\n" % externals
        write(repo, "lockstep.toml", config)
        files = dict(case["files"])
        changed = {c[0]: c for c in case["changes"] or []}
        if case["changes"] is not None:
            for path, text in files.items():
                if path in changed:
                    _, added, removed = changed[path]
                    count = len(text.rstrip("\n").split("\n"))
                    if not added:
                        base = base_side(text, set(), set(removed)) if removed else text
                        write(repo, path, removed_labels(path, base, files))
                    elif removed or set(added) != set(range(1, count + 1)):
                        lost = lost_labels(path, text, files)
                        write(repo, path, base_side(text, set(added), set(removed), lost))
                else:
                    write(repo, path, text)
            for path in case["deleted"]:
                write(repo, path, "deleted\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "base", "--allow-empty")
        for path in case["deleted"]:
            os.remove(os.path.join(repo, path))
        for path, text in files.items():
            write(repo, path, text)
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "head", "--allow-empty")
        check = subprocess.run([binary, "check", "--range", "HEAD~1..HEAD", "--format", "json"],
                               cwd=repo, capture_output=True, text=True, env=env)
        if check.returncode == 2:
            return None, None, check.stderr
        import json
        report = json.loads(check.stdout)
        findings = any(f["missing"] for f in report["findings"])
        errors = any(not f["missing"] for f in report["findings"])
        validate = subprocess.run([binary, "validate"], cwd=repo, capture_output=True, text=True, env=env)
        looked_at = set(case["file_list"]) | set(changed) | (set(files) if case["changes"] is None else set())
        for line in validate.stdout.split("\n"):
            m = re.match(r"\s*× ([^:\s]+):\d+:", line)
            if m and m.group(1) in looked_at:
                errors = True
        return errors, findings, ""


def lockstep_json(repo, binary, env, config, *args):
    """(exit code, findings) of `lockstep check … --format json` with `config`."""
    import json
    run = subprocess.run([binary, "check", "--config", config, *args, "--format", "json"],
                         cwd=repo, capture_output=True, text=True, env=env)
    if run.returncode == 2:
        return 2, []
    return run.returncode, json.loads(run.stdout)["findings"]


# (agreed, judged) of each ifttt-lint suite run so far.
AGREED = []


# --- ifttt-lint's parser tests -----------------------------------------------------

def parser_expectations(body):
    """What one parser test asserts: the text it parses (`kind` target, then-change or
    file), the targets it expects as (file, label), whether it expects errors, and
    whether it expects no directive at all."""
    def strings_after(pattern):
        m = re.search(pattern, body)
        return m and strings_in(body[m.end():body.index(";", m.end())])
    expect = {"targets": [], "errors": None, "none": "directives.is_empty()" in body}
    if re.search(r"parse_target\(\"", body):
        expect["kind"], expect["text"] = "target", strings_after(r"parse_target\(")[0]
        value = lambda name: re.search(r"t\." + name + r"(?:\.as_deref\(\))?,\s*(None|Some\(\"((?:\\.|[^\"])*)\"\))", body)
        file, label = value("file"), value("label")
        expect["targets"] = [(file.group(1) != "None" and string_at(file.group(1), 5)[0] or None,
                              label.group(1) != "None" and string_at(label.group(1), 5)[0] or None)]
        return expect
    text = strings_after(r"let (?:body|content) = ")
    if not text:
        return None
    expect["text"] = text[0]
    expect["kind"] = "then-change" if "parse_then_change_targets(" in body else "file"
    for m in re.finditer(r"targets\[(\d+)\]\.file\.as_deref\(\),\s*Some\(", body):
        expect["targets"].append((string_at(body, m.end())[0], None))
    if re.search(r"errors\s*\.iter\(\)\s*\.any", body):
        expect["errors"] = True
    elif "errors.is_empty()" in body:
        expect["errors"] = False
    return expect


def target_path(file):
    """A target as the peer resolves it: `//` from the root, `\` a separator."""
    return file.replace("\\", "/").lstrip("/")


def labelled_block(label, body):
    return "// LINT.IfChange(%s)\n%s\n// LINT.ThenChange()\n" % (label, body)


def parser_case(expect, binary, env):
    """Whether lockstep reads the parsed text as the test expects, through a repository:
    the text as (or in) a block of `src.rs`, every expected target as a file (with the
    expected label as a block in it); a change of the block alone must name exactly the
    expected targets, a change of the block and of every target must pass, `validate`
    must report errors exactly when the test expects some."""
    with tempfile.TemporaryDirectory() as repo, tempfile.TemporaryDirectory() as outside:
        config = os.path.join(outside, "lockstep.toml")
        write(outside, "lockstep.toml", "version = 1\n")
        git(repo, "init", "-q")
        if expect["kind"] == "file":
            source = expect["text"]
        else:
            text = expect["text"] if expect["kind"] == "then-change" else "LINT.ThenChange(%s)" % expect["text"]
            source = "// LINT.IfChange\nsource\n// %s\n" % text
        expected = set()
        for file, label in expect["targets"]:
            if file is None:
                source += labelled_block(label, "labelled")
                expected.add("src.rs:" + label)
            else:
                write(repo, target_path(file), labelled_block(label, "labelled") if label else "target\n")
                expected.add(target_path(file) + (":" + label if label else ""))
        write(repo, "src.rs", source)
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "base")
        errors = subprocess.run([binary, "validate", "--config", config], cwd=repo,
                                capture_output=True, env=env).returncode != 0
        agree = expect["errors"] is None or errors == expect["errors"]
        if expect["none"]:
            agree = agree and not errors
        if expect["targets"]:
            body = "source" if expect["kind"] != "file" else "code"
            write(repo, "src.rs", source.replace(body, body + " changed", 1))
            git(repo, "commit", "-qam", "the block alone")
            code, findings = lockstep_json(repo, binary, env, config, "--range", "HEAD~1..HEAD")
            named = {p for f in findings for m in f["missing"] for p in m["paths"]}
            agree = agree and code == 1 and named == expected and all(f["missing"] for f in findings)
            for file, label in expect["targets"]:
                path = "src.rs" if file is None else target_path(file)
                full = os.path.join(repo, path)
                text = open(full, encoding="utf-8").read()
                write(repo, path, text.replace("labelled", "labelled changed") if label else text + "changed\n")
            git(repo, "commit", "-qam", "the targets too")
            code, _ = lockstep_json(repo, binary, env, config, "--range", "HEAD~2..HEAD")
            agree = agree and code == 0
        return agree


def ifttt_parser(root, binary, env):
    results = []
    for name, body in functions(peer_file(root, "src/parser_test.rs")):
        expect = parser_expectations(body)
        results.append((name, None if expect is None else parser_case(expect, binary, env)))
    judged = [r for r in results if r[1] is not None]
    print("ifttt-lint parser_test.rs: %d tests, %d rebuilt as repositories" % (len(results), len(judged)))
    print("  lockstep agrees on %d of %d" % (sum(1 for r in judged if r[1]), len(judged)))
    AGREED.append((sum(1 for r in judged if r[1]), len(judged)))
    return ["%-60s lockstep disagrees" % n for n, ok in judged if not ok] + \
        ["%-60s not rebuilt: asserts nothing this script reads" % n for n, ok in results if ok is None]


# --- ifttt-lint's CLI tests --------------------------------------------------------

class Unexpressible(Exception):
    """A CLI test a git repository and lockstep's commands cannot express."""


def rust_args(text, bindings):
    """The values of a Rust call's arguments: string literals, `&format!(…)` with
    `{name}` from `bindings`, names bound by a loop, `&[…]`/`[…]` of strings, numbers,
    `repo.dir.path().join(p)` as ("path", p)."""
    values = []
    for part in split_top(text):
        part = part.strip()
        if not part:
            continue
        joined = re.fullmatch(r"repo\.dir\.path\(\)\.join\((.*)\)(?:\.unwrap\(\))?", part, re.S)
        formatted = re.fullmatch(r"&?format!\((.*)\)", part, re.S)
        if joined:
            values.append(("path", rust_args(joined.group(1), bindings)[0]))
        elif formatted:
            template = strings_in(formatted.group(1))[0]
            values.append(re.sub(r"\{(\w+)\}", lambda m: bindings[m.group(1)], template))
        elif re.fullmatch(r"&?\[.*\]", part, re.S):
            values.append(strings_in(part))
        elif part[0] in "\"r" and re.match(r'r?#*"', part):
            values.append(string_at(part, 0)[0])
        elif part.lstrip("&") in bindings:
            values.append(bindings[part.lstrip("&")])
        elif part.isdigit():
            values.append(int(part))
        else:
            raise Unexpressible("an argument computed in code: " + part[:40])
    return values


def split_top(text):
    """`text` split at the commas outside brackets and strings."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        c = text[i]
        if c == '"' or (c == "r" and re.match(r'r#*"', text[i:]) and not text[i - 1].isalnum()):
            i = string_at(text, i)[1]
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


STATEMENT = re.compile(
    r"(?P<repo>\b(?:Jj)?TestRepo::new\(\))"
    r"|\brepo\s*\.(?P<call>write|commit|stage|remove|git)\("
    r"|\brepo\s*\.\s*(?P<run>run|run_with_threads)\("
    r"|(?P<fs>std::os::unix::fs::symlink|std::fs::create_dir_all)\("
    r"|\bfor\s*\((?P<vars>[\w,\s]+)\)\s*in\s*\["
    r"|(?P<outside>Builder::new\(\))")


def cli_steps(body, bindings=None):
    """The steps of one CLI test: (action, values) in order, loops unrolled."""
    bindings = bindings or {}
    steps, i = [], 0
    while True:
        m = STATEMENT.search(body, i)
        if not m:
            return steps
        if m.group("outside"):
            raise Unexpressible("a file outside the repository")
        if m.group("repo"):
            if m.group("repo").startswith("Jj"):
                raise Unexpressible("a jj repository (lockstep reads git)")
            i = m.end()
            continue
        if m.group("vars"):
            names = [v.strip() for v in m.group("vars").split(",")]
            end = closing(body, m.end() - 1, "[", "]")
            values = strings_in(body[m.end():end - 1])
            open_ = body.index("{", end)
            close = closing(body, open_)
            for k in range(0, len(values), len(names)):
                inner = dict(bindings, **dict(zip(names, values[k:k + len(names)])))
                steps += cli_steps(body[open_ + 1:close - 1], inner)
            i = close
            continue
        end = closing(body, m.end() - 1, "(", ")")
        args = rust_args(body[m.end():end - 1], bindings)
        if m.group("call") or m.group("fs"):
            steps.append((m.group("call") or m.group("fs").rsplit("::", 1)[1], args))
            i = end
            continue
        # repo.run()….assert()….success() / .failure()[.code(n)]
        stop = body.index(";", end)
        chain = body[end:stop]
        argv = []
        for call in re.finditer(r"\.(args|arg)\(", chain):
            close = closing(chain, call.end() - 1, "(", ")")
            value = rust_args(chain[call.end():close - 1], bindings)[0]
            argv += value if isinstance(value, list) else [value]
        code = re.search(r"\.code\((\d+)\)", chain)
        expected = 0 if ".success()" in chain else int(code.group(1)) if code else "nonzero"
        steps.append(("run", [argv, expected]))
        i = stop
    return steps


def cli_command(argv):
    """lockstep's command for the peer's arguments, and the `annotation_external` globs:
    `--diff R` → `check --range R`; files alone (the peer's structural validation of
    them) → `validate`; `--ignore G` → `annotation_external`; `--format json` kept;
    `--threads`, `--vcs git` and `--strict=false` change nothing lockstep reads (bare
    paths are file-relative in lockstep, and the tests' files are at the root)."""
    command, globs, i = None, [], 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--diff", "--ignore", "--threads", "--vcs", "--format") and i + 1 < len(argv):
            value = argv[i + 1]
            if arg == "--diff":
                command = ["check", "--range", value]
            elif arg == "--ignore":
                globs += [value, "**/" + value]
            elif arg == "--vcs" and value != "git":
                raise Unexpressible("--vcs " + value)
            i += 2
            continue
        if arg == "--strict=false":
            i += 1
            continue
        if arg.startswith("-"):
            raise Unexpressible("peer option " + arg)
        i += 1
    command = command or ["validate"]
    if "--format" in argv:
        command += ["--format", argv[argv.index("--format") + 1]]
    return command, globs


def cli_case(steps, binary, env):
    """Plays the steps in a fresh repository; whether every lockstep exit code is the
    one the test asserts of the peer."""
    with tempfile.TemporaryDirectory() as repo, tempfile.TemporaryDirectory() as outside:
        git(repo, "init", "-q", "-b", "main")
        agree = True
        for action, args in steps:
            if action == "write":
                write(repo, args[0], unindent(args[1]))
            elif action == "commit":
                git(repo, "add", "-A")
                git(repo, "commit", "-qm", args[0])
            elif action == "stage":
                git(repo, "add", args[0])
            elif action == "remove":
                git(repo, "rm", "-q", args[0])
            elif action == "git":
                git(repo, *args[0])
            elif action == "symlink":
                os.symlink(args[0], os.path.join(repo, args[1][1]))
            elif action == "create_dir_all":
                os.makedirs(os.path.join(repo, args[0][1]), exist_ok=True)
            elif action == "run":
                argv, expected = args
                command, globs = cli_command(argv)
                config = "version = 1\n"
                if globs:
                    config += "[settings]\nannotation_external = [%s]\n" % ", ".join('"%s"' % g for g in globs)
                write(outside, "lockstep.toml", config)
                command[1:1] = ["--config", os.path.join(outside, "lockstep.toml")]
                code = subprocess.run([binary, *command], cwd=repo, capture_output=True, env=env).returncode
                agree = agree and (code == expected or (expected == "nonzero" and code != 0))
        return agree


def ifttt_cli(root, binary, env):
    results = []
    for name, body in functions(peer_file(root, "src/cli_test.rs")):
        try:
            steps = cli_steps(body)
            for action, args in steps:
                if action == "run":
                    cli_command(args[0])
            results.append((name, cli_case(steps, binary, env), ""))
        except Unexpressible as why:
            results.append((name, None, str(why)))
    judged = [r for r in results if r[1] is not None]
    print("ifttt-lint cli_test.rs: %d tests, %d rebuilt as repositories" % (len(results), len(judged)))
    print("  lockstep agrees on %d of %d" % (sum(1 for r in judged if r[1]), len(judged)))
    AGREED.append((sum(1 for r in judged if r[1]), len(judged)))
    return ["%-60s lockstep disagrees" % n for n, ok, _ in judged if not ok] + \
        ["%-60s not rebuilt: %s" % (n, why) for n, ok, why in results if ok is None]


# --- slnc/ifchange ---------------------------------------------------------------

IFCHANGE_LINT_FILES = ("tests/lint.rs", "tests/absolute_paths.rs")
IFCHANGE_SCAN_FILE = "tests/scan.rs"
# Options of the peer that do not change its verdict (output detail; the scan-only mode
# a scan case runs in anyway).
NEUTRAL = {"-v", "--verbose", "-d", "--debug", "--no-lint"}


def functions(text):
    """(name, body) of each `#[test]` function."""
    for m in re.finditer(r"#\[test\]\s*(?:#\[[^\]]*\]\s*)*fn (\w+)\(\)\s*\{", text):
        end = closing(text, m.end() - 1)
        yield m.group(1), text[m.end():end - 1]


def call_args(body, name):
    """The argument text of the one call `name(…)` in body, or None (absent or twice)."""
    calls = [m for m in re.finditer(r"\b" + name + r"\(", body)]
    if len(calls) != 1:
        return None
    start = calls[0].end()
    return body[start:closing(body, start - 1, "(", ")") - 1]


def literal_arrays(args, count):
    """`count` top-level `&[…]` arguments made of string literals only, each as its
    strings; None when an argument is anything else."""
    parts, depth, current, i = [], 0, "", 0
    while i < len(args):
        c = args[i]
        if c == '"' or (c == "r" and re.match(r'r#*"', args[i:]) and not args[i - 1].isalnum()):
            _, j = string_at(args, i)
            current += args[i:j]
            i = j
            continue
        if args.startswith("//", i):
            # A comment between the literals.
            i = args.find("\n", i) if "\n" in args[i:] else len(args)
            continue
        if c == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            depth += {"[": 1, "(": 1, "]": -1, ")": -1}.get(c, 0)
            current += c
        i += 1
    if current.strip():
        parts.append(current)
    if len(parts) != count:
        return None
    arrays = []
    for part in parts:
        skeleton = re.sub(r'r#*"(?:.|\n)*?"#*|"(?:\\.|[^"\\])*"', "S", part)
        if not re.fullmatch(r"\s*&\[[\sS,()]*\]\s*", skeleton):
            return None
        arrays.append(strings_in(part))
    return arrays


def expected_code(body):
    m = re.search(r"assert_eq!\(\s*code,\s*(\d+)", body)
    if m:
        return int(m.group(1))
    if re.search(r"assert_ne!\(\s*code,\s*0\b", body):
        return "nonzero"
    return None


def undo_hunks(new_text, hunks):
    """The old side of a file: `new_text` (the files on disk, which the peer reads its
    directives from) with each hunk undone at its line numbers, as the peer judges by
    those numbers even where a case's context and `+` lines are loose. A removed line
    paired with an added one whose text the disk already holds is marked ` OLD`, so the
    line still differs (directive lines excepted: editing a directive alone fires nothing
    in either tool). `new_text` None: the file is gone on the new side."""
    new_lines = new_text.split("\n") if new_text is not None else []
    old, at = [], 0
    for header, body in hunks:
        start = max(header - 1, 0)
        old.extend(new_lines[at:start])
        at = max(at, start)
        removed = []
        for line in body:
            kind, text = (line[:1], line[1:]) if line else (" ", "")
            if kind == "-":
                removed.append(text)
            elif kind == "+":
                disk = new_lines[at] if at < len(new_lines) else None
                if removed:
                    was = removed.pop(0)
                    old.append(was + " OLD" if was == disk and "LINT." not in was else was)
                at += 1
            else:
                old.extend(removed)
                removed = []
                old.append(new_lines[at] if at < len(new_lines) else text)
                at += 1
        old.extend(removed)
    old.extend(new_lines[at:])
    return "\n".join(old)


def parse_hunks(diff):
    """[(new start, body lines)] of one file's hunks."""
    hunks = []
    for line in diff.split("\n"):
        m = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@", line)
        if m:
            hunks.append((int(m.group(1)), []))
        elif hunks and not line.startswith("\\"):
            hunks[-1][1].append(line)
    return hunks


def ifchange_settings(options):
    """lockstep's settings for the peer's options, and whether its scan is on; None for
    an option lockstep has no counterpart of (`--warn`, `path#label` ignores, …)."""
    ignores, scan, i = [], True, 0
    while i < len(options):
        option = options[i]
        if option == "--no-scan":
            scan = False
        elif option in NEUTRAL:
            pass
        elif option in ("-i", "--ignore") and i + 1 < len(options) and "#" not in options[i + 1]:
            i += 1
            ignores.append(options[i])
        else:
            return None
        i += 1
    config = "version = 1\n"
    if ignores:
        globs = ", ".join('"%s", "**/%s"' % (g, g) for g in ignores)
        config += "[settings]\nannotation_external = [%s]\nannotation_unless = [%s]\n" % (globs, globs)
    return config, scan


def lockstep_code(repo, binary, env, check, scan, cwd=""):
    """lockstep's exit code: `check` of the head commit and/or `validate`, run from the
    directory `cwd` of the repository."""
    codes = []
    where = os.path.join(repo, cwd)
    if check:
        codes.append(subprocess.run([binary, "check", "--range", "HEAD~1..HEAD"], cwd=where,
                                    capture_output=True, env=env).returncode)
    if scan:
        codes.append(subprocess.run([binary, "validate"], cwd=where, capture_output=True,
                                    env=env).returncode)
    return 2 if 2 in codes else max(codes)


def ifchange_lint_case(body, helper, binary, env):
    args = call_args(body, helper)
    arrays = args and literal_arrays(args, 3)
    if not arrays:
        return None, "inputs are not literals"
    files_flat, changes_flat, options = arrays
    settings = ifchange_settings(options)
    if settings is None:
        return None, "peer option without a counterpart: %s" % " ".join(options)
    config, scan = settings
    # lint_case runs the peer with --no-scan; lint_case_repo runs its scan too.
    scan = scan and helper == "lint_case_repo"
    files = dict(zip(files_flat[::2], files_flat[1::2]))
    changes = {}
    for path, diff in zip(changes_flat[::2], changes_flat[1::2]):
        changes.setdefault(path, []).extend(parse_hunks(diff))
    return ifchange_repo_case(files, changes, config, scan, binary, env)


def ifchange_repo_case(files, changes, config, scan, binary, env, cwd="", check=True):
    """lockstep's exit code on a base and a head commit: `files` as the head side,
    `changes` ({path: hunks}) undone for the base side."""
    with tempfile.TemporaryDirectory() as repo:
        git(repo, "init", "-q")
        write(repo, "lockstep.toml", config)
        for path, text in files.items():
            if path not in changes:
                write(repo, path, text)
        for path, hunks in changes.items():
            created = all(start == 1 and all(l.startswith("+") for l in body) for start, body in hunks)
            if not (created and path in files):
                before = undo_hunks(files.get(path), hunks)
                # The peer's diff names the file although only directive lines moved:
                # git needs a byte to differ, so the old side had one more last line.
                if before == files.get(path):
                    before = before.rstrip("\n") + "\ntouched\n"
                write(repo, path, before)
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "base", "--allow-empty")
        for path in changes:
            if path not in files and os.path.exists(os.path.join(repo, path)):
                os.remove(os.path.join(repo, path))
        for path, text in files.items():
            write(repo, path, text)
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "head", "--allow-empty")
        return lockstep_code(repo, binary, env, check, scan, cwd), ""


def rust_format(body, name):
    """The text of `let name = format!(…)` or `let name = "…".to_string()` in body, its
    placeholders filled: the temporary directory is empty, `dir.path().join(p)` and a
    name bound to a literal `p` are `p`."""
    m = re.search(r"let " + name + r"\s*=\s*", body)
    if not m:
        return None
    joined = dict(re.findall(r'let (\w+)\s*=\s*(?:dir\s*\.path\(\)\s*\.join\()?"([^"]+)"', body))
    rest = body[m.end():]
    if rest.startswith("format!("):
        args = split_top(rest[len("format!("):closing(rest, len("format!("), "(", ")") - 1])
        template = string_at(args[0].strip(), 0)[0]
        values = []
        for arg in args[1:]:
            key, _, var = arg.strip().rpartition("=")
            values.append((key.strip(), joined.get(var.strip(), "")))
        positional = [v for k, v in values if not k]
        named = {k: v for k, v in values if k}
        return re.sub(r"\{(\w*)\}", lambda g: positional[int(g.group(1))] if g.group(1).isdigit()
                      else named.get(g.group(1), ""), template)
    if rest[0] == '"':
        return string_at(rest, 0)[0]
    return None


def diff_changes(diff):
    """{path: hunks} of a unified diff's text: paths without `a/`/`b/` (or the empty
    temporary directory before them), C-quoted names decoded; a deleted file under its
    old path."""
    import codecs
    changes = {}
    for block in re.split(r"(?m)^(?=--- )", diff):
        m = re.match(r"--- ([^\n]*?)\t?\n\+\+\+ ([^\n]*?)\t?\n(.*)", block, re.S)
        if not m:
            continue
        old, new, body = m.groups()
        path = old if new == "/dev/null" else new
        if path.startswith('"'):
            path = codecs.escape_decode(path[1:-1])[0].decode("utf-8")
        path = re.sub(r"^[ab]/", "", path).lstrip("/")
        hunks = parse_hunks(body)
        if not any(l[:1] in "+-" and l for _, lines in hunks for l in lines):
            raise Unexpressible("a file in the diff with no changed line (git lists changed files only)")
        changes.setdefault(path, []).extend(hunks)
    return changes


def diff_of(body, name):
    """{path: hunks} of the diff `let name = …` builds in body (`make_diff_relative(…)`,
    `format!(…)` or a literal); None when it is computed otherwise."""
    relative = re.search(r"let " + name + r"\s*=\s*make_diff_relative\(", body)
    if relative:
        args = body[relative.end():closing(body, relative.end() - 1, "(", ")") - 1]
        flat = literal_arrays(args, 1)[0]
        changes = {}
        for path, hunk in zip(flat[::2], flat[1::2]):
            changes.setdefault(path, []).extend(parse_hunks(hunk))
        return changes
    text = rust_format(body, name)
    return None if text is None else diff_changes(text)


def ifchange_command_case(body, binary, env):
    """A test that runs the peer's binary itself in a directory holding a `.git`: its
    `.args([…])` (`-s DIR` scans, `--no-lint` skips the diff), `.arg(tmp.path())` the
    diff file written from `let diff = …`, `.current_dir(dir.path().join(SUB))` where it
    runs."""
    if 'join(".git")' not in body:
        return None, "runs outside a git repository (lockstep reads git repositories)"
    m = re.search(r"Command::new\((?:common::)?binary_path\(\)\)", body)
    chain = body[m.end():body.index(".output()", m.end())]
    options = []
    for call in re.finditer(r"\.args\(", chain):
        inner = chain[call.end():closing(chain, call.end() - 1, "(", ")") - 1]
        options += [a.strip() for a in split_top(inner.strip().lstrip("&").strip("[]"))]
    scan = "--no-scan" not in str(options)
    lint = '"--no-lint"' not in options
    if any(o == '"-s"' for o in options):
        lint = False
    # The directory after `-s` is the repository, wherever the test names it.
    named = [o for k, o in enumerate(options) if k == 0 or options[k - 1] != '"-s"']
    unknown = [o for o in named if not o.startswith('"') or string_at(o, 0)[0] not in NEUTRAL | {"-s", "--no-scan"}]
    if unknown:
        return None, "peer option without a counterpart"
    sub = re.search(r'\.current_dir\(dir\.path\(\)\.join\("([^"]+)"\)\)', chain)
    try:
        changes = diff_of(body, "diff") if ".arg(tmp.path())" in chain else {}
    except Unexpressible as why:
        return None, str(why)
    if changes is None:
        return None, "inputs are not literals"
    writes = call_args(body, "write_files")
    files_flat = literal_arrays(re.sub(r"^\s*dir\.path\(\),", "", writes), 1)[0]
    files = dict(zip(files_flat[::2], files_flat[1::2]))
    return ifchange_repo_case(files, changes, "version = 1\n", scan, binary, env,
                              sub.group(1) if sub else "", lint)


def ifchange_diff_case(body, binary, env):
    """A test that writes files and runs the peer on a diff it spells out:
    `run_lint(&diff, opts)` (no scan) or `run_lint_in_repo(dir, &diff, opts)` (scan on),
    the diff from `make_diff_relative(…)`, `format!(…)` or a literal."""
    helper = "run_lint_in_repo" if "run_lint_in_repo(" in body else "run_lint"
    args = call_args(body, helper)
    if args is None or re.search(r"\.current_dir\(|create_dir_all", body):
        return None, "tests the command line (working directory, no .git)"
    args = split_top(args)
    writes = call_args(body, "write_files")
    files_flat = literal_arrays(re.sub(r"^\s*dir\.path\(\),", "", writes), 1)[0] if writes else []
    options = literal_arrays(args[-1], 1)
    relative = call_args(body, "make_diff_relative")
    try:
        if relative is not None:
            flat = literal_arrays(relative, 1)[0]
            changes = {}
            for path, hunk in zip(flat[::2], flat[1::2]):
                changes.setdefault(path, []).extend(parse_hunks(hunk))
        else:
            diff = args[-2].strip().lstrip("&")
            text = string_at(diff, 0)[0] if diff.startswith('"') else rust_format(body, diff)
            if text is None:
                return None, "inputs are not literals"
            changes = diff_changes(text)
    except Unexpressible as why:
        return None, str(why)
    settings = ifchange_settings(options[0] if options else [])
    if settings is None:
        return None, "peer option without a counterpart"
    config, scan = settings
    scan = scan and helper == "run_lint_in_repo"
    files = dict(zip(files_flat[::2], files_flat[1::2]))
    return ifchange_repo_case(files, changes, config, scan, binary, env)


def ifchange_scan_case(body, binary, env):
    writes = call_args(body, "write_files")
    helper = "run_scan_in_repo" if "run_scan_in_repo(" in body else "run_scan"
    options = call_args(body, helper)
    files_flat = writes and literal_arrays(re.sub(r"^\s*dir\.path\(\),", "", writes), 1)
    options = options and literal_arrays(re.sub(r"^\s*(?:dir\.path\(\)|&?\w+),", "", options), 1)
    if not files_flat or not options:
        return None, "inputs are not literals"
    if set(options[0]) - NEUTRAL:
        return None, "peer option without a counterpart: %s" % " ".join(options[0])
    files_flat = files_flat[0]
    with tempfile.TemporaryDirectory() as repo:
        git(repo, "init", "-q")
        write(repo, "lockstep.toml", "version = 1\n")
        for path, text in zip(files_flat[::2], files_flat[1::2]):
            write(repo, path, text)
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "files", "--allow-empty")
        return lockstep_code(repo, binary, env, False, True), ""


def ifchange(root, binary, env):
    results = []
    for path in IFCHANGE_LINT_FILES + (IFCHANGE_SCAN_FILE,):
        for name, body in functions(peer_file(root, path)):
            expected = expected_code(body)
            helper = next((h for h in ("lint_case_repo", "lint_case") if h + "(" in body), None)
            if path == IFCHANGE_SCAN_FILE and helper is None:
                got, why = ifchange_scan_case(body, binary, env)
            elif helper:
                got, why = ifchange_lint_case(body, helper, binary, env)
            elif re.search(r"\brun_lint(?:_in_repo)?\(", body):
                got, why = ifchange_diff_case(body, binary, env)
            elif "binary_path())" in body and "write_files(" in body:
                got, why = ifchange_command_case(body, binary, env)
            else:
                got, why = None, "not a lint or scan case"
            if expected is None:
                got, why = None, "asserts no exit code"
            results.append((path, name, expected, got, why))
    rebuilt = [r for r in results if r[3] is not None]
    agree = [r for r in rebuilt if r[2] == r[3] or (r[2] == "nonzero" and r[3] != 0)]
    print("slnc/ifchange tests/{lint,absolute_paths,scan}.rs: %d tests, %d rebuilt as repositories"
          % (len(results), len(rebuilt)))
    print("  lockstep agrees on %d of %d (%.0f%%)"
          % (len(agree), len(rebuilt), 100.0 * len(agree) / max(len(rebuilt), 1)))
    lines = ["%-55s expected %s, lockstep %s" % (r[1], r[2], r[3]) for r in rebuilt if r not in agree]
    skipped = {}
    for _, name, _, got, why in results:
        if got is None:
            skipped.setdefault(why, []).append(name)
    lines += ["not rebuilt (%s): %s" % (why, ", ".join(names)) for why, names in sorted(skipped.items())]
    return lines


def ifttt_lint(root, binary, env):
    cases = parse_cases(peer_file(root, "src/check_test.rs"))
    tally = {"agree": 0, "disagree": 0, "unknown": 0, "lenient": 0}
    disagreements = []
    for case in cases:
        if case["errors"] is None and case["findings"] is None:
            tally["unknown"] += 1
            continue
        errors, findings, failure = run_case(case, binary, env)
        agree = errors is not None and all(
            expected is None or expected == got
            for expected, got in ((case["errors"], errors), (case["findings"], findings)))
        if not case["strict"]:
            tally["lenient"] += 1
        tally["agree" if agree else "disagree"] += 1
        if not agree:
            disagreements.append("%-60s errors %s/%s findings %s/%s %s" % (
                case["name"], case["errors"], errors, case["findings"], findings, failure.strip()[:80]))
    judged = tally["agree"] + tally["disagree"]
    print("ifttt-lint check_test.rs: %d cases, %d with a stated verdict" % (len(cases), judged))
    print("  lockstep agrees on %d of %d (%.0f%%); %d of the cases are strict=false (bare paths)"
          % (tally["agree"], judged, 100.0 * tally["agree"] / max(judged, 1), tally["lenient"]))
    AGREED.append((tally["agree"], judged))
    return disagreements


def main():
    verbose = "-v" in sys.argv
    binary = os.path.abspath(os.environ.get("LOCKSTEP_BIN", "target/release/lockstep"))
    env = {"PATH": os.environ["PATH"], "HOME": tempfile.mkdtemp(), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "NO_COLOR": "1"}
    os.environ.update({k: v for k, v in env.items() if k.startswith("GIT_")})
    os.environ["HOME"] = env["HOME"]
    peers = [(os.environ.get(var), run) for var, run in
             (("LOCKSTEP_PEER_IFTTT", ifttt_lint), ("LOCKSTEP_PEER_IFTTT", ifttt_parser),
              ("LOCKSTEP_PEER_IFTTT", ifttt_cli), ("LOCKSTEP_PEER_IFCHANGE", ifchange))]
    peers = [(root, run) for root, run in peers if root]
    if not peers:
        sys.exit("set LOCKSTEP_PEER_IFTTT and/or LOCKSTEP_PEER_IFCHANGE to clones of the peers")
    for root, run in peers:
        disagreements = run(root, binary, env)
        if verbose:
            for line in disagreements:
                print("    " + line)
        if run is ifttt_cli:
            agree, judged = map(sum, zip(*AGREED))
            print("ifttt-lint, the three suites: lockstep agrees on %d of %d cases rebuilt" % (agree, judged))


if __name__ == "__main__":
    main()
