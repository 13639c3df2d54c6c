"""Small-cell suppression: primary, secondary, reported (warning and table), and a
cluster of 5 clients suppressed in every table and in its text."""

import warnings

import numpy as np
import pandas as pd
import pytest

from clusterdiscovery import SuppressionWarning
from clusterdiscovery.describe import describe_clusters
from clusterdiscovery.profiling import profile_clusters
from clusterdiscovery.profiling._suppress import complete_lines, small_count


def test_small_count_rule():
    assert small_count([0, 1, 10, 11, 50], 11).tolist() == [False, True, True, False, False]
    assert not small_count([1, 5], 0).any() and not small_count([1, 5], 1).any()


def test_secondary_suppression_hides_next_smallest_nonzero_cell():
    # row 0 adds up to a shown total; its single small cell (5) could be recovered
    values = np.array([[40.0, 5, 0, 30, 20]])
    mask = small_count(values, 11)
    out = complete_lines(values, mask, axes=(1,))
    assert out.tolist() == [[False, True, False, False, True]]  # 20 is next smallest non-zero
    # two suppressed cells: nothing more needed
    values = np.array([[40.0, 5, 3, 30]])
    assert complete_lines(values, small_count(values, 11), axes=(1,)).sum() == 2


def test_secondary_suppression_both_directions():
    values = np.array([[50.0, 4, 60], [30, 40, 25], [20, 35, 45]])
    out = complete_lines(values, small_count(values, 11), axes=(0, 1))
    # no row or column may hold exactly one suppressed cell
    for line in list(out) + list(out.T):
        assert line.sum() != 1


def _population(seed=0):
    rng = np.random.default_rng(seed)
    sizes = [120, 150, 5]
    lab = np.repeat([0, 1, 2], sizes)
    n = lab.size
    df = pd.DataFrame({
        "age": rng.normal(40, 12, n).round(1),
        "honos_6": rng.integers(0, 5, n),
        "housing": rng.choice(["settled", "supported", "homeless"], n, p=[0.7, 0.2, 0.1]),
        "cost": rng.gamma(0.8, 2000, n),
        "hb": rng.normal(15, 4, n), "hf": rng.normal(12, 4, n),
    }, index=pd.Index([f"C{i:06d}" for i in range(n)], name="client_id"))
    return df, lab


@pytest.fixture(scope="module")
def small_cluster():
    df, lab = _population()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        p = profile_clusters(df, lab, costs="cost", outcomes={"honos": ("hb", "hf")},
                             n_bootstrap=100, random_state=0)
    return p, w


def test_suppression_is_reported(small_cluster):
    p, w = small_cluster
    assert any(issubclass(x.category, SuppressionWarning) for x in w)
    s = p.suppressed
    assert set(s.columns) == {"table", "group", "variable", "level", "statistic", "reason"}
    assert {"table1", "distinguishing", "costs", "outcomes"} <= set(s["table"])
    assert (s.loc[s["group"] == 2, "reason"].str.contains("fewer than 11")).all()


def test_cluster_of_five_suppressed_in_every_table(small_cluster):
    p, _ = small_cluster
    assert p.table1[2].isna().all()
    assert p.costs.loc[2].isna().all()
    assert p.outcomes.loc[("honos", 2)].isna().all()
    d = p.distinguishing[p.distinguishing["cluster"] == 2]
    assert d["suppressed"].all() and d["v_test"].isna().all()
    assert (p.formatted("table1")[2] == "suppressed (<11)").all()
    assert (p.formatted("costs").loc[2] == "suppressed (<11)").all()
    assert (p.summary.loc[2, ["n", "share", "mean_cost"]].isna()).all()
    # secondary: another cluster's size is hidden so the 5 cannot be recovered from the total
    sizes = p.table1.loc[("clients", "", "n")]
    assert sizes[[0, 1]].isna().sum() == 1
    assert not np.isnan(sizes["overall"])
    # and its cost total (the total of all clusters is shown)
    assert p.costs.loc[[0, 1], "total"].isna().sum() == 1


def test_cluster_of_five_suppressed_in_its_text(small_cluster):
    p, _ = small_cluster
    desc = describe_clusters(p)
    text = desc[2].text
    assert "suppressed (<11)" in text
    assert "fewer than 11 clients" in text
    assert "v-test" not in text and "£" not in text
    md = desc.to_markdown()
    assert "suppressed (<11)" in md
    assert "suppressed (&lt;11)" in desc.to_html()


