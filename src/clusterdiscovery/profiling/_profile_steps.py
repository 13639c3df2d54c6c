"""The input steps of :func:`profile_clusters`: its arguments checked, and the weights, costs,
outcomes (with their reliability and direction), exposure and profiled columns resolved.

Each step raises the error the user would get from ``profile_clusters`` itself; they run in
the order ``profile_clusters`` calls them, so that the first problem found stays the same.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._checks import looks_like_ids
from .._deprecate import renamed
from .._utils import check_dataframe, check_fraction, check_int, check_sample_weight, n_workers
from ..schema import ClientSchema
from ._data import numeric_column, prepare_variables

__all__ = ["check_arguments", "cost_columns", "outcome_columns", "outcome_settings",
           "profiled_variables", "resolve_costs", "resolve_exposure", "resolve_outcomes",
           "resolve_weights"]

_DEFAULTS = {"reliability": 0.8, "higher_is_better": False}


def check_arguments(data, schema, min_cell_size, n_bootstrap, alpha, n_jobs, variable_labels):
    """The plain arguments checked: ``(data, min_cell_size, n_bootstrap, alpha, n_jobs)``."""
    data = check_dataframe(data, "data")
    if data.columns.has_duplicates:
        dup = sorted(map(str, data.columns[data.columns.duplicated()].unique()))
        raise ValueError(f"The 'data' table has duplicated column name(s) {dup[:5]}; rename "
                         f"or drop the copies.")
    if schema is not None and not isinstance(schema, ClientSchema):
        raise TypeError(
            f"The 'schema' parameter must be a ClientSchema; got {type(schema).__name__}."
        )
    min_cell_size = check_int(min_cell_size, "min_cell_size", low=0)
    n_bootstrap = check_int(n_bootstrap, "n_bootstrap", low=10)
    alpha = check_fraction(alpha, "alpha")
    n_jobs = n_workers(n_jobs)
    if variable_labels is not None and not isinstance(variable_labels, Mapping):
        raise TypeError("The 'variable_labels' parameter must be a dict {column: label}.")
    return data, min_cell_size, n_bootstrap, alpha, n_jobs


def resolve_weights(data, schema, sample_weight):
    """``(weights, weight_col)``: the checked sampling weights (None: unweighted) and the
    column they come from (None when given as a Series or an array)."""
    weight_col = None
    if sample_weight is None and schema is not None and getattr(schema, "weight", None):
        sample_weight = schema.weight
    if isinstance(sample_weight, str):
        weight_col = sample_weight
        if weight_col not in data.columns:
            raise ValueError(
                f"The weight column {weight_col!r} is not in the data; available columns include "
                f"{list(map(str, data.columns[:10]))}."
            )
        sample_weight = data[weight_col]
    elif isinstance(sample_weight, pd.Series) and not sample_weight.index.equals(data.index):
        if (sample_weight.index.has_duplicates or sample_weight.shape[0] != data.shape[0]
                or not sample_weight.index.isin(data.index).all()):
            raise ValueError(
                "The 'sample_weight' Series must be indexed by the same client ids as 'data'."
            )
        sample_weight = sample_weight.reindex(data.index)
    weights = check_sample_weight(
        sample_weight, data.shape[0],
        f"weight column {weight_col!r}" if weight_col else "'sample_weight' parameter")
    return weights, weight_col


def resolve_costs(costs, schema) -> list:
    """The cost column names: ``costs`` as a list, or the schema's costs when none given."""
    if isinstance(costs, str):
        costs = [costs]
    if costs is not None and not isinstance(costs, (list, tuple, pd.Index, np.ndarray)):
        raise TypeError(f"The 'costs' parameter must be a column name or a list of column "
                        f"names; got {type(costs).__name__}.")
    costs = list(costs if costs is not None else ())
    if not costs and schema is not None:
        costs = list(schema.costs)
    return costs


def resolve_outcomes(outcomes, schema) -> Mapping:
    """``{name: (baseline, follow_up)}``, checked (default the schema's outcomes)."""
    if outcomes is None:
        outcomes = dict(schema.outcomes) if schema is not None else {}
    if not isinstance(outcomes, Mapping):
        raise TypeError("The 'outcomes' parameter must be a dict {name: (baseline, follow_up)}.")
    for name, pair in outcomes.items():
        if not isinstance(pair, (str, list, tuple)):
            raise TypeError(
                f"Outcome '{name}' must be a pair (baseline_column, follow_up_column); got "
                f"{type(pair).__name__}."
            )
        if isinstance(pair, str) or len(pair) != 2:
            raise ValueError(
                f"Outcome '{name}' must be a pair (baseline_column, follow_up_column); got "
                f"{pair!r}."
            )
    return outcomes


def outcome_settings(schema, outcomes, reliability, higher_is, higher_is_better):
    """``(reliability, higher_is_better)``, each a dict by outcome: the parameters given, else
    the schema's direction of each outcome (higher is worse by default)."""
    rel = _per_outcome(reliability, "reliability", outcomes,
                       lambda v, n: check_fraction(v, n, closed=False))
    declared = {k: _schema_direction(schema, k) for k in outcomes}
    higher_is_better = _direction(higher_is, higher_is_better)
    if higher_is_better is None:
        higher_is_better = declared
    elif isinstance(higher_is_better, Mapping):
        higher_is_better = {**declared, **higher_is_better}
    direction = _per_outcome(higher_is_better, "higher_is_better", outcomes, _check_bool)
    return rel, direction


