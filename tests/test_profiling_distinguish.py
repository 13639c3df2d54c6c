"""v-tests, eta squared, SMD and Benjamini-Hochberg against R (FactoMineR::catdes),
hand computations and scipy."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from clusterdiscovery.profiling import profile_clusters
from clusterdiscovery.profiling._distinguish import vtest_level, vtest_numeric

# The small table below was described with FactoMineR 2.7 (R 4.2, Debian r-cran-factominer):
#
#   library(FactoMineR)
#   cl <- factor(c(rep("c0",7), rep("c1",8), rep("c2",9)))
#   x  <- c(3,5,4,6,5,7,4, 1,2,2,3,1,2,3,2, 4,5,3,4,6,2,5,4,3)
#   g  <- factor(c("a","a","b","a","a","c","a", "b","b","c","b","b","a","c","b",
#                  "c","c","a","b","c","c","a","c","c"))
#   res <- catdes(data.frame(cl=cl, x=x, g=g), num.var=1, proba=1)
#   res$quanti.var; res$quanti; res$category
#
# and the printed v.test / p.value / Eta2 values are copied here (15 significant digits).
X = [3, 5, 4, 6, 5, 7, 4, 1, 2, 2, 3, 1, 2, 3, 2, 4, 5, 3, 4, 6, 2, 5, 4, 3]
G = list("aabaaca") + list("bbcbbacb") + list("ccabccacc")
LABELS = [0] * 7 + [1] * 8 + [2] * 9
R_QUANTI = {  # cluster: (v.test, p.value) of x
    0: (2.48271570061181, 0.0130385102099891),
    1: (-3.40059801393339, 0.000672386260231),
    2: (0.980307495388727, 0.326934355964938),
}
R_ETA2 = (0.551134102666137, 0.000222445905425791)
R_CATEGORY = {  # (cluster, level): (v.test, p.value)
    (0, "a"): (2.289485225540993, 0.0220511753692532),
    (0, "b"): (-0.910253810577717, 0.3626886716131568),
    (0, "c"): (-1.380820703482679, 0.1673340961098399),
    (1, "b"): (2.289485225540993, 0.0220511753692532),
    (1, "c"): (-0.806463283233165, 0.4199757706286179),
    (1, "a"): (-1.406973502155382, 0.1594352462571605),
    (2, "c"): (2.105804852510139, 0.035221307162349),
    (2, "a"): (-0.806463283233165, 0.419975770628618),
    (2, "b"): (-1.380820703482678, 0.167334096109840),
}


@pytest.fixture(scope="module")
def small_profile():
    df = pd.DataFrame({"x": X, "g": G})
    return profile_clusters(df, LABELS, min_cell_size=0, n_bootstrap=50, random_state=0)


def test_vtests_match_factominer_catdes(small_profile):
    d = small_profile.distinguishing.set_index(["cluster", "variable", "level"])
    for k, (v, p) in R_QUANTI.items():
        assert d.loc[(k, "x", ""), "v_test"] == pytest.approx(v, rel=1e-10)
        assert d.loc[(k, "x", ""), "p_value"] == pytest.approx(p, rel=1e-8)
    for (k, level), (v, p) in R_CATEGORY.items():
        assert d.loc[(k, "g", level), "v_test"] == pytest.approx(v, rel=1e-10)
        assert d.loc[(k, "g", level), "p_value"] == pytest.approx(p, rel=1e-8)


def test_eta2_matches_catdes_and_hand_computation(small_profile):
    d = small_profile.distinguishing
    row = d[d["variable"] == "x"].iloc[0]
    assert row["eta2"] == pytest.approx(R_ETA2[0], rel=1e-10)
    assert row["eta2_p_value"] == pytest.approx(R_ETA2[1], rel=1e-8)
    # by hand: between SS / total SS, and scipy's one-way ANOVA
    x = np.array(X, float)
    lab = np.array(LABELS)
    ssb = sum((lab == k).sum() * (x[lab == k].mean() - x.mean()) ** 2 for k in range(3))
    sst = ((x - x.mean()) ** 2).sum()
    assert row["eta2"] == pytest.approx(ssb / sst, rel=1e-12)
    f = stats.f_oneway(*[x[lab == k] for k in range(3)])
    assert row["eta2_p_value"] == pytest.approx(f.pvalue, rel=1e-10)


def test_numeric_vtest_hand_computed():
    # cluster {1, 2, 3} in population {1, ..., 6}: N = 6, n = 3, mean_k = 2, mean = 3.5,
    # population variance s2 = 35/12; v = -1.5 / sqrt(35/12 / 3 * 3/5) = -1.5 / sqrt(7/12)
    v, p = vtest_numeric(2.0, 3, 3.5, 35 / 12, 6)
    assert float(v) == pytest.approx(-1.5 / np.sqrt(7 / 12), rel=1e-12)
    assert float(p) == pytest.approx(2 * stats.norm.sf(1.5 / np.sqrt(7 / 12)), rel=1e-12)


def test_level_vtest_hand_computed():
    # N = 10 clients, 4 with the level, cluster of 5 holds 4 of them.
    # P(X = 4) = C(4,4) C(6,1) / C(10,5) = 6/252; P(X > 4) = 0
    # p = min(2 P(X < 4) + P(X = 4), 2 P(X > 4) + P(X = 4)) = 6/252
    v, p = vtest_level(4, 5, 4, 10)
    assert float(p) == pytest.approx(6 / 252, rel=1e-12)
    assert float(v) == pytest.approx(stats.norm.isf(6 / 252 / 2), rel=1e-10)
    # under-representation gives a negative v-test (X = 0: P = 6/252 too, by symmetry)
    v0, p0 = vtest_level(0, 5, 4, 10)
    assert float(p0) == pytest.approx(6 / 252, rel=1e-12)
    assert float(v0) == pytest.approx(-float(v), rel=1e-12)


def test_level_vtest_stays_finite_when_p_underflows():
    v, p = vtest_level(50_000, 125_000, 200_000, 1_000_000)
    assert np.isfinite(v) and v > 37  # p underflows double precision; v does not
    assert p == 0.0


def test_smd_against_rest_hand_computed(small_profile):
    d = small_profile.distinguishing.set_index(["cluster", "variable", "level"])
    x = np.array(X, float)
    lab = np.array(LABELS)
    a, b = x[lab == 1], x[lab != 1]
    sp = np.sqrt(((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1))
                 / (a.size + b.size - 2))
    assert d.loc[(1, "x", ""), "smd"] == pytest.approx((a.mean() - b.mean()) / sp, rel=1e-10)
    ind = (np.array(G) == "b").astype(float)
    a, b = ind[lab == 1], ind[lab != 1]
    sp = np.sqrt(((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1))
                 / (a.size + b.size - 2))
    assert d.loc[(1, "g", "b"), "smd"] == pytest.approx((a.mean() - b.mean()) / sp, rel=1e-10)


def test_bh_matches_scipy(small_profile):
    d = small_profile.distinguishing
    expected = stats.false_discovery_control(d["p_value"].to_numpy(), method="bh")
    np.testing.assert_allclose(d["p_adjusted"].to_numpy(), expected, rtol=1e-12)


def test_sorted_by_strength_within_cluster(small_profile):
    d = small_profile.distinguishing
    assert list(pd.unique(d["cluster"])) == [0, 1, 2]
    for _, sub in d.groupby("cluster"):
        v = np.abs(sub["v_test"].to_numpy())
        assert np.all(np.diff(v) <= 1e-12)


def test_binary_reports_positive_level_only():
    rng = np.random.default_rng(1)
    lab = np.repeat([0, 1], 60)
    df = pd.DataFrame({"flag": np.r_[rng.random(60) < 0.7, rng.random(60) < 0.2].astype(int)})
    p = profile_clusters(df, lab, min_cell_size=0, n_bootstrap=50, random_state=0)
    d = p.distinguishing
    assert set(d["level"]) == {"1"}
    assert d.loc[d["cluster"] == 0, "v_test"].iloc[0] > 0
    assert d.loc[d["cluster"] == 1, "v_test"].iloc[0] < 0
