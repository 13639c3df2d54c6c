"""cluster_map: a 2-D map of the clusters drawn from binned counts only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdiscovery.profiling import cluster_map


def test_blobs_map_to_pure_hexagons_and_separate_centres(three_blobs):
    X, y = three_blobs
    m = cluster_map(X, y, min_cell_size=3, gridsize=10)
    assert m.summary["n"].tolist() == [50, 50, 50]
    assert (m.cells["n"] >= 3).all()
    assert m.cells["purity"].min() >= 0.9  # well-separated blobs: each hexagon one cluster
    centres = m.summary[["x", "y"]].to_numpy()
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=-1)[np.triu_indices(3, 1)]
    assert gaps.min() > 1.0
    assert m.explained_variance.sum() == pytest.approx(1.0)  # 2 columns, 2 components


def test_every_client_is_counted_once_before_suppression(rng):
    X = rng.normal(size=(400, 5))
    labels = rng.integers(0, 3, size=400)
    m = cluster_map(X, labels, min_cell_size=0, gridsize=6)
    assert m.cells["n"].sum() == 400


def test_small_cells_and_small_clusters_are_suppressed(rng):
    X = rng.normal(size=(300, 4))
    labels = np.r_[np.zeros(295, int), np.ones(5, int)]
    m = cluster_map(X, labels, min_cell_size=11, gridsize=8)
    assert (m.cells["n"] >= 11).all()
    assert np.isnan(m.summary.loc[1, "x"]) and np.isnan(m.summary.loc[1, "n"])


def test_no_row_level_positions_are_kept(rng):
    X = pd.DataFrame(rng.normal(size=(200, 3)), columns=list("abc"))
    m = cluster_map(X, rng.integers(0, 2, 200))
    assert len(m.cells) < 200 and set(m.cells.columns) == {"x", "y", "n", "cluster", "purity"}


def test_purity_is_coarse_so_minority_counts_cannot_be_recovered(rng):
    X = rng.normal(size=(600, 3))
    labels = rng.integers(0, 4, size=600)
    m = cluster_map(X, labels, min_cell_size=11, gridsize=5)
    purity = m.cells["purity"].to_numpy()
    assert np.allclose(purity * 10, np.round(purity * 10))  # multiples of 0.1 only
    assert ((purity > 0) & (purity <= 1)).all()


def test_plot_returns_axes(three_blobs):
    import matplotlib.pyplot as plt

    X, y = three_blobs
    fig, ax = plt.subplots()
    assert cluster_map(X, y, min_cell_size=3).plot(ax=ax) is ax
    plt.close(fig)


def test_bad_input(rng):
    X = rng.normal(size=(50, 3))
    with pytest.raises(ValueError, match="NaN"):
        cluster_map(np.where(X > 2, np.nan, X), np.zeros(50))
    with pytest.raises(ValueError, match="labels"):
        cluster_map(X, np.zeros(49))
    with pytest.raises(TypeError, match="numeric"):
        cluster_map(pd.DataFrame({"a": ["x"] * 50, "b": X[:, 0]}), np.zeros(50))
    with pytest.raises(ValueError, match="min_cell_size"):
        cluster_map(X, np.zeros(50), min_cell_size=-1)


def test_missing_or_misaligned_labels_are_refused_and_series_are_aligned(rng):
    X = rng.normal(size=(50, 3))
    with pytest.raises(ValueError, match="missing"):
        cluster_map(X, np.r_[np.zeros(49), np.nan])
    with pytest.raises(TypeError, match="labels"):
        cluster_map(X, None)
    with pytest.raises(TypeError, match="numeric"):
        cluster_map(np.array([["a", "b"]] * 5), np.zeros(5))
    frame = pd.DataFrame(X, index=[f"C{i:02d}" for i in range(50)])
    y = pd.Series(np.repeat([0, 1], 25), index=frame.index)
    with pytest.raises(ValueError, match="index"):
        cluster_map(frame, y.set_axis([f"D{i:02d}" for i in range(50)]), min_cell_size=0)
    shuffled = y.iloc[rng.permutation(50)]
    got = cluster_map(frame, shuffled, min_cell_size=0)
    want = cluster_map(frame, y, min_cell_size=0)
    pd.testing.assert_frame_equal(got.summary, want.summary)


def test_auto_bins_make_a_sparse_cluster_visible():
    rng = np.random.default_rng(0)
    dense = [rng.normal(c, 0.3, (600, 2)) for c in ((0, 0), (3, 0))]
    sparse = rng.normal((1.5, 8), 2.5, (300, 2))  # 300 clients spread thinly
    X = np.vstack([*dense, sparse])
    labels = np.repeat([0, 1, 2], [600, 600, 300])

    def held(m):
        return m.cells.groupby("cluster")["n"].size().reindex([0, 1, 2], fill_value=0)

    fixed = cluster_map(X, labels, min_cell_size=11, gridsize=30)
    fixed_share = (fixed.cells.assign(k=fixed.cells["n"] * fixed.cells["purity"])
                   .groupby("cluster")["k"].sum().get(2, 0) / 300)
    auto = cluster_map(X, labels, min_cell_size=11)
    assert auto.gridsize < 30
    assert (held(auto) >= 1).all()
    # the sparse cluster's hexagons hold at least half of it (purity rounds down: >= 0.4)
    auto_share = (auto.cells.assign(k=auto.cells["n"] * auto.cells["purity"])
                  .groupby("cluster")["k"].sum()[2] / 300)
    assert auto_share >= 0.4 > fixed_share
    assert (auto.cells["n"] >= 11).all()  # still no hexagon below the threshold
