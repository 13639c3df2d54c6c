"""Services with known effects that differ by subgroup, for the synthetic clients.

Two services, each received more often by the sicker clients (confounding by severity, the
HoNOS total at baseline):

* ``therapy`` (a psychological therapy, cost 1,200 per course): lowers the HoNOS total a
  year later by 4 points in common mental health problems and severe non-psychotic problems
  with trauma, by 2 in personality disorder and self-harm, and not at all in the other
  subgroups;
* ``crisis_team`` (home treatment, cost 2,500 per episode): lowers it by 3 points in
  enduring psychosis and in dual diagnosis, by 1 in first-episode psychosis, not otherwise.

The outcome is ``honos_followup = honos_baseline - 0.3 * (honos_baseline - 12) - effects +
N(0, 3^2)``, rounded and floored at 0; the cost is a base of 300 + 40 per baseline point
plus the services' costs plus gamma noise. ``true_effects`` holds every subgroup's effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ._population import Population
from ._resources import sample_files
from ._rng import as_generator
from ._subgroups import SUBGROUPS

__all__ = ["Services", "make_services", "load_services", "SERVICE_EFFECTS",
           "SAMPLE_SERVICES"]

#: effect on the HoNOS total a year later (negative: fewer problems) by subgroup name
SERVICE_EFFECTS = {
    "therapy": {"common_mental_health": -4.0, "severe_nonpsychotic_trauma": -4.0,
                "personality_self_harm": -2.0},
    "crisis_team": {"enduring_psychosis": -3.0, "dual_diagnosis": -3.0,
                    "first_episode_psychosis": -1.0},
}
SERVICE_COSTS = {"therapy": 1200.0, "crisis_team": 2500.0}
#: the ``[[services]]`` blocks that compare the sample's services (``services.csv``): each
#: service against the outcome a year later, adjusted for the baseline and age, with the cost
SAMPLE_SERVICES = tuple({"service": s, "outcome": "honos_followup",
                         "baseline": "honos_baseline", "confounders": ["age"], "cost": "cost"}
                        for s in SERVICE_EFFECTS)


@dataclass(frozen=True)
class Services:
    """``table`` (client_id index: therapy, crisis_team, honos_baseline, honos_followup,
    cost) and ``true_effects`` (subgroup x service effects on the outcome)."""

    table: pd.DataFrame
    true_effects: pd.DataFrame


def _truth(n_clusters: int) -> pd.DataFrame:
    names = [g.name for g in SUBGROUPS[:n_clusters]]
    return pd.DataFrame({s: [eff.get(n, 0.0) for n in names]
                         for s, eff in SERVICE_EFFECTS.items()},
                        index=pd.Index(range(n_clusters), name="true_cluster"))


def make_services(pop: Population, *, random_state=None) -> Services:
    """Draw the services, outcome and cost of ``pop``'s clients (see the module docstring).

    Examples
    --------
    >>> from clusterdiscovery.datasets import make_client_population, make_services
    >>> sv = make_services(make_client_population(600, 4, random_state=0), random_state=1)
    >>> sorted(sv.table.columns)
    ['cost', 'crisis_team', 'honos_baseline', 'honos_followup', 'therapy']
    """
    if not isinstance(pop, Population):
        raise TypeError(f"make_services needs a Population; got {type(pop).__name__}.")
    rng = as_generator(random_state)
    k = pop.true_labels.reindex(pop.clients.index).to_numpy()
    base = pop.clients["honos_total_baseline"].to_numpy(dtype=float)
    base = np.where(np.isnan(base), np.nanmedian(base), base)
    sev = (base - base.mean()) / base.std()
    truth = _truth(pop.n_clusters)
    got, effect = {}, np.zeros(len(k))
    for s, shift in (("therapy", -0.4), ("crisis_team", -1.2)):
        got[s] = (rng.random(len(k)) < 1 / (1 + np.exp(-(0.8 * sev + shift)))).astype(int)
        effect += truth[s].to_numpy()[k] * got[s]
    follow = base - 0.3 * (base - 12) + effect + rng.normal(0, 3, len(k))
    cost = (300 + 40 * base + sum(SERVICE_COSTS[s] * got[s] for s in got)
            + rng.gamma(2.0, 100.0, len(k)))
    table = pd.DataFrame({**got, "honos_baseline": base, "honos_followup":
                          np.maximum(np.round(follow), 0.0), "cost": np.round(cost, 2)},
                         index=pop.clients.index.copy())
    return Services(table=table, true_effects=truth)


def write_services(sv: Services, out) -> list[Path]:
    path = Path(out) / "services.csv"
    path.write_bytes(sv.table.to_csv(lineterminator="\n").encode("utf-8"))
    return [path]


def load_services(path=None) -> Services:
    """Read the sample's services (``services.csv``) with their true effects.

    Examples
    --------
    >>> from clusterdiscovery.datasets import load_services
    >>> load_services().table.shape
    (3000, 5)
    """
    folder = sample_files(path, ("services.csv",))
    table = pd.read_csv(folder / "services.csv", dtype={"client_id": "str"},
                        index_col="client_id")
    from ._sample import SAMPLE_CLUSTERS

    return Services(table=table, true_effects=_truth(SAMPLE_CLUSTERS))
