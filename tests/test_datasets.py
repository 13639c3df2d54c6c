"""Tests for clusterdiscovery.datasets: the synthetic population and the committed sample."""


import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from clusterdiscovery import ClientSchema
from clusterdiscovery.datasets import Population, load_sample, make_client_population
from clusterdiscovery.datasets._assignments import mhct_review_days
from clusterdiscovery.datasets._population import population_schema
from clusterdiscovery.datasets._sample import (
    SAMPLE_CLIENTS,
    SAMPLE_CLUSTERS,
    SAMPLE_FILES,
    SAMPLE_SEED,
    default_sample_dir,
    write_population,
)
from clusterdiscovery.datasets.make_sample import main as make_sample_main
from clusterdiscovery.features import make_preprocessor

START, END = pd.Timestamp("2023-01-01"), pd.Timestamp("2025-12-31")
SERVICES = {"outpatient", "community_contact", "medication_review", "psychological_therapy",
            "crisis", "ae_attendance", "inpatient_day", "residential_day"}
CLIENT_COLUMNS = [
    "age", "sex", "ethnicity", "diagnosis_group",
    *[f"honos_{i}" for i in range(1, 13)],
    "sarn_risk_others", "sarn_self_harm", "sarn_vulnerability", "sarn_self_neglect",
    "sarn_engagement", "substance_use", "housing", "employment", "justice_involvement",
    "prior_admissions", "years_known", "team", "referral_date", "discharge_date",
    "honos_total_baseline", "honos_total_followup",
]
VALID_CODES = set(range(22)) - {9}


@pytest.fixture(scope="module")
def pop():
    return make_client_population(n_clients=3000, n_clusters=6, random_state=0)


@pytest.fixture(scope="module")
def pop8():
    return make_client_population(n_clients=2000, n_clusters=8, random_state=1)


def _assert_same(a: Population, b: Population):
    for name in ("clients", "events", "assignments", "teams"):
        assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    assert_series_equal(a.true_labels, b.true_labels)
    assert a.subgroup_names == b.subgroup_names
    assert a.schema == b.schema


# ----------------------------------------------------------------------------- determinism
def test_same_seed_gives_identical_population():
    _assert_same(make_client_population(400, 5, random_state=7),
                 make_client_population(400, 5, random_state=7))


def test_different_seeds_differ():
    a = make_client_population(400, random_state=1)
    b = make_client_population(400, random_state=2)
    assert not a.clients["age"].equals(b.clients["age"])
    assert len(a.events) != len(b.events) or not a.events["cost"].equals(b.events["cost"])


def test_random_state_generator_and_randomstate():
    a = make_client_population(300, random_state=np.random.default_rng(4))
    b = make_client_population(300, random_state=np.random.default_rng(4))
    _assert_same(a, b)
    c = make_client_population(300, random_state=np.random.RandomState(4))
    d = make_client_population(300, random_state=np.random.RandomState(4))
    _assert_same(c, d)
    assert len(make_client_population(300, random_state=None).clients) == 300


# ------------------------------------------------------------------------------- contract
def test_client_table_columns_and_dtypes(pop):
    c = pop.clients
    assert list(c.columns) == CLIENT_COLUMNS
    assert c.index.name == "client_id" and c.index.is_unique
    assert c.index[0] == "C000001" and pd.api.types.is_string_dtype(c.index)
    for col in ("sex", "ethnicity", "diagnosis_group", "housing", "employment"):
        assert isinstance(c[col].dtype, pd.CategoricalDtype), col
        assert list(c[col].cat.categories) == list(pop.schema.features[col].levels)
    assert set(c["sex"].dropna()) == {"female", "male"}
    assert set(c["housing"].cat.categories) == {"settled", "supported", "unstable", "homeless"}
    assert set(c["employment"].cat.categories) == {
        "employed", "unemployed", "student", "retired", "unable_to_work"}
    for col in ("substance_use", "justice_involvement", "prior_admissions"):
        assert c[col].dtype == np.int64, col
    assert set(c["substance_use"]) == {0, 1} and set(c["justice_involvement"]) == {0, 1}
    items = c[[f"honos_{i}" for i in range(1, 13)] + CLIENT_COLUMNS[16:21]]
    values = items.to_numpy()
    assert set(np.unique(values[~np.isnan(values)])) == {0.0, 1.0, 2.0, 3.0, 4.0}
    assert (c["years_known"] >= 0).all() and c["age"].between(16, 105).all()
    for col in ("referral_date", "discharge_date"):
        assert pd.api.types.is_datetime64_any_dtype(c[col]), col
    assert pd.api.types.is_string_dtype(c["team"])
    assert c["referral_date"].notna().all()
    gone = c["discharge_date"].notna()
    assert 0.1 < gone.mean() < 0.5
    assert (c.loc[gone, "discharge_date"] >= c.loc[gone, "referral_date"]).all()
    assert (c.loc[gone, "discharge_date"] >= START).all()


