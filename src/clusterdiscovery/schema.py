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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path

import numpy as np
import pandas as pd

from ._checks import check_flat_columns, check_levels, check_magnitude, normalise_ids
from ._dates import check_date_format, parse_dates
from ._utils import read_toml
from .exceptions import SchemaError

__all__ = ["ClientSchema", "FeatureSpec", "MeasureSpec", "FEATURE_TYPES", "HIGHER_IS",
           "DEFAULT_SECTIONS", "recognise_positive"]

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
    label : str, optional
        Display name in tables, names, pages and figures (default: the column name).
    unit : str, optional
        Unit of a numeric feature ("years", "visits"), printed after its values.
    level_labels : dict, optional
        ``{level: display text}`` for some or all levels (TOML key ``labels``).
    positive : optional
        For a binary, the level that means "present" (the one profiled and named). Recognised
        automatically for yes/no, y/n, true/false and 1/0 in any case and type.
    higher_is : {"worse", "better", "neutral"}, optional
        Which way is better: decides whether a cluster's high value is a need or a strength.
    section : str, optional
        The page section the feature is reported in; one of the schema's ``sections``.
    zero_heavy : bool
        A continuous or count measure ``>= 0`` with many exact zeros (costs, days in
        hospital): the latent class model measures it as a two-part item (whether it is
        above zero, and how far above, lognormal; see :class:`~clusterdiscovery.
        LatentClassModel`) instead of a gaussian whose variance collapses on the zeros.
        :meth:`ClientSchema.infer` proposes it for a non-integer column with at least 20%
        zeros (TOML key ``zero_heavy = true``).
    """

    type: str
    levels: tuple | None = None
    min: float | None = None
    max: float | None = None
    log1p: bool = False
    label: str | None = None
    unit: str | None = None
    level_labels: Mapping | None = None
    positive: object = None
    higher_is: str | None = None
    section: str | None = None
    zero_heavy: bool = False

    def positive_level(self, observed=None):
        """The binary's positive level: declared, else recognised from the declared levels or
        from ``observed`` values (yes/no, y/n, true/false, 1/0); None where none is known."""
        if self.type != "binary":
            return None
        if self.positive is not None:
            return self.positive
        candidates = self.levels if self.levels is not None else observed
        return None if candidates is None else recognise_positive(candidates)

    def level_label(self, level) -> str:
        """Display text of one level (its declared label, else the level as text)."""
        if self.level_labels:
            for key, text in self.level_labels.items():
                if _same_level(key, level):
                    return text
        return str(level)

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
        if self.zero_heavy:
            out["zero_heavy"] = True
        out.update(_meta_dict(self))
        if self.level_labels:
            out["labels"] = {str(k): v for k, v in self.level_labels.items()}
        if self.positive is not None:
            out["positive"] = _plain(self.positive)
        return out


HIGHER_IS = ("worse", "better", "neutral")
DEFAULT_SECTIONS = ("needs", "strengths", "social context", "history", "service use")
_META_KEYS = ("label", "unit", "higher_is", "section")
_POSITIVE_PAIRS = (("yes", "no"), ("y", "n"), ("true", "false"), ("1", "0"), ("1.0", "0.0"))


def recognise_positive(values):
    """The positive one of two values that read yes/no, y/n, true/false or 1/0 (any case and
    type), else None.

    >>> recognise_positive(["No", "Yes"])
    'Yes'
    >>> recognise_positive([0, 1]), recognise_positive([True, False]), recognise_positive(["a", "b"])
    (1, True, None)
    """
    distinct = list(dict.fromkeys(v for v in values if not _is_missing(v)))
    if len(distinct) != 2:
        return None
    text = [str(v).strip().lower() for v in distinct]
    for pos, neg in _POSITIVE_PAIRS:
        if sorted(text) == sorted((pos, neg)):
            return distinct[text.index(pos)]
    return None


def _is_missing(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _same_level(a, b) -> bool:
    """Levels compare equal as values or, for TOML's string keys, as text."""
    try:
        if a == b:
            return True
    except (TypeError, ValueError):
        pass
    return str(_plain(a)) == str(_plain(b))


