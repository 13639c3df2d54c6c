"""Per-team summary of review statuses and the Pareto view of teams."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._utils import check_fraction
from ..exceptions import SchemaError
from ._results import Result
from ._status import STATUS_COLOURS, STATUSES, ReviewStatus, map_team_types

__all__ = ["team_summary", "pareto_teams", "TeamSummary", "ParetoTeams"]


def _status_frame(status, teams, team_types, team_col="team") -> pd.DataFrame:
    """The status table, with team types looked up and filtered to ``team_types``."""
    if isinstance(status, ReviewStatus):
        table = status.table
    elif isinstance(status, pd.DataFrame):
        table = status
    else:
        raise TypeError(
            "The 'status' parameter must be the result of review_status() or its table; "
            f"got {type(status).__name__}."
        )
    missing = [c for c in (team_col, "status") if c not in table.columns]
    if missing:
        raise SchemaError(f"The 'status' table lacks the column(s) {missing}.")
    bad = ~table["status"].isin(STATUSES)
    if bad.any():
        raise ValueError(
            f"The 'status' column has values outside {list(STATUSES)}, e.g. "
            f"{table.loc[bad, 'status'].iloc[0]!r}."
        )
    cols = [team_col, "status"] + (["team_type"] if "team_type" in table.columns else [])
    frame = table[cols]
    if teams is not None:
        frame = frame.assign(team_type=map_team_types(frame[team_col], teams, team_col))
    if team_types is not None:
        if isinstance(team_types, str):
            team_types = [team_types]
        if "team_type" not in frame.columns:
            raise ValueError(
                "Filtering by 'team_types' needs team types: pass a 'teams' table with "
                "columns 'team' and 'team_type'."
            )
        known = set(frame["team_type"].dropna().unique())
        unknown = [t for t in team_types if t not in known]
        if unknown:
            raise ValueError(
                f"Unknown team type(s) {unknown} in 'team_types'; known: {sorted(known)}."
            )
        frame = frame.loc[frame["team_type"].isin(list(team_types))]
    return frame


def _counts(frame: pd.DataFrame, team_col="team") -> pd.DataFrame:
    counts = pd.crosstab(frame[team_col].astype(str), frame["status"].astype(str))
    counts = counts.reindex(columns=list(STATUSES), fill_value=0).astype("int64")
    counts.columns = [f"n_{s}" for s in STATUSES]
    counts.insert(0, "n_in_service", counts.sum(axis=1))
    counts.index.name = team_col
    counts.columns.name = None
    if "team_type" in frame.columns:
        types = frame.groupby(frame[team_col].astype(str))["team_type"].first()
        counts.insert(0, "team_type", types.reindex(counts.index))
    return counts


class TeamSummary(Result):
    """Counts and shares of each review status per team.

    Attributes
    ----------
    summary : pandas.DataFrame
        Indexed by team: ``team_type`` (when known), ``n_in_service``, ``n_current``,
        ``n_due``, ``n_expired``, ``n_missing``, the matching ``share_*`` (of the team's
        clients in service) and ``share_problem`` (expired + missing).
    overall : pandas.Series
        The same counts and shares over all the teams shown.
    """

    title = "Review status by team"

    def __init__(self, summary, overall, team_types=None):
        self._summary = summary
        self.overall = overall
        self.team_types = team_types

    @property
    def summary(self) -> pd.DataFrame:
        return self._summary.copy()

    def _caption(self) -> str:
        n = int(self.overall["n_in_service"])
        kinds = f" (team types: {', '.join(self.team_types)})" if self.team_types else ""
        return f"{self._summary.shape[0]} teams, {n} clients in service{kinds}"

    def plot(self, ax=None):
        """Horizontal stacked bars: share of each status per team; returns the axes."""
        ax = self._axes(ax)
        s = self._summary.sort_values("share_problem")
        left = np.zeros(s.shape[0])
        for st in STATUSES:
            vals = s[f"share_{st}"].to_numpy(dtype=float)
            ax.barh(s.index.astype(str), vals, left=left, color=STATUS_COLOURS[st], label=st)
            left += vals
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of clients in service")
        ax.set_title("Care-cluster review status by team")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=len(STATUSES),
                  fontsize="small", frameon=False)
        return ax


def team_summary(status, *, teams=None, team_types=None, team_col="team") -> TeamSummary:
    """Per team: number and share of clients in each review status.

    Parameters
    ----------
    status : ReviewStatus or pandas.DataFrame
        The result of :func:`review_status` (or its ``table``).
    teams : pandas.DataFrame, optional
        ``team`` and ``team_type``, to show and filter team types.
    team_types : list of str, optional
        Keep only teams of these types (e.g. ``["CMHT", "EIP"]``).
    team_col : str, default "team"

    Returns
    -------
    TeamSummary
        ``.summary`` per team, ``.overall`` for all teams shown, ``.plot()``.

    Examples
    --------
    >>> import pandas as pd
    >>> from clusterdiscovery.monitoring import team_summary
    >>> table = pd.DataFrame({"team": ["a", "a", "b"],
    ...                       "status": ["current", "expired", "missing"]})
    >>> team_summary(table).summary["share_problem"].tolist()
    [0.5, 1.0]
    """
    frame = _status_frame(status, teams, team_types, team_col)
    counts = _counts(frame, team_col)
    n = counts["n_in_service"].to_numpy(dtype=float)
    for st in STATUSES:
        counts[f"share_{st}"] = counts[f"n_{st}"] / n
    counts["share_problem"] = (counts["n_expired"] + counts["n_missing"]) / n
    num = counts[["n_in_service"] + [f"n_{s}" for s in STATUSES]].sum()
    overall = num.astype(float)
    tot = float(num["n_in_service"])
    for st in STATUSES:
        overall[f"share_{st}"] = num[f"n_{st}"] / tot if tot else np.nan
    overall["share_problem"] = (num["n_expired"] + num["n_missing"]) / tot if tot else np.nan
    return TeamSummary(counts, overall, list(team_types) if team_types is not None else None)


class ParetoTeams(Result):
    """Teams sorted by their share of all expired and missing clusters.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per team, largest share first: ``team``, ``team_type`` (when known),
        ``n_in_service``, ``n_expired``, ``n_missing``, ``n_problem`` (expired + missing),
        ``problem_rate`` (of the team's clients in service), ``share_of_problem`` (of the
        total problem count across teams), ``cumulative_share`` and ``in_top`` (the
        smallest set of teams, largest first, that together make up ``threshold``).
    top_teams : list of str
        The teams flagged ``in_top``.
    threshold : float
    """

    title = "Pareto view of teams: expired and missing care clusters"

    def __init__(self, summary, threshold):
        self._summary = summary
        self.threshold = threshold
        self.top_teams = summary.loc[summary["in_top"], summary.columns[0]].tolist()

    @property
    def summary(self) -> pd.DataFrame:
        return self._summary.copy()

    def _caption(self) -> str:
        n = self._summary.shape[0]
        return (f"{len(self.top_teams)} of {n} teams account for "
                f"{self.threshold:.0%} of expired and missing clusters")

    def plot(self, ax=None):
        """Pareto chart: bars of each team's share, line of the cumulative share."""
        ax = self._axes(ax)
        s = self._summary
        x = np.arange(s.shape[0])
        colours = np.where(s["in_top"], "#d1495b", "#9aa5b1")
        ax.bar(x, 100 * s["share_of_problem"], color=colours, label="share of problem")
        ax.plot(x, 100 * s["cumulative_share"], "o-", color="black", label="cumulative share")
        ax.axhline(100 * self.threshold, color="grey", linestyle="--", linewidth=1)
        ax.set_xticks(x)
        ax.set_xticklabels(s.iloc[:, 0].astype(str), rotation=45, ha="right")
        ax.set_ylim(0, 105)
        ax.set_ylabel("% of expired + missing clusters")
        ax.set_title("Teams by share of expired and missing clusters")
        ax.legend(loc="center right", fontsize="small")
        return ax


