#!/usr/bin/env bash
# Camera sensors through the CLI (renderer builds only): tests/scenes/camera_demo.lua
# run headless with EGL sees its red box (colour, depth, segment) and keeps the
# same final state hash as without cameras; `pilotsim eval` workers render too;
# a broken GL backend fails the episode naming the camera and the backend.
# usage: test_camera_cli.sh PILOTSIM SOURCE_DIR
set -u
ps=$1
src=$2
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

echo "test_camera_cli: $checks checks, $failed failed"
[[ $failed -eq 0 ]]
