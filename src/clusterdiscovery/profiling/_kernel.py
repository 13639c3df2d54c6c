"""Compiled kernel for large bootstraps of a mean (numba, released GIL).

For ``n * n_bootstrap`` above a threshold the replicate means are summed on the fly, with
no index matrix in memory: each replicate ``b`` runs its own SplitMix64 stream (Steele,
Lea & Flood 2014) seeded from the profile's generator, and indices are drawn without bias
by Lemire's (2019) multiply-and-reject method. Same seed, same replicates, whatever the
number of threads.

References
----------
Steele, G. L., Lea, D. & Flood, C. H. (2014). Fast splittable pseudorandom number
generators. *OOPSLA 2014*, 453-472.
Lemire, D. (2019). Fast random integer generation in an interval. *ACM TOMACS*, 29(1), 3.
"""

from __future__ import annotations

import numpy as np

__all__ = ["bootstrap_means_compiled", "splitmix_indices"]

_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_MASK32 = 0xFFFFFFFF
_kernel = None


def _build():
    import numba

    @numba.njit(nogil=True, cache=True)
    def kernel(x, seeds, out):
        n = x.shape[0]
        nn = np.uint64(n)
        threshold = np.uint64((2**32 - n) % n)
        golden, m1, m2 = np.uint64(_GOLDEN), np.uint64(_M1), np.uint64(_M2)
        mask = np.uint64(_MASK32)
        s30, s27, s31, s32 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(32)
        for b in range(seeds.shape[0]):
            s = seeds[b]
            acc = 0.0
            i = 0
            while i < n:
                s += golden
                z = s
                z = (z ^ (z >> s30)) * m1
                z = (z ^ (z >> s27)) * m2
                z = z ^ (z >> s31)
                m = (z >> s32) * nn
                if (m & mask) < threshold:
                    continue  # reject: keeps every index exactly equally likely
                acc += x[m >> s32]
                i += 1
            out[b] = acc / n

    return kernel


def bootstrap_means_compiled(x: np.ndarray, n_bootstrap: int,
                             rng: np.random.Generator) -> np.ndarray:
    """Replicate means of ``x`` (``len(x) < 2**32``) by the compiled kernel."""
    global _kernel
    if _kernel is None:
        _kernel = _build()
    seeds = rng.integers(0, 2**63, size=n_bootstrap, dtype=np.uint64)
    out = np.empty(n_bootstrap)
    _kernel(np.ascontiguousarray(x, dtype=float), seeds, out)
    return out


def splitmix_indices(n: int, seed: int, size: int) -> np.ndarray:
    """The first ``size`` indices the kernel draws for one replicate (pure Python; tests)."""
    mask64 = (1 << 64) - 1
    threshold = (2**32 - n) % n
    s, out = seed, []
    while len(out) < size:
        s = (s + _GOLDEN) & mask64
        z = s
        z = ((z ^ (z >> 30)) * _M1) & mask64
        z = ((z ^ (z >> 27)) * _M2) & mask64
        z = z ^ (z >> 31)
        m = (z >> 32) * n
        if (m & _MASK32) < threshold:
            continue
        out.append(m >> 32)
    return np.array(out)
