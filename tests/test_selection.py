"""Tests for compare_models and ModelSelectionResult."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import DBSCAN, KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture

from clusterdiscovery import compare_models as facade_compare_models
from clusterdiscovery.models import DensityClusterer, LatentClassModel
from clusterdiscovery.selection import (
    CRITERIA,
    ModelSelectionResult,
    compare_models,
    default_estimators,
    infer_measurement,
)

COLUMNS = [
    "model", "k", "loglik", "n_parameters", "aic", "bic", "sabic", "caic", "entropy",
    "smallest_share", "silhouette", "calinski_harabasz", "davies_bouldin", "dbcv",
    "noise_share", "degenerate", "floor_items", "converged", "fit_seconds",
]


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=300, centers=3, cluster_std=0.6, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def families():
    return {
        "kmeans": KMeans(n_init=10),
        "gmm": GaussianMixture(covariance_type="diag", n_init=2),
        "density": DensityClusterer(use_umap=False),
    }


@pytest.fixture(scope="module")
def result(blobs, families):
    X, _ = blobs
    return compare_models(X, families, n_clusters=range(2, 7), random_state=0)


def test_summary_columns_and_rows(result):
    s = result.summary
    assert list(s.columns) == COLUMNS
    assert isinstance(result, ModelSelectionResult)
    # one row per (model, k) for the k families, one row for density
    assert list(s["model"]) == ["kmeans"] * 5 + ["gmm"] * 5 + ["density"]
    assert list(s.loc[s["model"] != "density", "k"]) == [2, 3, 4, 5, 6] * 2
    assert set(result.estimators_) == {(m, k) for m, k in zip(s["model"], s["k"])}
    assert result.to_frame().equals(s) and result.to_frame() is not s


def test_gmm_bic_picks_three_and_kmeans_silhouette_picks_three(result):
    best = result.best("bic")
    assert (best.model, best.k) == ("gmm", 3)
    assert isinstance(best.estimator, GaussianMixture) and best.estimator.n_components == 3
    assert result.best("silhouette", model="kmeans").k == 3
    assert result.best("calinski_harabasz", model="kmeans").k == 3
    assert result.best("davies_bouldin", model="kmeans").k == 3


def test_not_applicable_measures_are_nan(result):
    s = result.summary.set_index(["model", "k"])
    ic = ["loglik", "n_parameters", "aic", "bic", "sabic", "caic", "entropy", "dbcv"]
    assert s.loc["kmeans", ic].isna().all().all()
    assert s.loc["gmm", "dbcv"].isna().all()
    assert s.loc["kmeans", "noise_share"].eq(0).all()
    assert s.loc["kmeans", "converged"].all()
    assert (s["fit_seconds"] >= 0).all()


def test_gmm_criteria_match_their_definitions(blobs, result):
    X, _ = blobs
    n = X.shape[0]
    row = result.summary.set_index(["model", "k"]).loc[("gmm", 4)]
    gm = result.estimators_[("gmm", 4)]
    ll = gm.score(X) * n
    p = gm._n_parameters()
    assert row["loglik"] == pytest.approx(ll)
    assert row["n_parameters"] == p == 4 * 2 * 2 + 3  # diag: means + variances + weights
    assert row["bic"] == pytest.approx(gm.bic(X))
    assert row["aic"] == pytest.approx(gm.aic(X))
    assert row["sabic"] == pytest.approx(-2 * ll + p * np.log((n + 2) / 24))
    assert row["caic"] == pytest.approx(-2 * ll + p * (np.log(n) + 1))
    proba = gm.predict_proba(X)
    h = -(proba * np.log(np.clip(proba, 1e-300, None))).sum()
    assert row["entropy"] == pytest.approx(1 - h / (n * np.log(4)))
    labels = gm.predict(X)
    assert row["smallest_share"] == pytest.approx(np.bincount(labels, minlength=4).min() / n)
    assert row["silhouette"] == pytest.approx(silhouette_score(X, labels))


def test_density_row(result, blobs):
    X, y = blobs
    s = result.summary
    d = s[s["model"] == "density"].iloc[0]
    model = result.estimators_[("density", int(d["k"]))]
    assert d["k"] == model.n_clusters_ == 3
    assert d["noise_share"] == pytest.approx(np.mean(model.labels_ == -1))
    assert d["dbcv"] == pytest.approx(model.validity_)
    assert result.best("dbcv").model == "density"
    assert result.best("validity") == result.best("dbcv")  # the alias
    keep = model.labels_ >= 0
    assert d["silhouette"] == pytest.approx(silhouette_score(X[keep], model.labels_[keep]))


def test_parallel_equals_serial(blobs, families):
    X, _ = blobs
    runs = [compare_models(X, families, n_clusters=[2, 3, 4], random_state=5, n_jobs=j)
            for j in (1, 2)]
    a, b = (r.summary.drop(columns="fit_seconds") for r in runs)
    pd.testing.assert_frame_equal(a, b)
    for key, est in runs[0].estimators_.items():
        other = runs[1].estimators_[key]
        np.testing.assert_array_equal(
            est.labels_ if hasattr(est, "labels_") else est.predict(X),
            other.labels_ if hasattr(other, "labels_") else other.predict(X),
        )


def test_silhouette_subsample_is_close_and_seeded(blobs):
    X, _ = blobs
    fam = {"kmeans": KMeans(n_init=4)}
    full = compare_models(X, fam, n_clusters=3, random_state=1).summary["silhouette"].iloc[0]
    sub1 = compare_models(X, fam, n_clusters=3, random_state=1, silhouette_sample_size=100)
    sub2 = compare_models(X, fam, n_clusters=3, random_state=1, silhouette_sample_size=100)
    s1 = sub1.summary["silhouette"].iloc[0]
    assert s1 != full and abs(s1 - full) < 0.05
    assert s1 == sub2.summary["silhouette"].iloc[0]


def test_best_rules(result):
    # min_share leaves out solutions with a small cluster
    s = result.summary
    chosen = result.best("aic", min_share=0.3)
    assert s.set_index(["model", "k"]).loc[(chosen.model, chosen.k), "smallest_share"] >= 0.3
    with pytest.raises(ValueError, match="min_share"):
        result.best("bic", min_share=1.5)
    with pytest.raises(ValueError, match="at least 90.0%"):
        result.best("bic", min_share=0.9)
    with pytest.raises(ValueError, match=r"Unknown criterion 'bick'.*bic, aic, sabic"):
        result.best("bick")
    with pytest.raises(ValueError, match="'model' parameter"):
        result.best("bic", model="lca")
    assert set(CRITERIA) == {"bic", "aic", "sabic", "caic", "davies_bouldin", "silhouette",
                             "calinski_harabasz", "dbcv", "entropy"}


def test_ties_go_to_smaller_k():
    rows = pd.DataFrame({c: [np.nan] * 3 for c in COLUMNS})
    rows["model"], rows["k"] = "m", [4, 2, 3]
    rows["silhouette"] = [0.5, 0.5, 0.4]
    rows["smallest_share"] = 0.2
    res = ModelSelectionResult(rows, {}, n_samples=10, likelihood_scale={"m": "matrix"})
    assert res.best("silhouette").k == 2
    assert res.best("silhouette").estimator is None


def test_plot_and_html(result):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    out = result.plot(ax=ax, criterion="bic")
    assert out is ax
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["gmm"]
    ax2 = result.plot(criterion="silhouette")
    assert len(ax2.get_lines()) == 3  # kmeans, gmm, density (one marker)
    with pytest.raises(ValueError, match="Unknown criterion"):
        result.plot(criterion="nope")
    plt.close("all")
    html = result._repr_html_()
    assert "Model selection" in html and "calinski_harabasz" in html


def _mixed_population(n=600, seed=0):
    """Three latent classes measured by six binary items, a 3-level item and one count."""
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 3, size=n)
    p = np.array([[0.9, 0.9, 0.9, 0.1, 0.1, 0.1],
                  [0.1, 0.1, 0.9, 0.9, 0.9, 0.1],
                  [0.1, 0.1, 0.1, 0.1, 0.9, 0.9]])
    items = rng.random((n, 6)) < p[z]
    df = pd.DataFrame(items.astype(int), columns=[f"item{j}" for j in range(6)])
    df["housing"] = pd.Categorical(np.array(["settled", "supported", "unstable"])[z])
    df["admissions"] = rng.poisson(np.array([0.5, 3.0, 8.0])[z] + 0.0)
    return df, z


def test_default_families_follow_the_data(blobs):
    X, _ = blobs
    assert list(default_estimators(X)) == ["kmeans", "gmm", "density"]
    df, _ = _mixed_population(50)
    est = default_estimators(df)
    assert list(est) == ["kmeans", "latent_class", "density"]
    assert est["latent_class"].measurement == infer_measurement(df)
    assert infer_measurement(df) == {
        **{f"item{j}": "categorical" for j in range(6)},
        "housing": "categorical",
        "admissions": "poisson",
    }
    assert infer_measurement(pd.DataFrame({"x": [0.5, 1.5, np.nan]})) == {"x": "gaussian"}


def test_latent_class_family_on_mixed_table():
    from sklearn.metrics import adjusted_rand_score

    df, z = _mixed_population()
    before = df.copy()
    est = default_estimators(df)
    est["density"] = DensityClusterer(use_umap=False)
    res = compare_models(df, est, n_clusters=[2, 3, 4], random_state=0)
    pd.testing.assert_frame_equal(df, before)
    best = res.best("bic")
    assert (best.model, best.k) == ("latent_class", 3)
    assert isinstance(best.estimator, LatentClassModel)
    assert adjusted_rand_score(z, best.estimator.labels_) > 0.9
    s = res.summary.set_index(["model", "k"])
    assert s.loc[("latent_class", 3), "n_parameters"] == best.estimator.n_parameters_
    # k-means ran on the one-hot/standardised encoding and has geometric indices
    assert np.isfinite(s.loc["kmeans", "silhouette"]).all()
    assert res.likelihood_scale["latent_class"] == "table"


def test_likelihoods_on_different_scales_are_not_compared():
    df, _ = _mixed_population(300)
    numeric = df.drop(columns="housing")
    fam = {"gmm": GaussianMixture(), "lca": LatentClassModel(n_init=1)}
    fam["lca"].set_params(measurement=infer_measurement(numeric))
    res = compare_models(numeric, fam, n_clusters=[2, 3], random_state=0)
    with pytest.raises(ValueError, match="different versions of the data"):
        res.best("bic")
    assert res.best("bic", model="lca").model == "lca"
    assert res.best("silhouette").model in {"gmm", "lca"}


def test_latent_class_alone_takes_missing_values():
    df, _ = _mixed_population(300)
    df = df.astype({"item0": float})
    df.loc[::7, "item0"] = np.nan
    res = compare_models(df, {"lca": LatentClassModel()}, n_clusters=[2, 3], random_state=0)
    assert res.summary["bic"].notna().all()
    assert res.summary["silhouette"].notna().all()


def test_facade_exports():
    assert facade_compare_models is compare_models


@pytest.mark.parametrize(
    ("X", "kwargs", "error", "match"),
    [
        (np.empty((0, 2)), {}, ValueError, "empty"),
        (pd.DataFrame(), {}, ValueError, "empty"),
        (np.array([[1.0, np.nan], [2.0, 1.0], [0.0, 3.0]]), {"n_clusters": [2]}, ValueError,
         r"column\(s\) 1.*'kmeans'.*[Ii]mpute"),
        (np.zeros((5, 2)), {"n_clusters": [2, 6]}, ValueError, "'n_clusters'.*k=6.*n_samples=5"),
        (np.zeros((5, 2)), {"n_clusters": []}, ValueError, "n_clusters"),
        (np.zeros((5, 2)), {"n_clusters": [0, 2]}, ValueError, "n_clusters"),
        (np.zeros((5, 2)), {"n_clusters": "3"}, TypeError, "n_clusters"),
        (np.zeros((5, 2)), {"estimators": {"dbscan": DBSCAN()}}, ValueError,
         r"'dbscan' \(DBSCAN\).*'n_clusters'"),
        (np.zeros((5, 2)), {"estimators": [KMeans()]}, TypeError, "'estimators'"),
        (np.zeros((5, 2)), {"estimators": {"km": KMeans}}, TypeError, "'km'"),
        (np.zeros(5), {}, ValueError, "2-dimensional"),
        (pd.DataFrame({"d": pd.to_datetime(["2024-01-01"] * 3)}), {}, TypeError, "'d'.*dates"),
    ],
)
def test_bad_input(X, kwargs, error, match):
    kwargs = {"estimators": {"kmeans": KMeans(n_init=1)}, **kwargs}
    with pytest.raises(error, match=match):
        compare_models(X, **kwargs)


def test_helpers_and_best_reject_bad_input(blobs):
    X, _ = blobs
    with pytest.raises(TypeError, match="'data'.*DataFrame"):
        infer_measurement(X)
    with pytest.raises(TypeError, match="'d' of data holds dates"):
        infer_measurement(pd.DataFrame({"d": pd.to_datetime(["2024-01-01"] * 3)}))
    with pytest.raises(TypeError, match="'measurement'.*dict"):
        default_estimators(X, measurement="gaussian")
    with pytest.raises(ValueError, match="'n_jobs'"):
        compare_models(X, {"km": KMeans(n_init=1)}, n_clusters=[2], n_jobs=0)
    res = compare_models(X, {"gmm": GaussianMixture()}, n_clusters=[2], random_state=0)
    with pytest.raises(TypeError, match="'min_share'"):
        res.best(min_share="10%")
    with pytest.raises(ValueError, match="Unknown criterion"):
        res.best(["bic"])


def test_nan_error_names_dataframe_column():
    df = pd.DataFrame({"age": [30.0, np.nan, 50.0, 41.0], "cost": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(ValueError, match=r"column\(s\) age.*make_preprocessor"):
        compare_models(df, {"gmm": GaussianMixture()}, n_clusters=[2])


def test_non_converged_fits_are_reported(blobs):
    from clusterdiscovery.exceptions import ConvergenceWarning

    X, _ = blobs
    with pytest.warns(ConvergenceWarning, match=r"gmm k=2.*max_iter"):
        res = compare_models(X, {"gmm": GaussianMixture(max_iter=1, tol=1e-12)},
                             n_clusters=[2, 3], random_state=0)
    assert not res.summary["converged"].any()


def test_failing_fit_names_family_and_k():
    X = np.zeros((6, 2))
    X[:, 0] = np.arange(6)
    with pytest.raises(ValueError) as info:
        compare_models(X, {"gmm": GaussianMixture(reg_covar=-1.0)}, n_clusters=[2])
    assert "'gmm' (k=2)" in "".join(getattr(info.value, "__notes__", []))


def test_progress_bar_runs(blobs, capsys):
    X, _ = blobs
    res = compare_models(X, {"kmeans": KMeans(n_init=1)}, n_clusters=[2, 3],
                         random_state=0, progress=True)
    assert len(res.summary) == 2
    assert "compare_models" in capsys.readouterr().err


def test_pipeline_family_gets_the_table_and_its_final_step_count():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = make_blobs(n_samples=200, centers=3, cluster_std=0.5, random_state=2)
    df = pd.DataFrame(X * [1.0, 100.0], columns=["a", "b"])
    pipe = make_pipeline(StandardScaler(), KMeans(n_init=4))
    res = compare_models(df, {"scaled_kmeans": pipe}, n_clusters=[2, 3, 4], random_state=0)
    fitted = res.estimators_[("scaled_kmeans", 3)]
    assert fitted[-1].n_clusters == 3 and fitted[-1].random_state is not None
    assert res.best("silhouette").k == 3
    with pytest.raises(ValueError, match=r"'scaler' \(Pipeline\)"):
        compare_models(df, {"scaler": make_pipeline(StandardScaler())}, n_clusters=[2])
