"""The printed page of one cluster: an opening paragraph of plain English, then the key
figures, then the experts' view.

Everything is written from the :class:`~clusterdiscovery.profiling.ClusterProfile` by fixed
templates (same profile, same words). Labels, units and directions come from the
:class:`~clusterdiscovery.ClientSchema` only (``label``, ``unit``, ``level_labels``,
``higher_is`` of each feature, cost and outcome); nothing here looks at a column's name. A
feature without a declared direction is described, never called a need or a strength.

Every withheld figure reads as a sentence (see
:func:`clusterdiscovery.profiling._suppress.withheld`).

References
----------
Cluster-based planning asks for "a one-page prose description" of each cluster that
incorporates the community experts' view; see ``docs/descriptions.md``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._numbers import with_unit_text
from ..profiling._data import OVERALL
from ..profiling._suppress import marker, withheld
from ..profiling._tables import SIZE_ROW
from ._effects import SMALL_EFFECT, effect_size
from ._text import Meaning

__all__ = ["Meaning", "opening_paragraph", "outcome_sentence", "key_figures", "page_blocks"]

_WORDS = {2: "twice", 3: "three times", 4: "four times", 5: "five times"}


# ------------------------------------------------------------------ number formats
def _finite(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and np.isfinite(v)


def num(v) -> str:
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.1f}" if abs(v) >= 1 or v == 0 else f"{v:.2f}"


def pct(v) -> str:
    p = 100 * v
    return f"{p:.0f}%" if p >= 10 or p == 0 else f"{p:.1f}%"


def count(v) -> str:
    return f"{int(round(v)):,}"


def with_unit(v, unit) -> str:
    return with_unit_text(num(v), unit)


def lower_first(text: str) -> str:
    """'Hallucinations and delusions' -> 'hallucinations and delusions'; acronyms kept."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def join_and(items) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def times(ratio) -> str:
    """'twice the population rate', '2.4 times the population rate', '60% above ...'."""
    if ratio >= 1.95:
        r = round(ratio, 1)
        if abs(r - round(r)) < 0.05 and round(r) in _WORDS:
            return f"{_WORDS[round(r)]} the population rate"
        return f"{r:.1f} times the population rate"
    return f"{100 * (ratio - 1):.0f}% above the population rate"


# ------------------------------------------------------------------ the paragraph
def _significant(profile, cluster):
    d = profile.distinguishing
    alpha = profile.params.get("alpha", 0.05)
    rows = d[(d["cluster"] == cluster) & ~d["suppressed"] & (d["p_adjusted"] < alpha)]
    return rows.reindex(rows["v_test"].abs().sort_values(ascending=False).index)


def _size_sentence(profile, cluster) -> str:
    n, share, total = profile.sizes[cluster], profile.shares[cluster], profile.sizes[OVERALL]
    if _finite(n):
        return (f"This cluster holds {count(n)} clients, {pct(share)} of the "
                f"{count(total)} profiled.")
    mark = profile.size_mark(cluster) or marker(
        profile.min_cell_size)
    return upper_first(withheld("the number of clients in this cluster", mark,
                                profile.min_cell_size)) + "."


def _category_sentences(rows, meaning, limit=3) -> list[str]:
    out = []
    for r in rows[rows["kind"] != "numeric"].itertuples():
        if r.v_test <= 0 or len(out) >= limit:
            continue
        label = lower_first(meaning.label(r.variable))
        positive = meaning.positive(r.variable)
        is_present = positive is not None and str(r.level) == str(positive)
        if is_present:
            # "Recorded for 58% of them: women, ..." reads for any label, noun or phrase
            out.append(f"Recorded for {pct(r.cluster_value)} of them: {label}, "
                       f"{times(r.ratio) if r.ratio >= 1.1 else 'close to the population rate'}"
                       f" ({pct(r.overall_value)} overall).")
        elif r.cluster_value >= 0.5:
            out.append(f"For most people in this cluster ({pct(r.cluster_value)}, against "
                       f"{pct(r.overall_value)} overall) {label} is "
                       f"{meaning.level(r.variable, r.level)}.")
        elif r.ratio >= 1.1:
            out.append(f"For {pct(r.cluster_value)} of them {label} is "
                       f"{meaning.level(r.variable, r.level)}, {times(r.ratio)}.")
    return out


