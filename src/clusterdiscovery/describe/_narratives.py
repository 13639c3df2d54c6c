"""Expert narratives keyed by cluster: from a dict, a Markdown file (``## Cluster 0`` or
``## <name>`` sections), a TOML file (``[cluster.0] text = "..."``), or a folder of the
templates written by :func:`write_templates` (``clusterdiscovery narratives STUDY_DIR``).

The round trip: :func:`write_templates` writes one Markdown file per cluster holding the
cluster's data summary and headed prompts (history and life stories, strengths, services
that work, policy and social context, who contributed) and the *fingerprint* of the
clustering it was written for; community experts fill in the prompts; ``discover`` and
:func:`~clusterdiscovery.describe_clusters` read the folder back and merge the filled files
into the pages, marked as the experts' view. A template whose fingerprint differs from the
current clustering's is refused (ValueError): it was written about other clusters.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

import numpy as np

__all__ = ["read_narratives", "match_narratives", "profile_fingerprint", "write_templates", "template_items",
           "read_templates", "PROMPTS", "TEMPLATE_DIR"]

#: The headed prompts of a narrative template, in order, with the question each asks.
PROMPTS = (
    ("History and life stories",
     "How did people in this cluster come to services? What life events and histories do "
     "they share?"),
    ("Strengths", "What strengths, skills and supports do people in this cluster have?"),
    ("Services that work", "Which services, teams and ways of working help them, and which "
                           "do not?"),
    ("Policy and social context", "Which policies, benefits, housing or local conditions "
                                  "shape their lives and their use of services?"),
    ("Who contributed", "Who wrote this view (for example: two clients, a carer, a care "
                        "coordinator, a housing officer)? No names needed."),
)
#: The folder of a study where ``clusterdiscovery narratives`` writes the templates.
TEMPLATE_DIR = "narratives"
_FINGERPRINT = re.compile(r"^model fingerprint:\s*([0-9a-f]{8,64})\s*$", re.MULTILINE)
_TEMPLATE_CLUSTER = re.compile(r"^cluster:\s*(-?\d+)\s*$", re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

_CLUSTER_HEADING = re.compile(r"^cluster\s+(-?\d+)\b", re.IGNORECASE)


def profile_fingerprint(profile) -> str:
    """A short fingerprint of a clustering, from its profile: the clusters, their sizes and
    every cluster's Table 1 values (rounded). The same clustering of the same data gives the
    same fingerprint; another clustering (other k, other memberships) a different one."""
    t1 = profile.table1
    payload = {
        "clusters": [str(c) for c in profile.clusters],
        "table1": [[None if not np.isfinite(v) else round(float(v), 6) for v in row]
                   for row in t1[list(profile.clusters)].to_numpy(dtype=float)],
        "rows": ["|".join(map(str, k)) for k in t1.index],
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def template_items(descriptions) -> list:
    """``[(cluster, name, data summary as Markdown)]`` of a :class:`ClusterDescriptions`."""
    from ._report import blocks_to_markdown

    out = []
    for d in descriptions:
        data_blocks = [b for b in d.page if b[0] in ("p", "table")][:2]
        out.append((d.cluster, d.name, blocks_to_markdown(data_blocks).strip()))
    return out


def write_templates(items, directory, *, fingerprint, overwrite=False) -> list:
    """One Markdown template per cluster in ``directory`` for community experts to fill in.

    Parameters
    ----------
    items : ClusterDescriptions or list of (cluster, name, summary)
        The clusters and their data summaries (Markdown).
    directory : str or Path
    fingerprint : str
        The clustering's fingerprint (:func:`profile_fingerprint`), written in each file.
    overwrite : bool
        A file that exists is kept unless True (it may have been filled in already).

    Returns the paths written. Each file holds the fingerprint, the cluster's data summary
    (quoted: it is not merged back) and the headed prompts of :data:`PROMPTS`.
    """
    if not isinstance(fingerprint, str) or not re.fullmatch(r"[0-9a-f]{8,64}", fingerprint):
        raise ValueError(f"The 'fingerprint' parameter must be the hexadecimal fingerprint of "
                         f"the clustering (profile_fingerprint); got {fingerprint!r}.")
    if not isinstance(items, list):
        items = template_items(items)
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    prompts = "\n".join(f"## {h}\n\n<!-- {q} -->\n\n" for h, q in PROMPTS)
    for cluster, name, summary in items:
        p = root / f"cluster_{cluster}.md"
        if p.exists() and not overwrite:
            continue
        quoted = "\n".join("> " + line if line else ">" for line in summary.splitlines())
        p.write_text(
            f"<!--\nclusterdiscovery narrative template\nmodel fingerprint: {fingerprint}\n"
            f"cluster: {cluster}\n\nWrite under each heading below, in plain words. Leave a "
            f"heading empty if you have nothing to add.\nThe quoted summary comes from the "
            f"data; it is not merged back.\nDo not change the 'model fingerprint' and "
            f"'cluster' lines.\n-->\n\n# Cluster {cluster}: {name}\n\n"
            f"## What the data say\n\n{quoted}\n\n{prompts}".rstrip() + "\n",
            encoding="utf-8")
        paths.append(p)
    return paths


class _Sourced(dict):
    """Narratives ``{key: text}`` with ``sources[key]``, the file (and place) each came from,
    so that an unmatched or doubled narrative can be named in an error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sources = {}

    def put(self, key, text, source):
        if key in self:
            raise ValueError(
                f"Two narratives claim cluster {key!r}: {self.sources[key]} and {source}. Keep "
                "one of them (a narrative is never overwritten silently).")
        self[key] = text
        self.sources[key] = source


