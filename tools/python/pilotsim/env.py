"""The environment: one scene, one episode at a time, with Gymnasium's contract.

`Env` subclasses gymnasium.Env when gymnasium is importable (and is a plain
class with the same contract otherwise); its spaces are gymnasium spaces then.
"""

import ctypes
import gc
import math
import os
import weakref

import numpy as np

from . import _lib as L
from . import render as R
from .spaces import _rng, gymnasium_module, make_box, make_dict

STATUS_NAMES = ("running", "success", "failure", "timeout", "physics_diverged", "script_error", "policy_error")
_TERMINAL = frozenset((L.EP_SUCCESS, L.EP_FAILURE, L.EP_DIVERGED, L.EP_SCRIPT_ERROR))
_U64 = 1 << 64
_SEED_DRAW = 1 << 63   # drawn episode seeds fit an int64 (numpy arrays of infos)

_gym = gymnasium_module()
_Base = _gym.Env if _gym is not None else object
gymnasium_available = _gym is not None


class PilotsimError(RuntimeError):
    """An error reported by the library; the message starts with "file:line:"
    when the library knows where (scene load and script errors)."""


class SceneLoadError(PilotsimError):
    """ps_scene_load failed: syntax error, missing field, bad param, ..."""


class ScriptError(PilotsimError):
    """The scene's build failed when an episode began (status script_error)."""


def _cstrings(items):
    """(char** array, count, keep-alive) for a list of str."""
    enc = [os.fsencode(s) if not isinstance(s, bytes) else s for s in items]
    arr = (ctypes.c_char_p * max(1, len(enc)))(*enc)
    return ctypes.cast(arr, L.c_char_pp), len(enc), (arr, enc)


def _param_text(name, value):
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, float):
        value = repr(value)
    return "%s=%s" % (name, value)


def _deserialize(state):
    """A ps_episode_state from bytes (free it with ps_episode_state_destroy)."""
    data = bytes(state)
    err = ctypes.create_string_buffer(L.ERR_LEN)
    st = L.ps_episode_state_deserialize(data, len(data), err, len(err))
    if not st:
        raise PilotsimError("pilotsim: " + L.text(err.value))
    return st


def state_structure(state):
    """The world-structure fingerprint of bytes from Env.save_state() (or a
    dataset's state row): they restore into an Env whose structure() is the
    same. Raises PilotsimError for bytes that are not a state."""
    st = _deserialize(state)
    try:
        return L.ps_episode_state_structure(st)
    finally:
        L.ps_episode_state_destroy(st)


def _env_paths(var):
    return [p for p in os.environ.get(var, "").split(os.pathsep) if p]


class _Scene:
    """Owns a ps_scene (and the callbacks it calls): freed when the last Env or
    episode (or array viewing an episode's buffer) that needs it is gone."""

    def __init__(self, path, plist, module_paths, package_paths, trusted, log, renderer):
        self.ptr = None
        root = L.repo_root()
        mods = list(module_paths or []) + _env_paths("PILOTSIM_MODULE_PATH") + ([os.path.join(root, "scripts")] if root else [])
        pkgs = list(package_paths or []) + _env_paths("PILOTSIM_PACKAGE_PATH") + ([os.path.join(root, "assets")] if root else [])
        opt = L.ps_default_scene_options()
        opt.module_paths, opt.module_path_count, k1 = _cstrings(mods)
        opt.package_paths, opt.package_path_count, k2 = _cstrings(pkgs)
        opt.params, opt.param_count, k3 = _cstrings(plist)
        opt.trusted = bool(trusted)
        self.log_cb = None
        if log is not None:
            def _cb(_user, level, msg):
                log(L.LOG_LEVELS[level] if 0 <= level < 4 else str(level), L.text(msg))
            self.log_cb = L.LOG_FN(_cb)
            opt.log.fn = self.log_cb
        err = ctypes.create_string_buffer(L.ERR_LEN)
        ptr = L.ps_scene_load(os.fsencode(path), ctypes.byref(opt), err, len(err))
        del k1, k2, k3  # the library copies the strings
        if not ptr:
            raise SceneLoadError(L.text(err.value) or "cannot load scene %s" % path)
        self.ptr = ptr
        # Camera sensors: a lazily created offscreen renderer (no GL until a camera renders).
        self.renderer = R.install(ptr) if renderer else None

    def __del__(self):
        if self.ptr:
            ptr, self.ptr = self.ptr, None
            L.ps_scene_destroy(ptr)


