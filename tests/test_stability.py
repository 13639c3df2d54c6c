"""assess_stability: clusterwise bootstrap/subsample/jitter Jaccard (Hennig 2007)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import DBSCAN, KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score
from sklearn.mixture import GaussianMixture

from clusterdiscovery import assess_stability
from clusterdiscovery.exceptions import UnstableClusterWarning
from clusterdiscovery.stability import StabilityResult
from clusterdiscovery.stability._metrics import (
    ami_from_table,
    ari_from_table,
    clusterwise_jaccard,
    contingency,
    verdict,
)
from clusterdiscovery.stability._resample import column_scales, draw_indices, jitter_rows

TRIANGLE = [[0.0, 0.0], [10.0, 0.0], [5.0, 8.66]]  # three equidistant, well-separated centres


class FixedNoise(ClusterMixin, BaseEstimator):
    """Labels rows by the sign of column 0; rows with |x0| > cut are noise (-1)."""

    def __init__(self, cut=5.0):
        self.cut = cut

    def fit_predict(self, X, y=None):
        X = np.asarray(X)
        labels = (X[:, 0] > 0).astype(int)
        labels[np.abs(X[:, 0]) > self.cut] = -1
        return labels

    def fit(self, X, y=None):
        self.labels_ = self.fit_predict(X)
        return self


class NamesRequired(ClusterMixin, BaseEstimator):
    """Fails unless given a DataFrame with its column names (as LatentClassModel needs)."""

    def __init__(self, n_clusters=2, random_state=None):
        self.n_clusters = n_clusters
        self.random_state = random_state

    def fit_predict(self, X, y=None):
        assert isinstance(X, pd.DataFrame) and list(X.columns) == ["a", "grp", "b"]
        return (X["a"].to_numpy() > X["a"].median()).astype(int)


# ---------------------------------------------------------------- the Must-show case
def test_three_blobs_kmeans3_every_cluster_highly_stable(three_blobs):
    X, _ = three_blobs
    res = assess_stability(KMeans(3, n_init=1), X, n_resamples=25, random_state=0)
    s = res.summary
    assert s.shape[0] == 3
    assert (s["jaccard_mean"] >= 0.85).all(), s
    assert (s["verdict"] == "highly stable").all()
    assert s["size"].sum() == 150
    assert np.mean(res.ari) > 0.95 and np.mean(res.ami) > 0.9


def test_three_blobs_kmeans6_has_a_cluster_below_075(three_blobs):
    X, _ = three_blobs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnstableClusterWarning)
        res = assess_stability(KMeans(6, n_init=1), X, n_resamples=25, random_state=0)
    assert res.summary["jaccard_mean"].min() < 0.75, res.summary
    assert res.summary["dissolved"].max() > 0
    assert np.mean(res.ari) < 0.9


def test_unstable_clusters_warn(three_blobs):
    X, _ = three_blobs
    with pytest.warns(UnstableClusterWarning, match="below 0.6"):
        res = assess_stability(KMeans(8, n_init=1), X, n_resamples=10, random_state=1)
    assert res.unstable_clusters  # those named in the warning
    assert set(res.summary.loc[res.unstable_clusters, "verdict"]) == {"unstable"}


def _fpc_iris():
    from clusterdiscovery.datasets._published import default_published_dir

    return pd.read_csv(default_published_dir() / "clusterboot_iris.csv")


def test_iris_kmeans3_reproduces_fpc_clusterboot():
    """Fisher's iris, k-means k = 3, bootstrap: fpc::clusterboot's figures within 0.02.

    Reference: ``fpc::clusterboot(iris[, 1:4], B = 500, clustermethod = kmeansCBI,
    krange = 3, runs = 10)`` (fpc 2.2.10, R 4.2.2; script and numbers in
    clusterdiscovery/data/published/): mean Jaccard 0.959 / 0.946 / 1.000 for the clusters of 62 / 38 / 50.
    The default scheme clusters the distinct points of each bootstrap draw, as fpc does
    with ``multipleboot = FALSE``.
    """
    from sklearn.datasets import load_iris

    X = load_iris().data
    fpc = _fpc_iris()
    fpc = fpc[~fpc["multipleboot"]].set_index("size")["jaccard_mean"]
    ref = KMeans(3, n_init=10, random_state=0).fit_predict(X)
    res = assess_stability(KMeans(3, n_init=3), X, n_resamples=300, random_state=0,
                           reference_labels=ref)
    ours = res.summary.set_index("size")["jaccard_mean"]
    assert sorted(ours.index) == [38, 50, 62]
    for size in (62, 38, 50):
        assert abs(ours[size] - fpc[size]) <= 0.02, (size, ours[size], fpc[size])


def test_multipleboot_clusters_the_whole_draw():
    """``multipleboot=True`` clusters the duplicates too and gives lower means on iris, as
    fpc's ``multipleboot = TRUE`` does (0.937 / 0.921 against 0.959 / 0.946)."""
    from sklearn.datasets import load_iris

    X = load_iris().data
    ref = KMeans(3, n_init=10, random_state=0).fit_predict(X)
    kw = dict(n_resamples=150, random_state=1, reference_labels=ref)
    distinct = assess_stability(KMeans(3, n_init=3), X, **kw).summary.set_index("size")
    whole = assess_stability(KMeans(3, n_init=3), X, multipleboot=True,
                             **kw).summary.set_index("size")
    fpc = _fpc_iris()
    fpc = fpc[fpc["multipleboot"]].set_index("size")["jaccard_mean"]
    for size in (62, 38):
        assert whole.loc[size, "jaccard_mean"] < distinct.loc[size, "jaccard_mean"]
        assert abs(whole.loc[size, "jaccard_mean"] - fpc[size]) <= 0.03
    assert whole.loc[50, "jaccard_mean"] >= 0.99 and distinct.loc[50, "jaccard_mean"] >= 0.99


