#!/usr/bin/env bash
# pilotsim view under Xvfb (ctest runs this through `xvfb-run -a`): the window
# renders the scene with objects at the pixels the camera projects them to;
# keyboard and mouse paths driven by a synthetic input script (pause, single
# steps, teleop, orbit/zoom/pan/home, select and follow, spring drag, impulse,
# F1 key map); automatic reload on a scene edit and on a required module's
# edit, a Lua error shown with the last good world still running; the same
# state hash as `pilotsim run` whatever the speed (physics decoupled from
# frames); and real X events sent with xdotool.
# usage: test_view.sh PILOTSIM SOURCE_DIR
set -u
source "$(dirname "$0")/sh_harness.sh"
viewer_test_start test_view "$@"
hasnt() { ! grep -q -- "$2" "$1"; }
# field FILE N KEY: value of KEY=... in the N-th "view: state" line of FILE.
field() { grep '^view: state ' "$1" | sed -n "${2}p" | tr ' ' '\n' | sed -n "s/^$3=//p"; }
# pos FILE NAME N: "x y z" of the N-th "view: body NAME" line.
pos() { grep "^view: body $2 " "$1" | sed -n "${3}p" | cut -d' ' -f4-; }
# calc EXPR: a Python expression over numbers, exit 0 when true.

# The test scene: a red box in the middle, a blue box at +y (left on screen),
# a green crate at -y (right) that the action `push` pushes.
cat >"$tmp/scene_a.lua" <<'EOF'
local crate
local scene = {
    name = "viewer_a", domain = "tests", description = "viewer pixels and input",
    timestep = 0.002, time_limit = 1000,
    action = {push = {shape = {2}, low = -1, high = 1}},
}
function scene.build(world, ctx)
    world:geom{type = "plane", normal = {0, 0, 1}, offset = 0, color = {0.5, 0.5, 0.5}}
    world:geom{type = "box", size = {1, 1, 1}, pos = {0, 0, 0.5}, color = {0.9, 0.05, 0.05}}
    world:geom{type = "box", size = {1, 1, 1}, pos = {0, 2.5, 0.5}, color = {0.05, 0.1, 0.9}}
    crate = world:body{name = "crate", pos = {0, -2.5, 0.3}, mass = 2,
                       geoms = {{type = "box", size = {0.6, 0.6, 0.6}, color = {0.05, 0.8, 0.1}}}}
end
function scene.act(ctx, action)
    crate:add_force(action.push[1] * 40, action.push[2] * 40, 0)
end
return scene
EOF
# --frame-dt: each frame is 1/30 s of simulated time, so the physics-dependent checks
# below do not depend on how fast this machine renders
view=(view "$tmp/scene_a.lua" --size 640x360 --no-panels --camera -8,0,3,0,0,0.5 --frame-dt 0.0333)

# Pixel reader: ppm FILE X Y -> "r g b" (0..255).
cat >"$tmp/px.py" <<'EOF'
import sys
def ppm(path):
    d = open(path, 'rb').read()
    magic, dims, maxv, rest = d.split(b'\n', 3)
    w, h = map(int, dims.split())
    assert magic == b'P6' and maxv == b'255' and len(rest) == w * h * 3, path
    return w, h, rest
w, h, px = ppm(sys.argv[1])
if sys.argv[2] == 'mean':  # mean brightness of the rectangle x0 y0 x1 y1
    x0, y0, x1, y1 = map(int, sys.argv[3:7])
    s = [px[(y * w + x) * 3 + c] for y in range(y0, y1) for x in range(x0, x1) for c in range(3)]
    print(sum(s) / len(s))
else:
    x, y = int(sys.argv[2]), int(sys.argv[3])
    print(*px[(y * w + x) * 3:(y * w + x) * 3 + 3])
EOF
# rgb_is FILE X Y PREDICATE: PREDICATE over r, g, b holds at pixel (X, Y).
rgb_is() {
  local c
  c=$("$py" "$tmp/px.py" "$1" "$2" "$3") || return 1
  set -- "$c" "$4"
  "$py" -c "r, g, b = map(int, '$1'.split()); import sys; sys.exit(0 if ($2) else 1)" ||
    { echo "  pixel is ($1), wanted $2" >&2; return 1; }
}

