"""Monthly share of expired and missing care clusters, by team and overall."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._inputs import exclusions_frame, parse_as_of, prepare
from ._results import Result
from ._status import STATUSES, check_rules, evaluate, map_team_types

__all__ = ["trend", "ReviewTrend"]

ALL_TEAMS = "All teams"


class ReviewTrend(Result):
    """Review status at each month end: counts and shares, per team and overall.

    Attributes
    ----------
    summary : pandas.DataFrame
        Long table, one row per month end and team (plus the ``"All teams"`` rows):
        ``month_end``, ``team``, ``n_in_service``, ``n_current``, ``n_due``,
        ``n_expired``, ``n_missing``, ``share_expired``, ``share_missing`` and
        ``share_problem`` (expired + missing), shares of the clients in service.
    overall : pandas.DataFrame
        The ``"All teams"`` rows, indexed by ``month_end``.
    exclusions : pandas.DataFrame
    notes : list of str
    """

    title = "Trend of expired and missing care clusters"

    def __init__(self, summary, *, exclusions, notes, params):
        self._summary = summary
        self.exclusions = exclusions
        self.notes = list(notes)
        self.params = dict(params)

    @property
    def summary(self) -> pd.DataFrame:
        return self._summary.copy()

    @property
    def overall(self) -> pd.DataFrame:
        s = self._summary
        return s.loc[s["team"] == ALL_TEAMS].drop(columns="team").set_index("month_end")

    def by_team(self, measure: str = "share_problem") -> pd.DataFrame:
        """Wide table: month ends by teams, of one measure (e.g. ``"share_expired"``)."""
        if measure not in self._summary.columns:
            raise ValueError(f"Unknown measure {measure!r}; choose one of "
                             f"{list(self._summary.columns[2:])}.")
        s = self._summary.loc[self._summary["team"] != ALL_TEAMS]
        return s.pivot(index="month_end", columns="team", values=measure)

    def _caption(self) -> str:
        o = self.overall
        if o.shape[0] == 0:
            return "no month ends"
        return (f"{o.shape[0]} month ends, {o.index[0].date()} to {o.index[-1].date()}")

    def _html_table(self) -> pd.DataFrame:
        return self.overall

    def plot(self, ax=None, *, teams=False):
        """Lines of the monthly % of clients in service with an expired or missing cluster.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        teams : bool or list of str, default False
            Also draw each team's (or the listed teams') share of expired + missing as
            thin grey lines.

        Returns
        -------
        matplotlib Axes
        """
        ax = self._axes(ax)
        o = self.overall
        if teams is not False:
            wide = self.by_team("share_problem")
            if teams is not True:
                wide = wide[[t for t in teams if t in wide.columns]]
            for t in wide.columns:
                ax.plot(wide.index, 100 * wide[t], color="0.75", linewidth=0.8)
        ax.plot(o.index, 100 * o["share_expired"], "-", color="#d1495b", label="expired")
        ax.plot(o.index, 100 * o["share_missing"], "-", color="#6c5b7b", label="missing")
        ax.plot(o.index, 100 * o["share_problem"], "--", color="black",
                label="expired + missing")
        ax.set_ylabel("% of clients in service")
        ax.set_ylim(bottom=0)
        ax.set_title("Expired and missing care clusters at each month end")
        ax.legend(fontsize="small")
        return ax


def trend(
    assignments,
    contacts,
    *,
    start=None,
    end=None,
    intervals=None,
    due_within_days=28,
    lookback_days=365,
    missing_threshold=2,
    clients=None,
    discharges=None,
    teams=None,
    team_types=None,
    drop_duplicates=True,
    id_col="client_id",
    cluster_col="cluster",
    assigned_col="assigned_on",
    date_col="date",
    team_col="team",
    discharge_col=None,
) -> ReviewTrend:
    """Monthly share of expired and missing clusters over the history, by team and overall.

    The review status of :func:`review_status` is evaluated at every month end from
    ``start`` to ``end``, with the same rules and parameters; inputs are checked and
    sorted once, and each month end costs a few vectorised ``searchsorted`` calls.

    Parameters
    ----------
    assignments, contacts :
        As in :func:`review_status`.
    start, end : date-like, optional
        First and last date covered; default: the first and last contact date.
        Month ends in ``[start, end]`` are evaluated. Early months count fewer clients in
        service while the look-back window fills up.
    teams : pandas.DataFrame, optional
        ``team`` and ``team_type``; needed for ``team_types``.
    team_types : list of str, optional
        Keep only teams of these types (the ``"All teams"`` rows then cover those teams).
    intervals, due_within_days, lookback_days, missing_threshold, clients, discharges, \
