"""describe_clusters() and its result objects."""

from __future__ import annotations

import html
import json
import numbers
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._checks import check_file_name
from .._csv import write_csv
from .._deprecate import renamed
from ..profiling import ClusterProfile
from ..profiling._data import OVERALL
from ..profiling._tables import SHARE_ROW, SIZE_ROW
from ..schema import ClientSchema
from ._narratives import (
    match_narratives,
    profile_fingerprint,
    read_narratives,
    template_items,
)
from ._prose import page_blocks
from ._report import (
    HTML_STYLE,
    PARTS,
    appendix_blocks,
    blocks_to_html,
    blocks_to_markdown,
    figure_png,
    report_blocks,
)
from ._stability import stable_name, warning_blocks
from ._text import Meaning, cluster_blocks, name_terms, unique_names

__all__ = ["describe_clusters", "ClusterDescription", "ClusterDescriptions"]


@dataclass(frozen=True)
class ClusterDescription:
    """The one-page description of one cluster.

    Attributes
    ----------
    cluster : int
        The cluster label.
    name : str
        Suggested (or user-given) short name.
    text : str
        The page as Markdown.
    blocks : list
        The page as blocks (rendered to Markdown and HTML by the report).
    narrative : str or None
        The expert narrative merged into the page, if any.
    page : list
        The printed page as blocks: the opening paragraph and key figures (from the data)
        and the experts' view (from the experts).
    details : list
        The details (every distinguishing feature, costs by type, outcomes, stability) as
        blocks; the report puts them in the appendix.
    """

    cluster: int
    name: str
    text: str
    blocks: list = field(repr=False, default_factory=list)
    narrative: str | None = None
    page: list = field(repr=False, default_factory=list)
    details: list = field(repr=False, default_factory=list)

    def to_html(self) -> str:
        return blocks_to_html(self.blocks)

    def _repr_markdown_(self) -> str:
        return self.text


