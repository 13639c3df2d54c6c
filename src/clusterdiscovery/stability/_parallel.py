"""Running independent tasks with joblib, optionally with a tqdm progress bar."""

from __future__ import annotations

import numbers

import numpy as np
from joblib import Parallel

__all__ = ["check_flag", "check_n_jobs", "run_tasks"]


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
