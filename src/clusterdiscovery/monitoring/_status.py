"""Review status of every client in service on a date: current, due, expired or missing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._utils import check_int
from ._inputs import (
    NO_DAY,
    SHIFT,
    Prepared,
    days_to_dates,
    exclusions_frame,
    pack,
    parse_as_of,
    prepare,
    unpack_day,
)
from ._results import Result

__all__ = ["review_status", "ReviewStatus", "STATUSES"]

STATUSES = ("current", "due", "expired", "missing")


def evaluate(prep: Prepared, day: int, *, due_within_days: int, lookback_days: int,
             missing_threshold: int) -> dict:
    """Guts of :func:`review_status` at one date (int days); no input validation.

    Vectorised over clients: a handful of ``searchsorted`` calls on the sorted keys.
    Returns arrays for the clients in service only.
    """
    n = prep.ids.shape[0]
    codes = np.arange(n, dtype=np.int64)
    lo = codes << SHIFT  # smallest key of each client
    q = pack(codes, np.full(n, day, dtype=np.int64))  # "on or before day"

    # last discharge on or before the date starts the current episode
    d_end = np.searchsorted(prep.d_key, q, side="right")
    d_start = np.searchsorted(prep.d_key, lo, side="left")
    has_d = d_end > d_start
    last_d = np.where(has_d, unpack_day(prep.d_key[np.maximum(d_end - 1, 0)]), NO_DAY) \
        if prep.d_key.size else np.full(n, NO_DAY, dtype=np.int64)

    # contacts of the current episode: after the last discharge, on or before the date
    c_end = np.searchsorted(prep.c_key, q, side="right")
    ep_key = pack(codes, last_d)
    c_ep = np.searchsorted(prep.c_key, ep_key, side="right")
    n_contacts = c_end - c_ep
    last_c_idx = np.maximum(c_end - 1, 0)
    last_c = np.where(n_contacts > 0, unpack_day(prep.c_key[last_c_idx]), NO_DAY) \
        if prep.c_key.size else np.full(n, NO_DAY, dtype=np.int64)
    in_service = (n_contacts > 0) & (last_c >= day - lookback_days)

    sel = np.flatnonzero(in_service)
    n_contacts = n_contacts[sel]
    last_c = last_c[sel]
    last_c_idx = last_c_idx[sel]
    ep_key = ep_key[sel]
    q = q[sel]
    c_ep = c_ep[sel]

    # last assignment of the episode on or before the date
    a_end = np.searchsorted(prep.a_key, q, side="right")
    a_ep = np.searchsorted(prep.a_key, ep_key, side="right")
    has_a = a_end > a_ep
    a_idx = np.maximum(a_end - 1, 0)
    if prep.a_key.size:
        assigned = np.where(has_a, unpack_day(prep.a_key[a_idx]), NO_DAY)
        due = np.where(has_a, prep.a_due[a_idx], NO_DAY)
    else:
        assigned = np.full(sel.size, NO_DAY, dtype=np.int64)
        due = assigned.copy()

    # the contact that reached the missing threshold (for days_overdue of 'missing')
    reached = n_contacts >= missing_threshold
    thr_idx = np.minimum(c_ep + missing_threshold - 1, max(prep.c_key.size - 1, 0))
    thr_day = np.where(reached, unpack_day(prep.c_key[thr_idx]) if prep.c_key.size else 0,
                       NO_DAY)

    status = np.full(sel.size, 1, dtype=np.int8)  # 'due' (also: first cluster due)
    left = due - day
    status[has_a & (left > due_within_days)] = 0
    status[has_a & (left < 0)] = 2
    status[~has_a & reached] = 3
    overdue = np.zeros(sel.size, dtype=np.int64)
    overdue[status == 2] = -left[status == 2]
    overdue[status == 3] = day - thr_day[status == 3]

    # team: the register's, else the team of the last contact, else of the last assignment
    team = np.full(sel.size, -1, dtype=np.int64)
    if prep.reg_team is not None:
        team = prep.reg_team[sel].copy()
    if prep.c_team.size:
        fill = team < 0
        team[fill] = prep.c_team[last_c_idx[fill]]
    if prep.a_team.size:
        fill = (team < 0) & has_a
        team[fill] = prep.a_team[a_idx[fill]]

    return {
        "client": sel,
        "team": team,
        "has_a": has_a,
        "a_idx": a_idx,
        "assigned": assigned,
        "due": due,
        "status": status,
        "overdue": overdue,
        "n_contacts": n_contacts,
        "last_contact": last_c,
    }


def _cluster_column(codes: np.ndarray, idx: np.ndarray, has: np.ndarray):
    """Last cluster per client: nullable Int64 for numeric codes, else text with NA."""
    if codes.size == 0:
        return pd.array([pd.NA] * has.size, dtype="Int64")
    values = codes[idx]
    if np.issubdtype(codes.dtype, np.number) or all(
            isinstance(v, (int, np.integer)) for v in codes[:1000]):
        out = pd.array(np.where(has, values, 0).astype(np.int64), dtype="Int64")
    else:
        out = pd.array(np.where(has, values.astype(str), ""), dtype="str")
    out[~has] = pd.NA
    return out


def team_labels(prep: Prepared, team_codes: np.ndarray) -> np.ndarray:
    names = np.append(prep.team_names, "unknown").astype(object)
    return names[np.where(team_codes < 0, names.size - 1, team_codes)]


def status_table(prep: Prepared, ev: dict, teams=None, team_col="team",
                 id_col="client_id") -> pd.DataFrame:
    """Build the public one-row-per-client table from :func:`evaluate` arrays."""
    has_a = ev["has_a"]
    clusters = _cluster_column(prep.a_cluster, ev["a_idx"], has_a)
    table = pd.DataFrame({
        id_col: pd.array(prep.ids[ev["client"]], dtype="str"),
        "team": pd.array(team_labels(prep, ev["team"]), dtype="str"),
        "last_cluster": clusters,
        "assigned_on": days_to_dates(ev["assigned"]),
        "review_due": days_to_dates(ev["due"]),
        "status": pd.Categorical.from_codes(ev["status"], categories=list(STATUSES)),
        "days_overdue": ev["overdue"],
        "n_contacts": ev["n_contacts"],
        "last_contact": days_to_dates(ev["last_contact"]),
    })
    if team_col != "team":
        table = table.rename(columns={"team": team_col})
    if teams is not None:
        table["team_type"] = map_team_types(table[team_col], teams, team_col)
    return table.sort_values(id_col, kind="stable", ignore_index=True)


def map_team_types(team: pd.Series, teams: pd.DataFrame, team_col: str = "team") -> pd.Series:
    """Look up each team's ``team_type`` in a ``teams`` table (team, team_type)."""
    if not isinstance(teams, pd.DataFrame):
        raise TypeError(
            f"The 'teams' parameter must be a DataFrame with columns '{team_col}' and "
            f"'team_type'; got {type(teams).__name__}."
        )
    tt = teams.reset_index() if team_col not in teams.columns else teams
    missing = [c for c in (team_col, "team_type") if c not in tt.columns]
    if missing:
        raise ValueError(f"The 'teams' table lacks the column(s) {missing}.")
    lookup = pd.Series(tt["team_type"].to_numpy(), index=tt[team_col].astype(str).to_numpy())
    lookup = lookup[~lookup.index.duplicated(keep="last")]
    return pd.Series(team.map(lookup).to_numpy(), index=team.index, name="team_type",
                     dtype="str")


