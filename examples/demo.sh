#!/usr/bin/env bash
# Builds lockstep, creates a small payments service in a temporary repository, stages an
# API change without its docs and SDK, and runs the pre-commit check on it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
lockstep="$root/target/release/lockstep"

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
"$lockstep" check --staged || echo "(exit code $? — the commit would be refused)"
