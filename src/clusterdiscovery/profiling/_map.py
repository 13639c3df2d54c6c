"""A 2-D map of the clients coloured by cluster, drawn from aggregates only."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from .._checks import check_magnitude
from .._utils import check_int

__all__ = ["cluster_map", "ClusterMap"]


class ClusterMap:
    """Clients projected to two dimensions and binned into hexagons, coloured by cluster.

    Made by :func:`cluster_map`. Only binned counts are kept: no client's position is stored
    or drawn, and hexagons holding fewer than ``min_cell_size`` clients are left blank.

    Attributes
    ----------
    summary : DataFrame
        Per cluster: ``n`` and the 2-D centre (``x``, ``y``); clusters smaller than
        ``min_cell_size`` have their centre suppressed (NaN).
    cells : DataFrame
        Per drawn hexagon: centre ``x``, ``y``, ``n`` and the ``cluster`` holding most of its
        clients, with that cluster's ``purity``: its share of the hexagon rounded down to a
        multiple of 0.1, so that a hexagon's few clients of other clusters cannot be counted
        from ``n`` and the purity.
    method : str
        ``"pca"`` (first two principal components of the standardised matrix).
    explained_variance : ndarray
        Share of the variance on each axis.
    """

    def __init__(self, summary, cells, *, method, explained_variance, min_cell_size,
                 gridsize, extent):
        self.summary = summary
        self.cells = cells
        self.method = method
        self.explained_variance = explained_variance
        self.min_cell_size = min_cell_size
        self.gridsize = gridsize
        self._extent = extent

    def to_frame(self) -> pd.DataFrame:
        return self.summary.copy()

    def _repr_html_(self) -> str:
        return (f"<p><strong>Cluster map</strong> ({html.escape(self.method)}, "
                f"{len(self.cells)} hexagons of at least {self.min_cell_size} clients)</p>"
                + self.summary.to_html(float_format=lambda v: f"{v:.2f}"))

    def plot(self, ax=None, *, names=None):
        """Hexagons coloured by their majority cluster (shade = purity); cluster centres
        labelled; ``names`` (``{cluster: name}``) label the legend. Returns the axes."""
        import matplotlib.pyplot as plt
        from matplotlib.patches import RegularPolygon

        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 5))
        clusters = list(self.summary.index)
        cmap = plt.get_cmap("tab10" if len(clusters) <= 10 else "tab20")
        colour = {c: cmap(i % cmap.N) for i, c in enumerate(clusters)}
        radius = self._hex_radius()
        for row in self.cells.itertuples():
            ax.add_patch(RegularPolygon((row.x, row.y), numVertices=6, radius=radius,
                                        facecolor=colour[row.cluster],
                                        alpha=0.25 + 0.75 * row.purity, edgecolor="none"))
        for c, row in self.summary.iterrows():
            if np.isfinite(row["x"]):
                ax.annotate(str(c), (row["x"], row["y"]), ha="center", va="center",
                            fontsize=10, fontweight="bold",
                            bbox={"boxstyle": "circle", "fc": "white", "ec": colour[c]})
        x0, x1, y0, y1 = self._extent
        ax.set_xlim(x0 - radius, x1 + radius)
        ax.set_ylim(y0 - radius, y1 + radius)
        ev = self.explained_variance
        ax.set_xlabel(f"principal component 1 ({ev[0]:.0%} of variance)")
        ax.set_ylabel(f"principal component 2 ({ev[1]:.0%} of variance)")
        ax.set_title(f"Where the clusters lie (each hexagon holds at least "
                     f"{self.min_cell_size} clients; no individual is drawn)", fontsize=10)
        names = dict(names or {})
        handles = [plt.Line2D([], [], marker="h", ls="", color=colour[c],
                              label=f"{c}: {names[c]}" if c in names else str(c))
                   for c in clusters]
        # below the map, so that it hides no hexagon
        ax.legend(handles=handles, title="cluster", loc="upper center", fontsize=8,
                  bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
        return ax

    def _hex_radius(self) -> float:
        x0, x1, _, _ = self._extent
        return (x1 - x0) / self.gridsize / np.sqrt(3) * 1.05


def cluster_map(X, labels, *, min_cell_size=11, gridsize="auto") -> ClusterMap:
    """Project clients to two principal components and bin them into hexagons.

    The map shows where clusters sit relative to one another without drawing any client:
    each hexagon is coloured by the cluster holding most of its clients, shaded by how pure
    it is, and hexagons with fewer than ``min_cell_size`` clients are not drawn.

    Parameters
    ----------
    X : DataFrame or array of shape (n_clients, n_features)
        Numeric, complete features (e.g. the output of
        :func:`clusterdiscovery.features.make_preprocessor`); standardised before the PCA.
    labels : array-like of shape (n_clients,)
        Cluster labels; -1 (noise) is drawn as its own group.
    min_cell_size : int
        Smallest count of clients a hexagon (or a cluster's centre) may show.
    gridsize : int or "auto"
        Number of hexagons across the x axis. ``"auto"`` (default) takes the finest of
        :data:`AUTO_GRIDSIZES` on which the most clusters of at least ``min_cell_size``
        clients are visible: each holds the majority of drawn hexagons covering at least
        half of its clients (a sparse cluster is otherwise lost in blank, too-small
        hexagons).

    Returns
    -------
    ClusterMap
    """
    from sklearn.decomposition import PCA

    min_cell_size = check_int(min_cell_size, "min_cell_size", low=0)
    if not (isinstance(gridsize, str) and gridsize == "auto"):
        gridsize = check_int(gridsize, "gridsize", low=2)
    if isinstance(X, pd.DataFrame):
        bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        if bad:
            raise TypeError(f"cluster_map needs numeric columns; {bad[:5]} are not. Encode "
                            f"them first (clusterdiscovery.features.make_preprocessor).")
    try:
        A = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"X must be a numeric DataFrame or array; got {type(X).__name__} "
                        f"with non-numeric values. Encode them first "
                        f"(clusterdiscovery.features.make_preprocessor).") from None
    if A.ndim != 2 or A.shape[0] < 3 or A.shape[1] < 2:
        raise ValueError(f"X must be 2-D with at least 3 rows and 2 columns; got shape "
                         f"{A.shape}.")
    if not np.isfinite(A).all():
        raise ValueError("X contains NaN or inf; impute it first "
                         "(clusterdiscovery.features.make_preprocessor).")
    check_magnitude(X if isinstance(X, pd.DataFrame) else A, "X")
    labels = _check_labels(labels, X, A.shape[0])
    sd = A.std(axis=0)
    Z = (A - A.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    pca = PCA(n_components=2, svd_solver="full").fit(Z)
    P = pca.transform(Z)

    x0, y0 = P.min(axis=0)
    x1, y1 = P.max(axis=0)
    if gridsize == "auto":
        gridsize, drawn = _adaptive_bins(P, labels, min_cell_size)
    else:
        drawn = _finish(_bin(P, labels, gridsize, min_cell_size))

    uniq, inv, sizes = np.unique(labels, return_inverse=True, return_counts=True)
    centre = np.c_[np.bincount(inv, weights=P[:, 0]), np.bincount(inv, weights=P[:, 1])]
    centre /= sizes[:, None]
    small = sizes < min_cell_size
    centre[small] = np.nan
    summary = pd.DataFrame({"n": np.where(small, np.nan, sizes), "x": centre[:, 0],
                            "y": centre[:, 1]}, index=pd.Index(uniq, name="cluster"))
    return ClusterMap(summary, drawn, method="pca",
                      explained_variance=pca.explained_variance_ratio_,
                      min_cell_size=min_cell_size, gridsize=gridsize, extent=(x0, x1, y0, y1))


#: Hexagons across the x axis tried by ``gridsize="auto"``, finest first.
AUTO_GRIDSIZES = (30, 25, 20, 16, 13, 10, 8, 6, 5, 4)


def _bin(P, labels, gridsize, min_cell_size) -> pd.DataFrame:
    """Drawn hexagons (``n >= min_cell_size``) of a pointy-top grid with ``gridsize``
    hexagons across: two offset rectangular lattices, nearest centre wins."""
    x0, y0 = P.min(axis=0)
    x1, _ = P.max(axis=0)
    sx = max(x1 - x0, 1e-12) / gridsize
    sy = sx * np.sqrt(3)
    ix1, iy1 = np.round((P[:, 0] - x0) / sx), np.round((P[:, 1] - y0) / sy)
    ix2, iy2 = np.floor((P[:, 0] - x0) / sx), np.floor((P[:, 1] - y0) / sy)
    c1 = np.c_[x0 + ix1 * sx, y0 + iy1 * sy]
    c2 = np.c_[x0 + (ix2 + 0.5) * sx, y0 + (iy2 + 0.5) * sy]
    first = ((P - c1) ** 2).sum(axis=1) <= ((P - c2) ** 2).sum(axis=1)
    centres = np.where(first[:, None], c1, c2)
    cells = pd.DataFrame({"x": np.round(centres[:, 0], 9), "y": np.round(centres[:, 1], 9),
                          "cluster": labels})
    counts = cells.groupby(["x", "y", "cluster"]).size().rename("k").reset_index()
    counts["n"] = counts.groupby(["x", "y"])["k"].transform("sum")
    top = (counts.sort_values(["x", "y", "k", "cluster"], ascending=[True, True, False, True])
           .drop_duplicates(["x", "y"]))
    top = top[top["n"] >= max(min_cell_size, 1)]
    return pd.DataFrame({"x": top["x"].to_numpy(), "y": top["y"].to_numpy(),
                         "n": top["n"].to_numpy(), "cluster": top["cluster"].to_numpy(),
                         "share": (top["k"] / top["n"]).to_numpy(),
                         "k": top["k"].to_numpy()})


def _n_visible(drawn, labels, min_cell_size, min_share=0.5) -> int:
    """How many clusters of at least ``min_cell_size`` clients are visible: they hold the
    majority of drawn hexagons covering at least ``min_share`` of their clients."""
    uniq, sizes = np.unique(labels, return_counts=True)
    held = drawn.groupby("cluster")["k"].sum()
    return int(sum(held.get(c, 0) >= min_share * size
                   for c, size in zip(uniq, sizes) if size >= max(min_cell_size, 1)))


def _adaptive_bins(P, labels, min_cell_size):
    """The finest grid of :data:`AUTO_GRIDSIZES` on which the most clusters of at least
    ``min_cell_size`` clients are visible (:func:`_n_visible`): every one of them where any
    grid achieves it. (A cluster lying under others in the projection may be the majority
    nowhere; its centre is still labelled.)"""
    grids = [(g, _bin(P, labels, g, min_cell_size)) for g in AUTO_GRIDSIZES]
    score = [_n_visible(d, labels, min_cell_size) for _, d in grids]
    g, drawn = grids[int(np.argmax(score))]  # the first (finest) of the best
    return g, _finish(drawn)


def _finish(drawn) -> pd.DataFrame:
    """The kept columns; purity rounded down to a multiple of 0.1 (see ClusterMap)."""
    out = drawn[["x", "y", "n", "cluster"]].copy()
    out["purity"] = np.floor(10 * drawn["share"].to_numpy() + 1e-9) / 10
    return out.reset_index(drop=True)


def _check_labels(labels, X, n: int) -> np.ndarray:
    """Labels as a 1-D array in X's row order (a Series is aligned to a DataFrame's index)."""
    if labels is None or isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
        raise TypeError(f"labels must be an array or pandas Series of cluster labels; got "
                        f"{type(labels).__name__}.")
    if (isinstance(labels, pd.Series) and isinstance(X, pd.DataFrame)
            and not labels.index.equals(X.index)):
        if (len(labels) != n or labels.index.has_duplicates
                or not labels.index.isin(X.index).all()):
            raise ValueError("The labels Series index does not match X's index; pass labels "
                             "indexed like X (or a plain array in X's row order).")
        labels = labels.reindex(X.index)
    arr = np.asarray(labels)
    if arr.ndim != 1:
        raise ValueError(f"labels must be 1-D; got shape {arr.shape}.")
    if arr.shape[0] != n:
        raise ValueError(f"labels has {arr.shape[0]} entries for {n} rows of X; pass one "
                         f"label per client.")
    missing = pd.isna(arr)
    if missing.any():
        raise ValueError(f"labels has {int(missing.sum())} missing value(s); give every "
                         f"client a cluster label (-1 for noise).")
    return arr