def test_other_tables_and_labels(pop):
    e, a, t, y = pop.events, pop.assignments, pop.teams, pop.true_labels
    assert list(e.columns) == ["client_id", "date", "service", "team", "cost"]
    assert list(a.columns) == ["client_id", "cluster", "assigned_on", "team"]
    assert list(t.columns) == ["team", "team_type"]
    assert pd.api.types.is_datetime64_any_dtype(e["date"])
    assert pd.api.types.is_datetime64_any_dtype(a["assigned_on"])
    assert e["cost"].dtype == np.float64 and a["cluster"].dtype == np.int64
    assert {"CMHT", "EIP", "AOT", "CRHT", "OPMH", "inpatient"} <= set(t["team_type"])
    assert t["team"].is_unique
    assert set(pop.clients["team"]) | set(e["team"]) | set(a["team"]) <= set(t["team"])
    assert y.name == "true_cluster" and y.dtype == np.int64
    assert y.index.equals(pop.clients.index)
    assert set(y) == set(range(6)) and pop.n_clusters == 6
    assert pop.subgroup_names[0] == "first_episode_psychosis"
    assert pop.subgroup_names[5] == "older_adult_cognitive"
    shares = y.value_counts(normalize=True)
    assert shares.min() > 0.05 and shares.max() < 0.4 and shares.nunique() > 1


def test_schema_validates_own_clients(pop):
    s = pop.schema
    assert s.validate(pop.clients) is pop.clients
    assert s.id == "client_id" and s.team == "team"
    assert s.outcomes == {"honos_total": ("honos_total_baseline", "honos_total_followup")}
    assert set(s.dates) == {"referral_date", "discharge_date"}
    assert set(s.features) == set(CLIENT_COLUMNS) - {
        "team", "referral_date", "discharge_date", "honos_total_baseline",
        "honos_total_followup"}
    assert s.features["honos_7"].type == "ordinal"
    assert s.features["prior_admissions"].type == "count"
    assert s.features["diagnosis_group"].type == "categorical"


@pytest.mark.parametrize("n_clusters", range(2, 9))
def test_every_n_clusters_is_supported(n_clusters):
    p = make_client_population(n_clients=200, n_clusters=n_clusters, random_state=3)
    assert sorted(set(p.true_labels)) == list(range(n_clusters))
    assert p.true_labels.value_counts().min() >= 200 * 0.04
    assert len(p.subgroup_names) == n_clusters
    p.schema.validate(p.clients)


@pytest.mark.parametrize("n_clusters", [2, 3, 5, 8])
def test_schema_validates_small_populations(n_clusters):
    """At the minimum size a rare binary column must still not come out constant."""
    for seed in range(40):
        p = make_client_population(n_clients=100, n_clusters=n_clusters, random_state=seed)
        assert p.schema.validate(p.clients) is p.clients


