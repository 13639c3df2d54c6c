"""Teams within clusters: each team's observed outcome or cost against what its clients'
clusters and case mix lead one to expect, funnel plots and the variance between teams."""

from ._compare import compare_teams
from ._result import TeamComparison

__all__ = ["compare_teams", "TeamComparison"]
