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
import os
import pickle
import time
import traceback

import numpy as np

from .env import STATUS_NAMES, PilotsimError, make
from .spaces import batch_space, gymnasium_module

_gym = gymnasium_module()
_VecBase = _gym.vector.VectorEnv if _gym is not None else object

# One step's result of each sub-env, written by its worker into shared memory
# (one row per sub-env): the vector step moves no pickled data unless an
# episode ended (its message, metrics and clamp count) or a worker failed.
_RESULT = np.dtype([("reward", "f8"), ("ret", "f8"), ("sim_time", "f8"), ("steps", "i8"), ("seed", "u8"),
                    ("hash", "u8"), ("status", "i4"), ("term", "u1"), ("trunc", "u1")])
_STATUS = {name: i for i, name in enumerate(STATUS_NAMES)}
_STATUS_OBJ = np.array(STATUS_NAMES, dtype=object)
_STEP, _OK = b"s", b"k"   # the step command and its plain reply (pickles start with 0x80)
_END_KEYS = ("metrics", "action_clamps")


def _put(fd, msg):
    """Writes one message to a pipe: the step command and its plain reply as their
    one byte (one write), anything else as b"p", its length (8 bytes) and its pickle."""
    if msg is _STEP or msg is _OK:
        os.write(fd, msg)
        return
    data = pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(b"p" + len(data).to_bytes(8, "little") + data)
    while view:
        view = view[os.write(fd, view):]


def _get(fd):
    """Reads one message (_put's) from a pipe: _STEP, _OK or the unpickled object,
    mostly in one read (the two sides take turns, so nothing else is in the pipe).
    EOFError when the other side is gone."""
    buf = os.read(fd, 65536)
    if buf == _STEP or buf == _OK:
        return _OK if buf == _OK else _STEP
    while 0 < len(buf) < 9:
        more = os.read(fd, 9 - len(buf))
        if not more:
            break
        buf += more
    if len(buf) < 9 or buf[:1] != b"p":
        raise EOFError("pilotsim: vector pipe closed or out of step")
    n = int.from_bytes(buf[1:9], "little")
    parts, have = [buf[9:]], len(buf) - 9
    while have < n:
        more = os.read(fd, min(n - have, 1 << 20))
        if not more:
            raise EOFError("pilotsim: vector pipe closed mid-message")
        parts.append(more)
        have += len(more)
    return pickle.loads(b"".join(parts))


def _autoreset_mode():
    if _gym is not None and hasattr(_gym.vector, "AutoresetMode"):
        return _gym.vector.AutoresetMode.NEXT_STEP
    return "NextStep"


def _entries(space):
    """(key, shape, dtype) of each array of a space (key None for a Box)."""
    if hasattr(space, "spaces") and isinstance(space.spaces, dict):
        return [(k, tuple(s.shape), np.dtype(s.dtype)) for k, s in space.spaces.items()]
    return [(None, tuple(space.shape), np.dtype(space.dtype))]


def _shared(ctx, n, entries):
    """One shared buffer per entry, room for n rows."""
    return [ctx.RawArray("b", max(1, n * int(np.prod(shape, dtype=np.int64)) * dt.itemsize)) for _, shape, dt in entries]


def _views(shm, n, entries):
    """(key, [n, *shape] array over its shared buffer) per entry."""
    return [(k, np.frombuffer(shm[i], dt, count=n * int(np.prod(shape, dtype=np.int64))).reshape((n,) + shape))
            for i, (k, shape, dt) in enumerate(entries)]


