#!/usr/bin/env bash
# The Python package (tools/python/pilotsim: ctypes + numpy over libpilotsim.so), run
# with Debian's /usr/bin/python3 and python3-numpy: a PD controller written in Python
# drives an inline cart scene to success; same seed => same state-hash sequence, bit for
# bit `pilotsim run`'s; load and build errors become exceptions carrying file:line;
# zero-copy views (an option) keep their episode's memory alive; state bytes restore in
# another Env; the ctypes structs match the C layout (compiled sizeof/offsetof). Then
# tests/python/test_gym.py checks the Gymnasium contract (without gymnasium, then with the
# stand-in module of tests/python/standin), and the package is pip-installed offline
# into a venv and must find the library under that prefix.
# usage: test_python.sh LIBPILOTSIM_SO_OR_BUILD_DIR SOURCE_DIR
# Under the asan preset the library needs the ASan runtime loaded first: the script
# preloads it into python (LD_PRELOAD=libasan.so, leak detection off since CPython keeps
# memory at exit); PILOTSIM_PY_NO_ASAN_PRELOAD=1 makes it skip instead.
set -u
lib=$1
src=$2
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [[ -d $lib ]]; then lib=$lib/sim/libpilotsim.so; fi
if [[ ! -f $lib ]]; then
  echo "test_python: no library at $lib" >&2
  echo "test_python: 1 checks, 1 failed"
  exit 1
fi
if ! "$py" -c 'import numpy' 2>/dev/null; then
  echo "test_python: $py cannot import numpy: install python3-numpy (tools/setup-deps.sh)" >&2
  echo "test_python: 1 checks, 1 failed"
  exit 1
fi

# A sanitizer build: preload its ASan runtime into python.
if ldd "$lib" 2>/dev/null | grep -q 'libasan'; then
  if [[ ${PILOTSIM_PY_NO_ASAN_PRELOAD:-} == 1 ]]; then
    echo "test_python: SKIPPED: $lib is an ASan build and PILOTSIM_PY_NO_ASAN_PRELOAD=1"
    exit 0
  fi
  asan_rt=$(ldd "$lib" | awk '/libasan/ {print $3; exit}')
  if [[ -z $asan_rt || ! -f $asan_rt ]]; then
    echo "test_python: SKIPPED: $lib is an ASan build and its runtime was not found to preload"
    exit 0
  fi
  export LD_PRELOAD=$asan_rt${LD_PRELOAD:+:$LD_PRELOAD}
  # The last setting wins: keep the preset's options, leak checking off.
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
  echo "test_python: ASan build: preloading $asan_rt (ASAN_OPTIONS=$ASAN_OPTIONS)"
fi

# The C layout of the mirrored structs, for comparison with ctypes.
layout=$tmp/layout.txt
cat >"$tmp/layout.c" <<'EOF'
#include <stdio.h>
#include <stddef.h>
#include "pilotsim/episode.h"
#define S(T) printf(#T " size %zu\n", sizeof(T));
#define O(T, f) printf(#T " " #f " %zu\n", offsetof(T, f));
int main(void)
{
    S(ps_space_entry) O(ps_space_entry, name) O(ps_space_entry, ndim) O(ps_space_entry, shape)
    O(ps_space_entry, count) O(ps_space_entry, data) O(ps_space_entry, low) O(ps_space_entry, high)
    O(ps_space_entry, dtype) O(ps_space_entry, values) O(ps_space_entry, nbytes)
    S(ps_scene_options) O(ps_scene_options, module_paths) O(ps_scene_options, module_path_count)
    O(ps_scene_options, package_paths) O(ps_scene_options, package_path_count) O(ps_scene_options, params)
    O(ps_scene_options, param_count) O(ps_scene_options, instruction_budget) O(ps_scene_options, memory_limit)
    O(ps_scene_options, wall_limit) O(ps_scene_options, trusted) O(ps_scene_options, log)
    O(ps_scene_options, process_memory_limit)
    S(ps_param_info) O(ps_param_info, name) O(ps_param_info, type) O(ps_param_info, description)
    O(ps_param_info, min) O(ps_param_info, max) O(ps_param_info, randomize) O(ps_param_info, overridden)
    O(ps_param_info, value)
    printf("PS_ERR_LEN value %d\n", PS_ERR_LEN);
    return 0;
}
EOF
if ! cc -std=c17 -I"$src/sim/include" "$tmp/layout.c" -o "$tmp/layout" 2>"$tmp/layout.err" || ! "$tmp/layout" >"$layout"; then
  # A field renamed or added in the header is a layout change the binding must follow.
  echo "test_python: cannot compile the layout probe against $src/sim/include:" >&2
  sed 's/^/  /' "$tmp/layout.err" >&2
  : >"$layout"
