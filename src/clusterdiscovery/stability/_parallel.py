"""Running independent tasks with joblib, optionally with a tqdm progress bar."""

from __future__ import annotations

import numbers

import numpy as np
from joblib import Parallel

__all__ = ["check_flag", "check_n_jobs", "default_n_jobs", "run_tasks", "PARALLEL_MIN_ROWS"]

#: below this many rows a resample's fit is too short for worker processes to pay off
PARALLEL_MIN_ROWS = 5_000


def check_flag(value, name: str) -> bool:
    """A bool parameter (``True``/``False``, numpy bools too), else a ``TypeError``."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"The '{name}' parameter must be True or False; got {value!r}.")
    return bool(value)


def check_n_jobs(n_jobs):
    """``None`` or a non-zero int, as joblib understands it."""
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
    is seeded up front and results are gathered in order (:func:`run_tasks`).
    """
    if n_jobs is not None:
        return n_jobs
    from joblib import cpu_count
    from joblib.parallel import get_active_backend

    if get_active_backend()[1] is not None or n_rows < PARALLEL_MIN_ROWS:
        return None
    cores = cpu_count()
    return cores if cores > 1 else None


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
