"""The one date parser of the package: columns and single dates, ISO 8601 by default.

Every stage that reads dates (schema validation, service events, monitoring, the command
line) goes through :func:`parse_dates` (a column) or :func:`parse_date` (one value), so a
rule lands everywhere at once:

- **ISO 8601 by default** (``2025-03-31``, ``2025-03-31T14:05``, ``2025-03-31 14:05:00``);
  an explicit ``date_format`` (``"%d/%m/%Y"``, as in :func:`datetime.strptime`) reads any
  other layout.
- **No guessing of day and month.** Without ``date_format``, a slashed or dotted date such
  as ``01/02/2025`` is refused (1 February or 2 January?), and so is a column that holds
  both day-first (``13/02/2024``) and month-first (``02/13/2024``) dates. The message says
  which ``date_format`` to pass.
- **Nothing coerced to missing.** A value that is not a date ("not a date") is an error;
  only empty cells (NaN, None, ``""``) are missing.
- **Only dates pandas can hold** (1677-09-22 to 2262-04-11, the nanosecond range): year
  2300 or 1600 is refused instead of wrapping around.
- **No typo as the cut-off.** :func:`check_not_future` refuses dates after today where the
  latest date would otherwise become ``as_of``; :func:`parse_date` refuses an explicit date
  more than a year after today.

Each error is a :class:`~clusterdiscovery.exceptions.SchemaError` (a ``ValueError``) for a
column, or a ``ValueError`` / ``TypeError`` for a parameter, naming the column or parameter
and saying how to fix it.

Examples
--------
>>> import pandas as pd
>>> from clusterdiscovery._dates import parse_dates
>>> parse_dates(pd.Series(["2025-03-31", None]), "referral_date").tolist()
[Timestamp('2025-03-31 00:00:00'), NaT]
>>> parse_dates(pd.Series(["31/03/2025"]), "referral_date", date_format="%d/%m/%Y").iloc[0]
Timestamp('2025-03-31 00:00:00')
"""

from __future__ import annotations

import datetime as _dt
import numbers
import re
import warnings

import numpy as np
import pandas as pd

from .exceptions import SchemaError

__all__ = ["parse_dates", "parse_date", "check_date_format", "check_not_future",
           "EARLIEST", "LATEST", "today"]

#: the range of dates pandas can hold at nanosecond resolution (whole days)
EARLIEST = pd.Timestamp("1677-09-22")
LATEST = pd.Timestamp("2262-04-11")
#: an explicit date may lie at most this many days after today (plans, booked reviews)
FUTURE_GRACE_DAYS = 366

_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_SLASHED = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})")
_DAY_FIRST, _MONTH_FIRST = "%d/%m/%Y", "%m/%d/%Y"


def today() -> pd.Timestamp:
    """Today's date (midnight, local clock): the bound for dates that cannot lie ahead."""
    return pd.Timestamp(_dt.date.today())


def _where(column: str, table: str | None) -> str:
    return f"Column '{column}'" + (f" of the {table} table" if table else "")


def check_date_format(date_format, name: str = "date_format"):
    """Check a ``strptime`` format such as ``"%d/%m/%Y"``; return it (None passes)."""
    if date_format is None:
        return None
    if not isinstance(date_format, str):
        raise TypeError(
            f"The '{name}' parameter must be a strptime format such as '%d/%m/%Y'; got "
            f"{type(date_format).__name__}."
        )
    if "%" not in date_format:
        raise ValueError(
            f"The '{name}' parameter {date_format!r} has no % directive; write it like "
            f"'%d/%m/%Y' (day/month/year) or '%Y-%m-%d'."
        )
    return date_format