fi

# --------------------------------------------------------------- scenes
# cart: observation x = {position, velocity}, action force in [-20, 20]; success when
# at rest at 0. The start position is a randomized param (different seeds differ);
# require "robots.kin" proves the default module path (<repo>/scripts).
cat >"$tmp/cart.lua" <<'EOF'
local kin = require "robots.kin"
local cart
return { name = "pycart", timestep = 0.01, time_limit = 10,
  params = { x0 = {default = 1, min = 0.5, max = 1.5, randomize = true, description = "start position, m"} },
  observation = { x = {shape = {2}, fn = function(ctx, out)
    local x = cart:pos() local v = cart:linvel() out[1] = x out[2] = v end} },
  action = { force = {shape = {1}, low = -20, high = 20} },
  build = function(world, ctx)
    cart = world:body{pos = {ctx.params.x0, 0, 0}, mass = 1, gravity = false}
    print("cart at " .. ctx.params.x0)
  end,
  act = function(ctx, action) cart:add_force(action.force[1], 0, 0) end,
  reward = function(ctx) local x = cart:pos() return -x * x end,
  success = function(ctx)
    local x = cart:pos() local v = cart:linvel()
    return math.abs(x) < 0.01 and math.abs(v) < 0.01
  end,
  metrics = function(ctx) local x = cart:pos() return {final_x = x, wrapped = kin.wrap(0)} end,
}
EOF
# grid: a {2,3} observation (row-major, flat out[1..6]) and two actions, one {2,3}.
cat >"$tmp/grid.lua" <<'EOF'
return { name = "pygrid", timestep = 0.01, time_limit = 1,
  observation = {
    g = {shape = {2, 3}, fn = function(ctx, out) for i = 1, 6 do out[i] = i + ctx.step end end},
    s = {shape = {1}, fn = function(ctx, out) out[1] = ctx.state.sum or -1 end},
  },
  action = { a = {shape = {2, 3}}, b = {shape = {1}, low = {-1}, high = {1}} },
  build = function(world, ctx) world:body{pos = {0, 0, 0}, mass = 1, gravity = false} end,
  act = function(ctx, action)
    local s = 0
    for i = 1, 6 do s = s + action.a[i] * i end
    ctx.state.sum = s + 100 * action.b[1]
  end,
}
EOF
# Errors: a syntax error on line 3; a build that fails on line 4.
printf 'return { name = "bad", timestep = 0.01,\n  time_limit = 1, build = function() end,\n  oops = = 1 }\n' >"$tmp/bad.lua"
# A build that fails for one seed only.
printf 'return { name = "seedfail", timestep = 0.01, time_limit = 1,\n  observation = { t = {shape = {1}, fn = function(ctx, out) out[1] = ctx.t end} },\n  build = function(world, ctx) if ctx.seed == 13 then error("unlucky seed") end end }\n' >"$tmp/seedfail.lua"
printf 'return { name = "badbuild", timestep = 0.01, time_limit = 1,\n  build = function(world, ctx)\n    local x = 1\n    error("no floor here")\n  end }\n' >"$tmp/badbuild.lua"

# --------------------------------------------------------------- checks
cat >"$tmp/test.py" <<'EOF'
import ctypes, json, math, os, re, subprocess, sys
import numpy as np

tmp, lib_expected, layout_file, cli = sys.argv[1:5]
checks = failed = 0

def check(ok, what, detail=None):
    global checks, failed
    checks += 1
    if not ok:
        failed += 1
        print("FAILED: %s%s" % (what, "" if detail is None else ": %s" % (detail,)), file=sys.stderr, flush=True)
    return ok

def raises(exc, fn):
    try:
        fn()
    except exc as e:
        return e
    except Exception as e:
        return AssertionError("raised %s: %s" % (type(e).__name__, e))
    return None

import pilotsim
from pilotsim import _lib as L
check(os.path.realpath(pilotsim.lib_path) == os.path.realpath(lib_expected), "loads the library under test",
      pilotsim.lib_path)
