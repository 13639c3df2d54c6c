"""The :class:`Population` container and the schema of its client table."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..schema import ClientSchema
from ._levels import CATEGORICAL_LEVELS, HONOS_ITEMS, ITEM_LEVELS, SARN_ITEMS

__all__ = ["Population", "population_schema"]


def population_schema() -> ClientSchema:
    """The :class:`~clusterdiscovery.ClientSchema` of a synthetic client table."""
    features: dict = {
        "age": {"type": "continuous", "min": 16.0, "max": 105.0},
        "sex": ("categorical", list(CATEGORICAL_LEVELS["sex"])),
        "ethnicity": ("categorical", list(CATEGORICAL_LEVELS["ethnicity"])),
        "diagnosis_group": ("categorical", list(CATEGORICAL_LEVELS["diagnosis_group"])),
    }
    for col in HONOS_ITEMS + SARN_ITEMS:
        features[col] = ("ordinal", list(ITEM_LEVELS))
    features.update({
        "substance_use": ("binary", [0, 1]),
        "housing": ("categorical", list(CATEGORICAL_LEVELS["housing"])),
        "employment": ("categorical", list(CATEGORICAL_LEVELS["employment"])),
        "justice_involvement": ("binary", [0, 1]),
        "prior_admissions": {"type": "count", "min": 0, "log1p": True},
        "years_known": {"type": "continuous", "min": 0.0, "log1p": True},
    })
    return ClientSchema(
        id="client_id",
        features=features,
        outcomes={"honos_total": ("honos_total_baseline", "honos_total_followup")},
        team="team",
        dates=["referral_date", "discharge_date"],
    )


@dataclass(frozen=True, eq=False)
class Population:
    """A synthetic (or sample) client population with its ground truth.

    Attributes
    ----------
    clients : DataFrame
        One row per client, indexed by ``client_id``: demographics, HoNOS and SARN-like
        items, diagnosis group, social circumstances, treatment history, team, referral and
        discharge dates, baseline and follow-up HoNOS totals.
    events : DataFrame
        Service events, one row per contact or bed-day: ``client_id``, ``date``,
        ``service``, ``team``, ``cost``.
    assignments : DataFrame
        Care-cluster history: ``client_id``, ``cluster`` (MHCT code), ``assigned_on``,
        ``team``.
    teams : DataFrame
        ``team`` and ``team_type``.
    true_labels : Series
        The latent subgroup of each client (``true_cluster``, 0 .. n_clusters - 1), indexed
        by ``client_id``.
    subgroup_names : dict
        Subgroup number -> short name.
    schema : ClientSchema
        The schema of ``clients``.
    """

    clients: pd.DataFrame
    events: pd.DataFrame
    assignments: pd.DataFrame
    teams: pd.DataFrame
    true_labels: pd.Series
    subgroup_names: dict = field(default_factory=dict)
    schema: ClientSchema = field(default_factory=population_schema)

    @property
    def n_clusters(self) -> int:
        """Number of latent subgroups."""
        return len(self.subgroup_names)

    def __repr__(self) -> str:
        return (
            f"Population(n_clients={len(self.clients)}, n_events={len(self.events)}, "
            f"n_assignments={len(self.assignments)}, n_clusters={self.n_clusters})"
        )
