"""Checking and encoding the monitoring inputs once, so statuses can be evaluated fast.

Every row that cannot be used is counted in an exclusions table (table, reason, rows);
nothing is dropped silently and the caller's DataFrames are never modified.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import _key
from .._dates import parse_date, parse_dates
from .._utils import check_dataframe
from ..exceptions import SchemaError
from ._periods import add_periods, resolve_intervals

# a (client, day) pair is packed into one sortable int64 key
SHIFT = np.int64(32)
OFF = np.int64(2**31)
NO_DAY = -OFF  # "no such date" (no discharge): sorts before every real day

DISCHARGE_COLUMNS = ("discharged_on", "discharge_date")


def require_columns(df: pd.DataFrame, cols, name: str) -> None:
    """Raise a SchemaError naming the missing columns of table ``name``."""
    missing = [c for c in cols if c is not None and c not in df.columns]
    if missing:
        raise SchemaError(
            f"The '{name}' table lacks the column(s) {missing}; it has {list(df.columns)}. "
            "Rename the columns or pass the matching *_col parameter."
        )


_FIX = ("convert it first with pandas.to_datetime(values, format={fmt}), or give "
        "`clusterdiscovery monitor` --date-format {fmt}")


def to_days(values: pd.Series, column: str, table: str, notes: list) -> np.ndarray:
    """Dates -> int64 days since 1970-01-01 (time of day dropped); NaT -> NO_DAY.

    Strings are read by the package's one date parser (ISO 8601; ambiguous, out-of-range
    and non-date strings refused, naming the column). Time zones are ignored: tz-aware
    values keep their local wall-clock date.
    """
    s = parse_dates(values, column, table=f"'{table}'", fix=_FIX)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        notes.append(
            f"Time zones ignored: '{column}' of '{table}' was converted to local dates "
            f"({s.dtype.tz})."
        )
        s = s.dt.tz_localize(None)
    arr = np.asarray(s.to_numpy(), dtype="datetime64[ns]")
    days = arr.astype("datetime64[D]").astype(np.int64)
    days[np.isnat(arr)] = NO_DAY
    return days


def parse_as_of(as_of, name: str = "as_of") -> int:
    """Parse a date parameter into int days; a clear ValueError if it is not a date (or
    ambiguous, out of range, or more than a year ahead: see :func:`.._dates.parse_date`)."""
    ts = parse_date(as_of, name)
    return int(np.datetime64(ts.normalize(), "D").astype(np.int64))


def days_to_dates(days: np.ndarray) -> pd.DatetimeIndex:
    """Inverse of :func:`to_days` (NO_DAY -> NaT)."""
    arr = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[s]")
    arr[np.asarray(days) == NO_DAY] = np.datetime64("NaT")
    return pd.DatetimeIndex(arr)


def pack(codes: np.ndarray, days: np.ndarray) -> np.ndarray:
    return (codes.astype(np.int64) << SHIFT) | (days.astype(np.int64) + OFF)


def unpack_day(keys: np.ndarray) -> np.ndarray:
    return (keys & np.int64(2**32 - 1)) - OFF


@dataclass
class Prepared:
    """Cleaned, encoded and sorted inputs, ready for evaluation at any date."""

    ids: np.ndarray  # client id of each client code
    team_names: np.ndarray  # team name of each team code
    c_key: np.ndarray  # sorted contact keys
    c_team: np.ndarray  # team code of each sorted contact (-1 unknown)
    a_key: np.ndarray  # sorted assignment keys (one per client and day)
    a_cluster: np.ndarray  # cluster code (original value) of each sorted assignment
    a_due: np.ndarray  # review due day of each sorted assignment
    a_team: np.ndarray
    d_key: np.ndarray  # sorted discharge keys
    reg_team: np.ndarray | None  # register team code per client, or None
    exclusions: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    first_day: int = 0
    last_day: int = 0


def _clients_table(clients, id_col: str) -> pd.DataFrame:
    check_dataframe(clients, "clients")
    if id_col in clients.columns:
        return clients
    if clients.index.name == id_col:
        return clients.reset_index()
    raise SchemaError(
        f"The 'clients' table needs the client id as a column or index named '{id_col}'."
    )


def _id_keys(s: pd.Series) -> pd.Series:
    """Ids as their printed key (``1``, ``1.0``, ``"1"`` and ``" 1 "`` -> ``"1"``; text
    kept as written otherwise, so ``"00123"`` stays ``"00123"``); missing stays missing."""
    uniq = pd.unique(s.dropna())
    return s.map({v: _key(v) for v in uniq})


def _normalise_ids(parts: dict) -> dict:
    """One spelling of the ids across every input, decided once on read.

    Tables whose id columns are all numbers, or all clean text, are used as they are. When
    their types differ (numbers in one file, text in another, as a CSV with one stray text
    id gives) or text ids carry spaces, every id becomes its printed key, so that ``123``
    and ``"123"`` are one client."""
    def kind(s):
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            return "number"
        vals = pd.unique(s.dropna())
        if all(isinstance(v, str) and v == v.strip() for v in vals):
            return "text"
        return "mixed"

    kinds = {name: kind(s) for name, s in parts.items()}
    if len(set(kinds.values())) == 1 and "mixed" not in kinds.values():
        return parts
    return {name: _id_keys(s) for name, s in parts.items()}


def _check_matched(con_ids: np.ndarray, asg_ids: np.ndarray, con_raw, asg_raw,
                   id_col: str) -> None:
    """Refuse inputs whose ids mostly fail to meet: most assigned clients have no contact
    and most contacted clients no assignment (ids written two ways, or the wrong files)."""
    a = np.unique(asg_ids[asg_ids >= 0])
    c = np.unique(con_ids[con_ids >= 0])
    if len(a) < 20 or len(c) < 20:
        return
    both = np.intersect1d(a, c).size
    if both / len(a) < 0.5 and both / len(c) < 0.5:
        raise SchemaError(
            f"The '{id_col}' values of the assignments and the contacts mostly do not meet: "
            f"{both:,} of {len(a):,} assigned clients have a contact and {both:,} of "
            f"{len(c):,} contacted clients an assignment. Examples: assignments "
            f"{[_key(v) for v in pd.unique(asg_raw.dropna())[:3]]}, contacts "
            f"{[_key(v) for v in pd.unique(con_raw.dropna())[:3]]}. Check that both files "
            "use the same client ids, written the same way (e.g. leading zeros).")


def _factorize(parts: dict) -> tuple[dict, pd.Index]:
    """Integer codes of several columns over one shared set of values (-1 for missing)."""
    names = list(parts)
    sizes = [len(parts[k]) for k in names]
    codes, uniques = pd.factorize(pd.concat([parts[k] for k in names], ignore_index=True))
    codes = codes.astype(np.int64)
    out, pos = {}, 0
    for k, n in zip(names, sizes):
        out[k] = codes[pos:pos + n]
        pos += n
    return out, pd.Index(uniques)


def _drop_duplicates(df: pd.DataFrame, table: str, exclusions: list) -> pd.DataFrame:
    dup = df.duplicated(keep="first").to_numpy()
    n = int(dup.sum())
    if n:
        exclusions.append((table, "duplicated row (identical in every column)", n))
        return df.loc[~dup]
    return df


def _register(clients, id_col: str, team_col: str, discharge_col):
    """The optional client register and its discharge dates (``_discharged``), or None."""
    if clients is None:
        return None, None
    register = _clients_table(clients, id_col)
    if register[id_col].isna().any():
        raise SchemaError(f"The 'clients' table has missing values in '{id_col}'.")
    if team_col in register.columns and register[id_col].duplicated().any():
        teams_per_id = register.groupby(id_col, sort=False)[team_col].nunique()
        clash = teams_per_id[teams_per_id > 1]
        if len(clash):
            raise SchemaError(
                f"The 'clients' register gives {len(clash)} client(s) more than one "
                f"'{team_col}', e.g. {clash.index[0]!r}; keep one row per client (the "
                f"current team), or leave '{team_col}' out to use the contacts' teams."
            )
    dcol = next((c for c in DISCHARGE_COLUMNS if c in register.columns), None)
    if discharge_col is not None and discharge_col in register.columns:
        dcol = discharge_col
    if dcol is None:
        return register, None
    return register, register[[id_col, dcol]].rename(columns={dcol: "_discharged"})


def _explicit_discharges(discharges, id_col: str, discharge_col) -> pd.DataFrame | None:
    """The explicit discharges (several per client allowed) as (id, ``_discharged``)."""
    if discharges is None:
        return None
    check_dataframe(discharges, "discharges", allow_empty=True)
    if id_col not in discharges.columns and discharges.index.name == id_col:
        discharges = discharges.reset_index()  # e.g. the client register itself
    dcol = discharge_col
    if dcol is None:
        dcol = next((c for c in DISCHARGE_COLUMNS if c in discharges.columns), None)
    if dcol is None or dcol not in discharges.columns:
        raise SchemaError(
            "The 'discharges' table needs a discharge date column named 'discharged_on' "
            "or 'discharge_date' (or pass discharge_col=...)."
        )
    require_columns(discharges, [id_col], "discharges")
    return discharges[[id_col, dcol]].rename(columns={dcol: "_discharged"})


def _distinct_rows(contacts, assignments, drop_duplicates, exclusions: list):
    """Duplicated rows dropped first, so every later count is of distinct rows."""
    if not isinstance(drop_duplicates, bool | np.bool_):
        raise TypeError(f"The 'drop_duplicates' parameter must be True or False; got "
                        f"{drop_duplicates!r}.")
    con, asg = contacts, assignments
    if drop_duplicates:
        con = _drop_duplicates(con, "contacts", exclusions)
    if drop_duplicates and asg.shape[0]:
        asg = _drop_duplicates(asg, "assignments", exclusions)
    return con, asg


def _all_discharges(frames: list) -> pd.DataFrame | None:
    """Every discharge with a date, or None when no table gives discharges."""
    frames = [f for f in frames if f is not None]
    if not frames:
        return None
    dis = pd.concat(frames, ignore_index=True)
    return dis.loc[dis["_discharged"].notna()]


@dataclass
class _Clients:
    """Client codes of every table, from one factorization (register ids first)."""

    codes: dict  # table -> client code per row (-1 missing; >= n_known: not registered)
    uniques: pd.Index  # the client ids, one per code below n_known
    n_known: int
    id_col: str

    def encode(self, table: str, exclusions: list) -> np.ndarray:
        """The client codes of ``table``, counting rows without a usable id (-1)."""
        codes = self.codes[table]
        n_na = int((codes == -1).sum())
        if n_na:
            exclusions.append((table, f"missing '{self.id_col}'", n_na))
        unknown = codes >= self.n_known
        if unknown.any():
            exclusions.append((table, "client not in the 'clients' register",
                               int(unknown.sum())))
            codes = np.where(unknown, -1, codes)
        return codes


def _client_codes(con, asg, dis, register, id_col: str) -> _Clients:
    id_parts = {"contacts": con[id_col], "assignments": asg[id_col]}
    if dis is not None:
        id_parts["discharges"] = dis[id_col]
    if register is not None:
        id_parts = {"clients": register[id_col], **id_parts}
    id_codes, uniques = _factorize(_normalise_ids(id_parts))
    _check_matched(id_codes["contacts"], id_codes["assignments"], con[id_col], asg[id_col],
                   id_col)
    n_known = len(uniques) if register is None else int(id_codes["clients"].max()) + 1
    return _Clients(id_codes, uniques[:n_known], n_known, id_col)


def _team_codes(tables: dict, team_col: str, notes: list) -> tuple[dict, pd.Index]:
    """One team code table for every source (team names as text)."""
    team_parts = {name: df[team_col] for name, df in tables.items()
                  if df is not None and team_col in df.columns}
    if team_parts:
        return _factorize(
            {k: (v if pd.api.types.is_string_dtype(v.dtype) else v.astype("str"))
             for k, v in team_parts.items()})
    notes.append(f"No '{team_col}' column in any table: every client is in team 'unknown'.")
    return {}, pd.Index([], dtype=str)


def _encode_team(team_codes: dict, table: str, n: int) -> np.ndarray:
    return team_codes.get(table, np.full(n, -1, dtype=np.int64))


def _dated(values: pd.Series, column: str, table: str, notes: list,
           exclusions: list) -> np.ndarray:
    """:func:`to_days`, counting the rows without a date."""
    days = to_days(values, column, table, notes)
    n_nat = int((days == NO_DAY).sum())
    if n_nat:
        exclusions.append((table, f"missing date in '{column}'", n_nat))
    return days


def _contacts(con, clients: _Clients, team_codes: dict, date_col: str, notes: list,
              exclusions: list):
    """Sorted contact keys and the team code of each."""
    c_code = clients.encode("contacts", exclusions)
    c_day = _dated(con[date_col], date_col, "contacts", notes, exclusions)
    keep = (c_code >= 0) & (c_day != NO_DAY)
    c_team_all = _encode_team(team_codes, "contacts", con.shape[0])
    c_key = pack(c_code[keep], c_day[keep])
    order = np.argsort(c_key, kind="stable")
    return c_key[order], c_team_all[keep][order]


def _cluster_positions(clus: pd.Series, known_index: pd.Index, cluster_col: str,
                       exclusions: list) -> np.ndarray:
    """Position of each row's cluster code among the known codes (-1: missing or unknown)."""
    pos = known_index.get_indexer(clus)
    if (pos < 0).any() and not pd.api.types.is_numeric_dtype(clus.dtype):
        # codes given as text ("14") while the periods use numbers (or vice versa)
        numeric = pd.to_numeric(clus, errors="coerce")
        retry = known_index.get_indexer(numeric)
        pos = np.where(pos < 0, retry, pos)
    n_na_clus = int(clus.isna().sum())
    if n_na_clus:
        exclusions.append(("assignments", f"missing cluster code in '{cluster_col}'", n_na_clus))
    unknown = (pos < 0) & clus.notna().to_numpy()
    if unknown.any():
        bad = pd.unique(clus[unknown])[:5]
        exclusions.append((
            "assignments",
            f"unknown cluster code (not in intervals), e.g. {[str(b) for b in bad]}",
            int(unknown.sum()),
        ))
    return pos


