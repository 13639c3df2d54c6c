"""Distinguishing features of each cluster: v-tests as in FactoMineR's ``catdes``,
standardised mean differences against the rest, eta squared with its ANOVA p-value, and
Benjamini-Hochberg adjusted p-values.

Definitions (N clients with a value, n of them in the cluster):

* **Numeric variable** (``catdes``, Lebart, Morineau & Piron 1995):
  ``v = (mean_k - mean) / sqrt(s2 / n * (N - n) / (N - 1))`` with ``s2`` the population
  variance (divisor N) of all clients; two-sided normal p-value ``2 * (1 - Phi(|v|))``.
* **Level of a categorical variable** (``catdes``): the count ``x`` of the level in the
  cluster is compared with the hypergeometric distribution of a random draw of ``n``
  clients among ``N`` of whom ``n_level`` have the level:
  ``p = min(2 P(X < x) + P(X = x), 2 P(X > x) + P(X = x))`` and
  ``v = sign * Phi^-1(1 - p / 2)`` with sign ``+`` when the level's share in the cluster
  exceeds its overall share (``catdes`` writes ``(1 - 2 [share_k > share]) qnorm(p / 2)``).
  Computed in log space (``scipy.stats.hypergeom.logcdf`` and ``scipy.special.ndtri_exp``),
  so v-tests stay finite where p underflows double precision.
* **SMD**: Cohen's d of the cluster against the rest, ``(mean_k - mean_rest) / s_pooled``
  with ``s_pooled^2 = (SS_k + SS_rest) / (N - 2)`` (for a level: on its 0/1 indicator).
* **eta squared** of a numeric variable: between-group over total sum of squares over all
  groups (the noise group counts as a group), with the one-way ANOVA F-test p-value.
* **p_adjusted**: Benjamini & Hochberg (1995) over all v-tests of the table.
* **Weights** (``profile_clusters(sample_weight=...)``): means, variances and counts are
  weighted (a client of weight ``w`` counts as ``w`` clients, so integer weights give the
  v-tests of the repeated data); with non-integer weights a level's v-test is the numeric
  v-test of its 0/1 indicator (the normal approximation of the hypergeometric test).
  Suppression always counts clients, not weights.

References
----------
Lebart, L., Morineau, A. & Piron, M. (1995). *Statistique exploratoire multidimensionnelle*.
Dunod, Paris.
Husson, F., Le, S. & Pages, J. (2017). *Exploratory Multivariate Analysis by Example Using
R*, 2nd ed. CRC Press (``catdes``, section 9.4).
Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed.
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B*, 57,
289-300.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import ndtri_exp

from ._data import Groups, Variable
from ._suppress import small_count
from ._tables import NONE, SECONDARY, SMALL_COUNT, SMALL_GROUP, Table1, reason_text

__all__ = ["build_distinguishing", "vtest_numeric", "vtest_level", "DIST_COLUMNS"]

DIST_COLUMNS = ["cluster", "variable", "level", "kind", "statistic", "cluster_value",
                "overall_value", "ratio", "v_test", "p_value", "p_adjusted", "smd", "eta2",
                "eta2_p_value", "suppressed", "reason"]
_LOG2 = np.log(2.0)


def vtest_numeric(mean_k, n_k, mean_all, var_pop, n_all):
    """catdes v-test of a numeric variable and its two-sided p-value (vectorised)."""
    mean_k, n_k = np.asarray(mean_k, float), np.asarray(n_k, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(var_pop / n_k * (n_all - n_k) / (n_all - 1))
        v = (mean_k - mean_all) / se
    p = 2 * stats.norm.sf(np.abs(v))
    return v, p


def vtest_level(x, n_k, n_level, n_all):
    """catdes v-test of a categorical level (hypergeometric test) and its p-value."""
    shape = np.broadcast(np.asarray(x), np.asarray(n_k), np.asarray(n_level),
                         np.asarray(n_all)).shape
    x, n_k, n_level, n_all = (np.broadcast_to(np.asarray(a, float), shape).ravel()
                              for a in (x, n_k, n_level, n_all))
    hg = stats.hypergeom(n_all, n_k, n_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        # fast tails first; log-space tails only where p underflows
        pmf = hg.pmf(x)
        p = np.minimum(np.minimum(2 * hg.cdf(x - 1) + pmf, 2 * hg.sf(x) + pmf), 1.0)
        logp = np.log(p)
        tiny = ~(p > 1e-280)
        if tiny.any():
            hs = stats.hypergeom(n_all[tiny], n_k[tiny], n_level[tiny])
            xs = x[tiny]
            lpmf = hs.logpmf(xs)
            left = np.logaddexp(_LOG2 + hs.logcdf(xs - 1), lpmf)
            right = np.logaddexp(_LOG2 + hs.logsf(xs), lpmf)
            logp[tiny] = np.minimum(np.minimum(left, right), 0.0)
        over = (x / n_k) > (n_level / n_all)
        v = np.where(over, -1.0, 1.0) * ndtri_exp(logp - _LOG2)
    return v.reshape(shape), np.exp(logp).reshape(shape)


def _eta2(st):
    """eta squared and ANOVA p-value from group stats (arrays over groups, overall last)."""
    n, mean, var_pop = st.n[:-1], st.mean[:-1], st.var_pop
    has = n > 0
    n_all, mean_all = st.n[-1], st.mean[-1]
    sst = var_pop[-1] * n_all
    ssb = float(np.sum(n[has] * (mean[has] - mean_all) ** 2))
    k = int(has.sum())
    if not (sst > 0) or k < 2 or n_all - k <= 0:
        return np.nan, np.nan
    eta2 = ssb / sst
    ssw = max(sst - ssb, 0.0)
    if ssw == 0:
        return eta2, 0.0
    f = (ssb / (k - 1)) / (ssw / (n_all - k))
    return eta2, float(stats.f.sf(f, k - 1, n_all - k))


def _integral(w) -> bool:
    return w is None or bool(np.all(w == np.round(w)))


def build_distinguishing(groups: Groups, variables: list[Variable], t1: Table1,
                         m: int) -> pd.DataFrame:
    cl_idx = np.flatnonzero(groups.is_cluster)
    cl_keys = [groups.keys[i] for i in cl_idx]
    small_group = t1.size_reasons[:-1] == SMALL_GROUP
    parts = []
    for var in variables:
        st = t1.stats[var.name]
        if var.kind == "numeric":
            n_all = st.n[-1]
            v, p = vtest_numeric(st.mean[cl_idx], st.n[cl_idx], st.mean[-1], st.var_pop[-1],
                                 n_all)
            n_k, ss_k = st.n[cl_idx], st.var_pop[cl_idx] * st.n[cl_idx]
            n_r = n_all - n_k
            with np.errstate(invalid="ignore", divide="ignore"):
                mean_r = (st.mean[-1] * n_all - st.mean[cl_idx] * n_k) / n_r
                ss_r = (st.var_pop[-1] * n_all - ss_k - n_k * (st.mean[cl_idx] - st.mean[-1]) ** 2
                        - n_r * (mean_r - st.mean[-1]) ** 2)
                sp = np.sqrt((ss_k + np.maximum(ss_r, 0)) / (n_all - 2))
                smd = (st.mean[cl_idx] - mean_r) / sp
            eta2, eta2_p = _eta2(st)
            code = np.where(small_group[cl_idx], SMALL_GROUP,
                            np.where(st.clients[cl_idx] < m, SMALL_COUNT + 1, NONE)) if m > 1 else \
                np.zeros(cl_idx.size, int)
            parts.append(pd.DataFrame({
                "cluster": cl_keys, "variable": var.name, "level": "", "kind": "numeric",
                "statistic": "mean", "cluster_value": st.mean[cl_idx],
                "overall_value": st.mean[-1], "v_test": v, "p_value": p, "smd": smd,
                "eta2": eta2, "eta2_p_value": eta2_p, "_code": code,
            }))
            continue
        lev_idx = [var.levels.index(lv) for lv in var.report_levels]
        x = st.counts[np.ix_(lev_idx, cl_idx)]  # (L, K)
        n_level = st.counts[lev_idx, -1][:, None]
        n_k = st.n[cl_idx][None, :]
        n_all = st.n[-1]
        if st.raw is None or _integral(groups.weights):
            v, p = vtest_level(x, np.broadcast_to(n_k, x.shape),
                               np.broadcast_to(n_level, x.shape), n_all)
        else:  # non-integer weights: the numeric v-test of the level's 0/1 indicator
            share = n_level / n_all
            v, p = vtest_numeric(x / n_k, n_k, share, share * (1 - share), n_all)
        with np.errstate(invalid="ignore", divide="ignore"):
            pk = x / n_k
            pr = (n_level - x) / (n_all - n_k)
            pall = n_level / n_all
            sp = np.sqrt((n_k * pk * (1 - pk) + (n_all - n_k) * pr * (1 - pr)) / (n_all - 2))
            smd = (pk - pr) / sp
        pall = np.where(st.suppressed[lev_idx, -1][:, None], np.nan, pall)
        supp = st.suppressed[np.ix_(lev_idx, cl_idx)] | st.suppressed[lev_idx, -1][:, None]
        # primary where the cell or the level's overall count is small; otherwise the cell
        # is hidden only to protect another cell (secondary)
        rawc = st.clients
        prim = small_count(rawc[np.ix_(lev_idx, cl_idx)], m) | small_count(
            rawc[lev_idx, -1][:, None], m)
        code = np.where(np.broadcast_to(small_group[cl_idx], x.shape), SMALL_GROUP,
                        np.where(supp & prim, SMALL_COUNT,
                                 np.where(supp, SECONDARY, NONE)))
        n_lev = len(lev_idx)
        parts.append(pd.DataFrame({
            "cluster": np.tile(np.array(cl_keys, dtype=object), n_lev),
            "variable": var.name,
            "level": np.repeat([str(lv) for lv in var.report_levels], len(cl_keys)),
            "kind": "categorical", "statistic": "share", "cluster_value": pk.ravel(),
            "overall_value": np.broadcast_to(pall, x.shape).ravel(), "v_test": v.ravel(),
            "p_value": p.ravel(), "smd": smd.ravel(), "eta2": np.nan, "eta2_p_value": np.nan,
            "_code": code.ravel(),
        }))
    out = pd.concat(parts, ignore_index=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["ratio"] = out["cluster_value"] / out["overall_value"]
    p = out["p_value"].to_numpy()
    adj = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        adj[ok] = stats.false_discovery_control(np.clip(p[ok], 0, 1), method="bh")
    out["p_adjusted"] = adj
    code = out.pop("_code").to_numpy().copy()
    if m <= 1:
        code[:] = NONE
    sup = code != NONE
    out["suppressed"] = sup
    # SMALL_COUNT + 1 == FEW_CLIENTS for numeric rows
    out["reason"] = [reason_text(c, m) if c != NONE else "" for c in code]
    hide = ["cluster_value", "ratio", "v_test", "p_value", "p_adjusted", "smd"]
    out.loc[sup, hide] = np.nan
    out["_strength"] = -np.abs(out["v_test"].to_numpy())
    out["_order"] = out["cluster"].map({k: i for i, k in enumerate(cl_keys)})
    out = out.sort_values(["_order", "suppressed", "_strength", "variable", "level"],
                          kind="mergesort", na_position="last")
    out = out.drop(columns=["_strength", "_order"]).reset_index(drop=True)
    return out[DIST_COLUMNS]
