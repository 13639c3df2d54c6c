"""Latent class regression (covariates on class membership): poLCA reproduction, bad input."""

import json

import numpy as np
import pandas as pd
import pytest

from clusterdiscovery.datasets._published import (
    ELECTION_ITEMS,
    default_published_dir,
    load_election,
)
from clusterdiscovery.exceptions import ModelSpecError
from clusterdiscovery.models import LatentClassModel


@pytest.fixture(scope="module")
def election_fit():
    data = load_election()
    data = data.dropna(subset=[*ELECTION_ITEMS, "PARTY"]).reset_index(drop=True)
    model = LatentClassModel(3, n_init=20, tol=1e-11, max_iter=5000, random_state=0)
    model.fit(data[list(ELECTION_ITEMS)], covariates=data[["PARTY"]])
    return data, model


def _contrast(model, ref):
    """Coefficients and SEs of every class against class ``ref`` (any reference)."""
    K, q = model.covariate_coef_.shape
    # full covariance including the (zero, fixed) class-0 row
    V = np.zeros((K * q, K * q))
    V[q:, q:] = model.covariate_cov_
    out = {}
    for k in range(K):
        if k == ref:
            continue
        C = np.zeros((q, K * q))
        C[:, k * q:(k + 1) * q] = np.eye(q)
        C[:, ref * q:(ref + 1) * q] -= np.eye(q)
        coef = model.covariate_coef_[k] - model.covariate_coef_[ref]
        se = np.sqrt(np.diag(C @ V @ C.T))
        out[k] = (coef, se)
    return out


def test_reproduces_polca_election_party(election_fit):
    """poLCA 1.6.0.2, election ~ PARTY, 3 classes (clusterdiscovery/data/published/election_polca_party.json)."""
    data, model = election_fit
    ref = json.loads((default_published_dir() / "election_polca_party.json").read_text())
    assert len(data) == ref["n"]
    assert model.loglik_ == pytest.approx(ref["loglik"], abs=1e-4)
    assert model.n_parameters_ == ref["n_parameters"]
    bic = -2 * model.loglik_ + model.n_parameters_ * np.log(len(data))
    assert bic == pytest.approx(ref["bic"], abs=1e-3)
    # match classes by share
    shares = model.weights_
    order = [int(np.argmin(np.abs(shares - s))) for s in ref["class_shares"]]
    assert sorted(order) == [0, 1, 2]
    np.testing.assert_allclose(shares[order], ref["class_shares"], atol=1e-4)
    contrasts = _contrast(model, order[0])
    for entry, k in zip(ref["coefficients"], order[1:]):
        coef, se = contrasts[k]
        np.testing.assert_allclose(coef, [entry["intercept"], entry["PARTY"]], atol=1e-3)
        np.testing.assert_allclose(se, [entry["se_intercept"], entry["se_PARTY"]], atol=1e-3)


def test_covariate_frame_and_predict_proba(election_fit):
    data, model = election_fit
    frame = model.covariate_frame()
    assert list(frame["covariate"].unique()) == ["intercept", "PARTY"]
    assert len(frame) == 4
    np.testing.assert_allclose(frame["odds_ratio"], np.exp(frame["coef"]))
    np.testing.assert_allclose(frame["z"], frame["coef"] / frame["se"])
    assert ((frame["p_value"] >= 0) & (frame["p_value"] <= 1)).all()
    items = data[list(ELECTION_ITEMS)]
    P = model.predict_proba(items, covariates=data[["PARTY"]])
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_array_equal(P.argmax(axis=1), model.labels_)
    # the prior moves with PARTY: a strong Republican and a strong Democrat with the same
    # answers get different posteriors
    row = items.iloc[[0, 0]]
    P2 = model.predict_proba(row, covariates=pd.DataFrame({"PARTY": [1.0, 7.0]}))
    assert np.abs(P2[0] - P2[1]).max() > 0.05
    with pytest.raises(ValueError, match="covariates"):
        model.predict_proba(items)
    # the dict (and model file) holds the logit: the rebuilt model gives the same posteriors
    again = LatentClassModel.from_dict(json.loads(json.dumps(model.to_dict())))
    np.testing.assert_allclose(again.predict_proba(items, covariates=data[["PARTY"]]), P,
                               rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="covariates"):
        again.predict_proba(items)
    # three-step distal outcomes take the covariates for the posteriors
    from clusterdiscovery.profiling import distal_outcomes

    res = distal_outcomes(model, items, data[["AGE"]].astype(float), covariates=data[["PARTY"]])
    assert res.summary["estimate"].notna().all()


