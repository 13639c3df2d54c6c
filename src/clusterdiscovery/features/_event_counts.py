"""The one pass of :func:`aggregate_events` over the encoded events, a chunk at a time.

The events arrive as compact integer codes (client, service) and int64 nanosecond dates;
each chunk of rows is cut at ``as_of`` (and the window) and counted into client x service
cells with :func:`numpy.bincount`. Only the inpatient and crisis events of each chunk are
kept past it, for the inpatient days and crisis episodes computed at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Tally", "count_events"]

_NS_PER_DAY = 86_400 * 10**9
_I8_MIN = np.iinfo(np.int64).min
_I8_MAX = np.iinfo(np.int64).max


@dataclass
class Tally:
    """What the pass over the events found, per client (row ``i``: client ``i``)."""

    counts: np.ndarray  # (n, n_services) int64
    costs: np.ndarray | None  # (n, n_services) float, None without a cost column
    first: np.ndarray  # int64 ns of the first event up to as_of; int64 min (NaT) when none
    last: np.ndarray  # int64 ns of the last event up to as_of; int64 min (NaT) when none
    seen: np.ndarray  # bool: any event up to as_of
    inpatient_days: np.ndarray  # distinct calendar days with an inpatient event (window)
    crisis_episodes: np.ndarray  # runs of crisis contacts (window)


def count_events(chunks, codes, t, svc_codes, cost, *, n, inp_svc, cri_svc, as_of_ns,
                 window_lo, dropping, gap_days) -> Tally:
    """Count the events of every chunk ``(lo, hi)`` of rows.

    ``codes`` are the client codes (-1: a client dropped, when ``dropping``), ``t`` the
    dates, ``svc_codes`` the service codes, ``cost`` the costs (or None); ``inp_svc`` and
    ``cri_svc`` flag the inpatient and crisis services by code. Events after ``as_of_ns``
    are ignored (all events when it is None: no events); counts, costs, inpatient days
    and crisis episodes keep only events after ``window_lo`` (None: no window).
    """
    n_svc = len(inp_svc)
    counts = np.zeros(n * n_svc, dtype=np.int64)
    costs = np.zeros(n * n_svc) if cost is not None else None
    first = np.full(n, _I8_MAX, dtype=np.int64)
    last = np.full(n, _I8_MIN, dtype=np.int64)
    inp_c, inp_day, cri_c, cri_t = [], [], [], []
    for lo, hi in chunks if as_of_ns is not None else ():
        c, tt, s = codes[lo:hi], t[lo:hi], svc_codes[lo:hi]
        w = cost[lo:hi] if cost is not None else None
        keep = tt <= as_of_ns
        if dropping:
            keep &= c >= 0
        c, tt, s = c[keep], tt[keep], s[keep]
        w = w[keep] if w is not None else None
        np.minimum.at(first, c, tt)
        np.maximum.at(last, c, tt)
        if window_lo is not None:
            inwin = tt > window_lo
            c, tt, s = c[inwin], tt[inwin], s[inwin]
            w = w[inwin] if w is not None else None
        _add_cells(counts, costs, c, s, w, n * n_svc, n_svc)
        is_inp = inp_svc[s]
        inp_c.append(c[is_inp])
        inp_day.append(np.floor_divide(tt[is_inp], _NS_PER_DAY))
        is_cri = cri_svc[s]
        cri_c.append(c[is_cri])
        cri_t.append(tt[is_cri])
    seen = last != _I8_MIN
    first[~seen] = _I8_MIN  # NaT
    return Tally(
        counts=counts.reshape(n, n_svc),
        costs=costs.reshape(n, n_svc) if costs is not None else None,
        first=first, last=last, seen=seen,
        inpatient_days=_inpatient_days(inp_c, inp_day, n),
        crisis_episodes=_crisis_episodes(cri_c, cri_t, n, gap_days),
    )


def _add_cells(counts, costs, c, s, w, size, n_svc) -> None:
    """Add one chunk's events (client codes ``c``, service codes ``s``, costs ``w``) to the
    flat client x service ``counts`` and ``costs``, in place."""
    cell = c.astype(np.intp) * n_svc + s
    counts += np.bincount(cell, minlength=size)
    if costs is not None:
        costs += np.bincount(cell, weights=w, minlength=size)


def _joined(parts: list) -> np.ndarray:
    """The chunks' arrays joined into one, the list emptied (each event held once)."""
    out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    parts.clear()
    return out


def _inpatient_days(inp_c: list, inp_day: list, n: int) -> np.ndarray:
    """Distinct calendar days with an inpatient event, per client; the chunks' lists are
    emptied once joined (so as to hold each event once)."""
    c, day = _joined(inp_c), _joined(inp_day)
    if not day.size:
        return np.zeros(n, dtype=np.int64)
    span = int(day.max() - day.min()) + 1
    key = c.astype(np.int64) * span + (day - day.min())
    return np.bincount(np.unique(key) // span, minlength=n)


def _crisis_episodes(cri_c: list, cri_t: list, n: int, gap_days: float) -> np.ndarray:
    """Runs of crisis contacts per client, a gap of more than ``gap_days`` days starting a
    new run; the chunks' lists are emptied once joined."""
    cc, ct = _joined(cri_c), _joined(cri_t)
    if not cc.size:
        return np.zeros(n, dtype=np.int64)
    order = np.lexsort((ct, cc))
    cc, ct = cc[order], ct[order]
    new = np.ones(cc.size, dtype=bool)
    new[1:] = (cc[1:] != cc[:-1]) | ((ct[1:] - ct[:-1]) > gap_days * _NS_PER_DAY)
    return np.bincount(cc[new], minlength=n)
