#!/usr/bin/env bash
# pilotsim run --screenshot / --video, headless (EGL surfaceless, no X server):
# the picture shows the scene's objects where its camera puts them, the default
# camera frames the scene, videos decode to floor(T * fps) + 1 frames of the
# requested size, recording leaves the state hash unchanged, and bad options
# or paths fail naming what is wrong.
# usage: test_media_cli.sh PILOTSIM SOURCE_DIR MEDIA_PROBE HAVE_VIDEO(0|1)
#        test_media_cli.sh PILOTSIM SOURCE_DIR - norender   (a build without the renderer)
set -u
ps=$1
src=$2
probe=$3
have_video=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"

# No X server: EGL surfaceless (Mesa llvmpipe), unless the caller chose a backend.
unset DISPLAY WAYLAND_DISPLAY
export PILOTSIM_GL=${PILOTSIM_GL:-egl}

view=$src/tests/scenes/media_view.lua
dflt=$src/tests/scenes/media_default_view.lua

if [[ $have_video == norender ]]; then
  for opt in --screenshot --video; do
    expect_rc 2 run "$view" "$opt" "$tmp/x.out"
    check "$opt without the renderer" has "$tmp/err" "$opt: built without the renderer (PILOTSIM_RENDER=OFF)"
  done
  check "nothing written" test ! -e "$tmp/x.out"
  echo "test_media_cli: $checks checks, $failed failed (built without the renderer)"
  ((failed == 0))
  exit
fi

# pixels FILE X Y...: "R G B" lines of those pixels into $tmp/px (first line: size).
pixels() { "$probe" png "$@" >"$tmp/px" 2>"$tmp/px.err"; }
px() { sed -n "$(($1 + 2))p" "$tmp/px"; }  # px N: the Nth pixel asked for (0-based)
# Colour classes of a lit, shaded render: a dominant channel, a blue sky, a grey ground.
is_red() { local r g b; read -r r g b <<<"$1"; ((r >= 50 && r > 2 * g + 20 && r > 2 * b + 20)); }
is_green() { local r g b; read -r r g b <<<"$1"; ((g >= 50 && g > 2 * r + 20 && g > 2 * b + 20)); }
is_blue() { local r g b; read -r r g b <<<"$1"; ((b >= 50 && b > 2 * r + 20 && b > 2 * g + 20)); }
is_sky() { local r g b; read -r r g b <<<"$1"; ((b >= 150 && b > r + 40 && b >= g)); }
not_red() { ! is_red "$1"; }
is_grey() {
  local r g b; read -r r g b <<<"$1"
  ((r >= 40 && r - g <= 12 && g - r <= 12 && g - b <= 12 && b - g <= 12))
}

# --- Screenshot with the scene's view (tests/scenes/media_view.lua explains the
# numbers): red cube in the middle, green ball right, blue box left, sky above
# the horizon (middle row), ground below.
expect_rc 0 run "$view" --screenshot "$tmp/view.png" --video-size 320x240 --quiet
check "status line still printed" has "$tmp/out" "media_view: timeout steps=100"
check "screenshot reported" has "$tmp/err" "screenshot: $tmp/view.png: 320x240"
pixels "$tmp/view.png" 160 120 248 120 72 120 5 5 314 5 160 10 5 234 314 234 160 230
check "png is 320x240" test "$(head -1 "$tmp/px")" = "320 240"
check "centre is the red cube ($(px 0))" is_red "$(px 0)"
check "right of it the green ball ($(px 1))" is_green "$(px 1)"
check "left of it the blue box ($(px 2))" is_blue "$(px 2)"
for k in 3 4 5; do check "top pixel $k is sky ($(px $k))" is_sky "$(px $k)"; done
for k in 6 7 8; do check "bottom pixel $k is ground ($(px $k))" is_grey "$(px $k)"; done
# Just past the cube's edges (columns 130..190): not red.
pixels "$tmp/view.png" 124 120 196 120 160 84
for k in 0 1 2; do check "outside the cube $k not red ($(px $k))" not_red "$(px $k)"; done

