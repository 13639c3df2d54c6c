"""Formula injection (issue 21; OWASP CSV injection): text cells, column names and index
values starting with = + - @ (or a tab or carriage return) are written with a leading
quote in every CSV the package writes; numbers stay numbers."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from clusterdiscovery._csv import escape_cell, safe_frame

HOSTILE = ("=", "+", "@", "-", "\t", "\r")


def _unescaped(folder):
    bad = []
    for path in sorted(folder.rglob("*.csv")):
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        cells = [*df.columns, *df.to_numpy().ravel()]
        for v in cells:
            v = str(v)
            if v.startswith(HOSTILE) and not _number(v):
                bad.append((path.name, v))
    return bad


def _number(v):
    try:
        float(v)
        return True
    except ValueError:
        return False


def test_escape_rules():
    assert escape_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert escape_cell("@SUM(1)") == "'@SUM(1)"
    assert escape_cell("-2+3+cmd") == "'-2+3+cmd"
    assert escape_cell("-1") == "-1" and escape_cell("+2.5e3") == "+2.5e3"
    assert escape_cell(-5) == -5 and escape_cell("team a") == "team a"
    df = pd.DataFrame({"=x": ["=1+1", "ok"], "n": [-3, 4]}, index=["@a", "b"])
    out = safe_frame(df)
    assert list(out.columns) == ["'=x", "n"] and list(out.index) == ["'@a", "b"]
    assert out["n"].tolist() == [-3, 4] and df.columns[0] == "=x"  # input untouched


def test_discover_tables_escape_hostile_names(tmp_path):
    from clusterdiscovery import ClientSchema, discover

    rng = np.random.default_rng(0)
    z = rng.integers(0, 2, 400)
    df = pd.DataFrame({
        "id": [f"c{i}" for i in range(400)],
        "=cmd": np.where(rng.random(400) < np.where(z, .8, .2), "@SUM(1)", "-2+3+cmd"),
        "score": rng.normal(3 * z, 1).round(2),
        "visits": rng.poisson(np.where(z, 1, 5)),
    })
    schema = ClientSchema(id="id", features={
        "=cmd": {"type": "binary", "levels": ["-2+3+cmd", "@SUM(1)"], "positive": "@SUM(1)"},
        "score": {"type": "continuous"}, "visits": {"type": "count"}})
    cfg = {"models": {"families": ["latent_class"], "k_min": 2, "k_max": 2, "n_init": 1},
           "stability": {"n_resamples": 3, "screen_resamples": 3},
           "profile": {"n_bootstrap": 20}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        discover(cfg, data={"clients": df.set_index("id"), "schema": schema},
                 out=tmp_path, random_state=0)
    assert list((tmp_path / "tables").glob("*.csv"))
    assert _unescaped(tmp_path) == []
    t1 = pd.read_csv(tmp_path / "tables" / "table1.csv")
    assert any(str(v).startswith("'=cmd") or str(v).startswith("'@SUM")
               for v in t1.astype(str).to_numpy().ravel())


def test_monitor_csvs_escape_a_hostile_team(tmp_path):
    from clusterdiscovery.cli import main
    from clusterdiscovery.datasets import load_sample

    pop = load_sample()
    hostile = '=HYPERLINK("http://evil")'
    a = pop.assignments.replace({"team": {"AOT-1": hostile}})
    c = pop.events.replace({"team": {"AOT-1": hostile}})
    a.to_csv(tmp_path / "a.csv", index=False)
    c[["client_id", "date", "team"]].to_csv(tmp_path / "c.csv", index=False)
    out = tmp_path / "out"
    code = main(["monitor", str(tmp_path / "a.csv"), str(tmp_path / "c.csv"), "--as-of",
                 "2025-06-30", "--out", str(out)])
    assert code == 0
    assert list(out.glob("*.csv"))
    assert _unescaped(out) == []
    status = pd.read_csv(out / "status.csv")
    assert ("'" + hostile) in set(status["team"])
    with pytest.raises(AssertionError):
        assert _unescaped(tmp_path) == []  # the hostile inputs themselves are caught
