"""The bad-input catalogue: what a hostile or careless user may pass, and what they see.

One line per input: an id, what the input is, the call, and the expected outcome --
``Err(type, pattern)`` (a clear error of that type whose message matches ``pattern``, which
names the parameter or column at fault) or ``Ok(check)`` (a correct result, checked).
Every case also checks that nothing the user passed was modified, and that the call
returns within ``TIME_LIMIT`` seconds (a hang fails the case). Tiny data keep the whole file
fast. :func:`test_catalogue_counts` states the totals.
"""

from __future__ import annotations

import copy
import json
import signal
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402

import clusterdiscovery as cd  # noqa: E402
from clusterdiscovery import (  # noqa: E402
    ClientSchema,
    DensityClusterer,
    LatentClassModel,
    ModelSpecError,
    SchemaError,
)
from clusterdiscovery.cli import main as cli  # noqa: E402
from clusterdiscovery.features import aggregate_events, gower_distances, make_preprocessor  # noqa: E402,I001
from clusterdiscovery.monitoring import review_status  # noqa: E402

TIME_LIMIT = 30  # seconds per case; a hang fails
CLEAR = (SchemaError, ModelSpecError, ValueError, TypeError, FileNotFoundError,
         FileExistsError, IsADirectoryError)


@dataclass(frozen=True)
class Err:
    type: type
    pattern: str


@dataclass(frozen=True)
class Ok:
    check: object  # callable(result) -> bool


@dataclass(frozen=True)
class Case:
    id: str
    what: str       # the input
    call: object    # callable(data) -> (function, args, kwargs)
    expect: object  # Err or Ok


