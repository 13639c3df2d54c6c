"""compare_services(): within each cluster, the average effect of a service on an outcome
(and on cost), adjusted for confounders, with bootstrap intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._utils import check_dataframe, check_int, check_n_jobs
from ..exceptions import SchemaError
from ..profiling._data import numeric_column, prepare_groups
from ._estimators import ESTIMATORS, balance, effect, fit_models
from ._result import ServiceComparison

__all__ = ["compare_services"]


def compare_services(data, labels, *, service, outcome, confounders, baseline=None, cost=None,
                     method="aipw", n_bootstrap=1000, weights=None, min_cell_size=None,
                     trim=None, random_state=None, n_jobs=None) -> ServiceComparison:
    """What works, for whom, at what cost: a service's effect on an outcome within clusters.

    For each cluster (and for the whole population, ``cluster == "all"``, with the clusters
    added to the confounders) the average effect of receiving the service on the outcome
    among that cluster's clients (received minus not received; a risk difference for a 0/1
    outcome), estimated by ``method`` on that cluster's rows alone. Observational: the
    comparison is adjusted for the named confounders and nothing else.

    Parameters
    ----------
    data : DataFrame
        One row per client.
    labels : array-like or Series
        Cluster of each client (``-1`` noise is left out of the clusters, kept in "all").
    service : column name
        0/1, boolean or two-level column: received the service or not.
    outcome : column name
        Numeric, or 0/1 (then the effect is a risk difference).
    confounders : list of column names
        Numeric columns enter the models as given (add squares or splines as columns for
        non-linear terms); text, categorical and boolean columns as indicator columns. A
        column constant within a cluster is dropped for that cluster.
    baseline : column name, optional
        The outcome measured before the service; added to the confounders.
    cost : column name, optional
        Cost per client: the same estimator gives the cost difference, and the cost per unit
        of change in the outcome is ``cost_difference / |estimate|`` (undefined, NaN, when
        the effect's interval covers 0; the direction is the sign of ``estimate``: for an
        outcome where lower is better, a negative estimate is the gain).
    method : {"aipw", "ipw", "standardization"}
        See :mod:`clusterdiscovery.services._estimators`.
    n_bootstrap : int
        Bootstrap resamples of clients (within each cluster) for the 95% percentile
        intervals and the standard error behind ``p_value`` (two-sided, normal).
    weights : column name or array, optional
        Sampling weights.
    min_cell_size : int, optional
        A cluster with fewer clients than this (default 11) in either arm is withheld, with
        the reason; so is a cluster where everyone (or no one) received the service.
    trim : (low, high), optional
        Leave out the clients whose propensity lies outside ``[low, high]`` (e.g. (0.05,
        0.95); Crump et al. 2009) before estimating; by default nobody is trimmed and the
        share of extreme propensities is reported.
    random_state : int, optional
    n_jobs : int, optional
        Clusters run in parallel (joblib).

    Returns
    -------
    ServiceComparison

    References
    ----------
    Hernan, M. A. and Robins, J. M. (2020). *Causal Inference: What If*. Chapman & Hall/CRC,
    ch. 12-13. Robins, J. M., Rotnitzky, A. and Zhao, L. P. (1994). Estimation of regression
    coefficients when some regressors are not always observed. *JASA*, 89, 846-866. Glynn, A.
    N. and Quinn, K. M. (2010). An introduction to the augmented inverse propensity weighted
    estimator. *Political Analysis*, 18, 36-56. Austin, P. C. (2011). An introduction to
    propensity score methods for reducing the effects of confounding in observational
    studies. *Multivariate Behavioral Research*, 46, 399-424.
    """
    data = check_dataframe(data, "data")
    if method not in ESTIMATORS:
        raise ValueError(f"The 'method' parameter must be one of {ESTIMATORS}; got {method!r}.")
    n_bootstrap = check_int(n_bootstrap, "n_bootstrap", low=0)
    m = 11 if min_cell_size is None else check_int(min_cell_size, "min_cell_size", low=0)
    t = _service(data, service)
    y = numeric_column(data, outcome, "outcome", allow_nan=False)
    if np.ptp(y) == 0:
        raise ValueError(f"The outcome {outcome!r} has the same value for every client; "
                         "there is no effect to estimate.")
    binary = bool(np.isin(y, (0.0, 1.0)).all())
    c = None if cost is None else numeric_column(data, cost, "cost", allow_nan=False)
    conf = list(confounders) + ([baseline] if baseline is not None else [])
    Z = _confounders(data, conf)
    w = _weights(data, weights)
    groups = prepare_groups(data, labels)
    keys = [k for k in groups.keys if k != "noise"]
    jobs = [(k, groups.codes == i) for i, k in enumerate(groups.keys) if k != "noise"]
    cl = pd.get_dummies(pd.Categorical(groups.codes), prefix="cluster", drop_first=True,
                        dtype=float).set_axis(data.index)
    jobs.append(("all", np.ones(len(data), dtype=bool)))
    seeds = np.random.SeedSequence(random_state).spawn(len(jobs))
    from joblib import Parallel, delayed

    rows = Parallel(n_jobs=check_n_jobs(n_jobs))(
        delayed(_one_group)(key, rows_, t, y, c, w,
                            pd.concat([Z, cl], axis=1) if key == "all" else Z,
                            binary, method, n_bootstrap, m, trim, seed, outcome)
        for (key, rows_), seed in zip(jobs, seeds))
    summary = pd.DataFrame(rows)
    summary = _protect_counts(summary)
    return ServiceComparison(summary=summary, service=service, outcome=outcome, cost=cost,
                             method=method, confounders=conf, binary=binary,
                             n_bootstrap=n_bootstrap, min_cell_size=m, clusters=keys)


def _protect_counts(summary: pd.DataFrame) -> pd.DataFrame:
    """A cluster's arm counts withheld (fewer than min_cell_size clients) must not follow
    from the population's counts minus the other clusters': the "all" row's counts are
    withheld too whenever a cluster's are."""
    hidden = summary["cluster"].ne("all") & summary["n_service"].isna()
    if hidden.any():
        summary = summary.copy()
        summary.loc[summary["cluster"] == "all", ["n_service", "n_without"]] = np.nan
    return summary


