"""Shared, seeded fixtures. Every random draw in the suite goes through an explicit seed."""

from __future__ import annotations

import os

import matplotlib
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

matplotlib.use("Agg")  # no display in tests; figures are checked, not shown
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session", autouse=True)
def _one_thread_per_fit():
    """Tests fit many small models: BLAS/OpenMP threads only contend on a 2-core machine
    (fits were up to 50 times slower with them)."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture
def rng():
    """A fresh, seeded generator for each test."""
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def small_population():
    """700 synthetic clients in 3 latent subgroups, with events and care-cluster history."""
    from clusterdiscovery.datasets import make_client_population

    return make_client_population(n_clients=700, n_clusters=3, random_state=3)


@pytest.fixture(scope="session")
def three_blobs():
    """Three well-separated, equidistant Gaussian blobs (150 points) and their labels."""
    from sklearn.datasets import make_blobs

    return make_blobs(n_samples=150, centers=[[0, 0], [10, 0], [5, 8.66]], cluster_std=1.0,
                      random_state=0)