# ------------------------------------------------------------------ tiny data
class Data:
    """Built once: tiny frames and fitted objects the cases draw on (never modified)."""

    def __init__(self, tmp: Path):
        rng = np.random.default_rng(0)
        self.tmp = tmp
        self.pop = cd.datasets.make_client_population(n_clients=100, n_clusters=2,
                                                      random_state=0)
        c = np.repeat([0, 1], 30)
        self.num = pd.DataFrame({"a": rng.normal(c * 5, 1), "b": rng.normal(c * 5, 1)},
                                index=pd.Index([f"C{i}" for i in range(60)], name="client_id"))
        self.labels = c
        self.cat = pd.DataFrame({"x": np.where(c == 0, "u", "v"),
                                 "y": rng.choice(["p", "q"], 60)}, index=self.num.index)
        self.mixed = pd.concat([self.num, self.cat], axis=1)
        self.schema = ClientSchema(id="client_id", features={
            "a": "continuous", "b": "continuous", "x": "categorical", "y": "categorical"})
        self.km = KMeans(2, n_init=2, random_state=0).fit(self.num)
        self.model_path = tmp / "model.json"
        cd.save_model(self.model_path, self.km, X=self.num, allow_small_clusters=True,
                      schema=ClientSchema(id="client_id", features={
                          "a": {"type": "continuous", "min": -10, "max": 20},
                          "b": {"type": "continuous", "min": -10, "max": 20}}))
        self.model = cd.load_model(self.model_path)
        big = pd.DataFrame({"g": np.repeat([0, 1], 40), "v": rng.normal(size=80),
                            "cost": rng.gamma(1, 100, 80)},
                           index=pd.Index([f"C{i}" for i in range(80)], name="client_id"))
        self.prof_data = big
        self.profile = cd.profile_clusters(big[["v", "cost"]], big["g"].to_numpy(),
                                           costs="cost", n_bootstrap=50, random_state=0)
        self.csv = tmp / "clients.csv"
        self.num.to_csv(self.csv)
        (tmp / "empty.csv").write_text("")
        (tmp / "binary.csv").write_bytes(bytes(range(256)) * 4)
        (tmp / "header_only.csv").write_text("client_id,a,b\n")
        (tmp / "passwd.csv").write_text("root:x:0:0:root:/root:/bin/bash\n"
                                        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n")
        (tmp / "bad.json").write_text("{not json")
        (tmp / "list.json").write_text("[1, 2, 3]")
        (tmp / "nan.json").write_text('{"a": NaN}')
        (tmp / "dupkey.json").write_text('{"a": 1, "a": 2}')
        (tmp / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
        (tmp / "empties.json").write_text("[" + "[]," * 400_000 + "[]]")
        self.schema.to_toml(tmp / "schema.toml")  # the one TOML writer
        (tmp / "k1.toml").write_text("[models]\nk_min = 1\nk_max = 1\n")
        (tmp / "badtype.toml").write_text("[data]\nclients = 5\n")
        (tmp / "badkey.toml").write_text("[models]\nk_maximum = 5\n")
        (tmp / "badtable.toml").write_text("[modles]\nk_max = 5\n")
        (tmp / "broken.toml").write_text("[models\nk_max = ")
        a = self.pop.assignments
        self.assign_csv = tmp / "assignments.csv"
        a.to_csv(self.assign_csv, index=False)
        self.contacts_csv = tmp / "contacts.csv"
        self.pop.events.to_csv(self.contacts_csv, index=False)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Data(tmp_path_factory.mktemp("bad_inputs"))


def _replace(df, col, row, value):
    out = df.copy()
    out[col] = out[col].astype(object)
    out.iloc[row, out.columns.get_loc(col)] = value
    return out


def _set(df, col, row, value):
    out = df.copy()
    out.iloc[row, out.columns.get_loc(col)] = value
    return out


def _multi(df):
    out = df.copy()
    out.columns = pd.MultiIndex.from_tuples([("g", c) for c in df.columns])
    return out


def _ids(df, ids):
    out = df.copy()
    out.index = pd.Index(ids, name=df.index.name)
    return out


def _mixed_ids(df):
    ids = list(range(len(df)))
    ids[1] = "0"  # 0 and "0": one client written two ways
    return _ids(df, ids)


def _cat_1_and_str1(d):
    out = d.mixed.copy()
    out["x"] = [1 if i % 2 else "1" for i in range(60)]
    out["x"] = out["x"].astype(object)
    out.loc[out.index[:10], "x"] = 2
    return out


def _schema_df(d):
    return d.mixed.reset_index()


def _events(d, **changes):
    ev = d.pop.events.copy()
    for col, (row, value) in changes.items():
        ev[col] = ev[col].astype(object) if not isinstance(value, float) else ev[col]
        ev.iloc[row, ev.columns.get_loc(col)] = value
    return ev


def _status(d):
    return review_status(d.pop.assignments, d.pop.events, as_of="2025-12-31")


def _int_id_events(d):
    ev = d.pop.events.iloc[:6].copy()
    ev["client_id"] = [1, 1, 2, 2, 2, 1]
    return ev


def _total_service(d):
    ev = d.pop.events.copy()
    ev["service"] = ev["service"].astype(object)
    ev.loc[ev.index[:5], "service"] = "total"
    return ev


def lca(**kw):
    return LatentClassModel(**{"n_components": 2, "random_state": 0, **kw})


def _fit(est, X, **kw):
    return (est.fit, (X,), kw)


def _ok_labels(n):
    return Ok(lambda r: len(getattr(r, "labels_", r)) == n)


def _cli(argv):
    return (cli, (argv,), {})


def _cli_err(pattern):
    return Ok(lambda code: code == 1)  # the message is checked in test_cli_messages


def _sample_dir(d, clients_edit):
    import shutil

    from clusterdiscovery.datasets._sample import default_sample_dir

    src = default_sample_dir()  # package data: clusterdiscovery/data/sample
    dst = d.tmp / f"sample_{clients_edit}"
    if not dst.exists():
        shutil.copytree(src, dst)
        df = pd.read_csv(dst / "clients.csv", keep_default_na=False, na_values=[""])
        if clients_edit == "Female":
            df.loc[df.index[:100], "sex"] = df.loc[df.index[:100], "sex"].str.capitalize()
        elif clients_edit == "alien":
            df.loc[df.index[:3], "sex"] = "alien"
        df.to_csv(dst / "clients.csv", index=False)
    return dst


def _load_sample_ok(r):
    return r.clients["sex"].notna().all() and set(r.clients["sex"].unique()) <= {"female",
                                                                                   "male"}


# ------------------------------------------------------------------ the catalogue
G = "gaussian"
CASES = [
    # ---- LatentClassModel
    Case("lca-1e200", "1e200 in a gaussian column",
         lambda d: _fit(lca(measurement=G), _set(d.num, "a", 3, 1e200)),
         Err(ValueError, r"'a'.*1e\+200.*largest magnitude")),
    Case("lca-1e308", "-1e308 in a gaussian column",
         lambda d: _fit(lca(measurement=G), _set(d.num, "b", 0, -1e308)),
         Err(ValueError, r"'b'.*largest magnitude")),
    Case("lca-inf", "inf in a gaussian column",
         lambda d: _fit(lca(measurement=G), _set(d.num, "a", 0, np.inf)),
         Err(ValueError, r"'a'.*infinity")),
    Case("lca-poisson-neg", "negative count in a poisson column",
         lambda d: _fit(lca(measurement="poisson"), _set(d.num.round().abs(), "a", 0, -1.0)),
         Err(ValueError, r"'a'.*negative")),
    Case("lca-poisson-frac", "fractional count in a poisson column",
         lambda d: _fit(lca(measurement="poisson"), d.num.abs()),
         Err(ValueError, r"'a'.*non-integer")),
    Case("lca-lognormal-neg", "negative value in a lognormal column",
         lambda d: _fit(lca(measurement="lognormal"), d.num),
         Err(ValueError, r"'a'.*lognormal.*negative")),
    Case("lca-k0", "n_components=0", lambda d: _fit(lca(n_components=0), d.cat),
         Err(ValueError, r"n_components")),
    Case("lca-k-float", "n_components=2.5", lambda d: _fit(lca(n_components=2.5), d.cat),
         Err((TypeError, ValueError), r"n_components")),
    Case("lca-k-str", "n_components='2'", lambda d: _fit(lca(n_components="2"), d.cat),
         Err((TypeError, ValueError), r"n_components")),
    Case("lca-k-too-many", "more classes than rows",
         lambda d: _fit(lca(n_components=100), d.cat),
         Err(ValueError, r"n_components|rows|samples")),
    Case("lca-measure-typo", "measurement='gausian'", lambda d: _fit(lca(measurement="gausian"),
                                                                     d.num),
         Err(ValueError, r"measurement")),
    Case("lca-measure-col", "measurement dict naming an absent column",
         lambda d: _fit(lca(measurement={"zz": G}), d.num),
         Err(ValueError, r"zz")),
    Case("lca-empty", "a table with no rows", lambda d: _fit(lca(), d.cat.iloc[:0]),
         Err(ValueError, r"empty|0 rows|sample")),
    Case("lca-nocols", "a table with no columns", lambda d: _fit(lca(), d.cat[[]]),
         Err(ValueError, r"column|feature")),
    Case("lca-multiindex", "MultiIndex columns", lambda d: _fit(lca(), _multi(d.cat)),
         Err((TypeError, ValueError), r"MultiIndex|column")),
    Case("lca-n-init0", "n_init=0", lambda d: _fit(lca(n_init=0), d.cat),
         Err(ValueError, r"n_init")),
    Case("lca-tol-neg", "tol=-1", lambda d: _fit(lca(tol=-1.0), d.cat),
         Err(ValueError, r"tol")),
    Case("lca-maxiter0", "max_iter=0", lambda d: _fit(lca(max_iter=0), d.cat),
         Err(ValueError, r"max_iter")),
    Case("lca-init-typo", "init='kmeans++'", lambda d: _fit(lca(init="kmeans++"), d.cat),
         Err(ValueError, r"init")),
    Case("lca-rs-str", "random_state='seed'", lambda d: _fit(lca(random_state="seed"), d.cat),
         Err((TypeError, ValueError), r"random_state|seed")),
    Case("lca-all-nan-col", "a column entirely missing",
         lambda d: _fit(lca(), d.cat.assign(z=np.nan)),
         Err(ValueError, r"'z'")),
    Case("lca-weights-neg", "negative sample weights",
         lambda d: _fit(lca(), d.cat, sample_weight=-np.ones(60)),
         Err(ValueError, r"sample_weight")),
    Case("lca-weights-len", "sample weights of the wrong length",
         lambda d: _fit(lca(), d.cat, sample_weight=np.ones(5)),
         Err(ValueError, r"sample_weight")),
    Case("lca-int-cat", "categories 1 and '1' in one column",
         lambda d: _fit(lca(), pd.DataFrame({"x": [1, "1"] * 30, "y": d.cat["y"].to_numpy()})),
         Err((ValueError, TypeError), r"'x'")),
    Case("lca-ok-nan", "missing values in a categorical column (allowed)",
         lambda d: _fit(lca(), _replace(d.cat, "y", 0, np.nan)), _ok_labels(60)),
    Case("lca-ok-mixed", "mixed gaussian and categorical columns",
         lambda d: _fit(lca(measurement={"a": G, "b": G, "x": "categorical",
                                         "y": "categorical"}), d.mixed), _ok_labels(60)),
    Case("lca-predict-newcol", "predict on a table with another column set",
         lambda d: (lca().fit(d.cat).predict, (d.num,), {}),
         Err(ValueError, r"feature|column")),
    Case("lca-predict-unseen", "predict with an unseen category",
         lambda d: (lca().fit(d.cat).predict, (_replace(d.cat, "x", 0, "w"),), {}),
         Err(ValueError, r"'x'|'w'|unseen|unknown")),
    Case("lca-dates", "a datetime column", lambda d: _fit(lca(), d.cat.assign(
        t=pd.Timestamp("2024-01-01"))), Err((TypeError, ValueError), r"'t'|date")),
    Case("lca-list", "a list of lists instead of a table",
         lambda d: _fit(lca(), [[1, 2], [2, 1]] * 10), _ok_labels(20)),
    # ---- DensityClusterer
    Case("density-1e155", "1e155 in the data (hdbscan hang)",
         lambda d: _fit(DensityClusterer(use_umap=False, min_cluster_size=5),
                        _set(d.num, "a", 0, 1e155)),
         Err(ValueError, r"largest magnitude")),
    Case("density-1e300", "-1e300 in the data",
         lambda d: _fit(DensityClusterer(use_umap=False, min_cluster_size=5),
                        _set(d.num, "b", 5, -1e300)), Err(ValueError, r"largest magnitude")),
    Case("density-nan", "NaN in the data",
         lambda d: _fit(DensityClusterer(use_umap=False, min_cluster_size=5),
                        _set(d.num, "a", 0, np.nan)), Err(ValueError, r"NaN")),
    Case("density-text", "a text column",
         lambda d: _fit(DensityClusterer(use_umap=False, min_cluster_size=5), d.mixed),
         Err((TypeError, ValueError), r"'x'|numeric")),
    Case("density-mcs0", "min_cluster_size=0",
         lambda d: _fit(DensityClusterer(use_umap=False, min_cluster_size=0), d.num),
         Err(ValueError, r"min_cluster_size")),
    Case("density-mcs-float", "min_cluster_size=2.5",
         lambda d: _fit(DensityClusterer(use_umap=False, min_cluster_size=2.5), d.num),
         Err((TypeError, ValueError), r"min_cluster_size")),
    Case("density-neighbors", "n_neighbors=1",
         lambda d: _fit(DensityClusterer(n_neighbors=1), d.num),
         Err(ValueError, r"n_neighbors")),
    Case("density-umap-str", "use_umap='no'",
         lambda d: _fit(DensityClusterer(use_umap="no"), d.num),
         Err((TypeError, ValueError), r"use_umap")),
    Case("density-multiindex", "MultiIndex columns",
         lambda d: _fit(DensityClusterer(use_umap=False, min_cluster_size=5), _multi(d.num)),
         Err((TypeError, ValueError), r"MultiIndex|column")),
    Case("density-ok", "two blobs, no UMAP",
         lambda d: _fit(DensityClusterer(use_umap=False, min_cluster_size=5), d.num),
         _ok_labels(60)),
    # ---- gower_distances
    Case("gower-1e308", "+-1e308 in a numeric column",
         lambda d: (gower_distances, (_set(_set(d.num, "a", 0, 1e308), "a", 1, -1e308),), {}),
         Err(ValueError, r"'a'.*largest magnitude")),
    Case("gower-inf", "inf in a numeric column",
         lambda d: (gower_distances, (_set(d.num, "a", 0, np.inf),), {}),
         Err((ValueError, SchemaError), r"'a'.*infinite")),
    Case("gower-array", "a 1-D array", lambda d: (gower_distances, (np.arange(5),), {}),
         Err((TypeError, ValueError), r"data|2-D|DataFrame")),
    Case("gower-str", "a string", lambda d: (gower_distances, ("abc",), {}),
         Err(TypeError, r"data|DataFrame")),
    Case("gower-schema-missing", "a schema naming a column not in the data",
         lambda d: (gower_distances, (d.num,), {"schema": ClientSchema(
             id="client_id", features={"zz": "continuous"})}),
         Err((ValueError, SchemaError), r"zz")),
    Case("gower-schema-type", "schema given as a dict of nonsense",
         lambda d: (gower_distances, (d.num,), {"schema": 5}),
         Err(TypeError, r"schema")),
    Case("gower-multiindex", "MultiIndex columns",
         lambda d: (gower_distances, (_multi(d.num),), {}),
         Err((TypeError, ValueError), r"MultiIndex|column")),
    Case("gower-ok-mixed", "mixed numeric and categorical columns",
         lambda d: (gower_distances, (d.mixed,), {}),
         Ok(lambda r: r.shape == (60, 60) and np.isfinite(r).all()
            and np.allclose(r, r.T) and np.allclose(np.diag(r), 0))),
    Case("gower-ok-nan", "a missing value (left out of that pair's average)",
         lambda d: (gower_distances, (_set(d.num, "a", 0, np.nan),), {}),
         Ok(lambda r: np.isfinite(r).all())),
    # ---- compare_models / selection indices
    Case("compare-1e200", "1e200 in X",
         lambda d: (cd.compare_models, (_set(d.num, "a", 0, 1e200),),
                    {"estimators": {"km": KMeans(n_init=1, random_state=0)},
                     "n_clusters": [2]}), Err(ValueError, r"'a'.*largest magnitude")),
    Case("compare-k1", "n_clusters=[1]",
         lambda d: (cd.compare_models, (d.num,), {"estimators": {"km": KMeans(n_init=1)},
                                                  "n_clusters": [1]}),
         Ok(lambda r: len(r.summary) == 1)),
    Case("compare-k0", "n_clusters=[0]",
         lambda d: (cd.compare_models, (d.num,), {"estimators": {"km": KMeans(n_init=1)},
                                                  "n_clusters": [0]}),
         Err(ValueError, r"n_clusters")),
    Case("compare-k-big", "n_clusters above the number of rows",
         lambda d: (cd.compare_models, (d.num,), {"estimators": {"km": KMeans(n_init=1)},
                                                  "n_clusters": [500]}),
         Err(ValueError, r"n_clusters|rows|samples")),
    Case("compare-est-str", "estimators='kmeans'",
         lambda d: (cd.compare_models, (d.num,), {"estimators": "kmeans", "n_clusters": [2]}),
         Err((TypeError, ValueError), r"estimators")),
    Case("compare-est-nok", "an estimator without n_clusters/n_components",
         lambda d: (cd.compare_models, (d.num,), {"estimators": {"x": object()},
                                                  "n_clusters": [2]}),
         Err((TypeError, ValueError), r"estimator|n_clusters|n_components")),
    Case("compare-empty", "an empty table",
         lambda d: (cd.compare_models, (d.num.iloc[:0],), {"n_clusters": [2]}),
         Err(ValueError, r"empty")),
    Case("compare-multiindex", "MultiIndex columns",
         lambda d: (cd.compare_models, (_multi(d.num),), {"n_clusters": [2]}),
         Err((TypeError, ValueError), r"MultiIndex|column")),
    Case("compare-dates", "a datetime column",
         lambda d: (cd.compare_models, (d.num.assign(t=pd.Timestamp("2024-01-01")),),
                    {"n_clusters": [2]}), Err((TypeError, ValueError), r"'t'|date")),
    Case("compare-ok", "two blobs, k = 2..3",
         lambda d: (cd.compare_models, (d.num,), {"estimators": {"km": KMeans(
             n_init=2, random_state=0)}, "n_clusters": [2, 3], "random_state": 0}),
         Ok(lambda r: r.summary["silhouette"].notna().all()
            and r.best("silhouette").k == 2)),
    # ---- assess_stability / prediction_strength / consensus
    Case("stab-nres0", "n_resamples=0",
         lambda d: (cd.assess_stability, (KMeans(2, n_init=1), d.num), {"n_resamples": 0}),
         Err(ValueError, r"n_resamples")),
    Case("stab-method", "method='jackknife'",
         lambda d: (cd.assess_stability, (KMeans(2, n_init=1), d.num),
                    {"method": "jackknife", "n_resamples": 2}), Err(ValueError, r"method")),
    Case("stab-frac", "fraction=1.5",
         lambda d: (cd.assess_stability, (KMeans(2, n_init=1), d.num),
                    {"method": "subsample", "fraction": 1.5, "n_resamples": 2}),
         Err(ValueError, r"fraction")),
    Case("stab-est", "an estimator that is a string",
         lambda d: (cd.assess_stability, ("kmeans", d.num), {"n_resamples": 2}),
         Err((TypeError, ValueError), r"estimator")),
    Case("stab-reflabels", "reference labels of the wrong length",
         lambda d: (cd.assess_stability, (KMeans(2, n_init=1), d.num),
                    {"n_resamples": 2, "reference_labels": [0, 1]}),
         Err(ValueError, r"reference_labels")),
    Case("stab-1e200", "1e200 in X",
         lambda d: (cd.assess_stability, (KMeans(2, n_init=1), _set(d.num, "a", 0, 1e200)),
                    {"n_resamples": 2}), Err(ValueError, r"largest magnitude")),
    Case("stab-ok", "two blobs, 5 bootstrap resamples",
         lambda d: (cd.assess_stability, (KMeans(2, n_init=2, random_state=0), d.num),
                    {"n_resamples": 5, "random_state": 0, "warn": False}),
         Ok(lambda r: (r.summary["jaccard_mean"] > 0.9).all())),
    Case("ps-splits", "n_splits=0",
         lambda d: (cd.prediction_strength, (KMeans(n_init=1), d.num), {"n_splits": 0}),
         Err(ValueError, r"n_splits")),
    Case("ps-cutoff", "cutoff=2",
         lambda d: (cd.prediction_strength, (KMeans(n_init=1), d.num), {"cutoff": 2.0}),
         Err(ValueError, r"cutoff")),
    Case("ps-k1", "n_clusters=[1]",
         lambda d: (cd.prediction_strength, (KMeans(n_init=1), d.num),
                    {"n_clusters": [1], "n_splits": 2}),
         Err(ValueError, r"n_clusters")),
    Case("ps-1e200", "1e200 in X",
         lambda d: (cd.prediction_strength, (KMeans(n_init=1), _set(d.num, "a", 0, 1e200)),
                    {"n_clusters": [2], "n_splits": 2}),
         Err(ValueError, r"largest magnitude")),
    Case("consensus-nan", "NaN in X",
         lambda d: (cd.consensus_clustering, (KMeans(n_init=1), _set(d.num, "a", 0, np.nan)),
                    {"n_clusters": [2], "n_resamples": 3}), Err(ValueError, r"NaN|missing")),
    Case("consensus-1e200", "1e200 in X",
         lambda d: (cd.consensus_clustering, (KMeans(n_init=1), _set(d.num, "a", 0, 1e200)),
                    {"n_clusters": [2], "n_resamples": 3}),
         Err(ValueError, r"largest magnitude")),
    Case("consensus-k1", "n_clusters=[1]",
         lambda d: (cd.consensus_clustering, (KMeans(n_init=1), d.num),
                    {"n_clusters": [1], "n_resamples": 3}), Err(ValueError, r"n_clusters")),
    Case("consensus-frac", "fraction=0",
         lambda d: (cd.consensus_clustering, (KMeans(n_init=1), d.num),
                    {"n_clusters": [2], "fraction": 0.0}), Err(ValueError, r"fraction")),
    Case("consensus-ok", "two blobs, k = 2",
         lambda d: (cd.consensus_clustering, (KMeans(n_init=2, random_state=0), d.num),
                    {"n_clusters": [2], "n_resamples": 5, "random_state": 0}),
         Ok(lambda r: len(r.summary) == 1)),
    Case("align-len", "align_labels with different lengths",
         lambda d: (cd.align_labels, ([0, 1, 1], [0, 1]), {}),
         Err(ValueError, r"length|same")),
    # ---- compare_partitions
    Case("partitions-len", "labels of different lengths",
         lambda d: (cd.compare_partitions, ([0, 1, 1], [0, 1]), {}),
         Err(ValueError, r"length|same")),
    Case("partitions-nan", "NaN in the labels",
         lambda d: (cd.compare_partitions, ([0, 1, np.nan], [0, 1, 1]), {}),
         Err(ValueError, r"NaN|missing")),
    Case("partitions-empty", "empty labels",
         lambda d: (cd.compare_partitions, ([], []), {}), Err(ValueError, r"empty|0")),
    Case("partitions-2d", "a 2-D array of labels",
         lambda d: (cd.compare_partitions, (np.zeros((3, 2)), [0, 1, 1]), {}),
         Err((TypeError, ValueError), r"1-D|labels")),
    Case("partitions-ids", "Series indexed by different ids",
         lambda d: (cd.compare_partitions, (pd.Series([0, 1], index=["a", "b"]),
                                            pd.Series([0, 1], index=["c", "d"])), {}),
         Err(ValueError, r"id|index")),
    Case("partitions-ok", "the same partition relabelled",
         lambda d: (cd.compare_partitions, ([0, 0, 1, 1, 2], [2, 2, 0, 0, 1]), {}),
         Ok(lambda r: abs(r.ari - 1) < 1e-12)),
    # ---- profile_clusters
    Case("profile-1e308-cost", "a cost of 1e308",
         lambda d: (cd.profile_clusters, (_set(d.prof_data, "cost", 0, 1e308),
                                          d.prof_data["g"].to_numpy()),
                    {"costs": "cost", "n_bootstrap": 20}),
         Err(ValueError, r"'cost'.*largest magnitude")),
    Case("profile-1e200", "1e200 in a profiled numeric column",
         lambda d: (cd.profile_clusters, (_set(d.prof_data, "v", 0, 1e200),
                                          d.prof_data["g"].to_numpy()),
                    {"n_bootstrap": 20}),
         Err(ValueError, r"'v'.*largest magnitude")),
    Case("profile-neg-cost", "a negative cost",
         lambda d: (cd.profile_clusters, (_set(d.prof_data, "cost", 0, -5.0),
                                          d.prof_data["g"].to_numpy()),
                    {"costs": "cost", "n_bootstrap": 20}),
         Err(ValueError, r"'cost'.*negative|>= 0")),
    Case("profile-labels-len", "labels of the wrong length",
         lambda d: (cd.profile_clusters, (d.prof_data, [0, 1]), {}),
         Err(ValueError, r"labels")),
    Case("profile-labels-nan", "NaN labels",
         lambda d: (cd.profile_clusters, (d.prof_data, np.full(80, np.nan)), {}),
         Err(ValueError, r"labels")),
    Case("profile-mcs-neg", "min_cell_size=-1",
         lambda d: (cd.profile_clusters, (d.prof_data, d.prof_data["g"].to_numpy()),
                    {"min_cell_size": -1}), Err(ValueError, r"min_cell_size")),
    Case("profile-boot0", "n_bootstrap=0",
         lambda d: (cd.profile_clusters, (d.prof_data, d.prof_data["g"].to_numpy()),
                    {"n_bootstrap": 0, "costs": "cost"}), Err(ValueError, r"n_bootstrap")),
    Case("profile-cost-absent", "a cost column not in the data",
         lambda d: (cd.profile_clusters, (d.prof_data, d.prof_data["g"].to_numpy()),
                    {"costs": "price"}), Err(ValueError, r"'price'")),
    Case("profile-cost-text", "a cost column of text",
         lambda d: (cd.profile_clusters, (_replace(d.prof_data, "cost", 0, "ten"),
                                          d.prof_data["g"].to_numpy()), {"costs": "cost"}),
         Err(TypeError, r"'cost'")),
    Case("profile-outcome-shape", "outcomes not given as (baseline, follow-up) pairs",
         lambda d: (cd.profile_clusters, (d.prof_data, d.prof_data["g"].to_numpy()),
                    {"outcomes": {"o": "v"}}), Err((TypeError, ValueError), r"(?i)outcome")),
    Case("profile-alpha", "alpha=1.5",
         lambda d: (cd.profile_clusters, (d.prof_data, d.prof_data["g"].to_numpy()),
                    {"alpha": 1.5}), Err(ValueError, r"alpha")),
    Case("profile-multiindex", "MultiIndex columns",
         lambda d: (cd.profile_clusters, (_multi(d.prof_data), d.prof_data["g"].to_numpy()),
                    {}), Err((TypeError, ValueError), r"MultiIndex|column")),
    Case("profile-id-column", "a numeric id column not named id (no schema)",
         lambda d: (cd.profile_clusters, (d.prof_data.assign(patient_no=np.arange(1000, 1080)),
                                          d.prof_data["g"].to_numpy()), {"n_bootstrap": 20}),
         Ok(lambda r: "patient_no" not in r.table1.index.get_level_values("variable"))),
    Case("profile-ok", "two groups of 40, one cost",
         lambda d: (cd.profile_clusters, (d.prof_data[["v", "cost"]],
                                          d.prof_data["g"].to_numpy()),
                    {"costs": "cost", "n_bootstrap": 20, "random_state": 0}),
         Ok(lambda r: list(r.table1.loc[("clients", "", "n")]) == [40, 40, 80])),
    # ---- describe_clusters
    Case("describe-script-name", "a cluster name holding <script>",
         lambda d: (cd.describe_clusters, (d.profile,),
                    {"names": {0: "<script>alert(1)</script>", 1: "b"}}),
         Ok(lambda r: "<script" not in r[0].text and not any(
             "<script" in r.to_markdown(part=p) or "<script" in r.to_html(part=p)
             for p in ("report", "appendix")))),
    Case("describe-img-title", "a title holding <img onerror=...>",
         lambda d: (cd.describe_clusters, (d.profile,), {"title": "<img src=x onerror=alert(1)>"}),
         Ok(lambda r: not any("<img src=x" in r.to_markdown(part=p)
                              or "<img src=x" in r.to_html(part=p)
                              for p in ("report", "appendix")))),
    Case("describe-link-name", "a cluster name holding a Markdown link",
         lambda d: (cd.describe_clusters, (d.profile,),
                    {"names": {0: "[click](javascript:alert(1))", 1: "b"}}),
         Ok(lambda r: not any("](javascript" in r.to_markdown(part=p)
                              for p in ("report", "appendix")))),
    Case("describe-fig-dotdot", "a figure name '../evil' through sections",
         lambda d: (cd.describe_clusters, (d.profile,),
                    {"sections": [("S", ["p"], [], [("../evil", "c", b"\x89PNG")])]}),
         Err(ValueError, r"'\.\./evil'.*plain file name")),
    Case("describe-fig-abs", "a figure name '/tmp/evil'",
         lambda d: (cd.describe_clusters, (d.profile,),
                    {"sections": [("S", ["p"], [], [("/tmp/evil", "c", b"\x89PNG")])]}),
         Err(ValueError, r"plain file name")),
    Case("describe-fig-notbytes", "a figure that is not PNG bytes",
         lambda d: (cd.describe_clusters, (d.profile,),
                    {"sections": [("S", ["p"], [], [("f", "c", "not bytes")])]}),
         Err(TypeError, r"figures")),
    Case("describe-sections-str", "sections='text'",
         lambda d: (cd.describe_clusters, (d.profile,), {"sections": "text"}),
         Err(TypeError, r"sections")),
    Case("describe-names-unknown", "names for a cluster that does not exist",
         lambda d: (cd.describe_clusters, (d.profile,), {"names": {7: "x"}}),
         Err(ValueError, r"7|cluster")),
    Case("describe-profile-type", "a DataFrame instead of a profile",
         lambda d: (cd.describe_clusters, (d.prof_data,), {}), Err(TypeError, r"profile")),
    Case("describe-topn", "top_n=0",
         lambda d: (cd.describe_clusters, (d.profile,), {"top_n": 0}),
         Err(ValueError, r"top_n")),
    Case("describe-save-file", "save into a path that is a file",
         lambda d: (cd.describe_clusters(d.profile).save, (d.csv,), {}),
         Err(FileExistsError, r"is a file")),
    Case("describe-save-int", "save(5)",
         lambda d: (cd.describe_clusters(d.profile).save, (5,), {}),
         Err(TypeError, r"directory")),
    Case("describe-ok", "names and a title",
         lambda d: (cd.describe_clusters, (d.profile,), {"names": {0: "A", 1: "B"},
                                                         "title": "T"}),
         Ok(lambda r: [x.name for x in r] == ["A", "B"])),
    # ---- model files
    Case("load-missing", "a model file that does not exist",
         lambda d: (cd.load_model, (d.tmp / "nope.json",), {}),
         Err(FileNotFoundError, r"nope")),
    Case("load-badjson", "a file that is not JSON", lambda d: (cd.load_model,
                                                                (d.tmp / "bad.json",), {}),
         Err(ModelSpecError, r"not valid JSON")),
    Case("load-list", "a JSON array", lambda d: (cd.load_model, (d.tmp / "list.json",), {}),
         Err(ModelSpecError, r"\$")),
    Case("load-nan", "JSON with NaN", lambda d: (cd.load_model, (d.tmp / "nan.json",), {}),
         Err(ModelSpecError, r"NaN|\$")),
    Case("load-dupkey", "JSON with a repeated key",
         lambda d: (cd.load_model, (d.tmp / "dupkey.json",), {}),
         Err(ModelSpecError, r"twice")),
    Case("load-deep", "JSON nested 100000 deep",
         lambda d: (cd.load_model, (d.tmp / "deep.json",), {}),
         Err(ModelSpecError, r"nested|lists or objects")),
    Case("load-empties", "1.2 MB of empty lists",
         lambda d: (cd.load_model, (d.tmp / "empties.json",), {}),
         Err(ModelSpecError, r"lists or objects.*not a model file")),
    Case("load-binary", "a binary file", lambda d: (cd.load_model, (d.tmp / "binary.csv",),
                                                    {}),
         Err(ModelSpecError, r"UTF-8|JSON")),
    Case("load-maxbytes", "max_bytes=10", lambda d: (cd.load_model, (d.model_path,),
                                                     {"max_bytes": 10}),
         Err(ModelSpecError, r"max_bytes")),
    Case("load-int", "load_model(5)", lambda d: (cd.load_model, (5,), {}),
         Err(TypeError, r"path")),
    Case("load-dir", "a folder", lambda d: (cd.load_model, (d.tmp,), {}),
         Err((FileNotFoundError, ValueError), r"")),
    Case("assign-out-of-range", "a value far outside the stored range (-1000 against -10..20)",
         lambda d: (d.model.assign, (_set(d.num, "a", 0, -1000.0),), {}),
         Ok(lambda r: bool(r["out_of_range"].iloc[0]) and not r["out_of_range"].iloc[1:].any())),
    Case("assign-missing-col", "a table without a model column",
         lambda d: (d.model.assign, (d.num[["a"]],), {}), Err(ModelSpecError, r"'b'")),
    Case("assign-text", "text in a numeric column",
         lambda d: (d.model.assign, (_replace(d.num, "a", 0, "tall"),), {}),
         Err(ModelSpecError, r"'a'")),
    Case("assign-threshold", "threshold=0",
         lambda d: (d.model.assign, (d.num,), {"threshold": 0}),
         Err(ValueError, r"threshold")),
    Case("assign-unknown", "unknown='ignore'",
         lambda d: (d.model.assign, (d.num,), {"unknown": "ignore"}),
         Err(ValueError, r"unknown")),
    Case("assign-array", "an array instead of a table",
         lambda d: (d.model.assign, (d.num.to_numpy(),), {}),
         Err(TypeError, r"DataFrame|data")),
    Case("assign-1e200", "1e200 (zero probability in every cluster)",
         lambda d: (d.model.assign, (_set(d.num, "b", 2, 1e200),), {}),
         Err(ModelSpecError, r"row 2.*ranges")),
    Case("assign-ok-far", "a value outside the range that still has a probability",
         lambda d: (d.model.assign, (_set(d.num, "b", 2, 25.0),), {}),
         Ok(lambda r: bool(r["out_of_range"].iloc[2]) and r["out_of_range"].sum() == 1)),
    Case("assign-ok", "the training rows",
         lambda d: (d.model.assign, (d.num,), {}),
         Ok(lambda r: (r["label"].to_numpy() == d_km_labels(r)).all()
            and not r["out_of_range"].any())),
    Case("save-path-dir", "save_model into a folder path",
         lambda d: (cd.save_model, (d.tmp, d.km), {"X": d.num, "allow_small_clusters": True}),
         Err((IsADirectoryError, ValueError, FileExistsError, TypeError), r"")),
    Case("save-unfitted", "an unfitted estimator",
         lambda d: (cd.save_model, (d.tmp / "m2.json", KMeans(2)), {}),
         Err((ValueError, TypeError, ModelSpecError), r"fit")),
    Case("save-names-len", "names of the wrong length",
         lambda d: (cd.save_model, (d.tmp / "m3.json", d.km), {"names": ["a"], "X": d.num,
                                                              "allow_small_clusters": True}),
         Err(ValueError, r"names")),
    Case("save-small", "clusters of 30 with min_cell_size=50",
         lambda d: (cd.save_model, (d.tmp / "m4.json", d.km), {"X": d.num,
                                                              "min_cell_size": 50}),
         Err(ValueError, r"min_cell_size|small")),
    # ---- schema
    Case("schema-ids-1-and-str1", "ids 0 and '0' (one client, two ways)",
         lambda d: (d.schema.validate, (_mixed_ids(d.mixed),), {}),
         Err(SchemaError, r"'client_id'.*differ only in type")),
    Case("schema-ids-space", "ids 'C1' and 'C1 '",
         lambda d: (d.schema.validate, (_ids(d.mixed, ["C1 "] + [f"C{i}" for i in
                                                               range(1, 60)]),), {}),
         Err(SchemaError, r"differ only in type or spacing")),
    Case("schema-ids-dup", "a duplicated id",
         lambda d: (d.schema.validate, (_ids(d.mixed, ["C0"] * 2 + [f"C{i}" for i in
                                                                   range(2, 60)]),), {}),
         Err(SchemaError, r"duplicated")),
    Case("schema-ids-nan", "a missing id",
         lambda d: (d.schema.validate, (_ids(d.mixed, [None] + [f"C{i}" for i in
                                                              range(1, 60)]),), {}),
         Err(SchemaError, r"missing id")),
    Case("schema-level-1-str1", "a categorical with 1 and '1'",
         lambda d: (d.schema.validate, (_cat_1_and_str1(d),), {}),
         Err(SchemaError, r"'x'.*print alike")),
    Case("schema-missing-col", "a feature column absent",
         lambda d: (d.schema.validate, (d.mixed.drop(columns="a"),), {}),
         Err(SchemaError, r"'a'")),
    Case("schema-text-num", "text in a continuous column",
         lambda d: (d.schema.validate, (_replace(d.mixed, "a", 0, "abc"),), {}),
         Err(SchemaError, r"'a'")),
    Case("schema-inf", "inf in a continuous column",
         lambda d: (d.schema.validate, (_set(d.mixed, "a", 0, np.inf),), {}),
         Err(SchemaError, r"'a'")),
    Case("schema-1e200", "1e200 in a continuous column",
         lambda d: (d.schema.validate, (_set(d.mixed, "a", 0, 1e200),), {}),
         Err(SchemaError, r"'a'.*largest magnitude")),
    Case("schema-const", "a constant feature",
         lambda d: (d.schema.validate, (d.mixed.assign(a=1.0),), {}),
         Err(SchemaError, r"'a'.*constant")),
    Case("schema-empty", "an empty table",
         lambda d: (d.schema.validate, (d.mixed.iloc[:0],), {}), Err(SchemaError, r"empty")),
    Case("schema-dupcols", "duplicated column names",
         lambda d: (d.schema.validate, (pd.concat([d.mixed, d.mixed[["a"]]], axis=1),), {}),
         Err(SchemaError, r"more than once")),
    Case("schema-not-df", "a dict instead of a table",
         lambda d: (d.schema.validate, ({"a": [1]},), {}), Err(TypeError, r"DataFrame")),
    Case("schema-bad-type", "a feature type 'numeric'",
         lambda d: (ClientSchema, (), {"id": "i", "features": {"a": "numeric"}}),
         Err((SchemaError, ValueError), r"'a'|numeric")),
    Case("schema-id-int", "id=5", lambda d: (ClientSchema, (), {"id": 5, "features": {}}),
         Err((TypeError, SchemaError, ValueError), r"id")),
    Case("schema-toml-missing", "from_toml of a missing file",
         lambda d: (ClientSchema.from_toml, (d.tmp / "nope.toml",), {}),
         Err(FileNotFoundError, r"nope")),
    Case("schema-toml-broken", "from_toml of broken TOML",
         lambda d: (ClientSchema.from_toml, (d.tmp / "broken.toml",), {}),
         Err((SchemaError, ValueError), r"TOML|broken")),
    Case("schema-ok-female", "a categorical with its declared levels",
         lambda d: (d.schema.validate, (d.mixed,), {}), Ok(lambda r: r.shape == (60, 4))),
    # ---- datasets
    Case("sample-Female", "a sample folder spelling 'Female' for a declared 'female'",
         lambda d: (cd.datasets.load_sample, (_sample_dir(d, "Female"),), {}),
         Ok(_load_sample_ok)),
    Case("sample-alien", "a sample folder with an undeclared level 'alien'",
         lambda d: (cd.datasets.load_sample, (_sample_dir(d, "alien"),), {}),
         Err(SchemaError, r"'sex'.*alien")),
    Case("sample-missing-dir", "a sample folder that does not exist",
         lambda d: (cd.datasets.load_sample, (d.tmp / "no_sample",), {}),
         Err(FileNotFoundError, r"no_sample|not found")),
    Case("population-n", "n_clients=10",
         lambda d: (cd.datasets.make_client_population, (), {"n_clients": 10}),
         Err(ValueError, r"n_clients")),
    Case("population-k", "n_clusters=0",
         lambda d: (cd.datasets.make_client_population, (), {"n_clusters": 0,
                                                            "n_clients": 100}),
         Err(ValueError, r"n_clusters")),
    Case("population-rs", "random_state='x'",
         lambda d: (cd.datasets.make_client_population, (), {"random_state": "x",
                                                            "n_clients": 100}),
         Err((TypeError, ValueError), r"random_state|seed")),
    # ---- features
    Case("events-window-1e308", "window_days=1e308",
         lambda d: (aggregate_events, (d.pop.events,), {"window_days": 1e308}),
         Err(ValueError, r"window_days")),
    Case("events-window-0", "window_days=0",
         lambda d: (aggregate_events, (d.pop.events,), {"window_days": 0}),
         Err(ValueError, r"window_days")),
    Case("events-window-str", "window_days='365'",
         lambda d: (aggregate_events, (d.pop.events,), {"window_days": "365"}),
         Err(TypeError, r"window_days")),
    Case("events-total-service", "a service literally named 'total'",
         lambda d: (aggregate_events, (_total_service(d),), {}),
         Err(ValueError, r"'total'.*reserved")),
    Case("events-cost-1e308", "a cost of 1e308",
         lambda d: (aggregate_events, (_events(d, cost=(0, 1e308)),), {}),
         Err((ValueError, SchemaError), r"'cost'.*largest magnitude")),
    Case("events-cost-neg", "a negative cost",
         lambda d: (aggregate_events, (_events(d, cost=(0, -1.0)),), {}),
         Err(SchemaError, r"'cost'.*negative")),
    Case("events-cost-nan", "a missing cost",
         lambda d: (aggregate_events, (_events(d, cost=(0, np.nan)),), {}),
         Err(SchemaError, r"'cost'.*missing")),
    Case("events-no-date", "events without a date column",
         lambda d: (aggregate_events, (d.pop.events.drop(columns="date"),), {}),
         Err((SchemaError, ValueError), r"date")),
    Case("events-not-df", "events as a list",
         lambda d: (aggregate_events, ([1, 2],), {}), Err(TypeError, r"events")),
    Case("events-multiindex", "MultiIndex columns",
         lambda d: (aggregate_events, (_multi(d.pop.events),), {}),
         Err((TypeError, ValueError), r"MultiIndex")),
    Case("events-ids-int-vs-str", "event ids 1, 2 against client ids '1', '2' (drop mode)",
         lambda d: (aggregate_events, (_int_id_events(d),), {
             "clients": pd.Index(["1", "2"], name="client_id"), "unknown": "drop"}),
         Err(ValueError, r"only as text")),
    Case("events-ok", "the population's events",
         lambda d: (aggregate_events, (d.pop.events,), {"window_days": 365}),
         Ok(lambda r: len(r) == d_n_clients(r) and (r["n_total"] >= 0).all())),
    Case("prep-schema-type", "make_preprocessor(schema='x')",
         lambda d: (make_preprocessor, ("x",), {}), Err(TypeError, r"schema")),
    Case("prep-option", "an unknown option",
         lambda d: (make_preprocessor, (d.schema,), {"scaling": "robustt"}),
         Err((TypeError, ValueError), r"scaling|option")),
    Case("prep-1e200", "fit the preprocessor on data holding 1e200",
         lambda d: (make_preprocessor(d.schema).fit, (_set(d.mixed, "a", 0, 1e200),), {}),
         Err(ValueError, r"'a'.*largest magnitude")),
    Case("prep-ok", "fit the preprocessor on mixed data",
         lambda d: (make_preprocessor(d.schema).fit_transform, (d.mixed,), {}),
         Ok(lambda r: r.shape[0] == 60 and np.isfinite(r.to_numpy(dtype=float)).all())),
    # ---- monitoring
    Case("review-asof", "as_of='yesterday'",
         lambda d: (review_status, (d.pop.assignments, d.pop.events), {"as_of": "yesterday"}),
         Err((ValueError, TypeError), r"as_of")),
    Case("review-not-df", "assignments as a list",
         lambda d: (review_status, ([1], d.pop.events), {"as_of": "2025-12-31"}),
         Err(TypeError, r"assignments")),
    Case("review-missing-col", "assignments without a cluster column",
         lambda d: (review_status, (d.pop.assignments.drop(columns="cluster"), d.pop.events),
                    {"as_of": "2025-12-31"}), Err((SchemaError, ValueError), r"cluster")),
    Case("review-due", "due_within_days=-1",
         lambda d: (review_status, (d.pop.assignments, d.pop.events),
                    {"as_of": "2025-12-31", "due_within_days": -1}),
         Err(ValueError, r"due_within_days")),
    Case("review-ok", "the population's assignments and contacts",
         lambda d: (review_status, (d.pop.assignments, d.pop.events), {"as_of": "2025-12-31"}),
         Ok(lambda r: set(r.table["status"]) <= {"current", "due", "expired", "missing"})),
    Case("team-summary-type", "team_summary of a DataFrame",
         lambda d: (cd.monitoring.team_summary, (d.pop.assignments,), {}),
         Err(SchemaError, r"'status'.*lacks")),
    Case("pareto-threshold", "pareto_teams threshold=1.5",
         lambda d: (cd.monitoring.pareto_teams, (_status(d),), {"threshold": 1.5}),
         Err(ValueError, r"threshold")),
    Case("pareto-ok", "pareto_teams of a review status",
         lambda d: (cd.monitoring.pareto_teams, (_status(d),), {}),
         Ok(lambda r: len(r.summary) >= 1)),
    Case("worklist-dates", "work_list with end before start",
         lambda d: (cd.monitoring.work_list, (_status(d), d.pop.events),
                    {"start": "2025-12-31", "end": "2025-01-01"}),
         Err(ValueError, r"end|start")),
    Case("worklist-col", "work_list with an absent date column",
         lambda d: (cd.monitoring.work_list, (_status(d), d.pop.events), {"date_col": "when"}),
         Err((ValueError, SchemaError), r"when")),
    Case("trend-end", "trend with end='soon'",
         lambda d: (cd.monitoring.trend, (d.pop.assignments, d.pop.events), {"end": "soon"}),
         Err((ValueError, TypeError), r"end|soon")),
    Case("periods-missing", "load_review_periods of a missing file",
         lambda d: (cd.monitoring.load_review_periods, (d.tmp / "nope.csv",), {}),
         Err(FileNotFoundError, r"nope")),
    Case("periods-binary", "load_review_periods of a binary file",
         lambda d: (cd.monitoring.load_review_periods, (d.tmp / "binary.csv",), {}),
         Err(ValueError, r"")),
    Case("map-len", "cluster_map with labels of the wrong length",
         lambda d: (cd.profiling.cluster_map, (d.num, [0, 1]), {}),
         Err(ValueError, r"labels")),
    Case("map-1e200", "cluster_map of data holding 1e200",
         lambda d: (cd.profiling.cluster_map, (_set(d.num, "a", 0, 1e200), d.labels), {}),
         Err(ValueError, r"largest magnitude")),
    Case("map-ok", "cluster_map of two blobs, min_cell_size 11",
         lambda d: (cd.profiling.cluster_map, (d.num, d.labels), {"gridsize": 5}),
         Ok(lambda r: r is not None)),
    Case("best-criterion", "ModelSelectionResult.best('aicc')",
         lambda d: (cd.compare_models(d.num, {"km": KMeans(n_init=1, random_state=0)},
                                      [2]).best, ("aicc",), {}),
         Err(ValueError, r"criterion|aicc")),
    Case("profile-plot-kind", "ClusterProfile.plot(kind='pie')",
         lambda d: (d.profile.plot, (), {"kind": "pie"}), Err(ValueError, r"kind|pie")),
    # ---- discover
    Case("discover-k1", "k_min = k_max = 1",
         lambda d: (cd.discover, ({"models": {"k_min": 1, "k_max": 1}},), {"data": d.pop}),
         Err(ValueError, r"k_max")),
    Case("discover-toml-k1", "a TOML with k_min = k_max = 1",
         lambda d: (cd.discover, (d.tmp / "k1.toml",), {"data": d.pop}),
         Err(ValueError, r"k_max")),
    Case("discover-toml-type", "a TOML path key given a number (default None)",
         lambda d: (cd.discover, (d.tmp / "badtype.toml",), {}),
         Err(ValueError, r"\[data\] clients must be a path")),
    Case("discover-asof-type", "as_of = 5 in the config",
         lambda d: (cd.discover, ({"data": {"as_of": 5}},), {"data": d.pop}),
         Err(ValueError, r"as_of")),
    Case("discover-toml-key", "an unknown key", lambda d: (cd.discover,
                                                           (d.tmp / "badkey.toml",), {}),
         Err(ValueError, r"k_maximum")),
    Case("discover-toml-table", "an unknown table",
         lambda d: (cd.discover, (d.tmp / "badtable.toml",), {}), Err(ValueError, r"modles")),
    Case("discover-toml-broken", "broken TOML",
         lambda d: (cd.discover, (d.tmp / "broken.toml",), {}),
         Err(ValueError, r"TOML|broken")),
    Case("discover-window", "window_days = 1e308",
         lambda d: (cd.discover, ({"data": {"window_days": 1e308}},), {"data": d.pop}),
         Err(ValueError, r"window_days")),
    Case("discover-minshare", "min_share = 1.5",
         lambda d: (cd.discover, ({"models": {"min_share": 1.5}},), {"data": d.pop}),
         Err(ValueError, r"min_share")),
    Case("discover-family", "an unknown family",
         lambda d: (cd.discover, ({"models": {"families": ["dbscan"]}},), {"data": d.pop}),
         Err(ValueError, r"dbscan|primary")),
    Case("discover-empty-csv", "an empty CSV as the clients file",
         lambda d: (cd.discover, ({"data": {"clients": str(d.tmp / "empty.csv"),
                                            "schema": str(d.tmp / "schema.toml")}},), {}),
         Err(ValueError, r"empty")),
    Case("discover-binary-csv", "a binary file as the clients file",
         lambda d: (cd.discover, ({"data": {"clients": str(d.tmp / "binary.csv"),
                                            "schema": str(d.tmp / "schema.toml")}},), {}),
         Err(ValueError, r"binary")),
    Case("discover-passwd", "/etc/passwd-like text as the clients file",
         lambda d: (cd.discover, ({"data": {"clients": str(d.tmp / "passwd.csv"),
                                            "schema": str(d.tmp / "schema.toml")}},), {}),
         Err(ValueError, r"column|CSV")),
    Case("discover-header-only", "a CSV with a header and no rows",
         lambda d: (cd.discover, ({"data": {"clients": str(d.tmp / "header_only.csv"),
                                            "schema": str(d.tmp / "schema.toml")}},), {}),
         Err(ValueError, r"no rows")),
    Case("discover-data-type", "data=5", lambda d: (cd.discover, (), {"data": 5}),
         Err(TypeError, r"data")),
    Case("discover-rs", "random_state=None", lambda d: (cd.discover, (), {"data": d.pop,
                                                                          "random_state": None}),
         Err(TypeError, r"random_state")),
    Case("discover-out-int", "out=1", lambda d: (cd.discover, (), {"data": d.pop, "out": 1}),
         Err(TypeError, r"out")),
    Case("discover-out-file", "out is an existing file (nothing written)",
         lambda d: (cd.discover, ({"models": {"k_min": 2, "k_max": 2, "n_init": 1},
                                   "stability": {"n_resamples": 2},
                                   "profile": {"n_bootstrap": 10}},),
                    {"data": d.pop, "out": d.csv}),
         Err(FileExistsError, r"is a file")),
    Case("discover-ids-mixed", "clients whose ids 0 and '0' collide",
         lambda d: (cd.discover, (), {"data": {"clients": _mixed_ids(d.mixed).reset_index(),
                                               "schema": d.schema}}),
         Err(SchemaError, r"differ only in type")),
    Case("discover-multiindex", "clients with MultiIndex columns",
         lambda d: (cd.discover, (), {"data": {"clients": _multi(d.mixed),
                                               "schema": d.schema}}),
         Err((TypeError, ValueError), r"MultiIndex|client id")),
    Case("discover-1e200", "a client feature of 1e200",
         lambda d: (cd.discover, ({"models": {"k_min": 2, "k_max": 2, "n_init": 1}},),
                    {"data": {"clients": _set(d.mixed, "a", 0, 1e200), "schema": d.schema}}),
         Err(ValueError, r"'a'.*largest magnitude")),
    # ---- command line (exit code 1 with a one-line message; 0 on success)
    Case("cli-nocommand", "no command", lambda d: _cli([]), Ok(lambda c: c == 2)),
    Case("cli-unknown", "an unknown command", lambda d: _cli(["frobnicate"]),
         Ok(lambda c: c == 2)),
    Case("cli-discover-toml", "discover with a missing TOML",
         lambda d: _cli(["discover", str(d.tmp / "nope.toml"), "--out", str(d.tmp / "o1")]),
         Ok(lambda c: c == 1)),
    Case("cli-discover-k1", "discover with k_min = k_max = 1",
         lambda d: _cli(["discover", str(d.tmp / "k1.toml"), "--out", str(d.tmp / "o2"),
                         "--quiet"]), Ok(lambda c: c == 1)),
    Case("cli-discover-badtype", "discover with a TOML path key of the wrong type",
         lambda d: _cli(["discover", str(d.tmp / "badtype.toml"), "--out",
                         str(d.tmp / "o3")]), Ok(lambda c: c == 1)),
    Case("cli-assign-missing-model", "assign with a missing model file",
         lambda d: _cli(["assign", str(d.tmp / "nope.json"), str(d.csv), "--out",
                         str(d.tmp / "l.csv")]), Ok(lambda c: c == 1)),
    Case("cli-assign-empty", "assign an empty CSV",
         lambda d: _cli(["assign", str(d.model_path), str(d.tmp / "empty.csv"), "--out",
                         str(d.tmp / "l.csv")]), Ok(lambda c: c == 1)),
    Case("cli-assign-binary", "assign a binary file",
         lambda d: _cli(["assign", str(d.model_path), str(d.tmp / "binary.csv"), "--out",
                         str(d.tmp / "l.csv")]), Ok(lambda c: c == 1)),
    Case("cli-assign-passwd", "assign an /etc/passwd-like file",
         lambda d: _cli(["assign", str(d.model_path), str(d.tmp / "passwd.csv"), "--out",
                         str(d.tmp / "l.csv")]), Ok(lambda c: c == 1)),
    Case("cli-assign-badmodel", "assign with a model file that is not JSON",
         lambda d: _cli(["assign", str(d.tmp / "bad.json"), str(d.csv), "--out",
                         str(d.tmp / "l.csv")]), Ok(lambda c: c == 1)),
    Case("cli-assign-threshold", "assign --threshold 2",
         lambda d: _cli(["assign", str(d.model_path), str(d.csv), "--out",
                         str(d.tmp / "l.csv"), "--threshold", "2"]), Ok(lambda c: c == 1)),
    Case("cli-assign-id", "assign --id naming an absent column",
         lambda d: _cli(["assign", str(d.model_path), str(d.csv), "--out",
                         str(d.tmp / "l.csv"), "--id", "nope"]), Ok(lambda c: c == 1)),
    Case("cli-assign-out-dir", "assign --out naming a folder",
         lambda d: _cli(["assign", str(d.model_path), str(d.csv), "--out", str(d.tmp)]),
         Ok(lambda c: c == 1)),
    Case("cli-assign-ok", "assign the training clients",
         lambda d: _cli(["assign", str(d.model_path), str(d.csv), "--out",
                         str(d.tmp / "ok_labels.csv")]),
         Ok(lambda c: c == 0 and "out_of_range" in pd.read_csv(
             _TMP[0] / "ok_labels.csv").columns)),
    Case("cli-monitor-asof", "monitor --as-of yesterday",
         lambda d: _cli(["monitor", str(d.assign_csv), str(d.contacts_csv), "--as-of",
                         "yesterday", "--out", str(d.tmp / "m1")]), Ok(lambda c: c == 1)),
    Case("cli-monitor-empty", "monitor with an empty assignments CSV",
         lambda d: _cli(["monitor", str(d.tmp / "empty.csv"), str(d.contacts_csv), "--as-of",
                         "2025-12-31", "--out", str(d.tmp / "m2")]),
         Ok(lambda c: c == 1 and not (_TMP[0] / "m2").exists())),
    Case("cli-monitor-binary", "monitor with a binary contacts file",
         lambda d: _cli(["monitor", str(d.assign_csv), str(d.tmp / "binary.csv"), "--as-of",
                         "2025-12-31", "--out", str(d.tmp / "m3")]), Ok(lambda c: c == 1)),
    Case("cli-monitor-missing", "monitor with a missing file",
         lambda d: _cli(["monitor", str(d.tmp / "nope.csv"), str(d.contacts_csv), "--as-of",
                         "2025-12-31", "--out", str(d.tmp / "m4")]), Ok(lambda c: c == 1)),
    Case("cli-monitor-days", "monitor --due-within-days -5",
         lambda d: _cli(["monitor", str(d.assign_csv), str(d.contacts_csv), "--as-of",
                         "2025-12-31", "--due-within-days", "-5", "--out",
                         str(d.tmp / "m5")]), Ok(lambda c: c == 1)),
    Case("cli-monitor-ok", "monitor the population",
         lambda d: _cli(["monitor", str(d.assign_csv), str(d.contacts_csv), "--as-of",
                         "2025-12-31", "--out", str(d.tmp / "m6")]),
         Ok(lambda c: c == 0 and (_TMP[0] / "m6" / "status.csv").is_file()
            and not list(_TMP[0].glob(".m6.partial-*")))),
]

_TMP: list = []


def d_km_labels(result):
    return _KM[0]


def d_n_clients(result):
    return _NCL[0]


_KM: list = []
_NCL: list = []


# ------------------------------------------------------------------ the runner
class _Hang(Exception):
    pass


def _alarm(signum, frame):
    raise _Hang(f"no answer within {TIME_LIMIT} s")


def _snapshot(x):
    try:
        return copy.deepcopy(x)
    except Exception:  # noqa: BLE001 - fitted estimators etc.: compared by identity only
        return x


def _same(a, b) -> bool:
    if isinstance(a, pd.DataFrame | pd.Series):
        return isinstance(b, type(a)) and a.equals(b) and (
            not isinstance(a, pd.DataFrame) or a.dtypes.equals(b.dtypes)) and \
            a.index.equals(b.index)
    if isinstance(a, pd.Index):
        return isinstance(b, pd.Index) and a.equals(b) and a.dtype == b.dtype and \
            a.name == b.name
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if hasattr(a, "get_params") and not isinstance(a, type):  # an estimator: its settings
        return type(a) is type(b) and _same(a.get_params(deep=False),
                                            b.get_params(deep=False))
    if hasattr(a, "__dict__") and not callable(a) and type(a).__module__.startswith(
            "clusterdiscovery"):  # result / population objects: their attributes
        return type(a) is type(b) and _same(vars(a), vars(b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k])
                                                                    for k in a)
    if isinstance(a, list | tuple):
        return isinstance(b, list | tuple) and len(a) == len(b) and all(
            _same(x, y) for x, y in zip(a, b))
    if type(a).__eq__ is object.__eq__:  # no notion of equality: same type, same attributes
        return type(a) is type(b) and _same(getattr(a, "__dict__", {}),
                                            getattr(b, "__dict__", {}))
    try:
        return bool(a == b) or a is b
    except Exception:  # noqa: BLE001
        return a is b


def run_case(case: Case, d: Data):
    """(outcome, detail): outcome in 'clear error', 'correct', 'silent', 'raw error',
    'hang', 'mutated'."""
    import warnings

    func, args, kwargs = case.call(d)
    before = (_snapshot(args), _snapshot(kwargs))
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result, error = func(*args, **kwargs), None
    except _Hang as exc:
        return "hang", str(exc)
    except Exception as exc:  # noqa: BLE001 - classified below
        result, error = None, exc
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    if not (_same(before[0], args) and _same(before[1], kwargs)):
        return "mutated", "an input was modified"
    exp = case.expect
    if isinstance(exp, Err):
        if error is None:
            return "silent", f"returned {type(result).__name__} instead of raising"
        types = exp.type if isinstance(exp.type, tuple) else (exp.type,)
        if not isinstance(error, types) or not isinstance(error, CLEAR):
            return "raw error", f"{type(error).__name__}: {error}"
        import re

        if not re.search(exp.pattern, str(error), flags=re.S):
            return "raw error", f"message does not match {exp.pattern!r}: {error}"
        return "clear error", str(error)
    if error is not None:
        return "raw error", f"{type(error).__name__}: {error}"
    if not exp.check(result):
        return "silent", f"wrong result: {result!r:.200}"
    return "correct", ""


@pytest.fixture(scope="module")
def prepared(data):
    _TMP[:] = [data.tmp]
    _KM[:] = [data.km.labels_]
    _NCL[:] = [data.pop.events["client_id"].nunique()]
    return data


_RESULTS: dict = {}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case, prepared, capsys):
    outcome, detail = run_case(case, prepared)
    capsys.readouterr()
    _RESULTS[case.id] = outcome
    expected = "clear error" if isinstance(case.expect, Err) else "correct"
    assert outcome == expected, f"{case.id} ({case.what}): {outcome}: {detail}"


