"""Catalogue of published cluster models and the reference tables they come with.

A published model is rebuilt from the paper's own parameter table (kept as a CSV file in
``clusterdiscovery/data/published/``, shipped with the package), validated like any model file and returned as a
:class:`~clusterdiscovery.persistence.ClusterModel`, so it can be applied to new data
without the authors' software.

- :func:`list_models` lists the catalogue (name, citation, DOI, family, number of clusters).
- :func:`load_published_model` builds one model; :func:`published_parameters` returns the
  parameter table it is built from.
- :func:`reproduce_stouffer_toby` applies the Stouffer-Toby two-class latent class model to
  its data and refits it, comparing every published number with the reproduced one.
- :func:`mhct_care_clusters` is the MHCT care-cluster catalogue (package data).

Examples
--------
>>> from clusterdiscovery.published import list_models, load_published_model
>>> list_models()["name"].tolist()
['stouffer_toby_2class']
>>> model = load_published_model("stouffer_toby_2class")
>>> model.weights.tolist()
[0.2792, 0.7208]
"""

from __future__ import annotations

import html
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "list_models",
    "load_published_model",
    "published_parameters",
    "mhct_care_clusters",
    "reproduce_stouffer_toby",
    "ReproductionResult",
]

_STOUFFER_TOBY_CITATION = (
    "Stouffer, S. A. and Toby, J. (1951). Role conflict and personality. American Journal "
    "of Sociology, 56(5), 395-406. Two-class latent class model of Goodman (1974, "
    "Biometrika 61(2), 215-231; 2002, Table 4) as estimated by poLCA: Linzer, D. A. and "
    "Lewis, J. B. (2011). poLCA: An R package for polytomous variable latent class "
    "analysis. Journal of Statistical Software, 42(10), 1-29."
)

#: Published fit statistics of the unrestricted latent class models of the Stouffer-Toby
#: data (poLCA example ``values``: models M0, M1, M2; Goodman 1974, 2002 Tables 5b-6).
STOUFFER_TOBY_LOGLIK = {1: -543.6498, 2: -504.4677, 3: -503.3011}
#: Published predicted class memberships by modal posterior of the two-class model (M1).
STOUFFER_TOBY_MODAL_SHARES = (0.3287, 0.6713)
_STOUFFER_TOBY_N = 216
_ITEMS = ("A", "B", "C", "D")


@dataclass(frozen=True)
class _Entry:
    description: str
    citation: str
    doi: str
    family: str
    n_clusters: int
    parameters_file: str
    builder: Callable[[pd.DataFrame, str], dict]


# ---------------------------------------------------------------------------- locations


def _published_dir(directory=None) -> Path:
    from .datasets._published import default_published_dir

    if directory is not None and not isinstance(directory, str | os.PathLike):
        raise TypeError(f"The 'directory' parameter must be a folder path (str or Path); got "
                        f"{type(directory).__name__}.")
    path = Path(directory) if directory is not None else default_published_dir()
    if not path.is_dir():
        raise FileNotFoundError(
            f"{path} not found; the published parameter tables ship with the package in "
            f"clusterdiscovery/data/published (pass directory= to point at a copy)."
        )
    return path


def _entry(name) -> _Entry:
    if not isinstance(name, str):
        raise TypeError(f"The model name must be a str; got {type(name).__name__}. "
                        f"Available: {sorted(_CATALOGUE)}.")
    if name not in _CATALOGUE:
        raise ValueError(f"Unknown published model {name!r}. Available: {sorted(_CATALOGUE)} "
                         f"(see clusterdiscovery.published.list_models()).")
    return _CATALOGUE[name]


# ---------------------------------------------------------------------------- catalogue


def list_models() -> pd.DataFrame:
    """The published models that :func:`load_published_model` can build.

    Returns
    -------
    DataFrame
        One row per model: ``name``, ``description``, ``citation``, ``doi``, ``family``
        (model-file family, e.g. ``"latent_class"``) and ``n_clusters``.
    """
    rows = [{"name": name, "description": e.description, "citation": e.citation,
             "doi": e.doi, "family": e.family, "n_clusters": e.n_clusters}
            for name, e in _CATALOGUE.items()]
    out = pd.DataFrame(rows, columns=["name", "description", "citation", "doi", "family",
                                      "n_clusters"])
    out["n_clusters"] = out["n_clusters"].astype("int64")
    return out


