"""Checks applied where data enter the package: numbers, ids, levels, names, files.

One helper per class of bad input, called by every stage that takes such an input, so a
fix lands everywhere at once:

* :func:`check_magnitude` -- finite values too large to compute with (1e200 squared is
  infinite: likelihoods, sums of costs, Gower ranges and HDBSCAN's tree all break, the last
  by looping for ever), refused with the column and row named;
* :func:`check_number` -- a scalar parameter that must be a finite number in a range
  (``window_days=1e308``);
* :func:`normalise_ids` / :func:`check_levels` -- ids ``1`` and ``"1"`` (one client or
  two?), levels ``1`` and ``"1"`` printed alike, ``"Female"`` against a declared
  ``"female"``;
* :func:`check_flat_columns` -- MultiIndex or non-string column labels;
* :func:`read_table` -- a data file that is empty, binary or not a table;
* :func:`escape_markdown` and :func:`check_file_name` -- names written into Markdown and
  file names confined to their folder.
"""

from __future__ import annotations

import numbers
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .exceptions import SchemaError

__all__ = ["MAX_ABS", "check_magnitude", "check_number", "not_numbers",
           "describe_not_numbers", "normalise_ids", "check_levels",
           "match_levels", "check_flat_columns", "read_table", "escape_markdown",
           "check_file_name", "looks_like_ids", "check_reserved"]

#: Largest magnitude accepted in numeric data. Squares and sums of values up to 1e100
#: stay far from float64 overflow (1.8e308); no client measure, cost or date offset comes
#: near it, so a larger value is a unit or data-entry error.
MAX_ABS = 1e100


# ------------------------------------------------------------------ numbers
def check_magnitude(data, name: str = "X", *, limit: float = MAX_ABS, columns=None):
    """Raise ``ValueError`` if a numeric value of ``data`` exceeds ``limit`` in magnitude.

    ``data`` is a DataFrame, Series or array; non-numeric columns, NaN and inf are left to
    the caller's own checks. ``columns`` restricts the check to those DataFrame columns.
    Returns ``data`` unchanged (never a copy, never modified).
    """
    if isinstance(data, pd.Series):
        _check_column(data, f"{name}" if data.name is None else str(data.name), name, limit)
        return data
    if isinstance(data, pd.DataFrame):
        cols = data.columns if columns is None else [c for c in columns if c in data.columns]
        for col in cols:
            s = data[col]
            if isinstance(s, pd.DataFrame):  # duplicated label: check each
                for j in range(s.shape[1]):
                    _check_column(s.iloc[:, j], col, name, limit)
            else:
                _check_column(s, col, name, limit)
        return data
    try:
        arr = np.asarray(data)
    except Exception:  # ragged input: the caller's own validation explains it
        return data
    if arr.dtype.kind in "iuf" and arr.size:
        with np.errstate(invalid="ignore"):
            big = np.isfinite(arr) & (np.abs(arr) > limit)
        if big.any():
            pos = tuple(int(i[0]) for i in np.nonzero(big))
            col = f" (column {pos[1]})" if arr.ndim == 2 else ""
            raise ValueError(
                f"{name} holds {arr[pos]:.3g} at position {pos}{col}, beyond the largest "
                f"magnitude the package computes with ({limit:.0e}). Check the units or "
                f"replace the value with NaN (missing)."
            )
    return data


def _check_column(s: pd.Series, col, name, limit):
    if not (pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)):
        if s.dtype == object:  # numbers stored as objects (mixed columns)
            v = pd.to_numeric(s, errors="coerce")
            if v.isna().all():
                return
            s = v
        else:
            return
    x = s.to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        big = np.isfinite(x) & (np.abs(x) > limit)
    if big.any():
        i = int(np.flatnonzero(big)[0])
        raise ValueError(
            f"Column {str(col)!r} of {name} holds {x[i]:.3g} (row {s.index[i]!r}), beyond the "
            f"largest magnitude the package computes with ({limit:.0e}). Check the units or "
            f"replace the value with NaN (missing)."
        )


def not_numbers(s: pd.Series, limit: int = 3) -> list:
    """``[(row label, value), ...]`` of the first cells of ``s`` that are present but are
    not numbers (``"forty"`` in an age column); empty when every present cell is one."""
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return []
    num = pd.to_numeric(s, errors="coerce")
    bad = s.notna() & num.isna()
    return list(zip(s.index[bad][:limit].tolist(), s[bad][:limit].tolist()))


def describe_not_numbers(s: pd.Series, name) -> str:
    """``"1 value(s) that are not numbers: 'forty' (row 5)"`` for an error message."""
    bad = not_numbers(s)
    n = int((s.notna() & pd.to_numeric(s, errors="coerce").isna()).sum())
    rows = ", ".join(f"{v!r} (row {r})" for r, v in bad)
    return f"column {name!r} has {n} value(s) that are not numbers: {rows}"