def _numeric_phrase(r, meaning) -> str:
    unit = meaning.unit(r.variable)
    return (f"{lower_first(meaning.label(r.variable))} (average "
            f"{with_unit(r.cluster_value, unit)} against {with_unit(r.overall_value, unit)})")


def _numeric_sentences(rows, meaning, limit=3) -> list[str]:
    needs, strengths, neutral = [], [], []
    for r in rows[rows["kind"] == "numeric"].itertuples():
        h = meaning.higher_is(r.variable)
        if h in ("worse", "better") and effect_size(r) < SMALL_EFFECT:
            continue  # detectable but trivial (Cohen 1988): neither a need nor a strength
        if h in ("worse", "better"):
            worse = (r.v_test > 0) == (h == "worse")
            (needs if worse else strengths).append(r)
        else:
            neutral.append(r)
    out = []
    for r in neutral[:2]:
        unit = meaning.unit(r.variable)
        out.append(f"{upper_first(meaning.label(r.variable))} averages "
                   f"{with_unit(r.cluster_value, unit)}, against "
                   f"{with_unit(r.overall_value, unit)} in the whole population.")
    if needs:
        out.append("Compared with the whole population, their greatest needs are in "
                   + join_and(_numeric_phrase(r, meaning) for r in needs[:limit]) + ".")
    if strengths:
        out.append("They do better than the population on "
                   + join_and(_numeric_phrase(r, meaning) for r in strengths[:limit]) + ".")
    return out


def _cost_sentence(profile, cluster, meaning) -> str:
    if not profile.cost_columns:
        return ""
    col = profile.cost_columns[0]
    frame, _ = profile.cost_table(col)
    r, o = frame.loc[cluster], frame.loc[OVERALL]
    m = profile.min_cell_size
    what = _cost_label(profile, col, meaning)

    def amount(v):
        return meaning.amount(v, col, money_if_no_unit=True)

    bch = corrected_mean(profile, col, cluster)
    if not _finite(r["mean"]) or _corrected_hidden(profile, bch):
        mark = profile.cell_mark("costs", cluster, "mean", name=col) or marker(m)
        return upper_first(withheld(f"the mean {what} per client", mark, m)) + "."
    mean = r["mean"] if bch is None else bch["estimate"]
    text = f"On average, {what} per client: {amount(mean)}"
    if _finite(o["mean"]) and o["mean"] > 0:
        ratio = mean / o["mean"]
        text += (f", {ratio:.1f} times the population mean of {amount(o['mean'])}"
                 if ratio >= 1.05 else
                 f", about the population mean of {amount(o['mean'])}" if ratio > 0.95 else
                 f", {100 * ratio:.0f}% of the population mean of {amount(o['mean'])}")
    text += "."
    share = r.get("share_of_total", np.nan)
    n_share = profile.shares[cluster]
    if _finite(share) and _finite(n_share):
        text += (f" The cluster accounts for {pct(share)} of the total with {pct(n_share)} "
                 f"of the clients.")
    return text


def _cost_label(profile, col, meaning) -> str:
    """A cost's label; 'cost' for the only cost when it has none."""
    if meaning.label(col) != col:
        return lower_first(meaning.label(col))
    return "cost" if len(profile.cost_columns) == 1 else col.replace("_", " ")