def _last_of_each_day(arrays: tuple, exclusions: list) -> tuple:
    """Clustered twice on one day: the later row in file order wins (``arrays[0]`` holds
    the sorted keys)."""
    a_key = arrays[0]
    if a_key.shape[0] <= 1:
        return arrays
    last_of_day = np.r_[a_key[1:] != a_key[:-1], True]
    n_same = int((~last_of_day).sum())
    if not n_same:
        return arrays
    exclusions.append((
        "assignments",
        "clustered again on the same day (earlier row in file order superseded)",
        n_same,
    ))
    return tuple(a[last_of_day] for a in arrays)


def _assignments(asg, clients: _Clients, team_codes: dict, periods_map: dict, cols: tuple,
                 notes: list, exclusions: list):
    """Sorted assignment keys (one per client and day), cluster codes, review due days
    and team codes."""
    cluster_col, assigned_col = cols
    a_code = clients.encode("assignments", exclusions)
    a_day = _dated(asg[assigned_col], assigned_col, "assignments", notes, exclusions)
    # cluster codes -> period index
    codes_known = list(periods_map)
    period_list = sorted(set(periods_map.values()))
    code_to_period = {c: period_list.index(p) for c, p in periods_map.items()}
    known_index = pd.Index(codes_known)
    pos = _cluster_positions(asg[cluster_col], known_index, cluster_col, exclusions)
    period_of_known = np.array([code_to_period[c] for c in codes_known], dtype=np.int64)
    keep = (a_code >= 0) & (a_day != NO_DAY) & (pos >= 0)
    a_key = pack(a_code[keep], a_day[keep])
    a_pidx = period_of_known[pos[keep]]
    a_clus = np.asarray(known_index)[pos[keep]]
    a_team_all = _encode_team(team_codes, "assignments", asg.shape[0])[keep]
    order = np.argsort(a_key, kind="stable")
    a_key, a_pidx, a_clus, a_team_all = _last_of_each_day(
        (a_key[order], a_pidx[order], a_clus[order], a_team_all[order]), exclusions)
    a_due = add_periods(unpack_day(a_key), a_pidx, period_list)
    return a_key, a_clus, a_due, a_team_all


