"""Gower (1971) dissimilarity for mixed numeric and categorical data, computed in chunks."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._checks import check_flat_columns, check_magnitude
from .._utils import check_int, check_positive
from ..exceptions import SchemaError
from ..schema import ClientSchema

__all__ = ["gower_distances"]

_WORK_BYTES = 64 * 2**20  # target size of the per-chunk work arrays


def gower_distances(
    data,
    schema: ClientSchema | None = None,
    *,
    other=None,
    weights=None,
    chunk_size: int | None = None,
    max_memory_gb: float = 4.0,
) -> np.ndarray:
    """Gower's general dissimilarity between the rows of a mixed-type table.

    For rows *i* and *j* the dissimilarity is the weighted mean, over the variables *k*
    observed in both rows, of a per-variable dissimilarity in [0, 1]::

        d(i, j) = sum_k w_k delta_ijk s_ijk / sum_k w_k delta_ijk

    where ``delta_ijk`` is 1 when variable *k* is present in both rows (else 0), and

    - numeric variables (continuous, count, and ordinal codes):
      ``s_ijk = |x_ik - x_jk| / R_k``, with ``R_k`` the range of variable *k* over the
      rows of ``data`` (and ``other``); a constant variable (``R_k = 0``) gives 0;
    - categorical and binary variables: ``s_ijk = 0`` if the values match, else 1.

    Parameters
    ----------
    data : DataFrame
        One row per client. Only the schema's features are used when a schema is given,
        else every column.
    schema : ClientSchema, optional
        Variable types. Without one, types come from the dtypes: numeric (not boolean)
        columns are numeric; boolean, string, object and unordered categorical columns
        are nominal; **ordered** categorical columns are ordinal (their category codes).
    other : DataFrame, optional
        A second table with the same columns; the result is then ``(len(data),
        len(other))``. Ranges and categories are taken over both tables together.
    weights : sequence of float or dict, optional
        Weight per variable (``w_k``, default 1): a sequence in the order of the variables
        used, or ``{column: weight}`` (unlisted columns get 1). Must be finite and >= 0.
    chunk_size : int, optional
        Rows of ``data`` processed at a time. Default: as many as keep each work array
        near 64 MiB. The work memory is about ``4 * chunk_size * len(other or data) * 8``
        bytes on top of the result.
    max_memory_gb : float
        Refuse (``MemoryError``) when the result alone would need more than this many
        gigabytes (``n * m * 8`` bytes; 1 GB = 1e9 bytes).

    Returns
    -------
    ndarray of shape (n, m), float64
        Symmetric with a zero diagonal when ``other`` is None. NaN for a pair of rows with
        no variable observed in both.

    Raises
    ------
    TypeError
        ``data``/``other`` are not tables, or a column cannot be used (e.g. dates).
    SchemaError
        A schema feature is missing, a numeric feature is not numeric, an ordinal,
        categorical or binary value is not among its declared levels, or a binary feature
        without levels has more than two distinct values.
    ValueError
        Bad weights, chunk size, mismatched ``other`` columns, or a column name used more
        than once.
    MemoryError
        The result would exceed ``max_memory_gb``.

    Notes
    -----
    Binary variables are treated as symmetric nominal variables (a shared 0 counts as a
    match), as in the ``gower`` Python package and ``cluster::daisy``'s default, not as
    Gower's asymmetric dichotomous characters (where joint absences are left out).

    Ordinal variables are replaced by the position of their value among the schema's levels
    (0 .. L-1) and then treated as numeric, with the range taken over the observed codes;
    this is Kaufman & Rousseeuw's (1990) treatment of ordinal variables as ranks with
    equal spacing between levels. Podani's (1999) tie-corrected ranks are not used.

    Missing values (NaN, None, NaT) remove the variable from that pair's weighted mean,
    as in Gower's ``delta_ijk``.

    References
    ----------
    Gower, J. C. (1971). A general coefficient of similarity and some of its properties.
    *Biometrics*, 27(4), 857-871.

    Kaufman, L. and Rousseeuw, P. J. (1990). *Finding Groups in Data*, ch. 1. Wiley.

    Podani, J. (1999). Extending Gower's general coefficient of similarity to ordinal
    characters. *Taxon*, 48(2), 331-340.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"age": [20.0, 30.0, 40.0], "sex": ["f", "m", "f"]})
    >>> gower_distances(df).round(3)
    array([[0.  , 0.75, 0.5 ],
           [0.75, 0.  , 0.75],
           [0.5 , 0.75, 0.  ]])
    """
    x = _as_table(data, "data")
    y = None if other is None else _as_table(other, "other")
    max_gb = check_positive(max_memory_gb, "max_memory_gb")
    if schema is not None and not isinstance(schema, ClientSchema):
        raise TypeError(
            f"The 'schema' parameter must be a ClientSchema or None; got {type(schema).__name__}."
        )
    if x.shape[0] == 0 or (y is not None and y.shape[0] == 0):
        raise ValueError("gower_distances needs at least one row in 'data' (and 'other').")

    _check_unique(x, x.columns if schema is None else list(schema.features), "data")
    columns, kinds = _variables(x, schema)
    if y is not None:
        absent = [c for c in columns if c not in y.columns]
        if absent:
            raise ValueError(
                f"'other' lacks column(s) {absent} that 'data' uses; give both tables the "
                f"same columns."
            )
        _check_unique(y, columns, "other")
    if schema is not None:
        for table in (x,) if y is None else (x, y):
            _check_nominal_levels(table, schema)
    n = x.shape[0]
    m = n if y is None else y.shape[0]
    need = n * m * 8
    if need > max_gb * 1e9:
        raise MemoryError(
            f"A {n} x {m} Gower distance matrix needs {need / 1e9:.1f} GB, more than "
            f"max_memory_gb={max_gb:g}. Subsample the clients (e.g. cluster a random subset "
            f"and assign the rest), raise max_memory_gb if the machine has the memory, or "
            f"use a method that does not need all pairwise distances (k-means or a latent "
            f"class model on make_preprocessor output)."
        )
    w = _weights(weights, columns)
    if chunk_size is None:
        chunk = max(1, min(n, _WORK_BYTES // (8 * m)))
    else:
        chunk = check_int(chunk_size, "chunk_size", low=1)

    # per-variable arrays for both sides: float values (numeric) or int codes (nominal)
    variables = []
    for col, kind, wk in zip(columns, kinds, w):
        if wk == 0:
            continue
        xs = x[col]
        ys = None if y is None else y[col]
        if kind == "nominal":
            both = xs if ys is None else pd.concat([xs, ys], ignore_index=True)
            codes, _ = pd.factorize(both, use_na_sentinel=True)
            codes = np.asarray(codes, dtype=np.int64)
            a, b = codes[:n], (codes if ys is None else codes[n:])
            variables.append(("nominal", a, b, wk, bool((codes < 0).any()), 1.0))
        else:
            if kind == "numeric":
                a = _numeric(xs, col)
                b = a if ys is None else _numeric(ys, col)
            else:  # ordinal: ("ordinal", levels)
                a = _ordinal_codes(xs, col, kind[1])
                b = a if ys is None else _ordinal_codes(ys, col, kind[1])
            allv = a if ys is None else np.concatenate([a, b])
            finite = allv[~np.isnan(allv)]
            rng = float(finite.max() - finite.min()) if finite.size else 0.0
            variables.append(("numeric", a, b, wk, bool(np.isnan(allv).any()), rng))

    out = np.empty((n, m), dtype=float)  # _weights guarantees a variable with weight > 0
    const_den = float(sum(v[3] for v in variables if not v[4]))
    any_missing = any(v[4] for v in variables)
    for i0 in range(0, n, chunk):
        i1 = min(n, i0 + chunk)
        num = np.zeros((i1 - i0, m))
        den = np.full((i1 - i0, m), const_den, dtype=float) if any_missing else None
        buf = np.empty((i1 - i0, m))
        for kind, a, b, wk, has_missing, rng in variables:
            ai = a[i0:i1]
            if kind == "nominal":
                np.not_equal(ai[:, None], b[None, :], out=buf)  # 1.0 where different
                if wk != 1.0:
                    buf *= wk
                if has_missing:
                    valid = (ai >= 0)[:, None] & (b >= 0)[None, :]
                    buf[~valid] = 0.0
                    den += wk * valid
            else:
                np.subtract(ai[:, None], b[None, :], out=buf)
                np.abs(buf, out=buf)
                if rng > 0:  # |x_i - x_j| <= range, so the ratio stays <= 1 after rounding
                    buf /= rng
                else:
                    buf *= 0.0  # constant variable: no difference (NaN stays NaN)
                if wk != 1.0:
                    buf *= wk
                if has_missing:
                    valid = ~np.isnan(buf)
                    buf[~valid] = 0.0
                    den += wk * valid
            num += buf
        if any_missing:
            with np.errstate(invalid="ignore", divide="ignore"):
                out[i0:i1] = num / den
            out[i0:i1][den == 0] = np.nan
        else:
            out[i0:i1] = num / const_den
    # rounding in the weighted mean can overshoot 1 by an ulp
    np.minimum(out, 1.0, out=out, where=~np.isnan(out))
    return out


# ---------------------------------------------------------------------------- helpers
def _as_table(value, name: str) -> pd.DataFrame:
    if isinstance(value, pd.DataFrame):
        return check_flat_columns(value, name)
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return pd.DataFrame(value)
    raise TypeError(
        f"The '{name}' parameter must be a pandas DataFrame (or a 2-D numpy array); got "
        f"{type(value).__name__}."
    )


def _variables(x: pd.DataFrame, schema):
    """Columns used and their kind: 'numeric', 'nominal' or ('ordinal', levels)."""
    if schema is not None:
        missing = [c for c in schema.features if c not in x.columns]
        if missing:
            raise SchemaError(
                f"Feature column(s) {missing} of the schema are missing from the table; add "
                f"them or drop them from the schema."
            )
        columns, kinds = [], []
        for col, spec in schema.features.items():
            columns.append(col)
            if spec.type in ("continuous", "count"):
                kinds.append("numeric")
            elif spec.type == "ordinal":
                kinds.append(("ordinal", spec.levels))
            else:
                kinds.append("nominal")
        return columns, kinds
    if x.shape[1] == 0:
        raise ValueError("The table has no columns; there is nothing to compare.")
    columns, kinds = [], []
    for col in x.columns:
        s = x[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            kinds.append(("ordinal", tuple(s.cat.categories)) if s.cat.ordered else "nominal")
        elif pd.api.types.is_bool_dtype(s):
            kinds.append("nominal")
        elif pd.api.types.is_numeric_dtype(s):
            if pd.api.types.is_complex_dtype(s):
                raise TypeError(f"Column '{col}' is complex; Gower distance needs real values.")
            kinds.append("numeric")
        elif pd.api.types.is_datetime64_any_dtype(s) or pd.api.types.is_timedelta64_dtype(s):
            raise TypeError(
                f"Column '{col}' holds dates/times, which Gower distance cannot use directly; "
                f"convert it to a number (e.g. days since a reference date) or drop it."
            )
        else:
            kinds.append("nominal")
        columns.append(col)
    return columns, kinds


def _check_unique(table: pd.DataFrame, columns, name: str) -> None:
    counts = table.columns.value_counts()
    dup = [str(c) for c in dict.fromkeys(columns) if counts.get(c, 0) > 1]
    if dup:
        raise ValueError(
            f"Column name(s) {dup} appear more than once in '{name}'; rename or drop the copies."
        )


def _check_nominal_levels(table: pd.DataFrame, schema: ClientSchema) -> None:
    """Categorical and binary values must be among the declared levels (at most two
    distinct values for a binary feature without levels), as ``ClientSchema.validate``
    requires: a stray value would otherwise count silently as one more category."""
    for col, spec in schema.features.items():
        if spec.type not in ("categorical", "binary"):
            continue
        present = table[col].dropna()
        if spec.levels is not None:
            bad = ~present.isin(spec.levels)
            if bad.any():
                vals = pd.unique(present[bad]).tolist()[:5]
                raise SchemaError(
                    f"{spec.type.capitalize()} column '{col}' has value(s) {vals} outside its "
                    f"levels {list(spec.levels)}; recode them or add them to the levels."
                )
        elif spec.type == "binary" and present.nunique() > 2:
            vals = pd.unique(present).tolist()[:5]
            raise SchemaError(
                f"Binary column '{col}' has {present.nunique()} distinct values (e.g. {vals}); "
                f"declare it 'categorical' or recode it."
            )


def _numeric(s: pd.Series, col) -> np.ndarray:
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        raise SchemaError(
            f"Column '{col}' is declared numeric but has dtype {s.dtype}; convert it with "
            f"pandas.to_numeric or declare it categorical."
        )
    arr = s.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(arr).any():
        raise SchemaError(
            f"Column '{col}' contains infinite values; replace them with NaN or finite values."
        )
    check_magnitude(s, "the data")
    return arr


def _ordinal_codes(s: pd.Series, col, levels) -> np.ndarray:
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    idx = pd.Index(list(levels))
    codes = np.asarray(idx.get_indexer(s), dtype=float)
    miss = s.isna().to_numpy()
    bad = (codes < 0) & ~miss
    if bad.any():
        vals = pd.unique(s[bad]).tolist()[:5]
        raise SchemaError(
            f"Ordinal column '{col}' has value(s) {vals} outside its levels {list(levels)}; "
            f"recode them or add them to the levels."
        )
    codes[miss] = np.nan
    return codes


def _weights(weights, columns) -> np.ndarray:
    p = len(columns)
    if weights is None:
        return np.ones(p)
    if isinstance(weights, Mapping):
        unknown = [k for k in weights if k not in columns]
        if unknown:
            raise ValueError(
                f"'weights' names column(s) {unknown} that are not used (columns: "
                f"{list(columns)})."
            )
        w = _floats([weights.get(c, 1.0) for c in columns])
    else:
        w = _floats(weights).ravel()
        if w.shape[0] != p:
            raise ValueError(
                f"'weights' has {w.shape[0]} values for {p} variables {list(columns)}; give one "
                f"per variable or a dict {{column: weight}}."
            )
    if not np.all(np.isfinite(w)) or (w < 0).any():
        raise ValueError(f"'weights' must be finite and >= 0; got {w.tolist()}.")
    if not (w > 0).any():
        raise ValueError("Every weight is 0; give at least one variable a positive weight.")
    return w


def _floats(values) -> np.ndarray:
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"'weights' must be numbers (a sequence, or a dict {{column: weight}}); got "
            f"{values!r}."
        ) from exc