def _service(data, col) -> np.ndarray:
    if col not in data.columns:
        raise SchemaError(f"The service column {col!r} is not in the data.")
    s = data[col]
    if s.isna().any():
        raise ValueError(f"The service column {col!r} has {int(s.isna().sum())} missing "
                         "value(s); say for every client whether they received it.")
    levels = pd.unique(s)
    if len(levels) != 2:
        raise ValueError(f"The service column {col!r} must have two levels (received or not); "
                         f"it has {len(levels)}: {list(levels)[:5]}.")
    if set(levels) <= {0, 1}:
        return s.astype(float).to_numpy()
    first = sorted(map(str, levels))[1]
    raise ValueError(f"The service column {col!r} has levels {sorted(map(str, levels))}; code "
                     f"it as 0/1 or True/False (e.g. data[{col!r}] == {first!r}).")


def _confounders(data, cols) -> pd.DataFrame:
    parts = []
    for col in cols:
        if col not in data.columns:
            raise SchemaError(f"The confounder {col!r} is not in the data; available columns "
                              f"include {list(map(str, data.columns[:10]))}.")
        s = data[col]
        if s.isna().any():
            raise ValueError(f"The confounder {col!r} has {int(s.isna().sum())} missing "
                             "value(s); impute them or drop those clients.")
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            parts.append(s.astype(float).rename(str(col)))
        else:
            parts.append(pd.get_dummies(s.astype(str), prefix=str(col), drop_first=True,
                                        dtype=float))
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=data.index)


def _weights(data, weights) -> np.ndarray:
    if weights is None:
        return np.ones(len(data))
    w = data[weights].to_numpy(dtype=float) if isinstance(weights, str) else \
        np.asarray(weights, dtype=float)
    if w.shape != (len(data),) or not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("The 'weights' must be one finite, non-negative weight per client.")
    return w * (np.count_nonzero(w) / w.sum())  # sampling weights: scale-free


