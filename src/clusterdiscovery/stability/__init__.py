"""Stability validation of clusterings: bootstrap Jaccard, prediction strength, consensus.

- :func:`assess_stability`: clusterwise Jaccard under bootstrap, subsampling or jitter
  (Hennig 2007), with ARI/AMI of each resample.
- :func:`prediction_strength`: Tibshirani & Walther (2005) for choosing k.
- :func:`consensus_clustering`: consensus matrices and PAC (Monti et al. 2003;
  Senbabaoglu et al. 2014).
- :func:`align_labels`, :func:`match_clusters`: Hungarian label alignment (Kuhn 1955),
  reused by :func:`clusterdiscovery.compare_partitions`.
"""

from __future__ import annotations

from ._align import align_labels, match_clusters
from ._consensus import ConsensusResult, consensus_clustering
from ._prediction_strength import PredictionStrengthResult, prediction_strength
from ._result import StabilityResult
from ._stability import assess_stability

__all__ = [
    "assess_stability",
    "prediction_strength",
    "consensus_clustering",
    "align_labels",
    "match_clusters",
    "StabilityResult",
    "PredictionStrengthResult",
    "ConsensusResult",
]
