#!/usr/bin/env bash
# Builds lockstep, creates a small payments service in a temporary repository, stages an
# API change without its docs and SDK, and runs the pre-commit check on it. Any step that
# fails stops the demo with a non-zero exit; the check itself must refuse the change.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --quiet --locked --manifest-path "$root/Cargo.toml"
# Where cargo put it: honours CARGO_TARGET_DIR and build.target-dir.
target="$(cargo metadata --format-version 1 --no-deps --locked --manifest-path "$root/Cargo.toml" |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
lockstep="$target/release/lockstep"
if [ ! -x "$lockstep" ]; then
  echo "demo: the build left no binary at $lockstep" >&2
  exit 1
fi

demo="$(mktemp -d)"
trap 'rm -rf "$demo"' EXIT
cd "$demo"
git init -q -b main .
git config user.name "Demo" && git config user.email "demo@example.com"
mkdir -p services/payments/api docs/payments sdk/go/payments runbooks
cp "$root/examples/payments.toml" lockstep.toml
printf 'service Refunds {\n  rpc Refund(RefundRequest) returns (Refund);\n}\n' > services/payments/api/refunds.proto
printf '# Payments API\n' > docs/payments/api.md
printf 'package payments\n' > sdk/go/payments/client.go
printf '# Payments runbook\n' > runbooks/payments.md
git add -A && git commit -q -m "Payments service"

printf 'service Refunds {\n  rpc Refund(RefundRequest) returns (Refund);\n  rpc VoidRefund(VoidRequest) returns (Refund);\n}\n' > services/payments/api/refunds.proto
git add services/payments/api/refunds.proto
echo "\$ git add services/payments/api/refunds.proto && lockstep check --staged"
status=0
"$lockstep" check --staged || status=$?
if [ "$status" -ne 1 ]; then
  echo "demo: expected exit code 1 (a finding refuses the commit), got $status" >&2
  exit 1
fi
echo "(exit code 1 — the commit would be refused)"
