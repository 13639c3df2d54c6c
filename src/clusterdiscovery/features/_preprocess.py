"""Mixed-type preprocessing driven by a :class:`~clusterdiscovery.ClientSchema`.

:func:`make_preprocessor` returns an unfitted scikit-learn ``ColumnTransformer`` with pandas
output, so the client index survives ``fit_transform`` and ``transform`` and the output
columns have readable names (``age``, ``sex_female``, ``honos_1``, ``age_missing``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils.validation import check_is_fitted

from .._checks import check_magnitude, describe_not_numbers, not_numbers
from .._utils import plain as _plain
from ..schema import ClientSchema

__all__ = ["make_preprocessor"]


def make_preprocessor(
    schema: ClientSchema,
    *,
    columns=None,
    log1p=None,
    scale: bool = True,
    impute: bool = True,
    add_indicator: bool = False,
    ordinal_as: str = "codes",
    handle_unknown: str = "error",
) -> ColumnTransformer:
    """An unfitted ``ColumnTransformer`` that turns a client table into numeric features.

    Parameters
    ----------
    schema : ClientSchema
        Declares each feature's type (and levels for ordinal/categorical/binary features).
    columns : list of str, optional
        Use only these schema features (default: all of them, in schema order). Other
        columns of the table are always ignored (``remainder="drop"``).
    log1p : bool or list of str, optional
        Which numeric features get ``log1p`` before scaling: ``None`` (default) follows each
        :class:`~clusterdiscovery.schema.FeatureSpec`'s ``log1p`` flag; ``True`` means every
        count feature; ``False`` none; a list names count or continuous features.
    scale : bool
        Standardise continuous, count and ordinal (code) features to mean 0, sd 1.
    impute : bool
        Fill missing values: median for continuous and count features and for ordinal codes,
        most frequent level for binary and categorical features. With ``impute=False``
        missing numeric values stay NaN, and a missing categorical value is a row of zeros.
    add_indicator : bool
        Add a 0/1 column ``<feature>_missing`` for every feature that has missing values
        when the transformer is fitted.
    ordinal_as : {"codes", "onehot"}
        Ordinal features become their level's position ``0 .. L-1`` in the schema's levels
        (``"codes"``, default), or one column per level (``"onehot"``).
    handle_unknown : {"error", "ignore"}
        A categorical, binary or ordinal value not among the levels (declared, or seen in
        ``fit`` when none are declared): raise a ``ValueError`` naming the column (default),
        or treat it as missing.

    Returns
    -------
    sklearn.compose.ColumnTransformer
        Unfitted, with ``set_output(transform="pandas")`` and
        ``verbose_feature_names_out=False``. Output columns, per feature type:

        - continuous, count: the column name (imputed, optionally ``log1p``, scaled);
        - binary: the column name, 0 for the first level and 1 for the second;
        - categorical: ``<column>_<level>`` per level (one-hot);
        - ordinal: the column name (codes), or ``<column>_<level>`` with ``"onehot"``;
        - ``<column>_missing`` indicators when ``add_indicator=True``.

    Raises
    ------
    TypeError
        If ``schema`` is not a ``ClientSchema``.
    ValueError
        For unknown columns or option values (naming them).

    Examples
    --------
    >>> import pandas as pd
    >>> from clusterdiscovery import ClientSchema
    >>> schema = ClientSchema(features={"age": "continuous",
    ...                                 "sex": ("categorical", ["female", "male"]),
    ...                                 "honos_1": ("ordinal", [0, 1, 2, 3, 4])})
    >>> df = pd.DataFrame({"age": [30.0, 50.0], "sex": ["male", "female"],
    ...                    "honos_1": [0, 4]}, index=pd.Index(["a", "b"], name="client_id"))
    >>> make_preprocessor(schema, scale=False).fit_transform(df)  # doctest: +NORMALIZE_WHITESPACE
                age  sex_female  sex_male  honos_1
    client_id
    a          30.0         0.0       1.0      0.0
    b          50.0         1.0       0.0      4.0
    """
    _check_options(schema, ordinal_as, handle_unknown,
                   {"scale": scale, "impute": impute, "add_indicator": add_indicator})
    feats = _selected_features(schema, columns)
    numeric = [c for c, s in feats.items() if s.type in ("continuous", "count")]
    logged = _logged_features(feats, numeric, log1p)
    transformers = [
        *_numeric_blocks(feats, numeric, logged, impute=impute, scale=scale),
        *_level_blocks(feats, handle_unknown, impute=impute),
        *_ordinal_blocks(feats, ordinal_as, handle_unknown, impute=impute, scale=scale),
    ]
    if add_indicator:
        transformers.append(("missing", _MissingFlags(), list(feats)))

    ct = CheckedColumnTransformer(transformers, remainder="drop",
                                  verbose_feature_names_out=False)
    return ct.set_output(transform="pandas")


def _check_options(schema, ordinal_as, handle_unknown, flags: dict) -> None:
    """TypeError/ValueError naming the first bad parameter of :func:`make_preprocessor`."""
    if not isinstance(schema, ClientSchema):
        raise TypeError(
            f"The 'schema' parameter must be a ClientSchema; got {type(schema).__name__}."
        )
    if ordinal_as not in ("codes", "onehot"):
        raise ValueError(
            f"The 'ordinal_as' parameter must be 'codes' or 'onehot'. Got {ordinal_as!r}."
        )
    if handle_unknown not in ("error", "ignore"):
        raise ValueError(
            f"The 'handle_unknown' parameter must be 'error' or 'ignore'. Got {handle_unknown!r}."
        )
    for name, value in flags.items():
        if not isinstance(value, bool | np.bool_):
            raise TypeError(f"The '{name}' parameter must be True or False; got {value!r}.")


def _selected_features(schema: ClientSchema, columns) -> dict:
    """The schema's features in use (all, or those named by ``columns``, in that order)."""
    feats = dict(schema.features)
    if columns is not None:
        columns = _name_list(columns, "columns")
        unknown = [c for c in columns if c not in feats]
        if unknown:
            raise ValueError(
                f"Column(s) {unknown} in 'columns' are not features of the schema "
                f"(features: {list(feats)})."
            )
        if not columns:
            raise ValueError("The 'columns' parameter is empty; name at least one feature.")
        feats = {c: feats[c] for c in columns}
    if not feats:
        raise ValueError("The schema declares no features; there is nothing to preprocess.")
    return feats


