"""The :class:`Population` container and the schema of its client table."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..schema import ClientSchema
from ._levels import CATEGORICAL_LEVELS, HONOS_ITEMS, ITEM_LEVELS, SARN_ITEMS

__all__ = ["Population", "population_schema"]


#: HoNOS item labels (Wing et al. 1998) and SARN-like risk items, for the schema
HONOS_LABELS = (
    "Overactive, aggressive behaviour", "Non-accidental self-injury",
    "Problem drinking or drug-taking", "Cognitive problems",
    "Physical illness or disability", "Hallucinations and delusions", "Depressed mood",
    "Other mental and behavioural problems", "Problems with relationships",
    "Problems with activities of daily living", "Problems with living conditions",
    "Problems with occupation and activities",
)
SARN_LABELS = ("Risk to others", "Risk of self-harm", "Vulnerability", "Self-neglect",
               "Problems with engagement")
_ITEM_LEVEL_LABELS = {0: "no problem", 1: "minor problem", 2: "mild problem",
                      3: "moderately severe problem", 4: "severe problem"}


_LEVEL_TEXT = {"depression_anxiety": "depression or anxiety",
               "trauma_stress": "trauma or stress"}


def _levels(name: str, section: str, label: str) -> dict:
    levels = list(CATEGORICAL_LEVELS[name])
    return {"type": "categorical", "levels": levels, "label": label, "section": section,
            "labels": {lv: _LEVEL_TEXT.get(lv, lv.replace("_", " "))
                       for lv in levels if "_" in lv} or None}


def population_schema() -> ClientSchema:
    """The :class:`~clusterdiscovery.ClientSchema` of a synthetic client table, with the
    labels, units, directions and sections the report reads."""
    features: dict = {
        "age": {"type": "continuous", "min": 16.0, "max": 105.0, "label": "Age",
                "unit": "years", "higher_is": "neutral", "section": "social context"},
        "sex": _levels("sex", "social context", "Sex"),
        "ethnicity": _levels("ethnicity", "social context", "Ethnicity"),
        "diagnosis_group": _levels("diagnosis_group", "needs", "Diagnosis group"),
    }
    for col, label in zip(HONOS_ITEMS + SARN_ITEMS, HONOS_LABELS + SARN_LABELS):
        features[col] = {"type": "ordinal", "levels": list(ITEM_LEVELS), "label": label,
                         "higher_is": "worse", "section": "needs",
                         "labels": dict(_ITEM_LEVEL_LABELS)}
    features.update({
        "substance_use": {"type": "binary", "levels": [0, 1], "label": "Substance use",
                          "positive": 1, "higher_is": "worse", "section": "needs"},
        "housing": _levels("housing", "social context", "Housing"),
        "employment": _levels("employment", "social context", "Employment"),
        "justice_involvement": {"type": "binary", "levels": [0, 1],
                                "label": "Involvement with the justice system", "positive": 1,
                                "higher_is": "worse", "section": "social context"},
        "prior_admissions": {"type": "count", "min": 0, "log1p": True,
                             "label": "Prior admissions", "unit": "admissions",
                             "higher_is": "worse", "section": "history"},
        "years_known": {"type": "continuous", "min": 0.0, "log1p": True,
                        "label": "Years known to services", "unit": "years",
                        "higher_is": "neutral", "section": "history"},
    })
    return ClientSchema(
        id="client_id",
        features=features,
        outcomes={"honos_total": {"baseline": "honos_total_baseline",
                                  "follow_up": "honos_total_followup",
                                  "label": "HoNOS total", "higher_is": "worse"}},
        team="team",
        dates=["referral_date", "discharge_date"],
        currency="£",
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
