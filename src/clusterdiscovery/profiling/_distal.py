"""Three-step distal outcomes: class means and proportions corrected for classification error.

Step 1 fits the latent class (or any mixture) model, step 2 assigns every row to its modal
class, step 3 relates the assignments to an outcome that was not used in step 1, with
a correction for the rows assigned to the wrong class. Modal assignment alone (the naive
three-step approach) biases class differences towards zero whenever the classes overlap.

The classification error matrix ``D[s, w] = P(assigned w | true class s)`` is estimated
from the posteriors as ``sum_i p_is 1[w_i = w] / sum_i p_is`` (Vermunt 2010, eq. 6).

- ``"bch"`` (Bolck, Croon and Hagenaars 2004; Vermunt 2010; Bakk, Tekle and Vermunt
  2013): row ``i`` enters class ``t`` with weight ``(D^{-1})[w_i, t]`` (which may be
  negative); a class mean is the weighted mean. Standard errors are sandwich
  (influence-function) errors of these weighted means treating ``D`` as known.
- ``"ml"`` (Vermunt 2010): maximises ``sum_i log sum_t pi_t D[t, w_i] f_t(y_i)`` with
  ``f_t`` gaussian with class-specific mean and variance (continuous outcomes) or
  categorical (binary and categorical outcomes), by EM; standard errors from the
  empirical information of all its parameters (delta method for proportions).
- ``"modal"``: every row counts fully in its modal class (the naive, biased estimate).

References
----------
.. [1] Bolck, A., Croon, M. and Hagenaars, J. (2004). Estimating latent structure models
   with categorical variables: One-step versus three-step estimators. Political
   Analysis, 12(1), 3-27.
.. [2] Vermunt, J. K. (2010). Latent class modeling with covariates: Two improved
   three-step approaches. Political Analysis, 18(4), 450-469.
.. [3] Bakk, Z., Tekle, F. B. and Vermunt, J. K. (2013). Estimating the association
   between latent class membership and external variables using bias-adjusted three-step
   approaches. Sociological Methodology, 43(1), 272-311.
.. [4] Bakk, Z. and Kuha, J. (2021). Relating latent class membership to external
   variables: An overview. British Journal of Mathematical and Statistical Psychology,
   74(2), 340-362.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
from scipy import stats as _stats

from .._utils import check_sample_weight, check_weight_type, sampling_scale

__all__ = ["distal_outcomes", "DistalOutcomeResult", "classification_error",
           "corrected_by_cluster"]

_METHODS = ("bch", "ml", "modal")
_Z95 = 1.959963984540054


def classification_error(posteriors, assigned, sample_weight=None):
    """Estimated ``D[s, w] = P(modal class w | true class s)`` (Vermunt 2010).

    Parameters
    ----------
    posteriors : ndarray of shape (n_samples, K)
    assigned : ndarray of shape (n_samples,), integer classes ``0..K-1``
    sample_weight : ndarray of shape (n_samples,), optional

    Returns
    -------
    D : ndarray of shape (K, K), rows summing to 1.
    """
    P = np.asarray(posteriors, dtype=np.float64)
    K = P.shape[1]
    w = np.ones(P.shape[0]) if sample_weight is None else np.asarray(sample_weight, float)
    M = np.zeros((K, K))
    for c in range(K):
        sel = assigned == c
        M[:, c] = (P[sel] * w[sel, None]).sum(axis=0)
    tot = M.sum(axis=1, keepdims=True)
    return M / np.where(tot > 0, tot, 1.0)


# ---------------------------------------------------------------------------- outcomes
def _outcome_kind(col):
    """``("continuous", None)`` or ``("categorical", levels, report_levels)``."""
    if isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object or \
            pd.api.types.is_string_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
        levels = pd.unique(col.dropna())
        try:
            levels = np.sort(levels)
        except TypeError:
            pass
        if pd.api.types.is_bool_dtype(col.dtype) or set(levels) <= {True, False}:
            return "categorical", [False, True], [True]
        return "categorical", list(levels), list(levels)
    if not pd.api.types.is_numeric_dtype(col.dtype):
        raise TypeError(
            f"Outcome {col.name!r} has dtype {col.dtype}; outcomes must be numeric, boolean "
            "or categorical."
        )
    obs = col.dropna().to_numpy(dtype=float)
    if np.isinf(obs).any():
        raise ValueError(f"Outcome {col.name!r} contains infinity; set it to NaN (missing).")
    if obs.size and set(np.unique(obs)) <= {0.0, 1.0}:
        return "categorical", [0.0, 1.0], [1.0]
    return "continuous", None, None


def _indicators(col, levels):
    y = np.zeros((len(col), len(levels)))
    vals = col.to_numpy(dtype=object)
    for j, lev in enumerate(levels):
        y[:, j] = [v == lev for v in vals]
    return y


def _weighted_estimates(y, obs, A, sw):
    """Weighted means of columns of ``y`` in each class with weights ``A`` (n, K).

    Returns ``(est (K, L), cov (K*L, K*L), n_eff)`` with sandwich (influence) covariance.
    """
    K = A.shape[1]
    L = y.shape[1]
    a = A[obs] * sw[obs, None]
    yo = y[obs]
    tot = a.sum(axis=0)
    safe = np.where(np.abs(tot) > 1e-12, tot, np.nan)
    est = (a.T @ yo) / safe[:, None]  # (K, L)
    # frequency-weight sandwich: row i (weight sw_i) has influence
    # A_it (y_i - mu_t) / tot_t on class t, counted sw_i times: cov = sum_i sw_i IF_i IF_i'.
    root = np.sqrt(sw[obs])[:, None]
    IF = np.empty((yo.shape[0], K * L))
    for t in range(K):
        IF[:, t * L:(t + 1) * L] = A[obs][:, t:t + 1] * root * (yo - est[t]) / safe[t]
    cov = IF.T @ IF
    return est, cov


def _fit_ml(y, kind, assigned, D, sw, max_iter=2000, tol=1e-10, pi_fixed=None):
    """ML three-step estimate (Vermunt 2010) for one outcome; rows all observed.

    The class proportions are re-estimated in step 3 (Vermunt 2010; Bakk, Tekle and
    Vermunt 2013); ``pi_fixed`` keeps them at given values instead (StepMix's choice:
    the step-1 proportions), used by the benchmark to compare like with like.
    """
    n = y.shape[0]
    K = D.shape[0]
    logD = np.log(np.maximum(D[:, assigned], 1e-300))  # (K, n)
    # start from the modal estimates
    H = np.zeros((K, n))
    H[assigned, np.arange(n)] = 1.0
    pi = np.maximum((H * sw).sum(axis=1), 1e-8)
    pi /= pi.sum()
    if pi_fixed is not None:
        pi = np.asarray(pi_fixed, dtype=float)
    if kind == "continuous":
        x = y[:, 0]
        overall = np.average((x - np.average(x, weights=sw)) ** 2, weights=sw)
        floor = 1e-6 * max(overall, 1e-12)
        Hw = H * sw
        cnt = np.maximum(Hw.sum(axis=1), 1e-12)
        mu = (Hw @ x) / cnt
        var = np.maximum((Hw * (x - mu[:, None]) ** 2).sum(axis=1) / cnt, overall)
    else:
        Hw = H * sw
        prob = (Hw @ y + 1.0) / (Hw.sum(axis=1) + y.shape[1])[:, None]
    prev = -np.inf
    for _ in range(max_iter):
        if kind == "continuous":
            logf = -0.5 * (np.log(2 * np.pi * var)[:, None]
                           + (x[None, :] - mu[:, None]) ** 2 / var[:, None])
        else:
            logf = np.log(np.maximum(prob, 1e-300)) @ y.T
        A = np.log(pi)[:, None] + logD + logf
        mx = A.max(axis=0)
        R = np.exp(A - mx)
        s = R.sum(axis=0)
        R /= s
        ll = float(sw @ (mx + np.log(s)))
        if abs(ll - prev) < tol * max(1.0, abs(ll)):
            break
        prev = ll
        Rw = R * sw
        Nk = Rw.sum(axis=1)
        if pi_fixed is None:
            pi = np.maximum(Nk / Nk.sum(), 1e-12)
        if kind == "continuous":
            mu = (Rw @ x) / np.maximum(Nk, 1e-12)
            var = np.maximum((Rw * (x - mu[:, None]) ** 2).sum(axis=1) / np.maximum(Nk, 1e-12),
                             floor)
        else:
            prob = np.maximum((Rw @ y) / np.maximum(Nk, 1e-12)[:, None], 1e-12)
            prob /= prob.sum(axis=1, keepdims=True)
    # empirical-information standard errors (scores of all parameters)
    blocks = [(R[1:] - pi[1:, None]).T]  # class-share logits against class 0
    if kind == "continuous":
        d = x[None, :] - mu[:, None]
        blocks.append((R * d / var[:, None]).T)
        blocks.append((R * 0.5 * (d * d / var[:, None] - 1)).T)
    else:
        for t in range(K):
            blocks.append(R[t][:, None] * (y[:, 1:] - prob[t, 1:]))
    S = np.hstack(blocks)
    V = np.linalg.pinv(S.T @ (S * sw[:, None]))
    if kind == "continuous":
        est = mu[:, None]
        cov = V[K - 1:2 * K - 1, K - 1:2 * K - 1]
    else:
        L = y.shape[1]
        est = prob
        cov = np.zeros((K * L, K * L))
        base = K - 1
        J = np.zeros((K * L, K * (L - 1)))
        for t in range(K):
            p = prob[t]
            J[t * L:(t + 1) * L, t * (L - 1):(t + 1) * (L - 1)] = (np.diag(p) - np.outer(p, p))[:, 1:]
        Veta = V[base:, base:]
        cov = J @ Veta @ J.T
    return est, cov, pi


def _wald(est, cov, K, L):
    """Wald test that every class has the same means/proportions (df = (K-1)*L_free)."""
    free = L if L == 1 else L - 1  # proportions sum to one: drop the last level
    idx = np.array([t * L + j for t in range(K) for j in range(free)])
    theta = est.reshape(-1)[idx]
    V = cov[np.ix_(idx, idx)]
    C = np.zeros(((K - 1) * free, K * free))
    for t in range(1, K):
        for j in range(free):
            C[(t - 1) * free + j, t * free + j] = 1.0
            C[(t - 1) * free + j, j] = -1.0
    d = C @ theta
    M = C @ V @ C.T
    if not np.all(np.isfinite(d)) or not np.all(np.isfinite(M)):
        return np.nan, (K - 1) * free, np.nan
    stat = float(d @ np.linalg.pinv(M) @ d)
    df = int(np.linalg.matrix_rank(M))
    return stat, df, float(_stats.chi2.sf(stat, df)) if df else np.nan


def _degenerate_outcome(name, kind, y):
    """``(value per level, note)`` for an outcome with nothing to compare (no observed
    value, or the same value in every observed row up to rounding), else None. Such an
    outcome gets no test: its classes cannot differ (BCH's weighted means of a constant
    differ only by rounding, and a Wald test of rounding is meaningless)."""
    import warnings

    if y.shape[0] == 0:
        warnings.warn(f"Outcome {name!r} has no observed value (every row missing or of "
                      "weight 0): no class estimate or test. Drop it from the outcomes.",
                      UserWarning, stacklevel=4)
        return np.full(y.shape[1], np.nan), "no observed value"
    spread = np.ptp(y, axis=0)
    scale = np.maximum(1.0, np.abs(y).max(axis=0))
    if np.all(spread <= 1e-9 * scale):
        what = "proportions" if kind == "categorical" else "value"
        return y[0].astype(float), (f"the same {what} in every observed row: the classes "
                                    "cannot differ (no test)")
    return None


def _bch_weights(D, assigned):
    """Row ``i``'s weight in class ``t``: ``(D^{-1})[w_i, t]`` (Vermunt 2010)."""
    try:
        Dinv = np.linalg.inv(D)
    except np.linalg.LinAlgError:
        raise ValueError(
            "The classification error matrix is singular (some class is never the modal "
            "class); BCH cannot correct it. Use method='ml' or fewer classes."
        ) from None
    return Dinv[assigned]