# ---------------------------------------------------------------- hand-built partitions
def test_jaccard_and_ari_by_hand():
    # C0 = {0,1,2,3}, C1 = {4..7}; resample D0 = {0,1,2}, D1 = {3..7}
    # J(C0, D0) = 3 / 4 = 0.75 (> J(C0, D1) = 1/8); J(C1, D1) = 4 / 5 = 0.8.
    ref = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    res = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    jac, table, _ = clusterwise_jaccard(ref, 2, res)
    np.testing.assert_allclose(jac, [0.75, 0.8])
    # ARI from the table [[3, 1], [0, 4]] (+ an empty noise row):
    # sum C(n_ij,2) = 3 + 6 = 9; rows C(4,2)*2 = 12; cols C(3,2)+C(5,2) = 13; C(8,2) = 28
    # expected = 12*13/28; ARI = (9 - 156/28) / (12.5 - 156/28) = 0.49484536...
    expected = (9 - 156 / 28) / (12.5 - 156 / 28)
    assert ari_from_table(table) == pytest.approx(expected)
    assert ari_from_table(table) == pytest.approx(adjusted_rand_score(ref, res))


def test_jaccard_noise_by_hand():
    # reference: C0 = {0,1,2}, C1 = {3,4,5}, rows 6,7 noise (coded 2 = n_ref)
    # resample: D0 = {0,1}, D1 = {3,4,5,6}, rows 2,7 noise (never a D)
    # J(C0) = |{0,1}| / |{0,1,2}| = 2/3; J(C1) = 3 / (3 + 4 - 3) = 0.75 (row 6 counts in D1)
    ref_codes = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    res = np.array([0, 0, -1, 1, 1, 1, 1, -1])
    jac, _, _ = clusterwise_jaccard(ref_codes, 2, res)
    np.testing.assert_allclose(jac, [2 / 3, 0.75])
    # a resample that is all noise dissolves every cluster (Jaccard 0)
    jac0, _, _ = clusterwise_jaccard(ref_codes, 2, np.full(8, -1))
    np.testing.assert_allclose(jac0, [0.0, 0.0])
    # a cluster absent from the compared rows is NaN (not assessed), not 0
    jac1, _, _ = clusterwise_jaccard(np.array([0, 0, 2]), 2, np.array([0, 0, 1]))
    assert jac1[0] == 1.0 and np.isnan(jac1[1])


