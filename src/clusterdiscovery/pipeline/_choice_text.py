"""The choice of a study's solution in plain words: each k's reason, the paragraph the
report opens with (the rule, the chosen k, the runners-up), the provisional notice's
details, and the error raised when no k can be chosen.

Every sentence is made from the candidates table (:func:`~clusterdiscovery.pipeline.
_choose.candidates_table`), so what the report says is what the table holds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._numbers import fmt_score as score
from ..describe._stability import jaccard_text
from ..selection._result import CRITERIA

__all__ = ["row_reason", "choice_paragraph", "provisional_detail", "no_candidate_message",
           "k_list"]


def _finite(v) -> bool:
    try:
        return bool(np.isfinite(float(v)))
    except (TypeError, ValueError):
        return False


def jaccard(v, threshold=None) -> str:
    """A mean Jaccard as text: two decimals, three where two would round it up to the
    ``threshold`` it is below (0.597, not 0.60, against 0.6)."""
    return jaccard_text(v, np.inf if threshold is None else threshold)


def k_list(ks) -> str:
    """``[3, 4, 5, 7]`` -> ``"3..5, 7"``."""
    ks = sorted(int(k) for k in ks)
    runs, start = [], None
    for i, k in enumerate(ks):
        start = k if start is None else start
        if i + 1 == len(ks) or ks[i + 1] != k + 1:
            runs.append(str(k) if k == start else
                        f"{start}, {k}" if k == start + 1 else f"{start}..{k}")
            start = None
    return ", ".join(runs)


def _better(criterion) -> str:
    return "lowest" if CRITERIA[criterion] else "highest"


def _worse(criterion) -> str:
    return "higher" if CRITERIA[criterion] else "lower"


def row_reason(r, left_out: str, *, criterion, min_jaccard, n_screen, n_full, screen_floor,
               best) -> str:
    """Why one k (a row of the candidates table) was or was not chosen, in plain words."""
    name = criterion.upper()
    full, screen = r.get("min_jaccard"), r.get("screen_min_jaccard")
    if not r["candidate"]:
        return f"not a candidate: {left_out}" if left_out else "not a candidate"
    if r["chosen"] and r["provisional"]:
        return (f"chosen provisionally: no candidate had every cluster reproduce; its least "
                f"stable cluster (mean Jaccard {jaccard(full, min_jaccard)} over {n_full} "
                f"resamples) is the most stable")
    if r["chosen"]:
        which = ("of all candidates, and its" if r["rank"] == 1 else
                 "of the candidates whose clusters all reproduce; its")
        return (f"chosen: the best {name} {which} smallest mean Jaccard is "
                f"{float(full):.2f} over {n_full} resamples (>= {min_jaccard:g})")
    if _finite(full):
        if full >= min_jaccard:
            return (f"every cluster reproduced (smallest mean Jaccard {float(full):.2f}), "
                    f"but a {_worse(criterion)} {name} than the chosen k = {int(best['k'])}")
        return (f"a cluster did not reproduce: mean Jaccard {jaccard(full, min_jaccard)} "
                f"over {n_full} resamples, below {min_jaccard:g}")
    if not r["finalist"]:
        if _finite(screen) and screen < screen_floor:
            return (f"screened out: a cluster with mean Jaccard "
                    f"{jaccard(screen, screen_floor)} over {n_screen} resamples, below "
                    f"{screen_floor:.2g}")
        return ("not assessed in full: beyond the cap on finalists ([stability] "
                "candidates)")
    return (f"not needed: a {_worse(criterion)} {name} than the chosen k = {int(best['k'])}, "
            f"whose clusters all reproduce")


def _short(r, *, n_screen, min_jaccard, screen_floor) -> str:
    """A runner-up's reason in a few words, for the paragraph."""
    full, screen = r.get("min_jaccard"), r.get("screen_min_jaccard")
    if _finite(full):
        return (f"had a cluster with mean Jaccard {jaccard(full, min_jaccard)}"
                if not r["eligible"] else "reproduced but scored worse")
    if not r["finalist"] and _finite(screen):
        return (f"had a cluster with mean Jaccard {jaccard(screen, screen_floor)} in the "
                f"screening ({n_screen} resamples)")
    return "scored worse and was not needed"


def _category(reason: str) -> str:
    """A left-out reason without its numbers, so that k with the same cause group."""
    reason = reason.removeprefix("not a candidate: ")
    if "below min_share" in reason:
        return "a cluster below min_share " + reason.rsplit("min_share ", 1)[-1]
    return reason.split(" (variance at its floor")[0]


def _left_out_clause(rows) -> str:
    groups: dict[str, list] = {}
    for _, r in rows.iterrows():
        groups.setdefault(_category(str(r["reason"])), []).append(int(r["k"]))
    return "; ".join(f"k = {k_list(ks)} ({why})" for why, ks in groups.items())


