"""discover(): configuration, the choice rule, the whole chain end to end, reproducibility."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from clusterdiscovery import ClientSchema, SchemaError, load_model
from clusterdiscovery.pipeline import (
    DEFAULTS,
    choose_solution,
    discover,
    load_config,
    rank_candidates,
)

QUICK = {
    "models": {"k_min": 2, "k_max": 4, "n_init": 1},
    "stability": {"n_resamples": 4, "candidates": 2},
    "profile": {"n_bootstrap": 100},
}


# ------------------------------------------------------------------ configuration
def test_defaults_and_overrides():
    cfg = load_config({"models": {"k_max": 5}})
    assert cfg["models"]["k_max"] == 5
    assert cfg["models"]["k_min"] == DEFAULTS["models"]["k_min"]
    assert DEFAULTS["models"]["k_max"] != 5  # the defaults themselves are not changed


@pytest.mark.parametrize(
    "config, fragment",
    [
        ({"modles": {}}, "Unknown configuration table"),
        ({"models": {"kmax": 3}}, "Unknown configuration key 'kmax'"),
        ({"models": {"k_max": "ten"}}, "k_max must be a number"),
        ({"models": {"families": ["kmeans"], "primary": "latent_class"}}, "primary"),
        ({"models": {"families": ["latent_class", "spectral"]}}, "spectral"),
        ({"models": {"k_min": 5, "k_max": 3}}, "k_min <= k_max"),
        # checked before any model is fitted, naming the table and key
        ({"models": {"k_min": 2.5}}, r"\[models\] k_min must be a whole number"),
        ({"models": {"n_init": 0}}, r"\[models\] n_init must be a whole number >= 1"),
        ({"models": {"min_share": 1.5}}, r"\[models\] min_share must be in \[0, 1\)"),
        ({"models": {"criterion": "bci"}}, r"criterion = 'bci' is unknown"),
        ({"stability": {"candidates": -1}}, r"\[stability\] candidates"),
        ({"stability": {"n_resamples": -3}}, r"\[stability\] n_resamples"),
        ({"stability": {"min_jaccard": 60}}, r"\[stability\] min_jaccard must be in \[0, 1\]"),
        ({"stability": {"method": "boot"}}, r"method = 'boot' is unknown"),
        ({"profile": {"n_bootstrap": 5}}, r"\[profile\] n_bootstrap must be a whole number >= 10"),
        ({"data": {"window_days": -30}}, r"\[data\] window_days must be a number of days in"),
        ({"data": {"window_days": 1e308}}, r"\[data\] window_days must be a number of days in"),
    ],
)
def test_bad_configuration(config, fragment):
    with pytest.raises(ValueError, match=fragment):
        load_config(config)


def test_toml_paths_are_relative_to_the_file(tmp_path):
    path = tmp_path / "study.toml"
    path.write_text('[data]\nclients = "c.csv"\nschema = "s.toml"\n[models]\nk_max = 4\n')
    cfg = load_config(path)
    assert cfg["data"]["clients"] == str((tmp_path / "c.csv").resolve())
    assert cfg["models"]["k_max"] == 4
    with pytest.raises(FileNotFoundError):
        load_config(tmp_path / "missing.toml")
    with pytest.raises(TypeError):
        load_config(42)


# ------------------------------------------------------------------ choice rule
def _summary():
    return pd.DataFrame({
        "model": ["latent_class"] * 4 + ["kmeans"],
        "k": [2, 3, 4, 5, 3],
        "bic": [120.0, 100.0, 90.0, 95.0, np.nan],
        "smallest_share": [0.4, 0.2, 0.1, 0.01, 0.3],
    })


def test_rank_candidates_orders_by_criterion_and_drops_tiny_clusters():
    ranked = rank_candidates(_summary(), model="latent_class", criterion="bic",
                             min_share=0.02, n_candidates=3)
    assert ranked["k"].tolist() == [4, 3, 2]  # k = 5 has a 1% cluster
    with pytest.raises(ValueError, match="min_share"):
        rank_candidates(_summary(), model="latent_class", criterion="bic", min_share=0.9,
                        n_candidates=3)


def test_a_cluster_below_the_privacy_threshold_is_not_a_candidate():
    """With 100 clients, k = 4's smallest cluster (10% = 10 clients) is below
    min_cell_size = 11: it could be neither reported nor written to a model file, so it
    is left out, and the reason does not give its size."""
    from clusterdiscovery.pipeline._choose import left_out

    ranked = rank_candidates(_summary(), model="latent_class", criterion="bic",
                             min_share=0.02, min_size=11, n_samples=100)
    assert ranked["k"].tolist() == [3, 2]
    why = left_out(_summary(), model="latent_class", criterion="bic", min_share=0.02,
                   min_size=11, n_samples=100).set_index("k")["reason"]
    assert set(why.index) == {4, 5}
    assert "fewer than 11 clients" in why[4] and "%" not in why[4]
    assert "fewer than 11 clients" in why[5] and "%" not in why[5]
    # 10,000 clients: the same shares are large enough
    assert rank_candidates(_summary(), model="latent_class", criterion="bic", min_share=0.02,
                           min_size=11, n_samples=10_000)["k"].tolist() == [4, 3, 2]


def test_choice_skips_unstable_solutions():
    ranked = rank_candidates(_summary(), model="latent_class", criterion="bic",
                             min_share=0.02, n_candidates=3)
    pos, table, note = choose_solution(ranked, [0.45, 0.8, 0.9], criterion="bic",
                                       min_jaccard=0.6)
    assert table.loc[pos, "k"] == 3 and table["chosen"].sum() == 1
    assert table["eligible"].tolist() == [False, True, True]
    assert "k = 3" in note


def test_choice_with_unassessed_candidates():
    ranked = rank_candidates(_summary(), model="latent_class", criterion="bic",
                             min_share=0.02, n_candidates=3)
    pos, table, _ = choose_solution(ranked, [0.45, 0.7, np.nan], criterion="bic",
                                    min_jaccard=0.6)
    assert table.loc[pos, "k"] == 3 and not table.loc[2, "eligible"]
    with pytest.raises(ValueError, match="assessed"):
        choose_solution(ranked, [np.nan] * 3, criterion="bic", min_jaccard=0.6)


def test_choice_when_nothing_is_stable_takes_the_most_stable():
    ranked = rank_candidates(_summary(), model="latent_class", criterion="bic",
                             min_share=0.02, n_candidates=3)
    pos, _, note = choose_solution(ranked, [0.3, 0.55, 0.4], criterion="bic", min_jaccard=0.6)
    assert ranked.loc[pos, "k"] == 3
    assert "No candidate" in note


# ------------------------------------------------------------------ end to end
@pytest.fixture(scope="module")
def population(small_population):
    return small_population


@pytest.fixture(scope="module")
def study(population, tmp_path_factory):
    out = tmp_path_factory.mktemp("study")
    return discover(QUICK, data=population, out=out, random_state=1)


def test_study_outputs_pass_the_privacy_scanner(study, population):
    """No client id, no count 1..10 and no share giving one in any file written."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from privacy_scan import scan_outputs

    root = study.paths["model"].parent
    findings = scan_outputs(root, ids=population.clients.index, id_columns=["client_id"],
                            total=len(study.labels),
                            cluster_sizes=study.labels.value_counts().to_dict())
    assert findings == [], "\n".join(map(str, findings[:20]))