def check_number(value, name: str, *, low=None, high=None, integer: bool = False,
                 allow_none: bool = False):
    """A finite real scalar in ``[low, high]``; TypeError / ValueError naming ``name``."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"The '{name}' parameter must be a number; got {value!r} "
                        f"({type(value).__name__}).")
    if integer and not float(value).is_integer():
        raise ValueError(f"The '{name}' parameter must be a whole number; got {value!r}.")
    lo = -np.inf if low is None else low
    hi = np.inf if high is None else high
    if not np.isfinite(value) or not (lo <= value <= hi):
        raise ValueError(f"The '{name}' parameter must be a finite number in [{lo}, {hi}]; "
                         f"got {value!r}.")
    return int(value) if integer else value


# ------------------------------------------------------------------ ids and levels
def _key(v):
    """How an id or level prints: ``1``, ``1.0`` and ``"1"`` are the same key."""
    if isinstance(v, bool | np.bool_):
        return str(v)
    if isinstance(v, numbers.Real) and not isinstance(v, bool) and float(v).is_integer():
        return str(int(v))
    return str(v).strip()


def normalise_ids(ids, name: str = "id"):
    """Raise ``SchemaError`` if two ids are the same client written two ways (``1`` and
    ``"1"``, ``"C1"`` and ``"C1 "``); return ``ids`` unchanged otherwise."""
    values = pd.Index(ids)
    if values.dtype != object and not pd.api.types.is_string_dtype(values.dtype):
        return ids
    keys = pd.Series([_key(v) for v in values])
    dup = keys[keys.duplicated(keep=False)]
    if len(dup) and not values[dup.index].duplicated(keep=False).all():
        raw = [values[i] for i in dup.index[:4]]
        raise SchemaError(
            f"The id column {name!r} holds ids that differ only in type or spacing "
            f"({', '.join(repr(r) for r in raw)}): they would count as different clients. "
            f"Store the ids as one type, e.g. clients[{name!r}].astype(str).str.strip()."
        )
    return ids


def check_levels(s: pd.Series, name=None):
    """Raise ``SchemaError`` if a categorical column holds two values that print alike
    (``1`` and ``"1"``): they would become two levels shown as one."""
    name = s.name if name is None else name
    if s.dtype != object and not isinstance(s.dtype, pd.CategoricalDtype):
        return s  # one dtype (numbers, or strings): no two values print alike
    seen: dict = {}
    for v in pd.unique(s.dropna()):
        k = _key(v)
        if k in seen and seen[k] is not v and type(seen[k]) is not type(v):
            raise SchemaError(
                f"Column {str(name)!r} holds {seen[k]!r} and {v!r}, two levels that print "
                f"alike. Convert the column to one type, e.g. df[{str(name)!r}].astype(str)."
            )
        seen.setdefault(k, v)
    return s


def match_levels(s: pd.Series, levels) -> pd.Series:
    """Map values equal to a declared level up to case and surrounding spaces onto it
    (``"Female"`` onto a declared ``"female"``); other values are left as they are, for the
    caller's validation to report. Returns a new Series; ``s`` is not modified."""
    declared = {str(lv).strip().casefold(): lv for lv in levels}
    if len(declared) < len(list(levels)):  # levels differing only by case: leave alone
        return s

    def fix(v):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v in levels:
            return v
        return declared.get(str(v).strip().casefold(), v)

    return s.map(fix)


def looks_like_ids(s: pd.Series) -> bool:
    """True for a column that identifies rows: whole numbers (or strings), all distinct,
    at least 20 of them. Its median and quartiles would publish real ids."""
    present = s.dropna()
    if len(present) < 20 or present.nunique() != len(present):
        return False
    if pd.api.types.is_bool_dtype(s.dtype):
        return False
    if pd.api.types.is_integer_dtype(s.dtype):
        return True
    if pd.api.types.is_float_dtype(s.dtype):
        x = present.to_numpy(dtype=float)
        return bool(np.all(np.isfinite(x)) and np.all(x == np.round(x)))
    return s.dtype == object and all(isinstance(v, str) for v in present)


def check_reserved(names, reserved, what: str):
    """Raise ``ValueError`` if one of ``names`` is a reserved name (it would overwrite a
    column the package computes)."""
    clash = [n for n in names if str(n) in reserved]
    if clash:
        raise ValueError(
            f"The {what} {clash[0]!r} clashes with a column the package computes "
            f"({', '.join(sorted(reserved))} are reserved); rename it, e.g. "
            f"{str(clash[0]) + '_service'!r}."
        )
    return names


def check_flat_columns(df: pd.DataFrame, name: str = "data") -> pd.DataFrame:
    """Raise ``TypeError`` for MultiIndex columns (one level of names is needed)."""
    if isinstance(df.columns, pd.MultiIndex):
        raise TypeError(
            f"The '{name}' table has MultiIndex columns ({df.columns[0]!r}, ...); pass one "
            f"level of column names, e.g. df.columns = ['_'.join(map(str, c)) for c in "
            f"df.columns]."
        )
    return df


