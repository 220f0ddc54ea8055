#!/usr/bin/env python3
"""Two or more lockstep binaries on the same real-history audit, run in alternation
(A B A B ...), for a change's before and after: CPU time (user, and sys) of each run,
the median, the ratio of each binary to the first pair by pair, peak RSS, and whether
every run printed the same report (a digest of its JSON output).

    LOCKSTEP_BENCH_GIT=/path/to/git.git LOCKSTEP_BENCH_CARGO=/path/to/cargo.git \\
        benches/compare_binaries.py SCENARIO BEFORE AFTER [MORE...] [--runs N]

SCENARIO is one of:
  git        git/git, whole history (the rule set of real_history.py)
  git-2020   git/git, --since 2020-01-01
  cargo      rust-lang/cargo, --since 2024-01-01
A binary that exits non-zero stops the script. User CPU is the figure to compare on a
shared machine: wall time there depends on the other jobs.
"""

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time

import real_history

SCENARIOS = {
    "git": ("LOCKSTEP_BENCH_GIT", real_history.GIT_RULES, []),
    "git-2020": ("LOCKSTEP_BENCH_GIT", real_history.GIT_RULES, ["--since", "2020-01-01"]),
    "cargo": ("LOCKSTEP_BENCH_CARGO", real_history.CARGO_RULES, ["--since", "2024-01-01"]),
}


def run(command):
    """One run: user and sys CPU seconds, wall seconds, peak RSS in KiB, output digest."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    digest = hashlib.sha256(process.stdout.read()).hexdigest()[:12]
    stderr = process.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"`{' '.join(command)}` failed:\n{stderr}")
    return usage.ru_utime, usage.ru_stime, wall, usage.ru_maxrss, digest


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--runs", type=int, default=4, help="timed rounds, after one warm-up")
    args = parser.parse_args()
    variable, rules, options = SCENARIOS[args.scenario]
    repo = os.environ.get(variable)
    if not repo:
        sys.exit(f"{variable} is not set")
    for name in ("CI", "GITHUB_ACTIONS", "GITLAB_CI"):
        os.environ.pop(name, None)
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    binaries = [os.path.abspath(b) for b in args.binaries]
    with tempfile.TemporaryDirectory() as work:
        config = os.path.join(work, "rules.toml")
        with open(config, "w") as f:
            f.write(rules)
        runs = {b: [] for b in binaries}
        for round in range(args.runs + 1):
            for binary in binaries:
                command = [binary, "-C", repo, "audit", "--config", config, "--format", "json", *options]
                result = run(command)
                if round > 0:
                    runs[binary].append(result)
    print(f"{args.scenario}: {args.runs} rounds after a warm-up, load average {os.getloadavg()[0]:.1f} at the end")
    first = runs[binaries[0]]
    digests = set()
    for binary in binaries:
        these = runs[binary]
        user = [r[0] for r in these]
        ratios = [a[0] / b[0] for a, b in zip(these, first)]
        digests.update(r[4] for r in these)
        print(
            f"- {binary}: user {statistics.median(user):.2f} s ({', '.join(f'{u:.2f}' for u in user)}), "
            f"sys {statistics.median(r[1] for r in these):.2f} s, wall {statistics.median(r[2] for r in these):.1f} s, "
            f"peak RSS {max(r[3] for r in these) / 1024:.0f} MiB; user ratio to the first, pair by pair: "
            f"{', '.join(f'{r:.3f}' for r in ratios)} (median {statistics.median(ratios):.3f})"
        )
    print("outputs: " + ("identical" if len(digests) == 1 else f"DIFFER: {sorted(digests)}"))


if __name__ == "__main__":
    main()
