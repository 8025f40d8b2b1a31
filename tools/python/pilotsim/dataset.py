"""pilotsim.dataset: read the datasets ``pilotsim record`` writes (robomimic's HDF5
layout, docs/datasets.md) as numpy arrays. Needs h5py (Debian: python3-h5py).

    from pilotsim import dataset
    with dataset.open("demos.hdf5") as ds:
        print(len(ds), ds.total, ds.env_args["env_name"], ds.mask("valid"))
        for demo in ds:                      # in demo index order
            demo.obs["front"]                # uint8 [N, H, W, 3] (RGB cameras)
            demo.actions, demo.rewards       # float32 [N, A], float64 [N]
            demo.status, demo.seed, demo.metrics
        for demo in ds.demos(mask="train", obs_keys=["ball"]):
            ...

Each :class:`Demo` holds its arrays in memory (read when the demo is yielded).
``demo.states[i]`` are the bytes of the full episode state before step i, kept
every ``demo.state_every`` steps (100 by default; the other rows are zeros);
``demo.state_hashes[i]`` is the world state hash at every step (of the function
``demo.state_hash_fn`` names: ps_world_state_digest, or ps_world_state_hash in
files recorded before session 6).
``demo.restore(env, i)`` puts a pilotsim Env exactly in the state before any step
i: it restores the stored state at or before i and replays the recorded actions,
checking every hash.
"""

import json

import h5py
import numpy as np

__all__ = ["open", "Dataset", "Demo"]


def _text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, np.ndarray) and v.shape == ():
        return _text(v.item())
    return v


# The Env method giving each state_hash_fn's value.
_HASH_METHODS = {"ps_world_state_hash": "state_hash", "ps_world_state_digest": "state_digest"}


