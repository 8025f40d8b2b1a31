#!/usr/bin/env bash
# pilotsim view's physics thread and inspection tools under Xvfb (ctest runs it
# through `xvfb-run -a`), driven by synthetic input scripts: with physics on its
# own thread the states are those of `pilotsim run` (state hashes) and slow
# frames do not slow simulated time.
# usage: test_view_inspect.sh PILOTSIM SOURCE_DIR
set -u
source "$(dirname "$0")/sh_harness.sh"
viewer_test_start test_view_inspect "$@"
# field FILE N KEY: value of KEY=... in the N-th line starting with PREFIX (default "view: state ").
field() { grep "^${prefix:-view: state }" "$1" | sed -n "${2}p" | tr ' ' '\n' | sed -n "s/^$3=//p"; }

# --- physics thread: the hashes of `pilotsim run` --------------------------------
for sc in "$src/scenes/examples/go2_walk.lua" "$src/scenes/pilot/logistics_parcel_sorting.lua"; do
  expect_rc 0 run "$sc" --seed 3 --steps 400 --json
  want=$("$py" -c "import json; print(json.load(open('$tmp/out'))['hash'])")
  expect_rc 0 view "$sc" --seed 3 --exit-after-steps 400 --size 320x180 --no-watch --fps-report --frame-delay 30
  check "$(basename "$sc"): physics thread, same hash as run ($want)" has "$tmp/out" "^view: steps=400 .*hash=$want"
  check "$(basename "$sc"): physics ran on its thread" has "$tmp/out" "^view: fps=.* thread=1"
done

# --- slow frames do not slow simulated time ----------------------------------------
# Frames of 1 s (a viewer stepping physics in the frame can owe at most 0.25 s per
# frame: simulated time would fall to 25% of the clock); the thread keeps real time
# where the CPU allows (40%: margin for a loaded machine under a sanitizer build, which
# reached 57% with a load average of 25 on 2 cores).
expect_rc 0 view "$src/scenes/examples/box_stack.lua" --size 320x180 --no-watch --frames 5 --frame-delay 1000 --fps-report
line=$(grep '^view: fps=' "$tmp/out")
wall=$(sed 's/.* wall=\([0-9.]*\)s.*/\1/' <<<"$line"); sim=$(sed 's/.* sim=\([0-9.]*\)s.*/\1/' <<<"$line")
fps=$(sed 's/^view: fps=\([0-9.]*\) .*/\1/' <<<"$line")
check "slow frames: fps $fps below 1.5" calc "${fps:-99} < 1.5"
check "slow frames: simulated ${sim:-0} s of ${wall:-1} s wall (>= 40%)" calc "${sim:-0} >= 0.4 * ${wall:-1}" ||
  grep '^view: frame ms' "$tmp/out" >&2

# --- manual control: the actuator sliders drive the arm ---------------------------
# arm_pick's step() commands the arm every step; once a slider is dragged, manual
# control keeps the scene's commands off and the arm turns to the slider's value.
# Also the model tree selects the box and the inspector reports it.
cat >"$tmp/m.txt" <<EOF
wait_steps 2500
body arm/wrist_3
click_widget Actuators
key i
wait 2
click_widget box
wait 2
inspect
state
set_slider 0.95 shoulder_pan
wait 2
state
wait 20
body arm/wrist_3
key u
wait 1
state
quit
EOF
expect_rc 0 view "$src/scenes/examples/arm_pick.lua" --size 1280x720 --no-watch --frame-dt 0.1 --script "$tmp/m.txt"
cp "$tmp/out" "$tmp/m.log"
check "manual: off at first" test "$(field "$tmp/m.log" 1 manual)" = 0
check "manual: a slider turns it on" test "$(field "$tmp/m.log" 2 manual)" = 1
check "manual: the slider set the command" has "$tmp/m.log" "^view: command arm shoulder_pan = 2\.[6-9]"
read -r x0 y0 _ <<<"$(grep '^view: body arm/wrist_3 ' "$tmp/m.log" | sed -n 1p | cut -d' ' -f4-)"
read -r x1 y1 _ <<<"$(grep '^view: body arm/wrist_3 ' "$tmp/m.log" | sed -n 2p | cut -d' ' -f4-)"
check "manual: the arm turned to the slider (wrist $x0,$y0 -> $x1,$y1)" \
  calc "((${x1:-0} - ${x0:-0}) ** 2 + (${y1:-0} - ${y0:-0}) ** 2) ** 0.5 > 0.5"
