"""An environment contract checker that runs without gymnasium.

check_env(env) makes the assertions gymnasium.utils.env_checker.check_env and
its passive checker make (spaces well formed; reset(seed=, options=) with
`None` defaults returning (obs, info); reset(seed=s) reseeding np_random the
same way each time and differently for another seed; observations inside the
space with the declared dtypes; step returning a 5-tuple with a finite float
reward, bool flags and a dict; render's rgb_array shape and dtype; close twice)
plus what learning code relies on and gymnasium checks only in parts:
same seed and actions give equal trajectories, observations are fresh arrays
that later steps leave untouched, the action passed is not modified, and info
values are JSON- and numpy-safe. Raises AssertionError naming the broken rule.
"""

import copy
import inspect
import json
import math

import numpy as np

from .spaces import gymnasium_module


def _is_box(space):
    return hasattr(space, "low") and hasattr(space, "high") and hasattr(space, "shape")


def _is_dict(space):
    return isinstance(getattr(space, "spaces", None), dict)


def _check_space(space, what):
    if _is_dict(space):
        assert len(space.spaces) > 0, "%s space: an empty Dict" % what
        for k, sub in space.spaces.items():
            _check_space(sub, "%s space['%s']" % (what, k))
        return
    assert _is_box(space), "%s space: expected Box or Dict, got %r" % (what, type(space))
    assert space.low.shape == space.shape and space.high.shape == space.shape, \
        "%s: low/high shapes %s/%s differ from shape %s" % (what, space.low.shape, space.high.shape, space.shape)
    assert not np.any(space.high < space.low), "%s: a low bound above its high bound" % what
    s = space.sample()
    assert s in space, "%s: sample() is not inside the space" % what


