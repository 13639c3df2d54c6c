"""Table 1: per cluster and overall, n and share; mean, SD, median and quartiles of
numeric variables; level counts and shares of categorical ones; missing counts and shares.

Everything is computed with ``np.bincount`` over integer group codes (one pass per
variable) and one sort per numeric variable for the quantiles, so a million clients take
seconds. Quartiles use linear interpolation (numpy's default, type 7 of Hyndman & Fan).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd

from ._data import OVERALL, Groups, Variable
from ._suppress import line_relations, protect_cells, small_count

__all__ = ["Table1", "build_table1", "Reason", "REASONS", "NONE", "SMALL_GROUP",
           "SMALL_COUNT", "FEW_CLIENTS", "SECONDARY", "SIZE_ROW", "SHARE_ROW", "reason_text"]


class Reason(IntEnum):
    """Why a cell is withheld (0: it is shown). The codes fill the profile's reason frames;
    :func:`reason_text` gives the words, the one place they are written."""

    NONE = 0
    SMALL_GROUP = 1  # the group (cluster) itself is smaller than min_cell_size
    SMALL_COUNT = 2  # a count below min_cell_size
    FEW_CLIENTS = 3  # a statistic computed from fewer than min_cell_size clients
    SECONDARY = 4  # hidden so that a withheld cell cannot be recovered from a total


NONE, SMALL_GROUP, SMALL_COUNT, FEW_CLIENTS, SECONDARY = Reason
#: Table 1's rows of the group sizes and shares (the profile's ``sizes`` and ``shares``)
SIZE_ROW, SHARE_ROW = ("clients", "", "n"), ("clients", "", "share")
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


def _protect_variable(block, nvalid, sizes, size_hidden, shares_hidden, small_group, m):
    """Primary and complementary suppression of one variable's counts, linked to the group
    sizes and to the non-missing counts the shares are computed from.

    Cells (columns: groups, overall last): ``block`` (level counts, then the missing
    count), the non-missing counts (never shown; known to a reader where the column's
    shares are shown, since count / share gives it) and the group sizes (settled by
    :func:`build_table1`, not changed here). Relations: each row's group cells add up to
    its overall cell; each column's levels add up to its non-missing count (categorical),
    and non-missing plus missing to its size. Returns the mask and the primary cells of
    ``block``, and the columns whose shares must be withheld (their non-missing count).
    """
    n_rows, width = block.shape
    n_levels = n_rows - 1
    table = np.vstack([block, nvalid[None, :], sizes[None, :]])
    idx = np.arange(table.size).reshape(table.shape)
    rel = line_relations(table.shape, axes=(1,), last_is_total=True)
    for j in range(width):
        if n_levels:
            rel.append((np.append(idx[:n_levels, j], idx[-2, j]),
                        np.append(np.ones(n_levels), -1.0)))
        rel.append((idx[-3:, j], np.array([1.0, 1.0, -1.0])))
    prim = small_count(table, m)
    prim[-1] = False  # the sizes are protected by build_table1
    hidden = np.zeros(table.shape, bool)
    hidden[:n_rows] = small_group[None, :]
    hidden[-2] = shares_hidden | (n_levels == 0)
    hidden[-1] = size_hidden
    fixed = np.zeros(table.shape, bool)
    fixed[-1] = True
    # withholding a non-missing count means withholding the shares of its column: last
    info = np.zeros(table.shape)
    info[-2] = 1.0
    mask = protect_cells(table.ravel(), rel, prim.ravel(), m, hidden=hidden.ravel(),
                         fixed=fixed.ravel(), information=info.ravel()).reshape(table.shape)
    return mask[:n_rows], prim[:n_rows], mask[-2]


def build_table1(groups: Groups, variables: list[Variable], m: int) -> Table1:
    g = groups.n_groups
    cols = [*groups.keys, OVERALL]
    sizes = np.append(groups.sizes, groups.sizes.sum()).astype(float)
    small_group = np.append(groups.sizes < m, sizes[-1] < m) if m > 1 else np.zeros(g + 1, bool)
    # group sizes: primary, then secondary across groups (they add up to the population)
    size_mask = small_count(sizes, m) | small_group
    size_sec = protect_cells(sizes[:g], line_relations((1, g), axes=(1,)), size_mask[:g], m)
    size_reason = np.where(small_group, SMALL_GROUP, np.where(size_mask, SMALL_COUNT, NONE))
    size_reason[:g] = np.where(size_sec & (size_reason[:g] == NONE), SECONDARY,
                               size_reason[:g])
    size_mask_all = size_reason != NONE

    wsizes = np.append(groups.wsizes, groups.wsizes.sum())
    rows, values, reasons = [], [], []
    rows += [SIZE_ROW, SHARE_ROW]
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
            # cells: levels (+ missing row) x groups, overall last, linked to the sizes
            # and to the non-missing counts (see _protect_variable); the shares of a
            # column are withheld where they would give its non-missing count and with it
            # a small missing count or a withheld size (count / share = non-missing)
            block = np.vstack([counts, n_missing[None, :]])
            shares_hidden = (small_count(n_missing, m) | small_count(n_valid, m)
                             | size_mask_all | small_group)
            mask, prim, shares_hidden = _protect_variable(block, n_valid, sizes, size_mask_all,
                                                          shares_hidden, small_group, m)
            code = np.where(small_group[None, :], SMALL_GROUP,
                            np.where(prim, SMALL_COUNT, np.where(mask, SECONDARY, NONE)))
            share_code = np.where((code == NONE) & shares_hidden[None, :], SECONDARY, code)
            miss_share = share_code[-1]
            share_code = share_code[:n_levels]
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
                reasons += [code[-1], miss_share]
            continue
        if n_missing[-1] > 0 or small_count(st.clients, m).any():
            # the missing count, linked to the sizes and the (never shown) number of
            # clients with a value: neither may be worked out when small
            mask, prim, _ = _protect_variable(n_missing[None, :], st.clients, sizes,
                                              size_mask_all, np.ones(g + 1, bool), small_group, m)
            mask, prim = mask[0], prim[0]
            code = np.where(small_group, SMALL_GROUP,
                            np.where(prim, SMALL_COUNT, np.where(mask, SECONDARY, NONE)))
            if n_missing[-1] > 0:
                rows += [(var.name, MISSING_LEVEL, "n"), (var.name, MISSING_LEVEL, "share")]
                values += [n_missing, wn_missing / wsizes]
                reasons += [code, np.where((code == NONE) & size_mask_all, SECONDARY, code)]

    index = pd.MultiIndex.from_tuples(
        [(v, str(lv), s) for v, lv, s in rows], names=["variable", "level", "statistic"]
    )
    reason_arr = np.vstack(reasons).astype(np.int8)
    if m <= 1:
        reason_arr[:] = NONE
    val_arr = np.vstack(values).astype(float)
    val_arr[reason_arr != NONE] = np.nan
    frame = pd.DataFrame(val_arr, index=index, columns=pd.Index(cols, dtype=object))
    reason_frame = pd.DataFrame(reason_arr, index=index, columns=frame.columns)
    return Table1(frame, reason_frame, stats, reason_arr[0])
