"""Deterministic prose templates: one page per cluster, built from a ClusterProfile.

A page is a list of blocks ``(kind, content)`` with kind ``"h2"``, ``"h3"``, ``"p"`` or
``"ul"`` (content: a list of strings); inline emphasis is ``**bold**`` only. The same
blocks are rendered to Markdown and to HTML by ``_report.py``.
"""

from __future__ import annotations

import math
import re

import numpy as np

from ..profiling._data import OVERALL
from ..profiling._suppress import marker

__all__ = ["HONOS_ITEMS", "SARN_ITEMS", "variable_label", "level_label", "suggest_name",
           "cluster_blocks", "domain_of", "direction_of"]

HONOS_ITEMS = {
    1: "overactive, aggressive, disruptive or agitated behaviour",
    2: "non-accidental self-injury",
    3: "problem drinking or drug-taking",
    4: "cognitive problems",
    5: "physical illness or disability problems",
    6: "problems associated with hallucinations and delusions",
    7: "problems with depressed mood",
    8: "other mental and behavioural problems",
    9: "problems with relationships",
    10: "problems with activities of daily living",
    11: "problems with living conditions",
    12: "problems with occupation and activities",
}
# short forms for names and plain sentences
_HONOS_SHORT = {
    1: "overactive/aggressive behaviour", 2: "non-accidental self-injury",
    3: "problem drinking or drug-taking", 4: "cognitive problems",
    5: "physical illness or disability", 6: "hallucinations and delusions",
    7: "depressed mood", 8: "other mental and behavioural problems",
    9: "problems with relationships", 10: "problems with activities of daily living",
    11: "problems with living conditions", 12: "problems with occupation and activities",
}
SARN_ITEMS = {
    "sarn_risk_others": "risk to others", "sarn_self_harm": "risk of self-harm",
    "sarn_vulnerability": "vulnerability", "sarn_self_neglect": "self-neglect",
    "sarn_engagement": "problems with engagement",
}
_HONOS_RE = re.compile(r"^honos_?(\d{1,2})$", re.IGNORECASE)
_DOMAINS = [
    ("clinical", re.compile(r"honos|sarn|diagnos|substance|symptom|self_harm|risk|phq|gad|core")),
    ("social", re.compile(r"age|sex|gender|ethnic|housing|employ|justice|living|benefit|"
                          r"income|marital|relationship|depriv|imd|carer")),
    ("service", re.compile(r"admission|years_known|contact|service|inpatient|crisis|"
                           r"outpatient|medication|therapy|attendance|ae_|residential|"
                           r"episode|team|referral|bed|cost|visit|appointment|length")),
]
_WORSE_WHEN_HIGHER = re.compile(r"^honos|^sarn|admission|substance|justice|crisis|ae_|"
                                r"inpatient|self_harm")
_PROBLEM_LEVELS = {"homeless", "unstable", "unemployed", "unable_to_work", "unable to work"}
_GOOD_LEVELS = {"settled", "employed"}
_NUMBER_WORDS = {2: "twice", 3: "three times", 4: "four times", 5: "five times",
                 6: "six times", 7: "seven times", 8: "eight times", 9: "nine times",
                 10: "ten times"}


def variable_label(name: str, labels: dict | None = None) -> str:
    """Plain name of a variable: user label, official HoNOS/SARN item name, or the column."""
    if labels and name in labels:
        return str(labels[name])
    m = _HONOS_RE.match(name)
    if m and int(m.group(1)) in HONOS_ITEMS:
        return f"HoNOS item '{_HONOS_SHORT[int(m.group(1))]}'"
    if name in SARN_ITEMS:
        return f"SARN rating '{SARN_ITEMS[name]}'"
    return name.replace("_", " ")


def short_label(name: str, labels: dict | None = None) -> str:
    if labels and name in labels:
        return str(labels[name])
    m = _HONOS_RE.match(name)
    if m and int(m.group(1)) in HONOS_ITEMS:
        return _HONOS_SHORT[int(m.group(1))]
    if name in SARN_ITEMS:
        return SARN_ITEMS[name]
    return name.replace("_", " ")