# --- help and usage -------------------------------------------------------
expect_rc 0 view --help
check "help lists the options" has "$tmp/out" "--exit-after-steps"
check "help lists the key map" has "$tmp/out" "F1 .*key map"
check "help lists the mouse" has "$tmp/out" "Shift+left drag"
expect_rc 2 view
check "missing scene" has "$tmp/err" "missing SCENE"
expect_rc 2 view "$tmp/scene_a.lua" --speed 100
check "speed out of range" has "$tmp/err" "--speed needs"
expect_rc 2 view "$tmp/scene_a.lua" --camera 1,2
expect_rc 2 view "$tmp/scene_a.lua" --frame-dt 0
check "bad --frame-dt named" has "$tmp/err" "--frame-dt needs seconds"
expect_rc 3 view "$tmp/nope.lua"
check "missing scene file named" has "$tmp/err" "nope.lua"
printf 'wait 1\njump 3\n' >"$tmp/bad.txt"
expect_rc 3 "${view[@]}" --script "$tmp/bad.txt"
check "bad script names file:line" has "$tmp/err" "bad.txt:2: jump: unknown command"

# --- pixels, keys, teleop, camera, F1 -------------------------------------
# Projections (eye -8,0,3 -> 0,0,0.5, fov 45 deg, 640x360): the red box's front
# face centre at (320, 188), the blue box's at (182, 188), the crate at (453, 194).
cat >"$tmp/a.txt" <<EOF
wait 3
screenshot $tmp/a0.ppm
screenshot $tmp/a0.png
key space
wait_for paused
state
key n
wait 1
state
key n
key n
wait 1
state
key space
click left 453 194
wait 1
key f
state
body crate
keydown up
wait_steps +750
state
keyup up
wait 1
state
body crate
key equal
state
key backspace
key f
key home
drag left 320 300 420 300 5
state
scroll 2
state
drag right 320 300 360 300 5
state
key home
state
key bracketright
state
key f1
wait 2
screenshot $tmp/help.ppm
key f1
quit
EOF
sed -i 's/bracketright/rbracket/' "$tmp/a.txt"
expect_rc 0 "${view[@]}" --script "$tmp/a.txt"
cp "$tmp/out" "$tmp/a.log"
check "opened" has "$tmp/a.log" "^view: opened viewer_a"
check "screenshot written" test -s "$tmp/a0.ppm"
check "PNG screenshot" "$py" -c "
import struct, sys
d = open('$tmp/a0.png', 'rb').read()
sys.exit(0 if d[:8] == b'\x89PNG\r\n\x1a\n' and struct.unpack('>II', d[16:24]) == (640, 360) else 1)"
check "red box where it projects" rgb_is "$tmp/a0.ppm" 320 188 "r > 80 and r > 3 * g and r > 3 * b"
check "blue box where it projects" rgb_is "$tmp/a0.ppm" 182 188 "b > 80 and b > 3 * r and b > 3 * g"
check "green crate where it projects" rgb_is "$tmp/a0.ppm" 453 194 "g > 60 and g > 3 * r and g > 2 * b"
check "floor between the boxes" rgb_is "$tmp/a0.ppm" 250 188 "abs(r - g) < 20 and abs(g - b) < 20 and r > 40"
check "floor below" rgb_is "$tmp/a0.ppm" 320 340 "abs(r - g) < 20 and abs(g - b) < 20"
check "sky above the horizon" rgb_is "$tmp/a0.ppm" 320 32 "b >= r and not (r > 3 * g)"
check "nothing red left of the red box" rgb_is "$tmp/a0.ppm" 280 150 "not (r > 2 * g and r > 2 * b)"
# pause and single steps
s1=$(field "$tmp/a.log" 1 step); s2=$(field "$tmp/a.log" 2 step); s3=$(field "$tmp/a.log" 3 step)
check "space pauses" test "$(field "$tmp/a.log" 1 paused)" = 1
check "N steps exactly once ($s1 -> $s2)" test "$((s1 + 1))" = "$s2"
check "two more steps ($s2 -> $s3)" test "$((s2 + 2))" = "$s3"
check "stepping changes the hash" test "$(field "$tmp/a.log" 1 hash)" != "$(field "$tmp/a.log" 2 hash)"
# selection, follow and teleop
check "click selects the crate" has "$tmp/a.log" "^view: selected crate"
check "F follows it" test "$(field "$tmp/a.log" 4 follow)" = 1
check "Up drives action value 0" test "$(field "$tmp/a.log" 5 action)" = "[1,0]"
check "releasing Up zeroes it" test "$(field "$tmp/a.log" 6 action)" = "[0,0]"
check "+ nudges by 10% of the range" test "$(field "$tmp/a.log" 7 action)" = "[0.2,0]"
read -r x0 _ <<<"$(pos "$tmp/a.log" crate 1)"; read -r x1 _ <<<"$(pos "$tmp/a.log" crate 2)"
check "teleop pushed the crate forward ($x0 -> $x1)" calc "$x1 > $x0 + 0.3"
t4=$(field "$tmp/a.log" 4 target); t5=$(field "$tmp/a.log" 5 target)
check "the camera followed the crate ($t4 -> $t5)" calc "${t5%%,*} > ${t4%%,*} + 0.1"
# camera
check "orbit moves the eye" test "$(field "$tmp/a.log" 8 eye)" != "-8.0000,0.0000,3.0000"
check "orbit keeps the target" test "$(field "$tmp/a.log" 8 target)" = "0.0000,0.0000,0.5000"
e8=$(field "$tmp/a.log" 8 eye); e9=$(field "$tmp/a.log" 9 eye)
check "scroll zooms in ($e8 -> $e9)" calc "sum(v*v for v in ($e9,)) < sum(v*v for v in ($e8,))"
check "right drag pans" test "$(field "$tmp/a.log" 10 target)" != "0.0000,0.0000,0.5000"
check "Home resets the view" test "$(field "$tmp/a.log" 11 eye)" = "-8.0000,0.0000,3.0000"
check "] doubles the speed" test "$(field "$tmp/a.log" 12 speed)" = 2
# F1: the key map window darkens the top-left area
m0=$("$py" "$tmp/px.py" "$tmp/a0.ppm" mean 20 60 300 200); m1=$("$py" "$tmp/px.py" "$tmp/help.ppm" mean 20 60 300 200)
check "F1 shows the key map ($m0 -> $m1)" calc "$m1 < 0.6 * $m0"
check "F1 logged" has "$tmp/a.log" "^view: help shown"

