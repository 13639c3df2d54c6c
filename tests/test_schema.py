"""ClientSchema: roles, validation errors that name the column, TOML round trip."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusterdiscovery import ClientSchema, SchemaError
from clusterdiscovery.schema import FeatureSpec

LEVELS = [0, 1, 2, 3, 4]


@pytest.fixture
def schema():
    return ClientSchema(
        id="client_id",
        features={
            "age": {"type": "continuous", "min": 16, "max": 110},
            "admissions": "count",
            "substance_use": "binary",
            "housing": ("categorical", ["settled", "supported", "unstable", "homeless"]),
            "honos_1": ("ordinal", LEVELS),
        },
        costs=["cost_total"],
        outcomes={"honos_total": ("honos_base", "honos_follow")},
        team="team",
        dates=["referral_date"],
    )


@pytest.fixture
def table():
    return pd.DataFrame(
        {
            "client_id": ["c1", "c2", "c3", "c4"],
            "age": [23.0, 45.5, np.nan, 70.0],
            "admissions": [0, 3, 1, 0],
            "substance_use": [0, 1, 1, 0],
            "housing": ["settled", "homeless", None, "supported"],
            "honos_1": [0, 4, 2, np.nan],
            "cost_total": [0.0, 1520.0, 300.5, 0.0],
            "honos_base": [10.0, 22.0, 15.0, 8.0],
            "honos_follow": [8.0, np.nan, 12.0, 8.0],
            "team": ["A", "B", "A", "C"],
            "referral_date": ["2023-01-04", "2022-11-30", "2024-02-29", "2021-06-01"],
        }
    )


def test_valid_table_passes_and_is_returned_unchanged(schema, table):
    before = table.copy(deep=True)
    assert schema.validate(table) is table
    pd.testing.assert_frame_equal(table, before)


def test_id_may_be_the_index(schema, table):
    indexed = table.set_index("client_id")
    assert schema.validate(indexed) is indexed


def test_views(schema):
    assert schema.feature_columns == ["age", "admissions", "substance_use", "housing", "honos_1"]
    assert schema.columns_of_type("continuous", "count") == ["age", "admissions"]
    assert schema.outcome_columns == ["honos_base", "honos_follow"]
    assert schema.columns[0] == "client_id" and "team" in schema.columns
    assert schema.features["honos_1"] == FeatureSpec("ordinal", tuple(LEVELS))
    assert schema.select(["age"]).feature_columns == ["age"]


def _err(schema, df, *fragments):
    before = df.copy(deep=True)
    with pytest.raises(SchemaError) as info:
        schema.validate(df)
    for fragment in fragments:
        assert fragment in str(info.value), str(info.value)
    pd.testing.assert_frame_equal(df, before)  # the user's table is never modified
    return str(info.value)


def test_missing_column(schema, table):
    _err(schema, table.drop(columns="honos_1"), "'honos_1'", "missing")


def test_missing_column_suggests_case_fix(schema, table):
    msg = _err(schema, table.rename(columns={"age": "Age"}), "'age'")
    assert "'Age'" in msg


@pytest.mark.parametrize("column", ["age", "admissions", "cost_total", "honos_base"])
def test_wrong_dtype(schema, table, column):
    bad = table.assign(**{column: ["x", "y", "z", "w"]})
    _err(schema, bad, f"'{column}'", "numeric")


def test_value_outside_declared_levels(schema, table):
    _err(schema, table.assign(honos_1=[0, 5, 2, 1]), "'honos_1'", "5")
    _err(schema, table.assign(housing=["settled", "castle", None, "supported"]),
         "'housing'", "castle")


def test_value_outside_range(schema, table):
    _err(schema, table.assign(age=[23.0, 45.0, 12.0, 70.0]), "'age'", "min")
    _err(schema, table.assign(age=[23.0, 145.0, 12.0, 70.0]), "'age'")


def test_negative_costs_and_counts(schema, table):
    _err(schema, table.assign(cost_total=[0.0, -5.0, 1.0, 2.0]), "'cost_total'", "negative")
    _err(schema, table.assign(admissions=[0, -1, 1, 0]), "'admissions'", "negative")


def test_non_integer_counts(schema, table):
    _err(schema, table.assign(admissions=[0, 1.5, 1, 0]), "'admissions'", "non-integer")


def test_infinite_values(schema, table):
    _err(schema, table.assign(age=[23.0, np.inf, 30.0, 70.0]), "'age'", "infinite")
    _err(schema, table.assign(cost_total=[0.0, np.inf, 1.0, 2.0]), "'cost_total'", "infinite")


def test_duplicated_and_missing_ids(schema, table):
    _err(schema, table.assign(client_id=["c1", "c2", "c2", "c4"]), "'client_id'", "duplicated",
         "c2")
    _err(schema, table.assign(client_id=["c1", None, "c3", "c4"]), "'client_id'", "missing")
    _err(schema, table.drop(columns="client_id"), "'client_id'", "not found")


def test_entirely_missing_and_constant_features(schema, table):
    _err(schema, table.assign(age=np.nan), "'age'", "entirely missing")
    _err(schema, table.assign(admissions=2), "'admissions'", "constant")
    _err(schema, table.assign(housing="settled"), "'housing'", "constant")


def test_binary_with_three_values(schema, table):
    _err(schema, table.assign(substance_use=[0, 1, 2, 0]), "'substance_use'")


def test_bad_dates(schema, table):
    _err(schema, table.assign(referral_date=["2023-01-04", "soon", None, "2021-06-01"]),
         "'referral_date'", "soon")


def test_numbers_are_not_read_as_dates(schema, table):
    _err(schema, table.assign(referral_date=[20230104, 20220301, 20240101, 20210601]),
         "'referral_date'", "not dates")


def test_select_takes_a_name_or_a_list(schema):
    assert schema.select("age").feature_columns == ["age"]
    assert schema.select(["admissions", "age"]).feature_columns == ["admissions", "age"]
    with pytest.raises(TypeError, match="select"):
        schema.select(3)


def test_empty_table_and_wrong_type(schema, table):
    _err(schema, table.iloc[:0], "empty")
    with pytest.raises(TypeError, match="DataFrame"):
        schema.validate(table.to_numpy())


def test_features_only_skips_other_roles(schema, table):
    new_clients = table.drop(columns=["cost_total", "honos_base", "honos_follow", "team"])
    assert schema.validate(new_clients, features_only=True) is new_clients


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"features": {"a": "numeric"}}, "unknown type"),
        ({"features": {"a": "ordinal"}}, "no levels"),
        ({"features": {"a": ("binary", [1, 2, 3])}}, "exactly two"),
        ({"features": {"a": {"type": "categorical", "min": 0}}}, "min/max"),
        ({"features": {"a": {"type": "continuous", "min": 5, "max": 1}}}, "greater"),
        ({"features": {"a": {"kind": "continuous"}}}, "unknown key"),
        ({"features": {"a": "count"}, "costs": ["a"]}, "declared twice"),
        ({"outcomes": {"x": "only_one"}}, "pair"),
        ({"id": ""}, "id"),
        ({"team": ""}, "'team' must be a column name"),
        ({"outcomes": {"x": (None, "after")}}, "pair"),
        ({"features": {"a": {"type": "continuous", "min": "0"}}}, "min must be a finite number"),
        ({"features": {"a": {"type": "count", "max": float("nan")}}}, "max must be a finite"),
        ({"features": {"a": ("categorical", [[1], [2]])}}, "single values"),
    ],
)
def test_bad_schema_definitions(kwargs, fragment):
    with pytest.raises(SchemaError, match=fragment):
        ClientSchema(**kwargs)


def test_toml_round_trip(tmp_path, schema):
    text = """
