"""discover's sections on clusters over time and against the national care clusters.

* **Follow-up** (``[followup] clients``): a second assessment of the same clients. A latent
  transition model started at the chosen latent class solution (so cluster ``k`` keeps its
  meaning; the items not re-assessed are left out at follow-up) gives each client's most
  likely cluster at both times and the transition probabilities with bootstrap intervals.
* **Care clusters** (``[care_clusters] assignments``): the recorded MHCT care cluster of
  each client against the discovered cluster (:func:`~clusterdiscovery.compare_care_clusters`).

Every count shown passes the study's ``min_cell_size`` with complementary suppression.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._privacy import protect_remainders
from ..profiling._suppress import complete_lines, small_count
from ._families import FAMILIES

__all__ = ["transition_section", "care_cluster_section", "read_followup"]


def read_followup(path, id_column, columns, index) -> pd.DataFrame:
    """The second assessment, aligned to the clients (a row of NaN where not assessed)."""
    from .._checks import read_table
    from ..exceptions import SchemaError

    table = read_table(path, "the follow-up table")
    if id_column not in table.columns:
        raise SchemaError(f"The follow-up table {path} has no id column {id_column!r}; it "
                          "needs the same client id column as the client table.")
    ids = table[id_column].astype(str)
    if ids.duplicated().any():
        raise SchemaError(f"The follow-up table {path} repeats client id(s) "
                          f"{ids[ids.duplicated()].unique()[:3].tolist()}; give each client "
                          "one row.")
    table = table.set_axis(ids).drop(columns=id_column)
    shared = [c for c in columns if c in table.columns]
    if not shared:
        raise SchemaError(f"The follow-up table {path} holds none of the clustering columns "
                          f"({list(columns)[:6]}...); it must re-assess some of them.")
    unknown = table.index.difference(pd.Index(index.astype(str)))
    if len(unknown) > 0.5 * len(table):
        raise SchemaError(f"Most client ids of the follow-up table {path} are not in the "
                          f"client table (e.g. {unknown[:3].tolist()}).")
    out = table.reindex(pd.Index(index.astype(str))).reindex(columns=list(columns))
    return out.set_axis(index)


def _protected_counts(tab: pd.DataFrame, m: int) -> pd.DataFrame:
    counts = tab.to_numpy(dtype=float)
    mask = complete_lines(counts, small_count(counts, m), axes=(0, 1))
    mask = protect_remainders(counts, mask, m, axes=(0, 1))
    return tab.astype(float).mask(mask)


_NOT_AGAIN = "not assessed again"


def transition_section(model, X_model, followup, labels, names, *, min_cell_size,
                       n_bootstrap, random_state):
    """The follow-up section: (section, table) or None when too few were re-assessed.

    Rows are the discovered clusters (so their totals are the cluster sizes Table 1 shows),
    columns the most likely cluster at follow-up and "not assessed again"; counts are
    protected along rows and columns.
    """
    from ..models import LatentTransitionModel

    again = followup.notna().any(axis=1).to_numpy()
    if again.sum() < 2 * min_cell_size:
        return None
    K = model.n_components
    frames = [X_model, followup[X_model.columns]]
    lta = LatentTransitionModel(K, random_state=random_state).fit(frames, start_from=model)
    to = np.where(again, lta.predict(frames)[:, 1], K)
    counts = pd.crosstab(pd.Categorical(labels.to_numpy(), categories=range(K)),
                         pd.Categorical(to, categories=range(K + 1)), dropna=False)
    shown = _protected_counts(counts, min_cell_size)
    boot = lta.bootstrap_transitions(frames, n_bootstrap=n_bootstrap,
                                     random_state=random_state) if n_bootstrap else None
    rows = []
    for i in range(K):
        assessed = counts.iloc[i, :K].sum()
        for j in range(K + 1):
            n_ij = shown.iloc[i, j]
            withheld = bool(np.isnan(n_ij))
            row = {"from": names[i], "to": names[j] if j < K else _NOT_AGAIN,
                   "clients": n_ij, "share_of_assessed": np.nan,
                   "transition_probability": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                   "withheld": withheld}
            if j < K and not withheld:
                row["share_of_assessed"] = n_ij / assessed if assessed else np.nan
                row["transition_probability"] = lta.transition_[i, j]
                if boot is not None:
                    b = boot[(boot["from"] == i) & (boot["to"] == j)].iloc[0]
                    row["ci_low"], row["ci_high"] = b["ci_low"], b["ci_high"]
            rows.append(row)
    table = pd.DataFrame(rows)
    body = counts.to_numpy()[:, :K]
    stay = float(np.trace(body) / body.sum())
    text = [
        f"{int(again.sum()):,} clients were assessed again at follow-up. A latent transition "
        "model (Collins and Lanza 2010) started at the chosen solution, with the same "
        "measurement at both times (items not re-assessed are left out at follow-up), gives "
        "each client's most likely cluster at follow-up and the probabilities of moving "
        "between clusters.",
        f"{stay:.0%} of them were in the same cluster at follow-up. For each cluster (rows: "
        "the clusters of this report), the clients in each cluster at follow-up, their share "
        "of the cluster's clients assessed again, and the model's transition probability "
        + (f"with a 95% bootstrap interval ({n_bootstrap} resamples of clients)."
           if n_bootstrap else "."),
        f"Counts of 1 to {min_cell_size - 1} clients are withheld (and, where needed, one more "
        "of the row or column, so that no withheld count follows from the cluster sizes).",
    ]
    fig = ("transitions", "Transition probabilities between clusters from baseline (rows) to "
           "follow-up (columns); withheld pairs blank", _heatmap_png(table, names))
    csv = table.rename(columns={"from": "cluster", "to": "followup_cluster",
                                "withheld": "clients_suppressed"})
    return (("Movement between clusters at follow-up", text, [_display(table)], [fig]), csv)


def _display(table: pd.DataFrame) -> pd.DataFrame:
    out = table.drop(columns="withheld").set_index(["from", "to"])
    for c in ("share_of_assessed", "transition_probability", "ci_low", "ci_high"):
        out[c] = out[c].round(3)
    return out


def _heatmap_png(table, names) -> bytes:
    from ._write import _png

    K = len(names)
    P = (table.loc[table["to"] != _NOT_AGAIN, "transition_probability"]
         .to_numpy(dtype=float).reshape(K, K))

    def draw(ax):
        ax.imshow(np.ma.masked_invalid(P), cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(K), names, rotation=30, ha="right", fontsize=8)
        ax.set_yticks(range(K), names, fontsize=8)
        ax.set_xlabel("cluster at follow-up")
        ax.set_ylabel("cluster at baseline")
        for i in range(K):
            for j in range(K):
                if np.isfinite(P[i, j]):
                    ax.text(j, i, f"{P[i, j]:.2f}", ha="center", va="center", fontsize=7,
                            color="white" if P[i, j] > 0.5 else "black")

    return _png(draw)


def care_cluster_section(labels, assignments, names, *, as_of, min_cell_size, random_state):
    """The national care clusters section: (section, table)."""
    from ..national import compare_care_clusters

    res = compare_care_clusters(labels, assignments, as_of=as_of, min_cell_size=min_cell_size,
                                n_bootstrap=200, random_state=random_state)
    summary = res.summary.assign(cluster=[names.get(k, str(k)) for k in res.summary["cluster"]])
    summary = summary.set_index("cluster")
    text = [
        f"{res.n_matched:,} clients have a recorded MHCT care cluster"
        + (f" on {as_of}" if as_of else "") + ". Agreement of the discovered clusters with the "
        f"national ones: adjusted Rand index {res.ari:.2f} (95% bootstrap interval "
        f"{res.ari_ci[0]:.2f} to {res.ari_ci[1]:.2f}), adjusted mutual information "
        f"{res.ami:.2f} ({res.ami_ci[0]:.2f} to {res.ami_ci[1]:.2f}); 1 would be the same "
        "grouping, 0 no more agreement than chance.",
        "For each discovered cluster, the national care clusters that hold at least 10% of its "
        "clients. The cross-table pools national clusters with fewer than "
        f"{min_cell_size} clients into 'other' and withholds small cells.",
        *res.notes,
    ]
    crosstab = res.crosstab.rename(index=lambda k: names.get(k, k))
    body = res.crosstab.drop(index="total", columns="total")
    long = body.rename(index=lambda k: names.get(k, k)).stack(future_stack=True)
    csv = long.rename("clients").rename_axis(["cluster", "care_cluster"]).reset_index()
    csv["clients_suppressed"] = csv["clients"].isna()
    return (("Discovered clusters and the national care clusters", text,
             [summary, crosstab]), csv)


def _sources(cfg, data):
    """The follow-up and assignments files: configured, or the sample's when the study
    reads the sample through the configuration (not for a table passed as ``data``)."""
    fpath = cfg["followup"]["clients"]
    apath = cfg["care_clusters"]["assignments"]
    if data is None and cfg["data"]["clients"] is None:
        from pathlib import Path

        from ..datasets._sample import default_sample_dir

        folder = Path(cfg["data"]["sample_dir"] or default_sample_dir())
        if fpath is None and (folder / "followup.csv").is_file():
            fpath = folder / "followup.csv"
        if apath is None and (folder / "assignments.csv").is_file():
            apath = folder / "assignments.csv"
    return fpath, apath


def over_time_sections(cfg, data, schema, primary, model, X_model, labels, names,
                       random_state):
    """discover's follow-up and care-cluster sections and their tables (raw numbers)."""
    from .._checks import read_table

    fpath, apath = _sources(cfg, data)
    m = cfg["profile"]["min_cell_size"]
    sections, tables = [], {}
    if fpath is not None and FAMILIES[primary].transitions:
        followup = read_followup(fpath, schema.id, X_model.columns, X_model.index)
        got = transition_section(model, X_model, followup, labels, names, min_cell_size=m,
                                 n_bootstrap=cfg["followup"]["n_bootstrap"],
                                 random_state=random_state)
        if got is not None:
            sections.append(got[0])
            tables["transitions.csv"] = got[1]
    if apath is not None:
        assignments = read_table(apath, "the care-cluster assignments")
        section, crosstab = care_cluster_section(
            labels, assignments, dict(enumerate(names)), as_of=cfg["care_clusters"]["as_of"],
            min_cell_size=m, random_state=random_state)
        sections.append(section)
        tables["care_clusters.csv"] = crosstab
    return sections, tables
