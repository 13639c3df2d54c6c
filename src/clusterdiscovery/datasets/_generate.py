"""``make_client_population``: a synthetic behavioural-health population with ground truth."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._utils import check_int
from ._assignments import draw_assignments
from ._clients import draw_clients
from ._events import draw_events
from ._levels import TEAMS
from ._population import Population, population_schema
from ._rng import as_generator
from ._subgroups import MAX_CLUSTERS, MIN_CLUSTERS, SUBGROUPS

#: below this, a rare binary column (e.g. justice involvement) can come out constant, and
#: the population's schema would reject its own client table
MIN_CLIENTS = 100


def teams_table() -> pd.DataFrame:
    """The teams of the synthetic service and their types."""
    return pd.DataFrame({
        "team": pd.array([t for t, _ in TEAMS], dtype="str"),
        "team_type": pd.array([ty for _, ty in TEAMS], dtype="str"),
    })


def make_client_population(n_clients=2000, n_clusters=6, random_state=None) -> Population:
    """Draw a synthetic behavioural-health client population with known subgroups.

    Each client belongs to one latent subgroup modelled on the groups that Cluster-based
    Planning describes. Given the subgroup, the clinical and social columns are drawn
    independently (a latent class model), so the subgroups overlap but are recoverable.
    Service events, care-cluster histories and outcomes depend on the subgroup too.
    See ``docs/generative_model.md`` for every parameter.

    Parameters
    ----------
    n_clients : int, default=2000
        Number of clients; at least 100.
    n_clusters : int, default=6
        Number of latent subgroups, 2 to 8. The first ``n_clusters`` of: 0 first-episode
        psychosis, 1 enduring psychosis, 2 common mental health problems, 3 dual
        diagnosis, 4 severe non-psychotic with trauma, 5 older adults with cognitive
        impairment, 6 personality disorder and self-harm, 7 bipolar/affective.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        Seed or generator; the same int gives an identical population.

    Returns
    -------
    Population
        ``clients``, ``events``, ``assignments``, ``teams``, ``true_labels``,
        ``subgroup_names`` and ``schema``.

    Raises
    ------
    TypeError
        If ``n_clients`` or ``n_clusters`` is not an int, or ``random_state`` is of a
        wrong type.
    ValueError
        If ``n_clusters`` is outside [2, 8] or ``n_clients`` is too small.

    References
    ----------
    .. [1] Department of Health (2013). Mental health payment by results guidance for
       2013-14 (care clusters and the Mental Health Clustering Tool).
    .. [2] Wing, J. K., et al. (1998). Health of the Nation Outcome Scales (HoNOS).
       British Journal of Psychiatry, 172, 11-18.

    Examples
    --------
    >>> from clusterdiscovery.datasets import make_client_population
    >>> pop = make_client_population(n_clients=500, n_clusters=4, random_state=0)
    >>> pop.clients.shape[0], pop.true_labels.nunique()
    (500, 4)
    >>> pop.schema.validate(pop.clients) is pop.clients
    True
    """
    n_clusters = check_int(n_clusters, "n_clusters", low=MIN_CLUSTERS, high=MAX_CLUSTERS)
    n_clients = check_int(n_clients, "n_clients")
    if n_clients < MIN_CLIENTS:
        raise ValueError(
            f"The 'n_clients' parameter must be an int >= {MIN_CLIENTS} (smaller populations "
            f"leave some subgroups with a handful of clients). Got {n_clients} instead."
        )
    rng = as_generator(random_state)
    groups = SUBGROUPS[:n_clusters]
    draw = draw_clients(rng, n_clients, groups)
    events = draw_events(rng, draw, groups)
    assignments = draw_assignments(rng, draw, groups)
    true_labels = pd.Series(draw.labels.astype(np.int64), index=draw.clients.index.copy(),
                            name="true_cluster")
    return Population(
        clients=draw.clients,
        events=events,
        assignments=assignments,
        teams=teams_table(),
        true_labels=true_labels,
        subgroup_names={i: g.name for i, g in enumerate(groups)},
        schema=population_schema(),
    )