def _worker(index, n, scene, kwargs, pipe, parent_pipe, obs_shm, act_shm, res_shm):
    parent_pipe.close()
    env = None
    try:
        # Observations are views of the episode's buffers (copied once, into shared memory).
        env = make(scene, **dict(kwargs, zero_copy=True))
        obs = [(k, a[index]) for k, a in _views(obs_shm, n, _entries(env.observation_space))]
        acts = [(k, a[index]) for k, a in _views(act_shm, n, _entries(env.action_space))]
        action = acts[0][1] if len(acts) == 1 and acts[0][0] is None else {k: a for k, a in acts}
        row = np.frombuffer(res_shm, _RESULT, count=n)[index:index + 1]
        fd = pipe.fileno()

        def publish(o, r, term, trunc, info):
            for k, a in obs:
                np.copyto(a, o if k is None else o[k], casting="unsafe")
            row[0] = (r, info["return"], info["sim_time"], info["steps"], info["seed"], int(info["hash"], 16),
                      _STATUS[info["status"]], term, trunc)

        _put(fd, ("ok", (env.observation_space, env.action_space, env.metadata)))
        needs_reset = False
        while True:
            msg = _get(fd)
            if msg == _STEP:
                if needs_reset:   # NEXT_STEP autoreset: this step only resets
                    o, info = env.reset()
                    r, term, trunc = 0.0, False, False
                else:
                    o, r, term, trunc, info = env.step(action)
                needs_reset = term or trunc
                publish(o, r, term, trunc, info)
                o = None   # views of the episode: none may be alive at its reset
                if info["message"] or "metrics" in info:
                    _put(fd, ("ok", {k: info[k] for k in ("message",) + _END_KEYS if k in info}))
                else:
                    _put(fd, _OK)
                continue
            cmd, arg = msg
            if cmd == "reset":
                seed, options = arg
                o, info = env.reset(seed=seed, options=options)
                publish(o, 0.0, False, False, info)
                o = None
                needs_reset = False
                _put(fd, ("ok", info))
            elif cmd == "call":
                name, args, kw = arg
                v = getattr(env, name)
                _put(fd, ("ok", v(*args, **kw) if callable(v) else v))
            elif cmd == "cpu_time":   # for the benchmark: this worker's CPU seconds so far
                _put(fd, ("ok", time.process_time()))
            elif cmd == "close":
                _put(fd, ("ok", None))
                break
            else:
                _put(fd, ("error", ("ValueError", "unknown command %r" % (cmd,), "")))
    except (KeyboardInterrupt, EOFError):
        pass
    except BaseException as e:  # reported to the parent, which raises
        try:
            _put(pipe.fileno(), ("error", (type(e).__name__, str(e), traceback.format_exc())))
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
        self._pipes, self._fds, self._procs = [], [], []
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
        # Shared memory, allocated once: observations, actions (written here, read by
        # the workers) and each step's results; the arrays below are views of it.
        entries, act_entries = _entries(self.single_observation_space), _entries(self.single_action_space)
        self._shm, act_shm = _shared(ctx, n, entries), _shared(ctx, n, act_entries)
        res_shm = ctx.RawArray("b", n * _RESULT.itemsize)
        self._bufs = _views(self._shm, n, entries)
        self._acts = _views(act_shm, n, act_entries)
        self._res = np.frombuffer(res_shm, _RESULT, count=n)
        self._ones = np.ones(n, bool)
        self.observation_space = batch_space(self.single_observation_space, n)
        self.action_space = batch_space(self.single_action_space, n)
        try:
            for i in range(n):
                parent, child = ctx.Pipe()
                p = ctx.Process(target=_worker, name="pilotsim-vec-%d" % i, daemon=True,
                                args=(i, n, scene_path, make_kwargs, child, parent, self._shm, act_shm, res_shm))
                p.start()
                child.close()
                self._pipes.append(parent)
                self._fds.append(parent.fileno())
                self._procs.append(p)
            for i in range(n):
                self._recv(i)
        except BaseException:
            self.close(terminate=True)
            raise

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
        for i, s in enumerate(seeds):
            self._send(i, ("reset", (s, options)))
        infos = {}
        for i in range(self.num_envs):
            _add_info(infos, self._recv(i), i, self.num_envs)
        return self._obs(), infos

    def step(self, actions):
        """One step of every sub-env: the actions go through shared memory, each
        worker gets one byte and answers with one (more only when its episode
        ended), the results come back through shared memory."""
        self._check()
        self._write_actions(actions)
        for i in range(self.num_envs):
            self._send(i, _STEP)
        ended = None
        for i in range(self.num_envs):
            msg = self._get(i)
            if msg is not _OK:
                if ended is None:
                    ended = {}
                ended[i] = self._payload(i, msg)
        res = self._res
        return (self._obs(), res["reward"].copy(), res["term"].astype(bool), res["trunc"].astype(bool),
                self._infos(ended))

    def call(self, name, *args, **kwargs):
        """Calls `name` (or reads the attribute) on every sub-env; a tuple of results."""
        self._check()
        for i in range(self.num_envs):
            self._send(i, ("call", (name, args, kwargs)))
        return tuple(self._recv(i) for i in range(self.num_envs))

    def get_attr(self, name):
        return self.call(name)

    def worker_cpu_times(self):
        """Each worker's CPU time so far, s (for benchmarks)."""
        self._check()
        for i in range(self.num_envs):
            self._send(i, ("cpu_time", None))
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
                    _put(p.fileno(), ("close", None))
                    if p.poll(10):
                        _get(p.fileno())
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

    def _write_actions(self, actions):
        """Copies the batched actions into the shared action buffers (cast to float32)."""
        for k, buf in self._acts:
            if k is None:
                a = actions
            else:
                try:
                    a = actions[k]
                except (KeyError, TypeError, IndexError):
                    raise ValueError("pilotsim: the actions need entry '%s' (a dict of arrays [num_envs, ...]: %s)"
                                     % (k, ", ".join(key for key, _ in self._acts))) from None
            a = np.asarray(a)
            if a.shape != buf.shape:
                raise ValueError("pilotsim: actions%s need shape %s, got %s"
                                 % ("" if k is None else "['%s']" % k, buf.shape, a.shape))
            np.copyto(buf, a, casting="same_kind")

    def _died(self, i):
        self._procs[i].join(timeout=1)
        code = self._procs[i].exitcode
        self.close(terminate=True)
        raise PilotsimError("pilotsim: vector worker %d died (exit code %s)" % (i, code)) from None

    def _send(self, i, msg):
        try:
            _put(self._fds[i], msg)
        except OSError:   # the worker is gone (EPIPE)
            self._died(i)

    def _get(self, i):
        try:
            return _get(self._fds[i])
        except (EOFError, OSError):
            self._died(i)

    def _payload(self, i, msg):
        status, payload = msg
        if status == "error":
            name, text, tb = payload
            self.close(terminate=True)
            raise PilotsimError("pilotsim: vector worker %d: %s: %s\n%s" % (i, name, text, tb))
        return payload

    def _recv(self, i):
        return self._payload(i, self._get(i))

    def _infos(self, ended):
        """The step's infos in gymnasium's vector layout, from the shared results
        (plus message, metrics and clamp count of the sub-envs whose episode ended)."""
        n, res = self.num_envs, self._res
        seeds = res["seed"]
        message = np.full(n, "", dtype=object)
        infos = {
            "status": _STATUS_OBJ[res["status"]], "_status": self._ones.copy(),
            "message": message, "_message": self._ones.copy(),
            "steps": res["steps"].copy(), "_steps": self._ones.copy(),
            "sim_time": res["sim_time"].copy(), "_sim_time": self._ones.copy(),
            "hash": np.array(["%016x" % h for h in res["hash"].tolist()], dtype=object), "_hash": self._ones.copy(),
            "return": res["ret"].copy(), "_return": self._ones.copy(),
            "seed": (seeds.astype(np.int64) if (seeds < (1 << 63)).all() else np.array(seeds.tolist(), dtype=object)),
            "_seed": self._ones.copy(),
        }
        for i, extra in (ended or {}).items():
            message[i] = extra.get("message", "")
            _add_info(infos, {k: extra[k] for k in _END_KEYS if k in extra}, i, n)
        return infos

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
