"""Draw care-cluster (MHCT) assignment histories with reviews, re-assignments and gaps."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from ._clients import ClientDraw
from ._levels import ASSIGNMENTS_FROM, DATE_UNIT, END, TEAM_NAMES
from ._rng import draw_categories
from ._strings import strings_from_codes

P_NEVER_CLUSTERED = 0.07  # clients never assigned a care cluster
P_LAPSED = 0.20  # clients whose reviews stop at some point (so they become overdue)
P_STAY = 0.75  # a review keeps the cluster with this probability ...
P_STAY_CRISIS = 0.20  # ... except the four-week crisis clusters 14 and 15
REVIEW_FRACTION = (0.55, 1.0)  # reviews happen at this fraction of the maximum interval


def _review_days(text: str) -> int:
    number, unit = text.split()
    per = {"week": 7.0, "weeks": 7.0, "month": 30.44, "months": 30.44}[unit]
    return int(round(float(number) * per))


@lru_cache(maxsize=1)
def mhct_review_days() -> np.ndarray:
    """Maximum review interval in days indexed by MHCT code (0 for the unused code 9)."""
    path = resources.files("clusterdiscovery") / "data" / "mhct_care_clusters.csv"
    with path.open("r", encoding="utf-8") as fh:
        table = pd.read_csv(fh)
    out = np.zeros(22, dtype=np.int64)
    out[table["code"].to_numpy()] = [_review_days(t) for t in table["max_review"]]
    return out


def draw_assignments(rng: np.random.Generator, draw: ClientDraw, groups: tuple) -> pd.DataFrame:
    """Care-cluster history of every client: ``client_id, cluster, assigned_on, team``."""
    n = draw.labels.size
    review = mhct_review_days()
    probs = np.zeros((len(groups), review.size))
    for g, group in enumerate(groups):
        for code, p in group.care_clusters.items():
            probs[g, code] = p
    probs /= probs.sum(axis=1, keepdims=True)
    p_stay = np.full(review.size, P_STAY)
    p_stay[[14, 15]] = P_STAY_CRISIS

    end = np.where(np.isnat(draw.discharge), END, draw.discharge).astype(np.int64)
    delay = rng.integers(0, 43, n)
    floor = ASSIGNMENTS_FROM.astype(np.int64) + rng.integers(0, 366, n)
    date = np.maximum(draw.referral.astype(np.int64) + delay, floor)
    in_window = date <= end
    lapsed = rng.random(n) < P_LAPSED
    stop = date + (rng.random(n) * np.maximum(end - date, 0)).astype(np.int64)
    end = np.where(lapsed, stop, end)
    code = draw_categories(rng, probs[draw.labels])
    active = (rng.random(n) >= P_NEVER_CLUSTERED) & in_window

    rows_client, rows_code, rows_date = [], [], []
    idx = np.flatnonzero(active)
    date, code = date[idx], code[idx]
    while idx.size:  # one pass per review round (tens of rounds), vectorised over clients
        rows_client.append(idx)
        rows_code.append(code)
        rows_date.append(date)
        gap = review[code] * rng.uniform(*REVIEW_FRACTION, idx.size)
        date = date + np.maximum(gap.astype(np.int64), 1)
        keep = rng.random(idx.size) < p_stay[code]
        fresh = draw_categories(rng, probs[draw.labels[idx]])
        code = np.where(keep, code, fresh)
        more = date <= end[idx]
        idx, date, code = idx[more], date[more], code[more]

    client = np.concatenate(rows_client) if rows_client else np.empty(0, np.int64)
    cluster = np.concatenate(rows_code) if rows_code else np.empty(0, np.int64)
    when = np.concatenate(rows_date) if rows_date else np.empty(0, np.int64)
    order = np.lexsort((when, client))
    client, cluster, when = client[order], cluster[order], when[order]
    ids = draw.clients.index.to_numpy()
    return pd.DataFrame({
        "client_id": strings_from_codes(client, ids),
        "cluster": cluster.astype(np.int64),
        "assigned_on": pd.Series(when.astype("datetime64[D]").astype(DATE_UNIT)),
        "team": strings_from_codes(draw.team[client], TEAM_NAMES),
    })
