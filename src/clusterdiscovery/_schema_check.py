"""Checking a client table against a :class:`~clusterdiscovery.ClientSchema`.

:func:`validate_table` is :meth:`ClientSchema.validate`: it checks the ids, each feature (its
type, levels or range), costs, outcomes, team, weight and dates, and raises a
:class:`~clusterdiscovery.exceptions.SchemaError` naming the column at fault and how to fix
it. It never modifies the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._checks import (
    check_flat_columns,
    check_levels,
    check_magnitude,
    describe_not_numbers,
    normalise_ids,
    not_numbers,
)
from ._dates import parse_dates
from ._schema_spec import _NUMERIC_TYPES, FeatureSpec
from .exceptions import SchemaError

if TYPE_CHECKING:
    from .schema import ClientSchema

__all__ = ["validate_table"]


def validate_table(schema: ClientSchema, df: pd.DataFrame, *,
                   features_only: bool = False) -> pd.DataFrame:
    """Check ``df`` against ``schema``; return it unchanged (see :meth:`ClientSchema.validate`,
    which documents the parameters and the errors)."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"validate() expects a pandas DataFrame; got {type(df).__name__}."
        )
    check_flat_columns(df, "data")
    if df.shape[0] == 0:
        raise SchemaError("The client table is empty (0 rows); there is nothing to cluster.")
    if df.columns.duplicated().any():
        dup = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise SchemaError(f"Column name(s) {dup} appear more than once; rename them.")
    _check_ids(schema, df)
    for col, spec in schema.features.items():
        _check_feature(df, col, spec)
    if features_only:
        return df
    for col in schema.costs:
        values = _numeric_column(df, col, "cost")
        _check_finite(values, col, "cost")
        if (values < 0).any():
            n = int((values < 0).sum())
            raise SchemaError(
                f"Cost column '{col}' has {n} negative value(s) (e.g. {values[values < 0].iloc[0]}); "
                f"costs must be >= 0. Check refunds or data-entry errors."
            )
    for name, (base, follow) in schema.outcomes.items():
        for col in (base, follow):
            values = _numeric_column(df, col, f"outcome '{name}'")
            _check_finite(values, col, f"outcome '{name}'")
    if schema.team is not None and schema.team not in df.columns:
        raise SchemaError(_missing_msg(schema.team, "team", df))
    if schema.weight is not None:
        values = _numeric_column(df, schema.weight, "sampling weight")
        if values.isna().any():
            raise SchemaError(
                f"Weight column '{schema.weight}' has {int(values.isna().sum())} missing "
                f"value(s); every client needs a weight (drop those rows or impute)."
            )
        _check_finite(values, schema.weight, "sampling weight")
        if (values < 0).any() or not (values > 0).any():
            raise SchemaError(
                f"Weight column '{schema.weight}' must hold non-negative weights, not all "
                f"zero (smallest {values.min()}, largest {values.max()})."
            )
    for col in schema.dates:
        if col not in df.columns:
            raise SchemaError(_missing_msg(col, "date", df))
        # the package's one date parser: ISO 8601 or the schema's date_format; refuses
        # non-dates, ambiguous day/month strings and dates pandas cannot hold
        parse_dates(df[col], col, table="client", date_format=schema.date_format,
                    fix="set the schema's date_format = {fmt}")
    return df


def _check_ids(schema: ClientSchema, df: pd.DataFrame) -> None:
    """The client ids: a column or the index, none missing, none repeated, one spelling."""
    if schema.id in df.columns:
        ids = df[schema.id]
    elif df.index.name == schema.id:
        ids = df.index.to_series()
    else:
        raise SchemaError(
            f"Client id column '{schema.id}' not found (neither a column nor the index name). "
            f"Rename your id column to '{schema.id}' or set ClientSchema(id=...)."
        )
    if ids.isna().any():
        raise SchemaError(
            f"Client id column '{schema.id}' has {int(ids.isna().sum())} missing id(s); every "
            f"client needs an id."
        )
    dup = ids.duplicated(keep=False)
    if dup.any():
        examples = list(pd.unique(ids[dup]))[:5]
        raise SchemaError(
            f"Client id column '{schema.id}' has {int(ids.duplicated().sum())} duplicated id(s), "
            f"e.g. {examples}. Keep one row per client (aggregate repeated rows first)."
        )
    normalise_ids(ids, schema.id)  # 1 and "1": one client written two ways


