"""Tests for features.make_preprocessor (schema-driven ColumnTransformer, pandas output)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.utils.validation import check_is_fitted

from clusterdiscovery import ClientSchema
from clusterdiscovery.features import make_preprocessor


@pytest.fixture
def schema():
    return ClientSchema(features={
        "age": "continuous",
        "admissions": {"type": "count", "log1p": True},
        "contacts": "count",
        "substance_use": "binary",
        "sex": ("categorical", ["female", "male"]),
        "housing": "categorical",
        "honos_1": ("ordinal", [0, 1, 2, 3, 4]),
        "risk": ("ordinal", ["low", "medium", "high"]),
    })


@pytest.fixture
def df():
    return pd.DataFrame({
        "age": [20.0, 40.0, np.nan, 60.0, 30.0],
        "admissions": [0, 3, 1, 7, 0],
        "contacts": [1, 2, 3, 4, 5],
        "substance_use": [1, 0, np.nan, 1, 1],
        "sex": ["female", "male", None, "male", "female"],
        "housing": ["settled", "homeless", "settled", "supported", None],
        "honos_1": [0, 4, 2, np.nan, 2],
        "risk": ["high", "low", "medium", "low", "low"],
        "unused": ["x", "y", "z", "w", "v"],
    }, index=pd.Index([f"C{i}" for i in range(5)], name="client_id"))


def test_unfitted_columntransformer_with_pandas_output(schema, df):
    pp = make_preprocessor(schema)
    assert isinstance(pp, ColumnTransformer)
    with pytest.raises(Exception, match="not fitted"):
        check_is_fitted(pp)
    out = pp.fit_transform(df)
    assert isinstance(out, pd.DataFrame)
    pd.testing.assert_index_equal(out.index, df.index)
    expected = ["age", "contacts", "admissions", "substance_use", "sex_female", "sex_male",
                "housing_homeless", "housing_settled", "housing_supported", "honos_1", "risk"]
    assert list(out.columns) == expected
    assert list(pp.get_feature_names_out()) == expected
    assert "unused" not in out.columns
    assert not out.isna().any().any()
    # transform on other rows (in another order) keeps their index
    part = pp.transform(df.iloc[[3, 0]])
    assert list(part.index) == ["C3", "C0"]
    pd.testing.assert_frame_equal(part, out.iloc[[3, 0]])
    # a clone is unfitted and gives the same result
    pd.testing.assert_frame_equal(clone(pp).fit_transform(df), out)


def test_values_without_scaling(schema, df):
    out = make_preprocessor(schema, scale=False).fit_transform(df)
    # age: median of 20, 40, 60, 30 is 35 for the missing C2
    assert out["age"].tolist() == [20.0, 40.0, 35.0, 60.0, 30.0]
    # admissions has log1p in the schema
    np.testing.assert_allclose(out["admissions"], np.log1p([0, 3, 1, 7, 0]))
    assert out["contacts"].tolist() == [1, 2, 3, 4, 5]
    # binary: 0/1, missing -> most frequent (1)
    assert out["substance_use"].tolist() == [1, 0, 1, 1, 1]
    # one-hot; missing sex -> most frequent; female/male tie -> first level (female)
    assert out["sex_female"].tolist() == [1, 0, 1, 0, 1]
    assert out["sex_male"].tolist() == [0, 1, 0, 1, 0]
    # housing levels learned in fit (sorted); missing -> most frequent (settled)
    assert out["housing_settled"].tolist() == [1, 0, 1, 0, 1]
    # ordinal codes in the schema's order; missing honos_1 -> median code of 0, 4, 2, 2 = 2
    assert out["honos_1"].tolist() == [0, 4, 2, 2, 2]
    assert out["risk"].tolist() == [2, 0, 1, 0, 0]  # low < medium < high, not alphabetical


def test_scaling(schema, df):
    out = make_preprocessor(schema).fit_transform(df)
    for col in ["age", "contacts", "admissions", "honos_1", "risk"]:
        assert out[col].mean() == pytest.approx(0.0, abs=1e-12)
        assert out[col].std(ddof=0) == pytest.approx(1.0)
    assert set(out["sex_female"]) <= {0.0, 1.0}  # one-hot and binary are not scaled
    assert set(out["substance_use"]) <= {0.0, 1.0}


@pytest.mark.parametrize("log1p, logged", [
    (None, {"admissions"}), (True, {"admissions", "contacts"}), (False, set()),
    (["age"], {"age"}),
])
def test_log1p_options(schema, df, log1p, logged):
    out = make_preprocessor(schema, scale=False, impute=True, log1p=log1p).fit_transform(df)
    raw = make_preprocessor(schema, scale=False, log1p=False).fit_transform(df)
    for col in ["age", "admissions", "contacts"]:
        expected = np.log1p(raw[col]) if col in logged else raw[col]
        np.testing.assert_allclose(out[col], expected, err_msg=col)


def test_log1p_negative_values_named(schema, df):
    bad = df.assign(admissions=[0, -3, 1, 7, 0])
    with pytest.raises(ValueError, match=r"\['admissions'\] have negative"):
        make_preprocessor(schema).fit(bad)


def test_indicators_and_no_imputation(schema, df):
    out = make_preprocessor(schema, add_indicator=True).fit_transform(df)
    flags = [c for c in out.columns if c.endswith("_missing")]
    assert flags == ["age_missing", "substance_use_missing", "sex_missing", "housing_missing",
                     "honos_1_missing"]
    assert out["age_missing"].tolist() == [0, 0, 1, 0, 0]
    assert out["honos_1_missing"].tolist() == [0, 0, 0, 1, 0]
    raw = make_preprocessor(schema, impute=False, scale=False).fit_transform(df)
    assert np.isnan(raw.loc["C2", "age"]) and np.isnan(raw.loc["C3", "honos_1"])
    assert raw.loc["C2", ["sex_female", "sex_male"]].tolist() == [0.0, 0.0]


def test_ordinal_onehot_and_columns_subset(schema, df):
    out = make_preprocessor(schema, columns=["risk", "age"], ordinal_as="onehot",
                            scale=False).fit_transform(df)
    assert list(out.columns) == ["age", "risk_low", "risk_medium", "risk_high"]
    assert out["risk_high"].tolist() == [1, 0, 0, 0, 0]


def test_unseen_category_names_the_column(schema, df):
    pp = make_preprocessor(schema).fit(df)
    new = df.assign(housing=["settled", "prison", "settled", "settled", "settled"])
    with pytest.raises(ValueError, match=r"Column 'housing' has value\(s\) \['prison'\]"):
        pp.transform(new)
    with pytest.raises(ValueError, match="Column 'risk'"):
        pp.transform(df.assign(risk=["low", "extreme", "low", "low", "low"]))
    # declared levels are checked in fit too
    with pytest.raises(ValueError, match="Column 'sex'"):
        make_preprocessor(schema).fit(df.assign(sex=["female", "x", "male", "male", "male"]))
    # handle_unknown="ignore": an unseen category is treated as missing (row of zeros when
    # not imputed)
    pp2 = make_preprocessor(schema, handle_unknown="ignore", impute=False).fit(df)
    got = pp2.transform(new)
    assert got.loc["C1", ["housing_homeless", "housing_settled", "housing_supported"]].sum() == 0


def test_missing_column_at_transform(schema, df):
    pp = make_preprocessor(schema).fit(df)
    with pytest.raises(ValueError, match="age"):
        pp.transform(df.drop(columns="age"))


def test_bad_options(schema):
    with pytest.raises(TypeError, match="ClientSchema"):
        make_preprocessor({"age": "continuous"})
    with pytest.raises(ValueError, match="'ordinal_as'"):
        make_preprocessor(schema, ordinal_as="ranks")
    with pytest.raises(ValueError, match="'handle_unknown'"):
        make_preprocessor(schema, handle_unknown="warn")
    with pytest.raises(ValueError, match=r"\['weight'\] in 'columns'"):
        make_preprocessor(schema, columns=["age", "weight"])
    with pytest.raises(ValueError, match=r"\['sex'\] in 'log1p'"):
        make_preprocessor(schema, log1p=["sex"])
    with pytest.raises(TypeError, match="'scale'"):
        make_preprocessor(schema, scale="yes")
    with pytest.raises(TypeError, match="'columns' parameter must be a column name or a list"):
        make_preprocessor(schema, columns=3)
    with pytest.raises(TypeError, match="'log1p' parameter must be a column name or a list"):
        make_preprocessor(schema, log1p=1)


def test_boolean_binary_and_input_not_modified(df):
    schema = ClientSchema(features={"flag": "binary", "age": "continuous"})
    data = df.assign(flag=[True, False, True, True, False])
    before = data.copy(deep=True)
    out = make_preprocessor(schema, scale=False).fit_transform(data)
    assert out["flag"].tolist() == [1, 0, 1, 1, 0]
    pd.testing.assert_frame_equal(data, before)


def test_binary_with_three_values_is_refused(df):
    schema = ClientSchema(features={"flag": "binary"})
    with pytest.raises(ValueError, match="Column 'flag' has 3 distinct values"):
        make_preprocessor(schema).fit(df.assign(flag=["a", "b", "c", "a", "b"]))
    # two string values without declared levels: sorted, the first is 0
    out = make_preprocessor(schema).fit_transform(df.assign(flag=["y", "n", "y", "n", "n"]))
    assert out["flag"].tolist() == [1, 0, 1, 0, 0]