def published_parameters(name: str, *, directory=None) -> pd.DataFrame:
    """The parameter table of a published model, as printed in its source.

    Parameters
    ----------
    name : str
        A name from :func:`list_models`.
    directory : str or Path, optional
        Folder holding the parameter tables; default the package data folder
        ``clusterdiscovery/data/published``.

    Returns
    -------
    DataFrame
        For a latent class model: ``parameter`` (``class_share`` or ``probability``),
        ``variable``, ``class`` (numbered from 1 as published), ``outcome`` (the response
        level), ``estimate`` and ``std_error`` (NaN where none was published).

    Raises
    ------
    ValueError
        Unknown name (the message lists the available ones) or a malformed table.
    FileNotFoundError
        The table is not found (installed package without the source checkout).
    """
    entry = _entry(name)
    path = _published_dir(directory) / entry.parameters_file
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: the parameter table of {name!r}.")
    try:
        with warnings.catch_warnings():  # pandas warns before failing on a NaN class
            warnings.simplefilter("ignore", RuntimeWarning)
            table = pd.read_csv(path, dtype={"parameter": str, "variable": str,
                                             "class": "int64", "outcome": "Int64",
                                             "estimate": float, "std_error": float})
    except (ValueError, TypeError) as exc:  # pandas' EmptyDataError is a ValueError
        raise ValueError(f"{path}: not a readable parameter table (class must be whole "
                         f"numbers, estimate and std_error numbers): {exc}") from None
    expected = ["parameter", "variable", "class", "outcome", "estimate", "std_error"]
    if list(table.columns) != expected:
        raise ValueError(f"{path}: expected the columns {expected}; got "
                         f"{list(table.columns)}.")
    return table


def _latent_class_parameters(table: pd.DataFrame, n_clusters: int, source: str) -> dict:
    """``LatentClassModel.to_dict()``-style parameters from a published table."""
    shares = table[table["parameter"] == "class_share"].sort_values("class")
    if shares["class"].tolist() != list(range(1, n_clusters + 1)):
        raise ValueError(f"{source}: expected one class_share row per class 1..{n_clusters}.")
    probs = table[table["parameter"] == "probability"]
    columns = []
    for variable, block in probs.groupby("variable", sort=False):
        wide = block.pivot(index="class", columns="outcome", values="estimate").sort_index()
        if wide.index.tolist() != list(range(1, n_clusters + 1)) or wide.isna().any().any():
            raise ValueError(f"{source}: the probabilities of {variable!r} must give every "
                             f"outcome for every class 1..{n_clusters}.")
        wide = wide.sort_index(axis=1)
        columns.append({"name": str(variable), "measurement": "categorical",
                        "levels": [int(v) for v in wide.columns],
                        "probabilities": wide.to_numpy(dtype=float).tolist()})
    return {"n_components": n_clusters, "weights": shares["estimate"].astype(float).tolist(),
            "columns": columns}


def _stouffer_toby_spec(table: pd.DataFrame, source: str) -> dict:
    """Model-file dict of the Stouffer-Toby two-class model (format 1.0)."""
    from . import __version__
    from .persistence import FORMAT_VERSION

    params = _latent_class_parameters(table, 2, source)
    features = [c["name"] for c in params["columns"]]
    if features != list(_ITEMS):
        raise ValueError(f"{source}: expected the items {list(_ITEMS)}; got {features}.")
    sizes = [round(s * _STOUFFER_TOBY_N) for s in STOUFFER_TOBY_MODAL_SHARES]  # 71, 145
    return {
        "format_version": FORMAT_VERSION,
        "package_version": __version__,
        "created": "2026-11-22T00:00:00+00:00",
        "features": features,
        "schema": {
            "id": "respondent",
            "features": {c["name"]: {"type": "categorical", "levels": c["levels"]}
                         for c in params["columns"]},
            "costs": [], "outcomes": {}, "dates": [],
        },
        "preprocessing": None,
        "model": {"family": "latent_class", "n_clusters": 2, "n_features": len(features),
                  "parameters": params},
        "clusters": {
            "names": ["universalistic", "particularistic-leaning"],
            "descriptions": [
                "Almost always gives the universalistic answer (response 2) to all four "
                "role-conflict vignettes (P(particularistic) 0.007-0.23).",
                "Often gives the particularistic answer (response 1): P(particularistic) "
                "0.29 on A and 0.65-0.87 on B, C, D.",
            ],
            "sizes": sizes,
            "n_training": _STOUFFER_TOBY_N,
        },
        "privacy": {"min_cell_size": 11, "small_clusters_allowed": False},
        "provenance": {
            "citation": _STOUFFER_TOBY_CITATION,
            "doi": "10.18637/jss.v042.i10",
            "source": ("CRAN package poLCA, example data values, model M1 (printed output, "
                       "4 decimals; standard errors from broom's tidy.poLCA example); "
                       "built by clusterdiscovery.published from "
                       "clusterdiscovery/data/published/stouffer_toby_2class_parameters.csv"),
            "data_period": "survey published 1951; 216 respondents",
            "notes": ("Items A-D coded 1 = particularistic, 2 = universalistic. Published "
                      "modal class memberships 0.3287 / 0.6713 (71 / 145 of 216, the "
                      "cluster sizes); maximum log-likelihood -504.4677."),
        },
    }


