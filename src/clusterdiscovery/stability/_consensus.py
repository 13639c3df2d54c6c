"""Consensus clustering (Monti et al. 2003) and the PAC score (Senbabaoglu et al. 2014)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import delayed

from .._utils import check_fraction, check_int
from ._display import SummaryDisplay
from ._estimator import (
    check_cluster_range,
    check_clusterer,
    check_data,
    cluster_count_param,
    fit_labels,
    seeded_clone,
    take_rows,
)
from ._parallel import check_flag, check_n_jobs, run_tasks
from ._resample import child_seeds

__all__ = ["consensus_clustering", "ConsensusResult"]

NOISE = -1
_GRID = np.linspace(0.0, 1.0, 101)


def _fit_subsample(estimator, param, k, X, idx, seed):
    """Labels of the rows ``idx`` when clustered on their own into ``k`` clusters."""
    est = seeded_clone(estimator, seed).set_params(**{param: k})
    return fit_labels(est, take_rows(X, idx))


def _one_hot(n: int, samples: list[np.ndarray], labels: list[np.ndarray]) -> np.ndarray:
    """n x (total clusters) float32 indicator: column = one cluster of one resample.

    Rows not in a resample, or labelled noise, are 0 in all of its columns, so
    ``A @ A.T`` counts the resamples in which two rows were clustered together.
    """
    blocks = []
    for idx, lab in zip(samples, labels, strict=True):
        uniq, codes = np.unique(lab, return_inverse=True)
        block = np.zeros((n, uniq.size), dtype=np.float32)
        block[idx, codes] = 1.0
        blocks.append(block[:, uniq != NOISE])
    return np.hstack(blocks) if blocks else np.zeros((n, 0), dtype=np.float32)


@dataclass(frozen=True, eq=False, repr=False)
class ConsensusResult(SummaryDisplay):
    """Consensus matrices and PAC scores per number of clusters (Monti et al. 2003).

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per k: ``k``, ``pac`` (proportion of ambiguous clustering: share of
        pairs with consensus in (0.1, 0.9]), ``cdf_area`` (area under the consensus
        CDF), ``delta_area`` (Monti's relative increase of that area over the previous
        k).
    consensus : dict
        k -> float32 array (n_used x n_used): share of the resamples holding both rows in
        which they were clustered together (0 for pairs never sampled together).
    cosampled : ndarray of shape (n_used, n_used)
        Number of resamples holding both rows (float32).
    cdf : pandas.DataFrame
        Empirical CDF of the consensus values (pairs i < j sampled together at least
        once) on a grid of 101 points: columns ``k``, ``consensus``, ``cdf``.
    best_k : int
        The k with the smallest PAC.
    sample_index : ndarray
        Positions (rows of X) the matrices refer to: all rows, or a seeded subsample of
        ``max_n`` rows when X was larger.
    subsampled : bool
        True when X had more than ``max_n`` rows.
    n_resamples, fraction : int, float
    """

    summary: pd.DataFrame
    consensus: dict
    cosampled: np.ndarray
    cdf: pd.DataFrame
    best_k: int
    sample_index: np.ndarray
    subsampled: bool
    n_resamples: int
    fraction: float
    pac_interval: tuple = (0.1, 0.9)
    row_labels: pd.Index | None = field(default=None)

    def labels(self, k: int) -> np.ndarray:
        """Consensus partition for ``k``: average-linkage tree on 1 - consensus, cut at k."""
        from scipy.cluster.hierarchy import fcluster

        return fcluster(self._linkage(k), t=k, criterion="maxclust") - 1

    def _linkage(self, k: int):
        from scipy.cluster.hierarchy import linkage
        from scipy.spatial.distance import squareform

        if k not in self.consensus:
            raise ValueError(
                f"k={k} was not computed; choose one of {sorted(self.consensus)}."
            )
        dist = 1.0 - self.consensus[k].astype(float)
        np.fill_diagonal(dist, 0.0)
        return linkage(squareform(dist, checks=False), method="average")

    def _header(self) -> str:
        n = self.sample_index.size
        note = f" (seeded subsample of {n} rows)" if self.subsampled else ""
        return (
            f"Consensus clustering: {self.n_resamples} resamples of {self.fraction:.0%} of "
            f"{n} rows{note}; lowest PAC at k = {self.best_k}"
        )

    def plot(self, ax=None, k=None, order="hierarchical"):
        """Heatmap of the consensus matrix for ``k`` (default: ``best_k``).

        Parameters
        ----------
        ax : matplotlib Axes, optional
        k : int, optional
        order : {"hierarchical"} or array-like of labels, default="hierarchical"
            Row order: the leaves of an average-linkage tree on 1 - consensus, or the
            rows sorted by the given labels (one per row of :attr:`sample_index`).

        Returns
        -------
        ax : matplotlib Axes
        """
        import matplotlib.pyplot as plt

        k = self.best_k if k is None else k
        if isinstance(order, str):
            if order != "hierarchical":
                raise ValueError(
                    f"order must be 'hierarchical' or an array of labels; got {order!r}."
                )
            from scipy.cluster.hierarchy import leaves_list

            perm = leaves_list(self._linkage(k))
        else:
            lab = np.asarray(order)
            if lab.shape != (self.sample_index.size,):
                raise ValueError(
                    f"order must give one label per row used ({self.sample_index.size}); "
                    f"got shape {lab.shape}."
                )
            perm = np.argsort(lab, kind="stable")
        if ax is None:
            _, ax = plt.subplots(figsize=(5, 4.5))
        mat = self.consensus[k][np.ix_(perm, perm)]
        im = ax.imshow(mat, cmap="Blues", vmin=0, vmax=1, interpolation="nearest")
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="consensus")
        pac = float(self.summary.loc[self.summary["k"] == k, "pac"].iloc[0])
        ax.set_title(f"Consensus matrix, k = {k} (PAC {pac:.3f})")
        ax.set_xticks([])
        ax.set_yticks([])
        return ax

    def plot_cdf(self, ax=None):
        """Empirical CDF of the consensus values, one line per k, PAC interval shaded."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.5))
        for k, grp in self.cdf.groupby("k", sort=True):
            ax.step(grp["consensus"], grp["cdf"], where="post", label=f"k = {k}")
        lo, hi = self.pac_interval
        ax.axvspan(lo, hi, color="grey", alpha=0.12, label="PAC interval")
        ax.set_xlabel("consensus index")
        ax.set_ylabel("CDF")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.legend(fontsize="small", frameon=False)
        return ax


