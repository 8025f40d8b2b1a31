#!/usr/bin/env bash
# pilotsim view's physics thread and inspection tools under Xvfb (ctest runs it
# through `xvfb-run -a`), driven by synthetic input scripts: with physics on its
# own thread the states are those of `pilotsim run` (state hashes) and slow
# frames do not slow simulated time.
# usage: test_view_inspect.sh PILOTSIM SOURCE_DIR
set -u
ps=$1
src=$2
py=/usr/bin/python3
tmp=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] && echo "kept $tmp" || rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"
x_viewer_setup test_view_inspect
# field FILE N KEY: value of KEY=... in the N-th line starting with PREFIX (default "view: state ").
field() { grep "^${prefix:-view: state }" "$1" | sed -n "${2}p" | tr ' ' '\n' | sed -n "s/^$3=//p"; }
calc() { "$py" -c "import sys; sys.exit(0 if ($1) else 1)"; }

# --- physics thread: the hashes of `pilotsim run` --------------------------------
for sc in "$src/scenes/examples/go2_walk.lua" "$src/scenes/pilot/logistics_parcel_sorting.lua"; do
  expect_rc 0 run "$sc" --seed 3 --steps 400 --json
  want=$("$py" -c "import json; print(json.load(open('$tmp/out'))['hash'])")
  expect_rc 0 view "$sc" --seed 3 --exit-after-steps 400 --size 320x180 --no-watch --fps-report --frame-delay 30
  check "$(basename "$sc"): physics thread, same hash as run ($want)" has "$tmp/out" "^view: steps=400 .*hash=$want"
  check "$(basename "$sc"): physics ran on its thread" has "$tmp/out" "^view: fps=.* thread=1"
done

# --- slow frames do not slow simulated time ----------------------------------------
# Frames of 400+ ms (a viewer drawing in the frame can owe at most 0.25 s per frame:
# simulated time would fall to 60% of the clock or less); the thread keeps real time.
expect_rc 0 view "$src/scenes/examples/box_stack.lua" --size 320x180 --no-watch --frames 8 --frame-delay 400 --fps-report
line=$(grep '^view: fps=' "$tmp/out")
wall=$(sed 's/.* wall=\([0-9.]*\)s.*/\1/' <<<"$line"); sim=$(sed 's/.* sim=\([0-9.]*\)s.*/\1/' <<<"$line")
fps=$(sed 's/^view: fps=\([0-9.]*\) .*/\1/' <<<"$line")
check "slow frames: fps $fps below 3" calc "${fps:-99} < 3"
check "slow frames: simulated ${sim:-0} s of ${wall:-1} s wall (>= 85%)" calc "${sim:-0} >= 0.85 * ${wall:-1}"

echo "test_view_inspect: $checks checks, $failed failed"
[[ $failed == 0 ]]