def equivalent(a, b):
    """Same structure, types, shapes and dtypes, values equal (within 1e-5 as
    gymnasium's data_equivalence; exactly for our determinism check use ==)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(equivalent(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(equivalent(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        nan = a.dtype.kind in "fc"
        return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=nan)
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == b


def _arrays(obs):
    return list(obs.values()) if isinstance(obs, dict) else [obs]


def _check_obs(obs, space, where):
    if _is_dict(space):
        assert isinstance(obs, dict), "%s: observation must be a dict, got %s" % (where, type(obs))
        assert list(obs.keys()) == list(space.spaces.keys()), \
            "%s: observation keys %s differ from the space's %s" % (where, list(obs), list(space.spaces))
        for k in obs:
            _check_obs(obs[k], space.spaces[k], "%s['%s']" % (where, k))
        return
    assert isinstance(obs, np.ndarray), "%s: expected a numpy array, got %s" % (where, type(obs))
    assert obs.dtype == space.dtype, "%s: dtype %s, the space says %s" % (where, obs.dtype, space.dtype)
    assert obs.shape == space.shape, "%s: shape %s, the space says %s" % (where, obs.shape, space.shape)
    assert obs in space, "%s: not within the observation space" % where


def _check_info(info, where):
    assert isinstance(info, dict), "%s: info must be a dict, got %s" % (where, type(info))
    try:
        json.dumps(info, allow_nan=True)
    except (TypeError, ValueError) as e:
        raise AssertionError("%s: info is not JSON-serialisable: %s" % (where, e))

    def scalar_ok(path, v):
        if isinstance(v, dict):
            for k, x in v.items():
                scalar_ok("%s.%s" % (path, k), x)
            return
        if isinstance(v, (bool, float, str)):
            return
        if isinstance(v, int):
            # numpy stacks ints into int64 arrays (gymnasium's vector infos)
            assert -(1 << 63) <= v < (1 << 63), "%s: info[%s] = %d does not fit int64" % (where, path, v)
            return
        raise AssertionError("%s: info[%s] has type %s (not bool/int/float/str/dict)" % (where, path, type(v)))

    for k, v in info.items():
        scalar_ok(k, v)


def check_env(env, steps=20, skip_render_check=False):
    """Asserts `env` keeps the Gymnasium contract (see the module text)."""
    gym = gymnasium_module()
    if gym is not None:
        assert isinstance(env, gym.Env), "the environment must inherit from gymnasium.Env"
    for attr in ("action_space", "observation_space", "reset", "step", "close", "np_random", "metadata"):
        assert hasattr(env, attr), "the environment has no %s" % attr
    _check_space(env.action_space, "action")
    _check_space(env.observation_space, "observation")

    sig = inspect.signature(env.reset)
    for p in ("seed", "options"):
        assert p in sig.parameters, "reset() takes no %r keyword" % p
        assert sig.parameters[p].default is None, "reset(%s=...) must default to None" % p
    assert not callable(getattr(env, "seed", None)), "a seed() method is gymnasium's dropped API: use reset(seed=)"

    res = env.reset()
    assert isinstance(res, tuple) and len(res) == 2, "reset() must return (obs, info), got %r" % (type(res),)
    _check_obs(res[0], env.observation_space, "reset()")
    _check_info(res[1], "reset()")

    obs1, _ = env.reset(seed=123)
    _check_obs(obs1, env.observation_space, "reset(seed=123)")
    assert env.unwrapped._np_random is not None, "reset(seed=...) did not seed np_random"
    rng123 = copy.deepcopy(env.unwrapped._np_random)
    obs2, _ = env.reset(seed=123)
    assert equivalent(obs1, obs2), "reset(seed=123) twice gives different observations"
    assert env.unwrapped._np_random.bit_generator.state == rng123.bit_generator.state, \
        "reset(seed=123) twice leaves np_random in different states"
    env.reset(seed=456)
    assert env.unwrapped._np_random.bit_generator.state != rng123.bit_generator.state, \
        "reset(seed=456) leaves np_random as reset(seed=123) did"
    env.reset(options={})

    # Step contract, fresh arrays, actions untouched, determinism.
    def rollout(seed):
        env.action_space.seed(seed)
        obs, info = env.reset(seed=seed)
        traj = [(obs, info)]
        kept = [(obs, copy.deepcopy(obs))]   # each observation as returned, and a copy taken then
        for i in range(steps):
            action = env.action_space.sample()
            before = copy.deepcopy(action)
            res = env.step(action)
            assert isinstance(res, tuple) and len(res) == 5, "step() must return a 5-tuple"
            obs, reward, term, trunc, info = res
            assert equivalent(action, before), "step() modified the action it was given"
            _check_obs(obs, env.observation_space, "step()")
            assert isinstance(reward, (int, float, np.integer, np.floating)) and not isinstance(reward, bool), \
                "reward must be a number, got %s" % type(reward)
            assert math.isfinite(float(reward)), "reward is %r" % reward
            assert isinstance(term, (bool, np.bool_)) and isinstance(trunc, (bool, np.bool_)), \
                "terminated/truncated must be bools, got %s/%s" % (type(term), type(trunc))
            _check_info(info, "step()")
            for a in _arrays(obs):
                for prev, _ in kept:
                    for p in _arrays(prev):
                        assert not np.may_share_memory(a, p), \
                            "step() returned an array sharing memory with an earlier observation"
            kept.append((obs, copy.deepcopy(obs)))
            traj.append((obs, reward, term, trunc, info))
            if term or trunc:
                break
        for prev, snapshot in kept:
            assert equivalent(prev, snapshot), "a later step changed an observation returned earlier"
        return traj

    t1 = rollout(7)
    t2 = rollout(7)
    assert len(t1) == len(t2) and all(equivalent(a, b) for a, b in zip(t1, t2)), \
        "same seed and actions gave different trajectories"

    if not skip_render_check and getattr(env, "render_mode", None) == "rgb_array":
        env.reset(seed=1)
        img = env.render()
        assert isinstance(img, np.ndarray) and img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3, \
            "render() in rgb_array mode must return a uint8 (H, W, 3) array, got %r" % (
                getattr(img, "shape", type(img)),)
        fps = env.metadata.get("render_fps")
        assert isinstance(fps, (int, float)) and fps > 0, "metadata['render_fps'] must be positive, got %r" % fps
        assert "rgb_array" in env.metadata.get("render_modes", ()), "metadata['render_modes'] lacks rgb_array"
    return True
