"""compare_care_clusters: discovered clusters against recorded national care clusters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

import clusterdiscovery as cd


def _attack(crosstab, m):
    """Every withheld cell and every line's withheld total, as a reader can rebuild them:
    the line total minus its shown cells must be 0 or at least m."""
    body = crosstab.drop(index="total", columns="total")
    for axis, totals in ((1, crosstab["total"].drop("total")),
                         (0, crosstab.loc["total"].drop("total"))):
        hidden = totals - body.sum(axis=axis, skipna=True)
        assert ((hidden == 0) | (hidden >= m)).all(), hidden[(hidden > 0) & (hidden < m)]
    shown = body.to_numpy()
    assert ((shown[~np.isnan(shown)] == 0) | (shown[~np.isnan(shown)] >= m)).all()


def test_sample_against_recorded_care_clusters():
    pop = cd.datasets.load_sample()
    res = cd.compare_care_clusters(pop.true_labels, pop.assignments, n_bootstrap=40,
                                   random_state=0)
    latest = (pop.assignments.sort_values("assigned_on", kind="stable")
              .groupby("client_id")["cluster"].last())
    both = latest.reindex(pop.true_labels.index).notna()
    ari = adjusted_rand_score(pop.true_labels[both], latest.reindex(pop.true_labels.index)[both])
    assert res.ari == pytest.approx(ari)
    assert res.ari_ci[0] <= res.ari <= res.ari_ci[1]
    assert res.n_matched == int(both.sum())
    _attack(res.crosstab, 11)
    # rows add up to the cluster sizes: clients with no recorded cluster are a column
    assert res.crosstab.loc["total", "total"] == len(pop.true_labels)
    sizes = pop.true_labels.value_counts().sort_index()
    np.testing.assert_array_equal(res.crosstab["total"].drop("total").to_numpy(), sizes)
    assert res.crosstab.loc["total", "none recorded"] == len(pop.true_labels) - res.n_matched
    assert len(res.summary) == pop.true_labels.nunique()
    assert res.summary["draws_from"].str.contains("%").all()


def test_as_of_takes_the_assignment_in_force_then():
    labels = pd.Series([0] * 30 + [1] * 30, index=[f"c{i}" for i in range(60)])
    early = pd.DataFrame({"client_id": labels.index, "cluster": [3] * 30 + [11] * 30,
                          "assigned_on": "2024-01-01"})
    late = early.assign(cluster=[11] * 30 + [3] * 30, assigned_on="2024-06-01")
    hist = pd.concat([late, early], ignore_index=True)  # not in date order
    then = cd.compare_care_clusters(labels, hist, as_of="2024-03-01", n_bootstrap=0)
    now = cd.compare_care_clusters(labels, hist, n_bootstrap=0)
    assert then.crosstab.loc[0, 3] == 30 and now.crosstab.loc[0, 11] == 30


def test_small_national_clusters_are_pooled_and_cells_protected():
    rng = np.random.default_rng(0)
    labels = pd.Series(rng.integers(0, 3, 400), index=[f"c{i}" for i in range(400)])
    codes = np.where(rng.random(400) < 0.02, 21, labels.map({0: 1, 1: 3, 2: 12}))
    hist = pd.DataFrame({"client_id": labels.index, "cluster": codes,
                         "assigned_on": "2024-01-01"})
    res = cd.compare_care_clusters(labels, hist, n_bootstrap=0)
    assert 21 not in res.crosstab.columns and "other" in res.crosstab.columns
    _attack(res.crosstab, 11)


def test_bad_input():
    pop = cd.datasets.load_sample()
    with pytest.raises(TypeError, match="Series indexed by client id"):
        cd.compare_care_clusters(pop.true_labels.to_numpy(), pop.assignments)
    with pytest.raises(ValueError, match="'assigned_on'"):
        cd.compare_care_clusters(pop.true_labels, pop.assignments.drop(columns="assigned_on"))
    other_ids = pop.true_labels.set_axis([f"x{i}" for i in range(len(pop.true_labels))])
    with pytest.raises(ValueError, match="client ids"):
        cd.compare_care_clusters(other_ids, pop.assignments)
    bad = pop.assignments.assign(assigned_on="soon")
    with pytest.raises(ValueError, match="not a date"):
        cd.compare_care_clusters(pop.true_labels, bad)
