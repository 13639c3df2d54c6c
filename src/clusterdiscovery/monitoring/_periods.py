"""Maximum review periods of care clusters and exact calendar arithmetic on them.

The default periods are the published Mental Health Clustering Tool (MHCT) maximum
review intervals, shipped as package data in ``clusterdiscovery/data/mhct_care_clusters.csv``
(columns ``code``, ``super_class``, ``name``, ``max_review``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from importlib import resources

import numpy as np
import pandas as pd

__all__ = ["load_review_periods"]

_PERIOD_RE = re.compile(r"^\s*(\d+)\s*(day|days|week|weeks|month|months|year|years)\s*$", re.I)
_UNIT_CANON = {"day": "days", "week": "weeks", "month": "months", "year": "years"}


def parse_period(text, *, name: str = "intervals") -> tuple[str, int]:
    """Parse ``"12 weeks"``, ``"6 months"``, ``"1 year"``, ``"30 days"`` into ``(unit, n)``.

    An integer ``n`` is read as ``n`` days; a ``pandas.DateOffset`` with a single
    ``months``/``weeks``/``days``/``years`` component is accepted as well.
    """
    if isinstance(text, bool):
        raise TypeError(f"The '{name}' periods must be text like '6 months'; got {text!r}.")
    if isinstance(text, (int, np.integer)):
        if text <= 0:
            raise ValueError(f"The '{name}' periods must be positive; got {text!r} days.")
        return "days", int(text)
    if isinstance(text, pd.DateOffset):
        kwds = {k: v for k, v in text.kwds.items() if v}
        if len(kwds) == 1:
            (unit, n), = kwds.items()
            if unit in ("days", "weeks", "months", "years") and int(n) > 0:
                return unit, int(n) * max(int(text.n), 1)
        raise ValueError(
            f"The '{name}' periods must be a DateOffset with one positive component "
            f"(days, weeks, months or years); got {text!r}."
        )
    if not isinstance(text, str):
        raise TypeError(
            f"The '{name}' periods must be text like '6 months' or '12 weeks'; got {text!r} "
            f"({type(text).__name__})."
        )
    m = _PERIOD_RE.match(text)
    if m is None or int(m.group(1)) <= 0:
        raise ValueError(
            f"Cannot read the review period {text!r} in '{name}'. Write a positive whole "
            "number followed by days, weeks, months or years, e.g. '6 months' or '12 weeks'."
        )
    unit = m.group(2).lower()
    return _UNIT_CANON.get(unit, unit), int(m.group(1))


def _offset(unit: str, n: int) -> pd.DateOffset:
    if unit == "weeks":
        return pd.DateOffset(days=7 * n)
    return pd.DateOffset(**{unit: n})


def load_review_periods(path=None) -> pd.DataFrame:
    """Read the maximum review period of each care cluster.

    Parameters
    ----------
    path : str or path-like, optional
        A CSV with columns ``code`` and ``max_review`` (for example ``"6 months"``,
        ``"12 weeks"``, ``"4 weeks"``, ``"12 months"``). Default: the published MHCT
        periods shipped with the package.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``code``; the CSV's columns plus ``unit`` (``"days"``, ``"weeks"``,
        ``"months"`` or ``"years"``), ``n`` and ``offset`` (a ``pandas.DateOffset``).
        Weeks are exactly 7 days; months and years are calendar months and years, so
        31 August + 6 months is 28 February (29 in a leap year): pandas ``DateOffset``
        keeps the day of the month and clips it to the last day of a shorter month.

    References
    ----------
    .. [1] Department of Health (2013). Mental Health Clustering Booklet (v3.0), the
       cluster review intervals of the Mental Health Clustering Tool.

    Examples
    --------
    >>> from clusterdiscovery.monitoring import load_review_periods
    >>> periods = load_review_periods()
    >>> periods.loc[14, "max_review"]
    '4 weeks'
    """
    if path is None:
        ref = resources.files("clusterdiscovery").joinpath("data/mhct_care_clusters.csv")
        with resources.as_file(ref) as p:
            table = pd.read_csv(p)
    else:
        if not isinstance(path, str | os.PathLike):
            raise TypeError(f"The 'path' parameter must be the path of a CSV file; got "
                            f"{type(path).__name__}.")
        try:
            table = pd.read_csv(path)
        except pd.errors.EmptyDataError:
            raise ValueError(f"The review-period file {path} is empty; it needs the columns "
                             f"'code' and 'max_review' (e.g. '6 months').") from None
    missing = [c for c in ("code", "max_review") if c not in table.columns]
    if missing:
        raise ValueError(
            f"The review-period file lacks the column(s) {missing}; it needs 'code' and "
            "'max_review' (e.g. '6 months')."
        )
    if table["code"].duplicated().any():
        dup = table.loc[table["code"].duplicated(), "code"].tolist()
        raise ValueError(f"The review-period file lists cluster code(s) {dup} twice.")
    parsed = [parse_period(t, name="max_review") for t in table["max_review"]]
    table = table.assign(
        unit=[u for u, _ in parsed],
        n=[n for _, n in parsed],
        offset=[_offset(u, n) for u, n in parsed],
    )
    return table.set_index("code")


def resolve_intervals(intervals) -> dict:
    """Turn ``intervals`` (None, mapping, Series or DataFrame) into ``{code: (unit, n)}``."""
    if intervals is None:
        table = load_review_periods()
        return {code: (u, n) for code, u, n in zip(table.index, table["unit"], table["n"])}
    if isinstance(intervals, pd.DataFrame):
        cols = intervals.columns
        if "max_review" not in cols:
            raise ValueError(
                "The 'intervals' table needs a 'max_review' column (e.g. '6 months') and the "
                "cluster code as its index or in a 'code' column."
            )
        codes = intervals["code"] if "code" in cols else intervals.index
        mapping = dict(zip(codes, intervals["max_review"]))
    elif isinstance(intervals, pd.Series):
        mapping = intervals.to_dict()
    elif isinstance(intervals, Mapping):
        mapping = dict(intervals)
    else:
        raise TypeError(
            "The 'intervals' parameter must be None (published MHCT periods), a dict "
            "{cluster code: '6 months'}, a Series or a DataFrame with 'code' and "
            f"'max_review'; got {type(intervals).__name__}."
        )
    if not mapping:
        raise ValueError("The 'intervals' parameter is empty; give at least one cluster code.")
    return {code: parse_period(v) for code, v in mapping.items()}


def add_periods(days: np.ndarray, period_idx: np.ndarray, periods: list) -> np.ndarray:
    """Add ``periods[period_idx[i]]`` to ``days[i]`` (days since 1970-01-01), vectorised.

    One pandas operation per distinct period (a handful), never a per-row loop.
    """
    out = np.empty(days.shape[0], dtype=np.int64)
    for k, (unit, n) in enumerate(periods):
        sel = period_idx == k
        if not sel.any():
            continue
        if unit in ("days", "weeks"):
            out[sel] = days[sel] + (n * 7 if unit == "weeks" else n)
        else:
            dates = pd.DatetimeIndex(days[sel].astype("datetime64[D]"))
            shifted = dates + pd.DateOffset(**{unit: n})
            out[sel] = shifted.to_numpy().astype("datetime64[D]").astype(np.int64)
    return out
