"""Vectorised partition comparisons: contingency tables, clusterwise Jaccard, ARI, verdicts.

Everything is computed from one contingency table built with ``np.bincount`` on combined
label codes, never with per-point or per-pair Python loops.
"""

from __future__ import annotations

import numpy as np
from scipy.special import comb
from sklearn.metrics import adjusted_mutual_info_score

__all__ = [
    "contingency",
    "clusterwise_jaccard",
    "ari_from_table",
    "ami",
    "verdict",
    "THRESHOLDS",
]

NOISE = -1

#: Hennig (2007) guide values for the mean clusterwise Jaccard similarity.
THRESHOLDS = {"dissolved": 0.5, "trust": 0.6, "stable": 0.75, "highly_stable": 0.85}


def contingency(a_codes: np.ndarray, n_a: int, b_codes: np.ndarray, n_b: int) -> np.ndarray:
    """Counts ``n_ij`` of rows with ``a == i`` and ``b == j`` (codes ``0..n-1``)."""
    table = np.bincount(a_codes * n_b + b_codes, minlength=n_a * n_b)
    return table.reshape(n_a, n_b)


def clusterwise_jaccard(ref_codes: np.ndarray, n_ref: int, labels: np.ndarray):
    """Best Jaccard similarity of each reference cluster with any cluster of ``labels``.

    Parameters
    ----------
    ref_codes : ndarray of int
        Reference cluster of each compared row coded ``0..n_ref-1``; reference noise
        rows are coded ``n_ref`` (they belong to no C but may belong to some D).
    n_ref : int
        Number of reference clusters (noise excluded).
    labels : ndarray of int
        Labels of the same rows in the resample clustering; ``-1`` (noise) is never a D.

    Returns
    -------
    jaccard : ndarray of shape (n_ref,)
        ``max_j |C_i ∩ D_j| / |C_i ∪ D_j|`` over the compared rows; 0 when the resample
        has no cluster, NaN when ``C_i`` has no row among the compared ones.
    table : ndarray of shape (n_ref + 1, n_labels)
        The contingency table (last row = reference noise), columns ``uniq``.
    uniq : ndarray
        The distinct values of ``labels``, one per column of ``table``.
    """
    uniq, codes = np.unique(labels, return_inverse=True)
    table = contingency(ref_codes, n_ref + 1, codes, uniq.size)
    keep = uniq != NOISE
    n_ij = table[:n_ref][:, keep].astype(float)
    size_c = table[:n_ref].sum(axis=1).astype(float)
    size_d = table[:, keep].sum(axis=0).astype(float)
    out = np.full(n_ref, np.nan)
    present = size_c > 0
    if n_ij.shape[1] == 0:
        out[present] = 0.0
        return out, table, uniq
    union = size_c[:, None] + size_d[None, :] - n_ij
    with np.errstate(invalid="ignore", divide="ignore"):
        jac = np.where(union > 0, n_ij / union, 0.0)
    out[present] = jac[present].max(axis=1)
    return out, table, uniq


def ari_from_table(table: np.ndarray) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985) from a contingency table."""
    table = np.asarray(table, dtype=float)
    n = table.sum()
    if n < 2:
        return 1.0
    sum_ij = comb(table, 2).sum()
    sum_a = comb(table.sum(axis=1), 2).sum()
    sum_b = comb(table.sum(axis=0), 2).sum()
    total = comb(n, 2)
    expected = sum_a * sum_b / total
    maximum = 0.5 * (sum_a + sum_b)
    if maximum == expected:  # both partitions trivial (one cluster or all singletons)
        return 1.0
    return float((sum_ij - expected) / (maximum - expected))


def ami(a: np.ndarray, b: np.ndarray) -> float:
    """Adjusted mutual information (Vinh et al. 2010; arithmetic normalisation)."""
    return float(adjusted_mutual_info_score(a, b))


def verdict(jaccard_mean: float) -> str:
    """Hennig's (2007) reading of a mean clusterwise Jaccard similarity.

    ``"highly stable"`` (>= 0.85), ``"stable"`` (>= 0.75), ``"doubtful"`` (0.6 to 0.75:
    a pattern in the data, but which points belong to it is doubtful), ``"unstable"``
    (< 0.6: not to be trusted), ``"not assessed"`` (no resample contained the cluster).
    """
    if not np.isfinite(jaccard_mean):
        return "not assessed"
    if jaccard_mean >= THRESHOLDS["highly_stable"]:
        return "highly stable"
    if jaccard_mean >= THRESHOLDS["stable"]:
        return "stable"
    if jaccard_mean >= THRESHOLDS["trust"]:
        return "doubtful"
    return "unstable"
