#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time each, then prints
# a table of executions, corpus size and findings per target.
#
#   scripts/fuzz.sh                 # every target, 60 s each
#   scripts/fuzz.sh 300             # every target, 300 s each
#   scripts/fuzz.sh 30 events routes
#
# FUZZ_SECONDS sets the time when no argument does; FUZZ_SANITIZER picks the
# sanitizer (default `address`; `none` builds faster and runs ~2x more
# executions). Seeds are read from fuzz/corpus/<target> and left unchanged:
# what the fuzzer finds goes to fuzz/work/<target>, crashes to
# fuzz/artifacts/<target>. Exits 1 when any target found something.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds="${1:-${FUZZ_SECONDS:-60}}"
[[ $# -gt 0 ]] && shift
case "$seconds" in
    '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac
sanitizer="${FUZZ_SANITIZER:-address}"

# cargo-fuzz passes nightly-only -Z flags; this lets a stable toolchain take them.
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

echo "== building ${#targets[@]} targets (sanitizer: $sanitizer)"
if ! cargo fuzz build --sanitizer "$sanitizer" >/dev/null; then
    if [[ "$sanitizer" == none ]]; then
        exit 1
    fi
    echo "the $sanitizer sanitizer build failed; falling back to --sanitizer none" >&2
    sanitizer=none
    cargo fuzz build --sanitizer none >/dev/null
fi

mkdir -p work
rows=()
failed=0
for target in "${targets[@]}"; do
    echo "== fuzzing $target for ${seconds}s"
    mkdir -p "work/$target" "artifacts/$target" "corpus/$target"
    marker="work/$target.started"
    touch "$marker"
    log="work/$target.log"
    status=0
    cargo fuzz run --sanitizer "$sanitizer" "$target" "work/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=25 -print_final_stats=1 >"$log" 2>&1 || status=$?
    execs="$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -n 1)"
    corpus="$(find "work/$target" -type f | wc -l)"
    found="$(find "artifacts/$target" -type f -newer "$marker" | wc -l)"
    if [[ $status -ne 0 || $found -ne 0 ]]; then
        failed=1
        echo "   $target: exit $status, $found new finding(s); see fuzz/$log"
        find "artifacts/$target" -type f -newer "$marker" -printf '   %p\n'
    fi
    rows+=("$(printf '%-22s %14s %8ss %8s %9s' "$target" "${execs:-?}" "$seconds" "$corpus" "$found")")
done

echo
printf '%-22s %14s %9s %8s %9s\n' target executions time corpus findings
printf '%s\n' "${rows[@]}"
exit "$failed"
