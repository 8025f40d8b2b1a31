#!/usr/bin/env bash
# Protocol 2 and the control rate through the CLI: the example visual-servo
# peer (tools/python/examples/visual_servo.py: a uint8 camera image and the
# instruction in, action chunks out) centres the box over exec: and tcp://
# (with --replan-every); a version-1 peer keeps working on a multi-entry pilot
# scene; --policy-hz makes a policy act every round(1/(hz*dt)) steps; the
# instruction reaches run's output and eval's JSONL. Needs the renderer.
# usage: test_policy_v2.sh PILOTSIM SOURCE_DIR CONFORMANCE_LIB
set -u
ps=$1
src=$2
lib=$3
py=/usr/bin/python3
tmp=$(mktemp -d)
srv=
trap '[[ -n $srv ]] && kill $srv 2>/dev/null; rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"
ps_out=$tmp
servo=$src/tests/scenes/servo_camera.lua
peer=$src/tools/python/examples/visual_servo.py

# exec: a chunk of 5 actions per observation at 10 Hz.
expect_rc 0 run "$servo" --seed 3 --param size=32 --policy "exec:exec $py $peer --stdio"
check "servo via exec succeeds" has "$tmp/out" "servo_camera: success"
check "run prints the instruction" has "$tmp/out" "^instruction: centre the red box"
check "the peer got the instruction at reset" has "$tmp/err" "episode (seed 3): 'centre the red box"
check "the peer got episode_end" has "$tmp/err" "episode ended: success"
expect_rc 0 run "$servo" --seed 3 --param size=32 --policy "exec:exec $py $peer --stdio" --json
check "run --json has the instruction" has "$tmp/out" '"instruction":"centre the red box'

# tcp://, replanning after 2 actions of each chunk.
"$py" "$peer" --tcp 0 >"$tmp/port.out" 2>"$tmp/srv.err" &
srv=$!
for _ in $(seq 200); do [[ -s $tmp/port.out ]] && break; sleep 0.05; done
port=$(sed -n 's/listening on //p' "$tmp/port.out")
expect_rc 0 run "$servo" --seed 4 --param size=32 --policy "tcp://127.0.0.1:$port" --replan-every 2
check "servo via tcp with --replan-every succeeds" has "$tmp/out" "servo_camera: success"

# eval writes the instruction into JSONL.
expect_rc 0 eval "$servo" --episodes 2 --jobs 1 --param size=32 --policy "tcp://127.0.0.1:$port" --out "$tmp/e.jsonl" --quiet
check "eval JSONL has the instruction" grep -q '"instruction":"centre the red box' "$tmp/e.jsonl"

# A version-1 peer (it answers protocol 2 with an error, as docs/protocol.md v1 says) on a multi-entry scene.
expect_rc 0 run "$src/scenes/pilot/agriculture_fruit_picking.lua" --steps 5 --quiet \
  --policy "exec:exec $py $src/tests/policies/conformance_peer.py --stdio --max-version 1 --report $tmp/v1.report"
check "the v1 peer served 5 steps in version 1" grep -q "steps=5 version=1" "$tmp/v1.report"
expect_rc 0 run "$src/scenes/pilot/agriculture_fruit_picking.lua" --steps 5 --quiet \
  --policy "exec:exec $py $src/tests/policies/conformance_peer.py --stdio --report $tmp/v2.report"
check "a v2 peer is served in version 2" grep -q "steps=5 version=2" "$tmp/v2.report"

# --policy-hz: crate transport steps at 500 Hz; at 50 Hz the policy acts every 10 steps.
expect_rc 0 run "$src/scenes/pilot/agriculture_crate_transport.lua" --steps 40 --quiet --policy-hz 50 \
  --policy "lib:$lib?report=$tmp/hz.report"
check "--policy-hz 50: 4 calls in 40 steps" grep -q "steps=4 " "$tmp/hz.report"

# lib: gets the camera entry typed (uint8 = 1; y float32 = 0), at the scene's 10 Hz: 250 steps, 10 calls.
expect_rc 0 run "$servo" --param size=32 --steps 250 --policy "lib:$lib?report=$tmp/cam.report"
check "lib: sees rgb as uint8 at 10 Hz" grep -q "steps=10 dtypes=1,0$" "$tmp/cam.report"

# A Lua policy: the same servo on the integer image, the instruction in its spec.
expect_rc 0 run "$servo" --seed 3 --param size=32 --policy "$src/tests/policies/servo.lua"
check "servo via Lua succeeds" has "$tmp/out" "servo_camera: success"
check "the Lua policy saw the instruction and the dtype" has "$tmp/err" "servo.lua: uint8 32x32x3: centre the red box"

# The instruction function runs on its own RNG stream: without it, the same trajectory.
sed 's/^    instruction = function(params, seed)$/    no_instruction = function(params, seed)/' "$servo" >"$tmp/noinstr.lua"
sed -i 's/^    no_instruction = /    _unused = /; /^    _unused = /,/^    end,$/d' "$tmp/noinstr.lua"
expect_rc 0 run "$servo" --seed 5 --param size=16 --steps 100 --no-policy
h1=$(grep -o 'hash=[0-9a-f]*' "$tmp/out")
expect_rc 0 run "$tmp/noinstr.lua" --seed 5 --param size=16 --steps 100 --no-policy
h2=$(grep -o 'hash=[0-9a-f]*' "$tmp/out")
check "the instruction never shifts the episode's randomness ($h1 vs $h2)" test -n "$h1" -a "$h1" = "$h2"
check "the copy has no instruction" bash -c "! grep -q instruction '$tmp/out'"
expect_rc 2 run "$servo" --policy-hz 0
expect_rc 2 run "$servo" --replan-every x

echo "test_policy_v2: $checks checks, $failed failed"
[[ $failed == 0 ]]
