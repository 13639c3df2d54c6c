"""Validation of a model file: strict parsing, its JSON Schema, then what a schema cannot say.

Nothing here executes code or imports anything named in the file. The text is parsed
strictly (:func:`parse_json`); the structure (keys, types, allowed words, bounds) is checked
against the package's JSON Schema, the one source of those rules
(:mod:`._structure`, ``model_file.schema.json``); the checks here are the semantic ones a
JSON Schema cannot express: array lengths against the declared dimensions (compared before
any array is built, so a file cannot make the loader allocate more than its own
size-limited text), weights and probabilities summing to 1, positive definite covariances,
names in the order of ``$.features``, sizes adding up to ``n_training``, the format version
a feature needs. Every fault raises :class:`~clusterdiscovery.exceptions.ModelSpecError`
whose message starts with its JSON path (``$.model.parameters.means[2][1]: ...``).
"""

from __future__ import annotations

import json
import math
from datetime import datetime

import numpy as np

from ..exceptions import ModelSpecError
from ._format import PROB_TOL
from ._ranges import validate_ranges
from ._structure import check_structure, describe

__all__ = ["parse_json", "validate_spec"]


# ----------------------------------------------------------------------------- helpers
def _fail(path: str, message: str):
    raise ModelSpecError(f"{path}: {message}")


def _length(value: list, path: str, n: int) -> list:
    if len(value) != n:
        _fail(path, f"expected an array of {n} item(s), got {len(value)}.")
    return value


def _vector(value: list, path: str, n: int) -> np.ndarray:
    """``n`` numbers (the schema has checked that they are finite) as an array."""
    return np.array(_length(value, path, n), dtype=float)


def _matrix(value: list, path: str, nrow: int, ncol: int) -> np.ndarray:
    _length(value, path, nrow)
    for i, row in enumerate(value):
        _length(row, f"{path}[{i}]", ncol)
    return np.array(value, dtype=float).reshape(nrow, ncol)


def _distinct_levels(levels: list, path: str) -> list:
    """1 and 1.0 and true are the same level for matching: reject such duplicates."""
    seen = set()
    for i, v in enumerate(levels):
        marker = ("null",) if v is None else (("s", v) if isinstance(v, str) else ("n", float(v)))
        if marker in seen:
            _fail(f"{path}[{i}]", f"duplicate level {describe(v)}.")
        seen.add(marker)
    return levels


# ----------------------------------------------------------------------------- parsing
class _DuplicateKeyError(ValueError):
    pass


def _no_duplicates(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


def _reject_constant(name):
    raise ValueError(f"non-standard JSON constant {name}")


def _parse_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} does not fit a double")
    return value


#: Python objects cost about this many bytes each once parsed (a list or dict with its slot
#: in the parent; a float with its slot). A file whose text would parse into more than
#: MAX_EXPANSION times its own size is refused before parsing.
_CONTAINER_BYTES, _VALUE_BYTES, MAX_EXPANSION = 72, 32, 8


def _check_density(text: str) -> None:
    """Refuse text that would parse into far more memory than its own size (a file made of
    ``[],[],...`` or ``{},{},...`` takes some 25 times its size as Python objects)."""
    if len(text) < 1_000_000:  # small files cannot hurt
        return
    containers = text.count("[") + text.count("{")
    values = text.count(",")
    estimate = containers * _CONTAINER_BYTES + values * _VALUE_BYTES
    if estimate > MAX_EXPANSION * len(text):
        raise ModelSpecError(
            f"$: the file holds {containers:,} lists or objects and {values:,} values in "
            f"{len(text):,} characters; parsed, it would take about {estimate / 1e6:,.0f} MB, "
            f"more than {MAX_EXPANSION} times its size. A model file is mostly numbers; this "
            f"one is not a model file.")


