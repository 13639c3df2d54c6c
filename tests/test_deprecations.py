"""One spelling per concept (issue 20.4): the old spellings of renamed parameters still work
for one release, with a FutureWarning, and give exactly what the new ones give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_describe import _data, _profile
from test_lta import simulate

from clusterdiscovery import LatentTransitionModel, describe_clusters, profile_clusters


def test_profile_clusters_higher_is():
    df = pd.DataFrame({"a": np.arange(40.0), "b": np.arange(40.0) + 1})
    lab = np.repeat([0, 1], 20)
    kw = {"features": ["a"], "outcomes": {"o": ("a", "b")}, "n_bootstrap": 50,
          "random_state": 0, "min_cell_size": 0}
    new = profile_clusters(df, lab, higher_is={"o": "better"}, **kw)
    with pytest.warns(FutureWarning, match="'higher_is_better' is deprecated.*'higher_is'"):
        old = profile_clusters(df, lab, higher_is_better={"o": True}, **kw)
    assert new.outcome_table("o")[2]["higher_is_better"] is True
    pd.testing.assert_frame_equal(new.outcome_table("o")[0], old.outcome_table("o")[0])
    assert profile_clusters(df, lab, higher_is="worse", **kw).outcome_table("o")[2][
        "higher_is_better"] is False
    with pytest.raises(ValueError, match="'higher_is' parameter must be 'better' or 'worse'"):
        profile_clusters(df, lab, higher_is={"o": "up"}, **kw)
    with pytest.raises(TypeError, match="pass 'higher_is' only"):
        profile_clusters(df, lab, higher_is="better", higher_is_better=True, **kw)


def test_describe_clusters_higher_is():
    profile = _profile(*_data())
    new = describe_clusters(profile, higher_is={"honos_6": "better"})
    with pytest.warns(FutureWarning, match="'worse_when_higher' is deprecated"):
        old = describe_clusters(profile, worse_when_higher={"honos_6": False})
    assert new.to_markdown() == old.to_markdown()
    assert new.to_markdown() != describe_clusters(profile).to_markdown()
    with pytest.raises(TypeError, match="'higher_is' parameter must be a dict"):
        describe_clusters(profile, higher_is={"honos_6": True})


def test_bootstrap_transitions_n_bootstrap():
    X, _ = simulate(0)
    m = LatentTransitionModel(3, n_init=2, random_state=0).fit(X)
    new = m.bootstrap_transitions(X, n_bootstrap=5, random_state=1)
    with pytest.warns(FutureWarning, match="'n_resamples' is deprecated.*'n_bootstrap'"):
        old = m.bootstrap_transitions(X, n_resamples=5, random_state=1)
    pd.testing.assert_frame_equal(new, old)
