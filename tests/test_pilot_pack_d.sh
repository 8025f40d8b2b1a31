#!/usr/bin/env bash
# Pilot scene pack D (issue 6): fruit picking, parcel sorting, pipe-rack inspection.
# Every scene of this pack loads (pilotsim check), its baseline policy succeeds on two
# seeds with the safety metrics in the --json output, an idle policy times out, and
# policies written here force each scene's own failures (checked by their messages).
# usage: test_pilot_pack_d.sh PILOTSIM_BINARY SOURCE_DIR
set -u
BIN=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
source "$(dirname "$0")/sh_harness.sh"

SCENES=${PACK_D_SCENES:-"agriculture_fruit_picking logistics_parcel_sorting inspection_pipe_rack"}
SAFETY="safety_min_separation safety_human_contacts safety_peak_force safety_force_limit_exceeded safety_max_speed_near_humans safety_keepout_violations safety_violations"

declare -A FIRST    # each scene's baseline run on seed 1
for s in $SCENES; do
    if "$BIN" check "$SRC/scenes/pilot/$s.lua" >"$T/check" 2>&1; then ok; else bad "$s: pilotsim check"; cat "$T/check"; fi
    for seed in 1 2; do
        run "$s" "$seed" success
        [ "$seed" = 1 ] && FIRST[$s]=$LAST
        for m in $SAFETY; do
            if grep -q "\"$m\":" <<<"$LAST"; then ok; else bad "$s seed $seed: metric $m missing"; fi
        done
    done
done

# An idle policy: nothing moves, the episode runs to its time limit.
cat >"$T/idle.lua" <<'LUA'
return {act = function(obs, action) end}
LUA

# Breakable joints from Lua (world:joint{break_force = ...}, j:broken(), j:broken_time(),
# j:load()): a 0.2 kg ball on a 10 N stem pulled down by a force ramped 0.02 N per step
# breaks once the stem carries 10 N, at a pull of about 8 N.
cat >"$T/stem.lua" <<'LUA'
local ball, stem
return {
    name = "stem", timestep = 0.002, time_limit = 5,
    build = function(world, ctx)
        ball = world:body{name = "ball", pos = {0, 0, 1}, mass = 0.2, geoms = {{type = "sphere", radius = 0.04}}}
        stem = world:joint{type = "fixed", body1 = ball, anchor = {0, 0, 1.05}, break_force = 10}
        ctx.state.pull = 0
    end,
    step = function(ctx)
        if ctx.t > 0.5 and not stem:broken() then
            ctx.state.pull = ctx.state.pull + 0.02
            ball:add_force(0, 0, -ctx.state.pull)
        end
    end,
    success = function(ctx) return stem:broken() end,
    metrics = function(ctx)
        local f = stem:load()
        return {pull = ctx.state.pull, load = f, broke_at = stem:broken_time() or -1}
    end,
}
LUA
out=$("$BIN" run "$T/stem.lua" --json --quiet 2>"$T/err")
if [ "$(field "$out" status)" = success ]; then ok; else bad "stem: status $(field "$out" status) $(cat "$T/err")"; fi
if awk -v p="$(num "$out" pull)" -v l="$(num "$out" load)" -v t="$(num "$out" broke_at)" \
    'BEGIN { exit !(p > 7.6 && p < 8.4 && l > 10 && l < 10.3 && t > 0.5) }'; then ok
else bad "stem: pull $(num "$out" pull) load $(num "$out" load) broke_at $(num "$out" broke_at)"; fi
sed 's/break_force = 10/break_force = -1/' "$T/stem.lua" >"$T/stem_bad.lua"
"$BIN" run "$T/stem_bad.lua" --quiet >"$T/out" 2>&1
rc=$?
if [ $rc = 3 ] && grep -q "stem_bad.lua:.*break_force must be a finite number >= 0" "$T/out"; then ok
else bad "stem_bad: rc $rc, $(head -c 300 "$T/out")"; fi

# ---------------------------------------------------------------- fruit picking
S=agriculture_fruit_picking
if want $S; then
LAST=${FIRST[$S]}
if [ "$(num "$LAST" apples_in_bin)" = 3 ] && [ "$(num "$LAST" apples_bruised)" = 0 ] && [ "$(num "$LAST" unripe_in_bin)" = 0 ]; then ok
else bad "$S: success without 3 ripe unbruised apples in the bin"; fi
# the worker in the next alley is monitored: a finite separation
if grep -q '"safety_min_separation":[0-9]' <<<"$LAST"; then ok; else bad "$S: no separation to the worker"; fi
run $S 3 success --param fruits_required=1
if [ "$(num "$LAST" apples_in_bin)" = 1 ]; then ok; else bad "$S: fruits_required=1 did not stop at one apple"; fi
run $S 1 timeout --policy "$T/idle.lua"
if [ "$(num "$LAST" apples_picked)" = 0 ]; then ok; else bad "$S: idle policy picked apples"; fi