def _logged_features(feats: dict, numeric: list, log1p) -> set:
    """The numeric features that get ``log1p`` (see the ``log1p`` parameter)."""
    if log1p is None:
        return {c for c in numeric if feats[c].log1p}
    if isinstance(log1p, bool | np.bool_):
        return {c for c in numeric if feats[c].type == "count"} if log1p else set()
    names = _name_list(log1p, "log1p")
    bad = [c for c in names if c not in numeric]
    if bad:
        raise ValueError(
            f"Column(s) {bad} in 'log1p' are not continuous or count features in use "
            f"(those are {numeric})."
        )
    return set(names)


def _numeric_blocks(feats: dict, numeric: list, logged: set, *, impute, scale) -> list:
    """One (name, Pipeline, columns) block per numeric type, with and without ``log1p``."""
    blocks = []
    for kind in ("continuous", "count"):
        for use_log in (False, True):
            cols = [c for c in numeric if feats[c].type == kind and (c in logged) == use_log]
            if not cols:
                continue
            steps = []
            if impute:
                steps.append(("impute", SimpleImputer(strategy="median")))
            if use_log:
                steps.append(("log1p", FunctionTransformer(_log1p, feature_names_out="one-to-one")))
            if scale:
                steps.append(("scale", StandardScaler()))
            if not steps:
                steps.append(("identity", FunctionTransformer(feature_names_out="one-to-one")))
            name = f"{kind}_log1p" if use_log else kind
            blocks.append((name, Pipeline(steps), cols))
    return blocks


def _level_blocks(feats: dict, handle_unknown: str, *, impute) -> list:
    """The binary (codes) and categorical (one-hot) blocks, when there are such features."""
    blocks = []
    binary = [c for c, s in feats.items() if s.type == "binary"]
    if binary:
        blocks.append(("binary", _LevelEncoder(
            categories=[_binary_levels(feats[c]) for c in binary], output="codes",
            handle_unknown=handle_unknown, impute="most_frequent" if impute else None,
            max_levels=2), binary))

    categorical = [c for c, s in feats.items() if s.type == "categorical"]
    if categorical:
        blocks.append(("categorical", _LevelEncoder(
            categories=[feats[c].levels for c in categorical], output="onehot",
            handle_unknown=handle_unknown, impute="most_frequent" if impute else None),
            categorical))
    return blocks


