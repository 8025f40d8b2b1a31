#!/usr/bin/env bash
# Visual meshes where the collision geometry is: for every robot in assets/
# (tests/scenes/robots/*.lua) and the Go2 example scene, from three directions,
# the segmentation silhouette of `pilotsim run --screenshot` with the visual
# meshes and with --collision-shapes overlap with IoU >= 0.8 (a Collada mesh
# turned by its up axis scores 0.26..0.56). Also --screenshot-mode depth and
# segmentation pixels at known places, and bad options named. Headless (EGL).
# usage: test_robot_silhouettes.sh PILOTSIM SOURCE_DIR MEDIA_PROBE
set -u
ps=$1
src=$2
probe=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"
unset DISPLAY WAYLAND_DISPLAY
export PILOTSIM_GL=${PILOTSIM_GL:-egl}
py=/usr/bin/python3

# shot SCENE OUT [run options...]: a 320x240 segmentation screenshot.
shot() {
  local scene=$1 out=$2; shift 2
  rm -f "$out"  # a failed run must not leave the last picture to compare
  expect_rc 0 run "$scene" --quiet --steps 1 --video-size 320x240 --screenshot "$out" \
    --screenshot-mode segmentation "$@"
}
# iou_ok NAME A B [X Y]...: IoU of the two silhouettes >= 0.8 (background: black and
# the colours of A at the pixels given).
iou_ok() {
  local name=$1 a=$2 b=$3; shift 3
  local line
  line=$("$probe" iou "$a" "$b" "$@")
  echo "$name: $line"
  local iou=${line#iou=}; iou=${iou%% *}
  local n=${line#*a=}; n=${n%% *}
  check "$name: silhouettes overlap (iou >= 0.8, $line)" "$py" -c "import sys; sys.exit(0 if $iou >= 0.8 else 1)"
  check "$name: the robot is in the picture ($n pixels)" test "$n" -ge 500
}

for robot in go2 ur5 solo12 double_pendulum simple_humanoid; do
  scene=$src/tests/scenes/robots/$robot.lua
  for angles in -40,30 90,10 180,60; do
    shot "$scene" "$tmp/v.png" --view-angles "$angles"
    shot "$scene" "$tmp/c.png" --view-angles "$angles" --collision-shapes
    iou_ok "$robot from $angles" "$tmp/v.png" "$tmp/c.png"
  done
done
# The example scene, on its ground plane (static geometry: its colour at a bottom corner is background).
for angles in -40,30 90,10 180,60; do
  shot "$src/scenes/examples/go2_walk.lua" "$tmp/v.png" --view-angles "$angles"
  shot "$src/scenes/examples/go2_walk.lua" "$tmp/c.png" --view-angles "$angles" --collision-shapes
  iou_ok "go2_walk from $angles" "$tmp/v.png" "$tmp/c.png" 0 239 319 239
done

# Depth and segmentation at known pixels (tests/scenes/media_view.lua: the cube's front face
# is 5.5 m from the camera at the centre pixel; the top rows see the sky).
view=$src/tests/scenes/media_view.lua
expect_rc 0 run "$view" --quiet --steps 1 --video-size 320x240 --screenshot "$tmp/d.png" --screenshot-mode depth
"$probe" gray16 "$tmp/d.png" 160 120 160 2 >"$tmp/px"
check "depth png is 320x240" test "$(sed -n 1p "$tmp/px")" = "320 240"
check "depth at the cube's face is 5500 mm (got $(sed -n 2p "$tmp/px"))" test "$(sed -n 2p "$tmp/px")" -ge 5495 -a "$(sed -n 2p "$tmp/px")" -le 5505
check "depth of the sky is 0 (got $(sed -n 3p "$tmp/px"))" test "$(sed -n 3p "$tmp/px")" = 0
expect_rc 0 run "$view" --quiet --steps 1 --video-size 320x240 --screenshot "$tmp/s.png" --screenshot-mode segmentation
"$probe" png "$tmp/s.png" 160 120 160 2 248 120 72 120 >"$tmp/px"
check "segmentation: the sky is black" test "$(sed -n 3p "$tmp/px")" = "0 0 0"
# three static geoms (cube, sphere, box): each its own id, so three colours
cube=$(sed -n 2p "$tmp/px") ball=$(sed -n 4p "$tmp/px") box=$(sed -n 5p "$tmp/px")
check "segmentation: static geoms have colours ($cube / $ball / $box)" test "$cube" != "0 0 0" -a "$ball" != "0 0 0" -a "$box" != "0 0 0"
check "segmentation: each static geom its own colour" test "$cube" != "$ball" -a "$cube" != "$box" -a "$ball" != "$box"

# Bad options fail naming what is wrong.
expect_rc 2 run "$view" --screenshot "$tmp/x.png" --screenshot-mode infrared
check "bad mode named" has "$tmp/err" "screenshot-mode needs rgb, depth or segmentation, got 'infrared'"
expect_rc 2 run "$view" --screenshot "$tmp/x.png" --view 1,2,3
check "short --view named" has "$tmp/err" "view needs EX,EY,EZ,TX,TY,TZ"
expect_rc 2 run "$view" --screenshot "$tmp/x.png" --view 1,1,1,1,1,1
check "eye = target refused" has "$tmp/err" "eye != target"
expect_rc 2 run "$view" --screenshot "$tmp/x.png" --view-angles 0,95
check "bad --view-angles named" has "$tmp/err" "view-angles needs AZ,EL"

echo "test_robot_silhouettes: $checks checks, $failed failed"
((failed == 0))
