#!/usr/bin/env bash
# scenes/pilot/pilot_base.lua (issue 19): the whole pilot base in one world. It loads
# (pilotsim check), has 132 robots in seven zones with per-zone metrics (prefixed by the
# zone), runs 1700 steps (8.5 s) with its baseline policy without a failure, the arms'
# cycles counting and the two humanoids (short aisles) walking their totes to the
# dispatch tables, with the direct solver and no solver warning; it is
# deterministic (same seed, same hash), and the policy's speed limits act: with an idle
# policy (all limits 0) nothing gets done; recorded, it replays exactly.
# usage: test_pilot_base.sh PILOTSIM_BINARY SOURCE_DIR
set -u
ps=$1
SCENE=$2/scenes/pilot/pilot_base.lua
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"
field() { sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" <<<"$1"; }
num() { sed -n "s/.*\"$2\":\([-0-9.e+]*\).*/\1/p" <<<"$1"; }
is() { [ "$1" = "$2" ] || { echo "  got '$1', expected '$2'" >&2; false; }; }

expect_rc 0 check "$SCENE"

out=$("$ps" run "$SCENE" --seed 1 --steps 1700 --param dispatch_aisle=1.0 --json --quiet 2>"$tmp/err")
check "status timeout at the step limit ($(field "$out" message))" is "$(field "$out" status)" timeout
check "132 robots" is "$(num "$out" robots)" 132
check "4 people" is "$(num "$out" people)" 4
check "no contact with people" is "$(num "$out" human_contacts)" 0
total=0
for z in logistics restaurant inspection agriculture underground manufacturing dispatch; do
    for m in tasks robots; do check "metric ${z}_$m" test -n "$(num "$out" "${z}_$m")"; done
    total=$((total + $(num "$out" "${z}_robots")))
done
check "the zones' robots add up to 132" is "$total" 132
for m in logistics_max_lane_error restaurant_min_separation inspection_min_clearance inspection_quadrupeds_up \
         agriculture_max_row_error underground_min_wall_range manufacturing_max_tracking_error dispatch_min_up_z \
         dispatch_min_pelvis_height dispatch_tote_drop_max dispatch_handover_error_max dispatch_steps \
         dispatch_late_touchdowns; do
    check "metric $m" test -n "$(num "$out" $m)"
done
# 8.5 s: the ten arms finished two cycles each (2 s a leg), the quadrupeds stand, the
# robots keep to their lanes and rows, the lidars see the tunnel walls
check "twenty arm cycles" is "$(num "$out" manufacturing_tasks)" 20
check "four quadrupeds up" is "$(num "$out" inspection_quadrupeds_up)" 4
check "lanes, rows, arm tracking, wall range: $(num "$out" logistics_max_lane_error) $(num "$out" agriculture_max_row_error) $(num "$out" manufacturing_max_tracking_error) $(num "$out" underground_min_wall_range)" \
    awk -v a="$(num "$out" logistics_max_lane_error)" -v b="$(num "$out" agriculture_max_row_error)" \
    -v c="$(num "$out" manufacturing_max_tracking_error)" -v d="$(num "$out" underground_min_wall_range)" \
    'BEGIN {exit !(a < 0.3 && b < 0.3 && c < 0.3 && d > 0.2 && d < 2)}'
# the humanoids: each walked its tote 1 m to its table and handed it over standing,
# upright, the tote held (sunk < 5 cm in the hands), close to the hand-over point
check "both totes handed over" is "$(num "$out" dispatch_tasks)" 2
check "humanoids upright, totes held, on the mark: $(num "$out" dispatch_min_up_z) $(num "$out" dispatch_tote_drop_max) $(num "$out" dispatch_handover_error_max) $(num "$out" dispatch_steps)" \
    awk -v u="$(num "$out" dispatch_min_up_z)" -v d="$(num "$out" dispatch_tote_drop_max)" \
    -v e="$(num "$out" dispatch_handover_error_max)" -v n="$(num "$out" dispatch_steps)" \
    'BEGIN {exit !(u > 0.95 && d < 0.05 && e < 0.15 && n >= 8)}'
check "the direct solver" is "$(field "$out" solver)" direct
check "no solver warning (the humanoids' and the Go2s' needs met by the direct solver at 5 ms)" \
    is "$(grep -c "warn:" "$tmp/err")" 0

# determinism
h1=$("$ps" run "$SCENE" --seed 3 --steps 200 --json --quiet 2>/dev/null)
h2=$("$ps" run "$SCENE" --seed 3 --steps 200 --json --quiet 2>/dev/null)
check "a hash" test -n "$(field "$h1" hash)"
check "seed 3 twice, the same hash" is "$(field "$h1" hash)" "$(field "$h2" hash)"

# an idle policy sets every zone's speed limit to 0: the arms stop too
cat >"$tmp/idle.lua" <<'LUA'
return {act = function(obs, action) end}
LUA
idle=$("$ps" run "$SCENE" --seed 1 --steps 850 --policy "$tmp/idle.lua" --json --quiet 2>/dev/null)
check "idle policy: no arm cycle" is "$(num "$idle" manufacturing_tasks)" 0
check "idle policy: the humanoids stand (no footstep)" is "$(num "$idle" dispatch_steps)" 0

# recorded as a dataset (when pilotsim has libhdf5): the replay verifies bit for bit
if "$ps" record "$SCENE" --episodes 1 --steps 12 --out "$tmp/base.hdf5" --quiet >"$tmp/rec.out" 2>"$tmp/rec.err" ||
   ! grep -q "built without libhdf5" "$tmp/rec.err"; then
    expect_rc 0 replay "$tmp/base.hdf5" --verify
    check "the recorded demo replays identically" has "$tmp/out" "1 demo verified, 0 diverged"
fi

echo "test_pilot_base: $checks checks, $failed failed"
[ "$failed" = 0 ]