def test_missing_values_at_realistic_rates(pop):
    c = pop.clients
    honos = c[[f"honos_{i}" for i in range(1, 13)]]
    assert 0.01 < honos.isna().to_numpy().mean() < 0.06
    assert 0.04 < c["ethnicity"].isna().mean() < 0.11
    assert 0.14 < c["honos_total_followup"].isna().mean() < 0.27
    complete = ["age", "sex", "diagnosis_group", "housing", "employment", "team",
                "prior_admissions", "years_known", "honos_total_baseline"]
    assert not c[complete].isna().any().any()


def test_outcomes_consistent_with_items(pop):
    c = pop.clients
    honos = c[[f"honos_{i}" for i in range(1, 13)]]
    full = honos.notna().all(axis=1)
    assert np.array_equal(honos[full].sum(axis=1).to_numpy(),
                          c.loc[full, "honos_total_baseline"].to_numpy())
    assert (c["honos_total_baseline"] >= honos.sum(axis=1)).all()
    fu = c["honos_total_followup"].dropna()
    assert fu.between(0, 48).all()
    change = (c["honos_total_followup"] - c["honos_total_baseline"]).groupby(
        pop.true_labels).mean()
    # common mental health problems improve; older adults with dementia deteriorate
    assert change[2] < -2 and change[5] > 0


# -------------------------------------------------------------------------------- events
def test_events_belong_to_known_clients_within_their_window(pop):
    e, c = pop.events, pop.clients
    assert set(e["client_id"]) <= set(c.index)
    assert e["date"].between(START, END).all()
    assert set(e["service"]) == SERVICES
    assert (e["cost"] >= 0).all() and np.isfinite(e["cost"]).all()
    ref = c["referral_date"].reindex(e["client_id"]).to_numpy()
    dis = c["discharge_date"].reindex(e["client_id"]).fillna(END).to_numpy()
    assert (e["date"].to_numpy() >= ref).all() and (e["date"].to_numpy() <= dis).all()
    ordered = e.sort_values(["client_id", "date"], kind="stable")
    assert ordered.index.equals(e.index)
    # one row per bed-day: no client is in two beds on one day
    beds = e[e["service"] == "inpatient_day"]
    assert not beds.duplicated(["client_id", "date"]).any()
    assert 25 < len(e) / len(c) < 70


def test_events_drawn_in_blocks_are_a_valid_population(monkeypatch):
    """Large populations draw their events in blocks of clients (bounded memory): the
    table is still sorted by client and date, each client's events lie in their window,
    and a client in a later block gets their own events (the block offset is applied)."""
    import clusterdiscovery.datasets._events as ev

    monkeypatch.setattr(ev, "BLOCK_CLIENTS", 700)
    p = make_client_population(n_clients=2000, random_state=3)
    e, c = p.events, p.clients
    ordered = e.sort_values(["client_id", "date"], kind="stable")
    assert ordered.index.equals(e.index)
    ref = c["referral_date"].reindex(e["client_id"]).to_numpy()
    dis = c["discharge_date"].reindex(e["client_id"]).fillna(END).to_numpy()
    assert (e["date"].to_numpy() >= ref).all() and (e["date"].to_numpy() <= dis).all()
    # every block's clients have events (the last block's as much as the first's)
    per_client = e.groupby("client_id").size().reindex(c.index, fill_value=0).to_numpy()
    blocks = [per_client[lo:lo + 700].mean() for lo in range(0, 2000, 700)]
    assert min(blocks) > 0.5 * max(blocks)
    assert not e[e["service"] == "inpatient_day"].duplicated(["client_id", "date"]).any()


def test_costs_are_skewed_with_many_zeros(pop):
    e, c = pop.events, pop.clients
    by = e.pivot_table(index="client_id", columns="service", values="cost", aggfunc="sum",
                       fill_value=0.0).reindex(c.index, fill_value=0.0)
    assert (by == 0).to_numpy().mean() > 0.3  # most clients use few of the service types
    assert (by["inpatient_day"] == 0).mean() > 0.6
    total = by.sum(axis=1)
    assert total.mean() > 1.5 * total.median()  # long right tail
    assert total.quantile(0.99) > 8 * total.median()
    assert (e["cost"] == 0).mean() > 0.02  # did-not-attend contacts cost nothing
    day = e.loc[e["service"] == "inpatient_day", "cost"]
    assert 400 < day.median() < 500
    op = e.loc[(e["service"] == "outpatient") & (e["cost"] > 0), "cost"]
    assert 100 < op.median() < 200


