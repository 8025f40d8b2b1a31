#!/usr/bin/env bash
# Camera sensors through the CLI (renderer builds only): tests/scenes/camera_demo.lua
# run headless with EGL sees its red box (colour, depth, segment) and keeps the
# same final state hash as without cameras; `pilotsim eval` workers render too;
# a broken GL backend fails the episode naming the camera and the backend;
# --camera-out writes every sample as a PNG (no --trusted needed) with pixels
# matching what the scene saw.
# usage: test_camera_cli.sh PILOTSIM SOURCE_DIR MEDIA_PROBE
set -u
ps=$1
src=$2
probe=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$src/tests/sh_harness.sh"
scene=$src/tests/scenes/camera_demo.lua
export PILOTSIM_GL=egl
unset DISPLAY

expect_rc 0 run "$scene" --seed 1
check "camera scene succeeds (red box, 2.75 m, its segment)" has "$tmp/out" "^camera_demo: success "
h1=$(grep -o 'hash=[0-9a-f]*' "$tmp/out")
expect_rc 0 run "$scene" --seed 1 --param cameras=0
check "no cameras: the episode runs to its time limit" has "$tmp/out" "^camera_demo: timeout "
h0=$(grep -o 'hash=[0-9a-f]*' "$tmp/out")
check "rendering leaves the state hash alone ($h1 vs $h0)" test -n "$h1" -a "$h1" = "$h0"

expect_rc 0 run "$scene" --seed 1 --param width=320 --param height=240
check "320x240 cameras succeed" has "$tmp/out" "^camera_demo: success "

expect_rc 0 eval "$scene" --episodes 2 --jobs 2 --quiet --out "$tmp/ev.jsonl"
check "eval workers render cameras" test "$(grep -c '"status":"success"' "$tmp/ev.jsonl")" = 2

# The hidden GLFW window backend (under Xvfb where installed) renders the same images.
if command -v xvfb-run >/dev/null 2>&1; then
  PILOTSIM_GL=glfw xvfb-run -a "$ps" run "$scene" --seed 1 >"$tmp/glfw.out" 2>"$tmp/glfw.err"
  check "GLFW hidden window under Xvfb: success" has "$tmp/glfw.out" "^camera_demo: success .*depth=2.75 .*segment=1"
  check "GLFW backend: same hash" test "$(grep -o 'hash=[0-9a-f]*' "$tmp/glfw.out")" = "$h1"
else
  echo "test_camera_cli: xvfb-run not found; the GLFW backend is not tested" >&2
fi

# Building a scene with cameras needs no GL context (created at the first image).
PILOTSIM_GL=bogus expect_rc 0 check "$scene"
check "check builds a camera scene without GL" has "$tmp/out" "check: ok"

PILOTSIM_GL=bogus expect_rc 3 run "$scene" --seed 1
check "bad backend: error names the camera" has "$tmp/err" "camera 'front_rgb'"
check "bad backend: error names the GL problem" has "$tmp/err" "camera 'front_rgb': rendering failed.*PILOTSIM_GL='bogus'"
# (a script_error episode: eval exits 3 whatever the tests say)
PILOTSIM_GL=bogus expect_rc 3 eval "$scene" --episodes 1 --jobs 1 --quiet --out "$tmp/bad.jsonl"
check "eval record carries the GL problem" has "$tmp/bad.jsonl" "front_rgb.*PILOTSIM_GL='bogus'"

# --camera-out: 10 Hz cameras over 0.4 s give 4 samples each (t = 0.1 .. 0.4 s).
expect_rc 0 run "$scene" --seed 1 --camera-out "$tmp/cams"
check "camera-out: same hash as without it" test "$(grep -o 'hash=[0-9a-f]*' "$tmp/out")" = "$h1"
check "camera-out reported" has "$tmp/err" "camera-out: 12 images in $tmp/cams"
check "frames.csv: a header and 12 lines" test "$(wc -l <"$tmp/cams/frames.csv")" = 13
check "frames.csv names the depth frame at 0.4 s" has "$tmp/cams/frames.csv" "^front_depth,depth,3,0.4,100,front_depth/000003.png$"
for k in rgb depth segmentation; do
  check "4 $k images" test "$(ls "$tmp/cams/front_$k" | wc -l)" = 4
done
# 64x48 images: the centre pixel (32, 24) sees the red box 2.75 m away; the top row sees the sky.
"$probe" png "$tmp/cams/front_rgb/000003.png" 32 24 >"$tmp/px"
read -r r g b < <(sed -n 2p "$tmp/px")
check "rgb: 64x48" test "$(sed -n 1p "$tmp/px")" = "64 48"
check "rgb: the box is red ($r $g $b)" test "$r" -gt 100 -a "$g" -lt 40 -a "$b" -lt 40
"$probe" gray16 "$tmp/cams/front_depth/000003.png" 32 24 32 0 >"$tmp/px"
check "depth: 2750 mm at the centre ($(sed -n 2p "$tmp/px"))" test "$(sed -n 2p "$tmp/px")" = 2750
check "depth: 0 where nothing is hit ($(sed -n 3p "$tmp/px"))" test "$(sed -n 3p "$tmp/px")" = 0
"$probe" png "$tmp/cams/front_segmentation/000003.png" 32 24 32 0 32 47 >"$tmp/px"
box=$(sed -n 2p "$tmp/px")
check "segmentation: the sky is black" test "$(sed -n 3p "$tmp/px")" = "0 0 0"
check "segmentation: the box has a colour of its own ($box)" test "$box" != "0 0 0" -a "$box" != "$(sed -n 4p "$tmp/px")"
printf 'x' >"$tmp/afile"
expect_rc 3 run "$scene" --seed 1 --camera-out "$tmp/afile"
check "camera-out onto a file: named" has "$tmp/err" "camera-out '$tmp/afile': exists and is not a directory"

echo "test_camera_cli: $checks checks, $failed failed"
[[ $failed -eq 0 ]]
