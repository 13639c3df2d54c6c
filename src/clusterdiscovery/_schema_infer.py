"""Schema inference: propose a :class:`~clusterdiscovery.ClientSchema` for a bare client table.

:func:`infer_spec` (behind :meth:`ClientSchema.infer`) looks at each column's values,
never at its name, and proposes a role and a type:

========================  ===============================================================
what the column holds     proposal
========================  ===============================================================
one distinct value per    the client id (the first such text or integer column, or the
row, no missing value     one given as ``id``); other such columns are left out
datetime values, or text  a date column (ISO 8601, or the given ``date_format``)
that reads as dates
two distinct values       binary; the positive level is recognised for yes/no, y/n,
                          true/false and 1/0 (any case), else left for you to set
an ordered categorical    ordinal, levels in the categorical's order
whole numbers >= 0        count; or ordinal when ``ordinal_max_levels`` is given and the
                          values are at most that many consecutive integers (0..4)
few other numbers         ordinal (at most 10 distinct values, each held by 5 rows on
                          average: a coded rate, the log of a small count)
other numbers >= 0, with  continuous, ``zero_heavy`` (a two-part item in the latent class
at least 20% zeros        model: zero or not, then how much)
other numbers             continuous
text, few values          categorical (at most ``max_levels`` levels)
text, many values         left out (free text or codes), with a note
all missing or constant   left out, with a note
========================  ===============================================================

Columns named in ``costs`` are costs (numbers >= 0, per client), never features. Every guess
is listed in :attr:`SchemaInference.summary` (``schema.inference``) and written as a comment
beside its line by :meth:`ClientSchema.to_toml`, so the proposal can be checked and edited.

Examples
--------
>>> import pandas as pd
>>> from clusterdiscovery import ClientSchema
>>> df = pd.DataFrame({"pid": ["p1", "p2", "p3", "p4"], "smoker": ["No", "Yes", "No", "No"],
...                    "visits": [0, 3, 1, 0], "income": [0.55, 0.45, 0.9, 0.15],
...                    "region": ["north", "south", "north", "east"]})
>>> schema = ClientSchema.infer(df)
>>> schema.id, {c: s.type for c, s in schema.features.items()}
('pid', {'smoker': 'binary', 'visits': 'count', 'income': 'continuous', 'region': 'categorical'})
>>> schema.features["smoker"].positive
'Yes'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._checks import describe_not_numbers, looks_like_ids, not_numbers
from ._dates import _ISO, _SLASHED, check_date_format, parse_dates
from ._schema_spec import recognise_positive
from ._schema_toml import read_schema_toml
from ._utils import plain as _plain
from .exceptions import SchemaError

__all__ = ["infer_spec", "SchemaInference"]

#: text columns with more distinct values than this are left out (free text, codes)
MAX_LEVELS = 12


@dataclass(frozen=True)
class SchemaInference:
    """What :meth:`ClientSchema.infer` proposed for each column, and why.

    Attributes
    ----------
    summary : DataFrame
        One row per column of the table, in its order: ``column``, ``role`` (``"id"``,
        ``"feature"``, ``"cost"``, ``"date"`` or ``"left out"``), ``type`` (the feature
        type, else empty) and ``note`` (what was seen: values, range, why left out).
    n_rows : int
        Rows of the table looked at.
    """

    summary: pd.DataFrame
    n_rows: int

    def note(self, column: str) -> str | None:
        """The note on one column (None if the table had no such column)."""
        rows = self.summary.loc[self.summary["column"] == column, "note"]
        return None if rows.empty else str(rows.iloc[0])

    @property
    def left_out(self) -> pd.DataFrame:
        """The columns proposed for no role, with the reason."""
        return self.summary[self.summary["role"] == "left out"].reset_index(drop=True)

    def to_text(self) -> str:
        """The short report: one line per column."""
        s = self.summary
        width = max([len(str(c)) for c in s["column"]] + [6])
        lines = [f"Schema inferred from {self.n_rows:,} rows and {len(s)} columns "
                 f"(check it: clusterdiscovery schema CLIENTS.csv > schema.toml, then edit):"]
        for row in s.itertuples(index=False):
            kind = row.type if row.role == "feature" else row.role
            lines.append(f"  {str(row.column):<{width}}  {kind:<11}  {row.note}")
        return "\n".join(lines)

    __str__ = to_text

    def _repr_html_(self) -> str:
        return (f"<p>Schema inferred from {self.n_rows:,} rows</p>"
                + self.summary.to_html(index=False, escape=True))


def _fmt(v) -> str:
    v = _plain(v)
    if isinstance(v, float):
        return f"{v:.6g}"
    return repr(v) if isinstance(v, str) else str(v)


def _names(value, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, Sequence):
        raise TypeError(f"The '{what}' parameter must be a list of column names; got "
                        f"{type(value).__name__}.")
    return [str(v) for v in value]


def infer_spec(df: pd.DataFrame, id=None, *, costs=(), exclude=(), date_format=None,
               max_levels: int = MAX_LEVELS, ordinal_max_levels: int | None = None,
               overrides=None) -> tuple[dict, SchemaInference]:
    """Propose a schema for ``df`` (see the module notes): the specification that
    :meth:`ClientSchema.from_dict <clusterdiscovery.ClientSchema.from_dict>` reads, and what
    was seen per column. :meth:`ClientSchema.infer <clusterdiscovery.ClientSchema.infer>`
    makes the schema from them.

    Parameters
    ----------
    df : DataFrame
        The client table, one row per client. Never modified.
    id : str, optional
        The client id column (or the index's name). Default: the first column (the index
        first) whose values are unique per row with none missing and that holds text or
        whole numbers; with none, the rows are numbered (``row``).
    costs : list of str, or "a,b"
        Cost or utilisation columns (numbers >= 0): costs of the schema, never features.
    exclude : list of str
        Columns to leave out.
    date_format : str, optional
        ``strptime`` format of date columns not written in ISO 8601 (e.g. ``"%d/%m/%Y"``).
    max_levels : int, default 12
        Text columns with more distinct values are left out (free text or codes).
    ordinal_max_levels : int, optional
        When given, whole-number columns holding at most this many consecutive values
        (e.g. 0..4) are ordinal scales instead of counts.
    overrides : dict or str or Path, optional
        A partial schema (dict, or a TOML file read like :meth:`ClientSchema.from_toml`)
        laid over the proposal: a feature's ``label``, ``unit``, ``labels``, ``positive``,
        ``higher_is`` and ``section`` are added to the inferred spec (a ``type`` replaces
        it); top-level keys (``id``, ``costs``, ``sections``, ``currency``, ...) replace the
        inferred ones.

    Returns
    -------
    spec : dict
        The proposed schema as a plain dictionary (``ClientSchema.from_dict`` checks it).
    inference : SchemaInference
        Every guess, one row per column (``schema.inference`` of the inferred schema).

    Raises
    ------
    TypeError
        If ``df`` is not a DataFrame.
    SchemaError
        A named column (``id``, ``costs``, ``exclude``, an override) that is not in the
        table, listing the columns; a cost that is not numeric; an empty table.
    """
    table, columns, date_format = _check_table(df, date_format, max_levels, ordinal_max_levels)
    if id is not None and not isinstance(id, str):
        raise TypeError(f"The 'id' parameter must be a column name; got {id!r}.")
    costs, exclude = _names(costs, "costs"), _names(exclude, "exclude")
    over = _read_overrides(overrides)
    for what, names in (("costs", costs), ("exclude", exclude),
                        ("id", [id] if id is not None else [])):
        missing = [c for c in names if c not in columns]
        if missing:
            raise SchemaError(
                f"The '{what}' option names {missing}, which {'is' if len(missing) == 1 else 'are'}"
                f" not a column of the table; choose from {columns}."
            )

    rows: list[tuple[str, str, str, str]] = []
    id_col = id if id is not None else over.get("id")
    if id_col is not None and id_col not in columns:
        raise SchemaError(f"The id column {id_col!r} is not a column of the table; choose from "
                          f"{columns}.")
    id_col, features, cost_cols, dates, notes = _propose_columns(
        table, columns, id_col, costs, exclude, over, date_format, max_levels,
        ordinal_max_levels)
    if id_col is None:
        id_col = next(n for n in ("row", "row_id", "row_number", "_row")
                      if n not in columns)
        rows_note = (f"no column is unique per row: the rows are numbered and the numbers "
                     f"used as ids ('{id_col}')")
    else:
        rows_note = None
    for col in columns:
        role, kind, note = notes[col]
        if role == "id" and col != id_col:  # a second unique column: not a feature either
            role, note = "left out", note.replace("; taken as the client id", "")
        rows.append((col, role, kind, note))
    if rows_note:
        rows.insert(0, (id_col, "id", "", rows_note))
    spec = {"id": id_col, "features": features, "costs": cost_cols, "dates": dates}
    if date_format is not None and dates:
        spec["date_format"] = date_format
    spec = _overlay(spec, over, columns)
    _note_overrides(rows, notes, spec, over)
    summary = pd.DataFrame(rows, columns=["column", "role", "type", "note"])
    return spec, SchemaInference(summary, int(len(table)))


def _check_table(df, date_format, max_levels, ordinal_max_levels):
    """The table (its index as a column when it may be the id, columns named as text), its
    column names and the checked ``date_format``; the options checked."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"ClientSchema.infer expects a pandas DataFrame; got "
                        f"{type(df).__name__}.")
    if df.shape[0] == 0:
        raise SchemaError("The client table is empty (0 rows); there is nothing to infer.")
    if df.columns.duplicated().any():
        dup = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise SchemaError(f"Column name(s) {dup} appear more than once; rename them.")
    if isinstance(max_levels, bool) or not isinstance(max_levels, int | np.integer) \
            or max_levels < 2:
        raise ValueError(f"The 'max_levels' parameter must be an int >= 2; got {max_levels!r}.")
    if ordinal_max_levels is not None and (
            isinstance(ordinal_max_levels, bool)
            or not isinstance(ordinal_max_levels, int | np.integer) or ordinal_max_levels < 3):
        raise ValueError(f"The 'ordinal_max_levels' parameter must be None or an int >= 3; "
                         f"got {ordinal_max_levels!r}.")
    date_format = check_date_format(date_format)
    table = df
    index_name = df.index.name
    if index_name is not None and index_name not in df.columns:
        table = df.reset_index()  # the index may be the id: look at it as a column
    columns = [str(c) for c in table.columns]
    if len(set(columns)) != len(columns):
        raise SchemaError(f"Column names {columns} repeat once read as text; rename them.")
    return table.set_axis(columns, axis=1), columns, date_format


