"""Tests for features.aggregate_events on hand-built event tables with known answers."""

import numpy as np
import pandas as pd
import pytest

from clusterdiscovery.exceptions import SchemaError
from clusterdiscovery.features import aggregate_events


@pytest.fixture
def events():
    # client a: crisis 01-01, outpatient 01-03, A&E 01-09 (8 days after the crisis contact
    #           -> a second episode), two bed-days 01-20/01-21, crisis 01-25 (16 days after
    #           01-09 -> a third episode), outpatient 2024-06-01 (after the as_of below)
    # client b: one outpatient contact 02-01
    return pd.DataFrame({
        "client_id": ["a", "a", "a", "a", "a", "a", "a", "b"],
        "date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-09", "2024-01-20",
                                "2024-01-21", "2024-01-25", "2024-06-01", "2024-02-01"]),
        "service": ["crisis", "outpatient", "ae_attendance", "inpatient_day", "inpatient_day",
                    "crisis", "outpatient", "outpatient"],
        "cost": [300.0, 100.0, 50.0, 400.0, 400.0, 300.0, 100.0, 120.0],
    })


AS_OF = "2024-03-01"


def test_counts_costs_and_zero_rows(events):
    out = aggregate_events(events, clients=["a", "b", "c"], as_of=AS_OF)
    assert list(out.index) == ["a", "b", "c"]
    assert out.index.name == "client_id"
    # a: 6 events up to 2024-03-01 (the June outpatient contact is after as_of)
    assert out.loc["a", "n_total"] == 6
    assert out.loc["a", "n_outpatient"] == 1
    assert out.loc["a", "n_crisis"] == 2
    assert out.loc["a", "cost_total"] == pytest.approx(300 + 100 + 50 + 400 + 400 + 300)
    assert out.loc["a", "cost_inpatient_day"] == pytest.approx(800.0)
    assert out.loc["b", "n_total"] == 1 and out.loc["b", "cost_outpatient"] == 120.0
    # c has no events: zeros, NaN recency, NaT dates
    zero_cols = [c for c in out.columns if c.startswith(("n_", "cost_"))]
    assert (out.loc["c", zero_cols] == 0).all()
    assert out.loc["c", "inpatient_days"] == 0 and out.loc["c", "crisis_episodes"] == 0
    assert np.isnan(out.loc["c", "days_since_last_contact"])
    assert pd.isna(out.loc["c", "last_contact"])
    # columns for every service type seen, sorted
    assert [c for c in out.columns if c.startswith("n_") and not c.endswith("_per_year")][:4] \
        == ["n_ae_attendance", "n_crisis", "n_inpatient_day", "n_outpatient"]


def test_recency_episodes_inpatient(events):
    out = aggregate_events(events, as_of=AS_OF)
    # last contact of a before as_of is 2024-01-25: 2024-03-01 - 2024-01-25 = 6 + 29 + 1 = 36
    assert out.loc["a", "days_since_last_contact"] == 36.0
    assert out.loc["a", "last_contact"] == pd.Timestamp("2024-01-25")
    assert out.loc["a", "first_contact"] == pd.Timestamp("2024-01-01")
    assert out.loc["b", "days_since_last_contact"] == 29.0  # Feb 2024 has 29 days
    # crisis contacts 01-01, 01-09 (gap 8 > 7), 01-25 (gap 16): three episodes
    assert out.loc["a", "crisis_episodes"] == 3
    # with a 10-day gap, 01-01 and 01-09 merge: two episodes
    assert aggregate_events(events, as_of=AS_OF, episode_gap_days=10).loc[
        "a", "crisis_episodes"] == 2
    # a gap of exactly 8 days is not "more than 8": merged
    assert aggregate_events(events, as_of=AS_OF, episode_gap_days=8).loc[
        "a", "crisis_episodes"] == 2
    assert out.loc["a", "inpatient_days"] == 2


def test_inpatient_days_count_distinct_days():
    ev = pd.DataFrame({"client_id": ["a"] * 3 + ["b"],
                       "date": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 20:00",
                                               "2024-01-02", "2024-01-05"], format="mixed"),
                       "service": ["inpatient_day"] * 4, "cost": [1.0] * 4})
    out = aggregate_events(ev)
    assert out.loc["a", "inpatient_days"] == 2  # two rows on the same calendar day
    assert out.loc["a", "n_inpatient_day"] == 3
    assert out.loc["b", "inpatient_days"] == 1


