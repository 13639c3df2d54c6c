"""Compare two partitions of the same clients: ARI, AMI, NMI, matched Jaccard, aligned table.

Typical use: a partition found in new data against a published one (assigned with a loaded
model file), or two model families on the same clients.

Examples
--------
>>> from clusterdiscovery import compare_partitions
>>> result = compare_partitions([0, 0, 0, 1, 1, 1], [1, 1, 1, 0, 0, 2])
>>> round(result.ari, 3)
0.706
>>> result.jaccard.round(3).tolist()
[1.0, 0.667]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import (
    adjusted_mutual_info_score,
    adjusted_rand_score,
    normalized_mutual_info_score,
)

from .stability import match_clusters
from .stability._align import _as_label_array

__all__ = ["compare_partitions", "PartitionComparison"]

NOISE = -1


@dataclass(frozen=True)
class PartitionComparison:
    """Agreement between two partitions of the same rows.

    Attributes
    ----------
    ari, ami, nmi : float
        Adjusted Rand index (Hubert & Arabie 1985), adjusted mutual information and
        normalised mutual information (arithmetic mean normalisation; Vinh, Epps &
        Bailey 2010), computed over all rows (noise ``-1`` counts as one more group).
    jaccard : pandas.Series
        Indexed by the clusters of ``labels_a`` (noise excluded): the Jaccard index
        ``|A ∩ B| / |A ∪ B|`` between each cluster of ``a`` and the cluster of ``b``
        matched to it by the Hungarian method; 0 where no cluster of ``b`` was matched.
    mapping : dict
        Cluster of ``b`` -> matched cluster of ``a`` (as in
        :func:`clusterdiscovery.stability.match_clusters`; unmatched clusters of ``b``
        get ids after the largest cluster of ``a``).
    confusion : pandas.DataFrame
        Counts of rows: index = clusters of ``a``, columns = clusters of ``b`` ordered so
        that each matched pair lies on the diagonal (the columns keep ``b``'s own labels).
    summary : pandas.DataFrame
        One row per cluster of ``a``: ``size_a``, ``matched_b`` (label in ``b``, NA if
        none), ``size_b``, ``overlap``, ``jaccard``.
    """

    ari: float
    ami: float
    nmi: float
    jaccard: pd.Series
    mapping: dict
    confusion: pd.DataFrame
    summary: pd.DataFrame = field(repr=False)
    n_samples: int = 0

    def to_frame(self) -> pd.DataFrame:
        """The per-cluster table (same as :attr:`summary`)."""
        return self.summary.copy()

    @property
    def scores(self) -> pd.Series:
        """ARI, AMI and NMI as a Series."""
        return pd.Series({"ari": self.ari, "ami": self.ami, "nmi": self.nmi}, name="score")

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>Partition comparison</b> ({self.n_samples} rows): "
            f"ARI = {self.ari:.3f}, AMI = {self.ami:.3f}, NMI = {self.nmi:.3f}</p>"
        )
        return (head + self.summary.to_html(float_format=lambda v: f"{v:.3f}")
                + "<p>Aligned confusion table (rows: a, columns: b)</p>"
                + self.confusion.to_html())

    def __repr__(self) -> str:
        return (f"PartitionComparison(n_samples={self.n_samples}, ari={self.ari:.4f}, "
                f"ami={self.ami:.4f}, nmi={self.nmi:.4f})")

    def plot(self, ax=None, *, normalize: bool = True, cmap: str = "Blues"):
        """Heat map of the aligned confusion table.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure's axes if None.
        normalize : bool
            Colour by the share of each row (cluster of ``a``) rather than by counts;
            the cells are annotated with counts either way.
        cmap : str
            Matplotlib colour map.

        Returns
        -------
        ax : matplotlib Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(1 + 0.6 * self.confusion.shape[1],
                                          1 + 0.5 * self.confusion.shape[0]))
        counts = self.confusion.to_numpy()
        values = counts.astype(float)
        if normalize:
            totals = values.sum(axis=1, keepdims=True)
            values = np.divide(values, totals, out=np.zeros_like(values), where=totals > 0)
        ax.imshow(values, cmap=cmap, aspect="auto", vmin=0)
        ax.set_xticks(range(counts.shape[1]), [str(c) for c in self.confusion.columns])
        ax.set_yticks(range(counts.shape[0]), [str(r) for r in self.confusion.index])
        ax.set_xlabel("partition b (aligned order)")
        ax.set_ylabel("partition a")
        cut = values.max() / 2 if values.size else 0
        for i in range(counts.shape[0]):
            for j in range(counts.shape[1]):
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if values[i, j] > cut else "black")
        ax.set_title(f"ARI {self.ari:.2f} · AMI {self.ami:.2f}")
        return ax