def level_label(level) -> str:
    return str(level).replace("_", " ")


def domain_of(variable: str) -> str:
    name = variable.lower()
    for domain, rx in _DOMAINS:
        if rx.search(name):
            return domain
    return "other"


def direction_of(row, worse_when_higher: dict | None = None) -> int:
    """+1 if the row shows a problem (worse than the population), -1 a strength, 0 unknown."""
    v = row.v_test
    if v is None or not np.isfinite(v) or v == 0:
        return 0
    up = 1 if v > 0 else -1
    var = str(row.variable)
    if row.kind == "categorical" and row.level != "" and str(row.level) not in ("1", "True",
                                                                                 "1.0"):
        lv = str(row.level).lower()
        if lv in _PROBLEM_LEVELS:
            return up
        if lv in _GOOD_LEVELS:
            return -up
        return 0
    if worse_when_higher and var in worse_when_higher:
        return up if worse_when_higher[var] else -up
    if _WORSE_WHEN_HIGHER.search(var.lower()):
        return up
    return 0


def _num(v) -> str:
    if v is None or not np.isfinite(v):
        return "n/a"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.1f}" if abs(v) >= 1 else f"{v:.2f}"


def _count(v) -> str:
    if v is None or not np.isfinite(v):
        return "n/a"
    return f"{int(round(v)):,}"


def _pct(v) -> str:
    if v is None or not np.isfinite(v):
        return "n/a"
    p = 100 * v
    return f"{p:.0f}%" if p >= 10 or p == 0 else f"{p:.1f}%"


def _money(v, currency) -> str:
    if v is None or not np.isfinite(v):
        return "n/a"
    return f"{currency}{v:,.0f}"


def times_phrase(ratio) -> str:
    """'three times the population rate', '2.4 times ...', '40% of ...'."""
    if ratio is None or not np.isfinite(ratio):
        return ""
    if ratio >= 1.95:
        r = round(ratio, 1)
        whole = round(r)
        if abs(r - whole) < 0.05 and whole in _NUMBER_WORDS:
            return f"{_NUMBER_WORDS[whole]} the population rate"
        return f"{r:.1f} times the population rate"
    if ratio >= 1.1:
        return f"{100 * (ratio - 1):.0f}% above the population rate"
    if ratio == 0:
        return "none at all in this cluster"
    if ratio <= 0.9:
        return f"{100 * ratio:.0f}% of the population rate"
    return "close to the population rate"


def feature_sentence(row, labels=None) -> str:
    """One distinguishing feature in plain words with its magnitude."""
    if row.kind == "numeric":
        lab = variable_label(row.variable, labels)
        lab = lab[0].upper() + lab[1:]
        return (f"{lab} averages **{_num(row.cluster_value)}** against "
                f"{_num(row.overall_value)} overall (v-test {row.v_test:+.1f}).")
    var = variable_label(row.variable, labels)
    if str(row.level) in ("1", "True", "1.0"):
        what = var[0].upper() + var[1:]
    else:
        what = f"{var[0].upper() + var[1:]} '{level_label(row.level)}'"
    tp = times_phrase(row.ratio)
    return (f"{what}: **{_pct(row.cluster_value)}** of the cluster against "
            f"{_pct(row.overall_value)} overall (" + (f"{tp}; " if tp else "") +
            f"v-test {row.v_test:+.1f}).")


_NAME_WORDS = {"age": ("older", "younger"), "years_known": ("long known", "recently known")}
_PROBLEM_WORD = re.compile(r"\bproblems?\b")


def _is_problem_scale(variable: str) -> bool:
    """HoNOS items and SARN ratings: a higher score is more problems."""
    m = _HONOS_RE.match(variable)
    return bool(m and int(m.group(1)) in HONOS_ITEMS) or variable in SARN_ITEMS


