"""Tests for features.gower_distances.

Hand-computed cases follow Gower (1971), Biometrics 27(4):857-871:
d(i, j) = sum_k w_k delta_ijk s_ijk / sum_k w_k delta_ijk, with s = |x_i - x_j| / range for
numeric variables and 0/1 mismatch for nominal ones; delta = 0 when either value is missing.
"""

import gower
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusterdiscovery import ClientSchema
from clusterdiscovery.exceptions import SchemaError
from clusterdiscovery.features import gower_distances


@pytest.fixture
def table():
    return pd.DataFrame({
        "age": [20.0, 40.0, 30.0],
        "sex": ["f", "m", "f"],
        "honos": [0, 2, 4],
        "children": [0.0, 3.0, np.nan],
    })


SCHEMA = ClientSchema(features={"age": "continuous", "sex": "categorical",
                                "honos": ("ordinal", [0, 1, 2, 3, 4]), "children": "count"})


def test_hand_computed_with_missing(table):
    d = gower_distances(table, SCHEMA)
    # ranges: age 40 - 20 = 20; honos codes 4 - 0 = 4; children (observed 0, 3) = 3
    # d(0,1): age 20/20 = 1, sex f/m = 1, honos 2/4 = 0.5, children 3/3 = 1 -> 3.5 / 4
    # d(0,2): age 10/20 = 0.5, sex 0, honos 4/4 = 1, children missing -> 1.5 / 3
    # d(1,2): age 10/20 = 0.5, sex 1, honos 2/4 = 0.5, children missing -> 2.0 / 3
    expected = np.array([[0.0, 0.875, 0.5],
                         [0.875, 0.0, 2 / 3],
                         [0.5, 2 / 3, 0.0]])
    np.testing.assert_allclose(d, expected, rtol=0, atol=1e-15)
    # without a schema honos is numeric (values 0, 2, 4, range 4): the same numbers
    np.testing.assert_allclose(gower_distances(table), expected, atol=1e-15)


