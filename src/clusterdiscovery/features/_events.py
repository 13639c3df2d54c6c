"""Aggregate a long table of service events into one row of features per client.

Everything is computed with integer codes and :func:`numpy.bincount` (client x service
cells), so a million events take well under a second: there is no per-client Python.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._checks import check_magnitude, check_number, check_reserved
from .._dates import check_not_future, parse_date, parse_dates
from .._utils import check_dataframe, check_positive
from ..exceptions import SchemaError
from ._event_counts import _I8_MIN, _NS_PER_DAY, count_events

__all__ = ["aggregate_events"]

_DAYS_PER_YEAR = 365.25
#: events encoded and counted at once: bounds the working memory to about 22 bytes per
#: event (dates, costs and compact codes) plus about 100 per event of one chunk
_CHUNK = 1 << 22


def event_columns(events, id_col, date_col, service_col, cost_col) -> list:
    """The events table's columns that aggregation reads, checked to be there."""
    needed = [id_col, date_col, service_col] + ([cost_col] if cost_col is not None else [])
    missing = [c for c in needed if c not in events.columns]
    if missing:
        raise SchemaError(
            f"The events table has no column(s) {missing} (it has {list(events.columns)}). "
            f"Rename them or pass id_col=, date_col=, service_col=, cost_col=."
        )
    return needed