def test_subgroups_differ_in_costs(pop):
    total = pop.events.groupby("client_id")["cost"].sum().reindex(pop.clients.index,
                                                                 fill_value=0.0)
    mean = total.groupby(pop.true_labels).mean()
    # enduring psychosis (1) costs most; common mental health problems (2) least
    assert mean.idxmax() == 1 and mean.idxmin() == 2
    assert mean[1] > 5 * mean[2]
    crisis = (pop.events["service"].isin(["crisis", "ae_attendance"])
              .groupby(pop.events["client_id"]).sum()
              .reindex(pop.clients.index, fill_value=0))
    per = crisis.groupby(pop.true_labels).mean()
    assert per[3] > 2 * per[2]  # dual diagnosis uses crisis and A&E far more


def test_personality_subgroup_uses_crisis_and_ae(pop8):
    e = pop8.events
    crisis = (e["service"].isin(["crisis", "ae_attendance"]).groupby(e["client_id"]).sum()
              .reindex(pop8.clients.index, fill_value=0))
    per = crisis.groupby(pop8.true_labels).mean()
    assert per.idxmax() in (3, 6)
    assert per[6] > 3 * per[2]


# ---------------------------------------------------------------------------- assignments
def test_assignments_history(pop):
    a, c = pop.assignments, pop.clients
    assert set(a["cluster"]) <= VALID_CODES
    assert set(a["client_id"]) <= set(c.index)
    assert (a["assigned_on"] <= END).all()
    ref = c["referral_date"].reindex(a["client_id"]).to_numpy()
    assert (a["assigned_on"].to_numpy() >= ref).all()
    dis = c["discharge_date"].reindex(a["client_id"]).fillna(END).to_numpy()
    assert (a["assigned_on"].to_numpy() <= dis).all()
    n_per = a.groupby("client_id").size()
    assert n_per.max() > 2  # re-assignments at reviews
    changed = a.groupby("client_id")["cluster"].nunique()
    assert (changed > 1).mean() > 0.05

    in_service = c.index[c["discharge_date"].isna()]
    never = ~in_service.isin(a["client_id"])
    assert 0.04 < never.mean() < 0.15
    last = a.groupby("client_id").agg(on=("assigned_on", "max"), code=("cluster", "last"))
    last = last.reindex(in_service[~never])
    due = last["on"] + pd.to_timedelta(mhct_review_days()[last["code"].to_numpy()], unit="D")
    overdue = (due < END).mean()
    assert 0.03 < overdue < 0.3


def test_assigned_care_clusters_follow_the_subgroup(pop):
    a = pop.assignments
    group = pop.true_labels.reindex(a["client_id"]).to_numpy()
    code = a["cluster"].to_numpy()
    psychosis = np.isin(code, range(10, 18))
    assert psychosis[np.isin(group, [0, 1])].mean() > 0.85
    assert np.isin(code[group == 2], range(0, 5)).mean() > 0.95
    assert np.isin(code[group == 5], range(18, 22)).mean() > 0.8
    assert (code[group == 3] == 16).mean() > 0.3


# ---------------------------------------------------------------------------- recovery
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_recovers_subgroups_partly(seed):
    """k-means (true k) on make_preprocessor output: ARI in [0.4, 0.95] (overlap by design)."""
    p = make_client_population(n_clients=3000, n_clusters=6, random_state=seed)
    X = make_preprocessor(p.schema).fit_transform(p.clients)
    with threadpool_limits(1):  # BLAS/OpenMP threads only contend on a small shared machine
        labels = KMeans(n_clusters=6, n_init=5, random_state=0).fit_predict(X)
    ari = adjusted_rand_score(p.true_labels, labels)
    assert 0.4 <= ari <= 0.95, f"k-means ARI {ari:.3f} outside [0.4, 0.95] for seed {seed}"


