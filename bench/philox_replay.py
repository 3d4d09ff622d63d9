"""Our trainers' random draws in Python, for the PyTorch reference's `--replay`.

runtime/philox.h draws every random number as a pure function of
key = seed and counter = {element index, stream, iter, step}; a data batch
walks a cursor over consecutive indices (runtime/toy_data.c). This module
computes the same numbers with numpy, so bench/torch_toy.py can train on
exactly the data and noise our trainer sees and the two runs can be compared
step for step: differences then come from the training semantics, not from
the random numbers (bench/dynamics_parity.sh).

Streams are handed out in the order the model draws (`ebmforge ir` shows
them): for the toy minimax methods, the data batch is stream 0 and every
later draw of an iteration takes the next stream. Picture batches walk
shuffled epochs instead (runtime/data.c, `image_batches`), for
bench/torch_fmnist.py --replay.
"""
import math

import numpy as np

M32 = np.uint64(0xFFFFFFFF)
M0, M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
W0, W1 = np.uint64(0x9E3779B9), np.uint64(0xBB67AE85)
SQRT1_2 = 0.70710678118654752440


def philox4x32_10(index, stream, it, step, seed):
    """out[0], out[1] of Philox4x32-10 for the counters {index[i], stream, it, step}."""
    c0 = np.asarray(index, dtype=np.uint64)
    c1 = np.full_like(c0, stream)
    c2 = np.full_like(c0, it)
    c3 = np.full_like(c0, step)
    k0, k1 = np.uint64(seed & 0xFFFFFFFF), np.uint64((seed >> 32) & 0xFFFFFFFF)
    for r in range(10):
        if r:
            k0, k1 = (k0 + W0) & M32, (k1 + W1) & M32
        p0, p1 = M0 * c0, M1 * c2          # 32 x 32 -> 64 bits, exact in uint64
        c0, c1, c2, c3 = (p1 >> np.uint64(32)) ^ c1 ^ k0, p1 & M32, (p0 >> np.uint64(32)) ^ c3 ^ k1, p0 & M32
    return c0, c1


def uniform(index, stream, it, step, seed):
    o0, _ = philox4x32_10(index, stream, it, step, seed)
    return (o0 >> np.uint64(8)).astype(np.float64) * (1.0 / 16777216.0)


def normal(index, stream, it, step, seed):
    """Box-Muller, cos branch, in double (philox_normal_from)."""
    o0, o1 = philox4x32_10(index, stream, it, step, seed)
    u1 = ((o0 >> np.uint64(8)) + np.uint64(1)).astype(np.float64) * (1.0 / 16777216.0)
    u2 = (o1 >> np.uint64(8)).astype(np.float64) * (1.0 / 16777216.0)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2 * math.pi * u2)


def _unit_index(u, k):
    return np.minimum((u * k).astype(np.int64), k - 1)


def _gaussians8(n, stream, step, seed, radius, std):
    idx = np.arange(3 * n).reshape(n, 3)   # per point: mode, then x and y noise
    m = _unit_index(uniform(idx[:, 0], stream, 0, step, seed), 8)
    unit = np.array([[1, 0], [-1, 0], [0, 1], [0, -1], [SQRT1_2, SQRT1_2], [SQRT1_2, -SQRT1_2],
                     [-SQRT1_2, SQRT1_2], [-SQRT1_2, -SQRT1_2]])
    x = radius * unit[m, 0] + std * normal(idx[:, 1], stream, 0, step, seed)
    y = radius * unit[m, 1] + std * normal(idx[:, 2], stream, 0, step, seed)
    return np.stack([x / 1.414, y / 1.414], 1).astype(np.float32)