def parse_json(text) -> object:
    """Parse JSON text strictly: no NaN/Infinity, no duplicate keys, bounded nesting.

    Raises
    ------
    ModelSpecError
        For anything that is not strict JSON (path ``$``).
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ModelSpecError(f"$: the file is not UTF-8 text ({exc.reason} at byte "
                                 f"{exc.start}); is it a model file?") from None
    if not isinstance(text, str):
        raise TypeError(f"Expected JSON text (str or bytes); got {type(text).__name__}.")
    _check_density(text)
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_parse_float,
                          object_pairs_hook=_no_duplicates)
    except _DuplicateKeyError as exc:
        raise ModelSpecError(f"$: the key {str(exc)!r} appears twice in one object; "
                             f"a model file must not repeat keys.") from None
    except json.JSONDecodeError as exc:
        raise ModelSpecError(f"$: not valid JSON ({exc.msg} at line {exc.lineno} column "
                             f"{exc.colno}); the file may be truncated or damaged.") from None
    except RecursionError:
        raise ModelSpecError("$: the JSON is nested too deeply to be a model file.") from None
    except (ValueError, OverflowError) as exc:
        raise ModelSpecError(f"$: not valid model-file JSON ({exc}).") from None


# ----------------------------------------------------------------------------- sections
def validate_spec(doc) -> dict:
    """Check a parsed model file completely: the JSON Schema, then the semantic rules;
    return it unchanged.

    Raises
    ------
    ModelSpecError
        With the JSON path of the first fault found.
    """
    check_structure(doc)
    version = doc["format_version"]
    try:
        datetime.fromisoformat(doc["created"])
    except ValueError:
        _fail("$.created", f"not an ISO 8601 date-time: {doc['created']!r}.")
    features = doc["features"]
    _validate_schema(doc.get("schema"), features)
    model = doc["model"]
    family, k = model["family"], model["n_clusters"]
    pre = doc.get("preprocessing")
    if family == "latent_class":
        if pre is not None:
            _fail("$.preprocessing", "a latent class model reads the raw columns; "
                                     "preprocessing must be null.")
        if model.get("n_features") not in (None, len(features)):
            _fail("$.model.n_features", f"is {model['n_features']} but $.features lists "
                                        f"{len(features)} column(s).")
        _validate_latent_class(model["parameters"], "$.model.parameters", k, features,
                               version)
    else:
        width = len(features) if pre is None else _validate_preprocessing(pre, features)
        p = model["n_features"]
        if p != width:
            where = "$.features" if pre is None else "$.preprocessing.output_columns"
            _fail("$.model.n_features", f"is {p} but {where} gives {width} model input(s).")
        if family == "kmeans":
            _matrix(model["parameters"]["centroids"], "$.model.parameters.centroids", k, p)
        else:
            _validate_gmm(model["parameters"], "$.model.parameters", k, p)
    _validate_clusters(doc["clusters"], k)
    _validate_privacy(doc.get("privacy"), doc["clusters"])
    validate_ranges(doc.get("ranges"), features, model["parameters"], version, _fail)
    return doc


def _validate_schema(schema, features) -> None:
    if schema is None:
        return
    from ..schema import ClientSchema  # local: keep this module importable on its own

    try:
        parsed = ClientSchema.from_dict(schema)
    except Exception as exc:  # noqa: BLE001 - any failure of a foreign value is a spec fault
        _fail("$.schema", f"not a valid ClientSchema: {exc}")
    for i, col in enumerate(features):
        if col not in parsed.features:
            _fail(f"$.features[{i}]", f"column {col!r} is not a feature of $.schema.features.")


def _validate_preprocessing(pre, features) -> int:
    path = "$.preprocessing"
    known = set(features)
    used: set = set()
    width = 0
    for b, block in enumerate(pre["blocks"]):
        bpath = f"{path}.blocks[{b}]"
        cols = block["columns"]
        for i, c in enumerate(cols):
            if c not in known:
                _fail(f"{bpath}.columns[{i}]", f"column {c!r} is not listed in $.features.")
        used.update(cols)
        width += _validate_steps(block["steps"], f"{bpath}.steps", len(cols))
    unused = [c for c in features if c not in used]
    if unused:
        _fail("$.features", f"column(s) {unused} are not read by any preprocessing block.")
    _length(pre["output_columns"], f"{path}.output_columns", width)
    return width


def _validate_steps(steps, path: str, n_cols: int) -> int:
    """Check the order of a block's steps and their widths; return its output width."""
    width, encoded, text_impute = n_cols, False, None
    for s, step in enumerate(steps):
        spath, op = f"{path}[{s}]", step["op"]
        if op == "indicator":
            if s != 0:
                _fail(spath, "'indicator' must be the first step of its block.")
            keep = step["keep"]
            if len(keep) > width:
                _fail(f"{spath}.keep", f"array longer than the limit of {width} items.")
            for i, j in enumerate(keep):
                if j > width - 1:
                    _fail(f"{spath}.keep[{i}]", f"expected an integer in [0, {width - 1}], "
                                                f"got {j}.")
            width, encoded = len(keep), True
        elif op == "impute":
            for i, v in enumerate(_length(step["values"], f"{spath}.values", width)):
                if encoded and (isinstance(v, bool) or not isinstance(v, int | float)):
                    _fail(f"{spath}.values[{i}]", f"expected a number, got {describe(v)}.")
                if not encoded and isinstance(v, str) and text_impute is None:
                    text_impute = f"{spath}.values[{i}]"
        elif op in ("log1p", "scale"):
            for key in ("mean", "scale") if op == "scale" else ():
                if step[key] is not None:
                    _length(step[key], f"{spath}.{key}", width)
            if text_impute is not None:
                break
            encoded = True
        else:  # onehot, ordinal
            text_impute = None
            if encoded:
                _fail(spath, f"'{op}' must come before numeric steps in a block.")
            cats = _length(step["categories"], f"{spath}.categories", width)
            sizes = [len(_distinct_levels(c, f"{spath}.categories[{i}]"))
                     for i, c in enumerate(cats)]
            if op == "onehot":
                width = sum(sizes) - _count_drops(step.get("drop"), f"{spath}.drop", sizes)
            encoded = True
    if text_impute is not None:
        _fail(text_impute, "a text imputation value in a block whose values are used as "
                           "numbers (no onehot/ordinal step follows it).")
    return width


