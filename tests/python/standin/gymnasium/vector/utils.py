import numpy as np

from .. import spaces


def batch_space(space, n):
    if isinstance(space, spaces.Dict):
        return spaces.Dict({k: batch_space(s, n) for k, s in space.items()})
    return spaces.Box(np.broadcast_to(space.low, (n,) + space.shape), np.broadcast_to(space.high, (n,) + space.shape),
                      (n,) + space.shape, space.dtype)
