"""Draw service events (contacts and bed-days) with skewed costs, vectorised over clients."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._clients import ClientDraw
from ._levels import (
    CONTACT_SERVICES,
    DATE_UNIT,
    END,
    SERVICES,
    START,
    TEAM_NAMES,
    TEAMS,
    UNIT_COSTS,
    team_index,
)
from ._strings import strings_from_codes
from ._subgroups import stack

#: gamma shapes of the client-level and client-by-service multipliers of the contact rates
#: (smaller = more dispersion: more clients with no contacts, longer tails)
CLIENT_FRAILTY_SHAPE = 2.0
SERVICE_FRAILTY_SHAPE = 0.8
ADMISSION_FRAILTY_SHAPE = 0.6

_DAYS = 4096  # > days in the study window; day offsets are packed into sort keys
_WARDS = (None, "WARD-A", "WARD-B", "WARD-OA")  # code 0: not a ward row
_SERVICE_TEAMS = {"crisis": "CRHT-1", "ae_attendance": "LIAISON", "residential_day": "RES-1"}


def _window(draw: ClientDraw) -> tuple[np.ndarray, np.ndarray]:
    """First day in the study window and number of days in service there, per client."""
    first = np.maximum(draw.referral, START)
    last = np.where(np.isnat(draw.discharge), END, np.minimum(draw.discharge, END))
    days = (last - first).astype(np.int64) + 1
    return first, np.maximum(days, 1)


def _spells(client, start_offset, length, days):
    """Expand spells into one row per day, truncated at the end of the client's window."""
    length = np.minimum(length, days[client] - start_offset)
    length = np.maximum(length, 1)
    rows = np.repeat(np.arange(client.size), length)
    starts = np.cumsum(length) - length
    within = np.arange(rows.size) - starts[rows]
    return client[rows], start_offset[rows] + within, rows


#: clients whose events are drawn at once: bounds the generator's working memory (about
#: 200 bytes per event of a block, against about 70 per event of the finished table)
BLOCK_CLIENTS = 100_000


def draw_events(rng: np.random.Generator, draw: ClientDraw, groups: tuple) -> pd.DataFrame:
    """Service events of every client in ``draw``: a long table sorted by client and date.

    The clients are taken in blocks of ``BLOCK_CLIENTS``, one after another from the same
    generator (so a population of up to that many clients is drawn exactly as in one
    block), each block's events kept as compact codes until the string columns are built
    once at the end.
    """
    n = draw.labels.size
    parts = []
    for lo in range(0, n, BLOCK_CLIENTS):
        hi = min(n, lo + BLOCK_CLIENTS)
        block = ClientDraw(clients=None, labels=draw.labels[lo:hi], team=draw.team[lo:hi],
                           referral=draw.referral[lo:hi], discharge=draw.discharge[lo:hi])
        client, dates, service, team, cost = _draw_block(rng, block, groups)
        parts.append((client + lo, dates, service, team, cost))
    client, dates, service, team, cost = (
        np.concatenate([p[j] for p in parts]) if len(parts) > 1 else parts[0][j]
        for j in range(5)
    )
    del parts
    ids = draw.clients.index.to_numpy()
    return pd.DataFrame({
        "client_id": strings_from_codes(client, ids),
        "date": pd.Series(dates),
        "service": strings_from_codes(service, SERVICES),
        "team": strings_from_codes(team, TEAM_NAMES),
        "cost": pd.Series(cost),
    })


