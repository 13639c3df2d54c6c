"""The care-cluster dashboard: one self-contained HTML file a team can filter and act on.

The page (``dashboard/template.html``) and its plain-JavaScript script
(``dashboard/dashboard.js``) are files of the package; :func:`dashboard_html` fills them with
the data, inline, so the file works offline and loads nothing from the network (its Content
Security Policy forbids it). It shows filters by team type and team, the status mix, the
Pareto of teams holding most expired and missing clusters, the monthly trend of expired
and missing clusters, the transitions between successive care clusters (a from/to matrix),
and the appointment work list, sortable and exportable to CSV.

Only aggregates by team are embedded, plus the work list (which holds the client ids a team
needs); ``work_list=None`` leaves it out, for sharing beyond the team. A page without the
work list is for people outside the team, so no count below ``min_cell_size`` may be shown
in it or worked out from it: it embeds, for every selection the filters offer (all teams,
each team type, each team), the status counts, the Pareto counts (expired + missing), the
monthly trend and the transitions with small cells withheld, and complementary cells
withheld where a withheld one could be had by subtraction from a total, from the other
teams of its type, or from the other types; one suppression covers the status and every
trend month repeating its counts (:class:`_Cells`,
:func:`~clusterdiscovery.profiling._suppress.protect_cells`); the page says so. The page
is rendered by Jinja2 (autoescaped) in one pass, with the data as escaped JSON.

References
----------
Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley, ch. 5 (primary and
secondary suppression in linked and hierarchical tables).
"""

from __future__ import annotations

import json
from importlib import resources

import markupsafe
import numpy as np
import pandas as pd

from .._dates import parse_dates
from ..profiling._suppress import protect_cells, small_count

__all__ = ["dashboard_html", "transitions", "protect_lines", "WORK_LIST_COLUMNS"]

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


def protect_lines(values, lines, min_cell_size: int, *, information=None) -> np.ndarray:
    """Cell suppression on cells linked by additive lines (parts adding up to a total).

    Parameters
    ----------
    values : 1-D array of counts
    lines : list of (parts, total)
        Index arrays into ``values``: ``values[parts].sum() == values[total]``.
    min_cell_size : int
        Counts from 1 to ``min_cell_size - 1`` are withheld (primary suppression).
    information : 1-D array, optional
        How much a reader loses when a cell is withheld; the complementary cell is the
        least informative candidate, the smallest among equally informative ones (as in
        :func:`~clusterdiscovery.profiling._suppress.complete_lines`).

    Returns
    -------
    mask : bool array, True where withheld. Afterwards no small count can be rebuilt from
    the lines (by one subtraction or a chain of them), and no line leaves withheld cells
    adding up to 1 .. ``min_cell_size - 1`` (:func:`~clusterdiscovery.profiling._suppress.
    protect_cells`).
    """
    values = np.asarray(values, dtype=float)
    rel = [(np.append(np.asarray(parts, dtype=np.int64), total),
            np.append(np.ones(len(parts)), -1.0)) for parts, total in lines]
    return protect_cells(values, rel, small_count(values, min_cell_size), min_cell_size,
                         information=information)


def _selections(team_list):
    """The selections the filters offer: all teams (key ""), each team type ("type:T")
    and each team ("team:X"), with the hierarchy linking them."""
    types = sorted({t["team_type"] for t in team_list})
    keys = [""] + [f"type:{t}" for t in types] + [f"team:{t['team']}" for t in team_list]
    row = {k: i for i, k in enumerate(keys)}
    groups = [(np.array([row[f"type:{t}"] for t in types]), 0)]
    for t in types:
        groups.append((np.array([row[f"team:{x['team']}"] for x in team_list
                                 if x["team_type"] == t]), row[f"type:{t}"]))
    return keys, groups


