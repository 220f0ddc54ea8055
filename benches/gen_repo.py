#!/usr/bin/env python3
"""Generates a synthetic monorepo with `git fast-import`, for the benchmarks.

usage: gen_repo.py DIR FILES [COMMITS]

FILES files spread over a tree three directory levels deep (services/<team>/<module>),
with docs, SDK and runbook folders; COMMITS (default 1) commits, each after the first
touching a handful of files the way real changes do. Dates are pinned so runs repeat.
"""
import os
import random
import subprocess
import sys


def layout(files):
    paths = []
    teams = max(1, files // 2000)
    per_team = files // teams
    for t in range(teams):
        for i in range(per_team):
            module = i // 50
            kind = i % 10
            if kind < 6:
                paths.append(f"services/team{t}/mod{module}/src/file{i}.rs")
            elif kind == 6:
                paths.append(f"services/team{t}/mod{module}/api/svc{i}.proto")
            elif kind == 7:
                paths.append(f"docs/team{t}/mod{module}/page{i}.md")
            elif kind == 8:
                paths.append(f"sdk/go/team{t}/mod{module}/client{i}.go")
            else:
                paths.append(f"runbooks/team{t}/mod{module}/run{i}.md")
    return paths


def main():
    target, files = sys.argv[1], int(sys.argv[2])
    commits = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    rng = random.Random(42)
    paths = layout(files)
    os.makedirs(target, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", target], check=True)
    fast_import = subprocess.Popen(["git", "-C", target, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    out = fast_import.stdin
    when = 1_700_000_000

    def commit(n, message, changed):
        nonlocal when
        when += 3600
        data = message.encode()
        out.write(f"commit refs/heads/main\nmark :{n}\n".encode())
        out.write(f"author Bench <bench@example.com> {when} +0000\n".encode())
        out.write(f"committer Bench <bench@example.com> {when} +0000\n".encode())
        out.write(f"data {len(data)}\n".encode() + data + b"\n")
        if n > 1:
            out.write(f"from :{n - 1}\n".encode())
        for path in changed:
            body = f"// {path} @ {n}\nfn f() {{ {rng.random()} }}\n".encode()
            out.write(f"M 100644 inline {path}\ndata {len(body)}\n".encode() + body + b"\n")

    commit(1, "initial import", paths)
    for n in range(2, commits + 1):
        start = rng.randrange(len(paths))
        width = rng.choice([1, 2, 3, 5, 8])
        changed = [paths[(start + k * rng.randrange(1, 40)) % len(paths)] for k in range(width)]
        commit(n, f"change {n}", sorted(set(changed)))
    out.close()
    if fast_import.wait() != 0:
        sys.exit("fast-import failed")
    subprocess.run(["git", "-C", target, "checkout", "-q", "-f", "main"], check=True)


if __name__ == "__main__":
    main()