def _step1(model, X, covariates, assigned, sw):
    """The step-1 pieces of the corrected errors: ``(theta, V1, steps, D_of)`` with
    ``theta`` the latent class model's parameters as one vector, ``V1`` their covariance
    (inverse empirical information: per-row scores by central differences with the
    ``steps``) and ``D_of(theta)`` the classification error matrix at ``theta`` (the modal
    assignments held fixed)."""
    from ..models import LatentClassModel
    from ..models._em_accel import lca_transform

    if not isinstance(model, LatentClassModel) or covariates is not None or \
            hasattr(model, "_beta"):
        raise TypeError(
            "correct_se=True needs a LatentClassModel fitted without covariates (its "
            f"step-1 parameters and their covariance); got {type(model).__name__}"
            + (" with covariates" if covariates is not None or hasattr(model, "_beta")
               else "") + ". Use correct_se=False.")
    data = model._check_X(X)
    design = model._design(data)
    pack, unpack = lca_transform(model)
    theta = pack(model._params)

    def loglik_and_posterior(x):
        A = model._log_joint(design, unpack(x))
        lse = model._normalise(A)  # A: posteriors (K, n)
        return lse + design.const, A.T

    steps = 1e-5 * np.maximum(1.0, np.abs(theta))
    scores = np.empty((theta.size, assigned.size))
    for j, h in enumerate(steps):
        e = np.zeros_like(theta)
        e[j] = h
        scores[j] = (loglik_and_posterior(theta + e)[0]
                     - loglik_and_posterior(theta - e)[0]) / (2 * h)
    V1 = np.linalg.pinv((scores * sw) @ scores.T)

    def D_of(x):
        return classification_error(loglik_and_posterior(x)[1], assigned, sw)

    return theta, V1, steps, D_of