class _Episode:
    """Owns a ps_episode; every array viewing its buffers keeps it (and its
    scene) alive, so a view can never outlive the memory it shows."""

    __slots__ = ("ptr", "scene", "__weakref__")

    def __init__(self, scene, seed):
        self.scene = scene
        self.ptr = L.ps_episode_begin(scene.ptr, seed)
        if not self.ptr:
            raise MemoryError("pilotsim: ps_episode_begin failed (out of memory)")

    def __del__(self):
        if self.ptr:
            ptr, self.ptr = self.ptr, None
            L.ps_episode_end(ptr)


def _view(episode, ent, shape, writable):
    """A numpy array over an entry's float32 buffer whose base keeps `episode` alive."""
    n = int(ent.count)
    buf = (ctypes.c_float * n).from_address(ctypes.cast(ent.data, ctypes.c_void_p).value)
    buf._episode = episode
    arr = np.frombuffer(buf, np.float32).reshape(shape)
    arr.flags.writeable = writable
    return arr


def _to_uint8(a):
    return np.clip(np.rint(a * 255.0), 0, 255).astype(np.uint8)


_CONVERT = {np.dtype(np.float32): None, np.dtype(np.uint8): _to_uint8,
            np.dtype(np.int32): lambda a: np.rint(a).astype(np.int32)}
_LIMITS = {np.dtype(np.uint8): (0, 255), np.dtype(np.int32): (-(1 << 31), (1 << 31) - 1)}


