"""Client schema: which column is the id, which are features (and of what type), costs,
outcomes, team and dates; and the checks that the data match it.

The column specifications and their parsing live in :mod:`clusterdiscovery._schema_spec`,
the checks of a table in :mod:`clusterdiscovery._schema_check`, inference from a bare table
in :mod:`clusterdiscovery._schema_infer` and the TOML reader and writer in
:mod:`clusterdiscovery._schema_toml`; none of them imports this module at run time.

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._dates import check_date_format
from ._schema_check import validate_table
from ._schema_infer import infer_spec
from ._schema_spec import (
    DEFAULT_SECTIONS,
    FEATURE_TYPES,
    HIGHER_IS,
    FeatureSpec,
    MeasureSpec,
    _as_names,
    _parse_feature,
    _parse_measure,
    recognise_positive,
)
from ._schema_toml import read_schema_toml, schema_to_toml
from .exceptions import SchemaError

__all__ = ["ClientSchema", "FeatureSpec", "MeasureSpec", "FEATURE_TYPES", "HIGHER_IS",
           "DEFAULT_SECTIONS", "recognise_positive"]


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
        Each may also carry ``label``, ``unit``, ``labels`` (level labels), ``positive``
        (binaries), ``higher_is`` and ``section`` (see :class:`FeatureSpec`).
    costs : list of str, or dict
        Cost or utilisation columns (non-negative, per client over the study period): a list
        of names, or ``{column: {label, unit, higher_is, section}}``. A cost without a unit is
        money (printed in ``currency``); one with a unit (``"visits"``) is utilisation.
    outcomes : dict
        ``{name: (baseline_column, follow_up_column)}``, e.g. HoNOS totals; or ``{name:
        {baseline, follow_up, label, unit, higher_is}}``.
    team : str, optional
        The team (or service) column.
    dates : list of str
        Date columns (must parse as dates).
    sections : list of str
        The page sections, in order (default: needs, strengths, social context, history,
        service use). Every ``section`` a column names must be one of them.
    currency : str, optional
        Symbol printed before money ("£", "$", or "" for none); None leaves it to the report.
    weight : str, optional
        A sampling-weight column (non-negative numbers, not all zero).
    date_format : str, optional
        A ``strptime`` format (``"%d/%m/%Y"``) for date columns not written in ISO 8601;
        by default dates must be ISO 8601 (2025-03-31) and day/month orders are never
        guessed.

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
    sections: Sequence[str] = DEFAULT_SECTIONS
    currency: str | None = None
    weight: str | None = None
    date_format: str | None = None
    measures: Mapping = field(init=False, repr=False, default=None)
    #: what :meth:`infer` saw and proposed per column (None for a schema written by hand)
    inference: object = field(init=False, repr=False, compare=False, default=None)

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
        measures: dict[str, MeasureSpec] = {}
        if isinstance(self.costs, Mapping):
            costs = tuple(str(c) for c in self.costs)
            for c, spec in self.costs.items():
                measures[str(c)] = _parse_measure(f"Cost '{c}'", spec, ())
        else:
            costs = _as_names(self.costs, "costs")
        dates = _as_names(self.dates, "dates")
        object.__setattr__(self, "costs", costs)
        object.__setattr__(self, "dates", dates)
        if not isinstance(self.outcomes, Mapping):
            raise SchemaError("The schema's 'outcomes' must be a dict {name: (baseline, follow_up)}.")
        outcomes = {}
        for name, pair in self.outcomes.items():
            if isinstance(pair, Mapping):
                pair = dict(pair)
                cols = (pair.pop("baseline", None), pair.pop("follow_up", None))
                measures[str(name)] = _parse_measure(f"Outcome '{name}'", pair, ())
                pair = cols
            if (isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2
                    or not all(isinstance(c, str) and c for c in pair)):
                raise SchemaError(
                    f"Outcome '{name}' must be a pair (baseline_column, follow_up_column) or a "
                    f"table with 'baseline' and 'follow_up' columns; got {pair!r}."
                )
            outcomes[str(name)] = (str(pair[0]), str(pair[1]))
        object.__setattr__(self, "outcomes", outcomes)
        object.__setattr__(self, "measures", measures)
        for key in ("team", "weight"):
            value = getattr(self, key)
            if value is not None and (not isinstance(value, str) or not value):
                raise SchemaError(f"The schema's '{key}' must be a column name; got {value!r}.")
        try:
            check_date_format(self.date_format, "date_format")
        except (TypeError, ValueError) as exc:
            raise SchemaError(f"Schema: {exc}") from None
        if self.currency is not None and not isinstance(self.currency, str):
            raise SchemaError(
                f"The schema's 'currency' must be text such as \"£\", \"$\" or \"\"; got "
                f"{self.currency!r}."
            )
        sections = _as_names(self.sections, "sections")
        if not sections or len({x.lower() for x in sections}) != len(sections):
            raise SchemaError(
                f"The schema's 'sections' must be a list of distinct names; got {list(sections)}."
            )
        object.__setattr__(self, "sections", sections)
        known = {x.lower(): x for x in sections}
        for owner, spec in [*((f"Feature '{c}'", f) for c, f in feats.items()),
                            *((f"Column '{c}'", m) for c, m in measures.items())]:
            if spec.section is not None and spec.section.lower() not in known:
                raise SchemaError(
                    f"{owner}: section {spec.section!r} is not one of the schema's sections "
                    f"{list(sections)}; add it to 'sections' or use one of those."
                )
        roles: dict[str, str] = {}
        for role, cols in [("id", [self.id]), ("features", list(feats)), ("costs", costs),
                           ("team", [self.team] if self.team else []), ("dates", dates),
                           ("weight", [self.weight] if self.weight else [])]:
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

    def spec_of(self, column: str):
        """The :class:`FeatureSpec` or :class:`MeasureSpec` of a feature, cost or outcome
        (an empty :class:`MeasureSpec` for a cost or outcome declared without one)."""
        if column in self.features:
            return self.features[column]
        if column in self.measures:
            return self.measures[column]
        if column in self.costs or column in self.outcomes:
            return MeasureSpec()
        raise SchemaError(
            f"'{column}' is not a feature, cost or outcome of the schema; choose one of "
            f"{[*self.features, *self.costs, *self.outcomes]}."
        )

    def find_spec(self, column: str):
        """:meth:`spec_of`, or None for a column the schema does not declare."""
        try:
            return self.spec_of(column)
        except SchemaError:
            return None

    def label(self, column: str) -> str:
        """Display name of a feature, cost or outcome: its ``label``, else the column name."""
        spec = self.find_spec(column)
        return (spec.label if spec is not None else None) or str(column)

    def section_of(self, column: str) -> str | None:
        """The declared section of a column, spelt as in ``sections`` (None if undeclared)."""
        spec = self.find_spec(column)
        section = None if spec is None else spec.section
        if section is None:
            return None
        return next(x for x in self.sections if x.lower() == section.lower())

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
        if self.weight:
            cols.append(self.weight)
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
        d = self.to_dict()
        d["features"] = {c: self.features[c] for c in columns}
        return ClientSchema.from_dict(d)

    # ------------------------------------------------------------------ infer
    @classmethod
    def infer(cls, df: pd.DataFrame, id=None, **options) -> ClientSchema:
        """Propose a schema for a bare client table from its values (never its names).

        id-like columns (unique per row) become the id or are left out, never features;
        two-valued columns are binary (positive level recognised for yes/no, y/n,
        true/false, 1/0); ordered categoricals are ordinal (and small integer scales when
        ``ordinal_max_levels`` is given); non-negative whole numbers are counts; other
        numbers continuous; text with few values categorical (many: left out, with a note);
        ISO 8601 dates (or ``date_format``) dates.

        Parameters
        ----------
        df : DataFrame
            The client table (never modified).
        id : str, optional
            The client id column; default: the first column unique per row.
        **options
            ``costs`` (columns that are costs), ``exclude``, ``date_format``,
            ``max_levels`` (12), ``ordinal_max_levels`` (None), ``overrides`` (a partial
            schema, dict or TOML path, laid over the proposal). See
            :func:`clusterdiscovery._schema_infer.infer_spec`.

        Returns
        -------
        ClientSchema
            Its ``inference`` attribute (a :class:`~clusterdiscovery._schema_infer.
            SchemaInference`) lists every guess: ``schema.inference.summary`` (a DataFrame),
            ``print(schema.inference)`` (the short report); :meth:`to_toml` writes each guess
            as a comment beside its line.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"id": ["a", "b", "c"], "employed": ["yes", "no", "no"],
        ...                    "visits": [0, 2, 5]})
        >>> schema = ClientSchema.infer(df)
        >>> schema.features["employed"].type, schema.features["employed"].positive
        ('binary', 'yes')
        """
        spec, inference = infer_spec(df, id, **options)
        schema = ClientSchema.from_dict(spec)
        object.__setattr__(schema, "inference", inference)
        return schema

    def to_toml(self, path=None, *, source: str | None = None) -> str:
        """An editable TOML file of the schema, with a comment per column.

        Parameters
        ----------
        path : str or Path, optional
            Where to write it (UTF-8); the text is returned either way.
        source : str, optional
            The table's name, for the first line.

        Returns
        -------
        str
            The TOML text; :meth:`from_toml` reads it back to the same schema.
        """
        text = schema_to_toml(self, source=source)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    # -------------------------------------------------------------- serialise
    def to_dict(self) -> dict:
        """Plain (JSON- and TOML-ready) dictionary; :meth:`from_dict` reads it back."""
        costs = ({c: self.spec_of(c).to_dict() for c in self.costs}
                 if any(c in self.measures for c in self.costs) else list(self.costs))
        outcomes = {}
        for name, (base, follow) in self.outcomes.items():
            meta = self.measures[name].to_dict() if name in self.measures else {}
            outcomes[name] = ({"baseline": base, "follow_up": follow, **meta} if meta
                              else [base, follow])
        out = {"id": self.id, "features": {c: s.to_dict() for c, s in self.features.items()},
               "costs": costs, "outcomes": outcomes, "dates": list(self.dates)}
        for key in ("team", "currency", "weight", "date_format"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if tuple(self.sections) != DEFAULT_SECTIONS:
            out["sections"] = list(self.sections)
        return out

    @classmethod
    def from_dict(cls, spec: Mapping) -> ClientSchema:
        if not isinstance(spec, Mapping):
            raise SchemaError(f"A schema must be a mapping; got {type(spec).__name__}.")
        allowed = {"id", "features", "costs", "outcomes", "team", "dates", "sections",
                   "currency", "weight", "date_format"}
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
            employed = {type = "binary", label = "Employed", positive = "yes",
                        higher_is = "better", section = "strengths"}
            [outcomes]
            honos_total = ["honos_total_baseline", "honos_total_followup"]
            [costs.visits]
            label = "GP visits"
            unit = "visits"
        """
        return cls.from_dict(read_schema_toml(path))

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
        return validate_table(self, df, features_only=features_only)
