#!/usr/bin/env bash
# scenes/pilot/pilot_base.lua (issue 19): the whole pilot base in one world. It loads
# (pilotsim check), has 130 robots in six zones with per-zone metrics (prefixed by the
# zone), runs 850 steps (4.25 s) with its baseline policy without a failure, the arms'
# cycles counting, is deterministic (same seed, same hash), and the policy's speed limits
# act: with an idle policy (all limits 0) nothing gets done.
# usage: test_pilot_base.sh PILOTSIM_BINARY SOURCE_DIR
set -u
BIN=$1
SRC=$2
SCENE=$SRC/scenes/pilot/pilot_base.lua
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
checks=0
failed=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); failed=$((failed + 1)); echo "FAIL: $*"; }
field() { sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" <<<"$1"; }
num() { sed -n "s/.*\"$2\":\([-0-9.e+]*\).*/\1/p" <<<"$1"; }

if "$BIN" check "$SCENE" >"$T/check" 2>&1; then ok; else bad "pilotsim check"; cat "$T/check"; fi

out=$("$BIN" run "$SCENE" --seed 1 --steps 850 --json --quiet 2>"$T/err")
[ "$(field "$out" status)" = timeout ] && ok || bad "status '$(field "$out" status)' ($(field "$out" message)), expected timeout at the step limit"
[ "$(num "$out" robots)" = 130 ] && ok || bad "robots $(num "$out" robots), expected 130"
[ "$(num "$out" people)" = 4 ] && ok || bad "people $(num "$out" people), expected 4"
[ "$(num "$out" human_contacts)" = 0 ] && ok || bad "human contacts $(num "$out" human_contacts)"
total=0
for z in logistics restaurant inspection agriculture underground manufacturing; do
    for m in tasks robots; do
        v=$(num "$out" "${z}_$m")
        if [ -n "$v" ]; then ok; else bad "metric ${z}_$m missing"; fi
    done
    total=$((total + $(num "$out" "${z}_robots")))
done
[ "$total" = 130 ] && ok || bad "zone robots add up to $total, expected 130"
for m in logistics_max_lane_error restaurant_min_separation inspection_min_clearance inspection_quadrupeds_up \
         agriculture_max_row_error underground_min_wall_range manufacturing_max_tracking_error; do
    [ -n "$(num "$out" $m)" ] && ok || bad "metric $m missing"
done
# 4.25 s: the ten arms finished one cycle each (2 s a leg), the quadrupeds stand, the
# robots keep to their lanes and rows, the lidars see the racks and tunnel walls
[ "$(num "$out" manufacturing_tasks)" = 10 ] && ok || bad "manufacturing_tasks $(num "$out" manufacturing_tasks), expected 10"
[ "$(num "$out" inspection_quadrupeds_up)" = 4 ] && ok || bad "quadrupeds up $(num "$out" inspection_quadrupeds_up), expected 4"
awk -v a="$(num "$out" logistics_max_lane_error)" -v b="$(num "$out" agriculture_max_row_error)" \
    -v c="$(num "$out" manufacturing_max_tracking_error)" -v d="$(num "$out" underground_min_wall_range)" \
    'BEGIN {exit !(a < 0.3 && b < 0.3 && c < 0.3 && d > 0.2 && d < 2)}' && ok ||
    bad "lane $(num "$out" logistics_max_lane_error) row $(num "$out" agriculture_max_row_error) arm $(num "$out" manufacturing_max_tracking_error) wall $(num "$out" underground_min_wall_range)"

# determinism
h1=$("$BIN" run "$SCENE" --seed 3 --steps 200 --json --quiet 2>/dev/null)
h2=$("$BIN" run "$SCENE" --seed 3 --steps 200 --json --quiet 2>/dev/null)
[ -n "$(field "$h1" hash)" ] && [ "$(field "$h1" hash)" = "$(field "$h2" hash)" ] && ok || bad "seed 3 twice: hashes '$(field "$h1" hash)' '$(field "$h2" hash)'"

# an idle policy sets every zone's speed limit to 0: the arms stop too
cat >"$T/idle.lua" <<'LUA'
return {act = function(obs, action) end}
LUA
idle=$("$BIN" run "$SCENE" --seed 1 --steps 850 --policy "$T/idle.lua" --json --quiet 2>/dev/null)
[ "$(num "$idle" manufacturing_tasks)" = 0 ] && ok || bad "idle policy: manufacturing_tasks $(num "$idle" manufacturing_tasks), expected 0"

echo "test_pilot_base: $checks checks, $failed failed"
[ "$failed" = 0 ]