def parse_dates(values, column: str, *, table: str | None = None, date_format=None,
                fix: str | None = None) -> pd.Series:
    """Parse a column of dates; refuse anything that is not plainly a date.

    Parameters
    ----------
    values : Series
        Strings, ``datetime64`` values (any unit, with or without time zone) or Python
        dates. Empty cells (NaN, None, ``""``) stay missing (NaT).
    column : str
        The column's name, for messages.
    table : str, optional
        The table's name, for messages ("events", "client").
    date_format : str, optional
        A ``strptime`` format every non-empty value must match. Default: ISO 8601.
    fix : str, optional
        How the user gives a date format here, for messages: a template with ``{fmt}``
        (default ``"pass date_format={fmt}"``; the command line says ``--date-format``).

    Returns
    -------
    Series
        ``datetime64[ns]`` (time-zone-aware where the input was), same index.

    Raises
    ------
    SchemaError
        Naming the column: numbers or booleans instead of dates; values that are not dates;
        ambiguous day/month dates; a column mixing day-first and month-first dates; dates
        outside 1677-09-22..2262-04-11.
    """
    where = _where(column, table)
    fix = fix or "pass date_format={fmt}"
    date_format = check_date_format(date_format)
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(s):
        return _in_range(s, where)
    if (pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s)) and s.notna().any():
        raise SchemaError(
            f"{where} holds numbers ({s.dtype}), not dates; write the dates as text such as "
            f"2025-03-31, or convert them first (e.g. pandas.to_datetime(values, "
            f"format='%Y%m%d') for 20250331)."
        )
    # each distinct value is checked and parsed once (a column of a million event dates
    # holds a few thousand distinct days), then spread back to the rows
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    uniq = pd.Series(np.asarray(uniq, dtype=object))
    counts = pd.Series(np.bincount(codes[codes >= 0], minlength=len(uniq)))
    parsed = _parse_distinct(uniq, counts, where, date_format, fix)
    out = pd.Series(parsed.array.take(codes, allow_fill=True), index=s.index, name=s.name)
    return _in_range(out, where)


def _parse_distinct(uniq: pd.Series, counts: pd.Series, where: str, date_format, fix
                    ) -> pd.Series:
    """Parse distinct values (``counts`` rows each); empty strings become NaT."""
    text = uniq.map(_as_text, na_action="ignore").astype(object)
    text = text.where(text.notna() & (text != ""), None)
    present = text.notna()
    if not present.any():
        return pd.Series(pd.NaT, index=uniq.index, dtype="datetime64[ns]")
    dates = text[present]
    is_text = dates.map(lambda v: isinstance(v, str)).astype(bool)
    objects = dates[~is_text]  # datetime objects among the values: dates already
    dates = dates[is_text]
    if date_format is None:
        iso = dates.map(lambda v: _ISO.fullmatch(v) is not None).astype(bool)
        if not iso.all():
            bad = dates[~iso]
            raise SchemaError(_not_iso_message(where, bad, int(counts[bad.index].sum()), fix))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            parsed = pd.to_datetime(dates, format=date_format or "ISO8601", errors="coerce")
            if len(objects):
                parsed = pd.concat([parsed, pd.to_datetime(objects)]).loc[text.index[present]]
    except (ValueError, TypeError) as exc:  # mixed time zones
        raise SchemaError(
            f"{where} mixes time zones ({exc}); give every date the same offset, or none."
        ) from None
    bad = parsed.isna()
    if bad.any():
        example = text[parsed.index[bad][0]]
        if _outside_range(str(example), date_format):
            raise SchemaError(_range_message(where, example))
        fmt_text = ("dates in ISO 8601" if date_format is None
                    else f"dates in the format {date_format!r}")
        raise SchemaError(
            f"{where} has {int(counts[parsed.index[bad]].sum())} value(s) that are not "
            f"{fmt_text}, e.g. {example!r}. Correct them (or leave the cell empty for an "
            f"unknown date)"
            + ("" if date_format is None else ", or pass the format the column is written in")
            + "."
        )
    out = pd.Series(pd.NaT, index=uniq.index, dtype=parsed.dtype)
    out[present] = parsed.to_numpy()
    return out


def _as_text(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date | np.datetime64):
        return pd.Timestamp(value)
    return str(value).strip()


def _outside_range(text: str, date_format) -> bool:
    """Whether a value that failed to parse is a real date outside pandas' range."""
    try:
        if date_format is None:
            parsed = _dt.date.fromisoformat(text[:10])
        else:
            parsed = _dt.datetime.strptime(text, date_format).date()
    except (ValueError, OverflowError):
        return False
    return not (EARLIEST.date() <= parsed <= LATEST.date())


