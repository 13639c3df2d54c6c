"""Sampling weights end to end: integer weights give the results of the expanded data."""

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

from clusterdiscovery.models import LatentClassModel
from clusterdiscovery.selection import compare_models


@pytest.fixture(scope="module")
def weighted_items():
    rng = np.random.default_rng(7)
    n = 300
    z = rng.integers(0, 3, n)
    P = np.array([[0.9, 0.9, 0.1, 0.1], [0.1, 0.1, 0.9, 0.9], [0.9, 0.1, 0.9, 0.1]])
    X = pd.DataFrame((rng.random((n, 4)) < P[z]).astype(int), columns=list("abcd"))
    X["score"] = rng.normal(z * 3.0, 1.0)
    w = rng.integers(1, 4, n)
    idx = np.repeat(np.arange(n), w)
    return X, w, X.iloc[idx].reset_index(drop=True)


def test_compare_models_weights_equal_expansion(weighted_items):
    X, w, Xe = weighted_items
    meas = {**{c: "categorical" for c in "abcd"}, "score": "gaussian"}
    est = {"latent_class": LatentClassModel(2, measurement=meas, n_init=2, tol=1e-10),
           "kmeans": KMeans(n_init=5)}
    a = compare_models(X, est, n_clusters=[2, 3], random_state=0, sample_weight=w).summary
    b = compare_models(Xe, est, n_clusters=[2, 3], random_state=0).summary
    cols = ["loglik", "n_parameters", "aic", "bic", "sabic", "caic", "entropy",
            "smallest_share"]
    la, lb = (t[t["model"] == "latent_class"].set_index("k")[cols] for t in (a, b))
    pd.testing.assert_frame_equal(la, lb, atol=1e-5, rtol=1e-7)
    ka, kb = (t[t["model"] == "kmeans"].set_index("k")["smallest_share"] for t in (a, b))
    pd.testing.assert_series_equal(ka, kb, atol=1e-12)


def test_compare_models_weight_errors(weighted_items):
    X, w, _ = weighted_items
    num = X[["score"]]
    with pytest.raises(TypeError, match="'gmm'.*sample_weight"):
        compare_models(num, {"gmm": GaussianMixture()}, n_clusters=[2], sample_weight=w)
    with pytest.raises(ValueError, match="sample_weight.*negative"):
        compare_models(num, {"km": KMeans()}, n_clusters=[2], sample_weight=-w)
    with pytest.raises(ValueError, match="sample_weight.*zero for every row"):
        compare_models(num, {"km": KMeans()}, n_clusters=[2], sample_weight=0 * w)
    # default families: those without weights are left out
    res = compare_models(num, n_clusters=[2], random_state=0, sample_weight=w)
    assert set(res.summary["model"]) == {"kmeans"}


@pytest.fixture(scope="module")
def clients():
    rng = np.random.default_rng(3)
    n = 360
    labels = rng.integers(0, 3, n)
    df = pd.DataFrame({
        "age": rng.normal(40 + 5 * labels, 10).round(),
        "sex": rng.choice(["f", "m"], n),
        "risk": rng.choice(["low", "mid", "high"], n, p=[0.5, 0.3, 0.2]),
        "cost": rng.gamma(1.0, 300 * (labels + 1)) * (rng.random(n) < 0.8),
        "h0": rng.normal(15, 5, n).round(),
        "wt": rng.integers(1, 4, n),
    }, index=pd.Index([f"c{i}" for i in range(n)], name="client_id"))
    df["h1"] = (df["h0"] - rng.normal(2 * labels, 4)).round()
    df.loc[df.sample(20, random_state=1).index, "age"] = np.nan
    return df, labels


def _profile(df, labels, **kw):
    from clusterdiscovery.profiling import profile_clusters

    return profile_clusters(df, labels, features=["age", "sex", "risk"], costs="cost",
                            outcomes={"honos": ("h0", "h1")}, n_bootstrap=200,
                            random_state=0, **kw)


def test_profile_weights_equal_expansion(clients):
    df, labels = clients
    w = df["wt"].to_numpy()
    a = _profile(df.drop(columns="wt"), labels, sample_weight=w, min_cell_size=0)
    idx = np.repeat(np.arange(len(df)), w)
    e = df.iloc[idx].drop(columns="wt")
    e.index = pd.Index([f"e{i}" for i in range(len(e))], name="client_id")
    b = _profile(e, labels[idx], min_cell_size=0)
    # n rows are client counts (unweighted); everything else equals the expanded data
    stat = a.table1.index.get_level_values("statistic")
    pd.testing.assert_frame_equal(a.table1[stat != "n"], b.table1[stat != "n"], rtol=1e-9)
    assert a.table1.loc[("clients", "", "n"), "overall"] == len(df)
    assert b.table1.loc[("clients", "", "n"), "overall"] == w.sum()
    cols = ["cluster", "variable", "level", "cluster_value", "overall_value", "v_test",
            "p_value", "smd", "eta2"]
    da, db = (p.distinguishing[cols].sort_values(["cluster", "variable", "level"])
              .reset_index(drop=True) for p in (a, b))
    pd.testing.assert_frame_equal(da, db, rtol=1e-7)
    cc = ["mean", "median", "total", "share_of_total", "share_zero"]
    pd.testing.assert_frame_equal(a.costs[cc], b.costs[cc], rtol=1e-9)
    oc = ["baseline_mean", "follow_up_mean", "mean_change", "share_improved",
          "share_deteriorated"]
    pd.testing.assert_frame_equal(a.outcomes[oc], b.outcomes[oc], rtol=1e-9)
    np.testing.assert_allclose(a.variance_explained["eta2"], b.variance_explained["eta2"])
    # bootstrap intervals (clients resampled) bracket the weighted means
    assert (a.costs["ci_low"] < a.costs["mean"]).all()
    assert (a.costs["ci_high"] > a.costs["mean"]).all()


