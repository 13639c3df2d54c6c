"""Case-mix adjusted cost by cluster: a two-part model with recycled predictions.

Cost data have many zeros and a long right tail. The two-part model (Duan et al. 1983;
Mihaylova et al. 2011) writes ``E[cost | x] = P(cost > 0 | x) * E[cost | cost > 0, x]``:

1. a logit for any cost, ``logit P(cost > 0) = a_cluster + x' b``;
2. a gamma GLM with log link for the positive costs, ``log E[cost | cost > 0] = c_cluster
   + x' d`` (Manning and Mullahy 2001; Blough, Madden and Hornbrook 1999).

``x`` are the adjustment covariates (e.g. age and sex). The adjusted mean of cluster ``k``
is the recycled prediction (Basu and Rathouz 2005; Glick et al. 2014): every client is
given cluster ``k`` in turn, their expected cost predicted from both parts, and the
predictions averaged over all clients, so every cluster is compared on the same case mix
(the population's). Percentile bootstrap intervals resample clients and refit both parts.

References
----------
.. [1] Duan, N., Manning, W. G., Morris, C. N. and Newhouse, J. P. (1983). A comparison of
   alternative models for the demand for medical care. Journal of Business & Economic
   Statistics, 1(2), 115-126.
.. [2] Manning, W. G. and Mullahy, J. (2001). Estimating log models: to transform or not
   to transform? Journal of Health Economics, 20(4), 461-494.
.. [3] Basu, A. and Rathouz, P. J. (2005). Estimating marginal and incremental effects on
   health outcomes using flexible link and variance function models. Biostatistics,
   6(1), 93-109.
.. [4] Mihaylova, B., Briggs, A., O'Hagan, A. and Thompson, S. G. (2011). Review of
   statistical methods for analysing healthcare resources and costs. Health Economics,
   20(8), 897-916.
.. [5] Glick, H. A., Doshi, J. A., Sonnad, S. S. and Polsky, D. (2014). Economic Evaluation
   in Clinical Trials, 2nd ed., ch. 5. Oxford University Press.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..exceptions import ModelSpecError

__all__ = ["adjusted_costs", "ADJUSTED_COLUMNS", "covariate_matrix"]

ADJUSTED_COLUMNS = ["n", "mean", "adjusted_mean", "ci_low", "ci_high"]


def covariate_matrix(data: pd.DataFrame, columns, *, param: str = "[profile] adjust_for"
                     ) -> tuple[np.ndarray, list[str]]:
    """Numeric design of the adjustment covariates (categorical ones dummy-coded).

    Numeric and boolean columns are used as they are; string and categorical columns are
    one-hot coded with the first level as reference. Raises naming the column for a
    missing column, missing values, or a constant column, and for collinear columns;
    ``param`` is the parameter the messages name.
    """
    if isinstance(columns, str):
        columns = [columns]
    parts, names = [], []
    for col in columns:
        if col not in data.columns:
            raise ValueError(
                f"{param} names column {col!r}, which is not in the data; "
                f"available columns include {list(map(str, data.columns[:10]))}."
            )
        s = data[col]
        if s.isna().any():
            raise ValueError(
                f"Adjustment covariate {col!r} has {int(s.isna().sum())} missing value(s); "
                f"impute them or drop it from {param}."
            )
        if s.nunique() < 2:
            raise ModelSpecError(
                f"Adjustment covariate {col!r} is constant; it cannot adjust anything. Drop it "
                f"from {param}."
            )
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            v = s.to_numpy(dtype=float)
            if not np.isfinite(v).all():
                raise ValueError(f"Adjustment covariate {col!r} has infinite values.")
            parts.append(v[:, None])
            names.append(str(col))
        else:
            levels = sorted(pd.unique(s.astype(str)))
            for lev in levels[1:]:
                parts.append((s.astype(str) == lev).to_numpy(dtype=float)[:, None])
                names.append(f"{col}={lev}")
    Z = np.hstack(parts) if parts else np.zeros((data.shape[0], 0))
    if Z.shape[1]:
        full = np.column_stack([np.ones(Z.shape[0]), Z])
        if np.linalg.matrix_rank(full) < full.shape[1]:
            raise ModelSpecError(
                f"The adjustment covariates {list(columns)} are collinear (after dummy coding: "
                f"{names}); drop one of the redundant columns from {param}."
            )
    return Z, names


def _fit_predict(cost, codes, G, Z, w):
    """Recycled mean cost per group (G,) from the two-part model fitted on these rows."""
    import statsmodels.api as sm

    n = cost.size
    D = np.zeros((n, G))
    D[np.arange(n), codes] = 1.0
    X = np.column_stack([D, Z])  # one intercept per group, no global intercept
    pos = cost > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if pos.all():
            p_any = None
        else:
            logit = sm.GLM(pos.astype(float), X, family=sm.families.Binomial(),
                           freq_weights=w).fit()
        gamma = sm.GLM(cost[pos], X[pos], family=sm.families.Gamma(sm.families.links.Log()),
                       freq_weights=w[pos]).fit()
    out = np.empty(G)
    W = w.sum()
    for k in range(G):
        Xk = np.column_stack([np.zeros((n, G)), Z])
        Xk[:, k] = 1.0
        mu = gamma.predict(Xk)
        p_any = 1.0 if pos.all() else logit.predict(Xk)
        out[k] = float(w @ (p_any * mu) / W)
    # a group without any positive cost has expected cost 0 whatever its case mix
    out[np.bincount(codes[pos], minlength=G) == 0] = 0.0
    return out


def adjusted_costs(cost, codes, n_groups, Z, *, weights=None, n_bootstrap=200, alpha=0.05,
                   rng=None):
    """Recycled two-part-model mean cost per group, with percentile bootstrap intervals.

    Parameters
    ----------
    cost : ndarray of shape (n,), costs >= 0
    codes : ndarray of shape (n,), group codes ``0..n_groups-1``
    n_groups : int
    Z : ndarray of shape (n, p), adjustment covariates (see :func:`covariate_matrix`)
    weights : ndarray of shape (n,), optional
        Sampling weights (GLM frequency weights; the recycled average is weighted).
    n_bootstrap : int
    alpha : float
    rng : numpy Generator

    Returns
    -------
    adjusted : ndarray (n_groups,)
    ci : ndarray (n_groups, 2)
    """
    cost = np.asarray(cost, float)
    w = np.ones(cost.size) if weights is None else np.asarray(weights, float)
    if not (cost > 0).any():
        nan = np.full(n_groups, np.nan)
        return nan, np.column_stack([nan, nan])
    est = _fit_predict(cost, codes, n_groups, Z, w)
    rng = np.random.default_rng(rng)
    reps = np.full((n_bootstrap, n_groups), np.nan)
    n = cost.size
    for b in range(n_bootstrap):
        idx = rng.integers(0, n, n)
        c = codes[idx]
        present = np.bincount(c, minlength=n_groups) > 0
        if not present.all() or not (cost[idx] > 0).any():
            continue
        try:
            reps[b] = _fit_predict(cost[idx], c, n_groups, Z[idx], w[idx])
        except (np.linalg.LinAlgError, ValueError):
            continue
    ok = np.isfinite(reps).all(axis=1)
    if ok.sum() < 10:
        ci = np.full((n_groups, 2), np.nan)
    else:
        ci = np.quantile(reps[ok], [alpha / 2, 1 - alpha / 2], axis=0).T
    return est, ci
