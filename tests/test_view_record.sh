#!/usr/bin/env bash
# pilotsim view --record under Xvfb (ctest runs it through `xvfb-run -a`): teleoperated
# episodes driven by a synthetic input script become demos; Delete discards an attempt,
# a reset mid-attempt drops it; the kept demos replay and verify step by step; a second
# session appends to the same file; the script's gamepad sticks become the recorded actions.
# usage: test_view_record.sh PILOTSIM SOURCE_DIR
set -u
source "$(dirname "$0")/sh_harness.sh"
viewer_test_start test_view_record "$@"
cd "$tmp" || exit 1
ps_out=$tmp

cat >push.lua <<'EOF'
local crate
local scene = {
    name = "view_record", domain = "tests", description = "teleop pushes a crate; 0.6 s episodes",
    timestep = 0.01, time_limit = 0.6,
    action = {push = {shape = {2}, low = -1, high = 1}},
    observation = {crate = {shape = {3}, fn = function(ctx, out) out[1], out[2], out[3] = crate:pos() end}},
}
function scene.build(world, ctx)
    world:geom{type = "plane", normal = {0, 0, 1}, offset = 0, color = {0.5, 0.5, 0.5}}
    crate = world:body{name = "crate", pos = {0, 0, 0.3}, mass = 2,
                       geoms = {{type = "box", size = {0.6, 0.6, 0.6}, color = {0.05, 0.8, 0.1}}}}
end
function scene.act(ctx, action) crate:add_force(action.push[1] * 40, action.push[2] * 40, 0) end
return scene
EOF
# Attempt 1: teleop pushes forward for a while, runs to the end: kept.
# Attempt 2 (R): reset after 10 steps: dropped. Attempt 3: Delete discards it.
# Attempt 4: runs to the end untouched: kept.
cat >s1.txt <<'EOF'
wait_steps 5
keydown up
wait_steps +20
keyup up
wait_steps 1000
key r
wait_steps 10
key r
wait_steps 10
key delete
wait_steps 1000
state
quit
EOF
view=(view push.lua --size 480x270 --no-watch --frame-dt 0.0333 --record demos.hdf5)
expect_rc 0 "${view[@]}" --script s1.txt
check "first demo kept" has out "view: record: demo_0 kept (timeout, 60 steps"
check "reset mid-attempt drops it" has out "attempt dropped (the episode was reset"
check "Delete discards the attempt" has out "attempt dropped (discarded)"
check "last demo kept" has out "view: record: demo_1 kept (timeout, 60 steps"
expect_rc 0 info demos.hdf5
check "two demos of 60 steps" has out "2 demos, 120 steps"
expect_rc 0 replay demos.hdf5 --verify
check "both verify step by step" has out "replay: 2 demos verified, 0 diverged"
check "teleop actions recorded" "$py" -c "
import h5py, numpy as np
f = h5py.File('demos.hdf5', 'r')
a0, a1 = f['data/demo_0/actions'][:], f['data/demo_1/actions'][:]
assert a0.shape == (60, 2) and a0[:, 0].max() > 0.5 and (a1 == 0).all(), (a0.max(), a1.max())
assert f['data/demo_0'].attrs['policy'] == 'teleop'
"
# A second session appends.
printf 'wait_steps 1000\nquit\n' >s2.txt
expect_rc 0 "${view[@]}" --script s2.txt --seed 0
check "second session appends" has out "demos.hdf5 (2 demos already)"
check "as demo_2" has out "view: record: demo_2 kept"
expect_rc 0 replay demos.hdf5 --verify --demo 2

# Gamepad teleop: the script's `gamepad` axes go through the code a device's sticks do
# (no joystick here). Left stick up/right and right stick down/left, then inside the dead
# zone, then left stick down and right stick full left; action = [-LY, -LX, -RY, -RX].
sed 's/shape = {2}/shape = {4}/; s/time_limit = 0.6/time_limit = 0.8/' push.lua >pad.lua
cat >pad.txt <<'EOF'
wait_steps 5
gamepad 0.5 -0.8 -0.6 0.3
wait_steps +20
gamepad 0.1 -0.11 0.05 0.119
wait_steps +10
gamepad 0 0.5 -1 0
wait_steps +10
gamepad off
wait_steps 1000
quit
EOF
expect_rc 0 view pad.lua --size 480x270 --no-watch --frame-dt 0.0333 --record pad.hdf5 --script pad.txt
check "the gamepad-driven attempt is kept" has out "view: record: demo_0 kept (timeout, 80 steps"
check "recorded actions carry the sticks (sign, dead zone) in order" "$py" -c "
import h5py, numpy as np
f = h5py.File('pad.hdf5', 'r')
a = f['data/demo_0/actions'][:]
assert a.shape == (80, 4), a.shape
assert f['data/demo_0'].attrs['policy'] == 'teleop'
pats = [np.float32([0.8, -0.5, -0.3, 0.6]), np.float32([0, 0, 0, 0]), np.float32([-0.5, 0, 0, 1])]
first_pad, zero, last_pad = [np.flatnonzero((a == p).all(axis=1)) for p in pats]
assert (a[:5] == 0).all(), a[:5]                 # before the first command
assert len(first_pad) >= 15 and len(last_pad) >= 15, (len(first_pad), len(last_pad))
dead = zero[zero > first_pad[-1]]                 # the dead zone's zeros after the sticks
assert len(dead) >= 5 and dead[-1] < last_pad[0], (dead, last_pad[0])
assert last_pad[-1] == 79, last_pad[-1]           # off, and no device: the actions stay
assert len(first_pad) + len(dead) + len(last_pad) >= 72, a
"
expect_rc 0 replay pad.hdf5 --verify
check "the gamepad demo verifies step by step" has out "replay: 1 demo verified, 0 diverged"
printf 'gamepad 0 2 0 0\n' >badpad.txt
expect_rc 3 view pad.lua --size 480x270 --no-watch --script badpad.txt
check "a gamepad axis out of -1..1 is refused with file:line" has err "badpad.txt:1: gamepad: needs LX LY RX RY"

# view --replay: a demo played back in the viewer ends in its recorded final state.
expect_rc 0 view --replay demos.hdf5 --demo 0 --size 320x180 --no-watch --exit-after-steps 60
check "view --replay names the demo" has out "^view: replaying demo_0 of demos.hdf5: .*push.lua, seed 0, 60 steps"
fh=$("$py" -c "
import h5py
v = h5py.File('demos.hdf5', 'r')['data/demo_0'].attrs['final_hash']
print(v.decode() if isinstance(v, bytes) else v)")
check "the recorded final hash read" test -n "$fh"
check "view --replay reaches the recorded final state ($fh)" has out "^view: steps=60 status=timeout hash=$fh"
expect_rc 3 view --replay demos.hdf5 --demo 9
check "a missing demo is named" has err "has no demo_9"
expect_rc 2 view push.lua --replay demos.hdf5
check "--replay takes no SCENE" has err "give no SCENE"

echo "test_view_record: $checks checks, $failed failed"
[[ $failed == 0 ]]
