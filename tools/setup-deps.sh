#!/usr/bin/env bash
# Installs the Debian 12 packages pilotsim needs, idempotently: only what is missing,
# with a single `apt-get update`, as root or through sudo.
#   tools/setup-deps.sh            everything: build, CLI and the test suite's tools
#   tools/setup-deps.sh --core     only what the headless library and CLI need
#   tools/setup-deps.sh --fuzz     everything, plus clang-14 and its libFuzzer runtime (tools/fuzz.sh)
set -euo pipefail

core=(build-essential cmake pkg-config libode-dev liblua5.4-dev libexpat1-dev libmsgpack-dev)
# The test suite: MuJoCo (a real peer for the URDF cross-check), Debian's
# python3 (JSON checks in the CLI tests) and python3-numpy (the Python binding,
# tools/python/pilotsim, and its test).
tests=(libmujoco-dev python3 python3-numpy)
# The API reference (docs/api/Doxyfile, tests/test_doxygen.sh).
tests+=(doxygen)
# The renderer (render/, PILOTSIM_RENDER): glad generates the GL loader at build time,
# GLFW windows, cglm maths, EGL (Mesa surfaceless/llvmpipe for headless cameras),
# assimp for URDF visual meshes (.dae/.stl/.obj), FreeType + DejaVu Sans Mono for text.
tests+=(python3-glad libglfw3-dev libcglm-dev libegl-dev libgl-dev libegl-mesa0 libgl1-mesa-dri
        libassimp-dev libfreetype-dev fonts-dejavu-core)
# The renderer's levels of detail for visual mesh files: meshoptimizer's simplifier.
tests+=(libmeshoptimizer-dev)
# The viewer's test (tests/test_view.sh): an X server (Xvfb through xvfb-run, which
# needs xauth) and xdotool for real X input events.
tests+=(xvfb xauth xdotool)
# Screenshots and videos (render/src/image_io.c, pilotsim run --screenshot/--video):
# libpng, and FFmpeg's libraries (libavcodec brings libx264 for H.264).
tests+=(libpng-dev libavcodec-dev libavformat-dev libswscale-dev libavutil-dev)
# The HTML report's browser test (tests/test_report.sh): Debian's chromium, run headless.
tests+=(chromium)
# Policy peers (tests/policies/*.py, tools/python/examples): msgpack for Debian's python3.
tests+=(python3-msgpack)
# Scene authors' lint (tests/test_lua_api.sh: luacheck scenes scripts with the sandbox's std).
tests+=(lua-check)
# Installing the Python package offline (pip install --no-build-isolation ./tools/python):
# Debian's pip, setuptools and wheel.
tests+=(python3-pip python3-setuptools python3-wheel)
# Datasets (pilotsim record/replay/info, tools/pilotsim/dataset_h5.c): libhdf5; h5py
# reads them back in tests/test_dataset.sh and pilotsim.dataset. Slurm and munge run the
# single-node job-array test (tests/test_slurm.sh).
tests+=(libhdf5-dev python3-h5py slurm-wlm munge)
tests+=(zlib1g-dev)   # HDF5's deflate filter (libhdf5-dev needs it)
tests+=(libdeflate-dev)   # the dataset plugin compresses chunks itself (dataset_h5.c)
# tests/test_alloc.sh counts the heap's brk calls per step with strace.
tests+=(strace)
extra=("${tests[@]}")
[[ ${1:-} == --core ]] && extra=()
[[ ${1:-} == --fuzz ]] && extra+=(clang-14 libclang-rt-14-dev)

want=("${core[@]}" "${extra[@]}")
missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  echo "setup-deps: all ${#want[@]} packages present"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "setup-deps: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi
echo "setup-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