def _propose_columns(table, columns, id_col, costs, exclude, over, date_format, max_levels,
                     ordinal_max_levels):
    """A role per column: ``(id_col, features, costs, dates, notes)``, ``notes`` holding
    ``(role, type, note)`` per column; ``id_col`` the first id-like column when none given
    (None when there is none)."""
    features: dict[str, dict] = {}
    cost_cols: list[str] = []
    dates: list[str] = []
    notes: dict[str, tuple[str, str, str]] = {}
    for col in columns:
        s = table[col]
        if col in exclude:
            notes[col] = ("left out", "", "excluded (the 'exclude' option)")
            continue
        if col == id_col:
            _check_id(s, col)
            notes[col] = ("id", "", _id_note(s))
            continue
        if col in costs:
            _check_cost(s, col)
            cost_cols.append(col)
            notes[col] = ("cost", "", _range_note(s))
            continue
        if _id_like(s) and not _date_text(s, date_format):  # an id, never a feature
            if id_col is None:
                id_col = col
                notes[col] = ("id", "", _id_note(s) + "; taken as the client id")
            else:
                notes[col] = ("left out", "", _id_note(s) + ": id-like, not a feature")
            continue
        if not isinstance(over.get("features"), Mapping) or col not in over["features"]:
            _check_stray_text(s, col)
        if s.isna().any() and looks_like_ids(s):  # an id with blanks: never a count
            notes[col] = ("left out", "", f"id-like (distinct whole numbers or codes) with "
                          f"{int(s.isna().sum()):,} blank(s): not clustered on; fill the "
                          "blanks and pass it as the id, or exclude it")
            continue
        role, kind, spec, note = _infer_column(s, col, date_format, max_levels,
                                               ordinal_max_levels)
        notes[col] = (role, kind, note)
        if role == "feature":
            features[col] = spec
        elif role == "date":
            dates.append(col)
    return id_col, features, cost_cols, dates, notes