def _step1_term(step1, step3, est):
    """``J V1 J'``: the step-1 uncertainty carried into the step-3 estimates."""
    theta, V1, steps, D_of = step1
    J = np.empty((est.size, theta.size))
    for j, h in enumerate(steps):
        e = np.zeros_like(theta)
        e[j] = h
        J[:, j] = (step3(D_of(theta + e), tight=True)[0]
                   - step3(D_of(theta - e), tight=True)[0]).ravel() / (2 * h)
    return J @ V1 @ J.T


# ---------------------------------------------------------------------------- public
def distal_outcomes(model, X, outcomes, *, method="bch", covariates=None, sample_weight=None,
                    correct_se=False, weight_type="sampling"):
    """Class means and proportions of distal outcomes, corrected for classification error.

    Parameters
    ----------
    model : fitted estimator with ``predict_proba``
        The step-1 model (a :class:`~clusterdiscovery.models.LatentClassModel`, a
        ``GaussianMixture``, ...). Its classes are ``0..K-1``.
    X : DataFrame or array-like
        The data the classes are measured on (step-1 items), one row per client.
    outcomes : DataFrame or Series
        Distal outcomes, one row per row of ``X`` (positional). Numeric columns with more
        than two values are continuous (class means: costs, counts, scores); boolean,
        0/1, string and categorical columns give class proportions. NaN rows are left out
        of that outcome.
    method : {"bch", "ml", "modal"}, default="bch"
        ``"bch"`` (Bakk, Tekle and Vermunt 2013), ``"ml"`` (Vermunt 2010) or ``"modal"``
        (the uncorrected estimate).
    covariates : DataFrame or array-like, optional
        Passed to ``model.predict_proba`` for a latent class regression.
    sample_weight : array-like of shape (n_samples,), optional
        Weights of the rows (see ``weight_type``).
    weight_type : {"sampling", "frequency"}, default="sampling"
        ``"sampling"``: survey weights, rescaled to sum to the number of weighted rows (as
        Mplus and LatentGOLD do), so that standard errors do not depend on the weights'
        scale (multiplying them by 1,000 changes nothing); ``"frequency"``: a weight of 2
        is two identical rows (the standard errors of the expanded table).
    correct_se : bool, default=False
        Add the uncertainty of the step-1 estimates to the standard errors and Wald
        tests of ``"bch"`` and ``"ml"`` (Bakk, Oberski and Vermunt 2014): ``V = V3 + J V1
        J'``, with ``V3`` the step-3 covariance (classification error treated as known),
        ``V1`` the covariance of the step-1 parameters (inverse empirical information,
        outer product of the rows' scores, as poLCA) and ``J`` the derivatives of the
        step-3 estimates with respect to them through the classification error matrix
        (central differences; the modal assignments are data). Without it the errors
        are too small when the classes overlap. For a
        :class:`~clusterdiscovery.models.LatentClassModel` fitted without covariates.

    Returns
    -------
    DistalOutcomeResult

    Notes
    -----
    Checked against StepMix's three-step estimator (``n_steps=3``, ``assignment="modal"``,
    ``correction="BCH"`` / ``"ML"``; Morin et al. 2025) in
    ``benchmarks/distal_outcomes_vs_stepmix.py``.

    References
    ----------
    .. [1] Vermunt, J. K. (2010). Latent class modeling with covariates: Two improved
       three-step approaches. Political Analysis, 18(4), 450-469.
    .. [2] Bakk, Z., Tekle, F. B. and Vermunt, J. K. (2013). Estimating the association
       between latent class membership and external variables using bias-adjusted
       three-step approaches. Sociological Methodology, 43(1), 272-311.
    .. [3] Bakk, Z., Oberski, D. L. and Vermunt, J. K. (2014). Relating latent class
       assignments to external variables: standard errors for correct inference.
       Political Analysis, 22(4), 520-540.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from clusterdiscovery.models import LatentClassModel
    >>> from clusterdiscovery.profiling import distal_outcomes
    >>> rng = np.random.default_rng(0)
    >>> z = rng.integers(0, 2, 1000)
    >>> X = pd.DataFrame({f"i{j}": rng.random(1000) < np.where(z == 1, 0.8, 0.2)
    ...                   for j in range(6)})
    >>> y = pd.DataFrame({"cost": rng.normal(np.where(z == 1, 10.0, 0.0), 1.0)})
    >>> lca = LatentClassModel(2, n_init=3, random_state=0).fit(X)
    >>> res = distal_outcomes(lca, X, y, method="bch")
    >>> sorted(abs(round(v)) for v in res.summary["estimate"])
    [0, 10]
    """
    if method not in _METHODS:
        raise ValueError(
            f"The 'method' parameter must be one of {_METHODS}. Got {method!r} instead."
        )
    if not hasattr(model, "predict_proba"):
        raise TypeError(
            f"model must be a fitted estimator with predict_proba; got {type(model).__name__}."
        )
    if isinstance(outcomes, pd.Series):
        outcomes = outcomes.to_frame(name=outcomes.name if outcomes.name is not None else "outcome")
    if not isinstance(outcomes, pd.DataFrame):
        outcomes = pd.DataFrame(np.asarray(outcomes))
        if outcomes.ndim != 2:
            raise ValueError("outcomes must be a DataFrame or a 2-d array.")
    if covariates is not None:
        P = model.predict_proba(X, covariates=covariates)
    else:
        P = model.predict_proba(X)
    P = np.asarray(P, dtype=np.float64)
    n, K = P.shape
    if len(outcomes) != n:
        raise ValueError(
            f"outcomes has {len(outcomes)} rows but X has {n}; pass one row per row of X."
        )
    check_weight_type(weight_type)
    sw = check_sample_weight(sample_weight, n)
    sw = np.ones(n) if sw is None else sw * sampling_scale(sw, weight_type)
    assigned = P.argmax(axis=1)
    D = classification_error(P, assigned, sw)
    step1 = None
    if not isinstance(correct_se, bool):
        raise TypeError(f"The 'correct_se' parameter must be True or False; got {correct_se!r}.")
    if correct_se and method != "modal":
        step1 = _step1(model, X, covariates, assigned, sw)
    if method == "bch":
        A = _bch_weights(D, assigned)  # (n, K): row i's weight in class t
    else:
        A = np.zeros((n, K))
        A[np.arange(n), assigned] = 1.0
    rows, tests = [], []
    for name in outcomes.columns:
        col = outcomes[name]
        kind, levels, report = _outcome_kind(col)
        obs = ~col.isna().to_numpy()
        if kind == "continuous":
            y = col.to_numpy(dtype=np.float64, na_value=np.nan)[:, None]
            y = np.where(np.isnan(y), 0.0, y)
            lev_names = [None]
        else:
            y = _indicators(col, levels)
            lev_names = levels
        keep = obs & (sw > 0)
        flat = _degenerate_outcome(name, kind, y[keep])
        if flat is not None:  # no estimate to test: say so, never a significant Wald test
            value, note = flat
            rows += [{"outcome": str(name), "level": lev_names[j], "class": t,
                      "estimate": value[j], "se": 0.0 if np.isfinite(value[j]) else np.nan,
                      "ci_low": value[j], "ci_high": value[j],
                      "n_modal": int(np.sum(assigned[keep] == t)), "method": method}
                     for t in range(K) for j in range(len(lev_names))
                     if kind != "categorical" or levels[j] in report]
            tests.append({"outcome": str(name), "wald": 0.0 if np.isfinite(value).all()
                          else np.nan, "df": 0, "p_value": 1.0 if np.isfinite(value).all()
                          else np.nan, "method": method, "note": note})
            continue

        def step3(Dm, keep=keep, y=y, kind=kind, tight=False):
            """Step-3 estimates and covariance given the classification error matrix
            (``tight``: the ML fit run to a much smaller tolerance, for derivatives)."""
            if method == "ml":
                tol, max_iter = (1e-15, 100_000) if tight else (1e-10, 2000)
                return _fit_ml(y[keep], kind, assigned[keep], Dm, sw[keep],
                               max_iter=max_iter, tol=tol)[:2]
            Am = A if Dm is D else _bch_weights(Dm, assigned)
            return _weighted_estimates(y[keep], np.ones(keep.sum(), bool), Am[keep], sw[keep])

        est, cov = step3(D)
        if step1 is not None:
            cov = cov + _step1_term(step1, step3, est)
        L = est.shape[1]
        se = np.sqrt(np.maximum(np.diag(cov), 0.0)).reshape(K, L)
        n_modal = np.bincount(assigned[keep], minlength=K)
        for t in range(K):
            for j in range(L):
                if kind == "categorical" and levels[j] not in report:
                    continue
                rows.append({
                    "outcome": str(name), "level": lev_names[j], "class": t,
                    "estimate": est[t, j], "se": se[t, j],
                    "ci_low": est[t, j] - _Z95 * se[t, j], "ci_high": est[t, j] + _Z95 * se[t, j],
                    "n_modal": int(n_modal[t]), "method": method,
                })
        stat, df, p = _wald(est, cov, K, L)
        tests.append({"outcome": str(name), "wald": stat, "df": df, "p_value": p,
                      "method": method, "note": ""})
    summary = pd.DataFrame(rows, columns=["outcome", "level", "class", "estimate", "se",
                                          "ci_low", "ci_high", "n_modal", "method"])
    return DistalOutcomeResult(summary, pd.DataFrame(tests), D, method)