def _range_message(where: str, example) -> str:
    return (
        f"{where} has a date outside the range pandas can hold ({EARLIEST.date()} to "
        f"{LATEST.date()}), e.g. {str(example)!r}: probably a typo in the year. Correct it "
        f"(or leave the cell empty for an unknown date)."
    )


def _in_range(s: pd.Series, where: str) -> pd.Series:
    """Refuse dates outside the nanosecond range; return ``datetime64[ns]`` values."""
    values = s.dt.tz_localize(None) if isinstance(s.dtype, pd.DatetimeTZDtype) else s
    arr = np.asarray(values.to_numpy(), dtype="datetime64[us]") \
        if values.dtype != "datetime64[ns]" else None
    if arr is not None:
        lo, hi = np.datetime64(EARLIEST, "us"), np.datetime64(LATEST, "us")
        out = (~np.isnat(arr)) & ((arr < lo) | (arr > hi + np.timedelta64(1, "D")))
        if out.any():
            raise SchemaError(_range_message(where, _shown(pd.Timestamp(arr[out][0]))))
    unit = "ns"
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.as_unit(unit)
    return s.astype(f"datetime64[{unit}]")


def _not_iso_message(where: str, bad: pd.Series, n_bad: int, fix: str) -> str:
    """Why non-ISO values are refused, and the date_format that would read them."""
    text = [v for v in bad if isinstance(v, str)]
    slashed = [(v, m) for v in text if (m := _SLASHED.fullmatch(v))]
    if slashed and len(slashed) == len(text):
        day_first = [v for v, m in slashed if int(m.group(1)) > 12 >= int(m.group(3))]
        month_first = [v for v, m in slashed if int(m.group(3)) > 12 >= int(m.group(1))]
        ambiguous = [v for v, m in slashed
                     if int(m.group(1)) <= 12 and int(m.group(3)) <= 12]
        sep = slashed[0][1].group(2)
        year = "%Y" if len(slashed[0][1].group(4)) == 4 else "%y"
        dmy = _DAY_FIRST.replace("/", sep).replace("%Y", year)
        mdy = _MONTH_FIRST.replace("/", sep).replace("%Y", year)
        if day_first and month_first:
            return (
                f"{where} mixes day-first and month-first dates: {day_first[0]!r} can only be "
                f"read day first but {month_first[0]!r} only month first. Correct the column "
                f"so that every date is written in one order (ISO 2025-03-31 is safest)."
            )
        if ambiguous:
            a = ambiguous[0]
            m = _SLASHED.fullmatch(a)
            d1, d2 = int(m.group(1)), int(m.group(3))
            reading = (f"{d1} {_month_name(d2)} (day first) or {d2} {_month_name(d1)} "
                       f"(month first)")
            hint = (f"; the column's other dates (e.g. {day_first[0]!r}) are day first, so "
                    f"{fix.format(fmt=repr(dmy))}" if day_first else
                    f"; the column's other dates (e.g. {month_first[0]!r}) are month first, "
                    f"so {fix.format(fmt=repr(mdy))}" if month_first else
                    f": {fix.format(fmt=repr(dmy))} (day first) or {mdy!r} (month first)")
            return (
                f"{where} has dates such as {a!r} that could be {reading}; such dates are not read "
                f"by guessing. Write ISO dates (2025-03-31) or give the order{hint}."
            )
        order, fmt = ("day first", dmy) if day_first else ("month first", mdy)
        return (
            f"{where} has dates written {order} (e.g. {slashed[0][0]!r}), not ISO 8601; "
            f"{fix.format(fmt=repr(fmt))} to read them, or write them as 2025-03-31."
        )
    example = bad.iloc[0]
    return (
        f"{where} has {n_bad} value(s) that are not dates in ISO 8601 (2025-03-31), e.g. "
        f"{example!r}. Correct them (leave the cell empty for an unknown date), or if the "
        f"column is written in another layout, {fix.format(fmt=repr('%d %b %Y'))} (for "
        f"'31 Mar 2025')."
    )


def _month_name(m: int) -> str:
    return _dt.date(2000, m, 1).strftime("%B")


