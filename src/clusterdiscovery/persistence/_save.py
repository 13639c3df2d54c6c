"""Writing a fitted estimator (and its preprocessing) as a model file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._utils import check_int
from ..exceptions import ModelSpecError
from ._format import (
    COVARIATES_VERSION,
    FORMAT_VERSION,
    RANGES_VERSION,
    now_iso,
    plain,
    write_json,
)
from ._model import ClusterModel
from ._preprocess import apply_preprocessing, describe_preprocessor, input_names
from ._ranges import training_ranges

__all__ = ["save_model", "build_model", "exemplar_model"]

_DENSITY_NAMES = {"DensityClusterer", "HDBSCAN", "DBSCAN", "OPTICS"}

_DENSITY_MESSAGE = (
    "{name} cannot be written to a model file. HDBSCAN assigns a new client by where it "
    "falls in the condensed cluster tree built from the whole training set (and UMAP embeds "
    "it through the training rows' neighbour graph), so a faithful file would have to hold "
    "the training rows themselves, and a model file never holds row-level data. Save a model "
    "that summarises the clusters instead: "
    "clusterdiscovery.persistence.exemplar_model(clusterer, X) fits a k-means (nearest-"
    "centroid) model started at the mean of each non-noise cluster; check its agreement "
    "with compare_partitions(clusterer.labels_[clusterer.labels_ >= 0], "
    "model.labels_) and save that model (or fit a GaussianMixture on the non-noise clients)."
)


# ----------------------------------------------------------------------------- helpers
def _family(estimator) -> str:
    name = type(estimator).__name__
    module = type(estimator).__module__ or ""
    if name in _DENSITY_NAMES or module.startswith("hdbscan"):
        raise ModelSpecError(_DENSITY_MESSAGE.format(name=name))
    if name == "BayesianGaussianMixture":
        raise TypeError("BayesianGaussianMixture is not supported in model files (its "
                        "weights are a Dirichlet posterior); use GaussianMixture.")
    if hasattr(estimator, "to_dict") and hasattr(estimator, "weights_") and \
            name == "LatentClassModel":
        return "latent_class"
    if hasattr(estimator, "cluster_centers_") and hasattr(estimator, "inertia_"):
        return "kmeans"
    if all(hasattr(estimator, a) for a in ("means_", "covariances_", "weights_",
                                           "covariance_type")):
        return "gaussian_mixture"
    if name in ("KMeans", "MiniBatchKMeans", "GaussianMixture", "LatentClassModel"):
        raise ModelSpecError(f"The {name} is not fitted; fit it before saving.")
    raise TypeError(
        f"{name} cannot be written to a model file; supported: KMeans (or MiniBatchKMeans), "
        f"GaussianMixture and clusterdiscovery.LatentClassModel."
    )


def _per_cluster(value, k: int, what: str, default) -> list[str]:
    if value is None:
        return [default(i) for i in range(k)]
    if isinstance(value, Mapping):
        out = [default(i) for i in range(k)]
        for key, v in value.items():
            if isinstance(key, bool) or not isinstance(key, int | np.integer) or \
                    not 0 <= key < k:
                raise ValueError(f"The '{what}' mapping has key {key!r}; keys must be cluster "
                                 f"labels 0..{k - 1}.")
            out[int(key)] = v
    elif isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != k:
            raise ValueError(f"The '{what}' parameter has {len(value)} entries but the model "
                             f"has {k} clusters.")
        out = list(value)
    else:
        raise TypeError(f"The '{what}' parameter must be a list of {k} strings or a dict "
                        f"{{label: text}}; got {type(value).__name__}.")
    for i, v in enumerate(out):
        if not isinstance(v, str):
            raise TypeError(f"The '{what}' entry for cluster {i} must be a string; got {v!r}.")
    return out


def _provenance(prov) -> dict:
    if prov is None:
        return {}
    if not isinstance(prov, Mapping):
        raise TypeError("The 'provenance' parameter must be a dict such as {'citation': ..., "
                        "'doi': ..., 'data_period': ..., 'notes': ...}.")
    out = {}
    for key, value in prov.items():
        if not isinstance(key, str) or not (value is None or isinstance(value, str)):
            raise TypeError(f"Provenance entries must be strings; got {key!r}: {value!r}.")
        out[key] = value
    return out


def _schema_dict(schema, features, inferred) -> dict | None:
    from ..schema import ClientSchema

    if schema is None:
        if not inferred:
            return None
        try:
            return ClientSchema(features=inferred).to_dict()
        except Exception:  # noqa: BLE001 - an inferred schema is a courtesy, never required
            return None
    if isinstance(schema, Mapping):
        schema = ClientSchema.from_dict(schema)
    if not isinstance(schema, ClientSchema):
        raise TypeError(f"The 'schema' parameter must be a ClientSchema; got "
                        f"{type(schema).__name__}.")
    absent = [c for c in features if c not in schema.features]
    if absent:
        raise ModelSpecError(f"The model reads column(s) {absent} that are not features of "
                             f"the schema; add them to the schema or leave schema=None.")
    return schema.select(features).to_dict()


def _infer_from_preprocessing(pre: dict | None, features) -> dict:
    if pre is None:
        return {c: "continuous" for c in features}
    out = {}
    for block in pre["blocks"]:
        enc = next((s for s in block["steps"] if s["op"] in ("onehot", "ordinal")), None)
        for j, c in enumerate(block["columns"]):
            if enc is None:
                out.setdefault(c, "continuous")
                continue
            levels = [v for v in enc["categories"][j] if v is not None]
            kind = "ordinal" if enc["op"] == "ordinal" else "categorical"
            out.setdefault(c, (kind, levels) if len(levels) >= 2 else "categorical")
    return out


def _infer_from_lca(params: dict) -> dict:
    out = {}
    for col in params["columns"]:
        kind = col["measurement"]
        if kind == "categorical":
            levels = col["levels"]
            out[col["name"]] = ("categorical", levels) if len(levels) >= 2 else "categorical"
        else:  # a two-part item is a continuous measure with many zeros
            out[col["name"]] = "count" if kind == "poisson" else "continuous"
    return out


def _lca_params(estimator) -> dict:
    raw = estimator.to_dict()
    keep = {"categorical": ("levels", "probabilities"), "gaussian": ("means", "variances"),
            "lognormal": ("means", "variances"), "poisson": ("rates",),
            "twopart": ("probabilities", "means", "variances")}
    columns = []
    for col in raw["columns"]:
        kind = col["measurement"]
        entry = {"name": str(col["name"]), "measurement": kind}
        for key in keep.get(kind, ()):
            entry[key] = plain(np.asarray(col[key], dtype=object if key == "levels"
                                          else float))
        columns.append(entry)
    out = {"n_components": int(raw["n_components"]),
           "weights": plain(np.asarray(raw["weights"], dtype=float)), "columns": columns}
    if raw.get("covariates"):  # latent class regression (format 1.1)
        out["covariates"] = {
            "names": [str(c) for c in raw["covariates"]["names"]],
            "coefficients": plain(np.asarray(raw["covariates"]["coefficients"], dtype=float))}
    return out


def _split_pipeline(estimator, preprocessor):
    from sklearn.pipeline import Pipeline

    if isinstance(estimator, Pipeline):
        if preprocessor is not None:
            raise ValueError("Pass either a Pipeline or preprocessor=..., not both.")
        if len(estimator.steps) != 2:
            raise ValueError("A Pipeline must have exactly two steps (preprocessor, model) to "
                             "be saved; pass the model and preprocessor=... instead.")
        return estimator.steps[1][1], estimator.steps[0][1]
    return estimator, preprocessor


def _sizes_from(labels, k: int) -> list[int]:
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ModelSpecError("Cannot count cluster sizes: no training labels.")
    if labels.min() < 0 or labels.max() >= k:
        raise ModelSpecError(f"Training labels outside 0..{k - 1}; cannot count sizes.")
    return np.bincount(labels.astype(np.int64), minlength=k).tolist()


def _check_build_args(min_cell_size, allow_small_clusters, features, X):
    """The checked ``min_cell_size`` and ``features`` (TypeError/ValueError otherwise)."""
    min_cell_size = check_int(min_cell_size, "min_cell_size", low=1)
    if not isinstance(allow_small_clusters, bool):
        raise TypeError("The 'allow_small_clusters' parameter must be True or False.")
    features = _check_features(features)
    if X is not None and not isinstance(X, pd.DataFrame) and (
            not isinstance(X, np.ndarray) or X.ndim != 2):
        raise TypeError(f"The 'X' parameter must be the training data as a DataFrame or a "
                        f"2-D array; got {type(X).__name__}.")
    return min_cell_size, features


def _lca_part(estimator, preprocessor):
    """(model, features, preprocessing, inferred schema) of a latent class model."""
    if preprocessor is not None:
        raise ValueError("A latent class model reads the raw columns; it takes no "
                         "preprocessor (pass preprocessor=None).")
    params = _lca_params(estimator)
    feats = [c["name"] for c in params["columns"]]
    model = {"family": "latent_class", "n_clusters": params["n_components"],
             "n_features": len(feats), "parameters": params}
    return model, feats, None, _infer_from_lca(params)


def _unnamed_inputs(estimator, schema, features) -> list[str]:
    """The input columns of a model fitted without a preprocessor."""
    if getattr(estimator, "feature_names_in_", None) is not None:
        return input_names(estimator, features)
    if features is not None:
        return [str(c) for c in features]
    if schema is not None and hasattr(schema, "feature_columns") and \
            len(schema.feature_columns) == estimator.n_features_in_:
        return list(schema.feature_columns)
    raise ModelSpecError(
        f"{type(estimator).__name__} was fitted on an array without column "
        f"names; pass features=[...] (the columns in order) or a preprocessor."
    )


def _model_inputs(estimator, preprocessor, schema, features):
    """(preprocessing spec, input columns, number of model inputs), checked to agree."""
    pre_spec, inputs = describe_preprocessor(preprocessor, features)
    if pre_spec is None:
        inputs = _unnamed_inputs(estimator, schema, features)
        width = len(inputs)
    else:
        width = len(pre_spec["output_columns"])
        names_in = getattr(estimator, "feature_names_in_", None)
        if names_in is not None and [str(c) for c in names_in] != \
                pre_spec["output_columns"]:
            raise ModelSpecError(
                "The model was fitted on columns that differ from the preprocessor's "
                "output; fit the model on preprocessor.transform(X)."
            )
    p = int(estimator.n_features_in_)
    if p != width:
        raise ModelSpecError(f"The model expects {p} input column(s) but the "
                             f"preprocessing gives {width}.")
    return pre_spec, inputs, p


def _kmeans_params(estimator, p: int) -> tuple[int, dict]:
    centers = np.asarray(estimator.cluster_centers_, dtype=float)
    k = centers.shape[0]
    n_fit = len(estimator.labels_)
    if n_fit <= k or not estimator.inertia_ > 0:
        raise ModelSpecError("Cannot estimate the within-cluster variance for soft "
                             "memberships: the k-means fit has no spread "
                             "(n <= k or inertia 0).")
    variance = float(estimator.inertia_) / ((n_fit - k) * p)
    return k, {"centroids": plain(centers), "variance": variance}


def _mixture_params(estimator) -> tuple[int, dict]:
    k = int(estimator.n_components)
    return k, {"covariance_type": str(estimator.covariance_type),
               "weights": plain(np.asarray(estimator.weights_, dtype=float)),
               "means": plain(np.asarray(estimator.means_, dtype=float)),
               "covariances": plain(np.asarray(estimator.covariances_, dtype=float))}


def _centroid_part(estimator, preprocessor, schema, features, family: str):
    """(model, features, preprocessing, inferred schema) of a k-means or mixture model."""
    pre_spec, feats, p = _model_inputs(estimator, preprocessor, schema, features)
    if family == "kmeans":
        k, params = _kmeans_params(estimator, p)
    else:
        k, params = _mixture_params(estimator)
    model = {"family": family, "n_clusters": k, "n_features": p, "parameters": params}
    return model, feats, pre_spec, _infer_from_preprocessing(pre_spec, feats)


def _cluster_sizes(estimator, preprocessor, model: dict, feats, X, cluster_sizes) -> list[int]:
    """The training size of each cluster (aggregates only)."""
    k = model["n_clusters"]
    if cluster_sizes is not None:
        sizes = [int(check_int(s, "cluster_sizes", low=0)) for s in cluster_sizes]
        if len(sizes) != k:
            raise ValueError(f"'cluster_sizes' has {len(sizes)} entries for {k} clusters.")
        return sizes
    if X is not None and model["family"] == "latent_class" and \
            "covariates" in model["parameters"]:
        # the labels depend on the covariates too: the training labels are the sizes
        return _sizes_from(estimator.labels_, k)
    if X is not None:
        if preprocessor is not None:
            Xt = preprocessor.transform(X)
        else:
            Xt = X[feats] if isinstance(X, pd.DataFrame) else X
            if isinstance(Xt, pd.DataFrame) and not hasattr(estimator, "feature_names_in_"):
                Xt = Xt.to_numpy()
        return _sizes_from(estimator.predict(Xt), k)
    if getattr(estimator, "labels_", None) is not None:
        return _sizes_from(estimator.labels_, k)
    raise ModelSpecError(
        f"Cannot count the cluster sizes of this {type(estimator).__name__} (it keeps no "
        f"training labels); pass X=<the training data> or cluster_sizes=[...] so that the "
        f"privacy rule (min_cell_size) can be checked."
    )


def _check_small_clusters(sizes: list[int], min_cell_size: int,
                          allow_small_clusters: bool) -> None:
    """The privacy rule: no cluster below ``min_cell_size`` unless explicitly allowed."""
    small = [i for i, s in enumerate(sizes) if s < min_cell_size]
    if small and not allow_small_clusters:
        raise ModelSpecError(
            f"Cluster(s) {small} have fewer than min_cell_size={min_cell_size} members "
            f"(sizes {[sizes[i] for i in small]}); their centres or profiles could describe "
            f"individual clients, so the model is not written. Refit with fewer clusters, or "
            f"pass allow_small_clusters=True if the data are not about people."
        )


# ----------------------------------------------------------------------------- public
def build_model(estimator, *, preprocessor=None, schema=None, names=None, descriptions=None,
                provenance=None, min_cell_size: int = 11, allow_small_clusters: bool = False,
                created=None, X=None, cluster_sizes=None, features=None) -> ClusterModel:
    """The :class:`ClusterModel` that :func:`save_model` would write, without writing it.

    Same parameters as :func:`save_model` (without ``path``).
    """
    from .. import __version__

    min_cell_size, features = _check_build_args(min_cell_size, allow_small_clusters,
                                                features, X)
    estimator, preprocessor = _split_pipeline(estimator, preprocessor)
    family = _family(estimator)
    if family == "latent_class":
        model, feats, pre_spec, inferred = _lca_part(estimator, preprocessor)
    else:
        model, feats, pre_spec, inferred = _centroid_part(estimator, preprocessor, schema,
                                                          features, family)
    k = model["n_clusters"]
    sizes = _cluster_sizes(estimator, preprocessor, model, feats, X, cluster_sizes)
    _check_small_clusters(sizes, min_cell_size, allow_small_clusters)

    covariate_names = (model["parameters"].get("covariates") or {}).get("names", [])
    ranges = training_ranges(X, [*feats, *covariate_names], min_cell_size)
    spec = {
        "format_version": (RANGES_VERSION if ranges else COVARIATES_VERSION
                           if "covariates" in model["parameters"] else FORMAT_VERSION),
        "package_version": __version__,
        "created": now_iso(created),
        "features": feats,
        "schema": _schema_dict(schema, feats, inferred),
        "preprocessing": pre_spec,
        "model": model,
        "clusters": {
            "names": _per_cluster(names, k, "names", lambda i: f"cluster {i}"),
            "descriptions": _per_cluster(descriptions, k, "descriptions", lambda _i: ""),
            "sizes": sizes,
            "n_training": int(sum(sizes)),
        },
        "privacy": {"min_cell_size": min_cell_size,
                    "small_clusters_allowed": bool(allow_small_clusters)},
        "provenance": _provenance(provenance),
    }
    if ranges:
        spec["ranges"] = ranges
    result = ClusterModel(spec)
    if X is not None:
        _self_check(result, estimator, preprocessor, X)
    return result


def _check_features(features) -> list[str] | None:
    if features is None:
        return None
    if isinstance(features, str | bytes) or not isinstance(
            features, list | tuple | pd.Index | np.ndarray):
        raise TypeError(f"The 'features' parameter must be a list of column names; got "
                        f"{type(features).__name__}.")
    return [str(c) for c in features]


def _self_check(model: ClusterModel, estimator, preprocessor, X) -> None:
    """With training data at hand, prove the written description reproduces the fit."""
    if not isinstance(X, pd.DataFrame):
        X = pd.DataFrame(np.asarray(X), columns=model.features)
    if preprocessor is not None:
        ours = apply_preprocessing(model._spec["preprocessing"], X[model.features],
                                   model.features, "raise")
        theirs = np.asarray(preprocessor.transform(X), dtype=float)
        scale = max(1.0, float(np.abs(theirs).max()))
        if ours.shape != theirs.shape or np.abs(ours - theirs).max() > 1e-9 * scale:
            raise ModelSpecError("The written preprocessing does not reproduce "
                                 "preprocessor.transform(X); it cannot be saved faithfully.")
        Xt = preprocessor.transform(X)
    else:
        Xt = X[model.features]
        if not hasattr(estimator, "feature_names_in_"):
            Xt = Xt.to_numpy()
    if model.covariates:
        absent = [c for c in model.covariates if c not in X.columns]
        if absent:
            raise ModelSpecError(
                f"The model was fitted with covariates {model.covariates}; pass X with those "
                f"columns too (lacking {absent}), so that the written file can be checked "
                f"against the fit.")
        ours = model.predict(X)
        theirs = np.asarray(estimator.predict(Xt, covariates=X[model.covariates]))
    else:
        ours = model.predict(X)
        theirs = np.asarray(estimator.predict(Xt))
    if (ours != theirs).mean() > 1e-3:  # ties aside, the labels must agree
        raise ModelSpecError("The written model does not reproduce the estimator's labels on "
                             "X; it cannot be saved faithfully.")


def save_model(path, estimator, *, preprocessor=None, schema=None, names=None,
               descriptions=None, provenance=None, min_cell_size: int = 11,
               allow_small_clusters: bool = False, created=None, X=None, cluster_sizes=None,
               features=None) -> ClusterModel:
    """Write a fitted cluster model (and its preprocessing) as a versioned JSON model file.

    Parameters
    ----------
    path : str or Path
        Where to write (the file is replaced atomically).
    estimator : KMeans, GaussianMixture, LatentClassModel or Pipeline
        Fitted. A two-step ``Pipeline`` (preprocessor, model) is split into the two.
        Density models (``DensityClusterer``, HDBSCAN) are refused: see
        :func:`exemplar_model`.
    preprocessor : fitted transformer, optional
        The transformer whose output the model was fitted on: a ``ColumnTransformer`` from
        :func:`clusterdiscovery.features.make_preprocessor`, a ``StandardScaler``, a
        ``Pipeline`` of supported steps, or None (the model reads the numeric columns as
        they are). Written as plain parameters, never pickled.
    schema : ClientSchema, optional
        Feature types and levels; stored (restricted to the model's columns). Inferred
        from the preprocessing/model when omitted.
    names, descriptions : list of str or dict {label: str}, optional
        Cluster names (default ``"cluster k"``) and short descriptions.
    provenance : dict of str, optional
        E.g. ``{"citation": ..., "doi": ..., "data_period": "2023-2025", "notes": ...}``.
    min_cell_size : int, default 11
        Smallest cluster size that may be written.
    allow_small_clusters : bool, default False
        Write even if a cluster is smaller than ``min_cell_size`` (e.g. for data that are
        not about people).
    created : datetime or ISO str, optional
        Creation time to record (default: now, UTC), for reproducible files.
    X : DataFrame, optional
        The training data (as given to the preprocessor). Used only to count cluster sizes
        (needed for a Gaussian mixture, which keeps no labels) and to check that the
        written file reproduces the estimator's output; never written. For a latent class
        model fitted with covariates it holds the covariate columns too (the file, format
        1.1, stores their names and logit coefficients; new clients need them). Its numeric
        columns also give the training ranges stored for ``assign``'s ``out_of_range`` flag
        (format 1.2; each end a value shared by at least ``min_cell_size`` clients).
    cluster_sizes : list of int, optional
        Training cluster sizes, if neither ``X`` nor ``labels_`` are available.
    features : list of str, optional
        Input column names, if the model was fitted on an unnamed array.

    Returns
    -------
    ClusterModel
        The model as written (what :func:`load_model` will return).

    Raises
    ------
    ModelSpecError
        A cluster below ``min_cell_size``; a density model; a preprocessing or model that
        cannot be written faithfully.
    TypeError
        An unsupported estimator or transformer.

    Notes
    -----
    Only parameters and aggregates are written: centroids, mixture parameters, item
    probabilities, preprocessing constants (means, scales, medians, level lists) and
    cluster sizes. No row of the training data and no client id is ever written.
    """
    model = build_model(estimator, preprocessor=preprocessor, schema=schema, names=names,
                        descriptions=descriptions, provenance=provenance,
                        min_cell_size=min_cell_size,
                        allow_small_clusters=allow_small_clusters, created=created, X=X,
                        cluster_sizes=cluster_sizes, features=features)
    write_json(path, model._spec)
    return model


def exemplar_model(clusterer, X, *, random_state=0):
    """A k-means (nearest-centroid) model standing in for a fitted density clustering.

    HDBSCAN cannot be saved (see :func:`save_model`); this fits
    ``KMeans(n_clusters=m, init=<mean of each of the m non-noise clusters>, n_init=1)`` on
    the non-noise rows of ``X``, which can be saved. Compare its labels with the density
    labels (:func:`clusterdiscovery.compare_partitions`) before trusting it.

    Parameters
    ----------
    clusterer : fitted estimator with ``labels_`` (``-1`` = noise)
    X : DataFrame or array of shape (n_samples, n_features)
        The numeric features the model should read (e.g. the preprocessed features).
    random_state : int, optional

    Returns
    -------
    sklearn.cluster.KMeans
        Fitted on the non-noise rows.
    """
    from sklearn.cluster import KMeans

    labels = np.asarray(getattr(clusterer, "labels_", None))
    if labels.ndim != 1:
        raise ValueError("The clusterer must be fitted (it has no labels_).")
    if labels.dtype.kind not in "iu":
        num = pd.to_numeric(pd.Series(labels), errors="coerce").to_numpy(dtype=float)
        if not (np.isfinite(num) & (num == np.round(num))).all():
            raise ValueError("The clusterer's labels_ must be integers (-1 = noise); they "
                             "hold missing or non-integer values.")
        labels = num.astype(np.int64)
    if isinstance(X, pd.DataFrame):
        bad = [c for c in X.columns if pd.api.types.is_bool_dtype(X[c])
               or not pd.api.types.is_numeric_dtype(X[c])]
        if bad:
            raise TypeError(f"X must hold numeric features; column(s) {bad[:5]} are not "
                            f"(pass the preprocessed features).")
    elif not isinstance(X, np.ndarray) or X.ndim != 2 or X.dtype.kind not in "iuf":
        raise TypeError(f"X must be a numeric DataFrame or 2-D array; got "
                        f"{type(X).__name__}.")
    if len(labels) != len(X):
        raise ValueError(f"X has {len(X)} rows but the clusterer was fitted on {len(labels)}.")
    keep = labels >= 0
    data = X[keep] if isinstance(X, pd.DataFrame) else np.asarray(X)[keep]
    values = np.asarray(data, dtype=float)
    if not np.isfinite(values).all():
        raise ValueError("X has missing or infinite values in non-noise rows; pass the "
                         "imputed features the clusterer was fitted on.")
    found = np.unique(labels[keep])
    if found.size < 1:
        raise ValueError("The clusterer found no clusters (every row is noise).")
    init = np.vstack([values[labels[keep] == c].mean(axis=0) for c in found])
    return KMeans(n_clusters=found.size, init=init, n_init=1,
                  random_state=random_state).fit(data)
