#!/usr/bin/env bash
# pilotsim view under Xvfb (ctest runs it through `xvfb-run -a`): the panels'
# cached picture (drawn at most 15 times a second, composited every frame) is
# never stale in a screenshot: one frame apart, running, the Episode panel's
# step and time and the status line change in the picture; paused, the
# composited panels stay the same pixels frame after frame (nothing
# accumulates), and they are the panels' colours over the 3D view.
# usage: test_view_panels.sh PILOTSIM SOURCE_DIR
set -u
source "$(dirname "$0")/sh_harness.sh"
viewer_test_start test_view_panels "$@"
scene=$src/scenes/examples/humanoid_wave.lua
# At 640x360 the column starts at x 302; the Episode panel's status, seed,
# time and step lines lie in y 28..62; the status line is the top 20 rows.
episode="302 28 640 62"
status="0 0 300 20"
opts=(--size 640x360 --no-watch --frame-dt 0.0333 --render-scale 1)

printf '%s\n' "wait 3" "screenshot $tmp/r1.ppm" "wait 1" "screenshot $tmp/r2.ppm" "wait 1" "screenshot $tmp/r3.ppm" \
  quit >"$tmp/r.txt"
expect_rc 0 view "$scene" "${opts[@]}" --script "$tmp/r.txt"
for p in "r1 r2" "r2 r3"; do
  read -r a b <<<"$p"
  de=$("$py" "$stats" diff "$tmp/$a.ppm" "$tmp/$b.ppm" $episode)
  ds=$("$py" "$stats" diff "$tmp/$a.ppm" "$tmp/$b.ppm" $status)
  check "running, $a -> $b (one frame): the Episode panel's text changed (mean difference $de)" calc "${de:-0} > 0.3"
  check "running, $a -> $b: the status line changed (mean difference $ds)" calc "${ds:-0} > 0.3"
done

printf '%s\n' "wait 3" "screenshot $tmp/p1.ppm" "wait 10" "screenshot $tmp/p2.ppm" "wait 30" "screenshot $tmp/p3.ppm" \
  quit >"$tmp/p.txt"
expect_rc 0 view "$scene" "${opts[@]}" --paused --script "$tmp/p.txt"
for b in p2 p3; do
  dp=$("$py" "$stats" diff "$tmp/p1.ppm" "$tmp/$b.ppm" 302 28 640 360)
  check "paused, p1 -> $b: the panel column (below the status line, whose fps changes) is the same pixels (mean difference $dp)" calc "${dp:-99} < 0.05"
done
# The Episode panel's background (0.08 0.09 0.11 at alpha 0.82 over the sky)
# right of its text: dark, a little bluer than red.
read -r r g b <<<"$("$py" "$stats" mean "$tmp/p3.ppm" 600 40 630 60)"
check "the Episode panel's background is its colour over the sky (RGB $r $g $b)" \
  calc "20 < ${r:-0} < 70 and ${r:-0} < ${b:-0} < 90"

echo "test_view_panels: $checks checks, $failed failed"
[[ $failed == 0 ]]
