"""Which fitted solutions are degenerate, and which items sit at a variance floor."""

from __future__ import annotations

import numpy as np

__all__ = ["floor_items"]


def floor_items(est) -> str:
    """Items with a class variance at its floor, as text: ``"lc (class 2); lfam (class 1, 3)"``.

    :class:`~clusterdiscovery.LatentClassModel`: a gaussian or lognormal item whose variance
    in a class is ``var_floor`` times the item's variance (the class sits on nearly
    identical values of it: many exact zeros, or a column with a handful of values).
    scikit-learn's ``GaussianMixture`` adds ``reg_covar`` to every variance, so a component
    on identical values has a variance of ``reg_covar`` itself. Empty when none.
    """
    if hasattr(est, "_variance_floor") and hasattr(est, "_params"):
        var, floor = est._params[3], est._variance_floor[:, None]
        at = var <= floor * (1 + 1e-6)
        names = [k for k, kind in zip(est._keys, est._kinds)
                 if kind in ("gaussian", "lognormal", "twopart")]
    else:
        cov, reg = getattr(est, "covariances_", None), getattr(est, "reg_covar", None)
        if cov is None or reg is None:
            return ""
        cov = np.asarray(cov, dtype=float)
        if getattr(est, "covariance_type", "full") in ("full", "tied"):
            cov = np.diagonal(cov, axis1=-2, axis2=-1)
        cov = np.broadcast_to(np.atleast_2d(cov), (est.n_components, np.shape(cov)[-1]))
        at = (cov <= reg * (1 + 1e-3)).T
        names = list(getattr(est, "feature_names_in_", range(at.shape[0])))
    parts = [f"{names[j]} (class {', '.join(map(str, np.flatnonzero(at[j])))})"
             for j in range(at.shape[0]) if at[j].any()]
    return "; ".join(parts)


def _degenerate(final, counts, n, min_cluster_size) -> bool:
    """A class empty or below ``min_cluster_size`` rows (modal or expected count).

    A variance at its floor is not a rejection (it is reported in ``floor_items`` with a
    :class:`~clusterdiscovery.exceptions.VarianceFloorWarning`): on real tables a column
    with many zeros or a handful of values puts some class there at every k, and rejecting
    them all threw the study away.
    """
    if counts.size and counts.min() < min_cluster_size:
        return True
    weights = getattr(final, "weights_", None)
    return bool(weights is not None and np.min(weights) * n < min_cluster_size)
