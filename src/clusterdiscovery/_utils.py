"""Small shared helpers: input checks with messages that say how to fix the call."""

from __future__ import annotations

import math
import numbers
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "check_n_jobs",
    "default_n_jobs",
    "n_workers",
    "as_generator",
    "plain",
    "json_safe",
    "check_dataframe",
    "check_int",
    "check_fraction",
    "check_positive",
    "check_random_state",
    "check_sample_weight",
]

from sklearn.utils import check_random_state  # re-exported: one way to resolve seeds

from ._checks import check_flat_columns


def check_dataframe(data, name: str = "data", *, allow_empty: bool = False) -> pd.DataFrame:
    """Return ``data`` if it is a DataFrame, else raise a ``TypeError`` naming ``name``."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"The '{name}' parameter must be a pandas DataFrame; got {type(data).__name__}. "
            f"Wrap arrays with pandas.DataFrame(...) and name the columns."
        )
    check_flat_columns(data, name)
    if not allow_empty and data.shape[0] == 0:
        raise ValueError(f"The '{name}' table is empty (0 rows); pass at least one client.")
    return data


def check_int(value, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """Validate an integer parameter, naming it and the allowed range in the message."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"The '{name}' parameter must be an int; got {value!r} ({type(value).__name__})."
        )
    lo = "-inf" if low is None else low
    hi = "inf" if high is None else high
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(
            f"The '{name}' parameter must be an int in the range [{lo}, {hi}]. "
            f"Got {value} instead."
        )
    return int(value)


def check_positive(value, name: str, *, strict: bool = True) -> float:
    """Validate a positive (or non-negative) finite real parameter."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"The '{name}' parameter must be a number; got {value!r}.")
    if not np.isfinite(value) or value < 0 or (strict and value == 0):
        rule = "> 0" if strict else ">= 0"
        raise ValueError(f"The '{name}' parameter must be finite and {rule}. Got {value}.")
    return float(value)


def check_fraction(value, name: str, *, closed: bool = False) -> float:
    """Validate a number in (0, 1) (or [0, 1] with ``closed=True``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"The '{name}' parameter must be a number in (0, 1); got {value!r}.")
    ok = 0 <= value <= 1 if closed else 0 < value < 1
    if not ok:
        interval = "[0, 1]" if closed else "(0, 1)"
        raise ValueError(f"The '{name}' parameter must be in {interval}. Got {value}.")
    return float(value)


def check_sample_weight(sample_weight, n: int, name: str = "'sample_weight' parameter"):
    """Validate per-row weights: ``None`` or a float array of shape ``(n,)``.

    Weights must be finite numbers ``>= 0``, not all zero. A row of weight 2 counts as two
    identical rows (frequency weights; sampling weights are used the same way). ``name``
    names the parameter or column in the messages (e.g. ``"weight column 'svy_wt'"``).
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, pd.Series):
        if pd.api.types.is_bool_dtype(sample_weight) or not pd.api.types.is_numeric_dtype(
                sample_weight):
            raise TypeError(f"The {name} must hold numbers; it has dtype {sample_weight.dtype}.")
        sample_weight = sample_weight.to_numpy(dtype=np.float64, na_value=np.nan)
    try:
        sw = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"The {name} must be numbers (one weight per row); got {err}.") from None
    if sw.ndim == 0:
        sw = np.full(n, float(sw))
    if sw.shape != (n,):
        raise ValueError(f"The {name} has shape {sw.shape}; expected ({n},), one weight per row.")
    bad = ~np.isfinite(sw)
    if bad.any():
        raise ValueError(
            f"The {name} has {int(bad.sum())} missing or infinite value(s); every row needs a "
            "finite weight (drop those rows or give them weight 0)."
        )
    if (sw < 0).any():
        raise ValueError(
            f"The {name} has {int((sw < 0).sum())} negative value(s) (minimum {sw.min():g}); "
            "weights must be >= 0."
        )
    if sw.sum() <= 0:
        raise ValueError(f"The {name} is zero for every row; at least one weight must be > 0.")
    return sw


def read_toml(path, what: str, error=ValueError) -> dict:
    """The parsed TOML file ``path``: ``FileNotFoundError`` if it is missing, ``error``
    naming ``what`` (e.g. ``"Schema file"``) and the parser's message if it is invalid."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what} not found: {path}")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what} {path} is not valid TOML: {exc}") from exc


