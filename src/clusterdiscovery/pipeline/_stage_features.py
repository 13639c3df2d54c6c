"""The features stage of :func:`~clusterdiscovery.discover`: the table to cluster and profile.

Service events are aggregated per client; every cost, outcome and feature name of the
configuration is checked here, before any fitting; each clustered column gets its latent
class measurement.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._dates import parse_date
from ..exceptions import SchemaError
from ..features._event_columns import default_costs, event_columns
from ..schema import ClientSchema
from ._contracts import Prepared, StageData

__all__ = ["features_stage"]

_MEASUREMENT = {"continuous": "gaussian", "count": "poisson", "binary": "categorical",
                "categorical": "categorical", "ordinal": "categorical"}


def features_stage(cfg, given: StageData) -> Prepared:
    """Aggregate the events onto the client table, make the profile's schema and its costs,
    and choose the columns to cluster on with their measurement (every name checked before
    any fitting), and the sampling weights."""
    schema = given.schema
    table, event_cols, as_of = _features(cfg, given.clients, given.events)
    # every cost, outcome and feature name is checked here, before any fitting
    profile_schema, costs = _profile_schema(cfg, schema, table, event_cols)
    cluster_cols, measurement = _cluster_columns(cfg, schema, table, event_cols, costs)
    # sampling weights: the schema's weight column (validated with the schema)
    weights = table[schema.weight].astype(float) if getattr(schema, "weight", None) else None
    return Prepared(table=table, event_cols=event_cols, as_of=as_of,
                    profile_schema=profile_schema, costs=costs, cluster_cols=cluster_cols,
                    measurement=measurement, X=table[cluster_cols], weights=weights)


def _features(cfg, clients, events):
    """The client table joined with the events aggregated per client (``aggregate_events``
    up to ``[data] as_of``, else the last contact), the aggregated columns, and that date."""
    if events is None:
        return clients, [], None
    from ..features import aggregate_events

    d = cfg["data"]
    if "client_id" in events.columns:
        stray = ~events["client_id"].isin(clients.index)
        if stray.any():
            examples = pd.unique(events["client_id"][stray]).tolist()[:5]
            raise SchemaError(
                f"The events table has {int(stray.sum())} event(s) of "
                f"{events['client_id'][stray].nunique()} client(s) that are not in the client "
                f"table, e.g. {examples}. Keep only the events of the clients studied, e.g. "
                f"events[events['client_id'].isin(clients.index)]."
            )
    # aggregate_events parses the dates and checks the columns, naming any at fault
    as_of = parse_date(d["as_of"], "as_of", date_format=d["date_format"]) if d["as_of"] else None
    agg = aggregate_events(events, clients=clients.index, as_of=as_of,
                           window_days=d["window_days"], date_format=d["date_format"])
    as_of = as_of if as_of is not None else agg["last_contact"].max()
    overlap = set(agg.columns) & set(clients.columns)
    if overlap:
        raise SchemaError(
            f"The client table already has column(s) {sorted(overlap)} that aggregating the "
            f"events would create; rename them."
        )
    return clients.join(agg), list(agg.columns), as_of


def _cluster_columns(cfg, schema, table, event_cols, costs=()):
    """The columns to cluster on (``[features]``; by default every schema feature neither
    excluded nor a cost) and each one's latent class measurement."""
    f = cfg["features"]
    stray = [c for c in f["exclude"] if c not in schema.features]
    if stray:
        raise SchemaError(
            f"[features] exclude names {stray}, which are not features of the schema; "
            f"choose from {schema.feature_columns}."
        )
    stray = [c for c in f["profile_event_features"] if event_cols and c not in event_cols]
    if stray:
        raise SchemaError(
            f"[features] profile_event_features names {stray}, which aggregating the events "
            f"does not produce; choose from {event_cols}."
        )
    # a column described as a cost or utilisation is not clustered on unless named
    cols = list(f["columns"]) or [c for c in schema.feature_columns
                                  if c not in f["exclude"] and c not in costs]
    unknown = [c for c in cols if c not in schema.features]
    if unknown:
        raise SchemaError(f"[features] columns {unknown} are not features of the schema; "
                          f"choose from {schema.feature_columns}.")
    measurement = {c: _measurement(schema.features[c], cfg["models"]["ordinal"]) for c in cols}
    for c in f["event_features"]:
        if c not in event_cols:
            raise SchemaError(
                f"[features] event_features names {c!r}, which aggregating the events does not "
                f"produce; choose from {event_cols}."
            )
        v = table[c].to_numpy(dtype=float)
        measurement[c] = "poisson" if np.all(v[~np.isnan(v)] % 1 == 0) else "gaussian"
        cols.append(c)
    if not cols:
        raise SchemaError("No columns to cluster on: the schema has no features.")
    repeated = sorted({c for c in cols if cols.count(c) > 1})
    if repeated:
        raise SchemaError(
            f"[features] names {repeated} more than once (in columns or event_features); "
            f"list each column once."
        )
    return cols, measurement