def _gaussians25(n, stream, step, seed, std):
    k = np.arange(n)
    w = k % 25
    x = (2.0 * (w // 5 - 2) + std * normal(2 * k, stream, 0, step, seed)) / 2.828
    y = (2.0 * (w % 5 - 2) + std * normal(2 * k + 1, stream, 0, step, seed)) / 2.828
    pts = np.stack([x, y], 1).astype(np.float32)
    u = uniform(np.arange(2 * n, 3 * n - 1), stream, 0, step, seed)   # Fisher-Yates, i = n-1 .. 1
    for t, i in enumerate(range(n - 1, 0, -1)):
        j = min(int(u[t] * (i + 1)), i)
        pts[[i, j]] = pts[[j, i]]
    return pts


def _unequal3(n, stream, step, seed):
    """per point: u (mode: first k with u < cumulative weight), then x and y noise"""
    idx = np.arange(3 * n).reshape(n, 3)
    u = uniform(idx[:, 0], stream, 0, step, seed)
    m = np.where(u < 0.6, 0, np.where(u < 0.6 + 0.3, 1, 2))
    c = np.array([[0.0, 2.0], [-math.sqrt(3), -1.0], [math.sqrt(3), -1.0]])
    x = c[m, 0] + 0.3 * normal(idx[:, 1], stream, 0, step, seed)
    y = c[m, 1] + 0.3 * normal(idx[:, 2], stream, 0, step, seed)
    return np.stack([x, y], 1).astype(np.float32)


DATA = {
    "8gaussians": lambda n, s, t, seed: _gaussians8(n, s, t, seed, 4.0, 0.5),
    "8gaussians-meg": lambda n, s, t, seed: _gaussians8(n, s, t, seed, 2.0, 0.02),
    "25gaussians": lambda n, s, t, seed: _gaussians25(n, s, t, seed, 0.05),
    "25gaussians-ddaebm": lambda n, s, t, seed: _gaussians25(n, s, t, seed, 0.1),
    "unequal3": lambda n, s, t, seed: _unequal3(n, s, t, seed),
}


def shuffled(n, epoch, stream, seed):
    """runtime/data.c shuffle(): Fisher-Yates over n rows from the counters {i, stream, epoch, UINT32_MAX}"""
    u = uniform(np.arange(n), stream, epoch, 0xFFFFFFFF, seed)
    p = np.arange(n)
    for i in range(n - 1, 0, -1):
        j = min(int(u[i] * (i + 1)), i)
        p[i], p[j] = p[j], p[i]
    return p


def image_batches(pictures):
    """A DATA-style sampler over picture rows [N, D] (no flips: one channel), as
    runtime/data.c sample_images(): step t takes batch t % (N // n) of epoch
    t // (N // n), whose order is shuffled(N, epoch, stream, seed)."""
    cache = {}

    def sample(n, stream, step, seed):
        per_epoch = pictures.shape[0] // n
        epoch, pos = divmod(step, per_epoch)
        if cache.get("key") != (epoch, stream, seed):
            cache.update(key=(epoch, stream, seed), perm=shuffled(pictures.shape[0], epoch, stream, seed))
        return np.asarray(pictures[cache["perm"][pos * n:(pos + 1) * n]], dtype=np.float32)
    return sample


class Replay:
    """Draws of one iteration in stream order: call begin(step) first. data_name
    is a toy set of DATA, or sample a sampler such as image_batches(...)."""

    def __init__(self, data_name, seed, sample=None):
        if sample is None and data_name not in DATA:
            raise SystemExit("--replay supports the data sets %s" % ", ".join(sorted(DATA)))
        self.sample, self.seed, self.step, self.stream = sample or DATA[data_name], seed, 0, 0

    def begin(self, step):
        self.step, self.stream = step, 0

    def _next(self):
        self.stream += 1
        return self.stream - 1

    def data(self, n):
        import torch
        return torch.from_numpy(self.sample(n, self._next(), self.step, self.seed)).to(torch.get_default_dtype())

    def randn(self, *shape):
        import torch
        n = int(np.prod(shape))
        v = normal(np.arange(n), self._next(), 0, self.step, self.seed)
        if torch.get_default_dtype() == torch.float32:   # our float trainers round the draw; `ebmforge run --f64` does not
            v = v.astype(np.float32)
        return torch.from_numpy(v.reshape(shape)).to(torch.get_default_dtype())

    def uniform(self, *shape):
        import torch
        n = int(np.prod(shape))
        v = uniform(np.arange(n), self._next(), 0, self.step, self.seed)   # exact in float32 too
        return torch.from_numpy(v.reshape(shape)).to(torch.get_default_dtype())