def test_hand_computed_with_weights(table):
    d = gower_distances(table, SCHEMA, weights={"age": 2.0})
    # weights age 2, others 1
    # d(0,1): (2*1 + 1 + 0.5 + 1) / (2 + 1 + 1 + 1) = 4.5 / 5 = 0.9
    # d(0,2): (2*0.5 + 0 + 1) / (2 + 1 + 1) = 2 / 4 = 0.5
    # d(1,2): (2*0.5 + 1 + 0.5) / 4 = 2.5 / 4 = 0.625
    np.testing.assert_allclose(d[0, 1], 0.9)
    np.testing.assert_allclose(d[0, 2], 0.5)
    np.testing.assert_allclose(d[1, 2], 0.625)
    same = gower_distances(table, SCHEMA, weights=[2.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(d, same)
    # weight 0 removes a variable: without sex, d(0,1) = (1 + 0.5 + 1) / 3
    d0 = gower_distances(table, SCHEMA, weights={"sex": 0})
    np.testing.assert_allclose(d0[0, 1], 2.5 / 3)


def test_ordinal_uses_level_order():
    df = pd.DataFrame({"risk": ["low", "high", "medium"]})
    schema = ClientSchema(features={"risk": ("ordinal", ["low", "medium", "high"])})
    d = gower_distances(df, schema)
    # codes 0, 2, 1; range 2: d(0,1) = 2/2 = 1, d(0,2) = 1/2, d(1,2) = 1/2
    np.testing.assert_allclose(d, [[0, 1, 0.5], [1, 0, 0.5], [0.5, 0.5, 0]])
    # an ordered pandas Categorical is read as ordinal without a schema
    cat = df.assign(risk=pd.Categorical(df["risk"], ["low", "medium", "high"], ordered=True))
    np.testing.assert_allclose(gower_distances(cat), d)
    # unordered: nominal mismatch, every pair differs
    plain = gower_distances(df)
    np.testing.assert_allclose(plain, 1 - np.eye(3))


def test_binary_is_symmetric_nominal():
    df = pd.DataFrame({"x": [0, 0, 1], "y": [1.0, 2.0, 3.0]})
    schema = ClientSchema(features={"x": "binary", "y": "continuous"})
    d = gower_distances(df, schema)
    # shared 0 counts as a match: d(0,1) = (0 + 1/2) / 2 = 0.25
    # d(0,2) = (1 + 2/2) / 2 = 1; d(1,2) = (1 + 1/2) / 2 = 0.75
    np.testing.assert_allclose(d, [[0, 0.25, 1], [0.25, 0, 0.75], [1, 0.75, 0]])


def test_no_common_variable_is_nan_and_constant_column():
    df = pd.DataFrame({"x": [np.nan, "p", "p"], "y": [1.0, np.nan, 1.0]})
    d = gower_distances(df)
    # rows 0 and 1 share no observed variable
    assert np.isnan(d[0, 1]) and np.isnan(d[1, 0])
    # y is constant (range 0) -> contributes 0 but counts: d(0,2) = 0/1, d(1,2) = 0/1
    assert d[0, 2] == 0.0 and d[1, 2] == 0.0
    assert np.all(np.diag(d) == 0)


def test_agrees_with_gower_package():
    rng = np.random.default_rng(0)
    n = 60
    df = pd.DataFrame({
        "age": rng.normal(45, 12, n).clip(18, 90),
        "admissions": rng.poisson(2, n).astype(float),
        "cost": rng.gamma(1.0, 500.0, n) + 1.0,
        "housing": rng.choice(["settled", "supported", "homeless"], n),
        "sex": rng.choice(["female", "male"], n),
    })
    ours = gower_distances(df)
    # the gower package computes ranges as max * (1 - min / max): the same as max - min for
    # non-negative data; it works in float32, hence the tolerance
    theirs = gower.gower_matrix(df.astype({"housing": object, "sex": object}),
                                cat_features=[False, False, False, True, True])
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    yours = gower.gower_matrix(df.iloc[:20].astype({"housing": object, "sex": object}),
                               df.iloc[20:].astype({"housing": object, "sex": object}),
                               cat_features=[False, False, False, True, True])
    np.testing.assert_allclose(gower_distances(df.iloc[:20], other=df.iloc[20:]), yours,
                               atol=1e-6)


def test_other_matches_block_of_full_matrix(table):
    full = gower_distances(table, SCHEMA)
    block = gower_distances(table.iloc[:1], SCHEMA, other=table.iloc[1:])
    assert block.shape == (1, 2)
    np.testing.assert_allclose(block, full[:1, 1:])
    with pytest.raises(ValueError, match=r"'other' lacks column\(s\) \['sex'\]"):
        gower_distances(table, other=table.drop(columns="sex"))


def test_chunking_gives_identical_results():
    rng = np.random.default_rng(1)
    n = 50
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.choice(list("xyz"), n),
                       "c": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n))})
    ref = gower_distances(df)
    for chunk in (1, 7, 50, 1000):
        np.testing.assert_array_equal(gower_distances(df, chunk_size=chunk), ref)


def test_refuses_matrices_too_large():
    df = pd.DataFrame({"a": np.arange(2000.0)})
    # 2000 * 2000 * 8 bytes = 32 MB > 0.01 GB
    with pytest.raises(MemoryError, match="0.0 GB|Subsample|subsample"):
        gower_distances(df, max_memory_gb=0.01)


