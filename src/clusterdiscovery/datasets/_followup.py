"""A second assessment of the synthetic clients a year later, with known subgroup moves.

Each client's subgroup at follow-up is drawn from a known transition matrix
(:func:`followup_transitions`): a client stays in their subgroup with probability
``stay`` (0.7) and otherwise moves to a subgroup of *lower* need (a smaller expected HoNOS
total), in proportion to the subgroups' shares; the lowest-need subgroup keeps 90% and
sends 10% to the others. The twelve HoNOS items are then drawn as at baseline (binomial
given the new subgroup, the same overlap and the same 3% of items missing), and clients
without a follow-up (``honos_total_followup`` missing in the client table) have no second
assessment (a row of missing values).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._utils import check_fraction
from ._clients import MISSING_ITEM, OVERLAP_ITEMS, _profile
from ._levels import HONOS_ITEMS
from ._population import Population
from ._resources import sample_files
from ._rng import as_generator, draw_categories
from ._subgroups import SUBGROUPS, stack

__all__ = ["FollowUp", "make_followup", "load_followup", "followup_transitions",
           "FOLLOWUP_FILES"]

FOLLOWUP_FILES = ("followup.csv", "followup_labels.csv")
_CSV = {"lineterminator": "\n"}


@dataclass(frozen=True)
class FollowUp:
    """The second assessment: ``items`` (HoNOS 1-12, indexed like the clients),
    ``true_labels`` (subgroup at follow-up) and ``transition`` (the true matrix, rows:
    subgroup at baseline, columns: at follow-up)."""

    items: pd.DataFrame
    true_labels: pd.Series
    transition: pd.DataFrame


def followup_transitions(n_clusters: int, stay: float = 0.7) -> np.ndarray:
    """The true transition matrix between the first ``n_clusters`` subgroups."""
    stay = check_fraction(stay, "stay", closed=True)
    groups = SUBGROUPS[:n_clusters]
    need = stack(groups, "honos").sum(axis=1)
    share = stack(groups, "share")
    P = np.zeros((n_clusters, n_clusters))
    for g in range(n_clusters):
        to = need < need[g]
        keep = stay if to.any() else 0.9
        if not to.any():
            to = np.arange(n_clusters) != g
        P[g, to] = (1 - keep) * share[to] / share[to].sum()
        P[g, g] = keep
    return P


def make_followup(pop: Population, *, stay: float = 0.7, random_state=None) -> FollowUp:
    """Draw the second assessment of ``pop``'s clients (see the module docstring).

    Parameters
    ----------
    pop : Population
        A population from :func:`make_client_population` or :func:`load_sample`.
    stay : float
        Probability of staying in one's subgroup (except the lowest-need subgroup: 0.9).
    random_state : None, int or Generator
        The same int gives the same follow-up.

    Examples
    --------
    >>> from clusterdiscovery.datasets import make_client_population, make_followup
    >>> pop = make_client_population(600, 4, random_state=0)
    >>> fu = make_followup(pop, random_state=1)
    >>> fu.items.shape, fu.transition.shape
    ((600, 12), (4, 4))
    """
    if not isinstance(pop, Population):
        raise TypeError(f"make_followup needs a Population; got {type(pop).__name__}.")
    rng = as_generator(random_state)
    K = pop.n_clusters
    groups = SUBGROUPS[:K]
    P = followup_transitions(K, stay)
    first = pop.true_labels.reindex(pop.clients.index).to_numpy()
    second = draw_categories(rng, P[first])
    honos_p = np.clip(_profile("honos", groups, OVERLAP_ITEMS) / 4.0, 0.01, 0.99)
    items = rng.binomial(4, honos_p[second]).astype(float)
    items[rng.random(items.shape) < MISSING_ITEM] = np.nan
    items[pop.clients["honos_total_followup"].isna().to_numpy()] = np.nan
    index = pop.clients.index.copy()
    names = [pop.subgroup_names.get(k, str(k)) for k in range(K)]
    return FollowUp(
        items=pd.DataFrame(items, index=index, columns=list(HONOS_ITEMS)),
        true_labels=pd.Series(second.astype(np.int64), index=index, name="true_cluster"),
        transition=pd.DataFrame(P, index=pd.Index(names, name="baseline"),
                                columns=pd.Index(names, name="followup")),
    )


def write_followup(fu: FollowUp, out) -> list[Path]:
    """Write ``followup.csv`` and ``followup_labels.csv`` into folder ``out``."""
    out = Path(out)
    paths = [out / name for name in FOLLOWUP_FILES]
    paths[0].write_bytes(fu.items.to_csv(**_CSV).encode("utf-8"))
    paths[1].write_bytes(fu.true_labels.to_frame().to_csv(**_CSV).encode("utf-8"))
    return paths


def load_followup(path=None) -> FollowUp:
    """Read the sample's second assessment (``followup.csv``, ``followup_labels.csv``).

    Examples
    --------
    >>> from clusterdiscovery.datasets import load_followup
    >>> load_followup().items.shape
    (3000, 12)
    """
    folder = sample_files(path, FOLLOWUP_FILES)
    items = pd.read_csv(folder / FOLLOWUP_FILES[0], dtype={"client_id": "str"},
                        index_col="client_id")
    labels = pd.read_csv(folder / FOLLOWUP_FILES[1], dtype={"client_id": "str"},
                         index_col="client_id")["true_cluster"]
    from ._sample import SAMPLE_CLUSTERS

    K = int(labels.max()) + 1 if len(labels) else SAMPLE_CLUSTERS
    P = followup_transitions(K)
    names = [g.name for g in SUBGROUPS[:K]]
    return FollowUp(items=items.astype(float), true_labels=labels.astype(np.int64),
                    transition=pd.DataFrame(P, index=pd.Index(names, name="baseline"),
                                            columns=pd.Index(names, name="followup")))