check(ctypes.sizeof(L.ps_space_entry) == (88 if ctypes.sizeof(ctypes.c_void_p) == 8 else 48),
      "sizeof(ps_space_entry)", ctypes.sizeof(L.ps_space_entry))

# ctypes layout against the compiled sizeof/offsetof
c_layout = {}
for line in open(layout_file):
    parts = line.split()
    c_layout[tuple(parts[:-1])] = int(parts[-1])
check(c_layout.get(("PS_ERR_LEN", "value")) == L.ERR_LEN, "the binding's error buffers are PS_ERR_LEN bytes",
      (L.ERR_LEN, c_layout.get(("PS_ERR_LEN", "value"))))
if check(len(c_layout) > 0, "layout probe compiled against the headers"):
    for cls in (L.ps_space_entry, L.ps_scene_options, L.ps_param_info):
        name = cls.__name__
        check(c_layout.get((name, "size")) == ctypes.sizeof(cls), "sizeof(%s) matches C" % name,
              (ctypes.sizeof(cls), c_layout.get((name, "size"))))
        c_fields = sorted(k[1] for k in c_layout if k[0] == name and k[1] != "size")
        check(c_fields == sorted(f[0] for f in cls._fields_), "%s has the C fields" % name, c_fields)
        for f in cls._fields_:
            check(getattr(cls, f[0]).offset == c_layout.get((name, f[0])), "offsetof(%s, %s) matches C" % (name, f[0]),
                  (getattr(cls, f[0]).offset, c_layout.get((name, f[0]))))

cart = os.path.join(tmp, "cart.lua")
logs = []

def pd(obs):   # in double, as the Lua policy pd.lua below computes it
    x, v = float(obs["x"][0]), float(obs["x"][1])
    return [-20.0 * x - 8.0 * v]

def run(env, seed=None, policy=pd):
    obs, info = env.reset(seed=seed)
    hashes, total = [info["hash"]], 0.0
    while True:
        obs, r, term, trunc, info = env.step(policy(obs))
        total += r
        hashes.append(info["hash"])
        if term or trunc:
            return hashes, total, term, trunc, info

# --- spaces and a PD episode driven from Python
env = pilotsim.make(cart, seed=0, log=lambda level, msg: logs.append((level, msg)))
check(env.scene_name == "pycart" and abs(env.timestep - 0.01) < 1e-12, "scene metadata", (env.scene_name, env.timestep))
check("x0" in env.params and env.params["x0"]["randomize"], "declared params", env.params)
osp, asp = env.observation_space, env.action_space
check(list(osp) == ["x"] and osp["x"].shape == (2,) and osp["x"].dtype == np.float32, "observation space", osp)
check(np.all(np.isinf(osp["x"].low)) and np.all(np.isinf(osp["x"].high)), "unbounded observation has inf bounds", osp["x"])
check(isinstance(asp, pilotsim.Box) and asp.shape == (1,) and asp.dtype == np.float32 and asp.low[0] == -20 and
      asp.high[0] == 20, "one action entry: a Box action space", asp)
check(asp.contains(np.array([3.0], np.float32)) and not asp.contains(np.array([30.0], np.float32)), "space contains()")
asp.seed(1)
check(asp.contains(asp.sample()), "space sample() is inside")
hashes, total, term, trunc, info = run(env)
check(term and not trunc and info["status"] == "success", "PD from Python reaches success", info)
check(abs(info["metrics"].get("final_x", 1)) < 0.01 and info["metrics"].get("wrapped") == 0.0, "metrics at the end", info)
check(info["steps"] == len(hashes) - 1 and info["steps"] < 1000, "step count", info["steps"])
check(abs(info["sim_time"] - 0.01 * info["steps"]) < 1e-9, "sim_time", info["sim_time"])
check(math.isclose(total, info["return"], rel_tol=1e-9, abs_tol=1e-12) and total < 0, "rewards sum to the return",
      (total, info["return"]))
check(info["hash"] == "%016x" % env.state_hash() and env.state_hash() != 0, "info hash is ps_world_state_hash in hex")
check(info["action_clamps"] > 0, "the first PD forces were clamped to 20 N", info["action_clamps"])
check(any(msg.startswith("cart at") for level, msg in logs),
      "print() reaches the log callback", logs)
e = raises(pilotsim.PilotsimError, lambda: env.step([0.0]))
check(isinstance(e, pilotsim.PilotsimError) and "reset" in str(e), "step after the end raises", e)