def _name_term(row, labels, types) -> tuple[str, bool] | None:
    """``(words, higher)`` naming one significant feature, or None if it cannot name one.

    ``higher`` is whether the feature is higher or more common in the cluster (positive
    v-test). HoNOS and SARN items are named as problems: "problems with living
    conditions", "cognitive problems", "high hallucinations and delusions"; when lower,
    "few problems with ...", "low vulnerability".
    """
    up = row.v_test > 0
    var = row.variable
    if row.kind != "numeric":
        if not up:
            return None
        if str(row.level) in ("1", "True", "1.0"):
            return short_label(var, labels), True
        return level_label(row.level), True
    own = bool(labels and var in labels)
    label = short_label(var, labels)
    if var in _NAME_WORDS and not own:
        return _NAME_WORDS[var][0 if up else 1], up
    if _is_problem_scale(var) and not own:
        if _PROBLEM_WORD.search(label):  # already says "problem(s)"
            if up:
                return label, True
            return ("few " if label.startswith("problems") or label.endswith("problems")
                    else "little ") + label, False
        return ("high " if up else "low ") + label, up
    if types.get(var) == "count":
        return ("many " if up else "few ") + label, up
    return ("high " if up else "low ") + label, up


def suggest_name(rows, labels=None, n_terms: int = 2, types=None) -> str:
    """A short name from the strongest over-represented features.

    ``rows`` are a cluster's significant features, strongest first. The name joins the
    ``n_terms`` strongest features that are higher or more common in the cluster (positive
    v-test); lower features ("younger", "low ...", "few ...") fill in only when there are
    fewer such features. HoNOS and SARN items are named as problems ("Problems with living
    conditions", "High hallucinations and delusions").
    """
    types = types or {}
    higher, lower = [], []
    for row in rows:
        if row.suppressed or not np.isfinite(row.v_test):
            continue
        term = _name_term(row, labels, types)
        if term is None:
            continue
        words, up = term
        target = higher if up else lower
        if words not in higher and words not in lower:
            target.append(words)
    terms = (higher + lower)[:n_terms]
    if not terms:
        return ""
    name = ", ".join(terms)
    return name[0].upper() + name[1:]


def _marks(profile, table, cluster, name, default):
    """``stat -> marker`` of one cluster's row of a costs/outcomes table: the primary
    ``"suppressed (<11)"`` or the secondary ``"suppressed (to protect a small cell)"``."""
    def mark(stat):
        try:
            return profile.cell_mark(table, cluster, stat, name=name) or default
        except KeyError:
            return default
    return mark


def _fmt_or_mark(value, fmt, mark):
    return mark if value is None or (isinstance(value, float) and math.isnan(value)) else fmt(
        value)