check "manual: U turns it off" test "$(field "$tmp/m.log" 3 manual)" = 0
check "tree: clicking a row selects the body" test "$(field "$tmp/m.log" 1 selected)" = box
prefix="view: inspect "
check "inspector: the box's mass (0.5 kg in arm_pick.lua)" test "$(field "$tmp/m.log" 1 mass)" = 0.5
z=$(field "$tmp/m.log" 1 pos | cut -d, -f3)
check "inspector: its height (z ${z:-?}) above the table top (0.75 m)" calc "0.75 < ${z:-0} < 1.5"
check "inspector: its contacts are the fingers" has "$tmp/m.log" "^view: inspect .*contacts=[1-9].*touching=.*finger"
unset prefix

# --- torque drag, F3 plots and F4 profiler ------------------------------------------
# The crate's front face centre projects to about (320, 197) at 640x360 from -8,0,3.
cat >"$tmp/t.txt" <<EOF
wait 10
screenshot $tmp/t0.ppm
move 320 197
press right ctrl
move 370 197
move 420 197
wait 60
inspect
release right ctrl
wait 1
key f3
key f4
wait 40
screenshot $tmp/t1.ppm
quit
EOF
expect_rc 0 view "$src/tests/scenes/view_crate.lua" --size 640x360 --no-panels --camera -8,0,3,0,0,0.3 --frame-dt 0.0333 --script "$tmp/t.txt"
cp "$tmp/out" "$tmp/t.log"
check "ctrl+right drag grabs the crate" has "$tmp/t.log" "^view: turn crate"
check "the turn ended on release" has "$tmp/t.log" "^view: turn released: "
prefix="view: inspect "
yaw=$(field "$tmp/t.log" 1 rpy | cut -d, -f3)
check "the torque spring turned the crate about the vertical (yaw ${yaw:-?} rad, wanted 0.5)" \
  calc "abs(abs(${yaw:-0}) - 0.5) < 0.12"
unset prefix
cat >"$tmp/count.py" <<'PY'
import sys
def ppm(p):
    d = open(p, 'rb').read(); m, dims, mx, rest = d.split(b'\n', 3); w, h = map(int, dims.split()); return w, h, rest
w, h, px = ppm(sys.argv[1])
x0, y0, x1, y1 = map(int, sys.argv[2:6])
n = 0
for y in range(y0, y1):
    for x in range(x0, x1):
        r, g, b = px[(y * w + x) * 3:(y * w + x) * 3 + 3]
        if sys.argv[6] == 'cyan' and b > 200 and g > 170 and r < 150: n += 1
        if sys.argv[6] == 'dark' and r < 40 and g < 40 and b < 50: n += 1
print(n)
PY
c0=$("$py" "$tmp/count.py" "$tmp/t0.ppm" 10 48 350 360 dark); c1=$("$py" "$tmp/count.py" "$tmp/t1.ppm" 10 48 350 360 dark)
check "F3/F4: plot and profiler windows drawn (dark pixels $c0 -> $c1)" calc "${c1:-0} > ${c0:-0} + 20000"
l1=$("$py" "$tmp/count.py" "$tmp/t1.ppm" 10 48 350 360 cyan)
check "F3: plot lines drawn ($l1 cyan pixels)" calc "${l1:-0} > 40"
check "F4 logged" has "$tmp/t.log" "^view: profiler shown"

# --- live param editing: a Scene panel slider, applied on reset ----------------------
cat >"$tmp/sized.lua" <<'LUA'
local scene = {name = "sized", domain = "tests", timestep = 0.002, time_limit = 1000,
               params = {size = {default = 0.4, min = 0.2, max = 1.0, description = "crate edge, m"}}}
function scene.build(world, ctx)
    local s = ctx.params.size
    world:geom{type = "plane", normal = {0, 0, 1}, offset = 0}
    world:body{name = "crate", pos = {0, 0, s / 2}, mass = 2, geoms = {{type = "box", size = {s, s, s}}}}