def _check_pac_interval(pac_interval) -> tuple[float, float]:
    """``(low, high)`` as floats with ``0 <= low < high <= 1``; TypeError/ValueError else."""
    try:
        if isinstance(pac_interval, str | bytes):
            raise TypeError
        lo, hi = (float(v) for v in pac_interval)
    except (TypeError, ValueError):
        raise TypeError(
            f"The 'pac_interval' parameter must be a pair of numbers (low, high), e.g. "
            f"(0.1, 0.9); got {pac_interval!r}."
        ) from None
    if not 0 <= lo < hi <= 1:
        raise ValueError(
            f"The 'pac_interval' parameter must be (low, high) with 0 <= low < high <= 1; "
            f"got {pac_interval!r}."
        )
    return lo, hi


def _check_memory(n: int, ks, memory_limit: int) -> None:
    needed = n * n * 4 * (len(ks) + 6)
    if needed > memory_limit:
        raise ValueError(
            f"The consensus matrices for {n} rows and {len(ks)} values of k need "
            f"{needed / 1024**2:.0f} MiB, above memory_limit={memory_limit / 1024**2:.0f} "
            f"MiB. Lower max_n (e.g. max_n=2000) or use fewer values of k."
        )


def _subsamples(seeds, n: int, m: int, n_resamples: int) -> list[np.ndarray]:
    """The sorted row positions of each subsample (the same for every k)."""
    return [
        np.sort(np.random.default_rng(seeds[1 + h]).choice(n, size=m, replace=False))
        for h in range(n_resamples)
    ]


