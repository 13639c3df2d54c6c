"""prediction_strength (Tibshirani & Walther 2005)."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import DBSCAN, KMeans

from clusterdiscovery import PredictionStrengthResult, prediction_strength
from clusterdiscovery.stability._prediction_strength import _half_strength

TRIANGLE = [[0.0, 0.0], [10.0, 0.0], [5.0, 8.66]]


@pytest.fixture(scope="module")
def blobs(three_blobs):
    return three_blobs[0]


class NoCount(ClusterMixin, BaseEstimator):
    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


def test_half_strength_by_hand():
    # test clusters: A = rows 0-2, B = rows 3-5. The training model predicts
    # [0, 0, 1, 1, 1, 1]: of A's C(3,2) = 3 pairs only (0,1) stays together -> 1/3;
    # B's 3 pairs all stay together -> 1. Prediction strength = min = 1/3.
    assert _half_strength(np.array([0, 0, 0, 1, 1, 1]),
                          np.array([0, 0, 1, 1, 1, 1])) == pytest.approx(1 / 3)
    # a test cluster of size 1 is ignored (fpc gives it the value 1)
    assert _half_strength(np.array([0, 0, 1]), np.array([5, 5, 5])) == 1.0
    # sum_l C(n_jl, 2) / C(n_j, 2): 4 rows split 2+2 by the model -> (1 + 1) / 6
    assert _half_strength(np.array([0, 0, 0, 0]), np.array([1, 1, 2, 2])) == pytest.approx(
        2 / 6
    )
    # rows the model calls noise are never together: (1 pair) / C(3,2)
    assert _half_strength(np.array([0, 0, 0]), np.array([-1, 4, 4])) == pytest.approx(1 / 3)


def test_three_blobs_prediction_strength_picks_3(blobs):
    ps = prediction_strength(KMeans(n_init=3), blobs, range(2, 7), n_splits=6, random_state=0)
    assert isinstance(ps, PredictionStrengthResult)
    assert ps.best_k == 3
    s = ps.summary.set_index("k")
    assert s.loc[3, "prediction_strength"] > 0.9
    assert (s.loc[[4, 5, 6], "prediction_strength"] < 0.8).all(), s
    assert list(ps.summary.columns[:3]) == ["k", "prediction_strength", "std"]
    assert ps.values.shape == (6, 5)


def test_best_k_is_one_when_nothing_passes():
    X = np.random.default_rng(0).uniform(size=(120, 2))  # no cluster structure
    ps = prediction_strength(KMeans(n_init=1), X, [3, 4], n_splits=4, cutoff=0.95,
                             random_state=0)
    assert (ps.summary["prediction_strength"] <= 0.95).all()
    assert ps.best_k == 1


def test_deterministic_and_n_jobs_invariant(blobs):
    est = KMeans(n_init=1)
    a = prediction_strength(est, blobs, [2, 3, 4], n_splits=3, random_state=4, n_jobs=1)
    b = prediction_strength(est, blobs, [2, 3, 4], n_splits=3, random_state=4, n_jobs=2)
    np.testing.assert_array_equal(a.values.to_numpy(), b.values.to_numpy())
    assert not hasattr(est, "cluster_centers_")


def test_result_api(blobs):
    import matplotlib

    matplotlib.use("Agg")
    ps = prediction_strength(KMeans(n_init=1), blobs, [2, 3], n_splits=2, random_state=0)
    assert "best k = " in ps._repr_html_() and "<table" in ps._repr_html_()
    assert ps.to_frame().equals(ps.summary)
    ax = ps.plot()
    assert any(abs(line.get_ydata()[0] - 0.8) < 1e-12 for line in ax.get_lines())
    matplotlib.pyplot.close("all")


def test_bad_input(blobs):
    km = KMeans(n_init=1)
    with pytest.raises(TypeError, match="predict"):
        prediction_strength(DBSCAN(), blobs, [2])
    with pytest.raises(TypeError, match="n_clusters"):
        prediction_strength(NoCount(), blobs, [2])
    with pytest.raises(ValueError, match=">= 2"):
        prediction_strength(km, blobs, [1, 2])
    with pytest.raises(ValueError, match="larger than"):
        prediction_strength(km, blobs[:10], [6])
    with pytest.raises(ValueError, match="cutoff"):
        prediction_strength(km, blobs, [2], cutoff=1.2)
    with pytest.raises(ValueError, match="n_splits"):
        prediction_strength(km, blobs, [2], n_splits=0)
    with pytest.raises(TypeError, match="n_clusters"):
        prediction_strength(km, blobs, "3")
