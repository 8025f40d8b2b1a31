#!/usr/bin/env bash
# Lean start (tools/pilotsim/cli_plugin.h): the pilotsim executable needs none of the
# renderer's, video or HDF5 libraries; headless run, eval, check and record load none
# of them (glibc's LD_DEBUG=files lists every object a process and its workers load,
# dlopen()ed ones included) and work with the renderer plugin hidden
# (PILOTSIM_PLUGIN_DIR pointing at a folder without it); what needs a missing plugin
# fails with exit 3 naming the plugin's path; with the plugins, a camera scene loads
# the renderer only then.
# usage: test_lean_start.sh PILOTSIM SOURCE_DIR
set -u
ps=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$src/tests/sh_harness.sh"
bindir=$(cd "$(dirname "$ps")" && pwd)
heavy='lib(GL|GLX|EGL|OpenGL|glfw|assimp|av(codec|format|util)|swscale|hdf5|freetype|png16|X11)[^/]*\.so'
scene=$src/scenes/examples/pendulum.lua
unset DISPLAY
export PILOTSIM_GL=egl

# traced CODE ARGS...: expect_rc with glibc's loader logging every object each process
# loads into $tmp/ld.PID; loaded [PATTERN]: what those logs name (default: heavy ones).
traced() {
  rm -f "$tmp"/ld.*
  LD_DEBUG=files LD_DEBUG_OUTPUT=$tmp/ld expect_rc "$@"
  unset LD_DEBUG LD_DEBUG_OUTPUT
}
loaded() { cat "$tmp"/ld.* 2>/dev/null | grep -oE "file=[^ ]*${1:-$heavy}" | sort -u | tr '\n' ' '; }

needed=$(ldd "$ps" | grep -oE "$heavy" | sort -u | tr '\n' ' ')
check "the executable needs no renderer, video or HDF5 library (ldd: $needed)" test -z "$needed"

# --- Headless commands with the renderer plugin hidden (the dataset plugin alone beside it).
mkdir -p "$tmp/empty" "$tmp/datasets"
if [[ -e $bindir/pilotsim-hdf5.so ]]; then ln -s "$bindir/pilotsim-hdf5.so" "$tmp/datasets/"; fi
export PILOTSIM_PLUGIN_DIR=$tmp/datasets

traced 0 run "$scene" --steps 200 --quiet
check "run works without the renderer plugin" has "$tmp/out" "^pendulum: timeout steps=200 "
h_lean=$(grep -o 'hash=[0-9a-f]*' "$tmp/out")
libs=$(loaded)
check "run loads no renderer, video or HDF5 library ($libs)" test -z "$libs"

traced 0 eval "$scene" --episodes 2 --jobs 2 --quiet --out "$tmp/ev.jsonl"
check "eval works without the renderer plugin" test "$(grep -c '"status"' "$tmp/ev.jsonl")" = 2
libs=$(loaded)
check "eval (and its workers) load no heavy library ($libs)" test -z "$libs"

traced 0 check "$scene"
libs=$(loaded)
check "check loads no heavy library ($libs)" test -z "$libs"

if [[ -e $bindir/pilotsim-hdf5.so ]]; then
  traced 0 record "$scene" --episodes 1 --jobs 1 --steps 20 --no-policy --out "$tmp/d.hdf5"
  check "record (no cameras) works without the renderer plugin" test -s "$tmp/d.hdf5"
  libs=$(loaded | tr ' ' '\n' | grep -v hdf5 | tr '\n' ' ' | sed 's/ *$//')
  check "record loads libhdf5 and nothing of the renderer ($libs)" test -z "$libs"
  check "record loads the dataset plugin" test -n "$(loaded "$tmp/datasets/pilotsim-hdf5.so")"
fi

# --- What needs a missing plugin says which, and exits 3.
export PILOTSIM_PLUGIN_DIR=$tmp/empty
# (Builds without the renderer or libhdf5 have no plugin to miss: their messages are
# test_media_cli's and test_report's.)
if [[ -e $bindir/pilotsim-render.so ]]; then
  expect_rc 3 run "$src/tests/scenes/camera_demo.lua" --steps 100 --quiet
  check "a camera without the plugin names it" has "$tmp/err" \
    "camera 'front_rgb': rendering failed at step [0-9]*: camera sensors need the renderer plugin $tmp/empty/pilotsim-render.so: .*cannot open shared object file"
  expect_rc 3 run "$scene" --steps 5 --screenshot "$tmp/s.png"
  check "--screenshot without the plugin names it" has "$tmp/err" "rendering needs the renderer plugin $tmp/empty/pilotsim-render.so"
  expect_rc 3 view "$scene"
  check "view without the plugin names it" has "$tmp/err" "pilotsim view needs the renderer plugin $tmp/empty/pilotsim-render.so"
  expect_rc 3 bench --camera
  check "bench --camera without the plugin names it" has "$tmp/err" "needs the renderer plugin $tmp/empty/pilotsim-render.so"
  echo "not a plugin" >"$tmp/empty/pilotsim-render.so"
  expect_rc 3 view "$scene"
  check "a broken plugin: dlerror's reason" has "$tmp/err" "renderer plugin $tmp/empty/pilotsim-render.so: .*file too short"
fi
if [[ -e $bindir/pilotsim-hdf5.so ]]; then
  expect_rc 3 info "$tmp/d.hdf5"
  check "info without the dataset plugin names it" has "$tmp/err" "pilotsim info needs the dataset plugin $tmp/empty/pilotsim-hdf5.so"
fi

# --- With the plugins (beside the executable): a camera scene loads the renderer, the same
# scene without cameras does not, and the state hash is the one of the lean run.
unset PILOTSIM_PLUGIN_DIR
if [[ -e $bindir/pilotsim-render.so ]]; then
  expect_rc 0 run "$scene" --steps 200 --quiet
  check "same hash with the plugins present" test "$(grep -o 'hash=[0-9a-f]*' "$tmp/out")" = "$h_lean"
  traced 0 run "$src/tests/scenes/camera_demo.lua" --seed 1 --param cameras=0 --quiet
  libs=$(loaded)
  check "a scene without cameras loads no heavy library ($libs)" test -z "$libs"
  traced 0 run "$src/tests/scenes/camera_demo.lua" --seed 1 --quiet
  check "a camera scene loads the renderer plugin" test -n "$(loaded "pilotsim-render.so")"
  check "and renders" has "$tmp/out" "^camera_demo: success "
fi

echo "test_lean_start: $checks checks, $failed failed"
((failed == 0))
