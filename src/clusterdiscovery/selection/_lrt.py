"""k versus k - 1 likelihood ratio tests for mixtures: BLRT and Lo-Mendell-Rubin."""

from __future__ import annotations

import copy
import html
import numbers

import numpy as np
import pandas as pd
from sklearn.base import clone

from .._utils import check_int

__all__ = ["lr_tests", "LRTestResult", "lmr_test", "TESTS"]

TESTS = ("blrt", "lmr")


def _k_name(est):
    params = est.get_params(deep=False)
    for p in ("n_components", "n_clusters"):
        if p in params:
            return p
    raise TypeError(
        f"lr_tests needs a mixture with an 'n_components' parameter (LatentClassModel or "
        f"GaussianMixture); got {type(est).__name__}."
    )


def _check_mixture(est):
    if isinstance(est, type) or not all(hasattr(est, a) for a in ("fit", "score", "sample")):
        raise TypeError(
            "The 'estimator' parameter of lr_tests must be a mixture model instance with "
            "fit, score and sample (LatentClassModel or GaussianMixture); got "
            f"{est!r}."
        )
    return _k_name(est)


def child_seeds(random_state, n):
    """``n`` seeds derived from ``random_state`` (an int, None or a Generator)."""
    if isinstance(random_state, np.random.Generator):
        random_state = int(random_state.integers(0, 2**63 - 1))
    elif isinstance(random_state, np.random.RandomState):
        random_state = int(random_state.randint(0, 2**31 - 1))
    seq = np.random.SeedSequence(random_state)
    return [int(c.generate_state(1)[0] >> 1) for c in seq.spawn(n)]


def _loglik(est, X) -> float:
    return float(est.score(X)) * len(X)


def _n_parameters(est) -> float:
    if hasattr(est, "n_parameters_"):
        return float(est.n_parameters_)
    return float(est._n_parameters())


def _fit(estimator, k_param, k, X, seed):
    est = clone(estimator).set_params(**{k_param: int(k)})
    if seed is not None and "random_state" in est.get_params(deep=False):
        est.set_params(random_state=int(seed))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings on bootstrap samples
        return est.fit(X)


def _draw(null, n, seed):
    """n rows from the fitted null model (the data-generating model under H0)."""
    if hasattr(null, "at_variance_floor"):  # LatentClassModel.sample takes random_state
        return null.sample(n, random_state=int(seed))[0]
    model = copy.copy(null)  # GaussianMixture.sample draws with its own random_state
    model.random_state = int(seed)
    return model.sample(n)[0]


def lmr_test(n, loglik_null, n_parameters_null, k_null, loglik_alt, n_parameters_alt, k_alt):
    """Lo-Mendell-Rubin adjusted likelihood ratio test of k_null against k_alt classes.

    The statistic is the ad hoc adjusted LR of Lo, Mendell and Rubin (2001, eq. 15):
    ``LR = 2 (LL_alt - LL_null)``, ``LMR = LR / (1 + 1 / ((p_alt - p_null) log n))`` with
    ``p`` the two fitted models' numbers of free parameters, referred to a chi-square with
    ``p_alt - p_null`` degrees of freedom. tidyLPA's ``calc_lrt`` writes the difference as
    ``(3 k_alt - 1) - (3 k_null - 1)``, which is ``p_alt - p_null`` for a mixture of one
    normal column only (each class adds a mean, a variance and a share); for categorical,
    multivariate or mixed models the models' own difference is used here.

    Returns
    -------
    dict
        ``lr``, ``lmr``, ``df`` and ``p``.

    References
    ----------
    .. [1] Lo, Y., Mendell, N. R. and Rubin, D. B. (2001). Testing the number of components
       in a normal mixture. Biometrika, 88(3), 767-778.

    Examples
    --------
    tidyLPA's example ``calc_lrt(150, -741.02, 8, 1, -488.91, 13, 2)`` (472.77) counts
    3 parameters per class; with the models' own 13 - 8 = 5:

    >>> r = lmr_test(150, -741.02, 8, 1, -488.91, 13, 2)
    >>> round(r["lr"], 2), round(r["lmr"], 2), r["df"]
    (504.22, 484.87, 5.0)
    """
    from scipy.stats import chi2

    if not k_alt > k_null:
        raise ValueError(f"k_alt={k_alt} must exceed k_null={k_null}.")
    lr = -2.0 * (loglik_null - loglik_alt)
    df = float(n_parameters_alt - n_parameters_null)
    if df <= 0:
        raise ValueError(f"n_parameters_alt={n_parameters_alt} must exceed "
                         f"n_parameters_null={n_parameters_null}.")
    lmr = lr / (1.0 + 1.0 / (df * np.log(n)))
    return {"lr": float(lr), "lmr": float(lmr), "df": df, "p": float(chi2.sf(lmr, df))}


