"""The models stage of :func:`~clusterdiscovery.discover`: every family fitted for each k."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import SchemaError
from ._contracts import Prepared, StageData
from ._families import FAMILIES

__all__ = ["models_stage"]


def models_stage(cfg, given: StageData, prep: Prepared, random_state, n_jobs):
    """Fit every family of ``[models] families`` for each k in ``k_min..k_max``
    (:func:`~clusterdiscovery.compare_models`): a ``ModelSelectionResult`` with every fitted
    estimator, its ``numeric_view_`` and ``preprocessor_``."""
    return _compare(cfg, prep.X, given.schema, prep.measurement, random_state, n_jobs,
                    prep.weights)


def _numeric_view(X, schema, *, with_preprocessor=False):
    """The clustering columns as numbers for the geometric families (and, with
    ``with_preprocessor``, the fitted preprocessor that makes them from the schema's
    features, or None when aggregated service-use columns were added)."""
    from ..features import make_preprocessor

    cols = [c for c in X.columns if c in schema.features]
    pre = make_preprocessor(schema.select(cols))
    num = pre.fit_transform(X[cols])
    extra = [c for c in X.columns if c not in schema.features]
    if extra:  # aggregated service-use columns: log1p then standardise
        e = np.log1p(X[extra].astype(float).fillna(0.0))
        num = num.join((e - e.mean()) / e.std(ddof=0).replace(0, 1))
    if with_preprocessor:
        return num, (None if extra else pre)
    return num


def _compare(cfg, X, schema, measurement, random_state, n_jobs, weights=None):
    """Every family of ``[models] families`` for each k, in one ``ModelSelectionResult``."""
    from ..selection import ModelSelectionResult, compare_models

    m = cfg["models"]
    ks = range(m["k_min"], min(m["k_max"], len(X) - 1) + 1)
    if not ks:
        raise ValueError(
            f"Configuration [models] k_min = {m['k_min']} leaves no k to fit for "
            f"{len(X)} clients: k must be below the number of clients. Lower k_min (and "
            f"k_max) or supply more clients."
        )
    families = m["families"]
    sw = None if weights is None else weights.to_numpy()
    unweighted = [f for f in families if not FAMILIES[f].weighted]
    if sw is not None and unweighted:
        raise SchemaError(
            f"The schema names the sampling-weight column '{schema.weight}', but [models] "
            f"families {unweighted} cannot take weights; compare only 'latent_class' and "
            f"'kmeans', or drop the weight from the schema."
        )
    if sw is not None and m["lr_tests"]:
        raise SchemaError(
            f"The schema names the sampling-weight column '{schema.weight}', but [models] "
            f"lr_tests {m['lr_tests']} are defined for unweighted data; set lr_tests = [] or "
            f"drop the weight from the schema."
        )
    results = []
    # families reading the table itself (the latent class model), in registry order
    on_table = {n: f.make(m, measurement) for n, f in FAMILIES.items()
                if n in families and f.reads_table}
    if on_table:
        results.append(compare_models(X, on_table, n_clusters=ks,
                                      random_state=random_state, n_jobs=n_jobs,
                                      sample_weight=sw, lr_tests=tuple(m["lr_tests"]),
                                      n_bootstrap=m["lr_bootstrap"]))
    geometric = {n: f.make(m, measurement) for n, f in FAMILIES.items()
                 if n in families and not f.reads_table}
    pre = None
    if geometric:
        num, pre = _numeric_view(X, schema, with_preprocessor=True)
        results.append(compare_models(num, geometric, n_clusters=ks,
                                      random_state=random_state, n_jobs=n_jobs,
                                      sample_weight=sw))
    summary = pd.concat([r.summary for r in results], ignore_index=True)
    estimators, scale = {}, {}
    for r in results:
        estimators.update(r.estimators_)
        scale.update(r.likelihood_scale)
    combined = ModelSelectionResult(summary, estimators, n_samples=len(X),
                                    likelihood_scale=scale)
    combined.numeric_view_ = num if geometric else None
    combined.preprocessor_ = pre
    return combined


def _model_input(primary, X, selection):
    """What the primary family reads: the table itself for the latent class model, else
    the numeric view."""
    return X if FAMILIES[primary].reads_table else selection.numeric_view_
