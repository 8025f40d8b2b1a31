"""pilotsim: Gymnasium environments over libpilotsim.so (ctypes + numpy).

    import pilotsim
    env = pilotsim.make("scenes/pilot/restaurant_tray_delivery.lua")
    obs, info = env.reset(seed=0)
    while True:
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        if terminated or truncated:
            break
    env.close()

``pilotsim.make`` returns a ``gymnasium.Env`` when gymnasium is importable (a
class with the same contract otherwise); after ``import pilotsim``,
``gymnasium.make("pilotsim/<scene>-v0")`` makes every pilot scene.
``pilotsim.make_vec(scene, num_envs)`` runs sub-environments in worker
processes (gymnasium's VectorEnv API). See README.md beside this file.
"""

import glob as _glob
import os as _os

from ._lib import lib_path, repo_root
from .env import (Env, PilotsimError, SceneLoadError, ScriptError, STATUS_NAMES, gymnasium_available, make)
from .spaces import Box, Dict
from .vector import VectorEnv, make_vec

__all__ = ["make", "make_vec", "Env", "VectorEnv", "Box", "Dict", "PilotsimError", "SceneLoadError",
           "ScriptError", "STATUS_NAMES", "lib_path", "repo_root", "gymnasium_available", "pilot_scenes",
           "register_envs"]


def pilot_scenes():
    """name -> path of every scene in <root>/scenes/pilot (sorted by name)."""
    root = repo_root()
    if not root:
        return {}
    paths = sorted(_glob.glob(_os.path.join(root, "scenes", "pilot", "*.lua")))
    return {_os.path.splitext(_os.path.basename(p))[0]: p for p in paths}


def _make_registered(scene_path, **kwargs):
    return make(scene_path, **kwargs)


def register_envs():
    """Registers "pilotsim/<scene>-v0" with gymnasium for every pilot scene
    (done at import when gymnasium is importable). Returns the ids."""
    if not gymnasium_available:
        return []
    import gymnasium
    ids = []
    for name, path in pilot_scenes().items():
        env_id = "pilotsim/%s-v0" % name
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, entry_point="pilotsim:_make_registered",
                               kwargs={"scene_path": path}, disable_env_checker=False)
        ids.append(env_id)
    return ids


register_envs()