class Demo:
    """One recorded episode: arrays and attributes."""

    def __init__(self, name, group, obs_keys=None):
        self.name = name
        self.index = int(name.split("_", 1)[1])
        self.attrs = {k: _text(v) for k, v in group.attrs.items()}
        keys = obs_keys if obs_keys is not None else sorted(group["obs"].keys())
        self.obs = {k: group["obs"][k][()] for k in keys}
        self.actions = group["actions"][()]
        self.rewards = group["rewards"][()]
        self.dones = group["dones"][()]
        self.states = group["states"][()] if "states" in group else None
        self.state_hashes = group["state_hashes"][()] if "state_hashes" in group else None
        self._stored = None
        self.num_samples = int(self.attrs.get("num_samples", len(self.actions)))
        self.state_every = max(1, int(self.attrs.get("state_every", 1)))
        self.state_hash_fn = self.attrs.get("state_hash_fn", "ps_world_state_hash")
        self.scene = self.attrs.get("scene", "")
        self.status = self.attrs.get("status", "")
        self.seed = int(self.attrs.get("seed", 0))
        self.instruction = self.attrs.get("instruction", "")
        self.metrics = json.loads(self.attrs.get("metrics", "{}") or "{}")
        params = group.attrs.get("params")
        self.params = [] if params is None or getattr(params, "shape", None) is None else [_text(p) for p in params]
        keys = group.attrs.get("action_keys")
        sizes = group.attrs.get("action_sizes")
        self.action_keys = [] if keys is None or getattr(keys, "shape", None) is None else [_text(k) for k in keys]
        self.action_sizes = [] if sizes is None else [int(s) for s in sizes]

    def action_dict(self):
        """The actions split back into the scene's named action entries."""
        out, at = {}, 0
        for k, n in zip(self.action_keys, self.action_sizes):
            out[k] = self.actions[:, at:at + n]
            at += n
        return out

    def stored_states(self):
        """(steps, structures): the steps whose full state is stored (ascending,
        uint64) and each one's world-structure fingerprint (pilotsim.env's
        state_structure), indexed once per demo so restore() finds the state it
        needs directly."""
        if self._stored is None:
            if self.states is None:
                raise ValueError("pilotsim: %s has no states" % self.name)
            from .env import state_structure
            steps = np.flatnonzero(self.states.any(axis=1)).astype(np.uint64)
            structures = np.array([state_structure(self.states[int(k)].tobytes()) for k in steps], dtype=np.uint64)
            self._stored = (steps, structures)
        return self._stored

    def restore(self, env, step):
        """Puts `env` (a pilotsim Env of this demo's scene file and params, with
        action_repeat 1) in the exact state before step `step` (0..num_samples; the
        last is the state the episode ended in): restores the latest stored state
        at or before it that the Env's world can take (the same bodies and joints;
        else the latest a fresh episode takes, found in stored_states())
        and feeds the recorded actions from there, checking each state hash
        against state_hashes. Returns the observation. Raises ValueError for
        a step out of range, RuntimeError when a hash differs (another build, or
        the scene changed)."""
        step = int(step)
        if not 0 <= step <= self.num_samples:
            raise ValueError("pilotsim: %s has steps 0..%d, not %d" % (self.name, self.num_samples, step))
        if self.states is None or self.state_hashes is None:
            raise ValueError("pilotsim: %s has no states or state hashes" % self.name)
        if getattr(env, "action_repeat", 1) != 1:
            raise ValueError("pilotsim: restore() needs an Env with action_repeat 1")
        if self.state_hash_fn not in _HASH_METHODS:
            raise ValueError("pilotsim: %s: its state_hashes are of %r, which this pilotsim does not know"
                             % (self.name, self.state_hash_fn))
        state_hash = getattr(env, _HASH_METHODS[self.state_hash_fn])
        steps, structures = self.stored_states()
        last = min(step, self.num_samples - 1)
        n = int(np.searchsorted(steps, last, side="right"))   # stored states at or before it
        if n == 0:
            raise ValueError("pilotsim: %s stores no state at or before step %d" % (self.name, last))
        # A state restores only into a world of its structure: a scene that added or
        # removed a body or joint (a suction weld) restores from a fresh episode, of
        # the structure the scene builds, only a state stored before that.
        if env.structure() != structures[n - 1] or getattr(env, "episode_seed", self.seed) != self.seed:
            env.reset(seed=self.seed)
            fits = np.flatnonzero(structures[:n] == np.uint64(env.structure()))
            if fits.size == 0:
                raise ValueError("pilotsim: %s stores no state at or before step %d that a fresh episode of "
                                 "its scene takes (the scene's structure changed before every one)" % (self.name, last))
            n = int(fits[-1]) + 1
        k = int(steps[n - 1])
        env.restore_state(self.states[k].tobytes())
        bufs = env.action_buffers
        for i in range(k, step):
            if state_hash() != int(self.state_hashes[i]):
                raise RuntimeError("pilotsim: %s diverges at step %d on the way to %d (state hash %016x, "
                                   "recorded %016x)" % (self.name, i, step, state_hash(), int(self.state_hashes[i])))
            at = 0
            for key, n in zip(self.action_keys, self.action_sizes):
                bufs[key].reshape(-1)[:] = self.actions[i, at:at + n]
                at += n
            env.step(None)
        if step < self.num_samples and state_hash() != int(self.state_hashes[step]):
            raise RuntimeError("pilotsim: %s: the state of step %d has hash %016x, recorded %016x"
                               % (self.name, step, state_hash(), int(self.state_hashes[step])))
        return env.observation()

    def __len__(self):
        return self.num_samples

    def __repr__(self):
        return f"<Demo {self.name}: {self.num_samples} steps, {self.status}, seed {self.seed}>"


class Dataset:
    """An open dataset file (read-only)."""

    def __init__(self, path):
        self.path = path
        self.file = h5py.File(path, "r")
        data = self.file["data"]
        self.total = int(data.attrs.get("total", 0))
        self.env_args = json.loads(_text(data.attrs.get("env_args", "{}")))
        names = [k for k in data.keys() if k.startswith("demo_")]
        self.names = sorted(names, key=lambda n: int(n.split("_", 1)[1]))

    def mask(self, name):
        """Demo names of mask/<name> ("train", "valid", "success"); [] when absent."""
        if "mask" not in self.file or name not in self.file["mask"]:
            return []
        return [_text(v) for v in self.file["mask"][name][()]]

    def demo(self, key, obs_keys=None):
        """A demo by position (int) or name ("demo_3")."""
        name = self.names[key] if isinstance(key, int) else key
        return Demo(name, self.file["data"][name], obs_keys)

    def demos(self, mask=None, obs_keys=None):
        """Yields the demos (of mask `mask` when given) in index order."""
        names = self.names
        if mask is not None:
            keep = set(self.mask(mask))
            names = [n for n in names if n in keep]
        for n in names:
            yield self.demo(n, obs_keys)

    def __iter__(self):
        return self.demos()

    def __getitem__(self, key):
        return self.demo(key)

    def __len__(self):
        return len(self.names)

    def close(self):
        self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open(path):  # noqa: A001 (mirrors h5py.File / builtins.open)
    """Opens a dataset written by ``pilotsim record`` (or eval --record, merge)."""
    return Dataset(path)