def _count_drops(drop, path: str, sizes: list) -> int:
    """A onehot step's dropped levels: one index (or null) per column, below its size."""
    if drop is None:
        return 0
    for i, d in enumerate(_length(drop, path, len(sizes))):
        if d is not None and d > sizes[i] - 1:
            _fail(f"{path}[{i}]", f"expected an integer in [0, {sizes[i] - 1}], got {d}.")
    return sum(d is not None for d in drop)


def _check_weights(value, path: str, k: int) -> np.ndarray:
    w = _vector(value, path, k)
    if abs(w.sum() - 1.0) > PROB_TOL:
        _fail(path, f"the weights sum to {w.sum():.10g}, not 1 (tolerance {PROB_TOL}).")
    return w


def _check_spd(mat: np.ndarray, path: str) -> None:
    scale = max(1.0, float(np.abs(mat).max()))
    if not np.allclose(mat, mat.T, rtol=0, atol=1e-8 * scale):
        _fail(path, "the covariance matrix is not symmetric.")
    try:
        np.linalg.cholesky(mat)
    except np.linalg.LinAlgError:
        _fail(path, "the covariance matrix is not positive definite.")


def _validate_gmm(params, path: str, k: int, p: int) -> None:
    ctype = params["covariance_type"]
    _check_weights(params["weights"], f"{path}.weights", k)
    _matrix(params["means"], f"{path}.means", k, p)
    cpath = f"{path}.covariances"
    cov = params["covariances"]
    if ctype == "full":
        for j, c in enumerate(_length(cov, cpath, k)):
            _check_spd(_matrix(c, f"{cpath}[{j}]", p, p), f"{cpath}[{j}]")
    elif ctype == "tied":
        _check_spd(_matrix(cov, cpath, p, p), cpath)
    elif ctype == "diag":
        _matrix(cov, cpath, k, p)
    else:
        _vector(cov, cpath, k)


