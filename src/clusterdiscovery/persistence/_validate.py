"""Strict, hand-written validation of a model file, with the JSON path of every fault.

Nothing here executes code or imports anything named in the file. Every check that can
fail raises :class:`~clusterdiscovery.exceptions.ModelSpecError` whose message starts with
the JSON path of the fault (``$.model.parameters.means[2][1]: ...``). Array lengths are
compared with the declared dimensions before any array is built, so a file cannot make
the loader allocate more than its own (size-limited) text.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime

import numpy as np

from ..exceptions import ModelSpecError
from ._format import (
    CLUSTERS_KEYS,
    COVARIANCE_TYPES,
    FAMILIES,
    LCA_MEASUREMENTS,
    MAX_CATEGORIES,
    MAX_CLUSTERS,
    MAX_FEATURES,
    MAX_STRING,
    MODEL_KEYS,
    PREPROCESSING_KEYS,
    PRIVACY_KEYS,
    PROB_TOL,
    SUPPORTED_VERSIONS,
    TOP_LEVEL_OPTIONAL,
    TOP_LEVEL_REQUIRED,
)
from ._ranges import validate_ranges

__all__ = ["parse_json", "validate_spec"]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# ----------------------------------------------------------------------------- helpers
def _key(path: str, key) -> str:
    if isinstance(key, str) and _IDENT.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(str(key))}]"


def _fail(path: str, message: str):
    raise ModelSpecError(f"{path}: {message}")


def _describe(value) -> str:
    """A short, recursion-free description of a JSON value for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return f"an object with {len(value)} key(s)"
    if isinstance(value, list):
        return f"an array of {len(value)} item(s)"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _object(value, path: str, required, optional=()) -> dict:
    if not isinstance(value, dict):
        _fail(path, f"expected an object, got {_describe(value)}.")
    for key in required:
        if key not in value:
            _fail(_key(path, key), "required key is missing.")
    allowed = set(required) | set(optional)
    for key in value:
        if key not in allowed:
            _fail(_key(path, key),
                  f"unknown key; allowed keys here are {sorted(allowed)}.")
    return value


def _string(value, path: str, *, allow_empty: bool = False, allow_null: bool = False):
    if value is None and allow_null:
        return None
    if not isinstance(value, str):
        _fail(path, f"expected a string, got {_describe(value)}.")
    if not allow_empty and not value.strip():
        _fail(path, "expected a non-empty string.")
    if len(value) > MAX_STRING:
        _fail(path, f"string longer than {MAX_STRING} characters.")
    return value