def test_study_chooses_a_solution_and_writes_everything(study, population):
    from sklearn.metrics import adjusted_rand_score

    assert study.model_name == "latent_class" and 2 <= study.k <= 4
    assert study.labels.index.equals(population.clients.index)
    assert adjusted_rand_score(population.true_labels, study.labels) > 0.5
    assert study.candidates["chosen"].sum() == 1
    root = study.paths["model"].parent
    for name in ["report.md", "report.html", "appendix.md", "appendix.html", "model.json",
                 "study.json", "tables/model_selection.csv", "tables/stability.csv",
                 "tables/costs.csv"]:
        assert (root / name).is_file(), name
    assert not (root / "labels.csv").exists()  # row-level output is opt-in
    # the report (front matter and cluster pages) links to its appendix, which holds the
    # pipeline's sections and figures
    report = (root / "report.md").read_text()
    assert "](appendix.md)" in report and "How the clusters were chosen" not in report
    appendix = (root / "appendix.md").read_text()
    assert "How the clusters were chosen" in appendix and "Study settings" in appendix
    assert study.record["choice"] in appendix
    assert set(study.summary.columns) >= {"name", "size", "share", "jaccard_mean", "verdict"}
    assert "figures/cluster_map.png" in appendix
    assert (root / "figures/cluster_map.png").is_file()