def _validate_covariates(cov, path: str, k: int, features, version: str) -> None:
    if version == "1.0":
        _fail(path, "covariates need format_version 1.1 or later (this file says 1.0).")
    names = cov["names"]
    clash = sorted(set(names) & set(features))
    if clash:
        _fail(f"{path}.names", f"{clash} are also clustering columns ($.features); a "
                               f"covariate explains class membership and is not an item.")
    beta = _matrix(cov["coefficients"], f"{path}.coefficients", k, 1 + len(names))
    if np.any(beta[0] != 0):
        _fail(f"{path}.coefficients[0]", "the reference class (row 0) must be all zeros.")


def _validate_latent_class(params, path: str, k: int, features, version: str = "1.0") -> None:
    if "covariates" in params:
        _validate_covariates(params["covariates"], f"{path}.covariates", k, features, version)
    if params["n_components"] != k:
        _fail(f"{path}.n_components", f"is {params['n_components']} but $.model.n_clusters "
                                      f"is {k}.")
    _check_weights(params["weights"], f"{path}.weights", k)
    for j, col in enumerate(_length(params["columns"], f"{path}.columns", len(features))):
        cpath, kind = f"{path}.columns[{j}]", col["measurement"]
        if col["name"] != features[j]:
            _fail(f"{cpath}.name", f"is {col['name']!r} but $.features[{j}] is "
                                   f"{features[j]!r}; the columns must be listed in the same "
                                   f"order.")
        if kind == "categorical":
            levels = _distinct_levels(col["levels"], f"{cpath}.levels")
            probs = _matrix(col["probabilities"], f"{cpath}.probabilities", k, len(levels))
            _check_rows_sum_to_one(probs, f"{cpath}.probabilities", "the probabilities sum to "
                                   "{:.10g}, not 1 (tolerance " + f"{PROB_TOL}).")
        elif kind == "poisson":
            _vector(col["rates"], f"{cpath}.rates", k)
        else:  # gaussian, lognormal, twopart
            if kind == "twopart":  # P(x = 0), P(x > 0) per class
                probs = _matrix(col["probabilities"], f"{cpath}.probabilities", k, 2)
                _check_rows_sum_to_one(probs, f"{cpath}.probabilities",
                                       "P(zero) and P(above zero) must sum to 1.")
            _vector(col["means"], f"{cpath}.means", k)
            _vector(col["variances"], f"{cpath}.variances", k)


def _check_rows_sum_to_one(probs: np.ndarray, path: str, message: str) -> None:
    """Each row of ``probs`` sums to 1 (within PROB_TOL); ``message`` formats the sum."""
    sums = probs.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > PROB_TOL)
    if bad.size:
        i = int(bad[0])
        _fail(f"{path}[{i}]", message.format(sums[i]))


def _validate_clusters(clusters, k: int) -> None:
    path = "$.clusters"
    _length(clusters["names"], f"{path}.names", k)
    _length(clusters["descriptions"], f"{path}.descriptions", k)
    n = clusters["n_training"]
    total = sum(_length(clusters["sizes"], f"{path}.sizes", k))
    if total != n:
        _fail(f"{path}.sizes", f"the sizes add up to {total}, not n_training = {n}.")


def _validate_privacy(privacy, clusters) -> None:
    if privacy is None or privacy["small_clusters_allowed"]:
        return
    m = privacy["min_cell_size"]
    for i, s in enumerate(clusters["sizes"]):
        if s < m:
            _fail(f"$.clusters.sizes[{i}]",
                  f"cluster of {s} members is below min_cell_size = {m}, yet the file "
                  f"says small clusters are not allowed; the file is inconsistent.")
