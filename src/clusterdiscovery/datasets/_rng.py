"""Resolve ``random_state`` to a :class:`numpy.random.Generator`."""

from __future__ import annotations

import numbers

import numpy as np


def as_generator(random_state) -> np.random.Generator:
    """``None``, an int seed, a ``Generator`` or a legacy ``RandomState`` -> ``Generator``.

    Accepts what :func:`sklearn.utils.check_random_state` accepts, plus ``Generator``. A
    ``RandomState`` is used to draw the seed of a new generator (so it advances).
    """
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(
                f"The 'random_state' parameter must be a non-negative int; got {random_state}."
            )
        return np.random.default_rng(int(random_state))
    raise TypeError(
        "The 'random_state' parameter must be None, an int, a numpy Generator or a "
        f"RandomState; got {random_state!r} ({type(random_state).__name__})."
    )


def draw_categories(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of ``probs`` (rows sum to 1): the level indices."""
    cum = np.cumsum(probs, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(probs.shape[0])
    return np.minimum((u[:, None] > cum).sum(axis=1), probs.shape[1] - 1)


def allocate(n: int, shares: np.ndarray) -> np.ndarray:
    """Split ``n`` into integer counts proportional to ``shares`` (largest remainder)."""
    shares = np.asarray(shares, dtype=float) / np.sum(shares)
    raw = n * shares
    counts = np.floor(raw).astype(np.int64)
    rest = n - counts.sum()
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:rest]] += 1
    return counts
