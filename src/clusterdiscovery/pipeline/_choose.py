"""The rule that chooses a study's solution from information criteria AND stability.

Every solution of the primary family is a candidate (except degenerate ones and those with
a cluster below ``min_share``). The rule, in three steps:

1. **Screening.** Every candidate is assessed with a few resamples
   (``[stability] screen_resamples``). It becomes a *finalist* when its least stable
   cluster's screening mean Jaccard is at least ``min_jaccard - screen_margin``: with 10
   resamples the standard error of a mean Jaccard is about 0.13 / sqrt(10) = 0.04, so a
   margin of 0.1 (2.5 standard errors) rarely screens out a solution that reproduces.
2. **Finalists**, best by the criterion first, are assessed with the full number of
   resamples (``n_resamples``) until one is *eligible*: every cluster's mean Jaccard
   >= ``min_jaccard``. That one is chosen.
3. If none is eligible, the candidate whose least stable cluster is the most stable is
   chosen (assessed in full) and the solution is **provisional**: the report says so at
   the top and its clusters are called provisional.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..selection import resolve_criterion
from ..selection._result import CRITERIA

__all__ = ["rank_candidates", "left_out", "screen_candidates", "choose_solution",
           "assess_and_choose", "candidates_table"]


def _too_small(share, min_size: int, n_samples) -> bool:
    """A smallest cluster of fewer than ``min_size`` of the ``n_samples`` clients."""
    return bool(min_size and n_samples and not (share * n_samples >= min_size - 0.5))


def rank_candidates(summary: pd.DataFrame, *, model: str, criterion: str, min_share: float,
                    n_candidates: int | None = None, min_size: int = 0,
                    n_samples: int | None = None) -> pd.DataFrame:
    """The solutions of one family ranked by ``criterion`` (all, or the ``n_candidates`` best).

    Solutions whose smallest cluster holds less than ``min_share`` of the clients, or
    (with ``min_size`` and ``n_samples``) fewer than ``min_size`` clients, the privacy
    threshold below which a cluster could not be reported or written to a model file,
    flagged ``degenerate`` (a class empty or below the minimum size), or with no value for
    the criterion are left out. Ties go to the smaller k. When none is left, the error
    names each k's cause, the columns whose variance sits at its floor (``floor_items``,
    where the comparison has it) and the fix (:func:`._choice_text.no_candidate_message`).
    """
    criterion = resolve_criterion(criterion)
    table = summary[(summary["model"] == model) & summary[criterion].notna()]
    table = table[table["smallest_share"].fillna(0) >= min_share]
    small = [_too_small(v, min_size, n_samples) for v in table["smallest_share"].fillna(0)]
    table = table[~np.asarray(small, dtype=bool)]
    if "degenerate" in table.columns:
        table = table[~table["degenerate"].astype("boolean").fillna(False).to_numpy(bool)]
    if table.empty:
        from ._choice_text import no_candidate_message

        why = left_out(summary, model=model, criterion=criterion, min_share=min_share,
                       min_size=min_size, n_samples=n_samples)
        raise ValueError(no_candidate_message(summary, why, model=model, criterion=criterion))
    ascending = CRITERIA[criterion]  # True when lower is better
    table = table.sort_values([criterion, "k"], ascending=[ascending, True], kind="mergesort")
    if n_candidates is not None:
        table = table.head(n_candidates)
    return table[["model", "k", criterion, "smallest_share"]].reset_index(drop=True)


def left_out(summary: pd.DataFrame, *, model: str, criterion: str,
             min_share: float, min_size: int = 0, n_samples: int | None = None) -> pd.DataFrame:
    """The solutions of ``model`` that :func:`rank_candidates` leaves out, and why.

    Returns
    -------
    DataFrame
        ``k`` and ``reason`` (no value for the criterion; a cluster below the privacy
        threshold, its size not given; a cluster below ``min_share``; degenerate), one row
        per solution left out.
    """
    criterion = resolve_criterion(criterion)
    rows = []
    for _, r in summary[summary["model"] == model].sort_values("k").iterrows():
        if pd.isna(r[criterion]):
            reason = f"no {criterion} value"
        elif "degenerate" in r and bool(pd.notna(r["degenerate"]) and r["degenerate"]):
            reason = "degenerate: a class empty or below the minimum size"
            floor = _floor_items(r)
            if floor:
                reason += f" (variance at its floor: {floor})"
        elif _too_small(0 if pd.isna(r["smallest_share"]) else r["smallest_share"],
                        min_size, n_samples):
            reason = (f"a cluster of fewer than {min_size} clients, too small to report "
                      f"(min_cell_size)")
        elif not (r["smallest_share"] >= min_share):
            reason = (f"smallest cluster {r['smallest_share']:.1%} of clients, below "
                      f"min_share {min_share:.0%}")
        else:
            continue
        rows.append({"k": int(r["k"]), "reason": reason})
    return pd.DataFrame(rows, columns=["k", "reason"])


def _floor_items(row) -> str:
    """The ``floor_items`` of a model-comparison row (items whose variance sits at its
    floor, per class), or ``""`` when the column is absent or empty."""
    v = row.get("floor_items") if hasattr(row, "get") else None
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()


def screen_candidates(screen_jaccards, *, min_jaccard: float, margin: float,
                      max_finalists: int | None = None) -> np.ndarray:
    """Which candidates (in ranking order) go on to the full assessment.

    A candidate is a finalist when the smallest per-cluster mean Jaccard of its screening
    (a few resamples) is at least ``min_jaccard - margin``; with ``max_finalists``, only
    the first that many such candidates (best by the criterion).

    Returns
    -------
    ndarray of bool
    """
    s = np.asarray(screen_jaccards, dtype=float)
    passed = s >= min_jaccard - margin  # NaN -> False
    if max_finalists:
        passed &= np.cumsum(passed) <= max_finalists
    return passed


def choose_solution(candidates: pd.DataFrame, min_jaccards, *, criterion: str,
                    min_jaccard: float, screen_jaccards=None,
                    finalists=None) -> tuple[int, pd.DataFrame, str]:
    """Choose among ranked candidates using their stability.

    The rule: a candidate is *eligible* when every one of its clusters has a mean bootstrap
    Jaccard of at least ``min_jaccard`` in the full assessment (0.6 by default: Hennig
    (2007) calls clusters below it not to be trusted). The chosen solution is the eligible
    candidate that is best by the information criterion. If none is eligible, the candidate
    whose least stable cluster is the most stable (full assessment where made, else
    screening) is chosen and marked *provisional*, and the note says so.

    Parameters
    ----------
    candidates : DataFrame
        From :func:`rank_candidates`, best first.
    min_jaccards : sequence of float
        For each candidate, the smallest per-cluster mean Jaccard of the full assessment;
        NaN where it was not needed (screened out, or a better candidate was eligible).
    screen_jaccards : sequence of float, optional
        The same from the screening.
    finalists : sequence of bool, optional
        Which candidates passed the screening.

    Returns
    -------
    position : int
        Row of the chosen candidate.
    table : DataFrame
        The candidates with ``screen_min_jaccard``, ``finalist``, ``min_jaccard``,
        ``eligible``, ``chosen`` and ``provisional`` columns.
    note : str
        One sentence stating why it was chosen.
    """
    table = candidates.copy()
    n = len(table)
    if screen_jaccards is not None:
        table["screen_min_jaccard"] = np.asarray(screen_jaccards, dtype=float)
        table["finalist"] = (np.asarray(finalists, dtype=bool) if finalists is not None
                             else np.ones(n, dtype=bool))
    table["min_jaccard"] = np.asarray(min_jaccards, dtype=float)
    best = table["min_jaccard"].copy()
    if "screen_min_jaccard" in table:
        best = best.fillna(table["screen_min_jaccard"])
    if best.isna().all():
        raise ValueError("No candidate's stability was assessed.")
    table["eligible"] = table["min_jaccard"] >= min_jaccard  # NaN (not assessed) -> False
    name = criterion.upper()
    if table["eligible"].any():
        pos = int(np.flatnonzero(table["eligible"].to_numpy())[0])
        first = pos == 0
        note = (f"k = {table.loc[pos, 'k']} has the best {name} of the candidates "
                + ("" if first else "whose clusters all reproduce ")
                + f"(every cluster's mean bootstrap Jaccard >= {min_jaccard})"
                + ("." if first else "; better-scoring candidates had a cluster below it "
                                     "or were screened out."))
        provisional = False
    else:
        pos = int(np.nanargmax(best.to_numpy()))
        note = (f"No candidate had every cluster's mean bootstrap Jaccard >= {min_jaccard}; "
                f"k = {table.loc[pos, 'k']}, whose least stable cluster is the most stable, "
                f"is shown as a provisional solution: its clusters do not all reproduce.")
        provisional = True
    table["chosen"] = False
    table.loc[pos, "chosen"] = True
    table["provisional"] = False
    table.loc[pos, "provisional"] = provisional
    return pos, table, note


def _least(result) -> float:
    """The smallest per-cluster mean Jaccard of a stability result."""
    return float(result.summary["jaccard_mean"].min())


def assess_and_choose(candidates: pd.DataFrame, assess, *, criterion: str, min_jaccard: float,
                      n_resamples: int, screen_resamples: int, screen_margin: float,
                      max_finalists: int | None = None):
    """Screen every candidate, assess the finalists in full until one reproduces, choose.

    Parameters
    ----------
    candidates : DataFrame
        From :func:`rank_candidates`, best first.
    assess : callable
        ``assess(i, n_resamples, resume=None)`` -> StabilityResult of candidate ``i``
        (``resume``: an earlier result whose resamples are the first ones).

    Returns
    -------
    position : int
    table : DataFrame
        As from :func:`choose_solution`.
    stability : StabilityResult
        The chosen candidate's full assessment.

    Notes
    -----
    When no finalist reproduces, the candidate whose least stable cluster is the most
    stable is assessed in full, and the choice is made again with that assessment: a
    candidate whose clusters all reach ``min_jaccard`` in full is eligible, and the
    solution is *provisional* only when no candidate assessed in full reproduced.
    """
    n_screen = min(screen_resamples, n_resamples)
    screened = [assess(i, n_screen) for i in range(len(candidates))]
    screen_min = [_least(r) for r in screened]
    finalists = screen_candidates(screen_min, min_jaccard=min_jaccard, margin=screen_margin,
                                  max_finalists=max_finalists or None)
    full = [None] * len(candidates)
    for i in np.flatnonzero(finalists):
        full[i] = assess(i, n_resamples, resume=screened[i])
        if _least(full[i]) >= min_jaccard:
            break
    while True:
        pos, table, _ = choose_solution(
            candidates, [np.nan if r is None else _least(r) for r in full],
            criterion=criterion, min_jaccard=min_jaccard, screen_jaccards=screen_min,
            finalists=finalists)
        if full[pos] is not None:
            return pos, table, full[pos]
        full[pos] = assess(pos, n_resamples, resume=screened[pos])


def candidates_table(summary: pd.DataFrame, chosen: pd.DataFrame, *, model: str,
                     criterion: str, min_share: float, min_jaccard: float,
                     screen_margin: float, n_screen: int, n_full: int, min_size: int = 0,
                     n_samples: int | None = None) -> pd.DataFrame:
    """Every solution of ``model`` in the k range, by k, with its criteria, its stability,
    whether it was eligible and the reason it was or was not chosen (plain words).

    Parameters
    ----------
    summary : DataFrame
        The model comparison (:attr:`ModelSelectionResult.summary`).
    chosen : DataFrame
        The ranked candidates as returned by :func:`choose_solution`.

    Returns
    -------
    DataFrame
        ``model``, ``k``, the criteria of the comparison, ``candidate`` (passed the size and
        degeneracy checks), ``rank`` (by the criterion among the candidates, 1 = best),
        ``screen_min_jaccard`` and ``min_jaccard`` (smallest per-cluster mean Jaccard in the
        screening and in the full assessment; empty when not assessed), ``finalist``,
        ``eligible`` (True: every cluster reproduced in full; False: a cluster did not, in
        the screening or in full, or not a candidate; empty: not needed), ``chosen``,
        ``provisional`` and ``reason``.
    """
    from ._choice_text import row_reason

    criterion = resolve_criterion(criterion)
    drop = ["fit_seconds"]
    table = summary[summary["model"] == model].drop(columns=drop, errors="ignore")
    table = table.sort_values("k", kind="mergesort").reset_index(drop=True)
    why = left_out(summary, model=model, criterion=criterion, min_share=min_share,
                   min_size=min_size, n_samples=n_samples).set_index("k")["reason"]
    ranked = chosen.reset_index(drop=True).assign(rank=np.arange(1, len(chosen) + 1))
    ranked = ranked.set_index(ranked["k"].astype(int))
    ks = table["k"].astype(int)
    table["candidate"] = ks.isin(ranked.index).to_numpy()
    table["rank"] = ks.map(ranked["rank"]).astype("Int64").to_numpy()
    for col in ("screen_min_jaccard", "finalist", "min_jaccard"):
        if col in ranked:
            table[col] = ks.map(ranked[col]).to_numpy()
    finalist = table.get("finalist", pd.Series(True, index=table.index))
    table["finalist"] = finalist.astype("boolean").fillna(False).astype(bool)
    full = table["min_jaccard"].astype(float)
    eligible = pd.Series(pd.NA, index=table.index, dtype="boolean")
    eligible[full.notna()] = (full >= min_jaccard)[full.notna()]
    eligible[~table["candidate"]] = False
    eligible[full.isna() & table["candidate"] & ~table["finalist"]] = False
    table["eligible"] = eligible
    table["chosen"] = ks.map(ranked["chosen"]).fillna(False).astype(bool).to_numpy()
    table["provisional"] = ks.map(ranked["provisional"]).fillna(False).astype(bool).to_numpy()
    best = table.loc[table["chosen"]].iloc[0]
    ctx = {"criterion": criterion, "min_jaccard": min_jaccard, "n_screen": n_screen,
           "n_full": n_full, "screen_floor": min_jaccard - screen_margin, "best": best}
    table["reason"] = [row_reason(r, why.get(int(r["k"]), ""), **ctx)
                       for _, r in table.iterrows()]
    return table
