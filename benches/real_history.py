#!/usr/bin/env python3
"""The real-history suite: lockstep against its git floor on bare clones of git/git and
rust-lang/cargo, each pair run in alternation (A B A B ...) and the ratio taken pair by
pair, with CPU time and peak RSS of both; a command under 50 ms runs ten times as many
pairs (it varies between pairs by as much as it differs from its floor).

    LOCKSTEP_BENCH_GIT=/path/to/git.git LOCKSTEP_BENCH_CARGO=/path/to/cargo.git \\
        benches/real_history.py [--lockstep BIN] [--runs N]

A repository whose variable is unset is skipped, saying so. Scenarios:
  git/git  audit, whole history          vs  git log --no-renames --name-only
  git/git  the same on a local clone with a commit-graph (`git commit-graph write
           --reachable`), git log there reading it too
  cargo    audit --since 2024-01-01      vs  git log --no-renames --name-only --since=...
           and vs the same from the start of the period before it, which the audit
           also judges (as many days as --since to today, just before it)
  cargo    audit --since 2024-01-01 --no-previous  vs  the same git log --since
  cargo    check --staged, 16 files      vs  git diff --cached --name-status
           and the same with `annotations = false` (no read of each staged file for
           `LINT.` blocks); the default check also vs git diff --cached, which reads
           both sides of each staged file too
  cargo    check --base HEAD~300         vs  git diff --name-status HEAD~300...HEAD
The check scenarios and the commit-graph row run in local clones made under a
temporary directory; the bare clones are only read. A command that exits with a status it should not (a crash, a
usage error) stops the suite. Prints a Markdown table for the README.
"""

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

GIT_RULES = """version = 1

[settings]
whitespace = true

[[rule]]
id = "builtin-docs"
when = ["builtin/{cmd}.c"]
then = [{ kind = "docs", paths = ["Documentation/git-{cmd}.adoc", "Documentation/git-{cmd}.txt"] }]

[[rule]]
id = "tests"
when = ["{area}/**/*.c"]
then = [{ kind = "tests", paths = ["t/**"] }]
"""

CARGO_RULES = """version = 1

[settings]
whitespace = true

[[rule]]
id = "crate-docs"
when = ["crates/{crate}/src/**"]
then = [{ kind = "docs", paths = ["crates/{crate}/README.md", "src/doc/**"] }]

[[rule]]
id = "cli-docs"
when = ["src/bin/cargo/commands/{cmd}.rs"]
then = [{ kind = "docs", paths = ["src/doc/src/commands/cargo-{cmd}.md"] }]
"""


# Commands faster than this (seconds) are timed over ten times as many pairs.
SHORT = 0.05


class Run:
    def __init__(self, wall, cpu, rss_kib):
        self.wall, self.cpu, self.rss_kib = wall, cpu, rss_kib