def cost_columns(data, costs) -> dict:
    """``{column: values}`` of each cost column, checked to be numbers >= 0 with none missing."""
    cost_values = {}
    for col in costs:
        arr = numeric_column(data, col, "cost", allow_nan=False)
        if (arr < 0).any():
            raise ValueError(
                f"Cost column '{col}' has {int((arr < 0).sum())} negative value(s); costs must "
                f"be >= 0 (check refunds or data-entry errors)."
            )
        cost_values[col] = arr
    return cost_values


def resolve_exposure(data, exposure):
    """``(client-years or None, exposure column or None)`` from a column name or a Series."""
    if exposure is None:
        return None, None
    exposure_col = None
    if isinstance(exposure, str):
        exposure_col = exposure
        expo = numeric_column(data, exposure, "exposure (client-years)", allow_nan=True)
    elif isinstance(exposure, pd.Series):
        expo = _exposure_series(data, exposure)
    else:
        raise TypeError("The 'exposure' parameter must be a column name or a pandas Series.")
    if (expo < 0).any() or np.isinf(expo).any():
        raise ValueError(
            "The 'exposure' values (client-years) must be finite and >= 0 (NaN: unknown)."
        )
    return expo, exposure_col


def _exposure_series(data, exposure: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(exposure) or not pd.api.types.is_numeric_dtype(exposure):
        raise TypeError(f"The 'exposure' Series must hold numbers (client-years); it "
                        f"has dtype {exposure.dtype}.")
    if not exposure.index.equals(data.index):
        if (exposure.index.has_duplicates or exposure.shape[0] != data.shape[0]
                or not exposure.index.isin(data.index).all()):
            raise ValueError(
                "The 'exposure' Series must be indexed by the same client ids as 'data'."
            )
        exposure = exposure.reindex(data.index)
    return exposure.to_numpy(dtype=float, na_value=np.nan)


def profiled_variables(data, schema, features, costs, outcomes, expo, exposure_col,
                       weight_col):
    """``(variables, notes)``: the columns to profile (not costs, outcomes, exposure, weight,
    id, team or dates) and the notes on them."""
    exclude = set(costs) | {c for pair in outcomes.values() for c in pair}
    if exposure_col:
        exclude.add(exposure_col)
    if weight_col:
        exclude.add(weight_col)
    if schema is not None:
        exclude |= {schema.id, *(schema.dates or ())}
        if schema.team:
            exclude.add(schema.team)
    if schema is None:  # without a schema, a column of distinct whole numbers is an id
        exclude |= {c for c in data.columns if c not in exclude and looks_like_ids(data[c])}
    variables, notes = prepare_variables(data, schema, features, exclude)
    n_unknown = int(np.isnan(expo).sum()) if expo is not None else 0
    if n_unknown:
        notes.append(f"{n_unknown} client(s) without a known exposure are left out of the "
                     f"cost per client-year (not out of the other cost figures).")
    return variables, notes


def outcome_columns(data, outcomes) -> dict:
    """``{name: (baseline values, follow-up values)}`` of each outcome."""
    outcome_values = {}
    for name, (b, f) in outcomes.items():
        outcome_values[name] = (numeric_column(data, b, f"outcome '{name}' baseline",
                                               allow_nan=True),
                                numeric_column(data, f, f"outcome '{name}' follow-up",
                                               allow_nan=True))
    return outcome_values


def _per_outcome(value, name, outcomes, check):
    if isinstance(value, Mapping):
        unknown = set(value) - set(outcomes)
        if unknown:
            raise ValueError(
                f"The '{name}' dict names unknown outcome(s) {sorted(unknown)}; outcomes are "
                f"{sorted(outcomes)}."
            )
        return {k: check(value.get(k, _DEFAULTS[name]), name) for k in outcomes}
    return {k: check(value, name) for k in outcomes}


def _direction(higher_is, higher_is_better):
    """``higher_is`` ("better"/"worse", or a dict of them) as the internal True/False; the
    old ``higher_is_better`` spelling is accepted with a FutureWarning (pointing at the call
    of ``profile_clusters``: user -> profile_clusters -> outcome_settings -> here)."""
    def better(v):
        if v not in ("better", "worse"):
            raise ValueError(f"The 'higher_is' parameter must be 'better' or 'worse' (or a dict "
                             f"{{outcome: 'better' or 'worse'}}); got {v!r}.")
        return v == "better"

    if higher_is is not None:
        higher_is = ({k: better(v) for k, v in higher_is.items()}
                     if isinstance(higher_is, Mapping) else better(higher_is))
    return renamed("higher_is_better", higher_is_better, "higher_is", higher_is,
                   where="profile_clusters", stacklevel=5)


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"The '{name}' parameter must be True or False; got {value!r}.")
    return bool(value)


def _schema_direction(schema, outcome) -> bool:
    """Whether higher is better for an outcome, as its schema declares (default False)."""
    if schema is None or outcome not in schema.outcomes:
        return _DEFAULTS["higher_is_better"]
    return schema.spec_of(outcome).higher_is == "better"
