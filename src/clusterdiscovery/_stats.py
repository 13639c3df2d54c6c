"""One home for the small statistics shared by the models and the model comparison:
information criteria and the relative entropy of a classification.

Information criteria of a fit with log-likelihood ``LL``, ``p`` free parameters and ``n``
rows (or total weight): AIC ``-2 LL + 2 p`` (Akaike 1974), BIC ``-2 LL + p log n`` (Schwarz
1978), the sample-size adjusted BIC ``-2 LL + p log((n + 2) / 24)`` (Sclove 1987) and the
consistent AIC ``-2 LL + p (log n + 1)`` (Bozdogan 1987): lower is better, as poLCA, Mplus
and StepMix report them. The relative entropy ``1 - sum_ik -p_ik log p_ik / (n log K)`` is
1 for perfectly separated classes (Ramaswamy et al. 1993; Mplus's "entropy").
Numerical derivatives come from statsmodels (``statsmodels.tools.numdiff``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["information_criteria", "relative_entropy"]


def information_criteria(loglik: float, n_parameters: float, n: float) -> dict:
    """``{"aic", "bic", "sabic", "caic"}`` of a fit (see the module's docstring)."""
    ll, p = loglik, n_parameters
    return {"aic": -2 * ll + 2 * p, "bic": -2 * ll + p * np.log(n),
            "sabic": -2 * ll + p * np.log((n + 2) / 24), "caic": -2 * ll + p * (np.log(n) + 1)}


def relative_entropy(proba, sample_weight=None) -> float:
    """Relative entropy of posterior class probabilities ``proba`` (n, K), each row weighted
    by ``sample_weight`` when given; NaN for one class or no rows."""
    P = np.asarray(proba, dtype=np.float64)
    n, K = P.shape
    if K < 2 or n == 0:
        return float("nan")
    terms = -(P * np.log(np.clip(P, 1e-300, None)))
    if sample_weight is None:
        return float(1.0 - terms.sum() / (n * np.log(K)))
    w = np.asarray(sample_weight, dtype=np.float64)
    return float(1.0 - terms.sum(axis=1) @ w / (float(w.sum()) * np.log(K)))
