"""Categorical items of the latent class model (and the binary part of a two-part item).

One of the latent class model's measurement types, behind the small interface every item
module shares (see ``_items.py``): ``log_joint`` (the items' part of log p(x_i, class k)),
``m_stats`` (additive sufficient statistics from responsibilities), ``m_params`` (the
M-step from summed statistics), ``random_start`` and ``kmeans_features`` (starts) and
``n_parameters``.

A categorical item has a probability per level and class; the levels of all categorical
items are one indicator matrix ``Z`` (rows x levels), so the E-step is ``logP.T @ Z.T`` and
the M-step's counts ``Z.T @ R.T``, each one matrix product for every item at once. An
ordinal item is a categorical block whose level probabilities come from the
adjacent-category logit (``_ordinal``).
"""

from __future__ import annotations

import numpy as np

from ._ordinal import ordinal_m_step, ordinal_parameters

_TINY = 1e-300


def log_joint(D, logP, log_w):
    """The class shares and categorical items' part of log p(x_i, k): a new (K, m) array."""
    K = log_w.size
    if logP.shape[0]:
        if D.dense:
            A = logP.T @ D.ZT
        else:
            A = np.ascontiguousarray((D.Z @ logP).T)
        A += log_w[:, None]
    else:
        A = np.empty((K, D.Z.shape[0]))
        A[:] = log_w[:, None]
    return A


def m_stats(D, Rw, RwT, total_levels) -> dict:
    """Weighted level counts ``N`` (levels x K), or nothing without categorical items."""
    if not total_levels:
        return {}
    return {"N": D.ZT @ RwT if not D.dense else (Rw @ D.Z).T}


def m_params(model, S, K):
    """Floored log level probabilities (levels x K) from the summed counts.

    Column-block normalisation; a class with no observed weight on an item gets uniform
    probabilities (all counts floored to ``min_prob``, then renormalised). Ordinal blocks
    with the same number of levels share one batched adjacent-category M-step.
    """
    if "N" not in S:
        return np.zeros((0, K))
    N = S["N"]
    offsets, block_of = model._offsets, model._block_of
    denom = np.add.reduceat(N, offsets, axis=0)
    P = N / np.maximum(denom, _TINY)[block_of]
    np.maximum(P, model.min_prob, out=P)
    P /= np.add.reduceat(P, offsets, axis=0)[block_of]
    logP = np.log(P)
    by_size = {}  # ordinal items with the same number of levels: one batched M-step
    for b in getattr(model, "_ordinal_blocks", ()):
        by_size.setdefault(int(model._n_levels[b]), []).append(int(offsets[b]))
    for L, starts in by_size.items():
        fitted = ordinal_m_step(np.stack([N[a:a + L] for a in starts]),
                                min_prob=model.min_prob, start=model._ordinal_start())
        for a, block in zip(starts, fitted):
            logP[a:a + L] = block
    return logP


def random_start(n_levels, K, rng, min_prob):
    """Random level probabilities (Dirichlet(1) per item and class), as poLCA starts."""
    blocks = [np.log(np.maximum(rng.dirichlet(np.ones(L), size=K).T, min_prob))
              for L in n_levels]
    return np.vstack(blocks) if blocks else np.zeros((0, K))


def kmeans_features(D):
    """The one-hot indicators, for the k-means start."""
    return D.Z if D.dense else D.Z.toarray()


def n_parameters(model, K) -> int:
    """``K (L - 1)`` per categorical item; an ordinal item's ``(L - 1) + (K - 1)``."""
    ordinal = [int(model._n_levels[b]) for b in getattr(model, "_ordinal_blocks", ())]
    return int(K * int((model._n_levels - 1).sum())
               - sum(K * (L - 1) - ordinal_parameters(L, K) for L in ordinal))
