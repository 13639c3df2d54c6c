"""Clustering engines: latent class model (own EM) and density-based clustering."""

from ._density import DensityClusterer
from ._latent_class import LatentClassModel
from ._lta import LatentTransitionModel

__all__ = ["DensityClusterer", "LatentClassModel", "LatentTransitionModel"]
