"""The study configuration: defaults, reading TOML, and checking every key.

A configuration is a nested dict with the tables ``data``, ``features``, ``models``,
``stability``, ``profile``, ``report``, ``followup``, ``care_clusters``, ``engine`` and
``output``; :data:`DEFAULTS` lists every key with
its default. Paths in a TOML file are read relative to that file.
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Mapping
from pathlib import Path

from .._utils import read_toml

__all__ = ["DEFAULTS", "load_config"]

#: Every configuration key and its default (the sample study).
DEFAULTS: dict = {
    "data": {
        # directory of a population as written by datasets.make_sample (clients.csv,
        # events.csv, schema.toml); None = the sample shipped with the package
        "sample_dir": None,
        # or explicit files (CSV or Parquet); these override sample_dir
        "clients": None,
        "events": None,
        # the schema TOML of the clients file; None = inferred from the table
        # (ClientSchema.infer; the report's settings say what was inferred)
        "schema": None,
        # the client id column of an inferred schema (None = the first column unique per row)
        "id": None,
        # events after this date are ignored; None = the last event date (which must not
        # lie after today)
        "as_of": None,
        # strptime format of dates not written in ISO 8601, e.g. "%d/%m/%Y" (event dates,
        # as_of, the schema's date columns); day/month orders are never guessed
        "date_format": None,
        # service use and costs over the last window_days before as_of (None = all history)
        "window_days": 365,
    },
    "features": {
        # columns to cluster on; empty = every feature of the schema
        "columns": [],
        # schema features to leave out of the clustering (still profiled)
        "exclude": [],
        # aggregated service-use columns to cluster on as well (e.g. "inpatient_days");
        # by default service use and cost are described by cluster, not clustered on
        "event_features": [],
        # aggregated service-use columns added to the profile
        "profile_event_features": ["n_contacts_per_year", "inpatient_days", "crisis_episodes",
                                   "days_since_last_contact"],
    },
    "models": {
        # families compared: latent_class (mixed types, missing values), kmeans, gmm,
        # density (UMAP + HDBSCAN; finds k itself, cannot be saved as a model file)
        "families": ["latent_class", "kmeans"],
        # the family the study's clusters come from (must be in families)
        "primary": "latent_class",
        "k_min": 2,
        "k_max": 9,
        "criterion": "bic",
        "n_init": 3,
        # solutions with a cluster smaller than this share of clients are not chosen
        "min_share": 0.02,
        # k - 1 against k likelihood-ratio tests of the latent class solutions, reported in
        # model_selection.csv and the appendix: "blrt" (parametric bootstrap, lr_bootstrap
        # draws; costly) and/or "lmr" (Lo-Mendell-Rubin, cheap). Informative only: the
        # choice stays the criterion plus stability.
        "lr_tests": [],
        "lr_bootstrap": 99,
        # the latent class measurement of ordinal schema features: "categorical" (a free
        # probability per level and class) or "ordinal" (the adjacent-category logit,
        # (L - 1) + (K - 1) parameters per item; docs/models.md)
        "ordinal": "categorical",
    },
    "stability": {
        "method": "bootstrap",
        # resamples of the full assessment (finalists and the chosen solution)
        "n_resamples": 20,
        # every candidate k is first screened with this many resamples ...
        "screen_resamples": 10,
        # ... and goes on to the full assessment when its least stable cluster's mean
        # Jaccard is at least min_jaccard - screen_margin
        "screen_margin": 0.1,
        # at most this many finalists (best by the criterion first); 0 = no limit
        "candidates": 0,
        # a solution is eligible only if every cluster's mean Jaccard reaches this
        # (Hennig 2007: below 0.6 a cluster is not to be trusted)
        "min_jaccard": 0.6,
    },
    "profile": {
        # cost and utilisation columns (client columns or aggregated event columns) besides
        # the schema's costs; empty = with events, cost_total, cost_inpatient_day and
        # cost_crisis where the events have those services
        "costs": [],
        # client-years of exposure for cost per client-year (aggregated column)
        "exposure": "exposure_years",
        "min_cell_size": 11,
        "n_bootstrap": 1000,
        "reliability": 0.8,
        # case-mix covariates (client columns, e.g. ["age", "sex"]): costs by cluster are
        # also given adjusted for them (two-part model, recycled predictions)
        "adjust_for": [],
        # a latent class model's costs and outcomes corrected for classification error:
        # "bch" (Bakk, Tekle & Vermunt 2013), "ml" (Vermunt 2010) or "modal" (none)
        "distal": "bch",
    },
    "report": {
        "title": "Cluster report",
        # Markdown or TOML file of expert narratives keyed by cluster (optional)
        "narratives": None,
        # {"0" = "name", ...}: names of clusters, over the suggested ones
        "names": {},
        # prefix of money amounts ("£", "$", ""); None = the schema's currency
        "currency": None,
        # significant figures of the numbers in the prose (0.213 visits, 45.3 years)
        "significant_figures": 3,
    },
    # "What works, for whom, at what cost" (docs/what_works.md): [[services]] blocks, each
    # {service, outcome, confounders, baseline, cost, method, file}, and [yardsticks]
    # {cluster number or name = {outcome = ..., target = ...}}; checked in _what_works
    "services": [],
    "yardsticks": {},
    # follow-up measures: never clustered on nor named; column = {baseline, reliability,
    # label, higher_is, unit} (pipeline/_outcomes.py; the CLI's --outcomes a,b gives {})
    "outcomes": {},
    "followup": {
        # a second assessment of the same clients (CSV or Parquet: the client id column and
        # some of the clustering columns, re-assessed): a latent transition model started at
        # the chosen latent class solution gives the moves between clusters (report section
        # "Movement between clusters at follow-up", tables/transitions.csv). None: the
        # sample's followup.csv when the study reads the sample, else no follow-up
        "clients": None,
        # bootstrap resamples of clients for the transition probabilities' intervals
        "n_bootstrap": 100,
    },
    "care_clusters": {
        # recorded MHCT care clusters (CSV or Parquet with client_id, cluster, assigned_on)
        # to compare the discovered clusters with (report section, tables/care_clusters.csv).
        # None: the sample's assignments.csv when the study reads the sample, else none
        "assignments": None,
        # each client's latest assignment on or before this date (None: the latest)
        "as_of": None,
    },
    "engine": {
        # "local": this process (joblib, n_jobs); "dask": model fitting and stability
        # resamples run on a Dask cluster (see docs/scale.md)
        "kind": "local",
        # scheduler address of an existing cluster, e.g. "tcp://10.0.0.5:8786"; None with
        # kind = "dask" starts a LocalCluster of n_workers single-threaded workers
        "address": None,
        "n_workers": 2,
    },
    "output": {
        # where discover() writes; None writes nothing (the command line defaults to out/study)
        "dir": None,
        # a per-client label file is row-level data: off by default
        "write_labels": False,
    },
}

_FREE_FORM = ("services", "yardsticks", "outcomes")

_PATH_KEYS = {("data", "sample_dir"), ("data", "clients"), ("data", "events"),
              ("data", "schema"), ("report", "narratives"), ("output", "dir"),
              ("followup", "clients"), ("care_clusters", "assignments")}


def load_config(config=None):
    """Return the full configuration: defaults overlaid with ``config``, checked once and
    returned as typed sections (:class:`~._settings.StudySettings`; each section also reads
    as a mapping: ``cfg["models"]["k_max"] == cfg.models.k_max``).

    Parameters
    ----------
    config : None, str, Path or dict
        A TOML file, a (partial) nested dict, or None for the defaults.

    Raises
    ------
    FileNotFoundError
        If a TOML path does not exist.
    ValueError
        For invalid TOML, an unknown table or key (the message lists the allowed ones),
        or a value of the wrong type or out of range (checked here, before any model is
        fitted).
    """
    user, base_dir = _read_user(config)
    out = _overlay(user, base_dir)
    _check_models(out["models"])
    _check_values(out)
    from ._what_works import check_services

    check_services(out["services"], out["yardsticks"])
    from ._outcomes import check_outcomes

    out["outcomes"] = check_outcomes(out["outcomes"])
    _check_k_range(out["models"])
    from ._settings import StudySettings

    return StudySettings.from_dict(out)  # typed, validated once


def _read_user(config):
    """``(user settings, directory their paths are relative to)``."""
    base_dir = None
    if config is None:
        user = {}
    elif isinstance(config, str | Path):
        path = Path(config)
        user = read_toml(path, "Configuration file")
        base_dir = path.resolve().parent
    elif isinstance(config, Mapping):
        user = config
    else:
        raise TypeError(
            f"The 'config' parameter must be a TOML path, a dict or None; got "
            f"{type(config).__name__}."
        )
    return user, base_dir


def _overlay(user, base_dir) -> dict:
    """The defaults overlaid with ``user``; unknown tables and keys, values of the wrong
    kind and relative paths handled here."""
    out = copy.deepcopy(DEFAULTS)
    for table, values in user.items():
        if table not in DEFAULTS:
            raise ValueError(
                f"Unknown configuration table [{table}]; use {', '.join(DEFAULTS)}."
            )
        if table in _FREE_FORM:  # an array of tables, or keys named by the user
            out[table] = copy.deepcopy(values)
            if table == "services" and base_dir is not None and isinstance(values, list):
                for entry in out[table]:
                    if isinstance(entry, Mapping) and entry.get("file"):
                        entry["file"] = str((base_dir / entry["file"]).resolve())
            continue
        if not isinstance(values, Mapping):
            raise ValueError(f"Configuration [{table}] must be a table of keys.")
        for key, value in values.items():
            if key not in DEFAULTS[table]:
                raise ValueError(
                    f"Unknown configuration key '{key}' in [{table}]; allowed keys are "
                    f"{', '.join(DEFAULTS[table])}."
                )
            default = DEFAULTS[table][key]
            if default is not None and value is not None and not _same_kind(default, value):
                raise ValueError(
                    f"Configuration [{table}] {key} must be {_kind(default)}; got {value!r}."
                )
            if default is None and value is not None:
                _check_optional(table, key, value)
            if (table, key) in _PATH_KEYS and value is not None and base_dir is not None:
                value = str((base_dir / value).resolve())
            out[table][key] = copy.deepcopy(value)
    return out


def _check_models(models) -> None:
    if models["primary"] not in models["families"]:
        raise ValueError(
            f"Configuration [models] primary = {models['primary']!r} must be one of the "
            f"families {models['families']}."
        )
    bad_tests = [t for t in models["lr_tests"] if t not in ("blrt", "lmr")]
    if bad_tests:
        raise ValueError(
            f"Configuration [models] lr_tests names unknown test(s) {bad_tests}; use "
            f"\"blrt\" and/or \"lmr\" (e.g. lr_tests = [\"lmr\"]).")
    from ._families import FAMILIES

    unknown = set(models["families"]) - set(FAMILIES)
    if unknown:
        raise ValueError(
            f"Unknown model families {sorted(unknown)} in [models] families; use "
            f"{', '.join(list(FAMILIES)[:-1])} or {list(FAMILIES)[-1]}."
        )


def _check_k_range(models) -> None:
    if models["k_min"] < 1 or models["k_max"] < models["k_min"]:
        raise ValueError("Configuration [models] needs 1 <= k_min <= k_max.")
    if models["k_max"] < 2:
        raise ValueError(
            f"Configuration [models] k_max = {models['k_max']}: one cluster is no clustering, "
            f"and its stability cannot be assessed; set k_max >= 2 (k_min may stay 1).")


#: (table, key) -> smallest allowed value of an integer setting
_INTS = {("models", "k_min"): 1, ("models", "k_max"): 1, ("models", "n_init"): 1,
         ("models", "lr_bootstrap"): 1,
         ("stability", "n_resamples"): 1, ("stability", "candidates"): 0,
         ("stability", "screen_resamples"): 1,
         ("profile", "min_cell_size"): 0, ("profile", "n_bootstrap"): 10,
         ("report", "significant_figures"): 1, ("engine", "n_workers"): 1,
         ("followup", "n_bootstrap"): 0}
#: (table, key) -> (low, high, whether high itself is allowed) for settings in [low, high]
_RANGES = {("models", "min_share"): (0.0, 1.0, False),
           ("stability", "min_jaccard"): (0.0, 1.0, True),
           ("stability", "screen_margin"): (0.0, 1.0, True)}


def _check_optional(table, key, value) -> None:
    """Keys whose default is None take a path (or, for as_of, a date) when given."""
    import datetime

    ok = (str, datetime.date) if key == "as_of" else (str, os.PathLike)
    if (table, key) == ("report", "names"):
        return
    if not isinstance(value, ok):
        what = "a date (YYYY-MM-DD)" if key == "as_of" else "a path (a quoted string)"
        raise ValueError(
            f"Configuration [{table}] {key} must be {what}; got {value!r} "
            f"({type(value).__name__}).")


def _check_values(cfg) -> None:
    """Refuse out-of-range settings now, rather than after minutes of model fitting."""
    for (table, key), low in _INTS.items():
        value = cfg[table][key]
        if isinstance(value, float) or value < low:
            raise ValueError(
                f"Configuration [{table}] {key} must be a whole number >= {low}; got {value!r}."
            )
    for (table, key), (low, high, closed) in _RANGES.items():
        value = cfg[table][key]
        if not (low <= value <= high) or (value == high and not closed):
            bracket = "]" if closed else ")"
            raise ValueError(
                f"Configuration [{table}] {key} must be in [{low:g}, {high:g}{bracket}; "
                f"got {value!r}."
            )
    report = cfg["report"]
    if report["currency"] is not None and not isinstance(report["currency"], str):
        raise ValueError(f"Configuration [report] currency must be text such as \"£\", \"$\" "
                         f"or \"\"; got {report['currency']!r}.")
    bad = {k: v for k, v in report["names"].items() if not isinstance(v, str) or not v.strip()}
    if bad:
        raise ValueError(f"Configuration [report] names must map clusters to names (text), "
                         f"e.g. {{\"0\" = \"Older, retired\"}}; got {bad}.")
    for key in ("costs",):
        if not all(isinstance(c, str) for c in cfg["profile"][key]):
            raise ValueError(f"Configuration [profile] {key} must be a list of column names; "
                             f"got {cfg['profile'][key]!r}.")
    window = cfg["data"]["window_days"]
    if window is not None and not (0 < window <= 100_000 and math.isfinite(window)):
        raise ValueError(
            f"Configuration [data] window_days must be a number of days in (0, 100000] (or "
            f"omitted for all history); got {window!r}."
        )
    if cfg["engine"]["kind"] not in ("local", "dask"):
        raise ValueError(
            f"Configuration [engine] kind = {cfg['engine']['kind']!r} is unknown; use "
            f"'local' or 'dask'."
        )
    address = cfg["engine"]["address"]
    if address is not None and not isinstance(address, str):
        raise ValueError(
            f"Configuration [engine] address must be a scheduler address string such as "
            f"'tcp://host:8786'; got {address!r}."
        )
    from ..selection import CRITERIA, resolve_criterion
    from ..stability._resample import METHODS

    m = cfg["models"]
    try:
        criterion = resolve_criterion(m["criterion"])
    except ValueError:
        raise ValueError(
            f"Configuration [models] criterion = {m['criterion']!r} is unknown; "
            f"use one of {', '.join(CRITERIA)} ('validity' is accepted for 'dbcv')."
        ) from None
    from ._families import FAMILIES

    by_validity = m["primary"] in FAMILIES and FAMILIES[m["primary"]].criterion == "dbcv"
    if by_validity and criterion != "dbcv":
        raise ValueError(
            f"Configuration [models] primary = 'density' cannot be chosen by "
            f"criterion = {m['criterion']!r}: density clustering (UMAP + HDBSCAN) finds its "
            f"number of clusters itself and has no likelihood. Set [models] criterion = "
            f"'dbcv' (density-based cluster validity), or choose primary = 'latent_class', "
            f"'gmm' or 'kmeans' to select k by {m['criterion']!r}."
        )
    if not by_validity and criterion == "dbcv":
        raise ValueError(
            f"Configuration [models] criterion = {m['criterion']!r} applies to density "
            f"clustering only; with primary = {m['primary']!r} use 'bic' (likelihood "
            f"families) or 'silhouette'."
        )
    if by_validity and cfg["features"]["event_features"]:
        raise ValueError(
            "Configuration [models] primary = 'density' with [features] event_features: the "
            "model file of a density study (its exemplar k-means model) reads the schema's "
            "features only. Leave event_features empty or choose another primary family."
        )
    if m["ordinal"] not in ("categorical", "ordinal"):
        raise ValueError(f"Configuration [models] ordinal = {m['ordinal']!r} is unknown; use "
                         "'categorical' or 'ordinal'.")
    if cfg["profile"]["distal"] not in ("bch", "ml", "modal"):
        raise ValueError(
            f"Configuration [profile] distal = {cfg['profile']['distal']!r} is unknown; use "
            "'bch', 'ml' or 'modal'."
        )
    if cfg["stability"]["method"] not in METHODS:
        raise ValueError(
            f"Configuration [stability] method = {cfg['stability']['method']!r} is unknown; "
            f"use one of {', '.join(METHODS)}."
        )


def _kind(default) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int | float):
        return "a number"
    if isinstance(default, str):
        return "a string"
    if isinstance(default, list):
        return "a list"
    return "a table"


def _same_kind(default, value) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, list):
        return isinstance(value, list)
    if isinstance(default, dict):
        return isinstance(value, Mapping)
    return True
