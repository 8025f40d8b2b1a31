#!/usr/bin/env bash
# Conformance of external policies on every pilot scene: the conformance peer
# (tests/policies/conformance_peer.py over exec: and tcp://, and
# conformance_policy.so over lib:) checks every entry announced at the start
# of the episode arrives whole at every step and answers every action entry;
# a violation ends the episode as script_error. Each scene runs a few steps
# through each interface.
# usage: test_policy_conformance.sh PILOTSIM SOURCE_DIR CONFORMANCE_LIB
set -u
ps=$1
src=$2
lib=$3
py=/usr/bin/python3
peer=$src/tests/policies/conformance_peer.py
tmp=$(mktemp -d)
srv=
trap '[[ -n $srv ]] && kill $srv 2>/dev/null; rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"
ps_out=$tmp
steps=4

"$py" "$peer" --tcp "$tmp/port" --report "$tmp/tcp.report" 2>"$tmp/tcp.err" &
srv=$!
for _ in $(seq 200); do [[ -s $tmp/port ]] && break; sleep 0.05; done
port=$(cat "$tmp/port")

# A renderer-off build (pilotsim view says so) skips the scenes that require a camera:
# they fail to build there with an error naming the missing renderer (test_pilot_pack_e).
norender=0
"$ps" view --help 2>&1 | grep -q "no renderer (PILOTSIM_RENDER=OFF)" && norender=1
for scene in "$src"/scenes/pilot/*.lua; do
  name=$(basename "$scene" .lua)
  if [[ $norender == 1 ]] && grep -q 'world:sensor{type = "camera"' "$scene"; then
    echo "test_policy_conformance: no renderer: skipping camera scene $name"
    continue
  fi
  for kind in exec tcp lib; do
    case $kind in
      exec) spec="exec:exec $py $peer --stdio --report $tmp/exec.report" ;;
      tcp) spec="tcp://127.0.0.1:$port" ;;
      lib) spec="lib:$lib?report=$tmp/lib.report" ;;
    esac
    : >"$tmp/$kind.report"
    expect_rc 0 run "$scene" --steps $steps --policy "$spec" --quiet
    check "$name via $kind: $steps steps, status timeout" has "$tmp/out" "timeout steps=$steps "
    # The peer saw every step with the whole spaces (several entries on every pilot scene).
    [[ $kind == tcp ]] && for _ in $(seq 100); do [[ -s $tmp/tcp.report ]] && break; sleep 0.02; done
    check "$name via $kind: the peer checked $steps observations" grep -q "steps=$steps" "$tmp/$kind.report"
    line=$(head -n 1 "$tmp/$kind.report")
    nobs=$(sed -n 's/.*obs=\([0-9]*\).*/\1/p' <<<"$line")
    nact=$(sed -n 's/.* act=\([0-9]*\).*/\1/p' <<<"$line")
    check "$name via $kind: several entries ($line)" test $((${nobs:-0} + ${nact:-0})) -ge 3
  done
done

echo "test_policy_conformance: $checks checks, $failed failed"
[[ $failed == 0 ]]
