"""The Gymnasium contract of the Python package (run by tests/test_python.sh).

usage: test_gym.py TMPDIR SOURCE_DIR [--standin]

Without --standin gymnasium is not importable (Debian 12 has none) and the
package's own Env/spaces are checked; with --standin the minimal stand-in
module in tests/python/standin is on sys.path and the gymnasium-subclass path
is checked (isinstance, spaces, gymnasium.make for every pilot scene).
"""

import copy
import glob
import json
import os
import pickle
import subprocess
import sys
import threading

import numpy as np

tmp, src = sys.argv[1], sys.argv[2]
standin = "--standin" in sys.argv
if standin:
    sys.path.insert(0, os.path.join(src, "tests", "python", "standin"))

import pilotsim  # noqa: E402
from pilotsim.checker import check_env  # noqa: E402

checks = failed = 0
tag = "test_gym%s" % (" (gymnasium stand-in)" if standin else "")


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


pilots = sorted(glob.glob(os.path.join(src, "scenes", "pilot", "*.lua")))
cart = os.path.join(src, "scenes", "bench", "cart.lua")
grid = os.path.join(tmp, "grid.lua")          # written by test_python.sh: two actions, a {2,3} observation
parcel = os.path.join(src, "scenes", "pilot", "logistics_parcel_sorting.lua")
check(len(pilots) >= 30, "the pilot scenes (30 or more)", len(pilots))
check(pilotsim.gymnasium_available == standin, "gymnasium importable only with the stand-in")


def make_or_skip(fn, what):
    """fn(), or None in a renderer-off build for a scene that requires a camera (it
    fails to build there naming the missing renderer; any other error fails the check)."""
    try:
        return fn()
    except Exception as x:
        check("camera sensors need the renderer" in str(x), "%s builds (or needs the renderer)" % what, x)
        print("%s: no renderer: skipping %s" % (tag, what))
        return None


def rollout(env, seed, n, actions_seed=0):
    """(reset obs, [(obs, reward, term, trunc, info)]) with actions from a seeded space."""
    env.action_space.seed(actions_seed)
    out = [env.reset(seed=seed)]
    for _ in range(n):
        r = env.step(env.action_space.sample())
        out.append(r)
        if r[2] or r[3]:
            break
    return out


def same(a, b):
    from pilotsim.checker import equivalent
    return equivalent(a, b)


# ------------------------------------------------------------ gymnasium path
if standin:
    import gymnasium
    check(getattr(gymnasium, "STANDIN", False), "the stand-in gymnasium is the one imported", gymnasium.__file__)
    with pilotsim.make(cart) as e:
        check(isinstance(e, gymnasium.Env), "pilotsim.make returns a gymnasium.Env", type(e).__mro__)
        check(isinstance(e.action_space, gymnasium.spaces.Box) and
              isinstance(e.observation_space, gymnasium.spaces.Dict), "gymnasium spaces",
              (type(e.action_space), type(e.observation_space)))
    for path in pilots:
        name = os.path.splitext(os.path.basename(path))[0]
        env_id = "pilotsim/%s-v0" % name
        ok = env_id in gymnasium.registry
        if check(ok, "%s registered" % env_id):
            e = make_or_skip(lambda: gymnasium.make(env_id), env_id)
            if e is None:
                continue
            obs, info = e.reset(seed=0)
            obs, r, te, tr, info = e.step(e.action_space.sample())
            check(isinstance(e, gymnasium.Env) and e.spec.id == env_id and obs in e.observation_space,
                  "gymnasium.make(%r) resets and steps" % env_id)
            e.close()
    e = gymnasium.make("pilotsim/restaurant_tray_delivery-v0", max_steps=7, action_repeat=2)
    check(e.action_repeat == 2, "gymnasium.make passes kwargs to pilotsim.make")
    check_env(e)
    check(True, "check_env on a gymnasium.make env")
    e.close()
    with pilotsim.make_vec(cart, 2) as v:
        check(isinstance(v, gymnasium.vector.VectorEnv) and
              v.metadata["autoreset_mode"] == gymnasium.vector.AutoresetMode.NEXT_STEP,
              "make_vec is a gymnasium VectorEnv with NEXT_STEP autoreset", v.metadata)
        check(isinstance(v.observation_space, gymnasium.spaces.Dict) and v.action_space.shape == (2, 1),
              "batched gymnasium spaces", (v.observation_space, v.action_space))
    print("%s: %d checks, %d failed" % (tag, checks, failed))
    sys.exit(1 if failed else 0)

