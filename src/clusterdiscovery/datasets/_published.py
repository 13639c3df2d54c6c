"""Published data sets used to check our estimators against the literature."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import pandas as pd

from ._resources import package_data_dir

__all__ = ["load_values", "load_election", "default_published_dir"]


def default_published_dir() -> Path:
    """The published data shipped with the package: ``clusterdiscovery/data/published``
    (package data, read with :mod:`importlib.resources`)."""
    return package_data_dir("published")


def load_values(path=None, *, expand: bool = False) -> pd.DataFrame:
    """Stouffer-Toby role-conflict data (n = 216, four binary items).

    Each of 216 respondents answered four dilemmas (A-D) of role conflict, coded
    1 = particularistic, 2 = universalistic, as printed in Goodman (1974) and shipped as
    ``values`` with poLCA.

    Parameters
    ----------
    path : str or Path, optional
        The CSV file; default ``values.csv`` of the package data folder
        ``clusterdiscovery/data/published``.
    expand : bool, default=False
        False: one row per response pattern with columns ``A, B, C, D, count`` (16 rows).
        True: one row per respondent with columns ``A, B, C, D`` (216 rows).

    Returns
    -------
    DataFrame

    References
    ----------
    .. [1] Stouffer, S. A. and Toby, J. (1951). Role conflict and personality. American
       Journal of Sociology, 56(5), 395-406.
    .. [2] Goodman, L. A. (1974). Exploratory latent structure analysis using both
       identifiable and unidentifiable models. Biometrika, 61(2), 215-231.
    .. [3] Linzer, D. A. and Lewis, J. B. (2011). poLCA: An R package for polytomous
       variable latent class analysis. Journal of Statistical Software, 42(10), 1-29.
    """
    if not isinstance(expand, bool):
        raise TypeError(f"The 'expand' parameter must be True or False; got {expand!r}.")
    path = _published_file(path, "values.csv", "load_values")
    table = pd.read_csv(path, dtype="int64")
    if expand:
        items = table[["A", "B", "C", "D"]]
        return items.loc[items.index.repeat(table["count"])].reset_index(drop=True)
    return table


#: The 12 candidate-trait items of the poLCA ``election`` data (Gore: ...G, Bush: ...B).
ELECTION_ITEMS = ("MORALG", "CARESG", "KNOWG", "LEADG", "DISHONG", "INTELG",
                  "MORALB", "CARESB", "KNOWB", "LEADB", "DISHONB", "INTELB")


def load_election(path=None) -> pd.DataFrame:
    """2000 American National Election Study items as shipped with poLCA (``election``).

    1785 respondents; 12 ratings of how well a trait describes Al Gore (``MORALG`` ...
    ``INTELG``) and George W. Bush (``MORALB`` ... ``INTELB``), each on four levels
    ("1 Extremely well" ... "4 Not well at all"); ``VOTE3``, ``AGE``, ``EDUC``, ``GENDER``
    and ``PARTY`` (1 = strong Democrat ... 7 = strong Republican). NaN is missing.

    Parameters
    ----------
    path : str or Path, optional
        The CSV file; default ``election.csv`` of the package data folder
        ``clusterdiscovery/data/published``.

    Returns
    -------
    DataFrame

    References
    ----------
    .. [1] Linzer, D. A. and Lewis, J. B. (2011). poLCA: An R package for polytomous
       variable latent class analysis. Journal of Statistical Software, 42(10), 1-29.
    """
    path = _published_file(path, "election.csv", "load_election")
    return pd.read_csv(path)


def _published_file(path, name: str, loader: str) -> Path:
    """``path`` checked, or the published data file ``name`` of the package."""
    if path is not None and not isinstance(path, str | PathLike):
        raise TypeError(
            f"The 'path' parameter must be a file path (str or Path); got {type(path).__name__}."
        )
    path = Path(path) if path is not None else default_published_dir() / name
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found; {loader} reads {name} of the package data folder "
            "clusterdiscovery/data/published (pass path= to point at a copy)."
        )
    return path
