"""Small-cell suppression: primary (small counts, statistics from few clients) and
secondary (complementary) suppression, with a record of every suppressed cell.

Rules (documented in ``docs/profiling.md``):

* **Primary.** A count from 1 to ``min_cell_size - 1`` is suppressed, and so is every
  share computed from it. Zero counts are shown (a zero cannot single out a client, and
  suppressing zeros would tell a reader that a suppressed cell is never zero). Every
  statistic (mean, SD, median, quartiles, interval, v-test, ...) computed from fewer than
  ``min_cell_size`` clients is suppressed.
* **Secondary.** Where cells add up to a total that is shown (the level counts of a
  variable within a cluster add up to the cluster size; a level's counts across clusters add
  up to its overall count; cluster sizes add up to the population), a single suppressed
  cell could be recovered by subtraction. In every such line with exactly one suppressed
  cell, another non-zero cell is suppressed as well: the least informative one where the
  caller ranks them (outcomes hide "unchanged" before "deteriorated" before "improved", so
  the headline figure survives), else the next smallest. This is repeated until no line
  has a single suppressed cell. The overall column takes part: its level counts add
  up to the population, and each level's cluster counts add up to its overall count.
* **Shares.** A shown level count and its share give the non-missing total (count /
  share), hence the missing count; so in a group whose missing count is hidden, the
  level shares are hidden too (the counts stay), in Table 1 and in the distinguishing
  features.
* ``min_cell_size`` of 0 or 1 disables suppression (and says so in the profile's notes).

The marker shown in rendered tables and text is ``"suppressed (<11)"`` (with the
``min_cell_size`` in use) for primary suppression, and ``"suppressed (to protect a small
cell)"`` for a cell hidden only by secondary suppression (it may hold many clients).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["marker", "SECONDARY_MARK", "small_count", "complete_lines", "SuppressionLog",
           "withheld"]

#: Shown in place of a cell hidden only to protect another (small) cell.
SECONDARY_MARK = "suppressed (to protect a small cell)"


def marker(min_cell_size: int, secondary: bool = False) -> str:
    """The text shown in place of a suppressed value.

    ``"suppressed (<11)"`` for primary suppression (a small count, or a statistic from
    fewer than ``min_cell_size`` clients); :data:`SECONDARY_MARK` when the cell is hidden
    only so that another cell cannot be recovered from a total (``secondary=True``).
    """
    return SECONDARY_MARK if secondary else f"suppressed (<{min_cell_size})"


def withheld(subject: str, mark: str, min_cell_size: int) -> str:
    """A withheld figure as a clause that reads as English, e.g. "the share who improved
    reliably is withheld because it rests on fewer than 11 clients".

    ``mark`` is the cell's marker (:func:`marker`): the primary marker gives the small-count
    reason, :data:`SECONDARY_MARK` the "worked out from a total" reason.
    """
    if mark == SECONDARY_MARK:
        return (f"{subject} is withheld so that a smaller figure cannot be worked out from "
                f"the totals")
    return f"{subject} is withheld because it rests on fewer than {min_cell_size} clients"


def small_count(counts, min_cell_size: int) -> np.ndarray:
    """Mask of counts that must be suppressed: ``1 <= count < min_cell_size``."""
    counts = np.asarray(counts, dtype=float)
    if min_cell_size <= 1:
        return np.zeros(counts.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        return (counts >= 1) & (counts < min_cell_size)


def complete_lines(values, mask, axes=(0, 1), max_rounds: int = 50, *,
                   information=None) -> np.ndarray:
    """Secondary suppression on a 2-D table of cells that add up along ``axes``.

    Parameters
    ----------
    values : (r, c) array
        The cell values (counts or totals); used to choose the next smallest cell.
    mask : (r, c) bool array
        Cells already suppressed.
    axes : tuple of int
        ``1``: each row adds up to a shown total; ``0``: each column does.
    information : (r, c) array, optional
        How much a reader loses when a cell is hidden (e.g. 0 for "unchanged", 1 for
        "deteriorated", 2 for "improved"). The complementary cell is the least informative
        candidate, the smallest among equally informative ones. Default: all equal, so the
        smallest non-zero cell is chosen.

    Returns
    -------
    mask : (r, c) bool array
        ``mask`` with complementary cells added, so that no line along ``axes`` has exactly
        one suppressed cell while it has a non-zero cell left to suppress.
    """
    values = np.asarray(values, dtype=float)
    mask = np.array(mask, dtype=bool, copy=True)
    if values.ndim != 2 or values.size == 0:
        return mask
    info = (np.zeros(values.shape) if information is None else
            np.broadcast_to(np.asarray(information, dtype=float), values.shape))
    # order of preference: least information first, then smallest value
    rank = np.empty(values.size)
    order = np.lexsort((values.ravel(), info.ravel()))
    rank[order] = np.arange(values.size)
    rank = rank.reshape(values.shape)
    for _ in range(max_rounds):
        changed = False
        for axis in axes:
            v = values if axis == 1 else values.T
            m = mask if axis == 1 else mask.T
            rk = rank if axis == 1 else rank.T
            single = m.sum(axis=1) == 1
            if not single.any():
                continue
            cand = np.where(~m & (v > 0) & np.isfinite(v), rk, np.inf)
            pick = np.argmin(cand, axis=1)
            ok = single & np.isfinite(cand[np.arange(len(cand)), pick])
            rows = np.flatnonzero(ok)
            if rows.size:
                m[rows, pick[rows]] = True  # writes through the view into mask
                changed = True
        if not changed:
            break
    return mask


class SuppressionLog:
    """Collects the suppressed cells of every table (what and why)."""

    columns = ["table", "group", "variable", "level", "statistic", "reason"]

    def __init__(self):
        self._rows: list[tuple] = []

    def add(self, table, group, variable, level, statistic, reason):
        self._rows.append((table, group, variable, level, statistic, reason))

    def add_frame_mask(self, table, mask: pd.DataFrame, reasons: pd.DataFrame | str,
                       *, row_names=("variable", "level", "statistic")):
        """Record every True cell of ``mask`` (rows: a MultiIndex or plain index)."""
        if not mask.to_numpy().any():
            return
        r_idx, c_idx = np.nonzero(mask.to_numpy())
        for r, c in zip(r_idx, c_idx):
            key = mask.index[r]
            key = key if isinstance(key, tuple) else (key,)
            fields = dict(zip(row_names, key))
            group = fields.pop("group", mask.columns[c])
            stat = fields.get("statistic", mask.columns[c])
            reason = reasons if isinstance(reasons, str) else reasons.iat[r, c]
            self.add(table, group, fields.get("variable", ""), fields.get("level", ""),
                     stat, reason)

    def frame(self) -> pd.DataFrame:
        out = pd.DataFrame(self._rows, columns=self.columns, dtype=object)
        return out.reset_index(drop=True)