# --- The default camera (no `view`): frames the bounding box of everything but
# the plane, so the off-origin cube is in the middle; the corners are not cube.
expect_rc 0 run "$dflt" --screenshot "$tmp/default.png" --video-size 200x150 --quiet
pixels "$tmp/default.png" 100 75 0 0 199 0 0 149 199 149
check "png is 200x150" test "$(head -1 "$tmp/px")" = "200 150"
check "default view: cube in the middle ($(px 0))" is_red "$(px 0)"
for k in 1 2 3 4; do check "default view: corner $k not cube ($(px $k))" not_red "$(px $k)"; done

# --- Both offscreen backends agree: a hidden GLFW window under Xvfb.
if command -v xvfb-run >/dev/null 2>&1; then
  PILOTSIM_GL=glfw xvfb-run -a "$ps" run "$view" --screenshot "$tmp/glfw.png" --video-size 320x240 --quiet \
    >"$tmp/out" 2>"$tmp/err"
  check "PILOTSIM_GL=glfw under Xvfb exits 0 ($(head -3 "$tmp/err"))" test $? = 0
  pixels "$tmp/glfw.png" 160 120 248 120 72 120 5 5
  check "glfw: red cube ($(px 0))" is_red "$(px 0)"
  check "glfw: green ball ($(px 1))" is_green "$(px 1)"
  check "glfw: blue box ($(px 2))" is_blue "$(px 2)"
  check "glfw: sky ($(px 3))" is_sky "$(px 3)"
fi
PILOTSIM_GL=vulkan expect_rc 3 run "$view" --screenshot "$tmp/x.png"
check "bad PILOTSIM_GL named" has "$tmp/err" "PILOTSIM_GL='vulkan'"

# --- Usage and path errors.
expect_rc 2 run "$view" --video-size 10x10
check "--video-size range" has "$tmp/err" "--video-size needs WxH"
expect_rc 2 run "$view" --video-size big
expect_rc 2 run "$view" --video-fps 0
check "--video-fps range" has "$tmp/err" "--video-fps needs a number"
expect_rc 2 run "$view" --screenshot
check "--screenshot needs a file" has "$tmp/err" "--screenshot needs a file name"
expect_rc 3 run "$view" --screenshot "$tmp/no-such-dir/x.png" --video-size 64x48
check "unwritable png named" has "$tmp/err" "png '$tmp/no-such-dir/x.png': cannot open for writing"
check "checked before running: no status line" test ! -s "$tmp/out"

if [[ $have_video != 1 ]]; then
  expect_rc 2 run "$view" --video "$tmp/x.mp4"
  check "--video without libav" has "$tmp/err" "built without video support"
  echo "test_media_cli: $checks checks, $failed failed (video checks skipped: built without libav)"
  ((failed == 0))
  exit
fi

# --- Video: 1 s at 30 fps -> 31 frames (t = 0, 1/30, ..., 1), decoded.
expect_rc 0 run "$view" --video "$tmp/view.mp4" --video-size 320x240 --quiet
check "video reported" has "$tmp/err" "video: $tmp/view.mp4: 31 frames 320x240 at 30 fps"
"$probe" video "$tmp/view.mp4" >"$tmp/probe" 2>&1
check "mp4 decodes to 31 frames 320x240 at 30 fps ($(cat "$tmp/probe"))" \
  grep -q "frames=31 width=320 height=240 codec=h264 fps=30$" "$tmp/probe"
