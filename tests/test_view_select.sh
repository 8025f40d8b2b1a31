#!/usr/bin/env bash
# pilotsim view under Xvfb (ctest runs it through `xvfb-run -a`): the selected
# body is tinted (pixels), the F3 plots take one sample per physics step (with
# physics in the frame and on its own thread), and the 3D view drawn at a
# reduced resolution (--render-scale) shows the same scene.
# usage: test_view_select.sh PILOTSIM SOURCE_DIR
set -u
source "$(dirname "$0")/sh_harness.sh"
viewer_test_start test_view_select "$@"
# field FILE PREFIX KEY: KEY=value in the first line starting with PREFIX.
field() { grep "^$2" "$1" | head -1 | tr ' ' '\n' | sed -n "s/^$3=//p"; }

# mean R G B of a rectangle of a PPM
cat >"$tmp/mean.py" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read(); m, dims, mx, px = d.split(b'\n', 3); w, h = map(int, dims.split())
x0, y0, x1, y1 = map(int, sys.argv[2:6])
s = [0, 0, 0]; n = 0
for y in range(y0, y1):
    for x in range(x0, x1):
        for c in range(3): s[c] += px[(y * w + x) * 3 + c]
        n += 1
print(' '.join('%.1f' % (v / n) for v in s))
PY

# --- selection tint -------------------------------------------------------------
# The crate's front face centre projects to about (320, 197) at 640x360 from -8,0,3.
cat >"$tmp/s.txt" <<EOF
wait 3
screenshot $tmp/s0.ppm
click left 320 197
wait 3
state
screenshot $tmp/s1.ppm
click left 40 20
wait 3
state
screenshot $tmp/s2.ppm
quit
EOF
expect_rc 0 view "$src/tests/scenes/view_crate.lua" --size 640x360 --no-panels --paused --camera -8,0,3,0,0,0.3 --frame-dt 0.0333 \
  --script "$tmp/s.txt"
cp "$tmp/out" "$tmp/s.log"
check "a click selects the crate" test "$(field "$tmp/s.log" "view: state " selected)" = crate
read -r r0 g0 b0 <<<"$("$py" "$tmp/mean.py" "$tmp/s0.ppm" 305 185 335 210)"
read -r r1 g1 b1 <<<"$("$py" "$tmp/mean.py" "$tmp/s1.ppm" 305 185 335 210)"
read -r r2 g2 b2 <<<"$("$py" "$tmp/mean.py" "$tmp/s2.ppm" 305 185 335 210)"
check "unselected crate face is red ($r0 $g0 $b0)" calc "${r0:-0} > 2 * ${g0:-255} and ${r0:-0} > 2 * ${b0:-255}"
check "selected: the face is tinted cyan (green $g0 -> $g1, blue $b0 -> $b1)" \
  calc "${g1:-0} > ${g0:-255} + 40 and ${b1:-0} > ${b0:-255} + 40"
check "selected: still redder than a pure cyan (red $r1)" calc "${r1:-0} > 0.5 * ${r0:-255}"
check "cleared selection: the tint is gone ($r2 $g2 $b2)" \
  calc "abs(${g2:-0} - ${g0:-0}) < 4 and abs(${b2:-0} - ${b0:-0}) < 4 and abs(${r2:-0} - ${r0:-0}) < 4"
read -r gr0 gg0 gb0 <<<"$("$py" "$tmp/mean.py" "$tmp/s0.ppm" 20 300 120 350)"
read -r gr1 gg1 gb1 <<<"$("$py" "$tmp/mean.py" "$tmp/s1.ppm" 20 300 120 350)"
check "the ground is not tinted ($gr0 $gg0 $gb0 / $gr1 $gg1 $gb1)" \
  calc "abs(${gg1:-0} - ${gg0:-99}) < 3 and abs(${gb1:-0} - ${gb0:-99}) < 3"

# --- plots: one sample per physics step -------------------------------------------
# 0.0333 s frames of a 0.002 s timestep: about 16 steps a frame.
cat >"$tmp/p.txt" <<EOF
key f3
wait 30
plots
quit
EOF
expect_rc 0 view "$src/scenes/examples/box_stack.lua" --size 640x360 --no-panels --frame-dt 0.0333 --script "$tmp/p.txt"
cp "$tmp/out" "$tmp/p.log"
n=$(field "$tmp/p.log" "view: plots step_samples" step_samples); a=$(field "$tmp/p.log" "view: plots step_samples" first_step)
b=$(field "$tmp/p.log" "view: plots step_samples" last_step); f=$(field "$tmp/p.log" "view: plots step_samples" frames)
check "frame-dt: every step sampled ($n samples for steps $a..$b)" calc "${n:-0} > 0 and ${n:-0} == ${b:-0} - ${a:-0} + 1"
check "frame-dt: many samples per frame ($n samples, $f frames)" calc "${n:-0} >= 10 * ${f:-999}"
# Physics on its own thread at real time: the frame takes what it stepped since the last frame.
cat >"$tmp/q.txt" <<EOF
key f3
wait_steps +600
wait 2
plots
quit
EOF
expect_rc 0 view "$src/scenes/examples/box_stack.lua" --size 640x360 --no-panels --script "$tmp/q.txt"
cp "$tmp/out" "$tmp/q.log"
n=$(field "$tmp/q.log" "view: plots step_samples" step_samples); a=$(field "$tmp/q.log" "view: plots step_samples" first_step)
b=$(field "$tmp/q.log" "view: plots step_samples" last_step); f=$(field "$tmp/q.log" "view: plots step_samples" frames)
check "thread: every step sampled ($n samples for steps $a..$b, $f frames)" \
  calc "${n:-0} >= 600 and ${n:-0} == ${b:-0} - ${a:-0} + 1"

# --- reduced resolution: the same picture, softer ----------------------------------
cat >"$tmp/r.txt" <<EOF
wait 3
screenshot $tmp/r.ppm
quit
EOF
expect_rc 0 view "$src/tests/scenes/view_crate.lua" --size 640x360 --no-panels --paused --camera -8,0,3,0,0,0.3 --render-scale 0.5 \
  --frame-dt 0.0333 --script "$tmp/r.txt"
read -r rr rg rb <<<"$("$py" "$tmp/mean.py" "$tmp/r.ppm" 305 185 335 210)"
check "render-scale 0.5: the crate where it was, as red ($rr $rg $rb vs $r0 $g0 $b0)" \
  calc "abs(${rr:-0} - ${r0:-0}) < 12 and abs(${rg:-0} - ${g0:-0}) < 12 and abs(${rb:-0} - ${b0:-0}) < 12"
# The automatic resolution step starts at 50 % (a slow first second at full
# resolution cost short runs); an explicit --render-scale is kept.
expect_rc 0 view "$src/tests/scenes/view_crate.lua" --size 640x360 --no-panels --frames 3 --fps-report
check "automatic step: the first frames at 50 %" calc "'3d=50%' in open('$tmp/out').read() + open('$tmp/err').read()"
expect_rc 0 view "$src/tests/scenes/view_crate.lua" --size 640x360 --no-panels --frames 3 --fps-report --render-scale 1
check "--render-scale 1: full resolution" calc "'3d=100%' in open('$tmp/out').read() + open('$tmp/err').read()"
expect_rc 2 view "$src/tests/scenes/view_crate.lua" --render-scale 2
check "render-scale out of range: a usage error naming the option" has "$tmp/err" "render-scale"

echo "test_view_select: $checks checks, $failed failed"
[[ $failed == 0 ]]
