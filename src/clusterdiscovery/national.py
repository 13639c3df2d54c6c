"""Discovered clusters against the national care clusters recorded for the same clients.

Each client's recorded MHCT care cluster is the latest assignment on or before ``as_of``.
The comparison gives the cross-table (discovered clusters by national clusters) with
small-cell suppression, the adjusted Rand index and adjusted mutual information with
bootstrap intervals (clients resampled), and for each discovered cluster the national
clusters it draws from.

References
----------
Hubert, L. and Arabie, P. (1985). Comparing partitions. *Journal of Classification*, 2,
193-218. Vinh, N. X., Epps, J. and Bailey, J. (2010). Information theoretic measures for
clusterings comparison. *JMLR*, 11, 2837-2854. Department of Health (2013). Mental Health
Clustering Booklet (v3.0), 2013/14.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

from ._dates import parse_date
from ._privacy import protect_remainders
from ._utils import check_dataframe, check_int, check_random_state
from .profiling._suppress import complete_lines, small_count
from .published import mhct_care_clusters

__all__ = ["compare_care_clusters", "CareClusterComparison"]

NONE_RECORDED = "none recorded"
#: a national cluster is named as a source of a discovered cluster from this share up
DRAWS_FROM_SHARE = 0.10


@dataclass(frozen=True)
class CareClusterComparison:
    """Agreement of discovered clusters with recorded national care clusters.

    Attributes
    ----------
    crosstab : DataFrame
        Clients by discovered cluster (rows) and recorded care cluster (columns, MHCT
        codes, and ``"none recorded"``), with ``total`` margins; withheld cells are NaN. Care clusters (and
        discovered clusters) with fewer than ``min_cell_size`` clients are pooled into a
        line ``"other"`` so that no margin is a small count.
    summary : DataFrame
        One row per discovered cluster: ``n`` (its clients) and ``draws_from`` (the national
        clusters holding at least 10% of its clients, largest first, with their shares of
        all its clients, recorded or not).
    ari, ami : float
        Over the clients with both labels; ``ari_ci`` and ``ami_ci`` 95% percentile
        bootstrap intervals.
    n_matched : int
        Clients with a discovered cluster and a recorded care cluster.
    notes : list of str
    """

    crosstab: pd.DataFrame
    summary: pd.DataFrame
    ari: float
    ami: float
    ari_ci: tuple
    ami_ci: tuple
    n_matched: int
    min_cell_size: int = 11
    notes: list = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return self.summary.copy()

    def _repr_html_(self) -> str:
        head = (f"<p><b>Discovered against national care clusters</b> ({self.n_matched} "
                f"clients): ARI {self.ari:.3f} ({self.ari_ci[0]:.3f} to {self.ari_ci[1]:.3f}),"
                f" AMI {self.ami:.3f} ({self.ami_ci[0]:.3f} to {self.ami_ci[1]:.3f})</p>")
        return (head + self.summary.to_html(index=False)
                + self.crosstab.to_html(na_rep="withheld", float_format=lambda v: f"{v:.0f}"))

    def plot(self, ax=None):
        """Heat map of each discovered cluster's shares across national clusters
        (withheld cells blank)."""
        import matplotlib.pyplot as plt

        tab = self.crosstab.drop(index="total", columns="total")
        share = tab.div(self.crosstab["total"].drop("total"), axis=0)
        if ax is None:
            _, ax = plt.subplots(figsize=(1.5 + 0.45 * tab.shape[1], 1.2 + 0.45 * tab.shape[0]))
        ax.imshow(np.ma.masked_invalid(share.to_numpy(dtype=float)), cmap="Blues", vmin=0,
                  vmax=1, aspect="auto")
        ax.set_xticks(range(tab.shape[1]), [str(c) for c in tab.columns])
        ax.set_yticks(range(tab.shape[0]), [str(r) for r in tab.index])
        ax.set_xlabel("recorded care cluster (MHCT)")
        ax.set_ylabel("discovered cluster")
        ax.set_title(f"Share of each discovered cluster (ARI {self.ari:.2f})")
        return ax


def _recorded(assignments, ids, as_of, client_id, cluster, date):
    a = check_dataframe(assignments, "assignments")
    for col in (client_id, cluster, date):
        if col not in a.columns:
            raise ValueError(f"The assignments table has no column {col!r}; name the client, "
                             "cluster and date columns with client_id=, cluster=, date=.")
    dates = pd.to_datetime(a[date], errors="coerce")
    if dates.isna().any():
        bad = a.loc[dates.isna(), date].iloc[0]
        raise ValueError(f"Column {date!r} of the assignments has a value that is not a date "
                         f"({bad!r}); write dates as YYYY-MM-DD.")
    keep = np.ones(len(a), dtype=bool)
    if as_of is not None:
        keep = (dates <= pd.Timestamp(parse_date(as_of, "as_of"))).to_numpy()
    ordered = a.loc[keep].assign(_d=dates[keep]).sort_values("_d", kind="stable")
    latest = ordered.groupby(ordered[client_id].astype(str))[cluster].last()
    return latest.reindex(ids.astype(str))


def _pool_small(tab: pd.DataFrame, m: int, axis: int) -> pd.DataFrame:
    """Pool the lines (columns for ``axis=0``) whose total is 1 .. m-1 into one "other"
    line, adding the next smallest lines until the pool holds at least ``m`` clients, so
    that every margin shown is 0 or at least ``m`` (global recoding, Hundepool et al. 2012,
    section 5.4)."""
    totals = tab.sum(axis=axis).sort_values(kind="stable")
    pool = list(totals.index[small_count(totals.to_numpy(), m)])
    if not pool:
        return tab
    rest = [k for k in totals.index if k not in pool]
    while totals[pool].sum() < m and rest:
        pool.append(rest.pop(0))
    other = tab[pool].sum(axis=1) if axis == 0 else tab.loc[pool].sum(axis=0)
    if axis == 0:
        return tab.drop(columns=pool).assign(other=other)
    return pd.concat([tab.drop(index=pool), other.to_frame("other").T])


def _suppressed_crosstab(tab: pd.DataFrame, m: int) -> pd.DataFrame:
    tab = _pool_small(_pool_small(tab, m, axis=0), m, axis=1)
    counts = tab.to_numpy(dtype=float)
    mask = complete_lines(counts, small_count(counts, m), axes=(0, 1))
    mask = protect_remainders(counts, mask, m, axes=(0, 1))
    shown = tab.astype(float).mask(mask)
    shown["total"] = tab.sum(axis=1).astype(float)
    shown.loc["total"] = [*tab.sum(axis=0).astype(float), float(counts.sum())]
    return shown


def _draws_from(shown: pd.DataFrame, names: dict) -> pd.DataFrame:
    rows = []
    for k in shown.index.drop("total"):
        total = shown.loc[k, "total"]
        share = shown.loc[k].drop(["total", NONE_RECORDED], errors="ignore") / total
        top = share[share >= DRAWS_FROM_SHARE].sort_values(ascending=False)
        text = "; ".join(f"{c} {names.get(c, '')} ({s:.0%})".replace("  ", " ")
                         for c, s in top.items())
        rows.append({"cluster": k, "n": int(total),
                     "draws_from": text or "no national cluster holds 10% of its clients"})
    return pd.DataFrame(rows)


def compare_care_clusters(labels, assignments, *, as_of=None, client_id="client_id",
                          cluster="cluster", date="assigned_on", min_cell_size=11,
                          n_bootstrap=500, random_state=None) -> CareClusterComparison:
    """Compare discovered clusters with the national care clusters recorded for the same
    clients.

    Parameters
    ----------
    labels : pandas.Series
        Discovered cluster of each client, indexed by client id (``-1``: noise).
    assignments : DataFrame
        Care-cluster history: client id, MHCT cluster code and assignment date columns.
    as_of : date, optional
        Use each client's latest assignment on or before this date (default: the latest).
    min_cell_size : int
        Cells counting 1 to ``min_cell_size - 1`` clients are withheld, with complementary
        cells so that none can be rebuilt from the margins.
    n_bootstrap : int
        Bootstrap resamples of clients for the ARI and AMI intervals (0: none).

    Returns
    -------
    CareClusterComparison

    Examples
    --------
    >>> import clusterdiscovery as cd
    >>> pop = cd.datasets.load_sample()
    >>> res = cd.compare_care_clusters(pop.true_labels, pop.assignments, n_bootstrap=0)
    >>> 0 < res.ari < 1
    True
    """
    if not isinstance(labels, pd.Series):
        raise TypeError("The 'labels' parameter must be a pandas Series indexed by client id "
                        f"(to match the assignments); got {type(labels).__name__}.")
    min_cell_size = check_int(min_cell_size, "min_cell_size", low=1)
    n_bootstrap = check_int(n_bootstrap, "n_bootstrap", low=0)
    recorded = _recorded(assignments, labels.index, as_of, client_id, cluster, date)
    both = recorded.notna().to_numpy() & labels.notna().to_numpy()
    notes = []
    if (~both).any():
        notes.append(f"{int((~both).sum())} of {len(labels)} clients have no recorded care "
                     "cluster (by the date used): they are left out of the agreement measures and "
                     "counted as 'none recorded' in the cross-table.")
    if both.sum() < 2:
        raise ValueError("Fewer than two clients have both a discovered cluster and a recorded "
                         "care cluster; check that the client ids of labels and assignments "
                         "match.")
    a = labels.to_numpy()[both].astype(np.int64)
    b = recorded.to_numpy()[both].astype(np.int64)
    # the clients with no recorded care cluster are a column of their own, so that each
    # row adds up to the cluster's size (shown elsewhere) and nothing is a remainder
    every = labels.dropna().astype(np.int64)
    rec = recorded[labels.notna().to_numpy()]
    codes = rec.fillna(-1).astype(np.int64).to_numpy()
    tab = pd.crosstab(pd.Series(every.to_numpy(), name="discovered"),
                      pd.Series(codes, name="care cluster"))
    if -1 in tab.columns:
        tab = tab[[c for c in tab.columns if c != -1] + [-1]].rename(columns={-1: NONE_RECORDED})
    shown = _suppressed_crosstab(tab, min_cell_size)
    rng = check_random_state(random_state)
    boots = []
    for _ in range(n_bootstrap):
        i = rng.randint(0, a.size, a.size)
        boots.append((adjusted_rand_score(a[i], b[i]), adjusted_mutual_info_score(a[i], b[i])))
    boots = np.array(boots).reshape(-1, 2)
    ci = (np.quantile(boots, [0.025, 0.975], axis=0) if len(boots)
          else np.full((2, 2), np.nan))
    names = mhct_care_clusters()["name"].to_dict()
    return CareClusterComparison(
        crosstab=shown, summary=_draws_from(shown, names),
        ari=float(adjusted_rand_score(a, b)), ami=float(adjusted_mutual_info_score(a, b)),
        ari_ci=(float(ci[0, 0]), float(ci[1, 0])), ami_ci=(float(ci[0, 1]), float(ci[1, 1])),
        n_matched=int(both.sum()), min_cell_size=min_cell_size, notes=notes)
