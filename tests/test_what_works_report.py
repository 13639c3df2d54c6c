"""discover's "What works, for whom, at what cost" section from [[services]] and
[yardsticks] in the study configuration, on the sample's services file."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from clusterdiscovery import discover
from clusterdiscovery.datasets._resources import package_data_dir
from clusterdiscovery.pipeline._what_works import sample_services, target_met

FAST = {"models": {"families": ["latent_class"], "k_min": 4, "k_max": 4, "n_init": 1},
        "stability": {"n_resamples": 4, "screen_resamples": 4},
        "profile": {"n_bootstrap": 50}, "followup": {"n_bootstrap": 0}}


def test_services_section_table_and_yardsticks(tmp_path):
    services = str(package_data_dir("sample") / "services.csv")
    cfg = {**FAST,
           "services": [{"service": "therapy", "outcome": "honos_followup",
                         "baseline": "honos_baseline", "confounders": ["age"],
                         "cost": "cost", "file": services}],
           "yardsticks": {"0": {"outcome": "honos_followup", "target": -3}}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = discover(cfg, out=tmp_path, random_state=0)
    appendix = (tmp_path / "appendix.md").read_text()
    assert "## What works, for whom, at what cost" in appendix
    assert "not trial results" in appendix
    assert "(yardstick: honos_followup, target -3)" in appendix
    table = pd.read_csv(tmp_path / "tables" / "what_works.csv")
    assert len(table) == study.k
    # the target is evaluated against the interval (issue 22: yardsticks)
    row = table.iloc[0]
    if not row["suppressed"]:
        assert row["target_met"] == target_met(-3, row["ci_low"], row["ci_high"])
        assert "; target " in appendix.split("(yardstick: honos_followup, target -3)")[1]
    assert table.loc[1:, "target_met"].isna().all()  # no target: no verdict
    shown = table[~table["suppressed"]]
    assert (shown["ci_low"] <= shown["estimate"]).all()
    assert table.loc[table["suppressed"], "estimate"].isna().all()


def test_malformed_services_are_refused_before_fitting():
    with pytest.raises(ValueError, match=r"\[\[services\]\] entry 1 needs 'outcome'"):
        discover({"services": [{"service": "therapy"}]})
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['dose'\]"):
        discover({"services": [{"service": "t", "outcome": "y", "dose": 2}]})
    with pytest.raises(ValueError, match=r"\[yardsticks\] '0' must be"):
        discover({"yardsticks": {"0": 3}})
    with pytest.raises(ValueError, match=r"\[yardsticks\] '0': a target of 0 gives no direction"):
        discover({"yardsticks": {"0": {"outcome": "y", "target": 0}}})
    with pytest.raises(ValueError, match=r"\[yardsticks\] '0': target must be a number"):
        discover({"yardsticks": {"0": {"outcome": "y", "target": "3"}}})


def test_target_verdicts():
    assert target_met(-3, -5.0, -3.0) == "yes"  # the whole interval at or below -3
    assert target_met(-3, -4.0, -1.0) == "uncertain"
    assert target_met(-3, -2.9, 1.0) == "no"
    assert target_met(2, 2.5, 4.0) == "yes" and target_met(2, 0.1, 1.9) == "no"
    assert target_met(float("nan"), -1.0, 1.0) == ""


def test_the_sample_study_compares_the_sample_services_by_default():
    from clusterdiscovery.pipeline._config import load_config

    cfg = load_config(None)
    got = sample_services(cfg, None)
    assert [s["service"] for s in got] == ["therapy", "crisis_team"]
    assert sample_services(cfg, data={"clients": None}) == []  # a table passed in: none
    assert sample_services({**cfg, "services": [{"service": "x", "outcome": "y"}]},
                           None) == [{"service": "x", "outcome": "y"}]
