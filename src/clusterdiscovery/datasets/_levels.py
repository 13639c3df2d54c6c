"""Fixed vocabularies of the synthetic population: category levels, services, teams, dates."""

from __future__ import annotations

import numpy as np

SEXES = ("female", "male")
ETHNICITIES = ("white_british", "white_other", "asian", "black", "mixed", "other")
ETHNICITY_P = (0.70, 0.08, 0.09, 0.07, 0.04, 0.02)
DIAGNOSIS_GROUPS = (
    "psychosis", "bipolar", "depression_anxiety", "personality_disorder",
    "substance_misuse", "trauma_stress", "organic", "other",
)
HOUSING = ("settled", "supported", "unstable", "homeless")
EMPLOYMENT = ("employed", "unemployed", "student", "retired", "unable_to_work")

HONOS_ITEMS = tuple(f"honos_{i}" for i in range(1, 13))
SARN_ITEMS = (
    "sarn_risk_others", "sarn_self_harm", "sarn_vulnerability", "sarn_self_neglect",
    "sarn_engagement",
)
ITEM_LEVELS = (0, 1, 2, 3, 4)

CATEGORICAL_LEVELS = {
    "sex": SEXES,
    "ethnicity": ETHNICITIES,
    "diagnosis_group": DIAGNOSIS_GROUPS,
    "housing": HOUSING,
    "employment": EMPLOYMENT,
}

#: contact-type services (one row per contact) then bed-day services (one row per day)
CONTACT_SERVICES = (
    "outpatient", "community_contact", "medication_review", "psychological_therapy",
    "crisis", "ae_attendance",
)
DAY_SERVICES = ("inpatient_day", "residential_day")
SERVICES = CONTACT_SERVICES + DAY_SERVICES

#: unit cost per contact or day: (median in pounds, lognormal sigma, share of zero-cost rows
#: such as did-not-attend)
UNIT_COSTS = {
    "outpatient": (150.0, 0.25, 0.10),
    "community_contact": (90.0, 0.30, 0.08),
    "medication_review": (120.0, 0.20, 0.05),
    "psychological_therapy": (140.0, 0.20, 0.10),
    "crisis": (320.0, 0.35, 0.0),
    "ae_attendance": (220.0, 0.30, 0.0),
    "inpatient_day": (450.0, 0.08, 0.0),
    "residential_day": (190.0, 0.12, 0.0),
}

TEAMS = (
    ("EIP-N", "EIP"), ("EIP-S", "EIP"),
    ("CMHT-N", "CMHT"), ("CMHT-S", "CMHT"), ("CMHT-E", "CMHT"), ("CMHT-W", "CMHT"),
    ("AOT-1", "AOT"),
    ("PCMH-N", "PCMH"), ("PCMH-S", "PCMH"),
    ("OPMH-N", "OPMH"), ("OPMH-S", "OPMH"),
    ("CRHT-1", "CRHT"),
    ("WARD-A", "inpatient"), ("WARD-B", "inpatient"), ("WARD-OA", "inpatient"),
    ("LIAISON", "liaison"),
    ("RES-1", "residential"),
)
TEAM_NAMES = tuple(t for t, _ in TEAMS)
COMMUNITY_TEAM_TYPES = ("EIP", "CMHT", "AOT", "PCMH", "OPMH")

#: the study window: service events fall in [START, END]
START = np.datetime64("2023-01-01", "D")
END = np.datetime64("2025-12-31", "D")
#: care-cluster histories start no earlier than this
ASSIGNMENTS_FROM = np.datetime64("2021-01-01", "D")
DATE_UNIT = "datetime64[us]"


def team_index(name: str) -> int:
    return TEAM_NAMES.index(name)