def _int(value, path: str, *, low: int | None = None, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(path, f"expected an integer, got {_describe(value)}.")
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        _fail(path, f"expected an integer in [{lo}, {hi}], got {value}.")
    return value


def _number(value, path: str, *, positive: bool = False, nonneg: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(path, f"expected a number, got {_describe(value)}.")
    try:
        out = float(value)
    except OverflowError:
        _fail(path, "number too large.")
    if not math.isfinite(out):
        _fail(path, f"expected a finite number, got {value}.")
    if positive and not out > 0:
        _fail(path, f"expected a number > 0, got {value}.")
    if nonneg and out < 0:
        _fail(path, f"expected a number >= 0, got {value}.")
    return out


def _bool(value, path: str) -> bool:
    if not isinstance(value, bool):
        _fail(path, f"expected true or false, got {_describe(value)}.")
    return value


def _list(value, path: str, *, length: int | None = None, min_len: int = 0,
          max_len: int = MAX_FEATURES) -> list:
    if not isinstance(value, list):
        _fail(path, f"expected an array, got {_describe(value)}.")
    if length is not None and len(value) != length:
        _fail(path, f"expected an array of {length} item(s), got {len(value)}.")
    if len(value) < min_len:
        _fail(path, f"expected at least {min_len} item(s), got {len(value)}.")
    if len(value) > max_len:
        _fail(path, f"array longer than the limit of {max_len} items.")
    return value


def _vector(value, path: str, length: int, *, positive: bool = False,
            nonneg: bool = False) -> np.ndarray:
    """A list of ``length`` finite numbers (checked before conversion)."""
    _list(value, path, length=length, max_len=max(length, 0))
    if all(type(v) is float or type(v) is int for v in value):
        try:
            arr = np.array(value, dtype=float)
        except OverflowError:
            arr = None
        if arr is not None and np.isfinite(arr).all() and \
                (not positive or (arr > 0).all()) and (not nonneg or (arr >= 0).all()):
            return arr
    # slow path: find the first offending element for the message
    for i, v in enumerate(value):
        _number(v, f"{path}[{i}]", positive=positive, nonneg=nonneg)
    raise AssertionError("unreachable")  # pragma: no cover


def _matrix(value, path: str, nrow: int, ncol: int, **kw) -> np.ndarray:
    _list(value, path, length=nrow, max_len=max(nrow, 0))
    rows = [_vector(row, f"{path}[{i}]", ncol, **kw) for i, row in enumerate(value)]
    if not rows:
        return np.empty((0, ncol))
    return np.vstack(rows)


def _level(value, path: str, *, allow_null: bool):
    """A category level: string, finite number or boolean (null where allowed)."""
    if value is None:
        if allow_null:
            return None
        _fail(path, "a level cannot be null here.")
    if isinstance(value, bool | str):
        if isinstance(value, str) and len(value) > MAX_STRING:
            _fail(path, f"string longer than {MAX_STRING} characters.")
        return value
    if isinstance(value, int | float):
        _number(value, path)
        return value
    _fail(path, f"expected a string, number or boolean level, got {_describe(value)}.")


def _levels(value, path: str, *, allow_null: bool, min_len: int = 1) -> list:
    _list(value, path, min_len=min_len, max_len=MAX_CATEGORIES)
    seen = set()
    for i, v in enumerate(value):
        _level(v, f"{path}[{i}]", allow_null=allow_null)
        # 1 and 1.0 and true are the same level for matching: reject such duplicates
        marker = ("null",) if v is None else (("s", v) if isinstance(v, str) else ("n", float(v)))
        if marker in seen:
            _fail(f"{path}[{i}]", f"duplicate level {_describe(v)}.")
        seen.add(marker)
    return value


def _names(value, path: str, *, length: int | None = None, min_len: int = 1) -> list:
    _list(value, path, length=length, min_len=min_len)
    seen = set()
    for i, v in enumerate(value):
        _string(v, f"{path}[{i}]")
        if v in seen:
            _fail(f"{path}[{i}]", f"duplicate name {v!r}.")
        seen.add(v)
    return value


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
    """Check a parsed model file completely; return it unchanged.

    Raises
    ------
    ModelSpecError
        With the JSON path of the first fault found.
    """
    _object(doc, "$", TOP_LEVEL_REQUIRED, TOP_LEVEL_OPTIONAL)
    version = _string(doc["format_version"], "$.format_version")
    if version not in SUPPORTED_VERSIONS:
        _fail("$.format_version",
              f"unknown format version {version!r}; this version of clusterdiscovery reads "
              f"{sorted(SUPPORTED_VERSIONS)}. Upgrade clusterdiscovery to read newer files.")
    _string(doc["package_version"], "$.package_version")
    created = _string(doc["created"], "$.created")
    try:
        datetime.fromisoformat(created)
    except ValueError:
        _fail("$.created", f"not an ISO 8601 date-time: {created!r}.")
    features = _names(doc["features"], "$.features")
    _validate_schema(doc.get("schema"), features)
    model = _object(doc["model"], "$.model", MODEL_KEYS["required"], MODEL_KEYS["optional"])
    family = _string(model["family"], "$.model.family")
    if family not in FAMILIES:
        _fail("$.model.family", f"unknown model family {family!r}; expected one of "
                                f"{list(FAMILIES)}.")
    k = _int(model["n_clusters"], "$.model.n_clusters", low=1, high=MAX_CLUSTERS)
    pre = doc.get("preprocessing")
    if family == "latent_class":
        if pre is not None:
            _fail("$.preprocessing", "a latent class model reads the raw columns; "
                                     "preprocessing must be null.")
        if model.get("n_features") is not None:
            _int(model["n_features"], "$.model.n_features", low=1, high=MAX_FEATURES)
            if model["n_features"] != len(features):
                _fail("$.model.n_features", f"is {model['n_features']} but $.features lists "
                                            f"{len(features)} column(s).")
        _validate_latent_class(model["parameters"], "$.model.parameters", k, features,
                               version)
    else:
        if pre is None:
            width = len(features)
        else:
            width = _validate_preprocessing(pre, features)
        p = _int(model.get("n_features"), "$.model.n_features", low=1, high=MAX_FEATURES)
        if p != width:
            where = "$.features" if pre is None else "$.preprocessing.output_columns"
            _fail("$.model.n_features", f"is {p} but {where} gives {width} model input(s).")
        if family == "kmeans":
            _validate_kmeans(model["parameters"], "$.model.parameters", k, p)
        else:
            _validate_gmm(model["parameters"], "$.model.parameters", k, p)
    _validate_clusters(doc["clusters"], k)
    _validate_privacy(doc.get("privacy"), doc["clusters"])
    _validate_provenance(doc.get("provenance"))
    validate_ranges(doc.get("ranges"), features, model["parameters"], version, _fail)
    return doc


def _validate_schema(schema, features) -> None:
    if schema is None:
        return
    from ..schema import ClientSchema  # local: keep this module importable on its own

    if not isinstance(schema, dict):
        _fail("$.schema", f"expected an object or null, got {_describe(schema)}.")
    try:
        parsed = ClientSchema.from_dict(schema)
    except Exception as exc:  # noqa: BLE001 - any failure of a foreign value is a spec fault
        _fail("$.schema", f"not a valid ClientSchema: {exc}")
    for i, col in enumerate(features):
        if col not in parsed.features:
            _fail(f"$.features[{i}]", f"column {col!r} is not a feature of $.schema.features.")


def _validate_preprocessing(pre, features) -> int:
    path = "$.preprocessing"
    _object(pre, path, PREPROCESSING_KEYS["required"], PREPROCESSING_KEYS["optional"])
    blocks = _list(pre["blocks"], f"{path}.blocks", min_len=1, max_len=MAX_FEATURES)
    known = set(features)
    used: set = set()
    width = 0
    for b, block in enumerate(blocks):
        bpath = f"{path}.blocks[{b}]"
        _object(block, bpath, ("columns", "steps"), ("name",))
        if "name" in block:
            _string(block["name"], f"{bpath}.name")
        cols = _names(block["columns"], f"{bpath}.columns")
        for i, c in enumerate(cols):
            if c not in known:
                _fail(f"{bpath}.columns[{i}]", f"column {c!r} is not listed in $.features.")
        used.update(cols)
        width += _validate_steps(block["steps"], f"{bpath}.steps", len(cols))
    unused = [c for c in features if c not in used]
    if unused:
        _fail("$.features", f"column(s) {unused} are not read by any preprocessing block.")
    _names(pre["output_columns"], f"{path}.output_columns", length=width, min_len=1)
    return width


def _validate_steps(steps, path: str, n_cols: int) -> int:
    """Check a block's steps; return its output width."""
    _list(steps, path, max_len=16)
    width, encoded, text_impute = n_cols, False, None
    for s, step in enumerate(steps):
        spath = f"{path}[{s}]"
        if not isinstance(step, dict) or "op" not in step:
            _fail(spath, f"expected an object with an 'op' key, got {_describe(step)}.")
        op = step["op"]
        if op == "indicator":
            if s != 0:
                _fail(spath, "'indicator' must be the first step of its block.")
            _object(step, spath, ("op", "keep"))
            keep = _list(step["keep"], f"{spath}.keep", max_len=width)
            for i, j in enumerate(keep):
                _int(j, f"{spath}.keep[{i}]", low=0, high=width - 1)
            if len(set(keep)) != len(keep):
                _fail(f"{spath}.keep", "repeated column index.")
            width = len(keep)
            encoded = True
        elif op == "impute":
            _object(step, spath, ("op", "values"))
            values = _list(step["values"], f"{spath}.values", length=width, max_len=width)
            for i, v in enumerate(values):
                if encoded:
                    _number(v, f"{spath}.values[{i}]")
                else:
                    _level(v, f"{spath}.values[{i}]", allow_null=False)
                    if isinstance(v, str) and text_impute is None:
                        text_impute = f"{spath}.values[{i}]"
        elif op == "log1p":
            _object(step, spath, ("op",))
            if text_impute is not None:
                break
            encoded = True
        elif op == "scale":
            _object(step, spath, ("op", "mean", "scale"))
            if step["mean"] is not None:
                _vector(step["mean"], f"{spath}.mean", width)
            if step["scale"] is not None:
                _vector(step["scale"], f"{spath}.scale", width, positive=True)
            if text_impute is not None:
                break
            encoded = True
        elif op in ("onehot", "ordinal"):
            text_impute = None
            if encoded:
                _fail(spath, f"'{op}' must come before numeric steps in a block.")
            optional = ("drop", "missing_zeros") if op == "onehot" else ("missing_code",)
            _object(step, spath, ("op", "categories"), optional)
            cats = _list(step["categories"], f"{spath}.categories", length=width,
                         max_len=width)
            sizes = [len(_levels(c, f"{spath}.categories[{i}]", allow_null=True))
                     for i, c in enumerate(cats)]
            if op == "onehot":
                if "missing_zeros" in step:
                    _bool(step["missing_zeros"], f"{spath}.missing_zeros")
                drop = step.get("drop")
                n_drop = 0
                if drop is not None:
                    _list(drop, f"{spath}.drop", length=width, max_len=width)
                    for i, d in enumerate(drop):
                        if d is not None:
                            _int(d, f"{spath}.drop[{i}]", low=0, high=sizes[i] - 1)
                            n_drop += 1
                width = sum(sizes) - n_drop
            elif step.get("missing_code") is not None:
                _number(step["missing_code"], f"{spath}.missing_code")
            encoded = True
        else:
            _fail(f"{spath}.op", f"unknown step {_describe(op)}; expected one of "
                                 f"impute, log1p, scale, onehot, ordinal, indicator.")
    if text_impute is not None:
        _fail(text_impute, "a text imputation value in a block whose values are used as "
                           "numbers (no onehot/ordinal step follows it).")
    return width


def _validate_kmeans(params, path: str, k: int, p: int) -> None:
    _object(params, path, ("centroids", "variance"))
    _matrix(params["centroids"], f"{path}.centroids", k, p)
    _number(params["variance"], f"{path}.variance", positive=True)


def _check_weights(value, path: str, k: int) -> np.ndarray:
    w = _vector(value, path, k, nonneg=True)
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
    _object(params, path, ("covariance_type", "weights", "means", "covariances"))
    ctype = _string(params["covariance_type"], f"{path}.covariance_type")
    if ctype not in COVARIANCE_TYPES:
        _fail(f"{path}.covariance_type", f"unknown covariance type {ctype!r}; expected one "
                                         f"of {list(COVARIANCE_TYPES)}.")
    _check_weights(params["weights"], f"{path}.weights", k)
    _matrix(params["means"], f"{path}.means", k, p)
    cpath = f"{path}.covariances"
    cov = params["covariances"]
    if ctype == "full":
        _list(cov, cpath, length=k, max_len=k)
        for j, c in enumerate(cov):
            _check_spd(_matrix(c, f"{cpath}[{j}]", p, p), f"{cpath}[{j}]")
    elif ctype == "tied":
        _check_spd(_matrix(cov, cpath, p, p), cpath)
    elif ctype == "diag":
        _matrix(cov, cpath, k, p, positive=True)
    else:
        _vector(cov, cpath, k, positive=True)


def _validate_covariates(cov, path: str, k: int, features, version: str) -> None:
    if version == "1.0":
        _fail(path, "covariates need format_version 1.1 or later (this file says 1.0).")
    _object(cov, path, ("names", "coefficients"))
    names = _names(cov["names"], f"{path}.names")
    clash = sorted(set(names) & set(features))
    if clash:
        _fail(f"{path}.names", f"{clash} are also clustering columns ($.features); a "
                               f"covariate explains class membership and is not an item.")
    beta = _matrix(cov["coefficients"], f"{path}.coefficients", k, 1 + len(names))
    if np.any(beta[0] != 0):
        _fail(f"{path}.coefficients[0]", "the reference class (row 0) must be all zeros.")


def _validate_latent_class(params, path: str, k: int, features, version: str = "1.0") -> None:
    _object(params, path, ("n_components", "weights", "columns"), ("covariates",))
    if "covariates" in params:
        _validate_covariates(params["covariates"], f"{path}.covariates", k, features, version)
    nk = _int(params["n_components"], f"{path}.n_components", low=1, high=MAX_CLUSTERS)
    if nk != k:
        _fail(f"{path}.n_components", f"is {nk} but $.model.n_clusters is {k}.")
    _check_weights(params["weights"], f"{path}.weights", k)
    cols = _list(params["columns"], f"{path}.columns", length=len(features),
                 max_len=len(features))
    for j, col in enumerate(cols):
        cpath = f"{path}.columns[{j}]"
        if not isinstance(col, dict):
            _fail(cpath, f"expected an object, got {_describe(col)}.")
        kind = col.get("measurement")
        if not isinstance(kind, str) or kind not in LCA_MEASUREMENTS:
            _fail(f"{cpath}.measurement", f"expected one of {list(LCA_MEASUREMENTS)}, got "
                                          f"{_describe(kind)}.")
        _object(col, cpath, LCA_MEASUREMENTS[kind])
        name = _string(col["name"], f"{cpath}.name")
        if name != features[j]:
            _fail(f"{cpath}.name", f"is {name!r} but $.features[{j}] is {features[j]!r}; "
                                   f"the columns must be listed in the same order.")
        if kind == "categorical":
            levels = _levels(col["levels"], f"{cpath}.levels", allow_null=False, min_len=1)
            probs = _matrix(col["probabilities"], f"{cpath}.probabilities", k, len(levels),
                            nonneg=True)
            sums = probs.sum(axis=1)
            bad = np.flatnonzero(np.abs(sums - 1.0) > PROB_TOL)
            if bad.size:
                i = int(bad[0])
                _fail(f"{cpath}.probabilities[{i}]",
                      f"the probabilities sum to {sums[i]:.10g}, not 1 (tolerance {PROB_TOL}).")
        elif kind in ("gaussian", "lognormal", "twopart"):
            if kind == "twopart":
                _twopart_probabilities(col["probabilities"], f"{cpath}.probabilities", k)
            _vector(col["means"], f"{cpath}.means", k)
            _vector(col["variances"], f"{cpath}.variances", k, positive=True)
        else:
            _vector(col["rates"], f"{cpath}.rates", k, positive=True)


def _validate_clusters(clusters, k: int) -> None:
    path = "$.clusters"
    _object(clusters, path, CLUSTERS_KEYS["required"], CLUSTERS_KEYS["optional"])
    _names(clusters["names"], f"{path}.names", length=k)
    desc = _list(clusters["descriptions"], f"{path}.descriptions", length=k, max_len=k)
    for i, d in enumerate(desc):
        _string(d, f"{path}.descriptions[{i}]", allow_empty=True)
    n = _int(clusters["n_training"], f"{path}.n_training", low=1)
    sizes = _list(clusters["sizes"], f"{path}.sizes", length=k, max_len=k)
    total = 0
    for i, s in enumerate(sizes):
        total += _int(s, f"{path}.sizes[{i}]", low=0)
    if total != n:
        _fail(f"{path}.sizes", f"the sizes add up to {total}, not n_training = {n}.")


def _validate_privacy(privacy, clusters) -> None:
    if privacy is None:
        return
    path = "$.privacy"
    _object(privacy, path, PRIVACY_KEYS["required"], PRIVACY_KEYS["optional"])
    m = _int(privacy["min_cell_size"], f"{path}.min_cell_size", low=1)
    allowed = _bool(privacy["small_clusters_allowed"], f"{path}.small_clusters_allowed")
    if not allowed:
        for i, s in enumerate(clusters["sizes"]):
            if s < m:
                _fail(f"$.clusters.sizes[{i}]",
                      f"cluster of {s} members is below min_cell_size = {m}, yet the file "
                      f"says small clusters are not allowed; the file is inconsistent.")


def _validate_provenance(prov) -> None:
    if prov is None:
        return
    if not isinstance(prov, dict):
        _fail("$.provenance", f"expected an object or null, got {_describe(prov)}.")
    if len(prov) > 100:
        _fail("$.provenance", "more than 100 entries.")
    for key, value in prov.items():
        _string(key, "$.provenance (a key)")
        _string(value, _key("$.provenance", key), allow_empty=True, allow_null=True)


def _twopart_probabilities(value, path: str, k: int) -> None:
    """A two-part item's P(x = 0), P(x > 0) per class: k rows of two summing to 1."""
    probs = _matrix(value, path, k, 2, nonneg=True)
    bad = np.flatnonzero(np.abs(probs.sum(axis=1) - 1.0) > PROB_TOL)
    if bad.size:
        _fail(f"{path}[{int(bad[0])}]", "P(zero) and P(above zero) must sum to 1.")