def _note_overrides(rows: list, notes: dict, spec: dict, over: dict) -> None:
    """Say in ``rows`` (in place) which features the schema file declared or added to."""
    given = over.get("features", {}) if isinstance(over.get("features"), Mapping) else {}
    for col in spec["features"]:
        i = next((i for i, r in enumerate(rows) if r[0] == col), None)
        if i is None:
            continue
        if notes[col][0] != "feature":  # an override made it a feature
            rows[i] = (col, "feature", _type_of(spec["features"][col]),
                       "declared in the schema file")
        elif col in given:
            keys = ", ".join(given[col]) if isinstance(given[col], Mapping) else "type"
            note = rows[i][3]
            if isinstance(given[col], Mapping) and "positive" in given[col]:
                note = note.split("; no positive level recognised")[0]
            rows[i] = (col, "feature", _type_of(spec["features"][col]),
                       f"{note}; from the schema file: {keys}")


def _type_of(spec) -> str:
    return spec if isinstance(spec, str) else spec.get("type", "") if isinstance(
        spec, Mapping) else str(spec[0])


def _read_overrides(overrides) -> dict:
    if overrides is None:
        return {}
    if not isinstance(overrides, Mapping):
        return read_schema_toml(overrides)
    doc = dict(overrides)
    if "schema" in doc and isinstance(doc["schema"], Mapping):
        doc = dict(doc["schema"])
    return doc


