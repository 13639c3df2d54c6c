"""Display shared by the stability result objects: ``to_frame``, text and HTML repr."""

from __future__ import annotations

from html import escape

import pandas as pd

__all__ = ["SummaryDisplay"]


class SummaryDisplay:
    """``to_frame``, ``__repr__`` and ``_repr_html_`` from ``summary`` and ``_header()``.

    Subclasses (dataclasses declared with ``repr=False``) provide the ``summary``
    DataFrame and a one-line ``_header()``; ``_summary_index`` says whether the
    summary's index is shown.
    """

    _summary_index = False

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`summary`."""
        return self.summary.copy()

    def __repr__(self) -> str:
        return f"{self._header()}\n{self.summary.to_string(index=self._summary_index)}"

    def _repr_html_(self) -> str:
        table = self.summary.to_html(index=self._summary_index,
                                     float_format=lambda v: f"{v:.3f}")
        return f"<p><strong>{escape(self._header())}</strong></p>\n{table}"