def _ordinal_blocks(feats: dict, ordinal_as: str, handle_unknown: str, *, impute,
                    scale) -> list:
    """The ordinal block (one-hot, or codes optionally scaled), when there are ordinals."""
    ordinal = [c for c, s in feats.items() if s.type == "ordinal"]
    if not ordinal:
        return []
    levels = [feats[c].levels for c in ordinal]
    if ordinal_as == "onehot":
        return [("ordinal", _LevelEncoder(
            categories=levels, output="onehot", handle_unknown=handle_unknown,
            impute="most_frequent" if impute else None), ordinal)]
    enc = _LevelEncoder(categories=levels, output="codes", handle_unknown=handle_unknown,
                        impute="median" if impute else None)
    if scale:
        return [("ordinal", Pipeline([("codes", enc), ("scale", StandardScaler())]), ordinal)]
    return [("ordinal", enc, ordinal)]


class CheckedColumnTransformer(ColumnTransformer):
    """A ColumnTransformer that first refuses numbers too large to compute with.

    A value such as 1e200 overflows the scaler's variance (1e400) and would come out as
    garbage without a word; :func:`clusterdiscovery._checks.check_magnitude` names its column
    and row instead. Everything else is scikit-learn's ColumnTransformer.
    """

    def _check(self, X):
        check_magnitude(X, "X")
        if not isinstance(X, pd.DataFrame):
            return
        for name, _, cols in self.transformers:  # numbers in the numeric blocks, by name
            if not name.startswith(("continuous", "count")):
                continue
            for c in cols:
                if c in X.columns and not_numbers(X[c]):
                    raise TypeError(
                        f"The {name.split('_')[0]} feature {describe_not_numbers(X[c], c)}; "
                        f"convert it with pandas.to_numeric or fix those rows.")

    def fit(self, X, y=None, **params):
        self._check(X)
        return super().fit(X, y, **params)

    def fit_transform(self, X, y=None, **params):
        self._check(X)
        return super().fit_transform(X, y, **params)

    def transform(self, X, **params):
        self._check(X)
        return super().transform(X, **params)


