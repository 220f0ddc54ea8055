#!/usr/bin/env python3
"""Generates a three-year history with known couplings, then times `lockstep suggest`.

    python3 benches/suggest_history.py [--commits N] [--runs N] [--binary PATH] [DIR]

The repository (built with `git fast-import`, deterministic) has, among noise:
  - api/{name}.rs changing with docs/api/{name}.md (85% of the time, 30 names)
  - proto/{name}.proto regenerating sdk/go/{name}.pb.go (95%, 20 names)
  - services/payments/** changing with dashboards/payments/** (70%)
  - src/{module}/** changing with CHANGELOG.md (70%) and tests/{module}/** (50%)
  - Cargo.toml changing with Cargo.lock (90%)
  - a reformat touching 120 files every ~300 commits, and merge commits.
It prints the median wall time of the runs and the suggestions of the last run.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time

MODULES = ["core", "net", "store", "auth", "cli", "render", "sched", "config"]
API = [f"n{i:02d}" for i in range(30)]
PROTO = [f"p{i:02d}" for i in range(20)]
START = 1_672_531_200  # 2023-01-01


def plan(commits, rng):
    """Yields (paths, message) for each commit, and None where a merge goes."""
    for i in range(commits):
        if i and i % 60 == 0:
            yield None
            continue
        if i % 300 == 150:
            files = [f"src/{m}/f{k}.rs" for m in MODULES for k in range(15)][:120]
            yield files, f"Reformat everything ({i})"
            continue
        kind = rng.random()
        paths = set()
        if kind < 0.25:
            name = rng.choice(API)
            paths.add(f"api/{name}.rs")
            if rng.random() < 0.85:
                paths.add(f"docs/api/{name}.md")
        elif kind < 0.35:
            name = rng.choice(PROTO)
            paths.add(f"proto/{name}.proto")
            if rng.random() < 0.95:
                paths.add(f"sdk/go/{name}.pb.go")
        elif kind < 0.45:
            paths.add(f"services/payments/{rng.choice(['api', 'db', 'queue'])}/h{rng.randrange(6)}.rs")
            if rng.random() < 0.7:
                paths.add("dashboards/payments/overview.json")
        elif kind < 0.85:
            module = rng.choice(MODULES)
            for _ in range(rng.randint(1, 4)):
                paths.add(f"src/{module}/f{rng.randrange(15)}.rs")
            if rng.random() < 0.7:
                paths.add("CHANGELOG.md")
            if rng.random() < 0.5:
                paths.add(f"tests/{module}/t{rng.randrange(5)}.rs")
        elif kind < 0.9:
            paths.add("Cargo.toml")
            if rng.random() < 0.9:
                paths.add("Cargo.lock")
        else:
            for _ in range(rng.randint(1, 3)):
                paths.add(rng.choice([
                    "README.md", ".github/workflows/ci.yml", "scripts/release.sh",
                    f"src/{rng.choice(MODULES)}/f{rng.randrange(15)}.rs", "docs/guide/intro.md",
                ]))
        yield sorted(paths), f"Change {i}: {', '.join(sorted(paths))[:60]}"


def fast_import(commits, seed):
    rng = random.Random(seed)
    out = []
    edit = 0
    when = START
    step = (3 * 365 * 86400) // commits
    mark = 0
    for entry in plan(commits, rng):
        when += step
        if entry is None:
            # A side branch of one commit, merged back: the merge has no change of its own.
            mark += 1
            out.append(f"commit refs/heads/side\nmark :{mark}\ncommitter Dev <dev@example.com> {when} +0000\n"
                       f"data 5\nside\nfrom :{mark - 1}\nM 644 inline side/notes.txt\ndata 6\nn{mark:04d}\n")
            mark += 1
            out.append(f"commit refs/heads/main\nmark :{mark}\ncommitter Dev <dev@example.com> {when + 1} +0000\n"
                       f"data 5\nmerge\nfrom :{mark - 2}\nmerge :{mark - 1}\n")
            continue
        paths, message = entry
        mark += 1
        body = message.encode()
        parts = [f"commit refs/heads/main\nmark :{mark}\ncommitter Dev <dev@example.com> {when} +0000\n"
                 f"data {len(body)}\n{message}\n"]
        if mark > 1:
            parts.append(f"from :{mark - 1}\n")
        for path in paths:
            edit += 1
            content = f"edit {edit}\n"
            parts.append(f"M 644 inline {path}\ndata {len(content)}\n{content}")
        out.append("".join(parts))
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", nargs="?", default="/tmp/lockstep-suggest-history")
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--binary", default="target/release/lockstep")
    args = parser.parse_args()
    env = {"PATH": os.environ["PATH"], "HOME": args.dir, "GIT_CONFIG_NOSYSTEM": "1"}
    if not os.path.exists(os.path.join(args.dir, ".git")):
        os.makedirs(args.dir, exist_ok=True)
        subprocess.run(["git", "init", "-q", "-b", "main", args.dir], check=True, env=env)
        stream = fast_import(args.commits, seed=7).encode()
        subprocess.run(["git", "fast-import", "--quiet"], input=stream, cwd=args.dir, check=True, env=env)
        subprocess.run(["git", "checkout", "-q", "main"], cwd=args.dir, check=True, env=env)
    count = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=args.dir, check=True, env=env,
                           capture_output=True, text=True).stdout.strip()
    print(f"history: {args.dir}, {count} commits", file=sys.stderr)
    binary = os.path.abspath(args.binary)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        result = subprocess.run([binary, "suggest", "--since", "2023-01-01"], cwd=args.dir, env=env,
                                capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - start)
    print(f"lockstep suggest --since 2023-01-01: median {statistics.median(times):.3f} s "
          f"over {args.runs} runs (min {min(times):.3f}, max {max(times):.3f})", file=sys.stderr)
    print(result.stdout)


if __name__ == "__main__":
    main()
