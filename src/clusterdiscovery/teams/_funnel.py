"""Funnel-plot arithmetic: observed against expected per unit, control limits, overdispersion.

Each unit (a team) has an observed total ``obs``, an expected total ``E`` from a reference
model (indirect standardisation: every client contributes the expected value of the
population's clients of the same cluster, and case mix), and the variance ``V`` of ``obs``
under the null hypothesis that the unit performs as expected. The funnel shows the
indicator on the scale of the target ``theta0`` (the population value):

* ``"proportion"`` and ``"rate"``: the indirectly standardised value ``theta0 * obs / E``;
* ``"mean"``: ``theta0 + (obs - E) / n``.

Its standard error under the null is ``se = theta0 * sqrt(V) / E`` (ratio) or
``sqrt(V) / n`` (mean). The funnel's horizontal axis is the *effective number of
clients* ``n_eff = s0^2 / se^2``, where ``s0`` is one client's standard deviation at the
target (``sqrt(theta0 (1 - theta0))``, ``sqrt(theta0)``, or the residual standard
deviation): for a mean it is the team's size, and with homogeneous case mix it is the
size for the other indicators too. On that axis every team's own limits lie exactly on
the curves ``theta0 +/- z s0 / sqrt(n_eff)``.

References
----------
Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
*Statistics in Medicine*, 24, 1185-1202 (control limits at 95% and 99.8%, z = 1.96 and
3.09; the multiplicative overdispersion factor from 10%-winsorised z-scores, section 4).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["LIMITS", "standard_errors", "winsorised_phi", "z_of"]

#: Two-sided coverage of the funnel's control limits (Spiegelhalter 2005, section 2.3).
LIMITS = (0.95, 0.998)


def z_of(coverage: float) -> float:
    """The normal quantile of a two-sided coverage (1.96 for 0.95, 3.09 for 0.998)."""
    return float(stats.norm.ppf(0.5 + coverage / 2))


def standard_errors(kind: str, theta0: float, obs, E, V, n):
    """Indicator, its null standard error and the effective number of clients per unit."""
    obs, E, V, n = (np.asarray(a, dtype=float) for a in (obs, E, V, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "mean":
            indicator = theta0 + (obs - E) / n
            se = np.sqrt(V) / n
        else:
            indicator = theta0 * obs / E
            se = theta0 * np.sqrt(V) / E
    return indicator, se


def winsorised_phi(z, fraction: float = 0.1) -> float:
    """Multiplicative overdispersion ``phi``: the mean squared z-score after winsorising.

    The ``fraction`` smallest and largest z-scores are set to the nearest retained value
    (Spiegelhalter 2005, section 4.1); ``phi = mean(z_w^2)``, never below 1.
    """
    z = np.asarray(z, dtype=float)
    z = z[np.isfinite(z)]
    if z.size < 3:
        return 1.0
    lo, hi = np.quantile(z, [fraction, 1 - fraction])
    zw = np.clip(z, lo, hi)
    return float(max(1.0, np.mean(zw * zw)))