class ClusterDescriptions:
    """One-page prose descriptions of every cluster of a :class:`ClusterProfile`.

    Iterating gives one :class:`ClusterDescription` per cluster (noise is not a cluster).
    ``to_markdown()`` and ``to_html()`` give the printed report (front matter and one page
    per cluster), ``part="appendix"`` its appendix (figures, details, tables,
    reproducibility); ``save(directory)`` writes both with the figures and the tables.
    """

    def __init__(self, profile, descriptions, *, stability_given, currency, title, date,
                 top_n, sections=(), meaning=None):
        self.profile = profile
        self.meaning = meaning if meaning is not None else Meaning(profile, currency=currency)
        self.sections = tuple(sections)
        self._items = list(descriptions)
        self.stability_given = stability_given
        self.currency = currency
        self.title = title
        self.date = date
        self.top_n = top_n
        self._figures = None
        self.fingerprint = profile_fingerprint(profile)
        self.schema = None
        self.labels = {}
        self.stability = None  # set by describe_clusters
        self.provisional = False
        #: set by ``discover``: the paragraph on how the solution was chosen (the rule,
        #: the chosen k, the runners-up) and, when provisional, what was tried
        self.choice = self.provisional_detail = None

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, cluster) -> ClusterDescription:
        for d in self._items:
            if d.cluster == cluster:
                return d
        raise KeyError(f"No cluster {cluster!r}; clusters are {[d.cluster for d in self]}.")

    @property
    def names(self) -> dict:
        return {d.cluster: d.name for d in self}

    @property
    def summary(self) -> pd.DataFrame:
        """One row per cluster: name, clients, share, and whether an expert view is merged."""
        t = self.profile.table1
        out = pd.DataFrame({
            "name": [d.name for d in self],
            "n": [t.loc[SIZE_ROW, d.cluster] for d in self],
            "share": [t.loc[SHARE_ROW, d.cluster] for d in self],
            "expert_narrative": [d.narrative is not None for d in self],
        }, index=pd.Index([d.cluster for d in self], name="cluster", dtype=object))
        return out

    def to_frame(self) -> pd.DataFrame:
        """:attr:`summary` with each cluster's Markdown text."""
        out = self.summary.copy()
        out["text"] = [d.text for d in self]
        return out

    def _figure_kinds(self) -> list[str]:
        kinds = ["sizes"]
        if self.profile.cost_columns:
            kinds.append("costs")
        if not self.profile.distinguishing.empty:
            kinds.append("features")
        if self.profile.outcome_names:
            kinds.append("outcomes")
        return kinds

    def figures(self) -> dict:
        """``{name: PNG bytes}`` of the report's figures (drawn once, then reused)."""
        if self._figures is None:
            self._figures = {k: figure_png(self.profile, k, self.top_n, schema=self.schema,
                                           names=self.names, currency=self.currency,
                                           labels=self.labels)
                             for k in self._figure_kinds()}
            for _, _, _, figs in self.sections:
                self._figures.update({name: png for name, _, png in figs})
        return dict(self._figures)

    def _blocks(self, with_figures: bool, part: str = "report"):
        if part not in PARTS:
            raise ValueError(f"The 'part' parameter must be one of {list(PARTS)}; got "
                             f"{part!r}.")
        if part == "report":
            return report_blocks(self, title=self.title, date=self.date)
        kinds = self._figure_kinds() if with_figures else []
        return appendix_blocks(self, title=self.title, date=self.date, figures=kinds)

    def to_markdown(self, *, figures: bool = False, part: str = "report") -> str:
        """The printed report as Markdown (front matter and one page per cluster), or with
        ``part="appendix"`` its appendix (``figures=True`` links ``figures/<name>.png``, as
        written by :meth:`save`); each links to the other's file."""
        return blocks_to_markdown(self._blocks(figures, part))

    def to_html(self, *, part: str = "report") -> str:
        """The printed report (front matter and one page per cluster), or with
        ``part="appendix"`` its appendix, as one self-contained HTML file (figures embedded
        as base64 PNG); each links to the other's file."""
        body = blocks_to_html(self._blocks(True, part), self.figures())
        title = self.title if part == "report" else f"{self.title}: appendix"
        return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(title)}</title><style>{HTML_STYLE}</style>"
                f"</head><body>\n{body}\n</body></html>\n")

    def save(self, directory) -> list[Path]:
        """Write ``report.md``, ``report.html`` (the printed report), ``appendix.md``,
        ``appendix.html`` (its appendix), ``clusters/cluster_<k>.md``,
        ``figures/*.png`` and ``tables/*.csv`` under ``directory``; return the paths."""
        if not isinstance(directory, str | os.PathLike):
            raise TypeError(f"The 'directory' parameter must be a folder path (str or Path); "
                            f"got {type(directory).__name__}.")
        from .._output import relocate, staged_directory

        final = Path(directory)
        with staged_directory(final) as root:
            paths = self._write(root)
        return relocate(paths, root, final)

    def _write(self, root: Path) -> list[Path]:
        (root / "clusters").mkdir(exist_ok=True)
        (root / "figures").mkdir(exist_ok=True)
        (root / "tables").mkdir(exist_ok=True)
        paths = []
        figs = self.figures()
        for name, png in figs.items():
            p = root / "figures" / f"{name}.png"
            p.write_bytes(png)
            paths.append(p)
        for part in PARTS:
            p = root / f"{part}.md"
            p.write_text(blocks_to_markdown(self._blocks(True, part)), encoding="utf-8")
            paths.append(p)
            p = root / f"{part}.html"
            p.write_text(self.to_html(part=part), encoding="utf-8")
            paths.append(p)
        for d in self:
            p = root / "clusters" / f"cluster_{d.cluster}.md"
            p.write_text(d.text, encoding="utf-8")
            paths.append(p)
        # what `clusterdiscovery narratives` needs to write the experts' templates
        p = root / "clusters" / "narrative_source.json"
        p.write_text(json.dumps({"fingerprint": self.fingerprint, "clusters": [
            {"cluster": c, "name": n, "summary": s} for c, n, s in template_items(self)]},
            indent=2, default=str) + "\n", encoding="utf-8")
        paths.append(p)
        from ._csv import profile_csv_tables

        # raw numbers, a suppressed cell empty with a flag beside it (see describe._csv)
        for name, df in profile_csv_tables(self.profile).items():
            p = root / "tables" / f"{name}.csv"
            write_csv(df, p)
            paths.append(p)
        return paths

    def plot(self, ax=None, kind: str = "costs", **kwargs):
        """Draw one of the profile's figures (see :meth:`ClusterProfile.plot`)."""
        return self.profile.plot(ax=ax, kind=kind, **kwargs)

    def __repr__(self) -> str:
        return f"ClusterDescriptions({len(self)} clusters: " + ", ".join(
            f"{d.cluster}={d.name!r}" for d in self) + ")"

    def _repr_html_(self) -> str:
        items = "".join(f"<li>Cluster {html.escape(str(d.cluster))}: "
                        f"{html.escape(d.name)}</li>" for d in self)
        return f"<div><strong>{len(self)} cluster descriptions</strong><ul>{items}</ul></div>"


