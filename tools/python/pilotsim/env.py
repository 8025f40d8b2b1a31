"""The environment: one scene, one episode at a time, Gymnasium's method signatures."""

import collections
import ctypes
import os

import numpy as np

from . import _lib as L

STATUS_NAMES = ("running", "success", "failure", "timeout", "physics_diverged", "script_error", "policy_error")
_TERMINAL = frozenset((L.EP_SUCCESS, L.EP_FAILURE, L.EP_DIVERGED, L.EP_SCRIPT_ERROR))
_U64 = 1 << 64


class PilotsimError(RuntimeError):
    """An error reported by the library; the message starts with "file:line:"
    when the library knows where (scene load and script errors)."""


class SceneLoadError(PilotsimError):
    """ps_scene_load failed: syntax error, missing field, bad param, ..."""


class ScriptError(PilotsimError):
    """The scene's build failed when an episode began (status script_error)."""


class Box(collections.namedtuple("Box", "shape dtype low high")):
    """One named float32 array of a space: shape (tuple), dtype (numpy.float32),
    low/high (float32 arrays of that shape; -inf/+inf where unbounded)."""

    __slots__ = ()

    @property
    def bounded(self):
        return bool(np.all(np.isfinite(self.low)) and np.all(np.isfinite(self.high)))

    def contains(self, x):
        a = np.asarray(x, dtype=np.float32)
        return a.shape == self.shape and bool(np.all(a >= self.low) and np.all(a <= self.high))

    def sample(self, rng=None):
        """Uniform in [low, high] (a standard normal where unbounded)."""
        rng = rng if rng is not None else np.random.default_rng()
        lo = np.where(np.isfinite(self.low), self.low, 0.0)
        hi = np.where(np.isfinite(self.high), self.high, 0.0)
        bounded = np.isfinite(self.low) & np.isfinite(self.high)
        x = np.where(bounded, rng.uniform(lo, np.maximum(lo, hi)), rng.standard_normal(self.shape))
        return x.astype(np.float32)


class DictSpace(dict):
    """A space: entry name -> Box, in the library's order (sorted by name)."""

    def contains(self, x):
        return isinstance(x, dict) and set(x) == set(self) and all(self[k].contains(v) for k, v in x.items())

    def sample(self, rng=None):
        rng = rng if rng is not None else np.random.default_rng()
        return {k: b.sample(rng) for k, b in self.items()}

    def to_gymnasium(self):
        """gymnasium.spaces.Dict of Box spaces (needs gymnasium importable)."""
        from gymnasium import spaces  # optional; not a dependency
        return spaces.Dict({k: spaces.Box(low=b.low, high=b.high, shape=b.shape, dtype=np.float32)
                            for k, b in self.items()})


def _cstrings(items):
    """(char** array, count, keep-alive list) for a list of str."""
    enc = [os.fsencode(s) if not isinstance(s, bytes) else s for s in items]
    arr = (ctypes.c_char_p * max(1, len(enc)))(*enc)
    return ctypes.cast(arr, L.c_char_pp), len(enc), (arr, enc)


def _param_text(name, value):
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, float):
        value = repr(value)
    return "%s=%s" % (name, value)


def _env_paths(var):
    v = os.environ.get(var, "")
    return [p for p in v.split(os.pathsep) if p]


