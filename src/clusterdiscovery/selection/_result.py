"""ModelSelectionResult: the comparison table, the choice rule and the criterion plot."""

from __future__ import annotations

import html
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ModelSelectionResult", "SelectedModel", "CRITERIA", "ALIASES",
           "resolve_criterion"]

#: criterion -> True when lower is better
CRITERIA = {
    "bic": True,
    "aic": True,
    "sabic": True,
    "caic": True,
    "davies_bouldin": True,
    "silhouette": False,
    "calinski_harabasz": False,
    "dbcv": False,
    "entropy": False,
}
#: other names accepted for a criterion
ALIASES = {"validity": "dbcv"}


def resolve_criterion(criterion) -> str:
    """The criterion's column name (``"validity"`` is an alias of ``"dbcv"``).

    Raises
    ------
    ValueError
        For a name that is neither a criterion nor an alias.
    """
    if isinstance(criterion, str) and criterion in ALIASES:
        return ALIASES[criterion]
    if not isinstance(criterion, str) or criterion not in CRITERIA:
        raise ValueError(
            f"Unknown criterion {criterion!r}; use one of {', '.join(CRITERIA)} "
            f"('validity' is accepted for 'dbcv')."
        )
    return criterion
_LIKELIHOOD = ("bic", "aic", "sabic", "caic")


@dataclass(frozen=True)
class SelectedModel:
    """The solution :meth:`ModelSelectionResult.best` picked.

    Attributes
    ----------
    model : str
        Family name (a key of ``estimators``).
    k : int
        Number of clusters.
    criterion : str
        The criterion used.
    value : float
        Its value for this solution.
    estimator : estimator or None
        The fitted estimator (None when ``keep_estimators=False``).
    """

    model: str
    k: int
    criterion: str
    value: float
    estimator: Any = None