def describe_clusters(profile, *, stability=None, narratives=None, names=None, top_n=5,
                      labels=None, currency=None, significant_figures=3,
                      title="Cluster descriptions", date=None, higher_is=None,
                      sections=None, schema=None, fingerprint=None,
                      provisional=False, worse_when_higher=None) -> ClusterDescriptions:
    """One page of plain prose per cluster, written from a profile by fixed templates.

    Each page gives the cluster's size and share; its main problems and relative strengths
    with magnitudes ("three times the population rate", "averages 2.9 against 0.8
    overall"), significant after Benjamini-Hochberg adjustment; then one heading per section
    of the schema (needs, strengths, social context, history, service use by default) with
    the distinguishing features declared in it; costs (in the currency) and utilisation (in
    its unit) with BCa intervals relative to the population; outcomes (mean change,
    reliable improvement and deterioration); the stability verdict (when ``stability`` is
    given); a suggested name; and the community experts' narrative (when given), as the
    Cluster-based Planning method asks.

    Every word about a column comes from the schema given to
    :func:`~clusterdiscovery.profile_clusters` (``label``, ``unit``, level ``labels``,
    ``positive``, ``higher_is``, ``section``, ``currency``); nothing is guessed from column
    names. A column the schema does not describe is shown under its own name with no
    direction and no section ("Other distinguishing features").

    Parameters
    ----------
    profile : ClusterProfile
        From :func:`clusterdiscovery.profile_clusters`.
    stability : StabilityResult, optional
        Anything with a ``.summary`` DataFrame indexed by cluster with ``jaccard_mean`` and
        ``verdict`` columns (from :func:`clusterdiscovery.assess_stability`). It must be
        about the profiled clusters: its index must be the profile's clusters (noise
        excluded) and its ``size`` column, if any, the profile's cluster sizes; run
        ``assess_stability(..., reference_labels=labels)`` with the labels you profiled.
        Otherwise a ValueError is raised.
    narratives : dict, str or Path, optional
        Expert narratives: ``{cluster or name: text}``, a Markdown file with sections
        ``## Cluster 0`` (or ``## <name>``), or a TOML file with ``[cluster.0] text = "..."``.
    names : dict, optional
        ``{cluster: name}`` overriding the suggested names; keys may be the clusters or
        their text (``{"0": "..."}``, as TOML writes them).
    top_n : int
        Features listed per section.
    labels : dict, optional
        Display names of variables, over the schema's ``label``.
    currency : str, optional
        Prefix of money amounts ("£", "$", ""); default the schema's ``currency``, else none.
        Costs declared with a ``unit`` (utilisation, e.g. visits) are printed in that unit.
    significant_figures : int
        Of the numbers in the prose: 0.213 visits, 2.94, 45.3 years, £1,234 (whole numbers
        are never rounded).
    title, date : str, optional
        Report title; a date to print (none by default, so reports are byte-identical for the
        same inputs).
    higher_is : dict, optional
        ``{variable: "worse" | "better" | "neutral"}`` over the schema's ``higher_is``
        (``worse_when_higher={variable: bool}``, its old spelling, is accepted for one
        release with a ``FutureWarning``).
    sections : list of (heading, paragraphs, tables[, figures]), optional
        Extra report sections (e.g. how the clusters were chosen), placed after the cluster
        pages and before the appendix: a heading, a list of paragraphs (plain text, ``**bold**``
        allowed), a list of DataFrames and optionally a list of figures
        ``(name, caption, png_bytes)``. They must hold aggregates only.
    provisional : bool, default=False
        The solution is provisional (no candidate reproduced, see
        :func:`clusterdiscovery.discover`): the report says so at the top and the names
        carry "(provisional)".

    With ``stability``, a cluster whose mean Jaccard is below 0.6 is named
    "Cluster c (unstable)" (unless ``names`` names it), its page opens with a warning, and
    the overview shows every cluster's verdict and mean Jaccard.

    schema : ClientSchema, optional
        The meaning of the profiled columns (labels, units, level labels, positive levels,
        directions, sections, currency) if not the schema the profile was made with
        (``profile.schema``); a feature without a declared direction is described, never
        called a need or a strength.
    fingerprint : str, optional
        The fingerprint of the model the clusters come from (default: one computed from the
        profile, see :func:`clusterdiscovery.describe.profile_fingerprint`). Narrative
        templates written for another fingerprint are refused with a ValueError.

    Returns
    -------
    ClusterDescriptions

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from clusterdiscovery import ClientSchema, profile_clusters, describe_clusters
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"id": range(120),
    ...                    "h6": np.r_[rng.integers(2, 5, 60), rng.integers(0, 2, 60)]})
    >>> schema = ClientSchema(id="id", features={"h6": {
    ...     "type": "ordinal", "levels": [0, 1, 2, 3, 4], "higher_is": "worse",
    ...     "label": "Hallucinations and delusions", "section": "needs"}})
    >>> prof = profile_clusters(df, np.repeat([0, 1], 60), schema=schema, n_bootstrap=100,
    ...                         random_state=0)
    >>> desc = describe_clusters(prof)
    >>> desc.names
    {0: 'High hallucinations and delusions', 1: 'Low hallucinations and delusions'}
    """
    if not isinstance(profile, ClusterProfile):
        raise TypeError(
            f"describe_clusters() expects the ClusterProfile returned by profile_clusters(); "
            f"got {type(profile).__name__}."
        )
    if isinstance(top_n, bool) or not isinstance(top_n, numbers.Integral):
        raise TypeError(f"The 'top_n' parameter must be an int >= 1; got {top_n!r}.")
    if top_n < 1:
        raise ValueError(f"The 'top_n' parameter must be an int >= 1; got {top_n!r}.")
    top_n = int(top_n)
    if (isinstance(significant_figures, bool)
            or not isinstance(significant_figures, numbers.Integral)
            or not 1 <= significant_figures <= 15):
        raise ValueError(f"The 'significant_figures' parameter must be an int from 1 to 15; "
                         f"got {significant_figures!r}.")
    if currency is not None and not isinstance(currency, str):
        raise TypeError(f"The 'currency' parameter must be text such as \"£\", \"$\" or "
                        f"\"\"; got {currency!r}.")
    if higher_is is not None and (not isinstance(higher_is, Mapping) or any(
            v not in ("worse", "better", "neutral") for v in higher_is.values())):
        raise TypeError("The 'higher_is' parameter must be a dict {variable: 'worse', "
                        "'better' or 'neutral'}.")
    if worse_when_higher is not None:
        if not isinstance(worse_when_higher, Mapping):
            raise TypeError("The 'worse_when_higher' parameter must be a dict "
                            "{variable: True or False}.")
        bad = [k for k, v in worse_when_higher.items() if not isinstance(v, bool | np.bool_)]
        if bad:
            raise TypeError(f"The 'worse_when_higher' values must be True or False; "
                            f"{bad[:5]} are not.")
    if names is not None and not isinstance(names, Mapping):
        raise TypeError("The 'names' parameter must be a dict {cluster: name}.")
    if labels is not None and not isinstance(labels, Mapping):
        raise TypeError("The 'labels' parameter must be a dict {variable: display name}.")
    if stability is not None and not isinstance(getattr(stability, "summary", None),
                                                pd.DataFrame):
        raise TypeError("The 'stability' parameter must have a .summary DataFrame "
                        "(a StabilityResult from assess_stability).")
    if stability is not None:
        _check_stability(profile, stability)
    if schema is not None and not isinstance(schema, ClientSchema):
        raise TypeError(f"The 'schema' parameter must be a ClientSchema; got "
                        f"{type(schema).__name__}.")
    meaning = Meaning(profile, schema=schema, labels=labels, currency=currency,
                      significant_figures=int(significant_figures),
                      higher_is=renamed(
                          "worse_when_higher", worse_when_higher, "higher_is", higher_is,
                          where="describe_clusters", stacklevel=3,
                          convert=lambda d: {k: "worse" if v else "better"
                                             for k, v in d.items()}))
    names = _cluster_keys(names or {}, profile.clusters)
    sections = _check_sections(sections)  # before the work, not after
    d = profile.distinguishing
    alpha = profile.params.get("alpha", 0.05)
    by_cluster = {c: d[d["cluster"] == c] for c in profile.clusters}
    fixed, terms = {}, {}
    for c, rows in by_cluster.items():
        if c in names:
            fixed[c] = str(names[c])
        elif profile.is_suppressed(c) and rows["suppressed"].all():
            terms[c] = ["Small cluster"]
        else:
            terms[c] = name_terms(rows[rows["p_adjusted"] < alpha].itertuples(), meaning)
    chosen = unique_names(terms, fixed)
    if stability is not None:
        for c in terms:  # suggested names only; given names are kept as given
            chosen[c] = stable_name(c, chosen[c], stability, provisional=bool(provisional))
    if fingerprint is None:
        fingerprint = profile_fingerprint(profile)
    texts = match_narratives(read_narratives(narratives, fingerprint=fingerprint),
                             profile.clusters, chosen)
    items = []
    for c, rows in by_cluster.items():
        details = cluster_blocks(profile, c, name=chosen[c], rows=rows, top_n=top_n,
                                 meaning=meaning, stability=stability, narrative=None)
        page = page_blocks(profile, c, name=chosen[c], meaning=meaning, stability=stability,
                           narrative=texts.get(c))
        page[1:1] = warning_blocks(c, stability)  # right under the page heading
        blocks = page + _demote(details)
        items.append(ClusterDescription(c, chosen[c], blocks_to_markdown(blocks), blocks,
                                        texts.get(c), page, details))
    out = ClusterDescriptions(profile, items, stability_given=stability is not None,
                              currency=meaning.currency, title=title, date=date, top_n=top_n,
                              sections=sections, meaning=meaning)
    out.fingerprint = fingerprint
    out.schema = meaning.schema
    out.labels = dict(labels or {})
    out.stability, out.provisional = stability, bool(provisional)
    return out