def test_report_and_model_file_hold_no_client_ids(study, population):
    root = study.paths["model"].parent
    ids = population.clients.index[:50]
    for name in ["report.md", "report.html", "appendix.md", "appendix.html", "model.json",
                 "study.json"]:
        text = (root / name).read_text()
        assert not any(i in text for i in ids), name


def test_model_file_reassigns_the_training_clients(study, population):
    model = load_model(study.paths["model"])
    assigned = model.assign(population.clients)
    assert (assigned["label"].to_numpy() == study.labels.to_numpy()).all()


def test_same_seed_same_labels_and_report(study, population, tmp_path):
    again = discover(QUICK, data=population, out=tmp_path, random_state=1)
    pd.testing.assert_series_equal(again.labels, study.labels)
    root = study.paths["model"].parent
    for name in ["report.md", "report.html", "appendix.md", "appendix.html",
                 "tables/model_selection.csv", "tables/costs.csv", "tables/candidates.csv",
                 "tables/stability.csv", "tables/table1.csv"]:
        assert (tmp_path / name).read_bytes() == (root / name).read_bytes(), name
    record = json.loads((tmp_path / "study.json").read_text())
    assert record["random_state"] == 1


def test_input_is_not_modified(population, tmp_path):
    before = population.clients.copy(deep=True)
    events_before = population.events.copy(deep=True)
    discover(QUICK, data=population, out=None, random_state=0)
    pd.testing.assert_frame_equal(population.clients, before)
    pd.testing.assert_frame_equal(population.events, events_before)


def test_bad_input_is_named(population):
    clients = population.clients.copy()
    clients.iloc[0, clients.columns.get_loc("age")] = np.inf
    with pytest.raises(SchemaError, match="'age'"):
        discover(QUICK, data={"clients": clients, "schema": population.schema})
    with pytest.raises(ValueError, match="schema"):
        discover(QUICK, data={"clients": clients})
    with pytest.raises(TypeError, match="random_state"):
        discover(QUICK, data=population, random_state=None)
    with pytest.raises(TypeError, match="'out'"):  # not a folder named '1'
        discover(QUICK, data=population, out=1)
    bad = {**QUICK, "profile": {"costs": ["cost_of_nothing"]}}
    with pytest.raises(SchemaError, match="cost_of_nothing"):
        discover(bad, data=population)


