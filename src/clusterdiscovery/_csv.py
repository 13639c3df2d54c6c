"""The one CSV writer: formula injection escaped in every CSV the package writes.

Planners open the tables in spreadsheets, which run a cell that starts with ``=``, ``+``,
``-`` or ``@`` (or a tab or carriage return before one) as a formula: a team named
``=HYPERLINK("http://...")`` becomes a live link. Following the OWASP guidance on CSV
injection, every text cell, column name and index value that starts with one of these
characters is written with a leading single quote (``'=HYPERLINK(...)``), which spreadsheets
show as text. Numbers stay numbers: numeric columns are never touched, and a text cell that
is a plain number (``-1``, ``+2.5``) is left as it is (a spreadsheet reads it as that number,
not as a formula).

References
----------
OWASP Foundation. CSV Injection. https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["escape_cell", "safe_frame", "write_csv"]

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def escape_cell(value):
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(_TRIGGERS) \
            and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def _escape_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([_escape_index(level) for level in index.levels])
    if pd.api.types.is_numeric_dtype(index.dtype) or pd.api.types.is_bool_dtype(index.dtype):
        return index
    return index.map(escape_cell).rename(escape_cell(index.name))


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell, column name and index value escaped."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if not (isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object
                or pd.api.types.is_string_dtype(s.dtype)):
            continue
        values = s.tolist()
        escaped = [escape_cell(v) for v in values]
        if escaped != values:  # only then rewrite (object dtype, nothing else converted)
            out[col] = pd.Series(escaped, index=s.index, dtype=object)
    out.columns = _escape_index(out.columns)
    out.index = _escape_index(out.index)
    return out


def write_csv(df, path, **kwargs) -> None:
    """``df.to_csv(path, **kwargs)`` with formula injection escaped (``\\n`` line ends by
    default). ``df`` may be a Series."""
    if isinstance(df, pd.Series):
        df = df.to_frame()
    kwargs.setdefault("lineterminator", "\n")
    safe_frame(df).to_csv(path, **kwargs)
