#!/usr/bin/env bash
# Each way of linking `hello` for a bundle, from a cold target directory:
# the build's wall time, the bootstrap's size stripped and with its symbols,
# the zip's size, and what the bootstrap needs to start. Run from the
# repository root after `bash scripts/toolchains.sh`:
#   bash bench/bundle.sh            # writes a Markdown table on stdout
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --locked -p cargo-apigw
apigw="${CARGO_TARGET_DIR:-$PWD/target}/debug/cargo-apigw"
export PATH="$PWD/target/tools/zig-venv/bin:$PATH"
work="$PWD/target/bench-bundle"
rm -rf "$work"
size() { stat -c %s "$1"; }

echo "| way | target | cold build | bootstrap stripped | with symbols | zip | needs |"
echo "|---|---|---|---|---|---|---|"
for way in "musl" "zig" "musl --arm64"; do
  dir="$work/${way// /-}"
  mkdir -p "$dir/out" "$dir/kept"
  start=$(date +%s.%N)
  line=$(CARGO_TARGET_DIR="$dir/target" "$apigw" build -q --example hello --linker $way --output "$dir/out" 2>/dev/null)
  end=$(date +%s.%N)
  kept=$(CARGO_TARGET_DIR="$dir/target" "$apigw" build -q --example hello --linker $way --no-strip --output "$dir/kept" 2>/dev/null)
  zip=$(echo "$line" | awk -F'  ' '{print $1}')
  zip_kept=$(echo "$kept" | awk -F'  ' '{print $1}')
  triple=$(echo "$line" | awk -F'  ' '{print $3}')
  needs=$(echo "$line" | awk -F'  ' '{print $5}')
  unzip -p "$zip" bootstrap > "$dir/bootstrap"
  unzip -p "$zip_kept" bootstrap > "$dir/bootstrap-kept"
  printf '| %s | %s | %.0f s | %s B | %s B | %s B | %s |\n' "$way" "$triple" "$(echo "$end - $start" | bc)" \
    "$(size "$dir/bootstrap")" "$(size "$dir/bootstrap-kept")" "$(size "$zip")" "$needs"
done
