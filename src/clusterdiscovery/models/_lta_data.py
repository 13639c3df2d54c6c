"""Checks of the repeated assessments a latent transition model is fitted on."""

from __future__ import annotations

import pandas as pd

__all__ = ["check_time_points"]


def check_time_points(X, n_components: int, *, expected_columns=None,
                      n_time_points=None) -> list:
    """The time points as DataFrames with one column set and one client order.

    Each table must be a DataFrame with the same columns and the same set of client ids
    in its index (no repeats); tables whose rows are in another order are aligned to the
    first table's order (copies; nothing passed is modified).
    """
    if isinstance(X, (pd.DataFrame, str, bytes)) or not hasattr(X, "__len__"):
        raise TypeError("X must be a list of DataFrames, one per time point (in time order); "
                        f"got {type(X).__name__}.")
    frames = list(X)
    if len(frames) < 2:
        raise ValueError(f"X holds {len(frames)} time point(s); a latent transition model "
                         "needs at least two.")
    if n_time_points is not None and len(frames) != n_time_points:
        raise ValueError(f"X holds {len(frames)} time points; the model was fitted on "
                         f"{n_time_points}.")
    for t, f in enumerate(frames):
        if not isinstance(f, pd.DataFrame):
            raise TypeError(f"Time point {t} of X is a {type(f).__name__}; pass a DataFrame "
                            "per time point.")
        if f.index.has_duplicates:
            dup = f.index[f.index.duplicated()].unique()[:3].tolist()
            raise ValueError(f"Time point {t} repeats client id(s) {dup} in its index; give "
                             "each client one row per time point.")
    first = frames[0]
    cols = list(first.columns) if expected_columns is None else list(expected_columns)
    for t, f in enumerate(frames):
        if list(f.columns) != cols:
            extra = [c for c in f.columns if c not in cols]
            missing = [c for c in cols if c not in f.columns]
            if extra or missing:
                raise ValueError(
                    f"Time point {t} has columns that differ from "
                    f"{'the model' if expected_columns is not None else 'time point 0'}: "
                    f"missing {missing[:5]}, extra {extra[:5]}. Every time point must have "
                    "the same items.")
    out = []
    for t, f in enumerate(frames):
        if not f.index.equals(first.index):
            if len(f.index) != len(first.index) or not f.index.isin(first.index).all():
                only = f.index.difference(first.index)[:3].tolist()
                absent = first.index.difference(f.index)[:3].tolist()
                raise ValueError(
                    f"Time point {t} is not aligned with time point 0: client ids only here "
                    f"{only}, missing here {absent}. Give every time point a row for every "
                    "client (all NaN where a client was not assessed).")
            f = f.reindex(first.index)
        out.append(f[cols])
    if first.shape[0] < n_components:
        raise ValueError(f"n_clients={first.shape[0]} should be >= "
                         f"n_components={n_components}.")
    assessed = pd.concat([f.notna().any(axis=1) for f in out], axis=1).any(axis=1)
    if not assessed.any():
        raise ValueError("Every item is missing at every time point; nothing to fit.")
    return out