def choice_paragraph(table: pd.DataFrame, *, criterion: str, min_jaccard: float,
                     n_full: int, n_screen: int, screen_margin: float, method: str,
                     k_range=None, max_runners_up: int = 4) -> str:
    """The paragraph the report opens with: the rule, the chosen k and the runners-up.

    Parameters
    ----------
    table : DataFrame
        From :func:`~clusterdiscovery.pipeline._choose.candidates_table`.
    k_range : (int, int), optional
        ``[models] k_min, k_max``; a choice at either end of the k fitted is flagged.
    """
    from ..selection import resolve_criterion

    criterion = resolve_criterion(criterion)
    name = criterion.upper()
    floor = min_jaccard - screen_margin
    rule = (f"Rule: the {_better(criterion)} {name} among the solutions whose clusters all "
            f"reproduce (every cluster's mean Jaccard >= {min_jaccard:g} over {n_full} "
            f"{method} resamples; a solution with a cluster below {floor:.2g} in a first "
            f"screening of {n_screen} resamples counts as not reproducing).")
    chosen = table[table["chosen"]].iloc[0]
    k = int(chosen["k"])
    value = f"{name} {score(chosen[criterion])}"
    if chosen["provisional"]:
        text = (f"Chosen provisionally: no candidate had every cluster reproduce, so k = {k} "
                f"({value}), whose least stable cluster is the most stable (mean Jaccard "
                f"{jaccard(chosen['min_jaccard'], min_jaccard)}), is shown.")
    else:
        text = f"Chosen: k = {k} ({value})."
    parts = [rule, text]
    others = table[table["candidate"] & ~table["chosen"]].sort_values("rank")
    if len(others):
        shown = [f"k = {int(r['k'])} ({name} {score(r[criterion])}) "
                 f"{_short(r, n_screen=n_screen, min_jaccard=min_jaccard, screen_floor=floor)}"
                 for _, r in others.head(max_runners_up).iterrows()]
        more = len(others) - max_runners_up
        parts.append("Runners-up: " + "; ".join(shown)
                     + (f"; and {more} more (tables/candidates.csv)." if more > 0 else "."))
    out = table[~table["candidate"]]
    if len(out):
        parts.append(f"Not candidates: {_left_out_clause(out)}.")
    parts += _edge(table, k, k_range)
    return " ".join(parts)


def _edge(table, k, k_range) -> list[str]:
    """The warning for a choice at the top or bottom of the k tried."""
    ks = table["k"].astype(int)
    if len(ks) < 2:
        return []
    if k == ks.max():
        return ["The chosen k is the largest tried; widen k_max to check whether more "
                "clusters fit better."]
    if k == ks.min():
        if k <= 2:
            return ["The chosen k is the smallest tried: the data may hold no clear "
                    "subgroups (lr_tests = [\"lmr\"] tests one class against two)."]
        lower = f" (k_min = {k_range[0]})" if k_range else ""
        return [f"The chosen k is the smallest tried{lower}; lower k_min to check whether "
                f"fewer clusters fit better."]
    return []


def provisional_detail(table: pd.DataFrame, *, min_jaccard: float, n_full: int,
                       n_screen: int, screen_margin: float) -> str:
    """What the provisional notice says of the k tried: how many were not candidates,
    screened out, or assessed in full without every cluster reproducing (all true of the
    table)."""
    n = len(table)
    cand = table["candidate"]
    full = table["min_jaccard"].astype(float)
    screened_out = cand & full.isna() & ~table["finalist"]
    failed = cand & full.notna() & (full < min_jaccard)
    parts = []
    if (~cand).sum():
        parts.append(f"{int((~cand).sum())} were not candidates (see the appendix)")
    if screened_out.sum():
        parts.append(f"{int(screened_out.sum())} had a cluster below "
                     f"{min_jaccard - screen_margin:.2g} in the screening ({n_screen} "
                     f"resamples)")
    if failed.sum():
        parts.append(f"{int(failed.sum())} had a cluster below {min_jaccard:g} when assessed "
                     f"with {n_full} resamples")
    tried = f"k = {k_list(table['k'])}"
    return (f"Of the {n} numbers of clusters tried ({tried}), " + ", ".join(parts[:-1])
            + (" and " if len(parts) > 1 else "") + parts[-1] + ".")


def no_candidate_message(summary: pd.DataFrame, why: pd.DataFrame, *, model: str,
                         criterion: str) -> str:
    """The error when no solution of ``model`` is a candidate: every k with its cause, the
    columns with a variance at its floor (``floor_items``, where the comparison has it),
    and the fix that would help."""
    groups: dict[str, list] = {}
    for r in why.itertuples():
        groups.setdefault(_category(r.reason), []).append(int(r.k))
    listed = "; ".join(f"k = {k_list(ks)}: {c}" for c, ks in groups.items()) or "none"
    floor = {}
    if "floor_items" in summary.columns:
        part = summary[summary["model"] == model]
        for k, items in zip(part["k"], part["floor_items"]):
            if isinstance(items, str) and items.strip():
                floor.setdefault(items.strip(), []).append(int(k))
    message = f"No {model} solution can be chosen: every k was rejected ({listed})."
    if floor:
        message += (" Columns with a variance at its floor: "
                    + "; ".join(f"{items} (k = {k_list(ks)})" for items, ks in floor.items())
                    + ".")
    if model == "density":
        advice = ("density clustering found no usable clusters (every client noise, or "
                  "clusters too small); try another primary family, such as latent_class, "
                  "or lower min_share")
    elif floor:
        advice = ("declare those columns ordinal (or split them into a zero / non-zero part "
                  "and an amount), or lower [models] min_share")
    else:
        advice = "widen [models] k_min..k_max or lower [models] min_share"
    if any("min_cell_size" in c for c in groups):
        advice += (" (a cluster below [profile] min_cell_size clients can be neither "
                   "reported nor written to a model file: fewer clusters, or a lower "
                   "threshold where that is safe)")
    if any(c.startswith("no ") for c in groups) and criterion not in summary.columns:
        advice += f" ({criterion!r} is not a column of the model comparison)"
    return f"{message} Fix: {advice}."
