"""Tests for DensityClusterer (UMAP -> HDBSCAN).

UMAP compiles with numba on first use (10-30 s on a busy machine, once per process), so
only the tests where UMAP is the point use it; the rest run HDBSCAN directly.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from clusterdiscovery.models import DensityClusterer
from clusterdiscovery.models._density import default_min_cluster_size


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=400, centers=3, n_features=4, cluster_std=0.6, random_state=3)
    return X, y


@pytest.fixture(scope="module")
def umap_model(blobs):
    X, _ = blobs
    return DensityClusterer(n_neighbors=15, random_state=0).fit(X[:300])


@parametrize_with_checks([DensityClusterer(use_umap=False), DensityClusterer()])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_blobs_recovered_without_umap(blobs):
    X, y = blobs
    model = DensityClusterer(use_umap=False).fit(X)
    assert model.n_clusters_ == 3
    assert adjusted_rand_score(y, model.labels_) >= 0.9
    assert model.labels_.dtype.kind == "i"
    assert model.probabilities_.shape == (400,)
    assert np.all((model.probabilities_ >= 0) & (model.probabilities_ <= 1))
    assert model.outlier_scores_.shape == (400,)
    assert -1 <= model.validity_ <= 1
    assert not hasattr(model, "embedding_") and model.umap_ is None


def test_blobs_recovered_with_umap(blobs, umap_model):
    X, y = blobs
    assert umap_model.embedding_.shape == (300, 5)
    assert umap_model.n_clusters_ == 3
    assert adjusted_rand_score(y[:300], umap_model.labels_) >= 0.9
    assert np.isfinite(umap_model.validity_)


def test_predict_new_and_training_points_with_umap(blobs, umap_model):
    X, y = blobs
    # training rows: approximate prediction mostly agrees with the fitted labels
    agree = np.mean(umap_model.predict(X[:300]) == umap_model.labels_)
    assert agree >= 0.9, agree
    # new rows from the same blobs land in the matching clusters
    new = umap_model.predict(X[300:])
    assert adjusted_rand_score(y[300:], new) >= 0.9
    strength = umap_model.membership_strength(X[300:])
    assert strength.shape == (100,) and np.all((strength >= 0) & (strength <= 1))


def test_same_seed_gives_identical_labels(blobs, umap_model):
    X, _ = blobs
    again = DensityClusterer(n_neighbors=15, random_state=0).fit(X[:300])
    np.testing.assert_array_equal(again.labels_, umap_model.labels_)
    np.testing.assert_array_equal(again.embedding_, umap_model.embedding_)
    np.testing.assert_array_equal(again.predict(X[300:]), umap_model.predict(X[300:]))


def test_planted_outliers_are_noise():
    X, _ = make_blobs(n_samples=300, centers=3, n_features=2, cluster_std=0.5, random_state=0)
    rng = np.random.default_rng(1)
    # outliers on a ring far from every blob: no dense region can absorb them
    angle = rng.uniform(0, 2 * np.pi, size=20)
    outliers = np.c_[30 * np.cos(angle), 30 * np.sin(angle)]
    model = DensityClusterer(use_umap=False).fit(np.vstack([X, outliers]))
    assert model.n_clusters_ == 3
    assert np.mean(model.labels_[300:] == -1) >= 0.9
    assert np.mean(model.labels_[:300] == -1) <= 0.1
    assert 0 < model.noise_share_ < 0.2
    # GLOSH scores rank the planted outliers above the blob members
    assert np.median(model.outlier_scores_[300:]) > np.quantile(model.outlier_scores_[:300], 0.9)


def test_default_min_cluster_size_rule():
    assert default_min_cluster_size(50) == 10
    assert default_min_cluster_size(5) == 5
    assert default_min_cluster_size(20_000) == 200
    X, _ = make_blobs(n_samples=60, centers=2, random_state=0)
    model = DensityClusterer(use_umap=False).fit(X)
    assert model.min_cluster_size_ == 10 and model.min_samples_ == 10
    model = DensityClusterer(use_umap=False, min_cluster_size=5, min_samples=100).fit(X)
    assert model.min_cluster_size_ == 5 and model.min_samples_ == 59


def test_small_samples():
    X = np.random.default_rng(0).normal(size=(6, 3))
    with pytest.raises(ValueError, match="n_embedding=5 needs at least 7 rows"):
        DensityClusterer().fit(X)
    with pytest.raises(ValueError, match="n_samples=1"):
        DensityClusterer(use_umap=False).fit(X[:1])
    with pytest.raises(ValueError, match="min_cluster_size"):
        DensityClusterer(use_umap=False, min_cluster_size=10).fit(X)
    model = DensityClusterer(use_umap=False, n_neighbors=30).fit(X)
    assert model.n_neighbors_ == 5


def test_nan_and_inf_errors_say_impute():
    X = pd.DataFrame({"age": [30.0, 40.0, np.nan, 50.0], "cost": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(ValueError, match=r"NaN or inf.*column\(s\) age.*make_preprocessor"):
        DensityClusterer(use_umap=False).fit(X)
    X2 = np.array([[0.0, 1.0], [np.inf, 2.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="Impute"):
        DensityClusterer(use_umap=False).fit(X2)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"n_neighbors": 1}, ValueError, "n_neighbors"),
        ({"n_neighbors": 2.5}, TypeError, "n_neighbors"),
        ({"n_embedding": 0}, ValueError, "n_embedding"),
        ({"min_cluster_size": 1}, ValueError, "min_cluster_size"),
        ({"min_samples": 0}, ValueError, "min_samples"),
        ({"min_dist": -1.0}, ValueError, "min_dist"),
        ({"metric": 3}, TypeError, "metric"),
        ({"cluster_selection_method": "best"}, ValueError, "cluster_selection_method"),
        ({"use_umap": "yes"}, TypeError, "use_umap"),
    ],
)
def test_bad_parameters(params, error, match):
    X, _ = make_blobs(n_samples=40, random_state=0)
    with pytest.raises(error, match=match):
        DensityClusterer(**params).fit(X)


def test_text_columns_are_named():
    X, _ = make_blobs(n_samples=40, n_features=2, random_state=0)
    df = pd.DataFrame(X, columns=["a", "b"]).assign(team=["T1", "T2"] * 20)
    with pytest.raises(TypeError, match="column\\(s\\) team.*make_preprocessor"):
        DensityClusterer(use_umap=False).fit(df)
    model = DensityClusterer(use_umap=False).fit(df[["a", "b"]])
    with pytest.raises(TypeError, match="column\\(s\\) b"):
        model.predict(df[["a", "b"]].assign(b="x"))


def test_input_not_modified_and_dataframe_names_kept():
    X, _ = make_blobs(n_samples=80, centers=2, n_features=2, random_state=0)
    df = pd.DataFrame(X, columns=["a", "b"], index=[f"C{i:06d}" for i in range(80)])
    before = df.copy()
    model = DensityClusterer(use_umap=False).fit(df)
    pd.testing.assert_frame_equal(df, before)
    assert list(model.feature_names_in_) == ["a", "b"]
    with pytest.raises(ValueError, match="feature names"):
        model.predict(df.rename(columns={"a": "z"}))


def test_predict_before_fit_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        DensityClusterer().predict(np.zeros((3, 2)))


def test_import_does_not_load_umap_or_hdbscan():
    import subprocess
    import sys

    code = (
        "import sys, clusterdiscovery.models as m, clusterdiscovery.selection\n"
        "m.DensityClusterer(random_state=0).get_params()\n"
        "print(sorted({'umap', 'hdbscan', 'numba'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
