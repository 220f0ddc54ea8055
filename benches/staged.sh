#!/usr/bin/env bash
# The pre-commit hook's speed: `lockstep check --staged` against its floor,
# `git diff --cached --name-status`, on a generated 100k-file repository with 20 staged
# files. Prints both medians (hyperfine) and their ratio.
#
# usage: benches/staged.sh [FILES]    (default 100000; needs python3, git, hyperfine)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
files="${1:-100000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
lockstep="$root/target/release/lockstep"
repo="$work/repo"
python3 "$root/benches/gen_repo.py" "$repo" "$files"
cd "$repo"

# A rule set the size of a real service catalogue: one rule per team API.
{
  echo "version = 1"
  for team in $(ls services); do
    cat <<RULE
[[rule]]
id = "$team-api"
when = ["services/$team/**/api/*.proto"]
then = [{ kind = "docs", paths = ["docs/$team/**"] }, { kind = "sdk", paths = ["sdk/go/$team/**"] }]
RULE
  done
} > lockstep.toml
git add lockstep.toml && git -c user.name=b -c user.email=b@e commit -q -m "rules"

# Twenty staged edits spread over the tree.
git ls-files 'services/*' | awk 'NR % 4001 == 7' | head -20 | while read -r path; do
  echo "// staged edit" >> "$path"
  git add "$path"
done
echo "repository: $(git ls-files | wc -l) files, $(git diff --cached --name-only | wc -l) staged"

hyperfine --warmup 3 --runs 30 --export-json "$work/staged.json" \
  -n "git diff --cached --name-status" "git diff --cached --name-status" \
  -n "lockstep check --staged" "$lockstep check --staged --format json --output /dev/null || true"
python3 - "$work/staged.json" <<'PY'
import json, sys
results = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
git = results["git diff --cached --name-status"]
ours = results["lockstep check --staged"]
print(f"median: git {git * 1000:.1f} ms, lockstep {ours * 1000:.1f} ms, ratio {ours / git:.2f}x")
PY
