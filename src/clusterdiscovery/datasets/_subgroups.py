"""The latent subgroups of the synthetic population and their parameters.

One row per subgroup; every array-valued parameter is aligned with the level lists in
:mod:`._levels`. The generator shrinks the clinical profiles towards the population mean
(see ``OVERLAP`` in :mod:`._clients`) so that the subgroups overlap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Subgroup", "SUBGROUPS", "MAX_CLUSTERS", "MIN_CLUSTERS"]


@dataclass(frozen=True)
class Subgroup:
    """Parameters of one latent subgroup (all rates are per year in service)."""

    name: str
    label: str
    share: float
    age: tuple[float, float]  # mean, sd (years)
    p_female: float
    honos: tuple[float, ...]  # expected score 0-4 for HoNOS items 1..12
    sarn: tuple[float, ...]  # expected score 0-4 for the five SARN-like items
    diagnosis: tuple[float, ...]  # probabilities over DIAGNOSIS_GROUPS
    p_substance: float
    p_justice: float
    housing: tuple[float, ...]  # probabilities over HOUSING
    employment: tuple[float, ...]  # probabilities over EMPLOYMENT
    prior_admissions: float  # mean of a negative binomial
    years_known: float  # mean of a gamma (shape 2.5)
    team_type: tuple[float, ...]  # probabilities over COMMUNITY_TEAM_TYPES
    p_discharged: float
    # service use: contacts per year in service
    rates: tuple[float, ...]  # outpatient, community, medication review, therapy, crisis, A&E
    admissions: float  # inpatient admissions per year
    length_of_stay: float  # mean days per admission
    p_residential: float  # probability of a residential placement in the window
    residential_days: float  # mean days per placement
    # outcomes
    honos_change: float  # expected follow-up minus baseline HoNOS total
    p_followup_missing: float
    # care clusters: {MHCT code: probability}
    care_clusters: dict


SUBGROUPS: tuple[Subgroup, ...] = (
    Subgroup(
        name="first_episode_psychosis", label="First-episode psychosis, young adults",
        share=0.10, age=(23.0, 4.5), p_female=0.35,
        honos=(1.2, 0.6, 1.0, 0.7, 0.3, 2.6, 1.3, 1.5, 1.8, 1.0, 1.0, 1.6),
        sarn=(1.2, 0.8, 1.6, 1.2, 2.0),
        diagnosis=(0.72, 0.08, 0.06, 0.02, 0.05, 0.02, 0.00, 0.05),
        p_substance=0.35, p_justice=0.15,
        housing=(0.75, 0.08, 0.12, 0.05), employment=(0.25, 0.35, 0.30, 0.00, 0.10),
        prior_admissions=0.6, years_known=0.8, team_type=(0.85, 0.12, 0.03, 0.00, 0.00),
        p_discharged=0.15,
        rates=(6.0, 24.0, 4.0, 6.0, 1.0, 0.5), admissions=0.35, length_of_stay=25.0,
        p_residential=0.0, residential_days=0.0,
        honos_change=-4.0, p_followup_missing=0.18,
        care_clusters={10: 0.75, 11: 0.05, 12: 0.05, 14: 0.05, 16: 0.05, 3: 0.05},
    ),
    Subgroup(
        name="enduring_psychosis", label="Enduring psychosis, heavy inpatient use",
        share=0.14, age=(46.0, 11.0), p_female=0.38,
        honos=(1.0, 0.4, 0.8, 1.2, 1.2, 2.4, 1.0, 1.0, 2.2, 2.2, 1.8, 2.4),
        sarn=(1.4, 0.6, 2.0, 2.4, 2.2),
        diagnosis=(0.76, 0.10, 0.04, 0.02, 0.04, 0.01, 0.01, 0.02),
        p_substance=0.30, p_justice=0.18,
        housing=(0.45, 0.40, 0.10, 0.05), employment=(0.07, 0.30, 0.02, 0.06, 0.55),
        prior_admissions=5.0, years_known=15.0, team_type=(0.00, 0.65, 0.35, 0.00, 0.00),
        p_discharged=0.08,
        rates=(4.0, 16.0, 4.0, 1.0, 1.5, 0.6), admissions=0.6, length_of_stay=40.0,
        p_residential=0.08, residential_days=180.0,
        honos_change=-1.0, p_followup_missing=0.15,
        care_clusters={11: 0.25, 12: 0.30, 13: 0.25, 14: 0.05, 15: 0.05, 17: 0.10},
    ),
    Subgroup(
        name="common_mental_health", label="Common mental health problems",
        share=0.26, age=(38.0, 13.0), p_female=0.62,
        honos=(0.2, 0.5, 0.4, 0.3, 0.6, 0.1, 2.0, 2.0, 1.2, 0.6, 0.6, 1.0),
        sarn=(0.2, 0.6, 0.6, 0.4, 0.6),
        diagnosis=(0.01, 0.03, 0.75, 0.05, 0.02, 0.08, 0.00, 0.06),
        p_substance=0.12, p_justice=0.03,
        housing=(0.88, 0.03, 0.07, 0.02), employment=(0.55, 0.20, 0.08, 0.07, 0.10),
        prior_admissions=0.1, years_known=1.5, team_type=(0.00, 0.30, 0.00, 0.70, 0.00),
        p_discharged=0.50,
        rates=(3.0, 3.0, 1.0, 8.0, 0.1, 0.15), admissions=0.01, length_of_stay=10.0,
        p_residential=0.0, residential_days=0.0,
        honos_change=-4.0, p_followup_missing=0.22,
        care_clusters={1: 0.25, 2: 0.35, 3: 0.30, 4: 0.08, 0: 0.02},
    ),
    Subgroup(
        name="dual_diagnosis", label="Dual diagnosis, unstable housing, crisis use",
        share=0.11, age=(35.0, 9.0), p_female=0.25,
        honos=(1.8, 1.2, 3.0, 0.8, 1.2, 1.4, 1.6, 1.2, 2.4, 1.4, 2.8, 2.4),
        sarn=(2.2, 1.6, 2.6, 2.0, 2.8),
        diagnosis=(0.30, 0.05, 0.12, 0.10, 0.38, 0.03, 0.00, 0.02),
        p_substance=0.90, p_justice=0.40,
        housing=(0.30, 0.15, 0.35, 0.20), employment=(0.08, 0.55, 0.02, 0.02, 0.33),
        prior_admissions=2.5, years_known=8.0, team_type=(0.00, 0.60, 0.40, 0.00, 0.00),
        p_discharged=0.30,
        rates=(3.0, 12.0, 2.0, 2.0, 3.0, 2.5), admissions=0.4, length_of_stay=15.0,
        p_residential=0.04, residential_days=90.0,
        honos_change=-1.5, p_followup_missing=0.32,
        care_clusters={16: 0.50, 8: 0.20, 13: 0.10, 17: 0.10, 4: 0.10},
    ),
    Subgroup(
        name="severe_nonpsychotic_trauma", label="Severe non-psychotic problems with trauma",
        share=0.12, age=(34.0, 11.0), p_female=0.68,
        honos=(0.8, 1.6, 0.8, 0.5, 0.8, 0.6, 2.8, 2.8, 2.2, 1.2, 1.2, 2.0),
        sarn=(0.6, 2.0, 1.8, 0.8, 1.2),
        diagnosis=(0.03, 0.04, 0.35, 0.12, 0.02, 0.40, 0.00, 0.04),
        p_substance=0.25, p_justice=0.08,
        housing=(0.70, 0.08, 0.17, 0.05), employment=(0.30, 0.30, 0.08, 0.02, 0.30),
        prior_admissions=1.0, years_known=5.0, team_type=(0.00, 0.85, 0.05, 0.10, 0.00),
        p_discharged=0.30,
        rates=(5.0, 8.0, 2.0, 12.0, 1.2, 0.8), admissions=0.1, length_of_stay=18.0,
        p_residential=0.01, residential_days=60.0,
        honos_change=-2.5, p_followup_missing=0.20,
        care_clusters={4: 0.35, 5: 0.30, 3: 0.15, 7: 0.10, 6: 0.05, 8: 0.05},
    ),
    Subgroup(
        name="older_adult_cognitive", label="Older adults with cognitive impairment",
        share=0.12, age=(79.0, 7.0), p_female=0.58,
        honos=(0.6, 0.2, 0.2, 2.8, 2.4, 0.6, 1.2, 1.0, 1.2, 2.8, 1.4, 1.6),
        sarn=(0.4, 0.2, 2.8, 2.2, 0.8),
        diagnosis=(0.06, 0.03, 0.15, 0.00, 0.01, 0.00, 0.70, 0.05),
        p_substance=0.08, p_justice=0.02,
        housing=(0.60, 0.35, 0.05, 0.00), employment=(0.02, 0.01, 0.00, 0.92, 0.05),
        prior_admissions=0.8, years_known=4.0, team_type=(0.00, 0.05, 0.00, 0.00, 0.95),
        p_discharged=0.25,
        rates=(4.0, 10.0, 3.0, 0.5, 0.3, 0.7), admissions=0.15, length_of_stay=45.0,
        p_residential=0.15, residential_days=200.0,
        honos_change=1.5, p_followup_missing=0.20,
        care_clusters={18: 0.25, 19: 0.35, 20: 0.20, 21: 0.10, 3: 0.05, 4: 0.05},
    ),
    Subgroup(
        name="personality_self_harm", label="Personality disorder and self-harm, frequent crisis",
        share=0.08, age=(29.0, 9.0), p_female=0.75,
        honos=(1.6, 2.8, 1.4, 0.3, 0.6, 0.4, 2.4, 2.0, 2.8, 0.8, 1.4, 1.8),
        sarn=(1.4, 3.0, 2.2, 0.8, 1.8),
        diagnosis=(0.02, 0.04, 0.18, 0.60, 0.06, 0.08, 0.00, 0.02),
        p_substance=0.40, p_justice=0.15,
        housing=(0.60, 0.10, 0.22, 0.08), employment=(0.25, 0.40, 0.12, 0.00, 0.23),
        prior_admissions=1.8, years_known=7.0, team_type=(0.00, 0.90, 0.05, 0.05, 0.00),
        p_discharged=0.30,
        rates=(4.0, 10.0, 1.5, 10.0, 4.0, 3.5), admissions=0.2, length_of_stay=8.0,
        p_residential=0.02, residential_days=60.0,
        honos_change=-2.0, p_followup_missing=0.25,
        care_clusters={8: 0.45, 5: 0.20, 4: 0.15, 7: 0.10, 6: 0.10},
    ),
    Subgroup(
        name="bipolar_affective", label="Bipolar and affective disorder, episodic admissions",
        share=0.07, age=(42.0, 12.0), p_female=0.55,
        honos=(1.8, 0.6, 1.0, 0.5, 0.6, 1.2, 1.8, 2.2, 1.6, 0.8, 0.8, 1.4),
        sarn=(1.6, 1.0, 1.6, 0.8, 1.4),
        diagnosis=(0.08, 0.70, 0.12, 0.04, 0.02, 0.01, 0.00, 0.03),
        p_substance=0.25, p_justice=0.10,
        housing=(0.78, 0.08, 0.11, 0.03), employment=(0.38, 0.25, 0.07, 0.08, 0.22),
        prior_admissions=3.0, years_known=10.0, team_type=(0.03, 0.85, 0.07, 0.05, 0.00),
        p_discharged=0.22,
        rates=(5.0, 8.0, 4.0, 3.0, 1.2, 0.5), admissions=0.4, length_of_stay=28.0,
        p_residential=0.0, residential_days=0.0,
        honos_change=-3.0, p_followup_missing=0.18,
        care_clusters={3: 0.15, 4: 0.15, 11: 0.20, 12: 0.15, 13: 0.15, 15: 0.10, 17: 0.10},
    ),
)

MIN_CLUSTERS = 2
MAX_CLUSTERS = len(SUBGROUPS)


def stack(groups, attr: str) -> np.ndarray:
    """``np.array([getattr(g, attr) for g in groups], dtype=float)``."""
    return np.array([getattr(g, attr) for g in groups], dtype=float)