def test_ari_ami_from_tables_match_scikit_learn():
    # our table-based ARI and (windowed expected-MI) AMI against scikit-learn's, on
    # random partitions of very different sizes, including the degenerate ones
    rng = np.random.default_rng(1)
    for _ in range(300):
        n = int(rng.choice([1, 2, 3, 7, 40, 300, 5000]))
        ka, kb = rng.integers(1, 8, 2)
        a = rng.integers(0, ka, n)
        b = np.where(rng.uniform(size=n) < rng.uniform(), a, rng.integers(0, kb, n))
        ua, ia = np.unique(a, return_inverse=True)
        ub, ib = np.unique(b, return_inverse=True)
        table = contingency(ia, ua.size, ib, ub.size)
        assert ari_from_table(table) == pytest.approx(adjusted_rand_score(a, b), abs=1e-10)
        assert ami_from_table(table) == pytest.approx(
            adjusted_mutual_info_score(a, b), abs=1e-10
        )


def test_verdict_thresholds_hennig():
    assert verdict(0.59) == "unstable"
    assert verdict(0.6) == "doubtful"
    assert verdict(0.749) == "doubtful"
    assert verdict(0.75) == "stable"
    assert verdict(0.85) == "highly stable"
    assert verdict(np.nan) == "not assessed"


def test_bootstrap_clusters_distinct_points_by_default():
    rng = np.random.default_rng(3)
    fit_idx, shared, first = draw_indices("bootstrap", 50, 0.8, rng)
    assert fit_idx.size < 50  # only the distinct rows drawn are clustered
    np.testing.assert_array_equal(fit_idx, np.unique(fit_idx))
    np.testing.assert_array_equal(shared, fit_idx)
    np.testing.assert_array_equal(fit_idx[first], shared)


def test_multipleboot_compares_distinct_points():
    rng = np.random.default_rng(3)
    fit_idx, shared, first = draw_indices("bootstrap", 50, 0.8, rng, multipleboot=True)
    assert fit_idx.size == 50 and np.unique(fit_idx).size < 50  # duplicates drawn
    np.testing.assert_array_equal(shared, np.unique(fit_idx))
    np.testing.assert_array_equal(fit_idx[first], shared)
    fit_idx, shared, _ = draw_indices("subsample", 50, 0.8, rng)
    assert fit_idx.size == 40 and np.unique(shared).size == 40


# ---------------------------------------------------------------- noise, estimators
def test_noise_is_never_a_cluster_with_dbscan():
    X, _ = make_blobs(n_samples=120, centers=TRIANGLE, cluster_std=0.6, random_state=2)
    X = np.vstack([X, [[30.0, 30.0], [-30.0, 30.0], [30.0, -30.0]]])  # 3 isolated points
    res = assess_stability(DBSCAN(eps=1.5, min_samples=4), X, n_resamples=10,
                           random_state=0)
    assert -1 not in res.summary.index
    assert (res.reference_labels[-3:] == -1).all()
    assert res.summary.shape[0] == 3 and (res.summary["jaccard_mean"] > 0.85).all()
    assert res.summary["size"].sum() == np.sum(res.reference_labels != -1)


def test_clusters_turning_into_noise_dissolve():
    x = np.linspace(-10, 10, 60)[:, None]
    # reference: sign of x with no noise; the estimator itself marks |x| > 5 as noise,
    # so in a resample only the kept rows with |x| <= 5 (half of each cluster, 15 of 30)
    # form D: Jaccard = (kept inner rows) / (kept rows of C), about 0.5 on average.
    ref = (x[:, 0] > 0).astype(int)
    with pytest.warns(UnstableClusterWarning):
        res = assess_stability(FixedNoise(cut=5.0), x, n_resamples=8, method="subsample",
                               reference_labels=ref, random_state=0)
    assert (res.summary["jaccard_mean"] - 0.5).abs().max() < 0.08
    assert (res.jaccard.to_numpy() < 0.7).all()
    assert res.summary["dissolved"].sum() > 0


def test_gaussian_mixture_and_all_methods(three_blobs):
    X, _ = three_blobs
    for method in ("bootstrap", "subsample", "jitter"):
        res = assess_stability(GaussianMixture(3), X, n_resamples=4, method=method,
                               random_state=0)
        assert (res.summary["jaccard_mean"] > 0.85).all(), (method, res.summary)
        assert res.method == method and res.n_resamples == 4


