"""Table 1: per cluster and overall, n and share; mean, SD, median and quartiles of
numeric variables; level counts and shares of categorical ones; missing counts and shares.

Everything is computed with ``np.bincount`` over integer group codes (one pass per
variable) and one sort per numeric variable for the quantiles, so a million clients take
seconds. Quartiles use linear interpolation (numpy's default, type 7 of Hyndman & Fan).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._privacy import protect_remainders
from ._data import OVERALL, Groups, Variable
from ._suppress import complete_lines, small_count

__all__ = ["Table1", "build_table1", "REASONS", "NONE", "SMALL_GROUP", "SMALL_COUNT",
           "FEW_CLIENTS", "SECONDARY", "reason_text"]

NONE, SMALL_GROUP, SMALL_COUNT, FEW_CLIENTS, SECONDARY = 0, 1, 2, 3, 4
REASONS = {
    SMALL_GROUP: "group has fewer than {m} clients",
    SMALL_COUNT: "count below {m}",
    FEW_CLIENTS: "computed from fewer than {m} clients",
    SECONDARY: "secondary: would let a reader recover a suppressed cell from a total",
}
MISSING_LEVEL = "(missing)"
_NUMERIC_STATS = ("mean", "sd", "median", "q1", "q3")


def reason_text(code: int, m: int) -> str:
    return REASONS[int(code)].format(m=m)


@dataclass
class NumericStats:
    n: np.ndarray  # non-missing (weighted) count per group, then overall (G + 1)
    mean: np.ndarray
    var_pop: np.ndarray  # variance with divisor n
    sd: np.ndarray  # sample SD (divisor n - 1)
    n_raw: np.ndarray | None = None  # clients (unweighted), when weighted

    @property
    def clients(self) -> np.ndarray:
        return self.n if self.n_raw is None else self.n_raw


@dataclass
class CategoricalStats:
    counts: np.ndarray  # (L, G + 1) (weighted) level counts per group, overall last
    n: np.ndarray  # non-missing (weighted) count per group and overall
    suppressed: np.ndarray  # (L, G + 1) bool: share hidden (after secondary suppression)
    raw: np.ndarray | None = None  # (L, G + 1) client counts, when weighted

    @property
    def clients(self) -> np.ndarray:
        return self.counts if self.raw is None else self.raw


@dataclass
class Table1:
    frame: pd.DataFrame
    reasons: pd.DataFrame  # int reason codes, 0 = shown
    stats: dict  # variable name -> NumericStats | CategoricalStats
    size_reasons: np.ndarray  # reason codes of the group sizes (G + 1)


def _group_quantiles(x, codes, cnt, qs):
    """Linear-interpolated quantiles of x per group (rows: qs, cols: groups)."""
    order = np.lexsort((x, codes))
    xs = x[order]
    starts = np.cumsum(cnt) - cnt
    out = np.full((len(qs), cnt.size), np.nan)
    has = cnt > 0
    for i, q in enumerate(qs):
        pos = starts[has] + q * (cnt[has] - 1)
        lo = np.floor(pos).astype(np.intp)
        hi = np.minimum(lo + 1, starts[has] + cnt[has] - 1)
        out[i, has] = xs[lo] + (pos - lo) * (xs[hi] - xs[lo])
    return out


def _weighted_numeric_stats(var: Variable, groups: Groups):
    """Weighted mean, SD (divisor W - 1) and quartiles: those of the data with each client
    repeated ``w`` times (frequency weights)."""
    from ._bootstrap import weighted_quantiles

    x, codes, g = var.values, groups.codes, groups.n_groups
    valid = ~np.isnan(x)
    xv, c, wv = x[valid], codes[valid], groups.weights[valid]
    raw = np.append(np.bincount(c, minlength=g), xv.size).astype(float)
    W = np.append(np.bincount(c, weights=wv, minlength=g), wv.sum())
    S = np.append(np.bincount(c, weights=wv * xv, minlength=g), wv @ xv)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = S / W
        gi = np.append(c, np.full(xv.size, g))  # rows once per group and once overall
        dev = np.append(xv - mean[c], xv - mean[g])
        ss = np.bincount(gi, weights=np.append(wv, wv) * dev * dev, minlength=g + 1)
        var_pop = ss / W
        sd = np.sqrt(ss / (W - 1))
    sd[W <= 1] = np.nan
    q = np.column_stack([weighted_quantiles(xv[c == k], wv[c == k], (0.5, 0.25, 0.75))
                         for k in range(g)] + [weighted_quantiles(xv, wv, (0.5, 0.25, 0.75))])
    return NumericStats(W, mean, var_pop, sd, n_raw=raw), q


def _numeric_stats(var: Variable, groups: Groups):
    if groups.weights is not None:
        return _weighted_numeric_stats(var, groups)
    x, codes, g = var.values, groups.codes, groups.n_groups
    valid = ~np.isnan(x)
    xv, c = x[valid], codes[valid]
    cnt = np.bincount(c, minlength=g).astype(float)
    sums = np.bincount(c, weights=xv, minlength=g)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / cnt
        dev = xv - mean[c]
        ss = np.bincount(c, weights=dev * dev, minlength=g)
        n_all = float(xv.size)
        mean_all = xv.mean() if xv.size else np.nan
        ss_all = float(np.sum((xv - mean_all) ** 2)) if xv.size else np.nan
        n = np.append(cnt, n_all)
        means = np.append(mean, mean_all)
        sss = np.append(ss, ss_all)
        var_pop = sss / n
        sd = np.sqrt(sss / (n - 1))
    sd[n < 2] = np.nan
    q = _group_quantiles(xv, c, cnt.astype(np.intp), (0.5, 0.25, 0.75))
    q_all = np.quantile(xv, [0.5, 0.25, 0.75]) if xv.size else np.full(3, np.nan)
    q = np.column_stack([q, q_all])
    return NumericStats(n, means, var_pop, sd), q


def build_table1(groups: Groups, variables: list[Variable], m: int) -> Table1:
    g = groups.n_groups
    cols = [*groups.keys, OVERALL]
    sizes = np.append(groups.sizes, groups.sizes.sum()).astype(float)
    small_group = np.append(groups.sizes < m, sizes[-1] < m) if m > 1 else np.zeros(g + 1, bool)
    # group sizes: primary, then secondary across groups (they add up to the population)
    size_mask = small_count(sizes, m) | small_group
    size_sec = complete_lines(sizes[None, :g], size_mask[None, :g], axes=(1,))
    size_sec = protect_remainders(
        sizes[None, :g], size_sec, m, axes=(1,),
        complete=lambda k: complete_lines(sizes[None, :g], k, axes=(1,)))[0]
    size_reason = np.where(small_group, SMALL_GROUP, np.where(size_mask, SMALL_COUNT, NONE))
    size_reason[:g] = np.where(size_sec & (size_reason[:g] == NONE), SECONDARY,
                               size_reason[:g])

    wsizes = np.append(groups.wsizes, groups.wsizes.sum())
    rows, values, reasons = [], [], []
    rows += [("clients", "", "n"), ("clients", "", "share")]
    values += [sizes, wsizes / wsizes[-1]]  # n: clients (unweighted); shares weighted
    reasons += [size_reason, size_reason]
    stats: dict = {}
    base = np.where(small_group, SMALL_GROUP, NONE)  # whole column suppressed for small groups

    for var in variables:
        if var.kind == "numeric":
            st, q = _numeric_stats(var, groups)
            stats[var.name] = st
            few = np.where(base != NONE, base, np.where(st.clients < m, FEW_CLIENTS, NONE))
            for name, val in zip(_NUMERIC_STATS, (st.mean, st.sd, q[0], q[1], q[2])):
                rows.append((var.name, "", name))
                values.append(val)
                reasons.append(few)
            n_missing = sizes - st.clients
            wn_missing = wsizes - st.n
        else:
            valid = var.codes >= 0
            n_levels = len(var.levels)
            flat = groups.codes[valid] * n_levels + var.codes[valid]
            counts = np.bincount(flat, minlength=g * n_levels).reshape(g, n_levels).T
            counts = np.column_stack([counts, counts.sum(axis=1)]).astype(float)
            n_valid = counts.sum(axis=0)
            n_missing = sizes - n_valid
            wcounts, wn_valid = counts, n_valid
            if groups.weights is not None:  # shown: weighted; suppression: client counts
                wc = np.bincount(flat, weights=groups.weights[valid],
                                 minlength=g * n_levels).reshape(g, n_levels).T
                wcounts = np.column_stack([wc, wc.sum(axis=1)])
                wn_valid = wcounts.sum(axis=0)
            # cells: levels (+ missing row) x groups, overall last; lines: each column adds
            # up to its group size (the population for the overall column), and each level
            # row's group cells add up to its overall cell
            block = np.vstack([counts, n_missing[None, :]])
            prim = small_count(block, m) | small_group[None, :]
            mask = complete_lines(block, prim, axes=(0, 1))
            mask = protect_remainders(block, mask, m, axes=(0, 1),
                                      complete=lambda k, b=block: complete_lines(b, k, (0, 1)))
            code = np.where(small_group[None, :], SMALL_GROUP,
                            np.where(prim, SMALL_COUNT, np.where(mask, SECONDARY, NONE)))
            # a shown count and its share give the non-missing total (count / share), hence
            # the missing count: where that is hidden, the level shares are hidden too
            share_code = code[:n_levels].copy()
            share_code[:, mask[-1]] = np.where(share_code[:, mask[-1]] == NONE, SECONDARY,
                                               share_code[:, mask[-1]])
            stats[var.name] = CategoricalStats(
                wcounts, wn_valid, share_code != NONE,
                raw=None if groups.weights is None else counts)
            with np.errstate(invalid="ignore", divide="ignore"):
                shares = wcounts / wn_valid[None, :]
            for j, level in enumerate(var.levels):
                rows += [(var.name, level, "n"), (var.name, level, "share")]
                values += [counts[j], shares[j]]
                reasons += [code[j], share_code[j]]
            if n_missing[-1] > 0:
                wmiss = wsizes - wn_valid
                rows += [(var.name, MISSING_LEVEL, "n"), (var.name, MISSING_LEVEL, "share")]
                values += [n_missing, wmiss / wsizes]
                reasons += [code[-1], code[-1]]
            continue
        if n_missing[-1] > 0:
            prim = small_count(n_missing, m) | small_group
            mask = complete_lines(n_missing[None, :g], prim[None, :g], axes=(1,))
            mask = protect_remainders(n_missing[None, :g], mask, m, axes=(1,), complete=lambda
                                      k, v=n_missing: complete_lines(v[None, :g], k, (1,)))[0]
            mask = np.append(mask, prim[g])
            code = np.where(small_group, SMALL_GROUP,
                            np.where(prim, SMALL_COUNT, np.where(mask, SECONDARY, NONE)))
            rows += [(var.name, MISSING_LEVEL, "n"), (var.name, MISSING_LEVEL, "share")]
            values += [n_missing, wn_missing / wsizes]
            reasons += [code, code]

    index = pd.MultiIndex.from_tuples(
        [(v, str(lv), s) for v, lv, s in rows], names=["variable", "level", "statistic"]
    )
    reason_arr = np.vstack(reasons).astype(np.int8)
    # a group whose size is suppressed only to protect another group: hide its counts too
    # (shares stay), so the size cannot be rebuilt from a count and its share
    is_count = np.array([s == "n" for _, _, s in rows])
    for j in np.flatnonzero(size_reason[:g] == SECONDARY):
        col = reason_arr[:, j]
        col[is_count & (col == NONE)] = SECONDARY
    if m <= 1:
        reason_arr[:] = NONE
    val_arr = np.vstack(values).astype(float)
    val_arr[reason_arr != NONE] = np.nan
    frame = pd.DataFrame(val_arr, index=index, columns=pd.Index(cols, dtype=object))
    reason_frame = pd.DataFrame(reason_arr, index=index, columns=frame.columns)
    return Table1(frame, reason_frame, stats, reason_arr[0])