def aggregate_events(
    events: pd.DataFrame,
    clients=None,
    as_of=None,
    window_days: float | None = None,
    *,
    id_col: str = "client_id",
    date_col: str = "date",
    service_col: str = "service",
    cost_col: str | None = "cost",
    services: Sequence[str] | None = None,
    inpatient_services: Sequence[str] = ("inpatient_day",),
    crisis_services: Sequence[str] = ("crisis", "ae_attendance"),
    episode_gap_days: float = 7,
    start_col: str | None = None,
    min_exposure_days: float = 30,
    unknown: str = "raise",
    date_format: str | None = None,
) -> pd.DataFrame:
    """Per-client counts, costs, rates and recency of service use.

    Parameters
    ----------
    events : DataFrame
        Long table, one row per contact or bed-day, with columns ``id_col``, ``date_col``
        (datetime64, or ISO 8601 date strings, or strings in ``date_format``),
        ``service_col`` and ``cost_col``. It is never modified.
    clients : DataFrame, list or Index, optional
        The clients who must get a row. A DataFrame supplies its ids from the ``id_col``
        column if it has one, else from its index. Clients without events get zero counts
        and costs (and NaN/NaT recency). When omitted, the clients are those in ``events``
        (sorted by id).
    as_of : date-like, optional
        Cut-off date: events after it are ignored. Defaults to the latest event date, which
        must not lie after today (a typo such as 2099 would otherwise become the cut-off).
    window_days : float, optional
        Keep only events in ``(as_of - window_days, as_of]`` for the counts, costs, rates,
        inpatient days and crisis episodes.
    id_col, date_col, service_col, cost_col : str
        Column names in ``events``. ``cost_col=None`` skips the cost columns.
    services : list of str, optional
        The service types that get columns, in this order. Default: every service type in
        ``events`` (before any cut-off, so that the columns do not depend on ``as_of``),
        sorted. Events of a service not listed raise a ``ValueError``.
    inpatient_services : list of str
        Services whose events are bed-days (default ``("inpatient_day",)``).
    crisis_services : list of str
        Services that count towards crisis episodes (default ``("crisis", "ae_attendance")``).
    episode_gap_days : float
        Crisis contacts more than this many days after the previous crisis contact of the
        same client start a new episode (default 7).
    start_col : str, optional
        A date column of ``clients`` (e.g. ``"referral_date"``) that starts each client's
        exposure when no window is given (see Notes).
    min_exposure_days : float
        Floor on the exposure used for per-year rates (default 30 days), so that a client
        first seen a few days before ``as_of`` does not get an enormous rate.
    unknown : {"raise", "drop"}
        What to do with events of clients not in ``clients``: raise a ``ValueError`` that
        says how many and gives examples (default), or drop them.
    date_format : str, optional
        A ``strptime`` format such as ``"%d/%m/%Y"`` for date strings not in ISO 8601
        (event dates, ``as_of`` and the ``start_col`` dates). See
        :func:`clusterdiscovery._dates.parse_dates`.

    Returns
    -------
    DataFrame
        Indexed by client id (named ``id_col``), one row per client, with columns:

        - ``n_<service>``, ``cost_<service>``: counts and costs by service type;
        - ``n_total``, ``cost_total``;
        - ``n_contacts``: events of services other than ``inpatient_services`` (contacts,
          without bed days);
        - ``<each of the above>_per_year``: divided by ``exposure_years``;
        - ``exposure_years``: the exposure used for the rates (see Notes);
        - ``inpatient_days``: distinct calendar days with an inpatient event;
        - ``crisis_episodes``: runs of crisis contacts with gaps of at most
          ``episode_gap_days``;
        - ``first_contact``, ``last_contact`` (datetime64, NaT when none) and
          ``days_since_last_contact`` (float, NaN when none): over all events on or before
          ``as_of`` (the window does not apply to these).

        Service names are turned into column-safe names (lower case, runs of characters
        other than letters, digits and ``_`` replaced by ``_``).

    Raises
    ------
    TypeError
        If ``events`` is not a DataFrame.
    SchemaError
        A required column is missing, a date is not a date (or is ambiguous, such as
        01/02/2025 without ``date_format``, or outside 1677..2262), a date, id or service is
        missing, or a cost is negative, NaN or infinite.
    ValueError
        Bad parameters; events of unknown clients with ``unknown="raise"``; duplicated
        client ids in ``clients``.

    Notes
    -----
    *Exposure.* With ``window_days`` every client's exposure is the window length. Without
    a window it runs from the client's start to ``as_of`` (inclusive of both days): the
    start is the earlier of the first event and, when ``start_col`` is given, the client's
    ``start_col`` date. The exposure is at least ``min_exposure_days``. A client with no
    events and no start date has NaN exposure and zero rates. One year is 365.25 days.

    *Crisis episodes.* The crisis contacts of a client, in date order, form one episode as
    long as each follows the previous one by at most ``episode_gap_days`` days; a longer
    gap starts a new episode.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({
    ...     "client_id": ["a", "a", "b"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-02-01"]),
    ...     "service": ["crisis", "outpatient", "outpatient"],
    ...     "cost": [300.0, 100.0, 100.0]})
    >>> out = aggregate_events(ev, clients=["a", "b", "c"], as_of="2024-03-01")
    >>> out[["n_total", "cost_total", "crisis_episodes"]]  # doctest: +NORMALIZE_WHITESPACE
               n_total  cost_total  crisis_episodes
    client_id
    a                2       400.0                1
    b                1       100.0                0
    c                0         0.0                0
    """
    events = check_dataframe(events, "events", allow_empty=True)
    gap_days, min_exposure, window_days, inpatient_services, crisis_services = _check_parameters(
        unknown, episode_gap_days, min_exposure_days, window_days, inpatient_services,
        crisis_services)
    ids, t, svc, cost = _event_arrays(events, id_col, date_col, service_col, cost_col,
                                      date_format)

    # compact codes (events are read in chunks)
    chunks = _chunks(len(t))
    svc_names, svc_codes = _encode_services(svc, services, chunks, service_col)
    labels = _column_labels(svc_names)
    if clients is None:
        client_index = pd.Index(pd.factorize(pd.unique(ids), sort=True)[1], name=id_col)
    else:
        client_index = _client_index(clients, id_col)
    codes, dropping = _encode_clients(ids, client_index, clients is not None, chunks, unknown)
    n = len(client_index)

    # cut-off, window, then one pass: counts, costs, first and last, ...
    as_of_ns = _cut_off(as_of, t, codes, dropping, date_col, date_format)
    window_lo = None
    if window_days is not None and as_of_ns is not None:
        window_lo = as_of_ns - int(round(window_days * _NS_PER_DAY))
    inp_svc = np.isin(svc_names, list(inpatient_services))
    tally = count_events(chunks, codes, t, svc_codes, cost, n=n, inp_svc=inp_svc,
                         cri_svc=np.isin(svc_names, list(crisis_services)), as_of_ns=as_of_ns,
                         window_lo=window_lo, dropping=dropping, gap_days=gap_days)

    out = _count_columns(tally, labels, inp_svc)
    if window_days is not None:
        exposure_days = np.full(n, window_days, dtype=float)
    else:
        exposure_days = _exposure_days(tally, as_of_ns, min_exposure, clients, start_col,
                                       date_format)
    _add_rates(out, exposure_days / _DAYS_PER_YEAR)
    out["inpatient_days"] = tally.inpatient_days
    out["crisis_episodes"] = tally.crisis_episodes
    out.update(_recency(tally, as_of_ns))

    frame = pd.DataFrame(out, index=client_index)
    frame.columns.name = None
    return frame