def _demote(details) -> list:
    """The details under the page: their cluster heading becomes 'Details'."""
    return [("h3", "Details") if k == "h2" else ("p", f"**{v}**") if k == "h3" else (k, v)
            for k, v in details]


def _cluster_keys(names: Mapping, clusters) -> dict:
    """``names`` keyed by the clusters themselves: text keys such as ``"0"`` (TOML keys
    are always text) are matched to the cluster they spell."""
    by_text = {str(c): c for c in clusters}
    out, unknown = {}, []
    for key, name in names.items():
        if key in clusters and not isinstance(key, bool):
            out[key] = name
        elif isinstance(key, str) and key.strip() in by_text:
            out[by_text[key.strip()]] = name
        else:
            unknown.append(key)
    if unknown:
        raise ValueError(f"The 'names' dict has unknown cluster(s) {sorted(unknown, key=str)}; "
                         f"clusters are {list(clusters)}.")
    bad = [k for k, v in out.items() if not isinstance(v, str) or not v.strip()]
    if bad:
        raise TypeError(f"The 'names' dict must map clusters to non-empty text; the name of "
                        f"cluster(s) {bad} is not.")
    return out


def _check_stability(profile, stability) -> None:
    """Raise if ``stability.summary`` is not about the profile's clusters.

    Its index must be the profile's clusters (noise excluded) and, when it has a ``size``
    column, the sizes must be the profile's: exactly where the profile shows a size, and in
    total where sizes are suppressed (the profile keeps only aggregates, so a suppressed
    size is checked through the population total).
    """
    fix = ("Pass reference_labels=labels (the labels given to profile_clusters) to "
           "assess_stability, so that its clusters are numbered like the profile's.")
    s = stability.summary
    absent = [c for c in ("jaccard_mean", "verdict") if c not in s.columns]
    if absent:
        raise ValueError(f"The 'stability' summary has no {absent} column(s); pass the result "
                         f"of assess_stability.")
    if not pd.api.types.is_numeric_dtype(s["jaccard_mean"]) or pd.api.types.is_bool_dtype(
            s["jaccard_mean"]):
        raise TypeError(f"The 'stability' summary's 'jaccard_mean' column must be numeric; it "
                        f"has dtype {s['jaccard_mean'].dtype}.")
    have, want = list(s.index), list(profile.clusters)
    missing = [c for c in want if c not in have]
    extra = [c for c in have if c not in want]
    if missing or extra or len(set(have)) != len(have):
        raise ValueError(
            "The 'stability' result is not about the profile's clusters: the profile has "
            f"clusters {want}, the stability summary {have}"
            + (f" (not in the stability summary: {missing}" if missing else "")
            + (f"{'; ' if missing else ' ('}not in the profile: {extra}" if extra else "")
            + (")" if missing or extra else "") + f". {fix}"
        )
    if "size" not in s.columns:
        return
    sizes = profile.sizes
    stab = s["size"].astype(float)
    wrong = [(c, sizes[c], stab[c]) for c in want
             if np.isfinite(sizes[c]) and sizes[c] != stab[c]]
    hidden = [c for c in want if not np.isfinite(sizes[c])]
    others = [g for g in sizes.index if g not in want and g != OVERALL]  # noise
    if hidden and not wrong and np.isfinite(sizes[OVERALL]) and all(
            np.isfinite(sizes[g]) for g in others):
        rest = sizes[OVERALL] - sum(sizes[c] for c in want if np.isfinite(sizes[c])) - sum(
            sizes[g] for g in others)
        if rest != sum(stab[c] for c in hidden):
            raise ValueError(
                f"The 'stability' result does not match the profile: the clusters whose size "
                f"is suppressed in the profile ({hidden}) hold {rest:.0f} clients together, "
                f"but {sum(stab[c] for c in hidden):.0f} in the stability summary. {fix}")
    if wrong:
        listed = "; ".join(f"cluster {c}: {a:.0f} clients in the profile, {b:.0f} in the "
                           f"stability summary" for c, a, b in wrong)
        raise ValueError(
            f"The 'stability' result does not match the profile's cluster sizes ({listed}). "
            f"Its clusters are probably numbered differently. {fix}")