def test_as_of_defaults_to_last_event(events):
    out = aggregate_events(events)
    assert out.loc["a", "n_total"] == 7
    assert out.loc["a", "days_since_last_contact"] == 0.0
    # b's last contact 2024-02-01 -> 2024-06-01: 29 + 31 + 30 + 31 = 121 days
    assert out.loc["b", "days_since_last_contact"] == 121.0


def test_window(events):
    # window of 40 days before 2024-03-01 keeps (2024-01-21, 2024-03-01]
    out = aggregate_events(events, as_of=AS_OF, window_days=40)
    assert out.loc["a", "n_total"] == 1  # only the 01-25 crisis contact
    assert out.loc["a", "n_inpatient_day"] == 0  # 01-21 is the open end: excluded
    assert out.loc["a", "crisis_episodes"] == 1
    assert out.loc["b", "n_total"] == 1
    # rates over the window: count / (40 / 365.25)
    assert out.loc["a", "n_total_per_year"] == pytest.approx(365.25 / 40)
    assert out.loc["b", "cost_total_per_year"] == pytest.approx(120 * 365.25 / 40)
    assert (out["exposure_years"] == 40 / 365.25).all()
    # recency ignores the window (history up to as_of)
    assert out.loc["a", "first_contact"] == pd.Timestamp("2024-01-01")


def test_rates_without_window(events):
    out = aggregate_events(events, clients=["a", "b", "c"], as_of=AS_OF, min_exposure_days=0)
    # a: first contact 2024-01-01 to 2024-03-01 inclusive = 31 + 29 + 1 = 61 days
    assert out.loc["a", "exposure_years"] == pytest.approx(61 / 365.25)
    assert out.loc["a", "n_total_per_year"] == pytest.approx(6 / (61 / 365.25))
    # b: 2024-02-01 to 2024-03-01 inclusive = 30 days
    assert out.loc["b", "exposure_years"] == pytest.approx(30 / 365.25)
    # c: no events, no start -> NaN exposure, zero rates
    assert np.isnan(out.loc["c", "exposure_years"])
    assert out.loc["c", "n_total_per_year"] == 0.0
    # the floor: 45 days raises b's exposure to 45, leaves a's 61
    floored = aggregate_events(events, as_of=AS_OF, min_exposure_days=45)
    assert floored.loc["b", "exposure_years"] == pytest.approx(45 / 365.25)
    assert floored.loc["a", "exposure_years"] == pytest.approx(61 / 365.25)


def test_start_col_extends_exposure(events):
    clients = pd.DataFrame({"referral_date": pd.to_datetime(["2023-12-02", None, "2024-01-01"])},
                           index=pd.Index(["a", "b", "c"], name="client_id"))
    out = aggregate_events(events, clients, as_of=AS_OF, start_col="referral_date",
                           min_exposure_days=0)
    # a: referred 2023-12-02 -> 2024-03-01 inclusive = 30 + 31 + 29 + 1 = 91 days
    assert out.loc["a", "exposure_years"] == pytest.approx(91 / 365.25)
    assert out.loc["b", "exposure_years"] == pytest.approx(30 / 365.25)  # first event
    # c: no events but referred 2024-01-01 -> 61 days of exposure, zero rates
    assert out.loc["c", "exposure_years"] == pytest.approx(61 / 365.25)
    assert out.loc["c", "n_total_per_year"] == 0.0


def test_clients_dataframe_with_id_column_and_order(events):
    clients = pd.DataFrame({"client_id": ["c", "b", "a"], "age": [1, 2, 3]})
    out = aggregate_events(events, clients, as_of=AS_OF)
    assert list(out.index) == ["c", "b", "a"]
    assert out.loc["a", "n_total"] == 6


def test_empty_events_with_clients(events):
    out = aggregate_events(events.iloc[:0], clients=["x", "y"])
    assert list(out.index) == ["x", "y"]
    assert (out["n_total"] == 0).all() and (out["cost_total"] == 0).all()
    assert out["days_since_last_contact"].isna().all()


def test_unknown_clients(events):
    with pytest.raises(ValueError, match=r"7 event\(s\) belong to 1 client\(s\).*'a'"):
        aggregate_events(events, clients=["b"])
    out = aggregate_events(events, clients=["b"], unknown="drop", as_of=AS_OF)
    assert list(out.index) == ["b"] and out.loc["b", "n_total"] == 1
    with pytest.raises(ValueError, match="unknown"):
        aggregate_events(events, clients=["b"], unknown="ignore")


