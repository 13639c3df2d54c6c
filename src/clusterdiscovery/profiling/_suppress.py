"""Small-cell suppression: primary (small counts, statistics from few clients) and
secondary (complementary) suppression, with a record of every suppressed cell.

Rules (documented in ``docs/profiling.md``):

* **Primary.** A count from 1 to ``min_cell_size - 1`` is suppressed, and so is every
  share computed from it. Zero counts are shown (a zero cannot single out a client, and
  suppressing zeros would tell a reader that a suppressed cell is never zero). Every
  statistic (mean, SD, median, quartiles, interval, v-test, ...) computed from fewer than
  ``min_cell_size`` clients is suppressed.
* **Secondary (complementary).** Where cells add up to a total that is shown (the level
  counts of a variable within a cluster add up to its known values and, with the missing
  count, to the cluster size; a level's counts across clusters add up to its overall
  count; cluster sizes add up to the population), a suppressed cell could be rebuilt by
  subtraction, or a chain of them. :func:`protect_cells` takes the cells with all their
  relations at once and withholds, while a primary cell can be rebuilt (tested by linear
  algebra) or a relation leaves a small sum of withheld cells, the cell that protects
  best: the least informative one where the caller ranks them (outcomes hide "unchanged"
  before "deteriorated" before "improved", so the headline figure survives), else the
  smallest; then shows again every complement not needed, so the set is minimal.
  :func:`complete_lines` is the case of a table whose lines add up to shown totals.
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
from scipy import sparse
from scipy.sparse import csgraph

__all__ = ["marker", "SECONDARY_MARK", "small_count", "complete_lines", "SuppressionLog",
           "withheld", "protect_cells", "line_relations"]

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


def complete_lines(values, mask, axes=(0, 1), *, information=None) -> np.ndarray:
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
        ``mask`` with complementary cells added, so that no suppressed cell can be rebuilt
        from the line totals (by one subtraction or a chain of them), with as few and as
        small complementary cells as :func:`protect_cells` finds.
    """
    values = np.asarray(values, dtype=float)
    mask = np.array(mask, dtype=bool, copy=True)
    if values.ndim != 2 or values.size == 0 or not mask.any():
        return mask
    info = None if information is None else np.broadcast_to(
        np.asarray(information, dtype=float), values.shape).ravel()
    out = protect_cells(values.ravel(), line_relations(values.shape, axes), mask.ravel(), 0,
                        information=info)
    return out.reshape(values.shape)


class SuppressionLog:
    """Collects the suppressed cells of every table (what and why)."""

    columns = ["table", "group", "variable", "level", "statistic", "reason"]

    def __init__(self):
        self._rows: list[tuple] = []

    def add(self, table, group, variable, level, statistic, reason):
        self._rows.append((table, group, variable, level, statistic, reason))

    def frame(self) -> pd.DataFrame:
        out = pd.DataFrame(self._rows, columns=self.columns, dtype=object)
        return out.reset_index(drop=True)


# ------------------------------------------------------------------ linked cells
def line_relations(shape, axes=(0, 1), *, last_is_total=False):
    """Additive relations of a 2-D table of cells, as ``(cells, coefficients)`` pairs over
    the flattened (row-major) cells.

    ``axes`` as in :func:`complete_lines`. With ``last_is_total`` the last cell of each line
    is that line's total (the overall column, the group-size row), so the relation reads
    ``parts - total = 0``; otherwise the line adds up to a total shown outside the table.
    """
    idx = np.arange(int(np.prod(shape))).reshape(shape)
    out = []
    for axis in axes:
        lines = idx if axis == 1 else idx.T
        for line in lines:
            coef = np.ones(line.size)
            if last_is_total:
                coef[-1] = -1.0
            out.append((line, coef))
    return out


def _relation_matrix(relations, size):
    """The relations as a dense (relations x cells) matrix of coefficients."""
    r = np.zeros((len(relations), size))
    for i, (cells, coef) in enumerate(relations):
        np.add.at(r[i], np.asarray(cells, dtype=np.int64), np.asarray(coef, dtype=float))
    return r


