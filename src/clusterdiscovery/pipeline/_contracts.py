"""What flows between the stages of :func:`~clusterdiscovery.discover`.

Each stage (``pipeline/_stage_*.py``) takes the configuration and the values named here and
returns the next one; nothing is shared otherwise. The classes are frozen: a stage makes a
new value rather than changing the one it was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from ..schema import ClientSchema

__all__ = ["StageData", "Prepared", "Assessed", "Chosen", "Described"]


@dataclass(frozen=True)
class StageData:
    """The data stage's result: the validated inputs.

    Attributes
    ----------
    clients : DataFrame
        The client table, indexed by the schema's id, its dates parsed.
    events : DataFrame or None
        The service events, as given (None without events).
    schema : ClientSchema
        The client schema, with ``[outcomes]`` declared (paired outcomes moved from the
        features to the schema's outcomes).
    lone_outcomes : list of str
        Outcomes declared without a baseline, reported on their own.
    """

    clients: pd.DataFrame
    events: pd.DataFrame | None
    schema: ClientSchema
    lone_outcomes: list


@dataclass(frozen=True)
class Prepared:
    """The features stage's result: the table the models and profiles read.

    Attributes
    ----------
    table : DataFrame
        The client table joined with the aggregated service use (the client table itself
        without events).
    event_cols : list of str
        The columns that aggregating the events added.
    as_of : Timestamp or None
        The date the service use was aggregated up to (None without events).
    profile_schema : ClientSchema
        The schema the profile is made with (see ``_stage_features._profile_schema``).
    costs : list of str
        The cost and utilisation columns profiled.
    cluster_cols : list of str
        The columns clustered on.
    measurement : dict
        The latent class measurement of each clustered column.
    X : DataFrame
        ``table[cluster_cols]``.
    weights : Series or None
        The schema's sampling weights (None without a weight column).
    """

    table: pd.DataFrame
    event_cols: list
    as_of: Any
    profile_schema: ClientSchema
    costs: list
    cluster_cols: list
    measurement: dict
    X: pd.DataFrame
    weights: pd.Series | None


@dataclass(frozen=True)
class Assessed:
    """The stability stage's result: the candidates ranked and assessed.

    Attributes
    ----------
    ranked : DataFrame
        The candidates by the criterion, with their stability (``assess_and_choose``).
    pos : label
        The chosen row of ``ranked``.
    stability : StabilityResult
        The chosen solution's stability, assessed in full.
    n_screen : int
        Resamples per candidate in the screening.
    X_model : DataFrame
        What the primary family reads (the table, or its numeric view).
    """

    ranked: pd.DataFrame
    pos: Any
    stability: Any
    n_screen: int
    X_model: pd.DataFrame


@dataclass(frozen=True)
class Chosen:
    """The choice stage's result: the chosen solution and why.

    Attributes
    ----------
    model : estimator
        The chosen fitted model of the primary family.
    k : int
    labels : Series
        The chosen model's cluster of each client (its stability's reference labels).
    stability : StabilityResult
    candidates : DataFrame
        Every k of the range with the reason for the choice (``candidates_table``).
    provisional : bool
        True when no candidate reproduced in full.
    choice_note : str
        The choice paragraph.
    words : dict
        The thresholds the choice paragraph and the provisional notice quote.
    X_model : DataFrame
        What the primary family reads.
    """

    model: Any
    k: int
    labels: pd.Series
    stability: Any
    candidates: pd.DataFrame
    provisional: bool
    choice_note: str
    words: dict
    X_model: pd.DataFrame


@dataclass(frozen=True)
class Described:
    """The describe stage's result: what the write stage writes.

    Attributes
    ----------
    descriptions : ClusterDescriptions
        The named clusters with the report's sections.
    cmap : ClusterMap
        The clients in two dimensions, binned.
    record : dict
        Every choice made (the report's settings, ``study.json``).
    tables : dict
        The extra sections' tables (file name -> DataFrame).
    """

    descriptions: Any
    cmap: Any
    record: dict
    tables: dict
