"""Shared behaviour of the monitoring result objects (HTML display, axes handling)."""

from __future__ import annotations

import html

import pandas as pd


class Result:
    """Base of the monitoring results: ``.summary``, ``to_frame()``, ``_repr_html_``."""

    title = "Result"
    exclusions: pd.DataFrame | None = None
    notes: list = []

    @property
    def summary(self) -> pd.DataFrame:  # pragma: no cover - overridden
        raise NotImplementedError

    def to_frame(self) -> pd.DataFrame:
        """The main table of the result (a copy)."""
        return self.summary.copy()

    def _caption(self) -> str:
        return ""

    def _html_table(self) -> pd.DataFrame:
        return self.summary

    def _repr_html_(self) -> str:
        parts = [f"<h4>{html.escape(self.title)}</h4>"]
        cap = self._caption()
        if cap:
            parts.append(f"<p>{html.escape(cap)}</p>")
        parts.append(self._html_table().to_html(float_format=lambda v: f"{v:.3f}"))
        if self.exclusions is not None and self.exclusions.shape[0]:
            parts.append("<p><b>Excluded input rows</b></p>")
            parts.append(self.exclusions.to_html(index=False))
        if self.notes:
            items = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
            parts.append(f"<p><b>Notes</b></p><ul>{items}</ul>")
        return "\n".join(parts)

    def __repr__(self) -> str:
        cap = self._caption()
        return f"<{type(self).__name__}: {cap}>" if cap else f"<{type(self).__name__}>"

    @staticmethod
    def _axes(ax):
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(7, 4))
        return ax
