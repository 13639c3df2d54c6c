"""How large a distinguishing feature's difference is, for names and for needs.

A v-test grows with the cluster's size: in a cluster of several thousand clients a 1% gap
in income is "significant". Names and the problems/strengths lists therefore use the
standardised mean difference of the profile's ``distinguishing`` table (``smd``: the
difference between the cluster and the population over the population's standard deviation;
for a level, of its indicator), and leave out differences below a small effect (0.2, Cohen
1988). A level is named only when the cluster is over-represented in it and it is frequent in
the cluster (at least half its clients) or the difference is at least medium (0.5).

Reference: Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd
ed. Erlbaum, ch. 2 (d = 0.2, 0.5 and 0.8 as small, medium and large).
"""

from __future__ import annotations

import numpy as np

__all__ = ["SMALL_EFFECT", "MEDIUM_EFFECT", "effect_size", "worth_naming", "by_effect"]

SMALL_EFFECT = 0.2
MEDIUM_EFFECT = 0.5


def effect_size(row) -> float:
    """``|smd|`` of a distinguishing row (NaN when the table has none)."""
    v = getattr(row, "smd", np.nan)
    try:
        return abs(float(v))
    except (TypeError, ValueError):
        return np.nan


def worth_naming(row) -> bool:
    """A difference of at least a small effect; for a level, frequent in the cluster or at
    least a medium effect. Rows without an effect size keep the v-test's verdict."""
    e = effect_size(row)
    if not np.isfinite(e):
        return True
    if e < SMALL_EFFECT:
        return False
    if getattr(row, "kind", "") == "categorical":
        share = getattr(row, "cluster_value", np.nan)
        try:
            share = float(share)
        except (TypeError, ValueError):
            share = np.nan
        return e >= MEDIUM_EFFECT or (np.isfinite(share) and share >= 0.5)
    return True


def by_effect(rows) -> list:
    """Rows largest effect first (rows without one after, in their order)."""
    rows = list(rows)
    return sorted(rows, key=lambda r: -effect_size(r) if np.isfinite(effect_size(r)) else 1.0)
