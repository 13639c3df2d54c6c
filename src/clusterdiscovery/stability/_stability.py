"""Clusterwise stability by resampling: :func:`assess_stability` (Hennig 2007)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from joblib import delayed

from .._utils import check_fraction, check_int, check_positive
from ..exceptions import UnstableClusterWarning
from ._align import _as_label_array
from ._estimator import (
    check_clusterer,
    check_data,
    check_weighted,
    fit_labels,
    fit_subset_labels,
    row_subsets,
    seeded_clone,
)
from ._metrics import THRESHOLDS, ami_from_table, ari_from_table, clusterwise_jaccard, verdict
from ._parallel import check_flag, check_n_jobs, run_tasks
from ._resample import METHODS, child_seeds, column_scales, draw_indices, jitter_rows
from ._result import StabilityResult

__all__ = ["assess_stability"]

NOISE = -1


def _one_resample(estimator, X, ref_codes, n_ref, method, fraction, scales, seed,
                  multipleboot=False, prepared=None, sample_weight=None):
    """Fit a seeded clone on one resample; compare it with the reference partition.

    ``prepared`` (from :func:`row_subsets`) lets the estimator take a bootstrap or
    subsample's encoded rows from the full table's instead of re-encoding them.
    """
    rng = np.random.default_rng(seed)
    fit_idx, shared, first = draw_indices(method, X.shape[0], fraction, rng, multipleboot)
    est_seed = int(rng.integers(0, 2**31 - 1))
    clone_ = seeded_clone(estimator, est_seed)
    if method == "jitter":
        labels = fit_labels(clone_, jitter_rows(X, scales, rng), sample_weight)[first]
    else:
        labels = fit_subset_labels(clone_, X, fit_idx, prepared, sample_weight)[first]
    jac, table, uniq = clusterwise_jaccard(ref_codes[shared], n_ref, labels)
    # ARI/AMI on the shared rows, reference noise (row n_ref) and resample noise kept
    # as one group each: the table already holds all shared rows.
    ari = ari_from_table(table)  # noise rows/columns included as groups
    a = ami_from_table(table)
    n_found = int(np.sum(uniq != NOISE))
    return jac, ari, a, n_found


def _match_index(labels, X):
    """A Series of labels put in the row order of a DataFrame ``X`` when indexed by its ids.

    A Series with the default ``RangeIndex`` is taken by position; one indexed by the ids
    of ``X`` in another order is reordered; other ids raise a ``ValueError``.
    """
    if not (isinstance(labels, pd.Series) and isinstance(X, pd.DataFrame)):
        return labels
    if labels.index.equals(X.index) or labels.index.equals(pd.RangeIndex(len(labels))):
        return labels
    if (labels.index.has_duplicates or X.index.has_duplicates
            or len(labels) != len(X) or not labels.index.isin(X.index).all()):
        raise ValueError(
            "'reference_labels' is a Series whose index does not hold the row ids of X; "
            "pass labels indexed like X (or a plain array in the row order of X)."
        )
    return labels.reindex(X.index)


def _check_resume(resume, method, params, ref_labels, n_resamples) -> int:
    """Number of resamples reused from ``resume`` (0 without one); raise if it differs."""
    if resume is None:
        return 0
    if not isinstance(resume, StabilityResult):
        raise TypeError(f"The 'resume' parameter must be a StabilityResult of an earlier call; "
                        f"got {type(resume).__name__}.")
    same = (resume.method == method and params["random_state"] is not None
            and all(resume.params.get(k) == v for k, v in params.items())
            and np.array_equal(resume.reference_labels, ref_labels))
    if not same:
        raise ValueError(
            "The 'resume' result comes from a different call (estimator, method, settings, "
            "reference partition or random_state differ, or random_state is not an int); "
            "its resamples cannot be reused. Leave resume=None."
        )
    if resume.n_resamples > n_resamples:
        raise ValueError(f"The 'resume' result has {resume.n_resamples} resamples, more than "
                         f"n_resamples={n_resamples}.")
    return resume.n_resamples


def _check_method(method) -> None:
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(
            f"The 'method' parameter must be one of {', '.join(map(repr, METHODS))}; "
            f"got {method!r}."
        )


def _reference(estimator, X, reference_labels, seed, sw) -> np.ndarray:
    """The reference partition: ``estimator`` fitted on all of X, or the labels given."""
    n = X.shape[0]
    if reference_labels is None:
        try:
            return fit_labels(seeded_clone(estimator, seed, override=False), X, sw)
        except (ValueError, TypeError) as exc:
            raise type(exc)(
                f"Fitting {type(estimator).__name__} on all of X (the reference partition) "
                f"failed: {exc}"
            ) from exc
    reference_labels = _match_index(reference_labels, X)
    ref_labels = _as_label_array(reference_labels, "reference_labels")
    if ref_labels.shape[0] != n:
        raise ValueError(
            f"'reference_labels' has {ref_labels.shape[0]} labels but X has {n} rows."
        )
    return ref_labels


def _reference_codes(ref_labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The reference clusters and each row's cluster code (noise: ``len(clusters)``)."""
    clusters = np.unique(ref_labels[ref_labels != NOISE])
    if clusters.size == 0:
        raise ValueError(
            "The reference partition has no cluster (every row is noise, -1); there is "
            "nothing to assess. Check the estimator's settings."
        )
    n_ref = clusters.size
    ref_codes = np.searchsorted(clusters, ref_labels)
    ref_codes[ref_labels == NOISE] = n_ref
    return clusters, ref_codes


