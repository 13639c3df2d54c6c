"""How the report presents stability: names, warnings, the overview columns, how to read it.

A cluster whose mean bootstrap Jaccard is below 0.6 does not reproduce (Hennig 2007): it
gets no descriptive name ("Cluster 5 (unstable)"), its page opens with a warning, and the
overview shows every cluster's verdict and mean Jaccard. When no candidate solution
reproduced, the whole solution is *provisional*: the report says so at the top and every
name carries "(provisional)".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["UNSTABLE_BELOW", "jaccard_text", "stability_of", "stable_name", "warning_blocks",
           "overview_with_stability", "how_to_read_stability", "provisional_blocks"]

#: Hennig's (2007) threshold: below it a cluster is not to be trusted.
UNSTABLE_BELOW = 0.6


def jaccard_text(value, threshold: float = UNSTABLE_BELOW) -> str:
    """A mean Jaccard as text: two decimals, three where two would round it up to the
    ``threshold`` it is below (0.597, never "0.60" for a cluster that does not reproduce)."""
    v = float(value)
    if v < threshold <= round(v, 2):
        return f"{np.floor(v * 1000) / 1000:.3f}"
    return f"{v:.2f}"


def stability_of(stability, cluster) -> tuple[float, str]:
    """``(mean Jaccard, verdict)`` of one cluster; ``(nan, "")`` when not assessed."""
    s = getattr(stability, "summary", None)
    if s is None or cluster not in s.index:
        return float("nan"), ""
    return float(s.loc[cluster, "jaccard_mean"]), str(s.loc[cluster, "verdict"])


def stable_name(cluster, name: str, stability, *, provisional: bool = False) -> str:
    """The name shown: ``"Cluster c (unstable)"`` below 0.6, else the suggested name (with
    ``" (provisional)"`` when the solution is provisional)."""
    jaccard, _ = stability_of(stability, cluster)
    if np.isfinite(jaccard) and jaccard < UNSTABLE_BELOW:
        return f"Cluster {cluster} (unstable)"
    return f"{name} (provisional)" if provisional else name


def warning_blocks(cluster, stability) -> list:
    """The warning that opens the page of a cluster that does not reproduce (else none)."""
    jaccard, _ = stability_of(stability, cluster)
    if not (np.isfinite(jaccard) and jaccard < UNSTABLE_BELOW):
        return []
    return [("p", f"**Warning: this cluster does not reproduce.** Its mean Jaccard "
                  f"similarity across resamples is {jaccard_text(jaccard)}, below "
                  f"{UNSTABLE_BELOW}: when the clients are resampled and clustered again, "
                  f"most of its members do not end up together. Do not treat it as a real "
                  f"subgroup; the description below is of this one partition only.")]


def overview_with_stability(table: pd.DataFrame, stability) -> pd.DataFrame:
    """The overview table with each cluster's ``stability`` verdict and ``mean Jaccard``."""
    if stability is None:
        return table
    out = table.copy()
    verdicts, means = [], []
    for key in out.index:
        match = [c for c in stability.summary.index if str(c) == str(key)]
        if match:
            j, v = stability_of(stability, match[0])
            verdicts.append(v)
            means.append(jaccard_text(j))
        else:  # noise, population rows
            verdicts.append("")
            means.append("")
    out.insert(1, "stability", verdicts)
    out.insert(2, "mean Jaccard", means)
    return out


def how_to_read_stability(stability) -> str:
    """The 'How to read it' paragraph on the Jaccard similarity and Hennig's thresholds."""
    n = getattr(stability, "n_resamples", None)
    times = f"{n} times" if n else "many times"
    return ("How to read the stability: the clients were resampled and clustered again "
            f"{times}. For each cluster, the Jaccard similarity is the share of its clients "
            "that the best-matching cluster of the resample shares with it (clients in "
            "both, divided by clients in either): 1 means the same clients came together "
            "again, 0 that none did. Following Hennig (2007), a mean Jaccard below 0.6 means "
            "the cluster does not reproduce and should not be trusted (called unstable, with "
            "no descriptive name); 0.6 to 0.75 a pattern whose membership is doubtful; 0.75 "
            "and above a stable cluster; 0.85 and above a highly stable one.")


def provisional_blocks(provisional: bool, detail: str | None = None) -> list:
    """The notice at the top of a report whose solution is provisional.

    ``detail`` (from :func:`~clusterdiscovery.discover`) says what was tried, e.g. how many
    numbers of clusters were screened out; without it the notice claims nothing about the
    other solutions.
    """
    if not provisional:
        return []
    if detail:
        head = ("**Provisional solution: no candidate reproduced.** " + detail.strip()
                + " The solution shown is the one whose least stable cluster is the most "
                  "stable.")
    else:
        head = ("**Provisional solution.** Not every cluster of this solution reproduces: "
                "at least one has a mean Jaccard similarity across resamples below the "
                "threshold.")
    return [("p", head + " Its clusters are provisional: read them as a first look, not "
                         "as established subgroups.")]