def test_observed_information_close_to_empirical():
    rng = np.random.default_rng(3)
    n = 600
    age = rng.normal(0, 1, n)
    eta = 0.3 + 1.2 * age
    z = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    X = pd.DataFrame({f"i{j}": np.where(rng.random(n) < np.where(z == 1, 0.85, 0.2), 1, 0)
                      for j in range(5)})
    X["score"] = rng.normal(np.where(z == 1, 1.5, 0.0), 1.0)  # mixed item types
    X.loc[rng.random(n) < 0.1, "i0"] = np.nan  # missing items
    cov = pd.DataFrame({"age": age})
    emp = LatentClassModel(2, measurement={**{f"i{j}": "categorical" for j in range(5)},
                                           "score": "gaussian"},
                           n_init=3, random_state=0).fit(X, covariates=cov)
    obs = LatentClassModel(2, measurement=emp.measurement, n_init=3, random_state=0,
                           covariate_information="observed").fit(X, covariates=cov)
    np.testing.assert_allclose(emp.covariate_coef_, obs.covariate_coef_)
    # both estimate the same sampling variance; they differ by O(1/sqrt(n))
    np.testing.assert_allclose(emp.covariate_se_[1], obs.covariate_se_[1], rtol=0.25)
    # recovers the slope (sign depends on which class is class 1)
    slope = emp.covariate_coef_[1, 1]
    assert abs(abs(slope) - 1.2) < 3 * emp.covariate_se_[1, 1]


def _items(n=200, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 2, n)
    p = np.where(z == 1, 0.85, 0.15)
    return pd.DataFrame({f"i{j}": (rng.random(n) < p).astype(int) for j in range(4)}), rng


def test_bad_covariates_name_the_column():
    X, rng = _items()
    model = LatentClassModel(2, random_state=0)
    nan = pd.DataFrame({"age": rng.normal(size=200)})
    nan.loc[5, "age"] = np.nan
    with pytest.raises(ValueError, match="'age'.*missing"):
        model.fit(X, covariates=nan)
    with pytest.raises(ModelSpecError, match="'sex'.*constant"):
        model.fit(X, covariates=pd.DataFrame({"sex": np.ones(200)}))
    a = rng.normal(size=200)
    col = pd.DataFrame({"a": a, "b": rng.normal(size=200)})
    col["c"] = 2 * col["a"] - col["b"]
    with pytest.raises(ModelSpecError, match="'c' is collinear with \\['a', 'b'\\]"):
        model.fit(X, covariates=col)
    with pytest.raises(TypeError, match="'region'.*get_dummies"):
        model.fit(X, covariates=pd.DataFrame({"region": rng.choice(["n", "s"], 200)}))
    with pytest.raises(ValueError, match="sample_weight"):
        model.fit(X, sample_weight=-np.ones(200))
    with pytest.raises(ValueError, match="sample_weight"):
        model.fit(X, sample_weight=np.zeros(200))
    # nothing the user passed is modified
    assert nan["age"].isna().sum() == 1


def test_integer_weights_equal_row_expansion_with_covariates():
    X, rng = _items(150, seed=1)
    cov = pd.DataFrame({"age": rng.normal(size=150)})
    w = rng.integers(1, 4, 150)
    model = LatentClassModel(2, n_init=2, random_state=0, tol=1e-12, max_iter=5000,
                             weight_type="frequency")
    a = model.fit(X, covariates=cov, sample_weight=w)
    coef_w, ll_w, se_w = a.covariate_coef_.copy(), a.loglik_, a.covariate_se_.copy()
    idx = np.repeat(np.arange(150), w)
    b = LatentClassModel(2, n_init=2, random_state=0, tol=1e-12, max_iter=5000).fit(
        X.iloc[idx].reset_index(drop=True), covariates=cov.iloc[idx].reset_index(drop=True))
    assert ll_w == pytest.approx(b.loglik_, abs=1e-6)
    np.testing.assert_allclose(coef_w, b.covariate_coef_, atol=1e-5)
    np.testing.assert_allclose(se_w, b.covariate_se_, atol=1e-5)