def test_generator_does_not_modify_shared_state():
    before = np.random.get_state()[1].copy()  # noqa: NPY002 - the legacy global state
    make_client_population(200, random_state=0)
    assert np.array_equal(np.random.get_state()[1], before)  # noqa: NPY002


# ------------------------------------------------------------------------ parameter errors
@pytest.mark.parametrize("kwargs, error, match", [
    ({"n_clusters": 1}, ValueError, "n_clusters"),
    ({"n_clusters": 9}, ValueError, "n_clusters"),
    ({"n_clusters": 2.0}, TypeError, "n_clusters"),
    ({"n_clusters": True}, TypeError, "n_clusters"),
    ({"n_clients": 99, "n_clusters": 2}, ValueError, "n_clients.*>= 100"),
    ({"n_clients": 0}, ValueError, "n_clients"),
    ({"n_clients": "500"}, TypeError, "n_clients"),
    ({"n_clients": 500, "random_state": "seed"}, TypeError, "random_state"),
    ({"n_clients": 500, "random_state": -1}, ValueError, "random_state"),
])
def test_parameter_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_client_population(**kwargs)


# --------------------------------------------------------------------------------- sample
def test_committed_sample_equals_fresh_regeneration(tmp_path):
    folder = default_sample_dir()
    # package data, in the source tree (an editable install) or site-packages
    assert folder.parts[-3:] == ("clusterdiscovery", "data", "sample")
    fresh = make_client_population(SAMPLE_CLIENTS, SAMPLE_CLUSTERS, random_state=SAMPLE_SEED)
    _assert_same(load_sample(), fresh)
    write_population(fresh, tmp_path)
    for name in SAMPLE_FILES:
        committed = folder / name
        if not committed.exists():  # events may be committed gzipped
            committed, name = folder / f"{name}.gz", f"{name}.gz"
        assert (tmp_path / name).read_bytes() == committed.read_bytes(), name
    total = sum(p.stat().st_size for p in folder.iterdir())
    assert total < 20e6


def test_load_sample_round_trip_other_population(tmp_path):
    pop = make_client_population(300, 3, random_state=5)
    write_population(pop, tmp_path / "s")
    back = load_sample(tmp_path / "s")
    _assert_same(back, pop)
    back.schema.validate(back.clients)


def test_schema_toml_is_readable(tmp_path):
    write_population(make_client_population(200, 2, random_state=0), tmp_path)
    assert ClientSchema.from_toml(tmp_path / "schema.toml") == population_schema()


def test_load_sample_missing_folder_says_how_to_regenerate(tmp_path):
    with pytest.raises(FileNotFoundError, match="make_sample"):
        load_sample(tmp_path / "nowhere")
    write_population(make_client_population(100, 2, random_state=0), tmp_path)
    (tmp_path / "assignments.csv").unlink()
    with pytest.raises(FileNotFoundError, match="assignments.csv"):
        load_sample(tmp_path)


def test_loaders_name_bad_arguments(tmp_path):
    from clusterdiscovery.datasets import load_values

    with pytest.raises(TypeError, match="'path'"):
        load_sample(5)
    with pytest.raises(TypeError, match="'path'"):
        load_values(5)
    with pytest.raises(TypeError, match="'expand'"):
        load_values(expand="yes")
    with pytest.raises(FileNotFoundError, match="values.csv"):
        load_values(tmp_path)  # a folder, not the CSV file
    assert load_values(expand=True).shape == (216, 4)


def test_make_sample_command(tmp_path, capsys):
    assert make_sample_main(["--out", str(tmp_path), "--n-clients", "150",
                             "--n-clusters", "3", "--seed", "9"]) == 0
    assert "clients.csv" in capsys.readouterr().out
    _assert_same(load_sample(tmp_path), make_client_population(150, 3, random_state=9))
