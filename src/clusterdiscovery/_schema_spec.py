"""Column specifications of a :class:`~clusterdiscovery.ClientSchema`, and their parsing.

:class:`FeatureSpec` (a feature's type, levels, range and display meaning) and
:class:`MeasureSpec` (a cost's or outcome's display meaning) are what the schema holds per
column; :func:`_parse_feature` and :func:`_parse_measure` read the forms a user may write
(a type name, a ``(type, levels)`` pair, a dict or TOML table) and refuse a bad one with a
:class:`~clusterdiscovery.exceptions.SchemaError` naming the column.
:func:`recognise_positive` finds the level of a binary that means "present".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

from ._utils import plain as _plain
from .exceptions import SchemaError

__all__ = ["FeatureSpec", "MeasureSpec", "FEATURE_TYPES", "HIGHER_IS", "DEFAULT_SECTIONS",
           "recognise_positive"]

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


def _parse_feature(column: str, spec) -> FeatureSpec:
    """One feature's specification, in any of the forms :class:`ClientSchema` accepts,
    checked and read into a :class:`FeatureSpec`."""
    kind, levels, lo, hi, log1p, zero_heavy, extra = _unpack_feature(column, spec)
    if kind not in FEATURE_TYPES:
        raise SchemaError(
            f"Feature '{column}' has unknown type {kind!r}; use one of {', '.join(FEATURE_TYPES)}."
        )
    levels = _parse_levels(column, kind, levels)
    _check_numeric_options(column, kind, lo, hi, log1p, zero_heavy)
    meta = _parse_meta(f"Feature '{column}'", extra)
    if meta.get("unit") is not None and kind not in _NUMERIC_TYPES:
        raise SchemaError(f"Feature '{column}': unit applies to continuous and count features.")
    level_labels = _parse_level_labels(column, extra.get("labels"), levels)
    positive = _parse_positive(column, kind, _plain(extra.get("positive")), levels)
    return FeatureSpec(kind, levels, lo, hi, log1p, level_labels=level_labels,
                       positive=positive, zero_heavy=bool(zero_heavy), **meta)


def _unpack_feature(column: str, spec) -> tuple:
    """``(type, levels, min, max, log1p, zero_heavy, extra)`` of a feature's specification
    (a :class:`FeatureSpec`, a type name, a dict or a ``(type, levels)`` pair), unchecked
    but for the keys of a dict; ``extra`` holds its labels, positive level and meta keys."""
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
    return kind, levels, lo, hi, log1p, zero_heavy, extra


def _parse_levels(column: str, kind: str, levels) -> tuple | None:
    """A feature's declared levels as a tuple of plain values (None if undeclared), checked
    against its type: distinct, at least two, required for an ordinal, two for a binary."""
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
    return levels


def _check_numeric_options(column: str, kind: str, lo, hi, log1p, zero_heavy) -> None:
    """``min``, ``max``, ``log1p`` and ``zero_heavy``: well formed, and only on continuous
    and count features."""
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


def _parse_positive(column: str, kind: str, positive, levels):
    """A binary's declared positive level, spelt as one of its levels (None if undeclared)."""
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
    return positive


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