def run(command, cwd, ok_codes):
    """Runs `command` with output discarded; its wall time, CPU time and peak RSS."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in ok_codes:
        sys.exit(f"`{' '.join(command)}` exited with {code}:\n{stderr}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def pair(name, lockstep, floor, cwd, runs, ok_codes=(0,)):
    """Runs lockstep and its floor in alternation; one table row."""
    for _ in range(2):  # warm-up: page cache, pack indexes
        warm = run(lockstep, cwd, ok_codes)
        run(floor, cwd, (0,))
    # A command of a few milliseconds varies by as much between pairs as lockstep and
    # its floor differ: its row takes ten times as many pairs.
    if warm.wall < SHORT:
        runs *= 10
    pairs = []
    for _ in range(runs):
        pairs.append((run(lockstep, cwd, ok_codes), run(floor, cwd, (0,))))
    med = statistics.median
    ratios = [a.wall / b.wall for a, b in pairs]
    cpu_ratios = [a.cpu / max(b.cpu, 1e-3) for a, b in pairs]
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    print(
        f"| {name} "
        f"| {ms(med(r.wall for r in a))} / {ms(med(r.cpu for r in a))} / {mib(max(r.rss_kib for r in a))} "
        f"| {ms(med(r.wall for r in b))} / {ms(med(r.cpu for r in b))} / {mib(max(r.rss_kib for r in b))} "
        f"| {med(ratios):.2f}× ({min(ratios):.2f}–{max(ratios):.2f}) "
        f"| {med(cpu_ratios):.2f}× |",
        flush=True,
    )


def ms(seconds):
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def mib(kib):
    return f"{kib / 1024:.0f} MiB"


def git(*args, cwd=None):
    subprocess.run(["git", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def audits(lockstep, work, runs):
    repo = os.environ.get("LOCKSTEP_BENCH_GIT")
    if repo:
        rules = os.path.join(work, "git-rules.toml")
        with open(rules, "w") as f:
            f.write(GIT_RULES)
        graph = os.path.join(work, "git-graph.git")
        git("clone", "-q", "--bare", repo, graph)
        git("-C", graph, "commit-graph", "write", "--reachable")
        for name, at in (("whole history", repo), ("whole history, commit-graph", graph)):
            pair(
                f"git/git audit, {name}",
                [lockstep, "-C", at, "audit", "--config", rules, "--format", "json"],
                ["git", "-C", at, "log", "--no-renames", "--name-only"],
                work,
                runs,
            )
        shutil.rmtree(graph)
    else:
        print("| git/git | skipped: LOCKSTEP_BENCH_GIT is not set | | | |", flush=True)
    repo = os.environ.get("LOCKSTEP_BENCH_CARGO")
    if not repo:
        print("| cargo | skipped: LOCKSTEP_BENCH_CARGO is not set | | | |", flush=True)
        return
    rules = os.path.join(work, "cargo-rules.toml")
    with open(rules, "w") as f:
        f.write(CARGO_RULES)
    since = "2024-01-01"
    audit = [lockstep, "-C", repo, "audit", "--config", rules, "--format", "json", "--since", since]
    log = ["git", "-C", repo, "log", "--no-renames", "--name-only"]
    pair(f"cargo audit --since {since}", audit, [*log, f"--since={since}"], work, runs)
    # The audit also judges the period before --since, as long as --since to today.
    start = datetime.date.fromisoformat(since)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    previous = start - datetime.timedelta(days=(today - start).days + 1)
    pair(
        f"the same, floor from {previous} (the period before it too)",
        audit,
        [*log, f"--since={previous}"],
        work,
        runs,
    )
    pair(
        f"cargo audit --since {since} --no-previous",
        [*audit, "--no-previous"],
        [*log, f"--since={since}"],
        work,
        runs,
    )
    checks(lockstep, repo, rules, work, runs)


def staged_clone(bare, work):
    """A clone of `bare` under `work` with 16 `.rs` files edited and staged; its path."""
    clone = os.path.join(work, "cargo")
    git("clone", "-q", bare, clone)
    files = subprocess.run(
        ["git", "ls-files", "*.rs"], cwd=clone, check=True, capture_output=True, text=True
    ).stdout.split()
    for path in files[:: max(1, len(files) // 16)][:16]:
        with open(os.path.join(clone, path), "a") as f:
            f.write("// staged edit\n")
        git("add", path, cwd=clone)
    staged = subprocess.run(
        ["git", "diff", "--cached", "--name-only"], cwd=clone, check=True, capture_output=True, text=True
    ).stdout.split()
    if len(staged) != 16:
        sys.exit(f"expected 16 staged files in the cargo clone, found {len(staged)}")
    return clone


def checks(lockstep, bare, rules, work, runs):
    clone = staged_clone(bare, work)
    # The same staged check without `LINT.` blocks, for which it reads both sides of
    # every staged file (git reads no blob): what the rest of the check costs.
    plain = os.path.join(work, "cargo-rules-no-annotations.toml")
    with open(plain, "w") as f:
        f.write(CARGO_RULES.replace("[settings]\n", "[settings]\nannotations = false\n", 1))
    staged_floor = ["git", "diff", "--cached", "--name-status"]
    for name, command, floor in (
        ("cargo check --staged, 16 files", ["--staged", "--config", rules], staged_floor),
        ("the same, `annotations = false`", ["--staged", "--config", plain], staged_floor),
        # git reading both sides of each staged file too, to print their patch.
        (
            "cargo check --staged against `git diff --cached`",
            ["--staged", "--config", rules],
            ["git", "diff", "--cached"],
        ),
        (
            "cargo check --base HEAD~300",
            ["--base", "HEAD~300", "--config", rules],
            ["git", "diff", "--name-status", "HEAD~300...HEAD"],
        ),
    ):
        # `check` exits 1 when it finds something: that is a result, not a failure.
        pair(name, [lockstep, "check", *command], floor, clone, runs, (0, 1))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lockstep", help="the binary (default: build a release one)")
    parser.add_argument("--runs", type=int, default=5, help="timed pairs per scenario")
    args = parser.parse_args()
    lockstep = args.lockstep
    if not lockstep:
        subprocess.run(
            ["cargo", "build", "--release", "--locked", "--quiet"], cwd=os.path.dirname(here), check=True
        )
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.dirname(here), "target"))
        lockstep = os.path.join(target, "release", "lockstep")
    lockstep = os.path.abspath(lockstep)
    for name in ("CI", "GITHUB_ACTIONS", "GITLAB_CI"):
        os.environ.pop(name, None)
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    cpu = next(
        (l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
        platform.processor(),
    )
    print(
        f"{datetime.date.today()}, {platform.system()} {platform.machine()}, {os.cpu_count()} cores "
        f"({cpu}), load average {os.getloadavg()[0]:.1f} at the start; "
        f"{args.runs} alternating pairs per row ({args.runs * 10} for commands under "
        f"{SHORT * 1000:.0f} ms) after 2 warm-up pairs; "
        f"{shutil.which('git') and subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.strip()}"
    )
    print()
    print("| scenario | lockstep: wall / CPU / peak RSS | git floor: wall / CPU / peak RSS | wall ratio, median of pairs (min–max) | CPU ratio |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        audits(lockstep, work, args.runs)


if __name__ == "__main__":
    main()
