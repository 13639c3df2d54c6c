"""Cluster profiles: Table 1, distinguishing features (v-test, SMD, eta squared), cost and
outcome by cluster with BCa bootstrap intervals, variance explained, and small-cell
suppression. Aggregates only: no client id or row-level record leaves this module.

See ``docs/profiling.md`` for every definition and its reference.
"""

from ._distal import DistalOutcomeResult, distal_outcomes
from ._map import ClusterMap, cluster_map
from ._profile import profile_clusters
from ._result import ClusterProfile

__all__ = ["profile_clusters", "ClusterProfile", "cluster_map", "ClusterMap",
           "distal_outcomes", "DistalOutcomeResult"]
