"""compare_models: fit several clustering families for a range of k on the same data."""

from __future__ import annotations

import inspect
import numbers
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.pipeline import Pipeline

from .._stats import information_criteria, relative_entropy
from .._utils import check_int, check_random_state, check_sample_weight
from ..exceptions import ConvergenceWarning, VarianceFloorWarning
from ..models import DensityClusterer, LatentClassModel
from ._data import DataViews, infer_measurement, prepare_data
from ._degenerate import _degenerate, floor_items
from ._result import ModelSelectionResult

__all__ = ["compare_models", "default_estimators"]

COLUMNS = [
    "model", "k", "loglik", "n_parameters", "aic", "bic", "sabic", "caic", "entropy",
    "smallest_share", "silhouette", "calinski_harabasz", "davies_bouldin", "dbcv",
    "noise_share", "degenerate", "floor_items", "converged", "fit_seconds",
]


def default_estimators(X, *, measurement=None) -> dict:
    """The families :func:`compare_models` fits when ``estimators=None``.

    - ``"kmeans"``: ``KMeans(n_init=10)`` (Lloyd, k-means++ starts).
    - ``"gmm"``: ``GaussianMixture(covariance_type="diag", n_init=3)``, only when every
      column is continuous. Diagonal covariances keep the parameter count linear in the
      number of columns (stable with many columns and small clusters) and make the model
      the all-gaussian latent class model (local independence); pass your own
      ``GaussianMixture(covariance_type="full")`` for correlated clusters.
    - ``"latent_class"``: ``LatentClassModel(n_init=3)`` with the measurement of
      :func:`~clusterdiscovery.selection.infer_measurement`, only when ``X`` is a
      DataFrame with at least one categorical or count column (it then replaces the
      Gaussian mixture: a Gaussian density on one-hot codes means nothing).
    - ``"density"``: ``DensityClusterer()`` (UMAP then HDBSCAN), which finds k itself.

    Parameters
    ----------
    X : DataFrame or array-like
        The data to be compared.
    measurement : dict or None
        Measurement types to use instead of the inferred ones.

    Returns
    -------
    dict
        ``{name: unfitted estimator}``.
    """
    from sklearn.cluster import KMeans
    from sklearn.mixture import GaussianMixture

    if measurement is not None and not isinstance(measurement, dict):
        raise TypeError(
            "The 'measurement' parameter must be None or a dict {column: type}; "
            f"got {type(measurement).__name__}."
        )
    out = {"kmeans": KMeans(n_clusters=2, n_init=10)}
    if isinstance(X, pd.DataFrame):
        measurement = infer_measurement(X) if measurement is None else measurement
    if measurement is not None and any(v != "gaussian" for v in measurement.values()):
        out["latent_class"] = LatentClassModel(2, measurement=dict(measurement), n_init=3)
    else:
        out["gmm"] = GaussianMixture(n_components=2, covariance_type="diag", n_init=3)
    out["density"] = DensityClusterer()
    return out


def _k_param(name, est):
    params = est.get_params(deep=False)
    for p in ("n_clusters", "n_components"):
        if p in params:
            return p
    if isinstance(est, DensityClusterer) or (
        isinstance(est, Pipeline) and isinstance(est.steps[-1][1], DensityClusterer)
    ):
        return None
    if isinstance(est, Pipeline):  # the final step's count, e.g. "kmeans__n_clusters"
        last = est.steps[-1][0]
        for p in ("n_clusters", "n_components"):
            if f"{last}__{p}" in est.get_params(deep=True):
                return f"{last}__{p}"
    raise ValueError(
        f"The estimator {name!r} ({type(est).__name__}) has neither an 'n_clusters' nor an "
        f"'n_components' parameter, so compare_models cannot set its number of clusters. "
        f"Use an estimator with one of them, or DensityClusterer for a family that finds k "
        f"itself."
    )


def _check_estimators(estimators):
    if not isinstance(estimators, dict) or not estimators:
        raise TypeError(
            "The 'estimators' parameter must be a non-empty dict {name: estimator}; "
            f"got {type(estimators).__name__}."
        )
    for name, est in estimators.items():
        if not isinstance(name, str):
            raise TypeError(f"Estimator names must be str; got {name!r}.")
        if isinstance(est, type) or not hasattr(est, "fit") or not hasattr(est, "get_params"):
            raise TypeError(
                f"The estimator {name!r} must be a scikit-learn estimator instance "
                f"(e.g. KMeans(n_init=10)); got {est!r}."
            )


