"""The TOML reader and the one TOML writer of :class:`~clusterdiscovery.ClientSchema`
(``ClientSchema.from_toml``, ``schema.to_toml``).

The file is meant to be edited: one line per column with a comment above it saying what the
column is (and, for an inferred schema, what was seen in the data), the columns left out
listed as comments that can be uncommented, and a header listing the keys each column may
carry. :meth:`ClientSchema.from_toml` reads it back to the same schema.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping

import numpy as np

from ._utils import read_toml
from .exceptions import SchemaError

__all__ = ["read_schema_toml", "schema_to_toml"]

_HEADER = """\
# Each feature may carry: label (display name), unit, labels (level labels), positive (the
# level of a binary that means "present"), higher_is ("worse", "better" or "neutral") and
# section (one of sections). Costs and outcomes may carry label, unit, higher_is, section."""


def _toml_value(value) -> str:
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return repr(float(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}"
                               for k, v in value.items()) + "}"
    raise TypeError(f"Cannot write {value!r} ({type(value).__name__}) to TOML.")


def _toml_key(key) -> str:
    key = str(key)
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)


def _comment(text: str) -> list[str]:
    """A comment of one or more lines of at most about 95 characters (never breaking the
    TOML with a newline)."""
    lines = textwrap.wrap(" ".join(str(text).split()), width=95) or [""]
    return [f"# {line}" for line in lines]


def _describe(spec) -> str:
    """What a feature is, in a few words, from its spec."""
    kind = spec.type
    if kind == "ordinal":
        text = f"ordinal, {len(spec.levels)} levels, lowest first"
    elif kind == "categorical":
        text = "categorical" + (f", {len(spec.levels)} levels" if spec.levels else "")
    elif kind == "binary":
        pos = spec.positive_level()
        text = ("binary, positive level " + _toml_value(pos) if pos is not None
                else "binary: set positive = the level that means present")
    elif kind == "count":
        text = "count (whole numbers >= 0)"
    else:
        text = "continuous"
    if spec.zero_heavy:
        text += "; many zeros (a two-part item: zero or not, then how much)"
    if spec.higher_is:
        text += f"; higher is {spec.higher_is}"
    return text


def schema_to_toml(schema, *, source: str | None = None) -> str:
    """TOML text of ``schema`` that :meth:`ClientSchema.from_toml` reads back.

    Parameters
    ----------
    schema : ClientSchema
    source : str, optional
        The table the schema describes (named in the first line).
    """
    spec = schema.to_dict()
    inference = getattr(schema, "inference", None)
    title = f"ClientSchema of {source}" if source else "ClientSchema"
    lines = [f"# {title} (read with ClientSchema.from_toml)"]
    if inference is not None:
        lines += _comment(
            f"Proposed by ClientSchema.infer from {inference.n_rows:,} rows: check every line, "
            f"then add labels, units, directions and sections."
        )
    lines.append(_HEADER)

    def note(col):
        return None if inference is None else inference.note(col)

    for key in ("id", "team", "costs", "dates", "date_format", "currency", "weight",
                "sections"):
        if key not in spec:
            continue
        if key == "id" and note(spec["id"]):
            lines += _comment(f"{spec['id']}: {note(spec['id'])}")
        for col in (spec[key] if key in ("costs", "dates") else []):
            if note(col):
                lines += _comment(f"{col}: {note(col)}")
        lines.append(f"{key} = {_toml_value(spec[key])}")
    lines += ["", "[features]"]
    for col, fspec in spec["features"].items():
        feature = schema.features[col]
        lines += _comment(f"{feature.label or col}: {note(col) or _describe(feature)}")
        lines.append(f"{_toml_key(col)} = {_toml_value(fspec)}")
    if inference is not None and not inference.left_out.empty:
        lines += ["", "# Left out (uncomment and correct a line to use the column):"]
        for row in inference.left_out.itertuples(index=False):
            lines += _comment(f"{row.column}: {row.note}")
            lines.append(f"# {_toml_key(row.column)} = \"categorical\"")
    lines += ["", "[outcomes]"]
    lines += [f"{_toml_key(name)} = {_toml_value(pair)}"
              for name, pair in spec["outcomes"].items()]
    return "\n".join(lines) + "\n"


def read_schema_toml(path) -> dict:
    """The schema table of a TOML file (top-level keys, or a ``[schema]`` table), unchecked."""
    doc = read_toml(path, "Schema file", SchemaError)
    if "schema" in doc and isinstance(doc["schema"], Mapping):
        doc = doc["schema"]
    return dict(doc)
