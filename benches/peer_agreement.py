#!/usr/bin/env python3
"""Rebuilds a peer linter's own test cases as git repositories and counts how often
lockstep agrees with the verdict the peer's suite expects.

Peer: simonepri/ifttt-lint (MIT), `src/check_test.rs`. Each `CheckCase` names files (the
new side), the lines a diff added or removed, deleted files, files to validate and
patterns to ignore, and whether errors and findings are expected. This script only READS
those cases (nothing of the peer's code is used): it writes a base commit and a head
commit that differ by those lines, runs `lockstep check --range HEAD~1..HEAD` and
`lockstep validate`, and compares, for each expectation the case states, whether lockstep
reports errors (malformed blocks, dead targets) and findings (unmet targets).

Usage:
  LOCKSTEP_PEER_IFTTT=/path/to/ifttt-lint(.git) LOCKSTEP_BIN=target/release/lockstep \
      python3 benches/peer_agreement.py [-v]

Case mapping: a line both added and removed is rewritten on the base side (directive
lines are left as they are, since the peer's cases only say *that* they changed); a line
only added is absent from the base; a line only removed is inserted before its position;
a case without changes adds every file in one commit; `ignore_patterns` become
`settings.annotation_external`; `strict = false` cases are reported apart, since bare
paths are relative to the file in lockstep (a documented, deliberate difference).
"""

import os
import re
import subprocess
import sys
import tempfile


def peer_source():
    root = os.environ.get("LOCKSTEP_PEER_IFTTT")
    if not root:
        sys.exit("set LOCKSTEP_PEER_IFTTT to a clone of simonepri/ifttt-lint")
    path = os.path.join(root, "src", "check_test.rs")
    if os.path.isfile(path):
        return open(path, encoding="utf-8").read()
    return subprocess.run(
        ["git", "--git-dir", root, "show", "HEAD:src/check_test.rs"],
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


def case_end(text, start):
    """The index after the `}` closing the `{ CheckCase {` block opened at start."""
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
        if c == "{":
            depth += 1
        elif c == "}":
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
        end = case_end(text, m.end() - len("{ CheckCase {"))
        body = text[m.end():end]
        case = {"name": m.group(1), "files": [], "changes": None, "deleted": [],
                "file_list": [], "ignore": [], "strict": "strict: false" not in body}
        files = re.search(r"files!\s*\{", body)
        if files:
            inner = body[files.end():case_end(body, files.end() - 1) - 1]
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
                    if removed or set(added) != set(range(1, count + 1)):
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


def main():
    verbose = "-v" in sys.argv
    binary = os.path.abspath(os.environ.get("LOCKSTEP_BIN", "target/release/lockstep"))
    env = {"PATH": os.environ["PATH"], "HOME": tempfile.mkdtemp(), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "NO_COLOR": "1"}
    os.environ.update({k: v for k, v in env.items() if k.startswith("GIT_")})
    os.environ["HOME"] = env["HOME"]
    cases = parse_cases(peer_source())
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
            disagreements.append((case["name"], case["errors"], errors, case["findings"], findings, failure))
    judged = tally["agree"] + tally["disagree"]
    print("ifttt-lint check_test.rs: %d cases, %d with a stated verdict" % (len(cases), judged))
    print("lockstep agrees on %d of %d (%.0f%%); %d of the cases are strict=false (bare paths)"
          % (tally["agree"], judged, 100.0 * tally["agree"] / max(judged, 1), tally["lenient"]))
    if verbose:
        for name, want_e, got_e, want_f, got_f, failure in disagreements:
            print("  %-60s errors %s/%s findings %s/%s %s" % (name, want_e, got_e, want_f, got_f, failure.strip()[:80]))


if __name__ == "__main__":
    main()
