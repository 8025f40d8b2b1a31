#!/usr/bin/env bash
# Pilot scene pack B (issue 6): every scene in scenes/pilot/ of this pack loads, its
# baseline policy succeeds on two seeds, the safety metrics appear in --json output, and
# the failure / timeout logic fires for tiny policies written here that idle or drive
# wrongly.
# usage: test_pilot_pack_b.sh PILOTSIM_BINARY SOURCE_DIR
set -u
BIN=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
source "$(dirname "$0")/sh_harness.sh"

SCENES="underground_tunnel_inspection underground_collapsed_drift agriculture_crate_transport"
SAFETY="safety_min_separation safety_human_contacts safety_peak_force safety_force_limit_exceeded safety_max_speed_near_humans safety_keepout_violations safety_violations"

for s in $SCENES; do
    if "$BIN" check "$SRC/scenes/pilot/$s.lua" >"$T/check" 2>&1; then ok; else bad "$s: pilotsim check"; cat "$T/check"; fi
    for seed in 1 2; do
        run "$s" "$seed" success
        # Scenes without people report safety_humans = 0 and no separation or speed near people.
        for m in $SAFETY safety_humans; do
            case $m in safety_min_separation | safety_max_speed_near_humans)
                if grep -q '"safety_humans":0[,}]' <<<"$LAST"; then
                    if grep -q "\"$m\":" <<<"$LAST"; then bad "$s seed $seed: $m reported without people"; else ok; fi
                    continue
                fi ;;
            esac
            if grep -q "\"$m\":" <<<"$LAST"; then ok; else bad "$s seed $seed: metric $m missing"; fi
        done
    done
done

# An idle policy: nothing moves, the episode runs to its time limit.
cat >"$T/idle.lua" <<'LUA'
return {act = function(obs, action) end}
LUA
run underground_tunnel_inspection 1 timeout --policy "$T/idle.lua"
run underground_collapsed_drift 1 timeout --policy "$T/idle.lua"

# Drives into the unsupported-roof keep-out zone of the tunnel -> failure.
cat >"$T/roof.lua" <<'LUA'
return {act = function(obs, action)
    local x, y, yaw = obs.pose[1], obs.pose[2], obs.pose[3]
    local b = math.atan(-1.35 - y, 5.0 - x) - yaw
    b = math.atan(math.sin(b), math.cos(b))
    action.twist[1] = 0.5
    action.twist[2] = math.max(-1.5, math.min(1.5, 3 * b))
end}
LUA
run underground_tunnel_inspection 1 failure --policy "$T/roof.lua"
if grep -q "unsupported roof" <<<"$LAST"; then ok; else bad "tunnel: failure reason ($(field "$LAST" message))"; fi
if ! grep -q '"safety_keepout_violations":0[,}]' <<<"$LAST"; then ok; else bad "tunnel: keep-out violations not counted"; fi

# Drives into the first survey marker -> it is knocked over -> failure.
cat >"$T/marker.lua" <<'LUA'
return {act = function(obs, action)
    local x, y, yaw = obs.pose[1], obs.pose[2], obs.pose[3]
    local b = math.atan(1.75 - y, 3.0 - x) - yaw
    b = math.atan(math.sin(b), math.cos(b))
    action.twist[1] = 0.4
    action.twist[2] = math.max(-1.5, math.min(1.5, 3 * b))
end}
LUA
run underground_collapsed_drift 1 failure --policy "$T/marker.lua"
if grep -q "marker 1 knocked over" <<<"$LAST"; then ok; else bad "drift: failure reason ($(field "$LAST" message))"; fi

# Success needs the markers: require all four but let the baseline see them; with an
# impossible requirement the goal alone is not enough (markers_required is capped at 4,
# so instead check the reported count against the requirement on a success).
run underground_collapsed_drift 3 success
if grep -q '"markers_seen":4' <<<"$LAST"; then ok; else bad "drift: success without all markers seen"; fi

# Crate transport: idle -> timeout; stop-and-go lurching on a slippery crate -> it slides off.
run agriculture_crate_transport 1 timeout --policy "$T/idle.lua"
cat >"$T/lurch.lua" <<'LUA'
local n = 0
return {reset = function() n = 0 end, act = function(obs, action)
    n = n + 1
    action.twist[1] = (math.floor(n / 400) % 2 == 0) and 1.0 or -0.5
    action.twist[2] = 0
end}
LUA
run agriculture_crate_transport 1 failure --policy "$T/lurch.lua" --param crate_friction=0.3
if grep -q "crate fell off" <<<"$LAST"; then ok; else bad "crate: failure reason ($(field "$LAST" message))"; fi
# The worker is seen by the safety monitor: a finite separation is reported.
run agriculture_crate_transport 2 success
if grep -q '"safety_min_separation":[0-9]' <<<"$LAST"; then ok; else bad "crate: no separation to the worker"; fi

echo "test_pilot_pack_b: $checks checks, $failed failed"
[ "$failed" -eq 0 ]
