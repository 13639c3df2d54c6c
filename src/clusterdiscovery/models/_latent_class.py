"""Latent class model (finite mixture) for categorical, gaussian, lognormal and count columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .._stats import information_criteria, relative_entropy
from .._utils import (
    check_int,
    check_positive,
    check_random_state,
    check_weight_type,
    sampling_scale,
)
from . import _lca_io as _io
from ._em_accel import ACCELERATORS
from ._lca_base import _LatentClassBase, _single_threaded_blas
from ._lca_dask import is_dask_collection
from ._lca_data import (
    GAU_BLOCK,
    compress,
    table_columns,
)
from ._lca_data import as_table as _as_table
from ._starts import _near_best  # noqa: F401  (tests import it from here)

__all__ = ["LatentClassModel"]

_TINY = 1e-300



class LatentClassModel(_LatentClassBase, ClusterMixin, BaseEstimator):
    """Latent class model with categorical, gaussian, lognormal and Poisson indicators (EM).

    Each client belongs to one of ``n_components`` unobserved classes; given the class, the
    columns are independent (local independence). A categorical column has class-specific
    level probabilities (any number of levels; integer codes, strings, booleans or pandas
    categoricals), a gaussian column a class-specific mean and variance, a lognormal column
    (skewed values ``x >= 0`` such as durations or costs) a class-specific mean and variance
    of ``log1p(x)``, a Poisson column a class-specific rate (counts such as service
    contacts), and a two-part column (``"twopart"``: a measure ``x >= 0`` with many exact
    zeros, such as costs or days in hospital) a class-specific probability of ``x > 0`` and,
    above zero, a lognormal mean and variance (Olsen and Schafer 2001; Mplus's
    ``DATA TWOPART``), so that a class is not pulled onto the zeros by a gaussian whose
    variance collapses there. NaN (or ``None``/``pd.NA``) is
    missing: the cell is left out of that row's likelihood (full-information maximum
    likelihood under missing at random), as poLCA with ``na.rm=FALSE`` and StepMix's
    ``*_nan`` models do.

    The EM works in log space, floors probabilities at ``min_prob`` (so empty cells never
    produce ``log(0)``) and floors variances at ``var_floor`` times the column's overall
    variance (for a lognormal column: of ``log1p(x)``). The log-likelihood of a lognormal
    column is that of ``x`` itself, ``log N(log1p(x); mu_k, sigma2_k) - log1p(x)`` (the
    Jacobian term is the same in every class, so it leaves posteriors unchanged but makes
    ``loglik_``, ``score_samples`` and the information criteria comparable with a gaussian
    model of the same column). Identical rows are collapsed into response patterns with frequency weights
    when that shrinks the data, and the E and M steps are sparse/dense matrix products.

    Parameters
    ----------
    n_components : int, default=2
        Number of latent classes.
    measurement : str or dict, default="categorical"
        ``"categorical"``, ``"ordinal"``, ``"gaussian"``, ``"lognormal"``, ``"poisson"`` or
        ``"twopart"`` for every column, or a dict ``{column: type}`` naming every column
        (positions ``0..p-1`` for arrays). A ``"lognormal"`` column must be numeric and
        ``>= 0``; it is modelled as gaussian on the ``log1p`` scale. A ``"twopart"`` column
        must be ``>= 0`` with zeros and at least two different values above zero; its
        ``probabilities_`` are those of the levels 0 (zero) and 1 (above zero) and its
        ``means_``/``variances_`` those of ``log1p(x)`` for ``x > 0`` (3 parameters per
        class).
    n_init : int, default=1
        Number of starts; the one with the highest log-likelihood is kept.
    init : {"random", "kmeans"}, default="random"
        ``"random"``: random item-response probabilities (Dirichlet), means drawn from the
        data, equal class shares (as poLCA). ``"kmeans"``: k-means on the one-hot and
        standardised columns of (a sample of) the data gives the starting partition.
    max_iter : int, default=1000
        Maximum number of EM iterations per start.
    tol : float, default=1e-8
        Convergence threshold on the change of the mean log-likelihood per row.
    start_tol : float, default=1e-5
        With ``n_init > 1``, every start is first run until the mean log-likelihood per row
        changes by less than ``start_tol``; the best of these short runs, and up to four
        more within ``max(1, 100 * start_tol * n)`` log-likelihood units of it (close
        maxima are not told apart by short runs), are then run to ``tol`` and the best
        kept (the short-runs strategy of Biernacki, Celeux and Govaert 2003: starts heading
        for clearly worse maxima are not run to full convergence). ``start_tol <= tol``
        runs every start to ``tol``.
    min_prob : float, default=1e-10
        Floor for class shares, level probabilities and Poisson rates.
    var_floor : float, default=1e-6
        Floor for a gaussian variance, relative to the column's overall variance (of
        ``log1p(x)`` for a lognormal column).
    handle_unknown : {"error", "missing"}, default="error"
        What to do with a categorical level at predict time that was not seen in ``fit``.
    accelerate : {"squarem", "none"}, default="squarem"
        ``"squarem"``: EM accelerated by squared extrapolation (Varadhan and Roland 2008),
        a monotone EM that reaches the same fixed points in several times fewer steps;
        ``"none"``: plain EM. ``n_iter_`` counts M-steps either way.
    weight_type : {"sampling", "frequency"}, default="sampling"
        How ``sample_weight`` is read for standard errors (the estimates are the same):
        ``"sampling"`` (survey weights) rescales the weights to sum to the number of
        weighted rows, as Mplus and LatentGOLD do, so that the latent class regression's
        standard errors do not depend on the weights' scale; ``"frequency"``: a weight of 2
        is two identical rows.
    covariate_information : {"empirical", "observed"}, default="empirical"
        Standard errors of the latent class regression (``fit(X, covariates=...)``):
        ``"empirical"`` inverts the outer product of the per-row score vectors of all
        parameters, as poLCA (Bandeen-Roche et al. 1997); ``"observed"`` inverts minus
        the Jacobian of the total score (numerical, slower).
    random_state : int, RandomState instance or None, default=None
        Seed for the starts (resolved once per ``fit``).

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
        Class shares.
    measurement_ : dict
        Column -> measurement type.
    categories_ : dict
        Categorical column -> array of levels (the order of ``probabilities_`` columns).
    probabilities_ : dict
        Categorical column -> array (n_components, n_levels) of level probabilities.
    means_, variances_ : dict
        Gaussian column -> array (n_components,); lognormal columns too, on the
        ``log1p`` scale (class mean and variance of ``log1p(x)``).
    rates_ : dict
        Poisson column -> array (n_components,).
    loglik_ : float
        Total log-likelihood of the training data at the fitted parameters.
    lower_bound_ : float
        ``loglik_`` divided by the number (total weight) of rows, as in scikit-learn.
    n_parameters_ : int
        Free parameters: ``(K-1) + K*sum_j(L_j-1)`` for categorical columns, ``+2K`` per
        gaussian or lognormal and ``+K`` per Poisson column (the count poLCA and StepMix use).
    converged_ : bool
        Whether the best start converged.
    n_iter_ : int
        EM iterations (M-steps) of the best start, its short run included.
    labels_ : ndarray of shape (n_samples,)
        Modal class of each training row.
    covariate_coef_ : ndarray of shape (n_components, 1 + n_covariates)
        Only after ``fit(X, covariates=...)``: multinomial-logit coefficients of class
        membership, column 0 the intercept, row 0 (class 0, the reference) zero.
        ``weights_`` are then the mean prior class probabilities of the training rows.
    covariate_se_ : ndarray of shape (n_components, 1 + n_covariates)
        Their standard errors (row 0 zero).
    covariate_cov_ : ndarray
        Covariance matrix of ``covariate_coef_[1:].ravel()``.
    covariate_names_ : ndarray of str
        ``["intercept", *covariate column names]``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when ``X`` was a DataFrame with string column names.

    See Also
    --------
    sklearn.mixture.GaussianMixture : the model for all-gaussian data with full covariances.

    References
    ----------
    .. [1] Goodman, L. A. (1974). Exploratory latent structure analysis using both
       identifiable and unidentifiable models. Biometrika, 61(2), 215-231.
    .. [2] Linzer, D. A. and Lewis, J. B. (2011). poLCA: An R package for polytomous
       variable latent class analysis. Journal of Statistical Software, 42(10), 1-29.
    .. [3] Morin, S., Legault, R., Laliberte, F., Bakk, Z., Giguere, C.-E., de la Sablonniere,
       R. and Lacourse, E. (2025). StepMix: A Python package for pseudo-likelihood
       estimation of generalized mixture models with external variables. Journal of
       Statistical Software, 113(8).
    .. [4] Vermunt, J. K. and Magidson, J. (2002). Latent class cluster analysis. In
       Hagenaars and McCutcheon (eds.), Applied Latent Class Analysis, 89-106.
    .. [5] Bandeen-Roche, K., Miglioretti, D. L., Zeger, S. L. and Rathouz, P. J. (1997).
       Latent variable regression for multiple discrete outcomes. Journal of the American
       Statistical Association, 92(440), 1375-1386.
    .. [6] Biernacki, C., Celeux, G. and Govaert, G. (2003). Choosing starting values for
       the EM algorithm for getting the highest likelihood in multivariate Gaussian
       mixture models. Computational Statistics & Data Analysis, 41(3-4), 561-575.
    .. [7] Varadhan, R. and Roland, C. (2008). Simple and globally convergent methods for
       accelerating the convergence of any EM algorithm. Scandinavian Journal of
       Statistics, 35(2), 335-353.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from clusterdiscovery.models import LatentClassModel
    >>> rng = np.random.default_rng(0)
    >>> z = rng.integers(0, 2, 500)
    >>> X = pd.DataFrame({f"item{j}": rng.random(500) < np.where(z == 1, 0.9, 0.1)
    ...                   for j in range(5)})
    >>> lca = LatentClassModel(2, n_init=3, random_state=0).fit(X)
    >>> lca.n_parameters_
    11
    >>> bool(lca.converged_)
    True
    """

    def __init__(
        self,
        n_components=2,
        *,
        measurement="categorical",
        n_init=1,
        init="random",
        max_iter=1000,
        tol=1e-8,
        start_tol=1e-5,
        min_prob=1e-10,
        var_floor=1e-6,
        handle_unknown="error",
        accelerate="squarem",
        covariate_information="empirical",
        weight_type="sampling",
        random_state=None,
    ):
        self.n_components = n_components
        self.measurement = measurement
        self.n_init = n_init
        self.init = init
        self.max_iter = max_iter
        self.tol = tol
        self.start_tol = start_tol
        self.min_prob = min_prob
        self.var_floor = var_floor
        self.handle_unknown = handle_unknown
        self.accelerate = accelerate
        self.covariate_information = covariate_information
        self.weight_type = weight_type
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    # ------------------------------------------------------------------ validation
    def _check_params(self):
        check_int(self.n_components, "n_components", low=1)
        check_int(self.n_init, "n_init", low=1)
        check_int(self.max_iter, "max_iter", low=1)
        check_positive(self.tol, "tol", strict=False)
        check_positive(self.start_tol, "start_tol", strict=False)
        check_positive(self.min_prob, "min_prob")
        check_positive(self.var_floor, "var_floor")
        if self.min_prob >= 0.01:
            raise ValueError(f"The 'min_prob' parameter must be < 0.01. Got {self.min_prob}.")
        if self.init not in ("random", "kmeans"):
            raise ValueError(
                f"The 'init' parameter must be 'random' or 'kmeans'. Got {self.init!r} instead."
            )
        if self.accelerate not in ACCELERATORS:
            raise ValueError(
                f"The 'accelerate' parameter must be one of {ACCELERATORS}. "
                f"Got {self.accelerate!r} instead."
            )
        check_weight_type(self.weight_type)
        if self.covariate_information not in ("empirical", "observed"):
            raise ValueError(
                "The 'covariate_information' parameter must be 'empirical' or 'observed'. "
                f"Got {self.covariate_information!r} instead."
            )
        if self.handle_unknown not in ("error", "missing"):
            raise ValueError(
                "The 'handle_unknown' parameter must be 'error' or 'missing'. "
                f"Got {self.handle_unknown!r} instead."
            )

    # ------------------------------------------------------------------ public API
    def fit(self, X, y=None, *, covariates=None, sample_weight=None):  # noqa: ARG002 (scikit-learn's API)
        """Fit the model by EM from ``n_init`` starts and keep the best.

        Parameters
        ----------
        X : DataFrame, array-like of shape (n_samples, n_features) or Dask DataFrame
            NaN marks a missing cell. A :class:`dask.dataframe.DataFrame` is fitted by EM
            partition by partition, with the same result as in memory (``labels_`` is
            then a lazy Dask Series).
        y : ignored
        covariates : DataFrame or array-like of shape (n_samples, n_covariates), optional
            Latent class regression: class membership follows a multinomial logit on these
            numeric columns (an intercept is added; class 0 is the reference), estimated
            jointly with the classes by EM (Bandeen-Roche et al. 1997; poLCA's
            ``formula``). Categorical covariates must be dummy-coded first; NaN, constant
            or collinear covariates raise. See ``covariate_coef_``, ``covariate_se_`` and
            :meth:`covariate_frame`.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights: the estimates and ``loglik_`` count a row of weight 2 as two
            identical rows; the latent class regression's standard errors follow
            ``weight_type`` (sampling weights by default: invariant to their scale).

        Returns
        -------
        self : LatentClassModel
        """
        if is_dask_collection(X):  # partitioned EM, the same fit (see _lca_dask)
            from ._lca_dask import fit_dask

            return fit_dask(self, X, sample_weight=sample_weight, covariates=covariates)
        self._check_params()
        X = _as_table(X)
        validate_data(self, X, reset=True, skip_check_array=True)
        K = self.n_components
        if X.shape[0] < K:
            raise ValueError(f"n_samples={X.shape[0]} should be >= n_components={K}.")
        if X.shape[0] < 2 and set(GAU_BLOCK) & set(self._resolve_measurement(
            table_columns(X)[0]
        ).values()):
            raise ValueError(
                f"n_samples={X.shape[0]}: a gaussian or lognormal column needs at least two rows to "
                "estimate a variance; pass more rows."
            )
        data = self._encode(X, fit=True)
        n = data.n
        sw = self._check_sample_weight(sample_weight, n)
        if covariates is not None:
            return self._fit_covariates(X, data, sw, covariates)
        self._drop_covariates()
        # Identical rows contribute identically: fit on weighted response patterns. Always
        # done (cheap, once) so weighted and repeated data give the same fit exactly.
        pdata, w = compress(data, self._n_levels, sw)
        if sw is not None:
            self._prune_levels(data, pdata)
        self._fit_patterns(pdata, w)
        del pdata  # free the patterns before the final E-step on all rows
        self.labels_ = self._predict_encoded(data)
        return self

    def _fit_covariates(self, X, data, sw, covariates):
        """Latent class regression (see ``_lca_covariates``); rows are not compressed."""
        from ._lca_covariates import (
            check_covariates,
            check_design,
            covariate_covariance,
            run_covariate_em,
        )

        index = X.index if isinstance(X, pd.DataFrame) else None
        Z, names = check_covariates(covariates, data.n, index=index)
        check_design(Z, names, sw)
        keep = np.ones(data.n, dtype=bool) if sw is None else sw > 0
        pdata = data.take(np.flatnonzero(keep))
        w = np.ones(pdata.n) if sw is None else sw[keep]
        Zk = Z[keep]
        if sw is not None:
            self._prune_levels(data, pdata)
        stats = self._column_stats(pdata, w)
        self._variance_floor = self.var_floor * stats["gvar"]
        D = self._design(pdata)
        rng = check_random_state(self.random_state)
        K = self.n_components
        best = None
        for _ in range(self.n_init):
            if self.init == "kmeans":
                start = self._kmeans_params(pdata, w, rng, stats)
            else:
                start = self._random_params(pdata, w, rng, stats)
            beta = np.zeros((K, Z.shape[1]))
            beta[:, 0] = start[0] - start[0][0]
            with _single_threaded_blas():
                out = run_covariate_em(self, D, w, Zk, start, beta, stats)
            # a later start must be better by more than the convergence tolerance: starts
            # reaching the same maximum (often with the classes swapped) differ only by
            # rounding, which must not decide the labelling (weighted = expanded rows)
            if best is None or out[2] > best[2] + self.tol * w.sum():
                best = out
        params, beta, ll, conv, n_iter = best
        with _single_threaded_blas():
            cov = covariate_covariance(self, pdata, D, w, params, Zk, beta,
                                       information=self.covariate_information)
        # sampling weights: the information of weights rescaled to the number of rows
        cov = cov / sampling_scale(sw, self.weight_type)
        self._beta = beta
        self._covariate_names = names
        prior = np.exp(beta @ Zk.T - (beta @ Zk.T).max(axis=0))
        prior /= prior.sum(axis=0)
        shares = prior @ w / w.sum()
        self._params = (np.log(np.maximum(shares, _TINY)), *params[1:])
        self._finish_fit(ll, w.sum(), conv, n_iter, stacklevel=4)
        q = Z.shape[1]
        self.n_parameters_ += (K - 1) * (q - 1)
        self.covariate_names_ = np.asarray(names, dtype=object)
        self.covariate_coef_ = beta.copy()
        self.covariate_cov_ = cov
        se = np.zeros((K, q))
        se[1:] = np.sqrt(np.maximum(np.diag(cov), 0.0)).reshape(K - 1, q)
        from ._lca_covariates import flag_separation

        self.covariate_estimable_ = flag_separation(self.covariate_coef_, Zk, names, se)
        self.covariate_se_ = se
        self.labels_ = self._predict_encoded(data, Z)
        return self

    def covariate_frame(self):
        """Tidy table of the latent class regression (class 0 the reference).

        Returns
        -------
        DataFrame
            One row per (class, covariate) for classes ``1..K-1``: ``coef`` (log odds of
            the class against class 0), ``se``, ``odds_ratio``, ``z``, ``p_value`` (two-sided,
            normal) and the 95% interval of the odds ratio ``ci_low``, ``ci_high``.
        """
        from ._lca_covariates import covariate_frame

        check_is_fitted(self, "covariate_coef_")
        return covariate_frame(self.covariate_coef_, self.covariate_cov_,
                               list(self.covariate_names_),
                               getattr(self, "covariate_estimable_", None))

    def _covariate_design(self, X, covariates, n):
        """Covariates (with intercept) for prediction, or None for a model without them."""
        if not hasattr(self, "_beta"):
            if covariates is not None:
                raise ValueError(
                    "covariates were passed, but the model was fitted without covariates; "
                    "refit with fit(X, covariates=...) or drop the argument."
                )
            return None
        if covariates is None:
            raise ValueError(
                "This model was fitted with covariates "
                f"{list(self.covariate_names_[1:])}; pass covariates=... (one row per row of "
                "X) to predict."
            )
        from ._lca_covariates import check_covariates

        index = X.index if isinstance(X, pd.DataFrame) else None
        Z, _ = check_covariates(covariates, n, index=index, names=self._covariate_names)
        return Z

    def _resp(self, X, covariates):
        data = self._check_X(X)
        Z = self._covariate_design(X, covariates, data.n)
        return self._log_resp_encoded(data, Z)

    def predict(self, X, covariates=None):
        """Modal (most probable) class of each row.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
        covariates : DataFrame or array-like, optional
            Required for a model fitted with covariates (the same columns).

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        R, _ = self._resp(X, covariates)
        return R.argmax(axis=0)

    def fit_predict(self, X, y=None, sample_weight=None, covariates=None):  # noqa: ARG002 (scikit-learn's API)
        """Fit and return ``labels_`` (identical to ``fit(X).predict(X)``)."""
        return self.fit(X, covariates=covariates, sample_weight=sample_weight).labels_

    def predict_proba(self, X, covariates=None):
        """Posterior class probabilities, shape (n_samples, n_components).

        For a model fitted with covariates, each row's prior is its own multinomial-logit
        class probability given ``covariates``.
        """
        R, _ = self._resp(X, covariates)
        return np.ascontiguousarray(R.T)

    def score_samples(self, X, covariates=None):
        """Log-likelihood of each row (missing cells left out), shape (n_samples,).

        With covariates: the log-likelihood of the items given the covariates.
        """
        _, ll = self._resp(X, covariates)
        return ll

    def score(self, X, y=None, sample_weight=None, covariates=None):  # noqa: ARG002 (scikit-learn's API)
        """Mean log-likelihood per row (weighted by ``sample_weight`` if given)."""
        ll = self.score_samples(X, covariates)
        sw = self._check_sample_weight(sample_weight, ll.size)
        return float(np.average(ll, weights=sw))

    def _total(self, X, sample_weight, covariates=None):
        ll = self.score_samples(X, covariates)
        sw = self._check_sample_weight(sample_weight, ll.size)
        if sw is None:
            return float(ll.sum()), float(ll.size)
        return float(ll @ sw), float(sw.sum())

    def _criteria(self, X, sample_weight, covariates):
        ll, n = self._total(X, sample_weight, covariates)
        return information_criteria(ll, self.n_parameters_, n)

    def bic(self, X, sample_weight=None, covariates=None):
        """Bayesian information criterion ``-2 LL + p log(n)`` (lower is better)."""
        return self._criteria(X, sample_weight, covariates)["bic"]

    def aic(self, X, sample_weight=None, covariates=None):
        """Akaike information criterion ``-2 LL + 2 p``."""
        return self._criteria(X, sample_weight, covariates)["aic"]

    def sabic(self, X, sample_weight=None, covariates=None):
        """Sample-size adjusted BIC ``-2 LL + p log((n + 2) / 24)`` (Sclove 1987)."""
        return self._criteria(X, sample_weight, covariates)["sabic"]

    def caic(self, X, sample_weight=None, covariates=None):
        """Consistent AIC ``-2 LL + p (log(n) + 1)`` (Bozdogan 1987)."""
        return self._criteria(X, sample_weight, covariates)["caic"]

    def entropy(self, X, sample_weight=None, covariates=None):
        """Relative entropy ``1 - sum_ik -p_ik log p_ik / (n log K)`` (1 = perfectly separated).

        NaN when ``n_components == 1``. As reported by poLCA, Mplus and StepMix.
        """
        R = self.predict_proba(X, covariates)
        return relative_entropy(R, self._check_sample_weight(sample_weight, R.shape[0]))

    def average_posterior(self, X):
        """Mean posterior probability of the assigned class, per class (NaN if empty).

        Returns
        -------
        avepp : ndarray of shape (n_components,)
        """
        R = self.predict_proba(X)
        labels = R.argmax(axis=1)
        K = R.shape[1]
        sums = np.bincount(labels, weights=R[np.arange(R.shape[0]), labels], minlength=K)
        counts = np.bincount(labels, minlength=K)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)

    def parameters_frame(self):
        """Tidy table of the fitted parameters (see :func:`._lca_io.parameters_frame`).

        Returns
        -------
        DataFrame
            Columns ``parameter`` (``class_share``, ``probability``, ``mean``,
            ``variance``, ``mean_log1p``, ``variance_log1p``, ``rate``), ``variable``,
            ``level``, ``class``, ``value`` and ``scale`` (``"log1p"`` for the mean and
            variance of a lognormal or two-part column, which describe ``log1p(x)``;
            ``"raw"`` otherwise).
        """
        return _io.parameters_frame(self)

    def sample(self, n_samples=1, random_state=None):
        """Draw rows from the fitted model (see :func:`._lca_io.sample`).

        Returns
        -------
        X : DataFrame of shape (n_samples, n_features)
        labels : ndarray of shape (n_samples,)
        """
        return _io.sample(self, n_samples, random_state)

    # ------------------------------------------------------------------ persistence
    def to_dict(self):
        """Fitted parameters as a plain JSON-able dict (see ``from_dict`` and
        :func:`._lca_io.to_dict`)."""
        return _io.to_dict(self)

    @classmethod
    def from_dict(cls, d):
        """Rebuild a fitted model from :meth:`to_dict` output (see
        :func:`._lca_io.from_dict`): it predicts from a DataFrame with the stored column
        names, or from an array with the columns in the stored order."""
        return _io.from_dict(cls, d)
