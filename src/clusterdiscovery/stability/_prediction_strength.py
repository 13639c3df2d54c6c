"""Prediction strength (Tibshirani & Walther 2005) for choosing the number of clusters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import delayed

from .._utils import check_fraction, check_int
from ._display import SummaryDisplay
from ._estimator import (
    check_cluster_range,
    check_data,
    check_predictor,
    cluster_count_param,
    seeded_clone,
    take_rows,
)
from ._metrics import contingency
from ._parallel import check_flag, check_n_jobs, run_tasks
from ._resample import child_seeds

__all__ = ["prediction_strength", "PredictionStrengthResult"]

NOISE = -1


def _codes(labels: np.ndarray):
    uniq, codes = np.unique(labels, return_inverse=True)
    return uniq, codes


def _half_strength(test_labels: np.ndarray, predicted: np.ndarray) -> float:
    """min over test clusters of the share of their pairs the training model keeps together.

    ``sum_l C(n_jl, 2) / C(n_j, 2)`` from the contingency table of test clusters (rows)
    against the training model's predictions (columns); noise (-1) is no test cluster
    and no training cluster; test clusters with fewer than 2 rows are ignored (as in
    ``fpc::prediction.strength``, where their value is 1).
    """
    ut, ct = _codes(test_labels)
    up, cp = _codes(predicted)
    table = contingency(ct, ut.size, cp, up.size).astype(float)
    table = table[ut != NOISE]
    n_j = table.sum(axis=1)  # includes rows predicted as noise
    together = (table[:, up != NOISE] * (table[:, up != NOISE] - 1)).sum(axis=1)
    ok = n_j > 1
    if not ok.any():
        return 1.0
    return float(np.min(together[ok] / (n_j[ok] * (n_j[ok] - 1))))


def _one_split(estimator, param, k, X, half_a, half_b, seed):
    """Prediction strength of one two-fold split at ``k``: mean over both test halves."""
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, 2**31 - 1, size=2)
    xa, xb = take_rows(X, half_a), take_rows(X, half_b)
    est_a = seeded_clone(estimator, int(seeds[0])).set_params(**{param: k}).fit(xa)
    est_b = seeded_clone(estimator, int(seeds[1])).set_params(**{param: k}).fit(xb)
    la, lb = np.asarray(est_a.predict(xa)), np.asarray(est_b.predict(xb))
    # test half b, training half a; then the other way round (as fpc does)
    ps_b = _half_strength(lb, np.asarray(est_a.predict(xb)))
    ps_a = _half_strength(la, np.asarray(est_b.predict(xa)))
    return 0.5 * (ps_a + ps_b)


@dataclass(frozen=True, eq=False, repr=False)
class PredictionStrengthResult(SummaryDisplay):
    """Prediction strength per number of clusters (Tibshirani & Walther 2005).

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per k: ``k``, ``prediction_strength`` (mean over splits), ``std``
        (standard deviation over splits), ``se`` (std / sqrt(n_splits)).
    values : pandas.DataFrame
        Prediction strength of each split (rows) at each k (columns).
    best_k : int
        The largest k whose mean prediction strength is above ``cutoff`` (k = 1, whose
        prediction strength is 1 by definition, when none is).
    cutoff : float
    n_splits : int
    """

    summary: pd.DataFrame
    values: pd.DataFrame
    best_k: int
    cutoff: float
    n_splits: int

    def _header(self) -> str:
        return (
            f"Prediction strength: {self.n_splits} two-fold splits, cutoff "
            f"{self.cutoff:g}; best k = {self.best_k}"
        )

    def plot(self, ax=None):
        """Mean prediction strength (± 1 SD over splits) against k, with the cutoff line.

        Parameters
        ----------
        ax : matplotlib Axes, optional

        Returns
        -------
        ax : matplotlib Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.5))
        s = self.summary
        ax.errorbar(s["k"], s["prediction_strength"], yerr=s["std"], marker="o", capsize=3)
        ax.axhline(self.cutoff, color="tab:red", ls="--", lw=0.8,
                   label=f"cutoff {self.cutoff:g}")
        if self.best_k in set(s["k"]):
            y = float(s.loc[s["k"] == self.best_k, "prediction_strength"].iloc[0])
            ax.plot([self.best_k], [y], "s", ms=10, mfc="none", color="tab:red",
                    label=f"best k = {self.best_k}")
        ax.set_xlabel("number of clusters k")
        ax.set_ylabel("prediction strength")
        ax.set_ylim(0, 1.05)
        ax.set_xticks(list(s["k"]))
        ax.legend(loc="lower left", frameon=False)
        return ax