def test_bad_tables_are_named_before_any_fitting(population):
    schema = population.schema
    with pytest.raises(TypeError, match=r"data\['clients'\] must be a pandas DataFrame"):
        discover(QUICK, data={"clients": population.clients.to_numpy(), "schema": schema})
    with pytest.raises(TypeError, match=r"data\['events'\] must be a pandas DataFrame"):
        discover(QUICK, data={"clients": population.clients, "schema": schema,
                              "events": population.events.to_numpy()})
    no_date = population.events.drop(columns="date")
    with pytest.raises(SchemaError, match=r"no column\(s\) \['date'\]"):
        discover(QUICK, data={"clients": population.clients, "schema": schema,
                              "events": no_date})
    with pytest.raises(ValueError, match="'as_of'"):
        discover({**QUICK, "data": {"as_of": "end of last year"}}, data=population)
    with pytest.raises(SchemaError, match=r"exclude names \['agee'\]"):  # not silently kept
        discover({**QUICK, "features": {"exclude": ["agee"]}}, data=population)
    with pytest.raises(SchemaError, match=r"profile_event_features names \['inpatient_dayz'\]"):
        discover({**QUICK, "features": {"profile_event_features": ["inpatient_dayz"]}},
                 data=population)
    with pytest.raises(SchemaError, match=r"names \['age'\] more than once"):
        discover({**QUICK, "features": {"columns": ["age", "sex", "age"]}}, data=population)
    few = population.clients.iloc[:30]
    with pytest.raises(SchemaError, match=r"of \d+ client\(s\) that are not in the client table"):
        discover(QUICK, data={"clients": few, "schema": schema, "events": population.events})
    with pytest.raises(ValueError, match=r"\[models\] k_min = 40 leaves no k to fit for 30"):
        discover({**QUICK, "models": {"k_min": 40, "k_max": 50}},
                 data={"clients": few, "schema": schema})


def test_clients_without_events(population):
    schema = ClientSchema.from_dict(population.schema.to_dict())
    study = discover(QUICK, data={"clients": population.clients, "schema": schema},
                     random_state=0)
    assert study.profile.cost_columns == []


def test_discover_merges_filled_narrative_templates_and_refuses_foreign_ones(population,
                                                                             tmp_path):
    import shutil
    import warnings

    from clusterdiscovery.cli import main

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = discover(QUICK, data=population, out=tmp_path, random_state=1)
    assert main(["narratives", str(tmp_path)]) == 0
    template = tmp_path / "narratives" / f"cluster_{first.profile.clusters[0]}.md"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("## Strengths\n", "## Strengths\n\nStrong family ties.\n"),
                        encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = discover(QUICK, data=population, out=tmp_path, random_state=1)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Strong family ties." in html and "The experts' view" in html
    assert again.descriptions[first.profile.clusters[0]].narrative == (
        "**Strengths.** Strong family ties.")
    # templates written for another clustering are refused
    other = tmp_path / "other"
    shutil.copytree(tmp_path / "narratives", other / "narratives")
    for f in (other / "narratives").glob("*.md"):
        f.write_text(f.read_text().replace(again.descriptions.fingerprint, "0123456789abcdef"))
    with warnings.catch_warnings(), pytest.raises(ValueError, match="another clustering"):
        warnings.simplefilter("ignore")
        discover(QUICK, data=population, out=other, random_state=1)


def _no_fitting(monkeypatch):
    """Make any model fitting fail the test: errors must come before it."""
    from clusterdiscovery.pipeline import _stage_models

    def fitted(*args, **kwargs):
        raise AssertionError("models were fitted before the error")

    monkeypatch.setattr(_stage_models, "_compare", fitted)


def _with_use(population):
    """The sample's clients with two columns of service use in the client table itself."""
    rng = np.random.default_rng(0)
    n = len(population.clients)
    clients = population.clients.assign(gp_visits=rng.poisson(0.3, n),
                                        private_cost=rng.gamma(0.5, 80.0, n))
    spec = population.schema.to_dict()
    spec["costs"] = {"gp_visits": {"label": "GP visits", "unit": "visits"}}
    return clients, ClientSchema.from_dict(spec)