def _cosampling(n: int, samples: list[np.ndarray]):
    """How often two rows were sampled together (``S S^T``), and the upper-triangle pairs
    (indices, mask of pairs sampled together at least once, their counts)."""
    s_ind = np.zeros((n, len(samples)), dtype=np.float32)
    for h, idx in enumerate(samples):
        s_ind[idx, h] = 1.0
    cosampled = s_ind @ s_ind.T
    iu = np.triu_indices(n, k=1)
    i_pairs = cosampled[iu]
    valid = i_pairs > 0
    return cosampled, iu, valid, i_pairs[valid]


def _consensus_at_k(k, labels, samples, pairs, interval):
    """The consensus matrix, summary row and CDF frame of one k."""
    cosampled, iu, valid, i_valid = pairs
    lo, hi = interval
    a = _one_hot(cosampled.shape[0], samples, labels)
    together = a @ a.T
    with np.errstate(invalid="ignore", divide="ignore"):
        cons = np.where(cosampled > 0, together / cosampled, 0.0).astype(np.float32)
    np.fill_diagonal(cons, 1.0)
    m_valid = together[iu][valid]
    ambiguous = (m_valid > lo * i_valid) & (m_valid <= hi * i_valid)
    pac = float(ambiguous.mean()) if i_valid.size else np.nan
    values = np.sort(m_valid / i_valid)
    cdf = np.searchsorted(values, _GRID, side="right") / max(values.size, 1)
    area = float(np.sum(np.diff(_GRID) * cdf[:-1]))
    return (cons, {"k": k, "pac": pac, "cdf_area": area},
            pd.DataFrame({"k": k, "consensus": _GRID, "cdf": cdf}))


def _summary_table(rows: list[dict]) -> pd.DataFrame:
    """k, PAC and CDF area per k, with the relative change in area (Monti et al. 2003)."""
    summary = pd.DataFrame(rows)
    areas = summary["cdf_area"].to_numpy()
    delta = np.empty_like(areas)
    delta[0] = areas[0]
    delta[1:] = (areas[1:] - areas[:-1]) / np.where(areas[:-1] > 0, areas[:-1], np.nan)
    summary["delta_area"] = delta
    return summary