_CATALOGUE = {
    "stouffer_toby_2class": _Entry(
        description=(
            "Two-class latent class model of 216 answers to four role-conflict dilemmas "
            "(A-D; 1 = particularistic, 2 = universalistic): a universalistic class (share "
            "0.2792) and a particularistic-leaning class (0.7208)."
        ),
        citation=_STOUFFER_TOBY_CITATION,
        doi="10.18637/jss.v042.i10",
        family="latent_class",
        n_clusters=2,
        parameters_file="stouffer_toby_2class_parameters.csv",
        builder=_stouffer_toby_spec,
    ),
}


def load_published_model(name: str, *, directory=None):
    """Build a published cluster model from the paper's parameter table.

    The table (:func:`published_parameters`) is turned into a model-file dict and
    validated by :meth:`ClusterModel.from_dict
    <clusterdiscovery.persistence.ClusterModel.from_dict>`, exactly as a model file read
    from disk would be.

    Parameters
    ----------
    name : str
        A name from :func:`list_models`, e.g. ``"stouffer_toby_2class"``.
    directory : str or Path, optional
        Folder holding the parameter tables; default the package data folder
        ``clusterdiscovery/data/published``.

    Returns
    -------
    ClusterModel

    Raises
    ------
    TypeError
        ``name`` is not a string.
    ValueError
        Unknown name; the message lists the available models.

    Notes
    -----
    ``"stouffer_toby_2class"``: the two-class latent class model of the Stouffer-Toby
    role-conflict data (216 respondents, items A-D, 1 = particularistic, 2 =
    universalistic) with class shares 0.2792 / 0.7208 and the item-response
    probabilities printed by poLCA for its ``values`` example (model M1), which replicates
    Goodman (1974). Cluster 0 is poLCA's class 1 (universalistic), cluster 1 its class 2.
    ``clusterdiscovery/data/published/stouffer_toby_2class.json`` holds the same model as a model file.

    References
    ----------
    .. [1] Stouffer, S. A. and Toby, J. (1951). Role conflict and personality. American
       Journal of Sociology, 56(5), 395-406.
    .. [2] Goodman, L. A. (1974). Exploratory latent structure analysis using both
       identifiable and unidentifiable models. Biometrika, 61(2), 215-231.
    .. [3] Linzer, D. A. and Lewis, J. B. (2011). poLCA: An R package for polytomous
       variable latent class analysis. Journal of Statistical Software, 42(10), 1-29.
       doi:10.18637/jss.v042.i10.
    .. [4] McCutcheon, A. L. (1987). Latent Class Analysis. Sage University Paper 64.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterdiscovery.published import load_published_model
    >>> from clusterdiscovery.datasets import load_values
    >>> model = load_published_model("stouffer_toby_2class")
    >>> labels = model.predict(load_values(expand=True))
    >>> np.bincount(labels).tolist()
    [71, 145]
    """
    from .persistence import ClusterModel

    entry = _entry(name)
    table = published_parameters(name, directory=directory)
    spec = entry.builder(table, entry.parameters_file)
    return ClusterModel.from_dict(spec)


# ---------------------------------------------------------------------------- MHCT