# --- panels: mouse on widgets goes to the UI, not the camera -----------------
# Layout at 640x360: the column starts at x 302; the Episode panel's button
# "pause (Space)" at (330, 124); the Actions panel's slider of value 0 at y 263.
printf 'wait 3\nclick left 330 124\nwait 2\nstate\ndrag left 467 263 620 263 5\nwait 1\nstate\nquit\n' >"$tmp/u.txt"
expect_rc 0 view "$tmp/scene_a.lua" --size 640x360 --camera -8,0,3,0,0,0.5 --script "$tmp/u.txt"
check "the pause button pauses" test "$(field "$tmp/out" 1 paused)" = 1
a=$(field "$tmp/out" 2 action)
check "the action slider sets value 0 ($a)" calc "${a:-[0]}[0] > 0.8"
check "clicks on panels do not orbit" test "$(field "$tmp/out" 2 eye)" = "-8.0000,0.0000,3.0000"

# --- spring drag and impulse ------------------------------------------------
cat >"$tmp/b.txt" <<EOF
wait 3
body crate
drag left 453 194 553 194 40 shift
wait 10
body crate
quit
EOF
expect_rc 0 "${view[@]}" --script "$tmp/b.txt"
check "drag grabbed the crate" has "$tmp/out" "^view: drag crate"
read -r _ y0 _ <<<"$(pos "$tmp/out" crate 1)"; read -r _ y1 _ <<<"$(pos "$tmp/out" crate 2)"
check "dragging right moved the crate to -y ($y0 -> $y1)" calc "$y1 < $y0 - 0.7"
cat >"$tmp/c.txt" <<EOF
wait 3
body crate
click left 453 194 ctrl
wait 30
body crate
click left 320 188 shift
wait 1
quit
EOF
expect_rc 0 "${view[@]}" --script "$tmp/c.txt"
check "ctrl+click: impulse" has "$tmp/out" "^view: impulse .* on crate"
read -r x0 _ <<<"$(pos "$tmp/out" crate 1)"; read -r x1 _ <<<"$(pos "$tmp/out" crate 2)"
check "the impulse pushed the crate away from the camera ($x0 -> $x1)" calc "$x1 > $x0 + 0.02"
check "static boxes cannot be dragged" has "$tmp/out" "nothing movable"

# --- same hash as `pilotsim run`, whatever the speed and frame rate ----------
for sc in "$src/scenes/examples/box_stack.lua" "$src/scenes/pilot/restaurant_tray_delivery.lua"; do
  expect_rc 0 run "$sc" --seed 1 --steps 300 --json
  want=$("$py" -c "import json; print(json.load(open('$tmp/out'))['hash'])")
  for speed in max 1/2; do
    expect_rc 0 view "$sc" --seed 1 --exit-after-steps 300 --speed $speed --size 320x180 --no-watch
    check "$(basename "$sc") at speed $speed: same hash as run ($want)" has "$tmp/out" "^view: steps=300 .*hash=$want"
  done
  # paused at step 100, five single steps, running again: still the same states
  printf 'wait_steps 100\nkey space\nkey n\nkey n\nkey n\nwait 1\nkey n\nkey n\nwait 1\nstate\nkey space\nwait_steps 300\nquit\n' >"$tmp/d.txt"
  expect_rc 0 view "$sc" --seed 1 --exit-after-steps 300 --speed max --size 320x180 --no-watch --script "$tmp/d.txt"
  check "$(basename "$sc") with pause and single steps: same hash" has "$tmp/out" "^view: steps=300 .*hash=$want"
