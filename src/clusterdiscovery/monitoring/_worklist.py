"""Work list: who needs clustering or re-clustering at their next appointment."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd

from .._csv import safe_frame, write_csv
from .._utils import check_dataframe
from ._inputs import NO_DAY, days_to_dates, parse_as_of, require_columns, to_days
from ._results import Result
from ._status import ReviewStatus

__all__ = ["work_list", "WorkList", "SCORE_COLUMNS"]

#: the rating items of the Mental Health Clustering Tool (HoNOS 1-12 and the SARN-like risk
#: items), left empty on the work list for the clinician to fill in: a template of blank
#: columns, never read from any data; pass ``score_columns`` to use another instrument's
SCORE_COLUMNS = (
    [f"honos_{i}" for i in range(1, 13)]
    + ["sarn_risk_others", "sarn_self_harm", "sarn_vulnerability", "sarn_self_neglect",
       "sarn_engagement"]
)

REASONS = ("missing cluster", "expired review", "review due by appointment",
           "first cluster due")


class WorkList(Result):
    """Clients to cluster or re-cluster at an upcoming appointment.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per client (their first appointment in the range at which a cluster is
        needed): ``client_id``, ``appointment_date``, ``team``, ``reason``, ``status``
        (on ``as_of``), ``last_cluster``, ``assigned_on``, ``review_due``, then empty
        columns for the new scores (``score_columns``; by default the MHCT items
        ``honos_1``..``honos_12``, ``sarn_*``) and ``new_cluster``.
    summary : pandas.DataFrame
        Number of clients per team and reason.
    start, end : pandas.Timestamp
    notes : list of str
    """

    title = "Care-cluster work list"

    def __init__(self, table, *, start, end, notes):
        self.table = table
        self.start = start
        self.end = end
        self.notes = list(notes)

    @property
    def summary(self) -> pd.DataFrame:
        t = self.table
        if t.shape[0] == 0:
            return pd.DataFrame(columns=list(REASONS), dtype="int64")
        out = pd.crosstab(t["team"].astype(str), t["reason"].astype(str))
        out = out.reindex(columns=[r for r in REASONS if r in out.columns])
        out["total"] = out.sum(axis=1)
        out.columns.name = None
        return out

    def to_frame(self) -> pd.DataFrame:
        """The work list table (a copy)."""
        return self.table.copy()

    def __len__(self) -> int:
        return self.table.shape[0]

    def _caption(self) -> str:
        return (f"{self.table.shape[0]} clients with appointments from "
                f"{self.start.date()} to {self.end.date()}")

    def to_csv(self, path) -> None:
        """Write the work list as CSV (dates as ISO ``YYYY-MM-DD``; empty score cells)."""
        write_csv(self.table, path, index=False, date_format="%Y-%m-%d")

    def to_excel(self, path) -> None:
        """Write the work list as an Excel workbook (needs the optional ``openpyxl``)."""
        if importlib.util.find_spec("openpyxl") is None:
            raise ImportError(
                "Writing the work list to Excel needs the optional package 'openpyxl' "
                "(pip install openpyxl); use WorkList.to_csv(path) instead."
            )
        # openpyxl writes a text starting with "=" as a formula: escape as in the CSV
        safe_frame(self.table).to_excel(path, index=False, sheet_name="work list")

    def plot(self, ax=None):
        """Stacked bars: clients on the work list per team and reason; returns the axes."""
        ax = self._axes(ax)
        s = self.summary.drop(columns="total", errors="ignore")
        bottom = np.zeros(s.shape[0])
        for reason in s.columns:
            vals = s[reason].to_numpy(dtype=float)
            ax.bar(s.index.astype(str), vals, bottom=bottom, label=reason)
            bottom += vals
        ax.set_ylabel("clients to cluster")
        ax.set_title(f"Work list {self.start.date()} to {self.end.date()}")
        if s.shape[1]:
            ax.legend(fontsize="small")
        ax.tick_params(axis="x", labelrotation=45)
        return ax


def work_list(status, appointments, *, start=None, end=None, id_col="client_id",
              date_col="date", team_col="team", score_columns=None) -> WorkList:
    """List the clients who need clustering or re-clustering at an upcoming appointment.

    Parameters
    ----------
    status : ReviewStatus
        The result of :func:`review_status` on the day the list is made.
    appointments : pandas.DataFrame
        Upcoming appointments: ``client_id``, ``date`` and optionally ``team``. The
        contacts table itself works too: its rows dated after ``as_of`` are the booked
        appointments.
    start, end : date-like, optional
        The appointment dates to cover, both inclusive. Default: the day after
        ``status.as_of`` to 28 days after it.
    id_col, date_col, team_col : str
        Column names of ``appointments``.
    score_columns : list of str, optional
        Names of the empty columns added for the ratings taken at the appointment (default
        :data:`SCORE_COLUMNS`, the MHCT items); ``[]`` adds none.

    Returns
    -------
    WorkList
        One row per client, at the first appointment in the range where a cluster is
        needed, with the reason: ``"missing cluster"``, ``"expired review"``,
        ``"review due by appointment"`` (``review_due`` on or before the appointment) or
        ``"first cluster due"`` (not yet clustered; this appointment reaches the
        missing threshold). Clients not in service on ``as_of`` are not listed (their
        appointments are counted in ``notes``).

    Examples
    --------
    >>> import pandas as pd
    >>> from clusterdiscovery.monitoring import review_status, work_list
    >>> asg = pd.DataFrame({"client_id": ["A"], "cluster": [14],
    ...                     "assigned_on": pd.to_datetime(["2025-01-01"])})
    >>> con = pd.DataFrame({"client_id": ["A", "A"],
    ...                     "date": pd.to_datetime(["2025-01-02", "2025-01-30"])})
    >>> st = review_status(asg, con, as_of="2025-01-10")
    >>> work_list(st, con).table[["client_id", "reason"]].values.tolist()
    [['A', 'review due by appointment']]
    """
    if not isinstance(status, ReviewStatus):
        raise TypeError(
            "The 'status' parameter must be the result of review_status(); got "
            f"{type(status).__name__}."
        )
    check_dataframe(appointments, "appointments", allow_empty=True)
    require_columns(appointments, [id_col, date_col], "appointments")
    as_of = int(np.datetime64(status.as_of, "D").astype(np.int64))
    lo = as_of + 1 if start is None else parse_as_of(start, "start")
    hi = as_of + 28 if end is None else parse_as_of(end, "end")
    if hi < lo:
        raise ValueError(f"The 'end' date must not be before 'start'; got start={start!r}, "
                         f"end={end!r}.")
    notes: list = []
    threshold = status.params["missing_threshold"]
    days = to_days(appointments[date_col], date_col, "appointments", notes)
    in_range = (days >= lo) & (days <= hi) & (days != NO_DAY)
    cols = [id_col] + ([team_col] if team_col in appointments.columns else [])
    appt = appointments.loc[in_range, cols].copy()
    appt["_day"] = days[in_range]
    appt = appt.drop_duplicates([id_col, "_day"]).sort_values(["_day"], kind="stable")

    st = status.table
    id_name = st.columns[0]
    merged = appt.merge(
        st.drop(columns=[c for c in ("team",) if c in st.columns and c in appt.columns]),
        left_on=id_col, right_on=id_name, how="left", indicator=True,
    )
    n_out = int((merged["_merge"] == "left_only").sum())
    if n_out:
        notes.append(
            f"{n_out} appointment(s) of clients not in service on {status.as_of.date()} "
            "are not listed."
        )
    merged = merged.loc[merged["_merge"] == "both"].drop(columns="_merge")
    # how many appointments of the range each client will have had by this one
    rank = merged.groupby(id_col, sort=False).cumcount().to_numpy() + 1
    due_day = to_days(merged["review_due"], "review_due", "status", [])
    clustered = merged["last_cluster"].notna().to_numpy()
    stat = merged["status"].astype(str).to_numpy()
    reason = np.full(merged.shape[0], "", dtype=object)
    reason[clustered & (due_day <= merged["_day"].to_numpy())] = "review due by appointment"
    first = ~clustered & (stat == "due") & (merged["n_contacts"].to_numpy() + rank >= threshold)
    reason[first] = "first cluster due"
    reason[stat == "expired"] = "expired review"
    reason[stat == "missing"] = "missing cluster"
    merged["reason"] = reason
    merged = merged.loc[merged["reason"] != ""].drop_duplicates(id_col, keep="first")

    table = pd.DataFrame({
        "client_id": merged[id_col].to_numpy(),
        "appointment_date": days_to_dates(merged["_day"].to_numpy()),
        "team": merged["team"].to_numpy() if "team" in merged.columns else "unknown",
        "reason": merged["reason"].to_numpy(),
        "status": merged["status"].astype(str).to_numpy(),
        "last_cluster": pd.array(merged["last_cluster"].to_numpy(), dtype="Int64"),
        "assigned_on": pd.DatetimeIndex(merged["assigned_on"]),
        "review_due": pd.DatetimeIndex(merged["review_due"]),
    })
    if id_col != "client_id":
        table = table.rename(columns={"client_id": id_col})
    if score_columns is None:
        score_columns = SCORE_COLUMNS
    elif isinstance(score_columns, str) or not all(
            isinstance(c, str) and c for c in score_columns):
        raise TypeError(
            f"The 'score_columns' parameter of work_list must be a list of column names; "
            f"got {score_columns!r}."
        )
    clash = sorted(set(score_columns) & (set(table.columns) | {"new_cluster"}))
    if clash:
        raise ValueError(
            f"The 'score_columns' parameter names column(s) {clash} that the work list "
            f"already has; choose other names."
        )
    for col in [*dict.fromkeys(score_columns), "new_cluster"]:
        table[col] = pd.array([pd.NA] * table.shape[0], dtype="Int64")
    table = table.sort_values(["appointment_date", "team", id_col], kind="stable",
                              ignore_index=True)
    return WorkList(table, start=pd.Timestamp(np.datetime64(lo, "D")),
                    end=pd.Timestamp(np.datetime64(hi, "D")), notes=notes)