def _discharge_keys(dis, clients: _Clients, notes: list, exclusions: list) -> np.ndarray:
    if dis is None:
        return np.zeros(0, dtype=np.int64)
    d_code = clients.encode("discharges", exclusions)
    d_day = to_days(dis["_discharged"], "discharge date", "discharges", notes)
    ok = d_code >= 0
    return np.unique(pack(d_code[ok], d_day[ok]))


def _register_teams(register, clients: _Clients, team_codes: dict,
                    team_col: str) -> np.ndarray | None:
    if register is None or team_col not in register.columns:
        return None
    reg_team = np.full(len(clients.uniques), -1, dtype=np.int64)
    reg_team[clients.codes["clients"]] = team_codes["clients"]
    return reg_team


def prepare(
    assignments,
    contacts,
    *,
    intervals=None,
    clients=None,
    discharges=None,
    id_col="client_id",
    cluster_col="cluster",
    assigned_col="assigned_on",
    date_col="date",
    team_col="team",
    discharge_col=None,
    drop_duplicates=True,
) -> Prepared:
    """Validate and encode the inputs (never modifying them); count every dropped row."""
    check_dataframe(assignments, "assignments", allow_empty=True)
    check_dataframe(contacts, "contacts")
    require_columns(assignments, [id_col, cluster_col, assigned_col], "assignments")
    require_columns(contacts, [id_col, date_col], "contacts")
    exclusions: list = []
    notes: list = []
    periods_map = resolve_intervals(intervals)
    register, reg_discharge = _register(clients, id_col, team_col, discharge_col)
    explicit = _explicit_discharges(discharges, id_col, discharge_col)
    con, asg = _distinct_rows(contacts, assignments, drop_duplicates, exclusions)
    dis = _all_discharges([explicit, reg_discharge])
    codes = _client_codes(con, asg, dis, register, id_col)
    team_codes, team_names = _team_codes(
        {"contacts": con, "assignments": asg, "clients": register}, team_col, notes)
    c_key, c_team = _contacts(con, codes, team_codes, date_col, notes, exclusions)
    a_key, a_clus, a_due, a_team = _assignments(
        asg, codes, team_codes, periods_map, (cluster_col, assigned_col), notes, exclusions)
    d_key = _discharge_keys(dis, codes, notes, exclusions)
    c_days = unpack_day(c_key)  # contacts define who is in service, hence the history
    return Prepared(
        ids=np.asarray(codes.uniques, dtype=object),
        team_names=np.asarray(team_names, dtype=object),
        c_key=c_key,
        c_team=c_team,
        a_key=a_key,
        a_cluster=a_clus,
        a_due=a_due,
        a_team=a_team,
        d_key=d_key,
        reg_team=_register_teams(register, codes, team_codes, team_col),
        exclusions=exclusions,
        notes=notes,
        first_day=int(c_days.min()) if c_days.size else 0,
        last_day=int(c_days.max()) if c_days.size else 0,
    )


def exclusions_frame(rows: list) -> pd.DataFrame:
    """The exclusions as a table: which input, why, how many rows."""
    return pd.DataFrame(rows, columns=["table", "reason", "n_rows"]).astype({"n_rows": "int64"})
