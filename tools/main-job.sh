#!/usr/bin/env bash
# The main job: every example and pilot-pack scene evaluated headless with its baseline policy
# (a scene without one runs without a policy, as `pilotsim run` does), 3
# episodes each on 2 worker processes, then the report (per scene: success
# rate with its Wilson 95% interval, mean return and sim time, safety
# violations, steps/s) ending with `eval: N passed, M failed`, and the HTML report
# (its path on the last line of stderr: `eval: report written to ...`).
# Exit status: pilotsim eval's: 0 every scene passed, 1 one did not, 2 usage
# error, 3 runtime error (a scene failed to load, interrupted) or an episode
# that could not be evaluated (script_error, policy_error, crashed, timeout_wall).
set -uo pipefail
cd "$(dirname "$0")/.."
pilotsim=${1:-build/release/tools/pilotsim/pilotsim}
# The HTML report (open it in a browser; `pilotsim report` makes one from JSONL files).
report=${2:-$(dirname "$pilotsim")/eval-report.html}
# Without the renderer (PILOTSIM_RENDER=OFF) the scenes that require a camera cannot run:
# they are left out, named on stderr.
scenes=()
norender=0
"$pilotsim" view --help 2>&1 | grep -q "no renderer (PILOTSIM_RENDER=OFF)" && norender=1
for f in scenes/examples/*.lua scenes/pilot/*.lua; do
  if [[ $norender == 1 ]] && grep -q 'world:sensor{type = "camera"' "$f"; then
    echo "main-job: no renderer: skipping camera scene $f" >&2
    continue
  fi
  scenes+=("$f")
done
exec "$pilotsim" eval "${scenes[@]}" --episodes 3 --jobs 2 --html "$report"
