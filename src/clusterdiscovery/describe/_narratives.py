"""Expert narratives keyed by cluster: from a dict, a Markdown file (``## Cluster 0`` or
``## <name>`` sections) or a TOML file (``[cluster.0] text = "..."``)."""

from __future__ import annotations

import re
import tomllib
import warnings
from collections.abc import Mapping
from pathlib import Path

__all__ = ["read_narratives", "match_narratives"]

_CLUSTER_HEADING = re.compile(r"^cluster\s+(-?\d+)\b", re.IGNORECASE)


def read_narratives(narratives) -> dict:
    """``{key: text}`` where key is a cluster label (int) or a cluster name (str)."""
    if narratives is None:
        return {}
    if isinstance(narratives, Mapping):
        return {_key(k): _text(v.get("text", "") if isinstance(v, Mapping) else v, k)
                for k, v in narratives.items()}
    if not isinstance(narratives, (str, Path)):
        raise TypeError(
            "The 'narratives' parameter must be a dict {cluster: text} or the path of a "
            f"Markdown (.md) or TOML (.toml) file; got {type(narratives).__name__}."
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
        out = {}
        for k, v in table.items():
            if not isinstance(v, Mapping) or "text" not in v:
                raise ValueError(f"Narratives file {path}: [cluster.{k}] has no 'text' key.")
            out[_key(k)] = _text(v["text"], k)
        return out
    return _parse_markdown(path.read_text(encoding="utf-8"))


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


def _parse_markdown(text: str) -> dict:
    out: dict = {}
    key, lines = None, []
    for line in text.splitlines():
        if line.startswith("## "):
            if key is not None:
                out[key] = "\n".join(lines).strip()
            heading = line[3:].strip()
            m = _CLUSTER_HEADING.match(heading)
            key = int(m.group(1)) if m else heading
            lines = []
        elif key is not None:
            lines.append(line)
    if key is not None:
        out[key] = "\n".join(lines).strip()
    return out


def match_narratives(raw: dict, clusters: list, names: dict) -> dict:
    """Map narrative keys (labels or names) to cluster labels; warn about unmatched ones."""
    by_name = {str(n).strip().lower(): c for c, n in names.items()}
    out = {}
    for key, text in raw.items():
        if key in clusters:
            out[key] = text
        elif isinstance(key, str) and key.strip().lower() in by_name:
            out[by_name[key.strip().lower()]] = text
        else:
            warnings.warn(
                f"Narrative section {key!r} matches no cluster (clusters {clusters}; names "
                f"{sorted(names.values())}); it is left out.", UserWarning, stacklevel=3,
            )
    return out
