"""The care-cluster dashboard: one self-contained HTML file a team can filter and act on.

The page (``dashboard/template.html``) and its plain-JavaScript script
(``dashboard/dashboard.js``) are files of the package; :func:`dashboard_html` fills them with
the data, inline, so the file works offline and loads nothing from the network (its Content
Security Policy forbids it). It shows filters by team type and team, the status mix, the
Pareto of teams holding most expired and missing clusters, the monthly trend of expired
and missing clusters, the transitions between successive care clusters (a from/to matrix),
and the appointment work list, sortable and exportable to CSV.

Only aggregates by team are embedded, plus the work list (which holds the client ids a team
needs); ``work_list=None`` leaves it out, for sharing beyond the team.
"""

from __future__ import annotations

import html
import json
from importlib import resources

import numpy as np
import pandas as pd

from .._dates import parse_dates

__all__ = ["dashboard_html", "transitions", "WORK_LIST_COLUMNS"]

#: The work-list columns shown (the empty score columns are left to the CSV).
WORK_LIST_COLUMNS = ("client_id", "appointment_date", "team", "reason", "status",
                     "last_cluster", "assigned_on", "review_due")


def transitions(assignments: pd.DataFrame, *, end=None, team_col="team", id_col="client_id",
                cluster_col="cluster", date_col="assigned_on") -> pd.DataFrame:
    """Counts of re-clusterings from one care cluster to the next, by team.

    Each client's assignments are taken in date order (up to ``end``); every pair of
    successive assignments is one transition ``from -> to``, counted under the team of the
    later assignment (``""`` when there is no team column).

    Returns
    -------
    DataFrame with columns ``team``, ``from``, ``to``, ``n``.
    """
    need = [id_col, cluster_col, date_col]
    missing = [c for c in need if c not in assignments.columns]
    if missing:
        raise ValueError(f"The assignments table lacks {missing} for the transitions; it has "
                         f"{list(assignments.columns)}.")
    a = assignments[need + ([team_col] if team_col in assignments.columns else [])].copy()
    a[date_col] = parse_dates(a[date_col], date_col, table="'assignments'")  # the one parser
    a = a.dropna(subset=[id_col, cluster_col, date_col])
    if end is not None:
        a = a[a[date_col] <= pd.Timestamp(end)]
    if team_col not in a.columns:
        a[team_col] = ""
    a = a.sort_values([id_col, date_col], kind="stable")
    prev = a.groupby(id_col, sort=False)[cluster_col].shift(1)
    pairs = a.assign(**{"from": prev}).dropna(subset=["from"])
    out = (pairs.groupby([team_col, "from", cluster_col]).size().rename("n").reset_index()
           .rename(columns={team_col: "team", cluster_col: "to"}))
    out["from"] = out["from"].astype(int)
    out["to"] = out["to"].astype(int)
    return out[["team", "from", "to", "n"]]


def _plain(v):
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v if isinstance(v, int | float | str) else str(v)


def dashboard_html(status, *, trend=None, transitions=None, work_list=None,
                   title="Care-cluster dashboard") -> str:
    """The dashboard as one self-contained HTML page.

    Parameters
    ----------
    status : ReviewStatus
        From :func:`~clusterdiscovery.monitoring.review_status`; aggregated by team.
    trend : ReviewTrend, optional
        From :func:`~clusterdiscovery.monitoring.trend` (by team): the monthly trend.
    transitions : DataFrame, optional
        From :func:`transitions`: the from/to matrix.
    work_list : WorkList or DataFrame, optional
        The appointment work list (client ids). None leaves it out of the page.
    title : str

    Returns
    -------
    str
    """
    table = status.table
    teams = table[["team"] + (["team_type"] if "team_type" in table.columns else [])]
    teams = teams.drop_duplicates("team").sort_values("team")
    team_list = [{"team": str(r.team),
                  "team_type": str(getattr(r, "team_type", "") or "all")
                  if not pd.isna(getattr(r, "team_type", "")) else "unknown"}
                 for r in teams.itertuples()]
    counts = table.groupby(["team", "status"]).size().unstack(fill_value=0)
    status_counts = {str(t): {s: int(row.get(s, 0)) for s in ("current", "due", "expired",
                                                              "missing")}
                     for t, row in counts.iterrows()}
    trend_rows = []
    if trend is not None:
        ts = trend.summary
        if "team" in ts.columns:
            for r in ts.itertuples():
                trend_rows.append({"month": pd.Timestamp(r.month_end).strftime("%Y-%m"),
                                   "team": str(r.team), "n_in_service": int(r.n_in_service),
                                   "n_expired": int(r.n_expired),
                                   "n_missing": int(r.n_missing)})
    trans_rows = [] if transitions is None else [
        {"team": str(r.team), "from": int(r[1]), "to": int(r[2]), "n": int(r.n)}
        for r in transitions.itertuples(index=False)]
    data = {"as_of": _plain(pd.Timestamp(status.as_of)),
            "teams": team_list, "status": status_counts, "trend": trend_rows,
            "transitions": trans_rows, "work_list": None,
            "work_list_columns": list(WORK_LIST_COLUMNS)}
    if work_list is not None:
        frame = work_list.to_frame() if hasattr(work_list, "to_frame") else work_list
        frame = frame.reset_index(drop=frame.index.name is None)
        cols = [c for c in WORK_LIST_COLUMNS if c in frame.columns]
        data["work_list_columns"] = cols
        data["work_list"] = [{c: _plain(v) for c, v in zip(cols, row)}
                             for row in frame[cols].itertuples(index=False)]
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False)
    payload = payload.replace("</", "<\\/")  # no "</script>" inside the script
    files = resources.files("clusterdiscovery.monitoring") / "dashboard"
    page = (files / "template.html").read_text(encoding="utf-8")
    script = (files / "dashboard.js").read_text(encoding="utf-8")
    return (page.replace("__TITLE__", html.escape(title))
            .replace("__SCRIPT__", script)
            .replace("__DATA__", payload))