drop_duplicates, id_col, cluster_col, assigned_col, date_col, team_col, discharge_col :
        As in :func:`review_status`.

    Returns
    -------
    ReviewTrend
        ``.summary`` (long table per month end and team), ``.overall``, ``.by_team()``,
        ``.plot()``.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusterdiscovery.monitoring import trend
    >>> asg = pd.DataFrame({"client_id": ["A"], "cluster": [14],
    ...                     "assigned_on": pd.to_datetime(["2025-01-15"])})
    >>> con = pd.DataFrame({"client_id": ["A"] * 3,
    ...                     "date": pd.to_datetime(["2025-01-15", "2025-02-15", "2025-03-20"])})
    >>> res = trend(asg, con)  # month ends 31 Jan (review due 12 Feb) and 28 Feb
    >>> res.overall["share_expired"].tolist()
    [0.0, 1.0]
    """
    rules = check_rules(due_within_days, lookback_days, missing_threshold)
    prep = prepare(
        assignments, contacts, intervals=intervals, clients=clients, discharges=discharges,
        id_col=id_col, cluster_col=cluster_col, assigned_col=assigned_col, date_col=date_col,
        team_col=team_col, discharge_col=discharge_col, drop_duplicates=drop_duplicates,
    )
    lo = prep.first_day if start is None else parse_as_of(start, "start")
    hi = prep.last_day if end is None else parse_as_of(end, "end")
    if hi < lo:
        raise ValueError("The 'end' date must not be before 'start'.")
    month_ends = pd.date_range(pd.Timestamp(np.datetime64(lo, "D")),
                               pd.Timestamp(np.datetime64(hi, "D")), freq="ME")
    team_names = np.append(prep.team_names, "unknown").astype(object)
    n_teams = team_names.size
    keep_team = np.ones(n_teams, dtype=bool)
    notes = list(prep.notes)
    if teams is not None or team_types is not None:
        if teams is None:
            raise ValueError("Filtering by 'team_types' needs a 'teams' table "
                             "(team, team_type).")
        types = map_team_types(pd.Series(team_names), teams, team_col).to_numpy()
        if team_types is not None:
            if isinstance(team_types, str):
                team_types = [team_types]
            known = {t for t in types if isinstance(t, str)}
            unknown = [t for t in team_types if t not in known]
            if unknown:
                raise ValueError(f"Unknown team type(s) {unknown} in 'team_types'; known: "
                                 f"{sorted(known)}.")
            keep_team = np.isin(types, list(team_types))
    rows = []
    for me in month_ends:
        day = int(np.datetime64(me, "D").astype(np.int64))
        ev = evaluate(prep, day, **rules)
        team = np.where(ev["team"] < 0, n_teams - 1, ev["team"])
        counts = np.bincount(team * 4 + ev["status"].astype(np.int64),
                             minlength=4 * n_teams).reshape(n_teams, 4)
        counts = counts[keep_team]
        frame = pd.DataFrame(counts, columns=[f"n_{s}" for s in STATUSES])
        frame.insert(0, "team", team_names[keep_team])
        frame = frame.loc[counts.sum(axis=1) > 0]
        total = pd.DataFrame([counts.sum(axis=0)], columns=[f"n_{s}" for s in STATUSES])
        total.insert(0, "team", ALL_TEAMS)
        block = pd.concat([frame, total], ignore_index=True)
        block.insert(0, "month_end", me)
        rows.append(block)
    cols = ["month_end", "team"] + [f"n_{s}" for s in STATUSES]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    n = out[[f"n_{s}" for s in STATUSES]].sum(axis=1).astype("int64")
    out.insert(2, "n_in_service", n)
    denom = n.where(n > 0).astype(float)
    out["share_expired"] = out["n_expired"] / denom
    out["share_missing"] = out["n_missing"] / denom
    out["share_problem"] = (out["n_expired"] + out["n_missing"]) / denom
    out["team"] = out["team"].astype("str")
    return ReviewTrend(out, exclusions=exclusions_frame(prep.exclusions), notes=notes,
                       params=rules)