@dataclass(frozen=True)
class MeasureSpec:
    """Display meaning of a cost or outcome: label, unit, direction and section.

    A cost with no ``unit`` is money, printed in the schema's ``currency``; a cost with a unit
    (e.g. ``"visits"``) is utilisation, printed in that unit.
    """

    label: str | None = None
    unit: str | None = None
    higher_is: str | None = None
    section: str | None = None

    def to_dict(self) -> dict:
        return _meta_dict(self)


def _meta_dict(spec) -> dict:
    return {k: getattr(spec, k) for k in _META_KEYS if getattr(spec, k) is not None}


def _parse_meta(owner: str, spec: Mapping) -> dict:
    """label / unit / higher_is / section of one column, checked."""
    meta = {}
    for key in _META_KEYS:
        value = spec.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise SchemaError(f"{owner}: '{key}' must be a non-empty text; got {value!r}.")
        meta[key] = value.strip()
    if meta.get("higher_is") is not None:
        meta["higher_is"] = meta["higher_is"].lower()
        if meta["higher_is"] not in HIGHER_IS:
            raise SchemaError(
                f"{owner}: higher_is must be one of {', '.join(HIGHER_IS)}; got "
                f"{spec['higher_is']!r}."
            )
    return meta


def _parse_level_labels(column: str, labels, levels) -> dict | None:
    if labels is None:
        return None
    if isinstance(labels, Mapping):
        out = dict(labels)
    elif isinstance(labels, Sequence) and not isinstance(labels, str):
        if levels is None or len(labels) != len(levels):
            raise SchemaError(
                f"Feature '{column}': a list of level labels needs declared levels of the same "
                f"length; give labels as a table {{level = \"text\"}} instead."
            )
        out = dict(zip(levels, labels))
    else:
        raise SchemaError(
            f"Feature '{column}': labels must be a table {{level = \"text\"}}; got {labels!r}."
        )
    for key, text in out.items():
        if not isinstance(text, str):
            raise SchemaError(
                f"Feature '{column}': the label of level {key!r} must be text; got {text!r}."
            )
        if levels is not None and not any(_same_level(key, lv) for lv in levels):
            raise SchemaError(
                f"Feature '{column}': labels name level {key!r}, which is not among its "
                f"levels {list(levels)}."
            )
    if levels is not None:  # TOML keys are text: key the labels by the levels themselves
        out = {next(lv for lv in levels if _same_level(k, lv)): v for k, v in out.items()}
    return out


def _plain(value):
    """numpy scalars -> Python scalars (for JSON and TOML)."""
    return value.item() if isinstance(value, np.generic) else value


