"""Tests of clusterdiscovery.published: catalogue, published model, reproduction, MHCT table."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from clusterdiscovery import load_model
from clusterdiscovery.datasets import load_values
from clusterdiscovery.exceptions import ModelSpecError
from clusterdiscovery.published import (
    ReproductionResult,
    list_models,
    load_published_model,
    mhct_care_clusters,
    published_parameters,
    reproduce_stouffer_toby,
)

matplotlib.use("Agg")

PUBLISHED = Path(__file__).resolve().parents[1] / "src" / "clusterdiscovery" / "data" / "published"
NAME = "stouffer_toby_2class"


@pytest.fixture(scope="module")
def reproduction():
    return reproduce_stouffer_toby(random_state=0)


# --------------------------------------------------------------------------- catalogue


def test_list_models_lists_stouffer_toby():
    table = list_models()
    assert list(table.columns) == ["name", "description", "citation", "doi", "family",
                                   "n_clusters"]
    row = table.set_index("name").loc[NAME]
    assert row["family"] == "latent_class"
    assert row["n_clusters"] == 2
    assert row["doi"] == "10.18637/jss.v042.i10"
    assert "Stouffer" in row["citation"] and "Goodman" in row["citation"]


def test_unknown_name_lists_available_models():
    with pytest.raises(ValueError, match=r"Unknown published model 'goodman_3class'.*"
                                         r"stouffer_toby_2class"):
        load_published_model("goodman_3class")
    with pytest.raises(ValueError, match="stouffer_toby_2class"):
        published_parameters("nope")
    with pytest.raises(TypeError, match="must be a str"):
        load_published_model(2)


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="directory="):
        load_published_model(NAME, directory=tmp_path / "absent")


# --------------------------------------------------------------------------- the published model


def test_parameter_table_is_a_proper_distribution():
    table = published_parameters(NAME)
    shares = table[table["parameter"] == "class_share"]["estimate"]
    assert shares.sum() == pytest.approx(1.0, abs=1e-12)
    probs = table[table["parameter"] == "probability"]
    sums = probs.groupby(["variable", "class"])["estimate"].sum()
    assert len(sums) == 8
    np.testing.assert_allclose(sums.to_numpy(), 1.0, atol=1e-12)
    # published standard errors are the same for both outcomes of a binary item
    se = probs.groupby(["variable", "class"])["std_error"].nunique()
    assert (se == 1).all()


def test_built_model_equals_the_model_file():
    """The model built from the CSV table and src/clusterdiscovery/data/published/stouffer_toby_2class.json
    (typed in independently from the same poLCA output) agree in every parameter and
    every prediction."""
    built = load_published_model(NAME)
    from_file = load_model(PUBLISHED / "stouffer_toby_2class.json")
    a, b = built.to_dict(), from_file.to_dict()
    for key in ("features", "schema", "preprocessing", "model", "clusters", "privacy"):
        assert a[key] == b[key], key
    assert a["provenance"]["doi"] == b["provenance"]["doi"]
    # every response pattern, and patterns with missing answers
    patterns = load_values()[["A", "B", "C", "D"]].astype(float)
    holes = patterns.copy()
    holes.iloc[::3, 1] = np.nan
    holes.iloc[::4, 3] = np.nan
    for data in (patterns, holes):
        before = data.copy()
        np.testing.assert_array_equal(built.predict_proba(data), from_file.predict_proba(data))
        np.testing.assert_array_equal(built.score_samples(data), from_file.score_samples(data))
        pd.testing.assert_frame_equal(data, before)


def test_published_model_reproduces_published_modal_shares():
    """Stouffer & Toby (1951, Am J Sociol 56:395-406) data; poLCA model M1 (Linzer & Lewis
    2011, J Stat Softw 42(10), doi:10.18637/jss.v042.i10; Goodman 1974, Biometrika
    61:215-231) prints predicted class memberships by modal posterior 0.3287 / 0.6713 and
    maximum log-likelihood -504.4677."""
    model = load_published_model(NAME)
    rows = load_values(expand=True)
    labels = model.predict(rows)
    assert np.bincount(labels).tolist() == [71, 145]
    assert np.round(np.bincount(labels) / 216, 4).tolist() == [0.3287, 0.6713]
    assert model.score_samples(rows).sum() == pytest.approx(-504.4677, abs=1e-3)


def test_malformed_table_is_refused(tmp_path):
    for name in ("values.csv", "stouffer_toby_2class_parameters.csv"):
        shutil.copy(PUBLISHED / name, tmp_path / name)
    path = tmp_path / "stouffer_toby_2class_parameters.csv"
    table = pd.read_csv(path)
    # probabilities of item B in class 2 no longer sum to 1: the model-file validator says so
    bad = table.copy()
    bad.loc[(bad["variable"] == "B") & (bad["class"] == 2) & (bad["outcome"] == 1),
            "estimate"] = 0.9
    bad.to_csv(path, index=False)
    with pytest.raises(ModelSpecError, match="probabilities"):
        load_published_model(NAME, directory=tmp_path)
    # an outcome missing for one class
    table.drop(index=table.index[-1]).to_csv(path, index=False)
    with pytest.raises(ValueError, match="'D'"):
        load_published_model(NAME, directory=tmp_path)
    # text in a number column, a missing class, an empty file: the file is named
    bad = table.astype({"estimate": object})
    bad.loc[0, "estimate"] = "abc"
    bad.to_csv(path, index=False)
    with pytest.raises(ValueError, match="parameters.csv: not a readable parameter table"):
        published_parameters(NAME, directory=tmp_path)
    bad = table.astype({"class": float})
    bad.loc[0, "class"] = np.nan
    bad.to_csv(path, index=False)
    with pytest.raises(ValueError, match="parameters.csv: not a readable parameter table"):
        published_parameters(NAME, directory=tmp_path)
    path.write_text("")
    with pytest.raises(ValueError, match="parameters.csv: not a readable parameter table"):
        published_parameters(NAME, directory=tmp_path)
    with pytest.raises(TypeError, match="'directory' parameter"):
        published_parameters(NAME, directory=5)


# --------------------------------------------------------------------------- reproduction


def test_reproduction_matches_published_numbers(reproduction):
    """Published numbers (Goodman 1974, Biometrika 61:215-231; poLCA ``values`` example,
    Linzer & Lewis 2011, J Stat Softw 42(10); data of Stouffer & Toby 1951, AJS 56:395-406;
    see also McCutcheon 1987, Latent Class Analysis): maximum log-likelihoods -543.6498,
    -504.4677, -503.3011 for 1-3 classes; class shares 0.2792 / 0.7208 and the
    item-response probabilities of the 2-class model; modal shares 0.3287 / 0.6713. All are
    reproduced to 1e-3 (they are printed to 4 decimals)."""
    summary = reproduction.summary
    assert list(summary.columns) == ["quantity", "published", "reproduced", "difference",
                                     "method"]
    assert len(summary) == 16
    published = summary.set_index("quantity")["published"]
    assert published["log-likelihood, 1 class"] == -543.6498
    assert published["log-likelihood, 2 classes"] == -504.4677
    assert published["log-likelihood, 3 classes"] == -503.3011
    assert published["class share, class 1"] == 0.2792
    assert published["modal assignment share, class 2"] == 0.6713
    assert published["P(D = 1), class 2"] == 0.8676
    np.testing.assert_allclose(summary["difference"],
                               summary["reproduced"] - summary["published"])
    assert summary["difference"].abs().max() < 1e-3, summary.to_string()
    # the full table (both outcomes of every item) agrees too
    assert reproduction.parameters["difference"].abs().max() < 1e-3
    assert sorted(reproduction.mapping.values()) == [0, 1]


def test_reproduction_refits(reproduction):
    refits = reproduction.refits
    assert sorted(refits) == [1, 2, 3]
    ll = [refits[k].loglik_ for k in (1, 2, 3)]
    assert ll[0] < ll[1] < ll[2]
    assert all(refits[k].converged_ for k in (1, 2, 3))
    assert [refits[k].n_parameters_ for k in (1, 2, 3)] == [4, 9, 14]


def test_reproduction_other_seed():
    """Any seed reaches the same maxima (the published values) with the default starts."""
    other = reproduce_stouffer_toby(random_state=7)
    assert other.summary["difference"].abs().max() < 1e-3


def test_reproduction_result_protocol(reproduction):
    assert isinstance(reproduction, ReproductionResult)
    frame = reproduction.to_frame()
    frame.loc[0, "published"] = 0.0
    assert reproduction.summary.loc[0, "published"] == 0.2792  # a copy
    assert "<table" in reproduction._repr_html_()
    kinds = reproduction.max_abs_difference
    assert set(kinds.index) == {"class share", "modal assignment share", "log-likelihood",
                                "item-response probability"}
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert reproduction.plot(ax=ax) is ax
    assert len(ax.patches) == 16
    plt.close(fig)


def test_reproduction_bad_parameters():
    with pytest.raises(ValueError, match="n_init"):
        reproduce_stouffer_toby(n_init=0)
    with pytest.raises(TypeError, match="n_init"):
        reproduce_stouffer_toby(n_init=2.5)


# --------------------------------------------------------------------------- MHCT


def test_mhct_care_clusters():
    """The 21 MHCT care clusters (Department of Health 2013, Mental Health Clustering
    Booklet): codes 0-8 and 10-21 in four super-classes."""
    table = mhct_care_clusters()
    assert len(table) == 21
    assert table.index.tolist() == [*range(0, 9), *range(10, 22)]
    assert table.index.name == "code"
    assert list(table.columns) == ["super_class", "name", "max_review"]
    assert set(table["super_class"]) == {"variance", "non-psychotic", "psychosis", "organic"}
    assert table.loc[10, "name"] == "First episode in psychosis"
    assert table["max_review"].str.fullmatch(r"\d+ (weeks|months)").all()
    assert (table.loc[[14, 15], "max_review"] == "4 weeks").all()
    assert not table["name"].duplicated().any()


def test_mhct_agrees_with_monitoring():
    from clusterdiscovery.monitoring import load_review_periods

    periods = load_review_periods()
    table = mhct_care_clusters()
    assert periods.index.tolist() == table.index.tolist()
    assert periods["max_review"].tolist() == table["max_review"].tolist()


def test_model_file_json_is_the_published_one():
    """src/clusterdiscovery/data/published/stouffer_toby_2class.json and the CSV hold the same numbers."""
    spec = json.loads((PUBLISHED / "stouffer_toby_2class.json").read_text())
    table = published_parameters(NAME)
    shares = table[table["parameter"] == "class_share"].sort_values("class")["estimate"]
    assert spec["model"]["parameters"]["weights"] == shares.tolist()
    for column in spec["model"]["parameters"]["columns"]:
        block = table[table["variable"] == column["name"]]
        wide = block.pivot(index="class", columns="outcome", values="estimate")
        assert wide.to_numpy().tolist() == column["probabilities"]