done

# --- policy switch: P turns the scene's baseline off and on; teleop takes over
printf 'wait 2\nstate\nkey p\nwait 1\nstate\nkey p\nwait 1\nstate\nkeydown up\nwait 1\nstate\nkeyup up\nquit\n' >"$tmp/p.txt"
expect_rc 0 view "$src/scenes/pilot/restaurant_tray_delivery.lua" --size 320x180 --no-watch --script "$tmp/p.txt"
check "the baseline policy runs" test "$(field "$tmp/out" 1 policy)" = 1
check "P turns it off" test "$(field "$tmp/out" 2 policy)" = 0
check "P turns it on again" test "$(field "$tmp/out" 3 policy)" = 1
check "a teleop key turns it off" test "$(field "$tmp/out" 4 policy)" = 0
check "teleop drives the first action entry to its bound" has "$tmp/out" "^view: action base\[0\] = \[[0-9.]*[1-9][0-9.]*,0\]"

# --- reload on edits, Lua errors keep the last good world --------------------
mkdir -p "$tmp/r"
printf 'return {size = 0.5}\n' >"$tmp/r/testmod.lua"
cat >"$tmp/r/scene.lua" <<'EOF'
local m = require 'testmod'
return {
    name = "reload_me", timestep = 0.002, time_limit = 1000,
    build = function(world, ctx)
        world:geom{type = "plane", normal = {0, 0, 1}, offset = 0}
        world:body{name = "ball", pos = {0, 0, 1}, geoms = {{type = "sphere", radius = m.size}}}
        -- EXTRA
    end,
}
EOF
cat >"$tmp/r.txt" <<EOF
wait 3
state
wait_for reloads 1
body newbox
state
wait_for reloads 2
state
wait_for error
state
wait 10
state
screenshot $tmp/err.ppm
quit
EOF
"$ps" view "$tmp/r/scene.lua" --size 640x360 --no-panels --script "$tmp/r.txt" >"$tmp/r.log" 2>"$tmp/r.err" &
pid=$!
# wait_state N: until the viewer printed N state lines (or it died / 120 s passed)
wait_state() {
  for _ in $(seq 1200); do
    [[ $(grep -c '^view: state ' "$tmp/r.log" 2>/dev/null) -ge $1 ]] && return 0
    kill -0 $pid 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
check "reload viewer started" wait_state 1
check "2 sources watched (scene and module)" has "$tmp/r.log" "^view: opened reload_me .* 2 source files watched"
sed -i 's|-- EXTRA|world:body{name = "newbox", pos = {2, 0, 0.5}, geoms = {{type = "box", size = {1, 1, 1}}}}|' "$tmp/r/scene.lua"
check "scene edit reloaded" wait_state 2
read -r nx _ <<<"$(pos "$tmp/r.log" newbox 1)"
check "the new body exists after the reload (x $nx)" calc "abs(${nx:-9} - 2) < 0.05"
check "reload logged" has "$tmp/r.log" "^view: reloaded reload_me"
printf 'return {size = 0.25}\n' >"$tmp/r/testmod.lua"
check "module edit reloaded" wait_state 3
check "reload counted twice" test "$(field "$tmp/r.log" 3 reloads)" = 2
printf 'return {\n  name = "reload_me",\n  timestep = = 0.002,\n}\n' >"$tmp/r/scene.lua"
check "Lua error shown" wait_state 5
wait $pid
rc=$?
check "reload viewer exit 0 (rc $rc)" test $rc = 0
check "the error names file:line" has "$tmp/r.log" "^view: reload failed: .*scene.lua:3:"
check "error flagged" test "$(field "$tmp/r.log" 4 error)" = 1
check "the last good world keeps running" test "$(field "$tmp/r.log" 5 step)" -gt "$(field "$tmp/r.log" 4 step)"
check "the scene stays the same" test "$(field "$tmp/r.log" 5 reloads)" = 2
# the error banner: dark red behind the text at the top-left
check "error banner drawn" rgb_is "$tmp/err.ppm" 14 52 "r > 60 and r > 3 * g and r > 3 * b"

# --- K: look through each camera sensor, then the free camera again ----------
# (tests/scenes/camera_demo.lua: the red box straight ahead of the cameras)
printf 'wait 2\nkey k\nwait 3\nscreenshot %s\nkey k\nkey k\nkey k\nwait 2\nquit\n' "$tmp/k1.ppm" >"$tmp/k.txt"
"$ps" view "$src/tests/scenes/camera_demo.lua" --size 320x240 --no-panels --paused --script "$tmp/k.txt" \
  >"$tmp/k.log" 2>&1
check "K: first camera sensor" has "$tmp/k.log" "^view: camera front_rgb"
check "K: cycles through every camera, then the free camera" \
  test "$(grep -o 'camera front_[a-z]*\|free camera' "$tmp/k.log" | tr '\n' ' ')" = \
  "camera front_rgb camera front_depth camera front_segmentation free camera "
check "K: the camera's view shows the red box at the centre" rgb_is "$tmp/k1.ppm" 160 120 "r > 80 and r > 3 * g and r > 3 * b"
check "K: and the sky above it" rgb_is "$tmp/k1.ppm" 160 5 "b > r and b > 60"

# --- MSAA: --msaa 4 blends edge pixels; the rest of the picture is the same ----
printf 'wait 3\nscreenshot %s\nquit\n' "$tmp/ms0.ppm" >"$tmp/ms0.txt"
printf 'wait 3\nscreenshot %s\nquit\n' "$tmp/ms4.ppm" >"$tmp/ms4.txt"
"$ps" view "$tmp/scene_a.lua" --size 320x240 --no-panels --paused --camera -8,0,3,0,0,0.5 --script "$tmp/ms0.txt" \
  >"$tmp/ms0.log" 2>&1
"$ps" view "$tmp/scene_a.lua" --size 320x240 --no-panels --paused --camera -8,0,3,0,0,0.5 --script "$tmp/ms4.txt" \
  --msaa 4 >"$tmp/ms4.log" 2>&1
check "msaa: 4 samples granted" has "$tmp/ms4.log" "msaa: 4 samples per pixel"
cat >"$tmp/msdiff.py" <<'EOF'
import sys
def ppm(p):
    d = open(p, 'rb').read(); m, dims, mx, rest = d.split(b'\n', 3); return rest
a, b = ppm(sys.argv[1]), ppm(sys.argv[2])
n = sum(1 for i in range(0, len(a), 3) if a[i:i + 3] != b[i:i + 3])
print("msaa: %d pixels differ" % n)
sys.exit(0 if len(a) == len(b) and 100 <= n <= 4000 else 1)
EOF
check "msaa: edge pixels blended (100..4000 of 76800 differ)" "$py" "$tmp/msdiff.py" "$tmp/ms0.ppm" "$tmp/ms4.ppm"
expect_rc 2 view "$tmp/scene_a.lua" --msaa 3
check "--msaa 3 refused" has "$tmp/err" "msaa needs 0, 2, 4, 8 or 16"

# --- real X events (xdotool) ---------------------------------------------------
if command -v xdotool >/dev/null; then
  cat >"$tmp/x.txt" <<EOF
wait 2
state
wait_for paused
state
wait_for help
state
quit
EOF
  "$ps" "${view[@]}" --script "$tmp/x.txt" >"$tmp/r.log" 2>"$tmp/r.err" &
  pid=$!
  check "xdotool viewer started" wait_state 1
  win=$(timeout 30 xdotool search --sync --onlyvisible --name "pilotsim view" 2>/dev/null | head -1)
  check "window found by name" test -n "$win"
  check "window title names the scene and its file" \
    test "$(xdotool getwindowname "$win" 2>/dev/null)" = "pilotsim view: viewer_a ($tmp/scene_a.lua)"
  timeout 30 xdotool windowfocus --sync "$win" 2>/dev/null || xdotool windowfocus "$win"
  xdotool key --delay 50 space
  check "X key press paused the viewer" wait_state 2
  xdotool mousemove --window "$win" 300 250 mousedown 1 mousemove --window "$win" 330 255 \
    mousemove --window "$win" 380 260 mouseup 1
  xdotool key --delay 50 F1
  check "X key F1 showed the help" wait_state 3
  wait $pid
  check "X mouse drag orbited the camera" test "$(field "$tmp/r.log" 3 eye)" != "-8.0000,0.0000,3.0000"
else
  echo "test_view: xdotool missing (tools/setup-deps.sh installs it)" >&2
  failed=$((failed + 1))
fi

echo "test_view: $checks checks, $failed failed"
[[ $failed == 0 ]]
