"""The latent class model's ordinal item (issue 19.1): the adjacent-category logit
(LatentGOLD's ordinal indicator; Agresti, Categorical Data Analysis, 8.3.4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from sklearn.metrics import adjusted_rand_score

from clusterdiscovery import LatentClassModel, load_model, save_model
from clusterdiscovery.models._ordinal import ordinal_m_step


def simulate(seed, n=2000, items=8):
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 3, n)
    alpha = np.array([0, 0.5, 0.2, -0.3, -1.0])
    beta = np.array([-1.0, 0.0, 1.0])[z]
    eta = alpha[None, :] + np.arange(5)[None, :] * beta[:, None]
    P = np.exp(eta - eta.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    X = pd.DataFrame({f"h{j}": (rng.random(n)[:, None] > np.cumsum(P, 1)).sum(1)
                      for j in range(items)}).astype(float)
    return X, z


def test_m_step_is_the_maximum_of_the_weighted_likelihood():
    rng = np.random.default_rng(1)
    N = rng.gamma(2.0, 10.0, size=(5, 3))
    ours = ordinal_m_step(N)

    def negll(t):
        a, b = np.concatenate([[0.0], t[:4]]), np.concatenate([[0.0], t[4:]])
        eta = a[:, None] + np.arange(5)[:, None] * b[None, :]
        logp = eta - np.log(np.exp(eta).sum(axis=0))
        return -(N * logp).sum()

    ref = minimize(negll, np.zeros(6), method="BFGS", options={"gtol": 1e-10})
    assert -ref.fun == pytest.approx((N * ours).sum(), rel=1e-9)
    np.testing.assert_allclose(np.exp(ours).sum(axis=0), 1.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovery_and_fewer_parameters_than_categorical(seed):
    X, z = simulate(seed)
    o = LatentClassModel(3, measurement="ordinal", n_init=3, random_state=seed).fit(X)
    c = LatentClassModel(3, measurement="categorical", n_init=3, random_state=seed).fit(X)
    assert adjusted_rand_score(z, o.labels_) > 0.6
    assert o.n_parameters_ == 2 + 8 * (4 + 2) and c.n_parameters_ == 2 + 8 * 3 * 4
    assert o.bic(X) < c.bic(X)  # the data are ordinal: the smaller model wins
    assert o.ordinal_items_ == list(X.columns)


def test_a_two_level_ordinal_item_is_a_categorical_one():
    rng = np.random.default_rng(3)
    z = rng.integers(0, 2, 600)
    X = pd.DataFrame({f"b{j}": (rng.random(600) < np.where(z, .8, .2)).astype(float)
                      for j in range(5)})
    o = LatentClassModel(2, measurement="ordinal", n_init=3, random_state=0, tol=1e-10).fit(X)
    c = LatentClassModel(2, measurement="categorical", n_init=3, random_state=0,
                         tol=1e-10).fit(X)
    assert o.loglik_ == pytest.approx(c.loglik_, rel=1e-7)
    assert o.n_parameters_ == c.n_parameters_


def test_missing_values_mixed_items_and_a_model_file(tmp_path):
    X, z = simulate(4, n=1200, items=5)
    X.iloc[:100, 0] = np.nan
    X["age"] = np.random.default_rng(0).normal(40 + 5 * z, 5)
    kinds = {**{f"h{j}": "ordinal" for j in range(5)}, "age": "gaussian"}
    m = LatentClassModel(3, measurement=kinds, n_init=2, random_state=0).fit(X)
    assert m.ordinal_items_ == [f"h{j}" for j in range(5)]
    save_model(tmp_path / "m.json", m, X=X)
    got = load_model(tmp_path / "m.json").assign(X)
    np.testing.assert_array_equal(got["label"].to_numpy(), m.predict(X))
    with pytest.raises(ValueError, match="'measurement'"):
        LatentClassModel(2, measurement="ordered").fit(X)


def test_discover_models_ordinal_features_as_ordinal_items_when_asked():
    import warnings

    from clusterdiscovery import discover
    from clusterdiscovery.datasets import make_client_population

    pop = make_client_population(400, 3, random_state=0)
    cfg = {"models": {"families": ["latent_class"], "k_min": 3, "k_max": 3, "n_init": 1,
                      "ordinal": "ordinal"},
           "stability": {"n_resamples": 2, "screen_resamples": 2},
           "profile": {"n_bootstrap": 20}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = discover(cfg, data=pop, out=None, random_state=0)
    assert study.record["measurement"]["honos_1"] == "ordinal"
    assert "honos_1" in study.model.ordinal_items_
    with pytest.raises(ValueError, match=r"\[models\] ordinal = 'ranked'"):
        discover({"models": {"ordinal": "ranked"}})
