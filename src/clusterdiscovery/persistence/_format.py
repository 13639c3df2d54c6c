"""The model-file structure (format 1.0): its keys, limits, and writing a file.

The layout is documented in ``docs/model_files.md`` and as a JSON Schema in
``docs/model_file.schema.json`` (a test keeps the two in step with the constants here).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

__all__ = ["FORMAT_VERSION", "COVARIATES_VERSION", "RANGES_VERSION", "SUPPORTED_VERSIONS", "write_json", "to_json_text", "plain",
           "now_iso"]

FORMAT_VERSION = "1.0"
#: the version a file takes when it uses a 1.1 feature (a latent class model's covariates);
#: other files stay 1.0, readable by every release that reads 1.0
COVARIATES_VERSION = "1.1"
#: the version of a file that stores training ranges (``ranges``, read by ``assign``)
RANGES_VERSION = "1.2"
SUPPORTED_VERSIONS = frozenset({"1.0", "1.1", "1.2"})

#: key sets of each object (required, optional); the JSON Schema in docs/ lists the same
TOP_LEVEL_REQUIRED = ("format_version", "package_version", "created", "features", "model",
                      "clusters")
TOP_LEVEL_OPTIONAL = ("schema", "preprocessing", "privacy", "provenance", "ranges")
MODEL_KEYS = {"required": ("family", "n_clusters", "parameters"),
              "optional": ("n_features",)}
PREPROCESSING_KEYS = {"required": ("blocks", "output_columns"), "optional": ()}
CLUSTERS_KEYS = {"required": ("names", "descriptions", "sizes", "n_training"),
                 "optional": ()}
PRIVACY_KEYS = {"required": ("min_cell_size", "small_clusters_allowed"), "optional": ()}
FAMILIES = ("kmeans", "gaussian_mixture", "latent_class")
COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
LCA_MEASUREMENTS = {
    "categorical": ("name", "measurement", "levels", "probabilities"),
    "gaussian": ("name", "measurement", "means", "variances"),
    "lognormal": ("name", "measurement", "means", "variances"),  # of log1p(x)
    "poisson": ("name", "measurement", "rates"),
    # P(x = 0), P(x > 0) per class; means and variances of log1p(x) for x > 0
    "twopart": ("name", "measurement", "probabilities", "means", "variances"),
}

#: limits (a file claiming more is rejected before anything is allocated)
MAX_CLUSTERS = 10_000
MAX_FEATURES = 100_000
MAX_CATEGORIES = 100_000
MAX_STRING = 100_000
PROB_TOL = 1e-6
DEFAULT_MAX_BYTES = 100_000_000


def plain(value):
    """numpy scalars/arrays -> plain Python (JSON-ready); NaN -> None."""
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()] if value.dtype == object \
            else _nan_to_none(value.tolist())
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _nan_to_none(obj):
    if isinstance(obj, list):
        return [_nan_to_none(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


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