def _design(Z: pd.DataFrame, rows) -> tuple[np.ndarray, list]:
    sub = Z.loc[rows] if isinstance(rows, pd.Index) else Z.iloc[np.flatnonzero(rows)]
    keep = [c for c in sub.columns if sub[c].nunique() > 1]  # constant here: dropped
    X = np.column_stack([np.ones(len(sub)), sub[keep].to_numpy(dtype=float)])
    return X, keep


def _withheld(key, reason, n1=np.nan, n0=np.nan):
    return {"cluster": key, "n_service": n1, "n_without": n0, "estimate": np.nan,
            "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan, "suppressed": True,
            "reason": reason}


def _one_group(key, rows, t, y, c, w, Z, binary, method, B, m, trim, seed, outcome):
    tt, yy, ww = t[rows], y[rows], w[rows]
    cc = None if c is None else c[rows]
    n1, n0 = int((tt == 1).sum()), int((tt == 0).sum())
    if n1 == 0 or n0 == 0:
        return _withheld(key, "no overlap: every client of this group "
                         + ("received" if n0 == 0 else "went without") + " the service")
    if n1 < m or n0 < m:
        return _withheld(key, f"fewer than {m} clients in an arm")
    if np.ptp(yy) == 0:
        return _withheld(key, f"the outcome {outcome!r} does not vary in this group", n1, n0)
    X, names = _design(Z, rows)
    if trim is not None:
        from ._estimators import propensity

        e = propensity(X, fit_models(X, tt, yy, ww, binary, "ipw")[0])
        keep = (e >= trim[0]) & (e <= trim[1])
        X, tt, yy, ww = X[keep], tt[keep], yy[keep], ww[keep]
        cc = None if cc is None else cc[keep]
    models = fit_models(X, tt, yy, ww, binary, method)
    b_e = models[0] if models[0] is not None else fit_models(X, tt, yy, ww, binary, "ipw")[0]
    est = effect(X, tt, yy, ww, binary, method, models)
    cmodels = None if cc is None else fit_models(X, tt, cc, ww, False, method, b_e=models[0])
    cest = None if cc is None else effect(X, tt, cc, ww, False, method, cmodels)
    boot, cboot = _bootstrap(X, tt, yy, cc, ww, binary, method, models, cmodels, B, seed)
    ess, smd, extreme = balance(X, tt, ww, b_e)
    row = {"cluster": key, "n_service": n1, "n_without": n0, "estimate": est,
           **_interval(est, boot), "ess": ess, "max_smd": smd,
           "extreme_propensity_share": extreme, "suppressed": False, "reason": ""}
    if cc is not None:
        ci = _interval(cest, cboot)
        covers = not (row["ci_low"] > 0 or row["ci_high"] < 0)
        row.update(cost_difference=cest, cost_ci_low=ci["ci_low"], cost_ci_high=ci["ci_high"],
                   cost_per_unit=np.nan if covers else cest / abs(est))
    return row


def _bootstrap(X, t, y, c, w, binary, method, models, cmodels, B, seed):
    rng = np.random.default_rng(seed)
    n = len(t)
    out, cout = np.full(B, np.nan), np.full(B, np.nan)
    for b in range(B):
        wb = w * np.bincount(rng.integers(0, n, n), minlength=n)
        if (wb * t).sum() == 0 or (wb * (1 - t)).sum() == 0:
            continue
        mb = fit_models(X, t, y, wb, binary, method, start=models, fast=True)
        out[b] = effect(X, t, y, wb, binary, method, mb)
        if c is not None:  # the same propensity model serves the cost
            cm = fit_models(X, t, c, wb, False, method, start=cmodels, fast=True, b_e=mb[0])
            cout[b] = effect(X, t, c, wb, False, method, cm)
    return out, cout


def _interval(est, boot) -> dict:
    from scipy import stats

    b = boot[np.isfinite(boot)]
    if b.size < 2:
        return {"ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan}
    se = b.std(ddof=1)
    lo, hi = np.quantile(b, [0.025, 0.975])
    p = float(2 * stats.norm.sf(abs(est) / se)) if se > 0 else np.nan
    return {"ci_low": float(lo), "ci_high": float(hi), "p_value": p}
