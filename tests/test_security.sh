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
src=$(cd "$2" && pwd)
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
    # (under ASan, Mesa's DRI driver leaves allocations LeakSanitizer reports
    # from "<unknown module>" once GLFW closes the display: see test_view.sh)
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
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

# ---------------------------------- 2. Lua that ran outside every limit
# Each attack: a scene file, the exit code of `run`, a pattern its stderr or
# stdout must hold. Before: a hang (finalizer or __close loop, hooks off) or
# exit 134 without a message (a raising metamethod read from C).
mkdir -p "$tmp/atk"
HEAD='return { name = "atk", timestep = 0.01, time_limit = 0.05,'
LOOP='function() while true do end end'
declare -A atk_src atk_rc atk_msg
atk() { atk_src[$1]=$2; atk_rc[$1]=$3; atk_msg[$1]=$4; }
atk gc_load "setmetatable({}, {__gc = $LOOP})
$HEAD build = function(world, ctx) end }" 3 "gc_load.lua:1: setmetatable: __gc (finalizers) is not available"
atk gc_step "$HEAD build = function(world, ctx) end,
  step = function(ctx) setmetatable({}, {__gc = $LOOP}) end }" 3 "gc_step.lua:2: setmetatable: __gc"
atk gc_added_later "local mt = {}
local t = setmetatable({}, mt)
mt.__gc = $LOOP
t = nil
collectgarbage()
$HEAD build = function(world, ctx) end }" 0 "atk: timeout steps=5"
atk close_load "local function f()
  local x < close > = setmetatable({}, {__close = $LOOP})
end
$HEAD build = function(world, ctx) end }" 3 "close_load.lua:2: to-be-closed variables ('<close>') are not available"
atk close_coroutine "$HEAD build = function(world, ctx) end,
  step = function(ctx)
    local co = coroutine.wrap(function()
      local x <close> = setmetatable({}, {__close = $LOOP})
      while true do end
    end)
    co()
  end }" 3 "close_coroutine.lua:4: to-be-closed"
atk close_reader "local parts, i = {'local x <cl', 'ose> = nil'}, 0
assert(load(function() i = i + 1; return parts[i] end))
$HEAD build = function(world, ctx) end }" 3 "(load):1: to-be-closed"
atk close_require "require 'tbc_mod'
$HEAD build = function(world, ctx) end }" 3 "tbc_mod.lua:1: to-be-closed"
atk close_in_string "local s = 'local x <close> = nil' -- <close>
local t = {a = 1} local y = t.a < 2 and 3 > 2
$HEAD build = function(world, ctx) end }" 0 "atk: timeout steps=5"
atk index_scene "return setmetatable({ name = 'atk', timestep = 0.01, time_limit = 0.05, build = function() end },
  {__index = function() error('boom') end})" 3 "index_scene.lua: the scene table must be a plain table"
atk index_world "$HEAD build = function(world, ctx) end,
  world = setmetatable({}, {__index = function() error('boom') end}),
  params = setmetatable({}, {__index = $LOOP, __pairs = $LOOP}) }" 0 "atk: timeout steps=5"
atk index_ctx "$HEAD
  build = function(world, ctx)
    ctx.t, ctx.step, ctx.action, ctx.obs, ctx.state = nil, nil, nil, nil, nil
    setmetatable(ctx, {__index = function() error('boom') end, __newindex = $LOOP})
  end }" 0 "atk: timeout steps=5"
atk index_ctx_act "$HEAD
  action = { f = { shape = {1} } },
  act = function(ctx, action) end,
  build = function(world, ctx)
    ctx.action = nil
    setmetatable(ctx, {__index = function() error('boom') end, __newindex = function() error('boom') end})
  end }" 0 "atk: timeout steps=5"
atk loop_load "while true do end
$HEAD build = function(world, ctx) end }" 3 "loop_load.lua:1: instruction budget exceeded"
atk iterations_huge "$HEAD build = function(world, ctx) end, world = { iterations = 1e12 } }" 3 \
  "field 'iterations': world.iterations must be an integer in 1..10000, got 1000000000000"
atk iterations_max "$HEAD build = function(world, ctx) end, world = { iterations = 2^31 - 1 } }" 3 \
  "world.iterations must be an integer in 1..10000"
echo "local x <close> = nil return {}" >"$tmp/atk/tbc_mod.lua"
for name in "${!atk_src[@]}"; do
  printf '%s\n' "${atk_src[$name]}" >"$tmp/atk/$name.lua"