def test_catalogue_counts():
    """At least 150 inputs; each public function and the three commands appear."""
    assert len(CASES) >= 150
    assert len({c.id for c in CASES}) == len(CASES)
    prefixes = {c.id.split("-")[0] for c in CASES}
    assert {"lca", "density", "gower", "compare", "stab", "ps", "consensus", "partitions",
            "profile", "describe", "load", "assign", "save", "schema", "sample",
            "population", "events", "prep", "review", "discover", "cli", "pareto", "worklist",
            "trend", "periods", "map", "best", "team"} <= prefixes
    commands = {c.call.__code__.co_consts for c in CASES if c.id.startswith("cli-")}
    assert commands  # discover, assign and monitor cases are listed above
    if len(_RESULTS) == len(CASES):  # the whole catalogue ran in this session
        counts = pd.Series(_RESULTS).value_counts()
        assert counts.get("silent", 0) == counts.get("hang", 0) == 0
        assert counts.get("mutated", 0) == counts.get("raw error", 0) == 0


def test_cli_messages(prepared, capsys):
    """A failing command prints one line naming the problem (not a traceback)."""
    code = cli(["assign", str(prepared.model_path), str(prepared.tmp / "binary.csv"),
                "--out", str(prepared.tmp / "l.csv")])
    err = capsys.readouterr().err
    assert code == 1 and "binary" in err and "Traceback" not in err and err.count("\n") == 1
    code = cli(["discover", str(prepared.tmp / "k1.toml"), "--out", str(prepared.tmp / "o")])
    err = capsys.readouterr().err
    assert code == 1 and "k_max" in err


