"""The whole chain in one call: :func:`discover` returns a :class:`ClusterStudy`."""

from ._choose import choose_solution, rank_candidates
from ._config import DEFAULTS, load_config
from ._discover import discover
from ._study import ClusterStudy

__all__ = ["discover", "ClusterStudy", "DEFAULTS", "load_config", "choose_solution",
           "rank_candidates"]