# The baseline, but seeing unripe apples as ripe: it breaks an unripe apple's stem.
cat >"$T/unripe.lua" <<'LUA'
local B = require "policies.fruit_picking"
local P = {}
function P.reset(spec, seed) B.reset(spec, seed) end
function P.act(obs, action)
    local f = obs.fruits
    local flipped = setmetatable({}, {
        __index = function(_, k) if (k - 4) % 7 == 0 then return 1 - f[k] end return f[k] end,
        __len = function() return #f end})
    B.act({base = obs.base, fruits = flipped, tcp = obs.tcp, bin = obs.bin, progress = obs.progress}, action)
end
return P
LUA
run $S 1 failure --policy "$T/unripe.lua" --module-path "$SRC/scripts"
expect_msg $S "picked an unripe apple"

# The baseline, but letting go above the tray (0.25 m up): the apple lands hard and bruises.
cat >"$T/drop_in_bin.lua" <<'LUA'
local B = require "policies.fruit_picking"
local P = {}
function P.reset(spec, seed) B.reset(spec, seed) end
function P.act(obs, action)
    B.act(obs, action)
    if obs.tcp[1] < 0 and obs.tcp[3] < 0.62 then action.grip[1] = 0.12 end
end
return P
LUA
run $S 1 failure --policy "$T/drop_in_bin.lua" --module-path "$SRC/scripts"
expect_msg $S "apples bruised (limit 0)"

# The baseline, but opening the gripper while lifting the apple out: it falls to the
# ground (bruises tolerated here, so the drop itself is the failure).
cat >"$T/drop.lua" <<'LUA'
local B = require "policies.fruit_picking"
local P = {}
function P.reset(spec, seed) B.reset(spec, seed) end
function P.act(obs, action)
    B.act(obs, action)
    for i = 0, #obs.fruits // 7 - 1 do
        if obs.fruits[i * 7 + 5] == 1 and obs.tcp[3] > 1.0 then action.grip[1] = 0.12 end
    end
end
return P
LUA
run $S 1 failure --policy "$T/drop.lua" --module-path "$SRC/scripts" --param max_bruised=3
expect_msg $S "dropped apple"
fi

# ---------------------------------------------------------------- parcel sorting
S=logistics_parcel_sorting
if want $S; then
LAST=${FIRST[$S]}
if [ "$(num "$LAST" parcels_sorted)" = 4 ] && [ "$(num "$LAST" parcels_missorted)" = 0 ]; then ok
else bad "$S: success without all 4 parcels sorted"; fi
run $S 2 success --param n_parcels=1
if [ "$(num "$LAST" parcels_sorted)" = 1 ]; then ok; else bad "$S: n_parcels=1"; fi
# Idle: the parcels ride off the end of the belt.
run $S 1 failure --policy "$T/idle.lua"
expect_msg $S "parcel 1 fell off the end of the conveyor"
# The baseline reading every label as the next one: a wrong tote.
cat >"$T/missort.lua" <<'LUA'
local B = require "policies.parcel_sorting"
local P = {}
function P.reset(spec, seed) B.reset(spec, seed) end
function P.act(obs, action)
    local p = obs.parcels
    local shifted = setmetatable({}, {
        __index = function(_, k) if (k - 7) % 9 == 0 and p[k] > 0 then return p[k] % 3 + 1 end return p[k] end,
        __len = function() return #p end})
    B.act({parcels = shifted, totes = obs.totes, tcp = obs.tcp, belt = obs.belt}, action)
end
return P
LUA
run $S 1 failure --policy "$T/missort.lua" --module-path "$SRC/scripts"
expect_msg $S "sorted into tote"
# ... unless mis-sorts are tolerated: then the episode runs out of parcels to sort right.
run $S 2 timeout --policy "$T/missort.lua" --module-path "$SRC/scripts" --param n_parcels=1 --param max_missorts=1
fi

# ---------------------------------------------------------------- pipe rack
S=inspection_pipe_rack
if want $S; then
LAST=${FIRST[$S]}
if [ "$(num "$LAST" segments_scanned)" = 4 ] && [ "$(num "$LAST" leak_returns)" != 0 ]; then ok
else bad "$S: success without 4 segments and leak returns"; fi
run $S 1 timeout --policy "$T/idle.lua"
if [ "$(num "$LAST" segments_scanned)" != 4 ]; then ok; else bad "$S: idle robot scanned every segment"; fi
# Straight down the centre line: into the skid's keep-out zone.
cat >"$T/straight.lua" <<'LUA'
return {act = function(obs, action)
    action.base[1] = 0.4
    action.base[2] = math.max(-1, math.min(1, -2 * obs.pose[3] - 1.5 * obs.pose[2]))
end}
LUA
run $S 1 failure --policy "$T/straight.lua" --param skid_x=6
expect_msg $S "keep-out zone"
if ! grep -q '"safety_keepout_violations":0[,}]' <<<"$LAST"; then ok; else bad "$S: keep-out not counted"; fi
# Into the column at (4, -1.5).
cat >"$T/column.lua" <<'LUA'
return {act = function(obs, action)
    local b = math.atan(-1.5 - obs.pose[2], 4.0 - obs.pose[1]) - obs.pose[3]
    b = math.atan(math.sin(b), math.cos(b))
    action.base[1] = 0.4
    action.base[2] = math.max(-1, math.min(1, 2 * b))
end}
LUA
run $S 1 failure --policy "$T/column.lua"
expect_msg $S "hit the rack"
# A report at once, at the wrong place.
cat >"$T/badreport.lua" <<'LUA'
return {act = function(obs, action)
    action.report[1], action.report[2], action.report[3], action.report[4] = 0, 0, 5, 1
end}
LUA
run $S 1 failure --policy "$T/badreport.lua" --param leak_x=9
expect_msg $S "wrong leak report"
fi

echo "test_pilot_pack_d: $checks checks, $failed failed"
[ "$failed" -eq 0 ]
