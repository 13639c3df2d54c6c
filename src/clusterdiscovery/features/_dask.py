"""Aggregating service events held in a Dask DataFrame (e.g. Parquet partitions).

:func:`aggregate_events_dask` gives the table :func:`aggregate_events` gives in memory,
one row per client, without ever holding all events in one place. Every output column of
``aggregate_events`` is a function of one client's own events and of three global
settings (the cut-off ``as_of``, the service types, the window), so the work splits
exactly: the global settings are computed first (two small reductions), the events are
grouped so that each partition holds all events of its clients (a shuffle on the client
id, skipped when the files are already split by client), and ``aggregate_events`` itself
runs on each partition. Nothing is re-implemented, so the two paths cannot drift apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._dates import check_not_future
from ._events import _as_int_ns, _client_index, aggregate_events, event_columns

__all__ = ["aggregate_events_dask"]


def _partition(events, clients_index, as_of, window_days, services, id_col, unknown,
               options):
    if clients_index is not None and len(events):
        stray = ~events[id_col].isin(clients_index)
        if stray.any():
            if unknown == "raise":
                examples = pd.unique(events[id_col][stray]).tolist()[:5]
                raise ValueError(
                    f"{int(stray.sum())} event(s) belong to client(s) not in 'clients', "
                    f"e.g. {examples}. Add them to 'clients' or pass unknown='drop' to "
                    f"ignore their events."
                )
            events = events[~stray]
    return aggregate_events(events, None, as_of=as_of, window_days=window_days,
                            id_col=id_col, services=services, **options)


def aggregate_events_dask(events, clients=None, as_of=None, window_days=None, *,
                          id_col="client_id", date_col="date", service_col="service",
                          cost_col="cost", services=None, by_client=False, unknown="raise",
                          shuffle_method=None, **options):
    """Per-client service use from a Dask DataFrame of events, as :func:`aggregate_events`.

    Parameters
    ----------
    events : dask.dataframe.DataFrame
        One row per contact or bed-day (for example ``dd.read_parquet("events/")``).
    clients : list, Index or pandas DataFrame, optional
        The clients who must get a row (ids held in memory: 10 million ids are 80 MB).
        Clients without events get the rows ``aggregate_events`` gives them (zero counts,
        NaN/NaT recency). None: the clients with events.
    as_of, window_days, id_col, date_col, service_col, cost_col, services, unknown
        As in :func:`aggregate_events`. ``as_of`` defaults to the latest event date and
        ``services`` to every service type, both over all partitions.
    by_client : bool, default=False
        True when every client's events already sit in one partition (files written
        split by client id): the shuffle is skipped.
    shuffle_method : {None, "p2p", "tasks", "disk"}
        Dask's shuffle method; None lets Dask choose (``"p2p"`` under a distributed
        ``Client``). Use ``"tasks"`` to compute the result without a ``Client``.
    **options
        Passed to :func:`aggregate_events` (``inpatient_services``, ``crisis_services``,
        ``episode_gap_days``, ``min_exposure_days``). ``start_col`` is not supported:
        give ``window_days``, or start dates as events.

    Returns
    -------
    dask.dataframe.DataFrame
        Indexed by client id, the columns and values of ``aggregate_events`` (rows in
        partition order; sort or ``.loc`` by id to compare with the in-memory table).
    """
    import dask
    import dask.dataframe as dd

    if not isinstance(events, dd.DataFrame):
        raise TypeError(
            f"aggregate_events_dask needs a Dask DataFrame of events (dd.read_parquet(...)); "
            f"got {type(events).__name__}. Use aggregate_events for a pandas DataFrame."
        )
    if "start_col" in options:
        raise ValueError(
            "start_col is not supported by aggregate_events_dask; give window_days (every "
            "client then has the same exposure) or aggregate in memory."
        )
    needed = event_columns(events, id_col, date_col, service_col, cost_col)
    events = events[needed]
    options = {**options, "date_col": date_col, "service_col": service_col,
               "cost_col": cost_col}
    # global settings, from all partitions (as aggregate_events takes them from all events)
    todo = {}
    if as_of is None:
        todo["as_of"] = events[date_col].map_partitions(
            lambda s: pd.Series([_max_ns(s, date_col)]), meta=(date_col, "int64")).max()
    if services is None:
        todo["services"] = events[service_col].map_partitions(
            lambda s: pd.Series(pd.unique(s.dropna().astype(str)), dtype=object),
            meta=(service_col, "object"))
    found = dict(zip(todo, dask.compute(*todo.values()))) if todo else {}
    if "as_of" in found:
        as_of = None if found["as_of"] == np.iinfo(np.int64).min else pd.Timestamp(
            int(found["as_of"]))
        if as_of is not None:  # a typo such as 2099 must not become the cut-off
            check_not_future(pd.Series([as_of]), date_col, table="events")
    if "services" in found:
        services = sorted({str(s) for s in found["services"]})
    clients_index = None if clients is None else _client_index(clients, id_col)
    grouped = events if by_client else events.shuffle(on=id_col, shuffle_method=shuffle_method)
    meta = _meta(events, as_of, window_days, id_col, services, options)
    out = grouped.map_partitions(_partition, clients_index, as_of, window_days, services,
                                 id_col, unknown, options, meta=meta)
    if clients_index is None:
        return out
    # clients with no event at all get their rows from aggregate_events on no events
    seen = events[id_col].map_partitions(lambda s: pd.Series(pd.unique(s)),
                                         meta=(id_col, events[id_col].dtype)).compute()
    absent = clients_index.difference(pd.Index(seen))
    if len(absent):
        empty = aggregate_events(events._meta, absent, as_of=as_of, window_days=window_days,
                                 id_col=id_col, services=services, **options)
        out = dd.concat([out, dd.from_pandas(empty, npartitions=1)])
    return out


def _meta(events, as_of, window_days, id_col, services, options):
    """The output layout (columns, dtypes): ``aggregate_events`` on one made-up event
    (dtypes from an empty table differ: an empty weighted bincount is integer)."""
    one = events._meta
    if services and as_of is not None:
        row = {c: one[c].dtype.type() if c in one else None for c in one.columns}
        one = pd.DataFrame({c: pd.Series([row[c]], dtype=one[c].dtype) for c in one.columns})
        one[id_col] = pd.Series(["_"], dtype=events._meta[id_col].dtype)
        one[options["date_col"]] = pd.Series([pd.Timestamp(as_of)]).astype(
            events._meta[options["date_col"]].dtype)
        one[options["service_col"]] = pd.Series([services[0]]).astype(
            events._meta[options["service_col"]].dtype)
        if options["cost_col"] is not None:
            one[options["cost_col"]] = pd.Series([0.0]).astype(
                events._meta[options["cost_col"]].dtype)
    return aggregate_events(one, None, as_of=as_of, window_days=window_days, id_col=id_col,
                            services=services, **options).iloc[:0]


def _max_ns(s, date_col):
    t = _as_int_ns(s, date_col, "events")
    t = t[t != np.iinfo(np.int64).min]
    return int(t.max()) if t.size else np.iinfo(np.int64).min
