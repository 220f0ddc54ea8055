#!/usr/bin/env bash
# Measures a built-in pack on a real repository of its ecosystem: audits the history
# since a date with nothing but `extends = ["builtin:PACK"]` and prints, per rule,
# triggered / satisfied / missed and compliance (the figures in README's "Rule packs").
#
#   benches/packs.sh PACK GIT_DIR [SINCE]     (SINCE defaults to 2024-01-01)
#   e.g. benches/packs.sh rust "$LOCKSTEP_BENCH_CARGO"   (a clone of rust-lang/cargo)
#
# Needs git and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

PACK=${1:?usage: benches/packs.sh PACK GIT_DIR [SINCE]}
GIT_DIR_ARG=${2:?usage: benches/packs.sh PACK GIT_DIR [SINCE]}
SINCE=${3:-2024-01-01}

cargo build --release --quiet
BIN="$(pwd)/${CARGO_TARGET_DIR:-target}/release/lockstep"
case "${CARGO_TARGET_DIR:-}" in /*) BIN="$CARGO_TARGET_DIR/release/lockstep" ;; esac

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
git clone -q --no-checkout "$GIT_DIR_ARG" "$WORK/repo"
printf 'version = 1\nextends = ["builtin:%s"]\n' "$PACK" > "$WORK/pack.toml"
(cd "$WORK/repo" && "$BIN" audit --config "$WORK/pack.toml" --since "$SINCE" --format json) \
    > "$WORK/audit.json"
python3 - "$WORK/audit.json" "$PACK" "$SINCE" <<'PY'
import json, sys
audit = json.load(open(sys.argv[1]))
print(f"builtin:{sys.argv[2]} since {sys.argv[3]} ({audit['range']['units']} commits)")
for r in audit["rules"]:
    print(f"  {r['rule']}: triggered {r['triggered']}, satisfied {r['satisfied']}, "
          f"missed {r['missed']}, compliance {r['compliance']:.1%}")
PY
