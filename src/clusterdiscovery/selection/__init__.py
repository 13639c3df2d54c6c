"""Model selection: fit several clustering families over a range of k on the same data and
compare them by information criteria, entropy and geometric indices.

Examples
--------
>>> from clusterdiscovery.selection import compare_models, ModelSelectionResult
"""

from ._compare import compare_models, default_estimators
from ._data import infer_measurement
from ._lrt import LRTestResult, lmr_test, lr_tests
from ._result import ALIASES, CRITERIA, ModelSelectionResult, SelectedModel, resolve_criterion

__all__ = [
    "compare_models",
    "default_estimators",
    "infer_measurement",
    "ModelSelectionResult",
    "SelectedModel",
    "CRITERIA",
    "ALIASES",
    "resolve_criterion",
    "lr_tests",
    "lmr_test",
    "LRTestResult",
]