class LRTestResult:
    """The k versus k - 1 tests of :func:`lr_tests`; read-only.

    Attributes
    ----------
    summary : DataFrame
        One row per k: ``k``, ``loglik``, ``n_parameters``, ``lr`` (2 (LL_k - LL_k-1)),
        ``lmr``, ``lmr_df``, ``lmr_p``, ``blrt_p`` and ``n_bootstrap``.
    bootstrap_lr : dict
        ``{k: array of the B bootstrap LR statistics}``.
    """

    def __init__(self, summary, bootstrap_lr):
        self.summary = summary
        self.bootstrap_lr = bootstrap_lr

    def to_frame(self):
        return self.summary.copy()

    def __repr__(self):
        return f"LRTestResult(k = {', '.join(map(str, self.summary['k']))})"

    def _repr_html_(self):
        return ("<div><p><strong>k versus k - 1 likelihood ratio tests</strong></p>"
                + self.summary.to_html(index=False, float_format=lambda v: f"{v:.4g}")
                + f"<p>{html.escape('p < 0.05: k fits better than k - 1.')}</p></div>")

    def plot(self, ax=None):
        """The p-values of each test against k (log scale), with the 0.05 line.

        Returns
        -------
        matplotlib.axes.Axes
        """
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(6, 4))
        for col, label in [("lmr_p", "Lo-Mendell-Rubin"), ("blrt_p", "bootstrap LRT")]:
            y = self.summary[col].astype(float).to_numpy()
            if np.isfinite(y).any():
                ax.plot(self.summary["k"], np.maximum(y, 1e-16), "o-", label=label)
        ax.axhline(0.05, color="grey", linestyle=":")
        ax.set_yscale("log")
        ax.set_xlabel("k (tested against k - 1)")
        ax.set_ylabel("p-value")
        ax.legend()
        return ax