def cluster_blocks(profile, cluster, *, name, rows, top_n, labels, stability, narrative,
                   currency, worse_when_higher) -> list:
    """The page of one cluster as blocks."""
    m = profile.min_cell_size
    mark = marker(m)
    alpha = profile.params.get("alpha", 0.05)
    blocks = [("h2", f"Cluster {cluster}: {name}")]
    n = profile.table1.loc[("clients", "", "n"), cluster]
    share = profile.table1.loc[("clients", "", "share"), cluster]
    total_n = profile.table1.loc[("clients", "", "n"), OVERALL]
    small = profile.is_suppressed(cluster) and any(
        (r.reason.startswith("group has fewer")) for r in rows.itertuples())
    if np.isnan(n):
        of_total = f" of {_count(total_n)}" if np.isfinite(total_n) else ""
        if small:
            size_txt = (f"**Size:** {mark} clients{of_total}. This cluster has fewer than {m} "
                        f"clients, so its figures are shown as '{mark}' to protect the "
                        f"privacy of the people in it.")
        else:
            size_txt = (f"**Size:** the number of clients (out{of_total or ' of the total'}) "
                        f"is withheld so that a smaller cluster's size cannot be worked out "
                        f"from the total.")
    else:
        size_txt = (f"**Size:** {_count(n)} clients, {_pct(share)} of the {_count(total_n)} "
                    f"clients profiled.")
    blocks.append(("p", size_txt))
    if small:
        blocks.append(("p", f"No features, costs or outcomes are reported for this cluster "
                            f"({mark})."))
        _stability_block(blocks, stability, cluster)
        if narrative:
            blocks += [("h3", "Expert view"), ("p", narrative.strip())]
        return _capitalised(blocks)

    shown = rows[~rows["suppressed"] & (rows["p_adjusted"] < alpha)]
    problems, strengths, other = [], [], []
    for row in shown.itertuples():
        d = direction_of(row, worse_when_higher)
        (problems if d > 0 else strengths if d < 0 else other).append(row)
    blocks.append(("h3", "What sets this cluster apart"))
    if shown.empty:
        blocks.append(("p", f"No feature sets this cluster apart at the {alpha:.0%} level "
                            f"after adjusting for multiple testing (Benjamini-Hochberg)."))
    else:
        if problems:
            blocks.append(("p", "**Main problems** (worse than the population):"))
            blocks.append(("ul", [feature_sentence(r, labels) for r in problems[:top_n]]))
        if strengths:
            blocks.append(("p", "**Relative strengths** (better than the population):"))
            blocks.append(("ul", [feature_sentence(r, labels) for r in strengths[:top_n]]))
        rest = [r for r in other if domain_of(r.variable) in ("clinical", "other")]
        if rest:
            blocks.append(("p", "**Other distinguishing features:**"))
            blocks.append(("ul", [feature_sentence(r, labels) for r in rest[:top_n]]))
    told = {(r.variable, r.level) for r in problems[:top_n] + strengths[:top_n]}
    for domain, title in (("social", "Social context"),
                          ("service", "Treatment history and service use")):
        dom = [r for r in shown.itertuples() if domain_of(r.variable) == domain]
        new = [r for r in dom if (r.variable, r.level) not in told]
        blocks.append(("h3", title))
        if new:
            blocks.append(("ul", [feature_sentence(r, labels) for r in new[:top_n]]))
        elif dom:
            blocks.append(("p", "The differences in this area are listed above."))
        else:
            blocks.append(("p", "No feature in this area differs clearly from the population."))
        if domain == "service":
            blocks += _cost_blocks(profile, cluster, currency, mark)
    blocks += _outcome_blocks(profile, cluster, mark)
    _stability_block(blocks, stability, cluster)
    if narrative:
        blocks += [("h3", "Expert view"), ("p", narrative.strip())]
    return _capitalised(blocks)


def _cost_label(col: str) -> str:
    """'cost_inpatient_day' -> 'inpatient day'; 'cost' -> ''."""
    name = col.lower()
    name = name[5:] if name.startswith("cost_") else name
    return "" if name == "cost" else name.replace("_", " ")


def _cost_mean_text(profile, cluster, col, currency, mark):
    """'mean £X per client (95% BCa interval £a to £b), 2.1 times the population mean of
    £Y (clearly above it)' for one cost column."""
    frame, _ = profile.cost_table(col)
    r, o = frame.loc[cluster], frame.loc[OVERALL]
    cm = _marks(profile, "costs", cluster, col, mark)

    def money(stat):
        return _fmt_or_mark(r[stat], lambda v: _money(v, currency), cm(stat))

    conf = f"{profile.params.get('confidence_level', 0.95):.0%}"
    text = (f"mean {money('mean')} per client ({conf} BCa interval {money('ci_low')} to "
            f"{money('ci_high')})")
    if np.isfinite(r["mean"]) and np.isfinite(o["mean"]) and o["mean"] > 0:
        ratio = r["mean"] / o["mean"]
        rel = f"{ratio:.1f} times" if ratio >= 1.05 else (
            "about the same as" if ratio > 0.95 else f"{100 * ratio:.0f}% of")
        text += f", {rel} the population mean of {_money(o['mean'], currency)}"
        if np.isfinite(r["ci_low"]) and r["ci_low"] > o["mean"]:
            text += " (clearly above it)"
        elif np.isfinite(r["ci_high"]) and r["ci_high"] < o["mean"]:
            text += " (clearly below it)"
        else:
            text += " (the interval includes it)"
    elif np.isfinite(o["mean"]) and o["mean"] == 0:
        text += ", with no such cost recorded in the population"
    return text, r, o, cm, money


