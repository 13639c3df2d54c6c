"""ClusterModel: a cluster model read from a model file, assigning new clients with numpy."""

from __future__ import annotations

import copy
import html
import numbers
import os
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.linalg import solve_triangular
from scipy.special import gammaln, logsumexp

from .._utils import check_dataframe, check_int
from ..exceptions import ModelSpecError
from ._format import DEFAULT_MAX_BYTES, to_json_text, write_json
from ._preprocess import apply_preprocessing, codes_of, to_float
from ._validate import parse_json, validate_spec

__all__ = ["ClusterModel", "load_model"]

_CHUNK = 100_000
_LOG_2PI = np.log(2 * np.pi)


class ClusterModel:
    """A cluster model from a model file: assigns new clients without the training data.

    Create one with :func:`load_model` (from a file), :meth:`from_dict` or :meth:`from_json`;
    :func:`save_model` writes one from a fitted estimator. The file is validated completely
    before the model exists, and assignment uses only numpy/scipy on the stored parameters:
    no code from the file runs and no scikit-learn object is rebuilt.

    Attributes
    ----------
    family : {"kmeans", "gaussian_mixture", "latent_class"}
    n_clusters : int
    names, descriptions : list of str
    features : list of str
        Columns read from new data, in order.
    covariates : list of str
        Latent class regression only (format 1.1): the covariate columns also read from new
        data, whose multinomial logit gives each client's own prior class probabilities;
        empty otherwise.
    schema : ClientSchema or None
    provenance : dict
        Citation, DOI, data period, notes (strings).
    sizes : pandas.Series
        Training cluster sizes (aggregates only), indexed by cluster label.
    n_training : int

    Notes
    -----
    **Latent class**: the posterior of class ``k`` is proportional to
    ``w_k * prod_j f_jk(x_j)`` over the *observed* columns ``j`` only (missing values are
    left out of the likelihood). A lognormal column's density is the normal density of
    ``log1p(x)`` (stored mean and variance) times the Jacobian ``1 / (1 + x)``; a negative
    value in such a column raises ``ModelSpecError``. With covariates, ``w_k`` is the
    client's own ``softmax_k(b_k0 + z b_k)`` (class 0 the reference, ``b_0 = 0``), as
    :meth:`LatentClassModel.predict_proba` with ``covariates`` computes it; a client with
    a missing covariate gets the training class shares ``w_k`` instead (flagged
    ``out_of_range``).
    **Gaussian mixture**: posterior responsibilities from the stored weights, means and
    covariances (scikit-learn's ``predict_proba``).
    **k-means**: labels are the nearest centroid; soft memberships are
    ``softmax_k(-d_k^2 / (2 s^2))`` with ``d_k`` the Euclidean distance to centroid ``k``
    (in the preprocessed space) and ``s^2`` the pooled within-cluster variance per
    dimension of the training data, ``inertia / ((n - K) p)``, stored in the file
    (``$.model.parameters.variance``): the posterior of an equal-weight spherical Gaussian
    mixture whose components share the k-means spread.
    """

    def __init__(self, spec: dict, *, _validated: bool = False):
        if not _validated:
            spec = validate_spec(copy.deepcopy(spec))
        self._spec = spec
        model = spec["model"]
        self.family: str = model["family"]
        self.n_clusters: int = int(model["n_clusters"])
        self.features: list[str] = list(spec["features"])
        cov = model["parameters"].get("covariates") if self.family == "latent_class" else None
        self.covariates: list[str] = list(cov["names"]) if cov else []
        clusters = spec["clusters"]
        self.names: list[str] = list(clusters["names"])
        self.descriptions: list[str] = list(clusters["descriptions"])
        self.n_training: int = int(clusters["n_training"])
        self.sizes = pd.Series(clusters["sizes"], index=pd.RangeIndex(self.n_clusters,
                               name="cluster"), name="size", dtype="int64")
        self.provenance: dict = dict(spec.get("provenance") or {})
        self._prepare(model["parameters"])

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_dict(cls, spec: dict) -> ClusterModel:
        """Validate a parsed model file (a dict) and build the model."""
        return cls(spec)

    @classmethod
    def from_json(cls, text, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ClusterModel:
        """Parse and validate model-file text (``str`` or ``bytes``)."""
        if isinstance(text, str | bytes | bytearray) and len(text) > max_bytes:
            raise ModelSpecError(f"$: the model text is {len(text)} bytes, above the limit "
                                 f"max_bytes={max_bytes}.")
        return cls(validate_spec(parse_json(text)), _validated=True)

    def to_dict(self) -> dict:
        """The model file's content (a deep copy)."""
        return copy.deepcopy(self._spec)

    def to_json(self) -> str:
        """The model file's text."""
        return to_json_text(self._spec)

    def save(self, path) -> Path:
        """Write the model file again (unchanged) to ``path``."""
        return write_json(path, self._spec)

    # ------------------------------------------------------------------ attributes
    @property
    def schema(self):
        """The feature schema stored in the file (:class:`ClientSchema`), or None."""
        from ..schema import ClientSchema

        spec = self._spec.get("schema")
        return None if spec is None else ClientSchema.from_dict(spec)

    @property
    def format_version(self) -> str:
        return self._spec["format_version"]

    @property
    def created(self) -> str:
        return self._spec["created"]

    @property
    def package_version(self) -> str:
        return self._spec["package_version"]

    @property
    def weights(self) -> np.ndarray | None:
        """Mixing weights (Gaussian mixture, latent class); None for k-means."""
        params = self._spec["model"]["parameters"]
        return None if self.family == "kmeans" else np.asarray(params["weights"], dtype=float)

    @property
    def summary(self) -> pd.DataFrame:
        """One row per cluster: name, description, training size and share, weight."""
        weights = self.weights
        out = pd.DataFrame({
            "name": self.names,
            "description": self.descriptions,
            "size": self.sizes.to_numpy(),
            "share": self.sizes.to_numpy() / self.n_training,
            "weight": np.full(self.n_clusters, np.nan) if weights is None else weights,
        }, index=pd.RangeIndex(self.n_clusters, name="cluster"))
        return out

    def to_frame(self) -> pd.DataFrame:
        """Same as :attr:`summary`."""
        return self.summary

    def __repr__(self) -> str:
        cite = self.provenance.get("citation")
        extra = f", citation={cite[:40]!r}" if cite else ""
        return (f"ClusterModel(family={self.family!r}, n_clusters={self.n_clusters}, "
                f"n_features={len(self.features)}{extra})")

    def _repr_html_(self) -> str:
        prov = "".join(f"<li><b>{html.escape(str(k))}</b>: {html.escape(str(v))}</li>"
                       for k, v in self.provenance.items() if v)
        head = (f"<p><b>ClusterModel</b> ({html.escape(self.family)}, "
                f"{self.n_clusters} clusters, {len(self.features)} input columns, "
                f"trained on {self.n_training} clients; format {self.format_version}, "
                f"created {html.escape(self.created)})</p>")
        return head + (f"<ul>{prov}</ul>" if prov else "") + self.summary.to_html(
            float_format=lambda v: f"{v:.3f}")

    # ------------------------------------------------------------------ numerics setup
    def _prepare(self, params: dict) -> None:
        if self.family == "kmeans":
            self._centroids = np.asarray(params["centroids"], dtype=float)
            self._c_sq = np.einsum("ij,ij->i", self._centroids, self._centroids)
            self._variance = float(params["variance"])
        elif self.family == "gaussian_mixture":
            self._prepare_gmm(params)
        else:
            self._prepare_lca(params)

    def _prepare_gmm(self, params: dict) -> None:
        ctype = params["covariance_type"]
        self._ctype = ctype
        self._log_weights = np.log(np.asarray(params["weights"], dtype=float))
        self._means = np.asarray(params["means"], dtype=float)
        cov = np.asarray(params["covariances"], dtype=float)
        p = self._means.shape[1]
        if ctype == "full":
            chol = np.empty_like(cov)
            for k in range(cov.shape[0]):
                c = np.linalg.cholesky(cov[k])
                chol[k] = solve_triangular(c, np.eye(p), lower=True).T
            self._prec_chol = chol
            self._log_det = np.array([np.log(np.diag(c)).sum() for c in chol])
        elif ctype == "tied":
            c = np.linalg.cholesky(cov)
            self._prec_chol = solve_triangular(c, np.eye(p), lower=True).T
            self._log_det = np.log(np.diag(self._prec_chol)).sum()
        elif ctype == "diag":
            self._prec_chol = 1.0 / np.sqrt(cov)
            self._log_det = np.log(self._prec_chol).sum(axis=1)
        else:
            self._prec_chol = 1.0 / np.sqrt(cov)
            self._log_det = p * np.log(self._prec_chol)

    def _prepare_lca(self, params: dict) -> None:
        self._log_weights = np.log(np.asarray(params["weights"], dtype=float))
        cov = params.get("covariates")
        self._beta = None if not cov else np.asarray(cov["coefficients"], dtype=float)
        cols = []
        with np.errstate(divide="ignore"):
            for col in params["columns"]:
                kind = col["measurement"]
                if kind == "categorical":
                    cols.append((kind, col["name"], list(col["levels"]),
                                 np.log(np.asarray(col["probabilities"], dtype=float))))
                elif kind in ("gaussian", "lognormal"):  # lognormal: of log1p(x)
                    cols.append((kind, col["name"], np.asarray(col["means"], dtype=float),
                                 np.asarray(col["variances"], dtype=float)))
                elif kind == "twopart":  # log P(0), log P(>0); log1p(x) above zero
                    cols.append((kind, col["name"],
                                 np.log(np.asarray(col["probabilities"], dtype=float)),
                                 (np.asarray(col["means"], dtype=float),
                                  np.asarray(col["variances"], dtype=float))))
                else:
                    rates = np.asarray(col["rates"], dtype=float)
                    cols.append((kind, col["name"], rates, np.log(rates)))
        self._lca_columns = cols

    # ------------------------------------------------------------------ assignment
    def _frame(self, data, unknown: str) -> pd.DataFrame:
        check_dataframe(data, "data")
        if unknown not in ("raise", "missing"):
            raise ValueError(f"The 'unknown' parameter must be 'raise' or 'missing'; got "
                             f"{unknown!r}.")
        dup = [c for c in self.features if c in data.columns and
               isinstance(data[c], pd.DataFrame)]
        if dup:
            raise ModelSpecError(f"Column(s) {dup} appear more than once in the data; "
                                 f"rename them.")
        read = self.features + self.covariates
        missing = [c for c in read if c not in data.columns]
        if missing and unknown == "raise":
            raise ModelSpecError(
                f"The data lack column(s) {missing} that the model reads (it reads "
                f"{self.features}" + (f" and the covariates {self.covariates}"
                                      if self.covariates else "")
                + "). Add them (NaN where unknown), or pass unknown='missing' to treat them "
                  "as entirely missing."
            )
        cols = {c: (data[c] if c in data.columns
                    else pd.Series(np.nan, index=data.index, dtype=float))
                for c in read}
        return pd.DataFrame(cols, index=data.index, copy=False)

    def _log_resp(self, frame: pd.DataFrame, unknown: str) -> np.ndarray:
        weighted = self._weighted(frame, unknown)
        with np.errstate(invalid="ignore"):
            top = weighted.max(axis=1)
            # shift by the row maximum first: stays exact when every value is huge
            shifted = weighted - top[:, None]
            norm = np.log(np.exp(shifted).sum(axis=1))
        bad = ~(np.isfinite(top) & np.isfinite(norm))
        if bad.any():
            raise ModelSpecError(
                f"{int(bad.sum())} client(s) (e.g. row {int(np.flatnonzero(bad)[0])}) have "
                f"values with zero probability in every cluster; check them against the "
                f"model's levels and ranges."
            )
        return shifted - norm[:, None]

    def _sq_distances(self, X: np.ndarray) -> np.ndarray:
        d2 = np.einsum("ij,ij->i", X, X)[:, None] - 2.0 * (X @ self._centroids.T) + self._c_sq
        return np.maximum(d2, 0.0)

    def _gmm_log_prob(self, X: np.ndarray) -> np.ndarray:
        n, p = X.shape
        k = self.n_clusters
        means, pc = self._means, self._prec_chol
        if self._ctype == "full":
            log_prob = np.empty((n, k))
            for j in range(k):
                y = X @ pc[j] - means[j] @ pc[j]
                log_prob[:, j] = np.sum(np.square(y), axis=1)
        elif self._ctype == "tied":
            log_prob = np.empty((n, k))
            for j in range(k):
                y = X @ pc - means[j] @ pc
                log_prob[:, j] = np.sum(np.square(y), axis=1)
        elif self._ctype == "diag":
            prec = pc ** 2
            log_prob = (np.sum(means ** 2 * prec, 1) - 2.0 * (X @ (means * prec).T)
                        + (X ** 2) @ prec.T)
        else:
            prec = pc ** 2
            log_prob = (np.sum(means ** 2, 1) * prec - 2.0 * (X @ (means.T * prec))
                        + np.outer(np.einsum("ij,ij->i", X, X), prec))
        return -0.5 * (p * _LOG_2PI + log_prob) + self._log_det

    def _covariate_matrix(self, frame: pd.DataFrame) -> np.ndarray:
        """The covariates as floats (NaN where missing); a non-number raises."""
        Z = np.empty((len(frame), len(self.covariates)))
        for j, name in enumerate(self.covariates):
            s = frame[name]
            if pd.api.types.is_bool_dtype(s):
                s = s.astype(float)
            x = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            bad = np.isnan(x) & s.notna().to_numpy()
            if bad.any():
                raise ModelSpecError(
                    f"Covariate '{name}' has non-numeric value(s), e.g. "
                    f"{s[bad].iloc[0]!r}; the model's covariates are numbers (dummy-code a "
                    f"category as 0/1, as in the fit).")
            Z[:, j] = np.where(np.isfinite(x), x, np.nan)
        return Z

    def _log_prior(self, frame: pd.DataFrame) -> np.ndarray:
        """Each row's log prior class probabilities: the covariates' multinomial logit, or
        the training class shares for a model without covariates or a row missing one."""
        out = np.tile(self._log_weights, (len(frame), 1))
        if self._beta is None:
            return out
        Z = self._covariate_matrix(frame)
        ok = ~np.isnan(Z).any(axis=1)
        eta = np.column_stack([np.ones(int(ok.sum())), Z[ok]]) @ self._beta.T
        out[ok] = eta - logsumexp(eta, axis=1)[:, None]
        return out

    def _lca_log_lik(self, frame: pd.DataFrame, unknown: str) -> np.ndarray:
        out = self._log_prior(frame)
        for kind, name, a, b in self._lca_columns:
            s = frame[name]
            if kind == "categorical":
                codes = codes_of(s, a, name, unknown)
                # an extra all-zero row takes the missing values (left out of the likelihood)
                table = np.vstack([b.T, np.zeros((1, b.shape[0]))])
                out += table[np.where(codes >= 0, codes, len(a))]
                continue
            x = to_float(s, name, unknown)
            miss = np.isnan(x)
            xo = np.where(miss, 0.0, x)[:, None]
            if kind == "twopart":
                out += _twopart_term(xo, miss, a, b, name)
                continue
            if kind == "lognormal":
                if (xo < 0).any():
                    raise ModelSpecError(
                        f"Column '{name}' is lognormal (values >= 0) in the model but has "
                        f"negative values (minimum {np.nanmin(x)}); correct them or set them "
                        f"to NaN (missing).")
                yo = np.log1p(xo)
                # density of x: normal density of log1p(x) times the Jacobian 1 / (1 + x)
                term = -0.5 * (_LOG_2PI + np.log(b) + (yo - a) ** 2 / b) - yo
            elif kind == "gaussian":
                term = -0.5 * (_LOG_2PI + np.log(b) + (xo - a) ** 2 / b)
            else:
                if (xo < 0).any():
                    raise ModelSpecError(f"Column '{name}' is a count (Poisson) in the model "
                                         f"but has negative values.")
                term = xo * b - a - gammaln(xo + 1.0)
            term[miss] = 0.0
            out += term
        return out

    def _weighted(self, frame: pd.DataFrame, unknown: str) -> np.ndarray:
        if self.family == "latent_class":
            return self._lca_log_lik(frame, unknown)
        X = apply_preprocessing(self._spec.get("preprocessing"), frame, self.features, unknown)
        if self.family == "kmeans":
            return -self._sq_distances(X) / (2.0 * self._variance)
        return self._gmm_log_prob(X) + self._log_weights

    def score_samples(self, data, *, unknown: str = "raise") -> np.ndarray:
        """Log-likelihood of each row under the model (latent class: observed columns only,
        with all normalising constants; Gaussian mixture: in the preprocessed space).

        Not defined for k-means (raises ``TypeError``).
        """
        if self.family == "kmeans":
            raise TypeError("A k-means model has no likelihood; score_samples applies to "
                            "Gaussian mixture and latent class models.")
        frame = self._frame(data, unknown)
        out = np.empty(len(frame))
        for start in range(0, len(frame), _CHUNK):
            stop = min(len(frame), start + _CHUNK)
            out[start:stop] = logsumexp(self._weighted(frame.iloc[start:stop], unknown), axis=1)
        return out

    def predict_proba(self, data, *, unknown: str = "raise") -> np.ndarray:
        """Cluster membership probabilities, shape (n_rows, n_clusters).

        Posterior probabilities for the latent class and Gaussian mixture models; soft
        memberships from distances for k-means (see the class Notes).
        """
        frame = self._frame(data, unknown)
        n = len(frame)
        out = np.empty((n, self.n_clusters))
        for start in range(0, n, _CHUNK):
            stop = min(n, start + _CHUNK)
            out[start:stop] = np.exp(self._log_resp(frame.iloc[start:stop], unknown))
        return out

    def predict(self, data, *, unknown: str = "raise") -> np.ndarray:
        """Cluster label of each row (0 .. n_clusters - 1): the most probable cluster (the
        nearest centroid for k-means)."""
        return self.predict_proba(data, unknown=unknown).argmax(axis=1)

    def assign(self, data, *, threshold: float = 0.5, unknown: str = "raise") -> pd.DataFrame:
        """Assign new clients to the model's clusters.

        Parameters
        ----------
        data : DataFrame or Dask DataFrame
            One row per client with (at least) the columns in :attr:`features`; other
            columns are ignored. Not modified. A :class:`dask.dataframe.DataFrame` (e.g.
            from ``dd.read_parquet``) is assigned partition by partition and the result is
            a lazy Dask DataFrame (write it with ``.to_parquet``).
        threshold : float in (0, 1]
            Rows whose top probability is below it are flagged ``uncertain``.
        unknown : {"raise", "missing"}
            What to do with a missing column or a value the model has not seen (an unseen
            category, text in a numeric column): raise :class:`ModelSpecError` naming it, or
            treat it as missing (left out of a latent class likelihood; imputed with the
            stored value for k-means and Gaussian mixtures).

        Returns
        -------
        DataFrame
            Indexed like ``data``: ``label`` (int), ``name`` (cluster name),
            ``probability`` (top probability), ``uncertain`` (bool), ``out_of_range``
            (bool: a value outside a feature's or covariate's training range, below a
            feature's stored ``min`` or above its ``max``, a category not among its stored
            levels, or every feature missing; such a label is an extrapolation) and one column
            ``p_<k>`` per cluster.

        Raises
        ------
        ModelSpecError
            Missing columns, unseen categories (``unknown='raise'``), missing values in a
            column without a stored imputation value (k-means, Gaussian mixture).
        """
        if type(data).__module__.split(".")[0] in ("dask", "dask_expr"):
            from ._dask import assign_dask  # Dask DataFrame in, Dask DataFrame out

            return assign_dask(self, data, threshold=threshold, unknown=unknown)
        if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
            raise TypeError(f"The 'threshold' parameter must be a number in (0, 1]; got "
                            f"{threshold!r}.")
        if not 0 < threshold <= 1:
            raise ValueError(f"The 'threshold' parameter must be a number in (0, 1]; got "
                             f"{threshold!r}.")
        proba = self.predict_proba(data, unknown=unknown)
        labels = proba.argmax(axis=1)
        top = proba[np.arange(len(labels)), labels]
        names = np.asarray(self.names, dtype=object)[labels]
        out = pd.DataFrame({"label": labels.astype(np.int64), "name": names,
                            "probability": top, "uncertain": top < threshold},
                           index=data.index)
        out["out_of_range"] = self._out_of_range(data)
        probs = pd.DataFrame(proba, index=data.index,
                             columns=[f"p_{k}" for k in range(self.n_clusters)])
        return pd.concat([out, probs], axis=1)

    def _out_of_range(self, data) -> np.ndarray:
        """Rows with a value outside the ranges stored in the file: outside a feature's or
        covariate's training range (format 1.2, see ``_ranges``), below a feature's
        declared ``min`` or above its ``max``, or a category not among its levels. The
        label of such a row is an extrapolation (NaN is missing, not out of range)."""
        from ._ranges import outside_ranges

        flag = outside_ranges(data, self._spec.get("ranges") or {})
        present = [c for c in self.features if c in data.columns]
        if present:  # nothing known of the client: the label is the class shares alone
            flag |= data[present].isna().all(axis=1).to_numpy(dtype=bool)
        spec = (self._spec.get("schema") or {}).get("features") or {}
        for col in self.covariates:  # such a row got the training shares as its prior
            if col in data.columns:
                x = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float,
                                                                       na_value=np.nan)
                flag |= ~np.isfinite(x)
            else:
                flag[:] = True
        for col in self.features:
            f = spec.get(col)
            if not isinstance(f, dict) or col not in data.columns:
                continue
            s = data[col]
            if f.get("min") is not None or f.get("max") is not None:
                x = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                with np.errstate(invalid="ignore"):
                    if f.get("min") is not None:
                        flag |= x < float(f["min"])
                    if f.get("max") is not None:
                        flag |= x > float(f["max"])
                flag |= np.isinf(x)
            elif f.get("levels"):
                flag |= (s.notna() & ~s.isin(list(f["levels"]))).to_numpy(dtype=bool)
        return flag