def test_level_count_below_threshold_is_suppressed():
    rng = np.random.default_rng(3)
    lab = np.repeat([0, 1], 100)
    housing = np.array(["settled"] * 200, dtype=object)
    housing[:4] = "homeless"  # 4 homeless clients in cluster 0, none in cluster 1
    housing[100:150] = "supported"
    df = pd.DataFrame({"housing": housing, "x": rng.normal(size=200)})
    with pytest.warns(SuppressionWarning):
        p = profile_clusters(df, lab, n_bootstrap=50, random_state=0)
    t = p.table1
    assert np.isnan(t.loc[("housing", "homeless", "n"), 0])
    assert np.isnan(t.loc[("housing", "homeless", "share"), 0])
    assert np.isnan(t.loc[("housing", "homeless", "n"), "overall"])
    assert t.loc[("housing", "homeless", "n"), 1] == 0  # zeros are shown
    # the column would reveal the 4 (100 - settled - supported): one more cell is hidden
    col0 = t.xs("n", level="statistic")[0].loc["housing"]
    assert col0.isna().sum() >= 2


def test_min_cell_size_zero_disables_with_a_note():
    df, lab = _population()
    with warnings.catch_warnings():
        warnings.simplefilter("error", SuppressionWarning)
        p = profile_clusters(df, lab, costs="cost", n_bootstrap=50, random_state=0,
                             min_cell_size=0)
    assert p.suppressed.empty
    assert p.table1.loc[("clients", "", "n"), 2] == 5
    assert any("disabled" in n for n in p.notes)


