"""Outcomes by cluster: mean change between baseline and follow-up with a BCa interval,
and the shares reliably improved / deteriorated by the Jacobson-Truax reliable change index.

``RCI = (x_follow_up - x_baseline) / S_diff`` with ``S_diff = sqrt(2) * SD_baseline *
sqrt(1 - r)``, ``SD_baseline`` the SD (divisor n - 1) of the baseline scores of all clients
with both scores and ``r`` the measure's reliability. A client changed reliably when
``|RCI| > 1.96``; "improved" means a reliable change in the better direction
(``higher_is_better=False`` for HoNOS-like scales, where lower is better).

References
----------
Jacobson, N. S. & Truax, P. (1991). Clinical significance: a statistical approach to
defining meaningful change in psychotherapy research. *J Consult Clin Psychol*, 59, 12-19.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._privacy import protect_remainders
from ._data import OVERALL, Groups
from ._suppress import complete_lines, small_count
from ._tables import FEW_CLIENTS, NONE, SECONDARY, SMALL_COUNT, SMALL_GROUP

__all__ = ["OUTCOME_COLUMNS", "build_outcome", "reliable_change"]

OUTCOME_COLUMNS = ["n", "baseline_mean", "follow_up_mean", "mean_change", "ci_low", "ci_high",
                   "share_improved", "share_unchanged", "share_deteriorated"]
RCI_CRITICAL = 1.96


def reliable_change(baseline, follow_up, reliability: float, higher_is_better: bool,
                    weights=None):
    """Jacobson-Truax RCI per client and -1/0/+1 (deteriorated/unchanged/improved).

    With ``weights`` the baseline SD is the weighted one (divisor ``sum(w) - 1``).
    """
    baseline = np.asarray(baseline, float)
    follow_up = np.asarray(follow_up, float)
    if weights is not None and baseline.size > 1:
        W = weights.sum()
        mu = weights @ baseline / W
        sd = np.sqrt(weights @ (baseline - mu) ** 2 / (W - 1)) if W > 1 else np.nan
    else:
        sd = np.std(baseline, ddof=1) if baseline.size > 1 else np.nan
    s_diff = np.sqrt(2.0) * sd * np.sqrt(1.0 - reliability)
    with np.errstate(invalid="ignore", divide="ignore"):
        rci = (follow_up - baseline) / s_diff
    sign = 1.0 if higher_is_better else -1.0
    better = sign * rci
    status = np.where(better > RCI_CRITICAL, 1, np.where(better < -RCI_CRITICAL, -1, 0))
    return rci, status


def build_outcome(base: np.ndarray, follow: np.ndarray, groups: Groups, size_reasons,
                  m: int, reliability: float, higher_is_better: bool, n_bootstrap: int,
                  alpha: float, seed: np.random.SeedSequence, n_jobs: int):
    from ._costs import run_bootstraps

    valid = ~(np.isnan(base) | np.isnan(follow))
    b, f, codes = base[valid], follow[valid], groups.codes[valid]
    wv = None if groups.weights is None else groups.weights[valid]
    g = groups.n_groups
    _, status = reliable_change(b, f, reliability, higher_is_better, weights=wv)
    change = f - b
    order = np.argsort(codes, kind="stable")
    cnt = np.bincount(codes, minlength=g)
    stops = np.cumsum(cnt)
    sorted_change = change[order]
    parts = [sorted_change[a - c:a] for a, c in zip(stops, cnt)] + [change]
    tasks = list(zip(parts, seed.spawn(len(parts))))
    if wv is not None:  # weighted means, clients resampled
        sw = wv[order]
        tasks = [(*t, q) for t, q in zip(tasks, [sw[a - c:a] for a, c in zip(stops, cnt)] + [wv])]
    cis = run_bootstraps(tasks, n_bootstrap, alpha, n_jobs)
    n = np.append(cnt, change.size).astype(float)  # clients (suppression)
    ww = np.ones(change.size) if wv is None else wv

    def per_group(values):
        s = np.bincount(codes, weights=values * ww, minlength=g)
        return np.append(s, values @ ww)

    wn = per_group(np.ones(change.size))
    with np.errstate(invalid="ignore", divide="ignore"):
        rawcounts = np.vstack([np.append(np.bincount(codes, weights=(status == k).astype(float),
                                                     minlength=g), (status == k).sum())
                               for k in (1, 0, -1)])
        counts = np.vstack([per_group((status == k).astype(float)) for k in (1, 0, -1)])
        shares = counts / wn
        frame = pd.DataFrame({
            "n": n, "baseline_mean": per_group(b) / wn, "follow_up_mean": per_group(f) / wn,
            "mean_change": per_group(change) / wn, "ci_low": [c[0] for c in cis],
            "ci_high": [c[1] for c in cis], "share_improved": shares[0],
            "share_unchanged": shares[1], "share_deteriorated": shares[2],
        }, index=pd.Index([*groups.keys, OVERALL], dtype=object, name="cluster"))
    reasons = pd.DataFrame(NONE, index=frame.index, columns=frame.columns, dtype=np.int8)
    if m > 1:
        small = size_reasons == SMALL_GROUP
        few = (n < m) & ~small
        prim_n = small | small_count(n, m)
        sec_n = complete_lines(n[None, :g], prim_n[None, :g], axes=(1,))
        sec_n = protect_remainders(n[None, :g], sec_n, m, axes=(1,), complete=lambda k:
                                   complete_lines(n[None, :g], k, axes=(1,)))[0]
        reasons.loc[small, :] = SMALL_GROUP
        reasons.loc[few, :] = FEW_CLIENTS
        ok = reasons["n"].to_numpy()[:g] == NONE
        reasons.iloc[np.flatnonzero(sec_n & ok), 0] = SECONDARY
        share_cols = ["share_improved", "share_unchanged", "share_deteriorated"]
        prim = small_count(rawcounts.T, m) | (reasons[share_cols].to_numpy() != NONE)
        # hide "unchanged" before "deteriorated" before "improved": the least informative
        # complementary cell, so the headline share survives
        sec = complete_lines(rawcounts.T, prim, axes=(1,), information=[2, 0, 1])
        # shown shares beside a shown n must not leave a small remainder of clients
        sec = protect_remainders(rawcounts.T, sec, m, axes=(1,), complete=lambda k: complete_lines(
            rawcounts.T, k, axes=(1,), information=[2, 0, 1]))
        cur = reasons[share_cols].to_numpy()
        cur = np.where(cur != NONE, cur, np.where(small_count(rawcounts.T, m), SMALL_COUNT,
                                                  np.where(sec, SECONDARY, NONE)))
        reasons[share_cols] = cur.astype(np.int8)
    frame = frame.mask(reasons != NONE)
    return frame, reasons
