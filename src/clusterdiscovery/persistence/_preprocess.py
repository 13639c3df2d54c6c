"""Preprocessing as plain parameters: read them off fitted scikit-learn objects, and apply
them again with numpy alone.

A model file never holds a pickled transformer. Instead the preprocessing is a list of
*blocks* (one per branch of a ``ColumnTransformer``), each a list of columns and a list of
*steps* applied in order:

``impute``   replace missing values by the stored value of each column
``log1p``    ``log(1 + x)``
``scale``    ``(x - mean) / scale`` (either may be null: not centred / not scaled)
``ordinal``  category -> its position in the stored level list (``missing_code`` or NaN
             for a missing value)
``onehot``   category -> indicator columns (a ``drop`` index per column, or null;
             ``missing_zeros``: a missing value gives a row of zeros)
``indicator`` 1.0 where the value is missing, for the columns listed in ``keep``

The blocks' outputs are concatenated in order, as ``ColumnTransformer`` does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import ModelSpecError
from ._format import plain

__all__ = ["describe_preprocessor", "apply_preprocessing", "block_width", "encoder_levels",
           "input_names"]

_SUPPORTED = ("ColumnTransformer, Pipeline, SimpleImputer, FunctionTransformer(numpy.log1p), "
              "StandardScaler, OneHotEncoder, OrdinalEncoder, 'passthrough', and the encoders "
              "of clusterdiscovery.features.make_preprocessor")


# ============================================================================ extraction
def _is_fitted(obj) -> bool:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(obj)
    except NotFittedError:
        return False
    except TypeError:  # not an estimator
        return False
    return True


def input_names(obj, features) -> list[str]:
    names = getattr(obj, "feature_names_in_", None)
    if names is not None:
        names = [str(c) for c in names]
        if features is not None and [str(c) for c in features] != names:
            raise ModelSpecError(
                f"The 'features' parameter {list(features)} differs from the columns the "
                f"{type(obj).__name__} was fitted on {names}; leave features=None (the fitted "
                f"names are used) or refit."
            )
        return names
    if features is not None:
        return [str(c) for c in features]
    raise ModelSpecError(
        f"{type(obj).__name__} was fitted on an array without column names, so the model "
        f"file cannot say which columns to read. Fit it on a pandas DataFrame, or pass "
        f"features=[...] (the column names in order) to save_model."
    )


def describe_preprocessor(pre, features=None) -> tuple[dict | None, list[str]]:
    """Plain-parameter description of a fitted preprocessor.

    Parameters
    ----------
    pre : ColumnTransformer, Pipeline, StandardScaler, ... or None
        Fitted. None means the model reads the numeric columns as they are.
    features : list of str, optional
        Input column names, needed only if ``pre`` was fitted without them.

    Returns
    -------
    spec : dict or None
        ``{"blocks": [...], "output_columns": [...]}``.
    inputs : list of str
        The columns of the raw data the preprocessing reads, in order.
    """
    if pre is None:
        return None, None
    from sklearn.compose import ColumnTransformer

    if not _is_fitted(pre):
        raise ModelSpecError(
            f"The preprocessor ({type(pre).__name__}) is not fitted; fit it (and the model on "
            f"its output) before saving."
        )
    inputs = input_names(pre, features)
    if isinstance(pre, ColumnTransformer):
        blocks = _column_transformer_blocks(pre, inputs)
    else:
        blocks = [{"name": type(pre).__name__, "columns": list(inputs),
                   "steps": _steps_of(pre, len(inputs), type(pre).__name__)}]
    blocks = [b for b in blocks if b["columns"]]
    width = sum(block_width(b) for b in blocks)
    try:
        out = [str(c) for c in pre.get_feature_names_out()]
    except Exception:  # noqa: BLE001 - some transformers cannot name their output
        out = [f"x{i}" for i in range(width)]
    if len(out) != width:
        raise ModelSpecError(
            f"Internal check failed: the preprocessor outputs {len(out)} columns but its "
            f"written description gives {width}; it cannot be saved faithfully."
        )
    used = {c for b in blocks for c in b["columns"]}
    inputs = [c for c in inputs if c in used]
    return {"blocks": blocks, "output_columns": out}, inputs


def _column_transformer_blocks(ct, inputs) -> list[dict]:
    index_map = getattr(ct, "_transformer_to_input_indices", None)
    blocks = []
    for name, trans, cols in ct.transformers_:
        if isinstance(trans, str) and trans == "drop":
            continue
        if index_map is not None and name in index_map:
            idx = list(index_map[name])
            columns = [inputs[i] for i in idx]
        else:
            columns = _resolve_columns(cols, inputs, name)
        if not columns:
            continue
        blocks.append({"name": str(name), "columns": columns,
                       "steps": _steps_of(trans, len(columns), str(name))})
    if getattr(ct, "sparse_output_", False):
        raise ModelSpecError("A sparse ColumnTransformer output is not supported; use "
                             "sparse_threshold=0 (dense output).")
    return blocks


def _resolve_columns(cols, inputs, name) -> list[str]:
    if isinstance(cols, str):
        return [cols]
    if isinstance(cols, slice):
        return list(inputs[cols])
    arr = np.asarray(cols)
    if arr.dtype == bool:
        return [c for c, keep in zip(inputs, arr, strict=True) if keep]
    if arr.dtype.kind in "iu":
        return [inputs[i] for i in arr]
    if arr.dtype.kind in "OUT":
        return [str(c) for c in arr]
    raise ModelSpecError(f"Cannot tell which columns the transformer '{name}' reads.")


def _steps_of(trans, width: int, where: str) -> list[dict]:
    """Steps of one transformer (or pipeline) fed ``width`` columns."""
    from sklearn.pipeline import Pipeline

    if trans is None or (isinstance(trans, str) and trans == "passthrough"):
        return []
    if isinstance(trans, Pipeline):
        steps: list[dict] = []
        for step_name, step in trans.steps:
            new = _steps_of(step, width, f"{where}/{step_name}")
            for s in new:
                width = _step_width(s, width)
            steps.extend(new)
        return steps
    step = _one_step(trans, width, where)
    if step is None:
        return []
    return step if isinstance(step, list) else [step]


def _one_step(trans, width: int, where: str) -> dict | list | None:
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import (
        FunctionTransformer,
        OneHotEncoder,
        OrdinalEncoder,
        StandardScaler,
    )

    name = type(trans).__name__
    if isinstance(trans, SimpleImputer):
        if trans.add_indicator:
            raise ModelSpecError(f"{where}: SimpleImputer(add_indicator=True) is not supported "
                                 f"in model files; drop the indicator or add it as a column.")
        mv = trans.missing_values
        if not (mv is None or mv is pd.NA or (isinstance(mv, float) and np.isnan(mv))):
            raise ModelSpecError(f"{where}: SimpleImputer(missing_values={mv!r}) is not "
                                 f"supported; recode that value to NaN before imputing.")
        stats = trans.statistics_
        values = [plain(v) for v in np.asarray(stats, dtype=object).tolist()]
        if len(values) != width or any(v is None or (isinstance(v, float) and np.isnan(v))
                                       for v in values):
            raise ModelSpecError(
                f"{where}: the imputer found a column with no observed values in training "
                f"(and dropped it); remove that column before fitting."
            )
        return {"op": "impute", "values": values}
    if isinstance(trans, FunctionTransformer):
        func = trans.func
        if func is None:
            return None
        if func is np.log1p or getattr(func, "__name__", "") == "log1p" or \
                getattr(func, "__name__", "") == "_log1p":
            if trans.kw_args:
                raise ModelSpecError(f"{where}: FunctionTransformer kw_args are not supported.")
            return {"op": "log1p"}
        raise ModelSpecError(
            f"{where}: FunctionTransformer({getattr(func, '__name__', func)!r}) cannot be "
            f"written to a model file (it would mean storing code); only numpy.log1p is "
            f"supported."
        )
    if isinstance(trans, StandardScaler):
        mean = None if trans.mean_ is None or not trans.with_mean else plain(trans.mean_)
        scale = None if trans.scale_ is None or not trans.with_std else plain(trans.scale_)
        return {"op": "scale", "mean": mean, "scale": scale}
    if isinstance(trans, OneHotEncoder):
        if getattr(trans, "_infrequent_enabled", False):
            raise ModelSpecError(f"{where}: OneHotEncoder with infrequent-category grouping "
                                 f"(min_frequency/max_categories) is not supported.")
        cats = [_levels(c) for c in trans.categories_]
        drop_idx = getattr(trans, "drop_idx_", None)
        drop = None if drop_idx is None else \
            [None if d is None else int(d) for d in list(drop_idx)]
        step = {"op": "onehot", "categories": cats}
        if drop is not None:
            step["drop"] = drop
        return step
    if isinstance(trans, OrdinalEncoder):
        code = trans.encoded_missing_value
        code = None if code is None or (isinstance(code, float) and np.isnan(code)) \
            else float(code)
        return {"op": "ordinal", "categories": [_levels(c) for c in trans.categories_],
                "missing_code": code}
    if name == "_LevelEncoder" and type(trans).__module__.startswith("clusterdiscovery."):
        return _level_encoder_steps(trans, where)
    if name == "_MissingFlags" and type(trans).__module__.startswith("clusterdiscovery."):
        return {"op": "indicator", "keep": [int(j) for j in trans.features_]}
    raise TypeError(
        f"{where}: {name} cannot be written to a model file. Supported: {_SUPPORTED}."
    )


def _level_encoder_steps(enc, where: str) -> list[dict]:
    """clusterdiscovery.features' level encoder: levels -> codes (or one-hot), with the
    most frequent (or median) code imputed."""
    levels = [_levels(c) for c in enc.categories_]
    if any(v is None for lv in levels for v in lv):
        raise ModelSpecError(f"{where}: a level is missing (NaN); cannot be written.")
    fills = list(enc.fill_)
    has_fill = [f is not None for f in fills]
    if any(has_fill) and not all(has_fill):
        raise ModelSpecError(f"{where}: imputation for some columns only is not supported.")
    steps: list[dict] = []
    if enc.output == "onehot":
        if all(has_fill):
            values = []
            for lv, f in zip(levels, fills, strict=True):
                if float(f) != int(f):
                    raise ModelSpecError(f"{where}: a fractional fill code cannot be one-hot.")
                values.append(lv[int(f)])
            steps.append({"op": "impute", "values": values})
        steps.append({"op": "onehot", "categories": levels, "missing_zeros": not all(has_fill)})
    elif enc.output == "codes":
        steps.append({"op": "ordinal", "categories": levels, "missing_code": None})
        if all(has_fill):
            steps.append({"op": "impute", "values": [float(f) for f in fills]})
    else:
        raise ModelSpecError(f"{where}: unknown encoder output {enc.output!r}.")
    return steps


def _levels(categories) -> list:
    out = []
    for v in np.asarray(categories, dtype=object).tolist():
        v = plain(v)
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out.append(None)
        else:
            out.append(v)
    return out


def _step_width(step: dict, width: int) -> int:
    if step["op"] == "indicator":
        return len(step["keep"])
    if step["op"] == "onehot":
        drop = step.get("drop") or [None] * len(step["categories"])
        return sum(len(c) - (d is not None) for c, d in zip(step["categories"], drop,
                                                             strict=True))
    return width


def block_width(block: dict) -> int:
    """Number of output columns of a (validated) block."""
    width = len(block["columns"])
    for step in block["steps"]:
        width = _step_width(step, width)
    return width


def encoder_levels(block: dict) -> list | None:
    """The non-null levels each column of the block must take (first encoder step)."""
    for step in block["steps"]:
        if step["op"] in ("onehot", "ordinal"):
            return [[v for v in c if v is not None] for c in step["categories"]]
    return None


# ============================================================================ applying
def to_float(series: pd.Series, column: str, unknown: str) -> np.ndarray:
    """A column as float64 (NaN for missing); text that is not a number is an error (or
    missing with ``unknown='missing'``)."""
    if pd.api.types.is_bool_dtype(series):
        return series.astype(float).to_numpy()
    if pd.api.types.is_numeric_dtype(series):
        arr = series.to_numpy(dtype=float, na_value=np.nan)
    else:
        coerced = pd.to_numeric(series, errors="coerce")
        bad = coerced.isna().to_numpy() & series.notna().to_numpy()
        if bad.any() and unknown == "raise":
            examples = pd.unique(series[bad])[:5].tolist()
            raise ModelSpecError(
                f"Column '{column}' must be numeric for this model but has "
                f"{int(bad.sum())} value(s) that are not numbers, e.g. {examples}. Convert "
                f"them (pandas.to_numeric) or pass unknown='missing' to treat them as missing."
            )
        arr = coerced.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(arr).any():
        raise ModelSpecError(f"Column '{column}' contains infinite values; replace them with "
                             f"NaN (missing) or finite values.")
    return arr


def _lookup(index: pd.Index, values: pd.Series) -> np.ndarray:
    try:
        codes = index.get_indexer(values)
    except (TypeError, ValueError):
        codes = pd.Index(list(index), dtype=object).get_indexer(values.astype(object))
    return np.asarray(codes, dtype=np.int64)


def codes_of(series: pd.Series, levels: list, column: str, unknown: str) -> np.ndarray:
    """Position of each value in ``levels`` (-1 for missing); unseen values raise (or become
    missing with ``unknown='missing'``)."""
    if pd.api.types.is_bool_dtype(series):
        series = series.astype("int64")
    index = pd.Index(levels)
    if isinstance(series.dtype, pd.CategoricalDtype):
        # look up the (few) categories once, then take by the integer codes
        cat_codes = series.cat.codes.to_numpy()
        lut = np.append(_lookup(index, pd.Series(series.cat.categories)), -1)
        codes = lut[cat_codes]  # code -1 (missing) picks the appended -1
        missing = cat_codes < 0
    else:
        missing = series.isna().to_numpy()
        codes = _lookup(index, series)
    unseen = (codes < 0) & ~missing
    if unseen.any():
        if unknown == "raise":
            examples = pd.unique(series[unseen])[:5].tolist()
            raise ModelSpecError(
                f"Column '{column}' has {int(unseen.sum())} value(s) the model has not seen, "
                f"e.g. {examples}; known levels are {levels[:20]}. Recode them, or pass "
                f"unknown='missing' to treat them as missing."
            )
    codes[~(codes >= 0)] = -1
    return codes


def _level_index(levels: list, value) -> int:
    """Position of ``value`` among ``levels`` (matching 1 and 1.0), or -1."""
    return int(codes_of(pd.Series([value], dtype=object), levels, "", "missing")[0])


def _encode(codes: list[np.ndarray], step: dict, sources: list[str], n: int):
    """Apply an ordinal/onehot step to per-column level codes (-1 = missing)."""
    parts, new_sources = [], []
    drop = step.get("drop") or [None] * len(codes)
    for j, (code, cats) in enumerate(zip(codes, step["categories"], strict=True)):
        missing = code < 0
        if step["op"] == "ordinal":
            col = code.astype(float)
            mc = step.get("missing_code")
            col[missing] = np.nan if mc is None else mc
            parts.append(col[:, None])
            new_sources.append(sources[j])
            continue
        # positions in the full level list; a null level takes the missing values
        pos = np.asarray([i for i, v in enumerate(cats) if v is not None], dtype=np.int64)
        full = np.full(n, -1, dtype=np.int64)
        full[~missing] = pos[code[~missing]]
        if None in cats:
            full[missing] = cats.index(None)
            missing = np.zeros(n, dtype=bool)
        out = np.zeros((n, len(cats)))
        rows = np.flatnonzero(~missing)
        out[rows, full[rows]] = 1.0
        if not step.get("missing_zeros", False):
            out[missing, :] = np.nan
        if drop[j] is not None:
            out = np.delete(out, drop[j], axis=1)
        parts.append(out)
        new_sources.extend([sources[j]] * out.shape[1])
    return (np.hstack(parts) if parts else np.empty((n, 0))), new_sources


def _apply_block(block: dict, frame: pd.DataFrame, unknown: str):
    """Output matrix (n, width) and the source column of each output column."""
    columns = block["columns"]
    steps = block["steps"]
    n = len(frame)
    sources = list(columns)
    first = steps[0]["op"] if steps else None
    enc_at = next((i for i, s in enumerate(steps) if s["op"] in ("onehot", "ordinal")), None)
    if first == "indicator":
        keep = steps[0]["keep"]
        data = np.column_stack([frame[columns[i]].isna().to_numpy(dtype=float)
                                for i in keep]) if keep else np.empty((n, 0))
        sources = [columns[i] for i in keep]
        rest = steps[1:]
    elif enc_at is not None:
        # category columns: one lookup per column; imputation before the encoder fills codes
        levels = encoder_levels(block)
        codes = [codes_of(frame[c], levels[j], c, unknown) for j, c in enumerate(columns)]
        for step in steps[:enc_at]:  # only 'impute' can precede an encoder
            for j, value in enumerate(step["values"]):
                if (codes[j] < 0).any():
                    at = _level_index(levels[j], value)
                    if at >= 0:
                        codes[j] = np.where(codes[j] < 0, at, codes[j])
        data, sources = _encode(codes, steps[enc_at], sources, n)
        rest = steps[enc_at + 1:]
    else:
        data = np.column_stack([to_float(frame[c], c, unknown) for c in columns]) \
            if columns else np.empty((n, 0))
        rest = steps
    for step in rest:
        op = step["op"]
        if op == "impute":
            values = np.asarray(step["values"], dtype=float)
            data = np.where(np.isnan(data), values, data)
        elif op == "log1p":
            neg = np.nan_to_num(data, nan=0.0) < 0
            if neg.any():
                bad = list(dict.fromkeys(sources[j] for j in np.flatnonzero(neg.any(0))))
                raise ModelSpecError(f"Column(s) {bad} have negative values but the "
                                     f"model takes log1p of them (values must be >= 0).")
            data = np.log1p(data)
        elif op == "scale":
            if step["mean"] is not None:
                data = data - np.asarray(step["mean"], dtype=float)
            if step["scale"] is not None:
                data = data / np.asarray(step["scale"], dtype=float)
    return data, sources


def apply_preprocessing(pre: dict | None, frame: pd.DataFrame, features: list[str],
                        unknown: str) -> np.ndarray:
    """The model's input matrix for new data (float64, no NaN).

    Raises
    ------
    ModelSpecError
        Missing values in a column without a stored imputation value, values outside
        the domain (e.g. log1p of a value below -1), unseen categories (``unknown='raise'``),
        non-numeric text in a numeric column.
    """
    n = len(frame)
    if pre is None:
        data = np.column_stack([to_float(frame[c], c, unknown) for c in features]) \
            if features else np.empty((n, 0))
        sources = list(features)
    else:
        parts, sources = [], []
        for block in pre["blocks"]:
            out, src = _apply_block(block, frame, unknown)
            parts.append(out)
            sources.extend(src)
        data = np.hstack(parts)
    finite = np.isfinite(data)
    if not finite.all():
        bad_cols = np.flatnonzero(~finite.all(axis=0))
        names = list(dict.fromkeys(sources[i] for i in bad_cols))
        nan_cols = [sources[i] for i in bad_cols if np.isnan(data[:, i]).any()]
        if nan_cols:
            counts = {c: int(frame[c].isna().sum()) for c in dict.fromkeys(nan_cols)}
            raise ModelSpecError(
                f"Column(s) {list(counts)} have missing values ({counts}) and the model file "
                f"stores no imputation value for them; fill them in before assigning."
            )
        raise ModelSpecError(f"Column(s) {names} give non-finite values after preprocessing "
                             f"(e.g. log1p of a value below -1); check their range.")
    return data
