"""What ``discover`` writes: the report's sections on the choice (text, tables, figures),
and the files under the output folder (report, tables, model file, study record).

Every CSV under ``tables/`` holds raw numbers: a cell withheld to protect a small group is
empty, with a ``<column>_suppressed`` flag (True/False) beside its column; formatting
("1,154", "5.1%") is for the Markdown and HTML only.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .._csv import write_csv
from ._families import FAMILIES

__all__ = ["sections", "write", "selection_figure", "with_share_flags"]


def _png(draw) -> bytes:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5))
    try:
        draw(ax)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
    finally:
        plt.close(fig)
    return buf.getvalue()


def selection_figure(ax, selection, candidates, criterion):
    """The criterion against k for each family, the primary family's chosen k marked with a
    star and its rejected k (not a candidate, or a cluster that did not reproduce) with a
    cross; a legend names both."""
    selection.plot(ax=ax, criterion=criterion)
    col = criterion if criterion in candidates.columns else None
    if col is None or candidates.empty:
        return ax
    y = candidates[col].astype(float)
    chosen = candidates["chosen"].to_numpy(bool)
    rejected = (~chosen & candidates["eligible"].astype("boolean").eq(False)
                .fillna(False).to_numpy(bool))
    label = "chosen k (provisional)" if candidates["provisional"].any() else "chosen k"
    ax.plot(candidates["k"][chosen], y[chosen], "*", markersize=18, color="black",
            markerfacecolor="gold", label=label, zorder=5)
    if rejected.any():
        ax.plot(candidates["k"][rejected], y[rejected], "x", markersize=11, color="firebrick",
                markeredgewidth=2, label="rejected k (not a candidate, or a cluster that "
                                         "did not reproduce)", zorder=4)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize="small")
    return ax


def _shown(candidates):
    """The candidates table for the report: 'not needed' where a candidate was not assessed
    in full (screened out, or a better one reproduced)."""
    shown = candidates.round(4).astype({"min_jaccard": object, "eligible": object})
    shown.loc[candidates["min_jaccard"].isna(), "min_jaccard"] = "not assessed"
    shown.loc[candidates["eligible"].isna(), "eligible"] = "not needed"
    return shown


#: the model families' names in prose


def sections(selection, candidates, record, cmap, stability, n, m, names=None):
    """Report sections on how the solution was chosen (tables, text and figures)."""
    cols = ["model", "k", "loglik", "n_parameters", "bic", "sabic", "entropy",
            "smallest_share", "silhouette", "lmr_p", "blrt_p"]
    table = selection.summary[[c for c in cols if c in selection.summary.columns]]
    n_cand = int(candidates["candidate"].sum())
    method = [
        f"Clustered {record['n_clients']:,} clients on {len(record['cluster_columns'])} "
        f"variables with the families {', '.join(record['families'])}, k = "
        f"{record['k_range'][0]}..{record['k_range'][1]}.",
        f"The {n_cand} candidate {FAMILIES[record['primary']].label} "
        f"solution{'s were' if n_cand != 1 else ' was'} ranked by "
        f"{record['criterion'].upper()}; every one was assessed for stability ("
        f"{record['stability']}), the finalists in ranking order until one had every "
        f"cluster reproduce. The table of every k below gives each one's reason.",
        record["choice"],
    ]
    repro = [f"{k}: {v}" for k, v in record.items()
             if k not in ("measurement", "choice", "left_out")]
    criterion = record["criterion"]
    figures = [
        ("model_selection", f"{criterion.upper()} against k for each family; the chosen k "
                            f"is starred, the rejected k crossed",
         _png(lambda ax: selection_figure(ax, selection, candidates, criterion))),
        ("stability", "Stability of each cluster of the chosen solution: the Jaccard "
                      "similarity in each resample (points; box = quartiles), with Hennig's "
                      "thresholds (below 0.6 a cluster does not reproduce)",
         _png(stability.plot)),
        ("cluster_map", "Where the clusters lie: the first two principal components of the "
                        "clustering variables, binned into hexagons (only hexagons of at least "
                        "min_cell_size clients are drawn)",
         _png(lambda ax: cmap.plot(ax=ax, names=names))),
    ]
    shown = _shown(candidates).drop(columns=["model"], errors="ignore")
    keep = ["k", criterion, "smallest_share", "screen_min_jaccard", "min_jaccard",
            "eligible", "chosen", "reason"]
    shown = shown[[c for c in keep if c in shown.columns]]
    return [
        ("How the clusters were chosen", method, [_report_shares(table.round(4), n, m),
                                                    _report_shares(shown, n, m)],
         figures),
        ("Study settings", repro, []),
    ]


def write(cfg, descriptions, selection, candidates, stability, model, schema, cluster_cols,
          X, labels, record, extra_tables=None):
    """Write everything into a staged folder, moved into ``[output] dir`` only at the end
    (a failure leaves nothing half-written)."""
    from .._output import relocate, staged_directory

    out = cfg["output"]["dir"]
    if out is None:
        return {}
    final = Path(out)
    with staged_directory(final) as tmp:
        paths = _write_files(cfg, tmp, descriptions, selection, candidates, stability, model,
                             schema, cluster_cols, X, labels, record)
        for name, table in (extra_tables or {}).items():  # raw numbers and flag columns
            _csv(table, tmp / "tables" / name)
    return {k: relocate(v, tmp, final) if isinstance(v, list) else relocate([v], tmp, final)[0]
            for k, v in paths.items()}


def _csv(table, path, index=False):
    write_csv(table, path, index=index)


def _write_files(cfg, root, descriptions, selection, candidates, stability, model, schema,
                 cluster_cols, X, labels, record):
    from ..persistence import save_model

    m = cfg["profile"]["min_cell_size"]
    n = len(labels)
    paths = {"report": descriptions.save(root)}
    tables = root / "tables"
    tables.mkdir(exist_ok=True)
    # fit times vary from run to run: left out so that the same seed gives the same tables
    _csv(with_share_flags(selection.summary.drop(columns="fit_seconds", errors="ignore"), n, m),
         tables / "model_selection.csv")
    _csv(with_share_flags(candidates, n, m), tables / "candidates.csv")
    # the stability summary's sizes as Table 1 has them (empty where withheld, flagged)
    sizes = descriptions.profile.sizes
    st = stability.summary.copy()
    st["size"] = pd.array([sizes.get(c, np.nan) for c in st.index], dtype="Float64").round(
        ).astype("Int64")
    st.insert(st.columns.get_loc("size") + 1, "size_suppressed", st["size"].isna().to_numpy())
    _csv(st, tables / "stability.csv", index=True)
    (root / "study.json").write_text(json.dumps(record, indent=2, default=str) + "\n")
    names = [d.name for d in descriptions]
    model_schema = schema.select([c for c in cluster_cols if c in schema.features])
    paths["model"] = root / "model.json"
    provenance = {"software": f"clusterdiscovery {record['package_version']}",
                  "data_period": record["as_of"], "note": record["choice"]}
    if FAMILIES[record["primary"]].reads_table:  # the table's own model (latent class)
        save_model(paths["model"], model, schema=model_schema, names=names, X=X,
                   provenance=provenance, min_cell_size=max(m, 1))
    else:
        from ..persistence import exemplar_model

        if FAMILIES[record["primary"]].exemplar == "nearest_centre":
            # HDBSCAN cannot be written (it needs the training rows): its exemplar, a
            # nearest-centroid model started at the mean of each cluster, is written instead
            model = exemplar_model(model, selection.numeric_view_)
            provenance["note"] += (" The model file holds the density clustering's exemplar "
                                   "model: each client goes to the nearest cluster centre "
                                   "(no client is left as noise).")
        save_model(paths["model"], model, preprocessor=selection.preprocessor_,
                   schema=model_schema, names=names,
                   X=X[[c for c in cluster_cols if c in schema.features]],
                   provenance=provenance, min_cell_size=max(m, 1))
    if cfg["output"]["write_labels"]:
        paths["labels"] = root / "labels.csv"
        write_csv(labels, paths["labels"])
    return paths


def _unsafe_shares(table, n, m):
    from .._privacy import small_share

    return small_share(pd.to_numeric(table["smallest_share"], errors="coerce").to_numpy(),
                       n, m)


def with_share_flags(table, n, m):
    """``smallest_share`` (a share of the n clients) emptied where it gives a count of
    1..m-1, with ``smallest_share_suppressed`` (True/False) beside it: for the CSVs."""
    if "smallest_share" not in table.columns:
        return table
    out = table.copy()
    bad = _unsafe_shares(out, n, m)
    out["smallest_share"] = out["smallest_share"].astype(float).mask(bad)
    out.insert(out.columns.get_loc("smallest_share") + 1, "smallest_share_suppressed", bad)
    return out


def _report_shares(table, n, m):
    """``smallest_share`` withheld (a marker) where it gives a count of 1..m-1: for the
    report's tables."""
    from .._privacy import mask_small_shares

    if "smallest_share" not in table.columns:
        return table
    out = table.copy()
    out["smallest_share"] = mask_small_shares(out["smallest_share"], n, m)
    return out
