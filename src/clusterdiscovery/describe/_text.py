"""Deterministic prose templates: one page per cluster, built from a ClusterProfile.

A page is a list of blocks ``(kind, content)`` with kind ``"h2"``, ``"h3"``, ``"p"`` or
``"ul"`` (content: a list of strings); inline emphasis is ``**bold**`` only. The same
blocks are rendered to Markdown and to HTML by ``_report.py``.

Every word about a column comes from the schema the profile was made with (see
:class:`Meaning`): its label, unit, level labels, positive level, direction (``higher_is``)
and section. Nothing is guessed from a column's name: a column the schema does not describe
is shown under its own name, with neutral wording, no direction and no section.
"""

from __future__ import annotations

import math

import numpy as np

from .._numbers import fmt_number, fmt_numbers, with_unit_text
from ..profiling._data import OVERALL
from ..profiling._suppress import marker
from ..profiling._tables import SHARE_ROW
from ..schema import DEFAULT_SECTIONS, FeatureSpec
from ._effects import SMALL_EFFECT, by_effect, effect_size, worth_naming

__all__ = ["Meaning", "fmt_number", "suggest_name", "name_terms", "unique_names",
           "cluster_blocks", "feature_sentence", "times_phrase", "capitalise"]

_NUMBER_WORDS = {2: "twice", 3: "three times", 4: "four times", 5: "five times",
                 6: "six times", 7: "seven times", 8: "eight times", 9: "nine times",
                 10: "ten times"}
#: the section costs and utilisation are reported in when they declare none
_SERVICE_SECTION = "service use"


class Meaning:
    """What the profile's schema says about each column, as the pages read it.

    Parameters
    ----------
    profile : ClusterProfile
        Its ``schema`` (labels, units, level labels, directions, sections, currency), its
        declared ``types`` and the ``positive`` level of each binary.
    schema : ClientSchema, optional
        A schema to read instead of the profile's.
    labels : dict, optional
        Display names over the schema's labels.
    higher_is : dict, optional
        ``{column: "worse" | "better" | "neutral"}`` over the schema's ``higher_is``.
    currency : str, optional
        Prefix of money amounts (default: the schema's ``currency``, else none).
    significant_figures : int
        Of the numbers in the prose (see :func:`fmt_number`).
    """

    def __init__(self, profile, *, schema=None, labels=None, higher_is=None, currency=None,
                 significant_figures=3):
        self.schema = schema if schema is not None else getattr(profile, "schema", None)
        params = getattr(profile, "params", {}) or {}
        self.types = dict(params.get("types") or {})
        self.positive_levels = dict(params.get("positive") or {})
        self.labels = {**dict(getattr(profile, "labels_map", {}) or {}), **dict(labels or {})}
        self.higher = dict(higher_is or {})
        if currency is None:
            currency = self.schema.currency if self.schema is not None else None
        self.currency = "" if currency is None else str(currency)
        self.sig = int(significant_figures)
        self.sections = list(self.schema.sections if self.schema is not None
                             else DEFAULT_SECTIONS)

    def spec(self, column):
        return None if self.schema is None else self.schema.find_spec(column)

    def label(self, column) -> str:
        """Display name: the given label, the schema's label, else the column name."""
        if column in self.labels:
            return str(self.labels[column])
        spec = self.spec(column)
        return spec.label if spec is not None and spec.label else str(column)

    def declares_label(self, column) -> bool:
        """Whether the column's display name was given (not its bare column name)."""
        return self.label(column) != str(column)

    def unit(self, column) -> str:
        """The declared unit ("" if none)."""
        spec = self.spec(column)
        return (spec.unit or "") if spec is not None else ""

    def higher_is(self, column) -> str:
        if column in self.higher:
            return self.higher[column]
        spec = self.spec(column)
        return (spec.higher_is if spec is not None else None) or "neutral"

    def section(self, column) -> str | None:
        """The declared section, spelt as in the schema's ``sections`` (None: undeclared)."""
        return self.schema.section_of(column) if self.schema is not None else None

    def level_text(self, column, level) -> str:
        spec = self.spec(column)
        return spec.level_label(level) if isinstance(spec, FeatureSpec) else str(level)

    def level(self, column, level) -> str:
        return self.level_text(column, level)

    def positive(self, column):
        """A binary's positive level: as profiled (declared or recognised), else declared."""
        if column in self.positive_levels:
            return self.positive_levels[column]
        spec = self.spec(column)
        return spec.positive_level() if isinstance(spec, FeatureSpec) else None

    def is_positive(self, row) -> bool:
        """Whether a categorical row is a binary's positive level ("present")."""
        return (row.kind == "categorical" and row.variable in self.positive_levels
                and str(row.level) == self.positive_levels[row.variable])

    def direction(self, row) -> int:
        """+1 if the row shows a need (worse than the population), -1 a strength, 0 neither.

        From ``higher_is`` only: a cluster high on a worse-when-higher feature (or more
        often showing a binary's positive level) has a need; high on a better-when-higher
        one, a strength. Levels of other categorical features and "neutral" features have
        no direction.
        """
        v = row.v_test
        if v is None or not np.isfinite(v) or v == 0:
            return 0
        if effect_size(row) < SMALL_EFFECT:  # detectable but trivial: never a need
            return 0
        if row.kind == "categorical" and not self.is_positive(row):
            return 0
        up = 1 if v > 0 else -1
        return {"worse": up, "better": -up}.get(self.higher_is(row.variable), 0)

    def num(self, v) -> str:
        return fmt_number(v, self.sig)

    def amounts(self, values, column, *, money_if_no_unit=False) -> list:
        """Several values of one column (an estimate and its interval) with their unit and
        the same decimals (:func:`fmt_numbers`)."""
        texts = fmt_numbers(values, self.sig)
        unit = self.unit(column)
        if unit:
            return [t if t == "n/a" else with_unit_text(t, unit) for t in texts]
        if money_if_no_unit:
            return [t if t == "n/a" else f"{self.currency}{t}" for t in texts]
        return texts

    def amount(self, v, column, *, money_if_no_unit=False) -> str:
        """A value with its unit ("0.21 visits"), or as money for a cost without a unit."""
        if v is None or not np.isfinite(v):
            return "n/a"
        unit = self.unit(column)
        if unit:
            return with_unit_text(self.num(v), unit)
        if money_if_no_unit:
            return f"{self.currency}{self.num(v)}"
        return self.num(v)