# --- zero copy (an explicit option)
env.close()
env = pilotsim.make(cart, seed=0, zero_copy=True)
obs, info = env.reset(seed=3)
ent = L.ps_episode_observation(env._ep.ptr, 0).contents
x = obs["x"]
c_addr = ctypes.cast(ent.data, ctypes.c_void_p).value
check(x.__array_interface__["data"][0] == c_addr, "observation array views the C buffer",
      (hex(x.__array_interface__["data"][0]), hex(c_addr)))
check(not x.flags.owndata and not x.flags.writeable, "observation view is borrowed and read-only")
check(pd(obs) is not None and isinstance(obs, dict), "zero_copy observations are a dict of views")
act = env.action_buffers["force"]
aent = L.ps_episode_action(env._ep.ptr, 0).contents
check(act.__array_interface__["data"][0] == ctypes.cast(aent.data, ctypes.c_void_p).value,
      "action buffer views the C buffer")
before = x.copy()
obs2, r, term, trunc, info = env.step([5.0])
check(obs2["x"] is x, "step returns the same array objects")
check(x[1] != before[1] and x[1] > 0, "the held array changed in place after a step", (before, x))
check(aent.data[0] == 5.0, "step() copied the action into the C buffer", aent.data[0])
env.step([100.0])
check(aent.data[0] == 20.0 and act[0] == 20.0, "the library clamps in the same buffer", aent.data[0])
act[0] = -7.5  # zero-copy path: write the buffer, step(None)
env.step(None)
check(aent.data[0] == -7.5, "step(None) steps with the buffers as written", aent.data[0])
check(isinstance(raises(ValueError, lambda: env.step([1.0, 2.0])), ValueError), "wrong action size raises ValueError")
check(isinstance(raises(KeyError, lambda: env.step({"nope": [1.0]})), KeyError), "unknown action name raises KeyError")
check(isinstance(raises((TypeError, ValueError), lambda: env.step(["a"])), (TypeError, ValueError)), "non-numeric action raises")
_, _, term, trunc, info = env.step([float("nan")])
check(term and info["status"] == "script_error" and "force" in info["message"], "NaN action ends as script_error",
      info)

# --- new buffers after reset; the old views keep their episode's memory
old_act = env.action_buffers["force"]
old_x, old_vals = obs2["x"], obs2["x"].copy()
obs, info = env.reset()
rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(3)))
check(info["seed"] == int(rng.integers(0, 1 << 63)), "reset() without a seed draws one from np_random (seeded by 3)",
      info["seed"])
check(np.array_equal(old_x, old_vals) and old_act.shape == (1,), "views of the previous episode still read its last values",
      (old_x, old_vals))
nx = obs["x"]
ent = L.ps_episode_observation(env._ep.ptr, 0).contents
check(nx.__array_interface__["data"][0] == ctypes.cast(ent.data, ctypes.c_void_p).value,
      "the new observation views the new episode's buffer")
hashes, total, term, trunc, info = run(env, seed=None)
check(term and info["status"] == "success", "the new buffers drive the next episode", info)
check(np.array_equal(old_x, old_vals), "old views unchanged by the new episode")
del old_x, old_act
for k in range(3):   # repeated resets keep working
    obs, info = env.reset(seed=100 + k)
    o, r, term, trunc, info = env.step(pd(obs))
check(info["steps"] == 1 and info["seed"] == 102 and obs["x"] is o["x"], "repeated resets")
kept = obs["x"]
env.close()
env.close()
check(isinstance(raises(pilotsim.PilotsimError, lambda: env.step([0.0])), pilotsim.PilotsimError),
      "step after close raises")
check(isinstance(raises(pilotsim.PilotsimError, lambda: env.reset()), pilotsim.PilotsimError),
      "reset after close raises")
check(kept.shape == (2,) and np.all(np.isfinite(kept)), "a view outlives close() (its memory is kept alive)", kept)
del kept

# --- determinism
with pilotsim.make(cart, seed=7) as a:
    h7a = run(a)[0]
    h8 = run(a)[0]
    h7c = run(a, seed=7)[0]
with pilotsim.make(cart, seed=7) as b:
    h7b = run(b)[0]
