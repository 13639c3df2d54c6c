"""What works, for whom, at what cost: service comparisons within clusters."""

from ._compare import compare_services
from ._result import ServiceComparison

__all__ = ["compare_services", "ServiceComparison"]
