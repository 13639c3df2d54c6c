"""Density-based clustering: an optional UMAP embedding followed by HDBSCAN.

UMAP and HDBSCAN compile with numba on first use (several seconds), so both are imported
inside :meth:`DensityClusterer.fit` and :meth:`DensityClusterer.predict`; importing
``clusterdiscovery.models`` stays fast.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .._checks import check_flat_columns, check_magnitude
from .._utils import check_int, check_positive, check_random_state

__all__ = ["DensityClusterer"]

_SELECTION_METHODS = ("eom", "leaf")


def default_min_cluster_size(n_samples: int) -> int:
    """The default smallest cluster: ``max(10, round(0.01 * n_samples))``, at most ``n_samples``.

    A cluster must hold at least 1% of the clients (and never fewer than 10), which is the
    smallest group a service would plan for.
    """
    return int(min(max(10, round(0.01 * n_samples)), n_samples))


def _check_numeric_columns(frame) -> None:
    """Raise a ``TypeError`` naming the DataFrame columns that cannot be read as numbers."""
    bad = []
    for name, col in frame.items():
        if pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
            continue
        try:
            col.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            bad.append(str(name))
    if bad:
        raise TypeError(
            f"DensityClusterer needs numeric data; column(s) {', '.join(bad[:10])} hold "
            f"text or categories. Encode them first, for example with "
            f"clusterdiscovery.features.make_preprocessor."
        )


class DensityClusterer(ClusterMixin, BaseEstimator):
    """UMAP embedding followed by HDBSCAN, with ``-1`` for clients in no cluster (noise).

    The data are first embedded into ``n_embedding`` dimensions with UMAP (McInnes et al.
    2018), which keeps local neighbourhoods and makes density comparable across the space;
    HDBSCAN (Campello et al. 2013) then finds the clusters as the most persistent dense
    regions of the embedding and leaves points in sparse regions as noise. The number of
    clusters is found, not chosen. With ``use_umap=False`` HDBSCAN runs on ``X`` directly.

    Parameters
    ----------
    n_neighbors : int, default=15
        Size of the local neighbourhood UMAP uses (>= 2). Larger values keep more of the
        global structure. If the data have ``n_samples <= n_neighbors`` rows the value used is
        ``n_samples - 1`` (stored in ``n_neighbors_``), as in UMAP itself.
    n_embedding : int, default=5
        Dimension of the UMAP embedding HDBSCAN clusters (>= 1). UMAP needs at least
        ``n_embedding + 2`` rows.
    min_cluster_size : int or None, default=None
        Smallest group HDBSCAN calls a cluster (>= 2). ``None`` uses
        ``max(10, round(0.01 * n_samples))`` capped at ``n_samples`` (a cluster must hold 1% of
        the clients and at least 10). The value used is stored in ``min_cluster_size_``.
    min_samples : int or None, default=None
        Neighbourhood size for HDBSCAN's core distance (>= 1); larger values call more points
        noise. ``None`` uses the effective ``min_cluster_size``. The value used, capped at
        ``n_samples - 1``, is stored in ``min_samples_``.
    min_dist : float, default=0.0
        UMAP's minimum distance between embedded points (>= 0); 0 packs clusters tightly,
        which is what clustering wants.
    metric : str, default="euclidean"
        Distance on ``X``: passed to UMAP (the embedding is then clustered with Euclidean
        distance), or to HDBSCAN when ``use_umap=False``.
    cluster_selection_method : {"eom", "leaf"}, default="eom"
        HDBSCAN's rule for picking clusters from the condensed tree: excess of mass (fewer,
        larger clusters) or leaf (many small homogeneous clusters).
    use_umap : bool, default=True
        Embed with UMAP before HDBSCAN. Set False for low-dimensional data or tiny samples.
    random_state : int, RandomState instance or None, default=None
        Seed for UMAP. With a seed, UMAP runs single-threaded and two fits give identical
        labels. ``None`` lets UMAP run in parallel, and the result is then not reproducible.
        HDBSCAN itself is deterministic.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of each training row, ``0 .. n_clusters_ - 1``, or ``-1`` for noise.
    probabilities_ : ndarray of shape (n_samples,)
        Strength of each row's membership of its cluster, in [0, 1] (0 for noise).
    outlier_scores_ : ndarray of shape (n_samples,)
        GLOSH outlier score of each row (Campello et al. 2015); higher is more outlying.
    n_clusters_ : int
        Number of clusters found (noise not counted).
    noise_share_ : float
        Share of rows labelled ``-1``.
    validity_ : float
        HDBSCAN's relative validity (``relative_validity_`` of the ``hdbscan`` package): a fast
        approximation of the density-based clustering validation index DBCV (Moulavi et al.
        2014) computed from the mutual-reachability minimum spanning tree of the space that
        was clustered (the UMAP embedding, or ``X`` when ``use_umap=False``). Higher is
        better; meaningful for comparing settings on the same data, not across data sets.
        NaN when no cluster was found.
    embedding_ : ndarray of shape (n_samples, n_embedding)
        UMAP coordinates of the training rows (only when ``use_umap=True``).
    umap_ : umap.UMAP or None
        The fitted UMAP model (``None`` when ``use_umap=False``).
    hdbscan_ : hdbscan.HDBSCAN
        The fitted HDBSCAN model (built with ``prediction_data=True``).
    n_neighbors_, min_cluster_size_, min_samples_ : int
        The values used after the small-sample rules above.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen in ``fit`` (only when ``X`` was a DataFrame with string names).

    Notes
    -----
    ``X`` must be numeric and complete: impute and encode first, for example with
    :func:`clusterdiscovery.features.make_preprocessor`. New clients are assigned with
    :meth:`predict`: UMAP ``transform`` places them in the embedding and
    ``hdbscan.approximate_predict`` assigns them to a cluster (or noise) without changing
    the clusters.

    References
    ----------
    .. [1] Campello, R. J. G. B., Moulavi, D. and Sander, J. (2013). Density-based clustering
       based on hierarchical density estimates. PAKDD 2013, LNCS 7819, 160-172.
    .. [2] Campello, R. J. G. B., Moulavi, D., Zimek, A. and Sander, J. (2015). Hierarchical
       density estimates for data clustering, visualization, and outlier detection. ACM
       TKDD 10(1), 5.
    .. [3] McInnes, L., Healy, J. and Melville, J. (2018). UMAP: Uniform manifold
       approximation and projection for dimension reduction. arXiv:1802.03426.
    .. [4] Moulavi, D., Jaskowiak, P. A., Campello, R. J. G. B., Zimek, A. and Sander, J.
       (2014). Density-based clustering validation. SIAM SDM 2014, 839-847.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from clusterdiscovery.models import DensityClusterer
    >>> X, _ = make_blobs(n_samples=300, centers=3, cluster_std=0.5, random_state=0)
    >>> model = DensityClusterer(use_umap=False).fit(X)
    >>> model.n_clusters_
    3
    """

    def __init__(
        self,
        *,
        n_neighbors=15,
        n_embedding=5,
        min_cluster_size=None,
        min_samples=None,
        min_dist=0.0,
        metric="euclidean",
        cluster_selection_method="eom",
        use_umap=True,
        random_state=None,
    ):
        self.n_neighbors = n_neighbors
        self.n_embedding = n_embedding
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.min_dist = min_dist
        self.metric = metric
        self.cluster_selection_method = cluster_selection_method
        self.use_umap = use_umap
        self.random_state = random_state

    # ------------------------------------------------------------------ checks
    def _check_params(self):
        check_int(self.n_neighbors, "n_neighbors", low=2)
        check_int(self.n_embedding, "n_embedding", low=1)
        if self.min_cluster_size is not None:
            check_int(self.min_cluster_size, "min_cluster_size", low=2)
        if self.min_samples is not None:
            check_int(self.min_samples, "min_samples", low=1)
        check_positive(self.min_dist, "min_dist", strict=False)
        if not isinstance(self.metric, str):
            raise TypeError(
                f"The 'metric' parameter of DensityClusterer must be a str such as "
                f"'euclidean' or 'manhattan'; got {self.metric!r}."
            )
        if self.cluster_selection_method not in _SELECTION_METHODS:
            raise ValueError(
                f"The 'cluster_selection_method' parameter of DensityClusterer must be one of "
                f"{_SELECTION_METHODS}; got {self.cluster_selection_method!r}."
            )
        if not isinstance(self.use_umap, bool | np.bool_):
            raise TypeError(
                f"The 'use_umap' parameter of DensityClusterer must be a bool; "
                f"got {self.use_umap!r}."
            )

    def _check_X(self, X, *, reset):
        if hasattr(X, "columns") and hasattr(X, "dtypes"):
            check_flat_columns(X, "X")
            _check_numeric_columns(X)
        X = validate_data(
            self, X, reset=reset, dtype=np.float64, ensure_all_finite=False,
            ensure_min_samples=1,
        )
        bad = ~np.isfinite(X)
        if bad.any():
            cols = np.flatnonzero(bad.any(axis=0))
            names = getattr(self, "feature_names_in_", None)
            where = [str(names[c]) if names is not None else str(c) for c in cols[:5]]
            raise ValueError(
                f"DensityClusterer cannot handle NaN or inf values; found {int(bad.sum())} in "
                f"column(s) {', '.join(where)}. Impute them first, for example with "
                f"clusterdiscovery.features.make_preprocessor."
            )
        # HDBSCAN's tree loops for ever on values whose squares overflow (>= 1e155)
        check_magnitude(X, "DensityClusterer's X")
        # own C-ordered copy: hdbscan and UMAP then never see the caller's (read-only) buffer
        return np.array(X, dtype=np.float64, order="C", copy=True)

    # --------------------------------------------------------------------- fit
    def fit(self, X, y=None):  # noqa: ARG002 (scikit-learn's API)
        """Embed ``X`` with UMAP (optional) and cluster it with HDBSCAN.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric, complete data (no NaN or inf).
        y : None
            Ignored.

        Returns
        -------
        self : DensityClusterer
            The fitted estimator.
        """
        self._check_params()
        X = self._check_X(X, reset=True)
        n = X.shape[0]
        if n < 2:
            raise ValueError(
                f"DensityClusterer needs at least 2 rows to find clusters; got n_samples={n}."
            )
        if self.use_umap and n < self.n_embedding + 2:
            raise ValueError(
                f"UMAP with n_embedding={self.n_embedding} needs at least "
                f"{self.n_embedding + 2} rows; got n_samples={n}. Use use_umap=False or a "
                f"smaller n_embedding."
            )
        if self.min_cluster_size is not None and self.min_cluster_size > n:
            raise ValueError(
                f"The 'min_cluster_size' parameter ({self.min_cluster_size}) exceeds the "
                f"number of rows (n_samples={n}); use a smaller value or None."
            )
        self.min_cluster_size_ = (
            default_min_cluster_size(n)
            if self.min_cluster_size is None
            else int(self.min_cluster_size)
        )
        ms = self.min_cluster_size_ if self.min_samples is None else int(self.min_samples)
        self.min_samples_ = int(max(1, min(ms, n - 1)))
        self.n_neighbors_ = int(min(self.n_neighbors, n - 1))

        if self.use_umap:
            seed = None
            if self.random_state is not None:
                seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
            Z = self._fit_umap(X, seed)
        else:
            self.umap_ = None
            Z = X

        import hdbscan

        metric = "euclidean" if self.use_umap else self.metric
        clusterer = hdbscan.HDBSCAN(
            min_cluster_size=self.min_cluster_size_,
            min_samples=self.min_samples_,
            metric=metric,
            cluster_selection_method=self.cluster_selection_method,
            prediction_data=True,
            gen_min_span_tree=True,
        )
        clusterer.fit(Z)
        self.hdbscan_ = clusterer
        self.labels_ = np.asarray(clusterer.labels_, dtype=np.intp)
        self.probabilities_ = np.asarray(clusterer.probabilities_, dtype=np.float64)
        self.outlier_scores_ = np.asarray(clusterer.outlier_scores_, dtype=np.float64)
        self.n_clusters_ = int(self.labels_.max() + 1) if n else 0
        self.noise_share_ = float(np.mean(self.labels_ == -1))
        self.validity_ = (
            float(clusterer.relative_validity_) if self.n_clusters_ > 0 else float("nan")
        )
        return self

    def _fit_umap(self, X, seed):
        import umap

        reducer = umap.UMAP(
            n_neighbors=self.n_neighbors_,
            n_components=self.n_embedding,
            min_dist=float(self.min_dist),
            metric=self.metric,
            random_state=seed,
            transform_seed=42 if seed is None else seed,
            n_jobs=1 if seed is not None else -1,
        )
        with warnings.catch_warnings():
            # UMAP warns that a seed disables parallelism; that is the documented trade-off.
            warnings.filterwarnings("ignore", message=".*n_jobs value.*", category=UserWarning)
            reducer.fit(X)
        self.umap_ = reducer
        self.embedding_ = np.asarray(reducer.embedding_, dtype=np.float64)
        return self.embedding_

    # ----------------------------------------------------------------- predict
    def _approximate(self, X):
        check_is_fitted(self, "hdbscan_")
        X = self._check_X(X, reset=False)
        import hdbscan

        Z = X if self.umap_ is None else np.asarray(self.umap_.transform(X), dtype=np.float64)
        if self.n_clusters_ == 0:
            return np.full(X.shape[0], -1, dtype=np.intp), np.zeros(X.shape[0])
        labels, strengths = hdbscan.approximate_predict(self.hdbscan_, Z)
        return np.asarray(labels, dtype=np.intp), np.asarray(strengths, dtype=np.float64)

    def predict(self, X):
        """Assign new rows to the fitted clusters (or ``-1``, noise).

        UMAP ``transform`` places each row in the fitted embedding and
        ``hdbscan.approximate_predict`` finds the cluster it would have joined. The clusters
        are not refitted, so for training rows the result mostly, but not always, equals
        ``labels_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric, complete data with the columns seen in ``fit``.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Cluster of each row, ``-1`` for noise.
        """
        return self._approximate(X)[0]

    def membership_strength(self, X):
        """Strength with which each new row belongs to its predicted cluster, in [0, 1].

        The same scale as ``probabilities_`` (0 for rows predicted as noise).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric, complete data with the columns seen in ``fit``.

        Returns
        -------
        strength : ndarray of shape (n_samples,)
        """
        return self._approximate(X)[1]
