"""The Dask engine gives the in-memory answers: aggregation, latent class fit, assignment.

Small data, an in-process ``LocalCluster`` (threads, ``processes=False``) for the fit and
Dask's synchronous scheduler elsewhere, so each test takes seconds.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.utils import check_random_state

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from clusterdiscovery import LatentClassModel  # noqa: E402
from clusterdiscovery.datasets import make_client_population  # noqa: E402
from clusterdiscovery.features import aggregate_events, aggregate_events_dask  # noqa: E402
from clusterdiscovery.models._lca_dask import fit_dask  # noqa: E402
from clusterdiscovery.models._lca_data import compress  # noqa: E402
from clusterdiscovery.persistence import build_model  # noqa: E402

MEASUREMENT = {"honos_1": "categorical", "honos_4": "categorical", "honos_9": "categorical",
               "sex": "categorical", "housing": "categorical", "age": "gaussian",
               "years_known": "lognormal", "prior_admissions": "poisson"}


@pytest.fixture(scope="module")
def population():
    return make_client_population(n_clients=1200, n_clusters=3, random_state=5)


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                           processes=False, dashboard_address=None)
        with distributed.Client(cluster) as c:
            yield c
        cluster.close()


@pytest.mark.parametrize("accelerate", ["none", "squarem"])
def test_dask_fit_equals_in_memory_fit_from_the_same_start(population, client, accelerate):
    """Partitioned EM on a LocalCluster: from the same starting values, the same
    log-likelihood to 1e-8 relative, the same number of iterations and parameters."""
    X = population.clients[list(MEASUREMENT)]
    ref = LatentClassModel(3, measurement=MEASUREMENT, accelerate=accelerate)
    ref._check_params()
    data = ref._encode(X, fit=True)
    pdata, w = compress(data, ref._n_levels, None)
    stats = ref._column_stats(pdata, w)
    start = ref._random_params(pdata, w, check_random_state(11), stats)
    params, ll, conv, n_iter, _ = ref._run_em(ref._design(pdata), w, start, stats)

    ddf = dd.from_pandas(X, npartitions=4)
    model = fit_dask(LatentClassModel(3, measurement=MEASUREMENT, accelerate=accelerate),
                     ddf, starts=[start])
    assert model.loglik_ == pytest.approx(ll, rel=1e-8)
    assert model.n_iter_ == n_iter
    assert model.converged_ == conv
    for a, b in zip(params, model._params):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    ref._params = params
    ref._publish_params()
    labels = model.labels_.compute()
    assert isinstance(model.labels_, dd.Series)
    np.testing.assert_array_equal(labels.to_numpy(), ref._predict_encoded(data))


def test_fit_accepts_a_dask_dataframe(population):
    """The public entry: fit(ddf) finds the optimum fit(df) finds (several starts), and the
    structure learnt from the partitions (levels, feature names) is the in-memory one."""
    X = population.clients[list(MEASUREMENT)]
    with dask.config.set(scheduler="synchronous"):
        md = LatentClassModel(3, measurement=MEASUREMENT, n_init=3, random_state=0).fit(
            dd.from_pandas(X, npartitions=3))
    mm = LatentClassModel(3, measurement=MEASUREMENT, n_init=3, random_state=0).fit(X)
    assert md.loglik_ == pytest.approx(mm.loglik_, rel=1e-5)
    for key, levels in mm.categories_.items():
        np.testing.assert_array_equal(md.categories_[key], levels)
    assert list(md.feature_names_in_) == list(X.columns)
    with dask.config.set(scheduler="synchronous"):
        labels = md.labels_.compute().to_numpy()
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(labels, mm.labels_) > 0.95


def test_dask_fit_refuses_sample_weight(population):
    X = dd.from_pandas(population.clients[list(MEASUREMENT)], npartitions=2)
    with pytest.raises(TypeError, match="sample_weight"):
        LatentClassModel(2, measurement=MEASUREMENT).fit(X, sample_weight=np.ones(1200))
    with pytest.raises(TypeError, match="covariates"):
        LatentClassModel(2, measurement=MEASUREMENT).fit(X, covariates=np.ones((1200, 1)))


@pytest.mark.parametrize("kw", [{}, {"window_days": 365},
                                {"as_of": "2024-06-30", "window_days": 180}])
def test_dask_aggregation_equals_aggregate_events(population, client, kw):
    """Events in 5 partitions (not split by client), shuffled on the LocalCluster: the same
    table as in memory, clients without events included."""
    ev = population.events
    ids = pd.Index(list(population.clients.index) + ["no-events-1", "no-events-2"])
    expected = aggregate_events(ev, clients=ids, **kw)
    got = aggregate_events_dask(dd.from_pandas(ev, npartitions=5), clients=ids,
                                **kw).compute()
    assert len(got) == len(expected)
    got = got.loc[expected.index]
    got.index = expected.index
    pd.testing.assert_frame_equal(got, expected)


def test_dask_aggregation_from_parquet(population, client, tmp_path):
    """Parquet partitions written split by client: by_client=True skips the shuffle."""
    ev = population.events.copy()
    ev["part"] = pd.factorize(ev["client_id"])[0] % 3
    for p, chunk in ev.groupby("part"):
        chunk.drop(columns="part").to_parquet(tmp_path / f"part-{p}.parquet")
    expected = aggregate_events(population.events, window_days=365)
    got = aggregate_events_dask(dd.read_parquet(tmp_path), window_days=365,
                                by_client=True).compute()
    got = got.loc[expected.index]
    got.index = expected.index
    pd.testing.assert_frame_equal(got, expected)


def test_dask_aggregation_unknown_clients_raise(population):
    ev = dd.from_pandas(population.events, npartitions=2)
    with dask.config.set(scheduler="synchronous"), pytest.raises(ValueError, match="not in"):
        aggregate_events_dask(ev, clients=population.clients.index[:10],
                              shuffle_method="tasks").compute()


def test_assign_over_a_dask_dataframe(population, tmp_path):
    """ClusterModel.assign: Parquet in, a Dask DataFrame out, the in-memory assignment."""
    X = population.clients[list(MEASUREMENT)]
    model = build_model(LatentClassModel(3, measurement=MEASUREMENT, n_init=2,
                                         random_state=0).fit(X))
    expected = model.assign(X)
    X.to_parquet(tmp_path / "clients.parquet")
    with dask.config.set(scheduler="synchronous"):
        lazy = model.assign(dd.read_parquet(tmp_path / "clients.parquet"))
        assert isinstance(lazy, dd.DataFrame)
        lazy.to_parquet(tmp_path / "labels")
        got = dd.read_parquet(tmp_path / "labels").compute()
    got = got.loc[expected.index]
    pd.testing.assert_frame_equal(got, expected, check_index_type=False,
                                  check_column_type=False, check_dtype=False)
    assert (got.dtypes.astype(str).str[:3] == expected.dtypes.astype(str).str[:3]).all()


def test_discover_with_the_dask_engine_gives_the_local_study(client):
    """[engine] kind = "dask" with a scheduler address: model fitting and resampling run
    on the cluster, and the study is the one computed locally (seeds drawn up front)."""
    from clusterdiscovery.pipeline import discover, load_config

    pop = make_client_population(n_clients=400, n_clusters=2, random_state=2)
    quick = {"models": {"k_min": 2, "k_max": 3, "n_init": 1, "families": ["latent_class"]},
             "stability": {"n_resamples": 3, "candidates": 1},
             "profile": {"n_bootstrap": 20}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        local = discover(quick, data=pop, random_state=3)
        remote = discover({**quick, "engine": {"kind": "dask",
                                               "address": client.scheduler.address}},
                          data=pop, random_state=3)
    pd.testing.assert_series_equal(remote.labels, local.labels)
    pd.testing.assert_frame_equal(remote.stability.summary, local.stability.summary)
    with pytest.raises(ValueError, match=r"\[engine\] kind"):
        load_config({"engine": {"kind": "spark"}})


# ------------------------------------------------------------- hostile partitions (issue 21)
def _yes_no(n=300, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 2, n)
    return pd.DataFrame({f"i{j}": np.where(rng.random(n) < np.where(z, .8, .2), "yes", "no")
                         for j in range(4)})


def test_empty_partitions_are_skipped_not_refused():
    import dask.dataframe as dd

    X = _yes_no()
    ddf = dd.from_pandas(X, npartitions=3)
    kept = ddf[ddf.index.map_partitions(lambda i: (i < 100) | (i >= 200), meta=bool)]
    a = LatentClassModel(2, random_state=0).fit(kept)
    b = LatentClassModel(2, random_state=0).fit(pd.concat([X.iloc[:100], X.iloc[200:]]))
    assert a.loglik_ == pytest.approx(b.loglik_, rel=1e-10)
    assert len(a.labels_.compute()) == 200


def test_levels_spelled_differently_across_partitions_are_refused_by_partition():
    import dask.dataframe as dd

    X = _yes_no().astype(object)
    X.iloc[:100] = X.iloc[:100].replace({"yes": 1, "no": 0}).astype(object)
    ddf = dd.from_pandas(X, npartitions=3)
    with pytest.raises(ValueError, match=r"'i0' writes its levels as numbers in partition 0 "
                                         r"and as words in partition 1"):
        LatentClassModel(2, random_state=0).fit(ddf)


def test_rows_with_every_feature_missing_are_flagged_in_memory_and_in_dask(tmp_path):
    import dask.dataframe as dd

    from clusterdiscovery import load_model, save_model

    X = _yes_no()
    model = LatentClassModel(2, n_init=2, random_state=0).fit(X)
    save_model(tmp_path / "m.json", model, X=X)
    cm = load_model(tmp_path / "m.json")
    new = X.iloc[:3].copy()
    new.iloc[0] = None
    mem = cm.assign(new)
    lazy = cm.assign(dd.from_pandas(new, npartitions=1)).compute()
    assert mem["out_of_range"].tolist() == [True, False, False]
    assert lazy["out_of_range"].tolist() == [True, False, False]