def _check_n_clusters(n_clusters):
    if isinstance(n_clusters, numbers.Integral) and not isinstance(n_clusters, bool):
        n_clusters = [n_clusters]
    try:
        ks = list(n_clusters)
    except TypeError:
        raise TypeError(
            f"The 'n_clusters' parameter must be an int or an iterable of ints such as "
            f"range(2, 11); got {n_clusters!r}."
        ) from None
    if not ks:
        raise ValueError("The 'n_clusters' parameter is empty; give at least one k.")
    return sorted({check_int(k, "n_clusters", low=1) for k in ks})


def _uses_table(est) -> bool:
    """Latent class models and pipelines (which prepare their own data) get X as given."""
    return isinstance(est, LatentClassModel | Pipeline)


def _n_parameters(est):
    if hasattr(est, "n_parameters_"):
        return float(est.n_parameters_)
    if hasattr(est, "_n_parameters"):
        return float(est._n_parameters())
    return float("nan")


def _converged(est):
    if hasattr(est, "converged_"):
        return bool(est.converged_)
    if hasattr(est, "n_iter_") and hasattr(est, "max_iter"):
        return bool(np.max(est.n_iter_) < est.max_iter)
    return pd.NA


def _geometry(M, labels, sil_idx):
    out = {"silhouette": np.nan, "calinski_harabasz": np.nan, "davies_bouldin": np.nan}
    keep = labels >= 0
    n_keep = int(keep.sum())
    n_lab = np.unique(labels[keep]).size
    if not 2 <= n_lab <= n_keep - 1:
        return out
    Mk, lk = (M, labels) if n_keep == labels.size else (M[keep], labels[keep])
    out["calinski_harabasz"] = float(calinski_harabasz_score(Mk, lk))
    out["davies_bouldin"] = float(davies_bouldin_score(Mk, lk))
    sub = sil_idx[keep[sil_idx]]
    ls = labels[sub]
    if 2 <= np.unique(ls).size <= sub.size - 1:
        out["silhouette"] = float(silhouette_score(M[sub], ls))
    return out


def _accepts_weight(est) -> bool:
    """Whether ``est.fit`` (or a Pipeline's final step's) takes ``sample_weight``."""
    final = est.steps[-1][1] if isinstance(est, Pipeline) else est
    try:
        return "sample_weight" in inspect.signature(final.fit).parameters
    except (TypeError, ValueError):
        return False


def _fit_kwargs(est, sw):
    if sw is None:
        return {}
    if isinstance(est, Pipeline):
        return {f"{est.steps[-1][0]}__sample_weight": sw}
    return {"sample_weight": sw}


def _weighted_fit_measures(est, data, sw, p):
    """Log-likelihood and information criteria with frequency/sampling weights."""
    ll = float(np.asarray(est.score_samples(data)) @ sw)
    W = float(sw.sum())
    return {"loglik": ll, "n_parameters": p, **information_criteria(ll, p, W)}