class _Cells:
    """The counts of one period, every view together: blocks of (selection x measure)
    cells summed over the team hierarchy, with their additive relations, so that one
    suppression covers them all (a count withheld in one view is withheld in every view
    that shows the same count, and its complements are chosen across the views)."""

    def __init__(self, team_list):
        self.keys, self.groups = _selections(team_list)
        self.n_teams = len(team_list)
        self.values, self.info, self.hidden, self.relations = [], [], [], []
        self.size = 0

    def add(self, team_values, row_eqs, information, never_shown=()):
        """Add a block; returns the index array (selection x measure) of its cells."""
        n_keys, n_meas = len(self.keys), team_values.shape[1]
        v = np.zeros((n_keys, n_meas))
        v[n_keys - self.n_teams:] = team_values
        for parts, total in reversed(self.groups):  # teams -> types -> all
            v[total] = v[parts].sum(axis=0)
        idx = self.size + np.arange(v.size).reshape(v.shape)
        self.size += v.size
        for parts, total in self.groups:
            for j in range(n_meas):
                self.link(idx[parts, j], idx[total, j])
        for parts, total in row_eqs:
            for r in range(n_keys):
                self.link(idx[r, list(parts)], idx[r, total])
        hidden = np.zeros(v.shape, bool)
        hidden[:, list(never_shown)] = True
        self.values.append(v.ravel())
        self.info.append(np.broadcast_to(np.asarray(information, float), v.shape).ravel())
        self.hidden.append(hidden.ravel())
        return idx

    def link(self, parts, total):
        parts = np.atleast_1d(np.asarray(parts, dtype=np.int64))
        self.relations.append((np.append(parts, total),
                               np.append(np.ones(parts.size), -1.0)))

    def protect(self, min_cell_size):
        """The values with NaN where withheld (primary and complementary suppression)."""
        values = np.concatenate(self.values)
        mask = protect_cells(values, self.relations, small_count(values, min_cell_size),
                             min_cell_size, hidden=np.concatenate(self.hidden),
                             information=np.concatenate(self.info))
        return np.where(mask, np.nan, values)


def _num(v):
    return None if not np.isfinite(v) else int(v)