check(h7a == h7b and len(h7a) > 10, "same seed, new env: same hash sequence", (len(h7a), len(h7b)))
check(h7a == h7c, "same seed after other episodes in the same env: same hash sequence")
check(h7a[0] != h8[0] and h7a != h8, "different seeds differ (randomized start)")
with pilotsim.make(cart, params={"x0": 1.25}) as c:
    obs, info = c.reset()
    check(float(obs["x"][0]) == 1.25 and c.params["x0"]["overridden"], "params override", obs["x"])
    xs = [c.step(pd(obs))[0]["x"].tolist() for _ in range(20)]
    obs, info = c.reset(seed=99)
    check(float(obs["x"][0]) == 1.25, "an overridden param is not randomized")
    xs2 = [c.step(pd(obs))[0]["x"].tolist() for _ in range(20)]
    check(xs == xs2, "override: same trajectory whatever the seed", (xs[:2], xs2[:2]))

# --- 64-bit values cross the boundary whole
check(any(int(hh, 16) >= 1 << 32 for hh in h7a), "hashes use all 64 bits (restype not truncated)")
with pilotsim.make(cart) as big:
    hb = run(big, seed=(1 << 40) + 7)
    check(hb[4]["seed"] == (1 << 40) + 7 and hb[0] != h7a, "a seed above 2**32 is a different seed", hb[4]["seed"])

# --- the same episode through the C loop (`pilotsim run`): bit-identical
if cli:
    with open(os.path.join(tmp, "pd.lua"), "w") as f:
        f.write("return { reset = function(spec, seed) end,\n"
                "  act = function(obs, action) action.force[1] = -20.0 * obs.x[1] - 8.0 * obs.x[2] end }\n")
    for args, policy in ((["--policy", os.path.join(tmp, "pd.lua")], pd), (["--no-policy", "--steps", "50"], None)):
        p = subprocess.run([cli, "run", cart, "--seed", "7", "--json", "--quiet"] + args,
                           capture_output=True, text=True)
        try:
            d = json.loads(p.stdout)
        except ValueError:
            d = {"error": p.stdout + p.stderr}
        with pilotsim.make(cart, seed=7, max_steps=None if policy else 50) as cx:
            hs, total, term, trunc, info = run(cx, policy=policy or (lambda obs: [0.0]))
        check(d.get("hash") == info["hash"] and d.get("steps") == info["steps"] and
              d.get("status") == info["status"] and math.isclose(d.get("reward", 1e9), info["return"], rel_tol=1e-12),
              "Python stepping %s matches `pilotsim run` bit for bit" % " ".join(args[:1]),
              (d, info["hash"], info["steps"], info["status"], total))
else:
    print("test_python: no pilotsim CLI beside the library; the cross-check with `pilotsim run` is skipped")

# --- truncation by max_steps
with pilotsim.make(cart, max_steps=5) as t:
    t.reset()
    for i in range(5):
        obs, r, term, trunc, info = t.step([0.0])
    check(trunc and not term and info["status"] == "timeout" and info["steps"] == 5, "max_steps truncates", info)

# --- errors with file:line
e = raises(pilotsim.SceneLoadError, lambda: pilotsim.make(os.path.join(tmp, "bad.lua")))
check(isinstance(e, pilotsim.SceneLoadError) and re.search(r"bad\.lua:3:", str(e)), "syntax error -> SceneLoadError with file:line", e)
e = raises(pilotsim.ScriptError, lambda: pilotsim.make(os.path.join(tmp, "badbuild.lua")))
check(isinstance(e, pilotsim.ScriptError) and re.search(r"badbuild\.lua:4:.*no floor here", str(e)),
      "build error -> ScriptError with file:line", e)
with pilotsim.make(os.path.join(tmp, "seedfail.lua"), seed=12) as sf:
    obs, info = sf.reset()
    e = raises(pilotsim.ScriptError, lambda: sf.reset(seed=13))
    check(isinstance(e, pilotsim.ScriptError) and re.search(r"seedfail\.lua:3:.*unlucky seed", str(e)),
          "a build failing at reset() -> ScriptError with file:line", e)
    e = raises(pilotsim.PilotsimError, lambda: sf.step(None))
    check(isinstance(e, pilotsim.PilotsimError) and "reset" in str(e), "step after a failed reset asks for reset()", e)
    check(isinstance(raises(pilotsim.ScriptError, lambda: sf.reset(seed=13)), pilotsim.ScriptError), "the same seed fails again")
    obs, info = sf.reset(seed=14)
    o, r, term, trunc, info = sf.step(None)
    check(info["seed"] == 14 and abs(float(o["t"][0]) - 0.01) < 1e-6, "the next seed works after a failed reset", info)