# ------------------------------------------------------------------ files
def read_table(path, what: str = "data", *, decimal: str = ".", thousands=None
               ) -> pd.DataFrame:
    """Read a CSV or Parquet data file with clear errors for files that are not tables.

    The CSV separator is the most frequent of ``,``, ``;`` and tab in the header line
    (``;`` with decimal commas, as spreadsheets in many European locales write). Repeated
    column names are refused (pandas would rename the second ``score`` to ``score.1``), and
    a text column whose values are numbers written with decimal commas or thousands
    separators is an error that names it and the option to pass (``decimal=","``,
    ``thousands="."``), rather than a numeric column left out as text.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"The {what} file {str(path)!r} was not found.")
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            return pd.read_parquet(path)
        except Exception as err:
            raise ValueError(f"The {what} file {str(path)!r} is not a readable Parquet file "
                             f"({type(err).__name__}: {err}).") from None
    head = path.open("rb").read(4096)
    if not head.strip():
        raise ValueError(f"The {what} file {str(path)!r} is empty; it needs a header row "
                         f"naming the columns and one row per record.")
    if b"\0" in head:
        raise ValueError(f"The {what} file {str(path)!r} is binary, not a CSV table; export "
                         f"the data as CSV (comma-separated, UTF-8) or Parquet.")
    header = head.decode("utf-8", errors="replace").splitlines()[0]
    sep = max((",", ";", "\t"), key=header.count)
    _check_header(header, sep, path, what)
    try:
        df = pd.read_csv(path, sep=sep, decimal=decimal, thousands=thousands)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as err:
        raise ValueError(f"The {what} file {str(path)!r} could not be read as a CSV table "
                         f"({type(err).__name__}: {str(err).splitlines()[0]}).") from None
    if df.shape[1] < 2:
        raise ValueError(f"The {what} file {str(path)!r} has {df.shape[1]} column(s) "
                         f"({', '.join(map(repr, map(str, df.columns[:3])))}); a data table "
                         f"needs comma-separated columns, one of them the id. Is it a CSV?")
    if df.shape[0] == 0:
        raise ValueError(f"The {what} file {str(path)!r} has a header but no rows.")
    _check_number_text(df, path, what, decimal, thousands)
    return df


def _check_header(header: str, sep: str, path, what: str) -> None:
    import csv

    names = next(csv.reader([header], delimiter=sep))
    names = [n.strip() for n in names]
    seen, dup = set(), []
    for n in names:
        if n in seen and n not in dup:
            dup.append(n)
        seen.add(n)
    if dup:
        raise ValueError(f"The {what} file {str(path)!r} repeats the column name(s) {dup}; "
                         "every column needs its own name (rename or drop the repeats).")


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d{1,3}(\.\d{3})*,\d+\s*$|^\s*[-+]?\d+,\d+\s*$")
_THOUSANDS_COMMA = re.compile(r"^\s*[-+]?\d{1,3}(,\d{3})+(\.\d+)?\s*$")


def _check_number_text(df, path, what, decimal, thousands) -> None:
    """A text column of numbers with decimal commas or thousands separators: say so."""
    for col in df.columns:
        s = df[col]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)):
            continue
        vals = s.dropna().astype(str)
        if len(vals) == 0:
            continue
        comma = vals.str.match(_DECIMAL_COMMA).mean()
        grouped = vals.str.match(_THOUSANDS_COMMA).mean()
        if decimal != "," and comma >= 0.9 and grouped < 0.9:
            raise ValueError(
                f"Column {col!r} of the {what} file {str(path)!r} holds numbers written with "
                f"decimal commas (e.g. {vals.iloc[0]!r}); read it with --decimal , (Python: "
                "decimal=\",\"), adding --thousands . if it also groups thousands with dots.")
        if thousands is None and grouped >= 0.9:
            raise ValueError(
                f"Column {col!r} of the {what} file {str(path)!r} holds numbers with thousands "
                f"separators (e.g. {vals.iloc[0]!r}); read it with --thousands , (Python: "
                "thousands=\",\").")


# ------------------------------------------------------------------ text and names
_TAG = re.compile(r"<(?=[A-Za-z/!?])")
_LINK = re.compile(r"\]\(")


def escape_markdown(text) -> str:
    """``text`` safe to place in Markdown: anything that would open an HTML tag
    (``<script``, ``<img``, ``</``, ``<!``) or a link (``](``) is escaped. Figures such as
    ``suppressed (<11)`` are unchanged."""
    text = str(text)
    return _LINK.sub(r"]\\(", _TAG.sub("&lt;", text))


_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")


def check_file_name(name, what: str = "figure name") -> str:
    """A plain file name (letters, digits, ``_ . -``), so that ``folder / name`` stays in
    ``folder`` (no ``/``, ``\\``, ``..``, drive or absolute path)."""
    s = str(name)
    if not _SAFE_NAME.match(s) or ".." in s:
        raise ValueError(
            f"The {what} {s!r} is not a plain file name; use letters, digits, '_', '.' and "
            f"'-' only (no folders, no '..'), e.g. 'model_selection'."
        )
    return s
