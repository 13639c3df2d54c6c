"""Input checks and preparation for :func:`profile_clusters`: labels to group codes,
feature columns to numeric or categorical variables (from a schema or from dtypes)."""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import check_magnitude, describe_not_numbers, not_numbers
from .._schema_spec import _same_level
from ..schema import ClientSchema, recognise_positive

__all__ = ["NOISE", "OVERALL", "Groups", "Variable", "prepare_groups", "prepare_variables",
           "numeric_column"]

NOISE = "noise"
OVERALL = "overall"
_MAX_INFERRED_LEVELS = 50


@dataclass
class Groups:
    """Clusters (and the noise group) as integer codes 0..G-1 per client."""

    codes: np.ndarray
    keys: list  # cluster labels (ints), then "noise" if present
    sizes: np.ndarray
    is_cluster: np.ndarray
    weights: np.ndarray | None = None  # sampling weight per client (None: unweighted)

    @property
    def n_groups(self) -> int:
        return len(self.keys)

    @property
    def wsizes(self) -> np.ndarray:
        """Weighted group sizes (the sizes when unweighted)."""
        if self.weights is None:
            return self.sizes.astype(float)
        return np.bincount(self.codes, weights=self.weights, minlength=self.n_groups)

    @property
    def clusters(self) -> list:
        return [k for k, c in zip(self.keys, self.is_cluster) if c]


@dataclass
class Variable:
    """One profiled variable."""

    name: str
    kind: str  # "numeric" or "categorical"
    declared: str  # schema type or inferred type
    values: np.ndarray | None = None  # float values (numeric)
    codes: np.ndarray | None = None  # level codes, -1 missing (categorical)
    levels: list = field(default_factory=list)
    report_levels: list = field(default_factory=list)  # levels tested (binary: positive only)
    positive: object = None  # a binary's positive level, where one is known


def prepare_groups(data: pd.DataFrame, labels) -> Groups:
    n = data.shape[0]
    if isinstance(labels, pd.Series):
        if labels.shape[0] != n:
            raise ValueError(
                f"The 'labels' Series has {labels.shape[0]} entries but 'data' has {n} rows; "
                f"pass one label per client (aligned to data's index)."
            )
        if not labels.index.equals(data.index):
            if labels.index.has_duplicates or not labels.index.isin(data.index).all():
                raise ValueError(
                    "The 'labels' Series index does not match data's index; pass labels indexed "
                    "by the same client ids as 'data' (or a plain array in data's row order)."
                )
            labels = labels.reindex(data.index)
        arr = labels.to_numpy()
    else:
        if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
            raise TypeError(
                f"The 'labels' parameter must be an array or pandas Series of cluster labels; "
                f"got {type(labels).__name__}."
            )
        arr = np.asarray(labels)
        if arr.ndim != 1:
            raise ValueError(f"The 'labels' parameter must be 1-D; got shape {arr.shape}.")
        if arr.shape[0] != n:
            raise ValueError(
                f"The 'labels' parameter has {arr.shape[0]} entries but 'data' has {n} rows; "
                f"pass one label per client."
            )
    missing = pd.isna(arr)
    if missing.any():
        raise ValueError(
            f"The 'labels' parameter has {int(missing.sum())} missing value(s); give every "
            f"client a cluster label (use -1 for noise / unclustered clients)."
        )
    try:
        num = arr.astype(float)
    except (TypeError, ValueError):
        raise TypeError(
            "The 'labels' parameter must hold integer cluster labels (0, 1, ...; -1 for "
            f"noise); got values such as {arr[0]!r}."
        ) from None
    if not np.all(np.isfinite(num)) or not np.all(num == np.round(num)):
        raise ValueError(
            "The 'labels' parameter must hold integer cluster labels (0, 1, ...; -1 for noise)."
        )
    ints = num.astype(np.int64)
    if (ints < -1).any():
        raise ValueError(
            f"The 'labels' parameter has negative label(s) {sorted(set(ints[ints < -1]))[:3]}; "
            f"only -1 (noise) may be negative."
        )
    clusters = np.unique(ints[ints >= 0])
    if clusters.size < 2:
        raise ValueError(
            f"profile_clusters needs at least two clusters to compare; the labels hold "
            f"{clusters.size} cluster(s) (noise excluded)."
        )
    has_noise = bool((ints == -1).any())
    codes = np.searchsorted(clusters, ints)
    keys: list = [int(c) for c in clusters]
    if has_noise:
        codes = np.where(ints == -1, clusters.size, codes)
        keys.append(NOISE)
    sizes = np.bincount(codes, minlength=len(keys))
    is_cluster = np.array([k != NOISE for k in keys])
    return Groups(codes.astype(np.intp), keys, sizes, is_cluster)


def numeric_column(data: pd.DataFrame, col, role: str, *, allow_nan: bool) -> np.ndarray:
    """A numeric column as float, with an error naming it if it is missing or not numeric."""
    if col not in data.columns:
        raise ValueError(
            f"Column '{col}' ({role}) is not in the data; available columns include "
            f"{list(map(str, data.columns[:10]))}."
        )
    s = data[col]
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        rows = f" ({describe_not_numbers(s, col)})" if not_numbers(s) else ""
        raise TypeError(
            f"Column '{col}' ({role}) must be numeric; it has dtype {s.dtype}{rows}. Convert "
            f"it with pandas.to_numeric(data['{col}'])."
        )
    arr = s.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(arr).any():
        raise ValueError(f"Column '{col}' ({role}) contains infinite values; replace them.")
    check_magnitude(s, "the data")
    if not allow_nan and np.isnan(arr).any():
        hint = " (e.g. 0 for no recorded cost)" if role == "cost" else ""
        raise ValueError(
            f"Column '{col}' ({role}) has {int(np.isnan(arr).sum())} missing value(s); fill "
            f"them{hint} or drop those clients."
        )
    return arr


