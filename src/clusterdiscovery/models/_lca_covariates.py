"""Latent class regression: covariates on class membership (one-step estimation).

Private helpers of :class:`~clusterdiscovery.models.LatentClassModel`. The prior class
probabilities of row ``i`` follow a multinomial logit on its covariates ``z_i`` (an
intercept is always added; class 0 is the reference),

    log P(class k | z_i) - log P(class 0 | z_i) = z_i' beta_k,

estimated jointly with the measurement model by EM: the E-step uses each row's own prior,
the M-step updates the item parameters as without covariates and ``beta`` by one
Newton-Raphson step on the expected complete-data log-likelihood of the logit (as poLCA;
Bandeen-Roche et al. 1997), halved until it does not decrease (a generalised EM).

Standard errors: by default from the empirical information, the outer product of the
per-row score vectors of all free parameters (item parameters on the baseline-logit scale,
gaussian means and log variances, Poisson log rates, and ``beta``), inverted with a
pseudo-inverse, as poLCA's ``poLCA.se``; optionally from the observed information (minus
the Jacobian of the total score, by central differences).

References
----------
.. [1] Bandeen-Roche, K., Miglioretti, D. L., Zeger, S. L. and Rathouz, P. J. (1997).
   Latent variable regression for multiple discrete outcomes. Journal of the American
   Statistical Association, 92(440), 1375-1386.
.. [2] Linzer, D. A. and Lewis, J. B. (2011). poLCA: An R package for polytomous
   variable latent class analysis. Journal of Statistical Software, 42(10), 1-29.
.. [3] Dayton, C. M. and Macready, G. B. (1988). Concomitant-variable latent-class
   models. Journal of the American Statistical Association, 83(401), 173-178.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _stats

from ..exceptions import ModelSpecError

__all__ = [
    "check_covariates",
    "log_prior",
    "m_step_logit",
    "run_covariate_em",
    "score_matrix",
    "covariate_covariance",
    "covariate_frame",
]

_TINY = 1e-300


# ---------------------------------------------------------------------------- validation
def check_covariates(covariates, n, *, index=None, names=None):
    """Validate covariates and return ``(Z, names)`` with an intercept column first.

    Parameters
    ----------
    covariates : DataFrame, Series or array-like of shape (n_samples, n_covariates)
        Numeric (or boolean) columns; categorical covariates must be encoded first.
    n : int
        Number of rows of ``X``.
    index : pandas.Index, optional
        ``X``'s index when ``X`` is a DataFrame: covariates given as a DataFrame with the
        same row ids in another order are aligned on it; other ids raise.
    names : list of str, optional
        Expected covariate names (at predict time: those seen in ``fit``).

    Returns
    -------
    Z : ndarray of shape (n_samples, 1 + n_covariates)
    names : list of str
        ``["intercept", *covariate names]``.
    """
    if isinstance(covariates, pd.Series):
        covariates = covariates.to_frame(
            name=covariates.name if covariates.name is not None else "covariate_0")
    if isinstance(covariates, pd.DataFrame):
        frame = covariates
        if index is not None and not frame.index.equals(index):
            if len(frame.index) == len(index) and frame.index.is_unique and set(
                frame.index
            ) == set(index):
                frame = frame.loc[index]
            elif len(frame.index) == len(index) and isinstance(frame.index, pd.RangeIndex):
                pass  # positional covariates for a DataFrame X: taken row by row
            else:
                raise ValueError(
                    "covariates and X have different row ids; pass covariates with X's index "
                    "(or a plain array in X's row order)."
                )
        cols = [str(c) for c in frame.columns]
        values = {}
        for c, name in zip(frame.columns, cols):
            col = frame[c]
            if col.dtype == bool or str(col.dtype) == "boolean":
                col = col.astype("float64")
            if not (pd.api.types.is_numeric_dtype(col.dtype)):
                raise TypeError(
                    f"Covariate {name!r} is not numeric (dtype {col.dtype}); encode it first, "
                    f"e.g. pandas.get_dummies(covariates, columns=[{name!r}], drop_first=True, "
                    "dtype=float) for a categorical covariate."
                )
            values[name] = col.to_numpy(dtype=np.float64, na_value=np.nan)
        if not cols:
            raise ValueError("covariates has no columns; pass None for a model without covariates.")
        M = np.column_stack([values[c] for c in cols])
    else:
        try:
            M = np.asarray(covariates)
        except Exception as err:  # noqa: BLE001 - any array conversion failure
            raise TypeError(f"covariates must be a DataFrame or a 2-d array; got {err}.") from None
        if M.ndim == 1:
            M = M[:, None]
        if M.ndim != 2:
            raise ValueError(f"covariates must be 2-d (rows = clients); got shape {M.shape}.")
        cols = [f"covariate_{j}" for j in range(M.shape[1])]
        if M.dtype.kind not in "biuf":
            try:
                M = M.astype(np.float64)
            except (TypeError, ValueError):
                raise TypeError(
                    "covariates hold non-numeric values; encode categorical covariates as "
                    "0/1 columns first (pandas.get_dummies(..., drop_first=True))."
                ) from None
        M = M.astype(np.float64)
    if M.shape[0] != n:
        raise ValueError(
            f"covariates has {M.shape[0]} rows but X has {n}; pass one row of covariates per "
            "row of X."
        )
    if names is not None:
        expected = list(names[1:])
        if len(cols) != len(expected) or (
            isinstance(covariates, pd.DataFrame) and cols != expected
        ):
            raise ValueError(
                f"covariates has columns {cols}, but the model was fitted with {expected}; "
                "pass the same covariates in the same order."
            )
        cols = expected
    for j, c in enumerate(cols):
        bad = ~np.isfinite(M[:, j])
        if bad.any():
            raise ValueError(
                f"Covariate {c!r} has {int(bad.sum())} missing or infinite value(s); drop those "
                "rows (from X and the covariates alike) or impute them before fitting."
            )
    Z = np.column_stack([np.ones(n), M])
    return Z, ["intercept", *cols]


def check_design(Z, names, weights=None):
    """Raise if a covariate is constant or the covariates are collinear (at fit time)."""
    keep = slice(None) if weights is None else weights > 0
    Zk = Z[keep]
    for j in range(1, Z.shape[1]):
        if np.ptp(Zk[:, j]) == 0:
            raise ModelSpecError(
                f"Covariate {names[j]!r} is constant (every row {Zk[0, j]:g}); it cannot be told "
                "apart from the intercept that is always included. Drop it."
            )
    scale = np.where(Zk.std(axis=0) > 0, Zk.std(axis=0), 1.0)
    S = Zk / scale
    rank = 0
    used = []
    for j in range(S.shape[1]):
        r = np.linalg.matrix_rank(S[:, used + [j]], tol=1e-8 * np.sqrt(S.shape[0]))
        if r == rank:
            coef, *_ = np.linalg.lstsq(S[:, used], S[:, j], rcond=None)
            others = [names[u] for u, c in zip(used, coef) if abs(c) > 1e-8]
            raise ModelSpecError(
                f"Covariate {names[j]!r} is collinear with {others} (a linear combination of "
                "them); drop one of these columns (with dummy-coded categories, drop one level)."
            )
        rank = r
        used.append(j)


# ---------------------------------------------------------------------------- logit
def log_prior(Z, beta):
    """Log prior class probabilities ``(K, m)`` from ``beta`` (K, q), ``beta[0] = 0``."""
    eta = beta @ Z.T
    eta -= eta.max(axis=0)
    return eta - np.log(np.exp(eta).sum(axis=0))


def _q_value(Z, R, w, beta):
    return float(((R * log_prior(Z, beta)) * w).sum())


def m_step_logit(Z, R, w, beta, *, max_halvings=30):
    """One Newton-Raphson step for ``beta`` on the expected complete-data log-likelihood.

    ``sum_i w_i sum_k R[k, i] log pi_k(z_i; beta)`` with soft targets ``R`` (K, m) and row
    weights ``w``; the step is halved until this does not decrease (generalised EM).

    Returns
    -------
    beta : ndarray of shape (K, q), first row zero.
    """
    K, q = beta.shape
    if K == 1:
        return beta
    P = np.exp(log_prior(Z, beta))  # (K, m)
    G = ((R - P)[1:] * w) @ Z  # (K-1, q)
    H = np.empty(((K - 1) * q, (K - 1) * q))
    for a in range(1, K):
        for b in range(a, K):
            c = P[a] * ((a == b) - P[b]) * w
            block = (Z * c[:, None]).T @ Z
            H[(a - 1) * q:a * q, (b - 1) * q:b * q] = block
            H[(b - 1) * q:b * q, (a - 1) * q:a * q] = block.T
    try:
        step = np.linalg.solve(H, G.ravel())
    except np.linalg.LinAlgError:
        step = np.linalg.lstsq(H, G.ravel(), rcond=None)[0]
    step = step.reshape(K - 1, q)
    q0 = _q_value(Z, R, w, beta)
    t = 1.0
    for _ in range(max_halvings):
        new = beta.copy()
        new[1:] += t * step
        if _q_value(Z, R, w, new) >= q0 - 1e-12 * abs(q0):
            return new
        t /= 2
    return beta


def run_covariate_em(model, D, w, Z, item_params, beta, stats):
    """EM with row-specific priors; returns ``(params, beta, loglik, converged, n_iter)``.

    ``item_params`` is the model's parameter tuple (its class shares are ignored: the
    priors come from ``beta``); the M-step reuses ``model._m_step`` for the items and
    :func:`m_step_logit` for ``beta``. With ``model.accelerate == "squarem"`` the EM map
    (item M-step and one Newton step for ``beta``) is accelerated by SQUAREM
    (:mod:`._em_accel`; Varadhan and Roland 2008), ``beta`` extrapolated as it is; the
    fixed points and the stopping rule are those of the plain loop.
    """
    from ._em_accel import run_em

    zero = np.zeros(model.n_components)

    def e_step(p):  # p = (log_w ignored, logP, mu, var, lam, beta)
        A = model._log_joint(D, (zero, *p[1:5]))
        A += log_prior(Z, p[5])
        lse = model._normalise(A)
        return (A, p[5]), float(w @ (lse + D.const))

    def m_step(state):
        A, b = state
        new = model._m_step(D, A, w, stats)
        return (zero, *new[1:], m_step_logit(Z, A, w, b))

    p, ll, converged, n_iter, _ = run_em(model, e_step, m_step, (zero, *item_params[1:5], beta),
                                         tol=model.tol * w.sum(), max_iter=model.max_iter)
    return (zero, *p[1:5]), p[5], ll, converged, n_iter


def posterior(model, D, params, Z, beta):
    """Posterior class probabilities (K, m) and per-row log-likelihood at ``params, beta``."""
    K = model.n_components
    A = model._log_joint(D, (np.zeros(K), *params[1:]))
    A += log_prior(Z, beta)
    lse = model._normalise(A)
    return A, lse + D.const


# ---------------------------------------------------------------------------- standard errors
def score_matrix(model, data, D, params, Z, beta, R):
    """Per-row score vectors of all free parameters, shape (m, n_free).

    Parameter order: for each class, categorical items (levels after the first, on the
    baseline-logit scale), then for each class the gaussian means and log variances and the
    Poisson log rates; then ``beta`` of classes 1..K-1. A missing cell contributes 0.
    """
    K = model.n_components
    _, logP, mu, var, lam = params
    blocks = []
    for k in range(K):
        r = R[k]
        ic = 0
        for L, off in zip(model._n_levels, model._offsets):
            codes = data.cat[:, ic]
            obs = codes >= 0
            p = np.exp(logP[off:off + L, k])
            y = np.zeros((codes.size, L))
            y[np.flatnonzero(obs), codes[obs]] = 1.0
            s = (y[:, 1:] - p[1:]) * obs[:, None]
            blocks.append(s * r[:, None])
            ic += 1
    for k in range(K):
        r = R[k]
        for j in range(mu.shape[0]):
            d = (D.xg[j] - mu[j, k]) * D.og[j]
            blocks.append((r * d / var[j, k])[:, None])
            blocks.append((r * 0.5 * (d * d / var[j, k] - D.og[j]))[:, None])
        for j in range(lam.shape[0]):
            blocks.append((r * (D.xp[j] - lam[j, k] * D.op[j]))[:, None])
    P = np.exp(log_prior(Z, beta))
    for k in range(1, K):
        blocks.append(Z * (R[k] - P[k])[:, None])
    return np.hstack(blocks)


def _pack(model, params, beta):
    K = model.n_components
    _, logP, mu, var, lam = params
    parts = []
    for k in range(K):
        for L, off in zip(model._n_levels, model._offsets):
            parts.append(logP[off + 1:off + L, k] - logP[off, k])
    for k in range(K):
        for j in range(mu.shape[0]):
            parts.append([mu[j, k], np.log(var[j, k])])
        for j in range(lam.shape[0]):
            parts.append([np.log(lam[j, k])])
    parts.append(beta[1:].ravel())
    return np.concatenate([np.ravel(p) for p in parts]) if parts else np.zeros(0)


def _unpack(model, theta, template):
    K = model.n_components
    _, logP, mu, var, lam = template
    logP, mu, var, lam = logP.copy(), mu.copy(), var.copy(), lam.copy()
    i = 0
    for k in range(K):
        for L, off in zip(model._n_levels, model._offsets):
            eta = np.concatenate([[0.0], theta[i:i + L - 1]])
            i += L - 1
            eta -= eta.max()
            logP[off:off + L, k] = eta - np.log(np.exp(eta).sum())
    for k in range(K):
        for j in range(mu.shape[0]):
            mu[j, k], var[j, k] = theta[i], np.exp(theta[i + 1])
            i += 2
        for j in range(lam.shape[0]):
            lam[j, k] = np.exp(theta[i])
            i += 1
    q = (theta.size - i) // max(K - 1, 1)
    beta = np.zeros((K, q))
    beta[1:] = theta[i:].reshape(K - 1, q)
    return (np.zeros(K), logP, mu, var, lam), beta


def covariate_covariance(model, data, D, w, params, Z, beta, *, information="empirical"):
    """Covariance matrix of ``beta[1:]`` (flattened class by class), from the information.

    ``"empirical"``: ``pinv(S' diag(w) S)`` with ``S`` the per-row scores (poLCA).
    ``"observed"``: ``pinv(-dU/dtheta)`` with ``U`` the total score, by central differences.
    """
    K, q = beta.shape
    nb = (K - 1) * q
    R, _ = posterior(model, D, params, Z, beta)
    if information == "empirical":
        S = score_matrix(model, data, D, params, Z, beta, R)
        info = S.T @ (S * w[:, None])
    else:
        theta = _pack(model, params, beta)

        def total_score(t):
            p, b = _unpack(model, t, params)
            Rt, _ = posterior(model, D, p, Z, b)
            return w @ score_matrix(model, data, D, p, Z, b, Rt)

        from statsmodels.tools.numdiff import approx_fprime

        step = 1e-5 * np.maximum(1.0, np.abs(theta))
        info = -np.atleast_2d(approx_fprime(theta, total_score, epsilon=step, centered=True))
        info = 0.5 * (info + info.T)
    V = np.linalg.pinv(info)
    return V[-nb:, -nb:] if nb else np.zeros((0, 0))


# ---------------------------------------------------------------------------- table
def covariate_frame(coef, cov, names, estimable=None):
    """Tidy table: class, covariate, coef, se, odds_ratio, z, p_value, ci_low, ci_high,
    estimable (False under separation: the figures are then NaN)."""
    K, q = coef.shape
    se = np.sqrt(np.maximum(np.diag(cov), 0.0)).reshape(K - 1, q) if K > 1 else np.zeros((0, q))
    ok = np.ones((K, q), dtype=bool) if estimable is None else np.asarray(estimable, bool)
    rows = []
    for k in range(1, K):
        for j in range(q):
            b, s = (coef[k, j], se[k - 1, j]) if ok[k, j] else (np.nan, np.nan)
            if not ok[k].all():  # separation in this class: its information is singular
                s = np.nan
            z = b / s if s > 0 else np.nan
            rows.append({
                "class": k, "reference": 0, "covariate": names[j], "coef": b, "se": s,
                "odds_ratio": float(np.exp(b)), "z": z,
                "p_value": float(2 * _stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan,
                "ci_low": float(np.exp(b - 1.959963984540054 * s)),
                "ci_high": float(np.exp(b + 1.959963984540054 * s)),
                "estimable": bool(ok[k, j]),
            })
    return pd.DataFrame(rows, columns=["class", "reference", "covariate", "coef", "se",
                                       "odds_ratio", "z", "p_value", "ci_low", "ci_high",
                                       "estimable"])


#: a class whose linear predictor against another reaches this (probabilities 1e-13 from
#: 0 or 1) for some row is separated: its coefficients run off and are not estimable
SEPARATION_LOGIT = 30.0


def separation(beta, Z, names):
    """Coefficients not estimable because of (quasi-)complete separation.

    Under separation the latent class regression's likelihood keeps rising as some
    coefficients run off to infinity; EM stops at an arbitrary large value and the
    information is near singular, so its standard errors mean nothing (Albert and Anderson
    1984). A class ``k`` is separated when its linear predictor against another class
    exceeds ``SEPARATION_LOGIT`` in absolute value for some row; its coefficients whose
    effect over the covariate's spread (``|b_kj| * sd(z_j)``) is at least a fifth of the
    largest such effect are flagged, with the intercept.

    Returns
    -------
    mask : bool ndarray (K, q), True where not estimable; messages : list of str
    """
    K, q = beta.shape
    mask = np.zeros((K, q), dtype=bool)
    if K < 2 or Z.shape[0] == 0:
        return mask, []
    eta = Z @ beta.T  # (m, K)
    sd = Z.std(axis=0)
    messages = []
    for k in range(1, K):
        gap = np.abs(eta[:, k][:, None] - eta).max()
        if gap < SEPARATION_LOGIT:
            continue
        effect = np.abs(beta[k]) * sd
        effect[0] = 0.0
        if effect.max() <= 0:
            continue
        drivers = np.flatnonzero(effect >= 0.2 * effect.max())
        mask[k, drivers] = True
        mask[k, 0] = True
        messages.append(f"class {k}: {', '.join(repr(str(names[j])) for j in drivers)}")
    return mask, messages


def flag_separation(coef, Z, names, se):
    """``~mask`` of :func:`separation` (True where estimable); under separation the class's
    standard errors become NaN (its information is singular) and a ConvergenceWarning
    names the class and the covariates."""
    import warnings

    from ..exceptions import ConvergenceWarning

    mask, messages = separation(coef, Z, names)
    if messages:
        se[mask.any(axis=1)] = np.nan
        warnings.warn(
            "Latent class regression: separation (a covariate predicts class membership "
            "almost perfectly, so its coefficient runs off to infinity) for "
            + "; ".join(messages) + ". These coefficients are not estimable: their "
            "standard errors and tests are reported as NaN. Drop or coarsen the "
            "covariate, merge classes, or fit fewer classes (the other covariates of these "
            "classes keep their estimates but get no standard error).", ConvergenceWarning,
            stacklevel=5)
    return ~mask
