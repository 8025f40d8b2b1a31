#!/usr/bin/env bash
# Pilot scene pack A (issue 6): every scene under scenes/pilot/ listed below loads, its
# baseline policy succeeds on two seeds, forced failures end as failure (a policy that
# drives at the nearest person) and an idle robot times out, and the safety metrics of
# scripts/scenario/safety.lua appear in the JSON result.
# usage: test_pilot_pack_a.sh PILOTSIM SOURCE_DIR
set -u
BIN=${1:?pilotsim binary}
SRC=${2:?source dir}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
source "$(dirname "$0")/sh_harness.sh"

SCENES="restaurant_tray_delivery inspection_gauge_patrol"
SAFETY_KEYS="safety_min_separation safety_human_contacts safety_peak_force safety_force_limit_exceeded safety_max_speed_near_humans safety_keepout_violations safety_violations"

# Drives at the nearest tracked person (obs.people: {dx, dy, vx, vy} per person, robot frame).
cat > "$TMP/chase.lua" <<'LUA'
return {reset = function() end, act = function(obs, a)
  local p = obs.people
  local bi, bd = 0, 1e9
  for i = 0, #p // 4 - 1 do
    local d = p[i * 4 + 1] ^ 2 + p[i * 4 + 2] ^ 2
    if d < bd then bd, bi = d, i end
  end
  local e = math.atan(p[bi * 4 + 2], p[bi * 4 + 1])
  a.base[1] = math.abs(e) < 0.5 and 0.8 or 0.1
  a.base[2] = math.max(-1.2, math.min(1.2, 3 * e))
end}
LUA

json_run() { # scene args... -> prints the JSON line (from the source tree)
    local scene=$1; shift
    (cd "$SRC" && "$BIN" run "scenes/pilot/$scene.lua" --quiet --json "$@") 2>/dev/null
}

for sc in $SCENES; do
    f="$SRC/scenes/pilot/$sc.lua"
    if (cd "$SRC" && "$BIN" check "scenes/pilot/$sc.lua") > "$TMP/check.txt" 2>&1; then ok; else bad "$sc: check"; cat "$TMP/check.txt"; continue; fi
    grep -q 'policy *= *"policies\.' "$f" && ok || bad "$sc: no baseline policy field"
    for seed in 1 2; do
        out=$(json_run "$sc" --seed "$seed")
        if echo "$out" | grep -q '"status": *"success"'; then ok; else bad "$sc seed $seed: baseline not successful: $out"; fi
        for k in $SAFETY_KEYS; do
            echo "$out" | grep -q "\"$k\"" && ok || bad "$sc seed $seed: metric $k missing from --json"
        done
    done
    # forced failure: chase the nearest person (contact above the force limit, or the
    # hazard zone on the way)
    out=$(json_run "$sc" --seed 1 --policy "$TMP/chase.lua" --param accel=2)
    if echo "$out" | grep -q '"status": *"failure"'; then ok; else bad "$sc: chase policy did not fail: $out"; fi
    # idle robot: nothing delivered or read -> timeout (the designed outcome)
    out=$(json_run "$sc" --seed 1 --no-policy --steps 3000)
    if echo "$out" | grep -q '"status": *"timeout"'; then ok; else bad "$sc: idle robot did not time out: $out"; fi
done

# forced failure of the tray task itself: the chase ends on a diner contact above its limit
out=$(json_run restaurant_tray_delivery --seed 2 --policy "$TMP/chase.lua" --param accel=2)
echo "$out" | grep -q 'ISO/TS 15066' && ok || bad "tray: chase failure reason not the force limit: $out"
echo "$out" | grep -q '"safety_force_limit_exceeded": *[1-9]' && ok || bad "tray: safety_force_limit_exceeded not counted: $out"

# jerky driving: full speed forward and back every 0.3 s with the firmware limits at their
# maxima and slippery cups. With isotropic Coulomb friction (docs/fidelity.md) the cups
# slide across the tray to its rim (they used to tip past the spill angle when ODE's
# friction pyramid gave up to sqrt(2) mu N against diagonal slip): they must slide
# at least 10 cm, which the idle and baseline runs never do.
cat > "$TMP/jerk.lua" <<'LUA'
local n = 0
return {reset = function() n = 0 end, act = function(obs, a)
  n = n + 1
  local forward = (n // 150) % 2 == 0
  a.base[1] = forward and 0.8 or -0.3
  a.base[2] = forward and 1.2 or -1.2
end}
LUA
out=$(json_run restaurant_tray_delivery --seed 1 --policy "$TMP/jerk.lua" --param accel=8 --param turn_accel=10 --param cup_friction=0.35)
slip=$(echo "$out" | sed -n 's/.*"cup_slip_max": *\([0-9.e+-]*\).*/\1/p')
awk -v s="$slip" 'BEGIN { exit !(s > 0.1) }' && ok || bad "tray: jerky driving did not make the cups slide 10 cm: $out"
echo "$out" | grep -q '"status": *"success"' && bad "tray: jerky driving succeeded: $out" || ok

echo "test_pilot_pack_a: $checks checks, $failed failed"
[ "$failed" -eq 0 ]