def mhct_care_clusters() -> pd.DataFrame:
    """The Mental Health Clustering Tool (MHCT) care-cluster catalogue.

    The 21 care clusters of the English mental health payment system (codes 0-8 and
    10-21; there is no cluster 9), in four super-classes, with the maximum interval
    between cluster reviews. Read from the package data
    ``clusterdiscovery/data/mhct_care_clusters.csv`` (also used by
    :func:`clusterdiscovery.monitoring.load_review_periods`).

    Returns
    -------
    DataFrame
        Indexed by ``code`` (int); columns ``super_class`` (``variance``,
        ``non-psychotic``, ``psychosis``, ``organic``), ``name`` and ``max_review``
        (e.g. ``"6 months"``, ``"4 weeks"``).

    References
    ----------
    .. [1] Department of Health (2013). Mental Health Clustering Booklet (v3.0),
       2013/14. NHS England / Monitor guidance on mental health clustering and the
       cluster review intervals of the Mental Health Clustering Tool.

    Examples
    --------
    >>> from clusterdiscovery.published import mhct_care_clusters
    >>> table = mhct_care_clusters()
    >>> len(table), table.loc[14, "max_review"]
    (21, '4 weeks')
    """
    ref = resources.files("clusterdiscovery").joinpath("data/mhct_care_clusters.csv")
    with resources.as_file(ref) as path:
        table = pd.read_csv(path, dtype={"code": "int64"})
    return table.set_index("code")


# ---------------------------------------------------------------------------- reproduction