class Env:
    """A pilotsim scene as an environment. Create it with :func:`make`.

    Observations are a dict name -> numpy float32 array that *views* the
    library's buffer (no copy; read-only): the same arrays are returned by
    every reset/step of an episode and change in place when the episode
    steps. They are valid until the next ``reset()`` (which begins a new
    episode with new buffers) or ``close()``; after that they point at freed
    memory and must not be read. Copy them (``np.copy``) to keep values.
    Action arrays (``action_buffers``) are made read-only at that point, so
    a stale write raises instead of corrupting memory.
    """

    metadata = {"render_modes": []}
    render_mode = None

    def __init__(self, scene_path, seed=None, params=None, module_paths=None, package_paths=None,
                 max_steps=None, trusted=False, log=None):
        self._scene = None
        self._ep = None
        self._world = None
        self._obs = {}
        self._act = {}
        root = L.repo_root()
        mods = list(module_paths or []) + _env_paths("PILOTSIM_MODULE_PATH") + [os.path.join(root, "scripts")]
        pkgs = list(package_paths or []) + _env_paths("PILOTSIM_PACKAGE_PATH") + [os.path.join(root, "assets")]
        if isinstance(params, dict):
            plist = [_param_text(k, v) for k, v in params.items()]
        else:
            plist = [str(p) for p in (params or [])]
        if max_steps is not None and int(max_steps) <= 0:
            raise ValueError("max_steps must be a positive integer or None (the scene's time limit)")
        self._max_steps = int(max_steps or 0)

        opt = L.ps_default_scene_options()
        opt.module_paths, opt.module_path_count, k1 = _cstrings(mods)
        opt.package_paths, opt.package_path_count, k2 = _cstrings(pkgs)
        opt.params, opt.param_count, k3 = _cstrings(plist)
        opt.trusted = bool(trusted)
        self._log_cb = None
        if log is not None:
            def _cb(_user, level, msg):
                log(L.LOG_LEVELS[level] if 0 <= level < 4 else str(level), L.text(msg))
            self._log_cb = L.LOG_FN(_cb)   # kept alive as long as the scene
            opt.log.fn = self._log_cb
        err = ctypes.create_string_buffer(16384)
        scene = L.ps_scene_load(os.fsencode(scene_path), ctypes.byref(opt), err, len(err))
        del k1, k2, k3  # the library copies the strings
        if not scene:
            raise SceneLoadError(L.text(err.value) or "cannot load scene %s" % scene_path)
        self._scene = scene
        self.scene_path = str(scene_path)
        self.scene_name = L.text(L.ps_scene_name(scene))
        self.timestep = L.ps_scene_timestep(scene)
        self.time_limit = L.ps_scene_time_limit(scene)
        self.scene_hash = L.ps_scene_content_hash(scene)
        self.params = self._read_params()

        seed = 0 if seed is None else self._check_seed(seed)
        self._next_seed = seed
        # Spaces exist once an episode has begun: begin the first one now (its
        # build errors surface here) and hand it to the first reset() with that seed.
        try:
            self._begin(seed)
        except BaseException:
            self.close()
            raise
        self._fresh = True

    # ------------------------------------------------------------ Gymnasium API

    def reset(self, seed=None, options=None):
        """Begins a new episode. seed=None continues the sequence: the seed
        given to make() for the first episode, then previous seed + 1.
        Returns (obs, info)."""
        if options:
            raise ValueError("pilotsim: reset() takes no options (params are set in make())")
        self._check_open()
        seed = self._next_seed if seed is None else self._check_seed(seed)
        self._next_seed = (seed + 1) % _U64
        fresh, self._fresh = self._fresh, False
        if not (fresh and self._ep is not None and self._ep_seed == seed):
            self._end_episode()
            self._begin(seed)
        return self._obs, self._info(L.EP_RUNNING)

    def step(self, action):
        """Writes `action` into the action buffers (a dict name -> array-like;
        a single array when the space has one entry; None to step with the
        buffers as they are, e.g. after writing ``action_buffers`` in place),
        runs one step and returns (obs, reward, terminated, truncated, info)."""
        e = self._ep
        if e is None:
            raise PilotsimError("pilotsim: step() without an episode: the environment is closed"
                                if not self._scene else "pilotsim: step() without an episode: call reset()")
        if self._done:
            raise PilotsimError("pilotsim: the episode has ended (%s); call reset()" % self._status_name)
        self._fresh = False
        if action is not None:
            self._write_action(action)
        st = L.ps_episode_step(e, self._max_steps)
        ret = L.ps_episode_return(e)
        reward = ret - self._ret
        self._ret = ret
        info = self._info(st)
        if st != L.EP_RUNNING:
            self._finish(info)
            st = self._final_status
        return self._obs, reward, st in _TERMINAL, st == L.EP_TIMEOUT, info

    def close(self):
        """Ends the episode and frees the scene. Arrays handed out become invalid."""
        self._end_episode()
        if self._scene:
            L.ps_scene_destroy(self._scene)
            self._scene = None

    def render(self):
        return None

    @property
    def unwrapped(self):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # ------------------------------------------------------------ extras

    @property
    def action_buffers(self):
        """name -> writable float32 array viewing the library's action buffer.
        Write into them and call step(None) to skip the copy entirely."""
        return self._act

    def observation(self):
        """The current observation dict (the same views reset/step return)."""
        return self._obs

    @property
    def status(self):
        """The episode's status name ("running", "success", ...)."""
        return self._status_name if self._ep else "closed"

    @property
    def episode_seed(self):
        return self._ep_seed

    def save_state(self):
        """Saves the running episode (world, counters, RNG, observation and
        action buffers, the scene's ctx.state) and returns an opaque
        EpisodeState for restore_state(); see sim/include/pilotsim/state.h.
        Raises PilotsimError when ctx.state holds something that is not plain data."""
        if self._ep is None:
            raise PilotsimError("pilotsim: save_state() without an episode: call reset()")
        st = EpisodeState(self)
        err = ctypes.create_string_buffer(4096)
        if L.ps_episode_save_state(self._ep, st._ptr, err, len(err)) != 0:
            raise PilotsimError("pilotsim: " + L.text(err.value))
        st._ret, st._done, st._final, st._name = self._ret, self._done, self._final_status, self._status_name
        st._metrics = self._metrics
        return st

    def restore_state(self, state):
        """Rewinds the running episode to `state` (from save_state() in this
        same episode); stepping again reproduces the original continuation bit
        for bit. Observation views stay valid and show the restored values."""
        if not isinstance(state, EpisodeState) or state._env is not self or self._ep is None:
            raise PilotsimError("pilotsim: restore_state() needs a state saved from this environment's episode")
        err = ctypes.create_string_buffer(4096)
        if L.ps_episode_restore_state(self._ep, state._ptr, err, len(err)) != 0:
            raise PilotsimError("pilotsim: " + L.text(err.value))
        self._ret, self._done, self._final_status, self._status_name = state._ret, state._done, state._final, state._name
        self._metrics = state._metrics
        return self._obs

    def state_hash(self):
        """ps_world_state_hash of the episode's world (0 when there is none)."""
        return L.ps_world_state_hash(self._world) if self._ep and self._world else 0

    # ------------------------------------------------------------ internals

    @staticmethod
    def _check_seed(seed):
        seed = int(seed)
        if not 0 <= seed < _U64:
            raise ValueError("pilotsim: seed must be in [0, 2**64), got %d" % seed)
        return seed

    def _check_open(self):
        if not self._scene:
            raise PilotsimError("pilotsim: the environment is closed")

    def _read_params(self):
        out = {}
        info = L.ps_param_info()
        for i in range(L.ps_scene_param_count(self._scene)):
            if L.ps_scene_param(self._scene, i, ctypes.byref(info)) == 0:
                out[L.text(info.name)] = {
                    "type": L.text(info.type), "description": L.text(info.description),
                    "min": info.min, "max": info.max, "randomize": bool(info.randomize),
                    "overridden": bool(info.overridden), "value": L.text(info.value),
                }
        return out

    def _begin(self, seed):
        e = L.ps_episode_begin(self._scene, seed)
        if not e:
            raise MemoryError("pilotsim: ps_episode_begin failed (out of memory)")
        self._ep = e
        self._world = L.ps_episode_world(e)
        self._ep_seed = seed
        self._ret = 0.0
        self._done = False
        self._metrics = None
        self._final_status = L.EP_RUNNING
        st = L.ps_episode_get_status(e)
        self._status_name = STATUS_NAMES[st]
        if st != L.EP_RUNNING:
            msg = L.text(L.ps_episode_message(e))
            self._end_episode()
            raise ScriptError(msg or "pilotsim: episode ended at begin with status %s" % STATUS_NAMES[st])
        self._obs, self.observation_space = self._bind(L.ps_episode_observation_count, L.ps_episode_observation,
                                                       writable=False)
        self._act, self.action_space = self._bind(L.ps_episode_action_count, L.ps_episode_action, writable=True)

    def _bind(self, count_fn, entry_fn, writable):
        views, space = {}, DictSpace()
        for i in range(count_fn(self._ep)):
            ent = entry_fn(self._ep, i).contents
            name = L.text(ent.name)
            shape = tuple(ent.shape[d] for d in range(ent.ndim))
            n = int(np.prod(shape))
            if n != ent.count or not ent.data:
                raise PilotsimError("pilotsim: entry '%s' has shape %s but count %d / data %s"
                                    % (name, shape, ent.count, bool(ent.data)))
            arr = np.ctypeslib.as_array(ent.data, shape=shape)   # a view, not a copy
            arr.flags.writeable = writable
            views[name] = arr
            low = (np.ctypeslib.as_array(ent.low, shape=shape).copy() if ent.low
                   else np.full(shape, -np.inf, np.float32))
            high = (np.ctypeslib.as_array(ent.high, shape=shape).copy() if ent.high
                    else np.full(shape, np.inf, np.float32))
            space[name] = Box(shape, np.float32, low, high)
        return views, space

    def _write_action(self, action):
        act = self._act
        if isinstance(action, dict):
            for name, value in action.items():
                view = act.get(name)
                if view is None:
                    raise KeyError("pilotsim: no action entry '%s' (entries: %s)" % (name, ", ".join(act) or "none"))
                self._copy(name, view, value)
            if len(action) != len(act):
                missing = [k for k in act if k not in action]
                raise ValueError("pilotsim: action lacks entries: %s" % ", ".join(missing))
        elif len(act) == 1:
            name, view = next(iter(act.items()))
            self._copy(name, view, action)
        else:
            raise TypeError("pilotsim: the action space has %d entries (%s): pass a dict name -> array"
                            % (len(act), ", ".join(act) or "none"))

    @staticmethod
    def _copy(name, view, value):
        a = value if isinstance(value, np.ndarray) else np.asarray(value, dtype=np.float32)
        if a.shape != view.shape:
            if a.size != view.size:
                raise ValueError("pilotsim: action '%s' needs shape %s, got %s" % (name, view.shape, a.shape))
            a = a.reshape(view.shape)
        np.copyto(view, a, casting="same_kind")   # the one copy, with the cast to float32

    def _info(self, st):
        e = self._ep
        w = self._world  # fixed for the episode's life
        return {
            "status": STATUS_NAMES[st],
            # "" while running (scene.h); read only when there can be one
            "message": L.text(L.ps_episode_message(e)) if st != L.EP_RUNNING else "",
            "steps": L.ps_episode_steps(e),
            "sim_time": L.ps_world_time(w) if w else 0.0,
            "hash": L.ps_world_state_hash(w) if w else 0,
            "return": self._ret,
            "seed": self._ep_seed,
        }

    def _finish(self, info):
        """The episode ended: metrics, once (a metrics error makes it a
        script_error, as in `pilotsim run`)."""
        e = self._ep
        self._done = True
        st = L.ps_episode_get_status(e)
        names = ctypes.POINTER(ctypes.c_char_p)()
        values = ctypes.POINTER(ctypes.c_double)()
        err = ctypes.create_string_buffer(4096)
        metrics = {}
        if st != L.EP_SCRIPT_ERROR:
            n = L.ps_episode_metrics(e, ctypes.byref(names), ctypes.byref(values), err, len(err))
            if n < 0:
                st = L.EP_SCRIPT_ERROR
                info["status"] = STATUS_NAMES[st]
                info["message"] = L.text(err.value)
            else:
                metrics = {L.text(names[i]): values[i] for i in range(n)}
        self._metrics = metrics
        self._final_status = st
        self._status_name = STATUS_NAMES[st]
        info["metrics"] = metrics
        info["action_clamps"] = L.ps_episode_action_clamps(e)

    def _end_episode(self):
        for a in self._act.values():
            a.flags.writeable = False
        self._obs, self._act = {}, {}
        if self._ep:
            L.ps_episode_end(self._ep)
            self._ep = None
            self._world = None