def _measurement(spec, ordinal="categorical") -> str:
    """Latent class measurement of a schema feature: categories for binary and categorical
    items, ordinal items as ``[models] ordinal`` says (categorical by default, or the
    adjacent-category ordinal item), Poisson for counts, Gaussian for continuous columns, and
    log-normal for continuous columns flagged ``log1p`` (skewed, such as years known)."""
    if spec.zero_heavy:  # many exact zeros: zero or not, then how much (lognormal)
        return "twopart"
    if spec.type == "continuous" and spec.log1p:
        return "lognormal"
    if spec.type == "ordinal":
        return ordinal
    return _MEASUREMENT[spec.type]


def _profile_schema(cfg, schema, table, event_cols):
    """The schema the profile is made with, and its cost columns.

    The client schema's meaning (labels, units, directions, sections, currency) is kept; the
    aggregated event columns get their labels and the "service use" section. Costs are the
    schema's costs, then ``[profile] costs`` (client columns or aggregated event columns;
    by default, with events, the total, inpatient and crisis costs). A name that matches no
    column is an error listing the choices, raised before any fitting.
    """
    from ..profiling._data import numeric_column

    f, p = cfg["features"], cfg["profile"]
    service = next((x for x in schema.sections if x.lower() == "service use"), None)
    described = event_columns(event_cols, cfg["data"]["window_days"])  # roles, units, labels
    spec = schema.to_dict()
    # columns left out of the clustering are not described as distinguishing it either
    features = {c: s for c, s in spec["features"].items() if c not in f["exclude"]}
    for c in f["profile_event_features"]:
        if c in event_cols and c not in features:
            v = table[c].to_numpy(dtype=float)
            kind = "count" if np.all(v[~np.isnan(v)] % 1 == 0) else "continuous"
            features[c] = {"type": kind, "label": described[c].label or c,
                           "section": service, "unit": described[c].unit}
    for c in f["event_features"]:
        if c in event_cols:
            features.setdefault(c, {"type": "continuous", "label": described[c].label or c,
                                    "section": service, "unit": described[c].unit})
    costs = list(schema.costs)
    asked = list(p["costs"])
    if not asked:
        asked = default_costs(described)
    roles = {schema.id, *schema.dates, *schema.outcome_columns,
             *([schema.team] if schema.team else []),
             *([schema.weight] if schema.weight else [])}
    missing = [c for c in asked if c not in table.columns or c in roles]
    if missing:
        choices = [str(c) for c in table.columns if c not in roles and c not in costs
                   and pd.api.types.is_numeric_dtype(table[c])
                   and not pd.api.types.is_bool_dtype(table[c])]
        where = "client table or the aggregated events" if event_cols else "client table"
        raise SchemaError(
            f"[profile] costs names {missing}, which match no cost or utilisation column of "
            f"the {where}; choose from {choices}."
        )
    unknown = [c for c in p.get("adjust_for", []) if c not in table.columns]
    if unknown:
        raise SchemaError(f"[profile] adjust_for names {unknown}, which match no column of the "
                          f"client table; choose from {schema.feature_columns}.")
    measures = {c: schema.spec_of(c).to_dict() for c in costs}
    for c in asked:
        if c in costs:
            continue
        feat = schema.features.get(c)
        if feat is not None and feat.type not in ("continuous", "count"):
            raise SchemaError(
                f"[profile] costs names '{c}', a {feat.type} feature of the schema; a "
                f"cost or utilisation column must be numeric (continuous or count)."
            )
        if feat is not None and feat.type == "count" and not feat.unit:
            raise SchemaError(
                f"[profile] costs names '{c}', a count feature of the schema with no "
                f"unit, so it would be printed as money. Give it a unit (e.g. unit = "
                f"\"visits\" in its [features] entry) to report it as utilisation."
            )
        values = numeric_column(table, c, "cost", allow_nan=False)  # or say why not
        if (values < 0).any():
            raise SchemaError(f"Cost column '{c}' has negative values; costs and utilisation "
                              f"must be >= 0.")
        if feat is not None:  # described as utilisation, not as a feature
            measures[c] = {k: getattr(feat, k) for k in ("label", "unit", "higher_is",
                                                          "section")
                           if getattr(feat, k) is not None}
            features.pop(c, None)
        elif c in event_cols:  # a cost made by aggregate_events: its own label
            measures[c] = {"label": described[c].label, "section": service}
        else:
            measures[c] = {}
        costs.append(c)
    spec["features"] = _usable({c: s for c, s in features.items() if c not in costs}, table)
    spec["costs"] = {c: {k: v for k, v in m.items() if v is not None}
                     for c, m in measures.items()}
    return ClientSchema.from_dict(spec), costs


def _usable(features, table):
    """Features with at least two distinct values (a constant column has nothing to say)."""
    return {c: s for c, s in features.items() if table[c].nunique(dropna=True) >= 2}
