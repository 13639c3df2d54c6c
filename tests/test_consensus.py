"""consensus_clustering (Monti et al. 2003) and PAC (Senbabaoglu et al. 2014)."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from clusterdiscovery import ConsensusResult, consensus_clustering

TRIANGLE = [[0.0, 0.0], [10.0, 0.0], [5.0, 8.66]]


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(n_samples=120, centers=TRIANGLE, cluster_std=1.0, random_state=0)


class SignClusterer(ClusterMixin, BaseEstimator):
    """Deterministic: cluster = sign of column 0 (n_clusters is ignored); |x| < 1 is noise."""

    def __init__(self, n_clusters=2):
        self.n_clusters = n_clusters

    def fit_predict(self, X, y=None):
        x = np.asarray(X)[:, 0]
        labels = (x > 0).astype(int)
        labels[np.abs(x) < 1] = -1
        return labels


def test_three_blobs_pac_lowest_at_3(blobs):
    X, y = blobs
    cc = consensus_clustering(KMeans(n_init=1), X, range(2, 6), n_resamples=12,
                              random_state=0)
    assert isinstance(cc, ConsensusResult)
    assert cc.best_k == 3, cc.summary
    pac = cc.summary.set_index("k")["pac"]
    assert pac[3] < 0.02 and pac[2] > 0.1
    assert adjusted_rand_score(y, cc.labels(3)) > 0.99
    m = cc.consensus[3]
    assert m.dtype == np.float32 and m.shape == (120, 120)
    np.testing.assert_allclose(m, m.T)
    assert np.all(np.diag(m) == 1) and m.min() >= 0 and m.max() <= 1
    assert not cc.subsampled


def test_counts_by_hand():
    # rows -3, -2, 0.5, 2, 3: sign clusters {-3,-2}, {2,3}; row 0.5 is always noise.
    X = np.array([[-3.0], [-2.0], [0.5], [2.0], [3.0]])
    cc = consensus_clustering(SignClusterer(), X, [2], n_resamples=15, fraction=0.8,
                              random_state=1)
    m, cos = cc.consensus[2], cc.cosampled
    # with 4 of 5 rows per resample, a pair is sampled together in 3/5 of the draws;
    # co-sampling counts are an exact S S^T of the sampling indicators
    assert np.all(np.diag(cos) == np.round(np.diag(cos)))
    assert cos[0, 1] <= 15 and cos.sum() > 0
    # same-sign pairs are always together, opposite-sign never, the noise row never
    assert m[0, 1] == 1.0 and m[3, 4] == 1.0
    assert m[0, 3] == 0.0 and m[1, 4] == 0.0
    assert m[2, 0] == 0.0 and m[2, 3] == 0.0
    # PAC: no pair is ambiguous
    assert cc.summary["pac"].iloc[0] == 0.0


def test_subsample_above_max_n_and_memory_limit():
    X, _ = make_blobs(n_samples=300, centers=TRIANGLE, random_state=1)
    with pytest.warns(UserWarning, match="max_n=100"):
        cc = consensus_clustering(KMeans(n_init=1), X, [3], n_resamples=4, max_n=100,
                                  random_state=0)
    assert cc.subsampled and cc.sample_index.size == 100
    assert cc.consensus[3].shape == (100, 100)
    assert "subsample" in cc._repr_html_()
    with pytest.raises(ValueError, match="memory_limit"):
        consensus_clustering(KMeans(n_init=1), X, [2, 3], n_resamples=2,
                             memory_limit=10_000)


def test_deterministic_and_n_jobs_invariant(blobs):
    X, _ = blobs
    est = KMeans(n_init=1)
    a = consensus_clustering(est, X, [2, 3], n_resamples=4, random_state=3, n_jobs=1)
    b = consensus_clustering(est, X, [2, 3], n_resamples=4, random_state=3, n_jobs=2)
    for k in (2, 3):
        np.testing.assert_array_equal(a.consensus[k], b.consensus[k])
    assert a.summary.equals(b.summary)
    assert not hasattr(est, "cluster_centers_")


def test_plots_and_cdf(blobs):
    import matplotlib

    matplotlib.use("Agg")
    X, y = blobs
    cc = consensus_clustering(KMeans(n_init=1), X, [2, 3], n_resamples=4, random_state=0)
    assert set(cc.cdf.columns) == {"k", "consensus", "cdf"}
    last = cc.cdf.groupby("k")["cdf"].last()
    assert np.allclose(last, 1.0)
    assert (cc.cdf.groupby("k")["cdf"].apply(lambda s: s.is_monotonic_increasing)).all()
    ax = cc.plot(k=3)
    assert ax.images and "k = 3" in ax.get_title()
    ax = cc.plot(k=3, order=y)
    assert ax.images
    ax = cc.plot_cdf()
    assert len(ax.get_lines()) == 2
    with pytest.raises(ValueError, match="k=7"):
        cc.plot(k=7)
    matplotlib.pyplot.close("all")


def test_bad_input(blobs):
    X, _ = blobs
    km = KMeans(n_init=1)
    with pytest.raises(ValueError, match="n_resamples"):
        consensus_clustering(km, X, [2], n_resamples=0)
    with pytest.raises(ValueError, match="fraction"):
        consensus_clustering(km, X, [2], fraction=0)
    with pytest.raises(ValueError, match="pac_interval"):
        consensus_clustering(km, X, [2], pac_interval=(0.9, 0.1))
    for not_a_pair in (None, "ab", (0.1, 0.5, 0.9), (0.1,), ("low", "high")):
        with pytest.raises(TypeError, match="'pac_interval'.*pair"):
            consensus_clustering(km, X, [2], pac_interval=not_a_pair)
    with pytest.raises(TypeError, match="fit"):
        consensus_clustering("kmeans", X, [2])


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_missing_value_refused_whatever_the_subsamples(seed):
    """A NaN that no subsample happens to draw is still refused: KMeans cannot take NaN,
    so the check is made on the whole X before resampling, not left to the seed."""
    X, _ = make_blobs(n_samples=60, centers=2, random_state=0)
    X[5, 1] = np.nan
    with pytest.raises(ValueError, match=r"missing values \(NaN\) in column 1"):
        consensus_clustering(KMeans(n_init=1), X, [2], n_resamples=2, fraction=0.3,
                             random_state=seed)


def test_missing_values_pass_to_an_estimator_that_models_them():
    """LatentClassModel declares allow_nan: its missing values reach it."""
    import pandas as pd

    from clusterdiscovery import LatentClassModel

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.integers(0, 2, 80).astype(float),
                      "b": rng.integers(0, 2, 80).astype(float)})
    X.iloc[3, 0] = np.nan
    res = consensus_clustering(LatentClassModel(n_init=1, random_state=0), X, [2],
                               n_resamples=2, random_state=0)
    assert res.summary.shape[0] == 1