def make(scene_path, seed=None, params=None, module_paths=None, package_paths=None, max_steps=None,
         trusted=False, log=None):
    """Loads a scene and returns an :class:`Env`.

    scene_path: a scene file (.lua). seed: the first episode's seed (default 0,
    as `pilotsim run`); later reset()s without a seed use seed + 1, + 2, ...
    params: {"name": value} or ["name=value", ...] overrides. module_paths /
    package_paths: searched before $PILOTSIM_MODULE_PATH / $PILOTSIM_PACKAGE_PATH
    and the repository's scripts/ and assets/. max_steps: steps before the
    episode is truncated (default: the scene's time limit). trusted: lift the
    Lua sandbox. log: callable(level, message) receiving the scene's print()
    and warnings (default: the library prints warnings and errors to stderr).
    Raises SceneLoadError / ScriptError with the library's "file:line: ..." text.
    """
    return Env(scene_path, seed=seed, params=params, module_paths=module_paths, package_paths=package_paths,
               max_steps=max_steps, trusted=trusted, log=log)


class EpisodeState:
    """An opaque saved episode state (Env.save_state); frees its C buffer when collected."""

    def __init__(self, env):
        self._env = env
        self._ptr = L.ps_episode_state_create()
        if not self._ptr:
            raise MemoryError("pilotsim: ps_episode_state_create failed")

    def __del__(self):
        try:
            if self._ptr:
                L.ps_episode_state_destroy(self._ptr)
                self._ptr = None
        except Exception:
            pass
