"""discover's follow-up and care-cluster sections: on the sample (read through the
configuration) the report gains both, with tables of raw numbers whose withheld counts
cannot be rebuilt from the cluster sizes."""

from __future__ import annotations

import pandas as pd
import pytest

from clusterdiscovery import discover

FAST = {"models": {"families": ["latent_class"], "k_min": 4, "k_max": 4, "n_init": 1},
        "stability": {"n_resamples": 5, "screen_resamples": 5},
        "profile": {"n_bootstrap": 50}, "followup": {"n_bootstrap": 10}}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    out = tmp_path_factory.mktemp("over_time")
    return discover(FAST, out=out, random_state=0), out


def test_sections_and_tables_are_written(study):
    st, out = study
    appendix = (out / "appendix.md").read_text()
    assert "## Movement between clusters at follow-up" in appendix
    assert "## Discovered clusters and the national care clusters" in appendix
    assert (out / "figures").exists()
    trans = pd.read_csv(out / "tables" / "transitions.csv")
    K = st.k
    assert len(trans) == K * (K + 1)
    hidden = trans["clients_suppressed"]
    assert trans.loc[~hidden, "clients"].notna().all() and trans.loc[hidden, "clients"].isna().all()
    shown = trans[~hidden]
    p = shown["transition_probability"].dropna()
    assert ((p >= 0) & (p <= 1)).all()


def test_no_withheld_count_follows_from_the_cluster_sizes(study):
    st, out = study
    sizes = st.labels.value_counts()
    trans = pd.read_csv(out / "tables" / "transitions.csv")
    m = st.config["profile"]["min_cell_size"]
    names = [d.name for d in st.descriptions]
    for i, name in enumerate(names):
        row = trans[trans["cluster"] == name]
        hidden = sizes[i] - row["clients"].sum()
        assert hidden == 0 or hidden >= m
    shown = trans["clients"].dropna()
    assert ((shown == 0) | (shown >= m)).all()
    long = pd.read_csv(out / "tables" / "care_clusters.csv", dtype={"care_cluster": str})
    body = long.pivot(index="cluster", columns="care_cluster", values="clients")
    body = body.reindex(names)
    # the report shows the row totals (the cluster sizes) and the column totals
    from clusterdiscovery import compare_care_clusters
    from clusterdiscovery.datasets import load_sample

    full = compare_care_clusters(st.labels, load_sample().assignments, min_cell_size=1,
                                 n_bootstrap=0).crosstab
    col_totals = full.loc["total"].drop("total").rename(str)
    hidden_rows = sizes.sort_index().to_numpy() - body.sum(axis=1).to_numpy()
    shown_cols = body.sum(axis=0)
    hidden_cols = col_totals.reindex(shown_cols.index).fillna(0) - shown_cols
    for h in (*hidden_rows, *hidden_cols[[c != "other" for c in hidden_cols.index]]):
        assert h == 0 or h >= m


def test_a_table_passed_as_data_gets_no_sample_follow_up(tmp_path):
    from clusterdiscovery.datasets import load_sample

    st = discover(FAST, data=load_sample(), out=tmp_path, random_state=0)
    assert "Movement between clusters" not in (tmp_path / "appendix.md").read_text()
    assert not (tmp_path / "tables" / "transitions.csv").exists()
    assert st.k == 4


def test_a_follow_up_file_without_the_id_column_is_refused(tmp_path):
    from clusterdiscovery.exceptions import SchemaError

    bad = tmp_path / "fu.csv"
    pd.DataFrame({"person": ["a"], "honos_1": [1]}).to_csv(bad, index=False)
    cfg = {**FAST, "followup": {"clients": str(bad)}}
    with pytest.raises(SchemaError, match="no id column 'client_id'"):
        discover(cfg, out=None, random_state=0)