class Env(_Base):
    """A pilotsim scene as an environment. Create it with :func:`make`.

    Observations are fresh numpy arrays on every reset/step (yours to keep).
    With ``zero_copy=True`` they are instead read-only views of the library's
    buffers, updated in place by every step of the episode; a view keeps its
    episode's memory alive, so it stays readable (frozen at the episode's last
    step) after reset()/close() and is never a dangling pointer.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 30}

    def __init__(self, scene_path, seed=None, params=None, module_paths=None, package_paths=None,
                 max_steps=None, trusted=False, log=None, render_mode=None, zero_copy=False,
                 flatten_actions=False, flatten_observations=False, action_repeat=1, control_rate=None,
                 obs_dtypes=None, render_size=(640, 480), renderer=None):
        self._scene = None
        self._ep = None
        if render_mode not in (None, "rgb_array"):
            raise ValueError("pilotsim: render_mode must be None or 'rgb_array', got %r" % (render_mode,))
        if max_steps is not None and int(max_steps) <= 0:
            raise ValueError("pilotsim: max_steps must be a positive integer or None (the scene's time limit)")
        plist = ([_param_text(k, v) for k, v in params.items()] if isinstance(params, dict)
                 else [str(p) for p in (params or [])])
        self._args = dict(scene_path=scene_path, seed=seed, params=params, module_paths=module_paths,
                          package_paths=package_paths, max_steps=max_steps, trusted=trusted, log=log,
                          render_mode=render_mode, zero_copy=zero_copy, flatten_actions=flatten_actions,
                          flatten_observations=flatten_observations, action_repeat=action_repeat,
                          control_rate=control_rate, obs_dtypes=obs_dtypes, render_size=render_size,
                          renderer=renderer)
        # Camera sensors need the renderer; it costs nothing until a camera renders.
        want_renderer = R.available() if renderer is None else bool(renderer)
        if (render_mode == "rgb_array" or renderer) and not R.available():
            raise PilotsimError(R.error())
        self._load = lambda: _Scene(scene_path, plist, module_paths, package_paths, trusted, log, want_renderer)
        self._scene = self._load()
        s = self._scene.ptr
        self.scene_path = str(scene_path)
        self.scene_name = L.text(L.ps_scene_name(s))
        self.timestep = L.ps_scene_timestep(s)
        self.time_limit = L.ps_scene_time_limit(s)
        self.scene_hash = L.ps_scene_content_hash(s)
        self.params = self._read_params()
        self.render_mode = render_mode
        self._render_size = (int(render_size[0]), int(render_size[1]))
        self._max_steps = int(max_steps or 0)
        self._zero_copy = bool(zero_copy)
        self._flat_act = bool(flatten_actions)
        self._flat_obs = bool(flatten_observations)
        self.action_repeat = self._repeat(action_repeat, control_rate)
        self.metadata = dict(Env.metadata, render_fps=1.0 / (self.timestep * self.action_repeat))
        self._obs_dtypes = {k: np.dtype(v) for k, v in (obs_dtypes or {}).items()}
        for k, dt in self._obs_dtypes.items():
            if dt not in _CONVERT:
                raise ValueError("pilotsim: obs_dtypes['%s']: %s is not float32, uint8 or int32" % (k, dt))
        self._np_random = None
        self._np_random_seed = None
        self._prog = L.ps_episode_progress()
        self._prog_ptr = ctypes.pointer(self._prog)
        self._make_seed = None if seed is None else self._check_seed(seed)
        # Spaces exist once an episode has begun: begin one now (build errors
        # surface here) and hand it to the first reset() with that seed.
        try:
            self._begin(0 if seed is None else self._make_seed)
        except BaseException:
            self.close()
            raise
        self._fresh = True
        for k in self._obs_dtypes:
            if k not in self._views:
                raise ValueError("pilotsim: obs_dtypes names '%s', not an observation entry (%s)"
                                 % (k, ", ".join(self._views)))
        self.observation_space = self._obs_space()
        self.action_space = self._act_space()

    # ------------------------------------------------------------ Gymnasium API

    @property
    def np_random(self):
        """The environment's generator (gymnasium's): seeded by reset(seed=...),
        from OS entropy if used before; later episode seeds are drawn from it."""
        if self._np_random is None:
            self._np_random, self._np_random_seed = _rng()
        return self._np_random

    @np_random.setter
    def np_random(self, value):
        self._np_random, self._np_random_seed = value, -1

    @property
    def np_random_seed(self):
        if self._np_random is None:
            self._np_random, self._np_random_seed = _rng()
        return self._np_random_seed

    def reset(self, *, seed=None, options=None):
        """Begins a new episode and returns (obs, info). reset(seed=s) seeds
        np_random and runs episode seed s (as `pilotsim run --seed s`); reset()
        draws a fresh episode seed from np_random (the seed given to make(), if
        any, acts as the first reset's seed)."""
        if options:
            raise ValueError("pilotsim: reset() takes no options (params are set in make())")
        self._check_open()
        if seed is None and self._make_seed is not None:
            seed = self._make_seed
        self._make_seed = None
        if seed is not None:
            seed = self._check_seed(seed)
            self._np_random, self._np_random_seed = _rng(seed)
        else:
            seed = int(self.np_random.integers(0, _SEED_DRAW))
        fresh, self._fresh = self._fresh, False
        if not (fresh and self._ep is not None and self._ep_seed == seed):
            self._end_episode()
            self._begin(seed)
        return self._observe(), self._info(L.EP_RUNNING)

    def step(self, action):
        """Writes `action` (a dict name -> array-like; one array when the action
        space is a Box; None to step with ``action_buffers`` as written), runs
        ``action_repeat`` steps and returns (obs, reward, terminated, truncated, info)."""
        ep = self._ep
        if ep is None:
            raise PilotsimError("pilotsim: step() without an episode: the environment is closed"
                                if self._scene is None else "pilotsim: step() without an episode: call reset()")
        if self._done:
            raise PilotsimError("pilotsim: the episode has ended (%s); call reset()" % self._status_name)
        self._fresh = False
        if action is not None:
            one = self._one_act
            if one is not None and type(action) is np.ndarray and action.shape == one.shape:
                one[...] = action   # the common case: one Box entry, an array of its shape
            else:
                self._write_action(action)
        p = self._prog
        st = L.ps_episode_step_repeat(ep.ptr, self._max_steps, self.action_repeat, self._prog_ptr)
        ret = p.ret
        reward = ret - self._ret
        self._ret = ret
        info = {"status": STATUS_NAMES[st], "message": "", "steps": p.steps, "sim_time": p.time,
                "hash": "%016x" % p.hash, "return": ret, "seed": self._ep_seed}
        if st != L.EP_RUNNING:
            info["message"] = L.text(L.ps_episode_message(ep.ptr))
            self._finish(info)
            st = self._final_status
        return self._observe(), reward, st in _TERMINAL, st == L.EP_TIMEOUT, info

    def render(self):
        """render_mode="rgb_array": the scene view (its `view` field, else framing
        everything) as a uint8 (height, width, 3) array. None without a render mode."""
        if self.render_mode is None:
            return None
        if self._ep is None:
            raise PilotsimError("pilotsim: render() without an episode: call reset()")
        return R.render_view(self._scene, L.ps_episode_world(self._ep.ptr), *self._render_size)

    def close(self):
        """Ends the episode and frees the scene (arrays viewing its buffers keep
        their memory until they are gone). Idempotent."""
        self._end_episode()
        self._scene = None

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

    def __str__(self):
        return "<pilotsim.Env %s>" % getattr(self, "scene_name", "?")

    # ------------------------------------------------------------ pickling

    def __reduce__(self):
        """An Env pickles (and deep-copies) as its make() arguments, its
        generator and, mid-episode, its saved state: the copy continues bit for
        bit as the original would. A `log` callable must be picklable too."""
        state = None
        if self._ep is not None and not self._done:
            state = self.save_state()
        rng = self._np_random.bit_generator.state if self._np_random is not None else None
        return (_unpickle, (self._args, state, rng, self._np_random_seed, self._make_seed))

    # ------------------------------------------------------------ extras

    @property
    def action_buffers(self):
        """name -> writable float32 array viewing the library's action buffer
        (keeps the episode's memory alive). Write into them and call
        step(None) to skip the copy."""
        return self._act

    def observation(self):
        """The current observation (as reset/step return it)."""
        return self._observe()

    @property
    def status(self):
        """The episode's status name ("running", "success", ...), or "closed"."""
        return self._status_name if self._ep else "closed"

    @property
    def episode_seed(self):
        return self._ep_seed

    def save_state(self):
        """The running episode's state (world, counters, RNG, observation and
        action buffers, the scene's ctx.state) as bytes: picklable, and
        restorable with restore_state() in any Env of the same scene file and
        params, in this process or another. Raises PilotsimError when ctx.state
        holds something that is not plain data."""
        if self._ep is None:
            raise PilotsimError("pilotsim: save_state() without an episode: call reset()")
        st = L.ps_episode_state_create()
        if not st:
            raise MemoryError("pilotsim: ps_episode_state_create failed")
        try:
            err = ctypes.create_string_buffer(L.ERR_LEN)
            if L.ps_episode_save_state(self._ep.ptr, st, err, len(err)) != 0:
                raise PilotsimError("pilotsim: " + L.text(err.value))
            data, n = ctypes.c_void_p(), ctypes.c_size_t()
            if L.ps_episode_state_serialize(st, ctypes.byref(data), ctypes.byref(n)) != 0:
                raise MemoryError("pilotsim: ps_episode_state_serialize failed")
            try:
                return ctypes.string_at(data, n.value)
            finally:
                L.ps_episode_state_free_bytes(data)
        finally:
            L.ps_episode_state_destroy(st)

    def restore_state(self, state):
        """Restores bytes from save_state(): the episode continues bit for bit as
        the saved one did. When the running episode has another seed (or there
        is none), an episode with the saved seed is begun first. Returns the
        observation."""
        self._check_open()
        if not isinstance(state, (bytes, bytearray, memoryview)):
            raise TypeError("pilotsim: restore_state() takes the bytes save_state() returned, not %s"
                            % type(state).__name__)
        st = _deserialize(state)
        err = ctypes.create_string_buffer(L.ERR_LEN)
        try:
            seed = L.ps_episode_state_seed(st)
            if self._ep is None or self._ep_seed != seed:
                self._end_episode()
                self._begin(seed)
            if L.ps_episode_restore_state(self._ep.ptr, st, err, len(err)) != 0:
                raise PilotsimError("pilotsim: " + L.text(err.value))
        finally:
            L.ps_episode_state_destroy(st)
        self._fresh = False
        e = self._ep.ptr
        self._ret = L.ps_episode_return(e)
        s = L.ps_episode_get_status(e)
        self._done, self._final_status, self._status_name, self._metrics = False, L.EP_RUNNING, STATUS_NAMES[s], None
        if s != L.EP_RUNNING:
            self._finish(self._info(s))
        return self._observe()

    def structure(self):
        """The fingerprint of the episode world's structure (bodies, joints,
        robots, sensors) as an int; a state restores into this Env only when
        state_structure(state) is the same. 0 when there is no episode."""
        return L.ps_episode_structure(self._ep.ptr) if self._ep is not None else 0

    def state_hash(self):
        """ps_world_state_hash of the episode's world as an int (0 when none)."""
        return L.ps_world_state_hash(self._world) if self._ep is not None else 0

    def state_digest(self):
        """ps_world_state_digest of the episode's world as an int (0 when none):
        the cheaper hash of the same state that datasets record per step."""
        return L.ps_world_state_digest(self._world) if self._ep is not None else 0

    # ------------------------------------------------------------ internals

    def _repeat(self, action_repeat, control_rate):
        k = int(action_repeat)
        if k < 1:
            raise ValueError("pilotsim: action_repeat must be >= 1, got %r" % (action_repeat,))
        if control_rate is not None:
            if k != 1:
                raise ValueError("pilotsim: give action_repeat or control_rate, not both")
            ratio = 1.0 / (float(control_rate) * self.timestep)
            k = int(round(ratio))
            if k < 1 or abs(ratio - k) > 1e-6 * ratio:
                raise ValueError("pilotsim: control_rate %g Hz is not the physics rate %g Hz divided by a whole "
                                 "number" % (control_rate, 1.0 / self.timestep))
        return k

    @staticmethod
    def _check_seed(seed):
        if isinstance(seed, (bool, float)) or not isinstance(seed, (int, np.integer)):
            raise TypeError("pilotsim: seed must be an int, got %r" % (seed,))
        seed = int(seed)
        if not 0 <= seed < _U64:
            raise ValueError("pilotsim: seed must be in [0, 2**64), got %d" % seed)
        return seed

    def _check_open(self):
        if self._scene is None:
            raise PilotsimError("pilotsim: the environment is closed")

    def _read_params(self):
        out = {}
        info = L.ps_param_info()
        for i in range(L.ps_scene_param_count(self._scene.ptr)):
            if L.ps_scene_param(self._scene.ptr, i, ctypes.byref(info)) == 0:
                out[L.text(info.name)] = {
                    "type": L.text(info.type), "description": L.text(info.description),
                    "min": info.min, "max": info.max, "randomize": bool(info.randomize),
                    "overridden": bool(info.overridden), "value": L.text(info.value),
                }
        return out

    def _begin(self, seed):
        ep = _Episode(self._scene, seed)
        e = ep.ptr
        self._ep_seed = seed
        self._ret = 0.0
        self._done = False
        self._metrics = None
        self._final_status = L.EP_RUNNING
        st = L.ps_episode_get_status(e)
        self._status_name = STATUS_NAMES[st]
        if st != L.EP_RUNNING:
            msg = L.text(L.ps_episode_message(e))
            del ep
            raise ScriptError(msg or "pilotsim: episode ended at begin with status %s" % STATUS_NAMES[st])
        self._ep = ep
        self._world = L.ps_episode_world(e)
        self._views, self._bounds = self._bind(ep, L.ps_episode_observation_count, L.ps_episode_observation, False)
        self._act, self._act_bounds = self._bind(ep, L.ps_episode_action_count, L.ps_episode_action, True)
        self._act_items = list(self._act.items())
        self._obs_items = list(self._views.items())
        self._one_act = self._act_items[0][1] if len(self._act_items) == 1 else None
        if getattr(self, "_shapes", None) is not None:
            shapes = {k: b[0].shape for k, b in self._bounds.items()}
            if shapes != self._shapes:
                raise PilotsimError("pilotsim: episode seed %d has observation shapes %s, the first had %s"
                                    % (seed, shapes, self._shapes))
        else:
            self._shapes = {k: b[0].shape for k, b in self._bounds.items()}

    def _bind(self, ep, count_fn, entry_fn, writable):
        views, bounds = {}, {}
        for i in range(count_fn(ep.ptr)):
            ent = entry_fn(ep.ptr, i).contents
            name = L.text(ent.name)
            shape = tuple(ent.shape[d] for d in range(ent.ndim))
            if int(np.prod(shape)) != ent.count or not ent.data:
                raise PilotsimError("pilotsim: entry '%s' has shape %s but count %d / data %s"
                                    % (name, shape, ent.count, bool(ent.data)))
            views[name] = _view(ep, ent, shape, writable)
            low = (np.ctypeslib.as_array(ent.low, shape=shape).copy() if ent.low
                   else np.full(shape, -np.inf, np.float32))
            high = (np.ctypeslib.as_array(ent.high, shape=shape).copy() if ent.high
                    else np.full(shape, np.inf, np.float32))
            bounds[name] = (low, high)
        return views, bounds

    def _obs_space(self):
        boxes = {}
        for k, (low, high) in self._bounds.items():
            dt = self._obs_dtypes.get(k, np.dtype(np.float32))
            if dt in _LIMITS:
                lo, hi = _LIMITS[dt]
                low = np.clip(np.nan_to_num(low, neginf=lo, posinf=hi), lo, hi).astype(dt)
                high = np.clip(np.nan_to_num(high, neginf=lo, posinf=hi), lo, hi).astype(dt)
            boxes[k] = make_box(low, high, low.shape, dt)
        if self._flat_obs:
            low = np.concatenate([b.low.ravel().astype(np.float32) for b in boxes.values()])
            high = np.concatenate([b.high.ravel().astype(np.float32) for b in boxes.values()])
            return make_box(low, high, low.shape, np.float32)
        return make_dict(boxes)

    def _act_space(self):
        b = self._act_bounds
        if self._flat_act:
            low = np.concatenate([lo.ravel() for lo, hi in b.values()]) if b else np.zeros(0, np.float32)
            high = np.concatenate([hi.ravel() for lo, hi in b.values()]) if b else np.zeros(0, np.float32)
            return make_box(low, high, low.shape, np.float32)
        if len(b) == 1:
            low, high = next(iter(b.values()))
            return make_box(low, high, low.shape, np.float32)
        return make_dict({k: make_box(lo, hi, lo.shape, np.float32) for k, (lo, hi) in b.items()})

    def _observe(self):
        v = self._views
        if self._zero_copy and not self._obs_dtypes and not self._flat_obs:
            return dict(v)
        if self._flat_obs:
            return np.concatenate([self._convert(k, a).ravel().astype(np.float32, copy=False) for k, a in v.items()])
        if not self._obs_dtypes:
            return {k: a.copy() for k, a in self._obs_items}
        return {k: self._convert(k, a) for k, a in v.items()}

    def _convert(self, k, a):
        f = _CONVERT.get(self._obs_dtypes.get(k, np.dtype(np.float32)))
        return f(a) if f else a.copy()

    def _write_action(self, action):
        items = self._act_items
        if self._flat_act:
            a = np.asarray(action, dtype=np.float32).ravel()
            total = sum(v.size for _, v in items)
            if a.size != total:
                raise ValueError("pilotsim: the flat action needs %d values, got %d" % (total, a.size))
            off = 0
            for _, v in items:
                v.reshape(-1)[:] = a[off:off + v.size]
                off += v.size
        elif isinstance(action, dict):
            act = self._act
            for name, value in action.items():
                view = act.get(name)
                if view is None:
                    raise KeyError("pilotsim: no action entry '%s' (entries: %s)" % (name, ", ".join(act) or "none"))
                self._copy(name, view, value)
            if len(action) != len(act):
                missing = [k for k in act if k not in action]
                raise ValueError("pilotsim: action lacks entries: %s" % ", ".join(missing))
        elif len(items) == 1:
            self._copy(items[0][0], items[0][1], action)
        else:
            raise TypeError("pilotsim: the action space has %d entries (%s): pass a dict name -> array"
                            % (len(items), ", ".join(self._act) or "none"))

    @staticmethod
    def _copy(name, view, value):
        a = value if isinstance(value, np.ndarray) else np.asarray(value, dtype=np.float32)
        if a.shape != view.shape:
            if a.size != view.size:
                raise ValueError("pilotsim: action '%s' needs shape %s, got %s" % (name, view.shape, a.shape))
            a = a.reshape(view.shape)
        np.copyto(view, a, casting="same_kind")   # the one copy, with the cast to float32

    def _info(self, st):
        e = self._ep.ptr
        w = self._world
        return {
            "status": STATUS_NAMES[st],
            # "" while running (scene.h); read only when there can be one
            "message": L.text(L.ps_episode_message(e)) if st != L.EP_RUNNING else "",
            "steps": L.ps_episode_steps(e),
            "sim_time": L.ps_world_time(w),
            "hash": "%016x" % L.ps_world_state_hash(w),
            "return": self._ret,
            "seed": self._ep_seed,
        }

    def _finish(self, info):
        """The episode ended: metrics, once (a metrics error makes it a
        script_error, as in `pilotsim run`)."""
        e = self._ep.ptr
        self._done = True
        st = L.ps_episode_get_status(e)
        names = ctypes.POINTER(ctypes.c_char_p)()
        values = ctypes.POINTER(ctypes.c_double)()
        err = ctypes.create_string_buffer(L.ERR_LEN)
        metrics = {}
        if st != L.EP_SCRIPT_ERROR:
            n = L.ps_episode_metrics(e, ctypes.byref(names), ctypes.byref(values), err, len(err))
            if n < 0:
                st = L.EP_SCRIPT_ERROR
                info["status"] = STATUS_NAMES[st]
                info["message"] = L.text(err.value)
            else:
                metrics = {L.text(names[i]): float(values[i]) for i in range(n)}
        self._metrics = metrics
        self._final_status = st
        self._status_name = STATUS_NAMES[st]
        info["metrics"] = metrics
        info["action_clamps"] = int(L.ps_episode_action_clamps(e))

    def _end_episode(self):
        """Drops this Env's hold on the episode. Arrays still viewing its
        buffers keep it alive; the scene then cannot begin another episode
        (one at a time per scene), so a new scene instance is loaded."""
        ep = self._ep
        if ep is None:
            return
        self._ep, self._world = None, None
        self._views, self._act, self._act_items, self._obs_items, self._one_act = {}, {}, [], [], None
        ref = weakref.ref(ep)
        del ep
        if ref() is not None:
            gc.collect()   # a view in a reference cycle
        if ref() is not None and self._scene is not None and ref().scene is self._scene:
            self._scene = self._load()


def _unpickle(args, state, rng, rng_seed, make_seed):
    env = Env(**args)
    if state is not None:
        env.restore_state(state)
    if rng is not None:
        g = np.random.Generator(np.random.PCG64())
        g.bit_generator.state = rng
        env._np_random, env._np_random_seed = g, rng_seed
    env._make_seed = make_seed
    return env


def make(scene_path, seed=None, params=None, module_paths=None, package_paths=None, max_steps=None,
         trusted=False, log=None, **options):
    """Loads a scene and returns an :class:`Env` (a gymnasium.Env when
    gymnasium is importable).

    scene_path: a scene file (.lua). seed: the first reset()'s seed when it is
    given none (gymnasium: later resets draw seeds from np_random).
    params: {"name": value} or ["name=value", ...] overrides. module_paths /
    package_paths: searched before $PILOTSIM_MODULE_PATH / $PILOTSIM_PACKAGE_PATH
    and the repository's scripts/ and assets/. max_steps: steps before the
    episode is truncated (default: the scene's time limit). trusted: lift the
    Lua sandbox. log: callable(level, message) for the scene's print() and warnings.
    options: render_mode (None or "rgb_array"), render_size ((w, h), default
    640x480), zero_copy (observations as views), flatten_actions /
    flatten_observations (one float32 Box), action_repeat or control_rate (Hz),
    obs_dtypes ({"entry": np.uint8 | np.int32}: camera images), renderer
    (True/False: force the camera renderer on/off; default: on when present).
    Raises SceneLoadError / ScriptError with the library's "file:line: ..." text.
    """
    return Env(scene_path, seed=seed, params=params, module_paths=module_paths, package_paths=package_paths,
               max_steps=max_steps, trusted=trusted, log=log, **options)
