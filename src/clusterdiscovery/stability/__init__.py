"""Stability validation of clusterings: bootstrap Jaccard, prediction strength, consensus.

Label alignment between partitions (Hungarian method) lives here too and is reused by
:func:`clusterdiscovery.compare_partitions`.
"""

from __future__ import annotations

from ._align import align_labels, match_clusters

__all__ = [
    "align_labels",
    "match_clusters",
]
