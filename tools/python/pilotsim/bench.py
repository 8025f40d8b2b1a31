"""The Python binding's costs, measured (numbers reported, nothing asserted).

    python3 -m pilotsim.bench SCENE [--steps N] [--seed S] [--reps R] [--cli PATH/TO/pilotsim]
    python3 -m pilotsim.bench SCENE --vec [--workers 1,2] [--steps N]

Per-step mode (CPU time, best of R) runs one episode of N steps (max_steps=N; the scene should not
end earlier) with zero actions: env.step(array) (fresh observation arrays,
the default), env.step with zero_copy=True, env.step(None) (actions written
in place), and a bare ctypes loop over ps_episode_step (the C step: the floor
of any binding). It prints steps/s and each one's overhead over the C step in
microseconds; with --cli also `pilotsim run SCENE --no-policy` (the C loop).

--vec runs make_vec with each worker count for N steps per sub-env (random
actions from a seeded action space) and prints env-steps/s and the speed-up
over the first count.
"""

import argparse
import json
import subprocess
import sys
import time

import numpy as np

from . import _lib as L
from .env import make
from .vector import make_vec


def _timed(fn, reps):
    """Best of `reps` runs in process CPU time (steadier than wall time on a
    shared machine; the loops here never wait)."""
    best = float("inf")
    for _ in range(reps):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def _zeros(space):
    if hasattr(space, "spaces") and isinstance(space.spaces, dict):
        return {k: np.zeros(s.shape, np.float32) for k, s in space.spaces.items()}
    return np.zeros(space.shape, np.float32)


def per_step(a):
    n = a.steps
    results = {}
    for label, kw in (("env.step(action) fresh arrays", {}), ("env.step(action) zero_copy", {"zero_copy": True})):
        env = make(a.scene, max_steps=n, **kw)
        zeros = _zeros(env.action_space)

        def loop():
            env.reset(seed=a.seed)
            step = env.step
            for _ in range(n):
                if step(zeros)[3]:
                    break
        results[label] = n / _timed(loop, a.reps)
        if label.endswith("zero_copy"):
            def loop_none():
                env.reset(seed=a.seed)
                step = env.step
                for _ in range(n):
                    if step(None)[3]:
                        break
            results["env.step(None) zero_copy"] = n / _timed(loop_none, a.reps)

            def loop_c():
                env.reset(seed=a.seed)
                e, st = env._ep.ptr, L.ps_episode_step
                for _ in range(n):
                    if st(e, n) != 0:
                        break
            results["bare ps_episode_step (ctypes)"] = n / _timed(loop_c, a.reps)
        env.close()
    if a.cli:
        best, steps = float("inf"), n
        for _ in range(a.reps):
            p = subprocess.run([a.cli, "run", a.scene, "--no-policy", "--steps", str(n), "--seed", str(a.seed),
                                "--json", "--quiet"], capture_output=True, text=True)
            d = json.loads(p.stdout)
            best, steps = min(best, d["wall_time"]), d["steps"]   # wall time: the CLI reports no CPU time
        results["C loop (pilotsim run --no-policy)"] = steps / best
    c = results["bare ps_episode_step (ctypes)"]
    for name, rate in results.items():
        extra = "" if name.startswith(("bare", "C loop")) else "  overhead %.2f us/step over the C step" % (
            1e6 * (1 / rate - 1 / c))
        print("%-36s %10.0f steps/s  %8.2f us/step%s" % (name, rate, 1e6 / rate, extra))


def vec(a):
    """Wall-clock env-steps/s for each worker count, and where the CPU goes:
    per env-step in the workers, per vector step in the parent (on a busy
    machine the wall-clock figures mostly measure the scheduler)."""
    counts = [int(x) for x in a.workers.split(",")]
    base = None
    for k in counts:
        with make_vec(a.scene, k) as v:
            v.action_space.seed(a.seed)
            acts = [v.action_space.sample() for _ in range(16)]
            v.reset(seed=a.seed)
            v.step(acts[0])   # warm-up
            w0 = v.worker_cpu_times()
            c0 = time.process_time()
            t0 = time.perf_counter()
            for i in range(a.steps):
                v.step(acts[i % 16])
            dt = time.perf_counter() - t0
            parent = time.process_time() - c0
            w1 = v.worker_cpu_times()
        rate = k * a.steps / dt
        base = base or rate
        wcpu = sum(b - x for x, b in zip(w0, w1)) / (k * a.steps)
        print("make_vec %d worker(s): %8.0f env-steps/s  (%.2fx %d worker(s)); CPU %.0f us per env-step in a worker, "
              "%.0f us per vector step in the parent" % (k, rate, rate / base, counts[0], 1e6 * wcpu,
                                                         1e6 * parent / a.steps))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m pilotsim.bench", description=__doc__.split("\n")[0])
    ap.add_argument("scene")
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reps", type=int, default=3, help="best of REPS runs (default 3)")
    ap.add_argument("--cli", help="the pilotsim executable, to time `pilotsim run` on the same scene")
    ap.add_argument("--vec", action="store_true", help="measure make_vec instead of one Env")
    ap.add_argument("--workers", default="1,2", help="worker counts for --vec (default 1,2)")
    a = ap.parse_args(argv)
    if a.vec:
        vec(a)
    else:
        per_step(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