def _categorical(name, s: pd.Series, declared, levels, positive=None) -> Variable:
    """A categorical variable. A binary is tested at one level only: its positive level
    (declared, or recognised from yes/no, y/n, true/false, 1/0), else its second level."""
    present = s.dropna()
    if levels is None:
        uniq = present.unique().tolist()
        try:
            levels = sorted(uniq)
        except TypeError:
            levels = sorted(uniq, key=str)
    levels = list(levels)
    codes = pd.Index(levels).get_indexer(s).astype(np.intp)  # -1: missing or outside
    outside = (codes == -1) & s.notna().to_numpy()
    if outside.any():
        seen = pd.unique(s[outside])[:5].tolist()
        raise ValueError(
            f"Feature '{name}' has {int(outside.sum())} value(s) outside the schema's levels "
            f"{levels}, e.g. {seen}; fix the data or the schema's levels for '{name}'."
        )
    pos = None
    if declared == "binary" and len(levels) == 2:
        wanted = positive if positive is not None else recognise_positive(levels)
        pos = next((lv for lv in levels if wanted is not None and _same_level(lv, wanted)),
                   None)
        if positive is not None and pos is None:
            raise ValueError(
                f"Feature '{name}': its positive level {positive!r} is not one of its values "
                f"{levels}; fix 'positive' in the schema."
            )
        report = [pos if pos is not None else levels[1]]
    else:
        report = list(levels)
    return Variable(str(name), "categorical", declared, codes=codes, levels=levels,
                    report_levels=report, positive=pos)


def _numeric(name, s: pd.Series, declared) -> Variable:
    try:
        arr = s.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise TypeError(
            f"Feature '{name}' is declared {declared} but {describe_not_numbers(s, name)}; "
            "convert it with pandas.to_numeric or fix its schema type."
        ) from None
    if np.isinf(arr).any():
        raise ValueError(f"Feature '{name}' contains infinite values; replace them with NaN.")
    check_magnitude(s, "the data")
    return Variable(str(name), "numeric", declared, values=arr)


def prepare_variables(data: pd.DataFrame, schema: ClientSchema | None, features,
                      exclude: set) -> tuple[list[Variable], list[str]]:
    """Variables to profile, and notes about columns left out."""
    notes: list[str] = []
    if features is not None:
        if isinstance(features, str):
            features = [features]
        cols = list(features)
        missing = [c for c in cols if c not in data.columns]
        if missing:
            raise ValueError(
                f"Feature column(s) {missing} are not in the data; check the 'features' list."
            )
    elif schema is not None:
        cols = [c for c in schema.features if c in data.columns]
        missing = [c for c in schema.features if c not in data.columns]
        if missing:
            raise ValueError(
                f"Schema feature column(s) {missing} are not in the data; add them or pass "
                f"features=[...] naming the columns to profile."
            )
    else:
        cols = [c for c in data.columns if c not in exclude]
    out = []
    for col in cols:
        s = data[col]
        spec = schema.features.get(col) if schema is not None else None
        if spec is not None:
            kind = spec.type
            if kind in ("continuous", "count"):
                out.append(_numeric(col, s, kind))
            elif kind == "ordinal" and spec.levels is not None and all(
                isinstance(v, numbers.Number) and not isinstance(v, bool) for v in spec.levels
            ) and pd.api.types.is_numeric_dtype(s):
                out.append(_numeric(col, s, kind))
            else:
                positive = spec.positive_level(observed=spec.levels or s.dropna().unique())
                out.append(_categorical(col, s, kind, spec.levels, positive))
            continue
        if pd.api.types.is_datetime64_any_dtype(s) or isinstance(s.dtype, pd.PeriodDtype):
            notes.append(f"Column '{col}' (dates) is not profiled.")
            continue
        if pd.api.types.is_bool_dtype(s):
            out.append(_categorical(col, s, "binary", [False, True]))
        elif pd.api.types.is_numeric_dtype(s):
            present = s.dropna()
            if present.nunique() <= 2 and set(present.unique().tolist()) <= {0, 1}:
                out.append(_categorical(col, s.astype("Float64"), "binary", [0, 1]))
            else:
                out.append(_numeric(col, s, "continuous"))
        elif s.nunique(dropna=True) == 2 and recognise_positive(s.dropna().unique()) is not None:
            # two text values reading yes/no, y/n or true/false: a binary
            out.append(_categorical(col, s, "binary", None))
        else:
            n_levels = s.nunique(dropna=True)
            if n_levels > min(_MAX_INFERRED_LEVELS, max(2, data.shape[0] // 2)):
                notes.append(
                    f"Column '{col}' has {n_levels} distinct text values and looks like an "
                    f"identifier or free text; it is not profiled (aggregates only)."
                )
                continue
            out.append(_categorical(col, s, "categorical", None))
    if not out:
        raise ValueError(
            "There are no feature columns to profile; pass features=[...] or a schema."
        )
    return out, notes
