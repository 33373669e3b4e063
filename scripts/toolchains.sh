#!/usr/bin/env bash
# Installs what `cargo apigw build` and its tests link and run bundles with,
# the way the README tells a user to get them:
#   - the musl targets for x86_64 and aarch64 (static bundles), by rustup;
#   - zig, from PyPI's `ziglang`, in a venv under target/tools/zig-venv
#     (bundles linked against glibc 2.17);
#   - qemu-user-static, from Debian, so the tests can run an aarch64 bundle.
# Safe to run again: each piece is installed only when missing. A piece
# that cannot be installed stops the script, saying which.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "error: scripts/toolchains.sh: $*" >&2; exit 1; }

for triple in x86_64-unknown-linux-musl aarch64-unknown-linux-musl; do
  if [ ! -d "$(rustc --print sysroot)/lib/rustlib/$triple/lib" ]; then
    command -v rustup >/dev/null || fail "$triple is missing and rustup is not installed to add it"
    rustup target add "$triple" || fail "rustup could not add $triple"
  fi
done

venv="$PWD/target/tools/zig-venv"
if ! "$venv/bin/python3" -m ziglang version >/dev/null 2>&1; then
  python3 -m venv "$venv" || fail "python3 -m venv could not make $venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "ziglang==0.17.1" \
    || fail "pip could not install ziglang into $venv"
fi
echo "zig $("$venv/bin/python3" -m ziglang version) in $venv"

if ! command -v qemu-aarch64-static >/dev/null; then
  command -v apt-get >/dev/null || fail "qemu-aarch64-static is missing and apt-get is not here to install it"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq qemu-user-static; } >/dev/null \
    || fail "apt-get could not install qemu-user-static"
fi
echo "qemu-aarch64-static at $(command -v qemu-aarch64-static)"