end
return scene
LUA
cat >"$tmp/e.txt" <<'EOF'
wait 2
click_widget Scene
wait 2
body crate
set_slider 1 size
wait 5
body crate
key r
wait 5
body crate
state
quit
EOF
expect_rc 0 view "$tmp/sized.lua" --size 1280x720 --no-watch --frame-dt 0.02 --script "$tmp/e.txt"
zs=$(grep '^view: body crate ' "$tmp/out" | cut -d' ' -f6 | tr '\n' ' ')
read -r z1 z2 z3 <<<"$zs"
check "param slider logged" has "$tmp/out" "^view: param size = 1 (on reset)"
check "param edit waits for the reset (z $z1 -> $z2)" calc "abs(${z2:-0} - 0.2) < 0.01"
check "reset applies it: a 1 m crate (z ${z3:-?})" calc "abs(${z3:-0} - 0.5) < 0.01"
check "the scene loaded again with it" test "$(field "$tmp/out" 1 reloads)" = 1

# --- the panel column scrolls (wheel) and resizes (drag its left edge) ---------------
cat >"$tmp/p.txt" <<'EOF'
wait 3
click_widget Actuators
wait 2
widgets
move 1100 400
scroll -3
wait 2
widgets
drag left 942 300 842 300 5
wait 2
widgets
quit
EOF
expect_rc 0 view "$src/scenes/examples/arm_pick.lua" --size 1280x720 --no-watch --paused --script "$tmp/p.txt"
oy() { grep ' Overlays$' "$tmp/out" | sed -n "${1}p" | cut -d' ' -f5; }
ox() { grep ' Overlays$' "$tmp/out" | sed -n "${1}p" | cut -d' ' -f4; }
check "wheel over the panels scrolls them up ($(oy 1) -> $(oy 2))" calc "$(oy 2) < $(oy 1) - 30"
check "panels scroll no further than their end" calc "$(oy 2) > 400"
check "dragging the left edge widens the column" has "$tmp/out" "^view: panel column 430 px wide"
check "the panels follow the edge ($(ox 2) -> $(ox 3))" test "$(ox 3)" = 842

# --- a syntax error at start: the window opens with the error, an edit loads it ----------
mkdir -p "$tmp/s"
printf 'return {\n  name = "late",\n  timestep = = 0.002,\n}\n' >"$tmp/s/scene.lua"
printf 'wait 3\nstate\nwait_for reloads 1\nwait 5\nstate\nscreenshot %s\nquit\n' "$tmp/s.ppm" >"$tmp/s.txt"
"$ps" view "$tmp/s/scene.lua" --size 640x360 --script "$tmp/s.txt" >"$tmp/s.log" 2>"$tmp/s.err" &
pid=$!
for _ in $(seq 600); do
  [[ $(grep -c '^view: state ' "$tmp/s.log" 2>/dev/null) -ge 1 ]] && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.1
done
check "syntax error at start: the window opened" test "$(field "$tmp/s.log" 1 error)" = 1
check "syntax error at start: file:line shown" has "$tmp/s.log" "^view: load failed: .*scene.lua:3:"
cat >"$tmp/s/scene.lua" <<'LUA'
return {
    name = "late", timestep = 0.002, time_limit = 100,
    build = function(world, ctx)
        world:geom{type = "plane", normal = {0, 0, 1}, offset = 0}
        world:body{name = "ball", pos = {0, 0, 1}, geoms = {{type = "sphere", radius = 0.3}}}
    end,
}
LUA
wait $pid
rc=$?
check "syntax error at start: exit 0 after the fix (rc $rc)" test $rc = 0
check "the fixed scene loaded" test "$(field "$tmp/s.log" 2 error)" = 0
check "and runs" test "$(field "$tmp/s.log" 2 step)" -gt 0
expect_rc 3 view "$tmp/missing.lua"
check "a missing scene file still exits 3" has "$tmp/err" "missing.lua"

# --- every pilot and example scene declares its view ---------------------------------
for sc in "$src"/scenes/pilot/*.lua "$src"/scenes/examples/*.lua; do
  check "$(basename "$sc") declares a view" grep -q '^    view = {eye = ' "$sc"
done

echo "test_view_inspect: $checks checks, $failed failed"
[[ $failed == 0 ]]
