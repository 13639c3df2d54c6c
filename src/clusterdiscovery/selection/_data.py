"""The data views model selection needs: a numeric matrix for geometric families and indices,
and the measurement type of each column for a latent class model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_magnitude
from .._utils import check_dataframe

__all__ = ["DataViews", "infer_measurement", "prepare_data"]

#: numeric columns with at most this many distinct integer values are treated as categories
MAX_CODED_LEVELS = 10


def infer_measurement(data: pd.DataFrame) -> dict:
    """Measurement type of each column for :class:`~clusterdiscovery.LatentClassModel`.

    The rule, column by column (missing values ignored):

    - boolean, categorical, string or object columns -> ``"categorical"``;
    - numeric columns whose values are all integers with at most 10 distinct values (binary
      flags, ordinal scores such as HoNOS items) -> ``"categorical"``;
    - other numeric columns whose values are all non-negative integers -> ``"poisson"``
      (counts such as prior admissions);
    - every other numeric column -> ``"gaussian"``.

    Parameters
    ----------
    data : DataFrame
        The client table (datetime columns are not allowed).

    Returns
    -------
    dict
        ``{column: "categorical" | "poisson" | "gaussian"}`` in column order.
    """
    check_dataframe(data, "data", allow_empty=True)
    _check_no_dates(data, "data")
    out = {}
    for col in data.columns:
        s = data[col]
        if _is_categorical(s):
            out[col] = "categorical"
            continue
        values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        values = values[~np.isnan(values)]
        integer = values.size > 0 and bool(np.all(values == np.round(values)))
        if integer and np.unique(values).size <= MAX_CODED_LEVELS:
            out[col] = "categorical"
        elif integer and values.min() >= 0:
            out[col] = "poisson"
        else:
            out[col] = "gaussian"
    return out


def _check_no_dates(X: pd.DataFrame, name: str = "X") -> None:
    """Raise a ``TypeError`` naming the first date column of ``X``."""
    for col in X.columns:
        if pd.api.types.is_datetime64_any_dtype(X[col].dtype) or isinstance(
            X[col].dtype, pd.PeriodDtype | pd.DatetimeTZDtype
        ):
            raise TypeError(
                f"Column {col!r} of {name} holds dates; clustering needs numbers or categories. "
                f"Drop it or convert it (e.g. to days since referral)."
            )


def _is_categorical(s: pd.Series) -> bool:
    dtype = s.dtype
    return bool(
        pd.api.types.is_bool_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype)
    )


class DataViews:
    """The table as given plus the numeric matrix fitted by geometric families.

    Attributes
    ----------
    table : DataFrame or ndarray
        ``X`` as the user gave it (a latent class model is fitted to this).
    matrix : ndarray of shape (n_samples, n_columns)
        Numeric matrix (NaN kept) for k-means, Gaussian mixtures, density clustering and the
        geometric indices.
    encoded : bool
        True when ``matrix`` is an encoding (one-hot + standardised) rather than ``X`` itself.
    columns : list of str
        Column names of ``table`` (positions for arrays).
    """

    def __init__(self, table, matrix, encoded, columns):
        self.table = table
        self.matrix = matrix
        self.encoded = encoded
        self.columns = columns

    @property
    def n_samples(self) -> int:
        return int(self.matrix.shape[0])

    def matrix_nan_columns(self) -> list:
        """Names of the columns of ``table`` that hold NaN (or inf)."""
        if isinstance(self.table, pd.DataFrame):
            bad = []
            for col in self.table.columns:
                s = self.table[col]
                if s.isna().any():
                    bad.append(str(col))
                elif pd.api.types.is_numeric_dtype(s.dtype) and not _is_categorical(s):
                    if not np.isfinite(s.to_numpy(dtype=np.float64)).all():
                        bad.append(str(col))
            return bad
        cols = np.flatnonzero(~np.isfinite(self.matrix).all(axis=0))
        return [str(c) for c in cols]

    def filled_matrix(self) -> np.ndarray:
        """``matrix`` with NaN replaced by the column mean (0 for an all-NaN column).

        Only used for the geometric indices when every compared family takes missing values
        itself (latent class models).
        """
        M = np.array(self.matrix, dtype=np.float64, copy=True)
        M[~np.isfinite(M)] = np.nan
        if np.isnan(M).any():
            with np.errstate(all="ignore"):
                means = np.nanmean(np.where(np.isnan(M), np.nan, M), axis=0)
            means = np.where(np.isnan(means), 0.0, means)
            rows, cols = np.nonzero(np.isnan(M))
            M[rows, cols] = means[cols]
        return M


def prepare_data(X) -> DataViews:
    """Check ``X`` and build the numeric view.

    A numeric array or a DataFrame whose columns are all numeric is used as it is. A
    DataFrame with categorical, string or boolean columns is encoded for the geometric
    families and indices: numeric columns standardised to mean 0 and standard deviation 1,
    other columns one-hot (0/1, one column per level; a missing value gives a row of zeros
    in that block and NaN is kept in numeric columns).
    """
    if isinstance(X, pd.DataFrame):
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(
                f"X is empty (shape {X.shape}); pass at least one client and one column."
            )
        _check_no_dates(X)
        check_magnitude(X, "X")
        kinds = {col: _is_categorical(X[col]) for col in X.columns}
        columns = [str(c) for c in X.columns]
        if not any(kinds.values()):
            matrix = X.to_numpy(dtype=np.float64, na_value=np.nan)
            return DataViews(X, matrix, False, columns)
        blocks = []
        for col in X.columns:
            s = X[col]
            if kinds[col]:
                codes, levels = pd.factorize(s.astype(object), sort=True, use_na_sentinel=True)
                block = np.zeros((s.shape[0], len(levels)))
                seen = codes >= 0
                block[np.flatnonzero(seen), codes[seen]] = 1.0
            else:
                v = s.to_numpy(dtype=np.float64, na_value=np.nan)
                with np.errstate(all="ignore"):
                    mu, sd = np.nanmean(v), np.nanstd(v)
                sd = sd if np.isfinite(sd) and sd > 0 else 1.0
                block = ((v - (mu if np.isfinite(mu) else 0.0)) / sd)[:, None]
            blocks.append(block)
        return DataViews(X, np.hstack(blocks), True, columns)

    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise TypeError("X must be dense (a numpy array or a DataFrame); got a sparse matrix.")
    try:
        matrix = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            "X must be a numeric array or a pandas DataFrame (categorical columns are "
            f"encoded for you); got {type(X).__name__} that cannot be read as numbers."
        ) from exc
    if matrix.ndim != 2:
        raise ValueError(
            f"X must be 2-dimensional (clients x columns); got an array with shape "
            f"{matrix.shape}. Use X.reshape(-1, 1) for a single column."
        )
    if matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise ValueError(
            f"X is empty (shape {matrix.shape}); pass at least one client and one column."
        )
    return DataViews(matrix, matrix, False, [str(j) for j in range(matrix.shape[1])])
