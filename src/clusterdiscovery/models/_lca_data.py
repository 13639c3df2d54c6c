"""Input encoding for the latent class model: columns, levels, response patterns.

Private helpers of :class:`~clusterdiscovery.models.LatentClassModel`. The public
estimator validates; these functions turn a validated table into the integer and float
matrices the EM works on, compress identical rows into weighted response patterns and
build the (sparse) indicator design used by the vectorised E and M steps.

A ``"lognormal"`` column is encoded as ``log1p(x)`` and joins the gaussian block: the E
and M steps treat it as gaussian on that scale, and the design adds its Jacobian
``-log1p(x)`` to the class-independent per-row term, so log-likelihoods are densities of
``x`` itself.

A ``"twopart"`` column (a non-negative measure with many exact zeros: costs, days in
hospital, a deductible) is the two-part item of Olsen and Schafer (2001) and Mplus's
``DATA TWOPART``: a binary part, whether the value is above zero (a categorical block
column with the fixed levels 0 and 1), and, for the values above zero only, a lognormal
part (a gaussian-block column holding ``log1p(x)``, missing where ``x`` is 0). The two
parts share the column's missing cells, so the item's likelihood is ``P(x = 0 | class)``
for a zero and ``P(x > 0 | class) f(x | x > 0, class)`` otherwise.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import gammaln
from sklearn.utils import check_array

from .._checks import (
    check_flat_columns,
    check_levels,
    check_magnitude,
    describe_not_numbers,
    not_numbers,
)

KINDS = ("categorical", "gaussian", "lognormal", "poisson", "twopart")
#: kinds held in the gaussian block (lognormal on the log1p scale)
GAUSSIAN_KINDS = ("gaussian", "lognormal")
#: kinds with a column in the categorical block (a two-part item's "above zero" part)
CAT_BLOCK = ("categorical", "twopart")
#: kinds with a column in the gaussian block (a two-part item's values above zero)
GAU_BLOCK = ("gaussian", "lognormal", "twopart")
#: the levels of a two-part item's binary part: 0 (the value is zero), 1 (above zero)
TWOPART_LEVELS = np.array([0, 1])
DENSE_LIMIT = 2_000_000  # cells of the indicator matrix held dense (16 MB)

__all__ = ["as_table", "KINDS", "GAUSSIAN_KINDS", "CAT_BLOCK", "GAU_BLOCK", "TWOPART_LEVELS", "EncodedData", "Design", "RowSubsets", "table_columns",
           "encode", "compress", "design"]


def table_columns(X):
    """Return ``(keys, getter, n_rows)`` for a DataFrame or an array-like.

    ``getter(j)`` returns column ``j`` (positional) as a pandas Series (DataFrame input) or
    a 1-D numpy array. Arrays are checked with scikit-learn's ``check_array`` (2-D, no
    sparse, no complex); NaN is allowed because it means "missing".
    """
    if isinstance(X, pd.DataFrame):
        check_flat_columns(X, "X")
        if X.shape[0] == 0:
            raise ValueError("X is empty (0 rows); pass at least one row per class.")
        if X.shape[1] == 0:
            raise ValueError("X has no columns; pass at least one feature column.")
        return list(X.columns), (lambda j: X.iloc[:, j]), X.shape[0]
    arr = check_array(X, dtype=None, ensure_all_finite=False, ensure_2d=True)
    if arr.dtype.kind in "biuf":
        arr = arr.astype(np.float64, copy=False)
    return list(range(arr.shape[1])), (lambda j: arr[:, j]), arr.shape[0]


def _missing_mask(col) -> np.ndarray:
    return np.asarray(pd.isna(col), dtype=bool)


def _levels_of(col, name) -> np.ndarray:
    """Observed levels of a categorical column, in a stable order."""
    if isinstance(col, pd.Series) and isinstance(col.dtype, pd.CategoricalDtype):
        cats = col.cat.categories
        used = np.unique(col.cat.codes.to_numpy())
        used = used[used >= 0]
        return np.asarray(cats[used])
    if isinstance(col, pd.Series):
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            raise TypeError(
                f"Column {name!r} holds dates; a latent class model takes categories or "
                f"numbers. Turn dates into a number first (e.g. days since an event).")
        check_levels(col, name)  # 1 and "1" would be two classes printed alike
    try:
        values = pd.unique(pd.Series(col)[~_missing_mask(col)])
    except TypeError as err:
        raise TypeError(
            f"Column {name!r} holds unhashable values ({err}); each categorical argument must "
            "be a string or a number (or a bool / pandas categorical)."
        ) from err
    values = np.asarray(values)
    if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
        raise ValueError(
            f"Column {name!r} contains infinity; replace it with a finite value or NaN "
            "(missing)."
        )
    try:
        order = np.argsort(values, kind="stable")
        values = values[order]
    except TypeError:  # mixed types that cannot be compared: keep order of appearance
        pass
    return values


def _numeric(col, name, kind) -> np.ndarray:
    try:
        if isinstance(col, pd.Series):
            x = col.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            x = np.asarray(col, dtype=np.float64)
    except (TypeError, ValueError) as err:
        what = (describe_not_numbers(col, name) if isinstance(col, pd.Series)
                and not_numbers(col) else str(err))
        raise TypeError(
            f"Column {name!r} is modelled as {kind!r} and must be numeric ({what}). Model it "
            "as 'categorical' or convert it with pandas.to_numeric."
        ) from None
    if np.isinf(x).any():
        raise ValueError(
            f"Column {name!r} contains infinity; replace it with a finite value or NaN (missing)."
        )
    check_magnitude(x, f"Column {name!r} (modelled as {kind!r})")
    if kind == "poisson":
        obs = x[~np.isnan(x)]
        if (obs < 0).any():
            raise ValueError(
                f"Column {name!r} is modelled as 'poisson' (counts) but has negative values "
                f"(minimum {obs.min()}); counts must be >= 0. Use 'gaussian' for signed data."
            )
        if (obs != np.round(obs)).any():
            raise ValueError(
                f"Column {name!r} is modelled as 'poisson' (counts) but has non-integer values; "
                "round them or model the column as 'gaussian'."
            )
    elif kind in ("lognormal", "twopart"):
        obs = x[~np.isnan(x)]
        if (obs < 0).any():
            raise ValueError(
                f"Column {name!r} is modelled as {kind!r} but has negative values "
                f"(minimum {obs.min()}); use 'gaussian' for signed data."
            )
        if kind == "lognormal":
            x = np.log1p(x)
    return x


@dataclass
class EncodedData:
    """Columns grouped by measurement type (rows are clients or response patterns)."""

    cat: np.ndarray  # (n, Jc) int32 level codes, -1 missing
    gau: np.ndarray  # (n, Jg) float64, NaN missing (lognormal columns: log1p(x))
    poi: np.ndarray  # (n, Jp) float64, NaN missing
    lognormal: np.ndarray  # (Jg,) bool: gaussian-block column is lognormal

    @property
    def n(self) -> int:
        return max(self.cat.shape[0], self.gau.shape[0], self.poi.shape[0])

    def take(self, idx) -> EncodedData:
        return EncodedData(self.cat[idx], self.gau[idx], self.poi[idx], self.lognormal)


def encode(X, kinds, levels, *, fit, handle_unknown="error"):
    """Encode ``X`` column by column.

    Parameters
    ----------
    X : DataFrame or array-like, already checked for its number of columns.
    kinds : list of str, one measurement type per column (positional).
    levels : list of ndarray or None; ignored (and learned) when ``fit`` is true.

    Returns
    -------
    data : EncodedData
    levels : list of ndarray or None (categorical levels per column).
    """
    keys, getter, n = table_columns(X)
    cat, gau, poi = [], [], []
    new_levels = []
    for j, (key, kind) in enumerate(zip(keys, kinds)):
        col = getter(j)
        missing = _missing_mask(col)
        if fit and missing.all():
            raise ValueError(
                f"Column {key!r} is entirely missing; drop it before fitting the latent class "
                "model."
            )
        if kind == "categorical":
            lev = _levels_of(col, key) if fit else levels[j]
            codes = pd.Index(lev).get_indexer(pd.Series(col) if not isinstance(col, pd.Series)
                                              else col)
            unknown = (codes < 0) & ~missing
            if unknown.any():
                bad = pd.Series(col)[unknown].iloc[0]
                if handle_unknown != "missing":
                    raise ValueError(
                        f"Column {key!r} has level {bad!r}, which was not seen during fit "
                        f"(known levels: {list(lev)[:10]}). Recode it, set it to NaN, or use "
                        "handle_unknown='missing' to treat unseen levels as missing."
                    )
            codes = np.where(missing, -1, codes).astype(np.int32)
            cat.append(codes)
            new_levels.append(lev)
        elif kind == "twopart":
            x = _numeric(col, key, kind)
            if fit:
                _check_twopart(x, key)
            cat.append(np.where(np.isnan(x), -1, x > 0).astype(np.int32))
            with np.errstate(invalid="ignore"):
                gau.append(np.where(x > 0, np.log1p(x), np.nan))
            new_levels.append(TWOPART_LEVELS)
        else:
            x = _numeric(col, key, kind)
            if fit and kind in GAUSSIAN_KINDS:
                obs = x[~np.isnan(x)]
                if obs.size < 2 or np.ptp(obs) == 0:
                    raise ValueError(
                        f"Column {key!r} is modelled as {kind!r} but is constant (or has fewer "
                        "than two observed values); drop it or model it as 'categorical'."
                    )
            (gau if kind in GAUSSIAN_KINDS else poi).append(x)
            new_levels.append(None)

    def stack(cols, dtype, fill):
        if cols:
            return np.column_stack(cols).astype(dtype, copy=False)
        return np.full((n, 0), fill, dtype=dtype)

    lognormal = np.array([k != "gaussian" for k in kinds if k in GAU_BLOCK], dtype=bool)
    data = EncodedData(stack(cat, np.int32, -1), stack(gau, np.float64, np.nan),
                       stack(poi, np.float64, np.nan), lognormal)
    return data, new_levels


def _check_twopart(x, key):
    """A two-part item needs zeros and at least two different values above zero."""
    obs = x[~np.isnan(x)]
    positive = obs[obs > 0]
    if positive.size == obs.size:
        raise ValueError(
            f"Column {key!r} is modelled as 'twopart' but has no zeros; model it as "
            "'lognormal' or 'gaussian'."
        )
    if positive.size < 2 or np.ptp(positive) == 0:
        raise ValueError(
            f"Column {key!r} is modelled as 'twopart' but has fewer than two different values "
            "above zero; model it as 'categorical' (zero / not zero)."
        )


def compress(data: EncodedData, n_levels, sample_weight=None, *, return_inverse=False):
    """Collapse identical rows into response patterns with frequency weights.

    Returns ``(patterns, weights)``: one row per distinct pattern (in sorted key order)
    and the number (total ``sample_weight``) of rows holding it. Zero-weight patterns are
    dropped. With ``return_inverse=True`` (no ``sample_weight``) also the pattern of each
    row, ``(patterns, weights, inverse)``.

    The sorted key order is the lexicographic order of the rows' codes (a level's code
    within its column, a number's rank among its column's distinct values), so the
    patterns of a subset of rows come in the same relative order as in the full table:
    :class:`RowSubsets` relies on it.
    """
    n = data.n
    columns = []  # (kind, j, radix)
    for j in range(data.cat.shape[1]):
        columns.append((0, j, int(n_levels[j]) + 1))
    for kind, block in ((1, data.gau), (2, data.poi)):
        for j in range(block.shape[1]):
            columns.append((kind, j, np.unique(block[:, j]).size))

    def code(kind, j):
        if kind == 0:
            return data.cat[:, j].astype(np.int64) + 1
        block = data.gau if kind == 1 else data.poi
        return np.unique(block[:, j], return_inverse=True)[1].astype(np.int64)

    if float(np.prod([float(c[2]) for c in columns])) < 2.0**62:
        key = np.zeros(n, dtype=np.int64)  # mixed-radix key, built column by column
        for kind, j, radix in columns:
            key *= radix
            key += code(kind, j)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        del key
    else:
        stacked = np.column_stack([code(kind, j) for kind, j, _ in columns])
        _, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    weights = np.bincount(inverse, weights=sample_weight, minlength=first.size)
    weights = weights.astype(np.float64)
    keep = weights > 0  # zero-weight rows do not enter the fit
    if return_inverse:
        if sample_weight is not None:
            raise ValueError("return_inverse=True needs sample_weight=None.")
        return data.take(first), weights, inverse
    return data.take(first[keep]), weights[keep]


class RowSubsets:
    """A table encoded and compressed once, for refits on subsets of its rows.

    Stability resampling refits a model on many subsets of the same rows. Encoding and
    compressing each subset anew costs as much as a share of the EM itself; here the full
    table's response patterns are computed once and a subset's patterns and weights are
    taken from them by counting (``np.bincount``). Levels of a categorical column absent
    from the subset are dropped and the codes renumbered, exactly as encoding the subset
    would learn them, so a fit on :meth:`patterns` equals a fit on the subset's rows.

    Parameters
    ----------
    data : EncodedData
        The full table, encoded with the levels ``levels``.
    levels : list of ndarray or None
        Categorical levels per column (None for numeric columns), as ``encode`` learned
        them on the full table.
    kinds : list of str
        Measurement type per column.
    category_order : list of bool, optional
        Per column, True when its levels are in the order of a pandas categorical dtype's
        categories (kept by any subset).
    """

    def __init__(self, data: EncodedData, levels, kinds, category_order=None):
        self.levels = list(levels)
        self.kinds = list(kinds)
        fixed = category_order or [False] * len(self.levels)
        n_levels = [len(lev) for lev in self.levels if lev is not None]
        self.patterns, _, self.inverse = compress(data, n_levels, return_inverse=True)
        # a subset's levels keep the full table's order when that order is a categorical
        # dtype's or sorted (encode sorts levels it can compare; otherwise it keeps the
        # order of appearance, which a subset may not share)
        self.ordered = all(lev is None or fix or _is_sorted(lev)
                           for lev, fix in zip(self.levels, fixed))

    def subset(self, idx, sample_weight=None):
        """``(patterns, weights, pattern_of_row, levels)`` of rows ``idx`` (repeats count;
        with ``sample_weight``, one weight per entry of ``idx``, a pattern's weight is the
        sum of its rows' weights, as compressing the weighted rows gives).

        Returns None when encoding the subset would differ from taking it from the full
        table (a column missing or constant in the subset, levels in order of appearance,
        or a pattern of zero total weight): the caller then fits on the rows themselves.
        """
        counts = np.bincount(self.inverse[idx], minlength=self.patterns.n)
        used = np.flatnonzero(counts)
        where = np.full(self.patterns.n, -1, dtype=np.int64)
        where[used] = np.arange(used.size)
        sub = self.patterns.take(used)
        if sample_weight is None:
            w = counts[used].astype(np.float64)
        else:
            w = np.bincount(self.inverse[idx], weights=sample_weight,
                            minlength=self.patterns.n)[used]
            if not (w > 0).all():  # compressing the rows would drop zero-weight patterns
                return None
        if not self.ordered:
            return None
        levels = list(self.levels)
        cat = sub.cat.copy()
        ic = 0
        for j, lev in enumerate(self.levels):
            if self.kinds[j] not in CAT_BLOCK:
                continue
            if self.kinds[j] == "twopart":  # fixed levels 0 / 1, kept when unseen
                ic += 1
                continue
            col = cat[:, ic]
            seen = np.zeros(len(lev), dtype=bool)
            seen[col[col >= 0]] = True
            if not seen.any():
                return None
            if not seen.all():
                new_code = np.where(seen, np.cumsum(seen) - 1, -1).astype(np.int32)
                cat[:, ic] = np.where(col >= 0, new_code[np.maximum(col, 0)], -1)
                levels[j] = np.asarray(lev)[seen]
            ic += 1
        for block, gaussian in ((sub.gau, True), (sub.poi, False)):
            for j in range(block.shape[1]):
                obs = block[:, j][~np.isnan(block[:, j])]
                if obs.size == 0 or (gaussian and (obs.size < 2 or np.ptp(obs) == 0)):
                    return None
        return (EncodedData(cat, sub.gau, sub.poi, sub.lognormal), w,
                where[self.inverse[idx]], levels)


def _is_sorted(values) -> bool:
    values = np.asarray(values)
    try:
        return bool(np.all(np.argsort(values, kind="stable") == np.arange(values.size)))
    except TypeError:
        return False


@dataclass
class Design:
    """Matrices used by the E and M steps (built once per fit or prediction).

    Numeric blocks are stored transposed, ``(J, m)``, because the kernels keep the
    class dimension first (``(K, m)``): reductions over classes then run along
    contiguous memory.
    """

    Z: sp.csr_matrix | np.ndarray  # (m, sum L) indicators of observed categorical levels
    ZT: sp.csc_matrix | np.ndarray  # its transpose
    dense: bool  # Z held as a dense array (small problems: less call overhead)
    xg: np.ndarray  # (Jg, m) gaussian values, 0 where missing
    og: np.ndarray  # (Jg, m) float 1/0 observed
    xp: np.ndarray  # (Jp, m) poisson counts, 0 where missing
    op: np.ndarray  # (Jp, m) float 1/0 observed
    const: np.ndarray  # (m,) class-independent log-density terms (incl. lognormal Jacobian)


def design(data: EncodedData, offsets: np.ndarray, total_levels: int) -> Design:
    """Build the indicator matrix and filled numeric blocks for ``data``."""
    m, jc = data.cat.shape
    if jc:
        obs = data.cat >= 0
        cols = (data.cat + offsets[None, :].astype(np.int32))[obs]
        indptr = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(obs.sum(axis=1), out=indptr[1:])
        Z = sp.csr_matrix((np.ones(cols.size), cols.astype(np.int32), indptr),
                          shape=(m, total_levels))
    else:
        Z = sp.csr_matrix((data.n, 0))
    og = ~np.isnan(data.gau.T)
    op = ~np.isnan(data.poi.T)
    xg = np.where(og, data.gau.T, 0.0)
    xp = np.where(op, data.poi.T, 0.0)
    const = np.zeros(Z.shape[0])
    if og.shape[0]:
        const -= 0.5 * np.log(2 * np.pi) * og.sum(axis=0)
        if data.lognormal.any():  # Jacobian of y = log1p(x): log f(x) = log f(y) - log1p(x)
            const -= xg[data.lognormal].sum(axis=0)
    if op.shape[0]:
        const -= gammaln(xp + 1.0).sum(axis=0)
    dense = Z.shape[0] * Z.shape[1] <= DENSE_LIMIT
    if dense:
        Z = Z.toarray()
        return Design(Z, np.ascontiguousarray(Z.T), True, xg, og.astype(np.float64), xp,
                      op.astype(np.float64), const)
    return Design(Z, Z.T, False, xg, og.astype(np.float64), xp, op.astype(np.float64), const)


def as_table(X):
    """DataFrames pass through; anything else becomes a checked 2-D numpy array."""
    if isinstance(X, pd.DataFrame):
        return X
    if X is None or isinstance(X, str | bytes | numbers.Number):
        raise TypeError(
            f"X must be a pandas DataFrame or a 2-d array-like (rows = clients); "
            f"got {type(X).__name__}."
        )
    arr = check_array(X, dtype=None, ensure_all_finite=False, ensure_2d=True)
    if arr.dtype.kind in "biuf":
        arr = arr.astype(np.float64, copy=False)
    return arr
