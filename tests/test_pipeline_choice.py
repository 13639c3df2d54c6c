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
    everything = study.selection.summary
    assert sorted(c["k"]) == sorted(everything.loc[everything["model"] == "latent_class", "k"])
    kept = everything[(everything["model"] == "latent_class")
                      & ~everything["degenerate"].astype(bool)
                      & (everything["smallest_share"] >= 0.02)]
    assert sorted(c.loc[c["candidate"], "k"]) == sorted(kept["k"])  # none skipped
    assert c.loc[c["candidate"], "screen_min_jaccard"].notna().all()
    assert c["reason"].str.len().gt(0).all()
    chosen = c[c["chosen"]].iloc[0]
    assert chosen["min_jaccard"] >= 0.6 and not study.provisional
    # the stated rule, recomputed: the lowest BIC among the eligible; nothing better by BIC
    # was eligible
    eligible = c[c["eligible"].astype("boolean").fillna(False).to_numpy(bool)]
    assert eligible.loc[eligible["bic"].idxmin(), "k"] == chosen["k"]
    better = c[c["bic"] < chosen["bic"]]
    assert not better["eligible"].astype("boolean").fillna(False).any()
    assert f"Chosen: k = {chosen['k']} (BIC" in study.record["choice"]
    report = next(p for p in study.paths["report"] if p.suffix == ".md")
    text, appendix = report.read_text(), (report.parent / "appendix.md").read_text()
    assert "Provisional solution" not in text
    assert "How to read the stability" in text  # the front matter explains it
    assert "figures/stability.png" in appendix  # the figure is with the others


def test_the_selection_figure_marks_the_chosen_and_the_rejected_k(study):
    import matplotlib.pyplot as plt

    from clusterdiscovery.pipeline._write import selection_figure

    fig, ax = plt.subplots()
    try:
        selection_figure(ax, study.selection, study.candidates, "bic")
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        star = next(line for line in ax.get_lines() if line.get_label() == "chosen k")
        assert star.get_xdata().tolist() == [study.k]
        rejected = study.candidates["eligible"].astype("boolean").eq(False).fillna(False)
        if rejected.any():
            assert any(t.startswith("rejected k") for t in labels)
    finally:
        plt.close(fig)


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
    # the notice says what was tried, and the choice paragraph is in the front matter too
    assert "numbers of clusters tried (k = 2, 3)" in head
    assert "Chosen provisionally: no candidate had every cluster reproduce" in head
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


# ------------------------------------------------------------- the words of the choice
class _Stab:
    """A stand-in StabilityResult: only its smallest mean Jaccard matters to the choice."""

    def __init__(self, least):
        self.summary = pd.DataFrame({"jaccard_mean": [least, 0.99]})


def _assess(screen, full):
    calls = []

    def assess(i, n, resume=None):
        calls.append((i, n))
        return _Stab((screen if resume is None else full)[i])

    return assess, calls


_RULE = {"criterion": "bic", "min_jaccard": 0.6, "n_resamples": 20, "screen_resamples": 10,
         "screen_margin": 0.1}


def _table(summary, ranked, **kw):
    from clusterdiscovery.pipeline._choose import candidates_table

    return candidates_table(summary, ranked, model="latent_class", criterion="bic",
                            min_share=kw.get("min_share", 0.02), min_jaccard=0.6,
                            screen_margin=0.1, n_screen=10, n_full=20)


def test_one_k_screened_out_that_reproduces_in_full_is_not_provisional():
    """The provisional banner must be true: a candidate screened out with 10 resamples but
    whose clusters all reach 0.6 with 20 is eligible, and the solution is not provisional."""
    from clusterdiscovery.pipeline._choose import assess_and_choose

    summary = _summary().iloc[:1]  # k = 2 only
    ranked = rank_candidates(summary, model="latent_class", criterion="bic", min_share=0.02)
    assess, calls = _assess(screen=[0.45], full=[0.7])
    pos, table, stab = assess_and_choose(ranked, assess, **_RULE)
    assert not table.loc[pos, "provisional"] and table.loc[pos, "eligible"]
    assert calls == [(0, 10), (0, 20)] and float(stab.summary["jaccard_mean"].min()) == 0.7
    # the same candidate below 0.6 in full: provisional, and the notice says what is true
    assess, _ = _assess(screen=[0.45], full=[0.55])
    pos, table, _ = assess_and_choose(ranked, assess, **_RULE)
    assert table.loc[pos, "provisional"]
    from clusterdiscovery.describe._stability import provisional_blocks
    from clusterdiscovery.pipeline._choice_text import provisional_detail

    detail = provisional_detail(_table(summary, table), min_jaccard=0.6, n_full=20,
                                n_screen=10, screen_margin=0.1)
    assert detail == ("Of the 1 numbers of clusters tried (k = 2), 1 had a cluster below 0.6 "
                      "when assessed with 20 resamples.")
    text = provisional_blocks(True, detail)[0][1]
    assert detail in text and "Every number" not in text
    assert "Every number" not in provisional_blocks(True)[0][1]
    assert provisional_blocks(False, detail) == []


def test_the_provisional_choice_moves_when_its_full_assessment_is_worse():
    """No finalist: the best-screened candidate is assessed in full; when it then falls
    below another's screening, that one is assessed in full too before choosing."""
    from clusterdiscovery.pipeline._choose import assess_and_choose

    ranked = rank_candidates(_summary(), model="latent_class", criterion="bic",
                             min_share=0.02)  # k = 5, 4, 3, 2
    assess, calls = _assess(screen=[0.3, 0.45, 0.4, 0.2], full=[0.3, 0.35, 0.42, 0.2])
    pos, table, _ = assess_and_choose(ranked, assess, **_RULE)
    assert table.loc[pos, "k"] == 3 and table.loc[pos, "provisional"]
    assert [c for c in calls if c[1] == 20] == [(1, 20), (2, 20)]
    assert np.isfinite(table.loc[pos, "min_jaccard"])


