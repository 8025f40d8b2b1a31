#!/usr/bin/env bash
# Installs pilotsim into a temporary prefix, then, from outside the source tree, builds the
# embedding example (examples/embed) with find_package and with pkg-config, runs both and the
# installed CLI on an installed scene, and checks all three print the same state hash as the
# build tree's CLI. Also: the installed CLI finds its data with no source path compiled in.
# usage: test_install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/pilotsim lib/libpilotsim.so lib/libpilotsim.a include/pilotsim/pilotsim.h \
         lib/cmake/pilotsim/pilotsimConfig.cmake lib/pkgconfig/pilotsim.pc \
         share/pilotsim/scripts/robots/diffdrive.lua share/pilotsim/scenes/examples/pendulum.lua \
         share/pilotsim/assets/example-robot-data/LICENSE share/pilotsim/python/pilotsim/__init__.py; do
  [[ -e $prefix/$f ]] || { echo "FAIL: install lacks $f"; exit 1; }
done
if grep -q "$src" "$prefix/bin/pilotsim"; then echo "FAIL: the installed CLI has the source path compiled in"; exit 1; fi

scene=scenes/examples/diffdrive_square.lua
want=$("$build/tools/pilotsim/pilotsim" run "$src/$scene" --seed 3 --quiet | grep -o 'hash=[0-9a-f]*\|hash [0-9a-f]*' | grep -o '[0-9a-f]\{16\}')
[[ -n $want ]] || { echo "FAIL: no hash from the build tree's CLI"; exit 1; }

# The installed CLI, run from elsewhere with a clean environment: data found beside the binary.
cd "$tmp"
got=$(env -u PILOTSIM_DATA -u PILOTSIM_MODULE_PATH "$prefix/bin/pilotsim" run "$prefix/share/pilotsim/$scene" --seed 3 --quiet |
      grep -o '[0-9a-f]\{16\}' | head -1)
[[ $got == "$want" ]] || { echo "FAIL: installed CLI hash $got != $want"; exit 1; }

# The installed CLI finds its plugins (tools/pilotsim/cli_plugin.h) in LIBDIR/pilotsim,
# relative to its own folder: a dataset, and a rendered screenshot of it replayed.
if [[ -e $build/tools/pilotsim/pilotsim-hdf5.so ]]; then
  [[ -n $(find "$prefix" -path '*/pilotsim/pilotsim-hdf5.so') ]] || { echo "FAIL: install lacks pilotsim-hdf5.so"; exit 1; }
  env -u PILOTSIM_DATA -u PILOTSIM_PLUGIN_DIR "$prefix/bin/pilotsim" record "$prefix/share/pilotsim/$scene" \
    --episodes 1 --jobs 1 --steps 20 --no-policy --out "$tmp/demo.hdf5" >/dev/null 2>"$tmp/rec.err" ||
    { echo "FAIL: the installed CLI cannot record: $(cat "$tmp/rec.err")"; exit 1; }
  env -u PILOTSIM_PLUGIN_DIR "$prefix/bin/pilotsim" info "$tmp/demo.hdf5" | grep -q "1 demo, 20 steps" ||
    { echo "FAIL: the installed CLI's info does not show the demo"; exit 1; }
fi
if [[ -e $build/tools/pilotsim/pilotsim-render.so ]]; then
  [[ -n $(find "$prefix" -path '*/pilotsim/pilotsim-render.so') ]] || { echo "FAIL: install lacks pilotsim-render.so"; exit 1; }
  PILOTSIM_GL=egl env -u DISPLAY -u PILOTSIM_DATA -u PILOTSIM_PLUGIN_DIR "$prefix/bin/pilotsim" run \
    "$prefix/share/pilotsim/$scene" --steps 5 --quiet --screenshot "$tmp/shot.png" --video-size 64x48 >/dev/null 2>"$tmp/shot.err" ||
    { echo "FAIL: the installed CLI cannot render: $(cat "$tmp/shot.err")"; exit 1; }
  [[ -s $tmp/shot.png ]] || { echo "FAIL: no screenshot from the installed CLI"; exit 1; }
fi

# find_package
cp -r "$src/examples/embed" "$tmp/embed"
cmake -S "$tmp/embed" -B "$tmp/b1" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$tmp/b1" >/dev/null
out=$(PILOTSIM_DATA="$prefix/share/pilotsim" "$tmp/b1/embed" "$prefix/share/pilotsim/$scene" 3)
echo "find_package: $out"
[[ $out == *"hash=$want"* ]] || { echo "FAIL: find_package build gave '$out', want hash $want"; exit 1; }

# pkg-config, shared
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" cc "$tmp/embed/main.c" $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs pilotsim) \
  -Wl,-rpath,"$prefix/lib" -o "$tmp/embed_pc"
out=$(PILOTSIM_DATA="$prefix/share/pilotsim" "$tmp/embed_pc" "$prefix/share/pilotsim/$scene" 3)
echo "pkg-config: $out"
[[ $out == *"hash=$want"* ]] || { echo "FAIL: pkg-config build gave '$out', want hash $want"; exit 1; }

# pkg-config --static: the static library with its private dependencies
cc "$tmp/embed/main.c" $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --static --cflags pilotsim) \
  "$prefix/lib/libpilotsim.a" $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --static --libs-only-l pilotsim | sed 's/-lpilotsim//') \
  -o "$tmp/embed_static"
out=$(PILOTSIM_DATA="$prefix/share/pilotsim" "$tmp/embed_static" "$prefix/share/pilotsim/$scene" 3)
[[ $out == *"hash=$want"* ]] || { echo "FAIL: static build gave '$out', want hash $want"; exit 1; }
echo "install: 1 passed, 0 failed"