def _parse_feature(column: str, spec) -> FeatureSpec:
    extra: dict = {}
    if isinstance(spec, FeatureSpec):
        kind, levels, lo, hi, log1p = spec.type, spec.levels, spec.min, spec.max, spec.log1p
        zero_heavy = spec.zero_heavy
        extra = {**_meta_dict(spec), "labels": spec.level_labels, "positive": spec.positive}
    elif isinstance(spec, str):
        kind, levels, lo, hi, log1p, zero_heavy = spec, None, None, None, False, False
    elif isinstance(spec, Mapping):
        allowed = ("type", "levels", "min", "max", "log1p", "zero_heavy", "labels", "positive",
                   *_META_KEYS)
        unknown = set(spec) - set(allowed)
        if unknown:
            raise SchemaError(
                f"Feature '{column}': unknown key(s) {sorted(unknown)} in its specification; "
                f"allowed keys are {', '.join(allowed)}."
            )
        if "type" not in spec:
            raise SchemaError(f"Feature '{column}': its specification needs a 'type' key.")
        kind = spec["type"]
        levels, lo, hi = spec.get("levels"), spec.get("min"), spec.get("max")
        log1p = bool(spec.get("log1p", False))
        zero_heavy = spec.get("zero_heavy", False)
        extra = {k: spec.get(k) for k in ("labels", "positive", *_META_KEYS)}
    elif isinstance(spec, Sequence) and len(spec) == 2 and isinstance(spec[0], str):
        kind, levels, lo, hi, log1p, zero_heavy = spec[0], spec[1], None, None, False, False
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
    if not isinstance(zero_heavy, bool | np.bool_):
        raise SchemaError(f"Feature '{column}': zero_heavy must be true or false; got "
                          f"{zero_heavy!r}.")
    if zero_heavy and kind not in _NUMERIC_TYPES:
        raise SchemaError(f"Feature '{column}': zero_heavy applies to continuous and count "
                          f"features (it is {kind}).")
    if zero_heavy and lo is not None and lo < 0:
        raise SchemaError(f"Feature '{column}': zero_heavy needs values >= 0, but min = {lo}.")
    meta = _parse_meta(f"Feature '{column}'", extra)
    if meta.get("unit") is not None and kind not in _NUMERIC_TYPES:
        raise SchemaError(f"Feature '{column}': unit applies to continuous and count features.")
    level_labels = _parse_level_labels(column, extra.get("labels"), levels)
    positive = _plain(extra.get("positive"))
    if positive is not None:
        if kind != "binary":
            raise SchemaError(
                f"Feature '{column}': 'positive' applies to binary features only (it is {kind})."
            )
        if levels is not None and not any(_same_level(positive, lv) for lv in levels):
            raise SchemaError(
                f"Feature '{column}': positive level {positive!r} is not one of its levels "
                f"{list(levels)}."
            )
        if levels is not None:
            positive = next(lv for lv in levels if _same_level(positive, lv))
    return FeatureSpec(kind, levels, lo, hi, log1p, level_labels=level_labels,
                       positive=positive, zero_heavy=bool(zero_heavy), **meta)


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
            :func:`clusterdiscovery._schema_infer.infer_schema`.

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
        from ._schema_infer import infer_schema

        return infer_schema(df, id, **options)

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
        from ._schema_toml import schema_to_toml

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
        if self.weight is not None:
            values = _numeric_column(df, self.weight, "sampling weight")
            if values.isna().any():
                raise SchemaError(
                    f"Weight column '{self.weight}' has {int(values.isna().sum())} missing "
                    f"value(s); every client needs a weight (drop those rows or impute)."
                )
            _check_finite(values, self.weight, "sampling weight")
            if (values < 0).any() or not (values > 0).any():
                raise SchemaError(
                    f"Weight column '{self.weight}' must hold non-negative weights, not all "
                    f"zero (smallest {values.min()}, largest {values.max()})."
                )
        for col in self.dates:
            if col not in df.columns:
                raise SchemaError(_missing_msg(col, "date", df))
            # the package's one date parser: ISO 8601 or the schema's date_format; refuses
            # non-dates, ambiguous day/month strings and dates pandas cannot hold
            parse_dates(df[col], col, table="client", date_format=self.date_format,
                        fix="set the schema's date_format = {fmt}")
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


def read_schema_toml(path) -> dict:
    """The schema table of a TOML file (top-level keys, or a ``[schema]`` table), unchecked."""
    doc = read_toml(path, "Schema file", SchemaError)
    if "schema" in doc and isinstance(doc["schema"], Mapping):
        doc = doc["schema"]
    return dict(doc)


def _as_names(value, role: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Sequence):
        raise SchemaError(f"The schema's '{role}' must be a list of column names; got {value!r}.")
    return tuple(str(v) for v in value)


def _parse_measure(owner: str, spec, extra_keys) -> MeasureSpec:
    if spec is None:
        return MeasureSpec()
    if not isinstance(spec, Mapping):
        raise SchemaError(
            f"{owner}: its specification must be a table of {', '.join(_META_KEYS)}; got "
            f"{spec!r}."
        )
    unknown = set(spec) - set(_META_KEYS) - set(extra_keys)
    if unknown:
        raise SchemaError(
            f"{owner}: unknown key(s) {sorted(unknown)}; allowed keys are "
            f"{', '.join((*_META_KEYS, *extra_keys))}."
        )
    return MeasureSpec(**_parse_meta(owner, spec))


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
        from ._checks import describe_not_numbers, not_numbers

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
