"""Draw the client table: one row per client, given the latent subgroup."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._levels import (
    COMMUNITY_TEAM_TYPES,
    DATE_UNIT,
    DIAGNOSIS_GROUPS,
    EMPLOYMENT,
    END,
    ETHNICITIES,
    ETHNICITY_P,
    HONOS_ITEMS,
    HOUSING,
    SARN_ITEMS,
    SEXES,
    START,
    TEAMS,
)
from ._rng import allocate, draw_categories
from ._subgroups import SUBGROUPS, stack

#: How far each subgroup's clinical and social profile sits from the population average:
#: 1 = the profiles in ``_subgroups.py``; smaller values shrink them towards the
#: share-weighted mean of all eight subgroups, so that the subgroups overlap more.
OVERLAP_ITEMS = 0.65
OVERLAP_SOCIAL = 0.65

MISSING_ITEM = 0.03  # each HoNOS item, completely at random
MISSING_SARN = 0.02
MISSING_ETHNICITY = 0.07
FOLLOWUP_NOISE_SD = 3.5


@dataclass
class ClientDraw:
    """The client table and the internal arrays the events and assignments need."""

    clients: pd.DataFrame
    labels: np.ndarray  # latent subgroup per client
    team: np.ndarray  # index into TEAMS
    referral: np.ndarray  # datetime64[D]
    discharge: np.ndarray  # datetime64[D], NaT while in service


def _profile(attr: str, groups: tuple, strength: float) -> np.ndarray:
    """Rows of ``attr`` for ``groups``, shrunk towards the all-subgroup weighted mean."""
    every = np.array([np.asarray(getattr(g, attr), dtype=float) for g in SUBGROUPS])
    shares = stack(SUBGROUPS, "share")
    centre = np.tensordot(shares / shares.sum(), every, axes=1)
    rows = np.array([np.asarray(getattr(g, attr), dtype=float) for g in groups])
    return centre + strength * (rows - centre)


def _not_constant(values: np.ndarray, p: np.ndarray) -> np.ndarray:
    """A rare binary column that came out constant (small populations only): flip the
    client most likely to have the other value, so the schema never sees a constant."""
    if values.all() or not values.any():
        i = int(np.argmin(p)) if values.all() else int(np.argmax(p))
        values = values.copy()
        values[i] = ~values[i]
    return values


def client_ids(n: int) -> np.ndarray:
    width = max(6, len(str(n)))
    return np.char.add("C", np.char.zfill(np.arange(1, n + 1).astype(str), width))


def draw_clients(rng: np.random.Generator, n: int, groups: tuple) -> ClientDraw:
    """Draw ``n`` clients from the subgroups ``groups`` (vectorised over clients)."""
    k = len(groups)
    counts = allocate(n, [g.share for g in groups])
    labels = rng.permutation(np.repeat(np.arange(k), counts))

    def col(attr):
        return stack(groups, attr)[labels]

    # demographics
    age_ms = np.array([g.age for g in groups])[labels]
    age = np.clip(rng.normal(age_ms[:, 0], age_ms[:, 1]), 16.0, 100.0).round(1)
    p_female = _profile("p_female", groups, OVERLAP_SOCIAL)[labels]
    sex = (rng.random(n) >= p_female).astype(np.int64)  # 0 female, 1 male
    ethnicity = draw_categories(rng, np.broadcast_to(np.array(ETHNICITY_P), (n, len(ETHNICITIES))))
    diagnosis = draw_categories(rng, _profile("diagnosis", groups, OVERLAP_SOCIAL)[labels])

    # clinical items: independent binomial(4, p) given the subgroup (a latent class model)
    honos_p = np.clip(_profile("honos", groups, OVERLAP_ITEMS) / 4.0, 0.01, 0.99)
    sarn_p = np.clip(_profile("sarn", groups, OVERLAP_ITEMS) / 4.0, 0.01, 0.99)
    honos = rng.binomial(4, honos_p[labels]).astype(float)
    sarn = rng.binomial(4, sarn_p[labels]).astype(float)

    # social circumstances
    p_substance = _profile("p_substance", groups, OVERLAP_SOCIAL)[labels]
    p_justice = _profile("p_justice", groups, OVERLAP_SOCIAL)[labels]
    substance = _not_constant(rng.random(n) < p_substance, p_substance)
    justice = _not_constant(rng.random(n) < p_justice, p_justice)
    housing = draw_categories(rng, _profile("housing", groups, OVERLAP_SOCIAL)[labels])
    employment = draw_categories(rng, _profile("employment", groups, OVERLAP_SOCIAL)[labels])
    retired, student = EMPLOYMENT.index("retired"), EMPLOYMENT.index("student")
    employment[(employment == retired) & (age < 50)] = EMPLOYMENT.index("unable_to_work")
    employment[(employment == student) & (age > 45)] = EMPLOYMENT.index("unemployed")

    # treatment history: negative binomial admissions, gamma years known
    frailty = rng.gamma(1.5, 1.0 / 1.5, n)
    prior = rng.poisson(col("prior_admissions") * frailty).astype(np.int64)
    years = rng.gamma(2.5, col("years_known") / 2.5)
    years = np.clip(years, 0.1, np.maximum(age - 14.0, 0.1)).round(2)

    # team: a community team type by subgroup, then a team of that type
    ttype = draw_categories(rng, np.array([g.team_type for g in groups])[labels])
    team = np.empty(n, dtype=np.int64)
    for t, tname in enumerate(COMMUNITY_TEAM_TYPES):  # five types, not a loop over clients
        members = np.flatnonzero(np.array([ty == tname for _, ty in TEAMS]))
        hit = ttype == t
        team[hit] = members[rng.integers(0, members.size, hit.sum())]

    # referral (start of the current episode) and discharge
    span = np.minimum(years, 8.0) * 365.25 * rng.uniform(0.02, 1.0, n)
    referral = END - np.maximum(span, 30.0).astype(np.int64).astype("timedelta64[D]")
    first = np.maximum(referral, START) + np.timedelta64(30, "D")
    room = (END - first).astype(np.int64)
    discharged = (rng.random(n) < col("p_discharged")) & (room > 30)
    offset = (rng.random(n) * np.maximum(room, 1)).astype(np.int64)
    discharge = np.where(discharged, first + offset.astype("timedelta64[D]"),
                         np.datetime64("NaT", "D"))

    # outcomes: baseline = item sum before missingness; follow-up = baseline + change + noise
    baseline = honos.sum(axis=1)
    follow = np.clip(np.round(baseline + col("honos_change")
                              + rng.normal(0.0, FOLLOWUP_NOISE_SD, n)), 0.0, 48.0)
    follow[rng.random(n) < col("p_followup_missing")] = np.nan

    # missing values
    honos[rng.random(honos.shape) < MISSING_ITEM] = np.nan
    sarn[rng.random(sarn.shape) < MISSING_SARN] = np.nan
    ethnicity = np.where(rng.random(n) < MISSING_ETHNICITY, -1, ethnicity)

    ids = client_ids(n)
    data = {
        "age": age,
        "sex": pd.Categorical.from_codes(sex, categories=list(SEXES)),
        "ethnicity": pd.Categorical.from_codes(ethnicity, categories=list(ETHNICITIES)),
        "diagnosis_group": pd.Categorical.from_codes(diagnosis, list(DIAGNOSIS_GROUPS)),
    }
    data.update({c: honos[:, j] for j, c in enumerate(HONOS_ITEMS)})
    data.update({c: sarn[:, j] for j, c in enumerate(SARN_ITEMS)})
    data.update({
        "substance_use": substance.astype(np.int64),
        "housing": pd.Categorical.from_codes(housing, categories=list(HOUSING)),
        "employment": pd.Categorical.from_codes(employment, categories=list(EMPLOYMENT)),
        "justice_involvement": justice.astype(np.int64),
        "prior_admissions": prior,
        "years_known": years,
        "team": pd.array(np.array([t for t, _ in TEAMS])[team], dtype="str"),
        "referral_date": referral.astype(DATE_UNIT),
        "discharge_date": discharge.astype(DATE_UNIT),
        "honos_total_baseline": baseline,
        "honos_total_followup": follow,
    })
    index = pd.Index(pd.array(ids, dtype="str"), name="client_id")
    clients = pd.DataFrame(data, index=index)
    return ClientDraw(clients, labels, team, referral, discharge)
