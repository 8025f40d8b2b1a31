#!/usr/bin/env bash
# The humanoid's closed-loop walk (robots.humanoid h:walk, issue 19): on flat ground it
# walks straight at 0.2 m/s without falling (scenes/examples/humanoid_walk.lua), turns,
# walks carrying a 4 kg tote on its forearms, and the pilot scene built on it
# (scenes/pilot/humanoid_walk_carry.lua) carries the tote to the table with its baseline.
# usage: test_humanoid_walk.sh PILOTSIM SOURCE_DIR
set -u
ps=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"

metric() { sed -n "s/.*\"$1\":\([-0-9.e+]*\).*/\1/p" "$tmp/out"; }
at_least() { awk -v a="$(metric "$1")" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 >= b + 0) }'; }
below() { awk -v a="$(metric "$1")" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 < b + 0) }'; }

walk=$src/scenes/examples/humanoid_walk.lua
# straight: 1 s standing, 11 s at 0.2 m/s, then it stops and stands to 20 s
expect_rc 0 run "$walk" --seed 1 --json --quiet --param stop_at=12
check "straight: standing at the end (success)" has "$tmp/out" '"status":"success"'
check "straight: walked at least 1.6 m (>= 0.15 m/s)" at_least distance 1.6
check "straight: stayed upright (up z > 0.95)" at_least min_up_z 0.95
check "straight: took at least 12 steps" at_least steps 12
# turning left while walking slowly: heading changed by more than 1 rad
expect_rc 0 run "$walk" --seed 1 --json --quiet --param vx=0.1 --param yaw_rate=0.2 --param stop_at=12
check "turn: success" has "$tmp/out" '"status":"success"'
check "turn: heading changed > 1 rad" at_least heading 1.0
# carrying a 4 kg tote on the forearms
expect_rc 0 run "$walk" --seed 1 --json --quiet --param carry=4 --param stop_at=12
check "carry: success (standing, tote held)" has "$tmp/out" '"status":"success"'
check "carry: walked at least 1.6 m" at_least distance 1.6
check "carry: tote sank less than 0.12 m (8 of them the walk's lower pelvis)" below tote_drop 0.12

# the pilot scene with its baseline: the shortest aisle, the default tote
expect_rc 0 run "$src/scenes/pilot/humanoid_walk_carry.lua" --seed 1 --json --quiet --param distance=4
check "humanoid_walk_carry: success" has "$tmp/out" '"status":"success"'
check "humanoid_walk_carry: walked at least 3.5 m" at_least distance_walked 3.5
check "humanoid_walk_carry: not fallen" below fell 0.5
check "humanoid_walk_carry: tote held" below dropped 0.5
for m in tote_tilt_max tote_drop_max min_up_z late_touchdowns; do
    check "humanoid_walk_carry: metric $m" has "$tmp/out" "\"$m\":"
done

echo "test_humanoid_walk: $checks checks, $failed failed"
[[ $failed == 0 ]]
