#!/usr/bin/env bash
# Runs `lockstep init` on a clone of a real repository and prints what it says of each
# pack it weighed and how long it took (the figures in README's "lockstep init").
#
#   benches/init.sh GIT_DIR
#   e.g. benches/init.sh "$LOCKSTEP_BENCH_CARGO"   (a clone of rust-lang/cargo)
#
# Needs git.
set -euo pipefail
cd "$(dirname "$0")/.."

GIT_DIR_ARG=${1:?usage: benches/init.sh GIT_DIR}

cargo build --release --quiet
BIN="$(pwd)/${CARGO_TARGET_DIR:-target}/release/lockstep"
case "${CARGO_TARGET_DIR:-}" in /*) BIN="$CARGO_TARGET_DIR/release/lockstep" ;; esac

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
git clone -q "$GIT_DIR_ARG" "$WORK/repo"
cd "$WORK/repo"
START=$(date +%s.%N)
"$BIN" init 2> "$WORK/stderr"
END=$(date +%s.%N)
cat "$WORK/stderr"
sed -n '/^# Candidates mined/,$p' lockstep.toml > "$WORK/candidates"
echo "candidates: $(grep -c '^# \[\[rule\]\]' "$WORK/candidates") commented-out rules, man pages among them:"
grep '^# when = \["doc/' "$WORK/candidates" || true
echo "init took $(awk "BEGIN { printf \"%.1f\", $END - $START }") s"