def _draw_block(rng: np.random.Generator, draw: ClientDraw, groups: tuple):
    """One block's events as arrays: client (int32, within the block), date (DATE_UNIT),
    service and team codes (int16), cost (float64), sorted by client and date."""
    n = draw.labels.size
    labels = draw.labels
    first, days = _window(draw)
    years = days / 365.25

    # contacts: Poisson counts with gamma multipliers (negative binomial, many zeros)
    rates = stack(groups, "rates")[labels]
    frailty = rng.gamma(CLIENT_FRAILTY_SHAPE, 1.0 / CLIENT_FRAILTY_SHAPE, n)
    by_service = rng.gamma(SERVICE_FRAILTY_SHAPE, 1.0 / SERVICE_FRAILTY_SHAPE, rates.shape)
    counts = rng.poisson(rates * frailty[:, None] * by_service * years[:, None])
    n_services = len(CONTACT_SERVICES)
    c_client = np.repeat(np.repeat(np.arange(n), n_services), counts.ravel())
    c_service = np.repeat(np.tile(np.arange(n_services), n), counts.ravel())
    c_day = (rng.random(c_client.size) * days[c_client]).astype(np.int64)

    # inpatient spells: Poisson admissions, geometric lengths of stay, one row per bed-day
    admissions = stack(groups, "admissions")[labels]
    a_frailty = rng.gamma(ADMISSION_FRAILTY_SHAPE, 1.0 / ADMISSION_FRAILTY_SHAPE, n)
    n_spells = rng.poisson(admissions * a_frailty * frailty * years)
    s_client = np.repeat(np.arange(n), n_spells)
    s_start = (rng.random(s_client.size) * days[s_client]).astype(np.int64)
    los = stack(groups, "length_of_stay")[labels][s_client]
    s_len = rng.geometric(1.0 / np.maximum(los, 1.0))
    older = np.array([ty == "OPMH" for _, ty in TEAMS])[draw.team[s_client]]
    ward = np.where(older, 3, np.where(rng.random(s_client.size) < 0.5, 1, 2))  # _WARDS code
    i_client, i_day, spell = _spells(s_client, s_start, s_len, days)
    # overlapping spells of one client: keep each bed-day once (the lowest ward code)
    bed = np.sort((i_client * _DAYS + i_day) * len(_WARDS) + ward[spell])
    bed = bed[np.r_[True, bed[1:] // len(_WARDS) != bed[:-1] // len(_WARDS)]]
    i_ward = bed % len(_WARDS)
    i_client, i_day = np.divmod(bed // len(_WARDS), _DAYS)

    # residential placements: at most one per client, long geometric stays
    placed = rng.random(n) < stack(groups, "p_residential")[labels]
    r_client = np.flatnonzero(placed)
    r_start = (rng.random(r_client.size) * days[r_client]).astype(np.int64)
    mean_days = stack(groups, "residential_days")[labels][r_client]
    r_len = rng.geometric(1.0 / np.maximum(mean_days, 1.0))
    r_client, r_day, _ = _spells(r_client, r_start, r_len, days)

    # one sortable int64 key per row: (client, day, service, ward); rows with equal keys
    # are identical, so sorting the keys alone orders the table deterministically
    n_serv, n_ward = len(SERVICES), len(_WARDS)
    key = np.sort(np.concatenate([
        ((c_client * _DAYS + c_day) * n_serv + c_service) * n_ward,
        ((i_client * _DAYS + i_day) * n_serv + SERVICES.index("inpatient_day")) * n_ward
        + i_ward,
        ((r_client * _DAYS + r_day) * n_serv + SERVICES.index("residential_day")) * n_ward,
    ]))
    key, ward = np.divmod(key, n_ward)
    key, service = np.divmod(key, n_serv)
    client, day = np.divmod(key, _DAYS)
    team_of_service = np.full(n_serv, -1)
    for name, team_name in _SERVICE_TEAMS.items():
        team_of_service[SERVICES.index(name)] = team_index(team_name)
    team = np.where(team_of_service[service] >= 0, team_of_service[service], draw.team[client])
    ward_team = np.array([-1] + [team_index(w) for w in _WARDS[1:]])
    team = np.where(ward > 0, ward_team[ward], team)

    # unit costs: lognormal around the service's median, some zero-cost rows (did not attend)
    unit = np.array([UNIT_COSTS[s] for s in SERVICES])
    median, sigma, p_zero = unit[service, 0], unit[service, 1], unit[service, 2]
    cost = median * np.exp(sigma * rng.standard_normal(client.size))
    cost[rng.random(client.size) < p_zero] = 0.0
    cost = np.round(cost, 2)

    dates = (first[client] + day.astype("timedelta64[D]")).astype(DATE_UNIT)
    return (client.astype(np.int32), dates, service.astype(np.int16), team.astype(np.int16),
            cost)