def _as_labels(labels, name: str):
    """A Series as given (its index matches the other partition); else checked int labels."""
    if isinstance(labels, pd.Series):
        return labels
    return _as_label_array(labels, name)


def compare_partitions(labels_a, labels_b) -> PartitionComparison:
    """Compare two partitions of the same rows.

    Parameters
    ----------
    labels_a : array-like or pandas.Series of int
        The reference partition (e.g. a published one); ``-1`` marks noise/unassigned.
    labels_b : array-like or pandas.Series of int
        The partition to compare. If both are Series they are matched on their index
        (which must hold the same ids); otherwise by position.

    Returns
    -------
    PartitionComparison
        ``ari``, ``ami``, ``nmi``, per-cluster ``jaccard`` after Hungarian matching,
        the matching ``mapping`` and the aligned ``confusion`` table.

    Raises
    ------
    TypeError
        Labels that are not integers.
    ValueError
        Different lengths, mismatched Series indexes, NaN labels, or no rows.

    References
    ----------
    .. [1] Hubert, L. and Arabie, P. (1985). Comparing partitions. Journal of
       Classification, 2, 193-218.
    .. [2] Vinh, N. X., Epps, J. and Bailey, J. (2010). Information theoretic measures for
       clusterings comparison. Journal of Machine Learning Research, 11, 2837-2854.
    .. [3] Kuhn, H. W. (1955). The Hungarian method for the assignment problem. Naval
       Research Logistics Quarterly, 2, 83-97.
    """
    a = _as_labels(labels_a, "labels_a")
    b = _as_labels(labels_b, "labels_b")
    if isinstance(a, pd.Series) and isinstance(b, pd.Series):
        if not a.index.equals(b.index):
            if a.index.has_duplicates or b.index.has_duplicates or \
                    set(a.index) != set(b.index):
                raise ValueError(
                    "'labels_a' and 'labels_b' are Series with different ids in their index; "
                    "pass labels of the same clients (or plain arrays to match by position)."
                )
            b = b.reindex(a.index)
    if len(a) != len(b):
        raise ValueError(
            f"'labels_a' and 'labels_b' must have the same length; got {len(a)} and {len(b)}."
        )
    if len(a) == 0:
        raise ValueError("'labels_a' and 'labels_b' are empty; there is nothing to compare.")
    a_int = _as_label_array(a, "labels_a")  # integers, no NaN (-1 = noise)
    b_int = _as_label_array(b, "labels_b")
    mapping, contingency = match_clusters(a_int, b_int)
    ari = float(adjusted_rand_score(a_int, b_int))
    ami = float(adjusted_mutual_info_score(a_int, b_int))
    nmi = float(normalized_mutual_info_score(a_int, b_int))

    # columns of b in the order of the cluster of a they were matched to
    col_order = sorted(contingency.columns, key=lambda c: (mapping.get(int(c), NOISE) == NOISE,
                                                         mapping.get(int(c), NOISE), c))
    row_order = sorted(contingency.index, key=lambda r: (r == NOISE, r))
    confusion = contingency.loc[row_order, col_order].copy()
    confusion.index.name = "a"
    confusion.columns.name = "b"

    size_a = contingency.sum(axis=1)
    size_b = contingency.sum(axis=0)
    inverse = {ref: lab for lab, ref in mapping.items() if lab != NOISE}
    rows = []
    for cluster in contingency.index:
        if cluster == NOISE:
            continue
        matched = inverse.get(int(cluster))
        if matched is None:
            rows.append((cluster, int(size_a[cluster]), pd.NA, 0, 0, 0.0))
            continue
        overlap = int(contingency.loc[cluster, matched])
        union = int(size_a[cluster]) + int(size_b[matched]) - overlap
        rows.append((cluster, int(size_a[cluster]), int(matched), int(size_b[matched]),
                     overlap, overlap / union))
    summary = pd.DataFrame(rows, columns=["cluster", "size_a", "matched_b", "size_b", "overlap",
                                          "jaccard"]).set_index("cluster")
    summary["matched_b"] = summary["matched_b"].astype("Int64")
    jaccard = summary["jaccard"].rename("jaccard")
    return PartitionComparison(ari=ari, ami=ami, nmi=nmi, jaccard=jaccard, mapping=mapping,
                               confusion=confusion, summary=summary, n_samples=len(a_int))
