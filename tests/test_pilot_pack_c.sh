#!/usr/bin/env bash
# Pilot scene pack C (issue 6): the mobile-manipulator scenes restaurant_table_bussing and
# retail_shelf_picking load, their baseline policies succeed on two seeds with every item
# in the tub / tote, the safety metrics appear in --json output, and the failure logic
# fires for tiny policies written here (or a param) that hit a person, break crockery by
# an impact, knock products off a shelf, or idle (timeout).
# usage: test_pilot_pack_c.sh PILOTSIM_BINARY SOURCE_DIR
set -u
BIN=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
source "$(dirname "$0")/sh_harness.sh"

SCENES="restaurant_table_bussing retail_shelf_picking"
SAFETY="safety_min_separation safety_human_contacts safety_peak_force safety_force_limit_exceeded safety_max_speed_near_humans safety_keepout_violations safety_violations"

for s in $SCENES; do
    if "$BIN" check "$SRC/scenes/pilot/$s.lua" >"$T/check" 2>&1; then ok; else bad "$s: pilotsim check"; cat "$T/check"; fi
    grep -q 'policy *= *"policies\.' "$SRC/scenes/pilot/$s.lua" && ok || bad "$s: no baseline policy field"
done

# Baselines: success, every item delivered, safety metrics present, no person touched.
for seed in 1 2; do
    run restaurant_table_bussing "$seed" success
    [ "$(num "$LAST" items_bussed)" = 5 ] && ok || bad "bussing seed $seed: items_bussed $(num "$LAST" items_bussed), expected 5"
    for m in $SAFETY; do grep -q "\"$m\":" <<<"$LAST" && ok || bad "bussing seed $seed: metric $m missing"; done
    [ "$(num "$LAST" safety_human_contacts)" = 0 ] && ok || bad "bussing seed $seed: baseline touched a diner"

    run retail_shelf_picking "$seed" success
    n=$(num "$LAST" order_size)
    [ -n "$n" ] && [ "$(num "$LAST" items_picked)" = "$n" ] && ok || bad "shelf seed $seed: items_picked $(num "$LAST" items_picked) of $n"
    [ "$(num "$LAST" knocked)" = 0 ] && ok || bad "shelf seed $seed: baseline knocked products"
    for m in $SAFETY; do grep -q "\"$m\":" <<<"$LAST" && ok || bad "shelf seed $seed: metric $m missing"; done
done
# A one-line order succeeds too (and faster).
run retail_shelf_picking 3 success --param order_size=1
[ "$(num "$LAST" items_picked)" = 1 ] && ok || bad "shelf order_size=1: items_picked $(num "$LAST" items_picked)"

# Idle (zero actions: the base stands, the arm holds its travel pose): nothing is delivered,
# nothing fails, the episode runs out of time (the shelf scene to its full 60 s limit).
run restaurant_table_bussing 1 timeout --no-policy --steps 2000
[ "$(num "$LAST" items_bussed)" = 0 ] && ok || bad "bussing idle: items_bussed $(num "$LAST" items_bussed)"
run retail_shelf_picking 1 timeout --no-policy
grep -q '"sim_time":60[,.]' <<<"$LAST" && ok || bad "shelf idle: did not run to the 60 s time limit"
[ "$(num "$LAST" items_picked)" = 0 ] && ok || bad "shelf idle: items_picked $(num "$LAST" items_picked)"

# Drives at the nearest tracked person -> a contact above the ISO/TS 15066 limit.
cat >"$T/chase.lua" <<'LUA'
return {act = function(obs, a)
    local p = obs.people
    local bi, bd = 0, 1e9
    for i = 0, #p // 4 - 1 do
        local d = p[i * 4 + 1] ^ 2 + p[i * 4 + 2] ^ 2
        if d < bd then bd, bi = d, i end
    end
    local e = math.atan(p[bi * 4 + 2], p[bi * 4 + 1])
    a.base[1] = math.abs(e) < 0.5 and 0.6 or 0.05
    a.base[2] = math.max(-1, math.min(1, 3 * e))
end}
LUA
for s in $SCENES; do
    run "$s" 1 failure --policy "$T/chase.lua" --param accel=2
    grep -q "ISO/TS 15066" <<<"$LAST" && ok || bad "$s chase: failure reason ($(field "$LAST" message))"
    [ "$(num "$LAST" safety_force_limit_exceeded)" != 0 ] && ok || bad "$s chase: safety_force_limit_exceeded not counted"
done

# Crockery that cannot take the baseline's 2 cm release drop (break_speed 0.4 m/s) breaks.
run restaurant_table_bussing 1 failure --param break_speed=0.4
grep -q "broke: impact" <<<"$LAST" && ok || bad "bussing fragile: failure reason ($(field "$LAST" message))"
[ "$(num "$LAST" items_broken)" = 1 ] && ok || bad "bussing fragile: items_broken not 1"

# Lifts the first plate with the baseline, then lets go of it beside the robot, 0.9 m up.
cat >"$T/drop.lua" <<'LUA'
local base = require "policies.table_bussing"
return {reset = base.reset, act = function(obs, a)
    base.act(obs, a)
    if obs.grip[1] ~= 0 and obs.ee[2] > 0.35 then a.grip[1] = 0 end
end}
LUA
run restaurant_table_bussing 1 failure --policy "$T/drop.lua"
grep -q "plate1 (plate) \(broke\|dropped\)" <<<"$LAST" && ok || bad "bussing drop: failure reason ($(field "$LAST" message))"

# Drives to the first ordered product and sweeps the open gripper along the shelf through
# it and its neighbours -> products knocked off / the ordered one dropped.
cat >"$T/sweep.lua" <<'LUA'
local t0
return {reset = function() t0 = nil end, act = function(obs, a)
    local ix, iy, iz = obs.order[1], obs.order[2], obs.order[3]
    local y, yaw = obs.pose[2], obs.pose[3]
    local hd = math.atan((obs.aisle[1] - 0.45) - y, 0.6)
    a.base[2] = math.max(-0.5, math.min(0.5, 2.5 * (hd - yaw)))
    a.base[1] = 0
    a.arm[1], a.arm[2], a.arm[3], a.arm[4] = 2, 0.6, 0.0, 0.9
    if not t0 then
        if ix > 0.5 then a.base[1] = math.min(0.4, ix - 0.5) else t0 = obs.clock[1] end
    else
        local s = obs.clock[1] - t0
        a.arm[2], a.arm[3], a.arm[4] = 0.2 + math.max(-0.35, 0.35 - 0.25 * s), iy, iz
    end
end}
LUA
run retail_shelf_picking 1 failure --policy "$T/sweep.lua"
grep -q "knocked off their facing\|dropped" <<<"$LAST" && ok || bad "shelf sweep: failure reason ($(field "$LAST" message))"

echo "test_pilot_pack_c: $checks checks, $failed failed"
[ "$failed" -eq 0 ]
