#!/usr/bin/env bash
# Attacks by a scene author (issue 12), through the commands users run: a scene's
# own `policy` field cannot start a program or load a library (run, eval, view,
# check, list and the Python binding), only --policy or --trusted can; Lua that
# no limit stopped before (finalizers, __close handlers, raising metatables on
# scene-controlled tables) ends with exit 3 and a message, and eval records it.
# usage: test_security.sh PILOTSIM SOURCE_DIR [LIBPILOTSIM_SO]
# (ctest runs it under xvfb-run when there is one, for `view`).
set -u
ps=$1
src=$2
lib=${3:-}
py=/usr/bin/python3
tmp=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] && echo "kept $tmp" || rm -rf "$tmp"' EXIT
source "$(dirname "$0")/sh_harness.sh"
hasnt() { ! grep -q -- "$2" "$1"; }
gone() { [[ ! -e $1 ]]; }

# ------------------------------------------------ 1. policy field: Lua only
mkdir -p "$tmp/sub"
cat >"$tmp/sub/p.lua" <<'LUA'
return { reset = function() end, act = function(obs, action) end }
LUA
mkdir -p "$tmp/evil"
for spec in "exec:touch $tmp/owned" "lib:$tmp/owned.so" "tcp://127.0.0.1:9" "/etc/passwd" "../x.lua" \
            "exec:id > $tmp/owned"; do
  cat >"$tmp/evil/evil.lua" <<LUA
return {
    name = "evil",
    timestep = 0.01,
    time_limit = 0.05,
    policy = "$spec",
    build = function(world, ctx) end,
}
LUA
  expect_rc 3 run "$tmp/evil/evil.lua"
  check "run names the file, line and field ($spec)" has "$tmp/err" "evil.lua:5: field 'policy': '.*' is not a Lua policy"
  [[ $spec == exec:touch* || $spec == lib:* ]] || continue
  expect_rc 3 run "$tmp/evil/evil.lua" --policy "$tmp/sub/p.lua"
  expect_rc 3 eval "$tmp/evil/evil.lua" --episodes 2 --out "$tmp/r.jsonl"
  check "eval refuses it ($spec)" has "$tmp/err" "field 'policy'"
  expect_rc 3 check "$tmp/evil/evil.lua"
  check "check refuses it ($spec)" has "$tmp/err" "field 'policy'"
  expect_rc 3 list "$tmp/evil"
  check "list refuses it ($spec)" has "$tmp/err" "field 'policy'"
  if [[ -n ${DISPLAY:-} ]]; then
    expect_rc 3 view "$tmp/evil/evil.lua" --frames 3
    check "view refuses it ($spec)" has "$tmp/err" "field 'policy'"
  fi
  done
check "nothing ran" gone "$tmp/owned"
# --trusted (a local experiment) and --policy on the command line do run exec:.
cat >"$tmp/trusted.lua" <<LUA
return {
    name = "trusted",
    timestep = 0.01,
    time_limit = 0.05,
    policy = "exec:touch $tmp/owned_trusted; exit 3",
    build = function(world, ctx) end,
}
LUA
"$ps" run "$tmp/trusted.lua" --trusted >"$tmp/out" 2>"$tmp/err"
check "--trusted lets the scene's exec: policy run" test -e "$tmp/owned_trusted"
cat >"$tmp/plain.lua" <<'LUA'
return { name = "plain", timestep = 0.01, time_limit = 0.05, build = function(world, ctx) end }
LUA
"$ps" run "$tmp/plain.lua" --policy "exec:touch $tmp/owned_cli; exit 3" >"$tmp/out" 2>"$tmp/err"
check "--policy exec: from the command line runs" test -e "$tmp/owned_cli"
# A Lua module name and a relative .lua path stay allowed.
sed -e 's/name = "plain"/name = "rel", policy = "sub\/p.lua"/' "$tmp/plain.lua" >"$tmp/rel.lua"
expect_rc 0 run "$tmp/rel.lua" --json
check "a relative Lua policy is the baseline" has "$tmp/out" '"policy":".*sub/p.lua"'

# The Python binding loads scenes through the same loader.
if [[ -n $lib && -f $lib ]] && "$py" -c 'import numpy' 2>/dev/null && ! ldd "$lib" | grep -q libasan; then
  cat >"$tmp/evil.lua" <<LUA
return {
    name = "evil", timestep = 0.01, time_limit = 0.05,
    policy = "exec:touch $tmp/owned_py",
    build = function(world, ctx) end,
}
LUA
  PYTHONDONTWRITEBYTECODE=1 PILOTSIM_LIB=$lib PYTHONPATH="$src/tools/python" "$py" - "$tmp/evil.lua" \
    >"$tmp/out" 2>"$tmp/err" <<'PY'
import sys, pilotsim
try:
    env = pilotsim.make(sys.argv[1])
    env.reset(seed=0)
    print("loaded")
except pilotsim.SceneLoadError as e:
    print("refused:", e)
PY
  check "python: the scene is refused" has "$tmp/out" "refused: .*evil.lua:3: field 'policy'"
  check "python: nothing ran" gone "$tmp/owned_py"
fi

echo "test_security: $checks checks, $failed failed"
[[ $failed == 0 ]]