done
for name in "${!atk_src[@]}"; do
  start=$SECONDS
  expect_rc "${atk_rc[$name]}" run "$tmp/atk/$name.lua"
  check "$name: message" grep -qF -- "${atk_msg[$name]}" "$tmp/err" "$tmp/out"
  check "$name: within 30 s" test $((SECONDS - start)) -lt 30
  if [[ ${atk_rc[$name]} == 3 ]] && ! grep -q 'steps=' "$tmp/out"; then # a load error
    expect_rc 3 check "$tmp/atk/$name.lua"
    check "$name: check names it" grep -qF -- "${atk_msg[$name]}" "$tmp/err"
  fi
done
# list goes through every scene of the folder: the load errors on stderr, exit 3, no hang.
timeout 120 "$ps" list "$tmp/atk" >"$tmp/out" 2>"$tmp/err"
check "list: exit 3 (got $?)" test $? = 3
check "list: reports the finalizer" grep -qF "setmetatable: __gc" "$tmp/err"
check "list: reports the scene table" grep -qF "must be a plain table" "$tmp/err"
# eval: a step-time attack is recorded as an episode error; the parent lives.
timeout 120 "$ps" eval "$tmp/atk/gc_step.lua" "$tmp/atk/close_coroutine.lua" "$tmp/atk/index_ctx.lua" \
  --episodes 2 --out "$tmp/atk.jsonl" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "eval: exit 1 or 3, not a crash (got $rc)" test $rc = 1 -o $rc = 3
if [[ $rc == 1 ]]; then
  check "eval: the finalizer attack recorded" grep -q '"status":"script_error".*setmetatable: __gc' "$tmp/atk.jsonl"
  check "eval: the ctx attack runs normally" grep -q '"scenario":"atk".*"status":"timeout"' "$tmp/atk.jsonl"
fi
# A Lua policy: a module that is not a table, a module with a raising
# __index, a policy with a finalizer, one with <close>.
printf 'return 5\n' >"$tmp/pol_num.lua"
printf 'return setmetatable({act = function() end}, {__index = function() error("boom") end})\n' >"$tmp/pol_idx.lua"
printf 'return {act = function(o, a) setmetatable({}, {__gc = function() while true do end end}) end}\n' >"$tmp/pol_gc.lua"
printf 'local x <close> = nil\nreturn {act = function() end}\n' >"$tmp/pol_tbc.lua"
expect_rc 3 run "$tmp/plain.lua" --policy "$tmp/pol_num.lua"
check "policy returning 5: message" has "$tmp/err" "a policy module must return a table"
expect_rc 0 run "$tmp/plain.lua" --policy "$tmp/pol_idx.lua"
"$ps" run "$tmp/plain.lua" --policy "$tmp/pol_gc.lua" >"$tmp/out" 2>"$tmp/err"
check "policy with __gc: script_error" grep -q "setmetatable: __gc" "$tmp/out" "$tmp/err"
expect_rc 3 run "$tmp/plain.lua" --policy "$tmp/pol_tbc.lua"
check "policy with <close>: refused at load" has "$tmp/err" "pol_tbc.lua:1: to-be-closed"

# ------------------------------------------------ 3. memory and body caps
cat >"$tmp/many.lua" <<'LUA'
return { name = "many", timestep = 0.01, time_limit = 0.02,
  params = { n = { default = 10001, min = 1, max = 1e7, integer = true } },
  world = { max_bodies = 1000000 },
  build = function(world, ctx)
    for i = 1, ctx.params.n do world:body{ pos = {i, 0, 1}, geoms = {{ type = "sphere", radius = 0.1 }} } end
  end }
LUA
sed 's/ world = { max_bodies = 1000000 },//' "$tmp/many.lua" >"$tmp/many_default.lua"
expect_rc 3 run "$tmp/many_default.lua"
check "bodies per world: the default cap" grep -q "body '': the world holds 10000 bodies, its limit (world max_bodies)" "$tmp/err"
sed 's/max_bodies = 1000000/max_bodies = 1e7/' "$tmp/many.lua" >"$tmp/many_bad.lua"
expect_rc 3 run "$tmp/many_bad.lua"
check "max_bodies over the hard limit" has "$tmp/err" "world.max_bodies must be an integer in 1..1000000"
expect_rc 3 run "$tmp/many.lua" --param n=100000 --memory-limit 40
check "memory cap: a clean error naming the option" has "$tmp/err" \
  "memory cap reached: the process holds [0-9]* MiB, over its limit of 40 MiB (--memory-limit, PILOTSIM_MEMORY_LIMIT)"
