"""The model families ``discover`` can fit: one registry, so that adding a family touches
one place.

Each :class:`Family` says how to make its estimator from the study configuration, what it
reads (the client table itself, or the numeric view made by ``features.make_preprocessor``),
whether it takes sampling weights, the criterion it is chosen by, its words in the report,
and how its fitted model is written to a model file. ``[models] families`` and ``primary``
name families of this registry; the configuration is checked against it.

To add a family: write its estimator (scikit-learn contract), add a :class:`Family` here,
and, if the model file cannot hold it directly, an ``exemplar`` rule (``"nearest_centre"``
writes the nearest-centroid model of its clusters, as for density clustering).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Family", "FAMILIES", "family"]


def _latent_class(models, measurement):
    from ..models import LatentClassModel

    return LatentClassModel(2, measurement=measurement, n_init=models["n_init"])


def _kmeans(models, measurement):  # noqa: ARG001 (one signature for every family)
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=2, n_init=10)


def _gmm(models, measurement):  # noqa: ARG001
    from sklearn.mixture import GaussianMixture

    return GaussianMixture(n_components=2, covariance_type="diag", n_init=models["n_init"])


def _density(models, measurement):  # noqa: ARG001
    from ..models import DensityClusterer

    return DensityClusterer()


@dataclass(frozen=True)
class Family:
    """One model family of ``discover``.

    ``make(models, measurement)`` returns an unfitted estimator (``models``: the
    ``[models]`` table, ``measurement``: the latent class measurement of each column);
    ``reads_table``: fitted on the client table itself (else on the numeric view);
    ``weighted``: takes sampling weights; ``criterion``: the default choice criterion;
    ``label``: its words in the report; ``exemplar``: how a model file holds it when it
    cannot hold the estimator itself (None: written as it is); ``transitions``: whether
    the latent transition model can follow its clusters over time (``[followup]``).
    """

    name: str
    make: Callable
    reads_table: bool
    weighted: bool
    criterion: str
    label: str
    exemplar: str | None = None
    transitions: bool = False


FAMILIES = {f.name: f for f in (
    Family("latent_class", _latent_class, reads_table=True, weighted=True, criterion="bic",
           label="latent class", transitions=True),
    Family("kmeans", _kmeans, reads_table=False, weighted=True, criterion="bic",
           label="k-means"),
    Family("gmm", _gmm, reads_table=False, weighted=False, criterion="bic",
           label="Gaussian mixture"),
    Family("density", _density, reads_table=False, weighted=False, criterion="dbcv",
           label="density (UMAP + HDBSCAN)", exemplar="nearest_centre"),
)}


def family(name: str) -> Family:
    """The registered family ``name``, or a ``ValueError`` listing the families."""
    if name not in FAMILIES:
        raise ValueError(f"Unknown model family {name!r}; use one of {', '.join(FAMILIES)}.")
    return FAMILIES[name]
