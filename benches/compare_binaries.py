#!/usr/bin/env python3
"""Two or more lockstep binaries on the same real-history audit, run in alternation
(A B A B ...), for a change's before and after: CPU time (user, and sys) of each run,
the median, the ratio of each binary to the first pair by pair, peak RSS, and whether
every run printed the same report (a digest of its JSON output).

    LOCKSTEP_BENCH_GIT=/path/to/git.git LOCKSTEP_BENCH_CARGO=/path/to/cargo.git \\
        benches/compare_binaries.py SCENARIO BEFORE AFTER [MORE...] [--runs N]

SCENARIO is one of:
  git           git/git, whole history (the rule set of real_history.py)
  git-2020      git/git, --since 2020-01-01
  cargo         rust-lang/cargo, --since 2024-01-01
  cargo-staged  `check --staged --format json` in a clone of cargo with 16 staged files
  cargo-base    `check --base HEAD~300 --format json` in the same clone
The check scenarios take milliseconds: give them many rounds (--runs 40); their ratios
are of user + sys CPU, which the kernel splits between the two only coarsely. A binary
that exits with a status it should not (non-zero for an audit, above 1 for a check)
stops the script. User CPU is the figure to compare on a shared machine: wall time
there depends on the other jobs.
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

AUDIT = ["audit", "--format", "json"]
CHECK = ["check", "--format", "json"]

# variable, rules, arguments after `--config RULES`, whether it runs in a staged clone.
SCENARIOS = {
    "git": ("LOCKSTEP_BENCH_GIT", real_history.GIT_RULES, AUDIT, False),
    "git-2020": ("LOCKSTEP_BENCH_GIT", real_history.GIT_RULES, AUDIT + ["--since", "2020-01-01"], False),
    "cargo": ("LOCKSTEP_BENCH_CARGO", real_history.CARGO_RULES, AUDIT + ["--since", "2024-01-01"], False),
    "cargo-staged": ("LOCKSTEP_BENCH_CARGO", real_history.CARGO_RULES, CHECK + ["--staged"], True),
    "cargo-base": ("LOCKSTEP_BENCH_CARGO", real_history.CARGO_RULES, CHECK + ["--base", "HEAD~300"], True),
}


def seconds(value):
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def run(command, ok_codes):
    """One run: user and sys CPU seconds, wall seconds, peak RSS in KiB, output digest."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    digest = hashlib.sha256(process.stdout.read()).hexdigest()[:12]
    stderr = process.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in ok_codes:
        sys.exit(f"`{' '.join(command)}` failed:\n{stderr}")
    return usage.ru_utime, usage.ru_stime, wall, usage.ru_maxrss, digest


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--runs", type=int, default=4, help="timed rounds, after one warm-up")
    args = parser.parse_args()
    variable, rules, arguments, staged = SCENARIOS[args.scenario]
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
        directory = real_history.staged_clone(repo, work) if staged else repo
        # `check` exits 1 when it finds something: that is a result, not a failure.
        ok_codes = (0, 1) if staged else (0,)
        runs = {b: [] for b in binaries}
        for round in range(args.runs + 1):
            for binary in binaries:
                command = [binary, "-C", directory, arguments[0], "--config", config, *arguments[1:]]
                result = run(command, ok_codes)
                if round > 0:
                    runs[binary].append(result)
    print(f"{args.scenario}: {args.runs} rounds after a warm-up, load average {os.getloadavg()[0]:.1f} at the end")
    first = runs[binaries[0]]
    cpu = (lambda r: r[0] + r[1]) if staged else (lambda r: r[0])
    digests = set()
    for binary in binaries:
        these = runs[binary]
        user = [cpu(r) for r in these]
        ratios = [cpu(a) / cpu(b) for a, b in zip(these, first)]
        digests.update(r[4] for r in these)
        print(
            f"- {binary}: {'user + sys' if staged else 'user'} {seconds(statistics.median(user))} "
            f"({', '.join(seconds(u) for u in user[:10])}{', ...' if len(user) > 10 else ''}), "
            f"sys {seconds(statistics.median(r[1] for r in these))}, wall {seconds(statistics.median(r[2] for r in these))}, "
            f"peak RSS {max(r[3] for r in these) / 1024:.0f} MiB; {'CPU' if staged else 'user'} ratio to the first, pair by pair: "
            f"{', '.join(f'{r:.3f}' for r in ratios[:10])}{', ...' if len(ratios) > 10 else ''} "
            f"(median {statistics.median(ratios):.3f})"
        )
    print("outputs: " + ("identical" if len(digests) == 1 else f"DIFFER: {sorted(digests)}"))


if __name__ == "__main__":
    main()