WEIGHT_TYPES = ("sampling", "frequency")


def check_weight_type(weight_type, name: str = "weight_type") -> str:
    """``"sampling"`` or ``"frequency"``, else a ValueError naming the parameter."""
    if weight_type not in WEIGHT_TYPES:
        raise ValueError(f"The '{name}' parameter must be 'sampling' (weights that say how "
                         "many population members a row stands for; standard errors do not "
                         "depend on their scale) or 'frequency' (a weight of 2 is two "
                         f"identical rows); got {weight_type!r}.")
    return weight_type


def sampling_scale(sw, weight_type) -> float:
    """Factor turning weights into the ones standard errors are computed with.

    Sampling weights are rescaled to sum to the number of rows with a positive weight
    (as Mplus and LatentGOLD do), so that multiplying every weight by a constant leaves
    standard errors unchanged; frequency weights are used as they are (factor 1).
    """
    check_weight_type(weight_type)
    if sw is None or weight_type == "frequency":
        return 1.0
    sw = np.asarray(sw, dtype=float)
    return float(np.count_nonzero(sw > 0) / sw.sum())


def plain(value):
    """A numpy scalar as the Python scalar it holds (other values unchanged): the one
    converter for JSON, TOML and messages."""
    return value.item() if isinstance(value, np.generic) else value


def json_safe(value):
    """numpy scalars and arrays, lists and tuples as plain Python, ready for JSON: NaN and
    infinities become None (JSON has no NaN)."""
    if isinstance(value, np.ndarray):
        return [json_safe(v) for v in value.tolist()] if value.dtype == object \
            else _nan_to_none(value.tolist())
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    value = plain(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _nan_to_none(obj):
    if isinstance(obj, list):
        return [_nan_to_none(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


# ---------------------------------------------------------------- n_jobs and seeds: one rule
#: below this many rows a resample's fit is too short for worker processes to pay off
PARALLEL_MIN_ROWS = 5_000


def check_n_jobs(n_jobs):
    """``None`` or a non-zero int, as joblib understands it (-1: all cores)."""
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral):
        raise TypeError(
            f"The 'n_jobs' parameter must be None or an int (-1 = all cores); got {n_jobs!r}."
        )
    if n_jobs == 0:
        raise ValueError(
            f"The 'n_jobs' parameter must be None, a positive int or a negative int (-1 = all "
            f"cores); got {n_jobs!r}."
        )
    return int(n_jobs)


def default_n_jobs(n_jobs, n_rows: int):
    """``n_jobs`` as given, or, when it is None, a default from the available cores.

    None with no :func:`joblib.parallel_backend` context and at least
    :data:`PARALLEL_MIN_ROWS` rows gives :func:`joblib.cpu_count` (the cores this process
    may use, cgroup and affinity limits included); smaller data, or a joblib context
    (whose own ``n_jobs`` then applies), keep None. Results never depend on it: every task
    is seeded up front and results are gathered in order.
    """
    if n_jobs is not None:
        return n_jobs
    from joblib import cpu_count
    from joblib.parallel import get_active_backend

    if get_active_backend()[1] is not None or n_rows < PARALLEL_MIN_ROWS:
        return None
    cores = cpu_count()
    return cores if cores > 1 else None


def n_workers(n_jobs) -> int:
    """How many threads ``n_jobs`` asks for (None: 1; -1: every core; -2: all but one)."""
    n_jobs = check_n_jobs(n_jobs)
    if n_jobs is None:
        return 1
    if n_jobs > 0:
        return n_jobs
    from joblib import cpu_count

    return max(cpu_count() + 1 + n_jobs, 1)


def as_generator(random_state) -> np.random.Generator:
    """``None``, an int seed, a ``Generator`` or a legacy ``RandomState`` -> ``Generator``.

    Accepts what :func:`check_random_state` accepts, plus ``Generator``; a ``RandomState``
    draws the seed of a new generator (so it advances). Estimators take a ``RandomState``
    (scikit-learn's convention, :func:`check_random_state`); bootstrap kernels and the
    synthetic data take a ``Generator`` made here: the package's two seed rules.
    """
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(
                f"The 'random_state' parameter must be a non-negative int; got {random_state}."
            )
        return np.random.default_rng(int(random_state))
    raise TypeError(
        "The 'random_state' parameter must be None, an int, a numpy Generator or a "
        f"RandomState; got {random_state!r} ({type(random_state).__name__})."
    )
