"""Client schema: which column is the id, which are features (and of what type), costs,
outcomes, team and dates; and the checks that the data match it.

Examples
--------
>>> import pandas as pd
>>> from clusterdiscovery import ClientSchema
>>> schema = ClientSchema(
...     id="client_id",
...     features={"age": "continuous", "admissions": "count",
...               "honos_1": ("ordinal", [0, 1, 2, 3, 4])},
...     costs=["cost"],
... )
>>> df = pd.DataFrame({"client_id": ["a", "b"], "age": [30.0, 41.0], "admissions": [0, 2],
...                    "honos_1": [1, 3], "cost": [0.0, 120.5]})
>>> schema.validate(df) is df
True
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path

import numpy as np
import pandas as pd

from ._checks import check_flat_columns, check_levels, normalise_ids
from .exceptions import SchemaError

__all__ = ["ClientSchema", "FeatureSpec", "FEATURE_TYPES"]

FEATURE_TYPES = ("continuous", "count", "binary", "categorical", "ordinal")
_NUMERIC_TYPES = ("continuous", "count")


@dataclass(frozen=True)
class FeatureSpec:
    """One feature column: its type, and (where they apply) its levels and range.

    Parameters
    ----------
    type : {"continuous", "count", "binary", "categorical", "ordinal"}
    levels : tuple, optional
        Allowed values. Required for ``"ordinal"`` (in order, lowest first); optional for
        ``"categorical"`` and ``"binary"`` (binary defaults to ``(0, 1)`` for numeric data).
    min, max : float, optional
        Allowed range for ``"continuous"`` and ``"count"`` columns (inclusive).
    log1p : bool
        Whether preprocessing should take ``log1p`` of a count (a hint for
        :func:`clusterdiscovery.features.make_preprocessor`).
    """

    type: str
    levels: tuple | None = None
    min: float | None = None
    max: float | None = None
    log1p: bool = False

    def to_dict(self) -> dict:
        out = {"type": self.type}
        if self.levels is not None:
            out["levels"] = [_plain(v) for v in self.levels]
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        if self.log1p:
            out["log1p"] = True
        return out


def _plain(value):
    """numpy scalars -> Python scalars (for JSON and TOML)."""
    return value.item() if isinstance(value, np.generic) else value


def _parse_feature(column: str, spec) -> FeatureSpec:
    if isinstance(spec, FeatureSpec):
        kind, levels, lo, hi, log1p = spec.type, spec.levels, spec.min, spec.max, spec.log1p
    elif isinstance(spec, str):
        kind, levels, lo, hi, log1p = spec, None, None, None, False
    elif isinstance(spec, Mapping):
        unknown = set(spec) - {"type", "levels", "min", "max", "log1p"}
        if unknown:
            raise SchemaError(
                f"Feature '{column}': unknown key(s) {sorted(unknown)} in its specification; "
                f"allowed keys are type, levels, min, max, log1p."
            )
        if "type" not in spec:
            raise SchemaError(f"Feature '{column}': its specification needs a 'type' key.")
        kind = spec["type"]
        levels, lo, hi = spec.get("levels"), spec.get("min"), spec.get("max")
        log1p = bool(spec.get("log1p", False))
    elif isinstance(spec, Sequence) and len(spec) == 2 and isinstance(spec[0], str):
        kind, levels, lo, hi, log1p = spec[0], spec[1], None, None, False
    else:
        raise SchemaError(
            f"Feature '{column}': cannot read its specification {spec!r}. Give a type name "
            f"such as 'continuous', a pair ('ordinal', [levels]), or a dict with a 'type' key."
        )
    if kind not in FEATURE_TYPES:
        raise SchemaError(
            f"Feature '{column}' has unknown type {kind!r}; use one of {', '.join(FEATURE_TYPES)}."
        )
    if levels is not None:
        if isinstance(levels, str) or not isinstance(levels, Sequence):
            raise SchemaError(f"Feature '{column}': levels must be a list, got {levels!r}.")
        levels = tuple(_plain(v) for v in levels)
        try:
            distinct = len(set(levels))
        except TypeError:
            raise SchemaError(
                f"Feature '{column}': levels must be single values such as 0 or 'male'; got "
                f"{list(levels)!r}."
            ) from None
        if distinct != len(levels):
            raise SchemaError(f"Feature '{column}': levels {list(levels)} contain duplicates.")
        if len(levels) < 2:
            raise SchemaError(f"Feature '{column}': declare at least two levels.")
    if kind == "ordinal" and levels is None:
        raise SchemaError(
            f"Feature '{column}' is ordinal but has no levels; declare them in order, "
            f"e.g. ('ordinal', [0, 1, 2, 3, 4])."
        )
    if kind == "binary" and levels is not None and len(levels) != 2:
        raise SchemaError(
            f"Feature '{column}' is binary but declares {len(levels)} levels; a binary "
            f"feature has exactly two (or declare it 'categorical')."
        )
    for key, bound in (("min", lo), ("max", hi)):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, Real)
                                  or not np.isfinite(bound)):
            raise SchemaError(
                f"Feature '{column}': {key} must be a finite number; got {bound!r}."
            )
    if (lo is not None or hi is not None) and kind not in _NUMERIC_TYPES:
        raise SchemaError(
            f"Feature '{column}': min/max apply to continuous and count features only."
        )
    if lo is not None and hi is not None and lo > hi:
        raise SchemaError(f"Feature '{column}': min={lo} is greater than max={hi}.")
    if log1p and kind not in _NUMERIC_TYPES:
        raise SchemaError(f"Feature '{column}': log1p applies to continuous and count features.")
    return FeatureSpec(kind, levels, lo, hi, log1p)


@dataclass(frozen=True)
class ClientSchema:
    """The roles of the columns of a client table.

    Parameters
    ----------
    id : str
        The client id column (or the name of the DataFrame's index).
    features : dict
        ``{column: type}`` where type is one of ``"continuous"``, ``"count"``,
        ``"binary"``, ``"categorical"``, ``"ordinal"``; or ``(type, levels)``; or a dict
        with keys ``type``, ``levels``, ``min``, ``max``, ``log1p``; or a :class:`FeatureSpec`.
    costs : list of str
        Cost columns (non-negative, e.g. pounds per client over the study period).
    outcomes : dict
        ``{name: (baseline_column, follow_up_column)}``, e.g. HoNOS totals.
    team : str, optional
        The team (or service) column.
    dates : list of str
        Date columns (must parse as dates).

    Notes
    -----
    :meth:`validate` checks a table against the schema and raises :class:`SchemaError`
    naming the column and how to fix it. It never modifies the table.
    """

    id: str = "client_id"
    features: Mapping = field(default_factory=dict)
    costs: Sequence[str] = ()
    outcomes: Mapping = field(default_factory=dict)
    team: str | None = None
    dates: Sequence[str] = ()

    def __post_init__(self):
        if not isinstance(self.id, str) or not self.id:
            raise SchemaError(f"The schema's 'id' must be a column name; got {self.id!r}.")
        if not isinstance(self.features, Mapping):
            raise SchemaError(
                f"The schema's 'features' must be a dict {{column: type}}; got "
                f"{type(self.features).__name__}."
            )
        feats = {str(c): _parse_feature(str(c), s) for c, s in self.features.items()}
        object.__setattr__(self, "features", feats)
        costs = _as_names(self.costs, "costs")
        dates = _as_names(self.dates, "dates")
        object.__setattr__(self, "costs", costs)
        object.__setattr__(self, "dates", dates)
        if not isinstance(self.outcomes, Mapping):
            raise SchemaError("The schema's 'outcomes' must be a dict {name: (baseline, follow_up)}.")
        outcomes = {}
        for name, pair in self.outcomes.items():
            if (isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2
                    or not all(isinstance(c, str) and c for c in pair)):
                raise SchemaError(
                    f"Outcome '{name}' must be a pair (baseline_column, follow_up_column); "
                    f"got {pair!r}."
                )
            outcomes[str(name)] = (str(pair[0]), str(pair[1]))
        object.__setattr__(self, "outcomes", outcomes)
        if self.team is not None and (not isinstance(self.team, str) or not self.team):
            raise SchemaError(f"The schema's 'team' must be a column name; got {self.team!r}.")
        roles: dict[str, str] = {}
        for role, cols in [("id", [self.id]), ("features", list(feats)), ("costs", costs),
                           ("team", [self.team] if self.team else []), ("dates", dates)]:
            for c in cols:
                if c in roles and not (roles[c] == "features" and role == "team"):
                    raise SchemaError(
                        f"Column '{c}' is declared twice (as {roles[c]} and as {role}); "
                        f"give each column one role."
                    )
                roles.setdefault(c, role)

    # ------------------------------------------------------------------ views
    def columns_of_type(self, *types: str) -> list[str]:
        """Feature columns whose type is one of ``types``, in schema order."""
        bad = set(types) - set(FEATURE_TYPES)
        if bad:
            raise ValueError(f"Unknown feature type(s) {sorted(bad)}; use {FEATURE_TYPES}.")
        return [c for c, s in self.features.items() if s.type in types]

    @property
    def feature_columns(self) -> list[str]:
        return list(self.features)

    @property
    def outcome_columns(self) -> list[str]:
        return [c for pair in self.outcomes.values() for c in pair]

    @property
    def columns(self) -> list[str]:
        """Every column the schema names (id first), without repeats."""
        cols = [self.id, *self.features, *self.costs, *self.outcome_columns]
        if self.team:
            cols.append(self.team)
        cols.extend(self.dates)
        return list(dict.fromkeys(cols))

    def select(self, columns) -> ClientSchema:
        """A schema with only the named features (other roles kept)."""
        if isinstance(columns, str):
            columns = [columns]
        elif not isinstance(columns, Sequence | pd.Index | np.ndarray):
            raise TypeError(
                f"select() expects a feature name or a list of them; got "
                f"{type(columns).__name__}."
            )
        missing = [c for c in columns if c not in self.features]
        if missing:
            raise SchemaError(f"Feature(s) {missing} are not in the schema.")
        return ClientSchema(id=self.id, features={c: self.features[c] for c in columns},
                            costs=self.costs, outcomes=self.outcomes, team=self.team,
                            dates=self.dates)

    # -------------------------------------------------------------- serialise
    def to_dict(self) -> dict:
        """Plain (JSON- and TOML-ready) dictionary; :meth:`from_dict` reads it back."""
        out = {"id": self.id, "features": {c: s.to_dict() for c, s in self.features.items()},
               "costs": list(self.costs),
               "outcomes": {k: list(v) for k, v in self.outcomes.items()},
               "dates": list(self.dates)}
        if self.team is not None:
            out["team"] = self.team
        return out

    @classmethod
    def from_dict(cls, spec: Mapping) -> ClientSchema:
        if not isinstance(spec, Mapping):
            raise SchemaError(f"A schema must be a mapping; got {type(spec).__name__}.")
        allowed = {"id", "features", "costs", "outcomes", "team", "dates"}
        unknown = set(spec) - allowed
        if unknown:
            raise SchemaError(
                f"Unknown schema key(s) {sorted(unknown)}; allowed keys are {sorted(allowed)}."
            )
        return cls(**dict(spec))

    @classmethod
    def from_toml(cls, path) -> ClientSchema:
        """Read a schema from a TOML file: top-level keys, or a ``[schema]`` table.

        Example file::

            id = "client_id"
            team = "team"
            costs = ["cost_total"]
            [features]
            age = {type = "continuous", min = 16, max = 110}
            sex = "categorical"
            honos_1 = {type = "ordinal", levels = [0, 1, 2, 3, 4]}
            [outcomes]
            honos_total = ["honos_total_baseline", "honos_total_followup"]
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"Schema file not found: {path}")
        try:
            with path.open("rb") as fh:
                doc = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise SchemaError(f"Schema file {path} is not valid TOML: {exc}") from exc
        if "schema" in doc and isinstance(doc["schema"], Mapping):
            doc = doc["schema"]
        return cls.from_dict(doc)

    # --------------------------------------------------------------- validate
    def validate(self, df: pd.DataFrame, *, features_only: bool = False) -> pd.DataFrame:
        """Check ``df`` against the schema; return it unchanged.

        Parameters
        ----------
        df : DataFrame
            The client table. The id may be a column or the index (named ``id``).
        features_only : bool
            Check only the id and the features (not costs, outcomes, team, dates), e.g. for
            new clients to be assigned to an existing model.

        Raises
        ------
        TypeError
            If ``df`` is not a DataFrame.
        SchemaError
            Naming the column at fault: a missing column; a wrong dtype; values outside the
            declared levels or range; negative costs or counts; NaN or inf where not allowed;
            duplicated or missing client ids; a feature that is entirely missing or constant.
        """
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
        self._check_ids(df)
        for col, spec in self.features.items():
            self._check_feature(df, col, spec)
        if features_only:
            return df
        for col in self.costs:
            values = _numeric_column(df, col, "cost")
            _check_finite(values, col, "cost")
            if (values < 0).any():
                n = int((values < 0).sum())
                raise SchemaError(
                    f"Cost column '{col}' has {n} negative value(s) (e.g. {values[values < 0].iloc[0]}); "
                    f"costs must be >= 0. Check refunds or data-entry errors."
                )
        for name, (base, follow) in self.outcomes.items():
            for col in (base, follow):
                values = _numeric_column(df, col, f"outcome '{name}'")
                _check_finite(values, col, f"outcome '{name}'")
        if self.team is not None and self.team not in df.columns:
            raise SchemaError(_missing_msg(self.team, "team", df))
        for col in self.dates:
            if col not in df.columns:
                raise SchemaError(_missing_msg(col, "date", df))
            if not pd.api.types.is_datetime64_any_dtype(df[col]):
                if pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col]):
                    raise SchemaError(
                        f"Date column '{col}' has dtype {df[col].dtype}, not dates; convert it "
                        f"with pandas.to_datetime (numbers are not read as dates)."
                    )
                parsed = pd.to_datetime(df[col], errors="coerce")
                bad = parsed.isna() & df[col].notna()
                if bad.any():
                    raise SchemaError(
                        f"Date column '{col}' has {int(bad.sum())} value(s) that are not dates "
                        f"(e.g. {df[col][bad].iloc[0]!r}); use ISO dates such as 2024-03-31."
                    )
        return df

    def _check_ids(self, df: pd.DataFrame) -> None:
        if self.id in df.columns:
            ids = df[self.id]
        elif df.index.name == self.id:
            ids = df.index.to_series()
        else:
            raise SchemaError(
                f"Client id column '{self.id}' not found (neither a column nor the index name). "
                f"Rename your id column to '{self.id}' or set ClientSchema(id=...)."
            )
        if ids.isna().any():
            raise SchemaError(
                f"Client id column '{self.id}' has {int(ids.isna().sum())} missing id(s); every "
                f"client needs an id."
            )
        dup = ids.duplicated(keep=False)
        if dup.any():
            examples = list(pd.unique(ids[dup]))[:5]
            raise SchemaError(
                f"Client id column '{self.id}' has {int(ids.duplicated().sum())} duplicated id(s), "
                f"e.g. {examples}. Keep one row per client (aggregate repeated rows first)."
            )
        normalise_ids(ids, self.id)  # 1 and "1": one client written two ways

    def _check_feature(self, df: pd.DataFrame, col: str, spec: FeatureSpec) -> None:
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


