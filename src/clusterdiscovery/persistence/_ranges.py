"""Training ranges of a model file's numeric inputs, for ``assign``'s ``out_of_range`` flag.

For every numeric feature and covariate the file stores ``[low, high]``: the training
minimum and maximum rounded outward to a multiple of the power of ten just below the
range's width (ages 16.2 to 103.4 give 10 to 110; counts 0 to 12 give 0 to 20). So no
training client is flagged, the file never publishes one client's exact extreme value (the
privacy rule of model files), and a new client beyond the bounds is flagged: their label is
an extrapolation (an age of 250, an income of -500). Stored from format 1.2 on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["training_ranges", "outside_ranges", "validate_ranges"]


def training_ranges(X, columns, min_cell_size: int) -> dict:
    """``{column: [low, high]}`` for the numeric, non-boolean columns of ``X`` that have at
    least ``min_cell_size`` values."""
    if not isinstance(X, pd.DataFrame):
        return {}
    k = max(int(min_cell_size), 1)
    out = {}
    for col in columns:
        if col not in X.columns:
            continue
        s = X[col]
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            continue
        x = s.to_numpy(dtype=float, na_value=np.nan)
        x = x[np.isfinite(x)]
        if x.size < k:
            continue
        lo, hi = float(x.min()), float(x.max())
        width = hi - lo if hi > lo else max(abs(hi), 1.0)
        step = 10.0 ** np.floor(np.log10(width))
        out[str(col)] = [float(np.floor(lo / step) * step), float(np.ceil(hi / step) * step)]
    return out


def outside_ranges(data: pd.DataFrame, ranges: dict) -> np.ndarray:
    """Rows with a value below ``low`` or above ``high`` of a stored range (or infinite)."""
    flag = np.zeros(len(data), dtype=bool)
    for col, (low, high) in ranges.items():
        if col not in data.columns:
            continue
        x = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            flag |= (x < low) | (x > high) | np.isinf(x)
    return flag


def validate_ranges(ranges, features, parameters, version: str, fail) -> None:
    """``$.ranges``: {column: [low, high]} for features and covariates (format 1.2), its
    structure already checked against the JSON Schema; ``fail(path, message)`` raises the
    validator's error."""
    if ranges is None:
        return
    if version in ("1.0", "1.1"):
        fail("$.ranges", f"training ranges need format_version 1.2 (this file says {version}).")
    covariates = (parameters.get("covariates") or {}).get("names", [])
    known = set(features) | set(covariates)
    for col, (low, high) in ranges.items():
        path = f"$.ranges.{col}"
        if col not in known:
            fail(path, "names no feature or covariate of the model.")
        if low > high:
            fail(path, f"low {low} is above high {high}.")