def lr_tests(X, estimator, n_clusters=range(2, 7), *, tests=TESTS, n_bootstrap=99,
             random_state=None, n_jobs=None, fitted=None):
    """Likelihood ratio tests of k against k - 1 classes (BLRT and Lo-Mendell-Rubin).

    For each k, ``LR = 2 (LL_k - LL_k-1)`` from the two fitted models, and:

    - ``"lmr"``: the Lo-Mendell-Rubin adjusted LRT (see :func:`lmr_test`), ``lmr_p``.
    - ``"blrt"``: the parametric bootstrap LRT (McLachlan 1987; Nylund, Asparouhov and
      Muthen 2007): ``n_bootstrap`` data sets of n rows are drawn from the fitted k - 1
      model; the k - 1 and k models are fitted to each (with the estimator's own
      ``n_init`` starts) and their LR computed. ``blrt_p = (1 + #{LR_b >= LR}) / (B + 1)``.
      The observed statistic is that of ``mclust::mclustBootstrapLRT`` (tested against it
      on the ``faithful`` data, model VVI).

    Parameters
    ----------
    X : DataFrame or array-like
        The data (as the estimator takes it).
    estimator : LatentClassModel or GaussianMixture
        Unfitted template; its ``n_components`` is set to each k.
    n_clusters : iterable of int, default=range(2, 7)
        The k tested (each against k - 1; every k >= 2).
    tests : tuple of str, default=("blrt", "lmr")
        Which tests to compute.
    n_bootstrap : int, default=99
        Bootstrap samples B for the BLRT.
    random_state : int or None
        Seeds every fit and draw.
    n_jobs : int or None
        Parallel bootstrap replicates (joblib).
    fitted : dict, optional
        ``{k: fitted estimator}`` already fitted on ``X`` (the others are fitted here).

    Returns
    -------
    LRTestResult

    References
    ----------
    .. [1] Lo, Y., Mendell, N. R. and Rubin, D. B. (2001). Testing the number of components
       in a normal mixture. Biometrika, 88(3), 767-778.
    .. [2] McLachlan, G. J. (1987). On bootstrapping the likelihood ratio test statistic
       for the number of components in a normal mixture. Applied Statistics, 36, 318-324.
    .. [3] Nylund, K. L., Asparouhov, T. and Muthen, B. O. (2007). Deciding on the number
       of classes in latent class analysis and growth mixture modeling: a Monte Carlo
       simulation study. Structural Equation Modeling, 14(4), 535-569.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn.mixture import GaussianMixture
    >>> X, _ = make_blobs(200, centers=2, random_state=0)
    >>> res = lr_tests(X, GaussianMixture(covariance_type="diag"), [2, 3],
    ...                n_bootstrap=9, random_state=0)
    >>> bool(res.summary.loc[0, "blrt_p"] <= 0.1)
    True
    """
    from joblib import Parallel, delayed

    k_param = _check_mixture(estimator)
    if isinstance(tests, str):
        tests = (tests,)
    tests = tuple(tests)
    unknown = [t for t in tests if t not in TESTS]
    if unknown or not tests:
        raise ValueError(
            f"The 'tests' parameter must name some of {TESTS}; got {tests!r}."
        )
    if isinstance(n_clusters, numbers.Integral):
        n_clusters = [n_clusters]
    ks = sorted({check_int(k, "n_clusters", low=2) for k in n_clusters})
    if not ks:
        raise ValueError("The 'n_clusters' parameter is empty; give at least one k >= 2.")
    n_bootstrap = check_int(n_bootstrap, "n_bootstrap", low=1)
    n = len(X)
    if ks[-1] >= n:
        raise ValueError(f"n_samples={n} should be > k={ks[-1]}.")
    models = dict(fitted or {})
    seeds = child_seeds(random_state, 2 * len(ks) + 1)
    needed = sorted(set(ks) | {k - 1 for k in ks})
    for i, k in enumerate(needed):
        if k not in models:
            models[k] = _fit(estimator, k_param, k, X, seeds[i])
    ll = {k: _loglik(models[k], X) for k in needed}
    npar = {k: _n_parameters(models[k]) for k in needed}

    rows, boot = [], {}
    for j, k in enumerate(ks):
        lmr = lmr_test(n, ll[k - 1], npar[k - 1], k - 1, ll[k], npar[k], k)
        row = {"k": k, "loglik": ll[k], "n_parameters": npar[k], "lr": lmr["lr"],
               "lmr": np.nan, "lmr_df": np.nan, "lmr_p": np.nan, "blrt_p": np.nan,
               "n_bootstrap": 0}
        if "lmr" in tests:
            row.update(lmr=lmr["lmr"], lmr_df=lmr["df"], lmr_p=lmr["p"])
        if "blrt" in tests:
            b_seeds = child_seeds(seeds[len(needed) + j], n_bootstrap)
            stats = Parallel(n_jobs=n_jobs)(
                delayed(_bootstrap_lr)(estimator, k_param, k, models[k - 1], n, s)
                for s in b_seeds)
            stats = np.asarray(stats, dtype=float)
            boot[k] = stats
            row["blrt_p"] = float((1 + np.sum(stats >= lmr["lr"])) / (n_bootstrap + 1))
            row["n_bootstrap"] = n_bootstrap
        rows.append(row)
    return LRTestResult(pd.DataFrame(rows), boot)


def _bootstrap_lr(estimator, k_param, k, null, n, seed):
    """LR of k against k - 1 on one sample drawn from the fitted k - 1 model."""
    rng = np.random.default_rng(seed)
    s_draw, s0, s1 = (int(v) for v in rng.integers(0, 2**31 - 1, size=3))
    Xb = _draw(null, n, s_draw)
    m0 = _fit(estimator, k_param, k - 1, Xb, s0)
    m1 = _fit(estimator, k_param, k, Xb, s1)
    return max(0.0, 2.0 * (_loglik(m1, Xb) - _loglik(m0, Xb)))
