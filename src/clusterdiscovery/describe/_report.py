"""Rendering: blocks to Markdown and HTML; the report (front matter, one page per cluster)
and its appendix, a separate file (figures, details, tables, reproducibility); figures as
PNG bytes (embedded as base64 in HTML).

Reports are deterministic: no timestamps (unless a ``date`` is passed), PNGs written
without metadata, tables in a fixed order.
"""

from __future__ import annotations

import base64
import html
import io
import re

import numpy as np
import pandas as pd

from .._numbers import format_value
from ..profiling._data import OVERALL
from ..profiling._suppress import marker
from ._stability import how_to_read_stability, overview_with_stability, provisional_blocks
from ._text import _decap

__all__ = ["blocks_to_markdown", "blocks_to_html", "figure_png", "FIGURES", "md_table",
           "html_table", "report_blocks", "appendix_blocks", "HTML_STYLE", "PARTS"]

#: the report's two files (without extension): the printed report (front matter and one
#: page per cluster) and its appendix
PARTS = ("report", "appendix")

_BOLD = re.compile(r"\*\*(.+?)\*\*")
FIGURES = {
    "sizes": ("sizes", "Clients per cluster"),
    "costs": ("costs", "Mean {cost} per client by cluster with {conf} BCa intervals"),
    "features": ("features", "v-tests of the most distinguishing features"),
    "outcomes": ("outcomes", "Mean change in outcome by cluster"),
}
HTML_STYLE = (
    "body{font-family:Helvetica,Arial,sans-serif;max-width:60em;margin:2em auto;"
    "line-height:1.45;color:#222}h1{border-bottom:2px solid #4C72B0}"
    "h2{border-bottom:1px solid #ccc;margin-top:2em}table{border-collapse:collapse;"
    "font-size:0.85em;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 6px;"
    "text-align:right}th{background:#f2f2f2}img{max-width:100%}"
    ".note{color:#555;font-size:0.9em}"
    "section.cluster-page td:first-child,section.front td:nth-child(2){text-align:left}"
    # print: A4, the front matter on its own page(s), each cluster on exactly one page
    # (the appendix is a file of its own)
    "@page{size:A4;margin:14mm 14mm 16mm 14mm}"
    "@media print{body{max-width:none;margin:0;font-size:10pt;line-height:1.35}"
    "section.front{break-after:page}"
    # the overview's many columns, compact enough for the front matter to fit one page
    "section.front table{font-size:7.5pt;line-height:1.2}section.front h2{margin-top:1em}"
    "section.front p{margin:.45em 0}"
    # (never clipped: a page longer than A4, e.g. a long experts' view, flows on)
    "section.cluster-page{break-before:page;break-after:page;break-inside:avoid}"
    "section.cluster-page h2{margin-top:0}"
    "figure{break-inside:avoid}table{break-inside:auto}tr{break-inside:avoid}"
    "h2,h3{break-after:avoid}}"
)


