#!/usr/bin/env bash
# Runs the libFuzzer targets (tests/fuzz/fuzz_*.c) for a given time each, one
# after another, each in one process (the machine's cores are shared).
#   tools/fuzz.sh TARGET|all SECONDS
# TARGET: urdf, stl, obj, scene or protocol. Installs clang-14 and
# libclang-rt-14-dev if missing (tools/setup-deps.sh --fuzz), builds the
# "fuzz" preset (or the build directory in $PILOTSIM_FUZZ_BUILD), and fuzzes
# starting from tests/fuzz/corpus/TARGET. New interesting inputs go to
# <build>/fuzz-corpus/TARGET (kept between runs, not in the source tree); a
# crash, leak, timeout or sanitizer report is saved as
# tests/fuzz/corpus/TARGET/crash-<sha1> (the replay test then fails until it
# is fixed; keep the file as a regression input, renamed to say what it was).
# Exit status: 0 when no target found anything, 1 otherwise, 2 on usage errors.
set -euo pipefail
cd "$(dirname "$0")/.."
all=(urdf stl obj scene protocol)
if [[ $# -ne 2 || ! $2 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 TARGET|all SECONDS   (targets: ${all[*]})" >&2
  exit 2
fi
if [[ $1 == all ]]; then
  targets=("${all[@]}")
else
  [[ " ${all[*]} " == *" $1 "* ]] || { echo "$0: unknown target '$1' (targets: ${all[*]})" >&2; exit 2; }
  targets=("$1")
fi
secs=$2

tools/setup-deps.sh --fuzz
build=${PILOTSIM_FUZZ_BUILD:-build/fuzz}
if [[ -z ${PILOTSIM_FUZZ_BUILD:-} ]]; then
  cmake --preset fuzz >/dev/null
else
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
    -DPILOTSIM_FUZZ=ON -DPILOTSIM_RENDER=OFF >/dev/null
fi
cmake --build "$build" -j2 --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
found=0
for t in "${targets[@]}"; do
  work="$build/fuzz-corpus/$t"
  mkdir -p "$work"
  dict=()
  [[ -f tests/fuzz/$t.dict ]] && dict=(-dict="tests/fuzz/$t.dict")
  echo "== fuzz_$t for $secs s"
  log="$build/fuzz-$t.log"
  set +e
  "$build/tests/fuzz/fuzz_$t" "$work" "tests/fuzz/corpus/$t" "${dict[@]}" \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="tests/fuzz/corpus/$t/" >"$log" 2>&1
  rc=$?
  set -e
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)|^#[0-9]+ +DONE" "$log" | sed "s/^/  /" || true
  echo "  $(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1), corpus $(ls "$work" | wc -l) files, log $log"
  if [[ $rc -ne 0 ]]; then
    found=1
    echo "  FOUND a problem (exit $rc):"
    grep -E "^==[0-9]+==ERROR|runtime error|SUMMARY|Test unit written to" "$log" | head -n 5 | sed "s/^/    /"
  fi
done
exit $found
