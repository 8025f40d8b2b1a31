"""A minimal stand-in for gymnasium (Debian 12 has none), for tests only: the
pieces pilotsim touches (Env, spaces.Box/Dict, register/make/registry,
vector.VectorEnv, vector.AutoresetMode, vector.utils.batch_space), with
gymnasium 1.x's names and behaviour for them. Not a gymnasium replacement."""

import importlib

import numpy as np

from . import spaces, vector  # noqa: F401
from .utils import seeding

STANDIN = True


class Env:
    metadata = {"render_modes": []}
    render_mode = None
    spec = None
    action_space = None
    observation_space = None
    _np_random = None
    _np_random_seed = None

    def reset(self, *, seed=None, options=None):
        if seed is not None:
            self._np_random, self._np_random_seed = seeding.np_random(seed)

    @property
    def np_random(self):
        if self._np_random is None:
            self._np_random, self._np_random_seed = seeding.np_random()
        return self._np_random

    @property
    def unwrapped(self):
        return self

    def close(self):
        pass


class EnvSpec:
    def __init__(self, id, entry_point, kwargs):
        self.id, self.entry_point, self.kwargs = id, entry_point, dict(kwargs or {})

    def make(self, **kwargs):
        return make(self.id, **kwargs)


registry = {}


def register(id, entry_point, kwargs=None, **ignored):
    if id in registry:
        raise ValueError("stand-in gymnasium: %s is registered twice" % id)
    registry[id] = EnvSpec(id, entry_point, kwargs)


def make(id, **kwargs):
    spec = registry[id]
    mod, _, attr = spec.entry_point.partition(":")
    fn = getattr(importlib.import_module(mod), attr)
    env = fn(**dict(spec.kwargs, **kwargs))
    env.spec = spec
    return env
