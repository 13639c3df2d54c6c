"""Reading and writing a fitted latent class model's parameters: the tidy parameter table,
drawing rows from the model, and the plain dict of :meth:`LatentClassModel.to_dict` /
:meth:`LatentClassModel.from_dict` (what a model file stores).

Private helpers of :class:`~clusterdiscovery.models.LatentClassModel`; the estimator's
methods of the same names call them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .._utils import check_int, check_random_state
from .._utils import plain as _plain
from ._lca_data import CAT_BLOCK, GAU_BLOCK, GAUSSIAN_KINDS, KINDS, TWOPART_LEVELS

_TINY = 1e-300


def parameters_frame(model):
    """Tidy table of the fitted parameters (see ``LatentClassModel.parameters_frame``)."""
    check_is_fitted(model, "_params")
    K = model.n_components
    rows = [("class_share", None, None, k, model.weights_[k]) for k in range(K)]
    for key in model._keys:
        kind = model.measurement_[key]
        if kind in CAT_BLOCK:
            P = model.probabilities_[key]
            for k in range(K):
                rows += [("probability", key, lev, k, P[k, i])
                         for i, lev in enumerate(model.categories_[key])]
        if kind in GAU_BLOCK:
            sfx = "" if kind == "gaussian" else "_log1p"
            lev = 1 if kind == "twopart" else None  # two-part: the values above zero
            rows += [("mean" + sfx, key, lev, k, model.means_[key][k]) for k in range(K)]
            rows += [("variance" + sfx, key, lev, k, model.variances_[key][k])
                     for k in range(K)]
        elif kind == "poisson":
            rows += [("rate", key, None, k, model.rates_[key][k]) for k in range(K)]
    frame = pd.DataFrame(rows, columns=["parameter", "variable", "level", "class", "value"])
    frame["level"] = pd.Series([r[2] for r in rows], dtype=object)
    frame["scale"] = np.where(frame["parameter"].str.endswith("_log1p"), "log1p", "raw")
    return frame


def sample(model, n_samples=1, random_state=None):
    """Draw rows from the fitted model.

    A lognormal column is drawn as ``expm1(y)`` with ``y`` normal on the ``log1p`` scale;
    the rare draws with ``y < 0`` (``x`` in (-1, 0)) are set to 0 so that the sample
    is valid input for ``fit``.

    Parameters
    ----------
    n_samples : int, default=1
    random_state : int, RandomState or None
        Defaults to the estimator's ``random_state``.

    Returns
    -------
    X : DataFrame of shape (n_samples, n_features)
    labels : ndarray of shape (n_samples,)
    """
    check_is_fitted(model, "_params")
    check_int(n_samples, "n_samples", low=1)
    rng = check_random_state(model.random_state if random_state is None else random_state)
    labels = rng.choice(model.n_components, size=n_samples, p=model.weights_)
    cols = {}
    for key in model._keys:
        kind = model.measurement_[key]
        if kind == "categorical":
            P = model.probabilities_[key][labels]
            u = rng.random_sample(n_samples)[:, None]
            idx = (P.cumsum(axis=1) < u).sum(axis=1)
            idx = np.minimum(idx, P.shape[1] - 1)
            cols[key] = model.categories_[key][idx]
        elif kind in GAUSSIAN_KINDS:
            y = rng.normal(model.means_[key][labels], np.sqrt(model.variances_[key][labels]))
            # lognormal: back from the log1p scale (y >= 0 up to rounding: clip at 0)
            cols[key] = np.maximum(np.expm1(y), 0.0) if kind == "lognormal" else y
        elif kind == "twopart":  # above zero with its class's probability, then lognormal
            above = rng.random_sample(n_samples) < model.probabilities_[key][labels, 1]
            y = rng.normal(model.means_[key][labels], np.sqrt(model.variances_[key][labels]))
            cols[key] = np.where(above, np.maximum(np.expm1(np.abs(y)), 1e-12), 0.0)
        else:
            cols[key] = rng.poisson(model.rates_[key][labels]).astype(np.int64)
    return pd.DataFrame(cols, columns=model._keys), labels


def to_dict(model):
    """Fitted parameters as a plain JSON-able dict (see ``from_dict``).

    A model fitted with covariates adds ``covariates``: their ``names`` and the
    multinomial-logit ``coefficients`` of class membership (one row per class, the
    intercept first, row 0 the reference class of zeros); ``weights`` are then the
    fitted class shares (the average prior over the training rows).
    """
    check_is_fitted(model, "_params")
    columns = []
    for key in model._keys:
        kind = model.measurement_[key]
        entry = {"name": str(key), "measurement": kind}
        if kind == "categorical":
            entry["levels"] = [_plain(v) for v in model.categories_[key]]
        if kind in CAT_BLOCK:  # two-part: probabilities of zero and of above zero
            entry["probabilities"] = model.probabilities_[key].tolist()
        if kind in GAU_BLOCK:  # lognormal, two-part: on the log1p scale
            entry["means"] = model.means_[key].tolist()
            entry["variances"] = model.variances_[key].tolist()
        elif kind == "poisson":
            entry["rates"] = model.rates_[key].tolist()
        columns.append(entry)
    out = {"n_components": int(model.n_components), "weights": model.weights_.tolist(),
           "columns": columns}
    if hasattr(model, "_beta"):  # latent class regression: the class-membership logit
        out["covariates"] = {"names": [str(c) for c in model._covariate_names[1:]],
                             "coefficients": model._beta.tolist()}
    return out


def from_dict(cls, d):
    """Rebuild a fitted model from :meth:`to_dict` output.

    The model predicts from a DataFrame with the stored column names, or from an array
    with the columns in the stored order; with ``covariates`` in the dict, ``predict``
    and ``predict_proba`` need them (``covariates=...``), as after ``fit``. The standard
    errors of the coefficients are not stored.
    """
    if not isinstance(d, dict):
        raise TypeError(f"from_dict expects a dict; got {type(d).__name__}.")
    try:
        K = int(d["n_components"])
        weights = np.asarray(d["weights"], dtype=np.float64)
        columns = d["columns"]
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"Malformed latent class model dict: {err!r}.") from err
    if weights.shape != (K,) or (weights < 0).any() or not np.isclose(weights.sum(), 1):
        raise ValueError(f"'weights' must be {K} non-negative numbers summing to 1.")
    if not isinstance(columns, list) or not columns:
        raise ValueError(
            "'columns' must be a non-empty list of column dicts (as written by to_dict)."
        )
    names = [c.get("name") if isinstance(c, dict) else None for c in columns]
    repeated = sorted({str(v) for v in names if v is not None and names.count(v) > 1})
    if repeated:
        raise ValueError(f"'columns' names column(s) {repeated} more than once.")
    keys, kinds, levels = [], [], []
    logP, mu, var, lam = [], [], [], []
    for i, c in enumerate(columns):
        if not isinstance(c, dict) or "name" not in c:
            raise ValueError(f"columns[{i}] must be a dict with 'name' and 'measurement'.")
        name, kind = c["name"], c.get("measurement")
        if kind not in KINDS:
            raise ValueError(f"columns[{i}].measurement must be one of {KINDS}; got {kind!r}.")
        keys.append(str(name))
        kinds.append(kind)
        if kind in CAT_BLOCK:
            if kind == "twopart":
                lev = TWOPART_LEVELS
            elif not isinstance(c.get("levels"), list) or not c["levels"]:
                raise ValueError(f"columns[{i}].levels must be a non-empty list.")
            else:
                lev = np.asarray(c["levels"])
            P = _float_array(c, "probabilities", i)
            if P.shape != (K, lev.size) or (P < 0).any() or not np.allclose(P.sum(1), 1):
                raise ValueError(
                    f"columns[{i}].probabilities must be {K} rows of {lev.size} "
                    "probabilities summing to 1."
                )
            levels.append(lev)
            logP.append(np.log(np.maximum(P.T, _TINY)))
        else:
            levels.append(None)
        if kind != "categorical":
            if kind in GAU_BLOCK:
                m = _float_array(c, "means", i)
                v = _float_array(c, "variances", i)
                if (m.shape != (K,) or v.shape != (K,) or not np.isfinite(m).all()
                        or not (v > 0).all() or not np.isfinite(v).all()):
                    raise ValueError(
                        f"columns[{i}] needs {K} finite means and {K} positive finite "
                        "variances."
                    )
                mu.append(m)
                var.append(v)
            else:
                r = _float_array(c, "rates", i)
                if r.shape != (K,) or not (r > 0).all() or not np.isfinite(r).all():
                    raise ValueError(f"columns[{i}] needs {K} positive finite rates.")
                lam.append(r)
    model = cls(K, measurement=dict(zip(keys, kinds)))
    model._set_structure(keys, kinds, levels)
    model._params = (
        np.log(np.maximum(weights, _TINY)),
        np.vstack(logP) if logP else np.zeros((0, K)),
        np.array(mu).reshape(-1, K),
        np.array(var).reshape(-1, K),
        np.array(lam).reshape(-1, K),
    )
    model._publish_params()
    model.n_features_in_ = len(keys)
    if keys != [str(j) for j in range(len(keys))]:
        model.feature_names_in_ = np.asarray(keys, dtype=object)
    if d.get("covariates") is not None:
        set_covariates(model, d["covariates"], keys)
    return model


def set_covariates(model, spec, keys):
    """The class-membership logit of :meth:`to_dict` (``names``, ``coefficients``)."""
    K = model.n_components
    try:
        names = [str(c) for c in spec["names"]]
        beta = np.asarray(spec["coefficients"], dtype=np.float64)
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(
            f"'covariates' must hold 'names' (a list) and 'coefficients' ({K} rows of "
            f"1 + len(names) numbers): {err!r}."
        ) from err
    if not names or len(set(names)) != len(names) or set(names) & set(keys):
        raise ValueError(
            "'covariates.names' must be distinct column names, none of them a clustering "
            f"column; got {names}."
        )
    if beta.shape != (K, 1 + len(names)) or not np.isfinite(beta).all():
        raise ValueError(
            f"'covariates.coefficients' must be {K} rows of {1 + len(names)} finite "
            f"numbers (intercept first); got shape {beta.shape}."
        )
    if np.any(beta[0] != 0):
        raise ValueError("'covariates.coefficients' row 0 (the reference class) must be 0.")
    model._beta = beta
    model._covariate_names = ["intercept", *names]
    model.covariate_names_ = np.asarray(model._covariate_names, dtype=object)
    model.covariate_coef_ = beta.copy()


def _float_array(entry, field, i):
    try:
        return np.asarray(entry[field], dtype=np.float64)
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(
            f"columns[{i}].{field} is missing or not a rectangular array of numbers ({err})."
        ) from err
