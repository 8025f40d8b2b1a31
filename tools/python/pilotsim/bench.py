"""Steps per second through the Python binding, against the C loop.

    python3 -m pilotsim.bench SCENE [--steps N] [--seed S] [--cli PATH/TO/pilotsim]

Runs one episode of N steps (max_steps=N; the scene should not end earlier)
with zero actions in three ways: env.step(dict) (the action copied from a
numpy array), env.step(None) (actions written in place, no copy), and a bare
ctypes loop over ps_episode_step (the floor of the binding). With --cli it also
runs `pilotsim run SCENE --no-policy --steps N` and reads its wall_time. Prints
steps/s and the per-step overhead over the C loop in microseconds.
"""

import argparse
import json
import subprocess
import sys
import time

import numpy as np

from . import _lib as L
from .env import make


def _timed(fn, reps):
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m pilotsim.bench", description=__doc__.split("\n")[0])
    ap.add_argument("scene")
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reps", type=int, default=3, help="best of REPS runs (default 3)")
    ap.add_argument("--cli", help="the pilotsim executable, to time `pilotsim run` on the same scene")
    a = ap.parse_args(argv)
    n = a.steps
    env = make(a.scene, seed=a.seed, max_steps=n)
    zeros = {k: np.zeros(b.shape, np.float32) for k, b in env.action_space.items()}
    results = {}

    def loop_dict():
        env.reset(seed=a.seed)
        for _ in range(n):
            _, _, term, trunc, _ = env.step(zeros)
            if term or trunc:
                break

    def loop_none():
        env.reset(seed=a.seed)
        step = env.step
        for _ in range(n):
            _, _, term, trunc, _ = step(None)
            if term or trunc:
                break

    def loop_ctypes():
        env.reset(seed=a.seed)
        e, st = env._ep, L.ps_episode_step
        for _ in range(n):
            if st(e, n) != 0:
                break

    for name, fn in (("python env.step(dict)", loop_dict), ("python env.step(None)", loop_none),
                     ("python bare ps_episode_step", loop_ctypes)):
        t = _timed(fn, a.reps)
        steps = L.ps_episode_steps(env._ep)
        results[name] = steps / t
        if steps != n:
            print("warning: the episode ended after %d of %d steps (%s)" % (steps, n, env.status), file=sys.stderr)
    env.close()

    if a.cli:
        best = float("inf")
        for _ in range(a.reps):
            p = subprocess.run([a.cli, "run", a.scene, "--no-policy", "--steps", str(n), "--seed", str(a.seed),
                                "--json", "--quiet"], capture_output=True, text=True)
            d = json.loads(p.stdout)
            best = min(best, d["wall_time"])
        results["C loop (pilotsim run --no-policy)"] = d["steps"] / best

    c = results.get("C loop (pilotsim run --no-policy)")
    for name, rate in results.items():
        extra = ""
        if c and not name.startswith("C loop"):
            extra = "  overhead %.2f us/step (%.1fx the C loop's time)" % (1e6 * (1 / rate - 1 / c), c / rate)
        print("%-36s %10.0f steps/s  %7.2f us/step%s" % (name, rate, 1e6 / rate, extra))
    return 0


if __name__ == "__main__":
    sys.exit(main())
