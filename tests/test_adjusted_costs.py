"""Case-mix adjusted costs: two-part model with recycled predictions."""

import numpy as np
import pandas as pd
import pytest

from clusterdiscovery.exceptions import ModelSpecError
from clusterdiscovery.profiling import profile_clusters
from clusterdiscovery.profiling._adjusted import adjusted_costs, covariate_matrix


def _data(effect, seed=0, n=900):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    age = rng.normal(35 + 12 * labels, 8)  # clusters differ in case mix
    sex = rng.choice(["f", "m"], n)
    lin = -2.0 + 0.05 * age + effect[labels]
    p_any = 1 / (1 + np.exp(-(lin - 0.5)))
    mu = np.exp(3.0 + 0.04 * age + effect[labels])
    cost = np.where(rng.random(n) < p_any, rng.gamma(2.0, mu / 2.0), 0.0)
    df = pd.DataFrame({"age": age, "sex": sex, "cost": cost},
                      index=pd.Index([f"c{i}" for i in range(n)], name="client_id"))
    return df, labels


def test_age_explains_the_difference_adjusted_means_agree():
    df, labels = _data(np.zeros(3))
    prof = profile_clusters(df, labels, features=["sex"], costs="cost", n_bootstrap=100,
                            random_state=0, adjust_for=["age", "sex"])
    t = prof.adjusted_costs.loc["cost"]
    raw = t.loc[[0, 1, 2], "mean"].to_numpy(dtype=float)
    adj = t.loc[[0, 1, 2], "adjusted_mean"].to_numpy(dtype=float)
    assert raw[2] > 1.8 * raw[0]  # older clients cost more
    # same case mix -> same expected cost: every interval covers the others' estimates
    lo = t.loc[[0, 1, 2], "ci_low"].to_numpy(dtype=float)
    hi = t.loc[[0, 1, 2], "ci_high"].to_numpy(dtype=float)
    assert np.all(lo < adj.mean()) and np.all(hi > adj.mean())
    assert adj.max() / adj.min() < 1.3
    assert any("two-part" in note for note in prof.notes)


def test_cluster_effect_is_kept_after_adjustment():
    df, labels = _data(np.array([0.0, 0.0, 0.7]), seed=1)
    Z, names = covariate_matrix(df, ["age", "sex"])
    assert names == ["age", "sex=m"]
    est, ci = adjusted_costs(df["cost"].to_numpy(), labels, 3, Z, n_bootstrap=50,
                             rng=np.random.default_rng(0))
    assert est[2] / est[0] > 1.5  # exp(0.7) ~ 2 on the positive part
    assert np.all(ci[:, 0] <= est) and np.all(ci[:, 1] >= est)
    # recycled prediction with weights: integer weights equal repeated rows (point estimate)
    w = np.random.default_rng(2).integers(1, 3, len(df))
    a, _ = adjusted_costs(df["cost"].to_numpy(), labels, 3, Z, weights=w, n_bootstrap=10)
    idx = np.repeat(np.arange(len(df)), w)
    b, _ = adjusted_costs(df["cost"].to_numpy()[idx], labels[idx], 3, Z[idx], n_bootstrap=10)
    np.testing.assert_allclose(a, b, rtol=1e-6)


def test_bad_adjustment_covariates_are_named():
    df, labels = _data(np.zeros(3))
    kw = {"features": ["sex"], "costs": "cost", "n_bootstrap": 20}
    with pytest.raises(ValueError, match="'agex'"):
        profile_clusters(df, labels, adjust_for=["agex"], **kw)
    nan = df.copy()
    nan.iloc[0, 0] = np.nan
    with pytest.raises(ValueError, match="'age' has 1 missing"):
        profile_clusters(nan, labels, adjust_for=["age"], **kw)
    with pytest.raises(ModelSpecError, match="'site' is constant"):
        profile_clusters(df.assign(site="a"), labels, adjust_for=["age", "site"], **kw)
    with pytest.raises(ModelSpecError, match="collinear"):
        profile_clusters(df.assign(age2=2 * df["age"]), labels, adjust_for=["age", "age2"],
                         **kw)