class DistalOutcomeResult:
    """Result of :func:`distal_outcomes`.

    Attributes
    ----------
    summary : DataFrame
        One row per (outcome, level, class): ``estimate`` (mean, or proportion of
        ``level``), ``se``, 95% ``ci_low``/``ci_high``, ``n_modal`` (rows whose modal class
        it is; used for small-cell suppression) and ``method``.
    tests : DataFrame
        Wald test per outcome that all classes have the same mean (proportions): ``wald``,
        ``df``, ``p_value``, ``note``. An outcome with the same value in every observed row
        gets ``wald`` 0, ``df`` 0, ``p_value`` 1 and a note (its classes cannot differ); one
        with no observed value gets NaN, a note and a warning.
    classification_error : ndarray of shape (K, K)
        ``D[s, w] = P(modal class w | true class s)``.
    method : str
    """

    def __init__(self, summary, tests, classification_error, method):
        self.summary = summary
        self.tests = tests
        self.classification_error = classification_error
        self.method = method

    def __repr__(self):
        return (f"DistalOutcomeResult(method={self.method!r}, outcomes="
                f"{self.tests['outcome'].tolist()})")

    def _repr_html_(self):
        title = html.escape(f"Distal outcomes by class ({self.method.upper()} three-step)")
        return (f"<h4>{title}</h4>" + self.summary.to_html(index=False, float_format="%.4g")
                + "<h4>Wald tests of equality across classes</h4>"
                + self.tests.to_html(index=False, float_format="%.4g"))

    def plot(self, ax=None, *, outcome=None):
        """Class estimates with 95% intervals for one outcome (default: the first).

        Returns
        -------
        matplotlib.axes.Axes
        """
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(5, 3.2))
        if outcome is None:
            outcome = self.summary["outcome"].iloc[0]
        part = self.summary[self.summary["outcome"] == str(outcome)]
        if part.empty:
            raise ValueError(f"No outcome named {outcome!r}; choose one of "
                             f"{self.tests['outcome'].tolist()}.")
        labels = [f"{c}" if lev is None else f"{c}: {lev}"
                  for c, lev in zip(part["class"], part["level"])]
        x = np.arange(len(part))
        ax.errorbar(x, part["estimate"], yerr=_Z95 * part["se"], fmt="o", capsize=3)
        ax.set_xticks(x)
        ax.set_xticklabels(labels)
        ax.set_xlabel("class")
        ax.set_ylabel(str(outcome))
        ax.set_title(f"{outcome} by class ({self.method.upper()}, 95% CI)")
        return ax


def corrected_by_cluster(model, X, outcomes, *, method="bch", sample_weight=None,
                         covariates=None):
    """Class means corrected for classification error next to the modal ones.

    Returns
    -------
    DataFrame
        Indexed by ``(outcome, cluster)`` with ``estimate``, ``ci_low``, ``ci_high`` (of
        ``method``), ``modal`` (mean by most likely class), ``n_modal`` and ``method``.
        Only continuous outcomes (means).
    """
    corr = distal_outcomes(model, X, outcomes, method=method, covariates=covariates,
                           sample_weight=sample_weight).summary
    modal = distal_outcomes(model, X, outcomes, method="modal", covariates=covariates,
                            sample_weight=sample_weight).summary
    corr = corr[corr["level"].isna()].set_index(["outcome", "class"])
    modal = modal[modal["level"].isna()].set_index(["outcome", "class"])
    out = corr[["estimate", "ci_low", "ci_high"]].copy()
    out["modal"] = modal["estimate"]
    out["n_modal"] = corr["n_modal"]
    out["method"] = method
    out.index.names = ["outcome", "cluster"]
    return out