def _shared_data(team_list, status_counts, trend_rows, trans_rows, min_cell_size):
    """The aggregates of a page for sharing beyond the team, by selection, protected.

    The status counts and every trend month that repeats them (a month whose counts in
    service, expired or missing are those of the status for every team, as when the
    status date is a month end) are protected together, as one table, the repeated counts
    linked as equal: otherwise the trend would give back a count the status withholds.
    Every other month is protected on its own (its counts are of another date).
    """
    names = [t["team"] for t in team_list]
    m = int(min_cell_size)
    # status: current, due, expired, missing, in service, expired + missing (Pareto)
    cols = ["current", "due", "expired", "missing", "n", "problem"]
    tv = np.array([[status_counts.get(t, {}).get(s, 0) for s in cols[:4]] for t in names],
                  dtype=float).reshape(len(names), 4)
    tv = np.column_stack([tv, tv.sum(axis=1), tv[:, 2] + tv[:, 3]])
    # trend: per month; 'other' (in service, neither expired nor missing) is never shown
    # but protected, so that n - expired - missing gives no small count
    tr = pd.DataFrame(trend_rows, columns=["month", "team", "n_in_service", "n_expired",
                                           "n_missing"])
    months = {}
    for month, g in tr[tr["team"].isin(names)].groupby("month", sort=True):
        g = g.groupby("team")[["n_in_service", "n_expired", "n_missing"]].sum().reindex(
            names, fill_value=0).to_numpy(dtype=float)
        months[month] = np.column_stack([g, g[:, 0] - g[:, 1] - g[:, 2]])
    pairs = ((0, 4), (1, 2), (2, 3))  # trend measure -> the status measure it repeats
    same = {mo: [(j, k) for j, k in pairs if np.array_equal(g[:, j], tv[:, k])]
            for mo, g in months.items()}
    same = {mo: p for mo, p in same.items() if p}
    cells = _Cells(team_list)
    # withheld first where least is lost: the Pareto sum, then a status, then in service
    st_idx = cells.add(tv, [((0, 1, 2, 3), 4), ((2, 3), 5)], [1, 1, 1, 1, 2, 0])
    blocks = {}
    for month, linked in same.items():
        idx = cells.add(months[month], [((1, 2, 3), 0)], [2, 1, 1, 0], never_shown=(3,))
        for j, k in linked:  # the same counts as the status shows
            for r in range(idx.shape[0]):
                cells.link([idx[r, j]], st_idx[r, k])
        blocks[month] = (cells, idx)
    protected = {id(cells): cells.protect(m)}
    status = {k: {c: _num(protected[id(cells)][i]) for c, i in zip(cols, row)}
              for k, row in zip(cells.keys, st_idx)}
    trend = {k: [] for k in cells.keys}
    for month, g in months.items():
        if month not in blocks:
            own = _Cells(team_list)
            blocks[month] = (own, own.add(g, [((1, 2, 3), 0)], [2, 1, 1, 0], never_shown=(3,)))
            protected[id(own)] = own.protect(m)
        owner, idx = blocks[month]
        v = protected[id(owner)][idx]
        for k, row in zip(owner.keys, v):
            if row[0] > 0 or not np.isfinite(row[0]):
                trend[k].append({"month": month, "n": _num(row[0]), "expired": _num(row[1]),
                                 "missing": _num(row[2])})
    # transitions: one measure per from/to pair (each pair its own table)
    trans = {k: [] for k in cells.keys}
    t = pd.DataFrame(trans_rows, columns=["team", "from", "to", "n"])
    t = t[t["team"].isin(names)]
    if len(t):
        wide = t.pivot_table(index="team", columns=["from", "to"], values="n", aggfunc="sum",
                             fill_value=0).reindex(names, fill_value=0)
        cols_v = []
        for j in range(wide.shape[1]):
            own = _Cells(team_list)
            idx = own.add(wide.to_numpy(dtype=float)[:, [j]], [], [0])
            cols_v.append(own.protect(m)[idx[:, 0]])
        v = np.column_stack(cols_v)
        for k, row in zip(cells.keys, v):
            trans[k] = [{"from": int(a), "to": int(b), "n": _num(x)}
                        for (a, b), x in zip(wide.columns, row) if not x == 0]
    return {"min_cell_size": m, "status": status, "trend": trend, "transitions": trans}


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
                   title="Care-cluster dashboard", min_cell_size: int = 11) -> str:
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
        The appointment work list (client ids). None leaves it out of the page, which is
        then for sharing beyond the team: its counts are protected (``min_cell_size``).
    title : str
    min_cell_size : int, default 11
        Without the work list, no count from 1 to ``min_cell_size - 1`` is shown or can be
        worked out from the page (small cells and their complements are withheld).

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
            "work_list_columns": list(WORK_LIST_COLUMNS), "shared": None}
    if work_list is None:  # for sharing beyond the team: protected aggregates only
        if not isinstance(min_cell_size, int | np.integer) or isinstance(min_cell_size, bool) \
                or min_cell_size < 0:
            raise ValueError(f"The 'min_cell_size' parameter must be a whole number >= 0; "
                             f"got {min_cell_size!r}.")
        data["shared"] = _shared_data(team_list, status_counts, trend_rows, trans_rows,
                                      int(min_cell_size))
        data.update(status={}, trend=[], transitions=[])
    else:
        frame = work_list.to_frame() if hasattr(work_list, "to_frame") else work_list
        frame = frame.reset_index(drop=frame.index.name is None)
        cols = [c for c in WORK_LIST_COLUMNS if c in frame.columns]
        data["work_list_columns"] = cols
        data["work_list"] = [{c: _plain(v) for c, v in zip(cols, row)}
                             for row in frame[cols].itertuples(index=False)]
    return _render(title, data)


#: Characters escaped in the embedded JSON, so that no text of the data can end the
#: script element, open a comment in it, or break a JavaScript line.
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                 "\u2029": "\\u2029"}


def _render(title, data) -> str:
    """The page in one pass of Jinja2 (autoescaped: the title is text), with the data as
    JSON in a ``<script type="application/json">`` element that the script parses.

    One pass, so nothing inserted is read again as a placeholder; the JSON has ``<``,
    ``>``, ``&``, U+2028 and U+2029 written as ``\\uXXXX`` escapes, so no team name
    (``</script>``, ``<!--<script>``) can end or alter the element.
    """
    import jinja2

    payload = json.dumps(data, separators=(",", ":"), allow_nan=False)
    payload = payload.translate(str.maketrans(_JSON_ESCAPES))
    files = resources.files("clusterdiscovery.monitoring") / "dashboard"
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    page = env.from_string((files / "template.html").read_text(encoding="utf-8"))
    script = (files / "dashboard.js").read_text(encoding="utf-8")
    return page.render(title=str(title), data=markupsafe.Markup(payload),
                       script=markupsafe.Markup(script))
