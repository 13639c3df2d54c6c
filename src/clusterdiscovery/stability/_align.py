"""Label alignment between two partitions with the Hungarian method (Kuhn 1955)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

__all__ = ["align_labels", "match_clusters"]

NOISE = -1


def _as_label_array(labels, name: str) -> np.ndarray:
    """Return ``labels`` as a 1-d integer array, raising clear errors otherwise."""
    if isinstance(labels, (pd.Series, pd.Index)):
        values = labels.to_numpy()
    elif isinstance(labels, pd.DataFrame):
        raise TypeError(
            f"The '{name}' parameter must be a 1-d array of cluster labels; got a DataFrame. "
            f"Pass one column, e.g. df['cluster']."
        )
    elif labels is None or isinstance(labels, (str, bytes, dict, set)) or np.ndim(labels) == 0:
        raise TypeError(
            f"The '{name}' parameter must be a 1-d array of cluster labels (one per row); "
            f"got {type(labels).__name__}."
        )
    else:
        values = np.asarray(labels)
    if values.ndim != 1:
        raise ValueError(
            f"The '{name}' parameter must be 1-d (one label per row); got shape {values.shape}."
        )
    if values.dtype.kind in "iu":
        return values.astype(np.int64, copy=False)
    if values.dtype.kind == "b":
        return values.astype(np.int64)
    if values.dtype.kind == "f" or values.dtype == object:
        try:
            as_float = values.astype(float)
        except (TypeError, ValueError):
            as_float = None
        if as_float is not None:
            if not np.all(np.isfinite(as_float)):
                raise ValueError(
                    f"The '{name}' labels contain NaN or inf; give every row a cluster label "
                    f"(use -1 for noise/unassigned rows)."
                )
            if np.all(as_float == np.round(as_float)):
                return as_float.astype(np.int64)
    raise TypeError(
        f"The '{name}' labels must be integers (cluster ids, -1 for noise); got dtype "
        f"{values.dtype}. Encode them first, e.g. pandas.factorize(labels)[0]."
    )


def _contingency_codes(a: np.ndarray, b: np.ndarray):
    """Unique values of ``a`` and ``b`` and their contingency counts (vectorised)."""
    ua, ia = np.unique(a, return_inverse=True)
    ub, ib = np.unique(b, return_inverse=True)
    counts = np.bincount(ia * ub.size + ib, minlength=ua.size * ub.size)
    return ua, ub, counts.reshape(ua.size, ub.size)


def match_clusters(reference, labels):
    """Match the clusters of ``labels`` to those of ``reference`` (Hungarian method).

    The assignment maximises the number of rows on which the two partitions agree
    (the sum of the matched cells of the contingency table), solved exactly with
    :func:`scipy.optimize.linear_sum_assignment` rather than by trying every
    permutation, so it stays fast for many clusters.

    Parameters
    ----------
    reference : array-like of shape (n_samples,)
        Reference cluster labels (integers; ``-1`` marks noise).
    labels : array-like of shape (n_samples,)
        Labels to be matched to ``reference`` (integers; ``-1`` marks noise).

    Returns
    -------
    mapping : dict
        Maps every label of ``labels`` to its new id: the matched reference label;
        ``-1`` (noise) stays ``-1``; clusters left unmatched (more clusters than in
        the reference, or matched only to a cluster they share no row with) get new
        ids ``max(reference) + 1, max(reference) + 2, ...`` in order of their label.
    contingency : pandas.DataFrame
        Counts of rows, index = reference labels, columns = labels (noise included
        as ``-1`` when present).

    See Also
    --------
    align_labels : relabel ``labels`` with this mapping.

    References
    ----------
    .. [1] Kuhn, H. W. (1955). The Hungarian method for the assignment problem.
       Naval Research Logistics Quarterly, 2(1-2), 83-97.

    Examples
    --------
    >>> mapping, table = match_clusters([0, 0, 1, 1, 2], [5, 5, 3, 3, 3])
    >>> mapping
    {3: 1, 5: 0}
    """
    ref = _as_label_array(reference, "reference")
    lab = _as_label_array(labels, "labels")
    if ref.shape[0] != lab.shape[0]:
        raise ValueError(
            f"'reference' and 'labels' must have the same length; got {ref.shape[0]} and "
            f"{lab.shape[0]}. Pass labels of the same rows in the same order."
        )
    ur, ul, counts = _contingency_codes(ref, lab)
    contingency = pd.DataFrame(
        counts,
        index=pd.Index(ur, name="reference"),
        columns=pd.Index(ul, name="labels"),
    )
    rows = np.flatnonzero(ur != NOISE)
    cols = np.flatnonzero(ul != NOISE)
    mapping: dict[int, int] = {}
    if rows.size and cols.size:
        sub = counts[np.ix_(rows, cols)]
        r_idx, c_idx = linear_sum_assignment(sub, maximize=True)
        for r, c in zip(r_idx, c_idx, strict=True):
            if sub[r, c] > 0:
                mapping[int(ul[cols[c]])] = int(ur[rows[r]])
    next_id = int(ur[rows].max()) + 1 if rows.size else 0
    for c in cols:
        label = int(ul[c])
        if label not in mapping:
            mapping[label] = next_id
            next_id += 1
    if (ul == NOISE).any():
        mapping[NOISE] = NOISE
    return dict(sorted(mapping.items())), contingency


def align_labels(reference, labels) -> np.ndarray:
    """Relabel ``labels`` so that its clusters carry the ids of the matching reference ones.

    Parameters
    ----------
    reference : array-like of shape (n_samples,)
        Reference cluster labels (integers; ``-1`` marks noise).
    labels : array-like of shape (n_samples,)
        Labels to align (integers; ``-1`` marks noise). Not modified.

    Returns
    -------
    aligned : ndarray of shape (n_samples,)
        A relabelled copy of ``labels``: matched clusters take the reference id, noise
        stays ``-1``, unmatched clusters get new ids after the largest reference id
        (see :func:`match_clusters`).

    References
    ----------
    .. [1] Kuhn, H. W. (1955). The Hungarian method for the assignment problem.
       Naval Research Logistics Quarterly, 2(1-2), 83-97.

    Examples
    --------
    >>> align_labels([0, 0, 1, 1, 2, 2], [2, 2, 0, 0, 1, 1]).tolist()
    [0, 0, 1, 1, 2, 2]
    """
    mapping, _ = match_clusters(reference, labels)
    lab = _as_label_array(labels, "labels")
    keys = np.fromiter(mapping.keys(), dtype=np.int64, count=len(mapping))
    values = np.fromiter(mapping.values(), dtype=np.int64, count=len(mapping))
    order = np.argsort(keys)
    pos = np.searchsorted(keys[order], lab)
    return values[order][pos]