def test_squarem_covariate_em_reaches_the_plain_em_maximum():
    """The covariate EM accelerated by SQUAREM (the default) and the plain EM reach the same
    maximum from the same starts: log-likelihood, shares and coefficients agree."""
    X, rng = _items(300, seed=3)
    cov = pd.DataFrame({"age": rng.normal(size=300)})
    fits = {acc: LatentClassModel(2, n_init=3, random_state=0, tol=1e-12, max_iter=5000,
                                  accelerate=acc).fit(X, covariates=cov)
            for acc in ("squarem", "none")}
    fast, plain = fits["squarem"], fits["none"]
    assert fast.converged_ and plain.converged_
    assert fast.loglik_ == pytest.approx(plain.loglik_, abs=1e-6)
    order_f, order_p = np.argsort(fast.weights_), np.argsort(plain.weights_)
    np.testing.assert_allclose(fast.weights_[order_f], plain.weights_[order_p], atol=1e-5)
    # the same classes in the same order: coefficients against class 0 agree
    if np.array_equal(order_f, order_p):
        np.testing.assert_allclose(fast.covariate_coef_, plain.covariate_coef_, atol=1e-4)
    else:
        np.testing.assert_allclose(np.abs(fast.covariate_coef_),
                                   np.abs(plain.covariate_coef_), atol=1e-4)


def test_model_file_with_covariates_round_trip(election_fit, tmp_path):
    """A latent class regression is written as a format 1.1 model file: the logit
    coefficients and covariate names; assign reads the covariates beside the items and
    reproduces predict_proba(X, covariates=Z); every fault in the block is named."""
    import jsonschema

    from clusterdiscovery.persistence import load_model, save_model

    data, model = election_fit
    items, party = data[list(ELECTION_ITEMS)], data[["PARTY"]]
    table = items.join(party)
    with pytest.raises(ModelSpecError, match="covariates.*PARTY"):
        save_model(tmp_path / "m.json", model, X=items)  # cannot be checked without them
    save_model(tmp_path / "m.json", model, X=table)
    doc = json.loads((tmp_path / "m.json").read_text())
    # covariates need 1.1; the training ranges stored beside them make it 1.2
    assert doc["format_version"] == "1.2" and set(doc["ranges"]) >= {"PARTY"}
    cov = doc["model"]["parameters"]["covariates"]
    assert cov["names"] == ["PARTY"]
    np.testing.assert_allclose(cov["coefficients"], model.covariate_coef_, rtol=1e-15)
    from pathlib import Path

    schema = Path(__file__).parents[1] / "docs" / "model_file.schema.json"
    jsonschema.validate(doc, json.loads(schema.read_text()))  # the docs describe the block
    loaded = load_model(tmp_path / "m.json")
    assert loaded.covariates == ["PARTY"]
    out = loaded.assign(table)
    P = model.predict_proba(items, covariates=party)
    np.testing.assert_allclose(out[["p_0", "p_1", "p_2"]].to_numpy(), P, rtol=0, atol=1e-12)
    assert not out["out_of_range"].any()
    assert (loaded.sizes.to_numpy() == np.bincount(model.labels_, minlength=3)).all()
    # a missing covariate: that client gets the class shares as prior, and is flagged
    gap = table.copy()
    gap.loc[gap.index[0], "PARTY"] = np.nan
    got = loaded.assign(gap)
    assert got["out_of_range"].tolist() == [True] + [False] * (len(gap) - 1)
    no_cov = LatentClassModel.from_dict({k: v for k, v in model.to_dict().items()
                                         if k != "covariates"})  # prior = the class shares
    np.testing.assert_allclose(got.iloc[0][["p_0", "p_1", "p_2"]].to_numpy(float),
                               no_cov.predict_proba(items.iloc[[0]])[0], atol=1e-12)
    np.testing.assert_allclose(got.iloc[1:][["p_0", "p_1", "p_2"]].to_numpy(float), P[1:],
                               atol=1e-12)
    # a missing column, a text covariate
    with pytest.raises(ModelSpecError, match="PARTY"):
        loaded.assign(items)
    assert loaded.assign(items, unknown="missing")["out_of_range"].all()
    with pytest.raises(ModelSpecError, match="Covariate 'PARTY'.*non-numeric"):
        loaded.assign(table.assign(PARTY=["strong"] + [1.0] * (len(table) - 1)))
    # faults in the block are refused with their JSON path
    from clusterdiscovery.persistence import ClusterModel

    def broken(edit):
        d = json.loads(json.dumps(doc))
        edit(d)
        return d

    cases = [
        (lambda d: d.update(format_version="1.0"), r"need format_version 1\.1"),
        (lambda d: d["model"]["parameters"]["covariates"]["coefficients"][0].__setitem__(
            1, 0.5), r"coefficients\[0\].*zeros"),
        (lambda d: d["model"]["parameters"]["covariates"].update(names=["MORALG"]),
         "also clustering columns"),
        (lambda d: d["model"]["parameters"]["covariates"]["coefficients"].pop(),
         r"covariates\.coefficients"),
        (lambda d: d["model"]["parameters"]["covariates"].update(extra=1), "unknown key"),
    ]
    for edit, message in cases:
        with pytest.raises(ModelSpecError, match=message):
            ClusterModel.from_dict(broken(edit))