def _count(v) -> str:
    if v is None or not np.isfinite(v):
        return "n/a"
    return f"{int(round(v)):,}"


def _pct(v) -> str:
    if v is None or not np.isfinite(v):
        return "n/a"
    p = 100 * v
    return f"{p:.0f}%" if p >= 10 or p == 0 else f"{p:.1f}%"


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


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _decap(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym ("GP visits")."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def feature_sentence(row, meaning: Meaning) -> str:
    """One distinguishing feature in plain words with its magnitude.

    A numeric feature: "Age averages **45.3 years** against 40.1 years overall (v-test
    +6.2)". A binary at its positive level: "Private insurance: **45%** of the cluster
    against 30% overall (...)" (the positive level is the feature; the other level is never
    listed). A level of a categorical feature: "Housing 'homeless': ...".
    """
    m = meaning
    label = _cap(m.label(row.variable))
    if row.kind == "numeric":
        return (f"{label} averages **{m.amount(row.cluster_value, row.variable)}** against "
                f"{m.amount(row.overall_value, row.variable)} overall (v-test "
                f"{row.v_test:+.1f}).")
    what = label if m.is_positive(row) else \
        f"{label} '{m.level_text(row.variable, row.level)}'"
    tp = times_phrase(row.ratio)
    return (f"{what}: **{_pct(row.cluster_value)}** of the cluster against "
            f"{_pct(row.overall_value)} overall (" + (f"{tp}; " if tp else "") +
            f"v-test {row.v_test:+.1f}).")


def _names_problems(label: str) -> bool:
    """Whether a declared label already says "problem(s)" ("Cognitive problems")."""
    return any(w.strip(",.;:()").startswith("problem") for w in label.lower().split())


def _name_term(row, m: Meaning) -> tuple[str, bool] | None:
    """``(words, higher)`` naming one significant feature, or None if it cannot name one.

    ``higher`` is whether the feature is higher or more common in the cluster (positive
    v-test). From the schema only: a binary contributes its label when its positive level
    is more common ("Limited daily activities"), and nothing otherwise; a level of a
    categorical feature contributes "label: level" when more common; a count with a unit
    or a declared label (visits, admissions) "many" or "few" and its label; another numeric
    feature (a bare count column may be an age in whole years) "high" or "low" and its
    label, or, when
    its label already says "problems", the label itself when higher and "few ..." when
    lower.
    """
    up = row.v_test > 0
    var = row.variable
    label = m.label(var)
    if row.kind != "numeric":
        if not up:
            return None
        if m.is_positive(row):
            return label, True
        return f"{label}: {m.level_text(var, row.level)}", True
    if m.types.get(var) == "count" and (m.unit(var) or m.declares_label(var)):
        return ("many " if up else "few ") + _decap(label), up
    if m.declares_label(var) and _names_problems(label):
        return (label, True) if up else ("few " + _decap(label), False)
    return ("high " if up else "low ") + _decap(label), up


#: a feature lower in the cluster names it before a higher one only when its standardised
#: difference is this many times larger: clusters are read by what they have more of, but
#: one defined by a low value ("low coinsurance") is named by it, not by a far weaker high
LOWER_FIRST_RATIO = 1.5


def name_terms(rows, meaning: Meaning) -> list[str]:
    """The words a name may use, best first.

    Features higher or more common in the cluster come first, strongest (largest |smd|)
    first, and lower ones ("low ...", "few ...") after, except that a lower feature whose
    |smd| is at least ``LOWER_FIRST_RATIO`` times a higher one's comes before it. Rows
    without effect sizes keep their order (higher ones first).
    """
    terms = []  # (words, higher, effect)
    for row in by_effect(rows):  # largest standardised difference first, not largest v-test
        if row.suppressed or not np.isfinite(row.v_test) or not worth_naming(row):
            continue
        term = _name_term(row, meaning)
        if term is not None and term[0] not in [t[0] for t in terms]:
            terms.append((*term, effect_size(row)))
    if terms and all(np.isfinite(t[2]) for t in terms):
        order = sorted(terms, key=lambda t: -(t[2] if t[1] else t[2] / LOWER_FIRST_RATIO))
    else:
        order = [t for t in terms if t[1]] + [t for t in terms if not t[1]]
    return [t[0] for t in order]


def _join(terms) -> str:
    if not terms:
        return ""
    return _cap(", ".join([terms[0]] + [_decap(t) for t in terms[1:]]))


def suggest_name(rows, meaning: Meaning, n_terms: int = 2) -> str:
    """A short name from the first ``n_terms`` of :func:`name_terms` (higher features first,
    unless a lower one differs far more). ``rows`` are a cluster's significant features."""
    return _join(name_terms(rows, meaning)[:n_terms])


def unique_names(terms: dict, fixed: dict, *, n_terms: int = 2,
                 fallback: str = "No distinctive features") -> dict:
    """``{cluster: name}``, unique in the study.

    ``terms`` maps each cluster to its name terms (from :func:`name_terms`), ``fixed`` to
    names that are given (kept as they are). Clusters whose names would be the same each take
    one more term: their strongest further term that the others of the tie do not have. A name
    still shared ends in "(cluster k)". Names never grow beyond ``n_terms + 1`` terms.
    """
    used = {c: list(t[:n_terms]) for c, t in terms.items()}

    def name(c):
        return _join(used[c]) or fallback

    def ties():
        names = {**{c: name(c) for c in terms}, **fixed}
        groups = {}
        for c in terms:
            groups.setdefault(names[c], []).append(c)
        taken = set(fixed.values())
        return [g for n, g in groups.items() if len(g) > 1 or n in taken]

    for group in ties():
        for c in group:
            others = {t for o in group if o != c for t in terms[o]}
            extra = next((t for t in terms[c][len(used[c]):] if t not in others), None)
            if extra is not None:
                used[c].append(extra)
    clash = {c for group in ties() for c in group}
    return {c: (f"{name(c)} (cluster {c})" if c in clash else name(c)) if c in terms
            else fixed[c] for c in [*terms, *fixed]}


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


def _section_of_costs(profile, m: Meaning) -> str | None:
    """The section the cost and utilisation paragraph goes in: the first cost's declared
    section, else "service use" when the schema has that section, else None (its own)."""
    if not profile.cost_columns:
        return None
    declared = m.section(profile.cost_columns[0])
    if declared is not None:
        return declared
    return next((x for x in m.sections if x.lower() == _SERVICE_SECTION), None)


def cluster_blocks(profile, cluster, *, name, rows, top_n, meaning, stability,
                   narrative) -> list:
    """The page of one cluster as blocks.

    After the size: the cluster's main problems and relative strengths (from each feature's
    ``higher_is``), then one heading per schema section (in the schema's order) with the
    distinguishing features declared in it and not already listed, costs and utilisation
    in their section, features with no declared section, outcomes, stability and the
    expert view.
    """
    m = meaning
    cm = profile.min_cell_size
    mark = marker(cm)
    alpha = profile.params.get("alpha", 0.05)
    blocks = [("h2", f"Cluster {cluster}: {name}")]
    n, share, total_n = profile.sizes[cluster], profile.shares[cluster], profile.sizes[OVERALL]
    small = profile.is_suppressed(cluster) and len(rows) > 0 and profile.is_small_group(cluster)
    if np.isnan(n):
        of_total = f" of {_count(total_n)}" if np.isfinite(total_n) else ""
        if small:
            size_txt = (f"**Size:** {mark} clients{of_total}. This cluster has fewer than {cm} "
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
    problems, strengths = [], []
    for row in by_effect(shown.itertuples()):  # largest standardised difference first
        d = m.direction(row)
        if d:
            (problems if d > 0 else strengths).append(row)
    blocks.append(("h3", "What sets this cluster apart"))
    if shown.empty:
        blocks.append(("p", f"No feature sets this cluster apart at the {alpha:.0%} level "
                            f"after adjusting for multiple testing (Benjamini-Hochberg)."))
    if problems:
        blocks.append(("p", "**Main problems** (worse than the population):"))
        blocks.append(("ul", [feature_sentence(r, m) for r in problems[:top_n]]))
    if strengths:
        blocks.append(("p", "**Relative strengths** (better than the population):"))
        blocks.append(("ul", [feature_sentence(r, m) for r in strengths[:top_n]]))
    if not shown.empty and not problems and not strengths:
        blocks.append(("p", "None of its distinguishing features has a declared direction "
                            "(higher_is), so none is called a problem or a strength; they "
                            "are listed below."))
    told = {(r.variable, r.level) for r in problems[:top_n] + strengths[:top_n]}
    declared = {m.section(v) for v in rows["variable"].unique()}
    cost_section = _section_of_costs(profile, m)
    for section in m.sections:
        in_section = [r for r in shown.itertuples() if m.section(r.variable) == section]
        has_costs = cost_section == section
        if section not in declared and not has_costs:
            continue  # no feature of the profile belongs here
        new = [r for r in in_section if (r.variable, r.level) not in told]
        if in_section and not new and not has_costs:
            continue  # every difference in this area is a problem or strength above
        blocks.append(("h3", _cap(section)))
        if new:
            blocks.append(("ul", [feature_sentence(r, m) for r in new[:top_n]]))
        elif in_section:
            blocks.append(("p", "The differences in this area are listed above."))
        elif section in declared:
            blocks.append(("p", "No feature in this area differs clearly from the population."))
        if has_costs:
            blocks += _cost_blocks(profile, cluster, m, mark)
    rest = [r for r in shown.itertuples() if m.section(r.variable) is None
            and (r.variable, r.level) not in told]
    if rest:
        blocks.append(("h3", "Other distinguishing features"))
        blocks.append(("ul", [feature_sentence(r, m) for r in rest[:top_n]]))
    if profile.cost_columns and cost_section is None:
        blocks.append(("h3", "Service use and costs"))
        blocks += _cost_blocks(profile, cluster, m, mark)
    blocks += _outcome_blocks(profile, cluster, m, mark)
    _stability_block(blocks, stability, cluster)
    if narrative:
        blocks += [("h3", "Expert view"), ("p", narrative.strip())]
    return _capitalised(blocks)


def _cost_mean_text(profile, cluster, col, m: Meaning, mark):
    """'mean £X per client (95% BCa interval £a to £b), 2.1 times the population mean of
    £Y (clearly above it)' for one cost column; in its unit for utilisation ("mean 0.21
    visits per client ...")."""
    from ._prose import page_estimate

    frame, _ = profile.cost_table(col)
    o = frame.loc[OVERALL]
    r, how, modal = page_estimate(profile, col, cluster, frame.loc[cluster])  # as the page
    cmark = _marks(profile, "costs", cluster, col, mark)

    def amount(v):
        return m.amount(v, col, money_if_no_unit=True)

    def value(stat):
        return _fmt_or_mark(r[stat], amount, cmark(stat))

    conf = f"{profile.params.get('confidence_level', 0.95):.0%}"
    low = value("ci_low")
    if all(np.isfinite(r[k]) and not cmark(k) for k in ("mean", "ci_low", "ci_high")):
        # one format for the mean and its interval ("3.00 (2.92 to 3.09)")
        same = m.amounts([r["mean"], r["ci_low"], r["ci_high"]], col, money_if_no_unit=True)
        texts = {"mean": same[0], "ci_low": same[1], "ci_high": same[2]}
        value = texts.get  # noqa: F811 - the formatted triple replaces the one-by-one values
        low = texts["ci_low"]
    if m.unit(col) and np.isfinite(r["ci_low"]):  # "0.146 to 0.198 visits"
        low = fmt_numbers([r["mean"], r["ci_low"], r["ci_high"]], m.sig)[1]
    modal = f"; by most likely cluster {amount(modal)}" if modal is not None else ""
    text = f"mean {value('mean')} per client ({how or conf + ' BCa'} interval {low} to " \
        f"{value('ci_high')}{modal})"
    if np.isfinite(r["mean"]) and np.isfinite(o["mean"]) and o["mean"] > 0:
        ratio = r["mean"] / o["mean"]
        rel = f"{ratio:.1f} times" if ratio >= 1.05 else (
            "about the same as" if ratio > 0.95 else f"{100 * ratio:.0f}% of")
        text += f", {rel} the population mean of {amount(o['mean'])}"
        if np.isfinite(r["ci_low"]) and r["ci_low"] > o["mean"]:
            text += " (clearly above it)"
        elif np.isfinite(r["ci_high"]) and r["ci_high"] < o["mean"]:
            text += " (clearly below it)"
        else:
            text += " (the interval includes it)"
    elif np.isfinite(o["mean"]) and o["mean"] == 0:
        text += ", with none recorded in the population"
    return text, r, o, cmark, value


def _cost_blocks(profile, cluster, m: Meaning, mark):
    """A paragraph on the first cost or utilisation column; one line for each further one.
    Money (a cost with no unit) is printed in the currency; utilisation in its unit."""
    if not profile.cost_columns:
        return []
    col, *more = profile.cost_columns
    text, r, o, cmark, value = _cost_mean_text(profile, cluster, col, m, mark)
    unit = m.unit(col)
    text = f"**{_cap(m.label(col))}:** {text}."
    share_n = profile.shares[cluster]
    size_mark = profile.cell_mark("table1", cluster, SHARE_ROW) or mark
    of_all = f"of all {unit}" if unit else "of total cost"
    text += (f" The cluster accounts for "
             f"{_fmt_or_mark(r['share_of_total'], _pct, cmark('share_of_total'))} {of_all} "
             f"with {_fmt_or_mark(share_n, _pct, size_mark)} of clients.")
    text += (f" Median {value('median')}; share with none recorded "
             f"{_fmt_or_mark(r['share_zero'], _pct, cmark('share_zero'))}.")
    if "cost_per_client_year" in r and profile.params.get("exposure"):
        text += (f" Per client-year {value('cost_per_client_year')} "
                 f"(population {m.amount(o['cost_per_client_year'], col, money_if_no_unit=True)}).")
    out = [("p", text)]
    if more:
        items = []
        for c in more:
            line = _cost_mean_text(profile, cluster, c, m, mark)[0]
            items.append(f"{_cap(m.label(c))}: {line}.")
        out += [("p", "**By type:**"), ("ul", items)]
    return out


def capitalise(text: str) -> str:
    """Upper-case the first letter of a sentence (after any leading ``**``)."""
    i = next((k for k, ch in enumerate(text) if ch.isalpha()), None)
    if i is None or text[:i].strip("* ") != "":
        return text
    return text[:i] + text[i].upper() + text[i + 1:]


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


def _outcome_blocks(profile, cluster, m: Meaning, mark):
    if not profile.outcome_names:
        return []
    items = []
    conf = f"{profile.params.get('confidence_level', 0.95):.0%}"
    for name in profile.outcome_names:
        frame, _, info = profile.outcome_table(name)
        r = frame.loc[cluster]
        cmark = _marks(profile, "outcomes", cluster, name, mark)
        better = "higher" if info["higher_is_better"] else "lower"
        label = _cap(m.label(name))
        if np.isnan(r["n"]) and np.isnan(r["mean_change"]):
            items.append(f"{label}: {cmark('n')}.")
            continue

        def val(stat, fmt, r=r, cmark=cmark):
            return _fmt_or_mark(r[stat], fmt, cmark(stat))

        def signed(v):
            return ("+" if v > 0 else "") + m.num(v)

        items.append(
            f"{label} ({better} is better): mean change "
            f"**{val('mean_change', signed)}** ({conf} interval {val('ci_low', signed)} to "
            f"{val('ci_high', signed)}) from {val('baseline_mean', m.num)} at baseline; "
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