def _inline_html(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", html.escape(text, quote=False))


def blocks_to_markdown(blocks) -> str:
    """Blocks as Markdown; text that could open an HTML tag or a link is escaped
    (:func:`clusterdiscovery._checks.escape_markdown`), as the HTML report escapes it."""
    from .._checks import escape_markdown as esc

    out = []
    for kind, content in blocks:
        if kind == "h1":
            out.append(f"# {esc(content)}")
        elif kind == "h2":
            out.append(f"## {esc(content)}")
        elif kind == "h3":
            out.append(f"### {esc(content)}")
        elif kind == "p":
            out.append(esc(content))
        elif kind == "ul":
            out.append("\n".join(f"- {esc(item)}" for item in content))
        elif kind == "table":
            out.append(md_table(content))
        elif kind == "img":
            name, caption = content
            out.append(f"![{esc(caption)}](figures/{name}.png)")
        elif kind == "link":  # another part of the report, beside this file
            stem, text = content
            out.append(f"[{esc(text)}]({stem}.md)")
        elif kind == "raw_md":
            out.append(esc(content))
        elif kind == "note":
            out.append(f"*{esc(content)}*")
    return "\n\n".join(out).rstrip() + "\n"


def blocks_to_html(blocks, figures: dict | None = None) -> str:
    out = []
    for kind, content in blocks:
        if kind in ("h1", "h2", "h3"):
            out.append(f"<{kind}>{_inline_html(content)}</{kind}>")
        elif kind == "p":
            out.append(f"<p>{_inline_html(content)}</p>")
        elif kind == "note":
            out.append(f'<p class="note">{_inline_html(content)}</p>')
        elif kind == "begin":
            cls, ident = content
            out.append(f'<section class="{html.escape(cls)}"'
                       + (f' id="{html.escape(ident)}"' if ident else "") + ">")
        elif kind == "end":
            out.append("</section>")
        elif kind == "link":  # another part of the report, beside this file
            stem, text = content
            out.append(f'<p><a href="{html.escape(stem)}.html">{_inline_html(text)}</a></p>')
        elif kind == "ul":
            items = "".join(f"<li>{_inline_html(i)}</li>" for i in content)
            out.append(f"<ul>{items}</ul>")
        elif kind == "table":
            out.append(html_table(content))
        elif kind == "img":
            name, caption = content
            if figures and name in figures:
                b64 = base64.b64encode(figures[name]).decode("ascii")
                out.append(f'<figure><img alt="{html.escape(caption)}" '
                           f'src="data:image/png;base64,{b64}"><figcaption>'
                           f'{html.escape(caption)}</figcaption></figure>')
    return "\n".join(out)


def _cell(v) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


def md_table(df: pd.DataFrame) -> str:
    """A DataFrame of strings as a Markdown table (index flattened into columns)."""
    flat = df.reset_index()
    from .._checks import escape_markdown as esc

    cols = [esc(str(c)).replace("|", "/") for c in flat.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in flat.itertuples(index=False):
        lines.append("| " + " | ".join(esc(_cell(v)).replace("|", "/") for v in row) + " |")
    return "\n".join(lines)


def html_table(df: pd.DataFrame) -> str:
    flat = df.reset_index()
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in flat.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in flat.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def figure_png(profile, kind: str, top_n: int = 5, *, schema=None, names=None,
               currency="£", labels=None) -> bytes:
    """One figure of the profile as PNG bytes (Agg canvas, no metadata: deterministic);
    labels, units and directions from ``schema``, clusters named by ``names``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height = (max(3.0, 0.45 * len(profile.groups) + 1.6) if kind != "features" else
              max(3.0, 0.45 * len(profile.clusters) + 3.2))
    fig = Figure(figsize=(9, height), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(111)
    profile.plot(ax=ax, kind=kind, top_n=top_n, schema=schema, names=names,
                 currency=currency, labels=labels)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def overview_table(profile, names: dict, meaning) -> pd.DataFrame:
    """Name, clients and share of each cluster, with the mean of each cost or utilisation
    column (the first with its interval and share of the total), money in the currency and
    utilisation in its unit. For a latent class model the first column's mean is the BCH
    (or ML) estimate, allowing for uncertain membership, as on the clusters' pages; the
    mean by most likely cluster is in the appendix only."""
    mark = marker(profile.min_cell_size)
    conf = _confidence(profile)
    costs = profile.cost_columns
    corrected = getattr(profile, "corrected", None)
    first = costs[0] if costs else None
    if corrected is not None and first not in corrected.index.get_level_values(0):
        corrected = None
    method = str(corrected["method"].iloc[0]).upper() if corrected is not None else ""

    def amount(v, col):
        return meaning.amount(v, col, money_if_no_unit=True)

    def interval(est, low, high, col):  # one format for the three ("3.00 (2.92 to 3.09)")
        a, lo, hi = meaning.amounts([est, low, high], col, money_if_no_unit=True)
        if meaning.unit(col):  # "0.1 to 0.2 visits"
            from .._numbers import fmt_numbers

            lo = fmt_numbers([est, low, high], meaning.sig)[1]
        return f"{a} ({lo} to {hi})"

    def heading(col, i):
        what = meaning.label(col)
        if i:
            return f"{what}: mean per client"
        return f"{what}: mean per client ({conf} CI)"

    def share_heading(col):
        unit = meaning.unit(col)
        return f"share of all {unit}" if unit else "share of cost"

    rows = []
    for g in [*profile.groups, OVERALL]:
        n = profile.sizes[g]
        share = profile.shares[g]
        if g == OVERALL:
            if not costs:
                continue
            row = {"cluster": "all", "name": "population",
                   "clients": f"{int(n):,}", "share": "100.0%"}
        else:
            size_mark = profile.size_mark(g) or mark
            row = {"cluster": str(g), "name": names.get(g, "in no cluster (noise)"),
                   "clients": size_mark if np.isnan(n) else f"{int(n):,}",
                   "share": size_mark if np.isnan(share) else f"{100 * share:.1f}%"}
        for i, col in enumerate(costs):
            r = profile.cost_table(col)[0].loc[g]
            cost_mark = (profile.cell_mark("costs", g, "mean", name=col) or mark
                         ) if g != OVERALL else mark
            if i == 0 and corrected is not None:
                bch = f"{meaning.label(col)}: mean per client, {method} ({conf} CI)"
                c = corrected.loc[(col, g)] if (col, g) in corrected.index else None
                row[bch] = (amount(r["mean"], col) if g == OVERALL else
                            cost_mark if c is None or np.isnan(r["mean"]) else
                            interval(c["estimate"], c["ci_low"], c["ci_high"], col))
            if np.isnan(r["mean"]):
                text = cost_mark
            elif i == 0 and np.isfinite(r["ci_low"]):
                text = interval(r["mean"], r["ci_low"], r["ci_high"], col)
            else:
                text = amount(r["mean"], col)
            if not (i == 0 and corrected is not None):  # one estimate per figure: the
                row[heading(col, i)] = text  # modal mean is in the appendix
            if i == 0:
                row[share_heading(col)] = "100.0%" if g == OVERALL else (
                    (profile.cell_mark("costs", g, "share_of_total", name=col) or mark)
                    if np.isnan(r["share_of_total"]) else f"{100 * r['share_of_total']:.1f}%")
        rows.append(row)
    return pd.DataFrame(rows).set_index("cluster")


def report_blocks(descriptions, *, title: str, date: str | None):
    """The printed report as blocks: the front matter and one page per cluster; the
    appendix (:func:`appendix_blocks`) is a file of its own, linked from the front matter."""
    profile = descriptions.profile
    names = {d.cluster: d.name for d in descriptions}
    blocks = [("begin", ("front", "overview")), ("h1", title)]
    if date:
        blocks.append(("p", f"Date: {date}"))
    n_all = profile.sizes[OVERALL]
    blocks.append(("p", f"This report describes {len(profile.clusters)} clusters of "
                        f"{int(n_all):,} clients. It holds aggregates only: no client "
                        f"identifier or individual record. Each cluster has one page: a "
                        f"paragraph written from its profile by fixed templates, its key "
                        f"figures and, where community experts supplied it, their view "
                        f"(marked as theirs). The details, figures and tables are in the "
                        f"appendix, a separate file beside this one."))
    blocks += provisional_blocks(getattr(descriptions, "provisional", False),
                                 getattr(descriptions, "provisional_detail", None))
    choice = getattr(descriptions, "choice", None)
    if choice:  # the rule, the chosen k and the runners-up (set by discover)
        blocks.append(("p", f"How the number of clusters was chosen. {choice}"))
    blocks.append(("p", "How to read it: a feature is mentioned when it differs from the whole "
                        "population beyond chance (Benjamini-Hochberg adjusted p below "
                        f"{profile.params.get('alpha', 0.05):g}). The v-test measures how "
                        "strongly: beyond +/-2 is notable, beyond +/-10 very strong; positive "
                        "means higher or more common in the cluster, and a feature names "
                        "a cluster or is called a need only with at least a small "
                        "standardised difference (0.2, Cohen 1988)." + (
                            f" Cost intervals are {_confidence(profile)} bias-corrected and "
                            "accelerated (BCa) bootstrap intervals, suited to skewed costs."
                            if profile.cost_columns else "")))
    stability = getattr(descriptions, "stability", None)
    if stability is not None:
        blocks.append(("p", how_to_read_stability(stability)))
    blocks += [("h2", "Overview"), ("table", overview_with_stability(
        overview_table(profile, names, descriptions.meaning), stability))]
    for note in profile.notes:
        blocks.append(("note", f"Note: {note}"))
    blocks.append(("link", ("appendix", "The appendix: figures, details, tables and "
                                        "reproducibility")))
    blocks.append(("end", None))
    for d in descriptions:
        blocks += [("begin", ("cluster-page", f"cluster-{d.cluster}"))]
        blocks += list(d.page)
        blocks.append(("end", None))
    return blocks


def labelled_table1(profile, meaning) -> pd.DataFrame:
    """Table 1 as text with the schema's labels and level labels in place of column names
    and raw levels (the CSV in tables/ keeps the names, for machines)."""
    t = profile.formatted("table1")
    variables = t.index.get_level_values("variable")
    levels = t.index.get_level_values("level")
    t.index = pd.MultiIndex.from_arrays(
        [[v if v == "clients" else meaning.label(v) for v in variables],
         [lv if lv == "" else meaning.level_text(v, lv) for v, lv in zip(variables, levels)],
         t.index.get_level_values("statistic")],
        names=t.index.names)
    return t


def appendix_blocks(descriptions, *, title: str, date: str | None, figures: list[str]):
    """The appendix as blocks, a file of its own beside the report: the figures, each
    cluster's details, the pipeline's sections, the tables and reproducibility."""
    profile = descriptions.profile
    blocks = [("begin", ("appendix", "appendix")), ("h1", f"{title}: appendix")]
    if date:
        blocks.append(("p", f"Date: {date}"))
    blocks.append(("link", ("report", "Back to the report (overview and one page per "
                                      "cluster)")))
    for fig in figures:
        name, caption = FIGURES[fig]
        first = profile.cost_columns[0] if profile.cost_columns else ""
        cost = descriptions.meaning.label(first) if first else ""
        blocks.append(("img", (name, caption.format(conf=_confidence(profile),
                                                    cost=_decap(cost)))))
    corrected = getattr(profile, "corrected", None)
    if corrected is not None and len(corrected):
        method = str(corrected["method"].iloc[0]).upper()
        blocks += [("h3", "Cost and outcomes by cluster, allowing for uncertain membership"),
                   ("p", f"The report's overview and the clusters' pages use the first "
                         f"column: because some clients fit more than one cluster, it counts "
                         f"each client in every cluster in proportion to how likely they are "
                         f"to belong there ({method} method; Bakk, Tekle and Vermunt 2013). "
                         f"The second column, also used by the tables below (costs and "
                         f"outcomes by cluster), places everyone in their single most likely "
                         f"cluster; the two differ because that mixes clients who partly "
                         f"belong elsewhere into each cluster, which pulls the clusters' "
                         f"means towards each other."),
                   ("table", corrected_table(profile, descriptions.meaning))]
    adjusted = getattr(profile, "adjusted_costs", None)
    if adjusted is not None and len(adjusted):
        blocks += [("h3", "Cost by cluster adjusted for case mix"),
                   ("p", f"Mean cost if every cluster had the case mix of the whole "
                         f"population ({', '.join(profile.params.get('adjust_for', []))}), "
                         f"from a two-part model, with {_confidence(profile)} bootstrap "
                         f"intervals."),
                   ("table", adjusted_table(profile, descriptions.meaning))]
    if not profile.variance_explained.empty:
        blocks += [("h3", "How much of the variation between clients the clusters explain"),
                   ("p", _variance_text(profile, descriptions.meaning)),
                   ("table", profile.formatted("variance_explained"))]
    for d in descriptions:
        details = list(d.details)
        if details and details[0][0] == "h2":
            details[0] = ("h2", f"{details[0][1]}: details")
        blocks += details
    for heading, paragraphs, tables, figs in descriptions.sections:
        blocks.append(("h2", heading))
        blocks += [("p", text) for text in paragraphs]
        blocks += [("table", table) for table in tables]
        if figures:
            blocks += [("img", (name, caption)) for name, caption, _ in figs]
    blocks += [("h2", "Tables")]
    modal = " (clients in their most likely cluster)" if corrected is not None and len(
        corrected) else ""
    if profile.cost_columns:
        blocks += [("h3", f"Cost by cluster{modal}"), ("table", profile.formatted("costs"))]
    if profile.outcome_names:
        blocks += [("h3", f"Outcomes by cluster{modal}"),
                   ("table", profile.formatted("outcomes"))]
    blocks += [("h3", "Table 1: characteristics by cluster"),
               ("table", labelled_table1(profile, descriptions.meaning))]
    blocks += reproducibility_blocks(descriptions)
    blocks.append(("end", None))
    return blocks


def _interval(v, lo, hi) -> str:
    return f"{format_value(v, 'mean')} ({format_value(lo, 'mean')} to {format_value(hi, 'mean')})"


def corrected_table(profile, meaning=None) -> pd.DataFrame:
    """The BCH (or ML) class means with intervals and the modal means, suppressed cells
    marked as in the profile's own tables; measures under their schema labels."""
    t = profile.corrected
    method = str(t["method"].iloc[0]).upper()
    m = profile.min_cell_size
    rows = []
    for (outcome, cluster), r in t.iterrows():
        if outcome.startswith("change in "):
            mark = profile.cell_mark("outcomes", cluster, "mean_change",
                                     name=outcome[len("change in "):])
        else:
            mark = profile.cell_mark("costs", cluster, "mean", name=outcome)
        if not mark and m > 1 and r["n_modal"] < m:
            mark = marker(m)
        shown = outcome
        if meaning is not None:
            shown = (f"change in {meaning.label(outcome[len('change in '):])}"
                     if outcome.startswith("change in ") else meaning.label(outcome))
        rows.append({"measure": shown, "cluster": cluster,
                     f"{method} mean (95% CI)": mark or _interval(r["estimate"], r["ci_low"],
                                                                  r["ci_high"]),
                     "mean by most likely cluster": mark or format_value(r["modal"], "mean")})
    return pd.DataFrame(rows).set_index(["measure", "cluster"])


def adjusted_table(profile, meaning=None) -> pd.DataFrame:
    """Unadjusted and case-mix adjusted mean cost by cluster (suppressed cells marked)."""
    t = profile.adjusted_costs
    rows = []
    for (cost, cluster), r in t.iterrows():
        mark = profile.cell_mark("costs", cluster, "mean", name=cost)
        rows.append({"cost": meaning.label(cost) if meaning is not None else cost,
                     "cluster": cluster,
                     "mean": mark or format_value(r["mean"], "mean"),
                     "adjusted mean (95% CI)": mark or (
                         format_value(r["adjusted_mean"], "mean") if cluster == OVERALL
                         else _interval(r["adjusted_mean"], r["ci_low"], r["ci_high"]))})
    return pd.DataFrame(rows).set_index(["cost", "cluster"])


def _pct1(v) -> str:
    """A share of variance explained; none below zero ("explains none", not "-0.1%": a
    cross-validated R squared below 0 means the cluster means predict worse than the
    population mean)."""
    v = round(100 * float(v), 1)
    return "none" if v <= 0 else f"{v:.1f}%"


def _variance_text(profile, meaning) -> str:
    ve = profile.variance_explained
    parts = []
    for cost in profile.cost_columns:
        c = ve.loc[(cost, "clusters")]
        p = ve.loc[(cost, "population mean")]
        parts.append(
            f"For {meaning.label(cost)}, cluster membership explains "
            f"{_pct1(c['eta2'])} of the variance between clients (eta squared); predicting "
            f"each client's value from the cluster means of the other folds "
            f"({profile.params['cv_folds']}-fold cross-validation) explains "
            f"{_pct1(c['r2_cv'])}, against {_pct1(p['r2_cv'])} for a single "
            f"population mean."
        )
    return " ".join(parts)


def reproducibility_blocks(descriptions):
    p = descriptions.profile.params
    items = [
        f"clusterdiscovery version: {p['package_version']}",
        f"random_state: {p['random_state']}",
        f"min_cell_size: {p['min_cell_size']}",
        f"n_bootstrap: {p['n_bootstrap']} (BCa intervals, confidence "
        f"{p['confidence_level']:.0%})",
        f"cross-validation folds for variance explained: {p['cv_folds']}",
        f"outcome reliabilities (Jacobson-Truax): {p['reliability']}",
        f"cost columns: {p['costs']}; outcomes: {p['outcomes']}; exposure: {p['exposure']}",
        f"variables profiled: {len(p['variables'])}",
    ]
    if descriptions.stability_given:
        items.append("stability: from the StabilityResult passed to describe_clusters")
    return [("h2", "Reproducibility"), ("ul", items)]


def _confidence(profile) -> str:
    """The profile's confidence level as text, e.g. '95%'."""
    return f"{profile.params.get('confidence_level', 0.95):.0%}"
