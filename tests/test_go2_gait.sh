#!/usr/bin/env bash
# The Go2's closed-loop trot (robots.go2 dog:walk, issue 18) on 10 cm steps and a 20 deg
# ramp (scenes/examples/go2_stairs.lua): on three seeds (start offset and heading drawn
# per seed) the robot climbs all three steps and the ramp to the top landing, upright;
# the open-loop trot (dog:trot) on the same course stalls at the first step; the pilot
# scene built on the gait succeeds with its baseline.
# usage: test_go2_gait.sh PILOTSIM_BINARY SOURCE_DIR
set -u
BIN=$1
SRC=$2
SCENE=$SRC/scenes/examples/go2_stairs.lua
checks=0
failed=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); failed=$((failed + 1)); echo "FAIL: $*"; }
field() { sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" <<<"$1"; }
num() { sed -n "s/.*\"$2\":\([-0-9.e+]*\).*/\1/p" <<<"$1"; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }

COURSE=(--param rise=0.10 --param slope=20 --param n_steps=3 --param ramp_rise=0.30)

for seed in 1 2 3; do
    out=$("$BIN" run "$SCENE" --seed "$seed" --json --quiet "${COURSE[@]}" 2>/dev/null)
    st=$(field "$out" status)
    top=$(num "$out" top_height)
    prog=$(num "$out" progress)
    if [ "$st" = success ]; then ok; else bad "closed loop seed $seed: status '$st' ($(field "$out" message)), progress $prog m"; fi
    # three 10 cm steps and a 0.3 m ramp: the course under the base reached 0.6 m
    if ge "${top:-0}" 0.599; then ok; else bad "closed loop seed $seed: top height ${top:-?} m < 0.6 m"; fi
    if ge "${prog:-0}" 4.2; then ok; else bad "closed loop seed $seed: progress ${prog:-?} m < 4.2 m (past the ramp)"; fi
done

# the open-loop trot never gets onto the first step (20 s: it stalls at the riser)
out=$("$BIN" run "$SCENE" --seed 1 --json --quiet "${COURSE[@]}" --param open_loop=1 --steps 10000 2>/dev/null)
top=$(num "$out" top_height)
prog=$(num "$out" progress)
if [ "$(field "$out" status)" != success ]; then ok; else bad "open loop: succeeded"; fi
if [ -n "$top" ] && ! ge "$top" 0.05; then ok; else bad "open loop: top height ${top:-?} m (expected to stall below the first step)"; fi
if [ -n "$prog" ] && ! ge "$prog" 1.2; then ok; else bad "open loop: progress ${prog:-?} m (expected < 1.2 m)"; fi

# the pilot scene on the gait: baseline succeeds, both checkpoints, the safety metrics
out=$("$BIN" run "$SRC/scenes/pilot/inspection_quadruped_stairs.lua" --seed 1 --json --quiet 2>/dev/null)
if [ "$(field "$out" status)" = success ]; then ok; else bad "inspection_quadruped_stairs seed 1: status '$(field "$out" status)' ($(field "$out" message))"; fi
if [ "$(num "$out" checkpoints)" = 2 ]; then ok; else bad "inspection_quadruped_stairs: checkpoints $(num "$out" checkpoints)"; fi
for m in safety_min_separation safety_keepout_violations safety_violations; do
    if grep -q "\"$m\":" <<<"$out"; then ok; else bad "inspection_quadruped_stairs: metric $m missing"; fi
done

echo "test_go2_gait: $checks checks, $failed failed"
[ "$failed" = 0 ]