PILOTSIM_MEMORY_LIMIT=40 "$ps" run "$tmp/many.lua" --param n=100000 >"$tmp/out" 2>"$tmp/err"
check "memory cap from PILOTSIM_MEMORY_LIMIT" has "$tmp/err" "over its limit of 40 MiB"
expect_rc 0 run "$tmp/many.lua" --param n=2000 --memory-limit 0
expect_rc 2 run "$tmp/many.lua" --memory-limit lots
timeout 120 "$ps" eval "$tmp/many.lua" --param n=100000 --memory-limit 40 --episodes 2 --out "$tmp/mem.jsonl" \
  >"$tmp/out" 2>"$tmp/err"
check "eval: the memory cap recorded as script_error" grep -q '"status":"script_error".*memory cap reached' "$tmp/mem.jsonl"

# -------------------------------------- 4. require and symlinks out of the folder
mkdir -p "$tmp/req/sub" "$tmp/outside"
echo 'return "SECRET-7f3a"' >"$tmp/outside/secret.lua"
echo 'return 42' >"$tmp/req/real.lua"
ln -s /etc/passwd "$tmp/req/passwd.lua"
ln -s "$tmp/outside/secret.lua" "$tmp/req/secret.lua"
ln -s ../real.lua "$tmp/req/sub/inside.lua"
ln -s "$src/scripts/scenario/safety.lua" "$tmp/req/tosafety.lua"
ln -s "$tmp/outside" "$tmp/req/outdir"
for mod in passwd secret outdir.secret; do
  printf 'local x = require "%s"\nreturn { name = "req", timestep = 0.01, time_limit = 0.05,\n  build = function(world, ctx) print(x) end }\n' \
    "$mod" >"$tmp/req/req_$mod.lua"
  expect_rc 3 run "$tmp/req/req_$mod.lua"
  check "require '$mod': refused, naming the resolved path" has "$tmp/err" "resolves to .*, outside the scene's folder and the module paths"
  check "require '$mod': no contents echoed" bash -c "! grep -q -e 'root:' -e 'SECRET-7f3a' '$tmp/err' '$tmp/out'"
done
printf 'local a, b = require "sub.inside", require "tosafety"\nreturn { name = "req", timestep = 0.01, time_limit = 0.05,\n  build = function(world, ctx) assert(a == 42 and type(b) == "table") end }\n' >"$tmp/req/ok.lua"
expect_rc 0 run "$tmp/req/ok.lua"
# the scene's policy field, a link out of its folder
echo 'return { act = function() end }' >"$tmp/outside/pol.lua"
ln -s "$tmp/outside/pol.lua" "$tmp/req/pol.lua"
printf 'return { name = "req", timestep = 0.01, time_limit = 0.05, policy = "pol.lua",\n  build = function(world, ctx) end }\n' >"$tmp/req/polscene.lua"
expect_rc 3 run "$tmp/req/polscene.lua"
check "policy field through a link out: refused" has "$tmp/err" "polscene.lua: field 'policy': 'pol.lua' resolves to .*outside"

# ------------------------------- 5. exec: peers that call setsid die with pilotsim
alive() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
# (a) the peer leaves a setsid'd process behind and exits: swept when it ends
"$ps" run "$tmp/plain.lua" --policy "exec:setsid sleep 300 >/dev/null 2>&1 & echo \$! >$tmp/pid_a; exit 0" \
  >"$tmp/out" 2>"$tmp/err"
sleep 0.3
check "setsid'd leftover of an exited peer is gone" test -s "$tmp/pid_a"
check "setsid'd leftover of an exited peer is gone (pid $(cat "$tmp/pid_a" 2>/dev/null))" bash -c "! kill -0 \$(cat $tmp/pid_a) 2>/dev/null"
# (b) pilotsim SIGKILLed while the peer (and its setsid'd child) hang;
# (c) the command itself calls setsid (it leaves the supervisor's group)
specs=("exec:setsid sleep 300 >/dev/null 2>&1 & echo \$! >$tmp/pid_b; sleep 300"
       "exec:exec setsid sh -c 'echo \$\$ >$tmp/pid_c; sleep 300'")
for k in 0 1; do
  pf=$tmp/pid_$([[ $k == 0 ]] && echo b || echo c)
  "$ps" run "$tmp/plain.lua" --policy "${specs[$k]}" >/dev/null 2>&1 &
  pspid=$!
  for i in $(seq 100); do [[ -s $pf ]] && break; sleep 0.1; done
  kill -9 "$pspid"
  wait "$pspid" 2>/dev/null
  for i in $(seq 30); do alive "$pf" || break; sleep 0.1; done
  check "peer ${specs[$k]:0:30}...: its setsid'd process died with pilotsim" bash -c "[[ -s $pf ]] && ! kill -0 \$(cat $pf) 2>/dev/null"
  alive "$pf" && kill -9 "$(cat "$pf")"
done

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