e = raises(pilotsim.SceneLoadError, lambda: pilotsim.make(cart, params={"x0": 9}))
check(isinstance(e, pilotsim.SceneLoadError) and "x0" in str(e), "out-of-range param -> SceneLoadError", e)
e = raises(pilotsim.SceneLoadError, lambda: pilotsim.make(os.path.join(tmp, "missing.lua")))
check(isinstance(e, pilotsim.SceneLoadError) and "missing.lua" in str(e), "missing file -> SceneLoadError", e)

# --- multi-dimensional entries, several actions
with pilotsim.make(os.path.join(tmp, "grid.lua")) as g:
    check(list(g.observation_space) == ["g", "s"] and g.observation_space["g"].shape == (2, 3), "2-D observation",
          g.observation_space)
    check(list(g.action_space) == ["a", "b"] and g.action_space["a"].shape == (2, 3), "2-D action", g.action_space)
    obs, info = g.reset()
    check(obs["g"].flags.owndata or obs["g"].base is not None, "2-D observation is an array")
    check(obs["g"].tolist() == [[1, 2, 3], [4, 5, 6]], "row-major view of a {2,3} entry", obs["g"])
    obs, r, term, trunc, info = g.step({"a": np.arange(6, dtype=np.float64).reshape(2, 3), "b": [0.5]})
    check(obs["g"][1, 2] == 7 and obs["s"][0] == sum(i * (i + 1) for i in range(6)) + 50, "2-D action written row-major",
          (obs["g"], obs["s"]))
    obs, r, term, trunc, info = g.step({"a": list(range(6)), "b": 0.0})
    check(obs["s"][0] == 70, "flat list into a {2,3} action and a scalar into {1}", obs["s"])
    check(isinstance(raises(TypeError, lambda: g.step([1.0])), TypeError), "a bare array with two action entries raises")
    check(isinstance(raises(ValueError, lambda: g.step({"a": list(range(6))})), ValueError), "a missing action entry raises")

# --- save_state / restore_state: a rewound episode replays bit for bit
with pilotsim.make(cart, seed=4) as sv:
    sv.reset()
    for _ in range(20):
        sv.step({"force": [3.0]})
    snap = sv.save_state()
    x_saved, h_saved = float(sv.observation()["x"][0]), sv.state_hash()
    rewards = [sv.step({"force": [-5.0 + k]})[1] for k in range(30)]
    h_after = sv.state_hash()
    obs = sv.restore_state(snap)
    check(sv.state_hash() == h_saved and float(obs["x"][0]) == x_saved, "restore_state rewinds world and views",
          (sv.state_hash(), h_saved))
    again = [sv.step({"force": [-5.0 + k]})[1] for k in range(30)]
    check(sv.state_hash() == h_after and again == rewards, "the continuation after a restore is identical")
    check(isinstance(snap, bytes), "save_state() returns bytes", type(snap))
    with pilotsim.make(cart, seed=4) as other:   # same scene and params: restores (episode seed 4 begun for it)
        other.reset(seed=99)
        obs = other.restore_state(snap)
        again2 = [other.step({"force": [-5.0 + k]})[1] for k in range(30)]
        check(other.state_hash() == h_after and again2 == rewards and other.episode_seed == 4,
              "a state restores in another Env of the same scene", (other.episode_seed,))
    with pilotsim.make(cart, params={"x0": 1.25}) as other:
        e = raises(pilotsim.PilotsimError, lambda: other.restore_state(snap))
        check(isinstance(e, pilotsim.PilotsimError) and "params differ" in str(e), "a state from other params is refused", e)
    with pilotsim.make(os.path.join(tmp, "grid.lua")) as other:
        e = raises(pilotsim.PilotsimError, lambda: other.restore_state(snap))
        check(isinstance(e, pilotsim.PilotsimError) and "another scene" in str(e), "a state from another scene is refused", e)
    e = raises(pilotsim.PilotsimError, lambda: sv.restore_state(snap[:-3]))
    check(isinstance(e, pilotsim.PilotsimError) and "truncated" in str(e), "truncated state bytes are refused", e)
    e = raises(pilotsim.PilotsimError, lambda: sv.restore_state(b"junk" + snap[4:]))
    check(isinstance(e, pilotsim.PilotsimError) and "not a pilotsim episode state" in str(e), "foreign bytes are refused", e)

