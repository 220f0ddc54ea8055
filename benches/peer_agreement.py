#!/usr/bin/env python3
"""Rebuilds peer linters' own test cases as git repositories and counts, per peer, how
often lockstep agrees with the verdict the peer's suite expects. Only the peers' test
cases are READ (nothing of their code is used).

simonepri/ifttt-lint (MIT), `src/check_test.rs`, from LOCKSTEP_PEER_IFTTT: each
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
validate`'s. Cases whose inputs are not literals, or that use peer options without a
counterpart, are counted apart.

Usage:
  LOCKSTEP_PEER_IFTTT=/path/to/ifttt-lint(.git) LOCKSTEP_PEER_IFCHANGE=/path/to/ifchange(.git) \
  LOCKSTEP_BIN=target/release/lockstep python3 benches/peer_agreement.py [-v]
(either peer alone works too).

ifttt-lint case mapping: a line both added and removed is rewritten on the base side
(directive lines are left as they are, since the peer's cases only say *that* they
changed); a line only added is absent from the base; a line only removed is inserted
before its position; a file changed without an added line had, on the base side, one
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
    if s.startswith("\n"):
        s = s[1:]
    lines = s.split("\n")
    indents = [len(l) - len(l.lstrip()) for l in lines if l.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(l[cut:] if l.strip() else "" for l in lines)


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


def base_side(new, added, removed):
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
            out.append(line if keep else line + " OLD")
        elif n not in added:
            out.append(line)
    return "\n".join(out)


def removed_labels(path, text, files):
    """The base side of a file a case lists as changed without adding a line (its
    comments say the change removed a label others name): `text`, one more line, and a
    block for each label other files name in the file that it no longer has."""
    named = set()
    for other, content in files.items():
        if other != path:
            named |= set(re.findall(r"//" + re.escape(path) + r":(\w+)", content))
    present = set(re.findall(r"LINT\.IfChange\((\w+)\)", text))
    blocks = ["// LINT.IfChange(%s)\nold\n// LINT.ThenChange()" % label
              for label in sorted(named - present)]
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
                        write(repo, path, base_side(text, set(added), set(removed)))
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


def lockstep_code(repo, binary, env, check, scan):
    codes = []
    if check:
        codes.append(subprocess.run([binary, "check", "--range", "HEAD~1..HEAD"], cwd=repo,
                                    capture_output=True, env=env).returncode)
    if scan:
        codes.append(subprocess.run([binary, "validate"], cwd=repo, capture_output=True,
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
        return lockstep_code(repo, binary, env, True, scan), ""


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
             (("LOCKSTEP_PEER_IFTTT", ifttt_lint), ("LOCKSTEP_PEER_IFCHANGE", ifchange))]
    peers = [(root, run) for root, run in peers if root]
    if not peers:
        sys.exit("set LOCKSTEP_PEER_IFTTT and/or LOCKSTEP_PEER_IFCHANGE to clones of the peers")
    for root, run in peers:
        disagreements = run(root, binary, env)
        if verbose:
            for line in disagreements:
                print("    " + line)


if __name__ == "__main__":
    main()