class ReviewStatus(Result):
    """Review status of every client in service on ``as_of``.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per client in service: ``client_id``, ``team``, ``last_cluster``,
        ``assigned_on``, ``review_due``, ``status``, ``days_overdue``, ``n_contacts``,
        ``last_contact`` (and ``team_type`` when a ``teams`` table was given).
    summary : pandas.DataFrame
        Number and share of clients in each status.
    exclusions : pandas.DataFrame
        Rows of the inputs that were not used: ``table``, ``reason``, ``n_rows``.
    notes : list of str
        Other things worth knowing (time zones dropped, future-dated contacts, ...).
    as_of : pandas.Timestamp
    params : dict
        The rules used (``due_within_days``, ``lookback_days``, ``missing_threshold``).
    """

    title = "Care-cluster review status"

    def __init__(self, table, *, exclusions, notes, as_of, params):
        self.table = table
        self.exclusions = exclusions
        self.notes = list(notes)
        self.as_of = as_of
        self.params = dict(params)

    @property
    def summary(self) -> pd.DataFrame:
        counts = self.table["status"].value_counts().reindex(list(STATUSES), fill_value=0)
        total = int(counts.sum())
        out = pd.DataFrame({"n_clients": counts.astype("int64")})
        out["share"] = out["n_clients"] / total if total else 0.0
        out.index.name = "status"
        return out

    def to_frame(self) -> pd.DataFrame:
        """The one-row-per-client status table (a copy)."""
        return self.table.copy()

    def __len__(self) -> int:
        return self.table.shape[0]

    def _caption(self) -> str:
        return f"{self.table.shape[0]} clients in service on {self.as_of.date()}"

    def plot(self, ax=None):
        """Bar chart of the number of clients in each status; returns the axes."""
        ax = self._axes(ax)
        s = self.summary
        colours = [STATUS_COLOURS[k] for k in s.index]
        ax.bar(s.index.astype(str), s["n_clients"], color=colours)
        ax.set_ylabel("clients in service")
        ax.set_title(f"Care-cluster review status on {self.as_of.date()}")
        return ax