def test_warning_points_at_the_caller_of_profile_clusters_and_of_discover(small_population):
    from clusterdiscovery.pipeline import discover

    df, lab = _population()
    with pytest.warns(SuppressionWarning) as direct:
        profile_clusters(df, lab, costs="cost", n_bootstrap=50, random_state=0)
    assert [w.filename for w in direct] == [__file__]
    quick = {"models": {"k_min": 2, "k_max": 3, "n_init": 1},
             "stability": {"n_resamples": 3, "candidates": 1},
             "profile": {"n_bootstrap": 50}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        discover(quick, data=small_population, out=None, random_state=0)
    sup = [w for w in caught if issubclass(w.category, SuppressionWarning)]
    # once, from discover, pointing at this file (not into the library)
    assert len(sup) == 1 and sup[0].filename == __file__, [(w.filename, w.lineno) for w in sup]


def test_stability_sizes_checked_where_the_profile_suppresses_them(small_cluster):
    p, _ = small_cluster

    class Stab:
        def __init__(self, sizes):
            self.summary = pd.DataFrame(
                {"size": sizes, "jaccard_mean": [0.9, 0.8, 0.3],
                 "verdict": ["highly stable", "stable", "unstable"]},
                index=pd.Index([0, 1, 2], name="cluster"))

    assert "Stability" in describe_clusters(p, stability=Stab([120, 150, 5]))[0].text
    # one cluster's size is shown (checked exactly), two are suppressed (checked in total)
    with pytest.raises(ValueError, match="suppressed in the profile"):
        describe_clusters(p, stability=Stab([120, 150, 7]))
    with pytest.raises(ValueError, match="reference_labels"):
        describe_clusters(p, stability=Stab([150, 120, 5]))


def test_secondary_cells_are_labelled_as_protecting_a_small_cell(small_cluster):
    p, _ = small_cluster
    sec = "suppressed (to protect a small cell)"
    sizes = p.table1.loc[("clients", "", "n")]
    hidden = [g for g in (0, 1) if np.isnan(sizes[g])][0]  # secondary: 120 or 150 clients
    t1 = p.formatted("table1")
    assert t1.loc[("clients", "", "n"), hidden] == sec
    assert t1.loc[("clients", "", "n"), 2] == "suppressed (<11)"
    assert p.formatted("costs").loc[hidden, "total"] == sec
    assert p.cell_mark("costs", hidden, "total") == sec
    assert p.cell_mark("costs", 2, "mean") == "suppressed (<11)"
    assert p.cell_mark("table1", hidden, ("clients", "", "n")) == sec
    assert p.cell_mark("costs", hidden, "mean") == ""  # shown
    desc = describe_clusters(p)
    size_line = next(line for line in desc[hidden].text.splitlines() if "**Size:**" in line)
    assert "is withheld so that a smaller cluster's size cannot be worked out" in size_line
    assert "<11" not in size_line and "of of" not in size_line
    assert "<11" not in desc[hidden].text  # nothing on its page is a small count
    assert sec in p._repr_html_()
    overview = desc.to_markdown()
    row = next(line for line in overview.splitlines() if line.startswith(f"| {hidden} "))
    assert sec in row and "<11" not in row


def test_secondary_level_cell_is_labelled_in_tables():
    rng = np.random.default_rng(3)
    lab = np.repeat([0, 1], 100)
    housing = np.array(["settled"] * 200, dtype=object)
    housing[:4] = "homeless"  # primary: 4 homeless clients in cluster 0
    housing[4:44] = "supported"  # the next smallest cell of column 0: secondary (40 clients)
    housing[100:150] = "supported"
    df = pd.DataFrame({"housing": housing, "x": rng.normal(size=200)})
    with pytest.warns(SuppressionWarning):
        p = profile_clusters(df, lab, n_bootstrap=50, random_state=0)
    t = p.formatted("table1")
    assert t.loc[("housing", "homeless", "n"), 0] == "suppressed (<11)"
    assert t.loc[("housing", "supported", "n"), 0] == "suppressed (to protect a small cell)"
    d = p.formatted("distinguishing")
    row = d[(d["cluster"] == 0) & (d["level"] == "supported")].iloc[0]
    assert row["v_test"] == "suppressed (to protect a small cell)"
    assert row["reason"].startswith("secondary")


def _recoverable_missing(p, variable, group):
    """The missing count of ``group`` rebuilt from what the profile shows, or None.

    Two routes: the group size minus every shown level count (when all are shown), or the
    group size minus a shown level's count divided by its shown share (count / share is
    the non-missing total).
    """
    t = p.table1
    size = t.loc[("clients", "", "n"), group]
    levels = [lv for lv in t.loc[variable].index.get_level_values("level").unique()
              if lv != "(missing)"]
    counts = [t.loc[(variable, lv, "n"), group] for lv in levels]
    if np.isfinite(size) and np.all(np.isfinite(counts)):
        return size - sum(counts)
    for lv, c in zip(levels, counts):
        share = t.loc[(variable, lv, "share"), group]
        if np.isfinite(c) and np.isfinite(share) and share > 0 and np.isfinite(size):
            return size - round(c / round(share, 3))
    return None


def test_a_suppressed_missing_count_cannot_be_rebuilt_from_counts_or_shares():
    rng = np.random.default_rng(0)
    n = 400
    lab = np.repeat([0, 1], 200)
    lv = rng.choice(["a", "b", "c"], n, p=[0.25, 0.35, 0.4]).astype(object)
    lv[:5] = None  # 5 missing values, all in cluster 0: a small count to protect
    df = pd.DataFrame({"x": pd.array(lv, dtype="string"), "age": rng.normal(size=n)})
    with pytest.warns(SuppressionWarning):
        p = profile_clusters(df, lab, features=["x"], n_bootstrap=20, random_state=0)
    assert np.isnan(p.table1.loc[("x", "(missing)", "n"), 0])
    assert np.isnan(p.table1.loc[("x", "(missing)", "n"), "overall"])
    for group in (0, "overall"):
        assert _recoverable_missing(p, "x", group) is None, group
    # the unprotected cluster 1 (no missing value) is shown in full
    assert _recoverable_missing(p, "x", 1) == 0
    # the distinguishing table does not show the shares hidden in Table 1
    d = p.distinguishing
    shown = d[(d["cluster"] == 0) & ~d["suppressed"]]
    assert shown.empty or shown["cluster_value"].isna().all()


def test_secondary_suppression_chooses_the_least_informative_cell():
    # improved, unchanged, deteriorated of one cluster: deteriorated is small; "improved"
    # is the smaller of the other two, but "unchanged" tells the reader least
    values = np.array([[300.0, 420, 8]])
    mask = small_count(values, 11)
    assert complete_lines(values, mask, axes=(1,)).tolist() == [[True, False, True]]
    out = complete_lines(values, mask, axes=(1,), information=[2, 0, 1])
    assert out.tolist() == [[False, True, True]]
    # a zero is never chosen, whatever its rank
    values = np.array([[300.0, 0, 8]])
    out = complete_lines(values, small_count(values, 11), axes=(1,), information=[2, 0, 1])
    assert out.tolist() == [[True, False, True]]


def test_outcome_keeps_the_headline_share_and_says_why_in_a_sentence():
    rng = np.random.default_rng(1)
    n = 400
    lab = np.repeat([0, 1], n // 2)
    base = rng.normal(16, 3, n)
    change = np.where(lab == 0, rng.normal(-5, 2, n), rng.normal(-1, 2, n))
    change[:5] = 15  # cluster 0: five reliably deteriorated clients (a small cell)
    df = pd.DataFrame({"x": rng.normal(lab, 1), "b": base, "f": base + change})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prof = profile_clusters(df, lab, features=["x"], outcomes={"score": ("b", "f")},
                                n_bootstrap=50, random_state=0)
    frame, _, _ = prof.outcome_table("score")
    assert np.isnan(frame.loc[0, "share_deteriorated"])  # primary
    assert np.isnan(frame.loc[0, "share_unchanged"])  # the complementary cell
    assert frame.loc[0, "share_improved"] > 0.4  # the headline survives
    text = describe_clusters(prof)[0].text
    assert "improved reliably" in text
    assert ("the share who deteriorated reliably is withheld because it rests on fewer "
            "than 11 clients") in text
    assert "suppressed (to protect" not in text.split("### Details")[0]
