#!/usr/bin/env bash
# The README's Quick start, as one script.
#   tools/quickstart.sh          install what is missing, build (release), run the main job
#   tools/quickstart.sh test     install what is missing, build (release), run every test
#   tools/quickstart.sh asan     the same test suite built with ASan+UBSan
#   tools/quickstart.sh norender the library and CLI without the renderer (PILOTSIM_RENDER=OFF),
#                                their tests, and a check that the CLI links no GL library
# Environment: PILOTSIM_WERROR=1 builds with warnings as errors (CI does).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-main}
preset=release
[[ $mode == asan ]] && preset=asan
[[ $mode == norender ]] && preset=norender
case $mode in main|test|asan|norender) ;; *) echo "usage: $0 [main|test|asan|norender]" >&2; exit 2;; esac

if [[ $mode == main ]]; then tools/setup-deps.sh --core; else tools/setup-deps.sh; fi
werror=OFF
[[ ${PILOTSIM_WERROR:-0} == 1 ]] && werror=ON
# The main job needs no renderer (AUTO: built when its packages are there); the test
# suites require it, so a missing package fails the configure instead of skipping tests.
render=AUTO
[[ $mode != main ]] && render=ON
[[ $mode == norender ]] && render=OFF
cmake --preset "$preset" -DPILOTSIM_WERROR="$werror" -DPILOTSIM_RENDER="$render" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)"

if [[ $mode == main ]]; then
  exec tools/main-job.sh "build/$preset/tools/pilotsim/pilotsim"
fi
if [[ $mode == norender ]]; then
  # Headless binaries must not need GL: nothing of GL, EGL, GLFW, assimp or FFmpeg linked in.
  if ldd "build/$preset/tools/pilotsim/pilotsim" "build/$preset/sim/libpilotsim.so" |
       grep -E 'lib(GL|EGL|glfw|assimp|avcodec|avformat|freetype)'; then
    echo "quickstart: the renderer-off build links GL/media libraries" >&2
    exit 1
  fi
fi
exec ctest --preset "$preset"
