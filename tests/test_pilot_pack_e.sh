#!/usr/bin/env bash
# Pilot scene pack E (issue 19): healthcare, hospitality, security, power utility,
# construction, warehouse fleet, greenhouse and retail scenes. Every scene loads (pilotsim
# check), its baseline policy succeeds on two seeds with the safety metrics in the --json
# output, the same seed gives the same final hash, an idle policy times out, and a policy
# written here forces one of the scene's own failures (checked by its message).
# The camera scenes (security_night_patrol, power_substation_gauges) see by rendered images:
# without the lamp the night patrol's baseline sees nobody.
# usage: test_pilot_pack_e.sh PILOTSIM_BINARY SOURCE_DIR [RENDER]
# RENDER 0 (a PILOTSIM_RENDER=OFF build): the camera scenes cannot run; they are only
# checked to fail with an error naming the missing renderer.
set -u
BIN=$1
SRC=$2
RENDER=${3:-1}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
source "$(dirname "$0")/sh_harness.sh"

SCENES=${PACK_E_SCENES:-"healthcare_medicine_delivery healthcare_lab_samples hospitality_room_service security_night_patrol
power_substation_gauges power_cable_tunnel construction_site_survey logistics_amr_fleet agriculture_greenhouse_spraying
retail_inventory_scan"}
CAMERA="security_night_patrol power_substation_gauges"
if [ "$RENDER" != 1 ]; then
    for c in $CAMERA; do
        SCENES=$(echo " $(echo $SCENES) " | sed "s/ $c / /")
        if "$BIN" run "$SRC/scenes/pilot/$c.lua" --seed 1 --quiet >"$T/out" 2>&1; then
            checks=$((checks + 1)); failed=$((failed + 1)); echo "FAIL: $c ran without the renderer"
        elif grep -q "camera sensors need the renderer" "$T/out"; then checks=$((checks + 1))
        else checks=$((checks + 1)); failed=$((failed + 1)); echo "FAIL: $c without the renderer: $(head -c 300 "$T/out")"; fi
    done
    echo "test_pilot_pack_e: the camera scenes ($CAMERA) need the renderer: checked to fail without it"
fi
# always reported; separation and speed near people only where there are people
SAFETY="safety_humans safety_human_contacts safety_peak_force safety_force_limit_exceeded safety_keepout_violations safety_violations"
NEAR="safety_min_separation safety_max_speed_near_humans"

cat >"$T/idle.lua" <<'LUA'
return {act = function(obs, action) end}
LUA

for s in $SCENES; do
    if "$BIN" check "$SRC/scenes/pilot/$s.lua" >"$T/check" 2>&1; then ok; else bad "$s: pilotsim check"; cat "$T/check"; fi
    for seed in 1 2; do
        run "$s" "$seed" success
        for m in $SAFETY; do
            if grep -q "\"$m\":" <<<"$LAST"; then ok; else bad "$s seed $seed: metric $m missing"; fi
        done
        if [ "$(num "$LAST" safety_humans)" != 0 ]; then
            for m in $NEAR; do
                if grep -q "\"$m\":" <<<"$LAST"; then ok; else bad "$s seed $seed: metric $m missing"; fi
            done
        fi
    done
    # determinism: the same seed twice, the same final state hash (the first 1500 steps)
    run "$s" 3 timeout --steps 1500
    h1=$(field "$LAST" hash)
    run "$s" 3 timeout --steps 1500
    if [ -n "$h1" ] && [ "$(field "$LAST" hash)" = "$h1" ]; then ok; else bad "$s: seed 3 twice, hashes $h1 and $(field "$LAST" hash)"; fi
    # idle: nothing done, nothing failed (3000 steps: 15-30 s of standing)
    run "$s" 1 timeout --policy "$T/idle.lua" --steps 3000
    if grep -q '"route_done":0\|"deliveries":0\|"labels_read":0\|"plants_covered":0\|"gauges_read":0\|"hot_spots_found":0\|"intruder_found":0\|"stakes_surveyed":0\|"stations_served":0' <<<"$LAST"; then ok
    else bad "$s: the idle policy got work done: $(head -c 400 <<<"$LAST")"; fi
done

# straight ahead, through a door that opens slowly
force healthcare_medicine_delivery "hit the sliding door" --param door_speed=0.05 <<'LUA'
return {act = function(obs, action) action.base[1] = 0.5 end}
LUA
# straight ahead into the closed landing door of the lift
force hospitality_room_service "hit the door lift_door_0" <<'LUA'
return {act = function(obs, action) action.base[1] = 0.5 end}
LUA
# straight for the spill
force healthcare_lab_samples "drove into the spill" <<'LUA'
local steer = require "kit.steer"
return {act = function(obs, action)
    local s, p = obs.spill, obs.pose
    local cx, cy = (s[1] + s[3]) / 2, (s[2] + s[4]) / 2
    local dx, dy = cx - p[1], cy - p[2]
    local c, sn = math.cos(p[3]), math.sin(p[3])
    action.base[1], action.base[2] = steer.to_point(c * dx + sn * dy, -sn * dx + c * dy, {vmax = 0.5})
end}
LUA
# the baseline's readings, 30 units off
force power_substation_gauges "misread" <<'LUA'
local B = require "policies.substation_gauges"
return {reset = B.reset, act = function(obs, action)
    B.act(obs, action)
    if action.report[1] > 0.5 then action.report[3] = (action.report[3] + 30) % 100 end
end}
LUA
# a report before the tunnel's mouth
force power_cable_tunnel "false alarm" <<'LUA'
return {act = function(obs, action) action.report[1], action.report[2], action.report[3] = 1, -3, 1 end}
LUA
# the alarm at the start, nowhere near a gap
force security_night_patrol "false alarm" <<'LUA'
return {act = function(obs, action) action.alarm[1], action.alarm[2], action.alarm[3] = 1, 0, 0 end}
LUA
# into the excavation
force construction_site_survey "keep-out zone" <<'LUA'
local steer = require "kit.steer"
return {act = function(obs, action)
    local p = obs.pose
    local dx, dy = 8.5 - p[1], -5.5 - p[2]
    local c, sn = math.cos(p[3]), math.sin(p[3])
    action.base[1], action.base[2] = steer.to_point(c * dx + sn * dy, -sn * dx + c * dy, {vmax = 0.8})
end}
LUA
# every AMR backs up: against its one-way lane
force logistics_amr_fleet "traffic rules broken" <<'LUA'
return {act = function(obs, action) for i = 1, #action.cmd, 2 do action.cmd[i] = -0.2 end end}
LUA
# the baseline with both booms open all the time
force agriculture_greenhouse_spraying "spray waste" <<'LUA'
local B = require "policies.greenhouse_spraying"
return {reset = B.reset, act = function(obs, action) B.act(obs, action); action.spray[1], action.spray[2] = 1, 1 end}
LUA
# the baseline's route at 0.8 m/s, blind to the shoppers: too fast past one
force retail_inventory_scan "within 1 m of a shopper" <<'LUA'
return require("policies.route_follow").new{steer = {vmax = 0.8}}
LUA

# camera scenes: the readings come from the pixels
if want power_substation_gauges; then
    run power_substation_gauges 1 success
    e=$(num "$LAST" reading_error_max)
    if [ "$(num "$LAST" gauges_read)" = 4 ] && awk "BEGIN{exit !($e < 2)}"; then ok
    else bad "power_substation_gauges: 4 gauges read within 2 units, got $(num "$LAST" gauges_read), error $e"; fi
fi
if want security_night_patrol; then
    # no lamp: the dark yard shows nobody, so no alarm (the baseline is done by 7200 steps)
    run security_night_patrol 1 timeout --param lamp=0 --steps 8000
    if [ "$(num "$LAST" intruder_found)$(num "$LAST" false_alarms)" = 00 ]; then ok
    else bad "security_night_patrol: without the lamp the baseline still found someone: $(head -c 300 <<<"$LAST")"; fi
fi

echo "test_pilot_pack_e: $checks checks, $failed failed"
[ "$failed" -eq 0 ]
