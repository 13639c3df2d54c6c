"""The data stage of :func:`~clusterdiscovery.discover`: read and validate the inputs."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import pandas as pd

from ..schema import ClientSchema
from ._bare import infer_study_schema, read_schema_dates, with_date_format, with_id_index
from ._contracts import StageData
from ._outcomes import declare_outcomes

__all__ = ["data_stage"]


def data_stage(cfg, data) -> StageData:
    """Read the clients, events and schema (``data``, else the configured files, else the
    sample), parse the schema's dates, validate the client table against its schema, index it
    by the id, and declare the ``[outcomes]``."""
    clients, events, schema = _read_data(cfg, data)
    schema = with_date_format(schema, cfg["data"]["date_format"])
    clients = with_id_index(read_schema_dates(clients, schema), schema)
    schema.validate(clients if schema.id in clients.columns else clients.reset_index())
    clients = clients.set_index(schema.id) if schema.id in clients.columns else clients
    schema, lone_outcomes = declare_outcomes(schema, cfg["outcomes"], clients.columns)
    return StageData(clients=clients, events=events, schema=schema,
                     lone_outcomes=lone_outcomes)


def _read_table(path, **csv) -> pd.DataFrame:
    from .._checks import read_table

    return read_table(path, **csv)


def _read_data(cfg, data):
    if isinstance(data, pd.DataFrame):  # a bare client table: infer its schema, say so
        schema = infer_study_schema(data, cfg)
        # stacklevel 5: _read_data -> data_stage -> _discover -> discover -> the caller
        warnings.warn(f"discover: no schema given, so one was inferred from the table; check "
                      f"it (ClientSchema.infer(df).to_toml()):\n{schema.inference}",
                      UserWarning, stacklevel=5)
        return data, None, schema
    if data is not None:
        if isinstance(data, Mapping):
            try:
                clients, schema = data["clients"], data["schema"]
            except KeyError as exc:
                raise ValueError(
                    f"The 'data' dict needs 'clients' and 'schema' (and may have 'events'); "
                    f"{exc} is missing."
                ) from None
            events = data.get("events")
        else:
            clients = getattr(data, "clients", None)
            schema = getattr(data, "schema", None)
            events = getattr(data, "events", None)
            if clients is None or schema is None:
                raise TypeError(
                    f"The 'data' parameter must be a Population or a dict with 'clients' and "
                    f"'schema'; got {type(data).__name__}."
                )
        if not isinstance(schema, ClientSchema):
            raise TypeError("data['schema'] must be a ClientSchema.")
        for name, table in [("clients", clients), ("events", events)]:
            if table is not None and not isinstance(table, pd.DataFrame):
                raise TypeError(
                    f"data['{name}'] must be a pandas DataFrame; got {type(table).__name__}."
                )
        return clients, events, schema
    d = cfg["data"]
    if d["clients"] is None:
        from ..datasets import load_sample

        pop = load_sample(d["sample_dir"])
        return pop.clients, pop.events, pop.schema
    clients = _read_table(d["clients"])
    if d["schema"] is None:  # a bare client file: infer (the study record says so)
        schema = infer_study_schema(clients, cfg)
    else:
        schema = ClientSchema.from_toml(d["schema"])
    events = _read_table(d["events"]) if d["events"] else None
    return clients, events, schema
