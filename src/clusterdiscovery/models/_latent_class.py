"""Latent class model with mixed measurement types (work in progress)."""

__all__ = ["LatentClassModel"]


class LatentClassModel:  # placeholder replaced shortly by the full estimator
    pass