# ------------------------------------------------------------ contract on every pilot scene
for path in pilots:
    e = make_or_skip(lambda: pilotsim.make(path), os.path.basename(path))
    if e is None:
        continue
    with e:
        e2 = raises(AssertionError, lambda: check_env(e))
        check(e2 is None, "check_env(%s)" % os.path.basename(path), e2)
# The checker can fail: zero-copy views are not fresh arrays.
with pilotsim.make(cart, zero_copy=True) as e:
    err = raises(AssertionError, lambda: check_env(e))
    check(isinstance(err, AssertionError) and "memory" in str(err), "check_env refuses zero-copy views", err)


class BadInfo(pilotsim.Env):
    def step(self, action):
        o, r, te, tr, info = super().step(action)
        info["hash"] = int(info["hash"], 16)   # the old uint64 info
        return o, r, te, tr, info


with BadInfo(cart) as e:
    err = raises(AssertionError, lambda: check_env(e))
    check(isinstance(err, AssertionError) and "int64" in str(err), "check_env refuses a uint64 info value", err)

# ------------------------------------------------------------ fresh arrays, info
with pilotsim.make(parcel) as e:
    obs, info = e.reset(seed=1)
    kept = [copy.deepcopy(obs)]
    seen = [obs]
    for i in range(5):
        obs, r, te, tr, info = e.step(e.action_space.sample())
        kept.append(copy.deepcopy(obs))
        seen.append(obs)
    check(all(same(a, b) for a, b in zip(seen, kept)), "observations kept across steps are unchanged (fresh arrays)")
    check(not same(seen[0], seen[-1]), "observations do change over steps")
    check(isinstance(info["hash"], str) and len(info["hash"]) == 16 and int(info["hash"], 16) == e.state_hash(),
          "info hash is a 16-digit hex string", info["hash"])
    check(json.loads(json.dumps(info)) == info, "info round-trips through JSON", info)
    check(all(np.asarray(v).dtype != object for v in info.values() if not isinstance(v, str)),
          "info scalars are numpy-safe")

# zero_copy views: kept alive past reset() and close(), never dangling
e = pilotsim.make(cart, zero_copy=True)
obs, _ = e.reset(seed=0)
o1, *_ = e.step(np.array([1.0], np.float32))
check(o1["x"] is obs["x"], "zero_copy: the same view every step")
v_old = o1["x"]
val = v_old.copy()
e.reset(seed=5)
for _ in range(10):
    e.step(np.array([-3.0], np.float32))
check(np.array_equal(v_old, val), "zero_copy: a view of the previous episode keeps its last values after reset")
e.close()
del e
check(np.array_equal(v_old, val), "zero_copy: a view stays valid after close() and the Env is gone")
del v_old, obs, o1

# ------------------------------------------------------------ seeding
with pilotsim.make(cart) as a, pilotsim.make(cart) as b:
    sa = [a.reset(seed=11)[1]["seed"]] + [a.reset()[1]["seed"] for _ in range(5)]
    sb = [b.reset(seed=11)[1]["seed"]] + [b.reset()[1]["seed"] for _ in range(5)]
    check(sa == sb and sa[0] == 11 and len(set(sa)) == 6, "reset(seed) seeds np_random; later resets draw fresh seeds",
          (sa, sb))
    a.reset(seed=11)
    check(a.np_random.bit_generator.state == np.random.Generator(np.random.PCG64(np.random.SeedSequence(11))).bit_generator.state,
          "np_random is seeded as gymnasium's seeding.np_random(seed)")
with pilotsim.make(cart, seed=11) as c:
    sc = [c.reset()[1]["seed"] for _ in range(6)]
    check(sc == sa, "make(seed=s) acts as the first reset's seed", (sc, sa))

# ------------------------------------------------------------ flatten, action space shapes, action repeat
with pilotsim.make(grid) as g:
    check(isinstance(g.action_space, pilotsim.Dict) and list(g.action_space) == ["a", "b"],
          "two action entries: a Dict action space", g.action_space)