# ------------------------------------------------------------------------------ steps
def _check_parameters(unknown, episode_gap_days, min_exposure_days, window_days,
                      inpatient_services, crisis_services):
    """The parameters checked: ``(gap_days, min_exposure, window_days, inpatient_services,
    crisis_services)``."""
    if unknown not in ("raise", "drop"):
        raise ValueError(f"The 'unknown' parameter must be 'raise' or 'drop'. Got {unknown!r}.")
    gap_days = check_positive(episode_gap_days, "episode_gap_days", strict=False)
    min_exposure = check_positive(min_exposure_days, "min_exposure_days", strict=False)
    if window_days is not None:
        window_days = check_positive(window_days, "window_days")
        # a window longer than the calendar pandas can represent (about 292 years)
        check_number(window_days, "window_days", low=0, high=100_000)
    inpatient_services = _names(inpatient_services, "inpatient_services")
    crisis_services = _names(crisis_services, "crisis_services")
    return gap_days, min_exposure, window_days, inpatient_services, crisis_services


def _event_arrays(events, id_col, date_col, service_col, cost_col, date_format):
    """``(ids, dates, services, costs)``: the id and service columns (Series), the dates as
    int64 nanoseconds and the costs as floats (None without ``cost_col``), all checked."""
    needed = event_columns(events, id_col, date_col, service_col, cost_col)
    repeated = [c for c in needed if (events.columns == c).sum() > 1]
    if repeated:
        raise SchemaError(
            f"The events table has more than one column named {repeated}; rename or drop "
            f"the copies so that each of these names appears once."
        )
    ids = events[id_col]
    if ids.isna().any():
        raise SchemaError(
            f"Column '{id_col}' of events has {int(ids.isna().sum())} missing client id(s); "
            f"drop those rows or fill in the ids."
        )
    t = _as_int_ns(events[date_col], date_col, "events", date_format)
    if len(t) and (t == _I8_MIN).any():
        raise SchemaError(
            f"Column '{date_col}' of events has {int((t == _I8_MIN).sum())} missing date(s); "
            f"every event needs a date."
        )
    svc = events[service_col]
    if svc.isna().any():
        raise SchemaError(
            f"Column '{service_col}' of events has {int(svc.isna().sum())} missing service "
            f"type(s); fill them in (e.g. 'other') or drop those rows."
        )
    cost = _costs(events[cost_col], cost_col) if cost_col is not None else None
    return ids, t, svc, cost


def _chunks(nrow: int) -> list[tuple[int, int]]:
    """The ``(lo, hi)`` row ranges read at once (``_CHUNK`` rows each)."""
    return [(lo, min(nrow, lo + _CHUNK)) for lo in range(0, nrow, _CHUNK)]


def _encode_services(svc, services, chunks, service_col):
    """``(names, codes)``: the service types that get columns and each event's code."""
    if services is None:
        svc_raw = pd.factorize(pd.unique(svc), sort=True)[1]
        svc_names = [str(s) for s in svc_raw]
        svc_lookup = pd.Index(svc_raw)
    else:
        svc_names = _names(services, "services")
        if len(set(svc_names)) != len(svc_names):
            raise ValueError(f"The 'services' parameter has duplicates: {svc_names}.")
        svc_lookup = pd.Index(svc_names)
    svc_codes = np.empty(len(svc), dtype=np.int16 if len(svc_names) < 2**15 else np.int64)
    other = []
    for lo, hi in chunks:
        part = svc.iloc[lo:hi]
        c = svc_lookup.get_indexer(part if services is None else part.astype(str))
        if (c < 0).any():
            other.extend(pd.unique(part[c < 0].astype(str)).tolist())
        svc_codes[lo:hi] = c
    if other:
        raise ValueError(
            f"Column '{service_col}' has service type(s) {list(dict.fromkeys(other))[:5]} "
            f"not in the 'services' parameter; add them to 'services' or leave it as None."
        )
    return svc_names, svc_codes


