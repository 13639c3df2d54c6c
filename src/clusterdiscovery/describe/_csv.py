"""The profile's tables as written to ``tables/*.csv``: raw numbers, for machines.

A cell withheld to protect a small group is empty, and a flag column beside it says so:
``<column>_suppressed`` (True/False) after every value column of Table 1 (one per group),
of the costs and of the outcomes tables; the distinguishing table has one ``suppressed``
flag per row (with its ``reason``). Shares are fractions (0.527, not "52.7%"), counts whole
numbers, amounts unrounded; formatting is for the Markdown and HTML report only.
"""

from __future__ import annotations

import pandas as pd

from ..profiling._tables import NONE

__all__ = ["profile_csv_tables", "flagged"]


def flagged(values: pd.DataFrame, hidden: pd.DataFrame) -> pd.DataFrame:
    """``values`` with the ``hidden`` cells emptied and a ``<column>_suppressed`` flag column
    after each column."""
    out = {}
    for c in values.columns:
        mask = hidden[c].to_numpy(bool)
        col = pd.to_numeric(values[c], errors="coerce").astype(float)
        out[c] = col.mask(mask)
        out[f"{c}_suppressed"] = mask
    return pd.DataFrame(out, index=values.index)


def _counts_as_int(frame: pd.DataFrame, columns) -> pd.DataFrame:
    for c in columns:
        if c in frame.columns:
            frame[c] = frame[c].round().astype("Int64")
    return frame


def table1_csv(profile) -> pd.DataFrame:
    t, r = profile.table1, profile._reason_frame("table1")
    out = flagged(t, r != NONE)
    n_rows = t.index.get_level_values("statistic") == "n"
    for c in t.columns:  # counts as whole numbers
        out[c] = out[c].astype(object)
        out.loc[n_rows, c] = [None if pd.isna(v) else int(round(v))
                              for v in out.loc[n_rows, c]]
    out.columns = [str(c) for c in out.columns]
    return out


def _by_cluster(source: dict, level: str) -> pd.DataFrame:
    pieces = {}
    for name, item in source.items():
        frame, reasons = item[0], item[1]
        pieces[name] = _counts_as_int(flagged(frame, reasons != NONE), ["n"])
    if len(pieces) == 1:  # as the report's tables: one measure, indexed by cluster
        return next(iter(pieces.values()))
    return pd.concat(pieces, names=[level, "cluster"])


def _distinguishing(profile) -> pd.DataFrame:
    d = profile.distinguishing.copy()
    hidden = ["cluster_value", "ratio", "v_test", "p_value", "p_adjusted", "smd"]
    rows = d["suppressed"].astype(bool).to_numpy()
    for c in hidden:
        if c in d.columns:
            d[c] = pd.to_numeric(d[c], errors="coerce").astype(float).mask(rows)
    return d


def profile_csv_tables(profile) -> dict[str, pd.DataFrame]:
    """``{name: DataFrame}`` of the profile's tables for ``tables/<name>.csv`` (index
    written), raw numbers with suppression flags (see the module's docstring)."""
    tables = {"table1": table1_csv(profile),
              "distinguishing": _distinguishing(profile).reset_index(drop=True)}
    if profile.cost_columns:
        tables["costs"] = _by_cluster(profile._costs, "cost")
        tables["variance_explained"] = profile.variance_explained.astype(float)
    if profile.outcome_names:
        tables["outcomes"] = _by_cluster(profile._outcomes, "outcome")
    tables["suppressed"] = profile.suppressed.reset_index(drop=True)
    # no row numbers: the first column of these two is their first label
    tables["distinguishing"] = tables["distinguishing"].set_index("cluster")
    tables["suppressed"] = tables["suppressed"].set_index("table")
    return tables
