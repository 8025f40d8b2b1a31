"""Vector environments: sub-environments in worker processes, observations in
shared memory, gymnasium's VectorEnv API (autoreset on the next step).

    venv = pilotsim.make_vec("scenes/pilot/logistics_parcel_sorting.lua", num_envs=4)
    obs, infos = venv.reset(seed=0)        # sub-env i: episode seed 0 + i
    obs, rewards, terminations, truncations, infos = venv.step(venv.action_space.sample())

Seeds are gymnasium's: reset(seed=s) seeds sub-env i with s + i (a list gives
one seed each); later episodes draw their seeds from each sub-env's own
np_random, so sub-envs never replay each other and a seeded run is repeatable
whatever the number of workers.
"""

import multiprocessing as mp
import sys
import time
import traceback

import numpy as np

from .env import PilotsimError, gymnasium_available, make
from .spaces import Box, Dict, batch_space, gymnasium_module

_gym = gymnasium_module()
_VecBase = _gym.vector.VectorEnv if _gym is not None else object


def _autoreset_mode():
    if _gym is not None and hasattr(_gym.vector, "AutoresetMode"):
        return _gym.vector.AutoresetMode.NEXT_STEP
    return "NextStep"


def _entries(space):
    """(key, shape, dtype) of each array of an observation space (key None for a Box)."""
    if hasattr(space, "spaces") and isinstance(space.spaces, dict):
        return [(k, tuple(s.shape), np.dtype(s.dtype)) for k, s in space.spaces.items()]
    return [(None, tuple(space.shape), np.dtype(space.dtype))]


def _write_obs(bufs, index, obs):
    for key, arr in bufs:
        arr[index] = obs if key is None else obs[key]


def _worker(index, scene, kwargs, pipe, parent_pipe, shm):
    parent_pipe.close()
    env = None
    try:
        env = make(scene, **kwargs)
        entries = _entries(env.observation_space)
        bufs = [(k, np.frombuffer(shm[i], dtype).reshape((-1,) + shape)) for i, (k, shape, dtype) in enumerate(entries)]
        pipe.send(("ok", (env.observation_space, env.action_space, env.metadata)))
        needs_reset = False
        while True:
            cmd, arg = pipe.recv()
            if cmd == "reset":
                seed, options = arg
                obs, info = env.reset(seed=seed, options=options)
                _write_obs(bufs, index, obs)
                needs_reset = False
                pipe.send(("ok", info))
            elif cmd == "step":
                if needs_reset:   # NEXT_STEP autoreset: this step only resets
                    obs, info = env.reset()
                    r, term, trunc = 0.0, False, False
                else:
                    obs, r, term, trunc, info = env.step(arg)
                needs_reset = term or trunc
                _write_obs(bufs, index, obs)
                pipe.send(("ok", (r, term, trunc, info)))
            elif cmd == "call":
                name, args, kw = arg
                v = getattr(env, name)
                pipe.send(("ok", v(*args, **kw) if callable(v) else v))
            elif cmd == "cpu_time":   # for the benchmark: this worker's CPU seconds so far
                pipe.send(("ok", time.process_time()))
            elif cmd == "close":
                pipe.send(("ok", None))
                break
            else:
                pipe.send(("error", ("ValueError", "unknown command %r" % (cmd,), "")))
    except (KeyboardInterrupt, EOFError):
        pass
    except BaseException as e:  # reported to the parent, which raises
        try:
            pipe.send(("error", (type(e).__name__, str(e), traceback.format_exc())))
        except Exception:
            pass
    finally:
        if env is not None:
            env.close()
        pipe.close()


def _add_info(out, info, i, n):
    """Gymnasium's vector info layout: key -> array over sub-envs, "_key" -> mask."""
    for k, v in info.items():
        if isinstance(v, dict):
            sub = out.setdefault(k, {})
            _add_info(sub, v, i, n)
        else:
            if k not in out:
                if isinstance(v, (bool, np.bool_)):
                    out[k] = np.zeros(n, dtype=bool)
                elif isinstance(v, (int, np.integer)) and -(1 << 63) <= v < (1 << 63):
                    out[k] = np.zeros(n, dtype=np.int64)
                elif isinstance(v, (float, np.floating)):
                    out[k] = np.zeros(n, dtype=np.float64)
                else:
                    out[k] = np.full(n, None, dtype=object)
            out[k][i] = v
        mask = out.setdefault("_" + k, np.zeros(n, dtype=bool))
        mask[i] = True
    return out