def _one_signed(a):
    """Rows of ``a`` with a non-zero entry, all of one sign (they give a sum of cells)."""
    pos, neg = (a > 0).any(axis=1), (a < 0).any(axis=1)
    return pos ^ neg


def _exposed(values, rel, hidden, protect, min_cell_size):
    """What a reader can rebuild: ``(protected cells rebuilt, relations giving a small sum,
    cells known, the rows of those relations)`` (the attack :func:`protect_cells` defends
    against; ``rel`` from :func:`_relation_matrix`).

    * Counts are never negative, so hidden cells entering a relation with one sign and
      summing to 0 are all 0.
    * A hidden cell is rebuilt exactly when no change of the hidden cells that keeps every
      relation true moves it, i.e. its unit vector lies in the row space of the relations
      restricted to the hidden cells (leverage 1 in their SVD) (linear algebra, one connected group of
      hidden cells at a time; this covers one subtraction and every chain of them).
    * A relation whose cells not rebuilt enter with one sign gives their sum; a sum from
      1 to ``min_cell_size - 1`` gives away small counts.
    """
    hidden = hidden.copy()
    known = np.zeros(values.size, bool)
    while True:
        a = rel[:, hidden]
        zero = _one_signed(a) & (a @ values[hidden] == 0)
        if not zero.any():
            break
        cells = (rel[zero] != 0).any(axis=0) & hidden
        known |= cells
        hidden &= ~cells
    h = np.flatnonzero(hidden)
    if h.size:
        a = rel[:, h]
        a = a[(a != 0).any(axis=1)]
        if a.size:
            link = sparse.csr_matrix((np.abs(a).T @ np.abs(a)) > 0)
            n_comp, comp = csgraph.connected_components(link, directed=False)
            for k in range(n_comp):
                cols = np.flatnonzero(comp == k)
                sub = a[:, cols]
                sub = sub[(sub != 0).any(axis=1)]
                if not sub.size:
                    continue
                # e_i in the row space <=> its projection on the row space has length 1
                _, sv, vh = np.linalg.svd(sub, full_matrices=False)
                rank = int((sv > sv.max() * max(sub.shape) * 1e-12).sum()) if sv.size else 0
                leverage = (vh[:rank] ** 2).sum(axis=0)
                known[h[cols[leverage > 1 - 1e-9]]] = True
    exposed = known & protect
    bad = np.zeros(rel.shape[0], bool)
    if min_cell_size > 1:  # sums of the hidden cells a reader cannot rebuild one by one
        free = hidden & ~known
        a = rel[:, free]
        total = np.abs(a @ values[free])
        bad = _one_signed(a) & (total >= 1) & (total < min_cell_size)
    rows = bad | (rel[:, exposed] != 0).any(axis=1)
    return int(exposed.sum()), int(bad.sum()), known, rows


