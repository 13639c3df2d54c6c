"""The study's choice rule: every candidate screened, finalists in full, provisional when
none reproduces, degenerate solutions never chosen, density clustering by DBCV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdiscovery.pipeline import discover, load_config
from clusterdiscovery.pipeline._choose import (
    choose_solution,
    rank_candidates,
    screen_candidates,
)

QUICK = {
    "models": {"k_min": 2, "k_max": 5, "n_init": 1},
    "stability": {"n_resamples": 6, "screen_resamples": 3},
    "profile": {"n_bootstrap": 100},
}


def _summary():
    return pd.DataFrame({
        "model": ["latent_class"] * 5,
        "k": [2, 3, 4, 5, 6],
        "bic": [500.0, 450.0, 420.0, 400.0, 390.0],
        "smallest_share": [0.4, 0.2, 0.1, 0.05, 0.3],
        "degenerate": [False, False, False, False, True],
    })


def test_every_candidate_is_ranked_and_degenerate_ones_are_left_out():
    ranked = rank_candidates(_summary(), model="latent_class", criterion="bic",
                             min_share=0.02)
    assert ranked["k"].tolist() == [5, 4, 3, 2]  # k = 6 is degenerate despite its BIC


def test_left_out_solutions_are_listed_with_the_reason():
    from clusterdiscovery.pipeline._choose import left_out

    out = left_out(_summary(), model="latent_class", criterion="bic", min_share=0.06)
    assert out["k"].tolist() == [5, 6]
    assert "min_share" in out.loc[0, "reason"] and "degenerate" in out.loc[1, "reason"]


def test_screening_rule():
    # finalist when the screening minimum Jaccard >= min_jaccard - margin
    finalists = screen_candidates([0.45, 0.52, 0.49, 0.9], min_jaccard=0.6, margin=0.1)
    assert finalists.tolist() == [False, True, False, True]
    capped = screen_candidates([0.7, 0.8, 0.9], min_jaccard=0.6, margin=0.1,
                               max_finalists=2)
    assert capped.tolist() == [True, True, False]
    assert not screen_candidates([np.nan], min_jaccard=0.6, margin=0.1).any()


def test_choice_takes_the_best_eligible_finalist():
    ranked = rank_candidates(_summary(), model="latent_class", criterion="bic",
                             min_share=0.02)
    pos, table, note = choose_solution(
        ranked, [np.nan, 0.55, 0.8, np.nan], criterion="bic", min_jaccard=0.6,
        screen_jaccards=[0.3, 0.6, 0.75, 0.9], finalists=[False, True, True, True])
    assert table.loc[pos, "k"] == 3 and not table["provisional"].any()
    assert table["chosen"].sum() == 1 and "k = 3" in note


def test_choice_is_provisional_when_nothing_reproduces():
    ranked = rank_candidates(_summary(), model="latent_class", criterion="bic",
                             min_share=0.02)
    pos, table, note = choose_solution(
        ranked, [0.4, np.nan, np.nan, np.nan], criterion="bic", min_jaccard=0.6,
        screen_jaccards=[0.55, 0.3, 0.45, 0.2], finalists=[True, False, False, False])
    # ranked k = 5, 4, 3, 2; least stable clusters 0.4 (full), 0.3, 0.45, 0.2 (screening)
    assert table.loc[pos, "k"] == 3 and table.loc[pos, "provisional"]
    assert "provisional" in note
    pos, table, _ = choose_solution(
        ranked, [0.57, np.nan, 0.5, np.nan], criterion="bic", min_jaccard=0.6,
        screen_jaccards=[0.5, 0.3, 0.58, 0.2], finalists=[True, False, True, False])
    assert table.loc[pos, "k"] == 5  # the full assessment counts where it was made


@pytest.mark.parametrize(
    "config, fragment",
    [
        ({"models": {"families": ["density"], "primary": "density"}},
         r"criterion = 'dbcv'"),
        ({"models": {"criterion": "dbcv"}}, "density clustering only"),
        ({"models": {"families": ["density"], "primary": "density", "criterion": "dbcv"},
          "features": {"event_features": ["n_total"]}}, "event_features"),
        ({"stability": {"screen_margin": 2}}, r"\[stability\] screen_margin"),
        ({"stability": {"screen_resamples": 0}}, r"\[stability\] screen_resamples"),
    ],
)
def test_configurations_refused_before_fitting(config, fragment):
    with pytest.raises(ValueError, match=fragment):
        load_config(config)


def test_validity_is_an_alias_of_dbcv():
    cfg = load_config({"models": {"families": ["density"], "primary": "density",
                                  "criterion": "validity"}})
    assert cfg["models"]["criterion"] == "validity"


@pytest.fixture(scope="module")
def study(small_population, tmp_path_factory):
    return discover(QUICK, data=small_population, out=tmp_path_factory.mktemp("choice"),
                    random_state=2)


def test_every_k_is_assessed(study):
    c = study.candidates
    kept = study.selection.summary
    kept = kept[(kept["model"] == "latent_class") & ~kept["degenerate"].astype(bool)
                & (kept["smallest_share"] >= 0.02)]
    assert sorted(c["k"]) == sorted(kept["k"])  # every candidate, none skipped
    assert c["screen_min_jaccard"].notna().all()
    chosen = c[c["chosen"]].iloc[0]
    assert chosen["min_jaccard"] >= 0.6 and not study.provisional
    # nothing better by BIC was both a finalist and eligible
    better = c.iloc[: c.index[c["chosen"]][0]]
    assert not better["eligible"].any()
    report = next(p for p in study.paths["report"] if p.suffix == ".md")
    text, appendix = report.read_text(), (report.parent / "appendix.md").read_text()
    assert "Provisional solution" not in text
    assert "How to read the stability" in text  # the front matter explains it
    assert "figures/stability.png" in appendix  # the figure is with the others


def test_provisional_when_no_candidate_reproduces(small_population, tmp_path):
    cfg = {**QUICK, "models": {"k_min": 2, "k_max": 3, "n_init": 1},
           "stability": {"n_resamples": 3, "screen_resamples": 3, "min_jaccard": 1.0,
                         "screen_margin": 0.0}}
    study = discover(cfg, data=small_population, out=tmp_path, random_state=0)
    assert study.provisional and study.candidates["provisional"].sum() == 1
    chosen = study.candidates[study.candidates["chosen"]].iloc[0]
    assert np.isfinite(chosen["min_jaccard"])  # assessed in full
    report = next(p for p in study.paths["report"] if p.suffix == ".md").read_text()
    head = report[: report.index("## Overview")]
    assert "Provisional solution" in head
    assert all(("(provisional)" in n) or ("(unstable)" in n)
               for n in study.descriptions.names.values())


def test_density_end_to_end(tmp_path, monkeypatch):
    """primary = "density": chosen by DBCV ("validity" as alias), noise in no cluster, and a
    model file written through the exemplar model that reassigns the clustered clients.

    HDBSCAN runs without UMAP on three 2-d blobs plus scattered clients here, to keep the
    test fast (UMAP's compilation alone takes a minute); the pipeline's path is the same.
    """
    from sklearn.datasets import make_blobs

    import clusterdiscovery.models as models
    from clusterdiscovery import ClientSchema, load_model

    monkeypatch.setattr(models, "DensityClusterer",
                        lambda: models._density.DensityClusterer(use_umap=False))
    X, _ = make_blobs(300, centers=[[0, 0], [8, 0], [0, 8]], random_state=0)
    rng = np.random.default_rng(0)
    X = np.vstack([X, rng.uniform(-20, 28, (20, 2))])
    clients = pd.DataFrame(X, columns=["a", "b"]).assign(
        client_id=[f"c{i:03d}" for i in range(len(X))])
    schema = ClientSchema(id="client_id", features={"a": "continuous", "b": "continuous"})
    cfg = {"models": {"families": ["density"], "primary": "density",
                      "criterion": "validity"},
           "stability": {"n_resamples": 3, "screen_resamples": 2},
           "profile": {"n_bootstrap": 100}}
    study = discover(cfg, data={"clients": clients, "schema": schema}, out=tmp_path,
                     random_state=0)
    assert study.model_name == "density" and study.k == 3
    assert "dbcv" in study.candidates.columns and len(study.candidates) == 1
    labels = study.labels.to_numpy()
    assert (labels == -1).sum() > 0  # the scattered clients are in no cluster
    report = next(p for p in study.paths["report"] if p.suffix == ".md").read_text()
    overview = report[report.index("## Overview"):].split("\n\n")[1]
    assert "in no cluster" in overview
    model = load_model(study.paths["model"])
    assert "exemplar" in model.provenance["note"]
    assigned = np.asarray(model.predict(clients.set_index("client_id")[["a", "b"]]))
    assert set(np.unique(assigned)) <= set(range(study.k))  # everyone gets a cluster
    assert (assigned[labels >= 0] == labels[labels >= 0]).mean() > 0.95