def _overlay(spec: dict, over: dict, columns: list[str]) -> dict:
    """Lay the user's partial schema over the inferred one."""
    out = dict(spec)
    for key, value in over.items():
        if key == "features":
            if not isinstance(value, Mapping):
                raise SchemaError("The schema's 'features' must be a table {column = spec}.")
            feats = dict(out["features"])
            for col, fspec in value.items():
                col = str(col)
                if col not in columns:
                    raise SchemaError(
                        f"The schema file names feature '{col}', which is not a column of the "
                        f"table; choose from {columns}."
                    )
                if isinstance(fspec, Mapping) and "type" not in fspec and col in feats:
                    base = feats[col]
                    base = dict(base) if isinstance(base, Mapping) else {"type": base}
                    feats[col] = {**base, **fspec}
                elif isinstance(fspec, Mapping) and "type" not in fspec:
                    raise SchemaError(
                        f"The schema file gives '{col}' no 'type' and it was not inferred as a "
                        f"feature ({'the id' if col == out['id'] else 'left out'}); give its "
                        f"type, e.g. {col} = {{type = \"categorical\"}}."
                    )
                else:
                    feats[col] = fspec
            out["features"] = feats
        else:
            out[key] = value
    # a column the overrides give another role is no longer a feature (or a date)
    for role in ("id", "team", "weight", "costs", "dates"):
        if role not in over:
            continue
        names = over[role]
        names = [names] if isinstance(names, str) else list(names)
        missing = [c for c in names if c not in columns]
        if missing:
            raise SchemaError(
                f"The schema file's {role} {missing} {'is' if len(missing) == 1 else 'are'} not "
                f"a column of the table; choose from {columns}."
            )
        out["features"] = {k: v for k, v in out["features"].items() if k not in names}
        if role != "dates":
            out["dates"] = [d for d in out["dates"] if d not in names]
    return out


def _id_like(s: pd.Series) -> bool:
    if s.isna().any() or len(s) < 2:
        return False
    if not (pd.api.types.is_integer_dtype(s) or pd.api.types.is_object_dtype(s)
            or pd.api.types.is_string_dtype(s)):
        return False
    return bool(s.is_unique)


def _check_stray_text(s: pd.Series, col: str) -> None:
    """A column of numbers with a few words in it ('forty' among ages) is refused by name
    and row, rather than read as text and described as categories."""
    if not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)):
        return
    present = s.dropna()
    present = present[present.astype(str).str.strip() != ""]
    if len(present) < 20:
        return
    bad = not_numbers(present)
    share = 1 - (pd.to_numeric(present, errors="coerce").isna().mean())
    if bad and share >= 0.9:
        raise SchemaError(
            f"Column {col!r} holds numbers but {describe_not_numbers(present, col)}. Correct "
            "or blank those cells, or declare the column's type in the overrides (e.g. "
            f'{col} = {{type = "categorical"}}).')


