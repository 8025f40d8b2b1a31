#!/usr/bin/env bash
# Measures the viewer's frame rate at 1280x720 under Xvfb (Mesa llvmpipe) for
# every example and pilot scene and prints a Markdown table.
#   tools/viewer_fps.sh [FRAMES] [SCENE.lua...]
# FRAMES: frames per scene (default 240). Scenes: default every
# scenes/examples/*.lua and scenes/pilot/*.lua (pilot_base.lua is a module).
# $PILOTSIM: the pilotsim binary (default build/release/tools/pilotsim/pilotsim).
# Columns: fps (wall clock), the 3D view's resolution at the end (the
# automatic step, pilotsim view --render-scale), CPU ms per frame over all
# threads, of which the physics thread, and the rest (drawing: the frame
# thread and llvmpipe's rasteriser threads), the target (60 examples, 30
# pilots) and whether the fps met it. Extra view options: $VIEW_OPTS. On a loaded machine wall-clock fps undercounts: the CPU columns
# are the trustworthy ones. The load average is printed before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-240}
[[ $frames =~ ^[0-9]+$ && $frames -gt 0 ]] || { echo "usage: $0 [FRAMES] [SCENE.lua...]" >&2; exit 2; }
shift || true
pilotsim=${PILOTSIM:-build/release/tools/pilotsim/pilotsim}
[[ -x $pilotsim ]] || { echo "$0: no pilotsim binary at $pilotsim (build first or set PILOTSIM)" >&2; exit 2; }
command -v xvfb-run >/dev/null || { echo "$0: xvfb-run not found (tools/setup-deps.sh installs xvfb)" >&2; exit 2; }
if [[ $# -gt 0 ]]; then
  scenes=("$@")
else
  scenes=(scenes/examples/*.lua)
  for s in scenes/pilot/*.lua; do [[ $(basename "$s") == pilot_base.lua ]] || scenes+=("$s"); done
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo
echo "| scene | fps | 3D res | CPU ms/frame | physics | drawing | target | met |"
echo "|---|---:|---:|---:|---:|---:|---:|:-:|"
for s in "${scenes[@]}"; do
  target=60
  [[ $s == *pilot/* ]] && target=30
  name=$(basename "$s" .lua)
  if ! xvfb-run -a -s "-screen 0 1280x720x24" "$pilotsim" view "$s" --frames "$frames" --fps-report --no-vsync \
      --size 1280x720 ${VIEW_OPTS:-} >"$tmp/out" 2>&1; then
    echo "| $name | error | | | | | $target | no |"
    sed 's/^/    /' "$tmp/out" | tail -3 >&2
    continue
  fi
  fps=$(sed -n 's/.*fps=\([0-9.]*\).*/\1/p' "$tmp/out" | head -1)
  res=$(sed -n 's/.* 3d=\([0-9]*%\).*/\1/p' "$tmp/out" | head -1)
  cpu=$(sed -n 's/.*cpu ms\/frame: \([0-9.]*\) .*/\1/p' "$tmp/out" | head -1)
  phys=$(sed -n 's/.*physics thread \([0-9.]*\)$/\1/p' "$tmp/out" | head -1)
  draw=$(awk -v a="$cpu" -v b="$phys" 'BEGIN { printf "%.1f", a - b }')
  met=$(awk -v f="$fps" -v t="$target" 'BEGIN { print (f >= t) ? "yes" : "no" }')
  echo "| $name | $fps | $res | $cpu | $phys | $draw | $target | $met |"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
