#!/usr/bin/env bash
# Times `lockstep audit --format json` against `git log --no-renames --name-only` on a
# synthetic monorepo history, and prints both medians, their ratio and peak memory.
#
#   benches/audit.sh [COMMITS] [FILES]      (defaults: 5000 commits, 30000 files)
#
# Needs git, python3 and /usr/bin/time; uses hyperfine when installed
# (`apt-get install -y hyperfine`), else a loop. RUNS=N sets the timed runs (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."

COMMITS=${1:-5000}
FILES=${2:-30000}
WORK=${BENCH_DIR:-$(mktemp -d)}
REPO="$WORK/monorepo.git"
RUNS=${RUNS:-10}

echo "building lockstep (release)..."
cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/lockstep"

if [ ! -d "$REPO" ]; then
    echo "generating $COMMITS commits over $FILES files in $REPO..."
    git init -q --bare "$REPO"
    python3 - "$COMMITS" "$FILES" <<'PY' | git -C "$REPO" fast-import --quiet
import random, sys

commits, files = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(42)
services = [f"svc{i:02d}" for i in range(40)]
layers = ["api", "internal", "deploy", "pkg", "cmd"]
paths = []
while len(paths) < files:
    svc = rng.choice(services)
    layer = rng.choice(layers)
    depth = [f"d{rng.randrange(6)}" for _ in range(rng.randrange(1, 4))]
    ext = "proto" if layer == "api" else rng.choice(["go", "go", "ts", "yaml"])
    paths.append(f"services/{svc}/{layer}/{'/'.join(depth)}/f{len(paths)}.{ext}")
companions = [f"docs/{s}/api.md" for s in services] + [f"sdk/{s}/client.go" for s in services]
companions += [f"runbooks/{s}.md" for s in services]

rules = """version = 1

[[rule]]
id = "service-api"
description = "API changes reach the service's docs and SDK"
when = ["services/{svc}/api/**/*.proto"]
owners = ["@acme/api-guild"]
[[rule.then]]
kind = "docs"
paths = ["docs/{svc}/**"]
[[rule.then]]
kind = "sdk"
paths = ["sdk/{svc}/**"]

[[rule]]
id = "deploy-runbook"
when = ["services/*/deploy/**"]
then = [{ kind = "runbook", paths = ["runbooks/**"] }]
"""

out = sys.stdout.buffer
def data(text):
    raw = text.encode()
    out.write(b"data %d\n" % len(raw) + raw + b"\n")

version = {}
t0 = 1_735_689_600  # 2025-01-01
def commit(n, message, changes):
    out.write(b"commit refs/heads/main\n")
    when = t0 + n * 6000
    out.write(b"author Dev %d <dev%d@example.com> %d +0000\n" % (n % 17, n % 17, when))
    out.write(b"committer Dev %d <dev%d@example.com> %d +0000\n" % (n % 17, n % 17, when))
    data(message)
    if n == 0:
        out.write(b"deleteall\n")
    for path in changes:
        version[path] = version.get(path, 0) + 1
        out.write(f"M 100644 inline {path}\n".encode())
        data(f"{path} v{version[path]}\nrpc Call(R) returns (S);\n")

commit(0, "import", paths + companions)
out.write(b"M 100644 inline lockstep.toml\n")
data(rules)
for n in range(1, commits):
    svc = rng.choice(services)
    local = [p for p in rng.sample(paths, 200) if f"/{svc}/" in p][:4] or [rng.choice(paths)]
    changed = local + rng.sample(paths, rng.randrange(0, 3))
    if rng.random() < 0.5:
        changed += [f"docs/{svc}/api.md"]
    if rng.random() < 0.4:
        changed += [f"sdk/{svc}/client.go"]
    if rng.random() < 0.3:
        changed += [f"runbooks/{svc}.md"]
    message = f"change {n} in {svc}"
    if rng.random() < 0.05:
        message += "\n\nLockstep-Skip: service-api -- follow-up"
    commit(n, message, sorted(set(changed)))
PY
    git -C "$REPO" symbolic-ref HEAD refs/heads/main
    git -C "$REPO" gc -q
fi

echo "repository: $(git -C "$REPO" rev-list --count HEAD) commits," \
    "$(git -C "$REPO" ls-tree -r HEAD | wc -l) files, $(nproc) cores"

LOCKSTEP="$BIN -C $REPO audit --format json --output /dev/null"
GITLOG="git -C $REPO log --no-renames --name-only"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs "$RUNS" --export-json "$WORK/times.json" \
        -n lockstep "$LOCKSTEP" -n "lockstep -j1" "$LOCKSTEP -j 1" -n "git log" "$GITLOG > /dev/null"
    read -r LS LS1 GL < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(*[x["median"] for x in r])' "$WORK/times.json")
    # On a shared machine wall-clock time depends on the neighbours; CPU time less so.
    python3 -c 'import json,sys
for x in json.load(open(sys.argv[1]))["results"]:
    print("cpu (user+sys, mean)  %-14s %.3f s" % (x["command"], x["user"] + x["system"]))' "$WORK/times.json"
else
    time_runs() {
        for _ in $(seq "$RUNS"); do
            local start end
            start=$(date +%s.%N); bash -c "$1" >/dev/null; end=$(date +%s.%N)
            python3 -c "print($end - $start)"
        done | median
    }
    LS=$(time_runs "$LOCKSTEP"); LS1=$(time_runs "$LOCKSTEP -j 1"); GL=$(time_runs "$GITLOG")
fi

peak() { /usr/bin/time -v bash -c "$1" 2>&1 >/dev/null | awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}'; }
LS_MEM=$(peak "$LOCKSTEP")
GL_MEM=$(peak "$GITLOG > /dev/null")

printf '\nmedian  lockstep audit: %.3f s (1 thread: %.3f s)   git log: %.3f s   ratio lockstep/git: %.2f\n' \
    "$LS" "$LS1" "$GL" "$(python3 -c "print($LS / $GL)")"
printf 'peak RSS  lockstep audit: %d MiB   git log: %d MiB\n' $((LS_MEM / 1024)) $((GL_MEM / 1024))