def _check_id(s: pd.Series, col: str) -> None:
    """The named id column must identify every row once: no blank, no repeat."""
    blank = s.isna() | (s.astype(str).str.strip() == "")
    if blank.any():
        rows = [str(r) for r in s.index[blank][:3]]
        raise SchemaError(
            f"The id column {col!r} has {int(blank.sum()):,} blank value(s) (rows {rows}); "
            "every client needs an id. Fill them, drop those rows, or choose another column.")
    dup = s.duplicated(keep=False)
    if dup.any():
        values = pd.unique(s[dup])
        raise SchemaError(
            f"The id column {col!r} is not unique per row: {len(values):,} value(s) repeat "
            f"({int(dup.sum()):,} rows), e.g. {[_plain(v) for v in values[:3]]}. An id "
            "identifies one client: choose another column (or none, to number the rows), or "
            "keep one row per client.")


def _id_note(s: pd.Series) -> str:
    return f"unique per row ({s.nunique():,} distinct values)"


def _check_cost(s: pd.Series, col: str) -> None:
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        raise SchemaError(
            f"Cost column '{col}' must hold numbers (money or counts) but has dtype {s.dtype}; "
            f"convert it with pandas.to_numeric or leave it out of 'costs'."
        )


def _range_note(s: pd.Series) -> str:
    v = s.dropna()
    if v.empty:
        return "entirely missing"
    return f"numbers {_fmt(v.min())}..{_fmt(v.max())}"


def _missing_note(s: pd.Series) -> str:
    n = int(s.isna().sum())
    return "" if n == 0 else f"; {n / len(s):.0%} missing"


#: a non-integer numeric column with at most this many distinct values (each held by five
#: rows on average) is ordinal (a Gaussian on four values puts a class on one of them)
FEW_VALUES = 10
#: a non-integer column >= 0 with at least this share of exact zeros (and more than
#: FEW_VALUES values) is zero-heavy: a two-part item in the latent class model
ZERO_HEAVY = 0.2


