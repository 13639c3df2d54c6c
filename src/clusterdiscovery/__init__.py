"""clusterdiscovery: discover, validate, describe and cost the subgroups of client populations.

The public names are listed in ``__all__``. Heavy parts (UMAP and HDBSCAN compile with
numba on first import) load on first use, so ``import clusterdiscovery`` stays fast;
``from clusterdiscovery import LatentClassModel`` works as usual.

Examples
--------
>>> import clusterdiscovery as cd
>>> pop = cd.datasets.make_client_population(n_clients=500, random_state=0)
>>> pop.clients.shape[0]
500
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .exceptions import (
    ConvergenceWarning,
    ModelSpecError,
    SchemaError,
    SuppressionWarning,
    UnstableClusterWarning,
)
from .schema import ClientSchema

__version__ = "0.1.0"

# public name -> submodule that defines it (imported on first access)
_LAZY = {
    "LatentClassModel": "models",
    "DensityClusterer": "models",
    "LatentTransitionModel": "models",
    "compare_models": "selection",
    "ModelSelectionResult": "selection",
    "lr_tests": "selection",
    "assess_stability": "stability",
    "prediction_strength": "stability",
    "consensus_clustering": "stability",
    "align_labels": "stability",
    "StabilityResult": "stability",
    "PredictionStrengthResult": "stability",
    "ConsensusResult": "stability",
    "profile_clusters": "profiling",
    "ClusterProfile": "profiling",
    "distal_outcomes": "profiling",
    "DistalOutcomeResult": "profiling",
    "describe_clusters": "describe",
    "ClusterDescriptions": "describe",
    "save_model": "persistence",
    "load_model": "persistence",
    "ClusterModel": "persistence",
    "compare_partitions": "partitions",
    "PartitionComparison": "partitions",
    "discover": "pipeline",
    "ClusterStudy": "pipeline",
    "compare_teams": "teams",
    "compare_services": "services",
    "ServiceComparison": "services",
    "compare_care_clusters": "national",
    "CareClusterComparison": "national",
    "TeamComparison": "teams",
}
_SUBMODULES = ("datasets", "features", "models", "monitoring", "stability", "profiling",
               "describe", "selection", "persistence", "partitions", "pipeline", "published",
               "teams", "national", "services")

__all__ = [
    "__version__",
    "ClientSchema",
    "SchemaError",
    "ModelSpecError",
    "ConvergenceWarning",
    "UnstableClusterWarning",
    "SuppressionWarning",
    *_LAZY,
    *_SUBMODULES,
]


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'clusterdiscovery' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover - for static analysers only
    from . import datasets, features, monitoring  # noqa: F401
