"""Feature engineering: per-client aggregates of service events, mixed-type preprocessing
(a scikit-learn ``ColumnTransformer`` with pandas output that keeps the client index) and
Gower (1971) distances for mixed data.

Examples
--------
>>> from clusterdiscovery.features import aggregate_events, make_preprocessor, gower_distances
"""

from ._dask import aggregate_events_dask
from ._events import aggregate_events
from ._gower import gower_distances
from ._preprocess import make_preprocessor

__all__ = ["aggregate_events", "aggregate_events_dask", "make_preprocessor", "gower_distances"]
