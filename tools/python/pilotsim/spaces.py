"""Spaces: gymnasium.spaces.Box / Dict when gymnasium is importable, else
classes here with the same contract (shape, dtype, low, high, contains,
sample, seed, np_random; Dict: spaces, keys, items, [name]).

Gymnasium is optional and never imported until a space or an Env is made.
"""

import importlib.util

import numpy as np


def gymnasium_module():
    """The gymnasium module, or None when it is not importable."""
    if importlib.util.find_spec("gymnasium") is None:
        return None
    import gymnasium
    return gymnasium


def _rng(seed=None):
    """A generator seeded as gymnasium.utils.seeding.np_random does it."""
    seq = np.random.SeedSequence(seed)
    return np.random.Generator(np.random.PCG64(seq)), seq.entropy


class Box:
    """A float/int array of `shape` within [low, high] (±inf where unbounded)."""

    def __init__(self, low, high, shape=None, dtype=np.float32, seed=None):
        self.dtype = np.dtype(dtype)
        shape = tuple(shape) if shape is not None else np.shape(low)
        self.shape = shape
        self.low = np.broadcast_to(np.asarray(low, self.dtype), shape).copy()
        self.high = np.broadcast_to(np.asarray(high, self.dtype), shape).copy()
        self._np_random = None
        if seed is not None:
            self.seed(seed)

    @property
    def np_random(self):
        if self._np_random is None:
            self.seed()
        return self._np_random

    def seed(self, seed=None):
        self._np_random, entropy = _rng(seed)
        return [entropy]

    def is_bounded(self, manner="both"):
        lo = bool(np.all(self.low > -np.inf)) if np.issubdtype(self.dtype, np.floating) else True
        hi = bool(np.all(self.high < np.inf)) if np.issubdtype(self.dtype, np.floating) else True
        return {"both": lo and hi, "below": lo, "above": hi}[manner]

    def contains(self, x):
        if not isinstance(x, np.ndarray):
            try:
                x = np.asarray(x, dtype=self.dtype)
            except (ValueError, TypeError):
                return False
        return bool(np.can_cast(x.dtype, self.dtype) and x.shape == self.shape and
                    np.all(x >= self.low) and np.all(x <= self.high))

    __contains__ = contains

    def sample(self, mask=None):
        """Uniform in [low, high]; a standard normal where unbounded (on one side:
        an exponential from the bound), as gymnasium samples."""
        r = self.np_random
        lo_ok = np.isfinite(self.low)
        hi_ok = np.isfinite(self.high)
        out = np.empty(self.shape, np.float64)
        both = lo_ok & hi_ok
        out[both] = r.uniform(self.low[both], self.high[both])
        none = ~lo_ok & ~hi_ok
        out[none] = r.standard_normal(int(none.sum()))
        lo_only = lo_ok & ~hi_ok
        out[lo_only] = self.low[lo_only] + r.exponential(size=int(lo_only.sum()))
        hi_only = ~lo_ok & hi_ok
        out[hi_only] = self.high[hi_only] - r.exponential(size=int(hi_only.sum()))
        if np.issubdtype(self.dtype, np.integer):
            out = np.floor(out)
        return out.astype(self.dtype)

    def __eq__(self, other):
        return (isinstance(other, Box) and self.shape == other.shape and self.dtype == other.dtype and
                np.array_equal(self.low, other.low) and np.array_equal(self.high, other.high))

    def __repr__(self):
        return "Box(%s, %s, %s, %s)" % (self.low.min() if self.low.size else "", self.high.max() if self.high.size else "",
                                        self.shape, self.dtype)


class Dict:
    """An ordered mapping name -> space (the library's order)."""

    def __init__(self, spaces, seed=None):
        self.spaces = dict(spaces)
        self.shape, self.dtype = None, None
        if seed is not None:
            self.seed(seed)

    def seed(self, seed=None):
        base, entropy = _rng(seed)
        for k, sp in self.spaces.items():
            sp.seed(int(base.integers(0, 2 ** 63)))
        return [entropy]

    @property
    def np_random(self):
        return next(iter(self.spaces.values())).np_random if self.spaces else _rng()[0]

    def contains(self, x):
        return isinstance(x, dict) and set(x) == set(self.spaces) and all(self.spaces[k].contains(v) for k, v in x.items())

    __contains__ = contains

    def sample(self, mask=None):
        return {k: sp.sample() for k, sp in self.spaces.items()}

    def __getitem__(self, k):
        return self.spaces[k]

    def __iter__(self):
        return iter(self.spaces)

    def __len__(self):
        return len(self.spaces)

    def keys(self):
        return self.spaces.keys()

    def items(self):
        return self.spaces.items()

    def values(self):
        return self.spaces.values()

    def __eq__(self, other):
        return isinstance(other, Dict) and self.spaces == other.spaces

    def __repr__(self):
        return "Dict(%s)" % ", ".join("%r: %r" % kv for kv in self.spaces.items())


def make_box(low, high, shape, dtype):
    """gymnasium.spaces.Box when gymnasium is importable, else :class:`Box`."""
    gym = gymnasium_module()
    cls = gym.spaces.Box if gym else Box
    return cls(low=np.asarray(low, dtype), high=np.asarray(high, dtype), shape=tuple(shape), dtype=dtype)


def make_dict(spaces):
    gym = gymnasium_module()
    return gym.spaces.Dict(spaces) if gym else Dict(spaces)


def batch_space(space, n):
    """The space of `n` stacked samples (gymnasium.vector.utils.batch_space)."""
    gym = gymnasium_module()
    if gym is not None:
        from gymnasium.vector.utils import batch_space as bs
        return bs(space, n)
    if isinstance(space, Dict):
        return Dict({k: batch_space(sp, n) for k, sp in space.items()})
    return Box(np.broadcast_to(space.low, (n,) + space.shape), np.broadcast_to(space.high, (n,) + space.shape),
               (n,) + space.shape, space.dtype)
