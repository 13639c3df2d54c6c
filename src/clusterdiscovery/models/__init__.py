"""Clustering engines: latent class model (own EM) and density-based clustering."""

from importlib.util import find_spec as _find_spec

from ._latent_class import LatentClassModel

__all__ = ["LatentClassModel"]

# The density engine is written in parallel; import it only once its module exists.
if _find_spec(__name__ + "._density") is not None:
    from ._density import DensityClusterer  # noqa: F401

    __all__ += ["DensityClusterer"]