def test_sampling_weights_give_covariate_errors_invariant_to_their_scale():
    """issue 21: weights times 1,000 shrank covariate_se_ about 31.6 times."""
    X, rng = _items(200, seed=3)
    cov = pd.DataFrame({"age": rng.normal(size=200)})
    w = rng.uniform(0.5, 3, 200)
    fits = [LatentClassModel(2, n_init=2, random_state=0, tol=1e-12, max_iter=5000).fit(
        X, covariates=cov, sample_weight=c * w) for c in (1, 1000)]
    np.testing.assert_allclose(fits[0].covariate_coef_, fits[1].covariate_coef_, atol=1e-6)
    np.testing.assert_allclose(fits[0].covariate_se_, fits[1].covariate_se_, rtol=1e-6)
    freq = LatentClassModel(2, n_init=2, random_state=0, tol=1e-12, max_iter=5000,
                            weight_type="frequency").fit(X, covariates=cov,
                                                         sample_weight=1000 * w)
    np.testing.assert_allclose(freq.covariate_se_[1:] * np.sqrt(1000 * w.sum() / 200),
                               fits[0].covariate_se_[1:], rtol=1e-4)
    with pytest.raises(ValueError, match="'weight_type'"):
        LatentClassModel(2, weight_type="survey").fit(X)


def test_perfect_separation_is_flagged_not_reported_as_significant():
    """issue 21: a covariate that separates a class gave a coefficient of -90 with SE
    1.6e-20, p = 0 and "converged"; it is now flagged as not estimable."""
    from clusterdiscovery.exceptions import ConvergenceWarning

    rng = np.random.default_rng(2)
    z = rng.integers(0, 2, 300)
    X = pd.DataFrame({f"i{j}": (rng.random(300) < np.where(z, .9, .1)).astype(int)
                      for j in range(6)})
    cov = pd.DataFrame({"score": np.where(z, 1.0, -1.0) + rng.uniform(-.5, .5, 300),
                        "age": rng.normal(size=300)})
    with pytest.warns(ConvergenceWarning, match=r"separation.*class 1: 'score'"):
        model = LatentClassModel(2, n_init=3, random_state=0).fit(X, covariates=cov)
    frame = model.covariate_frame().set_index("covariate")
    assert not frame.loc["score", "estimable"]
    assert np.isnan(frame.loc["score", "p_value"]) and np.isnan(frame.loc["score", "se"])
    assert frame.loc["age", "estimable"] and np.isfinite(frame.loc["age", "coef"])
    assert np.isnan(frame.loc["age", "p_value"])  # no error from a singular information
    assert np.isnan(model.covariate_se_[1]).all()
    # without separation nothing is flagged
    cov2 = cov.assign(score=rng.normal(z, 1.0))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ok = LatentClassModel(2, n_init=3, random_state=0).fit(X, covariates=cov2)
    assert ok.covariate_frame()["estimable"].all()
