"""Partitioned EM for :class:`~clusterdiscovery.models.LatentClassModel` on a Dask DataFrame.

``LatentClassModel.fit(ddf)`` with a :class:`dask.dataframe.DataFrame` lands here. The data
never come together: each partition is encoded with the global levels, compressed into
weighted response patterns and kept where it is (persisted on the workers). Every E-step
runs partition by partition with the model's own ``_e_step``, each partition returns the
model's own additive M-step statistics (``_m_stats``) and its log-likelihood, the few
small arrays (classes x levels) are summed, and the model's ``_m_params`` turns the sums
into parameters. The same code, the same starting values and the same stopping rule as
the in-memory fit: the fits agree to rounding (the log-likelihood to about 1e-12
relative; the tests demand 1e-8). SQUAREM acceleration applies unchanged (an "E-step"
here returns the summed statistics instead of the responsibilities).

Memory per worker: its own partitions' integer codes and numeric columns (compressed),
plus one partition's indicator design and responsibilities while a task runs. No n x n
matrix and no one-hot table of all rows is ever built.

Works with any Dask scheduler: a ``distributed.Client`` if one is active (a
``LocalCluster`` or a remote scheduler), otherwise Dask's default scheduler.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._utils import check_random_state
from ._em_accel import run_em
from ._lca_data import GAU_BLOCK, TWOPART_LEVELS, EncodedData, _levels_of, compress, encode

__all__ = ["is_dask_collection", "fit_dask", "predict_dask"]

#: rows gathered (over all partitions) to draw the starting values from
_START_SAMPLE = 20_000


def is_dask_collection(X) -> bool:
    """True for a Dask DataFrame/Series/Array, without importing dask."""
    return type(X).__module__.split(".")[0] in ("dask", "dask_expr") and hasattr(X, "dask")


# ----------------------------------------------------------------------- partition tasks
def _part_levels(frame, keys):
    """Observed levels of each categorical column of one partition (and, for a pandas
    categorical column, its categories)."""
    out = {}
    for k in keys:
        col = frame[k]
        cats = col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype) else None
        out[k] = (_levels_of(col, k), cats)
    return out


def _check_spellings(per_part, key):
    """Refuse a column whose partitions write its levels in different ways: numbers (or
    text that reads as numbers, ``"1"``/``"0"``) in one partition, words (``"yes"`` /
    ``"no"``) in another would be fitted as four levels. The partitions are named."""
    def kind(v):
        if isinstance(v, bool | np.bool_):
            return "true/false"
        if isinstance(v, str):
            try:
                float(v)
                return "numbers"
            except ValueError:
                return "words"
        return "numbers"

    seen = [({kind(v) for v in p[key][0]}, i) for i, p in enumerate(per_part) if len(p[key][0])]
    for a, i in seen:
        for b, j in seen:
            if a and b and not (a & b):
                raise ValueError(
                    f"Column {key!r} writes its levels as {'/'.join(sorted(a))} in partition "
                    f"{i} and as {'/'.join(sorted(b))} in partition {j}: fitted as they are, "
                    "they would be different levels. Recode it the same way in every "
                    "partition (e.g. map 'yes'/'no' to 1/0) before fitting.")


def _merge_levels(per_part, key):
    """Levels of a column over all partitions, in the order the in-memory fit uses."""
    _check_spellings(per_part, key)
    parts = [p[key][0] for p in per_part if len(p[key][0])]
    if not parts:
        raise ValueError(
            f"Column {key!r} is entirely missing; drop it before fitting the latent class "
            "model."
        )
    values = np.concatenate([np.asarray(p, dtype=object) for p in parts])
    cats = [p[key][1] for p in per_part if p[key][1] is not None]
    if cats:
        if any(not c.equals(cats[0]) for c in cats[1:]):
            raise ValueError(
                f"Column {key!r} is a pandas categorical whose categories differ between "
                "partitions; give every partition the same categories (e.g. "
                "ddf.categorize() or astype with one CategoricalDtype)."
            )
        used = pd.Categorical(pd.unique(pd.Series(values)), categories=cats[0])
        return _levels_of(pd.Series(used), key)
    series = pd.Series(pd.unique(pd.Series(values)))
    try:
        series = series.astype(np.result_type(*[np.asarray(p).dtype for p in parts]))
    except (TypeError, ValueError):
        pass
    return _levels_of(series, key)


def _part_sums(frame, keys_g, keys_p, centre=None):
    """Per-column (count, sum, sum of squares about ``centre``) of gaussian/poisson data."""
    from ._lca_data import _numeric

    out = {}
    for block, keys, kind in (("g", keys_g, None), ("p", keys_p, "poisson")):
        rows = []
        for j, (key, k) in enumerate(keys):
            x = _numeric(frame[key], key, k if kind is None else kind)
            if k == "twopart":  # the values above zero, on the log1p scale
                with np.errstate(invalid="ignore"):
                    x = np.where(x > 0, np.log1p(x), np.nan)
            obs = ~np.isnan(x)
            xo = x[obs]
            c = 0.0 if centre is None or block == "p" else centre[j]
            rows.append((obs.sum(), xo.sum(), ((xo - c) ** 2).sum()))
        out[block] = np.array(rows, dtype=float).reshape(-1, 3)
    return out


def _part_encode(frame, model):
    """Encode one partition with the global levels and compress it into patterns."""
    data, _ = encode(frame, model._kinds, model._levels, fit=False,
                     handle_unknown="error")
    return compress(data, model._n_levels, None)


def _part_estep(part, model, params, stats):
    """E-step on one partition: its M-step statistics and its log-likelihood."""
    from threadpoolctl import threadpool_limits

    pdata, w = part
    D = model._design(pdata)
    with threadpool_limits(limits=1, user_api="blas"):
        A, ll = model._e_step(D, w, params)
        S = model._m_stats(D, A, w, stats)
    return S, ll


def _part_sample(part, n, seed):
    pdata, w = part
    if pdata.n == 0:
        return pdata, w
    rng = np.random.default_rng(seed)
    idx = rng.choice(pdata.n, size=min(n, pdata.n), replace=False, p=w / w.sum())
    return pdata.take(np.sort(idx)), np.ones(idx.size)


def _part_predict(frame, model, what):
    if len(frame) == 0:  # an empty partition (e.g. after a filter): an empty result
        if what == "proba":
            return pd.DataFrame({f"p_{k}": pd.Series(dtype=float, index=frame.index)
                                 for k in range(model.n_components)})
        return pd.Series(dtype=np.int64 if what == "labels" else float, index=frame.index)
    data = model._encode(frame, fit=False)
    R, ll = model._log_resp_encoded(data)
    if what == "labels":
        return pd.Series(R.argmax(axis=0).astype(np.int64), index=frame.index)
    if what == "score":
        return pd.Series(ll, index=frame.index)
    return pd.DataFrame(np.ascontiguousarray(R.T), index=frame.index,
                        columns=[f"p_{k}" for k in range(model.n_components)])


def _kernel(model, fitted=False):
    """A light copy of ``model`` to ship to the workers: parameters and structure only
    (never ``labels_`` or other per-row attributes)."""
    from sklearn.base import clone

    light = clone(model)
    names = ["_keys", "_kinds", "_n_levels", "_offsets", "_total_levels", "_block_of",
             "_levels", "measurement_", "categories_"]
    if fitted:
        names.append("_params")
    for name in names:
        setattr(light, name, getattr(model, name))
    return light


def _add(a, b):
    return {key: a[key] + b[key] for key in a}


# ------------------------------------------------------------------------------ fitting
def _check_frame(ddf):
    import dask.dataframe as dd

    if not isinstance(ddf, dd.DataFrame):
        raise TypeError(
            f"LatentClassModel.fit accepts a Dask DataFrame (dask.dataframe.DataFrame); got "
            f"{type(ddf).__name__}. Convert a Dask Array with dd.from_dask_array(...)."
        )
    keys = list(ddf.columns)
    if not keys:
        raise ValueError("X has no columns; pass at least one feature column.")
    return keys


def nonempty_partitions(ddf) -> list:
    """The partitions of ``ddf`` that hold rows (a filter can leave some empty: they are
    skipped, not refused), as delayed objects."""
    import dask

    parts = ddf.to_delayed()
    sizes = dask.compute(*[dask.delayed(len)(p) for p in parts])
    kept = [p for p, n in zip(parts, sizes) if n]
    if not kept:
        raise ValueError("X is empty (0 rows in every partition); pass at least one row per "
                         "class.")
    return kept


def _structure(model, parts, keys):
    """Measurement types, global levels and column statistics (two passes over the data)."""
    import dask

    kinds = list(model._resolve_measurement(keys).values())
    cat_keys = [k for k, kind in zip(keys, kinds) if kind == "categorical"]
    keys_g = [(k, kind) for k, kind in zip(keys, kinds) if kind in GAU_BLOCK]
    keys_p = [(k, kind) for k, kind in zip(keys, kinds) if kind == "poisson"]
    task_l = [dask.delayed(_part_levels)(p, cat_keys) for p in parts]
    task_s = [dask.delayed(_part_sums)(p, keys_g, keys_p) for p in parts]
    levels_parts, sums = dask.compute(task_l, task_s)
    levels = [_merge_levels(levels_parts, key) if kind == "categorical"
              else TWOPART_LEVELS if kind == "twopart" else None
              for key, kind in zip(keys, kinds)]
    model._set_structure(keys, kinds, levels)
    g = sum(s["g"] for s in sums)
    p = sum(s["p"] for s in sums)
    counts = np.concatenate([g[:, 0], p[:, 0]])
    for (key, _), count in zip(keys_g + keys_p, counts):
        if count == 0:
            raise ValueError(
                f"Column {key!r} is entirely missing; drop it before fitting the latent "
                "class model."
            )
    gmean = g[:, 1] / np.maximum(g[:, 0], 1e-300)
    # second pass: squared deviations about the global means (as the in-memory fit)
    sums2 = dask.compute([dask.delayed(_part_sums)(q, keys_g, [], gmean) for q in parts])[0]
    g2 = sum(s["g"] for s in sums2)
    gvar = g2[:, 2] / np.maximum(g2[:, 0], 1e-300)
    for j, (key, kind) in enumerate(keys_g):
        if g[j, 0] < 2 or gvar[j] == 0:
            raise ValueError(
                f"Column {key!r} is modelled as {kind!r} but is constant (or has fewer than "
                "two observed values); drop it or model it as 'categorical'."
            )
    gvar = np.where(gvar > 0, gvar, 1.0)
    pmean = p[:, 1] / np.maximum(p[:, 0], 1e-300)
    return {"gmean": gmean, "gvar": gvar, "pmean": pmean}


def _e_step_dask(parts, model, params, stats):
    """Summed M-step statistics and total log-likelihood over all partitions."""
    import dask

    tasks = [dask.delayed(_part_estep, pure=False)(p, model, params, stats) for p in parts]
    out = dask.compute(*tasks)
    S = out[0][0]
    for s, _ in out[1:]:
        S = _add(S, s)
    return S, float(sum(ll for _, ll in out))


def run_em_dask(model, parts, params, stats, total_weight, tol=None):
    """EM (SQUAREM-accelerated or plain, as ``model.accelerate``) over persisted parts."""
    light = _kernel(model)

    def e_step(p):
        return _e_step_dask(parts, light, p, stats)

    def m_step(S):
        return model._m_params(S, stats)

    tol = (model.tol if tol is None else tol) * total_weight
    return run_em(model, e_step, m_step, params, tol=tol, max_iter=model.max_iter)


def prepare_dask(model, ddf):
    """Encode and persist the partitions; return ``(parts, stats, total_weight)``."""
    import dask

    keys = _check_frame(ddf)
    delayed_parts = nonempty_partitions(ddf)
    stats = _structure(model, delayed_parts, keys)
    light = _kernel(model)
    parts = [dask.delayed(_part_encode)(p, light) for p in delayed_parts]
    parts = list(dask.persist(*parts))
    total = float(sum(dask.compute(*[dask.delayed(lambda q: q[1].sum())(p) for p in parts])))
    if total < model.n_components:
        raise ValueError(f"n_samples={total:.0f} should be >= n_components="
                         f"{model.n_components}.")
    return parts, stats, total


def start_params(model, parts, stats, rng):
    """Starting values drawn as in memory, from a weighted sample of the patterns."""
    import dask

    per = max(1, -(-_START_SAMPLE // len(parts)))
    seeds = [int(s) for s in rng.randint(0, 2**31 - 1, size=len(parts))]
    samples = dask.compute(*[dask.delayed(_part_sample)(p, per, s)
                             for p, s in zip(parts, seeds)])
    data = EncodedData(np.vstack([s[0].cat for s in samples]),
                       np.vstack([s[0].gau for s in samples]),
                       np.vstack([s[0].poi for s in samples]), samples[0][0].lognormal)
    w = np.concatenate([s[1] for s in samples])
    if model.init == "kmeans":
        return model._kmeans_params(data, w, rng, stats)
    return model._random_params(data, w, rng, stats)


def fit_dask(model, ddf, *, sample_weight=None, covariates=None, starts=None):
    """``LatentClassModel.fit`` on a Dask DataFrame (see the module docstring).

    Parameters
    ----------
    model : LatentClassModel
    ddf : dask.dataframe.DataFrame
    sample_weight, covariates : None
        Not supported with Dask input (a clear error says so).
    starts : list of parameter tuples, optional
        Starting values to use instead of ``n_init`` random ones (used by the tests that
        compare with the in-memory fit).
    """
    if sample_weight is not None:
        raise TypeError(
            "sample_weight is not supported with a Dask DataFrame; repeat the rows or fit "
            "the in-memory model on weighted patterns instead."
        )
    if covariates is not None:
        raise TypeError(
            "covariates (latent class regression) are not supported with a Dask DataFrame; "
            "fit the model with covariates in memory (a sample of the clients will do)."
        )
    model._check_params()
    parts, stats, total = prepare_dask(model, ddf)
    rng = check_random_state(model.random_state)
    best = None
    n_starts = model.n_init if starts is None else len(starts)
    short = model.start_tol if n_starts > 1 and model.start_tol > model.tol else None
    for i in range(n_starts):
        start = start_params(model, parts, stats, rng) if starts is None else starts[i]
        params, ll, conv, n_iter, _ = run_em_dask(model, parts, start, stats, total, short)
        if best is None or ll > best[1]:
            best = (params, ll, conv, n_iter)
    params, ll, conv, n_iter = best
    if short is not None:  # the best short run to convergence, as in memory
        params, ll, conv, more, _ = run_em_dask(model, parts, params, stats, total)
        n_iter += more
    model._drop_covariates()
    model._params = params
    model._finish_fit(ll, total, conv, n_iter, stacklevel=4)
    model.n_features_in_ = len(model._keys)
    if all(isinstance(k, str) for k in model._keys):
        model.feature_names_in_ = np.asarray(model._keys, dtype=object)
    model.labels_ = predict_dask(model, ddf, "labels")
    return model


def predict_dask(model, ddf, what="labels"):
    """Labels (Series), per-row log-likelihood (Series) or posteriors (DataFrame) of a
    Dask DataFrame, partition by partition, as a lazy Dask collection."""
    import dask.dataframe as dd

    if not isinstance(ddf, dd.DataFrame):
        raise TypeError(f"Expected a Dask DataFrame; got {type(ddf).__name__}.")
    if what == "proba":
        meta = pd.DataFrame({f"p_{k}": pd.Series(dtype=float)
                             for k in range(model.n_components)})
    else:
        meta = pd.Series(dtype=np.int64 if what == "labels" else float)
    return ddf.map_partitions(_part_predict, _kernel(model, fitted=True), what, meta=meta)
