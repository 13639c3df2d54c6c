"""Result object of :func:`assess_stability`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._display import SummaryDisplay
from ._metrics import THRESHOLDS

__all__ = ["StabilityResult"]


@dataclass(frozen=True, eq=False, repr=False)
class StabilityResult(SummaryDisplay):
    """Clusterwise stability of a clustering under resampling (Hennig 2007).

    Attributes
    ----------
    summary : pandas.DataFrame
        Indexed by reference cluster (``cluster``); columns ``size`` (rows in the
        reference cluster), ``jaccard_mean``, ``jaccard_median``, ``jaccard_std``,
        ``dissolved`` (resamples with Jaccard <= 0.5), ``recovered`` (resamples with
        Jaccard > 0.75), ``n_assessed`` (resamples containing the cluster) and
        ``verdict`` (``"highly stable"`` >= 0.85, ``"stable"`` >= 0.75, ``"doubtful"``
        0.6 to 0.75, ``"unstable"`` < 0.6, after Hennig 2007).
    jaccard : pandas.DataFrame
        Jaccard similarity of each cluster (columns) in each resample (rows); NaN where
        the resample held no row of the cluster.
    ari, ami : ndarray of shape (n_resamples,)
        Adjusted Rand index and adjusted mutual information of each resample's
        partition against the reference partition, on the rows they share (noise, if
        any, counted as one group).
    method : str
        ``"bootstrap"``, ``"subsample"`` or ``"jitter"``.
    n_resamples : int
    reference_labels : ndarray of shape (n_samples,)
        The reference partition (``-1`` = noise, never assessed).
    n_clusters_resample : ndarray of shape (n_resamples,)
        Number of (non-noise) clusters found in each resample.
    params : dict
        The other settings of the run (fraction, jitter_scale, random_state, estimator).
    """

    summary: pd.DataFrame
    jaccard: pd.DataFrame
    ari: np.ndarray
    ami: np.ndarray
    method: str
    n_resamples: int
    reference_labels: np.ndarray
    n_clusters_resample: np.ndarray
    params: dict = field(default_factory=dict)

    _summary_index = True  # the summary is indexed by cluster

    @property
    def unstable_clusters(self) -> list:
        """Clusters whose mean Jaccard is below 0.6 (not to be trusted, Hennig 2007)."""
        s = self.summary
        return s.index[s["jaccard_mean"] < THRESHOLDS["trust"]].tolist()

    def _header(self) -> str:
        return (
            f"Cluster stability: {self.method}, {self.n_resamples} resamples, "
            f"{self.summary.shape[0]} clusters; mean ARI {np.nanmean(self.ari):.3f}, "
            f"mean AMI {np.nanmean(self.ami):.3f}"
        )

    def plot(self, ax=None):
        """Jaccard distributions per cluster (box + points) with Hennig's thresholds.

        Horizontal lines at Hennig's (2007) guide values, labelled by category: 0.5
        ("dissolved (<= 0.5)"), 0.6 ("unstable below 0.6"), 0.75 ("stable (>= 0.75)") and
        0.85 ("highly stable (>= 0.85)").

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Axes to draw on; a new figure is made when None.

        Returns
        -------
        ax : matplotlib Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(max(4.0, 0.8 * self.jaccard.shape[1] + 2), 4))
        clusters = list(self.jaccard.columns)
        data = [self.jaccard[c].dropna().to_numpy() for c in clusters]
        positions = np.arange(1, len(clusters) + 1)
        ax.boxplot(data, positions=positions, widths=0.5, showfliers=False)
        rng = np.random.default_rng(0)  # fixed horizontal spread of the points only
        for pos, values in zip(positions, data, strict=True):
            offsets = rng.uniform(-0.15, 0.15, size=values.size)
            ax.plot(pos + offsets, values, "o", ms=2.5, alpha=0.4, color="tab:blue")
        styles = {
            THRESHOLDS["dissolved"]: ("tab:red", "dissolved (<= 0.5)"),
            THRESHOLDS["trust"]: ("tab:orange", "unstable below 0.6"),
            THRESHOLDS["stable"]: ("tab:green", "stable (>= 0.75)"),
            THRESHOLDS["highly_stable"]: ("darkgreen", "highly stable (>= 0.85)"),
        }
        for y, (color, label) in styles.items():
            ax.axhline(y, color=color, lw=0.8, ls="--", label=label)
        ax.set_xticks(positions)
        ax.set_xticklabels([str(c) for c in clusters])
        ax.set_xlabel("cluster (reference partition)")
        ax.set_ylabel("Jaccard similarity")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(f"Cluster stability ({self.method}, B = {self.n_resamples})")
        ax.legend(loc="lower left", fontsize="small", frameon=False)
        return ax