def _as_names(value, role: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Sequence):
        raise SchemaError(f"The schema's '{role}' must be a list of column names; got {value!r}.")
    return tuple(str(v) for v in value)


def _missing_msg(col: str, role: str, df: pd.DataFrame) -> str:
    close = [c for c in map(str, df.columns) if c.lower() == col.lower()]
    hint = f" A column '{close[0]}' exists: check the spelling." if close else ""
    return (
        f"Column '{col}' ({role} in the schema) is missing from the table.{hint} "
        f"Add the column or remove it from the schema."
    )


def _numeric_column(df: pd.DataFrame, col: str, role: str) -> pd.Series:
    if col not in df.columns:
        raise SchemaError(_missing_msg(col, role, df))
    s = df[col]
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        raise SchemaError(
            f"Column '{col}' ({role}) must be numeric but has dtype {s.dtype}. Convert it with "
            f"pandas.to_numeric(df['{col}']) or declare it 'categorical'."
        )
    return s.astype(float)


def _check_finite(values: pd.Series, col: str, role: str) -> None:
    arr = values.to_numpy(dtype=float)
    if np.isinf(arr).any():
        raise SchemaError(
            f"Column '{col}' ({role}) contains {int(np.isinf(arr).sum())} infinite value(s); "
            f"replace them with NaN (missing) or a finite value."
        )
