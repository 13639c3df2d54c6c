"""Vectorised bias-corrected and accelerated (BCa) bootstrap interval for a mean.

The bootstrap replicates are drawn as index matrices in chunks (a few million indices at a
time), so memory stays bounded for any sample size; the jackknife acceleration uses the
closed form of the leave-one-out means, ``(sum - x_i) / (n - 1)``, so it costs O(n).

References
----------
Efron, B. (1987). Better bootstrap confidence intervals. *Journal of the American
Statistical Association*, 82(397), 171-185.
Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, ch. 14.3 and
eq. 15.36. Chapman & Hall.
Barber, J. A. & Thompson, S. G. (2000). Analysis of cost data in randomized trials: an
application of the non-parametric bootstrap. *Statistics in Medicine*, 19, 3219-3236.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri

__all__ = ["bca_interval_mean", "bca_from_replicates", "bootstrap_means", "weighted_quantiles",
           "bca_interval_weighted_mean"]

_CHUNK_ELEMENTS = 1 << 22  # indices drawn per chunk (about 16 MB as int32)
COMPILED_ABOVE = 5_000_000  # n * n_bootstrap above which the compiled kernel is used


def bootstrap_means(x: np.ndarray, n_bootstrap: int, rng: np.random.Generator) -> np.ndarray:
    """``n_bootstrap`` means of resamples (with replacement) of ``x``.

    Index matrices are drawn in chunks with ``rng.integers``; when ``n * n_bootstrap``
    exceeds ``COMPILED_ABOVE`` (and numba is available) a compiled kernel sums the
    resamples on the fly instead (see ``_kernel.py``), several times faster.
    """
    x = np.ascontiguousarray(x, dtype=float)
    n = x.shape[0]
    if n * n_bootstrap > COMPILED_ABOVE and n < 2**32:
        try:
            from ._kernel import bootstrap_means_compiled
        except ImportError:  # pragma: no cover - numba is a dependency of umap/hdbscan
            pass
        else:
            return bootstrap_means_compiled(x, n_bootstrap, rng)
    out = np.empty(n_bootstrap)
    rows = max(1, _CHUNK_ELEMENTS // max(n, 1))
    dtype = np.int32 if n < np.iinfo(np.int32).max else np.int64
    for start in range(0, n_bootstrap, rows):
        b = min(rows, n_bootstrap - start)
        idx = rng.integers(0, n, size=(b, n), dtype=dtype)
        out[start:start + b] = np.take(x, idx).sum(axis=1) / n
    return out


def bca_from_replicates(x: np.ndarray, replicates: np.ndarray, alpha: float = 0.05):
    """BCa interval for the mean of ``x`` from given bootstrap ``replicates`` of the mean.

    Follows Efron & Tibshirani (1993), eq. 14.14-14.15 (the same conventions as
    ``scipy.stats.bootstrap(method="BCa")``: the bias correction uses the mid-rank share of
    replicates below the estimate, and the interval ends are linear-interpolated quantiles).

    Returns
    -------
    (low, high, z0, acceleration)
    """
    x = np.asarray(x, dtype=float)
    reps = np.asarray(replicates, dtype=float)
    n, b = x.shape[0], reps.shape[0]
    if n < 2 or b < 2:
        return np.nan, np.nan, np.nan, np.nan
    theta = x.mean()
    prop = (np.count_nonzero(reps < theta) + np.count_nonzero(reps <= theta)) / (2 * b)
    z0 = float(ndtri(prop))
    # jackknife: theta_(i) = (S - x_i) / (n - 1), so (n - 1)(mean_jack - theta_(i)) = x_i - xbar
    u = x - theta
    s2 = float(np.dot(u, u))
    accel = float(np.sum(u ** 3) / (6.0 * s2 ** 1.5)) if s2 > 0 else 0.0
    if not np.isfinite(z0):
        # every replicate on one side of the estimate (e.g. a constant sample)
        return float(reps.min()), float(reps.max()), z0, accel
    z_lo, z_hi = ndtri(alpha / 2), ndtri(1 - alpha / 2)
    a1 = ndtr(z0 + (z0 + z_lo) / (1 - accel * (z0 + z_lo)))
    a2 = ndtr(z0 + (z0 + z_hi) / (1 - accel * (z0 + z_hi)))
    low, high = np.quantile(reps, [a1, a2])
    return float(low), float(high), z0, accel


def bca_interval_mean(x, n_bootstrap: int, rng: np.random.Generator, alpha: float = 0.05):
    """BCa ``1 - alpha`` interval for the mean of ``x`` (NaN for fewer than 2 values).

    Returns
    -------
    (low, high)
    """
    x = np.asarray(x, dtype=float)
    if x.shape[0] < 2:
        return np.nan, np.nan
    reps = bootstrap_means(x, n_bootstrap, rng)
    low, high, _, _ = bca_from_replicates(x, reps, alpha)
    return low, high


def weighted_quantiles(x: np.ndarray, w: np.ndarray, qs) -> np.ndarray:
    """Quantiles of ``x`` with weights ``w``: type 7 of the data with row ``i`` repeated
    ``w_i`` times (exactly that for integer weights; the same formula for real weights)."""
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    keep = w > 0
    x, w = x[keep], w[keep]
    if x.size == 0:
        return np.full(len(qs), np.nan)
    order = np.argsort(x, kind="stable")
    xs, cw = x[order], np.cumsum(w[order])
    total = cw[-1]
    out = np.empty(len(qs))
    for i, q in enumerate(qs):
        h = (total - 1.0) * q if total >= 1 else 0.0
        j = np.floor(h)
        lo = xs[min(np.searchsorted(cw, j, side="right"), xs.size - 1)]
        hi = xs[min(np.searchsorted(cw, j + 1, side="right"), xs.size - 1)]
        out[i] = lo + (h - j) * (hi - lo)
    return out


def bca_interval_weighted_mean(x, w, n_bootstrap: int, rng: np.random.Generator,
                               alpha: float = 0.05):
    """BCa interval for the weighted mean ``sum w x / sum w``; clients are resampled.

    The resampling unit is the client (the sampling unit of a weighted sample): each
    replicate draws ``n`` clients with replacement and takes their weighted mean. The
    acceleration uses the jackknife of the weighted mean, ``(S - w_i x_i) / (W - w_i)``.

    Returns
    -------
    (low, high)
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    n = x.shape[0]
    if n < 2 or np.count_nonzero(w > 0) < 2:
        return np.nan, np.nan
    wx = w * x
    reps = np.empty(n_bootstrap)
    rows = max(1, _CHUNK_ELEMENTS // max(n, 1))
    for start in range(0, n_bootstrap, rows):
        b = min(rows, n_bootstrap - start)
        idx = rng.integers(0, n, size=(b, n))
        den = np.take(w, idx).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            reps[start:start + b] = np.take(wx, idx).sum(axis=1) / den
    reps = reps[np.isfinite(reps)]
    W, S = w.sum(), wx.sum()
    theta = S / W
    if reps.size < 2:
        return np.nan, np.nan
    prop = (np.count_nonzero(reps < theta) + np.count_nonzero(reps <= theta)) / (2 * reps.size)
    z0 = float(ndtri(prop))
    with np.errstate(invalid="ignore", divide="ignore"):
        jack = np.where(W - w > 0, (S - wx) / np.where(W - w > 0, W - w, 1.0), theta)
    u = jack.mean() - jack
    s2 = float(np.dot(u, u))
    accel = float(np.sum(u ** 3) / (6.0 * s2 ** 1.5)) if s2 > 0 else 0.0
    if not np.isfinite(z0):
        return float(reps.min()), float(reps.max())
    z_lo, z_hi = ndtri(alpha / 2), ndtri(1 - alpha / 2)
    a1 = ndtr(z0 + (z0 + z_lo) / (1 - accel * (z0 + z_lo)))
    a2 = ndtr(z0 + (z0 + z_hi) / (1 - accel * (z0 + z_hi)))
    low, high = np.quantile(reps, [a1, a2])
    return float(low), float(high)
