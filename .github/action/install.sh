#!/usr/bin/env bash
# Installs lockstep for the GitHub Action (action.yml): the release archive for this
# runner, checked against its published SHA-256; when the release has no archive for
# this runner (or the version was never released), it builds from source with cargo.
# A checksum mismatch is an error, never a reason to fall back.
#
# Environment (set by action.yml):
#   LOCKSTEP_VERSION      the version to install; empty = the action's own (its Cargo.toml)
#   LOCKSTEP_RELEASE_URL  where releases are downloaded from (…/releases/download); empty =
#                         the GitHub releases of the `repository` in the action's Cargo.toml
#   ACTION_PATH           the action's checkout (for the version and the source build)
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_PATH   as GitHub sets them
set -euo pipefail

manifest_field() { sed -n "s/^$1 = \"\\(.*\\)\"\$/\\1/p" "$ACTION_PATH/Cargo.toml" | head -n 1; }
own_version="$(manifest_field version)"
release_url="${LOCKSTEP_RELEASE_URL:-$(manifest_field repository)/releases/download}"
version="${LOCKSTEP_VERSION:-}"
version="${version#v}"
version="${version:-$own_version}"
root="$RUNNER_TEMP/lockstep-$version"
mkdir -p "$root/bin"

runner_target() {
  case "$RUNNER_OS/$RUNNER_ARCH" in
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-musl ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
  esac
}

# Downloads and unpacks the release archive into $root/bin; returns 3 when there is none.
install_release() {
  local target="$1" suffix=".tar.gz" exe=""
  case "$target" in *windows*) suffix=".zip" exe=".exe" ;; esac
  local name="lockstep-$version-$target"
  local url="${release_url%/}/v$version/$name$suffix"
  local work="$root/download"
  mkdir -p "$work"
  if ! curl --fail --silent --show-error --location --retry 3 --output "$work/$name$suffix" "$url" \
    || ! curl --fail --silent --show-error --location --retry 3 --output "$work/$name$suffix.sha256" "$url.sha256"; then
    echo "::warning::no lockstep $version release archive at $url"
    return 3
  fi
  if ! (cd "$work" && sha256sum --check --status "$name$suffix.sha256" 2>/dev/null \
    || shasum -a 256 --check --status "$name$suffix.sha256" 2>/dev/null); then
    echo "::error::$name$suffix does not match its published SHA-256 ($url.sha256); not installing it"
    exit 1
  fi
  if [ "$suffix" = ".zip" ]; then
    (cd "$work" && 7z x -y -bso0 "$name$suffix") || return 1
  else
    tar -C "$work" -xzf "$work/$name$suffix" || return 1
  fi
  mv "$work/$name/lockstep$exe" "$root/bin/" || return 1
  rm -rf "$work"
}

install_from_source() {
  echo "::warning::building lockstep $version from source with cargo (minutes, not seconds)"
  if ! command -v cargo >/dev/null 2>&1; then
    echo "::error::no release archive of lockstep $version for $RUNNER_OS/$RUNNER_ARCH, and no cargo to build it: add a Rust toolchain step (dtolnay/rust-toolchain) or use a released version"
    exit 1
  fi
  if [ "$version" = "$own_version" ]; then
    cargo install --locked --root "$root" --path "$ACTION_PATH"
  else
    cargo install --locked --root "$root" lockstep --version "$version"
  fi
}

target="$(runner_target)"
status=0
if [ -z "$target" ]; then
  echo "::warning::lockstep releases have no binary for $RUNNER_OS/$RUNNER_ARCH"
  status=3
else
  install_release "$target" || status=$?
fi
case "$status" in
  0) ;;
  3) install_from_source ;;
  *) echo "::error::could not unpack the lockstep $version release archive for $target"; exit 1 ;;
esac
echo "$root/bin" >>"$GITHUB_PATH"
"$root/bin/lockstep" --version
