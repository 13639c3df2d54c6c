"""The report's stability presentation: unstable clusters are not presented as real."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from clusterdiscovery import describe_clusters, profile_clusters


@pytest.fixture(scope="module")
def profile():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"honos_6": np.r_[rng.integers(2, 5, 60), rng.integers(0, 2, 60),
                                        rng.integers(0, 5, 30)]})
    labels = np.repeat([0, 1, -1], [60, 60, 30])  # 30 rows in no cluster (noise)
    return profile_clusters(df, labels, n_bootstrap=100, random_state=0)


def _stability(j0, j1):
    summary = pd.DataFrame({"size": [60, 60], "jaccard_mean": [j0, j1],
                            "verdict": ["highly stable" if j0 >= 0.85 else "unstable",
                                        "highly stable" if j1 >= 0.85 else "unstable"]},
                           index=pd.Index([0, 1], name="cluster"))
    return SimpleNamespace(summary=summary, n_resamples=50)


def test_unstable_cluster_gets_no_name_and_a_warning(profile):
    desc = describe_clusters(profile, stability=_stability(0.95, 0.41))
    assert desc[1].name == "Cluster 1 (unstable)"
    assert "unstable" not in desc[0].name
    page = desc[1].text
    first = page.split("\n\n")[1]  # the paragraph right under the page heading
    assert first.startswith("**Warning: this cluster does not reproduce.**") and "0.41" in first
    assert "Warning" not in desc[0].text
    # a name the user gives is kept
    named = describe_clusters(profile, stability=_stability(0.95, 0.41), names={1: "Mine"})
    assert named[1].name == "Mine"


def test_overview_shows_verdicts_and_noise_row(profile):
    report = describe_clusters(profile, stability=_stability(0.95, 0.41)).to_markdown()
    overview = report[report.index("## Overview"):].split("\n\n")[1]
    assert "| stability | mean Jaccard |" in overview
    assert "| highly stable | 0.95 |" in overview and "| unstable | 0.41 |" in overview
    assert "in no cluster" in overview  # noise is its own row, not a cluster
    head = report[: report.index("## Overview")]
    assert "How to read the stability" in head and "Hennig (2007)" in head
    assert "below 0.6" in head and "0.75" in head and "0.85" in head
    assert "Provisional solution" not in head


def test_provisional_report(profile):
    desc = describe_clusters(profile, stability=_stability(0.7, 0.41), provisional=True)
    assert desc[0].name.endswith("(provisional)")
    assert desc[1].name == "Cluster 1 (unstable)"
    report = desc.to_markdown()
    assert report.index("Provisional solution") < report.index("## Overview")


def test_without_stability_nothing_changes(profile):
    report = describe_clusters(profile).to_markdown()
    assert "mean Jaccard" not in report and "How to read the stability" not in report