def consensus_clustering(
    estimator,
    X,
    n_clusters=range(2, 9),
    *,
    n_resamples=50,
    fraction=0.8,
    max_n=2000,
    memory_limit=2 * 1024**3,
    pac_interval=(0.1, 0.9),
    random_state=None,
    n_jobs=None,
    progress=False,
):
    """Consensus clustering over subsamples, with the PAC score per number of clusters.

    For each k, the estimator clusters ``n_resamples`` subsamples of ``fraction`` of the
    rows; the consensus index of two rows is the share of the subsamples holding both in
    which they fell in the same cluster (Monti et al. 2003). A clear structure gives
    consensus values near 0 or 1; the proportion of ambiguous clustering (PAC) is the
    share of pairs with a value in the ambiguous interval, ``CDF(0.9) - CDF(0.1)``
    (Senbabaoglu et al. 2014), and the k with the lowest PAC is preferred. The same
    subsamples are used for every k.

    Parameters
    ----------
    estimator : estimator instance
        A clusterer with ``fit_predict`` or ``fit``/``predict`` and an ``n_clusters`` or
        ``n_components`` parameter. Cloned, never modified. Rows it labels ``-1``
        (noise) are clustered with no one.
    X : pandas.DataFrame or array-like of shape (n_samples, n_features)
    n_clusters : int or iterable of int, default=range(2, 9)
    n_resamples : int, default=50
    fraction : float in (0, 1), default=0.8
        Share of rows in each subsample.
    max_n : int, default=2000
        The consensus matrices are n x n; when X has more rows, a seeded random
        subsample of ``max_n`` rows is used (``result.subsampled``, a warning, and
        ``result.sample_index`` give the rows).
    memory_limit : int, default=2 GiB
        Bytes the matrices may take (about ``n_used**2 * 4 * (len(n_clusters) + 6)``); above
        it a ``ValueError`` asks for a smaller ``max_n``.
    pac_interval : tuple of two floats, default=(0.1, 0.9)
    random_state : int, RandomState, Generator or None
    n_jobs : int or None
        Parallel jobs for the fits (joblib; works with ``joblib.parallel_backend("dask")``).
    progress : bool, default=False

    Returns
    -------
    ConsensusResult
        ``.summary`` (``k``, ``pac``, ...), ``.best_k`` (lowest PAC), ``.consensus``,
        ``.plot(k=...)`` (heatmap), ``.plot_cdf()``.

    Notes
    -----
    The counts are matrix products: with ``A`` the rows x (resample, cluster) indicator
    matrix and ``S`` the rows x resample sampling indicator, ``M = A A^T`` counts how
    often two rows were clustered together and ``I = S S^T`` how often they were sampled
    together (float32, exact for counts below 2**24). PAC is computed from the integer
    counts: ``lo < M/I <= hi``, over pairs i < j with ``I > 0``.

    References
    ----------
    .. [1] Monti, S., Tamayo, P., Mesirov, J. and Golub, T. (2003). Consensus
       clustering: a resampling-based method for class discovery and visualization of
       gene expression microarray data. Machine Learning, 52, 91-118.
    .. [2] Senbabaoglu, Y., Michailidis, G. and Li, J. Z. (2014). Critical limitations of
       consensus clustering in class discovery. Scientific Reports, 4, 6207.

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(n_samples=120, centers=3, random_state=2)
    >>> cc = consensus_clustering(KMeans(n_init=3), X, range(2, 6), n_resamples=10,
    ...                           random_state=0)
    >>> cc.best_k
    3
    """
    check_clusterer(estimator)
    param = cluster_count_param(estimator)
    X = check_data(X, estimator=estimator)
    n_resamples = check_int(n_resamples, "n_resamples", low=1)
    fraction = check_fraction(fraction, "fraction")
    max_n = check_int(max_n, "max_n", low=2)
    memory_limit = check_int(memory_limit, "memory_limit", low=1)
    n_jobs = check_n_jobs(n_jobs)
    progress = check_flag(progress, "progress")
    lo, hi = _check_pac_interval(pac_interval)

    n_total = X.shape[0]
    subsampled = n_total > max_n
    n = min(n_total, max_n)
    m = max(2, int(round(fraction * n)))
    ks = check_cluster_range(n_clusters, m)
    _check_memory(n, ks, memory_limit)
    seeds = child_seeds(random_state, 1 + n_resamples * (1 + len(ks)))
    if subsampled:
        sample_index = np.sort(
            np.random.default_rng(seeds[0]).choice(n_total, size=max_n, replace=False)
        )
        warnings.warn(
            f"X has {n_total} rows; the n x n consensus matrices use a seeded random "
            f"subsample of max_n={max_n} rows (result.sample_index). Raise max_n to use "
            f"more rows (memory grows with max_n**2).",
            UserWarning,
            stacklevel=2,
        )
        data = take_rows(X, sample_index)
    else:
        sample_index = np.arange(n_total)
        data = X
    samples = _subsamples(seeds, n, m, n_resamples)
    fit_seeds = seeds[1 + n_resamples:]
    tasks = (
        delayed(_fit_subsample)(estimator, param, k, data, samples[h],
                                fit_seeds[j * n_resamples + h])
        for j, k in enumerate(ks)
        for h in range(n_resamples)
    )
    out = run_tasks(tasks, n_jobs=n_jobs, progress=progress,
                    total=len(ks) * n_resamples, desc="consensus resamples")

    pairs = _cosampling(n, samples)
    consensus, rows, cdf_rows = {}, [], []
    for j, k in enumerate(ks):
        labels = out[j * n_resamples:(j + 1) * n_resamples]
        consensus[k], row, cdf = _consensus_at_k(k, labels, samples, pairs, (lo, hi))
        rows.append(row)
        cdf_rows.append(cdf)

    summary = _summary_table(rows)
    best_k = int(summary.loc[summary["pac"].idxmin(), "k"])
    row_labels = X.index[sample_index] if hasattr(X, "index") else None
    return ConsensusResult(
        summary=summary,
        consensus=consensus,
        cosampled=pairs[0],
        cdf=pd.concat(cdf_rows, ignore_index=True),
        best_k=best_k,
        sample_index=sample_index,
        subsampled=subsampled,
        n_resamples=n_resamples,
        fraction=fraction,
        pac_interval=(lo, hi),
        row_labels=row_labels,
    )