def test_string_dates_parse(events):
    ev = events.assign(date=events["date"].dt.strftime("%Y-%m-%d"))
    pd.testing.assert_frame_equal(aggregate_events(ev, as_of=AS_OF),
                                  aggregate_events(events, as_of=AS_OF))


def test_services_parameter(events):
    svcs = ["outpatient", "crisis", "ae_attendance", "inpatient_day", "residential_day"]
    out = aggregate_events(events, as_of=AS_OF, services=svcs)
    assert [c for c in out.columns if c.startswith("n_")][:5] == [f"n_{s}" for s in svcs]
    assert (out["n_residential_day"] == 0).all()
    with pytest.raises(ValueError, match=r"\['inpatient_day'\] not in the 'services'"):
        aggregate_events(events, services=["outpatient", "crisis", "ae_attendance"])


@pytest.mark.parametrize("change, match", [
    (lambda e: e.drop(columns="cost"), r"no column\(s\) \['cost'\]"),
    (lambda e: e.drop(columns=["date", "service"]), r"\['date', 'service'\]"),
    (lambda e: e.assign(date=["2024-01-01"] * 7 + ["not a date"]), "'date'.*not a date"),
    (lambda e: e.assign(date=np.arange(8)), "'date'.*to_datetime"),
    (lambda e: e.assign(cost=[-1.0] + [1.0] * 7), "'cost'.*negative"),
    (lambda e: e.assign(cost=[np.nan] + [1.0] * 7), "'cost'.*missing"),
    (lambda e: e.assign(cost=[np.inf] + [1.0] * 7), "'cost'.*infinite"),
    (lambda e: e.assign(cost=["1"] * 8), "'cost'.*numeric"),
    (lambda e: e.assign(client_id=[None] + ["a"] * 7), "'client_id'.*missing client id"),
    (lambda e: e.assign(service=[None] + ["x"] * 7), "'service'.*missing service"),
    (lambda e: e.assign(date=[pd.NaT] + [pd.Timestamp("2024-01-01")] * 7), "missing date"),
])
def test_bad_inputs_name_the_column(events, change, match):
    with pytest.raises(SchemaError, match=match):
        aggregate_events(change(events))


def test_bad_parameters(events):
    with pytest.raises(TypeError, match="'events'"):
        aggregate_events(events.to_numpy())
    with pytest.raises(ValueError, match="window_days"):
        aggregate_events(events, window_days=0)
    with pytest.raises(ValueError, match="as_of"):
        aggregate_events(events, as_of="yesterday-ish")
    with pytest.raises(ValueError, match="duplicated"):
        aggregate_events(events, clients=["a", "a", "b"])
    with pytest.raises(TypeError, match="clients"):
        aggregate_events(events, clients=3)
    with pytest.raises(TypeError, match="as_of"):  # not read as nanoseconds since 1970
        aggregate_events(events, as_of=20240301)


def test_repeated_column_names_are_named(events):
    doubled = pd.concat([events, events[["cost"]]], axis=1)
    with pytest.raises(SchemaError, match=r"more than one column named \['cost'\]"):
        aggregate_events(doubled)
    # a repeated column that is not used does no harm
    unused = events[["cost"]].rename(columns={"cost": "x"})
    extra = pd.concat([events, unused, unused], axis=1)
    pd.testing.assert_frame_equal(aggregate_events(extra), aggregate_events(events))


def test_input_not_modified(events):
    before = events.copy(deep=True)
    clients = pd.DataFrame({"referral_date": ["2023-01-01", "2023-06-01"]},
                           index=pd.Index(["a", "b"], name="client_id"))
    cbefore = clients.copy(deep=True)
    aggregate_events(events, clients, as_of=AS_OF, start_col="referral_date")
    pd.testing.assert_frame_equal(events, before)
    pd.testing.assert_frame_equal(clients, cbefore)


