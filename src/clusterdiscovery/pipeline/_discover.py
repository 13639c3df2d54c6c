"""discover(): the whole chain, from client table to report, in one call.

``_discover`` reads as the list of stages; each stage is a function of its own
(``_stage_*.py``) taking and returning explicit values (``_contracts.py``).
"""

from __future__ import annotations

import os

import numpy as np

from ._config import load_config
from ._engine import make_engine
from ._progress import StageClock
from ._stage_choice import choice_stage, stability_stage
from ._stage_data import data_stage
from ._stage_describe import describe_stage
from ._stage_features import features_stage
from ._stage_models import models_stage
from ._stage_profile import profile_stage
from ._stage_write import write_stage
from ._study import ClusterStudy

__all__ = ["discover"]


def discover(config=None, *, data=None, out=None, random_state=0, progress=False,
             n_jobs=None) -> ClusterStudy:
    engine = make_engine(load_config(config)["engine"])
    if engine is None:
        return _discover(config, data=data, out=out, random_state=random_state,
                         progress=progress, n_jobs=n_jobs)
    try:  # model fitting and resampling on the Dask cluster (joblib's dask backend)
        if progress:
            from tqdm.auto import tqdm

            tqdm.write(f"clusterdiscovery: Dask dashboard {engine.client.dashboard_link}")
        with engine:
            return _discover(config, data=data, out=out, random_state=random_state,
                             progress=progress, n_jobs=-1 if n_jobs is None else n_jobs)
    finally:
        engine.close()


def _discover(config=None, *, data=None, out=None, random_state=0, progress=False,
              n_jobs=None) -> ClusterStudy:
    """Discover, validate, profile and describe the clusters of a client population.

    The steps, each recorded in the report: read the data (CSV or Parquet; the bundled
    sample by default) and validate it against its schema; aggregate the service events
    into per-client service use and costs over a window; fit every candidate model family
    for each k in ``k_min..k_max`` (:func:`~clusterdiscovery.compare_models`); rank the
    primary family's solutions by the information criterion and assess the stability of the
    best few (:func:`~clusterdiscovery.assess_stability`); choose the best-scoring solution
    whose clusters all reproduce (see :func:`choose_solution`); profile costs, outcomes and
    features by cluster (:func:`~clusterdiscovery.profile_clusters`); describe each cluster
    (:func:`~clusterdiscovery.describe_clusters`); and write the report, the model file and
    the tables.

    Parameters
    ----------
    config : None, str, Path or dict
        A TOML file or dict overriding :data:`clusterdiscovery.pipeline.DEFAULTS`.
    data : DataFrame, Population or dict, optional
        Data to use instead of the configured files: a
        :class:`~clusterdiscovery.datasets.Population`; a dict with ``clients``
        (DataFrame), ``schema`` (ClientSchema) and optionally ``events``; or a bare client
        table (DataFrame), whose schema is then inferred with :meth:`ClientSchema.infer`
        (under ``[data] id`` and ``date_format``); a :class:`UserWarning` and the study
        record (``study.record["schema"]``, the report's settings) say what was inferred.
    out : str or Path, optional
        Output directory (overrides ``[output] dir``); None with no configured directory
        writes nothing.
    random_state : int
        Seed for every random step: the same seed gives the same labels, tables and report.
    progress : bool
        Show a progress bar over the stages (tqdm).
    n_jobs : int, optional
        Parallel jobs for model fitting and resampling (joblib). None: every core this
        process may use (:func:`joblib.cpu_count`) for 5,000 clients or more, one below
        (worker start-up would outweigh the gain), or the ``n_jobs`` of an enclosing
        :func:`joblib.parallel_backend` context. The results do not depend on it. With
        ``[engine] kind = "dask"`` they run on the Dask cluster (all its workers unless
        ``n_jobs`` is given).

    Returns
    -------
    ClusterStudy
    """
    from ..stability._parallel import default_n_jobs

    random_state = _check_arguments(random_state, out)
    cfg = load_config(config)
    if out is not None:
        cfg = cfg.replace("output", dir=str(out))
    clock = StageClock(progress)
    with clock.stage("data"):
        given = data_stage(cfg, data)
    with clock.stage("features"):
        prep = features_stage(cfg, given)
    with clock.stage("models"):
        n_jobs = default_n_jobs(n_jobs, len(prep.X))  # None: the cores from 5,000 rows
        selection = models_stage(cfg, given, prep, random_state, n_jobs)
    with clock.stage("stability"):
        assessed = stability_stage(cfg, prep, selection, random_state, n_jobs)
        chosen = choice_stage(cfg, prep, selection, assessed)
    with clock.stage("profile"):
        profile = profile_stage(cfg, given, prep, chosen, random_state, n_jobs)
    with clock.stage("describe"):
        described = describe_stage(cfg, data, given, prep, selection, chosen, profile,
                                   random_state)
    with clock.stage("write"):
        paths = write_stage(cfg, given, prep, selection, chosen, described)
    clock.close()
    return ClusterStudy(config=cfg, selection=selection, candidates=chosen.candidates,
                        model=chosen.model, model_name=cfg["models"]["primary"], k=chosen.k,
                        labels=chosen.labels, stability=chosen.stability, profile=profile,
                        descriptions=described.descriptions, map=described.cmap,
                        paths=paths, timings=clock.timings, record=described.record,
                        provisional=chosen.provisional)


discover.__doc__ = _discover.__doc__


def _check_arguments(random_state, out) -> int:
    """The seed as an int; a clear error for a seed that is not an int or an ``out`` that is
    not a path."""
    from sklearn.utils import check_random_state

    if isinstance(random_state, bool) or not isinstance(random_state, int | np.integer):
        raise TypeError(
            f"The 'random_state' parameter of discover must be an int (a seed), so the study "
            f"can be reproduced; got {random_state!r}."
        )
    check_random_state(random_state)
    if out is not None and not isinstance(out, str | os.PathLike):
        raise TypeError(
            f"The 'out' parameter of discover must be a directory path (str or Path) or None; "
            f"got {type(out).__name__}."
        )
    return int(random_state)