@dataclass
class ReproductionResult:
    """Published against reproduced numbers of a published model.

    Attributes
    ----------
    summary : DataFrame
        One row per published number: ``quantity``, ``published``, ``reproduced``,
        ``difference`` (reproduced - published) and ``method`` (how it was reproduced).
    parameters : DataFrame
        The published parameter table with ``reproduced`` (refit, classes aligned to the
        published ones) and ``difference`` columns.
    model : ClusterModel
        The published model built from its parameter table.
    refits : dict
        Number of classes -> fitted :class:`~clusterdiscovery.LatentClassModel`.
    mapping : dict
        Refit class -> published class (0-based), from the Hungarian matching of the modal
        partitions.
    """

    summary: pd.DataFrame
    parameters: pd.DataFrame
    model: object
    refits: dict
    mapping: dict = field(default_factory=dict)

    @property
    def max_abs_difference(self) -> pd.Series:
        """Largest absolute difference per kind of quantity."""
        quantity = self.summary["quantity"]
        kind = quantity.str.split(",").str[0].where(~quantity.str.startswith("P("),
                                                     "item-response probability")
        return self.summary["difference"].abs().groupby(kind.to_numpy(), sort=False).max()

    def to_frame(self) -> pd.DataFrame:
        """Same as :attr:`summary` (a copy)."""
        return self.summary.copy()

    def _repr_html_(self) -> str:
        head = ("<p><b>Reproduction of a published model</b>: "
                f"{html.escape(str(self.model.provenance.get('citation', ''))[:120])}...</p>")
        return head + self.summary.to_html(index=False, float_format=lambda v: f"{v:.4f}")

    def plot(self, ax=None):
        """Differences (reproduced - published) of every number, as horizontal bars.

        Parameters
        ----------
        ax : matplotlib Axes, optional

        Returns
        -------
        matplotlib Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.3 * len(self.summary) + 1))
        y = np.arange(len(self.summary))
        ax.barh(y, self.summary["difference"].to_numpy(), color="tab:blue")
        ax.set_yticks(y, self.summary["quantity"].tolist())
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel("reproduced - published")
        return ax


def reproduce_stouffer_toby(random_state=0, *, n_init: int = 20, directory=None):
    """Reproduce the published latent class analysis of the Stouffer-Toby data.

    (a) The published two-class model (:func:`load_published_model`) is applied to the
    216 respondents: its modal class assignment shares are compared with the published
    0.3287 / 0.6713, and its log-likelihood with -504.4677. (b) Unrestricted latent class
    models with 1, 2 and 3 classes are refitted by EM (:class:`~clusterdiscovery.
    LatentClassModel`, ``n_init`` random starts for 2 and 3 classes, ``tol=1e-9``) and
    their maximum log-likelihoods compared with -543.6498, -504.4677 and -503.3011; the
    two-class refit's class shares and item-response probabilities, its classes matched to
    the published ones by the Hungarian method on the modal partitions
    (:func:`~clusterdiscovery.stability.match_clusters`), are compared with the published
    table.

    Parameters
    ----------
    random_state : int, RandomState instance or None, default=0
        Seed of the EM starts.
    n_init : int, default=20
        Random starts for the 2- and 3-class refits (the 3-class model is weakly
        identified: many starts end on a flat ridge of nearly equal likelihood).
    directory : str or Path, optional
        Folder holding the data and parameter table; default ``clusterdiscovery/data/published``.

    Returns
    -------
    ReproductionResult
        ``.summary`` has one row per published number with ``published``, ``reproduced``
        and ``difference``.

    References
    ----------
    .. [1] Stouffer, S. A. and Toby, J. (1951). Role conflict and personality. American
       Journal of Sociology, 56(5), 395-406.
    .. [2] Goodman, L. A. (1974). Exploratory latent structure analysis using both
       identifiable and unidentifiable models. Biometrika, 61(2), 215-231.
    .. [3] Linzer, D. A. and Lewis, J. B. (2011). poLCA: An R package for polytomous
       variable latent class analysis. Journal of Statistical Software, 42(10), 1-29.
       doi:10.18637/jss.v042.i10.
    .. [4] McCutcheon, A. L. (1987). Latent Class Analysis. Sage University Paper 64.
    """
    from sklearn.utils import check_random_state

    from ._utils import check_int
    from .datasets._published import load_values
    from .models import LatentClassModel
    from .stability import match_clusters

    n_init = check_int(n_init, "n_init", low=1)
    rng = check_random_state(random_state)
    folder = _published_dir(directory)
    model = load_published_model("stouffer_toby_2class", directory=folder)
    table = published_parameters("stouffer_toby_2class", directory=folder)
    counts = load_values(folder / "values.csv")
    patterns = counts[list(_ITEMS)]
    weights = counts["count"].to_numpy()
    rows = load_values(folder / "values.csv", expand=True)

    # (a) the published model applied to the data
    published_labels = model.predict(rows)
    modal = np.bincount(published_labels, minlength=2) / len(rows)
    loglik_published = float(model.score_samples(rows).sum())

    # (b) refits; one seed per model drawn from the resolved generator
    refits = {}
    for k in (1, 2, 3):
        refits[k] = LatentClassModel(
            k, n_init=1 if k == 1 else n_init, tol=1e-9, max_iter=5000,
            random_state=int(rng.randint(np.iinfo(np.int32).max)),
        ).fit(patterns, sample_weight=weights)

    refit2 = refits[2]
    mapping, _ = match_clusters(published_labels, refit2.predict(rows))
    order = np.empty(2, dtype=int)  # order[published class] = refit class
    for refit_class, pub_class in mapping.items():
        order[int(pub_class)] = int(refit_class)
    if sorted(order.tolist()) != [0, 1]:
        raise RuntimeError("The two-class refit could not be matched to the published "
                           "classes one to one.")

    summary_rows = []

    def add(quantity, published, reproduced, method):
        summary_rows.append((quantity, float(published), float(reproduced), method))

    pub_shares = table[table["parameter"] == "class_share"].sort_values("class")
    for c, share in zip(pub_shares["class"], pub_shares["estimate"], strict=True):
        add(f"class share, class {c}", share, refit2.weights_[order[c - 1]],
            "2-class refit (classes matched)")
    for c, share in enumerate(STOUFFER_TOBY_MODAL_SHARES, start=1):
        add(f"modal assignment share, class {c}", share, modal[c - 1],
            "published model applied to the 216 respondents")
    add("log-likelihood, published 2-class parameters", STOUFFER_TOBY_LOGLIK[2],
        loglik_published, "published model applied to the 216 respondents")
    for k in (1, 2, 3):
        add(f"log-likelihood, {k} class{'es' if k > 1 else ''}", STOUFFER_TOBY_LOGLIK[k],
            refits[k].loglik_, f"{k}-class refit (best of {refits[k].n_init} start"
            f"{'s' if refits[k].n_init > 1 else ''})")

    params = table.copy()
    reproduced = []
    for kind, variable, c, outcome in zip(params["parameter"], params["variable"],
                                          params["class"], params["outcome"], strict=True):
        k = order[c - 1]
        if kind == "class_share":
            reproduced.append(refit2.weights_[k])
        else:
            levels = refit2.categories_[variable].tolist()
            reproduced.append(refit2.probabilities_[variable][k, levels.index(outcome)])
    params["reproduced"] = np.asarray(reproduced, dtype=float)
    params["difference"] = params["reproduced"] - params["estimate"]
    first = params[(params["parameter"] == "probability") & (params["outcome"] == 1)]
    for variable, c, est, rep in zip(first["variable"], first["class"], first["estimate"],
                                     first["reproduced"], strict=True):
        add(f"P({variable} = 1), class {c}", est, rep, "2-class refit (classes matched)")

    summary = pd.DataFrame(summary_rows,
                           columns=["quantity", "published", "reproduced", "method"])
    summary.insert(3, "difference", summary["reproduced"] - summary["published"])
    return ReproductionResult(summary=summary, parameters=params, model=model, refits=refits,
                              mapping={int(a): int(b) for a, b in mapping.items()})