class ModelSelectionResult:
    """Fit statistics of every (model family, k) on the same data.

    Made by :func:`compare_models`; read-only.

    Attributes
    ----------
    summary : DataFrame
        One row per fitted solution with the columns ``model``, ``k``, ``loglik``,
        ``n_parameters``, ``aic``, ``bic``, ``sabic``, ``caic``, ``entropy``,
        ``smallest_share``, ``silhouette``, ``calinski_harabasz``, ``davies_bouldin``,
        ``dbcv``, ``noise_share``, ``degenerate``, ``converged``, ``fit_seconds``, and
        with ``lr_tests`` the k versus k - 1 tests (``lr``, ``lmr_p``, ``blrt_p``).
    estimators_ : dict
        ``{(model, k): fitted estimator}`` (empty when ``keep_estimators=False``).
    n_samples : int
        Number of rows compared.
    likelihood_scale : dict
        ``{model: scale}``: which version of the data each family's likelihood describes
        (``"matrix"`` or ``"table"``); likelihoods are comparable only on the same scale.
    """

    def __init__(self, summary, estimators, *, n_samples, likelihood_scale):
        self.summary = summary
        self.estimators_ = estimators
        self.n_samples = int(n_samples)
        self.likelihood_scale = dict(likelihood_scale)

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`summary`."""
        return self.summary.copy()

    def _repr_html_(self) -> str:
        models = ", ".join(dict.fromkeys(self.summary["model"]))
        caption = (
            f"Model selection: {len(self.summary)} solutions of {models} "
            f"on {self.n_samples} rows"
        )
        table = self.summary.to_html(
            index=False, na_rep="", float_format=lambda v: f"{v:.4g}", border=0
        )
        return f"<div><p><strong>{html.escape(caption)}</strong></p>{table}</div>"

    def __repr__(self) -> str:
        models = ", ".join(dict.fromkeys(self.summary["model"]))
        return f"ModelSelectionResult({len(self.summary)} solutions; models: {models})"

    def best(self, criterion="bic", *, model=None, min_share=None) -> SelectedModel:
        """Pick the best solution by one criterion.

        The rule: lower is better for ``bic``, ``aic``, ``sabic``, ``caic`` and
        ``davies_bouldin``; higher is better for ``silhouette``, ``calinski_harabasz``,
        ``dbcv`` (alias ``validity``) and ``entropy`` (relative entropy, 1 = perfectly
        separated). Solutions flagged ``degenerate`` are left out. Only
        solutions with a value for the criterion take part (so ``bic`` compares the
        likelihood families: Gaussian mixtures and latent class models, not k-means;
        ``dbcv`` applies to density clustering only). Likelihood criteria compare
        families only when their likelihoods describe the same data (see
        ``likelihood_scale``); otherwise pass ``model=``. Solutions with a cluster holding
        less than ``min_share`` of the rows are left out. Ties go to the smaller ``k``, then
        to the family listed first.

        Parameters
        ----------
        criterion : str, default="bic"
            One of ``bic``, ``aic``, ``sabic``, ``caic``, ``davies_bouldin``, ``silhouette``,
            ``calinski_harabasz``, ``dbcv`` (or ``validity``), ``entropy``.
        model : str or None, default=None
            Restrict the choice to one family.
        min_share : float in [0, 1) or None, default=None
            Leave out solutions whose smallest cluster is below this share of the rows.

        Returns
        -------
        SelectedModel
            ``model``, ``k``, ``criterion``, ``value`` and the fitted ``estimator``.
        """
        criterion = resolve_criterion(criterion)
        table = self.summary.reset_index(drop=True)
        if model is not None:
            if model not in set(table["model"]):
                raise ValueError(
                    f"The 'model' parameter must be one of {sorted(set(table['model']))}; "
                    f"got {model!r}."
                )
            table = table[table["model"] == model]
        if min_share is not None:
            if isinstance(min_share, bool) or not isinstance(min_share, numbers.Real):
                raise TypeError(
                    f"The 'min_share' parameter must be a number in [0, 1) or None; "
                    f"got {min_share!r}."
                )
            if not 0 <= min_share < 1:
                raise ValueError(f"The 'min_share' parameter must be in [0, 1); got {min_share}.")
            table = table[table["smallest_share"] >= min_share]
        values = table[criterion].astype(float)
        table = table[np.isfinite(values.to_numpy())]
        if table.empty:
            raise ValueError(
                f"No solution has a value for {criterion!r}"
                + (f" with every cluster holding at least {min_share:.1%}" if min_share else "")
                + "; choose another criterion or model."
            )
        if criterion in _LIKELIHOOD:
            scales = {self.likelihood_scale.get(m) for m in table["model"]}
            if len(scales) > 1:
                raise ValueError(
                    f"The likelihoods of {sorted(set(table['model']))} describe different "
                    f"versions of the data (the table vs its numeric encoding), so "
                    f"{criterion!r} cannot compare them; pass model=... to choose within one."
                )
        if "degenerate" in table.columns:
            flagged = table["degenerate"].astype("boolean").fillna(False).to_numpy(dtype=bool)
            if flagged.all():
                raise ValueError(
                    f"Every solution with a value for {criterion!r} is degenerate (a cluster "
                    f"empty or below the minimum size); fit fewer "
                    f"clusters or another model."
                )
            table = table[~flagged]
        order = {m: i for i, m in enumerate(dict.fromkeys(self.summary["model"]))}
        key = table[criterion].astype(float) * (1 if CRITERIA[criterion] else -1)
        ranked = table.assign(_key=key, _order=table["model"].map(order)).sort_values(
            ["_key", "k", "_order"], kind="mergesort"
        )
        row = ranked.iloc[0]
        name, k = str(row["model"]), int(row["k"])
        return SelectedModel(
            model=name,
            k=k,
            criterion=criterion,
            value=float(row[criterion]),
            estimator=self.estimators_.get((name, k)),
        )

    def plot(self, ax=None, criterion="bic"):
        """Plot a criterion against k, one line per family.

        A family that finds k itself (density clustering) appears as a single marker.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Axes to draw on; a new figure is made when None.
        criterion : str, default="bic"
            Any column of the summary named in :meth:`best` (or ``loglik``).

        Returns
        -------
        matplotlib.axes.Axes
        """
        if criterion != "loglik":
            criterion = resolve_criterion(criterion)
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(6, 4))
        drawn = 0
        for name, part in self.summary.groupby("model", sort=False):
            part = part.sort_values("k")
            y = part[criterion].astype(float).to_numpy()
            if not np.isfinite(y).any():
                continue
            style = "o-" if len(part) > 1 else "D"
            ax.plot(part["k"].to_numpy(), y, style, label=str(name))
            drawn += 1
        ax.set_xlabel("number of clusters k")
        better = "" if criterion == "loglik" else (
            " (lower is better)" if CRITERIA[criterion] else " (higher is better)"
        )
        ax.set_ylabel(criterion + better)
        if drawn:
            ax.legend(title="model")
        else:
            ax.set_title(f"no solution has a value for {criterion}")
        return ax