def test_bad_inputs(table):
    with pytest.raises(TypeError, match="'data'"):
        gower_distances([[1, 2]])
    with pytest.raises(SchemaError, match=r"\['children'\]"):
        gower_distances(table.drop(columns="children"), SCHEMA)
    with pytest.raises(SchemaError, match="'honos'.*outside its levels"):
        gower_distances(table.assign(honos=[0, 9, 1]), SCHEMA)
    with pytest.raises(SchemaError, match="'age'.*numeric"):
        gower_distances(table.assign(age=["a", "b", "c"]), SCHEMA)
    with pytest.raises(TypeError, match="'when'.*dates"):
        gower_distances(table.assign(when=pd.to_datetime(["2024-01-01"] * 3)))
    with pytest.raises(ValueError, match="'weights' has 2 values"):
        gower_distances(table, weights=[1, 2])
    with pytest.raises(ValueError, match="finite and >= 0"):
        gower_distances(table, weights=[1, -1, 1, 1])
    with pytest.raises(ValueError, match="chunk_size"):
        gower_distances(table, chunk_size=0)
    with pytest.raises(ValueError, match="at least one row"):
        gower_distances(table.iloc[:0])



def test_repeated_columns_stray_levels_and_bad_weights_are_named(table):
    doubled = pd.concat([table, table[["age"]]], axis=1)
    for schema in (None, SCHEMA):
        with pytest.raises(ValueError, match=r"\['age'\] appear more than once in 'data'"):
            gower_distances(doubled, schema)
    with pytest.raises(ValueError, match=r"\['age'\] appear more than once in 'other'"):
        gower_distances(table, SCHEMA, other=doubled)
    declared = ClientSchema(features={"age": "continuous", "sex": ("categorical", ["f", "m"])})
    with pytest.raises(SchemaError, match=r"'sex' has value\(s\) \['x'\] outside its levels"):
        gower_distances(table.assign(sex=["f", "x", "m"]), declared)
    with pytest.raises(SchemaError, match="'sex'.*outside"):  # in 'other' too
        gower_distances(table, declared, other=table.assign(sex=["f", "x", "m"]))
    binary = ClientSchema(features={"age": "continuous", "honos": "binary"})
    with pytest.raises(SchemaError, match="Binary column 'honos' has 3 distinct values"):
        gower_distances(table, binary)
    with pytest.raises(TypeError, match="'weights' must be numbers"):
        gower_distances(table, weights={"age": "heavy"})


def test_input_not_modified(table):
    before = table.copy(deep=True)
    gower_distances(table, SCHEMA, other=table)
    pd.testing.assert_frame_equal(table, before)


# ------------------------------------------------------------------ property-based tests
def _reference(df):
    """Gower's formula pair by pair (slow; for tiny tables)."""
    n = len(df)
    num = [c for c in df.columns if df[c].dtype.kind == "f"]
    rng = {c: (df[c].max() - df[c].min()) if df[c].notna().any() else 0.0 for c in num}
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            s = w = 0.0
            for c in df.columns:
                a, b = df[c].iloc[i], df[c].iloc[j]
                if pd.isna(a) or pd.isna(b):
                    continue
                w += 1
                if c in num:
                    s += abs(a - b) / rng[c] if rng[c] > 0 else 0.0
                else:
                    s += float(a != b)
            out[i, j] = s / w if w else np.nan
    return out


@st.composite
def mixed_tables(draw):
    n = draw(st.integers(1, 8))
    floats = st.floats(-1e3, 1e3, allow_nan=False, width=32)
    maybe = st.one_of(floats, st.just(np.nan))
    return pd.DataFrame({
        "x": draw(st.lists(floats, min_size=n, max_size=n)),  # never missing
        "y": draw(st.lists(maybe, min_size=n, max_size=n)),
        "c": pd.Series(draw(st.lists(st.sampled_from(["a", "b", "c", None]),
                                     min_size=n, max_size=n)), dtype=object),
    }).astype({"x": float, "y": float})


@settings(max_examples=40, deadline=None)
@given(mixed_tables(), st.integers(1, 5))
def test_properties(df, chunk):
    d = gower_distances(df, chunk_size=chunk)
    n = len(df)
    assert d.shape == (n, n)
    np.testing.assert_array_equal(d, d.T)
    np.testing.assert_array_equal(np.diag(d), 0.0)
    assert np.all((d >= 0) & (d <= 1 + 1e-12))
    np.testing.assert_allclose(d, _reference(df), rtol=1e-12, atol=1e-12)