def test_costs_and_utilisation_from_the_client_table_without_events(population, tmp_path):
    clients, schema = _with_use(population)
    config = tmp_path / "study.toml"
    config.write_text(
        '[models]\nk_min = 2\nk_max = 4\nn_init = 1\n[stability]\nn_resamples = 4\n'
        'candidates = 2\n[profile]\nn_bootstrap = 100\ncosts = ["private_cost"]\n'
        '[report]\ncurrency = "$"\nnames = {"0" = "The first group"}\n')
    with pytest.warns(UserWarning):
        study = discover(config, data={"clients": clients, "schema": schema})
    assert study.profile.cost_columns == ["gp_visits", "private_cost"]
    desc = study.descriptions
    assert desc[0].name == "The first group"  # TOML's text key "0" names cluster 0
    assert len(set(desc.names.values())) == len(desc)
    text = desc[1].text
    mean = study.profile.cost_table("gp_visits")[0].loc[1, "mean"]
    assert 0.1 < mean < 1
    # utilisation in its unit, never as money; money in the configured currency
    # one estimate per figure (issue 19 point 6): the details give the page's estimate, the
    # BCH mean of a latent class model, with the mean by most likely cluster beside it
    corrected = study.profile.corrected
    if corrected is not None and ("gp_visits", 1) in corrected.index:
        bch = corrected.loc[("gp_visits", 1), "estimate"]
        assert f"**GP visits:** mean {bch:.3g} visits per client (BCH" in text
        assert f"by most likely cluster {mean:.3g} visits" in text
    else:
        assert f"**GP visits:** mean {mean:.3g} visits per client" in text
    assert "of all visits with" in text
    assert re.search(r"- Private_cost: mean \$\d", text)  # its own name, capitalised
    assert "£" not in desc.to_markdown()


def test_misspelt_costs_and_features_are_errors_before_any_fitting(population, monkeypatch):
    clients, schema = _with_use(population)
    _no_fitting(monkeypatch)
    data = {"clients": clients, "schema": schema}
    with pytest.raises(SchemaError, match=r"costs names \['private_costs'\].*choose from "
                                          r"\[.*'private_cost'"):
        discover({**QUICK, "profile": {"costs": ["private_costs"]}}, data=data)
    with pytest.raises(SchemaError, match=r"columns \['agee'\] are not features of the "
                                          r"schema; choose from \['age'"):
        discover({**QUICK, "features": {"columns": ["agee"]}}, data=data)
    # a count feature without a unit would be printed as money: say so
    spec = schema.to_dict()
    del spec["features"]["prior_admissions"]["unit"]
    with pytest.raises(SchemaError, match="'prior_admissions', a count feature.*no unit"):
        discover({**QUICK, "profile": {"costs": ["prior_admissions"]}},
                 data={"clients": clients, "schema": ClientSchema.from_dict(spec)})
    with pytest.raises(SchemaError, match="'housing', a categorical feature"):
        discover({**QUICK, "profile": {"costs": ["housing"]}}, data=data)
    # a schema cost missing from the table: named, with the columns to choose from
    spec = schema.to_dict()
    spec["costs"] = {"gp_visit": {"unit": "visits"}}
    with pytest.raises(SchemaError, match="'gp_visit'.*'gp_visits'"):
        discover(QUICK, data={"clients": clients, "schema": ClientSchema.from_dict(spec)})


def test_lr_tests_from_the_configuration(population, tmp_path):
    """[models] lr_tests = ["lmr"] adds the Lo-Mendell-Rubin p-value of each k - 1 against k
    latent class test to model_selection.csv and the appendix's table; bad names and a
    weighted study are refused with the key named."""
    cfg = {**QUICK, "models": {**QUICK["models"], "lr_tests": ["lmr"], "families": ["latent_class"]}}
    study = discover(cfg, data=population, out=tmp_path / "s", random_state=1)
    table = pd.read_csv(tmp_path / "s" / "tables" / "model_selection.csv")
    p = table.set_index("k")["lmr_p"]
    assert p.loc[2:].between(0, 1).all() and p.loc[3:].notna().all()
    # three true subgroups: 2 against 3 classes is clearly rejected
    assert p.loc[3] < 0.05
    assert "lmr_p" in (tmp_path / "s" / "appendix.md").read_text()
    assert study.k >= 2
    with pytest.raises(ValueError, match=r"\[models\] lr_tests names unknown test"):
        load_config({"models": {"lr_tests": ["vlmr"]}})