def test_agrees_with_naive_groupby_on_random_events():
    rng = np.random.default_rng(3)
    n = 1500
    svc = np.array(["crisis", "ae_attendance", "inpatient_day", "outpatient"])
    ev = pd.DataFrame({
        "client_id": rng.choice([f"C{i:03d}" for i in range(60)], n),
        "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n), "D"),
        "service": rng.choice(svc, n),
        "cost": rng.gamma(1.0, 100.0, n),
    })
    as_of = pd.Timestamp("2024-10-01")
    out = aggregate_events(ev, as_of=as_of, window_days=365)
    kept = ev[(ev["date"] <= as_of) & (ev["date"] > as_of - pd.Timedelta(days=365))]
    assert np.array_equal(out["n_total"].reindex(kept["client_id"].unique()),
                          kept.groupby("client_id").size().reindex(kept["client_id"].unique()))
    cost = kept.groupby("client_id")["cost"].sum()
    np.testing.assert_allclose(out.loc[cost.index, "cost_total"], cost, rtol=1e-12)
    for cid, g in kept.groupby("client_id"):
        t = g.loc[g["service"].isin(["crisis", "ae_attendance"]), "date"].sort_values()
        expected = 0 if t.empty else 1 + int((t.diff().dt.days > 7).sum())
        assert out.loc[cid, "crisis_episodes"] == expected
        assert out.loc[cid, "inpatient_days"] == \
            g.loc[g["service"] == "inpatient_day", "date"].nunique()
    last = ev[ev["date"] <= as_of].groupby("client_id")["date"].max()
    np.testing.assert_array_equal(out.loc[last.index, "days_since_last_contact"],
                                  (as_of - last).dt.days.to_numpy(float))


def test_contacts_are_counted_without_bed_days():
    from clusterdiscovery.features import aggregate_events

    ev = pd.DataFrame({"client_id": ["a"] * 5,
                       "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03",
                                               "2024-01-04", "2024-01-05"]),
                       "service": ["outpatient", "inpatient_day", "inpatient_day",
                                   "crisis", "outpatient"],
                       "cost": [100.0, 400, 400, 50, 100]})
    out = aggregate_events(ev, as_of="2024-01-31")
    assert out.loc["a", "n_total"] == 5
    assert out.loc["a", "n_contacts"] == 3  # the two bed days are not contacts
    assert out.loc["a", "inpatient_days"] == 2


@pytest.mark.parametrize("chunk", [1, 97, 1000])
@pytest.mark.parametrize("kwargs", [
    {},
    {"as_of": "2024-06-30", "window_days": 200},
    {"unknown": "drop", "clients": "some"},
])
def test_events_read_in_chunks_give_the_one_chunk_table(monkeypatch, chunk, kwargs):
    """Large tables are encoded and counted a chunk of rows at a time (bounded memory);
    any chunk size gives the same table (costs to rounding, summed in another order),
    with a cut-off, a window, and events of clients dropped."""
    import clusterdiscovery.features._events as fe

    rng = np.random.default_rng(5)
    n = 1500
    ev = pd.DataFrame({
        "client_id": rng.choice([f"C{i:03d}" for i in range(60)], n),
        "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n), "D"),
        "service": rng.choice(["crisis", "ae_attendance", "inpatient_day", "outpatient"], n),
        "cost": rng.gamma(1.0, 100.0, n),
    })
    kwargs = dict(kwargs)
    if kwargs.get("clients") == "some":
        kwargs["clients"] = [f"C{i:03d}" for i in range(0, 70, 2)]  # some unseen, some absent
    whole = aggregate_events(ev, **kwargs)
    monkeypatch.setattr(fe, "_CHUNK", chunk)
    parts = aggregate_events(ev, **kwargs)
    pd.testing.assert_frame_equal(parts, whole, check_exact=False, rtol=1e-12)
    assert whole["n_total"].sum() > 0


def test_the_aggregated_columns_describe_themselves(events):
    """Issue 20.1: what aggregate_events' columns are (role, unit, label) comes from the
    features module, so the pipeline never guesses from names."""
    from clusterdiscovery.features._event_columns import default_costs, event_columns

    table = aggregate_events(events, window_days=365)
    described = event_columns(table.columns, 365)
    assert set(described) == set(table.columns)
    roles = {c: d.role for c, d in described.items()}
    assert roles["inpatient_days"] == "count" and described["inpatient_days"].unit == "days"
    assert roles["exposure_years"] == "exposure" and roles["first_contact"] == "date"
    assert all(roles[c] == "cost" for c in table.columns
               if c.startswith("cost_") and not c.endswith("_per_year"))
    assert all(roles[c] in ("rate", "cost_rate") for c in table.columns
               if c.endswith("_per_year"))
    assert described["inpatient_days"].label == "Inpatient days in the last 365 days"
    assert event_columns(["inpatient_days"])["inpatient_days"].label == "Inpatient days"
    costs = default_costs(described)
    assert costs[0] == "cost_total" and set(costs) <= set(table.columns)
