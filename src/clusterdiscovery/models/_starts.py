"""Which short EM runs are finished: the best and those close to it."""

from __future__ import annotations

__all__ = ["_near_best"]


#: short runs finished in full: those within this many log-likelihood units of the best
#: (times the short-run tolerance's total, at least 1), at most _MAX_FINISHED of them
_NEAR_BEST = 100.0
_MAX_FINISHED = 5


def _near_best(runs, short_total):
    """The short runs worth finishing: the best and those whose log-likelihood is within
    ``max(1, 100 * start_tol * n)`` of it (a short run stops while still climbing, so close
    maxima are not told apart yet), best first, at most 5."""
    ranked = sorted(runs, key=lambda r: -r[1])
    margin = max(1.0, _NEAR_BEST * short_total)
    return [r for r in ranked if r[1] >= ranked[0][1] - margin][:_MAX_FINISHED]
