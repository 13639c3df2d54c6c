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

from ._data import OVERALL, Groups
from ._suppress import line_relations, protect_cells, small_count
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


def _protect_counts(counts, n, n_hidden, hidden, m):
    """Complementary suppression of the improved / unchanged / deteriorated counts
    (``counts``: 3 x (groups + overall)), which the shown shares give with the shown ``n``.

    The cells are the counts and ``n``, clusters and overall: each cluster's three counts
    add up to its ``n`` and each count's clusters to its overall count, so a withheld
    count can be had neither from its cluster's ``n`` nor from the overall column. Where
    ``n`` is withheld the shares are too (a share and a count give ``n``). "Unchanged" is
    withheld before "deteriorated" before "improved", so the headline survives.
    Returns the (groups + overall) x 3 mask of withheld shares.
    """
    table = np.vstack([counts, n[None, :]])
    idx = np.arange(table.size).reshape(table.shape)
    rel = line_relations(table.shape, axes=(1,), last_is_total=True)
    rel += [(idx[:, j], np.array([1.0, 1.0, 1.0, -1.0])) for j in range(table.shape[1])]
    hide = np.zeros(table.shape, bool)
    hide[:3] = hidden.T | n_hidden[None, :]
    hide[3] = n_hidden
    prim = small_count(table, m)
    prim[3] = False  # protected above, across the clusters' n
    fixed = np.zeros(table.shape, bool)
    fixed[3] = True
    info = np.broadcast_to(np.array([2.0, 0.0, 1.0, 3.0])[:, None], table.shape)
    mask = protect_cells(table.ravel(), rel, prim.ravel(), m, hidden=(hide | prim).ravel(),
                         fixed=fixed.ravel(), information=info.ravel())
    return mask.reshape(table.shape)[:3].T


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
        sec_n = protect_cells(n[:g], line_relations((1, g), axes=(1,)), prim_n[:g], m)
        reasons.loc[small, :] = SMALL_GROUP
        reasons.loc[few, :] = FEW_CLIENTS
        ok = reasons["n"].to_numpy()[:g] == NONE
        reasons.iloc[np.flatnonzero(sec_n & ok), 0] = SECONDARY
        share_cols = ["share_improved", "share_unchanged", "share_deteriorated"]
        sec = _protect_counts(rawcounts, n, reasons["n"].to_numpy() != NONE,
                              reasons[share_cols].to_numpy() != NONE, m)
        cur = reasons[share_cols].to_numpy()
        cur = np.where(cur != NONE, cur, np.where(small_count(rawcounts.T, m), SMALL_COUNT,
                                                  np.where(sec, SECONDARY, NONE)))
        reasons[share_cols] = cur.astype(np.int8)
    frame = frame.mask(reasons != NONE)
    return frame, reasons