def corrected_mean(profile, measure, cluster):
    """The BCH (or ML) mean of ``measure`` (a cost column, or ``"change in <outcome>"``) in
    ``cluster`` when the profile carries class means corrected for classification error
    (``profile.corrected``, set by :func:`~clusterdiscovery.discover` for a latent class
    model), as a row with ``estimate``, ``ci_low``, ``ci_high``, ``modal``, ``n_modal``
    and ``method``; ``None`` otherwise. Suppression is the caller's: the same cell marks
    as the modal figure, and a cluster of fewer than ``min_cell_size`` modal members is
    withheld (as in the appendix's table).

    References
    ----------
    Bakk, Z., Tekle, F. B. and Vermunt, J. K. (2013). Estimating the association between
    latent class membership and external variables using bias-adjusted three-step
    approaches. Sociological Methodology 43, 272-311.
    """
    corrected = getattr(profile, "corrected", None)
    if corrected is None or (measure, cluster) not in corrected.index:
        return None
    return corrected.loc[(measure, cluster)]


def _corrected_hidden(profile, row) -> bool:
    m = profile.min_cell_size
    return row is not None and m > 1 and not (_finite(row["n_modal"]) and row["n_modal"] >= m)


def page_estimate(profile, col, cluster, row):
    """One estimate per figure: ``(row, how, modal)`` with the cost ``row``'s mean and
    interval replaced by the BCH (or ML) estimate where the page shows one (``how`` says so,
    ``modal`` is the mean by most likely cluster), else ``(row, "", None)``."""
    bch = corrected_mean(profile, col, cluster)
    if bch is None or not _finite(row["mean"]) or _corrected_hidden(profile, bch):
        return row, "", None
    out = row.copy()
    out["mean"], out["ci_low"], out["ci_high"] = bch["estimate"], bch["ci_low"], bch["ci_high"]
    conf = f"{profile.params.get('confidence_level', 0.95):.0%}"
    return (out, f"{str(bch['method']).upper()}, allowing for uncertain membership; {conf}",
            row["mean"])


def uses_corrected(profile, cluster) -> bool:
    """Whether the page of ``cluster`` shows any mean corrected for uncertain membership."""
    corrected = getattr(profile, "corrected", None)
    return corrected is not None and cluster in corrected.index.get_level_values(1)


def corrected_sentence(profile) -> str:
    """One plain sentence saying that the page's means allow for uncertain membership."""
    method = str(profile.corrected["method"].iloc[0]).upper()
    return (f"Mean costs and changes here allow for uncertain membership: each client counts "
            f"in every cluster in proportion to how likely they are to belong there "
            f"({method} method); counts and shares are of the clients placed in this "
            f"cluster.")


