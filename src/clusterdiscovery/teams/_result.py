"""TeamComparison: the result of :func:`compare_teams`, with its funnel plot."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._funnel import LIMITS, z_of

__all__ = ["TeamComparison"]


@dataclass(frozen=True)
class TeamComparison:
    """Teams' observed against expected outcome or cost, given their clients' clusters.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per team: ``team``, ``n`` (clients with a value), ``observed`` and
        ``expected`` (per client: a proportion, rate or mean), ``observed_total``,
        ``expected_total``, ``z``, ``p_value``, ``indicator`` (the indirectly standardised
        value on the target's scale), ``n_effective`` (the funnel's horizontal axis),
        ``lower_95``, ``upper_95``, ``lower_99.8``, ``upper_99.8`` (control limits of the
        indicator), ``flag`` (``"within"``, ``"above 95%"``, ``"below 99.8%"``, ...),
        ``suppressed`` and ``reason``. A withheld team's figures are empty.
    target : float
        The population value (overall proportion, rate or mean): the funnel's centre.
    kind : str
        ``"proportion"``, ``"rate"`` or ``"mean"``.
    phi : float
        Overdispersion factor applied to the limits (1 when not requested or not > 1).
    variance_components : dict or None
        ``between_team_variance``, ``within_team_variance``, ``icc`` (intraclass
        correlation of a random-intercept linear model), ``converged``, ``n_teams``.
    notes : list of str
        Clients left out and why.
    """

    summary: pd.DataFrame
    measure: str
    role: str
    kind: str
    team: str
    target: float
    n_clients: int
    phi: float = 1.0
    confounders: list = field(default_factory=list)
    variance_components: dict | None = None
    min_cell_size: int = 11
    notes: list = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """The per-team table (a copy of :attr:`summary`)."""
        return self.summary.copy()

    @property
    def outliers(self) -> pd.DataFrame:
        """Shown teams outside the 95% limits, furthest first."""
        s = self.summary
        out = s[~s["suppressed"] & (s["flag"] != "within") & (s["flag"] != "")]
        return out.reindex(out["z"].abs().sort_values(ascending=False).index)

    @property
    def icc(self) -> float:
        """Intraclass correlation of the teams (NaN when not fitted)."""
        vc = self.variance_components
        return float("nan") if not vc else float(vc["icc"])

    def _headline(self) -> str:
        adj = "cluster" + (" and " + ", ".join(self.confounders) if self.confounders else "")
        text = (f"Teams compared on {self.measure} ({self.kind}; {self.n_clients} clients; "
                f"expected values from each client's {adj}); target {self.target:.4g}.")
        out = self.outliers
        if len(out):
            text += " Outside the 95% limits: " + "; ".join(
                f"{t} ({f})" for t, f in zip(out["team"], out["flag"])) + "."
        else:
            text += " No team lies outside the 95% limits."
        if self.variance_components:
            text += f" Intraclass correlation {self.icc:.3f}."
        return text

    def _repr_html_(self) -> str:
        from html import escape

        return (f"<p><b>Team comparison</b>: {escape(self._headline())}</p>"
                + self.summary.to_html(index=False, float_format=lambda v: f"{v:.4g}",
                                       na_rep=""))

    def __repr__(self) -> str:
        return (f"TeamComparison(measure={self.measure!r}, kind={self.kind!r}, "
                f"teams={len(self.summary)}, outliers={len(self.outliers)})")

    def plot(self, ax=None, *, label_outliers: bool = True):
        """Funnel plot: each shown team's indicator against its effective number of
        clients, with the target and the 95% and 99.8% control limits.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure's axes if None.
        label_outliers : bool
            Name the teams outside the 95% limits.

        Returns
        -------
        ax : matplotlib Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 4.5))
        s = self.summary[~self.summary["suppressed"]]
        x = s["n_effective"].to_numpy(dtype=float)
        theta0 = self.target
        s0 = _unit_sd(s, theta0)
        hi = max(float(np.nanmax(x)) * 1.1, 2.0) if x.size else 10.0
        grid = np.linspace(1.0, hi, 200)
        ax.axhline(theta0, color="black", lw=1, label=f"target {theta0:.3g}")
        for cov, style in zip(LIMITS, ("--", ":")):
            z = z_of(cov)
            band = z * s0 / np.sqrt(grid)
            ax.plot(grid, theta0 + band, style, color="grey", lw=1,
                    label=f"{cov * 100:g}% limits")
            ax.plot(grid, theta0 - band, style, color="grey", lw=1)
        outside = (s["flag"] != "within").to_numpy()
        ax.scatter(x[~outside], s["indicator"].to_numpy()[~outside], s=18, color="tab:blue",
                   label="teams")
        ax.scatter(x[outside], s["indicator"].to_numpy()[outside], s=24, color="tab:red",
                   label="outside 95%")
        if label_outliers:
            for _, r in s[outside].iterrows():
                ax.annotate(str(r["team"]), (r["n_effective"], r["indicator"]), fontsize=8,
                            xytext=(3, 3), textcoords="offset points")
        ax.set_xlabel("clients (effective number, adjusted for case mix)")
        ax.set_ylabel(f"{self.measure} ({'standardised ' + self.kind})")
        if self.kind == "proportion":
            ax.set_ylim(max(ax.get_ylim()[0], 0.0), min(ax.get_ylim()[1], 1.0))
        ax.set_title(f"Teams on {self.measure}: observed against expected")
        ax.legend(fontsize=8, loc="best")
        return ax


def _unit_sd(s: pd.DataFrame, theta0: float) -> float:
    """One client's standard deviation at the target, from the shown teams' limits."""
    z = z_of(LIMITS[0])
    se = (s["upper_95"] - theta0) / z
    v = (se * se * s["n_effective"]).to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    return float(np.sqrt(np.median(v))) if v.size else 0.0
