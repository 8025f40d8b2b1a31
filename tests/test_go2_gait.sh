#!/usr/bin/env bash
# The Go2's closed-loop trot (robots.go2 dog:walk, issue 18) on 10 cm steps and a 20 deg
# ramp (scenes/examples/go2_stairs.lua): on three seeds (start offset and heading drawn
# per seed) the robot climbs all three steps and the ramp to the top landing, upright;
# the open-loop trot (dog:trot) on the same course stalls at the first step; the pilot
# scene built on the gait succeeds with its baseline.
# usage: test_go2_gait.sh PILOTSIM SOURCE_DIR
set -u
ps=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"

# a metric of the last run (--json) and numeric comparisons
metric() { sed -n "s/.*\"$1\":\([-0-9.e+]*\).*/\1/p" "$tmp/out"; }
at_least() { awk -v a="$(metric "$1")" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 >= b + 0) }'; }
below() { awk -v a="$(metric "$1")" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 < b + 0) }'; }

scene=$src/scenes/examples/go2_stairs.lua
course=(--param rise=0.10 --param slope=20 --param n_steps=3 --param ramp_rise=0.30)
for seed in 1 2 3; do
    expect_rc 0 run "$scene" --seed "$seed" --json --quiet "${course[@]}"
    check "closed loop, seed $seed: success" has "$tmp/out" '"status":"success"'
    # three 10 cm steps and a 0.3 m ramp: the course under the base reached 0.6 m
    check "closed loop, seed $seed: reached the top (0.6 m)" at_least top_height 0.599
    check "closed loop, seed $seed: past the ramp" at_least progress 4.2
done

# the open-loop trot never gets onto the second step in 20 s: it stalls at the first riser
expect_rc 0 run "$scene" --seed 1 --json --quiet "${course[@]}" --param open_loop=1 --steps 10000
check "open loop: no success" has "$tmp/out" '"status":"timeout"'
check "open loop: stays below the first step" below top_height 0.05
check "open loop: stalls before 1.2 m" below progress 1.2

# the pilot scene on the gait: its baseline succeeds, both checkpoints, safety metrics
expect_rc 0 run "$src/scenes/pilot/inspection_quadruped_stairs.lua" --seed 1 --json --quiet
check "inspection_quadruped_stairs: success" has "$tmp/out" '"status":"success"'
check "inspection_quadruped_stairs: both checkpoints" at_least checkpoints 2
for m in safety_min_separation safety_keepout_violations safety_violations; do
    check "inspection_quadruped_stairs: metric $m" has "$tmp/out" "\"$m\":"
done

echo "test_go2_gait: $checks checks, $failed failed"
[[ $failed == 0 ]]
