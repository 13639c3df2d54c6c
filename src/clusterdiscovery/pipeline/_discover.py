"""discover(): the whole chain, from client table to report, in one call."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from .._dates import parse_date
from ..exceptions import SchemaError, SuppressionWarning
from ..schema import ClientSchema
from ._bare import (
    infer_study_schema,
    inferred_note,
    read_schema_dates,
    with_date_format,
    with_id_index,
)
from ._choice_text import choice_paragraph, provisional_detail
from ._choose import assess_and_choose, candidates_table, rank_candidates
from ._config import load_config
from ._other import other_characteristics
from ._outcomes import declare_outcomes, outcome_reliability, outcome_section
from ._over_time import over_time_sections
from ._study import ClusterStudy
from ._what_works import what_works_sections
from ._write import sections, write

__all__ = ["discover"]

_MEASUREMENT = {"continuous": "gaussian", "count": "poisson", "binary": "categorical",
                "categorical": "categorical", "ordinal": "categorical"}
_STAGES = ["data", "features", "models", "stability", "profile", "describe", "write"]


def discover(config=None, *, data=None, out=None, random_state=0, progress=False,
             n_jobs=None) -> ClusterStudy:
    engine = _engine(load_config(config)["engine"])
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
    from sklearn.utils import check_random_state

    if isinstance(random_state, bool) or not isinstance(random_state, int | np.integer):
        raise TypeError(
            f"The 'random_state' parameter of discover must be an int (a seed), so the study "
            f"can be reproduced; got {random_state!r}."
        )
    check_random_state(random_state)
    random_state = int(random_state)
    if out is not None and not isinstance(out, str | os.PathLike):
        raise TypeError(
            f"The 'out' parameter of discover must be a directory path (str or Path) or None; "
            f"got {type(out).__name__}."
        )
    cfg = load_config(config)
    if out is not None:
        cfg["output"]["dir"] = str(out)
    timings: dict[str, float] = {}
    bar = _progress(progress)

    def stage(name):
        bar.set_description(name)
        timings[name] = time.perf_counter()

    def done(name):
        timings[name] = time.perf_counter() - timings[name]
        bar.update(1)

    stage("data")
    clients, events, schema = _read_data(cfg, data)
    schema = with_date_format(schema, cfg["data"]["date_format"])
    clients = with_id_index(read_schema_dates(clients, schema), schema)
    schema.validate(clients if schema.id in clients.columns else clients.reset_index())
    clients = clients.set_index(schema.id) if schema.id in clients.columns else clients
    schema, lone_outcomes = declare_outcomes(schema, cfg["outcomes"], clients.columns)
    done("data")

    stage("features")
    table, event_cols, as_of = _features(cfg, clients, events)
    # every cost, outcome and feature name is checked here, before any fitting
    profile_schema, costs = _profile_schema(cfg, schema, table, event_cols)
    cluster_cols, measurement = _cluster_columns(cfg, schema, table, event_cols, costs)
    X = table[cluster_cols]
    # sampling weights: the schema's weight column (validated with the schema)
    weights = table[schema.weight].astype(float) if getattr(schema, "weight", None) else None
    done("features")

    stage("models")
    from ..stability._parallel import default_n_jobs

    n_jobs = default_n_jobs(n_jobs, len(X))  # None: the available cores from 5,000 rows
    selection = _compare(cfg, X, schema, measurement, random_state, n_jobs, weights)
    done("models")

    stage("stability")
    from sklearn.base import clone

    from ..stability import assess_stability

    mcfg, scfg = cfg["models"], cfg["stability"]
    # a cluster below the privacy threshold could be neither reported nor written to the
    # model file: such solutions are not candidates
    small = {"min_size": cfg["profile"]["min_cell_size"], "n_samples": len(X)}
    ranked = rank_candidates(selection.summary, model=mcfg["primary"],
                             criterion=mcfg["criterion"], min_share=mcfg["min_share"], **small)
    X_model = _model_input(mcfg["primary"], X, selection)

    def assess(i, n_resamples, resume=None):
        estimator = selection.estimators_[(ranked.loc[i, "model"], int(ranked.loc[i, "k"]))]
        return assess_stability(
            clone(estimator), X_model, n_resamples=n_resamples, method=scfg["method"],
            random_state=random_state, n_jobs=n_jobs, warn=False,
            reference_labels=_fitted_labels(estimator, X_model), resume=resume,
            sample_weight=None if weights is None else weights.to_numpy())

    n_screen = min(scfg["screen_resamples"], scfg["n_resamples"])
    pos, ranked, stability = assess_and_choose(
        ranked, assess, criterion=mcfg["criterion"], min_jaccard=scfg["min_jaccard"],
        n_resamples=scfg["n_resamples"], screen_resamples=n_screen,
        screen_margin=scfg["screen_margin"], max_finalists=scfg["candidates"])
    provisional = bool(ranked.loc[pos, "provisional"])
    k = int(ranked.loc[pos, "k"])
    # every k of the range, with its criteria, stability and the reason for the choice
    candidates = candidates_table(
        selection.summary, ranked, model=mcfg["primary"], criterion=mcfg["criterion"],
        min_share=mcfg["min_share"], min_jaccard=scfg["min_jaccard"],
        screen_margin=scfg["screen_margin"], n_screen=n_screen, n_full=scfg["n_resamples"],
        **small)
    words = {"min_jaccard": scfg["min_jaccard"], "n_full": scfg["n_resamples"],
             "n_screen": n_screen, "screen_margin": scfg["screen_margin"]}
    choice_note = choice_paragraph(candidates, criterion=mcfg["criterion"],
                                   method=scfg["method"],
                                   k_range=(mcfg["k_min"], mcfg["k_max"]), **words)
    model = selection.estimators_[(mcfg["primary"], k)]
    # the chosen model's labels are its stability result's reference labels
    labels = pd.Series(stability.reference_labels, index=X.index, name="cluster")
    done("stability")

    stage("profile")
    from ..profiling import profile_clusters

    pcfg = cfg["profile"]
    exposure = pcfg["exposure"] if pcfg["exposure"] in table.columns and costs else None
    # profile_clusters warns about suppression at its own caller (this file); catch that
    # and warn once from discover, pointing at discover's caller. Other warnings pass on.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SuppressionWarning)
        profile = profile_clusters(
            table, labels, schema=profile_schema, costs=costs, outcomes=dict(schema.outcomes),
            exposure=exposure, min_cell_size=pcfg["min_cell_size"],
            n_bootstrap=pcfg["n_bootstrap"],
            reliability=outcome_reliability(pcfg["reliability"], cfg["outcomes"], schema.outcomes),
            random_state=random_state, n_jobs=n_jobs, sample_weight=weights,
            adjust_for=list(pcfg["adjust_for"]) or None)
    suppression = [w for w in caught if issubclass(w.category, SuppressionWarning)]
    for w in caught:
        if not issubclass(w.category, SuppressionWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if suppression:
        # stacklevel 3: discover -> _discover -> here, so the warning points at the caller
        warnings.warn(str(suppression[0].message), SuppressionWarning, stacklevel=3)
    _correct_for_classification_error(profile, model, X_model, table, costs, schema,
                                      pcfg["distal"], weights)
    done("profile")

    stage("describe")
    from ..describe import describe_clusters
    from ..describe._result import _check_sections
    from ..profiling import cluster_map

    numeric = selection.numeric_view_
    if numeric is None:
        numeric = _numeric_view(X, schema)
    cmap = cluster_map(numeric, labels.to_numpy(), min_cell_size=pcfg["min_cell_size"])

    record = _record(cfg, random_state, as_of, cluster_cols, measurement, choice_note,
                     clients, events)
    record["left_out"] = [f"k = {r.k}: {r.reason.removeprefix('not a candidate: ')}"
                          for r in candidates[~candidates["candidate"]].itertuples()]
    if schema.inference is not None:
        record["schema"] = inferred_note(schema)
    rcfg = cfg["report"]
    narratives = rcfg["narratives"]
    out_dir = cfg["output"]["dir"]
    if narratives is None and out_dir is not None:
        from ..describe._narratives import TEMPLATE_DIR
        if (Path(out_dir) / TEMPLATE_DIR).is_dir():  # filled by community experts
            narratives = Path(out_dir) / TEMPLATE_DIR
    # the words come from the profile's schema: the client schema's meaning, and the labels
    # and units of the aggregated service-use and cost columns (see _profile_schema)
    descriptions = describe_clusters(
        profile, stability=stability, narratives=narratives,
        names=rcfg["names"] or None, title=rcfg["title"], currency=rcfg["currency"],
        significant_figures=rcfg["significant_figures"], provisional=provisional)
    descriptions.choice = choice_note
    if provisional:
        descriptions.provisional_detail = provisional_detail(candidates, **words)
    # the sections' figures name the clusters, so they are drawn once the names are known
    over_time = over_time_sections(cfg, data, schema, mcfg["primary"], model, X_model, labels,
                                   [d.name for d in descriptions], random_state)
    works = what_works_sections(cfg, table, labels, [d.name for d in descriptions], schema.id,
                                random_state, data)
    over_time = (works[0] + over_time[0], {**works[1], **over_time[1]})
    lone = outcome_section(table, labels, lone_outcomes, [d.name for d in descriptions],
                           pcfg["min_cell_size"])
    if lone is not None:
        over_time = ([lone[0], *over_time[0]], {**over_time[1],
                                                "followup_outcomes.csv": lone[1]})
    other = other_characteristics(table, labels, schema, cfg["features"]["exclude"],
                                  [d.name for d in descriptions],
                                  min_cell_size=pcfg["min_cell_size"],
                                  random_state=random_state, sample_weight=weights)
    if other is not None:  # excluded columns: a separate table, never in names or needs
        over_time = ([other[0], *over_time[0]], {**over_time[1],
                                                 "other_characteristics.csv": other[1]})
    descriptions.sections = _check_sections(
        sections(selection, candidates, record, cmap, stability, len(labels),
                 pcfg["min_cell_size"], descriptions.names)
        + over_time[0])
    done("describe")

    stage("write")
    paths = write(cfg, descriptions, selection, candidates, stability, model, schema,
                  cluster_cols, X, labels, record, over_time[1])
    done("write")
    bar.close()
    return ClusterStudy(config=cfg, selection=selection, candidates=candidates, model=model,
                        model_name=mcfg["primary"], k=k, labels=labels, stability=stability,
                        profile=profile, descriptions=descriptions, map=cmap, paths=paths,
                        timings=timings, record=record, provisional=provisional)


discover.__doc__ = _discover.__doc__


# ---------------------------------------------------------------------------- helpers
class _DaskEngine:
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


def _engine(ecfg):
    """The Dask engine of ``[engine] kind = "dask"``, or None for the local one."""
    if ecfg["kind"] != "dask":
        return None
    return _DaskEngine(ecfg["address"], ecfg["n_workers"])


class _NoBar:
    def set_description(self, _):
        pass

    def update(self, _):
        pass

    def close(self):
        pass


def _progress(progress):
    if not progress:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=len(_STAGES), unit="stage")


def _read_table(path, **csv) -> pd.DataFrame:
    from .._checks import read_table

    return read_table(path, **csv)


def _read_data(cfg, data):
    if isinstance(data, pd.DataFrame):  # a bare client table: infer its schema, say so
        schema = infer_study_schema(data, cfg)
        warnings.warn(f"discover: no schema given, so one was inferred from the table; check "
                      f"it (ClientSchema.infer(df).to_toml()):\n{schema.inference}",
                      UserWarning, stacklevel=3)
        return data, None, schema
    if data is not None:
        if isinstance(data, Mapping):
            try:
                clients, schema = data["clients"], data["schema"]
            except KeyError as exc:
                raise ValueError(
                    f"The 'data' dict needs 'clients' and 'schema' (and may have 'events'); "
                    f"{exc} is missing."
                ) from None
            events = data.get("events")
        else:
            clients = getattr(data, "clients", None)
            schema = getattr(data, "schema", None)
            events = getattr(data, "events", None)
            if clients is None or schema is None:
                raise TypeError(
                    f"The 'data' parameter must be a Population or a dict with 'clients' and "
                    f"'schema'; got {type(data).__name__}."
                )
        if not isinstance(schema, ClientSchema):
            raise TypeError("data['schema'] must be a ClientSchema.")
        for name, table in [("clients", clients), ("events", events)]:
            if table is not None and not isinstance(table, pd.DataFrame):
                raise TypeError(
                    f"data['{name}'] must be a pandas DataFrame; got {type(table).__name__}."
                )
        return clients, events, schema
    d = cfg["data"]
    if d["clients"] is None:
        from ..datasets import load_sample

        pop = load_sample(d["sample_dir"])
        return pop.clients, pop.events, pop.schema
    clients = _read_table(d["clients"])
    if d["schema"] is None:  # a bare client file: infer (the study record says so)
        schema = infer_study_schema(clients, cfg)
    else:
        schema = ClientSchema.from_toml(d["schema"])
    events = _read_table(d["events"]) if d["events"] else None
    return clients, events, schema


def _features(cfg, clients, events):
    if events is None:
        return clients, [], None
    from ..features import aggregate_events

    d = cfg["data"]
    if "client_id" in events.columns:
        stray = ~events["client_id"].isin(clients.index)
        if stray.any():
            examples = pd.unique(events["client_id"][stray]).tolist()[:5]
            raise SchemaError(
                f"The events table has {int(stray.sum())} event(s) of "
                f"{events['client_id'][stray].nunique()} client(s) that are not in the client "
                f"table, e.g. {examples}. Keep only the events of the clients studied, e.g. "
                f"events[events['client_id'].isin(clients.index)]."
            )
    # aggregate_events parses the dates and checks the columns, naming any at fault
    as_of = parse_date(d["as_of"], "as_of", date_format=d["date_format"]) if d["as_of"] else None
    agg = aggregate_events(events, clients=clients.index, as_of=as_of,
                           window_days=d["window_days"], date_format=d["date_format"])
    as_of = as_of if as_of is not None else agg["last_contact"].max()
    overlap = set(agg.columns) & set(clients.columns)
    if overlap:
        raise SchemaError(
            f"The client table already has column(s) {sorted(overlap)} that aggregating the "
            f"events would create; rename them."
        )
    return clients.join(agg), list(agg.columns), as_of


def _cluster_columns(cfg, schema, table, event_cols, costs=()):
    f = cfg["features"]
    stray = [c for c in f["exclude"] if c not in schema.features]
    if stray:
        raise SchemaError(
            f"[features] exclude names {stray}, which are not features of the schema; "
            f"choose from {schema.feature_columns}."
        )
    stray = [c for c in f["profile_event_features"] if event_cols and c not in event_cols]
    if stray:
        raise SchemaError(
            f"[features] profile_event_features names {stray}, which aggregating the events "
            f"does not produce; choose from {event_cols}."
        )
    # a column described as a cost or utilisation is not clustered on unless named
    cols = list(f["columns"]) or [c for c in schema.feature_columns
                                  if c not in f["exclude"] and c not in costs]
    unknown = [c for c in cols if c not in schema.features]
    if unknown:
        raise SchemaError(f"[features] columns {unknown} are not features of the schema; "
                          f"choose from {schema.feature_columns}.")
    measurement = {c: _measurement(schema.features[c], cfg["models"]["ordinal"]) for c in cols}
    for c in f["event_features"]:
        if c not in event_cols:
            raise SchemaError(
                f"[features] event_features names {c!r}, which aggregating the events does not "
                f"produce; choose from {event_cols}."
            )
        v = table[c].to_numpy(dtype=float)
        measurement[c] = "poisson" if np.all(v[~np.isnan(v)] % 1 == 0) else "gaussian"
        cols.append(c)
    if not cols:
        raise SchemaError("No columns to cluster on: the schema has no features.")
    repeated = sorted({c for c in cols if cols.count(c) > 1})
    if repeated:
        raise SchemaError(
            f"[features] names {repeated} more than once (in columns or event_features); "
            f"list each column once."
        )
    return cols, measurement


def _measurement(spec, ordinal="categorical") -> str:
    """Latent class measurement of a schema feature: categories for binary and categorical
    items, ordinal items as ``[models] ordinal`` says (categorical by default, or the
    adjacent-category ordinal item), Poisson for counts, Gaussian for continuous columns, and
    log-normal for continuous columns flagged ``log1p`` (skewed, such as years known)."""
    if spec.zero_heavy:  # many exact zeros: zero or not, then how much (lognormal)
        return "twopart"
    if spec.type == "continuous" and spec.log1p:
        return "lognormal"
    if spec.type == "ordinal":
        return ordinal
    return _MEASUREMENT[spec.type]


def _numeric_view(X, schema, *, with_preprocessor=False):
    """The clustering columns as numbers for the geometric families (and, with
    ``with_preprocessor``, the fitted preprocessor that makes them from the schema's
    features, or None when aggregated service-use columns were added)."""
    from ..features import make_preprocessor

    cols = [c for c in X.columns if c in schema.features]
    pre = make_preprocessor(schema.select(cols))
    num = pre.fit_transform(X[cols])
    extra = [c for c in X.columns if c not in schema.features]
    if extra:  # aggregated service-use columns: log1p then standardise
        e = np.log1p(X[extra].astype(float).fillna(0.0))
        num = num.join((e - e.mean()) / e.std(ddof=0).replace(0, 1))
    if with_preprocessor:
        return num, (None if extra else pre)
    return num


def _compare(cfg, X, schema, measurement, random_state, n_jobs, weights=None):
    from sklearn.cluster import KMeans
    from sklearn.mixture import GaussianMixture

    from ..models import DensityClusterer, LatentClassModel
    from ..selection import ModelSelectionResult, compare_models

    m = cfg["models"]
    ks = range(m["k_min"], min(m["k_max"], len(X) - 1) + 1)
    if not ks:
        raise ValueError(
            f"Configuration [models] k_min = {m['k_min']} leaves no k to fit for "
            f"{len(X)} clients: k must be below the number of clients. Lower k_min (and "
            f"k_max) or supply more clients."
        )
    families = m["families"]
    sw = None if weights is None else weights.to_numpy()
    unweighted = [f for f in families if f in ("gmm", "density")]
    if sw is not None and unweighted:
        raise SchemaError(
            f"The schema names the sampling-weight column '{schema.weight}', but [models] "
            f"families {unweighted} cannot take weights; compare only 'latent_class' and "
            f"'kmeans', or drop the weight from the schema."
        )
    if sw is not None and m["lr_tests"]:
        raise SchemaError(
            f"The schema names the sampling-weight column '{schema.weight}', but [models] "
            f"lr_tests {m['lr_tests']} are defined for unweighted data; set lr_tests = [] or "
            f"drop the weight from the schema."
        )
    results = []
    if "latent_class" in families:
        lca = LatentClassModel(2, measurement=measurement, n_init=m["n_init"])
        results.append(compare_models(X, {"latent_class": lca}, n_clusters=ks,
                                      random_state=random_state, n_jobs=n_jobs,
                                      sample_weight=sw, lr_tests=tuple(m["lr_tests"]),
                                      n_bootstrap=m["lr_bootstrap"]))
    geometric = {}
    if "kmeans" in families:
        geometric["kmeans"] = KMeans(n_clusters=2, n_init=10)
    if "gmm" in families:
        geometric["gmm"] = GaussianMixture(n_components=2, covariance_type="diag",
                                           n_init=m["n_init"])
    if "density" in families:
        geometric["density"] = DensityClusterer()
    pre = None
    if geometric:
        num, pre = _numeric_view(X, schema, with_preprocessor=True)
        results.append(compare_models(num, geometric, n_clusters=ks,
                                      random_state=random_state, n_jobs=n_jobs,
                                      sample_weight=sw))
    summary = pd.concat([r.summary for r in results], ignore_index=True)
    estimators, scale = {}, {}
    for r in results:
        estimators.update(r.estimators_)
        scale.update(r.likelihood_scale)
    combined = ModelSelectionResult(summary, estimators, n_samples=len(X),
                                    likelihood_scale=scale)
    combined.numeric_view_ = num if geometric else None
    combined.preprocessor_ = pre
    return combined


def _fitted_labels(estimator, X_model):
    """The training labels of a fitted estimator (``labels_``, noise -1 kept), else
    ``predict``."""
    labels = getattr(estimator, "labels_", None)
    return np.asarray(estimator.predict(X_model) if labels is None else labels)


def _correct_for_classification_error(profile, model, X_model, table, costs, schema,
                                      method, weights):
    """A latent class model's costs and outcome changes by class, BCH (or ML) corrected.

    Sets ``profile.corrected`` (see :func:`~clusterdiscovery.profiling._distal.
    corrected_by_cluster`) and ``profile.params["distal"]``; nothing for other models or
    ``method="modal"``.
    """
    from ..models import LatentClassModel
    from ..profiling._distal import corrected_by_cluster

    if method == "modal" or not isinstance(model, LatentClassModel):
        return
    values = {c: table[c].astype(float) for c in costs}
    for name, (base, follow) in schema.outcomes.items():
        values[f"change in {name}"] = (table[follow].astype(float)
                                       - table[base].astype(float))
    if not values:
        return
    frame = pd.DataFrame(values, index=table.index).loc[X_model.index]
    profile.corrected = corrected_by_cluster(
        model, X_model, frame, method=method,
        sample_weight=None if weights is None else weights.to_numpy())
    profile.params["distal"] = method


def _model_input(primary, X, selection):
    return X if primary == "latent_class" else selection.numeric_view_


#: the aggregated event costs profiled by default, where the events have those services
_EVENT_COSTS = ("cost_total", "cost_inpatient_day", "cost_crisis")
#: units of the aggregated service-use columns
_EVENT_UNITS = {"inpatient_days": "days", "crisis_episodes": "episodes",
                "days_since_last_contact": "days", "exposure_years": "years"}


def _profile_schema(cfg, schema, table, event_cols):
    """The schema the profile is made with, and its cost columns.

    The client schema's meaning (labels, units, directions, sections, currency) is kept; the
    aggregated event columns get their labels and the "service use" section. Costs are the
    schema's costs, then ``[profile] costs`` (client columns or aggregated event columns;
    by default, with events, the total, inpatient and crisis costs). A name that matches no
    column is an error listing the choices, raised before any fitting.
    """
    from ..profiling._data import numeric_column

    f, p = cfg["features"], cfg["profile"]
    service = next((x for x in schema.sections if x.lower() == "service use"), None)
    labels = _event_labels(cfg["data"]["window_days"])
    spec = schema.to_dict()
    # columns left out of the clustering are not described as distinguishing it either
    features = {c: s for c, s in spec["features"].items() if c not in f["exclude"]}
    for c in f["profile_event_features"]:
        if c in event_cols and c not in features:
            v = table[c].to_numpy(dtype=float)
            kind = "count" if np.all(v[~np.isnan(v)] % 1 == 0) else "continuous"
            features[c] = {"type": kind, "label": labels.get(c, c), "section": service,
                           "unit": _EVENT_UNITS.get(c)}
    for c in f["event_features"]:
        if c in event_cols:
            features.setdefault(c, {"type": "continuous", "label": labels.get(c, c),
                                    "section": service, "unit": _EVENT_UNITS.get(c)})
    costs = list(schema.costs)
    asked = list(p["costs"])
    if not asked:
        asked = [c for c in _EVENT_COSTS if c in event_cols]
    roles = {schema.id, *schema.dates, *schema.outcome_columns,
             *([schema.team] if schema.team else []),
             *([schema.weight] if schema.weight else [])}
    missing = [c for c in asked if c not in table.columns or c in roles]
    if missing:
        choices = [str(c) for c in table.columns if c not in roles and c not in costs
                   and pd.api.types.is_numeric_dtype(table[c])
                   and not pd.api.types.is_bool_dtype(table[c])]
        where = "client table or the aggregated events" if event_cols else "client table"
        raise SchemaError(
            f"[profile] costs names {missing}, which match no cost or utilisation column of "
            f"the {where}; choose from {choices}."
        )
    unknown = [c for c in p.get("adjust_for", []) if c not in table.columns]
    if unknown:
        raise SchemaError(f"[profile] adjust_for names {unknown}, which match no column of the "
                          f"client table; choose from {schema.feature_columns}.")
    measures = {c: schema.spec_of(c).to_dict() for c in costs}
    for c in asked:
        if c in costs:
            continue
        feat = schema.features.get(c)
        if feat is not None and feat.type not in ("continuous", "count"):
            raise SchemaError(
                f"[profile] costs names '{c}', a {feat.type} feature of the schema; a "
                f"cost or utilisation column must be numeric (continuous or count)."
            )
        if feat is not None and feat.type == "count" and not feat.unit:
            raise SchemaError(
                f"[profile] costs names '{c}', a count feature of the schema with no "
                f"unit, so it would be printed as money. Give it a unit (e.g. unit = "
                f"\"visits\" in its [features] entry) to report it as utilisation."
            )
        values = numeric_column(table, c, "cost", allow_nan=False)  # or say why not
        if (values < 0).any():
            raise SchemaError(f"Cost column '{c}' has negative values; costs and utilisation "
                              f"must be >= 0.")
        if feat is not None:  # described as utilisation, not as a feature
            measures[c] = {k: getattr(feat, k) for k in ("label", "unit", "higher_is",
                                                          "section")
                           if getattr(feat, k) is not None}
            features.pop(c, None)
        elif c in event_cols:  # cost_<service>, made by aggregate_events
            window = cfg["data"]["window_days"]
            label = labels.get(c) or (
                f"{c[len('cost_'):].replace('_', ' ').capitalize()} cost"
                + (f" in the last {window} days" if window else ""))
            measures[c] = {"label": label, "section": service}
        else:
            measures[c] = {}
        costs.append(c)
    spec["features"] = _usable({c: s for c, s in features.items() if c not in costs}, table)
    spec["costs"] = {c: {k: v for k, v in m.items() if v is not None}
                     for c, m in measures.items()}
    return ClientSchema.from_dict(spec), costs


def _usable(features, table):
    """Features with at least two distinct values (a constant column has nothing to say)."""
    return {c: s for c, s in features.items() if table[c].nunique(dropna=True) >= 2}


def _record(cfg, random_state, as_of, cluster_cols, measurement, choice_note, clients, events):
    m, s = cfg["models"], cfg["stability"]
    return {
        "package_version": __version__,
        "random_state": random_state,
        "n_clients": int(len(clients)),
        "n_events": None if events is None else int(len(events)),
        "as_of": None if as_of is None else str(pd.Timestamp(as_of).date()),
        "window_days": cfg["data"]["window_days"],
        "cluster_columns": list(cluster_cols),
        "measurement": dict(measurement),
        "families": list(m["families"]),
        "primary": m["primary"],
        "k_range": [m["k_min"], m["k_max"]],
        "criterion": m["criterion"],
        "n_init": m["n_init"],
        "min_share": m["min_share"],
        "stability": f"{s['method']}, every candidate screened with "
                     f"{min(s['screen_resamples'], s['n_resamples'])} resamples, finalists "
                     f"(screening minimum Jaccard >= {s['min_jaccard']} - "
                     f"{s['screen_margin']}) assessed with {s['n_resamples']}; eligible when "
                     f"every cluster's mean Jaccard >= {s['min_jaccard']}",
        "choice": choice_note,
    }


def _event_labels(window_days) -> dict:
    """Plain names of the aggregated service-use columns (made by ``aggregate_events``)."""
    window = f" in the last {window_days} days" if window_days else ""
    return {
        "n_contacts_per_year": "Contacts per year (bed days not counted)",
        "n_contacts": f"Contacts{window} (bed days not counted)",
        "n_total_per_year": "Service events per year (contacts and bed days together)",
        "n_total": f"Service events{window} (contacts and bed days together)",
        "inpatient_days": f"Inpatient days{window}",
        "crisis_episodes": f"Crisis episodes{window}",
        "days_since_last_contact": "Days since the last contact",
        "exposure_years": "Years of follow-up",
        "cost_total": f"Total cost{window}",
    }
