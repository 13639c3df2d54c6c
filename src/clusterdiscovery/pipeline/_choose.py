"""The rule that chooses a study's solution from information criteria AND stability."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..selection import CRITERIA

__all__ = ["rank_candidates", "choose_solution"]


def rank_candidates(summary: pd.DataFrame, *, model: str, criterion: str, min_share: float,
                    n_candidates: int) -> pd.DataFrame:
    """The ``n_candidates`` best solutions of one family by ``criterion``.

    Solutions whose smallest cluster holds less than ``min_share`` of the clients, or with no
    value for the criterion, are left out. Ties go to the smaller k.
    """
    if criterion not in CRITERIA:
        raise ValueError(f"Unknown criterion {criterion!r}; use one of {', '.join(CRITERIA)}.")
    table = summary[(summary["model"] == model) & summary[criterion].notna()]
    table = table[table["smallest_share"].fillna(0) >= min_share]
    if table.empty:
        raise ValueError(
            f"No {model} solution has a value for {criterion!r} and a smallest cluster of at "
            f"least {min_share:.0%} of clients; widen [models] k_min..k_max or lower min_share."
        )
    ascending = CRITERIA[criterion]  # True when lower is better
    table = table.sort_values([criterion, "k"], ascending=[ascending, True], kind="mergesort")
    return table.head(n_candidates)[["model", "k", criterion, "smallest_share"]].reset_index(
        drop=True)


def choose_solution(candidates: pd.DataFrame, min_jaccards, *, criterion: str,
                    min_jaccard: float) -> tuple[int, pd.DataFrame, str]:
    """Choose among ranked candidates using their stability.

    The rule: a candidate is *eligible* when every one of its clusters has a mean bootstrap
    Jaccard of at least ``min_jaccard`` (0.6 by default: Hennig (2007) calls clusters below
    it not to be trusted). The chosen solution is the eligible candidate that is best by the
    information criterion. If none is eligible, the candidate whose least stable cluster is
    the most stable is chosen, and the returned note says so.

    Parameters
    ----------
    candidates : DataFrame
        From :func:`rank_candidates`, best first.
    min_jaccards : sequence of float
        For each candidate, the smallest per-cluster mean Jaccard; NaN for a candidate whose
        stability was not assessed (a better-ranked candidate was already eligible).

    Returns
    -------
    position : int
        Row of the chosen candidate.
    table : DataFrame
        The candidates with ``min_jaccard``, ``eligible`` and ``chosen`` columns.
    note : str
        One sentence stating why it was chosen.
    """
    table = candidates.copy()
    table["min_jaccard"] = np.asarray(min_jaccards, dtype=float)
    if table["min_jaccard"].isna().all():
        raise ValueError("No candidate's stability was assessed.")
    table["eligible"] = table["min_jaccard"] >= min_jaccard  # NaN (not assessed) -> False
    if table["eligible"].any():
        pos = int(np.flatnonzero(table["eligible"].to_numpy())[0])
        first = pos == 0
        note = (f"k = {table.loc[pos, 'k']} is the best {criterion.upper()} solution "
                + ("" if first else "whose clusters all reproduce ")
                + f"(every cluster's mean bootstrap Jaccard >= {min_jaccard})"
                + ("." if first else "; better-scoring solutions had a cluster below it."))
    else:
        pos = int(np.nanargmax(table["min_jaccard"].to_numpy()))
        note = (f"No candidate had every cluster's mean bootstrap Jaccard >= {min_jaccard}; "
                f"k = {table.loc[pos, 'k']} was chosen as the most stable candidate. Treat "
                f"its least stable clusters with caution.")
    table["chosen"] = False
    table.loc[pos, "chosen"] = True
    return pos, table, note