def test_dataframe_stays_dataframe_and_jitter_spares_non_float_columns():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({
        "a": np.r_[rng.normal(0, 1, 30), rng.normal(8, 1, 30)],
        "grp": pd.Categorical(rng.choice(["x", "y"], 60)),
        "b": rng.integers(0, 5, 60),
    })
    before = df.copy()
    res = assess_stability(NamesRequired(), df, n_resamples=4, method="jitter",
                           random_state=0)
    assert res.summary.shape[0] == 2
    pd.testing.assert_frame_equal(df, before)  # not modified
    scales = column_scales(df, 0.1)
    assert scales[0] == pytest.approx(0.1 * df["a"].std()) and scales[1] == scales[2] == 0
    jittered = jitter_rows(df, scales, np.random.default_rng(1))
    pd.testing.assert_series_equal(jittered["grp"], df["grp"])
    pd.testing.assert_series_equal(jittered["b"], df["b"])
    assert not np.allclose(jittered["a"], df["a"])
    assert assess_stability(NamesRequired(), df, n_resamples=3, random_state=0) is not None


def test_estimator_and_data_not_modified(three_blobs):
    X, _ = three_blobs
    X_before = X.copy()
    est = KMeans(3, n_init=1)
    params = est.get_params()
    assess_stability(est, X, n_resamples=3, random_state=0)
    assert est.get_params() == params
    assert not hasattr(est, "cluster_centers_")  # the user's estimator was never fitted
    np.testing.assert_array_equal(X, X_before)


# ---------------------------------------------------------------- reproducibility
def test_same_seed_same_result_and_n_jobs_invariant(three_blobs):
    X, _ = three_blobs
    est = KMeans(4, n_init=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnstableClusterWarning)
        a = assess_stability(est, X, n_resamples=6, random_state=11, n_jobs=1)
        b = assess_stability(est, X, n_resamples=6, random_state=11, n_jobs=2)
        c = assess_stability(est, X, n_resamples=6, random_state=12, n_jobs=1)
    pd.testing.assert_frame_equal(a.jaccard, b.jaccard)
    np.testing.assert_array_equal(a.ari, b.ari)
    np.testing.assert_array_equal(a.ami, b.ami)
    assert not np.array_equal(a.ari, c.ari) or not a.jaccard.equals(c.jaccard)


def test_dask_backend_matches_sequential(three_blobs):
    distributed = pytest.importorskip("dask.distributed")
    import joblib

    X, _ = three_blobs
    X = X[:90]
    est = KMeans(3, n_init=1)
    seq = assess_stability(est, X, n_resamples=4, random_state=5, n_jobs=1)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster), joblib.parallel_backend("dask"):
            par = assess_stability(est, X, n_resamples=4, random_state=5)
    pd.testing.assert_frame_equal(seq.jaccard, par.jaccard)
    np.testing.assert_array_equal(seq.ari, par.ari)


# ---------------------------------------------------------------- result object
def test_result_api(three_blobs):
    import matplotlib

    matplotlib.use("Agg")
    X, _ = three_blobs
    res = assess_stability(KMeans(3, n_init=1), X, n_resamples=5, random_state=0,
                           progress=True)
    assert isinstance(res, StabilityResult)
    for col in ("size", "jaccard_mean", "jaccard_median", "dissolved", "recovered",
                "verdict"):
        assert col in res.summary.columns
    assert res.summary.index.name == "cluster"
    assert res.jaccard.shape == (5, 3)
    assert res.ari.shape == (5,) and res.ami.shape == (5,)
    assert res.to_frame().equals(res.summary) and res.to_frame() is not res.summary
    html = res._repr_html_()
    assert "bootstrap" in html and "5 resamples" in html and "<table" in html
    assert "mean ARI" in repr(res)
    ax = res.plot()
    ys = sorted(round(line.get_ydata()[0], 2) for line in ax.get_lines()
                if len(set(line.get_ydata())) == 1 and line.get_linestyle() == "--")
    assert ys == [0.5, 0.6, 0.75, 0.85]
    # one legend entry per threshold, each naming its category once (no "0.6 0.6")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(texts) == 4 and len(set(texts)) == 4
    for text, word in zip(texts, ["dissolved", "unstable", "stable", "highly stable"]):
        assert word in text and len(set(text.split())) == len(text.split()), text
    matplotlib.pyplot.close("all")