def test_profile_weight_column_and_errors(clients):
    df, labels = clients
    with pytest.warns(UserWarning, match="suppressed"):
        a = _profile(df, labels, sample_weight="wt")
    # suppression counts clients: a cluster's handful of clients without an age is hidden
    # although their weighted count may reach 11
    miss = a.table1.loc[("age", "(missing)", "n")]
    raw = pd.Series(labels[df["age"].isna().to_numpy()]).value_counts()
    for k, cnt in raw.items():
        if cnt < 11:
            assert np.isnan(miss[k])
    assert "wt" not in set(a.table1.index.get_level_values("variable"))
    assert any("weighted" in note for note in a.notes)
    bad = df.assign(wt=df["wt"].astype(float))
    bad.iloc[3, bad.columns.get_loc("wt")] = -1.0
    with pytest.raises(ValueError, match="weight column 'wt'.*negative"):
        _profile(bad, labels, sample_weight="wt")
    with pytest.raises(ValueError, match="weight column 'wt'.*zero for every row"):
        _profile(df.assign(wt=0), labels, sample_weight="wt")
    with pytest.raises(ValueError, match="'nope' is not in the data"):
        _profile(df, labels, sample_weight="nope")
    assert (df["wt"] >= 1).all()  # the caller's data is untouched


def test_discover_uses_the_schema_weight_column(small_population, tmp_path):
    import dataclasses

    from clusterdiscovery import SchemaError
    from clusterdiscovery.pipeline import discover

    quick = {"models": {"k_min": 2, "k_max": 3, "n_init": 1, "families": ["latent_class"]},
             "stability": {"n_resamples": 3, "candidates": 1},
             "profile": {"n_bootstrap": 50}}
    pop = small_population
    schema = dataclasses.replace(pop.schema, weight="svy_wt")
    plain = discover(quick, data={"clients": pop.clients, "events": pop.events,
                                  "schema": pop.schema}, random_state=1)
    clients = pop.clients.assign(svy_wt=2.0)
    weighted = discover(quick, data={"clients": clients, "events": pop.events,
                                     "schema": schema}, random_state=1)
    # every client counted twice: the same fits, twice the log-likelihood
    a = plain.selection.summary.set_index("k")["loglik"]
    b = weighted.selection.summary.set_index("k")["loglik"]
    np.testing.assert_allclose(b, 2 * a, rtol=1e-8)
    assert any("weighted" in note for note in weighted.profile.notes)
    # the stability refits are weighted too (constant weights: the same Jaccards)
    assert weighted.stability.params["weighted"] and not plain.stability.params["weighted"]
    pd.testing.assert_frame_equal(weighted.stability.jaccard, plain.stability.jaccard)
    assert "svy_wt" not in set(weighted.profile.table1.index.get_level_values("variable"))
    bad = clients.copy()
    bad.iloc[0, bad.columns.get_loc("svy_wt")] = -1.0
    with pytest.raises(SchemaError, match="svy_wt"):
        discover(quick, data={"clients": bad, "events": pop.events, "schema": schema})
    with pytest.raises(SchemaError, match="svy_wt"):
        discover(quick, data={"clients": clients.assign(svy_wt=0.0), "events": pop.events,
                              "schema": schema})


def test_stability_refits_use_the_weights(weighted_items):
    """assess_stability(sample_weight=w): every resample's fit is weighted. The latent
    class model's encoded-once resamples give exactly the fits of fitting the drawn rows
    with their weights; constant weights change nothing; other weights change the fits;
    an estimator whose fit takes no weights is refused."""
    from sklearn.cluster import AgglomerativeClustering

    from clusterdiscovery.stability import assess_stability

    X, w, _ = weighted_items
    meas = {**{c: "categorical" for c in "abcd"}, "score": "gaussian"}
    lca = LatentClassModel(3, measurement=meas, n_init=1, tol=1e-8)

    class RowsOnly(LatentClassModel):  # no encoded-once hook: fits the drawn rows
        _row_subsets = None

    rows_only = RowsOnly(3, measurement=meas, n_init=1, tol=1e-8)
    for method in ("bootstrap", "subsample"):
        a = assess_stability(lca, X, n_resamples=4, method=method, random_state=3,
                             sample_weight=w, warn=False)
        b = assess_stability(rows_only, X, n_resamples=4, method=method, random_state=3,
                             sample_weight=w, warn=False)
        np.testing.assert_array_equal(a.reference_labels, b.reference_labels)
        pd.testing.assert_frame_equal(a.jaccard, b.jaccard)
    assert a.params["weighted"]
    km = KMeans(3, n_init=2)
    plain = assess_stability(km, X[["score"]], n_resamples=5, random_state=1, warn=False)
    const = assess_stability(km, X[["score"]], n_resamples=5, random_state=1, warn=False,
                             sample_weight=np.full(len(X), 3.0))
    pd.testing.assert_frame_equal(plain.jaccard, const.jaccard)
    skew = np.where(X["score"] > 4, 50.0, 1.0)
    heavy = assess_stability(km, X[["score"]], n_resamples=5, random_state=1, warn=False,
                             sample_weight=skew)
    assert not np.array_equal(heavy.reference_labels, plain.reference_labels) or \
        not heavy.jaccard.equals(plain.jaccard)
    with pytest.raises(TypeError, match="AgglomerativeClustering.*sample_weight"):
        assess_stability(AgglomerativeClustering(3), X[["score"]], n_resamples=2,
                         sample_weight=w)
    with pytest.raises(ValueError, match="sample_weight.*negative"):
        assess_stability(km, X[["score"]], n_resamples=2, sample_weight=-w)
