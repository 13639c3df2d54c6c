"""A study on a bare client table: infer its schema, read its dates, say what was inferred.

Used by :func:`discover` when it is given a DataFrame without a schema (``data=df``), or a
configured client file without a schema file, and by ``clusterdiscovery discover --clients``.
"""

from __future__ import annotations

import pandas as pd

from .._dates import parse_dates
from ..schema import ClientSchema

__all__ = ["infer_study_schema", "read_schema_dates", "with_date_format", "with_id_index",
           "inferred_note"]


def infer_study_schema(clients: pd.DataFrame, cfg: dict, *, costs=(), overrides=None,
                       ordinal_max_levels=None) -> ClientSchema:
    """The schema :meth:`ClientSchema.infer` proposes for ``clients`` under the study's
    ``[data] id`` and ``date_format`` settings."""
    d = cfg["data"]
    return ClientSchema.infer(clients, id=d.get("id"), costs=costs,
                              date_format=d.get("date_format"), overrides=overrides,
                              ordinal_max_levels=ordinal_max_levels)


def with_date_format(schema: ClientSchema, date_format) -> ClientSchema:
    """``schema`` with ``date_format`` set where it has none (the study's setting applies to
    every date the study reads)."""
    if date_format is None or schema.date_format is not None or not schema.dates:
        return schema
    out = ClientSchema.from_dict({**schema.to_dict(), "date_format": date_format})
    object.__setattr__(out, "inference", schema.inference)
    return out


def read_schema_dates(clients: pd.DataFrame, schema: ClientSchema) -> pd.DataFrame:
    """A copy of ``clients`` with the schema's date columns parsed by the package's one date
    parser (ISO 8601 or the schema's ``date_format``) and True/False binary features as 1/0
    (as the model file stores them); the input is not modified. Nothing is coerced to
    missing: a value that is not a date is an error naming the column."""
    todo = [c for c in schema.dates if c in clients.columns
            and not pd.api.types.is_datetime64_any_dtype(clients[c])]
    flags = [c for c, f in schema.features.items() if f.type == "binary"
             and c in clients.columns and pd.api.types.is_bool_dtype(clients[c])]
    if not todo and not flags:
        return clients
    out = clients.copy()
    for col in todo:
        out[col] = parse_dates(clients[col], col, table="client", date_format=schema.date_format,
                               fix="set the schema's date_format = {fmt} (or --date-format)")
    for col in flags:
        out[col] = clients[col].astype("int64")
    return out


def with_id_index(clients: pd.DataFrame, schema: ClientSchema) -> pd.DataFrame:
    """Where the schema numbered the rows (no id column), name the index after its id."""
    if schema.id in clients.columns or clients.index.name == schema.id:
        return clients
    return clients.rename_axis(schema.id)


def inferred_note(schema: ClientSchema) -> str:
    """One line for the study record: what the inferred schema holds."""
    s = schema.inference.summary
    kinds = s.loc[s["role"] == "feature", "type"].value_counts()
    feats = ", ".join(f"{n} {k}" for k, n in kinds.items())
    out = s.loc[s["role"] == "left out", "column"].tolist()
    text = (f"inferred from the data (ClientSchema.infer): id '{schema.id}'; "
            f"{len(schema.features)} features ({feats})")
    if schema.costs:
        text += f"; costs {list(schema.costs)}"
    if schema.dates:
        text += f"; dates {list(schema.dates)}"
    if out:
        text += f"; left out {out}"
    return text
