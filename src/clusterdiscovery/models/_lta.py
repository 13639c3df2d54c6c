"""Latent transition analysis: latent classes at repeated assessments of the same clients,
linked by a Markov chain of class transitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._deprecate import renamed
from .._stats import information_criteria
from .._utils import check_int, check_positive, check_random_state
from ..exceptions import ConvergenceWarning
from ._latent_class import LatentClassModel, _single_threaded_blas
from ._lta_data import check_time_points
from ._lta_hmm import forward_backward, viterbi

__all__ = ["LatentTransitionModel"]


class LatentTransitionModel(BaseEstimator):
    """Latent transition model (a hidden Markov model with latent class measurement).

    At each time point ``t`` a client belongs to one of ``n_components`` classes; the items
    measured then are independent given the class, with the measurement types and the
    maths of :class:`LatentClassModel` (categorical, gaussian, lognormal, Poisson items;
    missing items left out). Classes follow a first-order Markov chain: initial shares
    ``initial_`` at the first assessment and transition probabilities ``transition_``
    (rows: class at ``t - 1``, columns: class at ``t``). A client not assessed at a time
    point (every item missing) is left out of that time point's likelihood (full
    information maximum likelihood), not dropped. Fitted by EM (Baum-Welch) from
    ``n_init`` random starts; the E-step is the forward-backward recursion.

    Parameters
    ----------
    n_components : int
        Number of latent classes (statuses).
    measurement : str or dict, default="categorical"
        As in :class:`LatentClassModel`.
    invariant : bool, default=True
        Measurement invariance: the items' class-conditional parameters are the same at
        every time point (so a class means the same thing at every assessment). False
        estimates them separately per time point; :meth:`invariance_test` compares the two.
    transitions : {"homogeneous", "interval"}, default="homogeneous"
        One transition matrix for every interval, or one per interval.
    n_init : int, default=10
        Random starts; the one with the highest log-likelihood is kept.
    max_iter : int, default=1000
    tol : float, default=1e-7
        Convergence threshold on the change of the log-likelihood per client.
    random_state : int, RandomState or None

    Attributes
    ----------
    initial_ : ndarray (K,)
    transition_ : ndarray (K, K), or (T - 1, K, K) with ``transitions="interval"``
    probabilities_, means_, variances_, rates_ : dict
        Item parameters (with ``invariant=False``: a list of such dicts, one per time).
    loglik_, bic_, aic_ : float
    n_parameters_ : int
        ``(K - 1) + K (K - 1)`` (times the number of intervals for ``"interval"``) plus
        the item parameters of :class:`LatentClassModel` (times ``T`` if not invariant).
    n_clients_ : int
        Clients assessed at least once (the ``n`` of the BIC).
    converged_ : bool
    n_iter_ : int

    References
    ----------
    Collins, L. M. and Lanza, S. T. (2010). *Latent Class and Latent Transition Analysis*.
    Wiley, ch. 6-7.
    Vermunt, J. K., Tran, B. and Magidson, J. (2008). Latent class models in longitudinal
    research. In Menard (ed.), *Handbook of Longitudinal Research*, 373-385.
    Baum, L. E., Petrie, T., Soules, G. and Weiss, N. (1970). A maximization technique
    occurring in the statistical analysis of probabilistic functions of Markov chains.
    *Annals of Mathematical Statistics*, 41(1), 164-171.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from clusterdiscovery.models import LatentTransitionModel
    >>> rng = np.random.default_rng(0)
    >>> z1 = rng.integers(0, 2, 400)
    >>> z2 = np.where(rng.random(400) < 0.8, z1, 1 - z1)
    >>> item = lambda z: pd.DataFrame({f"i{j}": (rng.random(400) < np.where(z == 1, .85, .15))
    ...                                .astype(int) for j in range(4)})
    >>> lta = LatentTransitionModel(2, n_init=3, random_state=0).fit([item(z1), item(z2)])
    >>> lta.transition_.shape
    (2, 2)
    """

    def __init__(self, n_components=2, *, measurement="categorical", invariant=True,
                 transitions="homogeneous", n_init=10, max_iter=1000, tol=1e-7,
                 random_state=None):
        self.n_components = n_components
        self.measurement = measurement
        self.invariant = invariant
        self.transitions = transitions
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    # ------------------------------------------------------------------ set-up
    def _check_params(self):
        check_int(self.n_components, "n_components", low=1)
        check_int(self.n_init, "n_init", low=1)
        check_int(self.max_iter, "max_iter", low=1)
        check_positive(self.tol, "tol", strict=False)
        if not isinstance(self.invariant, (bool, np.bool_)):
            raise TypeError(f"The 'invariant' parameter must be True or False; got "
                            f"{self.invariant!r}.")
        if self.transitions not in ("homogeneous", "interval"):
            raise ValueError("The 'transitions' parameter must be 'homogeneous' or "
                             f"'interval'; got {self.transitions!r}.")

    def _engine(self):
        return LatentClassModel(self.n_components, measurement=self.measurement)

    def _designs(self, frames, *, fit):
        """Encode every time point with one structure; return the designs."""
        n = frames[0].shape[0]
        stacked = pd.concat(frames, axis=0, ignore_index=True)
        eng = self._lca
        data = eng._encode(stacked, fit=fit)
        parts = [data.take(np.arange(t * n, (t + 1) * n)) for t in range(len(frames))]
        return data, [eng._design(p) for p in parts]

    # ------------------------------------------------------------------ EM
    def _emissions(self, D, item_params):
        K = self.n_components
        eng = self._lca
        out = []
        for t, Dt in enumerate(D):
            p = item_params[0 if self.invariant else t]
            out.append(eng._log_joint(Dt, (np.zeros(K), *p)))
        return out

    def _m_step(self, D, gamma, xi, w, stats, n_intervals):
        eng = self._lca
        log_pi = np.log(np.maximum(gamma[0] @ w / w.sum(), eng.min_prob))
        log_pi -= np.log(np.exp(log_pi).sum())
        if self.transitions == "homogeneous":
            counts = [sum(xi)] * n_intervals
        else:
            counts = xi
        A = [np.maximum(c, eng.min_prob) for c in counts]
        A = [a / a.sum(axis=1, keepdims=True) for a in A]
        if self.invariant:
            S = None
            for Dt, g in zip(D, gamma):
                St = eng._m_stats(Dt, g, w, stats)
                S = St if S is None else {k: S[k] + St[k] for k in S}
            items = [eng._m_params(S, stats)[1:]]
        else:
            items = [eng._m_params(eng._m_stats(Dt, g, w, stats), stats)[1:]
                     for Dt, g in zip(D, gamma)]
        return log_pi, A, items

    def _start(self, data, w_all, rng, stats, T):
        K = self.n_components
        eng = self._lca
        n_items = 1 if self.invariant else T
        items = [eng._random_params(data, w_all, rng, stats)[1:] for _ in range(n_items)]
        A = 0.6 * np.eye(K) + 0.4 * rng.dirichlet(np.ones(K), size=K)
        n_int = T - 1
        return np.full(K, -np.log(K)), [A / A.sum(axis=1, keepdims=True)] * n_int, items

    def _run(self, D, w, const, start, stats, max_iter, tol):
        log_pi, A, items = start
        ll_old, conv, it = -np.inf, False, 0
        while it < max_iter:
            it += 1
            logB = self._emissions(D, items)
            gamma, xi, ll_i = forward_backward(log_pi, A, logB, w)
            ll = float(w @ (ll_i + const))
            log_pi, A, items = self._m_step(D, gamma, xi, w, stats, len(A))
            if abs(ll - ll_old) <= tol * w.sum():
                conv = True
                break
            ll_old = ll
        logB = self._emissions(D, items)
        _, _, ll_i = forward_backward(log_pi, A, logB, need_xi=False)
        return (log_pi, A, items), float(w @ (ll_i + const)), conv, it

    def fit(self, X, y=None, *, start_from=None, _start=None, _engine=None):  # noqa: ARG002 (scikit-learn's API)
        """Fit by EM from ``n_init`` starts.

        Parameters
        ----------
        X : list of pandas.DataFrame
            One table per time point, in time order, with the same columns and the same
            client index (a client not assessed at a time point has a row of NaN there).
        y : ignored
        start_from : LatentClassModel, optional
            A latent class model fitted on the first time point's columns: its measurement
            (columns, types, levels) is kept, and EM starts once from its parameters (its
            class shares as initial shares, 0.8 on the diagonal of the transitions), so that
            class ``k`` of this model is class ``k`` of that one. Levels unseen by it count
            as missing. ``n_init`` and ``measurement`` are then not used.

        Returns
        -------
        self
        """
        self._check_params()
        frames = check_time_points(X, self.n_components)
        self.index_ = frames[0].index
        T, n = len(frames), frames[0].shape[0]
        if start_from is not None:
            self._lca, _start = _from_latent_class(start_from, self.n_components, T,
                                                   self.invariant)
        elif _engine is not None:  # a refit of this model (bootstrap, invariance test)
            import copy

            self._lca = copy.deepcopy(_engine)
        else:
            self._lca = self._engine()
            self._lca._check_params()
        fitted_structure = start_from is not None or _engine is not None
        if fitted_structure:
            frames = [f.reindex(columns=self._lca._keys) for f in frames]
        data, D = self._designs(frames, fit=not fitted_structure)
        stats = self._lca._column_stats(data, None)
        self._lca._variance_floor = self._lca.var_floor * stats["gvar"]
        const = sum(Dt.const for Dt in D)
        w = np.ones(n)
        rng = check_random_state(self.random_state)
        starts = [_start] if _start is not None else [
            self._start(data, np.ones(data.n), rng, stats, T) for _ in range(self.n_init)]
        best = None
        with _single_threaded_blas():
            for start in starts:
                out = self._run(D, w, const, start, stats, self.max_iter, self.tol)
                if best is None or out[1] > best[1] + self.tol * n:
                    best = out
        self._params, ll, conv, n_iter = best
        self._publish(ll, conv, n_iter, frames)
        return self

    def _publish(self, ll, conv, n_iter, frames):
        import warnings

        log_pi, A, items = self._params
        K, T = self.n_components, len(frames)
        self.n_time_points_ = T
        self.initial_ = np.exp(log_pi)
        self.transition_ = A[0].copy() if self.transitions == "homogeneous" else np.stack(A)
        eng = self._lca
        published = []
        for p in items:
            eng._params = (log_pi, *p)
            eng._publish_params()
            published.append({k: dict(getattr(eng, k)) for k in
                              ("probabilities_", "means_", "variances_", "rates_")})
        for k in ("probabilities_", "means_", "variances_", "rates_"):
            setattr(self, k, published[0][k] if self.invariant else [p[k] for p in published])
        item_par = eng.n_parameters_ - (K - 1)
        n_int = 1 if self.transitions == "homogeneous" else T - 1
        self.n_parameters_ = int((K - 1) + K * (K - 1) * n_int
                                 + item_par * (1 if self.invariant else T))
        assessed = np.zeros(frames[0].shape[0], dtype=bool)
        for f in frames:
            assessed |= f.notna().any(axis=1).to_numpy()
        self.n_clients_ = int(assessed.sum())
        self.loglik_ = ll
        crit = information_criteria(ll, self.n_parameters_, self.n_clients_)
        self.bic_, self.aic_ = float(crit["bic"]), float(crit["aic"])
        self.converged_ = bool(conv)
        self.n_iter_ = int(n_iter)
        if not conv:
            warnings.warn(f"LatentTransitionModel did not converge in max_iter={self.max_iter}"
                          " EM iterations; try a larger max_iter or tol.", ConvergenceWarning,
                          stacklevel=3)

    # ------------------------------------------------------------------ prediction
    def _posterior_inputs(self, X):
        check_is_fitted(self, "transition_")
        frames = check_time_points(X, 1, expected_columns=self._lca._keys,
                                   n_time_points=self.n_time_points_)
        _, D = self._designs(frames, fit=False)
        log_pi, A, items = self._params
        return log_pi, A, self._emissions(D, items), sum(Dt.const for Dt in D)

    def predict_proba(self, X) -> list:
        """Posterior class probabilities at every time point (forward-backward).

        Returns a list with one (n_clients, K) array per time point.
        """
        log_pi, A, logB, _ = self._posterior_inputs(X)
        gamma, _, _ = forward_backward(log_pi, A, logB, need_xi=False)
        return [g.T.copy() for g in gamma]

    def predict(self, X) -> np.ndarray:
        """Most likely class path of every client (Viterbi), shape (n_clients, T)."""
        log_pi, A, logB, _ = self._posterior_inputs(X)
        return viterbi(log_pi, A, logB)

    def score(self, X, y=None) -> float:  # noqa: ARG002 (scikit-learn's API)
        """Total log-likelihood of ``X`` at the fitted parameters."""
        log_pi, A, logB, const = self._posterior_inputs(X)
        _, _, ll = forward_backward(log_pi, A, logB, need_xi=False)
        return float((ll + const).sum())

    # ------------------------------------------------------------------ inference
    def invariance_test(self, X) -> dict:
        """Likelihood-ratio test of measurement invariance.

        Refits the model with item parameters free at every time point (started from this
        fit) and compares: ``lr = 2 (loglik_free - loglik_invariant)`` on
        ``df = n_parameters_free - n_parameters_invariant`` degrees of freedom, chi-square
        p-value (Collins and Lanza 2010, section 7.5). Only for a model fitted with
        ``invariant=True``.

        Returns
        -------
        dict with ``lr``, ``df``, ``p_value``, ``loglik_invariant``, ``loglik_free``,
        ``bic_invariant``, ``bic_free``.
        """
        from scipy import stats

        check_is_fitted(self, "transition_")
        if not self.invariant:
            raise ValueError("invariance_test compares against this model's invariant fit; "
                             "call it on a model fitted with invariant=True.")
        log_pi, A, items = self._params
        free = self.set_params_copy(invariant=False)
        free.fit(X, _start=(log_pi, list(A), items * self.n_time_points_), _engine=self._lca)
        lr = max(2 * (free.loglik_ - self.loglik_), 0.0)
        df = free.n_parameters_ - self.n_parameters_
        return {"lr": lr, "df": df, "p_value": float(stats.chi2.sf(lr, df)),
                "loglik_invariant": self.loglik_, "loglik_free": free.loglik_,
                "bic_invariant": self.bic_, "bic_free": free.bic_}

    def set_params_copy(self, **params):
        """An unfitted copy with some parameters changed (scikit-learn's clone + set)."""
        from sklearn.base import clone

        return clone(self).set_params(**params)

    def bootstrap_transitions(self, X, *, n_bootstrap=None, alpha=0.05, random_state=None,
                              n_resamples=None):
        """Bootstrap standard errors and percentile intervals of the transition matrix.

        Clients are resampled with replacement and the model refitted from the fitted
        parameters (one start, so the classes keep their meaning); sets
        ``transition_se_`` and returns a tidy table.

        Parameters
        ----------
        X : list of pandas.DataFrame
            The time points the model was fitted on.
        n_bootstrap : int, default=200
            Bootstrap resamples (``n_resamples``, the old spelling, is accepted for one
            release with a ``FutureWarning``).
        alpha : float, default=0.05
            1 - coverage of the percentile intervals.
        random_state : int, RandomState or None

        Returns
        -------
        DataFrame with ``from``, ``to`` (and ``interval`` for one matrix per interval),
        ``estimate``, ``se``, ``ci_low``, ``ci_high``.
        """
        check_is_fitted(self, "transition_")
        n_bootstrap = renamed("n_resamples", n_resamples, "n_bootstrap", n_bootstrap,
                              where="bootstrap_transitions")
        n_resamples = check_int(200 if n_bootstrap is None else n_bootstrap, "n_bootstrap",
                                low=2)
        frames = check_time_points(X, self.n_components, expected_columns=self._lca._keys,
                                   n_time_points=self.n_time_points_)
        rng = check_random_state(random_state)
        n = frames[0].shape[0]
        draws = []
        for _ in range(n_resamples):
            idx = rng.randint(0, n, n)
            sub = [f.iloc[idx].set_axis(pd.RangeIndex(n)) for f in frames]
            refit = self.set_params_copy(n_init=1)
            refit.fit(sub, _start=self._params, _engine=self._lca)
            draws.append(refit.transition_)
        draws = np.stack(draws)
        self.transition_se_ = draws.std(axis=0, ddof=1)
        lo, hi = np.quantile(draws, [alpha / 2, 1 - alpha / 2], axis=0)
        K = self.n_components
        est = self.transition_[None] if self.transition_.ndim == 2 else self.transition_
        lo, hi, se = (np.reshape(a, est.shape) for a in (lo, hi, self.transition_se_))
        rows = [{"interval": t, "from": i, "to": j, "estimate": est[t, i, j],
                 "se": se[t, i, j], "ci_low": lo[t, i, j], "ci_high": hi[t, i, j]}
                for t in range(est.shape[0]) for i in range(K) for j in range(K)]
        out = pd.DataFrame(rows)
        return out.drop(columns="interval") if self.transition_.ndim == 2 else out


def _from_latent_class(lca, K, T, invariant):
    """A copy of a fitted latent class model as measurement engine, and the EM start."""
    import copy

    check_is_fitted(lca, "weights_")
    if not isinstance(lca, LatentClassModel) or lca.n_components != K:
        raise ValueError("start_from must be a fitted LatentClassModel with the same "
                         f"n_components ({K}).")
    if getattr(lca, "_beta", None) is not None:
        raise ValueError("start_from is a latent class regression (covariates); start from a "
                         "model without covariates.")
    engine = copy.deepcopy(lca)
    engine.handle_unknown = "missing"
    log_w, *items = engine._params
    A = 0.8 * np.eye(K) + 0.2 * np.exp(log_w)[None, :]
    n_items = 1 if invariant else T
    n_int = T - 1
    return engine, (np.asarray(log_w), [A / A.sum(axis=1, keepdims=True)] * n_int,
                    [tuple(items)] * n_items)
