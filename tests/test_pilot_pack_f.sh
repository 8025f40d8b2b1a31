#!/usr/bin/env bash
# Pilot scene pack F (issue 19, part of the twenty new scenes): elder care, hotel luggage,
# manufacturing (assembly, machine tending, quality inspection), home tidying, pharmacy
# picking, truck unloading. For every scene of the pack:
# pilotsim check loads it, it has an instruction and a default view, its baseline succeeds
# on two seeds with every safety metric in the --json output and the same final hash when
# run again, an idle policy times out (quality inspection: fails, a defective plate
# passes), and a policy written here forces one of the scene's own failures (checked by
# its message). PACK_F_SCENES narrows the scenes down.
# usage: test_pilot_pack_f.sh PILOTSIM_BINARY SOURCE_DIR [RENDER]
# RENDER 0 (a PILOTSIM_RENDER=OFF build): the camera scene (quality inspection) cannot see,
# so it is only checked to build and run with its camera metric 0.
set -u
BIN=$1
SRC=$2
RENDER=${3:-1}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
source "$(dirname "$0")/sh_harness.sh"

ALL="hospitality_hotel_luggage eldercare_patient_assist logistics_truck_unloading manufacturing_machine_tending manufacturing_assembly home_tidying manufacturing_quality_inspection retail_pharmacy_picking"
[ "$RENDER" = 1 ] || ALL=${ALL/ manufacturing_quality_inspection/}
SCENES=${PACK_F_SCENES:-$ALL}
SAFETY="safety_humans safety_human_contacts safety_peak_force safety_force_limit_exceeded safety_keepout_violations safety_violations"

# An idle policy: nothing moves, the episode runs to its time limit.
cat >"$T/idle.lua" <<'LUA'
return {act = function(obs, action) end}
LUA

declare -A FIRST    # each scene's baseline run on seed 1
for s in $SCENES; do
    if "$BIN" check "$SRC/scenes/pilot/$s.lua" >"$T/check" 2>&1; then ok; else bad "$s: pilotsim check"; cat "$T/check"; fi
    if grep -q '"instruction"' <<<"$("$BIN" check "$SRC/scenes/pilot/$s.lua" --json 2>/dev/null)" ||
       grep -q '^ *instruction = ' "$SRC/scenes/pilot/$s.lua"; then ok; else bad "$s: no instruction"; fi
    if grep -q '^ *view = {eye = ' "$SRC/scenes/pilot/$s.lua"; then ok; else bad "$s: no default view"; fi
    for seed in 1 2; do
        run "$s" "$seed" success
        [ "$seed" = 1 ] && FIRST[$s]=$LAST
        for m in $SAFETY; do
            if grep -q "\"$m\":" <<<"$LAST"; then ok; else bad "$s seed $seed: metric $m missing"; fi
        done
    done
    # same seed, same final state
    run "$s" 1 success
    if [ "$(field "$LAST" hash)" = "$(field "${FIRST[$s]}" hash)" ]; then ok; else bad "$s: seed 1 twice, different hashes"; fi
done

# Per scene: what its baseline's success on seed 1 must show (metric=value ...) and the
# extra run args its idle policy gets (it must time out).
declare -A DONE=(
    [hospitality_hotel_luggage]="bags_on_deck=2"
    [eldercare_patient_assist]=""
    [logistics_truck_unloading]="unloaded=4 damaged=0"
    [manufacturing_machine_tending]="loaded=1 finished=1 unloaded=1"
    [manufacturing_assembly]="inserted=1"
    [home_tidying]="toys_binned=2"
    [retail_pharmacy_picking]="boxes_picked=2 wrong_picks=0"
)
declare -A IDLE_ARGS=([logistics_truck_unloading]="--param n_boxes=1" [home_tidying]="--param n_toys=1")
for S in "${!DONE[@]}"; do
    want $S || continue
    for kv in ${DONE[$S]}; do
        v=$(num "${FIRST[$S]}" "${kv%%=*}")
        if [ "$v" = "${kv#*=}" ]; then ok; else bad "$S: success with ${kv%%=*} $v, expected ${kv#*=}"; fi
    done
    # shellcheck disable=SC2086
    run $S 1 timeout --policy "$T/idle.lua" ${IDLE_ARGS[$S]:-}
done

# Scene-specific checks of the baselines' results.
S=eldercare_patient_assist
if want $S; then
    LAST=${FIRST[$S]}
    if awk -v d="$(num "$LAST" hand_over_distance)" -v c="$(num "$LAST" resident_min_separation)" \
        'BEGIN { exit !(d < 0.7 && c >= 0.1) }'; then ok; else bad "$S: hand-over at $(num "$LAST" hand_over_distance) m, separation $(num "$LAST" resident_min_separation) m"; fi
fi
S=logistics_truck_unloading
if want $S; then
    run $S 2 success --param n_boxes=1
    if [ "$(num "$LAST" unloaded)" = 1 ]; then ok; else bad "$S: n_boxes=1"; fi
fi
S=manufacturing_machine_tending
if want $S; then
    # Start pressed with no blank in the chuck: refused, and nothing happens.
    cat >"$T/start.lua" <<'LUA'
