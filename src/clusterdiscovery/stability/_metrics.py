"""Vectorised partition comparisons: contingency tables, clusterwise Jaccard, ARI, verdicts.

Everything is computed from one contingency table built with ``np.bincount`` on combined
label codes, never with per-point or per-pair Python loops.
"""

from __future__ import annotations

import numpy as np
from scipy.special import comb, gammaln

__all__ = [
    "contingency",
    "clusterwise_jaccard",
    "ari_from_table",
    "ami_from_table",
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


def _expected_mutual_info(a: np.ndarray, b: np.ndarray, n: float) -> float:
    """E[MI] under the hypergeometric model of random labellings (Vinh et al. 2010).

    For each pair of marginals the sum runs over the cell counts within 12 standard
    deviations (+10) of the hypergeometric mean: the probability outside is below
    1e-30, so the result equals the full sum to double precision while the work grows
    with the square root of the cluster sizes (scikit-learn sums every value from
    max(1, a+b-n) to min(a, b)).
    """
    ai = np.repeat(a, b.size)
    bj = np.tile(b, a.size)
    lo = np.maximum(1.0, ai + bj - n)
    hi = np.minimum(ai, bj)
    mean = ai * bj / n
    sd = np.sqrt(ai * bj * (n - ai) * (n - bj) / (n * n * max(n - 1.0, 1.0)))
    lo = np.maximum(lo, np.floor(mean - 12 * sd - 10))
    hi = np.minimum(hi, np.ceil(mean + 12 * sd + 10))
    length = np.maximum(hi - lo + 1, 0).astype(np.int64)
    total = int(length.sum())
    if total == 0:
        return 0.0
    const = (gammaln(ai + 1) + gammaln(bj + 1) + gammaln(n - ai + 1) + gammaln(n - bj + 1)
             - gammaln(n + 1))
    cell = np.repeat(np.arange(ai.size), length)
    starts = np.cumsum(length) - length
    nij = lo[cell] + (np.arange(total) - starts[cell])
    ai, bj = ai[cell], bj[cell]
    log_p = (const[cell] - gammaln(nij + 1) - gammaln(ai - nij + 1)
             - gammaln(bj - nij + 1) - gammaln(n - ai - bj + nij + 1))
    term = nij / n * (np.log(n) + np.log(nij) - np.log(ai) - np.log(bj))
    return float(np.sum(term * np.exp(log_p)))


def ami_from_table(table: np.ndarray) -> float:
    """Adjusted mutual information (Vinh et al. 2010; arithmetic mean normalisation).

    Same definition and conventions as :func:`sklearn.metrics.adjusted_mutual_info_score`
    with ``average_method="arithmetic"``, computed from a contingency table.
    """
    t = np.asarray(table, dtype=float)
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    n = t.sum()
    if t.shape[0] == t.shape[1] == 1 or t.shape[0] == t.shape[1] == 0:
        return 1.0  # neither labelling splits the data: a perfect match
    if t.shape[0] == 1 or t.shape[1] == 1:
        return 0.0
    a, b = t.sum(axis=1), t.sum(axis=0)
    nz = t > 0
    mi = float(np.sum(t[nz] / n * (np.log(t[nz]) + np.log(n) - np.log(np.outer(a, b)[nz]))))
    h_a = float(-np.sum(a / n * np.log(a / n)))
    h_b = float(-np.sum(b / n * np.log(b / n)))
    emi = _expected_mutual_info(a, b, n)
    denominator = 0.5 * (h_a + h_b) - emi
    # keep signs and avoid 0/0 when the expectation equals the maximum (as scikit-learn)
    eps = np.finfo(float).eps
    denominator = min(denominator, -eps) if denominator < 0 else max(denominator, eps)
    numerator = mi - emi
    numerator = min(numerator, -eps) if numerator < 0 else max(numerator, eps)
    return float(numerator / denominator)


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