def outcome_sentence(profile, cluster, name, meaning) -> str:
    """One outcome of one cluster in a sentence: direction of change, size and interval,
    reliable improvement and deterioration; any withheld figure says why in words."""
    frame, _, info = profile.outcome_table(name)
    r = frame.loc[cluster]
    m = profile.min_cell_size
    label = meaning.label(name) if meaning.label(name) != name else name.replace("_", " ")
    higher_better = info["higher_is_better"]
    better = "higher" if higher_better else "lower"
    unit = meaning.unit(name) or "points"
    conf = f"{profile.params.get('confidence_level', 0.95):.0%}"

    def mark(stat):
        return profile.cell_mark("outcomes", cluster, stat, name=name) or marker(m)

    bch = corrected_mean(profile, f"change in {name}", cluster)
    if not _finite(r["mean_change"]) or _corrected_hidden(profile, bch):
        return upper_first(withheld(f"the change in {label} in this cluster", mark(
            "mean_change"), m)) + "."
    if bch is not None:  # the mean change and its interval allowing for uncertain membership
        r = r.copy()
        r["mean_change"], r["ci_low"], r["ci_high"] = (bch["estimate"], bch["ci_low"],
                                                       bch["ci_high"])
    change = r["mean_change"]
    improved = (change > 0) == higher_better and change != 0
    verb = "rose" if change > 0 else "fell" if change < 0 else "did not change"
    text = f"{label} ({better} is better) {verb}"
    if change != 0:
        text += f" by {num(abs(change))} {unit} on average"
    if _finite(r["ci_low"]) and _finite(r["ci_high"]):
        text += f" ({conf} interval {r['ci_low']:+.1f} to {r['ci_high']:+.1f})"
    if _finite(r["baseline_mean"]):
        text += f" from {num(r['baseline_mean'])} at baseline"
    clear = (_finite(r["ci_low"]) and _finite(r["ci_high"])
             and (r["ci_low"] > 0 or r["ci_high"] < 0))
    if change != 0:
        text += ((", an improvement" if improved else ", a deterioration") if clear else
                 ", not clearly different from no change")
    text += "."
    who = (f"of the {count(r['n'])} clients with both scores" if _finite(r["n"]) else
           "of the clients with both scores")
    parts = []
    for stat, words in (("share_improved", "improved reliably"),
                        ("share_deteriorated", "deteriorated reliably")):
        if _finite(r[stat]):
            parts.append(f"{pct(r[stat])} {words}" if r[stat] > 0 else f"none {words}")
        else:
            parts.append(withheld(f"the share who {words}", mark(stat), m))
    shown = [p for p in parts if "withheld" not in p]
    hidden = [p for p in parts if "withheld" in p]
    sentence = ""
    if shown:
        sentence = f" {upper_first(join_and(shown))} ({who})"
        sentence += "; " + join_and(hidden) + "." if hidden else "."
    else:
        sentence = f" {upper_first(join_and(hidden))} ({who})."
    if not _finite(r["n"]):
        sentence += " " + upper_first(withheld("the number of clients with both scores",
                                               mark("n"), m)) + "."
    return upper_first(text) + sentence


def opening_paragraph(profile, cluster, meaning) -> str:
    """The opening paragraph of a cluster's page (plain English, deterministic)."""
    if profile.is_suppressed(cluster) and _small_group(profile, cluster):
        m = profile.min_cell_size
        return (f"This cluster has fewer than {m} clients. To protect the privacy of the "
                f"people in it, nothing more is reported about it.")
    rows = _significant(profile, cluster)
    sentences = [_size_sentence(profile, cluster)]
    if rows.empty:
        sentences.append("No feature sets this cluster apart from the whole population beyond "
                         "chance.")
    sentences += _category_sentences(rows, meaning)
    sentences += _numeric_sentences(rows, meaning)
    cost = _cost_sentence(profile, cluster, meaning)
    if cost:
        sentences.append(cost)
    for name in profile.outcome_names:
        sentences.append(outcome_sentence(profile, cluster, name, meaning))
    if (profile.cost_columns or profile.outcome_names) and uses_corrected(profile, cluster):
        sentences.append(corrected_sentence(profile))
    return " ".join(sentences)


def _small_group(profile, cluster) -> bool:
    d = profile.distinguishing
    return bool((d["cluster"] == cluster).any()) and profile.is_small_group(cluster)


