"""The latent class model's engine: encoding, the EM's kernels put together from the
measurement modules, the fit from several starts, refits on subsets of rows, and publishing
the fitted parameters.

:class:`_LatentClassBase` is the shared base of the public estimator
(:class:`~clusterdiscovery.models.LatentClassModel`, which holds the parameters, their
checks, ``fit`` and the predictions), in the way scikit-learn's ``BaseMixture`` carries the
fit loop of its mixture models. Each measurement type's maths is in its own module
(``_item_categorical``, ``_item_gaussian``, ``_item_poisson``, ``_ordinal``; a two-part item is
encoded as a categorical and a gaussian column by ``_lca_data``); the latent transition
model (``_lta``), the latent class regression (``_lca_covariates``), the partitioned EM
(``_lca_dask``) and the distal outcomes (``profiling._distal``) reuse these kernels.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import ThreadpoolController

from .._utils import check_random_state, check_sample_weight
from ..exceptions import ConvergenceWarning
from . import _item_categorical as _categorical
from . import _item_gaussian as _gaussian
from . import _item_poisson as _poisson
from ._em_accel import run_em
from ._lca_dask import is_dask_collection
from ._lca_data import (
    CAT_BLOCK,
    GAU_BLOCK,
    KINDS,
    RowSubsets,
    as_table,
    design,
    encode,
    table_columns,
)
from ._starts import _near_best

_TINY = 1e-300

_CONTROLLER = []  # one ThreadpoolController, made on first use (it scans loaded libraries)


def _single_threaded_blas():
    """Context limiting BLAS to one thread (``threadpoolctl``), cheap to enter.

    ``threadpool_limits(...)`` inspects every loaded library on each call (about 0.2 ms,
    more with many libraries loaded); a fit enters it several times and stability
    resampling fits hundreds of models, so the controller is made once and reused.
    """
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="blas")


class _LatentClassBase:
    """Encoding, EM kernels and the fit loop of the latent class model (see the module)."""

    def _resolve_measurement(self, keys):
        """Column -> kind; ``"ordinal"`` items are encoded as categorical blocks whose
        M-step is the adjacent-category logit (``_ordinal``); their keys are kept."""
        resolved = self._resolve_kinds(keys)
        self._ordinal_keys = [k for k, v in resolved.items() if v == "ordinal"]
        return {k: ("categorical" if v == "ordinal" else v) for k, v in resolved.items()}

    def _resolve_kinds(self, keys):
        spec = self.measurement
        valid = ", ".join(repr(k) for k in (*KINDS, "ordinal"))
        if isinstance(spec, str):
            if spec not in (*KINDS, "ordinal"):
                raise ValueError(
                    f"The 'measurement' parameter must be one of {valid} or a dict "
                    f"{{column: type}}. Got {spec!r} instead."
                )
            return dict.fromkeys(keys, spec)
        if not isinstance(spec, dict):
            raise TypeError(
                "The 'measurement' parameter must be a str or a dict {column: type}; "
                f"got {type(spec).__name__}."
            )
        unknown = [k for k in spec if k not in keys]
        if unknown:
            raise ValueError(
                f"The 'measurement' dict names column(s) {unknown} that are not in X "
                f"(columns: {list(keys)[:20]}). Fix the names or drop those entries."
            )
        absent = [k for k in keys if k not in spec]
        if absent:
            raise ValueError(
                f"The 'measurement' dict has no entry for column(s) {absent}; give each "
                f"column a type ({valid}) or drop those columns from X."
            )
        for k, v in spec.items():
            if v not in (*KINDS, "ordinal"):
                raise ValueError(
                    f"Unknown measurement {v!r} for column {k!r}; use one of {valid}."
                )
        return {k: spec[k] for k in keys}

    def _check_sample_weight(self, sample_weight, n):
        return check_sample_weight(sample_weight, n)

    # ------------------------------------------------------------------ structure
    def _set_structure(self, keys, kinds, levels):
        self._keys = list(keys)
        self._kinds = list(kinds)
        self._ordinal_warm = None  # each fit starts its ordinal M-steps afresh
        cat_idx = [j for j, k in enumerate(kinds) if k in CAT_BLOCK]
        self._n_levels = np.array([len(levels[j]) for j in cat_idx], dtype=np.int64)
        self._offsets = np.concatenate([[0], np.cumsum(self._n_levels)[:-1]]).astype(np.int64)
        self._total_levels = int(self._n_levels.sum())
        self._block_of = np.repeat(np.arange(self._n_levels.size), self._n_levels)
        self._levels = levels
        self.measurement_ = dict(zip(keys, kinds))
        self.categories_ = {keys[j]: np.asarray(levels[j]) for j in cat_idx}  # two-part: 0, 1
        # ordinal items: categorical blocks with the adjacent-category M-step (_ordinal)
        spec = self.measurement
        ordinal = {k for k in keys if (spec == "ordinal" if isinstance(spec, str)
                                        else isinstance(spec, dict) and spec.get(k) == "ordinal")}
        self.ordinal_items_ = [keys[j] for j in cat_idx if keys[j] in ordinal]
        self._ordinal_blocks = [b for b, j in enumerate(cat_idx) if keys[j] in ordinal]

    def _encode(self, X, *, fit):
        if fit:
            keys, _, _ = table_columns(X)
            kinds = list(self._resolve_measurement(keys).values())
            data, levels = encode(X, kinds, None, fit=True)
            self._set_structure(keys, kinds, levels)
            return data
        data, _ = encode(X, self._kinds, self._levels, fit=False,
                         handle_unknown=self.handle_unknown)
        return data

    def _design(self, data):
        return design(data, self._offsets, self._total_levels)

    # ------------------------------------------------------------------ EM kernels
    # Each measurement type's maths is in its own module (_item_categorical, _item_gaussian,
    # _item_poisson; ordinal items in _ordinal, two-part items encoded as a categorical and
    # a gaussian column in _lca_data): these methods only put the blocks together.
    def _log_joint(self, D, params):
        """Class-dependent log p(x_i, class k) for every row, shape (K, m)."""
        log_w, logP, mu, var, lam = params
        A = _categorical.log_joint(D, logP, log_w)
        _gaussian.log_joint(A, D, mu, var)
        _poisson.log_joint(A, D, lam)
        return A

    @staticmethod
    def _normalise(A):
        """Turn log joint ``A`` (K, m) into responsibilities in place; return log p(x_i)."""
        mx = A.max(axis=0)
        A -= mx
        np.exp(A, out=A)
        s = A.sum(axis=0)
        A /= s
        return mx + np.log(s)

    def _m_step(self, D, R, w, stats):
        """M-step from responsibilities ``R`` (K, m) and pattern weights ``w`` (m,)."""
        return self._m_params(self._m_stats(D, R, w, stats), stats)

    def _m_stats(self, D, R, w, stats):
        """Sufficient statistics of the M-step: weighted sums, additive over blocks of rows
        (the partitioned Dask EM adds these dicts over partitions)."""
        Rw = R * w
        RwT = Rw.T
        S = {"Nk": Rw.sum(axis=1)}
        S.update(_categorical.m_stats(D, Rw, RwT, self._total_levels))
        S.update(_gaussian.m_stats(D, RwT, stats["gmean"]))
        S.update(_poisson.m_stats(D, RwT))
        return S

    def _m_params(self, S, stats):
        """Parameters ``(log_w, logP, mu, var, lam)`` from summed statistics ``S``."""
        K = self.n_components
        Nk = S["Nk"]
        shares = np.maximum(Nk / Nk.sum(), self.min_prob)
        log_w = np.log(shares / shares.sum())
        logP = _categorical.m_params(self, S, K)
        mu, var = _gaussian.m_params(S, stats, K, self.var_floor)
        lam = _poisson.m_params(S, stats, K, self.min_prob)
        return log_w, logP, mu, var, lam

    def _ordinal_start(self):
        """Newton starting values carried between ordinal M-steps (speed only)."""
        if getattr(self, "_ordinal_warm", None) is None:
            self._ordinal_warm = {}
        return self._ordinal_warm

    def _random_params(self, data, _w, rng, stats):  # _w: the same call as _kmeans_params
        K = self.n_components
        log_w = np.full(K, -np.log(K))
        logP = _categorical.random_start(self._n_levels, K, rng, self.min_prob)
        mu, var = _gaussian.random_start(data.gau, stats, K, rng)
        lam = _poisson.random_start(data.poi, stats, K, rng, self.min_prob)
        return log_w, logP, mu, var, lam

    def _kmeans_params(self, data, w, rng, stats):
        from sklearn.cluster import KMeans

        K = self.n_components
        n_sub = min(data.n, 20000)
        p = w / w.sum()
        idx = rng.choice(data.n, size=n_sub, replace=data.n < n_sub, p=p)
        sub = data.take(idx)
        D = self._design(sub)
        parts = []
        if self._total_levels:
            parts.append(_categorical.kmeans_features(D))
        if D.xg.shape[0]:
            parts.append(_gaussian.kmeans_features(sub.gau, stats))
        if D.xp.shape[0]:
            parts.append(_poisson.kmeans_features(sub.poi))
        F = np.hstack(parts)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        labels = KMeans(K, n_init=1, random_state=seed).fit_predict(F)
        R = np.full((K, n_sub), 0.1 / K)
        R[labels, np.arange(n_sub)] += 0.9
        return self._m_step(D, R, np.ones(n_sub), stats)

    def _e_step(self, D, w, params):
        """Responsibilities (K, m) at ``params`` and the total log-likelihood there."""
        A = self._log_joint(D, params)
        lse = self._normalise(A)
        return A, float(w @ (lse + D.const))

    def _run_em(self, D, w, params, stats, tol=None):
        tol = self.tol if tol is None else tol
        return run_em(self, lambda p: self._e_step(D, w, p),
                      lambda A: self._m_step(D, A, w, stats), params,
                      tol=tol * w.sum(), max_iter=self.max_iter)

    def _fit_patterns(self, pdata, w):
        """EM from ``n_init`` starts on weighted response patterns; keep the best."""
        stats = self._column_stats(pdata, w)
        self._variance_floor = self.var_floor * stats["gvar"]
        D = self._design(pdata)
        rng = check_random_state(self.random_state)
        runs = []
        short = self.start_tol if self.n_init > 1 and self.start_tol > self.tol else None
        for _ in range(self.n_init):
            if self.init == "kmeans":
                start = self._kmeans_params(pdata, w, rng, stats)
            else:
                start = self._random_params(pdata, w, rng, stats)
            # The products are thin (K columns) and memory-bound: BLAS threads only add
            # synchronisation cost, so run them single-threaded (as scikit-learn's k-means).
            with _single_threaded_blas():
                params, ll, conv, n_iter, _ = self._run_em(D, w, start, stats, tol=short)
            runs.append((params, ll, conv, n_iter))
        best = max(runs, key=lambda r: r[1])
        if short is not None:  # short runs near the best are taken to convergence
            best = None
            for params, ll, conv, n_iter in _near_best(runs, short * w.sum()):
                with _single_threaded_blas():
                    params, ll, conv, more, _ = self._run_em(D, w, params, stats)
                if best is None or ll > best[1]:
                    best = (params, ll, conv, n_iter + more)
        params, ll, conv, n_iter = best
        del D  # free the pattern design before the final E-step on all rows
        self._params = params
        self._finish_fit(ll, w.sum(), conv, n_iter, stacklevel=4)

    # ------------------------------------------------------ refits on subsets of rows
    def _row_subsets(self, X):
        """``X`` encoded and compressed once for refits on subsets of its rows, or None.

        Private hook of :func:`~clusterdiscovery.assess_stability`: a bootstrap or
        subsample resample is a subset of the rows of ``X``, so its response patterns are
        taken from the full table's (:class:`~._lca_data.RowSubsets`) instead of encoding
        the resample again. This estimator is not modified.
        """
        if is_dask_collection(X):
            return None
        est = clone(self)
        est._check_params()
        X = as_table(X)
        validate_data(est, X, reset=True, skip_check_array=True)
        data = est._encode(X, fit=True)
        category_order = [isinstance(X, pd.DataFrame)
                          and isinstance(X.iloc[:, j].dtype, pd.CategoricalDtype)
                          for j in range(X.shape[1])]
        subsets = RowSubsets(data, est._levels, est._kinds, category_order)
        subsets.keys = est._keys
        subsets.features = {name: getattr(est, name) for name in
                            ("n_features_in_", "feature_names_in_") if hasattr(est, name)}
        return subsets

    def _fit_subset_labels(self, subsets, idx, sample_weight=None):
        """Fit on rows ``idx`` of the table of ``subsets`` (weighted by ``sample_weight``,
        one weight per entry of ``idx``, when given); their labels, or None.

        The same fit as ``fit_predict`` on those rows (same patterns in the same order,
        same levels, same starts); None when the subset cannot be taken from the full
        table (see :meth:`RowSubsets.subset`), and the caller then fits on the rows.
        """
        idx = np.asarray(idx)
        if idx.size < self.n_components:
            return None
        got = subsets.subset(idx, sample_weight)
        if got is None:
            return None
        pdata, w, rows, levels = got
        self._check_params()
        self._set_structure(subsets.keys, subsets.kinds, levels)
        for name, value in subsets.features.items():
            setattr(self, name, value)
        self._drop_covariates()
        self._fit_patterns(pdata, w)
        self.labels_ = self._predict_encoded(pdata)[rows]
        return self.labels_

    def _drop_covariates(self):
        for name in ("_beta", "_covariate_names", "covariate_coef_", "covariate_se_",
                     "covariate_cov_", "covariate_names_", "covariate_estimable_"):
            if hasattr(self, name):
                delattr(self, name)

    def _finish_fit(self, ll, total_weight, conv, n_iter, stacklevel=3):
        self.loglik_ = ll
        self.lower_bound_ = ll / total_weight
        self.converged_ = bool(conv)
        self.n_iter_ = int(n_iter)
        self._publish_params()
        if not self.converged_:
            warnings.warn(
                f"LatentClassModel did not converge: the best of n_init={self.n_init} starts "
                f"stopped after max_iter={self.max_iter} EM iterations with the mean "
                f"log-likelihood still changing by more than tol={self.tol}. Try a larger "
                "max_iter, more starts (n_init) or init='kmeans', a larger tol, or fewer "
                f"classes if some are nearly empty (smallest class share "
                f"{self.weights_.min():.4f}).",
                ConvergenceWarning,
                stacklevel=stacklevel,
            )

    def _prune_levels(self, data, pdata):
        """Drop categorical levels seen only in zero-weight rows (recoding in place)."""
        levels = list(self._levels)
        changed = False
        ic = 0
        for j, kind in enumerate(self._kinds):
            if kind not in CAT_BLOCK:
                continue
            if kind == "twopart":  # fixed levels 0 / 1
                ic += 1
                continue
            codes = pdata.cat[:, ic]
            used = np.zeros(len(levels[j]), dtype=bool)
            used[codes[codes >= 0]] = True
            if not used.all():
                if not used.any():
                    raise ValueError(
                        f"Column {self._keys[j]!r} is missing in every row with a positive "
                        "sample_weight; drop it before fitting."
                    )
                new_code = np.where(used, np.cumsum(used) - 1, -1).astype(np.int32)
                for block in (pdata.cat, data.cat):
                    col = block[:, ic]
                    block[:, ic] = np.where(col >= 0, new_code[np.maximum(col, 0)], -1)
                levels[j] = np.asarray(levels[j])[used]
                changed = True
            ic += 1
        if changed:
            self._set_structure(self._keys, self._kinds, levels)

    def _column_stats(self, data, sw):
        def wmean(x, obs):
            ww = obs if sw is None else obs * sw[:, None]
            return (np.where(obs, x, 0.0) * ww).sum(0) / np.maximum(ww.sum(0), _TINY)

        og = ~np.isnan(data.gau)
        gmean = wmean(data.gau, og)
        gvar = wmean((data.gau - gmean) ** 2, og)
        gvar = np.where(gvar > 0, gvar, 1.0)
        op = ~np.isnan(data.poi)
        pmean = wmean(data.poi, op)
        return {"gmean": gmean, "gvar": gvar, "pmean": pmean}

    def _publish_params(self):
        log_w, logP, mu, var, lam = self._params
        self.weights_ = np.exp(log_w)
        self.probabilities_, self.means_, self.variances_, self.rates_ = {}, {}, {}, {}
        ic = ig = ip = 0
        for key, kind in zip(self._keys, self._kinds):
            if kind in CAT_BLOCK:
                a, L = self._offsets[ic], self._n_levels[ic]
                self.probabilities_[key] = np.exp(logP[a:a + L]).T.copy()
                ic += 1
            if kind in GAU_BLOCK:
                self.means_[key] = mu[ig].copy()
                self.variances_[key] = var[ig].copy()
                ig += 1
            elif kind == "poisson":
                self.rates_[key] = lam[ip].copy()
                ip += 1
        K = self.n_components
        self.n_parameters_ = int(
            (K - 1) + _categorical.n_parameters(self, K)
            + _gaussian.n_parameters(mu.shape[0], K) + _poisson.n_parameters(lam.shape[0], K)
        )

    def at_variance_floor(self):
        """Which classes have a gaussian (or lognormal) variance at its floor.

        A variance at ``var_floor`` times the column's variance means the class sits on
        (nearly) identical values of that column: a degenerate solution whose likelihood
        is limited only by the floor. :func:`~clusterdiscovery.compare_models` flags such
        solutions and the pipeline never chooses them.

        Returns
        -------
        ndarray of bool, shape (n_components,)
        """
        check_is_fitted(self, "_params")
        var = self._params[3]
        if var.shape[0] == 0:
            return np.zeros(self.n_components, dtype=bool)
        floor = self._variance_floor[:, None]
        return np.any(var <= floor * (1 + 1e-6), axis=0)

    def _check_X(self, X):
        check_is_fitted(self, "_params")
        X = as_table(X)
        validate_data(self, X, reset=False, skip_check_array=True)
        return self._encode(X, fit=False)

    def _log_resp_encoded(self, data, Z=None):
        D = self._design(data)
        params = self._params
        if Z is not None:
            from ._lca_covariates import log_prior

            params = (np.zeros(self.n_components), *params[1:])
        with _single_threaded_blas():
            A = self._log_joint(D, params)
            if Z is not None:
                A += log_prior(Z, self._beta)
        lse = self._normalise(A)
        return A, lse + D.const

    def _predict_encoded(self, data, Z=None):
        R, _ = self._log_resp_encoded(data, Z)
        return R.argmax(axis=0)