def _check_sections(sections) -> tuple:
    if sections is None:
        return ()
    if not isinstance(sections, list | tuple):
        raise TypeError(f"The 'sections' parameter must be a list of (heading, paragraphs, "
                        f"tables[, figures]); got {type(sections).__name__}.")
    out = []
    for i, section in enumerate(sections):
        if not (isinstance(section, tuple | list) and len(section) in (3, 4)):
            raise TypeError(f"sections[{i}] must be (heading, paragraphs, tables) or "
                            f"(heading, paragraphs, tables, figures).")
        heading, paragraphs, tables = section[:3]
        figures = list(section[3]) if len(section) == 4 else []
        if not all(isinstance(f, tuple | list) and len(f) == 3 and isinstance(f[2], bytes)
                   for f in figures):
            raise TypeError(f"sections[{i}]: figures must be (name, caption, png_bytes).")
        if not isinstance(heading, str) or isinstance(paragraphs, str):
            raise TypeError(f"sections[{i}]: the heading must be a string and the paragraphs "
                            f"a list of strings.")
        if not all(isinstance(t, pd.DataFrame) for t in tables):
            raise TypeError(f"sections[{i}]: every table must be a pandas DataFrame.")
        out.append((heading, [str(p) for p in paragraphs], list(tables),
                    [(check_file_name(n, f"sections[{i}] figure name"), str(c), png)
                     for n, c, png in figures]))
    return tuple(out)
