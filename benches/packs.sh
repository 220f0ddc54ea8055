#!/usr/bin/env bash
# Measures a built-in pack on a real repository of its ecosystem: audits the history
# since a date with nothing but `extends = ["builtin:PACK"]` (in-file annotations off, so
# only the pack is judged) and prints, per rule, triggered / satisfied / missed, the
# cases not applicable (no companion path exists in that commit) and compliance: the
# figures in README's "Rule packs".
#
#   benches/packs.sh PACK GIT_DIR [SINCE [AUDIT_ARGS...]]   (SINCE defaults to 2024-01-01)
#   e.g. benches/packs.sh rust "$LOCKSTEP_BENCH_CARGO"   (a clone of rust-lang/cargo)
#        benches/packs.sh changelog "$REPO" 2024-01-01 --first-parent   (one case per PR)
#
# Needs git and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

PACK=${1:?usage: benches/packs.sh PACK GIT_DIR [SINCE]}
GIT_DIR_ARG=${2:?usage: benches/packs.sh PACK GIT_DIR [SINCE]}
SINCE=${3:-2024-01-01}
shift $(($# < 3 ? $# : 3))

cargo build --release --quiet
BIN="$(pwd)/${CARGO_TARGET_DIR:-target}/release/lockstep"
case "${CARGO_TARGET_DIR:-}" in /*) BIN="$CARGO_TARGET_DIR/release/lockstep" ;; esac

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
git clone -q --no-checkout "$GIT_DIR_ARG" "$WORK/repo"
printf 'version = 1\nextends = ["builtin:%s"]\n\n[settings]\nannotations = false\n' "$PACK" \
    > "$WORK/pack.toml"
(cd "$WORK/repo" && "$BIN" audit --config "$WORK/pack.toml" --since "$SINCE" "$@" --format json) \
    > "$WORK/audit.json"
HEAD_AT=$(git -C "$WORK/repo" log -1 --format='%h %cs' HEAD)
python3 - "$WORK/audit.json" "$PACK" "$SINCE" "$*" "$HEAD_AT" <<'PY'
import json, sys
audit = json.load(open(sys.argv[1]))
head = sys.argv[5]
units = "first-parent changes" if audit["range"]["first_parent"] else "commits"
print(f"builtin:{sys.argv[2]} since {sys.argv[3]} {sys.argv[4]}".rstrip()
      + f" ({audit['range']['units']} {units}, HEAD {head})")
for r in audit["rules"]:
    print(f"  {r['rule']}: triggered {r['triggered']}, satisfied {r['satisfied']}, "
          f"missed {r['missed']}, not applicable {r['not_applicable']}, "
          f"compliance {r['compliance']:.1%}")
PY
