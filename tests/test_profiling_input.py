"""profile_clusters: bad input, no modification of the input, schema use, noise group,
determinism, and the result object's contract."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from clusterdiscovery import (  # noqa: E402
    ClientSchema,
    ClusterProfile,
    SuppressionWarning,
    profile_clusters,
)


def _data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    lab = np.repeat([0, 1], n // 2)
    df = pd.DataFrame({
        "client_id": [f"C{i:06d}" for i in range(n)],
        "age": rng.normal(40, 10, n) + 8 * lab,
        "honos_6": rng.integers(0, 5, n),
        "sex": rng.choice(["female", "male"], n),
        "substance_use": rng.integers(0, 2, n),
        "cost": rng.gamma(1.0, 1000.0, n),
    }).set_index("client_id")
    return df, lab


def test_returns_profile_and_does_not_modify_input():
    df, lab = _data()
    before = df.copy()
    lab_before = lab.copy()
    p = profile_clusters(df, lab, costs="cost", n_bootstrap=50, random_state=0)
    assert isinstance(p, ClusterProfile)
    pd.testing.assert_frame_equal(df, before)
    np.testing.assert_array_equal(lab, lab_before)
    assert set(p.distinguishing["variable"]) == {"age", "honos_6", "sex", "substance_use"}
    assert isinstance(p.summary, pd.DataFrame) and "<table" in p._repr_html_()
    long = p.to_frame()
    assert {"variable", "level", "statistic", "group", "value", "suppressed"} <= set(long)


@pytest.mark.parametrize("kind", ["costs", "features", "sizes"])
def test_plot_returns_axes(kind):
    import matplotlib.pyplot as plt

    df, lab = _data()
    p = profile_clusters(df, lab, costs="cost", n_bootstrap=50, random_state=0)
    fig, ax = plt.subplots()
    assert p.plot(ax=ax, kind=kind) is ax
    plt.close(fig)
    with pytest.raises(ValueError, match="kind"):
        p.plot(kind="pie")


def test_schema_types_are_used():
    df, lab = _data()
    schema = ClientSchema(id="client_id", features={
        "age": "continuous", "honos_6": ("ordinal", [0, 1, 2, 3, 4]), "sex": "categorical",
        "substance_use": "binary"}, costs=["cost"])
    p = profile_clusters(df, lab, schema=schema, n_bootstrap=50, random_state=0)
    assert p.cost_columns == ["cost"]  # taken from the schema
    kinds = p.distinguishing.drop_duplicates("variable").set_index("variable")["kind"]
    assert kinds["honos_6"] == "numeric" and kinds["sex"] == "categorical"


def test_series_labels_are_aligned_to_the_index():
    df, lab = _data()
    s = pd.Series(lab, index=df.index)
    a = profile_clusters(df, s.iloc[::-1], n_bootstrap=50, random_state=0)
    b = profile_clusters(df, lab, n_bootstrap=50, random_state=0)
    pd.testing.assert_frame_equal(a.table1, b.table1)


def test_noise_is_its_own_group_not_a_cluster():
    df, lab = _data()
    lab = lab.copy()
    lab[:30] = -1
    with pytest.warns(SuppressionWarning):  # noise: its small level counts are suppressed
        p = profile_clusters(df, lab, costs="cost", n_bootstrap=50, random_state=0)
    assert p.clusters == [0, 1]
    assert "noise" in p.table1.columns and "noise" in p.costs.index
    assert "noise" not in set(p.distinguishing["cluster"])
    assert p.table1.loc[("clients", "", "n"), "overall"] == 200


def test_same_seed_same_profile():
    df, lab = _data()
    a = profile_clusters(df, lab, costs="cost", n_bootstrap=100, random_state=3)
    b = profile_clusters(df, lab, costs="cost", n_bootstrap=100, random_state=3)
    pd.testing.assert_frame_equal(a.costs, b.costs)
    pd.testing.assert_frame_equal(a.distinguishing, b.distinguishing)
    pd.testing.assert_frame_equal(a.variance_explained, b.variance_explained)


def test_bad_input_messages():
    df, lab = _data()
    with pytest.raises(TypeError, match="DataFrame"):
        profile_clusters(df.to_numpy(), lab)
    with pytest.raises(ValueError, match="199 entries but 'data' has 200"):
        profile_clusters(df, lab[:-1])
    bad = lab.astype(float)
    bad[3] = np.nan
    with pytest.raises(ValueError, match="missing value"):
        profile_clusters(df, bad)
    with pytest.raises(ValueError, match="at least two clusters"):
        profile_clusters(df, np.zeros(200, int))
    with pytest.raises(ValueError, match="'nope'"):
        profile_clusters(df, lab, costs="nope")
    neg = df.copy()
    neg.loc[neg.index[0], "cost"] = -5.0
    with pytest.raises(ValueError, match="Cost column 'cost' has 1 negative"):
        profile_clusters(neg, lab, costs="cost")
    with pytest.raises(TypeError, match="Cost column|must be numeric"):
        profile_clusters(df, lab, costs="sex")
    with pytest.raises(ValueError, match="min_cell_size"):
        profile_clusters(df, lab, min_cell_size=-1)
    with pytest.raises(ValueError, match="labels' Series index"):
        profile_clusters(df, pd.Series(lab, index=[f"X{i}" for i in range(200)]))
    with pytest.raises(ValueError, match=r"features.*\['zzz'\]|\['zzz'\]"):
        profile_clusters(df, lab, features=["zzz"])
    with pytest.raises(ValueError, match="only -1"):
        profile_clusters(df, np.where(lab == 0, -2, 1))


def test_identifier_like_text_columns_are_not_profiled():
    df, lab = _data()
    df = df.reset_index()  # client_id becomes an ordinary text column
    df["nhs_number"] = [f"N{i}" for i in range(200)]
    p = profile_clusters(df, lab, n_bootstrap=50, random_state=0)
    assert "nhs_number" not in set(p.distinguishing["variable"])
    assert "client_id" not in set(p.distinguishing["variable"])
    assert any("nhs_number" in n for n in p.notes)


def test_bad_cost_and_outcome_arguments_and_duplicated_columns_get_clear_errors():
    df, lab = _data()
    with pytest.raises(TypeError, match="'costs' parameter"):
        profile_clusters(df, lab, costs=5)
    with pytest.raises(TypeError, match="Outcome 'h' must be a pair"):
        profile_clusters(df, lab, outcomes={"h": 5})
    dup = pd.concat([df, df[["age"]]], axis=1)
    with pytest.raises(ValueError, match=r"duplicated column name\(s\) \['age'\]"):
        profile_clusters(dup, lab)
    p = profile_clusters(df, lab, costs=np.array(["cost"]), n_bootstrap=50, random_state=0)
    assert p.params["costs"] == ["cost"]


def test_profile_lookups_name_what_is_unknown():
    df, lab = _data()
    df["b0"] = df["age"] / 10
    df["b1"] = df["b0"] - 0.5
    p = profile_clusters(df, lab, costs="cost", outcomes={"h": ("b0", "b1")}, n_bootstrap=50,
                         random_state=0, alpha=0.1)
    with pytest.raises(ValueError, match=r"Unknown cost column 'zz'.*\['cost'\]"):
        p.cost_table("zz")
    with pytest.raises(ValueError, match="Unknown cost column 'zz'"):
        p.formatted("costs", column="zz")
    with pytest.raises(ValueError, match="Unknown cost column 'zz'"):
        p.plot(kind="costs", cost="zz")
    with pytest.raises(ValueError, match=r"Unknown outcome 'zz'.*\['h'\]"):
        p.outcome_table("zz")
    with pytest.raises(ValueError, match="Unknown outcome 'zz'"):
        p.plot(kind="outcomes", outcome="zz")
    with pytest.raises(ValueError, match="Unknown group 7"):
        p.is_suppressed(7)
    with pytest.raises(ValueError, match="Unknown group 7"):
        p.cell_mark("costs", 7, "mean")
    with pytest.raises(ValueError, match="Unknown statistic 'zz'"):
        p.suppression_reason("costs", 0, "zz")
    with pytest.raises(ValueError, match="top_n"):
        p.vtest_matrix(top_n=0)
    assert p.cell_mark("table1", "overall", ("clients", "", "n")) == ""
    assert p.outcome_table("h")[2]["baseline"] == "b0"
    # the axis states the confidence level actually used (alpha=0.1: 90%)
    ax = p.plot(kind="costs")
    assert "90% BCa interval" in ax.get_xlabel()
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_data_that_contradict_the_schema_are_refused_not_turned_into_missing():
    df, lab = _data()
    wrong_levels = ClientSchema(id="client_id", features={"sex": ("categorical", ["a", "b"])})
    with pytest.raises(ValueError, match=r"Feature 'sex' has 200 value\(s\) outside the "
                                         r"schema's levels \['a', 'b'\]"):
        profile_clusters(df, lab, schema=wrong_levels)
    text_as_number = ClientSchema(id="client_id", features={"sex": "continuous"})
    with pytest.raises(TypeError, match="Feature 'sex' is declared continuous"):
        profile_clusters(df, lab, schema=text_as_number)
    # missing values are not 'outside the levels'
    gaps = df.astype({"sex": object})
    gaps.loc[gaps.index[:5], "sex"] = None
    ok = ClientSchema(id="client_id", features={"sex": ("categorical", ["female", "male"])})
    p = profile_clusters(gaps, lab, schema=ok, n_bootstrap=50, random_state=0,
                         min_cell_size=0)
    assert p.table1.loc[("sex", "female", "n"), "overall"] + p.table1.loc[
        ("sex", "male", "n"), "overall"] == 195


def test_exposure_series_checked_like_the_labels():
    df, lab = _data()
    dup = pd.Series(1.0, index=[*df.index[:-1], df.index[0]])
    with pytest.raises(ValueError, match="'exposure' Series must be indexed"):
        profile_clusters(df, lab, costs="cost", exposure=dup)
    with pytest.raises(TypeError, match="'exposure' Series must hold numbers"):
        profile_clusters(df, lab, costs="cost", exposure=pd.Series("x", index=df.index))
    with pytest.raises(TypeError, match="'exposure' Series must hold numbers"):
        profile_clusters(df, lab, costs="cost", exposure=pd.Series(True, index=df.index))


def test_figures_use_the_profiles_schema_labels_when_none_is_passed():
    """Issue 19.9: a figure drawn without ``schema=`` still shows the labels and level labels
    of the schema the profile was made with, not raw column names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df, lab = _data()
    schema = ClientSchema.from_dict({"id": "client_id", "features": {
        "age": {"type": "continuous", "label": "Age in years"},
        "sex": {"type": "categorical", "label": "Sex recorded",
                "labels": {str(v): f"group {v}" for v in df["sex"].dropna().unique()}}}})
    p = profile_clusters(df, lab, schema=schema, n_bootstrap=20, random_state=0)
    fig, ax = plt.subplots()
    p.plot(ax=ax, kind="features", top_n=5)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    plt.close(fig)
    assert ticks and not {"age", "sex"} & set(ticks)
    assert all(t == "Age in years" or t.startswith("Sex recorded: group ") for t in ticks)
