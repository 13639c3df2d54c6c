"""Write a :class:`Population` to CSV files and read the committed sample back."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from .._checks import match_levels
from .._dates import parse_dates
from ..exceptions import SchemaError
from ..schema import ClientSchema
from ._levels import DATE_UNIT
from ._population import Population
from ._resources import package_data_dir

__all__ = ["load_sample", "write_population", "default_sample_dir", "SAMPLE_FILES"]

SAMPLE_SEED = 2024
SAMPLE_CLIENTS = 3000
SAMPLE_CLUSTERS = 6
#: write events as gzip when the plain CSV would be larger than this (bytes)
GZIP_ABOVE = 15_000_000
SAMPLE_FILES = ("clients.csv", "events.csv", "assignments.csv", "teams.csv",
                "true_labels.csv", "schema.toml")
_REGENERATE = "python -m clusterdiscovery.datasets.make_sample"
_CSV = {"index": False, "lineterminator": "\n", "date_format": "%Y-%m-%d"}


def default_sample_dir() -> Path:
    """The sample shipped with the package: ``clusterdiscovery/data/sample`` (package data,
    read with :mod:`importlib.resources`)."""
    return package_data_dir("sample")


# ------------------------------------------------------------------------------ writing
def write_population(pop: Population, out) -> list[Path]:
    """Write ``pop`` as the sample files in directory ``out`` (created if needed).

    Returns the paths written. Events go to ``events.csv.gz`` instead of ``events.csv``
    when the plain file would exceed about 15 MB.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []

    def put(name, text):
        path = out / name
        path.write_bytes(text.encode("utf-8"))
        written.append(path)

    put("clients.csv", pop.clients.to_csv(**{**_CSV, "index": True}))
    events = pop.events.to_csv(**_CSV)
    if len(events) > GZIP_ABOVE:
        path = out / "events.csv.gz"
        pop.events.to_csv(path, compression={"method": "gzip", "mtime": 0}, **_CSV)
        written.append(path)
        (out / "events.csv").unlink(missing_ok=True)
    else:
        put("events.csv", events)
        (out / "events.csv.gz").unlink(missing_ok=True)
    put("assignments.csv", pop.assignments.to_csv(**_CSV))
    put("teams.csv", pop.teams.to_csv(**_CSV))
    labels = pop.true_labels.to_frame()
    labels["subgroup_name"] = labels["true_cluster"].map(pop.subgroup_names)
    put("true_labels.csv", labels.to_csv(**{**_CSV, "index": True}))
    put("schema.toml", pop.schema.to_toml(source="clients.csv"))
    return written


# ------------------------------------------------------------------------------ reading
def _read(path: Path, **kwargs) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False,
                       na_values=[""], **kwargs)


def _dates(s: pd.Series, column: str, table: str) -> pd.Series:
    return parse_dates(s, column, table=table, date_format="%Y-%m-%d").astype(DATE_UNIT)


def _typed_clients(raw: pd.DataFrame, schema: ClientSchema) -> pd.DataFrame:
    out = {}
    for col in raw.columns:
        spec = schema.features.get(col)
        s = raw[col]
        if spec is not None and spec.type == "categorical":
            s = match_levels(s.astype(object), list(spec.levels))  # "Female" -> "female"
            bad = s.notna() & ~s.isin(list(spec.levels))
            if bad.any():
                raise SchemaError(
                    f"Column {col!r} of clients.csv has value(s) "
                    f"{sorted(map(str, pd.unique(s[bad])))[:5]} outside the levels declared in "
                    f"schema.toml {list(spec.levels)}; recode them or declare the levels.")
            out[col] = pd.Categorical(s, categories=list(spec.levels))
        elif spec is not None and spec.type in ("binary", "count"):
            out[col] = s.astype(np.int64)
        elif col in schema.dates:
            out[col] = _dates(s, col, "clients.csv")
        elif col == schema.team:
            out[col] = s.astype("str")
        else:
            out[col] = s.astype(float)
    return pd.DataFrame(out, index=raw.index)


def load_sample(path=None) -> Population:
    """Read the sample population shipped with the package (or from ``path``).

    Parameters
    ----------
    path : str or Path, optional
        Directory holding ``clients.csv``, ``events.csv`` (or ``events.csv.gz``),
        ``assignments.csv``, ``teams.csv``, ``true_labels.csv`` and ``schema.toml``.
        Default: the package data folder ``clusterdiscovery/data/sample``.

    Returns
    -------
    Population
        With the dtypes of :func:`make_client_population` (dates parsed, categorical
        levels from ``schema.toml``, ``client_id`` index).

    Raises
    ------
    FileNotFoundError
        If the directory or a file is missing, with the command that regenerates them.

    Examples
    --------
    >>> from clusterdiscovery.datasets import load_sample
    >>> pop = load_sample()
    >>> pop.clients.shape
    (3000, 32)
    """
    if path is not None and not isinstance(path, str | PathLike):
        raise TypeError(
            f"The 'path' parameter must be a folder path (str or Path); got "
            f"{type(path).__name__}."
        )
    folder = default_sample_dir() if path is None else Path(path)
    events_path = folder / "events.csv"
    if not events_path.is_file() and (folder / "events.csv.gz").is_file():
        events_path = folder / "events.csv.gz"
    needed = [folder / f for f in SAMPLE_FILES if f != "events.csv"] + [events_path]
    missing = [p.name for p in needed if not p.is_file()]
    if missing:
        raise FileNotFoundError(
            f"Sample data not found in {folder} (missing: {', '.join(missing)}). "
            f"Regenerate it with `{_REGENERATE}` (from a source checkout), or pass "
            f"path= pointing at a folder made by that command."
        )
    schema = ClientSchema.from_toml(folder / "schema.toml")
    text = {schema.id: "str", schema.team: "str"}
    raw = _read(folder / "clients.csv", dtype=text).set_index(schema.id)
    clients = _typed_clients(raw, schema)
    clients.index = pd.Index(clients.index.astype("str"), name=schema.id)

    events = _read(events_path, dtype={"client_id": "str", "service": "str", "team": "str",
                                       "cost": float})
    events["date"] = _dates(events["date"], "date", "events.csv")
    assignments = _read(folder / "assignments.csv",
                        dtype={"client_id": "str", "cluster": np.int64, "team": "str"})
    assignments["assigned_on"] = _dates(assignments["assigned_on"], "assigned_on",
                                        "assignments.csv")
    teams = _read(folder / "teams.csv", dtype="str")
    labels = _read(folder / "true_labels.csv",
                   dtype={"client_id": "str", "true_cluster": np.int64,
                          "subgroup_name": "str"})
    names = dict(zip(labels["true_cluster"].tolist(), labels["subgroup_name"].tolist()))
    true_labels = pd.Series(labels["true_cluster"].to_numpy(),
                            index=pd.Index(labels["client_id"], name="client_id"),
                            name="true_cluster")
    return Population(
        clients=clients,
        events=events[["client_id", "date", "service", "team", "cost"]],
        assignments=assignments[["client_id", "cluster", "assigned_on", "team"]],
        teams=teams,
        true_labels=true_labels,
        subgroup_names=dict(sorted(names.items())),
        schema=schema,
    )
