"""Resampling schemes (bootstrap, subsample, jitter) and reproducible per-resample seeds.

All randomness is derived up front from one ``random_state`` with
:class:`numpy.random.SeedSequence`, one child per resample, so that the results do not
depend on ``n_jobs`` or on the order in which workers finish.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

__all__ = ["METHODS", "seed_sequence", "child_seeds", "draw_indices", "jitter_rows",
           "column_scales"]

METHODS = ("bootstrap", "subsample", "jitter")


def seed_sequence(random_state) -> np.random.SeedSequence:
    """A :class:`numpy.random.SeedSequence` from an int, None, RandomState or Generator."""
    if random_state is None:
        return np.random.SeedSequence()
    if isinstance(random_state, np.random.SeedSequence):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(
                f"The 'random_state' parameter must be a non-negative int; got {random_state}."
            )
        return np.random.SeedSequence(int(random_state))
    if isinstance(random_state, np.random.RandomState):
        return np.random.SeedSequence(int(random_state.randint(0, 2**31 - 1)))
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(int(random_state.integers(0, 2**63 - 1)))
    raise TypeError(
        f"The 'random_state' parameter must be None, an int, a numpy RandomState or "
        f"Generator; got {type(random_state).__name__}."
    )


def child_seeds(random_state, n: int) -> list[int]:
    """``n`` independent 31-bit seeds derived deterministically from ``random_state``."""
    children = seed_sequence(random_state).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint32)[0] >> 1) for c in children]


def draw_indices(method: str, n: int, fraction: float, rng: np.random.Generator,
                 multipleboot: bool = False):
    """Row indices to fit on and, aligned to them, the original rows compared.

    For ``"bootstrap"``, n rows are drawn with replacement; with ``multipleboot=False``
    (``fpc::clusterboot``'s default) only the distinct rows drawn are clustered, each once;
    with ``multipleboot=True`` the whole draw, duplicates included, is clustered.

    Returns
    -------
    fit_idx : ndarray
        Rows of ``X`` the clusterer is fitted on (with repeats for ``multipleboot=True``).
    shared : ndarray
        Sorted unique original rows present in the resample.
    first : ndarray
        For each row of ``shared``, one position in ``fit_idx`` holding it (its label is
        the label of that original row in the resample clustering).
    """
    if method == "bootstrap":
        fit_idx = rng.integers(0, n, size=n)
        if not multipleboot:  # the distinct points drawn, as fpc::clusterboot by default
            shared = np.unique(fit_idx)
            return shared, shared, np.arange(shared.size)
        shared, first = np.unique(fit_idx, return_index=True)
        return fit_idx, shared, first
    if method == "subsample":
        m = max(2, int(round(fraction * n)))
        fit_idx = np.sort(rng.choice(n, size=m, replace=False))
        return fit_idx, fit_idx, np.arange(m)
    # jitter: every row, perturbed
    fit_idx = np.arange(n)
    return fit_idx, fit_idx, fit_idx


def column_scales(X, jitter_scale: float):
    """Standard deviation x ``jitter_scale`` of each jittered column (0 for the others).

    For a DataFrame only float columns are jittered (counts, ordinal codes stored as
    ints, categories and strings are left alone); for an array every column is, if the
    array is numeric.
    """
    if isinstance(X, pd.DataFrame):
        scales = np.zeros(X.shape[1])
        for j, (_, col) in enumerate(X.items()):
            if pd.api.types.is_float_dtype(col.dtype):
                values = col.to_numpy(dtype=float, na_value=np.nan)
                scales[j] = np.nanstd(values, ddof=1) if np.isfinite(values).sum() > 1 else 0.0
        return np.nan_to_num(scales) * jitter_scale
    if X.dtype.kind not in "fiu":
        raise TypeError(
            f"method='jitter' needs numeric data; got an array of dtype {X.dtype}. "
            f"Pass a DataFrame to jitter only its float columns."
        )
    finite = np.isfinite(X)
    counts = finite.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.nanstd(np.where(finite, X, np.nan), axis=0, ddof=1)
    sd = np.where(counts > 1, sd, 0.0)
    return np.nan_to_num(sd) * jitter_scale


def jitter_rows(X, scales: np.ndarray, rng: np.random.Generator):
    """Copy of ``X`` plus Gaussian noise with SD ``scales`` per column (NaN stays NaN)."""
    cols = np.flatnonzero(scales > 0)
    noise = rng.standard_normal((X.shape[0], cols.size)) * scales[cols]
    if isinstance(X, pd.DataFrame):
        out = X.copy()
        for k, j in enumerate(cols):
            out.isetitem(j, X.iloc[:, j].to_numpy(dtype=float, na_value=np.nan) + noise[:, k])
        return out
    out = np.array(X, dtype=float, copy=True)
    out[:, cols] += noise
    return out