# ---------------------------------------------------------------------------- helpers
def _name_list(value, name: str) -> list:
    """A column name or an iterable of them as a list; anything else is a TypeError."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) or not isinstance(value, list | tuple | set | pd.Index |
                                                 np.ndarray):
        raise TypeError(
            f"The '{name}' parameter must be a column name or a list of column names; got "
            f"{value!r} ({type(value).__name__})."
        )
    return list(value)


def _binary_levels(spec):
    return spec.levels  # None -> learned in fit (0/1 for numeric or boolean data)


def _log1p(X):
    """``log1p`` that refuses negative values, naming the columns."""
    arr = np.asarray(X, dtype=float)
    neg = np.nan_to_num(arr, nan=0.0) < 0
    if neg.any():
        cols = list(getattr(X, "columns", range(arr.shape[1])))
        bad = [str(cols[j]) for j in np.flatnonzero(neg.any(axis=0))]
        raise ValueError(
            f"log1p needs values >= 0 but column(s) {bad} have negative values; fix the data "
            f"or leave these columns out of 'log1p'."
        )
    out = np.log1p(arr)
    if isinstance(X, pd.DataFrame):
        return pd.DataFrame(out, index=X.index, columns=X.columns)
    return out


def _as_frame(X) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    return pd.DataFrame(np.asarray(X, dtype=object))


def _lookup(levels: pd.Index, s: pd.Series) -> np.ndarray:
    """Position of each value of ``s`` in ``levels``; -1 missing, -2 not a level."""
    if pd.api.types.is_bool_dtype(s):
        s = s.astype("int64")
    codes = np.asarray(levels.get_indexer(s), dtype=np.int64)
    miss = s.isna().to_numpy()
    codes[miss] = -1
    codes[(codes == -1) & ~miss] = -2
    return codes


class _LevelEncoder(TransformerMixin, BaseEstimator):
    """Map each column's values to their position in its levels (codes or one-hot).

    Parameters
    ----------
    categories : list of (sequence or None), or None
        Levels per column, in order; ``None`` (for all or one column) learns them in fit
        (sorted; ``(0, 1)`` for a numeric or boolean column whose values are 0/1).
    output : {"codes", "onehot"}
    handle_unknown : {"error", "ignore"}
        A value not among the levels raises a ``ValueError`` naming the column, or is
        treated as missing.
    impute : {None, "most_frequent", "median"}
        Replace missing codes with the most frequent (or the median) code seen in fit.
    max_levels : int, optional
        Refuse more levels than this (2 for binary features).
    """

    def __init__(self, categories=None, output="codes", handle_unknown="error", impute=None,
                 max_levels=None):
        self.categories = categories
        self.output = output
        self.handle_unknown = handle_unknown
        self.impute = impute
        self.max_levels = max_levels

    def fit(self, X, y=None):  # noqa: ARG002 (scikit-learn's API)
        X = _as_frame(X)
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.n_features_in_ = X.shape[1]
        cats = self.categories
        if cats is None:
            cats = [None] * X.shape[1]
        if len(cats) != X.shape[1]:
            raise ValueError(
                f"categories has {len(cats)} entries for {X.shape[1]} columns."
            )
        self.categories_ = []
        self.fill_ = []
        for j, col in enumerate(X.columns):
            s = X.iloc[:, j]
            levels = cats[j]
            if levels is None:
                present = s.dropna()
                if pd.api.types.is_bool_dtype(present):
                    present = present.astype("int64")
                uniq = pd.unique(present)
                if pd.api.types.is_numeric_dtype(present) and set(uniq.tolist()) <= {0, 1}:
                    levels = [0, 1]
                else:
                    levels = sorted((_plain(v) for v in uniq), key=lambda v: (str(type(v)), v))
            if self.max_levels is not None and len(levels) > self.max_levels:
                raise ValueError(
                    f"Column '{col}' has {len(levels)} distinct values "
                    f"{[_plain(v) for v in levels][:5]} but at most {self.max_levels} are "
                    f"allowed (a binary feature has two); declare it 'categorical' or recode it."
                )
            levels = pd.Index(list(levels))
            self.categories_.append(levels)
            codes = self._codes(s, levels, col, during="fit")
            seen = codes[codes >= 0]
            if self.impute is None:
                self.fill_.append(None)
            elif seen.size == 0:
                raise ValueError(
                    f"Column '{col}' has no values in the data passed to fit, so its missing "
                    f"values cannot be imputed; drop it from the features."
                )
            elif self.impute == "median":
                self.fill_.append(float(np.median(seen)))
            else:
                self.fill_.append(int(np.argmax(np.bincount(seen, minlength=len(levels)))))
        return self

    def _codes(self, s, levels, col, during):
        codes = _lookup(levels, s)
        unknown = codes == -2
        if unknown.any():
            if self.handle_unknown == "error":
                vals = pd.unique(s[unknown]).tolist()[:5]
                raise ValueError(
                    f"Column '{col}' has value(s) {vals} that are not among its levels "
                    f"{[_plain(v) for v in levels]} (found during {during}). Recode them, add "
                    f"them to the schema's levels, or use handle_unknown='ignore' to treat "
                    f"them as missing."
                )
            codes[unknown] = -1
        return codes

    def transform(self, X):
        check_is_fitted(self, "categories_")
        X = _as_frame(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"Expected {self.n_features_in_} columns {list(self.feature_names_in_)}; got "
                f"{X.shape[1]}."
            )
        blocks = []
        for j, col in enumerate(self.feature_names_in_):
            levels = self.categories_[j]
            codes = self._codes(X.iloc[:, j], levels, col, during="transform").astype(float)
            codes[codes < 0] = np.nan
            if self.fill_[j] is not None:
                codes[np.isnan(codes)] = self.fill_[j]
            if self.output == "onehot":
                onehot = (codes[:, None] == np.arange(len(levels))[None, :]).astype(float)
                blocks.append(onehot)
            else:
                blocks.append(codes[:, None])
        return np.hstack(blocks) if blocks else np.empty((X.shape[0], 0))

    def get_feature_names_out(self, input_features=None):  # noqa: ARG002 (scikit-learn's API)
        check_is_fitted(self, "categories_")
        if self.output == "codes":
            return self.feature_names_in_.copy()
        names = [f"{col}_{_plain(v)}" for col, levels in
                 zip(self.feature_names_in_, self.categories_) for v in levels]
        return np.asarray(names, dtype=object)


class _MissingFlags(TransformerMixin, BaseEstimator):
    """0/1 indicator ``<column>_missing`` for each column with missing values in fit."""

    def fit(self, X, y=None):  # noqa: ARG002 (scikit-learn's API)
        X = _as_frame(X)
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.n_features_in_ = X.shape[1]
        self.features_ = np.flatnonzero(X.isna().any(axis=0).to_numpy())
        return self

    def transform(self, X):
        check_is_fitted(self, "features_")
        X = _as_frame(X)
        return X.iloc[:, self.features_].isna().to_numpy(dtype=float)

    def get_feature_names_out(self, input_features=None):  # noqa: ARG002 (scikit-learn's API)
        check_is_fitted(self, "features_")
        return np.asarray([f"{self.feature_names_in_[j]}_missing" for j in self.features_],
                          dtype=object)