# ------------------------------------------------------------------ key figures
def key_figures(profile, cluster, meaning, stability=None) -> pd.DataFrame:
    """The key figures of a cluster beside the population's, as text."""
    m = profile.min_cell_size
    t1 = profile.table1
    rows = []

    def shown(table, stat, value, fmt, group, name=None):
        if _finite(value):
            return fmt(value)
        return profile.cell_mark(table, group, stat, name=name) or marker(m)

    rows.append(("clients",
                 shown("table1", SIZE_ROW, t1.loc[SIZE_ROW, cluster],
                       count, cluster),
                 count(t1.loc[SIZE_ROW, OVERALL])))
    for col in profile.cost_columns[:3]:
        frame, _ = profile.cost_table(col)

        def money(v, col=col):
            return meaning.amount(v, col, money_if_no_unit=True)

        r, o = frame.loc[cluster], frame.loc[OVERALL]
        label = _cost_label(profile, col, meaning)
        bch = corrected_mean(profile, col, cluster)
        modal = shown("costs", "mean", r["mean"], money, cluster, col)
        if bch is not None:  # the corrected mean first, the modal one beside it
            hidden = not _finite(r["mean"]) or _corrected_hidden(profile, bch)
            mark = profile.cell_mark("costs", cluster, "mean", name=col) or marker(m)
            rows.append((f"mean {label} per client ({bch['method'].upper()}, allowing for "
                         f"uncertain membership)", mark if hidden else money(bch["estimate"]),
                         money(o["mean"]) if _finite(o["mean"]) else ""))
            continue  # one estimate per figure: the modal mean is in the appendix
        rows.append((f"mean {label} per client", modal,
                     money(o["mean"]) if _finite(o["mean"]) else ""))
    for name in profile.outcome_names:
        frame, _, info = profile.outcome_table(name)
        r, o = frame.loc[cluster], frame.loc[OVERALL]
        label = meaning.label(name) if meaning.label(name) != name else name.replace("_", " ")
        better = "higher" if info["higher_is_better"] else "lower"
        modal = shown("outcomes", "mean_change", r["mean_change"], lambda v: f"{v:+.1f}",
                      cluster, name)
        bch = corrected_mean(profile, f"change in {name}", cluster)
        population = f"{o['mean_change']:+.1f}" if _finite(o["mean_change"]) else ""
        if bch is not None:  # the corrected change first, the modal one beside it
            hidden = not _finite(r["mean_change"]) or _corrected_hidden(profile, bch)
            mark = (profile.cell_mark("outcomes", cluster, "mean_change", name=name)
                    or marker(m))
            rows.append((f"change in {label} ({better} is better; {bch['method'].upper()}, "
                         f"allowing for uncertain membership)",
                         mark if hidden else f"{bch['estimate']:+.1f}", population))
        else:
            rows.append((f"change in {label} ({better} is better)", modal, population))
        rows.append((f"reliably improved ({label})",
                     shown("outcomes", "share_improved", r["share_improved"], pct, cluster,
                           name),
                     pct(o["share_improved"]) if _finite(o["share_improved"]) else
                     profile.cell_mark("outcomes", OVERALL, "share_improved", name=name)))
    if stability is not None and cluster in stability.summary.index:
        s = stability.summary.loc[cluster]
        j = s.get("jaccard_mean", np.nan)
        rows.append(("stability (mean bootstrap Jaccard)",
                     f"{float(j):.2f} ({s.get('verdict', '')})" if _finite(float(j)) else
                     "not assessed", ""))
    out = pd.DataFrame(rows, columns=["figure", "this cluster", "population"])
    return out.set_index("figure")


# ------------------------------------------------------------------ the page
def page_blocks(profile, cluster, *, name, meaning, stability=None, narrative=None) -> list:
    """The printed page of one cluster as blocks: heading, opening paragraph (from the
    data), key figures (from the data), the experts' view (from the experts) when given."""
    blocks = [("h2", f"Cluster {cluster}: {name}"),
              ("p", "**From the data.** " + opening_paragraph(profile, cluster, meaning))]
    small = profile.is_suppressed(cluster) and _small_group(profile, cluster)
    if not small:
        blocks += [("h3", "Key figures"), ("table", key_figures(profile, cluster, meaning,
                                                                stability))]
    if narrative:
        blocks += narrative_blocks(narrative)
    parts = ["every distinguishing feature", *(["costs by type"] if profile.cost_columns else []),
             *(["outcomes"] if profile.outcome_names else [])]
    blocks.append(("note", f"The details of cluster {cluster} ({', '.join(parts)}) are in the "
                           f"appendix (a separate file)."))
    return blocks


def narrative_blocks(narrative: str) -> list:
    """The experts' view, marked as such: one paragraph per blank-line separated part."""
    parts = [p.strip() for p in str(narrative).split("\n\n") if p.strip()]
    out = [("h3", "The experts' view"),
           ("note", "Written by community experts (clients, families, treatment providers), "
                    "not computed from the data.")]
    out += [("p", " ".join(p.split())) for p in parts]
    return out