def _fit_one(name, est, k_param, k, seed, data, M, sil_idx, sw=None,
             min_cluster_size=5):
    """Fit one solution and measure it (runs in a joblib worker)."""
    est = clone(est)
    params = {}
    if k_param is not None:
        params[k_param] = k
    if seed is not None:
        for key in est.get_params(deep=True):
            if key == "random_state" or key.endswith("__random_state"):
                params[key] = int(seed)
    est.set_params(**params)
    n = M.shape[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", _SklearnConvergenceWarning)
        start = time.perf_counter()
        try:
            est.fit(data, **_fit_kwargs(est, sw))
        except Exception as exc:
            where = f"k={k}" if k_param is not None else "its single fit"
            exc.add_note(f"compare_models: raised while fitting {name!r} ({where}).")
            raise
        seconds = time.perf_counter() - start
    final = est.steps[-1][1] if isinstance(est, Pipeline) else est
    labels = getattr(final, "labels_", None)
    labels = np.asarray(est.predict(data) if labels is None else labels).astype(np.intp)
    row = dict.fromkeys(COLUMNS, np.nan)
    row.update(model=name, converged=_converged(final), fit_seconds=seconds, noise_share=0.0)
    if k_param is None:  # finds k itself
        k = int(getattr(final, "n_clusters_", labels.max() + 1))
        row["noise_share"] = float(np.mean(labels == -1))
        row["dbcv"] = float(getattr(final, "validity_", np.nan))
    row["k"] = int(k)
    keep = labels >= 0
    counts = (np.bincount(labels[keep], weights=None if sw is None else sw[keep], minlength=k)
              if k > 0 else np.zeros(0))
    total = n if sw is None else float(sw.sum())
    row["smallest_share"] = float(counts.min() / total) if counts.size else np.nan
    rows_per_cluster = np.bincount(labels[keep], minlength=k) if k > 0 else np.zeros(0)
    row["degenerate"] = _degenerate(final, rows_per_cluster, n, min_cluster_size)
    row["floor_items"] = floor_items(final)
    if row["floor_items"]:
        warnings.warn(f"{name} with k = {row['k']}: a class variance at its floor for "
                      f"{row['floor_items']} (the class sits on nearly identical values of "
                      "the item; declare such a column ordinal or zero-heavy, or read the "
                      "class with care).", VarianceFloorWarning, stacklevel=2)
    if sw is not None and k_param is None:
        row["noise_share"] = float(sw[labels == -1].sum() / total)
    if sw is not None and hasattr(est, "score_samples") and hasattr(est, "bic"):
        row.update(_weighted_fit_measures(est, data, sw, _n_parameters(est)))
        if hasattr(est, "predict_proba"):
            row["entropy"] = relative_entropy(est.predict_proba(data), sw)
    elif hasattr(est, "bic") and hasattr(est, "score"):
        ll = float(est.score(data)) * n
        p = _n_parameters(est)
        row["loglik"], row["n_parameters"] = ll, p
        row["bic"] = float(est.bic(data))
        crit = information_criteria(ll, p, n)
        for name in ("aic", "sabic", "caic"):
            row[name] = float(getattr(est, name)(data)) if hasattr(est, name) else crit[name]
        if hasattr(est, "predict_proba"):
            row["entropy"] = relative_entropy(est.predict_proba(data))
    row.update(_geometry(M, labels, sil_idx))
    return row, est


def compare_models(
    X,
    estimators=None,
    n_clusters=range(2, 11),
    *,
    random_state=None,
    n_jobs=None,
    progress=False,
    silhouette_sample_size=5000,
    keep_estimators=True,
    sample_weight=None,
    min_cluster_size=5,
    lr_tests=(),
    n_bootstrap=99,
):
    """Fit several clustering families for each k on the same data and tabulate the fit.

    Every family in ``estimators`` is cloned and fitted once per ``k`` in ``n_clusters``
    (its ``n_clusters`` or ``n_components`` parameter is set to ``k``; for a scikit-learn
    ``Pipeline``, that of its final step); a
    :class:`~clusterdiscovery.models.DensityClusterer` finds k itself and is fitted once.
    For each solution the table records:

    - likelihood families (estimators with ``score`` and ``bic``: Gaussian mixtures, latent
      class models): the log-likelihood ``LL = n * score(X)``, the number of free parameters
      ``p`` (``n_parameters_`` or scikit-learn's ``_n_parameters()``), ``aic`` =
      -2LL + 2p (Akaike 1974), ``bic`` = -2LL + p log n (Schwarz 1978), ``sabic`` =
      -2LL + p log((n + 2) / 24) (Sclove 1987), ``caic`` = -2LL + p (log n + 1) (Bozdogan
      1987) and the relative entropy 1 - sum -p_ik log p_ik / (n log K) of the posterior
      class probabilities (1 = perfectly separated; Ramaswamy et al. 1993). NaN for k-means
      and density clustering.
    - every family: ``smallest_share`` (smallest cluster / n), and the geometric indices
      silhouette (Rousseeuw 1987), Calinski-Harabasz (1974) and Davies-Bouldin (1979) on the
      numeric matrix (see below), over non-noise rows. The silhouette is computed on one
      seeded random subsample of at most ``silhouette_sample_size`` rows, the same for
      every solution, so it scales to a million clients; the other two use every row.
    - density clustering: ``k`` = number of clusters found, ``noise_share`` and ``dbcv``
      (HDBSCAN's relative validity, an approximation of DBCV; Moulavi et al. 2014).
    - every family: ``degenerate``, True when a cluster holds fewer than
      ``min_cluster_size`` rows (modal assignment, or expected size ``n * weight`` for a
      mixture) or a class variance sits at its floor (``var_floor`` of a latent class
      model, ``reg_covar`` of a Gaussian mixture): the likelihood of such a solution is
      bounded only by the floor, so :meth:`ModelSelectionResult.best` never picks it.
    - with ``lr_tests``: for the likelihood families (latent class models and Gaussian
      mixtures), ``lr`` = 2 (LL_k - LL_k-1) and the p-values of the k versus k - 1 tests,
      ``lmr_p`` (Lo-Mendell-Rubin adjusted LRT) and ``blrt_p`` (parametric bootstrap LRT);
      see :func:`~clusterdiscovery.selection.lr_tests`. A k - 1 solution not in
      ``n_clusters`` is fitted for the purpose.

    **Data.** A numeric array or an all-numeric DataFrame is used as given. A DataFrame
    with categorical, string or boolean columns is encoded for the geometric families
    (k-means, Gaussian mixture, density) and for the geometric indices: numeric columns
    standardised, the others one-hot. Latent class models and pipelines (which prepare their
    own data, e.g. ``make_pipeline(make_preprocessor(schema), KMeans())``) always receive
    ``X`` as given.
    k-means, Gaussian mixtures and density clustering cannot take missing values: impute
    first (e.g. :func:`clusterdiscovery.features.make_preprocessor`); a latent class model
    treats NaN as missing (the geometric indices then use column-mean imputation).

    **Reproducibility.** With an integer ``random_state`` the seed of every fit is drawn
    from it up front, so the table does not depend on ``n_jobs``; the estimators' own
    ``random_state`` is overwritten. With ``random_state=None`` the estimators keep their
    own ``random_state``.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The clients to cluster.
    estimators : dict or None, default=None
        ``{name: unfitted estimator}``. None uses :func:`default_estimators`: k-means,
        a diagonal Gaussian mixture (all-continuous data) or a latent class model (data
        with categorical or count columns), and density clustering.
    n_clusters : int or iterable of int, default=range(2, 11)
        The numbers of clusters to fit (each >= 1 and <= n_samples).
    random_state : int, RandomState instance or None, default=None
        Seed for the per-fit seeds and the silhouette subsample.
    n_jobs : int or None, default=None
        Fits run in parallel with joblib (None = 1, -1 = all cores).
    progress : bool, default=False
        Show a tqdm progress bar over the fits.
    silhouette_sample_size : int, default=5000
        Largest number of rows used for the silhouette.
    keep_estimators : bool, default=True
        Keep the fitted estimators in ``result.estimators_``.
    min_cluster_size : int, default=5
        A solution with a cluster of fewer rows is flagged ``degenerate``.
    lr_tests : tuple of str, default=()
        k versus k - 1 tests to add for the likelihood families: ``"blrt"`` and/or
        ``"lmr"`` (see :func:`~clusterdiscovery.selection.lr_tests`).
    n_bootstrap : int, default=99
        Bootstrap samples of the BLRT.
    sample_weight : array-like of shape (n_samples,), optional
        Frequency or sampling weights, passed to every family's ``fit`` (an estimator
        whose ``fit`` takes no ``sample_weight`` raises; with ``estimators=None`` such
        families, the Gaussian mixture and density clustering, are left out). The
        log-likelihood is then ``sum_i w_i log f(x_i)``, ``n`` in the criteria is the
        total weight, and the entropy and ``smallest_share`` are weighted, so integer
        weights give the table of the data with each row repeated. The geometric indices
        (silhouette, Calinski-Harabasz, Davies-Bouldin) stay unweighted.

    Returns
    -------
    ModelSelectionResult
        ``.summary`` (one row per (model, k)), ``.best(criterion)``, ``.plot(ax=None)``.

    Raises
    ------
    ValueError
        If ``X`` is empty, holds NaN/inf for a family that cannot take it, a k exceeds the
        number of rows, or an estimator has no cluster-count parameter.

    References
    ----------
    .. [1] Akaike, H. (1974). A new look at the statistical model identification. IEEE
       Transactions on Automatic Control, 19(6), 716-723.
    .. [2] Bozdogan, H. (1987). Model selection and Akaike's information criterion (AIC):
       the general theory and its analytical extensions. Psychometrika, 52(3), 345-370.
    .. [3] Calinski, T. and Harabasz, J. (1974). A dendrite method for cluster analysis.
       Communications in Statistics, 3(1), 1-27.
    .. [4] Davies, D. L. and Bouldin, D. W. (1979). A cluster separation measure. IEEE
       Transactions on Pattern Analysis and Machine Intelligence, 1(2), 224-227.
    .. [5] Moulavi, D., Jaskowiak, P. A., Campello, R. J. G. B., Zimek, A. and Sander, J.
       (2014). Density-based clustering validation. SIAM SDM 2014, 839-847.
    .. [6] Ramaswamy, V., DeSarbo, W. S., Reibstein, D. J. and Robinson, W. T. (1993). An
       empirical pooling approach for estimating marketing mix elasticities with PIMS data.
       Marketing Science, 12(1), 103-124.
    .. [7] Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and
       validation of cluster analysis. Journal of Computational and Applied Mathematics,
       20, 53-65.
    .. [8] Schwarz, G. (1978). Estimating the dimension of a model. The Annals of
       Statistics, 6(2), 461-464.
    .. [9] Sclove, S. L. (1987). Application of model-selection criteria to some problems
       in multivariate analysis. Psychometrika, 52(3), 333-343.

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn.mixture import GaussianMixture
    >>> from clusterdiscovery.selection import compare_models
    >>> X, _ = make_blobs(n_samples=300, centers=3, cluster_std=0.6, random_state=0)
    >>> result = compare_models(
    ...     X, {"kmeans": KMeans(n_init=10), "gmm": GaussianMixture()},
    ...     n_clusters=range(2, 6), random_state=0)
    >>> result.best("bic").k
    3
    """
    views = prepare_data(X)
    n = views.n_samples
    sw = check_sample_weight(sample_weight, n)
    if estimators is None:
        estimators = default_estimators(views.table)
        if sw is not None:
            estimators = {k: v for k, v in estimators.items() if _accepts_weight(v)}
    _check_estimators(estimators)
    if sw is not None:
        unweighted = [name for name, est in estimators.items() if not _accepts_weight(est)]
        if unweighted:
            raise TypeError(
                f"sample_weight was given, but the fit of {unweighted} takes no sample_weight; "
                "drop those families from 'estimators' (k-means and LatentClassModel take "
                "weights) or compare without weights."
            )
    ks = _check_n_clusters(n_clusters)
    if n_jobs is not None and check_int(n_jobs, "n_jobs") == 0:
        raise ValueError(
            "The 'n_jobs' parameter must be None, a positive int or a negative int "
            "(-1 = all cores); got 0."
        )
    silhouette_sample_size = check_int(silhouette_sample_size, "silhouette_sample_size", low=2)
    min_cluster_size = check_int(min_cluster_size, "min_cluster_size", low=1)
    lr_tests = _check_lr_tests(lr_tests)
    if lr_tests and sample_weight is not None:
        raise ValueError(
            "lr_tests cannot be combined with sample_weight: the bootstrap and "
            "Lo-Mendell-Rubin tests are defined for unweighted data. Drop one of them."
        )
    k_params = {name: _k_param(name, est) for name, est in estimators.items()}

    if any(kp is not None for kp in k_params.values()) and ks[-1] > n:
        raise ValueError(
            f"The 'n_clusters' parameter asks for k={ks[-1]} clusters but X has only "
            f"n_samples={n} rows; use k <= {n}."
        )
    matrix_families = [name for name, est in estimators.items() if not _uses_table(est)]
    bad_columns = views.matrix_nan_columns()
    if matrix_families and bad_columns:
        raise ValueError(
            f"X holds NaN or inf in column(s) {', '.join(bad_columns[:10])}, and "
            f"{', '.join(repr(m) for m in matrix_families)} cannot handle missing values. "
            f"Impute them first (e.g. with clusterdiscovery.features.make_preprocessor), or "
            f"compare only latent class models, which treat NaN as missing."
        )
    M = views.filled_matrix() if bad_columns else views.matrix

    rng = check_random_state(random_state)
    if n > silhouette_sample_size:
        sil_idx = np.sort(rng.choice(n, size=silhouette_sample_size, replace=False))
    else:
        sil_idx = np.arange(n)
    tasks = []
    for name, est in estimators.items():
        for k in ks if k_params[name] is not None else [None]:
            tasks.append((name, est, k_params[name], k))
    seeds = rng.randint(0, np.iinfo(np.int32).max, size=len(tasks))
    if random_state is None:
        seeds = [None] * len(tasks)

    from joblib import Parallel, delayed

    jobs = (
        delayed(_fit_one)(name, est, kp, k, seed, views.table if _uses_table(est) else M,
                          M, sil_idx, sw, min_cluster_size)
        for (name, est, kp, k), seed in zip(tasks, seeds)
    )
    runner = Parallel(n_jobs=n_jobs, return_as="generator")
    outputs = runner(jobs)
    if progress:
        from tqdm.auto import tqdm

        outputs = tqdm(outputs, total=len(tasks), desc="compare_models")
    rows, fitted = [], {}
    for row, est in outputs:
        rows.append(row)
        if keep_estimators:
            fitted[(row["model"], row["k"])] = est

    summary = pd.DataFrame(rows, columns=COLUMNS)
    summary["k"] = summary["k"].astype(int)
    summary["converged"] = summary["converged"].astype("boolean")
    not_converged = summary.loc[summary["converged"].eq(False).fillna(False),
                                ["model", "k"]]
    if len(not_converged):
        which = ", ".join(f"{m} k={k}" for m, k in not_converged.itertuples(index=False))
        warnings.warn(
            f"{len(not_converged)} fit(s) did not converge ({which}); see the 'converged' "
            f"column. Raise max_iter or n_init of those estimators.",
            ConvergenceWarning,
            stacklevel=2,
        )
    scale = {
        name: _likelihood_scale(est, views, fitted, name)
        for name, est in estimators.items()
    }
    if lr_tests:
        summary = _add_lr_tests(summary, estimators, fitted, views, M, lr_tests, n_bootstrap,
                                seeds, n_jobs)
    return ModelSelectionResult(summary, fitted, n_samples=n, likelihood_scale=scale)


def _check_lr_tests(lr_tests):
    from ._lrt import TESTS

    if isinstance(lr_tests, str):
        lr_tests = (lr_tests,)
    try:
        lr_tests = tuple(lr_tests or ())
    except TypeError:
        raise TypeError(
            f"The 'lr_tests' parameter must be a tuple of test names such as "
            f"('blrt', 'lmr'); got {lr_tests!r}."
        ) from None
    unknown = [t for t in lr_tests if t not in TESTS]
    if unknown:
        raise ValueError(
            f"The 'lr_tests' parameter names unknown test(s) {unknown}; use 'blrt' "
            f"(bootstrap LRT) and/or 'lmr' (Lo-Mendell-Rubin)."
        )
    return lr_tests


def _add_lr_tests(summary, estimators, fitted, views, M, tests, n_bootstrap, seeds, n_jobs):
    """``lr``, ``lmr_p`` and ``blrt_p`` columns (k versus k - 1) for the mixture families."""
    from sklearn.mixture import GaussianMixture

    from ._lrt import lr_tests

    summary = summary.assign(lr=np.nan, lmr_p=np.nan, blrt_p=np.nan)
    for i, (name, est) in enumerate(estimators.items()):
        if not isinstance(est, LatentClassModel | GaussianMixture):
            continue
        rows = summary.index[(summary["model"] == name) & (summary["k"] >= 2)]
        if not len(rows):
            continue
        ks = summary.loc[rows, "k"].astype(int).tolist()
        data = views.table if _uses_table(est) else M
        have = {k: f for (m, k), f in fitted.items() if m == name}
        res = lr_tests(data, est, ks, tests=tests, n_bootstrap=n_bootstrap,
                       random_state=None if seeds[0] is None else int(seeds[0]) + i,
                       n_jobs=n_jobs, fitted=have).summary.set_index("k")
        for col in ("lr", "lmr_p", "blrt_p"):
            summary.loc[rows, col] = res.loc[ks, col].to_numpy()
    return summary


def _likelihood_scale(est, views: DataViews, fitted, name) -> str:
    """``"matrix"`` when the family's likelihood is a density on the numeric matrix."""
    if not _uses_table(est):
        return "matrix"
    if views.encoded or isinstance(est, Pipeline):
        return "table"
    kinds = None
    for (m, _), f in fitted.items():
        if m == name:
            kinds = getattr(f, "measurement_", None)
            break
    if kinds is None:
        kinds = est.measurement if isinstance(est.measurement, dict) else {
            c: est.measurement for c in views.columns
        }
    return "matrix" if all(v == "gaussian" for v in dict(kinds).values()) else "table"