def prediction_strength(
    estimator,
    X,
    n_clusters=range(2, 11),
    *,
    n_splits=20,
    cutoff=0.8,
    random_state=None,
    n_jobs=None,
    progress=False,
):
    """Prediction strength of a clusterer for each number of clusters k.

    For each of ``n_splits`` random two-fold splits, both halves are clustered into k
    clusters. For each cluster of the test half, the proportion of its pairs of rows
    that the training half's model (applied with ``predict``) also puts together is
    computed; the prediction strength of the split is the minimum over the test
    clusters. As in ``fpc::prediction.strength``, each half serves in turn as the test
    half and the two values are averaged, and test clusters with fewer than two rows
    are ignored. The same splits are used for every k (common random numbers).

    Parameters
    ----------
    estimator : estimator instance
        A clusterer with ``fit`` and ``predict`` and an ``n_clusters`` or
        ``n_components`` parameter (KMeans, GaussianMixture, LatentClassModel). Cloned,
        never modified.
    X : pandas.DataFrame or array-like of shape (n_samples, n_features)
    n_clusters : int or iterable of int, default=range(2, 11)
        The values of k (each >= 2).
    n_splits : int, default=20
        Number of random two-fold splits.
    cutoff : float in (0, 1), default=0.8
        Tibshirani & Walther suggest 0.8-0.9 for well-separated clusters.
    random_state : int, RandomState, Generator or None
        Seeds the splits and the clones; results do not depend on ``n_jobs``.
    n_jobs : int or None
        Parallel jobs (joblib; ``joblib.parallel_backend("dask")`` runs them on Dask).
    progress : bool, default=False
        Show a tqdm progress bar.

    Returns
    -------
    PredictionStrengthResult
        ``.summary`` (``k``, ``prediction_strength``, ``std``), ``.best_k``, ``.plot()``.

    Notes
    -----
    The co-membership count of a test cluster j is ``sum_l n_jl (n_jl - 1)`` from the
    contingency table of test clusters against predicted training clusters, so no
    n x n co-membership matrix is formed. Rows a model labels as noise (-1) form no
    cluster and are never "together".

    References
    ----------
    .. [1] Tibshirani, R. and Walther, G. (2005). Cluster validation by prediction
       strength. Journal of Computational and Graphical Statistics, 14(3), 511-528.

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(n_samples=200, centers=3, random_state=2)
    >>> ps = prediction_strength(KMeans(n_init=3), X, range(2, 6), n_splits=5,
    ...                          random_state=0)
    >>> ps.best_k
    3
    """
    check_predictor(estimator, "prediction_strength")
    param = cluster_count_param(estimator)
    X = check_data(X, estimator=estimator)
    n = X.shape[0]
    n_splits = check_int(n_splits, "n_splits", low=1)
    cutoff = check_fraction(cutoff, "cutoff")
    n_jobs = check_n_jobs(n_jobs)
    progress = check_flag(progress, "progress")
    ks = check_cluster_range(n_clusters, n // 2)

    split_seeds = child_seeds(random_state, n_splits * (1 + len(ks)))
    halves = []
    for s in range(n_splits):
        perm = np.random.default_rng(split_seeds[s]).permutation(n)
        halves.append((np.sort(perm[: n // 2]), np.sort(perm[n // 2:])))
    est_seeds = np.array(split_seeds[n_splits:]).reshape(len(ks), n_splits)
    tasks = (
        delayed(_one_split)(estimator, param, k, X, *halves[s], int(est_seeds[i, s]))
        for i, k in enumerate(ks)
        for s in range(n_splits)
    )
    out = run_tasks(tasks, n_jobs=n_jobs, progress=progress, total=len(ks) * n_splits,
                    desc="prediction strength")
    values = pd.DataFrame(
        np.array(out, dtype=float).reshape(len(ks), n_splits).T,
        index=pd.RangeIndex(n_splits, name="split"),
        columns=pd.Index(ks, name="k"),
    )
    mean = values.mean(axis=0).to_numpy()
    std = values.std(axis=0, ddof=1).to_numpy() if n_splits > 1 else np.zeros(len(ks))
    summary = pd.DataFrame(
        {"k": ks, "prediction_strength": mean, "std": std, "se": std / np.sqrt(n_splits)}
    )
    above = [k for k, m in zip(ks, mean, strict=True) if m > cutoff]
    best_k = max(above) if above else 1
    return PredictionStrengthResult(
        summary=summary, values=values, best_k=int(best_k), cutoff=cutoff, n_splits=n_splits
    )
