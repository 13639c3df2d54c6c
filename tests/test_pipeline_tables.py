"""Every CSV that ``discover`` writes under ``tables/`` holds raw numbers (issue 19 point 7):
each column is numeric, a True/False flag, or a declared text column; a suppressed cell is
empty with its flag True; no "1,154", "5.1%", "None" or "{}" anywhere."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from clusterdiscovery.pipeline import discover

QUICK = {
    "models": {"k_min": 2, "k_max": 4, "n_init": 1},
    "stability": {"n_resamples": 4, "screen_resamples": 2},
    "profile": {"n_bootstrap": 50},
}
#: the columns that hold words: names, labels, levels, reasons (docs/pipeline.md)
TEXT = {"model", "reason", "verdict", "variable", "level", "kind", "statistic", "table",
        "group", "cluster", "cost", "outcome", "floor_items", "followup_cluster",
        "care_cluster", "service", "target_met"}
FLAGS = {"True", "False", ""}


def check_numeric_tables(folder) -> list[str]:
    """Every problem found in the CSVs of ``folder`` (empty when they hold numbers only)."""
    problems = []
    for path in sorted(folder.glob("*.csv")):
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        for col in df.columns:
            values = df[col].str.strip()
            if col in TEXT:
                bad = values[values.isin(["None", "{}", "[]", "nan"])]
            elif col.endswith("_suppressed") or col in ("suppressed", "degenerate",
                                                         "converged", "candidate",
                                                         "finalist", "eligible", "chosen",
                                                         "provisional"):
                bad = values[~values.isin(FLAGS)]
            else:
                filled = values[values != ""]
                number = pd.to_numeric(filled, errors="coerce")
                bad = filled[number.isna()]
            if len(bad):
                problems.append(f"{path.name}: column {col!r} holds {bad.iloc[0]!r}")
    return problems


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """The bundled sample (3,000 clients with events), a quick configuration."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return discover(QUICK, out=tmp_path_factory.mktemp("tables"), random_state=0)


def test_every_csv_holds_numbers_flags_or_declared_text(study):
    folder = study.paths["model"].parent / "tables"
    names = {p.name for p in folder.glob("*.csv")}
    assert {"candidates.csv", "model_selection.csv", "stability.csv", "table1.csv",
            "costs.csv", "outcomes.csv", "distinguishing.csv"} <= names
    assert check_numeric_tables(folder) == []


def test_suppressed_cells_are_empty_and_flagged(study):
    folder = study.paths["model"].parent / "tables"
    table1 = pd.read_csv(folder / "table1.csv", keep_default_na=False, dtype=str)
    groups = [c for c in table1.columns if f"{c}_suppressed" in table1.columns]
    assert groups and "overall" in groups
    n_hidden = 0
    for g in groups:
        flag = table1[f"{g}_suppressed"] == "True"
        assert (table1.loc[flag, g] == "").all()  # hidden: empty, never a marker
        n_hidden += int(flag.sum())
    # the same number of Table 1 cells as the profile's record of suppression
    recorded = study.profile.suppressed
    assert n_hidden == int((recorded["table"] == "table1").sum()) > 0
    # shares are fractions, counts whole numbers
    rows = table1.set_index(["variable", "statistic"])
    shares = pd.to_numeric(rows.loc[("clients", "share"), groups[0]])
    assert 0 < float(np.atleast_1d(shares)[0]) < 1
    n = rows.loc[("clients", "n"), "overall"]
    assert str(np.atleast_1d(n)[0]) == str(len(study.labels))


def test_the_checker_catches_formatted_cells(tmp_path):
    pd.DataFrame({"cluster": [0], "n": ["1,154"], "share": ["5.1%"]}).to_csv(
        tmp_path / "a.csv", index=False)
    pd.DataFrame({"model": ["None"], "eligible": ["maybe"]}).to_csv(tmp_path / "b.csv",
                                                                     index=False)
    problems = check_numeric_tables(tmp_path)
    assert len(problems) == 4, problems
