"""Assigning the clients of a Dask DataFrame, partition by partition (lazy, Dask out)."""

from __future__ import annotations

__all__ = ["assign_dask"]


def assign_dask(model, data, *, threshold=0.5, unknown="raise"):
    """:meth:`ClusterModel.assign` on each partition of ``data``; returns a Dask DataFrame.

    The output has the columns and dtypes of the in-memory ``assign`` (taken from
    assigning the first row, which reads the first non-empty partition once), the index of
    ``data`` and its partitions, so
    ``model.assign(dd.read_parquet(src)).to_parquet(dst)`` streams Parquet to Parquet with
    one partition in memory per worker thread.
    """
    import dask.dataframe as dd

    if not isinstance(data, dd.DataFrame):
        raise TypeError(
            f"ClusterModel.assign accepts a pandas or a Dask DataFrame; got "
            f"{type(data).__name__}."
        )
    # parameters and columns are checked now, on one row, not inside a task
    meta = model.assign(data.head(1, npartitions=-1), threshold=threshold,
                        unknown=unknown).iloc[:0]
    return data.map_partitions(model.assign, threshold=threshold, unknown=unknown, meta=meta)