# Other rates, containers and odd sizes (padded to even).
expect_rc 0 run "$view" --video "$tmp/v10.mkv" --video-fps 10 --video-size 160x120 --quiet
"$probe" video "$tmp/v10.mkv" >"$tmp/probe" 2>&1
check "10 fps mkv: 11 frames ($(cat "$tmp/probe"))" grep -q "frames=11 width=160 height=120 .* fps=10$" "$tmp/probe"
# Faster than the 0.01 s timestep: frames repeat so the rate holds (floor(1 * 250) + 1).
expect_rc 0 run "$view" --video "$tmp/v250.avi" --video-fps 250 --video-size 64x48 --quiet
"$probe" video "$tmp/v250.avi" >"$tmp/probe" 2>&1
check "250 fps avi: 251 frames ($(cat "$tmp/probe"))" grep -q "frames=251 width=64 height=48" "$tmp/probe"
expect_rc 0 run "$view" --video "$tmp/odd.mp4" --video-size 161x121 --quiet
"$probe" video "$tmp/odd.mp4" >"$tmp/probe" 2>&1
check "odd size padded to 162x122 ($(cat "$tmp/probe"))" grep -q "frames=31 width=162 height=122" "$tmp/probe"
# Both at once, with --json: stdout stays one JSON object.
expect_rc 0 run "$view" --video "$tmp/both.mp4" --screenshot "$tmp/both.png" --video-size 64x48 --json
check "json stdout with recording" /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["status"]=="timeout"' "$tmp/out"
check "both files written" test -s "$tmp/both.mp4" -a -s "$tmp/both.png"

# --- Recording does not change the simulation: same hash with and without.
expect_rc 0 run "$src/scenes/examples/box_stack.lua" --steps 500 --seed 4 --quiet
hash_plain=$(grep -o 'hash=[0-9a-f]*' "$tmp/out")
expect_rc 0 run "$src/scenes/examples/box_stack.lua" --steps 500 --seed 4 --quiet --video "$tmp/stack.mp4" \
  --video-size 160x120 --screenshot "$tmp/stack.png"
hash_video=$(grep -o 'hash=[0-9a-f]*' "$tmp/out")
check "hash with --video ($hash_video) equals without ($hash_plain)" test -n "$hash_plain" -a "$hash_plain" = "$hash_video"
"$probe" video "$tmp/stack.mp4" >"$tmp/probe" 2>&1
check "box stack: 1 s -> 31 frames ($(cat "$tmp/probe"))" grep -q "frames=31 " "$tmp/probe"
# With a policy too (the scene's baseline policy drives the robot).
expect_rc 0 run "$src/scenes/pilot/inspection_gauge_patrol.lua" --steps 300 --quiet
hash_plain=$(grep -o 'hash=[0-9a-f]*' "$tmp/out")
expect_rc 0 run "$src/scenes/pilot/inspection_gauge_patrol.lua" --steps 300 --quiet --video "$tmp/dd.mp4" --video-size 64x48
hash_video=$(grep -o 'hash=[0-9a-f]*' "$tmp/out")
check "policy scene: hash with --video ($hash_video) equals without ($hash_plain)" test -n "$hash_plain" -a "$hash_plain" = "$hash_video"

# With camera sensors: their offscreen renderer and the recorder's share the
# process (two GL contexts); the cameras still see right, the hash is unchanged.
expect_rc 0 run "$src/tests/scenes/camera_demo.lua" --quiet
hash_plain=$(grep -o 'hash=[0-9a-f]*' "$tmp/out")
expect_rc 0 run "$src/tests/scenes/camera_demo.lua" --quiet --video "$tmp/cam.mp4" --video-size 64x48 \
  --screenshot "$tmp/cam.png"
check "camera scene still succeeds while recording" has "$tmp/out" "camera_demo: success"
hash_video=$(grep -o 'hash=[0-9a-f]*' "$tmp/out")
check "camera scene: hash with --video ($hash_video) equals without ($hash_plain)" test -n "$hash_plain" -a "$hash_plain" = "$hash_video"

# --- Video errors name the file.
expect_rc 3 run "$view" --video "$tmp/no-such-dir/x.mp4" --video-size 64x48
check "unwritable video named" has "$tmp/err" "video '$tmp/no-such-dir/x.mp4': cannot open for writing"
check "nothing ran: no status line" test ! -s "$tmp/out"
expect_rc 3 run "$view" --video "$tmp/x.nosuch" --video-size 64x48
check "unknown container named" has "$tmp/err" "no container format for the extension '.nosuch'"
expect_rc 3 run "$view" --video "$tmp/x.png" --video-size 64x48
check "image extension refused" has "$tmp/err" "is an image format, not a video container"

echo "test_media_cli: $checks checks, $failed failed"
((failed == 0))
