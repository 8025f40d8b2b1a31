#!/usr/bin/env bash
# The main job: every example scene run headless, one summary line each.
# Exit status: 0 when every episode succeeded or ran to its limit, else the
# worst pilotsim exit code seen.
set -uo pipefail
cd "$(dirname "$0")/.."
pilotsim=${1:-build/release/tools/pilotsim/pilotsim}
worst=0
for scene in scenes/examples/*.lua; do
  "$pilotsim" run "$scene" --seed 1 --quiet
  rc=$?
  (( rc > worst )) && worst=$rc
done
exit "$worst"
