"""pilotsim: a Python binding over libpilotsim.so (ctypes + numpy, zero-copy buffers)
with Gymnasium's method signatures.

    import sys; sys.path.insert(0, "<repo>/tools/python")
    import pilotsim
    env = pilotsim.make("scenes/x.lua", seed=0)
    obs, info = env.reset()
    while True:
        obs, reward, terminated, truncated, info = env.step({"force": [1.0]})
        if terminated or truncated:
            break
    env.close()

* ``obs`` is a dict name -> float32 numpy array that views the library's
  buffer (read-only, no copy); the arrays update in place on every step and are
  valid until the next ``reset()`` or ``close()``: copy them to keep values.
* ``step(action)``: a dict name -> array-like, or one array when the action
  space has a single entry, or ``None`` to use ``env.action_buffers`` (writable
  views) as they are. Values are clamped by the library to the declared bounds.
* ``terminated``: success, failure, physics_diverged or script_error;
  ``truncated``: timeout (the scene's time limit, or ``max_steps``).
* ``info``: status, message, steps, sim_time, hash (ps_world_state_hash), return,
  seed; at episode end also metrics and action_clamps.
* ``env.observation_space`` / ``env.action_space``: :class:`DictSpace` of
  :class:`Box` (shape, dtype float32, low, high); ``.to_gymnasium()`` converts
  them when gymnasium is importable (it is not a dependency).

The library is found through $PILOTSIM_LIB (the .so or a build directory), else
<repo>/build/{release,debug}/sim/libpilotsim.so; the repository through
$PILOTSIM_ROOT, else the tree this package is in. Sanitizer (ASan) builds need
the ASan runtime preloaded into python (LD_PRELOAD=$(cc -print-file-name=libasan.so)).
Not thread-safe: one Env per thread (or better, per process).
"""

from ._lib import lib_path, repo_root
from .env import (Box, DictSpace, Env, PilotsimError, SceneLoadError, ScriptError, STATUS_NAMES, make)

import importlib.util as _ilu

gymnasium_available = _ilu.find_spec("gymnasium") is not None   # optional, not imported here

__all__ = ["make", "Env", "Box", "DictSpace", "PilotsimError", "SceneLoadError", "ScriptError",
           "STATUS_NAMES", "lib_path", "repo_root", "gymnasium_available"]
