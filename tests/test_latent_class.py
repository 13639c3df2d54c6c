"""Tests of LatentClassModel: published numbers, estimator contract, recovery, errors."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from clusterdiscovery import LatentClassModel
from clusterdiscovery.datasets._published import load_values
from clusterdiscovery.exceptions import ConvergenceWarning

# --------------------------------------------------------------------------- fixtures


def simulate_mixed(n=1500, missing=0.0, seed=0):
    """Rows from a known 3-class model with categorical, gaussian and count columns."""
    rng = np.random.default_rng(seed)
    K = 3
    z = rng.choice(K, size=n, p=[0.5, 0.3, 0.2])
    cat_probs = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])
    data = {}
    for j in range(4):
        p = np.roll(cat_probs, j, axis=0)[z]
        idx = (p.cumsum(axis=1) < rng.random((n, 1))).sum(axis=1)
        data[f"cat{j}"] = np.array(["low", "mid", "high"])[np.minimum(idx, 2)]
    data["binary"] = (rng.random(n) < np.array([0.1, 0.9, 0.5])[z]).astype(int)
    data["score"] = rng.normal(np.array([0.0, 3.0, -3.0])[z], 1.0)
    data["age"] = rng.normal(np.array([30.0, 45.0, 60.0])[z], 5.0)
    data["contacts"] = rng.poisson(np.array([1.0, 6.0, 15.0])[z]).astype(float)
    X = pd.DataFrame(data)
    X["cat3"] = pd.Categorical(X["cat3"], categories=["low", "mid", "high"])
    if missing:
        mask = rng.random(X.shape) < missing
        for j, col in enumerate(X.columns):
            X.loc[mask[:, j], col] = np.nan
    return X, z


MEASUREMENT = {
    "cat0": "categorical", "cat1": "categorical", "cat2": "categorical",
    "cat3": "categorical", "binary": "categorical", "score": "gaussian", "age": "gaussian",
    "contacts": "poisson",
}


@pytest.fixture(scope="module")
def mixed():
    return simulate_mixed()


@pytest.fixture(scope="module")
def fitted(mixed):
    X, _ = mixed
    return LatentClassModel(3, measurement=MEASUREMENT, n_init=3, random_state=0).fit(X)


# --------------------------------------------------------------------------- published numbers


@pytest.mark.parametrize(
    ("n_classes", "loglik", "npar", "n_init"),
    [(1, -543.6498, 4, 1), (2, -504.4677, 9, 4), (3, -503.3011, 14, 8)],
)
def test_stouffer_toby_published_loglik(n_classes, loglik, npar, n_init):
    """Stouffer-Toby role-conflict data, unrestricted latent class models.

    Results have been tested against the maximum log-likelihoods published for these data
    by Goodman (1974, Biometrika 61:215-231) and reported by poLCA for its ``values`` data
    (Linzer & Lewis 2011, J Stat Softw 42(10)): -543.6498 (1 class), -504.4677 (2 classes)
    and -503.3011 (3 classes; weakly identified, so several starts are needed). The data
    are from Stouffer & Toby (1951, Am J Sociol 56:395-406). poLCA counts
    npar = (K-1) + K * sum_j (L_j - 1) and BIC = -2 LL + npar log(n).
    """
    table = load_values()
    X, counts = table[["A", "B", "C", "D"]], table["count"].to_numpy()
    model = LatentClassModel(n_classes, n_init=n_init, tol=1e-9, max_iter=5000,
                             random_state=0).fit(X, sample_weight=counts)
    assert model.loglik_ == pytest.approx(loglik, abs=1e-3)
    assert model.n_parameters_ == npar
    bic = model.bic(X, sample_weight=counts)
    assert bic == pytest.approx(-2 * loglik + npar * np.log(216), abs=2e-3)


def test_stouffer_toby_rows_equal_weighted_patterns():
    """One row per respondent gives exactly the fit on weighted patterns (same starts)."""
    table = load_values()
    rows = load_values(expand=True)
    assert len(rows) == 216
    a = LatentClassModel(2, n_init=2, random_state=3).fit(rows)
    b = LatentClassModel(2, n_init=2, random_state=3).fit(
        table[["A", "B", "C", "D"]], sample_weight=table["count"])
    assert a.loglik_ == pytest.approx(b.loglik_, rel=1e-12)
    assert a.score_samples(rows).sum() == pytest.approx(a.loglik_, rel=1e-10)
    assert a.bic(rows) == pytest.approx(-2 * a.loglik_ + 9 * np.log(216), rel=1e-10)
    np.testing.assert_allclose(a.predict_proba(rows), b.predict_proba(rows), atol=1e-10)


# --------------------------------------------------------------------------- sklearn contract


def _expected_failures(estimator):
    if estimator.measurement == "categorical":
        return {
            "check_clustering": (
                "The check clusters continuous blobs; modelled as categorical every float is "
                "its own level and carries no notion of closeness, so the partition cannot "
                "follow the blobs. The gaussian instance passes this check."
            ),
        }
    return {}


@parametrize_with_checks(
    [
        LatentClassModel(measurement="gaussian", random_state=0),
        LatentClassModel(measurement="categorical", handle_unknown="missing", random_state=0),
    ],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


# --------------------------------------------------------------------------- recovery


def test_mixed_types_recovery(mixed, fitted):
    X, z = mixed
    assert fitted.converged_
    assert adjusted_rand_score(z, fitted.labels_) >= 0.9
    assert set(fitted.measurement_.values()) == {"categorical", "gaussian", "poisson"}
    assert list(fitted.categories_["cat3"]) == ["low", "mid", "high"]
    # class-specific rates recovered (up to label order)
    np.testing.assert_allclose(np.sort(fitted.rates_["contacts"]), [1.0, 6.0, 15.0], rtol=0.15)
    np.testing.assert_allclose(np.sort(fitted.weights_), [0.2, 0.3, 0.5], atol=0.04)
    # K-1 + K*(4*(3-1) + (2-1)) + 2K*2 + K
    assert fitted.n_parameters_ == 2 + 3 * 9 + 12 + 3


def test_missing_mcar_converges_and_recovers():
    X, z = simulate_mixed(missing=0.2, seed=1)
    assert 0.15 < X.isna().to_numpy().mean() < 0.25
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning, no RuntimeWarning
        model = LatentClassModel(3, measurement=MEASUREMENT, n_init=3, random_state=0).fit(X)
    assert model.converged_
    assert adjusted_rand_score(z, model.labels_) >= 0.85
    # a row with every cell missing contributes log-likelihood 0 and gets the class shares
    empty = X.iloc[:1].copy()
    empty.loc[:, :] = np.nan
    empty = empty.astype({"cat3": X["cat3"].dtype})
    assert model.score_samples(empty)[0] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(model.predict_proba(empty)[0], model.weights_, atol=1e-12)


def test_kmeans_init_and_numpy_input(mixed):
    X, z = mixed
    arr = X[["score", "age"]].to_numpy()
    model = LatentClassModel(3, measurement="gaussian", init="kmeans", n_init=2,
                             random_state=0).fit(arr)
    assert not hasattr(model, "feature_names_in_")
    assert adjusted_rand_score(z, model.predict(arr)) >= 0.85
    assert set(model.means_) == {0, 1}


def test_kmeans_init_with_categorical_columns(mixed, fitted):
    # small data hold the indicator design dense: k-means starts must work on it too
    X, z = mixed
    model = LatentClassModel(3, measurement=MEASUREMENT, init="kmeans", n_init=2,
                             random_state=0).fit(X)
    assert adjusted_rand_score(z, model.labels_) >= 0.85
    assert model.loglik_ == pytest.approx(fitted.loglik_, rel=1e-6)


def test_zero_cells_no_warnings():
    # item 'b' is always 1 in class 0 and always 0 in class 1: zero cells in both classes
    rng = np.random.default_rng(5)
    z = np.repeat([0, 1], 100)
    X = pd.DataFrame({"a": np.where(z == 0, 1, 0), "b": np.where(z == 0, 1, 0),
                      "c": rng.integers(0, 3, 200)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LatentClassModel(2, n_init=3, random_state=0).fit(X)
        proba = model.predict_proba(X)
    assert np.isfinite(model.loglik_)
    assert adjusted_rand_score(z, model.labels_) == 1.0
    assert np.all(np.isfinite(proba))
    assert model.probabilities_["a"].min() >= 0.99e-10  # floored, never 0


# --------------------------------------------------------------------------- contract details


def test_fit_predict_equals_fit_then_predict_and_seed_reproducible(mixed):
    X, _ = mixed
    X_before = X.copy()
    est = LatentClassModel(3, measurement=MEASUREMENT, n_init=2, random_state=7)
    labels = est.fit_predict(X)
    np.testing.assert_array_equal(labels, est.predict(X))
    again = LatentClassModel(3, measurement=MEASUREMENT, n_init=2, random_state=7).fit(X)
    np.testing.assert_array_equal(again.labels_, labels)
    assert again.loglik_ == est.loglik_
    pd.testing.assert_frame_equal(X, X_before)  # input untouched


def test_information_criteria_by_hand(fitted, mixed):
    X, _ = mixed
    ll = fitted.score_samples(X)
    n, p = len(X), fitted.n_parameters_
    assert ll.sum() == pytest.approx(fitted.loglik_, rel=1e-10)
    assert fitted.score(X) == pytest.approx(ll.mean())
    assert fitted.bic(X) == pytest.approx(-2 * ll.sum() + p * np.log(n))
    assert fitted.aic(X) == pytest.approx(-2 * ll.sum() + 2 * p)
    assert fitted.sabic(X) == pytest.approx(-2 * ll.sum() + p * np.log((n + 2) / 24))
    assert fitted.caic(X) == pytest.approx(-2 * ll.sum() + p * (np.log(n) + 1))
    R = fitted.predict_proba(X)
    np.testing.assert_allclose(R.sum(axis=1), 1.0)
    ent = 1 + (R * np.log(R + 1e-300)).sum() / (n * np.log(3))
    assert fitted.entropy(X) == pytest.approx(ent)
    assert 0.8 < fitted.entropy(X) <= 1
    lab = R.argmax(axis=1)
    avepp = fitted.average_posterior(X)
    for k in range(3):
        assert avepp[k] == pytest.approx(R[lab == k, k].mean())
    assert np.isnan(LatentClassModel(1).fit(X[["cat0"]]).entropy(X[["cat0"]]))


def test_parameters_frame_and_sample(fitted):
    frame = fitted.parameters_frame()
    assert list(frame.columns) == ["parameter", "variable", "level", "class", "value",
                                   "scale"]
    assert (frame["scale"] == "raw").all()
    probs = frame[frame.parameter == "probability"]
    sums = probs.groupby(["variable", "class"])["value"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)
    assert set(frame.parameter) == {"class_share", "probability", "mean", "variance", "rate"}
    Xs, labels = fitted.sample(3000, random_state=1)
    assert Xs.shape == (3000, 8) and labels.shape == (3000,)
    assert set(Xs["cat0"]) <= {"low", "mid", "high"}
    assert (Xs["contacts"] >= 0).all()
    # the sample is scored by the model it came from, and refitting recovers its classes
    refit = LatentClassModel(3, measurement=MEASUREMENT, n_init=2, random_state=0).fit(Xs)
    assert adjusted_rand_score(labels, refit.labels_) >= 0.9


def test_to_dict_round_trip(fitted, mixed):
    X, _ = mixed
    d = json.loads(json.dumps(fitted.to_dict()))
    assert d["n_components"] == 3 and len(d["columns"]) == 8
    assert d["columns"][0] == {
        "name": "cat0", "measurement": "categorical", "levels": ["high", "low", "mid"],
        "probabilities": fitted.probabilities_["cat0"].tolist()}
    loaded = LatentClassModel.from_dict(d)
    np.testing.assert_allclose(loaded.predict_proba(X), fitted.predict_proba(X), rtol=1e-12)
    np.testing.assert_allclose(loaded.score_samples(X), fitted.score_samples(X), rtol=1e-12)
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))
    assert loaded.n_parameters_ == fitted.n_parameters_
    # array-fitted model: names "0", "1", ... and arrays predict without warnings
    arr = X[["score", "age"]].to_numpy()
    m = LatentClassModel(3, measurement="gaussian", random_state=0).fit(arr)
    d2 = m.to_dict()
    assert [c["name"] for c in d2["columns"]] == ["0", "1"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(LatentClassModel.from_dict(d2).predict_proba(arr),
                                   m.predict_proba(arr), rtol=1e-12)
    with pytest.raises(ValueError, match="probabilities"):
        bad = json.loads(json.dumps(fitted.to_dict()))
        bad["columns"][0]["probabilities"][0] = [0.5, 0.5]
        LatentClassModel.from_dict(bad)


def test_unseen_level(fitted, mixed):
    X, _ = mixed
    new = X.iloc[:5].copy()
    new["cat0"] = new["cat0"].astype(object)
    new.loc[new.index[0], "cat0"] = "unheard"
    with pytest.raises(ValueError, match=r"'cat0'.*'unheard'"):
        fitted.predict(new)
    lenient = LatentClassModel.from_dict(fitted.to_dict())
    lenient.set_params(handle_unknown="missing")
    as_missing = new.copy()
    as_missing.loc[as_missing.index[0], "cat0"] = np.nan
    np.testing.assert_allclose(lenient.predict_proba(new), lenient.predict_proba(as_missing))


def test_convergence_warning_says_what_to_try(mixed):
    X, _ = mixed
    with pytest.warns(ConvergenceWarning, match="max_iter.*n_init"):
        model = LatentClassModel(3, measurement=MEASUREMENT, max_iter=2, random_state=0).fit(X)
    assert not model.converged_ and model.n_iter_ == 2


# --------------------------------------------------------------------------- lognormal


def simulate_skewed(n=1200, seed=0):
    """3 classes; two skewed columns >= 0 and one binary column.

    ``years_known`` is ``expm1(|y|)`` with ``y`` normal per class (a lognormal on the log1p
    scale folded at 0, which touches about 2% of the rows), ``cost`` is lognormal.
    """
    rng = np.random.default_rng(seed)
    z = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    X = pd.DataFrame({
        "years_known": np.expm1(np.abs(rng.normal(np.array([0.7, 1.6, 2.5])[z], 0.4))),
        "cost": rng.lognormal(np.array([3.0, 5.0, 6.5])[z], 0.6),
        "crisis": (rng.random(n) < np.array([0.1, 0.5, 0.9])[z]).astype(int),
    })
    return X, z


def _skewed_measurement(kind):
    return {"years_known": kind, "cost": kind, "crisis": "categorical"}


def test_lognormal_recovers_classes_and_beats_gaussian_in_bic():
    X, z = simulate_skewed()
    before = X.copy()
    bic = {}
    for kind, ks in (("lognormal", range(2, 5)), ("gaussian", range(2, 6))):
        for k in ks:
            m = LatentClassModel(k, measurement=_skewed_measurement(kind), n_init=3,
                                 random_state=0).fit(X)
            bic[kind, k] = m.bic(X)
            if (kind, k) == ("lognormal", 3):
                best = m
    pd.testing.assert_frame_equal(X, before)  # the user's data are not modified
    # both likelihoods are densities of the raw x, so their BICs are comparable
    assert min(range(2, 5), key=lambda k: bic["lognormal", k]) == 3
    assert all(bic["lognormal", 3] < bic["gaussian", k] for k in range(2, 6))
    # gaussians need extra classes for the skew: BIC keeps falling beyond the true k
    assert min(range(2, 6), key=lambda k: bic["gaussian", k]) > 3
    assert best.converged_
    assert adjusted_rand_score(z, best.labels_) >= 0.85
    assert best.n_parameters_ == 2 + 3 * 1 + 2 * 3 * 2
    # class means of log1p(cost) recovered (cost is lognormal: log1p(x) ~ log(x) here)
    np.testing.assert_allclose(np.sort(best.means_["cost"]), [3.0, 5.0, 6.5], atol=0.15)
    frame = best.parameters_frame()
    cost = frame[frame.variable == "cost"]
    assert set(cost.parameter) == {"mean_log1p", "variance_log1p"}
    assert (cost.scale == "log1p").all()
    assert (frame.loc[frame.variable == "crisis", "scale"] == "raw").all()
    Xs, labels = best.sample(2000, random_state=1)
    assert (Xs[["years_known", "cost"]] >= 0).all().all()
    refit = LatentClassModel(3, measurement=_skewed_measurement("lognormal"), n_init=2,
                             random_state=0).fit(Xs)
    assert adjusted_rand_score(labels, refit.labels_) >= 0.85


def test_lognormal_likelihood_includes_the_jacobian():
    from scipy.stats import norm

    rng = np.random.default_rng(3)
    x = rng.lognormal(1.0, 0.8, 300)
    x[::7] = np.nan
    X = pd.DataFrame({"years_known": x})
    m = LatentClassModel(1, measurement="lognormal").fit(X)
    y = np.log1p(x)
    mu, var = np.nanmean(y), np.nanvar(y)  # the 1-class MLE
    assert m.means_["years_known"][0] == pytest.approx(mu, rel=1e-12)
    assert m.variances_["years_known"][0] == pytest.approx(var, rel=1e-12)
    by_hand = np.where(np.isnan(x), 0.0, norm.logpdf(y, mu, np.sqrt(var)) - y)
    np.testing.assert_allclose(m.score_samples(X), by_hand, rtol=1e-12, atol=1e-12)
    assert m.loglik_ == pytest.approx(by_hand.sum(), rel=1e-12)
    assert m.score(X) == pytest.approx(by_hand.mean(), rel=1e-12)
    assert m.bic(X) == pytest.approx(-2 * by_hand.sum() + 2 * np.log(300), rel=1e-12)


def test_lognormal_is_gaussian_on_log1p_plus_a_class_free_term():
    X, _ = simulate_skewed(n=600, seed=2)
    X.loc[X.index[::9], "cost"] = np.nan
    logged = X.assign(years_known=np.log1p(X["years_known"]), cost=np.log1p(X["cost"]))
    a = LatentClassModel(3, measurement=_skewed_measurement("lognormal"), n_init=2,
                         random_state=0).fit(X)
    b = LatentClassModel(3, measurement=_skewed_measurement("gaussian"), n_init=2,
                         random_state=0).fit(logged)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(logged), atol=1e-10)
    np.testing.assert_allclose(a.means_["cost"], b.means_["cost"], rtol=1e-10)
    jacobian = logged[["years_known", "cost"]].sum(axis=1, skipna=True).to_numpy()
    np.testing.assert_allclose(a.score_samples(X), b.score_samples(logged) - jacobian,
                               rtol=1e-12, atol=1e-9)
    assert a.n_parameters_ == b.n_parameters_


def test_lognormal_negative_values_and_round_trip():
    X, _ = simulate_skewed(n=400, seed=4)
    meas = _skewed_measurement("lognormal")
    bad = X.copy()
    bad.loc[bad.index[5], "years_known"] = -2.0
    msg = (r"Column 'years_known' is modelled as 'lognormal' but has negative values "
           r"\(minimum -2\.0\); use 'gaussian' for signed data\.")
    with pytest.raises(ValueError, match=msg):
        LatentClassModel(2, measurement=meas).fit(bad)
    with pytest.raises(ValueError, match="'years_known'.*constant"):
        LatentClassModel(2, measurement="lognormal").fit(pd.DataFrame({"years_known": [2.0] * 4}))
    X.loc[X.index[::5], "cost"] = np.nan
    m = LatentClassModel(3, measurement=meas, n_init=2, random_state=0).fit(X)
    with pytest.raises(ValueError, match=msg):
        m.predict(bad)
    d = json.loads(json.dumps(m.to_dict()))
    assert d["columns"][0] == {"name": "years_known", "measurement": "lognormal",
                               "means": m.means_["years_known"].tolist(),
                               "variances": m.variances_["years_known"].tolist()}
    loaded = LatentClassModel.from_dict(d)
    assert loaded.measurement_ == m.measurement_
    np.testing.assert_allclose(loaded.predict_proba(X), m.predict_proba(X), rtol=1e-12)
    np.testing.assert_allclose(loaded.score_samples(X), m.score_samples(X), rtol=1e-12)
    assert loaded.n_parameters_ == m.n_parameters_
    d["columns"][0]["variances"][1] = -1.0
    with pytest.raises(ValueError, match=r"columns\[0\].*positive"):
        LatentClassModel.from_dict(d)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "frame", "error", "match"),
    [
        ({"n_components": 5}, {"a": [1, 2, 1]}, ValueError, "n_samples=3 should be >= "),
        ({"measurement": "ordered"}, {"a": [1, 2, 1]}, ValueError, "'measurement'"),
        ({"measurement": {"a": "categorical", "zz": "gaussian"}}, {"a": [1, 2, 1]},
         ValueError, "'zz'"),
        ({"measurement": {"a": "categorical"}}, {"a": [1, 2, 1], "b": [1, 1, 2]},
         ValueError, "no entry for column.*'b'"),
        ({"measurement": {"a": "beta"}}, {"a": [1, 2, 1]}, ValueError, "'beta'.*'a'"),
        ({"measurement": 3}, {"a": [1, 2, 1]}, TypeError, "'measurement'"),
        ({"measurement": "poisson"}, {"a": [1, -2, 1]}, ValueError, "'a'.*negative"),
        ({"measurement": "poisson"}, {"a": [1, 2.5, 1]}, ValueError, "'a'.*non-integer"),
        ({"measurement": "gaussian"}, {"a": [1.0, np.inf, 2.0]}, ValueError, "'a'.*infinity"),
        ({}, {"a": [1.0, np.inf, 2.0]}, ValueError, "'a'.*infinity"),
        ({}, {"a": [np.nan, np.nan, np.nan], "b": [1, 2, 1]}, ValueError, "'a'.*entirely"),
        ({"measurement": "gaussian"}, {"a": [2.0, 2.0, 2.0]}, ValueError, "'a'.*constant"),
        ({"measurement": "gaussian"}, {"a": ["x", "y", "z"]}, TypeError, "'a'.*numeric"),
        ({"init": "pca"}, {"a": [1, 2, 1]}, ValueError, "'init'"),
        ({"n_init": 0}, {"a": [1, 2, 1]}, ValueError, "'n_init'"),
        ({"n_components": 2.5}, {"a": [1, 2, 1]}, TypeError, "'n_components'"),
    ],
)
def test_bad_input(kwargs, frame, error, match):
    X = pd.DataFrame(frame)
    with pytest.raises(error, match=match):
        LatentClassModel(**{"n_components": 2, **kwargs}).fit(X)


def test_bad_types_and_malformed_model_dict(fitted, mixed):
    X, _ = mixed
    for not_a_table in (None, "abc", 3):
        with pytest.raises(TypeError, match="DataFrame or a 2-d array"):
            LatentClassModel(2).fit(not_a_table)
    with pytest.raises(TypeError, match="sample_weight"):
        LatentClassModel(2).fit(X, sample_weight=["a"] * len(X))
    d = fitted.to_dict()
    with pytest.raises(ValueError, match="'columns'.*non-empty list"):
        LatentClassModel.from_dict({**d, "columns": 5})
    with pytest.raises(ValueError, match="'columns'.*non-empty list"):
        LatentClassModel.from_dict({**d, "columns": []})
    with pytest.raises(ValueError, match=r"\['cat0'\] more than once"):
        LatentClassModel.from_dict({**d, "columns": d["columns"] + d["columns"][:1]})
    bad = json.loads(json.dumps(d))
    entry = next(c for c in bad["columns"] if c["measurement"] == "poisson")
    entry["rates"][0] = float("inf")
    with pytest.raises(ValueError, match="positive finite rates"):
        LatentClassModel.from_dict(bad)


def test_bad_sample_weight_and_constant_categorical():
    X = pd.DataFrame({"a": [1, 2, 1, 2], "b": [0, 0, 0, 0]})
    with pytest.raises(ValueError, match="sample_weight"):
        LatentClassModel(2).fit(X, sample_weight=[1, 2])
    with pytest.raises(ValueError, match="sample_weight"):
        LatentClassModel(2).fit(X, sample_weight=[1, -1, 1, 1])
    # a constant categorical column is allowed: one level, no free parameter
    model = LatentClassModel(2, random_state=0).fit(X)
    assert model.n_parameters_ == 1 + 2 * 1


def test_single_threaded_blas_context_limits_blas_and_restores_it():
    from threadpoolctl import threadpool_info, threadpool_limits

    from clusterdiscovery.models._latent_class import _single_threaded_blas

    def blas_threads():
        return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}

    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        for _ in range(2):  # the controller is reused
            with _single_threaded_blas():
                assert blas_threads() <= {1}
        assert blas_threads() == before


def _flat_table():
    """Weakly separated classes: a flat likelihood with close maxima."""
    rng = np.random.default_rng(0)
    z = rng.integers(0, 4, 600)
    P = np.array([[.7, .6, .5, .4], [.3, .6, .5, .55], [.5, .45, .6, .5], [.6, .5, .3, .45],
                  [.4, .5, .55, .6], [.5, .6, .4, .3]])
    return pd.DataFrame({f"i{j}": (rng.random(600) < P[j][z]).astype(int) for j in range(6)})


def test_short_runs_close_to_the_best_are_all_finished():
    """issue 21: finishing only the best short run missed the best maximum on flat
    likelihoods; the runs within the documented margin are finished too, so every seed
    reaches (to 0.01) what finishing every start reaches (19 of 20 seeds before)."""
    from clusterdiscovery.models._latent_class import _near_best

    runs = [(None, -100.0, True, 5), (None, -100.5, True, 5), (None, -150.0, True, 5)]
    assert [r[1] for r in _near_best(runs, 0.001)] == [-100.0, -100.5]
    assert len(_near_best([(None, -1.0, True, 1)] * 9, 0.001)) == 5
    X = _flat_table()
    for seed in range(20):
        every = LatentClassModel(4, n_init=10, start_tol=0, random_state=seed).fit(X)
        short = LatentClassModel(4, n_init=10, random_state=seed).fit(X)
        assert short.loglik_ >= every.loglik_ - 0.01, seed
