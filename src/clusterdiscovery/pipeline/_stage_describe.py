"""The describe stage of :func:`~clusterdiscovery.discover`: the clusters named and
described (:func:`~clusterdiscovery.describe_clusters`), the study record, and the report's
sections (the model choice, the map, follow-up, what works, other characteristics)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import __version__
from ._bare import inferred_note
from ._choice_text import provisional_detail
from ._contracts import Chosen, Described, Prepared, StageData
from ._other import other_characteristics
from ._outcomes import outcome_section
from ._over_time import over_time_sections
from ._stage_models import _numeric_view
from ._what_works import what_works_sections
from ._write import sections

__all__ = ["describe_stage"]


def describe_stage(cfg, data, given: StageData, prep: Prepared, selection, chosen: Chosen,
                   profile, random_state) -> Described:
    """Map the clients, record every choice made, describe each cluster (the words come from
    the profile's schema) and add the report's sections, whose figures name the clusters.
    ``data`` is what the user passed to discover (read again for the follow-up sections)."""
    from ..describe import describe_clusters
    from ..describe._result import _check_sections
    from ..profiling import cluster_map

    pcfg, rcfg = cfg["profile"], cfg["report"]
    numeric = selection.numeric_view_
    if numeric is None:
        numeric = _numeric_view(prep.X, given.schema)
    cmap = cluster_map(numeric, chosen.labels.to_numpy(), min_cell_size=pcfg["min_cell_size"])
    record = _study_record(cfg, random_state, given, prep, chosen)
    # the words come from the profile's schema: the client schema's meaning, and the labels
    # and units of the aggregated service-use and cost columns (see _profile_schema)
    descriptions = describe_clusters(
        profile, stability=chosen.stability, narratives=_narratives(cfg),
        names=rcfg["names"] or None, title=rcfg["title"], currency=rcfg["currency"],
        significant_figures=rcfg["significant_figures"], provisional=chosen.provisional)
    descriptions.choice = chosen.choice_note
    if chosen.provisional:
        descriptions.provisional_detail = provisional_detail(chosen.candidates, **chosen.words)
    # the sections' figures name the clusters, so they are drawn once the names are known
    extra, tables = _extra_sections(cfg, data, given, prep, chosen,
                                    [d.name for d in descriptions], random_state)
    descriptions.sections = _check_sections(
        sections(selection, chosen.candidates, record, cmap, chosen.stability,
                 len(chosen.labels), pcfg["min_cell_size"], descriptions.names)
        + extra)
    return Described(descriptions=descriptions, cmap=cmap, record=record, tables=tables)


def _narratives(cfg):
    """``[report] narratives``, else the output directory's filled narrative templates (if
    any), else None."""
    narratives = cfg["report"]["narratives"]
    out_dir = cfg["output"]["dir"]
    if narratives is None and out_dir is not None:
        from ..describe._narratives import TEMPLATE_DIR
        if (Path(out_dir) / TEMPLATE_DIR).is_dir():  # filled by community experts
            narratives = Path(out_dir) / TEMPLATE_DIR
    return narratives


def _extra_sections(cfg, data, given: StageData, prep: Prepared, chosen: Chosen, names,
                    random_state):
    """The report's sections after the model choice, and their tables (file name ->
    DataFrame): other characteristics, follow-up outcomes without a baseline, what works,
    then the follow-up and care-cluster sections."""
    schema, table, labels = given.schema, prep.table, chosen.labels
    m = cfg["profile"]["min_cell_size"]
    over_time = over_time_sections(cfg, data, schema, cfg["models"]["primary"], chosen.model,
                                   chosen.X_model, labels, names, random_state)
    works = what_works_sections(cfg, table, labels, names, schema.id, random_state, data)
    over_time = (works[0] + over_time[0], {**works[1], **over_time[1]})
    lone = outcome_section(table, labels, given.lone_outcomes, names, m)
    if lone is not None:
        over_time = ([lone[0], *over_time[0]], {**over_time[1],
                                                "followup_outcomes.csv": lone[1]})
    other = other_characteristics(table, labels, schema, cfg["features"]["exclude"], names,
                                  min_cell_size=m, random_state=random_state,
                                  sample_weight=prep.weights)
    if other is not None:  # excluded columns: a separate table, never in names or needs
        over_time = ([other[0], *over_time[0]], {**over_time[1],
                                                 "other_characteristics.csv": other[1]})
    return over_time


def _study_record(cfg, random_state, given: StageData, prep: Prepared, chosen: Chosen):
    """Every choice made (the report's settings and ``study.json``): :func:`_record`, the k
    left out with their reasons, and the inferred schema's note."""
    record = _record(cfg, random_state, prep.as_of, prep.cluster_cols, prep.measurement,
                     chosen.choice_note, given.clients, given.events)
    candidates = chosen.candidates
    record["left_out"] = [f"k = {r.k}: {r.reason.removeprefix('not a candidate: ')}"
                          for r in candidates[~candidates["candidate"]].itertuples()]
    if given.schema.inference is not None:
        record["schema"] = inferred_note(given.schema)
    return record


def _record(cfg, random_state, as_of, cluster_cols, measurement, choice_note, clients, events):
    """The study's settings: version, seed, data, columns, models and the choice rule."""
    m, s = cfg["models"], cfg["stability"]
    return {
        "package_version": __version__,
        "random_state": random_state,
        "n_clients": int(len(clients)),
        "n_events": None if events is None else int(len(events)),
        "as_of": None if as_of is None else str(pd.Timestamp(as_of).date()),
        "window_days": cfg["data"]["window_days"],
        "cluster_columns": list(cluster_cols),
        "measurement": dict(measurement),
        "families": list(m["families"]),
        "primary": m["primary"],
        "k_range": [m["k_min"], m["k_max"]],
        "criterion": m["criterion"],
        "n_init": m["n_init"],
        "min_share": m["min_share"],
        "stability": f"{s['method']}, every candidate screened with "
                     f"{min(s['screen_resamples'], s['n_resamples'])} resamples, finalists "
                     f"(screening minimum Jaccard >= {s['min_jaccard']} - "
                     f"{s['screen_margin']}) assessed with {s['n_resamples']}; eligible when "
                     f"every cluster's mean Jaccard >= {s['min_jaccard']}",
        "choice": choice_note,
    }
