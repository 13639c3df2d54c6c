"""Cost by cluster (with BCa intervals for the mean) and the share of cost variance the
clustering explains, in sample and cross-validated."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from ._bootstrap import bca_interval_mean, bca_interval_weighted_mean, weighted_quantiles
from ._data import OVERALL, Groups
from ._suppress import complete_lines, line_relations, protect_cells, small_count
from ._tables import FEW_CLIENTS, NONE, SECONDARY, SMALL_COUNT, SMALL_GROUP

__all__ = ["COST_COLUMNS", "group_slices", "run_bootstraps", "build_costs",
           "variance_explained"]

COST_COLUMNS = ["n", "mean", "ci_low", "ci_high", "median", "total", "share_of_total",
                "cost_per_client_year", "share_zero"]
# columns from which the total (mean x n) can be derived
_TOTAL_DERIVED = ["mean", "ci_low", "ci_high", "total", "share_of_total", "cost_per_client_year"]


def group_slices(groups: Groups):
    """Row order that sorts clients by group, and the (start, stop) of each group."""
    order = np.argsort(groups.codes, kind="stable")
    stops = np.cumsum(groups.sizes)
    starts = stops - groups.sizes
    return order, list(zip(starts.tolist(), stops.tolist()))


def run_bootstraps(tasks, n_bootstrap, alpha, n_jobs):
    """Run ``[(values, seed_sequence), ...]`` BCa tasks, in threads when ``n_jobs > 1``.

    A task ``(values, seed, weights)`` gives the interval of the weighted mean (clients
    resampled). Each task has its own generator spawned from the profile's seed, so
    results do not depend on ``n_jobs``.
    """
    def one(task):
        values, seed = task[:2]
        rng = np.random.default_rng(seed)
        if len(task) > 2 and task[2] is not None:
            return bca_interval_weighted_mean(values, task[2], n_bootstrap, rng, alpha)
        return bca_interval_mean(values, n_bootstrap, rng, alpha)

    if n_jobs <= 1 or len(tasks) <= 1:
        return [one(t) for t in tasks]
    with ThreadPoolExecutor(max_workers=n_jobs) as pool:
        return list(pool.map(one, tasks))


def _protect_zero_shares(n_zero, n, hidden, n_hidden, m):
    """Complementary suppression of the shares with no cost: the shown share times the
    shown n gives the count of clients with no cost (and with some), and these add up
    across the clusters to the overall column's, so a withheld one could be had by
    subtraction. Cells: zero and non-zero counts, clusters and overall, linked to n."""
    table = np.vstack([n_zero, n - n_zero, n])
    idx = np.arange(table.size).reshape(table.shape)
    rel = line_relations(table.shape, axes=(1,), last_is_total=True)
    rel += [(idx[:, j], np.array([1.0, 1.0, -1.0])) for j in range(table.shape[1])]
    hide = np.zeros(table.shape, bool)
    hide[:2] = hidden[None, :] | n_hidden[None, :]
    hide[2] = n_hidden
    prim = small_count(table, m)
    prim[2] = False
    fixed = np.zeros(table.shape, bool)
    fixed[2] = True
    mask = protect_cells(table.ravel(), rel, prim.ravel(), m, hidden=(hide | prim).ravel(),
                         fixed=fixed.ravel()).reshape(table.shape)
    return mask[0] | mask[1]


def build_costs(cost: np.ndarray, exposure: np.ndarray | None, groups: Groups, slices,
                size_reasons: np.ndarray, m: int, n_bootstrap: int, alpha: float,
                seed: np.random.SeedSequence, n_jobs: int):
    order, bounds = slices
    g = groups.n_groups
    sorted_cost = cost[order]
    parts = [sorted_cost[a:b] for a, b in bounds] + [cost]
    seeds = seed.spawn(len(parts))
    w = groups.weights
    if w is None:
        wparts = [np.ones(p.size) for p in parts]
        cis = run_bootstraps(list(zip(parts, seeds)), n_bootstrap, alpha, n_jobs)
    else:  # sampling weights: weighted figures, clients resampled; suppression on clients
        sw = w[order]
        wparts = [sw[a:b] for a, b in bounds] + [w]
        cis = run_bootstraps(list(zip(parts, seeds, wparts)), n_bootstrap, alpha, n_jobs)
    n = np.array([p.size for p in parts], dtype=float)  # clients
    wn = np.array([q.sum() for q in wparts])
    total = np.array([p @ q for p, q in zip(parts, wparts)])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / wn
        n_zero = np.array([np.count_nonzero(p == 0) for p in parts], dtype=float)
        share_zero = np.array([q[p == 0].sum() for p, q in zip(parts, wparts)]) / wn
        share_total = total / total[-1] if total[-1] > 0 else np.full(n.size, np.nan)
        if exposure is not None:
            # clients with unknown (NaN) exposure are left out of numerator and denominator
            known = ~np.isnan(exposure)
            ww = np.ones(cost.size) if w is None else w
            e = np.where(known, exposure * ww, 0.0)[order]
            c = np.where(known, cost * ww, 0.0)[order]
            expo = np.array([e[a:b].sum() for a, b in bounds] + [e.sum()])
            known_cost = np.array([c[a:b].sum() for a, b in bounds] + [c.sum()])
            cpy = np.where(expo > 0, known_cost / np.where(expo > 0, expo, 1.0), np.nan)
        else:
            cpy = np.full(n.size, np.nan)
    if w is None:
        median = np.array([np.median(p) if p.size else np.nan for p in parts])
    else:
        median = np.array([weighted_quantiles(p, q, (0.5,))[0] for p, q in zip(parts, wparts)])
    frame = pd.DataFrame({
        "n": n, "mean": mean, "ci_low": [c[0] for c in cis], "ci_high": [c[1] for c in cis],
        "median": median, "total": total, "share_of_total": share_total,
        "cost_per_client_year": cpy, "share_zero": share_zero,
    }, index=pd.Index([*groups.keys, OVERALL], dtype=object, name="cluster"))
    reasons = pd.DataFrame(NONE, index=frame.index, columns=frame.columns, dtype=np.int8)
    if m > 1:
        small = size_reasons == SMALL_GROUP
        reasons.loc[small, :] = SMALL_GROUP
        reasons["n"] = np.where(reasons["n"] == NONE, size_reasons, reasons["n"])
        few = (n < m) & ~small
        reasons.loc[few, :] = FEW_CLIENTS
        zero_small = (small_count(n_zero, m) | small_count(n - n_zero, m)) & (
            reasons["share_zero"].to_numpy() == NONE)
        reasons.loc[zero_small, "share_zero"] = SMALL_COUNT
        sec_zero = _protect_zero_shares(n_zero, n, reasons["share_zero"].to_numpy() != NONE,
                                        reasons["n"].to_numpy() != NONE, m)
        reasons.loc[sec_zero & (reasons["share_zero"].to_numpy() == NONE),
                    "share_zero"] = SECONDARY
        prim = (reasons["total"].to_numpy() != NONE)
        size_sec = np.flatnonzero(size_reasons[:g] == SECONDARY)
        if prim[:g].sum() == 1 and size_sec.size:
            # prefer the group whose size is already hidden: its mean cannot give its total
            for i in size_sec:
                for col in ("total", "share_of_total", "cost_per_client_year"):
                    if reasons.iloc[i][col] == NONE:
                        reasons.iat[i, reasons.columns.get_loc(col)] = SECONDARY
            prim = reasons["total"].to_numpy() != NONE
        sec = complete_lines(total[None, :g], prim[None, :g], axes=(1,))[0]
        new = np.flatnonzero(sec & ~prim[:g])
        for i in new:
            row = reasons.iloc[i].to_numpy()
            for col in _TOTAL_DERIVED:
                j = reasons.columns.get_loc(col)
                if row[j] == NONE:
                    reasons.iat[i, j] = SECONDARY
    frame = frame.mask(reasons != NONE)
    return frame, reasons


def variance_explained(cost: np.ndarray, codes: np.ndarray, n_groups: int, n_splits: int,
                       rng: np.random.Generator, weights: np.ndarray | None = None) -> dict:
    """eta squared of cost on the groups, and its K-fold cross-validated counterpart.

    The cross-validated value is ``1 - sum((y - yhat)^2) / sum((y - mean(y))^2)`` where each
    client's ``yhat`` is the mean cost of their group in the other folds (the other folds'
    population mean for a group absent there). The same two numbers are given for a single
    population mean (in sample 0 by definition; cross-validated slightly below 0).
    """
    n = cost.size
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    folds = rng.permutation(n) % n_splits
    grand = float(w @ cost / w.sum())
    sst = float(w @ (cost - grand) ** 2)
    tot_s = np.bincount(codes, weights=w * cost, minlength=n_groups)
    tot_n = np.bincount(codes, weights=w, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        ssb = float(np.sum(tot_n * (tot_s / np.where(tot_n > 0, tot_n, 1) - grand) ** 2))
    press_groups = press_mean = 0.0
    all_s, all_n = float(w @ cost), float(w.sum())
    for f in range(n_splits):
        test = folds == f
        c_test, y_test, w_test = codes[test], cost[test], w[test]
        fs = tot_s - np.bincount(c_test, weights=w_test * y_test, minlength=n_groups)
        fn = tot_n - np.bincount(c_test, weights=w_test, minlength=n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            train_mean = (all_s - w_test @ y_test) / (all_n - w_test.sum())
            gm = np.where(fn > 0, fs / np.where(fn > 0, fn, 1), train_mean)
        press_groups += float(w_test @ (y_test - gm[c_test]) ** 2)
        press_mean += float(w_test @ (y_test - train_mean) ** 2)
    if sst <= 0:
        return {"clusters": (np.nan, np.nan), "population mean": (np.nan, np.nan)}
    return {"clusters": (ssb / sst, 1 - press_groups / sst),
            "population mean": (0.0, 1 - press_mean / sst)}
