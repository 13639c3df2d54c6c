"""Checking, cloning, seeding and fitting the user's clusterer (never modified)."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils import get_tags

from .._checks import check_flat_columns, check_magnitude

__all__ = [
    "check_clusterer",
    "check_predictor",
    "cluster_count_param",
    "check_cluster_range",
    "seeded_clone",
    "fit_labels",
    "check_data",
    "take_rows",
    "row_subsets",
    "fit_subset_labels",
    "check_weighted",
]


def check_clusterer(estimator) -> None:
    """Raise ``TypeError`` unless ``estimator`` can fit and then label rows."""
    if isinstance(estimator, type):
        raise TypeError(
            f"The 'estimator' parameter must be an estimator instance, not the class "
            f"{estimator.__name__}; pass e.g. {estimator.__name__}(...)."
        )
    has_fit = callable(getattr(estimator, "fit", None))
    has_fp = callable(getattr(estimator, "fit_predict", None))
    has_pred = callable(getattr(estimator, "predict", None))
    if not (has_fp or (has_fit and has_pred)):
        raise TypeError(
            f"The 'estimator' parameter must have a 'fit' and a 'predict' method, or a "
            f"'fit_predict' method (like scikit-learn clusterers); got "
            f"{type(estimator).__name__}."
        )


def _has_random_state(estimator) -> bool:
    get_params = getattr(estimator, "get_params", None)
    if get_params is None:
        return False
    try:
        return "random_state" in get_params(deep=False)
    except TypeError:  # pragma: no cover - exotic get_params
        return False


def seeded_clone(estimator, seed: int | None, *, override: bool = True):
    """Unfitted copy of ``estimator`` (``sklearn.base.clone``) with ``random_state=seed``.

    With ``override=False`` a ``random_state`` the user set is kept and ``seed`` is used
    only when the estimator's own ``random_state`` is None.
    """
    est = clone(estimator, safe=False)
    if seed is not None and _has_random_state(est):
        current = est.get_params(deep=False)["random_state"]
        if override or current is None:
            est.set_params(random_state=int(seed))
    return est


def fit_labels(estimator, X, sample_weight=None) -> np.ndarray:
    """Fit ``estimator`` on ``X`` (with ``sample_weight`` when given) and return the
    labels of the rows of ``X`` as int64."""
    kw = {} if sample_weight is None else {"sample_weight": sample_weight}
    if callable(getattr(estimator, "fit_predict", None)):
        labels = estimator.fit_predict(X, **kw)
    else:
        labels = estimator.fit(X, **kw).predict(X)
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.shape[0] != X.shape[0]:
        raise ValueError(
            f"{type(estimator).__name__} returned labels of shape {labels.shape} for "
            f"{X.shape[0]} rows; a clusterer must return one integer label per row."
        )
    if labels.dtype.kind not in "iub":
        if labels.dtype.kind == "f" and np.all(np.isfinite(labels)) and np.all(
            labels == np.round(labels)
        ):
            return labels.astype(np.int64)
        raise TypeError(
            f"{type(estimator).__name__} returned labels of dtype {labels.dtype}; "
            f"integer cluster ids (-1 for noise) are required."
        )
    return labels.astype(np.int64, copy=False)


def check_data(X, name: str = "X", estimator=None):
    """Validate ``X`` (a DataFrame or a 2-d array-like); return it or a 2-d ndarray.

    With ``estimator``, missing values are refused up front when the estimator's
    scikit-learn tags say it cannot take them (``input_tags.allow_nan``): otherwise a
    resample that happens to leave the missing row out would succeed and the failure
    would depend on the seed.
    """
    if isinstance(X, pd.DataFrame):
        data = X
    elif isinstance(X, (pd.Series, str, bytes, numbers.Number)) or X is None:
        raise TypeError(
            f"The '{name}' parameter must be a 2-d array or a pandas DataFrame (rows = "
            f"clients); got {type(X).__name__}."
        )
    else:
        data = np.asarray(X)
        if data.ndim != 2:
            raise ValueError(
                f"The '{name}' parameter must be 2-d (rows x features); got shape "
                f"{data.shape}. Use X.reshape(-1, 1) for a single feature."
            )
    if data.shape[0] < 2:
        raise ValueError(
            f"The '{name}' parameter has {data.shape[0]} rows; stability needs at least 2 "
            f"(and in practice many more) rows."
        )
    if data.shape[1] == 0:
        raise ValueError(f"The '{name}' parameter has no columns; pass at least one feature.")
    if isinstance(data, pd.DataFrame):
        check_flat_columns(data, name)
    check_magnitude(data, name)
    if estimator is not None and not _allows_nan(estimator):
        _refuse_missing(data, name, estimator)
    return data


def _allows_nan(estimator) -> bool:
    try:
        return bool(get_tags(estimator).input_tags.allow_nan)
    except Exception:  # not a scikit-learn estimator: let its own fit decide
        return True


def _refuse_missing(data, name: str, estimator) -> None:
    if isinstance(data, pd.DataFrame):
        missing = data.isna().any()
        if missing.any():
            col = missing.index[np.argmax(missing.to_numpy())]
            raise ValueError(
                f"The '{name}' parameter has missing values (NaN) in column {col!r}, and "
                f"{type(estimator).__name__} cannot take them. Impute or drop them first, "
                f"or use an estimator that models missing values (LatentClassModel)."
            )
        return
    if data.dtype.kind == "f" and np.isnan(data).any():
        col = int(np.nonzero(np.isnan(data).any(axis=0))[0][0])
        raise ValueError(
            f"The '{name}' parameter has missing values (NaN) in column {col}, and "
            f"{type(estimator).__name__} cannot take them. Impute or drop them first, or "
            f"use an estimator that models missing values (LatentClassModel)."
        )


def take_rows(X, idx: np.ndarray):
    """Rows ``idx`` of ``X``, keeping a DataFrame a DataFrame (column names preserved)."""
    if isinstance(X, pd.DataFrame):
        return X.iloc[idx]
    return X[idx]


def check_predictor(estimator, what: str) -> None:
    """Raise ``TypeError`` unless ``estimator`` has ``fit`` and ``predict``."""
    check_clusterer(estimator)
    if not (callable(getattr(estimator, "fit", None))
            and callable(getattr(estimator, "predict", None))):
        raise TypeError(
            f"{what} needs an estimator with 'fit' and 'predict' (to assign new rows to the "
            f"clusters of a fitted model); {type(estimator).__name__} has no 'predict'."
        )


def cluster_count_param(estimator) -> str:
    """Name of the parameter setting the number of clusters (n_clusters/n_components)."""
    get_params = getattr(estimator, "get_params", None)
    params = get_params(deep=False) if get_params is not None else {}
    for name in ("n_clusters", "n_components"):
        if name in params:
            return name
    raise TypeError(
        f"{type(estimator).__name__} has no 'n_clusters' or 'n_components' parameter, so "
        f"the number of clusters cannot be varied. Use an estimator such as KMeans, "
        f"GaussianMixture or LatentClassModel."
    )


def check_cluster_range(n_clusters, n_rows: int, name: str = "n_clusters") -> list[int]:
    """Validate an int or an iterable of ints >= 2 (and small enough for ``n_rows``)."""
    if isinstance(n_clusters, numbers.Integral) and not isinstance(n_clusters, bool):
        ks = [int(n_clusters)]
    else:
        try:
            ks = list(n_clusters)
        except TypeError:
            raise TypeError(
                f"The '{name}' parameter must be an int or an iterable of ints, e.g. "
                f"range(2, 11); got {n_clusters!r}."
            ) from None
    if not ks:
        raise ValueError(f"The '{name}' parameter is empty; give at least one k >= 2.")
    for k in ks:
        if isinstance(k, bool) or not isinstance(k, numbers.Integral):
            raise TypeError(f"The '{name}' values must be ints; got {k!r}.")
        if k < 2:
            raise ValueError(f"The '{name}' values must be >= 2; got {k}.")
        if k > n_rows:
            raise ValueError(
                f"n_clusters={k} is larger than the {n_rows} rows available to cluster; "
                f"use smaller k or more rows."
            )
    return sorted({int(k) for k in ks})


def row_subsets(estimator, X):
    """The data prepared once for refits on subsets of the rows of ``X``, or None.

    An estimator may offer a private ``_row_subsets(X)`` hook (the latent class model
    encodes and compresses ``X`` once, so that a resample's patterns are taken from the
    full table's); any other estimator gets None and each resample is fitted on its rows.
    """
    hook = getattr(estimator, "_row_subsets", None)
    return hook(X) if callable(hook) else None


def fit_subset_labels(estimator, X, idx, prepared, sample_weight=None):
    """Labels of rows ``idx`` of ``X`` from ``estimator`` fitted on them (each with its
    weight from ``sample_weight``, the weights of all rows of ``X``, when given).

    With ``prepared`` (from :func:`row_subsets`) the estimator's
    ``_fit_subset_labels(prepared, idx)`` gives the same fit without re-encoding the rows;
    where it cannot (it returns None) or without ``prepared``, the rows are fitted.
    """
    sw = None if sample_weight is None else sample_weight[idx]
    if prepared is not None:
        labels = estimator._fit_subset_labels(prepared, idx, sample_weight=sw)
        if labels is not None:
            return np.asarray(labels).astype(np.int64, copy=False)
    return fit_labels(estimator, take_rows(X, idx), sw)


def check_weighted(estimator, sample_weight, n: int):
    """``sample_weight`` checked (None passes), and refused for an estimator whose ``fit``
    takes no ``sample_weight`` (the refits would silently ignore the weights)."""
    from sklearn.utils.validation import has_fit_parameter

    from .._utils import check_sample_weight

    sw = check_sample_weight(sample_weight, n)
    if sw is not None and not has_fit_parameter(estimator, "sample_weight"):
        raise TypeError(
            f"{type(estimator).__name__}.fit takes no sample_weight, so the resample fits "
            f"could not use the weights; pass sample_weight=None or an estimator that "
            f"takes weights (LatentClassModel, KMeans)."
        )
    return sw
