#!/usr/bin/env bash
# pilotsim view under Xvfb (ctest runs it through `xvfb-run -a`): a dark scene
# (`view.darkness`, scenes/pilot/security_night_patrol.lua: 0.75) is drawn as dark
# as `pilotsim run --screenshot` draws it; B and --daylight brighten it, B again
# darkens it; a scene without darkness looks the same either way; shadows with
# their static part cached keep the pixels of shadows drawn whole.
# usage: test_view_light.sh PILOTSIM SOURCE_DIR
set -u
source "$(dirname "$0")/sh_harness.sh"
viewer_test_start test_view_light "$@"
night=$src/scenes/pilot/security_night_patrol.lua
# The 3D view below the status and note lines (the panels are hidden).
area="0 48 -1 -1"
opts=(--size 320x180 --no-panels --paused --frame-dt 0.0333)

printf '%s\n' "wait 2" "screenshot $tmp/dark.ppm" "key b" "wait 2" "screenshot $tmp/bright.ppm" "key b" "wait 2" \
  "screenshot $tmp/dark2.ppm" quit >"$tmp/s.txt"
expect_rc 0 view "$night" "${opts[@]}" --script "$tmp/s.txt"
check "B logs daylight" has "$tmp/out" "daylight: the scene's darkness is ignored"
read -r dr dg _ <<<"$("$py" "$stats" mean "$tmp/dark.ppm" $area)"
read -r br bg _ <<<"$("$py" "$stats" mean "$tmp/bright.ppm" $area)"
check "the night scene is dark in the viewer (R G $dr $dg against $br $bg in daylight)" \
  calc "0.15 * ${br:-0} < ${dr:-0} < 0.4 * ${br:-0} and 0.15 * ${bg:-0} < ${dg:-0} < 0.4 * ${bg:-0}"
d2=$("$py" "$stats" diff "$tmp/dark.ppm" "$tmp/dark2.ppm" $area)
check "B again: as dark as before (mean difference $d2)" calc "${d2:-99} < 0.5"

# The same view and darkness as `pilotsim run --screenshot` (one step later: the
# robot has barely moved).
expect_rc 0 run "$night" --quiet --steps 1 --video-size 320x180 --screenshot "$tmp/run.png"
dr=$("$py" "$stats" diff "$tmp/dark.ppm" "$tmp/run.png" $area)
check "viewer and run --screenshot agree on the night scene (mean difference $dr)" calc "${dr:-99} < 3"

printf '%s\n' "wait 2" "screenshot $tmp/day.ppm" quit >"$tmp/l.txt"
expect_rc 0 view "$night" "${opts[@]}" --daylight --script "$tmp/l.txt"
dl=$("$py" "$stats" diff "$tmp/day.ppm" "$tmp/bright.ppm" $area)
check "--daylight starts brightened (mean difference to B's picture $dl)" calc "${dl:-99} < 0.5"

# Shadows with the static casters' part of the map cached (a heightfield floor and
# rock walls): the first frame (drawn whole), a later one (copied from the cache),
# and one after orbiting away (the cache dropped) and back (Home) are the same.
drift=$src/scenes/pilot/underground_collapsed_drift.lua
printf '%s\n' "screenshot $tmp/h0.ppm" "wait 10" "screenshot $tmp/h1.ppm" "drag left 100 100 200 120 5" "wait 5" \
  "screenshot $tmp/h2.ppm" "key home" "wait 5" "screenshot $tmp/h3.ppm" quit >"$tmp/h.txt"
expect_rc 0 view "$drift" "${opts[@]}" --script "$tmp/h.txt"
d1=$("$py" "$stats" diff "$tmp/h0.ppm" "$tmp/h1.ppm" $area)
d2=$("$py" "$stats" diff "$tmp/h0.ppm" "$tmp/h2.ppm" $area)
d3=$("$py" "$stats" diff "$tmp/h0.ppm" "$tmp/h3.ppm" $area)
check "cached static shadows: a later frame equals the first (mean difference $d1)" calc "${d1:-99} == 0"
check "the orbit changed the picture (mean difference $d2)" calc "${d2:-0} > 2"
check "back at Home after the orbit: the first frame's pixels (mean difference $d3)" calc "${d3:-99} == 0"

# A daylight scene: B changes nothing.
printf '%s\n' "wait 2" "screenshot $tmp/c0.ppm" "key b" "wait 2" "screenshot $tmp/c1.ppm" quit >"$tmp/c.txt"
expect_rc 0 view "$src/tests/scenes/view_crate.lua" "${opts[@]}" --camera -8,0,3,0,0,0.3 --script "$tmp/c.txt"
dc=$("$py" "$stats" diff "$tmp/c0.ppm" "$tmp/c1.ppm" $area)
check "a scene without darkness looks the same after B (mean difference $dc)" calc "${dc:-99} < 0.5"

echo "test_view_light: $checks checks, $failed failed"
[[ $failed == 0 ]]