def protect_cells(values, relations, primary, min_cell_size: int, *, hidden=None,
                  fixed=None, information=None, lookahead: int = 8) -> np.ndarray:
    """Primary and complementary suppression of cells linked by additive relations.

    Parameters
    ----------
    values : 1-D array
        Client counts of every cell (shown, or hidden such as a count never published).
    relations : list of (cells, coefficients)
        ``values[cells] @ coefficients`` is known to a reader (a shown total, or 0 when the
        total is one of the cells); from :func:`line_relations` or built by the caller.
    primary : bool array
        The cells to protect: none of them may be rebuilt from what is shown.
    min_cell_size : int
        Hidden cells whose sum a relation gives must hold 0 or at least this many clients
        (0 or 1: only exact rebuilding is prevented).
    hidden : bool array, optional
        Cells not shown to begin with (default: ``primary``); always stay hidden.
    fixed : bool array, optional
        Cells that must stay as they are (shown cells that may not be withheld, e.g. a
        row shared with other tables and settled there).
    information : array, optional
        How much a reader loses when a cell is withheld; among the complementary cells
        that protect equally well, the least informative, then the smallest, is chosen.

    Returns
    -------
    mask : bool array, True where withheld.

    Notes
    -----
    Greedy, with a check by linear algebra (:func:`_exposed`): while a protected cell can
    be rebuilt (or a relation gives a small sum), among the shown cells of the relations
    involved, the ``lookahead`` least informative, smallest ones are tried and the one
    leaving fewest cells exposed is withheld (when none of them helps, the next
    ``lookahead``, up to three times; zero cells only when nothing else is left).
    Then every complementary cell, largest first, is shown again if the table stays
    protected without it, so nothing is withheld that is not needed (the result is
    minimal: no single complementary cell can be dropped). Tables of more than 120 cells
    (the dashboard's linked views) get a shorter search (``lookahead // 4`` candidates,
    one pruning pass): every check costs a factorisation of the withheld cells'
    relations, so the time grows about with the cube of the table (a page of 50 teams
    and 3 months of mostly small counts takes ~9 s). Hundepool et al. (2012),
    section 5.2 (primary and secondary suppression; attacker's linear system).
    """
    values = np.asarray(values, dtype=float)
    primary = np.asarray(primary, dtype=bool)
    hidden0 = (primary if hidden is None else np.asarray(hidden, bool) | primary).copy()
    mask = hidden0.copy()
    if not primary.any() or not relations:
        return mask
    fixed = np.zeros(values.size, bool) if fixed is None else np.asarray(fixed, bool)
    info = (np.zeros(values.size) if information is None
            else np.broadcast_to(np.asarray(information, dtype=float), values.shape))
    vals = np.where(np.isfinite(values), values, 0.0)
    m = int(min_cell_size)
    rel = _relation_matrix(relations, values.size)

    def score(k):
        a, b, _, rows = _exposed(vals, rel, k, primary, m)
        return a + b, rows

    current, rows = score(mask)
    # large tables (the dashboard's linked views): a shorter search, one pruning pass
    large = values.size > 120
    look, chunks, passes = (max(2, lookahead // 4), 1, 1) if large else (lookahead, 3,
                                                                          values.size)
    for _ in range(values.size):
        if current == 0:
            break
        # the shown cells of the relations that hold a withheld cell or give a small sum
        rows = rows | (rel[:, mask] != 0).any(axis=1)
        free = (rel[rows] != 0).any(axis=0) & ~mask & ~fixed
        cand = np.flatnonzero(free & (vals > 0))
        if not cand.size:
            cand = np.flatnonzero(free)
        if not cand.size:
            break  # nothing left to withhold: the caller's table cannot do better
        cand = cand[np.lexsort((vals[cand], info[cand]))]
        first = None
        for start in range(0, min(cand.size, chunks * look), look):  # until one helps
            chunk = cand[start:start + look]
            scores = []
            for c in chunk:
                trial = mask.copy()
                trial[c] = True
                scores.append(score(trial))
            i = int(np.argmin([x[0] for x in scores]))  # ties: the first (least informative)
            first = first or (chunk[i], scores[i])
            if scores[i][0] < current:
                first = (chunk[i], scores[i])
                break
        mask[first[0]] = True
        current, rows = first[1]
    return _prune(mask, hidden0, vals, info, lambda k: score(k)[0], current, passes)


def _prune(mask, hidden0, vals, info, score, current, passes):
    """Show again every complement not needed, largest first, until none can be dropped
    (a complement a reader can rebuild protects nothing)."""
    for _ in range(passes):
        extra = np.flatnonzero(mask & ~hidden0)
        dropped = False
        for c in extra[np.lexsort((-vals[extra], -info[extra]))]:
            trial = mask.copy()
            trial[c] = False
            if score(trial) <= current:
                mask, dropped = trial, True
        if not dropped:
            break
    return mask