def test_failed_discover_leaves_nothing(prepared, monkeypatch):
    """A discover that fails while writing leaves no folder (nor a partial one) behind."""
    from clusterdiscovery.persistence import _save

    def boom(*a, **k):
        raise OSError("disk full")

    out = prepared.tmp / "failed_study"
    monkeypatch.setattr(_save, "write_json", boom, raising=False)
    import clusterdiscovery.persistence._model as m
    monkeypatch.setattr(m, "write_json", boom, raising=False)
    with pytest.raises(OSError, match="disk full"), pytest.warns(cd.SuppressionWarning):
        cd.discover({"models": {"k_min": 2, "k_max": 2, "n_init": 1},
                     "stability": {"n_resamples": 2}, "profile": {"n_bootstrap": 10}},
                    data=prepared.pop, out=out)
    assert not out.exists()
    assert not list(prepared.tmp.glob(".failed_study.partial-*"))


def test_json_outputs_stay_json(prepared):
    assert json.loads(prepared.model_path.read_text())["format_version"]


# ------------------------------------------------------------------ any finite number
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_FINITE = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=25, deadline=None)
@given(value=_FINITE)
def test_any_finite_value_in_a_gaussian_column(value):
    """Any finite number: a fit with a finite log-likelihood, or the magnitude error."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40)})
    X.iloc[0, 0] = value
    model = LatentClassModel(2, measurement=G, random_state=0)
    try:
        model.fit(X)
    except ValueError as exc:
        assert abs(value) > 1e100 and "largest magnitude" in str(exc)
        return
    assert np.isfinite(model.loglik_) and np.isfinite(model.weights_).all()
    assert abs(model.weights_.sum() - 1) < 1e-9


@settings(max_examples=25, deadline=None)
@given(a=_FINITE, b=_FINITE)
def test_any_finite_values_give_finite_gower_distances(a, b):
    X = pd.DataFrame({"v": [a, b, 0.0, 1.0], "c": ["x", "y", "x", "y"]})
    try:
        D = gower_distances(X)
    except ValueError as exc:
        assert max(abs(a), abs(b)) > 1e100 and "largest magnitude" in str(exc)
        return
    assert np.isfinite(D).all() and (D >= 0).all() and (D <= 1 + 1e-12).all()


if __name__ == "__main__":  # python tests/test_bad_inputs.py: the catalogue with what users see
    import tempfile
    import warnings as _w
    from collections import Counter

    with tempfile.TemporaryDirectory() as folder, _w.catch_warnings():
        _w.simplefilter("ignore")
        d = Data(Path(folder))
        _TMP[:], _KM[:] = [d.tmp], [d.km.labels_]
        _NCL[:] = [d.pop.events["client_id"].nunique()]
        tally = Counter()
        for c in CASES:
            outcome, detail = run_case(c, d)
            tally[outcome] += 1
            seen = " ".join(detail.split())[:150] or "(correct result)"
            print(f"{c.id:28} {c.what[:60]:60} {outcome:12} {seen}")
        print(f"\n{len(CASES)} inputs tried: " + ", ".join(f"{v} {k}" for k, v in
                                                         tally.most_common()))


# ------------------------------------- errors from inside numpy/pandas (issue 21, point 12)
def test_a_word_among_numbers_is_named_with_its_column_and_row():
    """'could not convert string to float: forty' reached users without the column; every
    entry point now names the column and the row."""
    import clusterdiscovery as cd
    from clusterdiscovery import ClientSchema, LatentClassModel
    from clusterdiscovery.features import make_preprocessor

    pop = cd.datasets.load_sample()
    bad = pop.clients.copy()
    bad["age"] = bad["age"].astype(object)
    bad.iloc[5, bad.columns.get_loc("age")] = "forty"
    row = bad.index[5]
    labels = pop.true_labels.reindex(bad.index)
    want = rf"'age'.*'forty' \(row {row}\)"
    calls = [
        lambda: pop.schema.validate(bad),
        lambda: cd.profile_clusters(bad, labels, schema=pop.schema, n_bootstrap=10),
        lambda: LatentClassModel(2, measurement={"age": "gaussian"}).fit(bad[["age"]]),
        lambda: make_preprocessor(pop.schema).fit(bad),
        lambda: cd.compare_teams(bad, labels, team="team", outcome="age"),
    ]
    for call in calls:
        with pytest.raises((TypeError, ValueError), match=want):
            call()
    table = bad.drop(columns=["referral_date", "discharge_date"]).reset_index()
    with pytest.raises(ValueError, match=r"'age' holds numbers but .*'forty' \(row 5\)"):
        ClientSchema.infer(table)
    # declared in the overrides: the user has said what the column is
    ClientSchema.infer(table, overrides={"features": {"age": {"type": "categorical"}}})


def test_the_readme_lists_exactly_the_error_classes_the_catalogue_allows():
    """The docs' list of errors is true (issue 21): every class the catalogue accepts as a
    clear error is named in the README's paragraph on errors."""
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    paragraph = readme[readme.index("Errors that bad input can cause"):]
    paragraph = paragraph[:paragraph.index("\n\n")]
    for cls in CLEAR:
        assert f"`{cls.__name__}`" in paragraph, cls.__name__