_ONE_VALUE = (("' that could be", "' could be"), ("parameter has dates such as", "parameter"),
              ("parameter has a date outside", "parameter is a date outside"),
              (" (or leave the cell empty for an unknown date)", ""))


def _shown(ts: pd.Timestamp) -> str:
    return str(ts.date()) if ts == ts.normalize() else ts.isoformat()


def parse_date(value, name: str, *, date_format=None, allow_future: bool = False
               ) -> pd.Timestamp:
    """Parse one date parameter (``as_of``, ``--as-of``, ``start``, ``end``).

    Accepts a Timestamp, datetime, date, ``numpy.datetime64`` or a string (ISO 8601, or
    ``date_format``); refuses numbers, ambiguous day/month strings, dates outside pandas'
    range and (unless ``allow_future``) dates more than a year after today, with a message
    naming ``name``. Time zones are dropped (the wall-clock date is kept).
    """
    if value is None:
        raise TypeError(f"The '{name}' parameter is required: give a date such as '2025-12-31'.")
    if isinstance(value, bool | numbers.Number):  # pandas reads numbers as nanoseconds
        raise TypeError(
            f"The '{name}' parameter must be a date such as '2025-12-31' (a string, datetime "
            f"or Timestamp); got the number {value!r}."
        )
    if not isinstance(value, str | pd.Timestamp | _dt.date | np.datetime64):
        raise TypeError(
            f"The '{name}' parameter must be a date such as '2025-12-31'; got "
            f"{type(value).__name__}."
        )
    fix = "pass --date-format {fmt}" if name.startswith("--") else "pass date_format={fmt}"
    if isinstance(value, str) and date_format is None and not _ISO.fullmatch(value.strip()) \
            and not _SLASHED.fullmatch(value.strip()):
        raise ValueError(
            f"The '{name}' parameter must be a date in ISO 8601 such as '2025-12-31'; got "
            f"{value!r}. For another layout, {fix.format(fmt=repr('%d %b %Y'))} (for "
            f"'31 Dec 2025')."
        )
    if not isinstance(value, str):  # a datetime object: its wall-clock date and time
        value = pd.Timestamp(value)
        if value.tzinfo is not None:
            value = value.tz_localize(None)
    try:
        ts = parse_dates(pd.Series([value], dtype=object), name, date_format=date_format,
                         fix=fix).iloc[0]
    except SchemaError as exc:  # the column's message, said of one value
        message = str(exc).replace(f"Column '{name}'", f"The '{name}' parameter", 1)
        for column_words, value_words in _ONE_VALUE:
            message = message.replace(column_words, value_words)
        raise ValueError(message) from None
    if ts is pd.NaT or pd.isna(ts):
        raise ValueError(f"The '{name}' parameter must be a date such as '2025-12-31'; got "
                         f"{value!r}.")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    if not allow_future:
        limit = today() + pd.Timedelta(days=FUTURE_GRACE_DAYS)
        if ts > limit:
            raise ValueError(
                f"The '{name}' parameter {str(value)!r} is more than a year after today "
                f"({today().date()}): probably a typo in the year. Give the date the study "
                f"or status is for, e.g. '{today().date()}'."
            )
    return ts


def check_not_future(dates: pd.Series, column: str, *, table: str | None = None,
                     role: str = "as_of") -> None:
    """Refuse dates after today where the latest date would silently become ``role``.

    Used when no ``as_of`` is given and it defaults to the latest date of ``column``: a
    typo such as 2099 would otherwise move the cut-off decades ahead.
    """
    s = dates.dt.tz_localize(None) if isinstance(dates.dtype, pd.DatetimeTZDtype) else dates
    limit = today() + pd.Timedelta(days=1)  # a day's grace for time zones
    late = s > limit
    if late.any():
        example = s[late].max()
        raise SchemaError(
            f"{_where(column, table)} has {int(late.sum())} date(s) after today "
            f"({today().date()}), the latest {example.date()}; with no {role} given, the "
            f"latest date would become {role}. Correct the date(s) (a typo in the year?), or "
            f"set {role} explicitly to cut off at the date you mean."
        )
