"""The Dask engine of ``[engine] kind = "dask"``: a whole study's fitting on a cluster."""

from __future__ import annotations

__all__ = ["DaskEngine", "make_engine"]


class DaskEngine:
    """A ``distributed.Client`` (to ``address`` or a new ``LocalCluster``) and joblib's
    Dask backend, around a whole study: model fitting and stability resampling run as
    tasks on the cluster. Progress: the stage bar (``progress=True``, named after the
    cluster's dashboard) and the dashboard itself, task by task."""

    def __init__(self, address, n_workers):
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "[engine] kind = 'dask' needs Dask: pip install 'clusterdiscovery[dask]'."
            ) from exc
        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                         processes=True, dashboard_address=":0")
            self.client = Client(self._cluster)
        else:
            self.client = Client(address)
        self._backend = None

    def __enter__(self):
        import joblib

        self._backend = joblib.parallel_backend("dask")
        self._backend.__enter__()
        return self

    def __exit__(self, *exc):
        self._backend.__exit__(*exc)
        return False

    def close(self):
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_engine(ecfg):
    """The Dask engine of ``[engine] kind = "dask"``, or None for the local one."""
    if ecfg["kind"] != "dask":
        return None
    return DaskEngine(ecfg["address"], ecfg["n_workers"])
