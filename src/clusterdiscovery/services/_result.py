"""ServiceComparison: the result of :func:`compare_services`, with its forest plot and
cost-effectiveness plane."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["ServiceComparison"]


@dataclass(frozen=True)
class ServiceComparison:
    """A service's effect on an outcome (and cost) within each cluster.

    Attributes
    ----------
    summary : DataFrame
        One row per cluster and a row ``cluster == "all"``: ``n_service``, ``n_without``,
        ``estimate`` (received minus not; a risk difference for a 0/1 outcome), ``ci_low``,
        ``ci_high`` (95% percentile bootstrap), ``p_value`` (normal, bootstrap standard
        error), ``ess`` (effective sample size of the inverse probability weights),
        ``max_smd`` (largest standardised mean difference of a confounder after weighting),
        ``extreme_propensity_share`` (propensity < 0.05 or > 0.95), with a cost
        ``cost_difference``, ``cost_ci_low``, ``cost_ci_high``, ``cost_per_unit`` (NaN
        when the effect's interval covers 0), and ``suppressed`` / ``reason``.
    """

    summary: pd.DataFrame
    service: str
    outcome: str
    cost: str | None
    method: str
    confounders: list = field(default_factory=list)
    binary: bool = False
    n_bootstrap: int = 0
    min_cell_size: int = 11
    clusters: list = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return self.summary.copy()

    def _headline(self) -> str:
        what = "risk difference" if self.binary else "difference in means"
        return (f"Effect of {self.service} on {self.outcome} ({what}, {self.method.upper()}, "
                f"adjusted for {', '.join(map(str, self.confounders)) or 'nothing'}). "
                "Observational comparisons adjusted for the named confounders, not trial "
                "results.")

    def _repr_html_(self) -> str:
        from html import escape

        return (f"<p><b>Service comparison</b>: {escape(self._headline())}</p>"
                + self.summary.to_html(index=False, float_format=lambda v: f"{v:.4g}",
                                       na_rep=""))

    def __repr__(self) -> str:
        return (f"ServiceComparison(service={self.service!r}, outcome={self.outcome!r}, "
                f"method={self.method!r}, groups={len(self.summary)})")

    def plot(self, ax=None):
        """Forest plot: each cluster's effect with its 95% interval, the population's last."""
        import matplotlib.pyplot as plt

        s = self.summary
        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 0.5 * len(s) + 1.5))
        y = np.arange(len(s))[::-1]
        shown = ~s["suppressed"].to_numpy(dtype=bool)
        for yi, (_, r), ok in zip(y, s.iterrows(), shown):
            if not ok:
                continue
            colour = "black" if r["cluster"] == "all" else "tab:blue"
            ax.plot([r["ci_low"], r["ci_high"]], [yi, yi], color=colour)
            ax.plot(r["estimate"], yi, "D" if r["cluster"] == "all" else "o", color=colour)
        ax.axvline(0, color="grey", lw=1, ls="--")
        ax.set_yticks(y, [f"cluster {c}" if c != "all" else "all clients" for c in s["cluster"]])
        ax.set_xlabel(f"effect of {self.service} on {self.outcome} (received minus not)")
        ax.set_title("What works, for whom: effect by cluster (95% CI)")
        return ax

    def plot_cost_effect(self, ax=None):
        """Cost-effectiveness plane: cost difference against effect, one point per cluster."""
        import matplotlib.pyplot as plt

        if self.cost is None:
            raise ValueError("No cost was given to compare_services; pass cost=<column>.")
        s = self.summary[~self.summary["suppressed"].astype(bool)]
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 5))
        for _, r in s.iterrows():
            ax.errorbar(r["estimate"], r["cost_difference"],
                        xerr=[[r["estimate"] - r["ci_low"]], [r["ci_high"] - r["estimate"]]],
                        yerr=[[r["cost_difference"] - r["cost_ci_low"]],
                              [r["cost_ci_high"] - r["cost_difference"]]],
                        fmt="D" if r["cluster"] == "all" else "o", capsize=2)
            ax.annotate(str(r["cluster"]), (r["estimate"], r["cost_difference"]),
                        xytext=(4, 4), textcoords="offset points", fontsize=8)
        ax.axhline(0, color="grey", lw=1)
        ax.axvline(0, color="grey", lw=1)
        ax.set_xlabel(f"effect on {self.outcome}")
        ax.set_ylabel(f"cost difference ({self.cost})")
        ax.set_title("Cost-effectiveness plane by cluster")
        return ax