def _encode_clients(ids, client_index, given, chunks, unknown):
    """``(codes, dropping)``: each event's client code (-1: a client not in the ``clients``
    ``given``, dropped with ``unknown="drop"``), and whether any event is dropped."""
    n = len(client_index)
    codes = np.empty(len(ids), dtype=np.int32 if n < 2**31 else np.int64)
    stray = []
    for lo, hi in chunks:
        c = client_index.get_indexer(ids.iloc[lo:hi])
        if given and (c < 0).any():
            stray.append(ids.iloc[lo:hi][c < 0])
        codes[lo:hi] = c
    dropping = bool(stray)
    if stray:
        stray = pd.concat(stray)
        _check_stray(stray, client_index, unknown)
    return codes, dropping


def _check_stray(stray, client_index, unknown) -> None:
    """Events of clients not in 'clients': an error, unless ``unknown="drop"``."""
    # ids written differently in the two tables (1 against "1"): never silently dropped
    as_text = pd.Index(client_index.map(str)).get_indexer(pd.Index(stray).map(str))
    if (as_text >= 0).any():
        raise ValueError(
            f"The events' client ids {pd.unique(stray).tolist()[:3]} match ids of "
            f"'clients' only as text: the two tables write the ids differently (e.g. 1 "
            f"against '1'). Convert both id columns to one type, e.g. .astype(str).")
    if unknown == "raise":
        examples = pd.unique(stray).tolist()[:5]
        raise ValueError(
            f"{len(stray)} event(s) belong to {len(pd.unique(stray))} client(s) "
            f"not in 'clients', e.g. {examples}. Add them to 'clients' or pass "
            f"unknown='drop' to ignore their events."
        )


def _cut_off(as_of, t, codes, dropping, date_col, date_format):
    """``as_of`` in int64 nanoseconds: the one given, else the latest event kept (checked
    not to lie in the future); None when there is no event."""
    if as_of is not None:
        return _timestamp_ns(as_of, "as_of", date_format)
    kept = t[codes >= 0] if dropping else t
    as_of_ns = int(kept.max()) if len(kept) else None
    if as_of_ns is not None:
        check_not_future(pd.Series(kept.view("datetime64[ns]")), date_col, table="events")
    return as_of_ns


def _count_columns(tally, labels, inp_svc) -> dict:
    """``n_<service>``, ``n_total``, ``n_contacts``, ``cost_<service>``, ``cost_total``."""
    out = {}
    for j, lab in enumerate(labels):
        out[f"n_{lab}"] = tally.counts[:, j]
    out["n_total"] = tally.counts.sum(axis=1)
    # contacts only: n_total adds bed days to contacts, two different things
    out["n_contacts"] = tally.counts[:, ~inp_svc].sum(axis=1)
    if tally.costs is not None:
        for j, lab in enumerate(labels):
            out[f"cost_{lab}"] = tally.costs[:, j]
        out["cost_total"] = tally.costs.sum(axis=1)
    return out


def _exposure_days(tally, as_of_ns, min_exposure, clients, start_col,
                   date_format) -> np.ndarray:
    """Exposure without a window: from the client's start to ``as_of`` (both days), at
    least ``min_exposure`` days; NaN without events or a start date."""
    start = tally.first.copy()
    if start_col is not None:
        start = _merge_start(start, tally.seen, clients, start_col, date_format)
    has_start = start != _I8_MIN
    exposure_days = np.full(len(start), np.nan)
    if as_of_ns is not None:
        span = (as_of_ns - start[has_start]) / _NS_PER_DAY + 1.0
        exposure_days[has_start] = np.maximum(span, min_exposure)
    return exposure_days