def load_model(path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ClusterModel:
    """Read a model file written by :func:`save_model` (or by hand, following
    ``docs/model_files.md``).

    Parameters
    ----------
    path : str or Path
    max_bytes : int
        Refuse files larger than this (default 100 MB) before reading them.

    Returns
    -------
    ClusterModel

    Raises
    ------
    FileNotFoundError
        No such file.
    ModelSpecError
        The file is not strict JSON, is larger than ``max_bytes``, or any part of it is
        malformed or inconsistent; the message starts with the JSON path of the fault.

    Notes
    -----
    Loading never executes code from the file and never imports anything it names: the
    text is parsed with :func:`json.loads` (``NaN``/``Infinity`` and repeated keys rejected)
    and every value is checked against the format before use.
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"The 'path' parameter must be a file path (str or Path); got "
                        f"{type(path).__name__}.")
    max_bytes = check_int(max_bytes, "max_bytes", low=1)
    path = Path(os.fspath(path))
    if not path.is_file():
        raise FileNotFoundError(f"Model file not found: {path}")
    size = path.stat().st_size
    if size > max_bytes:
        raise ModelSpecError(f"$: the file is {size} bytes, above the limit max_bytes="
                             f"{max_bytes}; raise max_bytes if you trust it.")
    with path.open("rb") as fh:
        raw = fh.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ModelSpecError(f"$: the file is larger than max_bytes={max_bytes}.")
    return ClusterModel.from_json(raw, max_bytes=max_bytes)


def _twopart_term(xo, miss, log_p, part, name):
    """Log-likelihood (n, K) of a two-part item: ``log P(0)`` for a zero; above zero,
    ``log P(>0)`` plus the density of ``x`` with ``log1p(x)`` normal (as a lognormal item)."""
    if (xo < 0).any():
        raise ModelSpecError(f"Column '{name}' is a two-part measure (values >= 0) in the model "
                             f"but has negative values; correct them or set them to NaN.")
    mean, var = part
    yo = np.log1p(xo)
    above = -0.5 * (_LOG_2PI + np.log(var) + (yo - mean) ** 2 / var) - yo + log_p[:, 1]
    term = np.where(xo > 0, above, log_p[:, 0])
    term[miss] = 0.0
    return term