def _gathered(out: list, resume, done: int):
    """Jaccard rows, ARI, AMI and clusters found per resample, the resumed ones first."""
    jac = np.vstack(([resume.jaccard.to_numpy()] if done else []) + [o[0] for o in out])
    ari = np.concatenate([resume.ari[:done] if done else [], [o[1] for o in out]])
    ami_values = np.concatenate([resume.ami[:done] if done else [], [o[2] for o in out]])
    n_found = np.concatenate([resume.n_clusters_resample[:done] if done else [],
                              [o[3] for o in out]]).astype(int)
    return jac, ari, ami_values, n_found


def _cluster_summary(jac: np.ndarray, ref_codes: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """Size, Jaccard mean/median/sd, dissolved/recovered counts and verdict per cluster."""
    n_ref = len(index)
    sizes = np.bincount(ref_codes, minlength=n_ref + 1)[:n_ref]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN column -> NaN
        means = np.nanmean(jac, axis=0)
        medians = np.nanmedian(jac, axis=0)
        stds = np.nanstd(jac, axis=0, ddof=1) if jac.shape[0] > 1 else np.zeros(n_ref)
    valid = ~np.isnan(jac)
    return pd.DataFrame(
        {
            "size": sizes,
            "jaccard_mean": means,
            "jaccard_median": medians,
            "jaccard_std": stds,
            "dissolved": ((jac <= THRESHOLDS["dissolved"]) & valid).sum(axis=0),
            "recovered": ((jac > THRESHOLDS["stable"]) & valid).sum(axis=0),
            "n_assessed": valid.sum(axis=0),
            "verdict": [verdict(m) for m in means],
        },
        index=index,
    )


def assess_stability(
    estimator,
    X,
    *,
    n_resamples=100,
    method="bootstrap",
    fraction=0.8,
    jitter_scale=0.1,
    random_state=None,
    n_jobs=None,
    progress=False,
    reference_labels=None,
    warn=True,
    multipleboot=False,
    resume=None,
    sample_weight=None,
):
    """Clusterwise stability of a clustering under resampling (clusterboot).

    The reference partition is ``estimator`` fitted on all of ``X`` (or
    ``reference_labels``). Each resample is clustered by a fresh clone of
    ``estimator``; for each reference cluster C the Jaccard similarity
    ``|C ∩ D| / |C ∪ D|`` is computed over the rows present in both partitions and
    maximised over the resample's clusters D. The mean Jaccard of a cluster reads as in
    Hennig (2007): below 0.6 the cluster should not be trusted; 0.6 to 0.75 it
    indicates a pattern but its membership is doubtful; 0.75 and above it is stable;
    0.85 and above, highly stable.

    Parameters
    ----------
    estimator : estimator instance
        Any clusterer with ``fit``/``predict`` or ``fit_predict`` (scikit-learn's
        ``KMeans`` or ``GaussianMixture``, :class:`~clusterdiscovery.LatentClassModel`,
        :class:`~clusterdiscovery.DensityClusterer` whose label ``-1`` marks noise). It
        is cloned with :func:`sklearn.base.clone` and never modified. If it has a
        ``random_state`` parameter, each resample's clone gets its own seed derived
        from ``random_state``; the reference fit keeps the estimator's own
        ``random_state`` unless that is None.
    X : pandas.DataFrame or array-like of shape (n_samples, n_features)
        The data the estimator was designed for. A DataFrame stays a DataFrame when its
        rows are resampled (column names preserved). Not modified.
    n_resamples : int, default=100
        Number of resamples B (Hennig recommends at least 100).
    method : {"bootstrap", "subsample", "jitter"}, default="bootstrap"
        ``"bootstrap"``: n rows drawn with replacement; the distinct rows drawn (about
        63% of n) are clustered, each once, and compared with the reference, as
        ``fpc::clusterboot`` does by default (``multipleboot=FALSE``). ``"subsample"``: ``fraction`` of the rows without
        replacement. ``"jitter"``: all rows, with Gaussian noise of standard deviation
        ``jitter_scale`` x the column's SD added to each float column (for a DataFrame,
        integer, boolean, categorical and text columns are left untouched; for an array,
        every column).
    fraction : float in (0, 1), default=0.8
        Share of rows kept by ``method="subsample"``.
    jitter_scale : float > 0, default=0.1
        Noise SD as a multiple of each column's SD for ``method="jitter"``.
    random_state : int, RandomState, Generator or None, default=None
        Seeds every resample and clone. All seeds are derived up front
        (:class:`numpy.random.SeedSequence`), so the result is identical for any
        ``n_jobs`` and backend.
    n_jobs : int or None, default=None
        Number of parallel jobs (joblib). ``None`` means 1 unless inside a
        :func:`joblib.parallel_backend` context. To run the resamples on a Dask cluster::

            from dask.distributed import Client
            import joblib
            client = Client(...)             # your cluster
            with joblib.parallel_backend("dask"):
                result = assess_stability(est, X, random_state=0)

    progress : bool, default=False
        Show a tqdm progress bar.
    reference_labels : array-like of shape (n_samples,), optional
        Use this partition as the reference instead of fitting ``estimator`` on X. A
        Series indexed by the row ids of a DataFrame ``X`` is aligned on them; other
        labels are taken in the row order of ``X``.
    multipleboot : bool, default=False
        For ``method="bootstrap"`` only: cluster the whole draw, duplicates included
        (``fpc::clusterboot(multipleboot=TRUE)``), instead of its distinct points. The
        duplicates pull centres and variances towards the repeated rows, so the mean
        Jaccard comes out lower (iris, k-means k = 3: fpc gives 0.937 / 0.921 / 1.000 with
        ``multipleboot = TRUE`` against 0.959 / 0.946 / 1.000 without).
    resume : StabilityResult, optional
        An earlier result of this same call with fewer resamples (same estimator, X,
        method, settings, reference partition and integer ``random_state``). Its resamples
        are the first ones of this call (each resample's seed depends only on its
        position), so they are reused and only the remaining ones are computed: the result
        is identical to a fresh call's. Used to extend a screening to a full assessment.
    warn : bool, default=True
        Emit an :class:`~clusterdiscovery.exceptions.UnstableClusterWarning` naming the
        clusters whose mean Jaccard is below 0.6.
    sample_weight : array-like of shape (n_samples,), optional
        Sampling (or frequency) weights of the rows: the reference fit and every resample's
        fit use them (a resample's rows keep their own weights), so the assessed
        clustering is the weighted one. Rows are still drawn with equal probability and
        the Jaccard similarities count rows, as without weights. The estimator's ``fit``
        must take ``sample_weight``.

    Returns
    -------
    StabilityResult
        ``.summary`` (per cluster ``size``, ``jaccard_mean``, ``jaccard_median``,
        ``dissolved``, ``recovered``, ``verdict``), ``.jaccard``, ``.ari``, ``.ami``,
        ``.plot()``.

    Raises
    ------
    TypeError
        ``estimator`` cannot fit and label, or ``X`` is not 2-d data.
    ValueError
        Bad parameter values; the reference fit fails (e.g. NaN in X for k-means).

    Notes
    -----
    Reference noise rows (label ``-1``) belong to no cluster C but can belong to a
    resample cluster D (they count in ``|D|``); resample noise is never a cluster D, so
    a cluster that turns into noise dissolves. A cluster with no row in a resample
    (possible for tiny clusters) gets NaN for that resample and the mean is taken over
    the other resamples (``n_assessed``). The Jaccard values come from one contingency
    table per resample (``np.bincount`` on combined label codes).

    References
    ----------
    .. [1] Hennig, C. (2007). Cluster-wise assessment of cluster stability.
       Computational Statistics & Data Analysis, 52(1), 258-271. Tested against
       ``fpc::clusterboot`` (fpc 2.2.10) on iris: mean Jaccard within 0.02 of fpc's
       (``clusterdiscovery/data/published/clusterboot_iris.csv``).
    .. [2] Hubert, L. and Arabie, P. (1985). Comparing partitions. Journal of
       Classification, 2, 193-218.
    .. [3] Vinh, N. X., Epps, J. and Bailey, J. (2010). Information theoretic measures
       for clusterings comparison. Journal of Machine Learning Research, 11, 2837-2854.

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(n_samples=150, centers=3, random_state=0)
    >>> res = assess_stability(KMeans(3, n_init=1), X, n_resamples=20, random_state=0)
    >>> bool((res.summary["jaccard_mean"] > 0.85).all())
    True
    """
    check_clusterer(estimator)
    X = check_data(X, estimator=estimator)
    n_resamples = check_int(n_resamples, "n_resamples", low=1)
    _check_method(method)
    fraction = check_fraction(fraction, "fraction")
    jitter_scale = check_positive(jitter_scale, "jitter_scale")
    n_jobs = check_n_jobs(n_jobs)
    progress = check_flag(progress, "progress")
    warn = check_flag(warn, "warn")
    multipleboot = check_flag(multipleboot, "multipleboot")
    sw = check_weighted(estimator, sample_weight, X.shape[0])

    seeds = child_seeds(random_state, n_resamples + 1)
    ref_labels = _reference(estimator, X, reference_labels, seeds[0], sw)
    clusters, ref_codes = _reference_codes(ref_labels)
    n_ref = clusters.size
    scales = column_scales(X, jitter_scale) if method == "jitter" else None
    params = {
        "fraction": fraction if method == "subsample" else None,
        "jitter_scale": jitter_scale if method == "jitter" else None,
        "multipleboot": multipleboot if method == "bootstrap" else None,
        "random_state": random_state if isinstance(random_state, int) else None,
        "estimator": repr(estimator),
        "weighted": sw is not None,
    }
    done = _check_resume(resume, method, params, ref_labels, n_resamples)

    # rows encoded once for all resamples (estimators that offer it; see row_subsets)
    prepared = row_subsets(estimator, X) if method != "jitter" and done < n_resamples else None
    tasks = (
        delayed(_one_resample)(
            estimator, X, ref_codes, n_ref, method, fraction, scales, seed, multipleboot,
            prepared, sw,
        )
        for seed in seeds[1 + done:]
    )
    out = run_tasks(tasks, n_jobs=n_jobs, progress=progress, total=n_resamples - done,
                    desc=f"{method} resamples")
    jac, ari, ami_values, n_found = _gathered(out, resume, done)

    index = pd.Index(clusters, name="cluster")
    jaccard = pd.DataFrame(jac, index=pd.RangeIndex(n_resamples, name="resample"),
                           columns=index)
    result = StabilityResult(
        summary=_cluster_summary(jac, ref_codes, index),
        jaccard=jaccard,
        ari=ari,
        ami=ami_values,
        method=method,
        n_resamples=n_resamples,
        reference_labels=ref_labels,
        n_clusters_resample=n_found,
        params=params,
    )
    unstable = result.unstable_clusters
    if warn and unstable:
        warnings.warn(
            f"Cluster(s) {unstable} have a mean Jaccard below 0.6 over {n_resamples} "
            f"{method} resamples: they do not reproduce and should not be described as "
            f"real subgroups (Hennig 2007). Consider fewer clusters or another model.",
            UnstableClusterWarning,
            stacklevel=2,
        )
    return result
