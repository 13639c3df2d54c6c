"""Poisson (count) items of the latent class model: a rate per item and class.

One of the latent class model's measurement types, behind the interface every item module
shares (see ``_items.py``); the ``log x!`` term is class-free (in ``D.const``).
"""

from __future__ import annotations

import numpy as np


def log_joint(A, D, lam):
    """Add the items' ``x log(rate) - rate`` to ``A`` (K, m) in place."""
    if lam.shape[0]:
        A += np.log(lam).T @ D.xp
        A -= lam.T @ D.op


def m_stats(D, RwT) -> dict:
    """Weighted sums of 1 and x per item and class."""
    if not D.xp.shape[0]:
        return {}
    return {"p0": D.op @ RwT, "p1": D.xp @ RwT}


def m_params(S, stats, K, min_prob):
    """Rates (items x K); a class with no weight on an item keeps the column's mean."""
    if "p0" not in S:
        return np.zeros((0, K))
    S0 = S["p0"]
    ok = S0 > 1e-12
    lam = np.where(ok, S["p1"] / np.where(ok, S0, 1.0), stats["pmean"][:, None])
    return np.maximum(lam, min_prob)


def random_start(poi, stats, K, rng, min_prob):
    """Rates halfway between a drawn count and the column's mean."""
    jp = poi.shape[1]
    lam = np.empty((jp, K))
    for j in range(jp):
        obs = poi[:, j][~np.isnan(poi[:, j])]
        lam[j] = np.maximum(0.5 * (rng.choice(obs, size=K) + stats["pmean"][j]),
                            min_prob + 1e-3)
    return lam


def kmeans_features(poi):
    """Standardised ``log1p`` counts (missing as the mean), for the k-means start."""
    lp = np.log1p(np.nan_to_num(poi, nan=0.0))
    lp = np.where(np.isnan(poi), np.nan, lp)
    m = np.nanmean(lp, axis=0)
    s = np.nanstd(lp, axis=0)
    return np.nan_to_num((lp - m) / np.where(s > 0, s, 1.0))


def n_parameters(n_items, K) -> int:
    """A rate per item and class."""
    return K * n_items