with pilotsim.make(grid, flatten_actions=True, flatten_observations=True) as g:
    check(g.action_space.shape == (7,) and g.observation_space.shape == (7,) and g.observation_space.dtype == np.float32,
          "flattened spaces: one Box each", (g.action_space, g.observation_space))
    obs, _ = g.reset()
    act = np.arange(7, dtype=np.float32) * 0.1
    act[6] = 0.5
    obs, r, te, tr, info = g.step(act)
    want = sum(0.1 * i * (i + 1) for i in range(6)) + 50
    check(obs.shape == (7,) and obs in g.observation_space and abs(obs[6] - want) < 1e-4,
          "a flat action fills the entries in order (a row-major, then b)", (obs, want))
    check(isinstance(raises(ValueError, lambda: g.step(np.zeros(6))), ValueError), "a flat action of the wrong size raises")
    check_env(g)
    check(True, "check_env with flattened spaces")
h = {}
for k, kw in ((1, {}), (4, {"action_repeat": 4}), (4, {"control_rate": 25})):
    with pilotsim.make(cart, **kw) as e:
        e.reset(seed=2)
        for _ in range(12 // k):
            o, r, te, tr, info = e.step(np.array([2.0], np.float32))
        h[str(kw)] = (info["hash"], info["steps"], e.metadata["render_fps"])
check(len({v[0] for v in h.values()}) == 1 and all(v[1] == 12 for v in h.values()),
      "action_repeat=4 / control_rate=25 Hz: 3 steps = 12 physics steps with the same action", h)
check(h[str({"action_repeat": 4})][2] == 25.0, "render_fps follows the control rate", h)
check(isinstance(raises(ValueError, lambda: pilotsim.make(cart, control_rate=30)), ValueError),
      "a control rate that does not divide the physics rate raises")
with pilotsim.make(cart, action_repeat=4, max_steps=6) as e:
    e.reset(seed=0)
    e.step(np.zeros(1, np.float32))
    o, r, te, tr, info = e.step(np.zeros(1, np.float32))
    check(tr and info["steps"] == 6, "action repeat stops at the episode's end", info)

# ------------------------------------------------------------ threads
def thread_run(seed, out):
    with pilotsim.make(parcel) as env:
        out.append([x[-1]["hash"] for x in rollout(env, seed, 120, actions_seed=seed)[1:]])


ref = {}
for s in (1, 2):
    o = []
    thread_run(s, o)
    ref[s] = o[0]
outs = {1: [], 2: []}
ts = [threading.Thread(target=thread_run, args=(s, outs[s])) for s in (1, 2)]
for t in ts:
    t.start()
for t in ts:
    t.join()
check(outs[1] == [ref[1]] and outs[2] == [ref[2]], "two Envs in two threads: the same hashes as one at a time",
      [len(x) for x in outs.values()])

# ------------------------------------------------------------ pickle, deepcopy, state bytes in another process
with pilotsim.make(parcel) as e:
    e.reset(seed=3)
    for _ in range(30):
        e.step(e.action_space.sample())
    state = e.save_state()
    clone = pickle.loads(pickle.dumps(e))
    dup = copy.deepcopy(e)
    acts = [e.action_space.sample() for _ in range(40)]
    h0 = [e.step(a)[-1]["hash"] for a in acts]
    h1 = [clone.step(a)[-1]["hash"] for a in acts]
    h2 = [dup.step(a)[-1]["hash"] for a in acts]
    check(h0 == h1 == h2, "a pickled / deep-copied Env continues bit for bit")
    check(clone.reset()[1]["seed"] == e.reset()[1]["seed"], "the copy's np_random continues as the original's")
    clone.close()
    dup.close()
    with open(os.path.join(tmp, "state.bin"), "wb") as f:
        pickle.dump((state, acts), f)
    code = ("import pickle, sys, pilotsim\n"
            "state, acts = pickle.load(open(sys.argv[1], 'rb'))\n"
            "env = pilotsim.make(sys.argv[2])\n"
            "env.restore_state(state)\n"
            "print(' '.join(env.step(a)[-1]['hash'] for a in acts))\n")
    p = subprocess.run([sys.executable, "-c", code, os.path.join(tmp, "state.bin"), parcel],
                       capture_output=True, text=True, timeout=120)
    check(p.returncode == 0 and p.stdout.split() == h0, "save_state() bytes restore in another process, bit for bit",
          p.stderr[-800:])
logged = pilotsim.make(cart, log=lambda level, msg: None)
err = raises(Exception, lambda: pickle.dumps(logged))
check(err is not None and not isinstance(err, AssertionError) and "lambda" in str(err),
      "pickling an Env with an unpicklable log callable raises a clear error", err)
logged.close()

# ------------------------------------------------------------ vector envs
def vec_run(n, seed, steps, **kw):
    with pilotsim.make_vec(parcel, n, **kw) as v:
        v.action_space.seed(0)
        out = [v.reset(seed=seed)]
        for _ in range(steps):
            out.append(v.step(v.action_space.sample()))
    return out


r1 = vec_run(2, 0, 15)
r2 = vec_run(2, 0, 15)
check(same(r1, r2), "make_vec: same seeds and actions give identical results")
check(r1[0][1]["seed"].tolist() == [0, 1] and r1[0][1]["_seed"].all(), "sub-env i gets seed + i; infos with masks",
      r1[0][1].get("seed"))
obs_v = r1[-1][0]
check(isinstance(obs_v, dict) and obs_v["tcp"].shape == (2, 4) and obs_v["parcels"].shape == (2, 5, 9) and obs_v["tcp"].dtype == np.float32,
      "batched observations", {k: a.shape for k, a in obs_v.items()})
with pilotsim.make(parcel) as single:
    with pilotsim.make_vec(parcel, 2) as v:
        v.action_space.seed(5)
        vo, _ = v.reset(seed=40)
        so, _ = single.reset(seed=41)
        check(all(np.array_equal(vo[k][1], so[k]) for k in so), "sub-env 1 starts as Env.reset(seed=41)")
        a = v.action_space.sample()
        vo, vr, *_ = v.step(a)
        so, sr, *_ = single.step({k: a[k][1] for k in a} if isinstance(a, dict) else a[1])
        check(all(np.array_equal(vo[k][1], so[k]) for k in so) and vr[1] == sr, "and steps as it does")
        vo2, *_ = v.step(a)
        check(not np.shares_memory(vo["tcp"], vo2["tcp"]), "vector observations are fresh arrays (copy=True)")
with pilotsim.make_vec(cart, 4, max_steps=2) as v:
    obs, infos = v.reset(seed=100)
    seeds = list(infos["seed"])
    auto = True
    for i in range(17):
        obs, r, te, tr, infos = v.step(np.zeros((4, 1), np.float32))
        if i % 3 == 2:   # every third step is the NEXT_STEP autoreset: reward 0, no flags, the new seed
            auto = auto and not tr.any() and not te.any() and (r == 0).all() and (infos["steps"] == 0).all()
            seeds += list(infos["seed"])
        else:
            auto = auto and (tr.all() if i % 3 == 1 else not tr.any())
    check(auto, "NEXT_STEP autoreset: truncation, then a reset step")
    check(len(seeds) == 24 and len(set(seeds)) == 24, "24 episodes over 4 sub-envs: 24 distinct seeds", seeds)
with pilotsim.make_vec(cart, 2, max_steps=2) as v:
    v.reset(seed=100)
    seeds_b = []
    for i in range(8):
        _, _, _, _, infos = v.step(np.zeros((2, 1), np.float32))
        if i % 3 == 2:
            seeds_b += list(infos["seed"])
    check(seeds_b[:2] == seeds[4:6], "the seeds sub-envs draw depend on their own seed only, not the worker count",
          (seeds_b[:2], seeds[4:6]))
with pilotsim.make_vec(cart, 2, max_steps=3) as v:
    v.reset(seed=7)
    ends = [v.step(np.zeros((2, 1), np.float32))[4] for _ in range(3)]
    last = ends[-1]
    check(all("metrics" not in i for i in ends[:2]) and last["_metrics"].all() and last["_action_clamps"].all() and
          set(last["status"]) == {"timeout"} and all(k in last and last["_" + k].all() for k in
          ("message", "steps", "sim_time", "hash", "return", "seed")) and last["steps"].tolist() == [3, 3],
          "make_vec: the step that ends episodes carries their metrics and clamp counts (masked)", last)
    with pilotsim.make(cart, max_steps=3) as single:
        single.reset(seed=8)
        for _ in range(3):
            _, _, _, _, si = single.step(np.zeros(1, np.float32))
    check(last["hash"][1] == si["hash"] and all(last["metrics"][k][1] == v for k, v in si["metrics"].items()),
          "and they are the sub-env's own (as the same Env's)", (last, si))
    err = raises(ValueError, lambda: v.step(np.zeros((3, 1), np.float32)))
    check(isinstance(err, ValueError) and "(2, 1)" in str(err), "make_vec: actions of the wrong shape raise naming it", err)
    os.kill(v._procs[1].pid, 9)
    v._procs[1].join()
    err = raises(pilotsim.PilotsimError, lambda: v.step(np.zeros((2, 1), np.float32)))
    check(isinstance(err, pilotsim.PilotsimError) and "worker 1 died" in str(err), "make_vec: a killed worker raises", err)
err = raises(pilotsim.PilotsimError, lambda: pilotsim.make_vec(os.path.join(tmp, "bad.lua"), 2))
check(isinstance(err, pilotsim.PilotsimError) and "bad.lua:3" in str(err), "make_vec of a broken scene raises file:line", err)

# ------------------------------------------------------------ cameras and render()
import pilotsim.render as R  # noqa: E402
if not R.available():
    print("%s: SKIPPED cameras: %s" % (tag, R.error()))
else:
    cam = os.path.join(tmp, "cam.lua")
    with open(cam, "w") as f:
        f.write('''
local ball
return { name = "pycam", timestep = 0.01, time_limit = 1,
  observation = { rgb = {sensor = "rgb"}, depth = {sensor = "depth"}, seg = {sensor = "seg"} },
  action = { push = {shape = {1}, low = -1, high = 1} },
  build = function(world, ctx)
    world:geom{type = "plane", normal = {0, 0, 1}, offset = 0, color = {0.5, 0.5, 0.5}}
    world:body{name = "box", pos = {3, 0, 0.25}, mass = 5, geoms = {{type = "box", size = {0.5, 0.5, 0.5}, color = {1, 0, 0}}}}
    ball = world:body{name = "ball", pos = {1.5, -0.3, 0.1}, mass = 0.5,
                      geoms = {{type = "sphere", radius = 0.1, color = {0.2, 0.4, 1}}}}
    local stand = world:body{name = "stand", kind = "static", pos = {0, 0, 0.25}}
    for _, k in ipairs({{"rgb", "rgb"}, {"depth", "depth"}, {"seg", "segmentation"}}) do
      world:sensor{type = "camera", name = k[1], body = stand, camera = k[2], width = 32, height = 24,
                   fov_y = 1.0, near = 0.05, far = 20}
    end
  end,
  act = function(ctx, a) ball:add_force(0, 20 * a.push[1], 0) end,
}
''')
    with pilotsim.make(cam, obs_dtypes={"rgb": np.uint8, "seg": np.int32}, render_mode="rgb_array",
                       render_size=(160, 120)) as e:
        osp = e.observation_space
        check(osp["rgb"].dtype == np.uint8 and osp["rgb"].shape == (24, 32, 3) and osp["depth"].dtype == np.float32 and
              osp["seg"].dtype == np.int32, "camera entries: uint8 RGB, float32 depth, int32 segmentation", osp)
        obs, _ = e.reset(seed=0)
        obs, *_ = e.step(np.array([1.0], np.float32))
        c = obs["rgb"][12, 16]
        check(obs["rgb"].dtype == np.uint8 and c[0] > 100 and c[1] < 40 and c[2] < 40, "the centre pixel is the red box", c)
        check(abs(float(obs["depth"][12, 16]) - 2.75) < 0.05, "centre depth 2.75 m", obs["depth"][12, 16])
        check(obs["seg"].dtype == np.int32 and int(obs["seg"][12, 16]) == 1 and (obs["seg"] == 0).any(),
              "segmentation: the box's id, sky 0", np.unique(obs["seg"]))
        check(obs in osp, "camera observation inside its space")
        img = e.render()
        check(img.shape == (120, 160, 3) and img.dtype == np.uint8 and img.std() > 5, "render(): a uint8 scene view",
              (img.shape, img.dtype, img.std()))
        check_env(e, steps=5)
        check(True, "check_env with cameras and rgb_array render")
    with pilotsim.make(pilots[0], render_mode="rgb_array") as e:
        e.reset(seed=0)
        a = e.render()
        for _ in range(50):
            e.step(e.action_space.sample())
        b = e.render()
        check(a.shape == (480, 640, 3) and a.std() > 5 and not np.array_equal(a, b),
              "render() of a pilot scene, changing as it steps", (a.shape, a.std()))
    err = raises(pilotsim.ScriptError, lambda: pilotsim.make(cam, renderer=False))
    check(isinstance(err, pilotsim.ScriptError) and "cam.lua" in str(err) and "camera" in str(err),
          "cameras without the renderer: a clear error naming the scene", err)

print("%s: %d checks, %d failed" % (tag, checks, failed))
sys.exit(1 if failed else 0)