def _infer_column(s, col, date_format, max_levels, ordinal_max_levels):
    """(role, type, spec, note) of one column."""
    present = s.dropna()
    if isinstance(s.dtype, pd.CategoricalDtype):
        present = present.astype(object)
    miss = _missing_note(s)
    if present.empty:
        return "left out", "", None, "entirely missing"
    if pd.api.types.is_datetime64_any_dtype(s) or isinstance(s.dtype, pd.DatetimeTZDtype):
        return "date", "", None, f"dates {present.min().date()}..{present.max().date()}{miss}"
    n_distinct = present.nunique()
    if n_distinct < 2:
        return "left out", "", None, f"constant (every value is {_fmt(present.iloc[0])})"
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = [_plain(c) for c in s.cat.categories]
        if s.cat.ordered:
            return ("feature", "ordinal", {"type": "ordinal", "levels": cats},
                    f"ordered categorical, {len(cats)} levels{miss}")
        if len(cats) == 2:
            return _binary(cats, miss)
        return ("feature", "categorical", {"type": "categorical", "levels": cats},
                f"categorical, {len(cats)} levels{miss}")
    if pd.api.types.is_bool_dtype(s) or (s.dtype == object and present.map(
            lambda v: isinstance(v, bool | np.bool_)).all()):
        # no declared levels: True/False read as 1/0 everywhere downstream
        return ("feature", "binary", {"type": "binary", "positive": True},
                f"True / False; positive level True{miss}")
    if pd.api.types.is_numeric_dtype(s):
        values = present.to_numpy(dtype=float)
        if not np.isfinite(values).all():
            return "left out", "", None, "holds infinite values; replace them with NaN"
        levels = sorted(_plain(v) for v in pd.unique(present))
        whole = bool(np.all(np.mod(values, 1) == 0))
        if n_distinct == 2:
            if whole:
                levels = [int(v) for v in levels]
            return _binary(levels, miss)
        lo, hi = values.min(), values.max()
        if whole and lo >= 0:
            if (ordinal_max_levels is not None and n_distinct <= ordinal_max_levels
                    and hi - lo + 1 == n_distinct):
                scale = list(range(int(lo), int(hi) + 1))
                return ("feature", "ordinal", {"type": "ordinal", "levels": scale},
                        f"whole numbers {int(lo)}..{int(hi)}: a {n_distinct}-point scale{miss}")
            return ("feature", "count", {"type": "count", "min": 0},
                    f"whole numbers {int(lo)}..{int(hi)}{miss}")
        if not whole and n_distinct <= FEW_VALUES and len(present) >= 5 * n_distinct:
            # a coded rate, a log of a small count: each value held by many clients
            return ("feature", "ordinal", {"type": "ordinal", "levels": levels},
                    f"{n_distinct} distinct numbers {_fmt(lo)}..{_fmt(hi)}: ordered levels, "
                    f"not a continuous measure{miss}")
        zeros = float(np.mean(values == 0))
        if lo == 0 and zeros >= ZERO_HEAVY and not whole:
            # a gaussian class would sit on the zeros: measured as zero / how much above
            return ("feature", "continuous", {"type": "continuous", "zero_heavy": True},
                    f"numbers {_fmt(lo)}..{_fmt(hi)}, {zeros:.0%} exactly zero: a two-part "
                    f"measure (zero or not, then how much){miss}")
        return ("feature", "continuous", {"type": "continuous"},
                f"numbers {_fmt(lo)}..{_fmt(hi)}{miss}")
    # text
    text = present.map(lambda v: v.strip() if isinstance(v, str) else v)
    if text.map(lambda v: isinstance(v, str)).all() and _looks_like_dates(text, date_format):
        try:
            parsed = parse_dates(s, col, date_format=date_format,
                                 fix="pass date_format {fmt} (--date-format on the command line)")
        except SchemaError as exc:
            return "left out", "", None, f"looks like dates but cannot be read: {exc}"
        p = parsed.dropna()
        return "date", "", None, f"dates {p.min().date()}..{p.max().date()}{miss}"
    n_distinct = text.nunique()
    if n_distinct == 2:
        return _binary(sorted(pd.unique(text), key=str), miss)
    if n_distinct <= max_levels:
        levels = sorted(pd.unique(text), key=str)
        shown = ", ".join(_fmt(v) for v in levels[:6]) + (", ..." if len(levels) > 6 else "")
        return ("feature", "categorical", {"type": "categorical", "levels": list(levels)},
                f"text, {n_distinct} levels: {shown}{miss}")
    return ("left out", "", None,
            f"text with {n_distinct:,} distinct values (free text or codes?): more than "
            f"max_levels = {max_levels}; recode it into a few levels to use it")


def _binary(levels, miss):
    levels = [_plain(v) for v in levels]
    positive = recognise_positive(levels)
    spec = {"type": "binary", "levels": levels}
    shown = " / ".join(_fmt(v) for v in levels)
    if positive is not None:
        spec["positive"] = positive
        note = f"two values {shown}; positive level {_fmt(positive)} recognised{miss}"
    else:
        note = (f"two values {shown}; no positive level recognised: set positive = the level "
                f"that means present{miss}")
    return "feature", "binary", spec, note


def _date_text(s: pd.Series, date_format) -> bool:
    """Whether a text column's values look like dates (then it is not an id)."""
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return False
    text = s.dropna()
    return bool(text.map(lambda v: isinstance(v, str)).all()) and _looks_like_dates(
        text.map(str.strip), date_format)


_DATE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([T ].*)?")


def _looks_like_dates(text: pd.Series, date_format) -> bool:
    if date_format is not None:
        try:
            pd.to_datetime(text.head(50), format=date_format)
            return True
        except (ValueError, TypeError):
            pass
    sample = text.head(200)
    return bool(sample.map(lambda v: _ISO.fullmatch(v) is not None
                           or _SLASHED.fullmatch(v) is not None
                           or _DATE_LIKE.fullmatch(v) is not None).all())