def pareto_teams(status, *, teams=None, team_types=None, threshold=0.8,
                 team_col="team") -> ParetoTeams:
    """Pareto table of teams by their share of the expired and missing clusters.

    Each team's problem count (expired + missing) is divided by the total problem count
    across the teams shown; teams are sorted by that share (ties: team name), and the
    cumulative share flags the smallest set of teams that make up ``threshold``
    (80 % by default): a team is flagged when the teams before it cover less than
    ``threshold``.

    Parameters
    ----------
    status : ReviewStatus or pandas.DataFrame
    teams : pandas.DataFrame, optional
        ``team`` and ``team_type``.
    team_types : list of str, optional
        Keep only teams of these types.
    threshold : float, default 0.8
    team_col : str, default "team"

    Returns
    -------
    ParetoTeams

    Examples
    --------
    >>> import pandas as pd
    >>> from clusterdiscovery.monitoring import pareto_teams
    >>> table = pd.DataFrame({"team": list("aaaabc"),
    ...                       "status": ["expired"] * 3 + ["current", "missing", "current"]})
    >>> pareto_teams(table).top_teams
    ['a', 'b']
    """
    threshold = check_fraction(threshold, "threshold", closed=True)
    frame = _status_frame(status, teams, team_types, team_col)
    c = _counts(frame, team_col)
    out = c[[col for col in ("team_type", "n_in_service", "n_expired", "n_missing")
             if col in c.columns]].copy()
    out["n_problem"] = out["n_expired"] + out["n_missing"]
    out["problem_rate"] = out["n_problem"] / out["n_in_service"]
    total = int(out["n_problem"].sum())
    out["share_of_problem"] = out["n_problem"] / total if total else 0.0
    out = out.reset_index().sort_values(
        ["share_of_problem", team_col], ascending=[False, True], kind="stable",
        ignore_index=True,
    )
    out["cumulative_share"] = out["share_of_problem"].cumsum()
    # integer arithmetic for the flag, so 0.8 of 10 problems is exactly 8
    before = out["n_problem"].cumsum() - out["n_problem"]
    out["in_top"] = (before < threshold * total - 1e-9) & (out["n_problem"] > 0)
    return ParetoTeams(out, threshold)