[schema]
id = "client_id"
team = "team"
costs = ["cost_total"]
dates = ["referral_date"]

[schema.features]
age = {type = "continuous", min = 16, max = 110}
admissions = "count"
substance_use = "binary"
housing = {type = "categorical", levels = ["settled", "supported", "unstable", "homeless"]}
honos_1 = {type = "ordinal", levels = [0, 1, 2, 3, 4]}

[schema.outcomes]
honos_total = ["honos_base", "honos_follow"]
"""
    path = tmp_path / "schema.toml"
    path.write_text(text)
    loaded = ClientSchema.from_toml(path)
    assert loaded == schema
    assert ClientSchema.from_dict(loaded.to_dict()) == schema


def test_toml_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        ClientSchema.from_toml(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("id = \n")
    with pytest.raises(SchemaError, match="not valid TOML"):
        ClientSchema.from_toml(bad)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('id = "x"\ncolour = "blue"\n')
    with pytest.raises(SchemaError, match="colour"):
        ClientSchema.from_toml(unknown)


# ----------------------------------------------------------------- property-based
_cell = st.one_of(st.integers(-3, 6), st.floats(allow_nan=True, allow_infinity=True),
                  st.none())


@settings(max_examples=150, deadline=None)
@given(values=st.lists(_cell, min_size=1, max_size=12))
def test_validate_either_passes_or_raises_schema_error(values):
    """Whatever the values of an ordinal column, validate() passes or raises SchemaError,
    never another exception, and never modifies the table."""
    schema = ClientSchema(features={"item": ("ordinal", LEVELS)})
    df = pd.DataFrame({"client_id": [f"c{i}" for i in range(len(values))],
                       "item": pd.Series(values, dtype=object)})
    before = df.copy(deep=True)
    try:
        schema.validate(df)
    except SchemaError:
        pass
    else:
        present = df["item"].dropna()
        assert present.isin(LEVELS).all() and present.nunique() >= 2
    pd.testing.assert_frame_equal(df, before)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1,
                       max_size=12))
def test_continuous_accepts_exactly_finite_nonconstant(values):
    schema = ClientSchema(features={"x": "continuous"})
    df = pd.DataFrame({"client_id": range(len(values)), "x": values})
    arr = np.asarray(values, dtype=float)
    finite = arr[~np.isnan(arr)]
    from clusterdiscovery._checks import MAX_ABS  # finite values beyond it cannot be used

    should_pass = (finite.size > 0 and np.isfinite(finite).all() and np.unique(finite).size >= 2
                   and (np.abs(finite) <= MAX_ABS).all())
    if should_pass:
        schema.validate(df)
    else:
        with pytest.raises(SchemaError, match="'x'"):
            schema.validate(df)


# ------------------------------------------------------------------ meaning: labels, directions
def test_semantics_round_trip_through_toml(tmp_path):
    schema = ClientSchema(
        features={
            "employed": {"type": "binary", "levels": ["no", "yes"], "label": "Employed",
                         "higher_is": "better", "section": "Strengths"},
            "age": {"type": "continuous", "unit": "years", "section": "social context"},
            "item": {"type": "ordinal", "levels": [0, 1, 2], "labels": {"0": "none", "2": "severe"}},
        },
        costs={"visits": {"label": "GP visits", "unit": "visits"}, "cost": {}},
        outcomes={"score": {"baseline": "s0", "follow_up": "s1", "higher_is": "worse"}},
        currency="$", weight="w", sections=["needs", "strengths", "social context"],
    )
    path = tmp_path / "schema.toml"
    assert schema.to_toml(path) == path.read_text(encoding="utf-8")
    back = ClientSchema.from_toml(path)
    assert back == schema
    assert back.label("visits") == "GP visits" and back.label("cost") == "cost"
    assert back.section_of("employed") == "strengths"
    assert back.features["item"].level_label(2) == "severe"
    assert back.features["item"].level_label(1) == "1"
    assert back.spec_of("score").higher_is == "worse"
    assert back.currency == "$" and back.weight == "w" and "w" in back.columns


@pytest.mark.parametrize("levels, positive", [
    (["No", "Yes"], "Yes"), (["n", "Y"], "Y"), (["FALSE", "TRUE"], "TRUE"), ([0, 1], 1),
    ([True, False], True), (["0", "1"], "1"), (["female", "male"], None),
])
def test_binary_positive_level_recognised(levels, positive):
    spec = ClientSchema(features={"b": {"type": "binary", "levels": levels}}).features["b"]
    assert spec.positive_level() == positive
    undeclared = ClientSchema(features={"b": "binary"}).features["b"]
    assert undeclared.positive_level(observed=levels) == positive


def test_declared_positive_wins_and_is_checked():
    s = ClientSchema(features={"sex": {"type": "binary", "levels": ["f", "m"], "positive": "f"}})
    assert s.features["sex"].positive_level() == "f"
    with pytest.raises(SchemaError, match="'sex'.*positive level 'x'"):
        ClientSchema(features={"sex": {"type": "binary", "levels": ["f", "m"], "positive": "x"}})
    with pytest.raises(SchemaError, match="'age'.*binary features only"):
        ClientSchema(features={"age": {"type": "continuous", "positive": 1}})


@pytest.mark.parametrize("spec, match", [
    ({"type": "count", "higher_is": "bigger"}, "higher_is must be one of worse, better"),
    ({"type": "count", "section": "elsewhere"}, "section 'elsewhere' is not one of"),
    ({"type": "count", "label": 3}, "'label' must be a non-empty text"),
    ({"type": "categorical", "unit": "kg"}, "unit applies to continuous and count"),
    ({"type": "ordinal", "levels": [0, 1], "labels": {"5": "x"}}, "labels name level '5'"),
    ({"type": "count", "colour": "red"}, r"unknown key\(s\) \['colour'\]"),
])
def test_bad_semantics_name_the_column(spec, match):
    with pytest.raises(SchemaError, match=match) as err:
        ClientSchema(features={"visits": spec})
    assert "visits" in str(err.value)


def test_weight_column_validated():
    df = pd.DataFrame({"client_id": [1, 2, 3], "x": [1.0, 2.0, 3.0], "w": [1.0, 0.0, 2.0]})
    schema = ClientSchema(features={"x": "continuous"}, weight="w")
    assert schema.validate(df) is df
    for bad in ([1.0, -1.0, 2.0], [0.0, 0.0, 0.0], [1.0, np.nan, 1.0]):
        with pytest.raises(SchemaError, match="Weight column 'w'"):
            schema.validate(df.assign(w=bad))
    with pytest.raises(SchemaError, match="declared twice"):
        ClientSchema(features={"x": "continuous"}, weight="x")


def test_sample_schema_carries_labels_and_directions():
    from clusterdiscovery.datasets import load_sample

    schema = load_sample().schema
    assert schema.label("honos_6") == "Hallucinations and delusions"
    assert schema.spec_of("honos_6").higher_is == "worse"
    assert schema.section_of("years_known") == "history"
    assert schema.features["substance_use"].positive_level() == 1
