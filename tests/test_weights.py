"""Sampling weights end to end: integer weights give the results of the expanded data."""

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

from clusterdiscovery.models import LatentClassModel
from clusterdiscovery.selection import compare_models


@pytest.fixture(scope="module")
def weighted_items():
    rng = np.random.default_rng(7)
    n = 300
    z = rng.integers(0, 3, n)
    P = np.array([[0.9, 0.9, 0.1, 0.1], [0.1, 0.1, 0.9, 0.9], [0.9, 0.1, 0.9, 0.1]])
    X = pd.DataFrame((rng.random((n, 4)) < P[z]).astype(int), columns=list("abcd"))
    X["score"] = rng.normal(z * 3.0, 1.0)
    w = rng.integers(1, 4, n)
    idx = np.repeat(np.arange(n), w)
    return X, w, X.iloc[idx].reset_index(drop=True)


def test_compare_models_weights_equal_expansion(weighted_items):
    X, w, Xe = weighted_items
    meas = {**{c: "categorical" for c in "abcd"}, "score": "gaussian"}
    est = {"latent_class": LatentClassModel(2, measurement=meas, n_init=2, tol=1e-10),
           "kmeans": KMeans(n_init=5)}
    a = compare_models(X, est, n_clusters=[2, 3], random_state=0, sample_weight=w).summary
    b = compare_models(Xe, est, n_clusters=[2, 3], random_state=0).summary
    cols = ["loglik", "n_parameters", "aic", "bic", "sabic", "caic", "entropy",
            "smallest_share"]
    la, lb = (t[t["model"] == "latent_class"].set_index("k")[cols] for t in (a, b))
    pd.testing.assert_frame_equal(la, lb, atol=1e-5, rtol=1e-7)
    ka, kb = (t[t["model"] == "kmeans"].set_index("k")["smallest_share"] for t in (a, b))
    pd.testing.assert_series_equal(ka, kb, atol=1e-12)


def test_compare_models_weight_errors(weighted_items):
    X, w, _ = weighted_items
    num = X[["score"]]
    with pytest.raises(TypeError, match="'gmm'.*sample_weight"):
        compare_models(num, {"gmm": GaussianMixture()}, n_clusters=[2], sample_weight=w)
    with pytest.raises(ValueError, match="sample_weight.*negative"):
        compare_models(num, {"km": KMeans()}, n_clusters=[2], sample_weight=-w)
    with pytest.raises(ValueError, match="sample_weight.*zero for every row"):
        compare_models(num, {"km": KMeans()}, n_clusters=[2], sample_weight=0 * w)
    # default families: those without weights are left out
    res = compare_models(num, n_clusters=[2], random_state=0, sample_weight=w)
    assert set(res.summary["model"]) == {"kmeans"}
