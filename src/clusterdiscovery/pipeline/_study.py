"""ClusterStudy: everything a discover() run produced, read-only."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["ClusterStudy"]


@dataclass(frozen=True)
class ClusterStudy:
    """The result of :func:`~clusterdiscovery.discover`.

    Attributes
    ----------
    config : dict
        The full configuration used (defaults filled in).
    selection : ModelSelectionResult
        Every (family, k) fitted, with its criteria.
    candidates : DataFrame
        Every k of the primary family's range, by k, with its criteria, whether it was a
        candidate and its ``rank`` by the criterion, its least stable cluster's mean Jaccard
        in the screening (``screen_min_jaccard``) and in the full assessment
        (``min_jaccard``), whether it was eligible, which was chosen, whether that choice is
        provisional, and the ``reason`` in plain words (``tables/candidates.csv``).
    model : estimator
        The chosen fitted model (``model_name`` family with ``k`` clusters).
    labels : Series
        Cluster of each client, indexed by client id (row-level: not written by default).
    stability : StabilityResult
    profile : ClusterProfile
    descriptions : ClusterDescriptions
    map : ClusterMap
        The clients in two dimensions, binned into hexagons coloured by cluster
        (:func:`clusterdiscovery.profiling.cluster_map`); ``study.map.plot()`` draws it.
    paths : dict
        Files written (``report``: list of paths, ``model``: the JSON model file, ...).
    timings : dict
        Seconds spent in each stage.
    record : dict
        Every choice made, as written to the report and ``study.json``.
    provisional : bool
        True when no candidate reproduced in full (each had a cluster with a mean Jaccard
        below ``min_jaccard``, in the screening or in the full assessment): the chosen
        solution is shown as provisional.
    """

    config: dict
    selection: Any
    candidates: pd.DataFrame
    model: Any
    model_name: str
    k: int
    labels: pd.Series
    stability: Any
    profile: Any
    descriptions: Any
    map: Any = None
    paths: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    record: dict = field(default_factory=dict)
    provisional: bool = False

    @property
    def summary(self) -> pd.DataFrame:
        """One row per cluster: name, size, share, stability and verdict."""
        sizes = self.labels.value_counts().sort_index()
        stab = self.stability.summary
        out = pd.DataFrame({
            "name": [self.descriptions.names.get(c, str(c)) for c in sizes.index],
            "size": sizes.to_numpy(),
            "share": (sizes / sizes.sum()).to_numpy(),
        }, index=pd.Index(sizes.index, name="cluster"))
        out["jaccard_mean"] = stab["jaccard_mean"].reindex(out.index).to_numpy()
        out["verdict"] = stab["verdict"].reindex(out.index).to_numpy()
        # sizes below the suppression threshold are not shown
        small = out["size"] < self.profile.min_cell_size
        out["size"] = out["size"].astype("Int64").mask(small)
        out["share"] = out["share"].mask(small)
        return out

    def to_frame(self) -> pd.DataFrame:
        return self.summary

    def plot(self, ax=None, criterion: str | None = None):
        """The model-selection figure: the criterion against k, one line per family."""
        return self.selection.plot(ax=ax, criterion=criterion or self.record["criterion"])

    def __repr__(self) -> str:
        return (f"ClusterStudy({self.model_name}, k={self.k}, "
                f"{self.record.get('n_clients', '?')} clients)")

    def _repr_html_(self) -> str:
        head = (f"<p><strong>Cluster study</strong>: {html.escape(self.model_name)} with "
                f"k = {self.k}. {html.escape(self.record.get('choice', ''))}</p>")
        return head + self.summary.to_html(float_format=lambda v: f"{v:.3f}", na_rep="suppressed")
