"""Running independent tasks with joblib, optionally with a tqdm progress bar."""

from __future__ import annotations

import numpy as np
from joblib import Parallel

from .._utils import PARALLEL_MIN_ROWS, check_n_jobs, default_n_jobs  # noqa: F401

__all__ = ["check_flag", "check_n_jobs", "default_n_jobs", "run_tasks", "PARALLEL_MIN_ROWS"]

def check_flag(value, name: str) -> bool:
    """A bool parameter (``True``/``False``, numpy bools too), else a ``TypeError``."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"The '{name}' parameter must be True or False; got {value!r}.")
    return bool(value)


def run_tasks(tasks, *, n_jobs=None, progress=False, total=None, desc=None) -> list:
    """Run ``tasks`` (joblib ``delayed`` calls) and return their results in order.

    Results are gathered in submission order whatever the backend, so outputs depend
    only on the tasks, never on ``n_jobs`` or on which worker finishes first. Inside
    ``with joblib.parallel_backend("dask"):`` the tasks run on the Dask cluster.
    """
    gen = Parallel(n_jobs=n_jobs, return_as="generator")(tasks)
    if progress:
        from tqdm.auto import tqdm

        gen = tqdm(gen, total=total, desc=desc)
    return list(gen)
