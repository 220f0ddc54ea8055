#!/usr/bin/env bash
# The README's audit report, regenerated: builds lockstep, writes the sample history
# (examples/sample_history.py: a year of a small product, August without a commit),
# audits its second half (its first half is the previous period the summary compares
# with) and writes audit.html, audit.md and audit.json to OUT (default: a temporary
# directory, removed afterwards). With --screenshot, headless Chromium also draws the
# top of the HTML report in a 1280-px window into examples/audit-report.png.
#
# usage: examples/audit_report.sh [--screenshot] [OUT]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
screenshot=false
if [ "${1:-}" = "--screenshot" ]; then
  screenshot=true
  shift
fi
# A debug build: the sample is small, and the tests have built it already.
cargo build --quiet --locked --manifest-path "$root/Cargo.toml"
target="$(cargo metadata --format-version 1 --no-deps --locked --manifest-path "$root/Cargo.toml" |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
lockstep="$target/debug/lockstep"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="${1:-$work/out}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
python3 "$root/examples/sample_history.py" "$work/shop"
cd "$work/shop"
for format in html markdown json; do
  extension="$format"
  [ "$format" = markdown ] && extension=md
  "$lockstep" audit --since 2025-07-01 --until 2025-12-31 --format "$format" -o "$out/audit.$extension"
done
sed -n '/^## Summary/,/^## Rules/p' "$out/audit.md" | sed '$d'

if $screenshot; then
  chromium="${LOCKSTEP_CHROMIUM:-$(command -v chromium || command -v google-chrome || true)}"
  if [ -z "$chromium" ]; then
    echo "audit_report: --screenshot needs Chromium (apt-get install chromium, or set LOCKSTEP_CHROMIUM)" >&2
    exit 1
  fi
  "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$work/profile" --window-size=1280,1500 \
    --screenshot="$root/examples/audit-report.png" "file://$out/audit.html" 2>/dev/null
  echo "wrote examples/audit-report.png"
fi