def test_the_paragraph_states_the_rule_the_choice_and_the_runners_up():
    from clusterdiscovery.pipeline._choice_text import choice_paragraph

    summary = _summary().assign(smallest_share=[0.4, 0.2, 0.1, 0.01, 0.3])
    ranked = rank_candidates(summary, model="latent_class", criterion="bic",
                             min_share=0.02)  # k = 4, 3, 2 (5: 1%, 6: degenerate)
    _, chosen, _ = choose_solution(ranked, [0.52, 0.8, np.nan], criterion="bic",
                                   min_jaccard=0.6, screen_jaccards=[0.62, 0.7, 0.9],
                                   finalists=[True, True, True])
    table = _table(summary, chosen)
    assert table["k"].tolist() == [2, 3, 4, 5, 6]  # every k, by k
    by_k = table.set_index("k")
    assert by_k.loc[3, "chosen"] and by_k.loc[3, "reason"].startswith("chosen")
    assert by_k.loc[4, "eligible"] == False  # noqa: E712 (a cluster at 0.52 in full)
    assert pd.isna(by_k.loc[2, "eligible"]) and "not needed" in by_k.loc[2, "reason"]
    assert not by_k.loc[5, "candidate"] and "min_share" in by_k.loc[5, "reason"]
    assert "degenerate" in by_k.loc[6, "reason"]
    text = choice_paragraph(table, criterion="bic", min_jaccard=0.6, n_full=20, n_screen=10,
                            screen_margin=0.1, method="bootstrap", k_range=(2, 6))
    assert text.startswith("Rule: the lowest BIC among the solutions whose clusters all "
                           "reproduce (every cluster's mean Jaccard >= 0.6 over 20 bootstrap")
    assert "Chosen: k = 3 (BIC 450)." in text
    assert "Runners-up: k = 4 (BIC 420) had a cluster with mean Jaccard 0.52; k = 2 (BIC 500)" \
        in text
    assert "Not candidates: k = 5 (a cluster below min_share 2%); k = 6 (degenerate" in text
    assert "largest tried" not in text and "smallest tried" not in text


def test_a_choice_at_the_end_of_the_range_is_flagged():
    from clusterdiscovery.pipeline._choice_text import choice_paragraph

    summary = _summary().iloc[:4]  # k = 2..5, all candidates
    ranked = rank_candidates(summary, model="latent_class", criterion="bic", min_share=0.0)
    words = {"criterion": "bic", "min_jaccard": 0.6, "n_full": 20, "n_screen": 10,
             "screen_margin": 0.1, "method": "bootstrap", "k_range": (2, 5)}
    _, top, _ = choose_solution(ranked, [0.9, np.nan, np.nan, np.nan], criterion="bic",
                                min_jaccard=0.6)  # k = 5, the best BIC, reproduces
    assert "the largest tried; widen k_max" in choice_paragraph(_table(summary, top), **words)
    _, bottom, _ = choose_solution(ranked, [0.3, 0.4, 0.5, 0.9], criterion="bic",
                                   min_jaccard=0.6)  # only k = 2 reproduces
    text = choice_paragraph(_table(summary, bottom), **words)
    assert "Chosen: k = 2" in text and "the smallest tried" in text
    assert "k = 3 (BIC 450) had a cluster with mean Jaccard 0.50" in text


def test_no_candidate_names_the_causes_and_the_columns_at_their_floor():
    summary = pd.DataFrame({
        "model": ["latent_class"] * 4, "k": [2, 3, 4, 5],
        "bic": [500.0, 450.0, 420.0, 400.0],
        "smallest_share": [0.2, 0.01, 0.02, 0.03],
        "degenerate": [True, False, False, False],
        "floor_items": ["", "lc (class 2)", "lc (class 2); idp (class 4)", None],
    })
    with pytest.raises(ValueError) as err:
        rank_candidates(summary, model="latent_class", criterion="bic", min_share=0.05)
    message = str(err.value)
    assert "every k was rejected" in message
    assert "k = 2: degenerate" in message
    assert "k = 3..5: a cluster below min_share 5%" in message
    assert "lc (class 2) (k = 3)" in message and "idp (class 4) (k = 4)" in message
    assert "declare those columns ordinal" in message and "lower [models] min_share" in message
    # without floor_items (an older comparison), the advice is the k range and min_share
    with pytest.raises(ValueError, match=r"widen \[models\] k_min..k_max"):
        rank_candidates(summary.drop(columns="floor_items"), model="latent_class",
                        criterion="bic", min_share=0.05)


def test_a_jaccard_below_the_threshold_never_reads_as_reaching_it():
    from clusterdiscovery.describe._stability import jaccard_text, warning_blocks

    assert jaccard_text(0.597) == "0.597" and jaccard_text(0.5949) == "0.59"
    assert jaccard_text(0.6) == "0.60" and jaccard_text(0.9999, 1.0) == "0.999"

    class _S:
        summary = pd.DataFrame({"jaccard_mean": [0.598], "verdict": ["unstable"]})

    assert "is 0.598, below 0.6" in warning_blocks(0, _S())[0][1]