class VectorEnv(_VecBase):
    """`num_envs` pilotsim Envs of one scene in worker processes. Follows
    gymnasium.vector.VectorEnv (a subclass when gymnasium is importable):
    reset(seed, options) -> (obs, infos); step(actions) -> (obs, rewards,
    terminations, truncations, infos) with NEXT_STEP autoreset; batched spaces
    (observation_space, action_space) and single_* spaces; close().
    Observations are fresh arrays unless copy=False (then views of the shared
    buffer, overwritten by the next step)."""

    def __init__(self, scene_path, num_envs, context=None, copy=True, **make_kwargs):
        if int(num_envs) < 1:
            raise ValueError("pilotsim: make_vec needs num_envs >= 1, got %r" % (num_envs,))
        if make_kwargs.get("zero_copy"):
            raise ValueError("pilotsim: make_vec observations are in shared memory already: no zero_copy")
        if make_kwargs.get("render_mode") is not None:
            raise ValueError("pilotsim: make_vec does not render; make one Env with render_mode for that")
        self.num_envs = n = int(num_envs)
        self.copy = bool(copy)
        self.closed = False
        self._pipes, self._procs = [], []
        ctx = mp.get_context(context)
        # Spaces from a probe Env made here (needed to size the shared buffers).
        probe = make(scene_path, **make_kwargs)
        self.single_observation_space = probe.observation_space
        self.single_action_space = probe.action_space
        self.metadata = dict(probe.metadata, autoreset_mode=_autoreset_mode())
        self.render_mode = None
        self.spec = None
        probe.close()
        del probe
        entries = _entries(self.single_observation_space)
        self._shm = [ctx.RawArray("b", max(1, n * int(np.prod(shape, dtype=np.int64)) * dt.itemsize))
                     for _, shape, dt in entries]
        self._bufs = [(k, np.frombuffer(self._shm[i], dt, count=n * int(np.prod(shape, dtype=np.int64))).reshape((n,) + shape))
                      for i, (k, shape, dt) in enumerate(entries)]
        self.observation_space = batch_space(self.single_observation_space, n)
        self.action_space = batch_space(self.single_action_space, n)
        try:
            for i in range(n):
                parent, child = ctx.Pipe()
                p = ctx.Process(target=_worker, name="pilotsim-vec-%d" % i, daemon=True,
                                args=(i, scene_path, make_kwargs, child, parent, self._shm))
                p.start()
                child.close()
                self._pipes.append(parent)
                self._procs.append(p)
            for i in range(n):
                self._recv(i)
        except BaseException:
            self.close(terminate=True)
            raise
        self._actions_dict = isinstance(self.single_action_space, (Dict,)) or (
            _gym is not None and isinstance(self.single_action_space, _gym.spaces.Dict))

    # ------------------------------------------------------------ API

    def reset(self, *, seed=None, options=None):
        self._check()
        if seed is None:
            seeds = [None] * self.num_envs
        elif isinstance(seed, (int, np.integer)):
            seeds = [int(seed) + i for i in range(self.num_envs)]
        else:
            seeds = list(seed)
            if len(seeds) != self.num_envs:
                raise ValueError("pilotsim: reset() got %d seeds for %d envs" % (len(seeds), self.num_envs))
        for p, s in zip(self._pipes, seeds):
            p.send(("reset", (s, options)))
        infos = {}
        for i in range(self.num_envs):
            _add_info(infos, self._recv(i), i, self.num_envs)
        return self._obs(), infos

    def step(self, actions):
        self._check()
        for i, p in enumerate(self._pipes):
            p.send(("step", self._action(actions, i)))
        rewards = np.zeros(self.num_envs, np.float64)
        terms = np.zeros(self.num_envs, bool)
        truncs = np.zeros(self.num_envs, bool)
        infos = {}
        for i in range(self.num_envs):
            r, te, tr, info = self._recv(i)
            rewards[i], terms[i], truncs[i] = r, te, tr
            _add_info(infos, info, i, self.num_envs)
        return self._obs(), rewards, terms, truncs, infos

    def call(self, name, *args, **kwargs):
        """Calls `name` (or reads the attribute) on every sub-env; a tuple of results."""
        self._check()
        for p in self._pipes:
            p.send(("call", (name, args, kwargs)))
        return tuple(self._recv(i) for i in range(self.num_envs))

    def get_attr(self, name):
        return self.call(name)

    def worker_cpu_times(self):
        """Each worker's CPU time so far, s (for benchmarks)."""
        self._check()
        for p in self._pipes:
            p.send(("cpu_time", None))
        return [self._recv(i) for i in range(self.num_envs)]

    def render(self):
        return None

    def close(self, terminate=False, **kwargs):
        if getattr(self, "closed", True):
            return
        self.closed = True
        for i, p in enumerate(self._pipes):
            try:
                if not terminate and self._procs[i].is_alive():
                    p.send(("close", None))
                    if p.poll(10):
                        p.recv()
            except (OSError, EOFError, BrokenPipeError):
                pass
        for p in self._procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
                p.join()
        for p in self._pipes:
            p.close()

    @property
    def unwrapped(self):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # ------------------------------------------------------------ internals

    def _check(self):
        if self.closed:
            raise PilotsimError("pilotsim: the vector environment is closed")

    def _action(self, actions, i):
        if self._actions_dict:
            return {k: np.asarray(v)[i] for k, v in actions.items()}
        return np.asarray(actions)[i]

    def _recv(self, i):
        try:
            status, payload = self._pipes[i].recv()
        except (EOFError, OSError):
            code = self._procs[i].exitcode
            self.close(terminate=True)
            raise PilotsimError("pilotsim: vector worker %d died (exit code %s)" % (i, code)) from None
        if status == "error":
            name, msg, tb = payload
            self.close(terminate=True)
            raise PilotsimError("pilotsim: vector worker %d: %s: %s\n%s" % (i, name, msg, tb))
        return payload

    def _obs(self):
        if len(self._bufs) == 1 and self._bufs[0][0] is None:
            a = self._bufs[0][1]
            return a.copy() if self.copy else a
        return {k: (a.copy() if self.copy else a) for k, a in self._bufs}


def make_vec(scene_path, num_envs=1, context=None, copy=True, **make_kwargs):
    """`num_envs` sub-environments of `scene_path` in worker processes (see
    :class:`VectorEnv`). make_kwargs go to pilotsim.make in each worker (they
    must be picklable for the "spawn" and "forkserver" contexts)."""
    return VectorEnv(scene_path, num_envs, context=context, copy=copy, **make_kwargs)
