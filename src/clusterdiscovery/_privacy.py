"""Privacy rules every output passes through, beyond cell suppression itself.

Cell suppression (``profiling/_suppress.py``, :func:`~clusterdiscovery.profiling._suppress.
protect_cells`) hides a count from 1 to ``min_cell_size - 1`` and the smallest complementary
cells that stop it being rebuilt from the totals. Two ways to read a small count back are
named here, once, for every table and file:

* **Remainders.** When a line's shown cells and its shown total leave a remainder of 1 to
  ``min_cell_size - 1`` clients (the sum of the hidden cells: "n = 15, unchanged 73.3%"
  gives improved + deteriorated = 4), more cells of the line are hidden until the hidden
  cells hold no clients or at least ``min_cell_size`` (:func:`protect_remainders`, which
  runs ``protect_cells`` with the remainder rule on).
* **Shares of small groups.** A share of a known total pins the count it was computed from
  (``smallest_share`` 0.0333 of 150 clients is 5). :func:`small_share` tells when a share
  is such a small count (or leaves one), and :func:`mask_small_shares` hides it in a column.
* **Sizes shown twice.** A table that repeats cluster sizes (the stability summary) shows
  them as Table 1 shows them (:func:`sizes_as_shown`).

References
----------
Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley, ch. 5 (tabular data:
primary and secondary suppression, the protection of the sum of suppressed cells).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["protect_remainders", "small_share", "mask_small_shares", "sizes_as_shown",
           "WITHHELD"]

#: Shown in place of a share withheld because it would give a small count.
WITHHELD = "suppressed (would reveal a count below {m})"


def protect_remainders(values, mask, min_cell_size: int, axes=(0, 1)) -> np.ndarray:
    """Hide more cells until no line's hidden cells sum to 1 .. ``min_cell_size - 1``.

    Parameters
    ----------
    values : (r, c) array
        Cell counts; each line along ``axes`` adds up to a shown total.
    mask : (r, c) bool array
        Cells already hidden (not modified).
    min_cell_size : int
        Threshold; 0 or 1 turns the rule off.
    axes : tuple of int
        ``1``: rows add up to a total; ``0``: columns do.

    :func:`~clusterdiscovery.profiling._suppress.protect_cells` does the complementary
    suppression and the remainders in one pass.

    Returns
    -------
    mask : (r, c) bool array
    """
    from .profiling._suppress import line_relations, protect_cells

    values = np.asarray(values, dtype=float)
    mask = np.array(mask, dtype=bool, copy=True)
    if min_cell_size <= 1 or values.ndim != 2 or values.size == 0 or not mask.any():
        return mask
    out = protect_cells(values.ravel(), line_relations(values.shape, axes), mask.ravel(),
                        min_cell_size)
    return out.reshape(values.shape)


def small_share(share, total, min_cell_size: int) -> np.ndarray:
    """Mask of shares of ``total`` that give a count, or a remainder, of 1 .. min - 1.

    ``share * total`` is the count the share was computed from; a share is unsafe when that
    count, or ``total`` minus it, lies in ``[1, min_cell_size)``. ``total`` may be an array
    (one denominator per share). NaN shares are safe (nothing is shown).
    """
    share = np.asarray(share, dtype=float)
    total = np.broadcast_to(np.asarray(total, dtype=float), share.shape)
    if min_cell_size <= 1:
        return np.zeros(share.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        count = np.rint(share * total)
        rest = total - count
        small = ((count >= 1) & (count < min_cell_size)) | ((rest >= 1) & (rest < min_cell_size))
    return small & np.isfinite(share)


def mask_small_shares(column: pd.Series, total, min_cell_size: int) -> pd.Series:
    """``column`` (shares of ``total``) with the unsafe shares replaced by a marker."""
    bad = small_share(pd.to_numeric(column, errors="coerce").to_numpy(), total, min_cell_size)
    if not bad.any():
        return column
    out = column.astype(object).copy()
    out[bad] = WITHHELD.format(m=min_cell_size)
    return out


def sizes_as_shown(sizes: pd.Series, shown: pd.Series) -> pd.Series:
    """Cluster sizes as Table 1 shows them: ``shown`` (Table 1's formatted ``n`` row, indexed
    by cluster) replaces ``sizes`` wherever it is not the same number."""
    out = sizes.astype(object).copy()
    for c in out.index:
        key = c if c in shown.index else str(c)
        if key in shown.index:
            out[c] = shown[key]
    return out