def read_templates(directory, fingerprint=None) -> dict:
    """``{cluster: text}`` of the filled templates in ``directory`` (empty ones skipped).

    Raises ValueError if a template was written for another clustering (its fingerprint is
    not ``fingerprint``) or has no fingerprint, or if two templates fill the same cluster.
    """
    out = _Sourced()
    for p in sorted(Path(directory).glob("cluster_*.md")):
        text = p.read_text(encoding="utf-8")
        fp = _FINGERPRINT.search(text)
        cl = _TEMPLATE_CLUSTER.search(text)
        if fp is None or cl is None:
            raise ValueError(f"Narrative template {p} has no 'model fingerprint:' or "
                             f"'cluster:' line; write templates with `clusterdiscovery "
                             f"narratives STUDY_DIR` and keep those lines.")
        if fingerprint is not None and fp.group(1) != fingerprint:
            raise ValueError(
                f"Narrative template {p} was written for another clustering (fingerprint "
                f"{fp.group(1)}; this clustering's is {fingerprint}). Its clusters are not "
                f"these clusters: move the folder away and write new templates with "
                f"`clusterdiscovery narratives STUDY_DIR`.")
        parts = _filled_parts(_COMMENT.sub("", text))
        if parts:
            out.put(int(cl.group(1)), "\n\n".join(f"**{h}.** {body}" for h, body in parts),
                    str(p))
    return out


def _filled_parts(text: str) -> list:
    """``[(heading, text)]`` of the prompts that were filled in."""
    wanted = {h.lower(): h for h, _ in PROMPTS}
    parts, heading, lines = [], None, []

    def flush():
        body = " ".join(" ".join(lines).split())
        if heading is not None and body:
            parts.append((heading, body))

    for line in text.splitlines():
        if line.startswith("#"):
            flush()
            title = line.lstrip("#").strip().lower()
            heading, lines = wanted.get(title), []
        elif not line.startswith(">"):
            lines.append(line.strip())
    flush()
    return parts


def read_narratives(narratives, fingerprint=None) -> dict:
    """``{key: text}`` where key is a cluster label (int) or a cluster name (str).

    A folder is read as filled templates (:func:`read_templates`, checked against
    ``fingerprint``)."""
    if narratives is None:
        return {}
    if isinstance(narratives, (str, Path)) and Path(narratives).is_dir():
        return read_templates(narratives, fingerprint)
    if isinstance(narratives, Mapping):
        return {_key(k): _text(v.get("text", "") if isinstance(v, Mapping) else v, k)
                for k, v in narratives.items()}
    if not isinstance(narratives, (str, Path)):
        raise TypeError(
            "The 'narratives' parameter must be a dict {cluster: text}, the path of a "
            "Markdown (.md) or TOML (.toml) file, or a folder of narrative templates; got {type(narratives).__name__}."
        )
    path = Path(narratives)
    if not path.is_file():
        raise FileNotFoundError(f"Narratives file not found: {path}")
    if path.suffix.lower() == ".toml":
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"Narratives file {path} is not valid TOML: {exc}") from exc
        table = doc.get("cluster")
        if not isinstance(table, Mapping):
            raise ValueError(
                f"Narratives file {path} needs [cluster.<label>] tables with a 'text' key, "
                f'e.g. [cluster.0]\\ntext = "..."'
            )
        out = _Sourced()
        for k, v in table.items():
            if not isinstance(v, Mapping) or "text" not in v:
                raise ValueError(f"Narratives file {path}: [cluster.{k}] has no 'text' key.")
            out.put(_key(k), _text(v["text"], k), f"{path} [cluster.{k}]")
        return out
    return _parse_markdown(path.read_text(encoding="utf-8"), str(path))


def _text(v, key) -> str:
    if not isinstance(v, str):
        raise TypeError(f"The narrative for {key!r} must be text (a string); got "
                        f"{type(v).__name__}.")
    return v


def _key(k):
    if isinstance(k, int):
        return k
    s = str(k).strip()
    return int(s) if re.fullmatch(r"-?\d+", s) else s


def _parse_markdown(text: str, source: str = "the narratives") -> dict:
    out = _Sourced()
    key, lines, heading = None, [], None
    for line in text.splitlines():
        if line.startswith("## "):
            if key is not None:
                out.put(key, "\n".join(lines).strip(), f"{source} ('## {heading}')")
            heading = line[3:].strip()
            m = _CLUSTER_HEADING.match(heading)
            key = int(m.group(1)) if m else heading
            lines = []
        elif key is not None:
            lines.append(line)
    if key is not None:
        out.put(key, "\n".join(lines).strip(), f"{source} ('## {heading}')")
    return out


def match_narratives(raw: dict, clusters: list, names: dict) -> dict:
    """Map narrative keys (labels or names) to cluster labels.

    A narrative that matches no cluster, or two that land on the same cluster (by label and
    by name), is an error naming where it came from: an expert's text is never dropped or
    overwritten without a word."""
    by_name = {str(n).strip().lower(): c for c, n in names.items()}
    sources = getattr(raw, "sources", {})
    out, came_from = {}, {}
    for key, text in raw.items():
        where = sources.get(key, f"the narrative {key!r}")
        if key in clusters:
            cluster = key
        elif isinstance(key, str) and key.strip().lower() in by_name:
            cluster = by_name[key.strip().lower()]
        else:
            raise ValueError(
                f"{where[0].upper() + where[1:]} matches no cluster (clusters {clusters}; "
                f"names {sorted(names.values())}). Fix its cluster number or name, or remove "
                "it.")
        if cluster in out:
            raise ValueError(f"Two narratives claim cluster {cluster}: {came_from[cluster]} "
                             f"and {where}. Keep one of them.")
        out[cluster], came_from[cluster] = text, where
    return out
