"""Costs by cluster: BCa intervals against scipy.stats.bootstrap, the cost table, and
variance explained (in sample and cross-validated)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from clusterdiscovery.profiling import profile_clusters
from clusterdiscovery.profiling._bootstrap import (
    bca_from_replicates,
    bca_interval_mean,
    bootstrap_means,
)
from clusterdiscovery.profiling._costs import variance_explained


def _skewed(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.lognormal(7.0, 1.2, n)
    x[rng.random(n) < 0.2] = 0.0  # a fifth with no cost, as in service data
    return x


def test_bca_equals_scipy_for_the_same_resamples():
    x = _skewed(150, 0)
    res = stats.bootstrap((x,), np.mean, n_resamples=3000, method="BCa",
                          rng=np.random.default_rng(5))
    low, high, _, _ = bca_from_replicates(x, res.bootstrap_distribution, 0.05)
    assert low == pytest.approx(res.confidence_interval.low, rel=1e-10)
    assert high == pytest.approx(res.confidence_interval.high, rel=1e-10)


def test_bca_acceleration_matches_jackknife_definition():
    x = _skewed(40, 1)
    jack = np.array([np.delete(x, i).mean() for i in range(x.size)])
    u = jack.mean() - jack
    expected = np.sum(u ** 3) / (6 * np.sum(u ** 2) ** 1.5)
    _, _, _, accel = bca_from_replicates(x, bootstrap_means(x, 100, np.random.default_rng(0)))
    assert accel == pytest.approx(expected, rel=1e-9)


def test_bca_agrees_with_scipy_within_monte_carlo_error():
    x = _skewed(400, 2)
    lo, hi = bca_interval_mean(x, 20000, np.random.default_rng(3))
    res = stats.bootstrap((x,), np.mean, n_resamples=20000, method="BCa",
                          rng=np.random.default_rng(4))
    se = x.std(ddof=1) / np.sqrt(x.size)
    # the two Monte Carlo runs differ by a few percent of a standard error
    assert abs(lo - res.confidence_interval.low) < 0.1 * se
    assert abs(hi - res.confidence_interval.high) < 0.1 * se
    assert lo < x.mean() < hi


def test_bootstrap_means_are_resample_means():
    x = np.arange(10.0)
    rng = np.random.default_rng(0)
    reps = bootstrap_means(x, 7, rng)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 10, size=(7, 10), dtype=np.int32)
    np.testing.assert_allclose(reps, x[idx].mean(axis=1))


def _data(seed=0):
    rng = np.random.default_rng(seed)
    lab = np.repeat([0, 1, 2], [60, 80, 100])
    cost = np.r_[_skewed(60, 1) * 3, _skewed(80, 2), _skewed(100, 3) * 0.5]
    df = pd.DataFrame({"age": rng.normal(40, 10, lab.size), "cost": cost,
                       "years": rng.uniform(0.5, 3.0, lab.size)},
                      index=pd.Index([f"C{i:06d}" for i in range(lab.size)], name="client_id"))
    return df, lab


def test_cost_table_values():
    df, lab = _data()
    p = profile_clusters(df, lab, costs="cost", exposure="years", n_bootstrap=200,
                         random_state=0)
    c = p.costs
    assert list(c.index) == [0, 1, 2, "overall"]
    for k in range(3):
        x = df["cost"].to_numpy()[lab == k]
        assert c.loc[k, "n"] == x.size
        assert c.loc[k, "mean"] == pytest.approx(x.mean())
        assert c.loc[k, "median"] == pytest.approx(np.median(x))
        assert c.loc[k, "total"] == pytest.approx(x.sum())
        assert c.loc[k, "share_zero"] == pytest.approx(np.mean(x == 0))
        assert c.loc[k, "cost_per_client_year"] == pytest.approx(
            x.sum() / df["years"].to_numpy()[lab == k].sum())
        assert c.loc[k, "ci_low"] < c.loc[k, "mean"] < c.loc[k, "ci_high"]
    assert c.loc[[0, 1, 2], "share_of_total"].sum() == pytest.approx(1.0)


def test_variance_explained_in_sample_and_cross_validated():
    df, lab = _data()
    p = profile_clusters(df, lab, costs="cost", n_bootstrap=100, random_state=0)
    ve = p.variance_explained
    y = df["cost"].to_numpy()
    ssb = sum((lab == k).sum() * (y[lab == k].mean() - y.mean()) ** 2 for k in range(3))
    eta2 = ssb / ((y - y.mean()) ** 2).sum()
    assert ve.loc[("cost", "clusters"), "eta2"] == pytest.approx(eta2, rel=1e-10)
    assert ve.loc[("cost", "population mean"), "eta2"] == 0.0
    assert ve.loc[("cost", "clusters"), "r2_cv"] < eta2  # out of sample is lower
    assert ve.loc[("cost", "population mean"), "r2_cv"] < 0  # a mean cannot predict


def test_cross_validated_r2_by_hand():
    y = np.array([1.0, 2, 3, 10, 11, 12, 20, 21])
    codes = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    rng = np.random.default_rng(0)
    out = variance_explained(y, codes, 3, 2, rng)
    folds = np.random.default_rng(0).permutation(8) % 2
    press = 0.0
    for f in range(2):
        tr, te = folds != f, folds == f
        for i in np.flatnonzero(te):
            same = tr & (codes == codes[i])
            pred = y[same].mean() if same.any() else y[tr].mean()
            press += (y[i] - pred) ** 2
    assert out["clusters"][1] == pytest.approx(1 - press / ((y - y.mean()) ** 2).sum())


def test_same_seed_same_intervals_any_n_jobs():
    df, lab = _data()
    a = profile_clusters(df, lab, costs="cost", n_bootstrap=200, random_state=7)
    b = profile_clusters(df, lab, costs="cost", n_bootstrap=200, random_state=7, n_jobs=2)
    pd.testing.assert_frame_equal(a.costs, b.costs)
    c = profile_clusters(df, lab, costs="cost", n_bootstrap=200, random_state=8)
    assert not np.allclose(a.costs["ci_low"], c.costs["ci_low"])


def test_compiled_kernel_draws_the_documented_indices_and_agrees_with_scipy():
    from clusterdiscovery.profiling._kernel import bootstrap_means_compiled, splitmix_indices

    x = _skewed(13, 4)
    means = bootstrap_means_compiled(x, 6, np.random.default_rng(0))
    seeds = np.random.default_rng(0).integers(0, 2**63, size=6, dtype=np.uint64)
    expected = [x[splitmix_indices(13, int(s), 13)].mean() for s in seeds]
    np.testing.assert_allclose(means, expected, rtol=1e-12)
    # its BCa interval matches scipy's within Monte Carlo error
    x = _skewed(400, 2)
    reps = bootstrap_means_compiled(x, 20000, np.random.default_rng(9))
    lo, hi, _, _ = bca_from_replicates(x, reps)
    res = stats.bootstrap((x,), np.mean, n_resamples=20000, method="BCa",
                          rng=np.random.default_rng(4))
    se = x.std(ddof=1) / np.sqrt(x.size)
    assert abs(lo - res.confidence_interval.low) < 0.1 * se
    assert abs(hi - res.confidence_interval.high) < 0.1 * se