# ---------------------------------------------------------------- bad input
def test_bad_input(three_blobs):
    X, _ = three_blobs
    km = KMeans(3, n_init=1)
    with pytest.raises(ValueError, match="n_resamples"):
        assess_stability(km, X, n_resamples=0)
    with pytest.raises(TypeError, match="n_resamples"):
        assess_stability(km, X, n_resamples=2.5)
    with pytest.raises(ValueError, match="method"):
        assess_stability(km, X, method="bagging")
    with pytest.raises(ValueError, match="fraction"):
        assess_stability(km, X, method="subsample", fraction=1.5)
    with pytest.raises(ValueError, match="jitter_scale"):
        assess_stability(km, X, method="jitter", jitter_scale=0)
    with pytest.raises(ValueError, match="n_jobs"):
        assess_stability(km, X, n_jobs=0)
    with pytest.raises(TypeError, match="'n_jobs'.*int"):
        assess_stability(km, X, n_jobs="2")
    with pytest.raises(TypeError, match="'warn'.*True or False"):
        assess_stability(km, X, warn="no")
    with pytest.raises(TypeError, match="'progress'.*True or False"):
        assess_stability(km, X, progress="yes")
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        assess_stability(km, X_nan, n_resamples=2)
    with pytest.raises(TypeError, match="fit"):
        assess_stability(object(), X)
    with pytest.raises(TypeError, match="instance"):
        assess_stability(KMeans, X)
    with pytest.raises(ValueError, match="2-d"):
        assess_stability(km, X[:, 0])
    with pytest.raises(ValueError, match="reference_labels"):
        assess_stability(km, X, reference_labels=[0, 1])
    df = pd.DataFrame(X, index=[f"C{i:03d}" for i in range(len(X))])
    ref = pd.Series(KMeans(3, n_init=1, random_state=0).fit_predict(X), index=df.index)
    # labels indexed by client id are aligned on X's ids, not taken by position
    shuffled = ref.sample(frac=1.0, random_state=0)
    a = assess_stability(km, df, n_resamples=2, reference_labels=ref, random_state=0)
    b = assess_stability(km, df, n_resamples=2, reference_labels=shuffled, random_state=0)
    np.testing.assert_array_equal(a.reference_labels, b.reference_labels)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    with pytest.raises(ValueError, match="'reference_labels'.*row ids of X"):
        assess_stability(km, df, reference_labels=ref.set_axis([f"Z{i}" for i in range(len(X))]))
    with pytest.raises(ValueError, match="no cluster"):
        assess_stability(km, X, reference_labels=np.full(150, -1))


def test_latent_class_model_on_a_dataframe_with_text_and_missing_values():
    from clusterdiscovery import LatentClassModel

    rng = np.random.default_rng(0)
    z = rng.integers(0, 2, 200)
    df = pd.DataFrame({
        f"item{j}": pd.array(np.where(rng.uniform(size=200) < np.where(z == 1, 0.9, 0.1),
                                      "yes", "no"), dtype="string")
        for j in range(5)
    })
    df.iloc[3, 2] = pd.NA
    before = df.copy()
    res = assess_stability(LatentClassModel(2, random_state=0), df, n_resamples=5,
                           random_state=0)
    assert adjusted_rand_score(z, res.reference_labels) > 0.9
    assert (res.summary["jaccard_mean"] > 0.85).all()
    pd.testing.assert_frame_equal(df, before)


def test_resume_reuses_the_first_resamples_exactly(three_blobs):
    X, _ = three_blobs
    est = KMeans(3, n_init=1)
    first = assess_stability(est, X, n_resamples=4, random_state=5)
    more = assess_stability(est, X, n_resamples=9, random_state=5, resume=first)
    fresh = assess_stability(est, X, n_resamples=9, random_state=5)
    pd.testing.assert_frame_equal(more.jaccard, fresh.jaccard)
    pd.testing.assert_frame_equal(more.summary, fresh.summary)
    np.testing.assert_array_equal(more.ari, fresh.ari)
    np.testing.assert_array_equal(more.n_clusters_resample, fresh.n_clusters_resample)
    with pytest.raises(ValueError, match="different call"):
        assess_stability(est, X, n_resamples=9, random_state=6, resume=first)
    with pytest.raises(ValueError, match="different call"):
        assess_stability(est, X, n_resamples=9, random_state=5, method="subsample",
                         resume=first)
    with pytest.raises(ValueError, match="more than"):
        assess_stability(est, X, n_resamples=2, random_state=5, resume=first)
    with pytest.raises(TypeError, match="resume"):
        assess_stability(est, X, n_resamples=9, random_state=5, resume="x")


