#!/usr/bin/env python3
"""Generates the sample history the audit report example and the README screenshot use.

usage: sample_history.py DIR

A year of a small product (2025-01 to 2025-12) in a new repository at DIR, written with
`git fast-import` and pinned dates so every run gives the same commits: five rules
(examples/audit-report.toml) with owners, changes that update their companions more
often as the year goes on, misses that a later commit makes up for, waivers with and
without a reason, and August without a single commit.
"""
import os
import random
import subprocess
import sys

AUTHORS = [
    ("Ana Lima", "ana@example.com"),
    ("Bo Chen", "bo@example.com"),
    ("Chidi Okafor", "chidi@example.com"),
    ("Dana Levi", "dana@example.com"),
]

# rule → (a triggering path, its companions), with `{x}` filled per change.
RULES = {
    "payments-api": ("services/payments/api/{x}.proto", ["docs/payments/api.md", "sdk/go/payments/{x}.go"]),
    "cli-docs": ("src/cli/{x}.rs", ["docs/cli/{x}.md"]),
    "schema-migrations": ("db/schema.sql", ["db/migrations/{n}.sql"]),
    "deploy-runbook": ("deploy/{x}.yaml", ["runbooks/deploy.md"]),
    "config-reference": ("src/config/{x}.rs", ["docs/config.md"]),
}
NAMES = ["refunds", "ledger", "payouts", "build", "run", "init", "worker", "api"]


def main():
    target = sys.argv[1]
    rng = random.Random(2025)
    files = {}
    os.makedirs(target, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", target], check=True)
    subprocess.run(
        ["git", "-C", target, "remote", "add", "origin", "https://github.com/acme/shop.git"],
        check=True,
    )
    importer = subprocess.Popen(["git", "-C", target, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    out = importer.stdin
    count = 0

    def commit(when, message, changed, author):
        nonlocal count
        count += 1
        name, email = author
        msg = message.encode()
        out.write(b"commit refs/heads/main\n")
        out.write(f"author {name} <{email}> {when} +0000\n".encode())
        out.write(f"committer {name} <{email}> {when} +0000\n".encode())
        out.write(f"data {len(msg)}\n".encode() + msg + b"\n")
        for path in changed:
            data = files[path].encode()
            out.write(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")

    def touch(path):
        files[path] = files.get(path, "") + f"change {count}\n"
        return path

    setup = [
        "lockstep.toml",
        "docs/payments/api.md",
        "docs/config.md",
        "runbooks/deploy.md",
        "db/schema.sql",
        "db/migrations/0000.sql",
    ]
    with open(os.path.join(os.path.dirname(__file__), "audit-report.toml")) as rules:
        files["lockstep.toml"] = rules.read()
    for path in setup[1:]:
        files[path] = "initial\n"
    for name in NAMES:
        for pattern in ["docs/cli/{x}.md", "sdk/go/payments/{x}.go"]:
            files[pattern.format(x=name)] = "initial\n"
    commit(day(2025, 1, 2), "Initial import", list(files), AUTHORS[0])

    migration = 0
    pending = []  # companions a miss left out, made up for a few commits later
    for month in range(1, 13):
        if month == 8:
            continue  # the team's summer break: a month with no commit at all
        # Companions are remembered more often as the year goes on.
        care = 0.3 + 0.045 * month
        for n in range(rng.randint(9, 14)):
            when = day(2025, month, min(3 + 2 * n, 28)) + 3600 * rng.randint(8, 18)
            rule = rng.choice(list(RULES))
            trigger, companions = RULES[rule]
            name = rng.choice(NAMES)
            migration += 1
            fill = lambda p: p.format(x=name, n=f"{migration:04}")
            changed = [touch(fill(trigger))]
            message = f"{rule.split('-')[0]}: update {name}"
            roll = rng.random()
            if roll < care:
                changed += [touch(fill(c)) for c in companions]
            elif roll < care + 0.05:
                reason = rng.choice([" -- docs land with the release", ""])
                message += f"\n\nLockstep-Skip: {rule}{reason}"
            elif rng.random() < 0.4:
                pending.append([fill(c) for c in companions])
            commit(when, message, changed, rng.choice(AUTHORS))
            if pending and rng.random() < 0.3:
                late = pending.pop(0)
                commit(when + 7200, "docs: catch up", [touch(p) for p in late], rng.choice(AUTHORS))
    out.close()
    if importer.wait() != 0:
        sys.exit("sample_history: git fast-import failed")
    subprocess.run(["git", "-C", target, "checkout", "-q", "-f", "main"], check=True)


def day(year, month, date):
    """Seconds since the epoch at midnight UTC."""
    import datetime

    return int(datetime.datetime(year, month, date, tzinfo=datetime.timezone.utc).timestamp())


if __name__ == "__main__":
    main()
