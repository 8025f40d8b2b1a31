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
checks=0
failed=0

ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); failed=$((failed + 1)); echo "FAIL: $*"; }
field() { sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" <<<"$1"; }
num() { sed -n "s/.*\"$2\":\([-0-9.e+]*\).*/\1/p" <<<"$1"; }

ALL="hospitality_hotel_luggage eldercare_patient_assist logistics_truck_unloading manufacturing_machine_tending manufacturing_assembly home_tidying manufacturing_quality_inspection retail_pharmacy_picking"
[ "$RENDER" = 1 ] || ALL=${ALL/ manufacturing_quality_inspection/}
SCENES=${PACK_F_SCENES:-$ALL}
SAFETY="safety_humans safety_human_contacts safety_peak_force safety_force_limit_exceeded safety_keepout_violations safety_violations"

# run SCENE SEED EXPECTED_STATUS [extra args...]
run() {
    local scene=$1 seed=$2 want=$3
    shift 3
    local out
    out=$("$BIN" run "$SRC/scenes/pilot/$scene.lua" --seed "$seed" --json --quiet "$@" 2>"$T/err")
    local st
    st=$(field "$out" status)
    if [ "$st" = "$want" ]; then ok; else bad "$scene seed $seed $*: status '$st', expected '$want' ($(field "$out" message)$(head -c 300 "$T/err"))"; fi
    LAST=$out
}
# expect_msg SCENE PATTERN: the last run's message matches
expect_msg() {
    if grep -q "$2" <<<"$(field "$LAST" message)"; then ok; else bad "$1: message '$(field "$LAST" message)', expected /$2/"; fi
}
want() { [[ " $SCENES " == *" $1 "* ]]; }

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

# ---------------------------------------------------------------- hotel luggage
S=hospitality_hotel_luggage
if want $S; then
LAST=${FIRST[$S]}
if [ "$(num "$LAST" bags_on_deck)" = 2 ]; then ok; else bad "$S: success without both bags on the deck"; fi
run $S 1 timeout --policy "$T/idle.lua"
# Straight at the guest standing in the lobby (people row 4), at full speed.
cat >"$T/ram.lua" <<'LUA'
return {act = function(obs, action)
    local b = math.atan(obs.people[14], obs.people[13])
    action.base[1] = math.abs(b) < 0.3 and 1.0 or 0
    action.base[2] = math.max(-1, math.min(1, 2 * b))
end}
LUA
run $S 1 failure --policy "$T/ram.lua"
expect_msg $S "contact with a guest above"
fi

# ---------------------------------------------------------------- elder care
S=eldercare_patient_assist
if want $S; then
LAST=${FIRST[$S]}
if awk -v d="$(num "$LAST" hand_over_distance)" -v c="$(num "$LAST" resident_min_separation)" \
    'BEGIN { exit !(d < 0.7 && c >= 0.1) }'; then ok; else bad "$S: hand-over at $(num "$LAST" hand_over_distance) m, separation $(num "$LAST" resident_min_separation) m"; fi
run $S 1 timeout --policy "$T/idle.lua"
# The baseline, but it drives on to the resident instead of stopping at the hand-over point.
cat >"$T/crowd.lua" <<'LUA'
local B = require "policies.patient_assist"
return {reset = B.reset, act = function(obs, action)
    B.act(obs, action)
    if obs.goal[3] < 0.3 then action.base[1], action.base[2] = 0.2, 0 end
end}
LUA
run $S 1 failure --policy "$T/crowd.lua" --module-path "$SRC/scripts"
expect_msg $S "came within .* of the resident"
fi

# ---------------------------------------------------------------- truck unloading
S=logistics_truck_unloading
if want $S; then
LAST=${FIRST[$S]}
if [ "$(num "$LAST" unloaded)" = 4 ] && [ "$(num "$LAST" damaged)" = 0 ]; then ok; else bad "$S: success without 4 cartons unloaded"; fi
run $S 2 success --param n_boxes=1
if [ "$(num "$LAST" unloaded)" = 1 ]; then ok; else bad "$S: n_boxes=1"; fi
run $S 1 timeout --policy "$T/idle.lua" --param n_boxes=1
# The baseline, but the vacuum lets go while the carton swings high over the dock.
cat >"$T/drop.lua" <<'LUA'
local B = require "policies.truck_unloading"
return {reset = B.reset, act = function(obs, action)
    B.act(obs, action)
    if obs.tcp[5] > 0 and obs.tcp[3] > 1.8 and obs.tcp[2] < -0.3 then action.grip[1] = 0 end
end}
LUA
run $S 1 failure --policy "$T/drop.lua" --module-path "$SRC/scripts"
expect_msg $S "carton 1 damaged"
fi

# ---------------------------------------------------------------- machine tending
S=manufacturing_machine_tending
if want $S; then
LAST=${FIRST[$S]}
if [ "$(num "$LAST" loaded)$(num "$LAST" finished)$(num "$LAST" unloaded)" = 111 ]; then ok; else bad "$S: success without load, cycle and unload"; fi
run $S 1 timeout --policy "$T/idle.lua"
# Start pressed with no blank in the chuck: refused, and nothing happens.
cat >"$T/start.lua" <<'LUA'
return {act = function(obs, action) action.start[1] = 1 end}
LUA
run $S 1 timeout --policy "$T/start.lua"
if [ "$(num "$LAST" refused_starts)" = 1 ] && [ "$(num "$LAST" cycle_start_time)" = -1 ]; then ok; else bad "$S: start without a blank was not refused"; fi
# The baseline, but reaching back for the part as soon as the door starts to shut.
cat >"$T/reach_in.lua" <<'LUA'
local B = require "policies.machine_tending"
return {reset = B.reset, act = function(obs, action)
    B.act(obs, action)
    if obs.machine[1] > 0.2 then
        action.tcp[1], action.tcp[2], action.tcp[3] = obs.cell[1], obs.cell[2], 1.0
    end
end}
LUA
run $S 1 failure --policy "$T/reach_in.lua" --module-path "$SRC/scripts"
expect_msg $S "reached into the machine while its door was"
fi

# ---------------------------------------------------------------- assembly (UR5 URDF, friction grasp)
S=manufacturing_assembly
if want $S; then
LAST=${FIRST[$S]}
# held by friction alone: the pin slid less than 5 mm in the fingers
if [ "$(num "$LAST" inserted)" = 1 ] && awk -v s="$(num "$LAST" grasp_slip)" 'BEGIN { exit !(s >= 0 && s < 0.005) }'; then ok
else bad "$S: inserted $(num "$LAST" inserted), slip $(num "$LAST" grasp_slip)"; fi
run $S 1 timeout --policy "$T/idle.lua"
# The baseline, but opening the gripper for good from step 1250 (2.5 s: the pin lifted, on
# its way to the fixture). A pin let go over the bench may also land upright and stand (no
# failure): seed 3's falls over.
cat >"$T/open.lua" <<'LUA'
local B = require "policies.assembly"
local n = 0
return {reset = function(...) n = 0 return B.reset(...) end, act = function(obs, action)
    B.act(obs, action)
    n = n + 1
    if n > 1250 then action.grip[1] = 0 end
end}
LUA
run $S 3 failure --policy "$T/open.lua" --module-path "$SRC/scripts"
expect_msg $S "the pin was dropped"
fi

# ---------------------------------------------------------------- home tidying
S=home_tidying
if want $S; then
LAST=${FIRST[$S]}
if [ "$(num "$LAST" toys_binned)" = 2 ]; then ok; else bad "$S: success without both toys in the bin"; fi
run $S 1 timeout --policy "$T/idle.lua" --param n_toys=1
# Straight at the resident, full speed.
cat >"$T/ram.lua" <<'LUA'
return {act = function(obs, action)
    local b = math.atan(obs.people[2], obs.people[1])
    action.base[1] = math.abs(b) < 0.3 and 0.6 or 0
    action.base[2] = math.max(-1, math.min(1, 2 * b))
end}
LUA
run $S 1 failure --policy "$T/ram.lua"
expect_msg $S "contact with the resident above"
fi

# ---------------------------------------------------------------- pharmacy (dual-arm)
S=retail_pharmacy_picking
if want $S; then
LAST=${FIRST[$S]}
if [ "$(num "$LAST" boxes_picked)" = 2 ] && [ "$(num "$LAST" wrong_picks)" = 0 ]; then ok; else bad "$S: success without both boxes"; fi
run $S 1 timeout --policy "$T/idle.lua"
# The baseline, but letting go of the box on the way in from the shelf.
cat >"$T/let_go.lua" <<'LUA'
local B = require "policies.pharmacy_picking"
return {reset = B.reset, act = function(obs, action)
    B.act(obs, action)
    for k = 1, 2 do
        if obs.held[k] > 0 and math.abs(obs.ee[(k - 1) * 4 + 2]) < 0.4 then action.grip[k] = 0 end
    end
end}
LUA
run $S 1 failure --policy "$T/let_go.lua" --module-path "$SRC/scripts"
expect_msg $S "ordered box 1 dropped"
fi

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