def _check_feature(df: pd.DataFrame, col: str, spec: FeatureSpec) -> None:
    """One feature column against its spec: present, not all missing, of its type, within
    its levels or range, not constant."""
    if col not in df.columns:
        raise SchemaError(_missing_msg(col, f"{spec.type} feature", df))
    s = df[col]
    present = s.dropna()
    if present.empty:
        raise SchemaError(
            f"Feature '{col}' is entirely missing; drop it from the schema or supply values."
        )
    if spec.type in _NUMERIC_TYPES:
        values = _numeric_column(df, col, f"{spec.type} feature")
        _check_finite(values, col, f"{spec.type} feature")
        present = values.dropna()
        if spec.type == "count":
            if (present < 0).any():
                raise SchemaError(
                    f"Count feature '{col}' has negative value(s) (e.g. "
                    f"{present[present < 0].iloc[0]}); counts must be >= 0."
                )
            if not np.all(np.equal(np.mod(present.to_numpy(dtype=float), 1), 0)):
                raise SchemaError(
                    f"Count feature '{col}' has non-integer values; round them or declare "
                    f"the feature 'continuous'."
                )
        if spec.min is not None and (present < spec.min).any():
            raise SchemaError(
                f"Feature '{col}' has value(s) below its declared min {spec.min} "
                f"(smallest {present.min()}); correct the data or the schema's min."
            )
        if spec.max is not None and (present > spec.max).any():
            raise SchemaError(
                f"Feature '{col}' has value(s) above its declared max {spec.max} "
                f"(largest {present.max()}); correct the data or the schema's max."
            )
    else:
        if pd.api.types.is_float_dtype(s) and np.isinf(present.to_numpy(dtype=float)).any():
            raise SchemaError(f"Feature '{col}' contains inf; replace it with a level or NaN.")
        check_levels(s, col)  # 1 and "1" would be two levels printed alike
        levels = spec.levels
        if levels is None and spec.type == "binary":
            uniq = set(present.unique().tolist())
            if uniq <= {0, 1}:  # True == 1 and False == 0
                levels = (0, 1)
            elif len(uniq) > 2:
                raise SchemaError(
                    f"Binary feature '{col}' has {len(uniq)} distinct values "
                    f"({sorted(map(str, uniq))[:5]}); declare it 'categorical' or recode it."
                )
        if levels is not None:
            bad = ~present.isin(levels)
            if bad.any():
                unseen = sorted(present[bad].unique().tolist(), key=str)[:5]
                raise SchemaError(
                    f"Feature '{col}' has value(s) {unseen} outside its declared levels "
                    f"{list(levels)}; recode them or add them to the schema's levels."
                )
    if present.nunique() < 2:
        raise SchemaError(
            f"Feature '{col}' is constant (every value is {present.iloc[0]!r}); it cannot "
            f"separate clusters. Drop it from the schema's features."
        )


def _missing_msg(col: str, role: str, df: pd.DataFrame) -> str:
    import difflib

    names = list(map(str, df.columns))
    close = [c for c in names if c.lower() == col.lower()] or difflib.get_close_matches(
        col, names, n=3)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    listed = names[:30] + (["..."] if len(names) > 30 else [])
    return (
        f"Column '{col}' ({role} in the schema) is missing from the table.{hint} "
        f"Add the column or remove it from the schema; the table has {listed}."
    )


def _numeric_column(df: pd.DataFrame, col: str, role: str) -> pd.Series:
    if col not in df.columns:
        raise SchemaError(_missing_msg(col, role, df))
    s = df[col]
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        rows = f" ({describe_not_numbers(s, col)})" if not_numbers(s) else ""
        raise SchemaError(
            f"Column '{col}' ({role}) must be numeric but has dtype {s.dtype}{rows}. Convert "
            f"it with pandas.to_numeric(df['{col}']) or declare it 'categorical'."
        )
    return s.astype(float)


def _check_finite(values: pd.Series, col: str, role: str) -> None:
    arr = values.to_numpy(dtype=float)
    if np.isinf(arr).any():
        raise SchemaError(
            f"Column '{col}' ({role}) contains {int(np.isinf(arr).sum())} infinite value(s); "
            f"replace them with NaN (missing) or a finite value."
        )
    try:  # finite but too large to compute with (1e200 squared is infinite)
        check_magnitude(values.rename(col), f"the client table ({role})")
    except ValueError as exc:
        raise SchemaError(str(exc)) from None