def _add_rates(out: dict, exposure_years: np.ndarray) -> None:
    """Add ``<column>_per_year`` of every column so far (0 where the count is 0), then
    ``exposure_years``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        for name in list(out):
            v = out[name] / exposure_years
            out[f"{name}_per_year"] = np.where(out[name] == 0, 0.0, v)
    out["exposure_years"] = exposure_years


def _recency(tally, as_of_ns) -> dict:
    """``first_contact``, ``last_contact`` and ``days_since_last_contact``."""
    dsl = np.full(len(tally.last), np.nan)
    if as_of_ns is not None:
        dsl[tally.seen] = (as_of_ns - tally.last[tally.seen]) / _NS_PER_DAY
    return {"first_contact": tally.first.view("datetime64[ns]"),
            "last_contact": tally.last.view("datetime64[ns]"),
            "days_since_last_contact": dsl}


# ------------------------------------------------------------------------------ helpers
def _names(value, name: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, Sequence | pd.Index | np.ndarray):
        raise TypeError(f"The '{name}' parameter must be a list of service names; got {value!r}.")
    return [str(v) for v in value]


def _column_labels(names: list[str]) -> list[str]:
    labels = [re.sub(r"[^0-9a-zA-Z_]+", "_", s.strip()).strip("_").lower() or "unnamed"
              for s in names]
    if len(set(labels)) != len(labels):
        raise ValueError(
            f"Service types {names} give clashing column names {labels}; rename the services "
            f"so that they differ in more than case and punctuation."
        )
    # n_<service>, cost_<service>: a service called 'total' would overwrite the totals
    check_reserved(labels, {"total", "total_per_year"}, "service type")
    return labels


def _as_int_ns(s: pd.Series, col: str, table: str, date_format=None) -> np.ndarray:
    """Dates as int64 nanoseconds since the epoch (NaT -> int64 min), read by the package's
    one date parser (ISO 8601 or ``date_format``; nothing guessed, nothing out of range)."""
    s = parse_dates(s, col, table=table, date_format=date_format)
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_convert(None)
    return s.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _timestamp_ns(value, name: str, date_format=None) -> int:
    ts = parse_date(value, name, date_format=date_format)
    return int(ts.as_unit("ns").value)


def _costs(s: pd.Series, col: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        raise SchemaError(
            f"Cost column '{col}' must be numeric but has dtype {s.dtype}; convert it with "
            f"pandas.to_numeric(events['{col}'])."
        )
    arr = s.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(arr).any():
        raise SchemaError(
            f"Cost column '{col}' has {int(np.isnan(arr).sum())} missing value(s); use 0 for "
            f"contacts without a cost or drop those rows."
        )
    if np.isinf(arr).any():
        raise SchemaError(f"Cost column '{col}' has infinite value(s); correct them.")
    check_magnitude(s, "events")
    if (arr < 0).any():
        raise SchemaError(
            f"Cost column '{col}' has {int((arr < 0).sum())} negative value(s) (e.g. "
            f"{arr[arr < 0][0]}); costs must be >= 0. Check refunds or data-entry errors."
        )
    return arr


def _client_index(clients, id_col: str) -> pd.Index:
    if isinstance(clients, pd.DataFrame):
        if id_col in clients.columns:
            idx = pd.Index(clients[id_col])
        else:
            idx = clients.index
    elif isinstance(clients, pd.Series):
        idx = pd.Index(clients)
    elif isinstance(clients, pd.Index | np.ndarray | list | tuple):
        idx = pd.Index(clients)
    else:
        raise TypeError(
            f"The 'clients' parameter must be a DataFrame (ids in its index or in column "
            f"'{id_col}'), an Index or a list of ids; got {type(clients).__name__}."
        )
    if idx.isna().any():
        raise ValueError(f"'clients' has {int(idx.isna().sum())} missing client id(s).")
    if idx.has_duplicates:
        dup = idx[idx.duplicated()].unique().tolist()[:5]
        raise ValueError(
            f"'clients' has duplicated client id(s), e.g. {dup}; keep one row per client."
        )
    return pd.Index(idx, name=id_col)


def _merge_start(start, seen, clients, start_col, date_format=None):
    if not isinstance(clients, pd.DataFrame):
        raise ValueError(
            f"start_col={start_col!r} needs 'clients' to be a DataFrame with that column."
        )
    if start_col not in clients.columns:
        raise SchemaError(
            f"The clients table has no column '{start_col}' (the 'start_col' parameter)."
        )
    # row i of clients is client i of client_index (both follow the rows of clients)
    s = _as_int_ns(clients[start_col].reset_index(drop=True), start_col, "clients", date_format)
    has = s != _I8_MIN
    out = start.copy()
    both = has & seen
    out[both] = np.minimum(start[both], s[both])
    only = has & ~seen
    out[only] = s[only]
    return out