def _cost_blocks(profile, cluster, currency, mark):
    """A paragraph on the first cost column; one line for each further cost column."""
    if not profile.cost_columns:
        return []
    col, *more = profile.cost_columns
    text, r, o, cm, money = _cost_mean_text(profile, cluster, col, currency, mark)
    label = _cost_label(col)
    text = f"**{'Cost' + (f' ({label})' if label else '')}:** {text}."
    share_n = profile.table1.loc[("clients", "", "share"), cluster]
    size_mark = profile.cell_mark("table1", cluster, ("clients", "", "share")) or mark
    text += (f" The cluster accounts for "
             f"{_fmt_or_mark(r['share_of_total'], _pct, cm('share_of_total'))} of total cost "
             f"with {_fmt_or_mark(share_n, _pct, size_mark)} of clients.")
    text += (f" Median {money('median')}; share with no recorded cost "
             f"{_fmt_or_mark(r['share_zero'], _pct, cm('share_zero'))}.")
    if "cost_per_client_year" in r and profile.params.get("exposure"):
        text += (f" Cost per client-year {money('cost_per_client_year')} "
                 f"(population {_money(o['cost_per_client_year'], currency)}).")
    out = [("p", text)]
    if more:
        items = []
        for c in more:
            line = _cost_mean_text(profile, cluster, c, currency, mark)[0]
            items.append(f"{(_cost_label(c) or c.replace('_', ' '))}: {line}.")
        out += [("p", "**Cost by type:**"), ("ul", items)]
    return out


def _outcome_label(name: str) -> str:
    """'honos_total' -> 'HoNOS total'."""
    text = name.replace("_", " ")
    text = re.sub(r"\bhonos\b", "HoNOS", text, flags=re.IGNORECASE)
    return re.sub(r"\bsarn\b", "SARN", text, flags=re.IGNORECASE)


def capitalise(text: str) -> str:
    """Upper-case the first letter of a sentence (after any leading ``**``)."""
    m = re.search(r"[A-Za-z]", text)
    if m is None or text[:m.start()].strip("* ") != "":
        return text
    return text[:m.start()] + text[m.start()].upper() + text[m.start() + 1:]


def _capitalised(blocks) -> list:
    """Every paragraph and bullet starts with a capital letter."""
    out = []
    for kind, content in blocks:
        if kind == "p":
            content = capitalise(content)
        elif kind == "ul":
            content = [capitalise(item) for item in content]
        out.append((kind, content))
    return out


def _outcome_blocks(profile, cluster, mark):
    if not profile.outcome_names:
        return []
    items = []
    conf = f"{profile.params.get('confidence_level', 0.95):.0%}"
    for name in profile.outcome_names:
        frame, _, info = profile.outcome_table(name)
        r = frame.loc[cluster]
        cm = _marks(profile, "outcomes", cluster, name, mark)
        better = "higher" if info["higher_is_better"] else "lower"
        label = _outcome_label(name)
        if np.isnan(r["n"]) and np.isnan(r["mean_change"]):
            items.append(f"{label}: {cm('n')}.")
            continue
        def val(stat, fmt, r=r, cm=cm):
            return _fmt_or_mark(r[stat], fmt, cm(stat))

        def signed(v):
            return f"{v:+.1f}"

        items.append(
            f"{label} ({better} is better): mean change "
            f"**{val('mean_change', signed)}** ({conf} interval {val('ci_low', signed)} to "
            f"{val('ci_high', signed)}) from {val('baseline_mean', _num)} at baseline; "
            f"reliably improved {val('share_improved', _pct)}, reliably deteriorated "
            f"{val('share_deteriorated', _pct)} (Jacobson-Truax, reliability "
            f"{info['reliability']:.2f}); {val('n', _count)} clients with both scores."
        )
    return [("h3", "Outcomes"), ("ul", items)]


def _stability_block(blocks, stability, cluster):
    if stability is None:
        return
    s = getattr(stability, "summary", None)
    text = "Stability was not assessed for this cluster."
    if s is not None and cluster in s.index:
        row = s.loc[cluster]
        j = row.get("jaccard_mean", np.nan)
        verdict = row.get("verdict", "")
        text = (f"**Stability:** mean Jaccard similarity {float(j):.2f} across resamples; "
                f"verdict: {verdict}.")
    blocks += [("h3", "Stability"), ("p", text)]