return {act = function(obs, action) action.start[1] = 1 end}
LUA
    run $S 1 timeout --policy "$T/start.lua"
    if [ "$(num "$LAST" refused_starts)" = 1 ] && [ "$(num "$LAST" cycle_start_time)" = -1 ]; then ok; else bad "$S: start without a blank was not refused"; fi
fi
S=manufacturing_assembly
if want $S; then
    # held by friction alone: the pin slid less than 5 mm in the fingers
    if awk -v s="$(num "${FIRST[$S]}" grasp_slip)" 'BEGIN { exit !(s >= 0 && s < 0.005) }'; then ok
    else bad "$S: slip $(num "${FIRST[$S]}" grasp_slip)"; fi
fi

# Forced failures: a policy each (force in tests/sh_harness.sh).
# Straight at the guest standing in the lobby (people row 4), at full speed.
force hospitality_hotel_luggage "contact with a guest above" <<'LUA'
return {act = function(obs, action)
    local b = math.atan(obs.people[14], obs.people[13])
    action.base[1] = math.abs(b) < 0.3 and 1.0 or 0
    action.base[2] = math.max(-1, math.min(1, 2 * b))
end}
LUA
# The baseline, but it drives on to the resident instead of stopping at the hand-over point.
force eldercare_patient_assist "came within .* of the resident" <<'LUA'
local B = require "policies.patient_assist"
return {reset = B.reset, act = function(obs, action)
    B.act(obs, action)
    if obs.goal[3] < 0.3 then action.base[1], action.base[2] = 0.2, 0 end
end}
LUA
# The baseline, but the vacuum lets go while the carton swings high over the dock.
force logistics_truck_unloading "carton 1 damaged" <<'LUA'
local B = require "policies.truck_unloading"
return {reset = B.reset, act = function(obs, action)
    B.act(obs, action)
    if obs.tcp[5] > 0 and obs.tcp[3] > 1.8 and obs.tcp[2] < -0.3 then action.grip[1] = 0 end
end}
LUA
# The baseline, but reaching back for the part as soon as the door starts to shut.
force manufacturing_machine_tending "reached into the machine while its door was" <<'LUA'
local B = require "policies.machine_tending"
return {reset = B.reset, act = function(obs, action)
    B.act(obs, action)
    if obs.machine[1] > 0.2 then
        action.tcp[1], action.tcp[2], action.tcp[3] = obs.cell[1], obs.cell[2], 1.0
    end
end}
LUA
# The baseline, but opening the gripper for good from step 1250 (2.5 s: the pin lifted, on
# its way to the fixture). A pin let go over the bench may also land upright and stand (no
# failure): seed 3's falls over, so this one runs seed 3 rather than force's seed 1.
cat >"$T/open.lua" <<'LUA'
local B = require "policies.assembly"
local n = 0
return {reset = function(...) n = 0 return B.reset(...) end, act = function(obs, action)
    B.act(obs, action)
    n = n + 1
    if n > 1250 then action.grip[1] = 0 end
end}
LUA
S=manufacturing_assembly
if want $S; then
    run $S 3 failure --policy "$T/open.lua" --module-path "$SRC/scripts"
    expect_msg $S "the pin was dropped"
fi
# Straight at the resident, full speed.
force home_tidying "contact with the resident above" <<'LUA'
return {act = function(obs, action)
    local b = math.atan(obs.people[2], obs.people[1])
    action.base[1] = math.abs(b) < 0.3 and 0.6 or 0
    action.base[2] = math.max(-1, math.min(1, 2 * b))
end}
LUA
# The baseline, but letting go of the box on the way in from the shelf.
force retail_pharmacy_picking "ordered box 1 dropped" <<'LUA'
local B = require "policies.pharmacy_picking"
return {reset = B.reset, act = function(obs, action)
    B.act(obs, action)
    for k = 1, 2 do
        if obs.held[k] > 0 and math.abs(obs.ee[(k - 1) * 4 + 2]) < 0.4 then action.grip[k] = 0 end
    end
end}
LUA

# ---------------------------------------------------------------- quality inspection (camera)
S=manufacturing_quality_inspection
if [ "$RENDER" != 1 ]; then
    run $S 1 failure --no-policy
    if [ "$(num "$LAST" camera)" = 0 ]; then ok; else bad "$S: a camera without the renderer"; fi
elif want $S; then
LAST=${FIRST[$S]}
if [ "$(num "$LAST" camera)" = 1 ] && [ "$(num "$LAST" rejected_good)$(num "$LAST" passed_bad)" = 00 ] &&
   [ "$(num "$LAST" rejected_bad)" -ge 1 ]; then ok; else bad "$S: success without the defective plates rejected"; fi
# Idle: a defective plate rides past the pusher (doing nothing is a failure here).
run $S 1 failure --policy "$T/idle.lua"
expect_msg $S "defective plate(s) passed"
# Rejecting every plate at the light barrier: a good one lands in the reject bin.
cat >"$T/all.lua" <<'LUA'
return {act = function(obs, action) action.reject[1] = obs.gate[1] end}
LUA
run $S 1 failure --policy "$T/all.lua"
expect_msg $S "1 good plate(s) rejected"
fi

echo "test_pilot_pack_f: $checks checks, $failed failed"
[ "$failed" -eq 0 ]
