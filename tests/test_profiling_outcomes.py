"""Outcomes by cluster: Jacobson-Truax reliable change and mean change intervals."""

import numpy as np
import pandas as pd
import pytest

from clusterdiscovery.profiling import profile_clusters
from clusterdiscovery.profiling._outcomes import reliable_change


def test_jacobson_truax_hand_case():
    # baseline SD: values 10, 14, 18, 22 -> SD = sqrt(80/3) = 5.1640; r = 0.8
    # S_diff = sqrt(2) * 5.1640 * sqrt(0.2) = 3.2660; critical change 1.96 * 3.2660 = 6.40
    base = np.array([10.0, 14, 18, 22])
    follow = np.array([3.0, 14, 25, 16])  # changes -7, 0, +7, -6
    rci, status = reliable_change(base, follow, 0.8, higher_is_better=False)
    s_diff = np.sqrt(2) * np.sqrt(80 / 3) * np.sqrt(0.2)
    np.testing.assert_allclose(rci, np.array([-7, 0, 7, -6]) / s_diff)
    assert s_diff == pytest.approx(3.26599, abs=1e-5)
    # lower is better: -7 improved, +7 deteriorated, -6 (RCI -1.84) not reliable
    assert status.tolist() == [1, 0, -1, 0]
    _, status_up = reliable_change(base, follow, 0.8, higher_is_better=True)
    assert status_up.tolist() == [-1, 0, 1, 0]


def test_outcome_table():
    rng = np.random.default_rng(0)
    lab = np.repeat([0, 1], 150)
    base = rng.normal(15, 5, 300)
    follow = base + np.r_[rng.normal(-6, 3, 150), rng.normal(1, 3, 150)]
    follow[:7] = np.nan  # missing follow-ups are left out
    df = pd.DataFrame({"hb": base, "hf": follow})
    p = profile_clusters(df, lab, features=["hb"], outcomes={"honos": ("hb", "hf")},
                         n_bootstrap=200, random_state=0, min_cell_size=0)
    o = p.outcomes.loc["honos"]
    ok = ~np.isnan(follow)
    for k in (0, 1):
        sel = ok & (lab == k)
        assert o.loc[k, "n"] == sel.sum()
        assert o.loc[k, "mean_change"] == pytest.approx((follow[sel] - base[sel]).mean())
        assert o.loc[k, "ci_low"] < o.loc[k, "mean_change"] < o.loc[k, "ci_high"]
    _, status = reliable_change(base[ok], follow[ok], 0.8, False)
    assert o.loc[0, "share_improved"] == pytest.approx(np.mean(status[lab[ok] == 0] == 1))
    assert o.loc[0, "share_improved"] > 0.3 > 0.05 > o.loc[1, "share_improved"]
    shares = o.loc[0, ["share_improved", "share_unchanged", "share_deteriorated"]]
    assert shares.sum() == pytest.approx(1.0)


def test_reliability_per_outcome_and_bad_values():
    df = pd.DataFrame({"a": np.arange(40.0), "b": np.arange(40.0) + 1})
    lab = np.repeat([0, 1], 20)
    p = profile_clusters(df, lab, features=["a"], outcomes={"o": ("a", "b")},
                         reliability={"o": 0.9}, higher_is_better={"o": True},
                         n_bootstrap=50, random_state=0, min_cell_size=0)
    info = p.outcome_table("o")[2]
    assert info["reliability"] == 0.9 and info["higher_is_better"] is True
    with pytest.raises(ValueError, match="reliability"):
        profile_clusters(df, lab, features=["a"], outcomes={"o": ("a", "b")}, reliability=1.0)
    with pytest.raises(ValueError, match="unknown outcome"):
        profile_clusters(df, lab, features=["a"], outcomes={"o": ("a", "b")},
                         reliability={"zz": 0.5})