def _lca_table(n=600, seed=0):
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    X = pd.DataFrame({
        "a": np.where(group == 1, rng.choice(["x", "y", "z"], n, p=[0.7, 0.2, 0.1]),
                      rng.choice(["x", "y", "z"], n, p=[0.1, 0.2, 0.7])),
        "b": rng.integers(0, 4, n).astype(float),
        "c": rng.normal(size=n) + 3 * group,
        "d": rng.poisson(1 + 2 * group).astype(float),
    })
    X.loc[rng.random(n) < 0.1, "a"] = np.nan
    X.loc[rng.random(n) < 0.1, "c"] = np.nan
    return X, {"a": "categorical", "b": "categorical", "c": "gaussian", "d": "poisson"}


@pytest.mark.parametrize("method,multipleboot", [("bootstrap", False), ("bootstrap", True),
                                                 ("subsample", False)])
def test_latent_class_resamples_encoded_once_give_the_same_result(method, multipleboot,
                                                                  monkeypatch):
    """The LCA's resamples taken from the full table's encoded patterns (row_subsets) are
    the very fits made by encoding each resample anew: identical Jaccard, ARI, AMI."""
    from clusterdiscovery import LatentClassModel

    X, meas = _lca_table()
    # a categorical dtype whose categories are not sorted keeps its order in a subset
    X["a"] = pd.Categorical(X["a"], categories=["z", "x", "y"])
    est = LatentClassModel(2, measurement=meas, n_init=2, random_state=0)
    assert est._row_subsets(X).ordered
    kw = dict(n_resamples=6, method=method, random_state=5, warn=False,
              multipleboot=multipleboot)
    from clusterdiscovery.models._lca_data import RowSubsets

    taken = []
    subset = RowSubsets.subset
    monkeypatch.setattr(RowSubsets, "subset",
                        lambda self, idx, sw=None: taken.append(subset(self, idx, sw))
                        or taken[-1])
    fast = assess_stability(est, X, **kw)
    # every resample's patterns were taken from the full table (no fallback)
    assert len(taken) == 6 and all(t is not None for t in taken)
    monkeypatch.setattr(RowSubsets, "subset", subset)
    monkeypatch.setattr(LatentClassModel, "_row_subsets", lambda self, X: None)
    slow = assess_stability(est, X, **kw)
    pd.testing.assert_frame_equal(fast.jaccard, slow.jaccard)
    np.testing.assert_array_equal(fast.ari, slow.ari)
    np.testing.assert_array_equal(fast.ami, slow.ami)


def test_row_subsets_drop_absent_levels_and_fall_back_when_a_column_is_constant():
    """A subset missing a level is fitted with that level dropped, as encoding the subset
    would; a subset on which a gaussian column is constant cannot be taken (None)."""
    from clusterdiscovery import LatentClassModel

    X, meas = _lca_table(seed=1)
    prepared = LatentClassModel(2, measurement=meas)._row_subsets(X)
    rows = np.flatnonzero(X["b"].to_numpy() != 3.0)  # level 3 of b absent
    fast = LatentClassModel(2, measurement=meas, n_init=2, random_state=3)
    labels = fast._fit_subset_labels(prepared, rows)
    slow = LatentClassModel(2, measurement=meas, n_init=2, random_state=3).fit(X.iloc[rows])
    np.testing.assert_array_equal(labels, slow.labels_)
    assert fast.loglik_ == pytest.approx(slow.loglik_, rel=1e-12)
    assert list(fast.categories_["b"]) == list(slow.categories_["b"]) == [0.0, 1.0, 2.0]
    one_value = np.flatnonzero(X["c"].notna().to_numpy())[:1]
    constant = np.concatenate([one_value, np.flatnonzero(X["c"].isna().to_numpy())])
    assert prepared.subset(constant) is None


def test_default_n_jobs_from_the_cores_only_for_large_data_and_no_joblib_context():
    import joblib

    from clusterdiscovery.stability._parallel import PARALLEL_MIN_ROWS, default_n_jobs

    cores = joblib.cpu_count()
    assert default_n_jobs(None, PARALLEL_MIN_ROWS - 1) is None
    assert default_n_jobs(None, PARALLEL_MIN_ROWS) == (cores if cores > 1 else None)
    assert default_n_jobs(3, 10) == 3 and default_n_jobs(1, 10**6) == 1
    with joblib.parallel_backend("threading", n_jobs=2):
        assert default_n_jobs(None, 10**6) is None  # the context's n_jobs applies