STATUS_COLOURS = {"current": "#4c9f70", "due": "#e0b040", "expired": "#d1495b",
                  "missing": "#6c5b7b"}


def check_rules(due_within_days, lookback_days, missing_threshold) -> dict:
    return {
        "due_within_days": check_int(due_within_days, "due_within_days", low=0),
        "lookback_days": check_int(lookback_days, "lookback_days", low=1),
        "missing_threshold": check_int(missing_threshold, "missing_threshold", low=1),
    }


def review_status(
    assignments,
    contacts,
    *,
    as_of,
    intervals=None,
    due_within_days=28,
    lookback_days=365,
    missing_threshold=2,
    clients=None,
    discharges=None,
    teams=None,
    drop_duplicates=True,
    id_col="client_id",
    cluster_col="cluster",
    assigned_col="assigned_on",
    date_col="date",
    team_col="team",
    discharge_col=None,
) -> ReviewStatus:
    """Review status of each client in service on ``as_of``: current, due, expired, missing.

    Parameters
    ----------
    assignments : pandas.DataFrame
        Care-cluster history, one row per clustering: ``client_id``, ``cluster`` (the
        cluster code), ``assigned_on`` (date) and optionally ``team``.
    contacts : pandas.DataFrame
        Contacts and bed days, one row each: ``client_id``, ``date`` and optionally
        ``team``. Rows dated after ``as_of`` are ignored here (they can serve as the
        appointments of :func:`work_list`).
    as_of : date-like
        The date to evaluate on (time of day and time zone dropped).
    intervals : dict, Series or DataFrame, optional
        Maximum review period of each cluster code (``{14: "4 weeks", 3: "6 months"}``,
        or a table with ``code`` and ``max_review``). Default: the published MHCT
        periods, see :func:`load_review_periods`.
    due_within_days : int, default 28
        A clustered client is ``"due"`` when the review falls within this many days.
    lookback_days : int, default 365
        A client is in service when they had a contact in the ``lookback_days`` days up
        to and including ``as_of`` and have not been discharged since.
    missing_threshold : int, default 2
        A client in service who has not been clustered in the current episode is
        ``"missing"`` once they have had this many contacts or bed days in it.
    clients : pandas.DataFrame, optional
        The client register (``client_id`` as column or index). When given, rows of the
        other tables whose client is not in it are excluded and counted; its ``team``
        is each client's team and its ``discharge_date``/``discharged_on`` are discharges.
    discharges : pandas.DataFrame, optional
        Discharges, one row each: ``client_id`` and ``discharged_on`` (or
        ``discharge_date``). A client may be discharged and re-referred several times.
    teams : pandas.DataFrame, optional
        ``team`` and ``team_type``; adds a ``team_type`` column.
    drop_duplicates : bool, default True
        Drop (and count) rows identical in every column. Set False when a contacts table
        without a time or contact id can hold two genuine contacts on one day.
    id_col, cluster_col, assigned_col, date_col, team_col, discharge_col : str
        Column names, if yours differ.

    Returns
    -------
    ReviewStatus
        ``.table`` has one row per client in service with ``client_id``, ``team``,
        ``last_cluster``, ``assigned_on``, ``review_due``, ``status``, ``days_overdue``,
        ``n_contacts`` and ``last_contact``; ``.summary`` counts the statuses;
        ``.exclusions`` counts every input row that was not used, with the reason.

    Notes
    -----
    The rules, each tested on hand-built timelines:

    * **Episode.** A discharge ends an episode of care at the end of its day. A contact
      after the last discharge (a re-referral) starts a new episode: the client is in
      service again, and clusters and contacts from before the discharge do not count.
    * **In service** on ``as_of``: at least one contact of the current episode in
      ``[as_of - lookback_days, as_of]``.
    * **Review due date** = date of the last clustering of the episode + the cluster's
      maximum review period. Weeks are 7 days; months are calendar months with pandas
      ``DateOffset`` (31 August + 6 months = 28 February, 29 in a leap year).
    * **Status.** ``expired`` when ``as_of > review_due``; ``due`` when
      ``0 <= review_due - as_of <= due_within_days`` days (so on the due date itself a
      cluster is still ``due``, and a client re-clustered on the due date is ``current``
      from that day on); ``current`` otherwise. A client never clustered in the episode
      is ``missing`` once they have had ``missing_threshold`` contacts, and ``due`` (first
      cluster due at the next contact, ``review_due`` empty) before that.
    * ``days_overdue``: days past ``review_due`` for ``expired``; days since the contact
      that reached the threshold for ``missing``; 0 otherwise.
    * **Clustered twice on one day**: the later row in file order is the cluster of that
      day; the earlier rows are counted in ``exclusions``.
    * **Team**: the register's ``team`` when given, else the team of the last contact,
      else that of the last clustering, else ``"unknown"``.
    * Assignments dated after ``as_of``, unknown cluster codes, missing ids or dates and
      duplicated rows are excluded and counted, never silently.

    References
    ----------
    .. [1] Department of Health (2013). Mental Health Clustering Booklet (v3.0).
    .. [2] Monitor and NHS England (2013). Guidance on mental health currencies and
       payment (expired and missing cluster reviews).

    Examples
    --------
    >>> import pandas as pd
    >>> from clusterdiscovery.monitoring import review_status
    >>> asg = pd.DataFrame({"client_id": ["A"], "cluster": [14],
    ...                     "assigned_on": pd.to_datetime(["2025-01-01"])})
    >>> con = pd.DataFrame({"client_id": ["A", "A"],
    ...                     "date": pd.to_datetime(["2025-01-01", "2025-02-01"])})
    >>> res = review_status(asg, con, as_of="2025-02-05")
    >>> row = res.table.iloc[0]
    >>> str(row["review_due"].date()), row["status"], int(row["days_overdue"])
    ('2025-01-29', 'expired', 7)
    """
    rules = check_rules(due_within_days, lookback_days, missing_threshold)
    day = parse_as_of(as_of)
    prep = prepare(
        assignments, contacts, intervals=intervals, clients=clients, discharges=discharges,
        id_col=id_col, cluster_col=cluster_col, assigned_col=assigned_col, date_col=date_col,
        team_col=team_col, discharge_col=discharge_col, drop_duplicates=drop_duplicates,
    )
    exclusions = list(prep.exclusions)
    n_late = int((unpack_day(prep.a_key) > day).sum())
    if n_late:
        exclusions.append(("assignments", "assigned after as_of", n_late))
    notes = list(prep.notes)
    n_future = int((unpack_day(prep.c_key) > day).sum())
    if n_future:
        notes.append(
            f"{n_future} contact(s) dated after as_of were not used for the status "
            "(pass them to work_list as appointments)."
        )
    ev = evaluate(prep, day, **rules)
    table = status_table(prep, ev, teams=teams, team_col=team_col, id_col=id_col)
    if teams is not None and table["team_type"].isna().any():
        unknown = sorted(table.loc[table["team_type"].isna(), team_col].unique())[:5]
        notes.append(f"Team(s) without a team_type in 'teams': {unknown}.")
    return ReviewStatus(
        table,
        exclusions=exclusions_frame(exclusions),
        notes=notes,
        as_of=pd.Timestamp(np.datetime64(day, "D")),
        params=rules,
    )
