"""The model-file format (1.0 to 1.2): its versions, keys, limits, and writing a file.

The layout is documented in ``docs/model_files.md`` and as a JSON Schema in
``model_file.schema.json`` (in this package; ``docs/`` holds the same file), the one source
of the structure rules: the key sets and limits here are read from it.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path

from .._utils import json_safe

__all__ = ["FORMAT_VERSION", "COVARIATES_VERSION", "RANGES_VERSION", "SUPPORTED_VERSIONS",
           "SCHEMA_RESOURCE", "load_schema", "write_json", "to_json_text", "plain", "now_iso"]

FORMAT_VERSION = "1.0"
#: the version a file takes when it uses a 1.1 feature (a latent class model's covariates);
#: other files stay 1.0, readable by every release that reads 1.0
COVARIATES_VERSION = "1.1"
#: the version of a file that stores training ranges (``ranges``, read by ``assign``)
RANGES_VERSION = "1.2"

#: the model file's JSON Schema, shipped in this package (docs/ holds the same file): the
#: one source of the structure rules; the key sets and limits below are read from it
SCHEMA_RESOURCE = "model_file.schema.json"


@cache
def _schema_text() -> str:
    return resources.files(__package__).joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")


def load_schema() -> dict:
    """The model file's JSON Schema (draft 2020-12), as shipped with the package (a fresh
    copy each call)."""
    return json.loads(_schema_text())


def _keys(schema: dict) -> dict:
    required = tuple(schema["required"])
    return {"required": required,
            "optional": tuple(k for k in schema["properties"] if k not in required)}


_SCHEMA = load_schema()
_DEFS = _SCHEMA["$defs"]
SUPPORTED_VERSIONS = frozenset(_SCHEMA["properties"]["format_version"]["enum"])
TOP_LEVEL_REQUIRED = _keys(_SCHEMA)["required"]
TOP_LEVEL_OPTIONAL = _keys(_SCHEMA)["optional"]
MODEL_KEYS = _keys(_DEFS["model"])
PREPROCESSING_KEYS = _keys(_DEFS["preprocessing"])
CLUSTERS_KEYS = _keys(_DEFS["clusters"])
PRIVACY_KEYS = _keys(_DEFS["privacy"])
FAMILIES = tuple(_DEFS["model"]["properties"]["family"]["enum"])
COVARIANCE_TYPES = tuple(_DEFS["gmm_parameters"]["properties"]["covariance_type"]["enum"])
#: the keys of a latent class column of each measurement (lognormal and twopart: means and
#: variances of log1p(x); twopart: P(x = 0), P(x > 0) per class)
LCA_MEASUREMENTS = {kind: tuple(_DEFS[f"lca_{kind}"]["required"])
                    for kind in _DEFS["lca_column"]["properties"]["measurement"]["enum"]}

#: limits (a file claiming more is rejected before anything is allocated)
MAX_CLUSTERS = _DEFS["model"]["properties"]["n_clusters"]["maximum"]
MAX_FEATURES = _DEFS["model"]["properties"]["n_features"]["maximum"]
MAX_CATEGORIES = _DEFS["levels"]["maxItems"]
MAX_STRING = _DEFS["text"]["maxLength"]
PROB_TOL = 1e-6
DEFAULT_MAX_BYTES = 100_000_000


#: numpy scalars/arrays -> plain Python (JSON-ready); NaN -> None (``_utils.json_safe``)
plain = json_safe


def now_iso(created=None) -> str:
    """ISO 8601 creation time: now (UTC, seconds) or the given datetime/str."""
    if created is None:
        return datetime.now(UTC).replace(microsecond=0).isoformat()
    if isinstance(created, datetime):
        return created.isoformat()
    if isinstance(created, str):
        try:
            datetime.fromisoformat(created)
        except ValueError:
            raise ValueError(f"The 'created' parameter must be an ISO 8601 date-time such as "
                             f"'2026-01-31T12:00:00+00:00'; got {created!r}.") from None
        return created
    raise TypeError(f"The 'created' parameter must be a datetime or an ISO string; got "
                    f"{type(created).__name__}.")


def to_json_text(spec: dict) -> str:
    """Serialise a spec: strict JSON (``allow_nan=False``), two-space indent, UTF-8 safe."""
    return json.dumps(spec, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_json(path, spec: dict) -> Path:
    """Write atomically (temporary file in the same folder, then rename)."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"The 'path' parameter must be a file path (str or Path); got "
                        f"{type(path).__name__}.")
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; give the model file's name, e.g. "
                                f"{path / 'model.json'}.")
    text = to_json_text(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
