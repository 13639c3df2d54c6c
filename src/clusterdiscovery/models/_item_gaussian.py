"""Gaussian items of the latent class model: gaussian, lognormal (on the ``log1p`` scale)
and the values above zero of a two-part item.

One of the latent class model's measurement types, behind the interface every item module
shares (see ``_items.py``). A class has a mean and a variance per item; the variance is
floored at ``var_floor`` times the column's overall variance, and a class needs the weight
of two rows to estimate its own (below that it keeps the column's variance, so one row
cannot capture a class). Sums are taken about the column means (the same for every block of
rows), so the variance ``S2/S0 - (S1/S0)^2`` keeps its precision; the partitioned (Dask) EM
adds these statistics over partitions.
"""

from __future__ import annotations

import numpy as np

#: the weight a class needs on an item to estimate its own variance
MIN_VARIANCE_WEIGHT = 2.0


def log_joint(A, D, mu, var):
    """Subtract the items' ``0.5 (log var + (x - mu)^2 / var)`` from ``A`` (K, m) in place
    (the ``log 2 pi`` and lognormal Jacobian terms are class-free: in ``D.const``)."""
    for j in range(mu.shape[0]):
        t = D.xg[j] - mu[j][:, None]
        t *= t
        t /= var[j][:, None]
        t += np.log(var[j])[:, None]
        t *= D.og[j]
        t *= 0.5
        A -= t


def m_stats(D, RwT, gmean) -> dict:
    """Weighted sums of 1, (x - mean) and (x - mean)^2 per item and class."""
    if not D.xg.shape[0]:
        return {}
    xc = (D.xg - gmean[:, None]) * D.og
    S = {"g0": D.og @ RwT, "g1": xc @ RwT}
    xc *= xc
    S["g2"] = xc @ RwT
    return S


def m_params(S, stats, K, var_floor):
    """Means and floored variances (items x K) from the summed statistics."""
    jg = stats["gmean"].shape[0]
    mu = np.empty((jg, K))
    var = np.empty((jg, K))
    if jg:
        S0 = S["g0"]
        ok = S0 > 1e-12
        m1 = S["g1"] / np.where(ok, S0, 1.0)
        centre = stats["gmean"][:, None]
        gvar = stats["gvar"][:, None]
        mu = np.where(ok, centre + m1, centre)
        ok_var = S0 >= MIN_VARIANCE_WEIGHT
        v = np.where(ok_var, S["g2"] / np.where(ok_var, S0, 1.0) - m1 * m1, gvar)
        var = np.maximum(v, var_floor * gvar)
    return mu, var


def random_start(gau, stats, K, rng):
    """Means drawn from the observed values, the column's variance in every class."""
    jg = gau.shape[1]
    mu = np.empty((jg, K))
    var = np.empty((jg, K))
    for j in range(jg):
        obs = gau[:, j][~np.isnan(gau[:, j])]
        mu[j] = rng.choice(obs, size=K)
        var[j] = stats["gvar"][j]
    return mu, var


def kmeans_features(gau, stats):
    """Standardised values (missing as the mean), for the k-means start."""
    return np.nan_to_num(gau - stats["gmean"]) / np.sqrt(stats["gvar"])


def n_parameters(n_items, K) -> int:
    """A mean and a variance per item and class."""
    return 2 * K * n_items