# --- the benchmark module runs (numbers are reported, not checked)
p = subprocess.run([sys.executable, "-m", "pilotsim.bench", cart, "--steps", "50", "--reps", "1"] +
                   (["--cli", cli] if cli else []), capture_output=True, text=True)
check(p.returncode == 0 and "steps/s" in p.stdout, "python3 -m pilotsim.bench runs", p.stdout + p.stderr)


print("test_python: %d checks, %d failed" % (checks, failed))
sys.exit(1 if failed else 0)
EOF

# The CLI of the same build, for the cross-check against the C loop (optional).
cli=${PILOTSIM_CLI:-$(dirname "$lib")/../tools/pilotsim/pilotsim}
[[ -x $cli ]] || cli=""

PYTHONDONTWRITEBYTECODE=1 PILOTSIM_LIB=$lib PYTHONPATH="$src/tools/python${PYTHONPATH:+:$PYTHONPATH}" "$py" "$tmp/test.py" "$tmp" "$lib" "$layout" "$cli"
rc=$?
if [[ $rc -gt 1 ]]; then
  echo "test_python: python exited with code $rc (crash?)" >&2
  echo "test_python: ? checks, 1 failed (python died)"
fi

# The Gymnasium contract (tests/python/test_gym.py): without gymnasium, then with
# the stand-in module on sys.path (the gymnasium.Env subclass path).
pyrun() { PYTHONDONTWRITEBYTECODE=1 PILOTSIM_LIB=$lib PYTHONPATH="$src/tools/python${PYTHONPATH:+:$PYTHONPATH}" "$py" "$@"; }
for mode in "" --standin; do
  pyrun "$src/tests/python/test_gym.py" "$tmp" "$src" $mode
  r=$?
  if [[ $r -gt 1 ]]; then echo "test_python: test_gym.py $mode exited with code $r (crash?)" >&2; fi
  [[ $r -ne 0 ]] && rc=1
done

# Installing: pip install offline (Debian's pip and setuptools) into a venv that
# sees Debian's numpy; the library put under the venv's prefix as `cmake --install
# --prefix` puts it (lib/); imported from outside the source tree with no
# PILOTSIM_LIB, the package must find it there.
if "$py" -c 'import setuptools' 2>/dev/null && "$py" -m pip --version >/dev/null 2>&1; then
  venv=$tmp/prefix
  cp -r "$src/tools/python" "$tmp/pkgsrc"   # pip builds in place: keep the source tree clean
  if "$py" -m venv --system-site-packages "$venv" >"$tmp/venv.log" 2>&1 &&
     "$venv/bin/python" -m pip install --no-build-isolation --no-index --no-deps --quiet "$tmp/pkgsrc" >>"$tmp/venv.log" 2>&1; then
    # `cmake --install` of this build into the venv's prefix when the build has
    # install rules for the library; else the library copied where they put it.
    build=$(cd "$(dirname "$lib")/.." && pwd)
    cmake --install "$build" --prefix "$venv" >"$tmp/install.log" 2>&1
    if [[ ! -e $venv/lib/libpilotsim.so ]]; then
      echo "test_python: $build installs no lib/libpilotsim.so: copying it to $venv/lib as cmake --install would"
      mkdir -p "$venv/lib"
      cp -P "$(dirname "$lib")"/libpilotsim.so* "$venv/lib/"
    fi
    out=$(cd "$tmp" && env -u PILOTSIM_LIB -u PYTHONPATH PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" -c '
import os, sys, pilotsim
print(pilotsim.lib_path)
env = pilotsim.make(sys.argv[1], seed=0)
obs, info = env.reset()
print(env.step(env.action_space.sample())[-1]["status"], os.path.dirname(pilotsim.__file__))' "$src/scenes/bench/cart.lua" 2>&1)
    first=$(head -1 <<<"$out")
    if [[ $first == "$venv/lib/libpilotsim.so" ]] && grep -q "^running $venv/lib/python3" <<<"$out"; then
      echo "test_python: pip-installed package loads $first"
    else
      echo "FAILED: the pip-installed package finds the library under its prefix: $out" >&2
      rc=1
    fi
  else
    echo "FAILED: pip install --no-build-isolation --no-index ./tools/python:" >&2
    tail -20 "$tmp/venv.log" >&2
    rc=1
  fi
else
  echo "test_python: FAILED: $py has no pip/setuptools (tools/setup-deps.sh installs python3-pip python3-setuptools)" >&2
  rc=1
fi
exit $rc
